//! Criterion benches of the sumcheck engine (see `docs/bench-sumcheck.md`).
//!
//! `cargo bench -p sumcheck --bench sumcheck`. Every proving bench times the prover from owned,
//! already-generated inputs (the clone of the inputs is done by criterion's setup and excluded)
//! to the finished proof, including the claim computation fused into round 0 and the Merlin
//! transcript. The product and zero-check routines return the spent prover with the proof, so
//! that criterion frees its `k·2^n`-entry buffers after the clock stops: freeing 2 × 32 MiB
//! (`munmap`) takes ≈ 7 ms here, which is the caller's allocator work, not proving.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use ark_std::UniformRand;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rand::SeedableRng;
use sumcheck::instances::matmul::MatmulDims;
use sumcheck::*;

fn rand_vec(n: usize, seed: u64) -> Vec<F> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| F::rand(&mut rng)).collect()
}

fn polys(k: usize, n: usize) -> Vec<MultilinearPoly> {
    (0..k)
        .map(|j| MultilinearPoly::new(rand_vec(1 << n, j as u64)).unwrap())
        .collect()
}

fn bench_mul(c: &mut Criterion) {
    let mut g = c.benchmark_group("field");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let xs = rand_vec(1024, 99);
    // 1024 independent products per iteration (throughput, as in the sumcheck loops).
    g.bench_function("fr_mul_x1024", |b| {
        let y = xs[7];
        b.iter(|| {
            let mut acc = [F::from(0u64); 4];
            for (i, x) in black_box(&xs).iter().enumerate() {
                acc[i & 3] += *x * y;
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn bench_product(c: &mut Criterion) {
    let mut g = c.benchmark_group("product");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for k in [2usize, 3] {
        for n in [16usize, 18, 20, 22] {
            g.bench_function(format!("deg{k}_2^{n}"), |b| {
                let ps = polys(k, n);
                b.iter_batched(
                    || ps.clone(),
                    |ps| {
                        let mut p = ProductProver::new(ps).unwrap();
                        let mut t = MerlinTranscript::new(b"bench");
                        let out = black_box(prove_batched(&mut [&mut p], &mut t));
                        (out, p)
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

fn bench_zerocheck(c: &mut Criterion) {
    let mut g = c.benchmark_group("zerocheck");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let n = 20;
    let tau = rand_vec(n, 77);
    for k in [1usize, 2] {
        g.bench_function(format!("eq_times_prod{k}_2^{n}"), |b| {
            let ps = polys(k, n);
            b.iter_batched(
                || ps.clone(),
                |ps| {
                    let mut p = ZeroCheckProver::new(tau.clone(), ps, Combiner::Product).unwrap();
                    let mut t = MerlinTranscript::new(b"bench");
                    let out = black_box(prove_batched(&mut [&mut p], &mut t));
                    (out, p)
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn bench_matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for l in [8usize, 10] {
        let d = MatmulDims {
            log_m: l,
            log_n: l,
            log_p: l,
        };
        let a = MultilinearPoly::new(rand_vec(1 << (2 * l), 1)).unwrap();
        let bm = MultilinearPoly::new(rand_vec(1 << (2 * l), 2)).unwrap();
        let rc = rand_vec(2 * l, 3);
        let side = 1usize << l;
        // Reduction (bind r_i into A, r_j into B) + sumcheck over the inner index.
        g.bench_function(format!("full_{side}^3"), |b| {
            b.iter(|| {
                let mut p = MatmulProver::new(&a, &bm, d, rc.clone()).unwrap();
                let mut t = MerlinTranscript::new(b"bench");
                black_box(prove_batched(&mut [&mut p], &mut t))
            })
        });
        // The sumcheck alone, after the inputs are fixed.
        let fixed = MatmulProver::new(&a, &bm, d, rc.clone()).unwrap();
        g.bench_function(format!("sumcheck_only_{side}^3"), |b| {
            b.iter_batched(
                || fixed.clone(),
                |mut p| {
                    let mut t = MerlinTranscript::new(b"bench");
                    black_box(prove_batched(&mut [&mut p], &mut t))
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn bench_multi_eval(c: &mut Criterion) {
    let mut g = c.benchmark_group("multi_eval");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let n = 20;
    let ps = polys(2, n);
    let claims: Vec<EvalClaim> = (0..4)
        .map(|j| {
            let point = rand_vec(n, 100 + j as u64);
            EvalClaim {
                poly: j % 2,
                value: ps[j % 2].evaluate(&point),
                point,
            }
        })
        .collect();
    let refs: Vec<_> = ps.iter().collect();
    g.bench_function(format!("2polys_4claims_2^{n}"), |b| {
        b.iter(|| {
            black_box(prove_multi_eval(
                &refs,
                &claims,
                &mut MerlinTranscript::new(b"bench"),
            ))
        })
    });
    g.finish();
}

/// The Poseidon transcript against arkworks' `PoseidonSponge` on the transcript's schedule: per
/// iteration, 100 challenges each after absorbing a header and two elements (200 permutations).
fn bench_poseidon(c: &mut Criterion) {
    use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
    use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
    let mut g = c.benchmark_group("poseidon");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let xs = rand_vec(2, 5);
    g.bench_function("transcript_100_challenges", |b| {
        b.iter(|| {
            let mut t = PoseidonTranscript::new(b"bench");
            let mut out = F::from(0u64);
            for _ in 0..100 {
                t.append_fields(b"x", black_box(&xs));
                out += t.challenge(b"c");
            }
            black_box(out)
        })
    });
    g.bench_function("arkworks_sponge_100_challenges", |b| {
        b.iter(|| {
            let mut s = PoseidonSponge::<F>::new(transcript::poseidon_config());
            let mut out = F::from(0u64);
            for _ in 0..100 {
                s.absorb(&vec![F::from(1u64), black_box(xs[0]), black_box(xs[1])]);
                out += s.squeeze_native_field_elements(1)[0];
            }
            black_box(out)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_poseidon,
    bench_mul,
    bench_product,
    bench_zerocheck,
    bench_matmul,
    bench_multi_eval
);
criterion_main!(benches);
