//! criterion benches for the pcs crate: MSM (arkworks reference vs `CpuMsm` full-scalar and
//! small-scalar paths, 2^18 and 2^20), commit, open, verify, batch opening, accumulator fold/decide.
//!
//! Sizes: `PCS_BENCH_LOGS` (comma-separated, default `16,18,20`) for open/verify;
//! `PCS_BENCH_COMMIT_LOGS` (default `16,18,20,22`) for commit. The dev SRS is cached in
//! `$CARGO_TARGET_DIR/pcs-bench-srs-<log>.bin` (or the temp dir).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::time::Duration;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_std::UniformRand;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pcs::batch::{batch_open, batch_verify};
use pcs::hyperkzg::{Commitment, Proof};
use pcs::{
    Accumulator, CpuMsm, HyperKzg, MsmBackend, MultilinearPcs, OpeningClaim, Scalars, SmallScalars,
    Srs,
};
use rand::{Rng, SeedableRng};
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

fn logs(var: &str, default: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn srs(log: usize) -> Srs {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let path = dir.join(format!("pcs-bench-srs-{log}.bin"));
    if let Ok(s) = Srs::load(&path) {
        return s;
    }
    let t = std::time::Instant::now();
    let s = Srs::dev_setup_u64(42, log).unwrap();
    eprintln!("dev setup 2^{log}: {:.2?}", t.elapsed());
    let _ = s.save(&path);
    s
}

fn rng() -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(1)
}

fn max_log() -> usize {
    logs("PCS_BENCH_LOGS", "16,18,20,22")
        .into_iter()
        .chain(logs("PCS_BENCH_COMMIT_LOGS", "16,18,20,22"))
        .max()
        .unwrap_or(16)
}

fn bench_msm(c: &mut Criterion) {
    let s = srs(max_log().max(20));
    let n = 1 << 20;
    let bases: &[G1Affine] = &s.g1_powers()[..n];
    let mut rng = rng();
    let full: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
    let u16s: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
    let i32s: Vec<i64> = (0..n)
        .map(|_| rng.gen_range(-(1i64 << 31)..(1i64 << 31)))
        .collect();
    let bits: Vec<bool> = (0..n).map(|_| rng.gen()).collect();
    let mut g = c.benchmark_group("msm_2^20");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("arkworks_msm_full", |b| {
        b.iter(|| G1Projective::msm(bases, &full).unwrap())
    });
    g.bench_function("cpu_msm_full", |b| b.iter(|| CpuMsm.msm(bases, &full)));
    g.bench_function("arkworks_msm_u16", |b| {
        b.iter(|| G1Projective::msm_u16(bases, &u16s))
    });
    g.bench_function("cpu_small_u16", |b| {
        b.iter(|| CpuMsm.msm_small(bases, SmallScalars::U16(&u16s)))
    });
    g.bench_function("cpu_small_i64_pm2^31", |b| {
        b.iter(|| CpuMsm.msm_small(bases, SmallScalars::I64(&i32s)))
    });
    g.bench_function("cpu_small_bits", |b| {
        b.iter(|| CpuMsm.msm_small(bases, SmallScalars::Bits(&bits)))
    });
    g.finish();
}

/// Full-scalar MSM at 2^18: `CpuMsm` (batch-affine signed-digit Pippenger) against the arkworks
/// reference.
fn bench_msm_full_18(c: &mut Criterion) {
    let s = srs(max_log().max(20));
    let n = 1 << 18;
    let bases: &[G1Affine] = &s.g1_powers()[..n];
    let mut rng = rng();
    let full: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
    let mut g = c.benchmark_group("msm_2^18");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("arkworks_msm_full", |b| {
        b.iter(|| G1Projective::msm(bases, &full).unwrap())
    });
    g.bench_function("cpu_msm_full", |b| b.iter(|| CpuMsm.msm(bases, &full)));
    g.finish();
}

fn bench_commit(c: &mut Criterion) {
    let s = srs(max_log());
    let mut rng = rng();
    let mut g = c.benchmark_group("commit");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for log in logs("PCS_BENCH_COMMIT_LOGS", "16,18,20,22") {
        let (pk, _) = HyperKzg::keys(&s, log).unwrap();
        let n = 1usize << log;
        let u16s: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
        g.bench_with_input(BenchmarkId::new("u16", log), &log, |b, _| {
            b.iter(|| {
                HyperKzg::commit_scalars(&pk, Scalars::Small(SmallScalars::U16(&u16s))).unwrap()
            })
        });
        if log <= 20 || std::env::var("PCS_BENCH_FULL_22").is_ok() {
            let poly = MultilinearPoly::new((0..n).map(|_| F::rand(&mut rng)).collect()).unwrap();
            g.bench_with_input(BenchmarkId::new("full", log), &log, |b, _| {
                b.iter(|| HyperKzg::commit(&pk, &poly).unwrap())
            });
        }
    }
    g.finish();
}

