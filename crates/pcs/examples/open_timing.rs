//! Quick timings (single runs, for noisy shared machines): full-scalar MSM (arkworks reference vs
//! `CpuMsm`) and HyperKZG open/verify.
//!
//! `cargo run --release -p pcs --example open_timing -- 16,18,20` (`SKIP_ARK=1`: skip the arkworks
//! reference runs; `MSM_ONLY=1`: only the MSMs) (the dev SRS is cached in
//! `$CARGO_TARGET_DIR/pcs-bench-srs-<log>.bin`, shared with the criterion bench).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use ark_bn254::G1Affine;
use ark_bn254::G1Projective;
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_std::UniformRand;
use pcs::{CpuMsm, HyperKzg, MsmBackend, MultilinearPcs, SmallScalars, Srs};
use rand::SeedableRng;
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

/// The previous full-scalar path (arkworks), for before/after comparisons of `open`.
#[derive(Debug)]
struct ArkMsm;

impl MsmBackend for ArkMsm {
    fn name(&self) -> &'static str {
        "arkworks"
    }
    fn msm(&self, bases: &[G1Affine], scalars: &[F]) -> G1Projective {
        let n = scalars.len().min(bases.len());
        G1Projective::msm_unchecked(&bases[..n], &scalars[..n])
    }
    fn msm_small(&self, bases: &[G1Affine], scalars: SmallScalars<'_>) -> G1Projective {
        CpuMsm.msm_small(bases, scalars)
    }
}

fn main() {
    let logs: Vec<usize> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "16,18,20".into())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let skip_ark = std::env::var("SKIP_ARK").is_ok();
    let max = logs.iter().copied().max().unwrap_or(16);
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let path = dir.join(format!("pcs-bench-srs-{max}.bin"));
    let srs = Srs::load(&path).unwrap_or_else(|_| {
        let s = Srs::dev_setup_u64(42, max).unwrap();
        let _ = s.save(&path);
        s
    });
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    for &log in &logs {
        let n = 1usize << log;
        let bases = &srs.g1_powers()[..n];
        let s: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        if !skip_ark {
            let t = Instant::now();
            let a = G1Projective::msm_unchecked(bases, &s);
            let ta = t.elapsed();
            let t = Instant::now();
            let b = CpuMsm.msm(bases, &s);
            let tb = t.elapsed();
            assert_eq!(a, b);
            println!("msm 2^{log}: arkworks {ta:.2?}  cpu {tb:.2?}");
        }
        if std::env::var("MSM_ONLY").is_ok() {
            let t = Instant::now();
            let _ = CpuMsm.msm(bases, &s);
            println!("msm 2^{log}: cpu {:.2?}", t.elapsed());
            continue;
        }
        let (pk, vk) = HyperKzg::keys(&srs, log).unwrap();
        let poly = MultilinearPoly::new(s).unwrap();
        let com = HyperKzg::commit(&pk, &poly).unwrap();
        let point: Vec<F> = (0..log).map(|_| F::rand(&mut rng)).collect();
        if !skip_ark {
            let pk_ark = pk.clone().with_backend(std::sync::Arc::new(ArkMsm));
            let t = Instant::now();
            let mut tr = MerlinTranscript::new(b"timing");
            HyperKzg::open(&pk_ark, &poly, &com, &point, &mut tr).unwrap();
            println!("open 2^{log} with the arkworks MSM: {:.2?}", t.elapsed());
        }
        let t = Instant::now();
        let mut tr = MerlinTranscript::new(b"timing");
        let (proof, v) = HyperKzg::open(&pk, &poly, &com, &point, &mut tr).unwrap();
        let to = t.elapsed();
        let t = Instant::now();
        let mut tr = MerlinTranscript::new(b"timing");
        HyperKzg::verify(&vk, &com, &point, &v, &proof, &mut tr).unwrap();
        println!("open 2^{log}: {to:.2?}  verify {:.2?}", t.elapsed());
    }
}
