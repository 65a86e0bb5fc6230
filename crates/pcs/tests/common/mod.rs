//! Shared test helpers: cached dev SRS, random polynomials and points, a `.ptau` fixture writer.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use ark_bn254::{Fq, G1Projective, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, PrimeField};
use ark_std::UniformRand;
use pcs::hyperkzg::{ProverKey, VerifierKey};
use pcs::ptau::{encode_fq_montgomery, PTAU_MAGIC};
use pcs::{HyperKzg, Srs};
use rand::SeedableRng;
use sumcheck::{MultilinearPoly, F};

pub type Rng = rand_chacha::ChaCha20Rng;

pub fn rng(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// A development SRS of `2^log` powers, built once per test binary.
pub fn srs(log: usize) -> Srs {
    static CACHE: OnceLock<Mutex<HashMap<usize, Srs>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = cache.lock().unwrap();
    guard
        .entry(log)
        .or_insert_with(|| Srs::dev_setup_u64(0xC0FFEE, log).unwrap())
        .clone()
}

pub fn keys(log: usize) -> (ProverKey, VerifierKey) {
    HyperKzg::keys(&srs(log), log).unwrap()
}

pub fn rand_poly(n: usize, rng: &mut Rng) -> MultilinearPoly {
    MultilinearPoly::new((0..1usize << n).map(|_| F::rand(rng)).collect()).unwrap()
}

pub fn rand_point(n: usize, rng: &mut Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

/// A `.ptau` file in the snarkjs layout with `2^power` powers of a known `tau`
/// (sections 1–3, plus empty sections 4 and 5).
pub fn write_test_ptau(tau: F, power: u32) -> Vec<u8> {
    let g1 = G1Projective::generator();
    let g2 = G2Projective::generator();
    let mut out = Vec::new();
    out.extend_from_slice(PTAU_MAGIC);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&5u32.to_le_bytes());
    let section = |out: &mut Vec<u8>, id: u32, data: &[u8]| {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
    };
    let mut hdr = Vec::new();
    hdr.extend_from_slice(&32u32.to_le_bytes());
    hdr.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    hdr.extend_from_slice(&power.to_le_bytes());
    hdr.extend_from_slice(&power.to_le_bytes());
    section(&mut out, 1, &hdr);
    let mut s2 = Vec::new();
    let mut t = F::from(1u64);
    for _ in 0..(2u64 << power) - 1 {
        let p = (g1 * t).into_affine();
        s2.extend_from_slice(&encode_fq_montgomery(&p.x));
        s2.extend_from_slice(&encode_fq_montgomery(&p.y));
        t *= tau;
    }
    section(&mut out, 2, &s2);
    let mut s3 = Vec::new();
    let mut t = F::from(1u64);
    for _ in 0..1u64 << power {
        let p = (g2 * t).into_affine();
        for c in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] {
            s3.extend_from_slice(&encode_fq_montgomery(&c));
        }
        t *= tau;
    }
    section(&mut out, 3, &s3);
    section(&mut out, 4, &[]);
    section(&mut out, 5, &[]);
    out
}

/// Byte offset of section `id`'s data in a file written by [`write_test_ptau`].
pub fn ptau_section_offset(bytes: &[u8], id: u32) -> usize {
    let mut pos = 12;
    loop {
        let sid = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap());
        let size = u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().unwrap()) as usize;
        if sid == id {
            return pos + 12;
        }
        pos += 12 + size;
    }
}