fn bench_open_verify(c: &mut Criterion) {
    let s = srs(max_log());
    let mut rng = rng();
    let mut proofs: Vec<(usize, Commitment, Vec<F>, F, Proof)> = Vec::new();
    let mut g = c.benchmark_group("open");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for log in logs("PCS_BENCH_LOGS", "16,18,20,22") {
        let (pk, _) = HyperKzg::keys(&s, log).unwrap();
        let n = 1usize << log;
        let poly = MultilinearPoly::new((0..n).map(|_| F::rand(&mut rng)).collect()).unwrap();
        let com = HyperKzg::commit(&pk, &poly).unwrap();
        let point: Vec<F> = (0..log).map(|_| F::rand(&mut rng)).collect();
        // Above 2^20 one open takes about a minute on 2 cores: time it once instead of 10+ samples
        // (unless PCS_BENCH_OPEN_ALL is set); verify is benchmarked at every size.
        if log <= 20 || std::env::var("PCS_BENCH_OPEN_ALL").is_ok() {
            g.bench_with_input(BenchmarkId::from_parameter(log), &log, |b, _| {
                b.iter(|| {
                    let mut t = MerlinTranscript::new(b"bench");
                    HyperKzg::open(&pk, &poly, &com, &point, &mut t).unwrap()
                })
            });
        }
        let mut t = MerlinTranscript::new(b"bench");
        let start = std::time::Instant::now();
        let (proof, v) = HyperKzg::open(&pk, &poly, &com, &point, &mut t).unwrap();
        eprintln!("open 2^{log} (single run): {:.2?}", start.elapsed());
        proofs.push((log, com, point, v, proof));
    }
    g.finish();
    let mut g = c.benchmark_group("verify");
    g.sample_size(50);
    for (log, com, point, v, proof) in &proofs {
        let (_, vk) = HyperKzg::keys(&s, *log).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(log), log, |b, _| {
            b.iter(|| {
                let mut t = MerlinTranscript::new(b"bench");
                HyperKzg::verify(&vk, com, point, v, proof, &mut t).unwrap()
            })
        });
    }
    g.finish();
}

fn bench_batch_and_accumulator(c: &mut Criterion) {
    let log = 16;
    let s = srs(max_log());
    let (pk, vk) = HyperKzg::keys(&s, log).unwrap();
    let mut rng = rng();
    let polys: Vec<MultilinearPoly> = (0..8)
        .map(|_| MultilinearPoly::new((0..1 << log).map(|_| F::rand(&mut rng)).collect()).unwrap())
        .collect();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let comms: Vec<Commitment> = polys
        .iter()
        .map(|p| HyperKzg::commit(&pk, p).unwrap())
        .collect();
    let point: Vec<F> = (0..log).map(|_| F::rand(&mut rng)).collect();
    let mut g = c.benchmark_group("batch8_2^16");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("open", |b| {
        b.iter(|| {
            let mut t = MerlinTranscript::new(b"bench");
            batch_open::<HyperKzg, _>(&pk, &refs, &comms, &point, &mut t).unwrap()
        })
    });
    let mut t = MerlinTranscript::new(b"bench");
    let (proof, values) = batch_open::<HyperKzg, _>(&pk, &refs, &comms, &point, &mut t).unwrap();
    let sizes = vec![log; 8];
    g.bench_function("verify", |b| {
        b.iter(|| {
            let mut t = MerlinTranscript::new(b"bench");
            batch_verify::<HyperKzg, _>(&vk, &comms, &sizes, &point, &values, &proof, &mut t)
                .unwrap()
        })
    });
    g.finish();

    // Accumulator: fold one 2^16 opening claim (includes its O(n) reduction), and the bare fold
    // step on a precomputed pair; decide.
    let mut t = MerlinTranscript::new(b"acc");
    let mut acc = Accumulator::new();
    let (claim, proof): (OpeningClaim, Proof) = acc
        .open_and_fold(&pk, &vk, &polys[0], &comms[0], &point, &mut t)
        .unwrap();
    let mut t = MerlinTranscript::new(b"acc");
    let pair = HyperKzg::reduce_to_pairing(
        &vk,
        &claim.commitment,
        &claim.point,
        &claim.value,
        &proof,
        &mut t,
    )
    .unwrap();
    let mut g = c.benchmark_group("accumulator");
    g.bench_function("fold_claim_2^16", |b| {
        b.iter(|| {
            let mut a = Accumulator::new();
            let mut t = MerlinTranscript::new(b"acc");
            a.fold(&vk, &claim, &proof, &mut t).unwrap();
            a
        })
    });
    g.bench_function("fold_pair", |b| {
        let mut a = Accumulator::new();
        let mut t = MerlinTranscript::new(b"acc");
        b.iter(|| a.fold_pair(&pair, &mut t))
    });
    g.bench_function("decide", |b| b.iter(|| acc.decide(&vk).unwrap()));
    g.finish();
    let _ = t.challenge(b"end");
}

criterion_group!(
    benches,
    bench_msm,
    bench_msm_full_18,
    bench_commit,
    bench_open_verify,
    bench_batch_and_accumulator
);
criterion_main!(benches);
