//! GPU MSM against the CPU backend, on the host emulator and (where one opens) the GPU: field
//! and small scalars, edge values, repeated bases, skewed digits, and the bases cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{UniformRand, Zero};
use ark_std::rand::Rng;
use gpu::msm::MsmPlan;
use gpu::GpuMsm;
use pcs::msm::{CpuMsm, MsmBackend, SmallScalars};
use sumcheck::F;

fn random_bases(n: usize, rng: &mut impl Rng) -> Vec<G1Affine> {
    let g = G1Projective::generator();
    let pts: Vec<G1Projective> = (0..n.min(64)).map(|_| g * F::rand(rng)).collect();
    // Repeat a few points so buckets meet equal and opposite points (doubling, cancellation).
    let mut out: Vec<G1Affine> = G1Projective::normalize_batch(&pts);
    while out.len() < n {
        let i = rng.gen_range(0..pts.len());
        out.push(if rng.gen_bool(0.5) { out[i] } else { -out[i] });
    }
    out.truncate(n);
    out
}

#[test]
fn field_scalars_match_cpu() {
    let mut rng = common::rng(10);
    for dev in common::devices() {
        let gpu = GpuMsm::new(dev.clone());
        for n in [1usize, 2, 3, 17, 300, 2000] {
            let bases = random_bases(n, &mut rng);
            let mut scalars: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            if n > 4 {
                scalars[0] = F::zero();
                scalars[1] = F::from(1u64);
                scalars[2] = -F::from(1u64);
                scalars[3] = scalars[4];
            }
            let want = CpuMsm.msm(&bases, &scalars);
            let got = gpu.try_msm(&bases, &scalars).expect("device MSM");
            assert_eq!(got, want, "{}: n = {n}", dev.description());
        }
        // All-zero scalars, and more bases than scalars.
        let bases = random_bases(40, &mut rng);
        assert!(gpu.try_msm(&bases, &[F::zero(); 8]).unwrap().is_zero());
        let scalars: Vec<F> = (0..10).map(|_| F::rand(&mut rng)).collect();
        assert_eq!(
            gpu.try_msm(&bases, &scalars).unwrap(),
            CpuMsm.msm(&bases, &scalars)
        );
    }
}

#[test]
fn small_scalars_match_cpu() {
    let mut rng = common::rng(11);
    for dev in common::devices() {
        let gpu = GpuMsm::new(dev.clone());
        for n in [1usize, 5, 257, 3000] {
            let bases = random_bases(n, &mut rng);
            let bits: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.7)).collect();
            let limbs: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
            let signed: Vec<i64> = (0..n)
                .map(|_| rng.gen_range(-(1i64 << 40)..(1i64 << 40)))
                .collect();
            // Skewed: most values equal (one heavy bucket), some extremes.
            let mut skewed: Vec<i64> = (0..n).map(|i| if i % 7 == 0 { -3 } else { 5 }).collect();
            skewed[0] = i64::MAX;
            if n > 1 {
                skewed[1] = i64::MIN + 1;
            }
            for s in [
                SmallScalars::Bits(&bits),
                SmallScalars::U16(&limbs),
                SmallScalars::I64(&signed),
                SmallScalars::I64(&skewed),
            ] {
                let want = CpuMsm.msm_small(&bases, s);
                let got = gpu.try_msm_small(&bases, s).expect("device MSM");
                assert_eq!(got, want, "{}: n = {n}, {s:?}", dev.description());
            }
        }
    }
}

#[test]
fn bases_cache_detects_changed_points() {
    let mut rng = common::rng(12);
    for dev in common::devices() {
        let gpu = GpuMsm::new(dev.clone());
        let mut bases = random_bases(200, &mut rng);
        let scalars: Vec<F> = (0..200).map(|_| F::rand(&mut rng)).collect();
        assert_eq!(
            gpu.try_msm(&bases, &scalars).unwrap(),
            CpuMsm.msm(&bases, &scalars)
        );
        // A prefix of the cached slice.
        assert_eq!(
            gpu.try_msm(&bases[..50], &scalars[..50]).unwrap(),
            CpuMsm.msm(&bases[..50], &scalars[..50])
        );
        // Same address, different points: must not reuse the cached buffer.
        let g = G1Projective::generator();
        for b in bases.iter_mut() {
            *b = (g * F::rand(&mut rng)).into_affine();
        }
        assert_eq!(
            gpu.try_msm(&bases, &scalars).unwrap(),
            CpuMsm.msm(&bases, &scalars)
        );
    }
}

#[test]
fn large_msm_on_gpu() {
    let Some(dev) = common::cuda_or_skip("large_msm_on_gpu") else {
        return;
    };
    let mut rng = common::rng(13);
    let gpu = GpuMsm::new(dev);
    for log_n in [12usize, 16, 18] {
        let n = 1 << log_n;
        let bases = random_bases(n, &mut rng);
        let scalars: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        assert_eq!(
            gpu.try_msm(&bases, &scalars).unwrap(),
            CpuMsm.msm(&bases, &scalars)
        );
        let limbs: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
        let s = SmallScalars::U16(&limbs);
        assert_eq!(
            gpu.try_msm_small(&bases, s).unwrap(),
            CpuMsm.msm_small(&bases, s)
        );
        let bits: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.5)).collect();
        let s = SmallScalars::Bits(&bits);
        assert_eq!(
            gpu.try_msm_small(&bases, s).unwrap(),
            CpuMsm.msm_small(&bases, s)
        );
    }
}

#[test]
fn plan_is_within_limits() {
    for log_n in 0..27 {
        for bits in [1u32, 2, 16, 41, 63, 64, 254] {
            let p = MsmPlan::new(1 << log_n, bits);
            assert!((1..=16).contains(&p.c), "{p:?}");
            assert!(p.c <= bits.max(1));
            assert_eq!(p.windows, bits.div_ceil(p.c));
            assert!((1u64 << p.c).is_multiple_of(p.nseg));
            assert!(p.k >= 32);
        }
    }
}
