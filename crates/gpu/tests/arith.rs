//! Field and curve arithmetic of the kernels (`cuda/field.cuh`, `cuda/curve.cuh`) against
//! arkworks, on the host emulator and, where one opens, the GPU; and NVRTC compilation of all
//! kernels wherever NVRTC loads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_std::rand::Rng;
use gpu::convert::{affine_slice_words, fr_slice_words, fr_vec_from_words, xyzz_from_words};
use sumcheck::F;

#[test]
fn kernels_compile_with_nvrtc() {
    if !gpu::device::nvrtc_available() {
        eprintln!("notice: NVRTC not found, compilation check skipped");
        return;
    }
    let ptx = gpu::device::compile_ptx(Some("sm_90")).expect("kernels compile");
    let src = ptx.to_src();
    let kernels: Vec<&str> = gpu::device::KERNEL_SOURCE
        .split("ZK_KERNEL ")
        .skip(1)
        .filter_map(|rest| rest.split('(').next())
        .filter(|name| !name.contains(char::is_whitespace))
        .collect();
    assert!(kernels.len() >= 20, "found only {kernels:?}");
    for k in kernels {
        assert!(
            src.contains(&format!(".entry {k}(")),
            "kernel {k} missing from the PTX"
        );
    }
}

fn fq_words(v: &[Fq]) -> Vec<u64> {
    v.iter().flat_map(|x| x.0 .0).collect()
}

#[test]
fn field_ops_match_arkworks() {
    let mut rng = common::rng(1);
    let n = 257;
    for dev in common::devices() {
        // Fr, with edge values.
        let mut a: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        let mut b: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        a[0] = F::zero();
        b[1] = F::zero();
        a[2] = -F::from(1u64);
        b[2] = -F::from(1u64);
        let (da, db) = (
            dev.upload(&fr_slice_words(&a)).unwrap(),
            dev.upload(&fr_slice_words(&b)).unwrap(),
        );
        let out = dev.alloc(4 * n).unwrap();
        for op in 0..4u64 {
            dev.launch("fe_batch", n as u64, &[&da, &db, &out], &[n as u64, 1, op])
                .unwrap();
            let got = fr_vec_from_words(&dev.download(&out, 4 * n).unwrap());
            for i in 0..n {
                let want = match op {
                    0 => a[i] + b[i],
                    1 => a[i] - b[i],
                    2 => a[i] * b[i],
                    _ => F::new_unchecked(a[i].into_bigint()),
                };
                assert_eq!(got[i], want, "{}: Fr op {op} at {i}", dev.description());
            }
        }
        // Fq.
        let x: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut rng)).collect();
        let y: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut rng)).collect();
        let (dx, dy) = (
            dev.upload(&fq_words(&x)).unwrap(),
            dev.upload(&fq_words(&y)).unwrap(),
        );
        for op in 0..3u64 {
            dev.launch("fe_batch", n as u64, &[&dx, &dy, &out], &[n as u64, 0, op])
                .unwrap();
            let w = dev.download(&out, 4 * n).unwrap();
            for i in 0..n {
                let got = gpu::convert::fq_from_words(&w[4 * i..4 * i + 4]);
                let want = match op {
                    0 => x[i] + y[i],
                    1 => x[i] - y[i],
                    _ => x[i] * y[i],
                };
                assert_eq!(got, want, "{}: Fq op {op} at {i}", dev.description());
            }
        }
    }
}

fn xyzz_words(p: &G1Projective, rng: &mut impl Rng) -> Vec<u64> {
    // A random representative: (x·z², y·z³, z², z³).
    if p.is_zero() {
        return vec![0; 16];
    }
    let a = p.into_affine();
    let z = Fq::rand(rng);
    let (zz, zzz) = (z * z, z * z * z);
    [a.x * zz, a.y * zzz, zz, zzz]
        .iter()
        .flat_map(|f| f.0 .0)
        .collect()
}

#[test]
fn curve_ops_match_arkworks() {
    let mut rng = common::rng(2);
    let g = G1Projective::generator();
    let n = 64;
    for dev in common::devices() {
        let mut ps: Vec<G1Projective> = (0..n).map(|_| g * F::rand(&mut rng)).collect();
        let mut qs: Vec<G1Affine> = (0..n)
            .map(|_| (g * F::rand(&mut rng)).into_affine())
            .collect();
        // Special cases: P = Q, P = -Q, P = ∞, Q = ∞.
        ps[0] = qs[0].into_group();
        ps[1] = -qs[1].into_group();
        ps[2] = G1Projective::zero();
        qs[3] = G1Affine::zero();
        let pw: Vec<u64> = ps.iter().flat_map(|p| xyzz_words(p, &mut rng)).collect();
        let (dp, dq) = (
            dev.upload(&pw).unwrap(),
            dev.upload(&affine_slice_words(&qs)).unwrap(),
        );
        let out = dev.alloc(16 * n).unwrap();
        for op in 0..3u64 {
            dev.launch("g1_batch", n as u64, &[&dp, &dq, &out], &[n as u64, op])
                .unwrap();
            let w = dev.download(&out, 16 * n).unwrap();
            for i in 0..n {
                let got = xyzz_from_words(&w[16 * i..16 * i + 16]);
                let want = match op {
                    0 | 1 => ps[i] + qs[i],
                    _ => ps[i].double(),
                };
                assert_eq!(got, want, "{}: G1 op {op} at {i}", dev.description());
            }
        }
    }
}
