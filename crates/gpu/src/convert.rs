//! arkworks values ⇄ device words. Field elements keep arkworks' Montgomery limbs unchanged;
//! affine points are `(x, y)` limbs with `(0, 0)` for infinity; device projective points are
//! XYZZ (`(X/ZZ, Y/ZZZ)`).

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field, Zero};
use rayon::prelude::*;
use sumcheck::F;

/// Four Montgomery limbs of a scalar-field element.
#[inline]
pub fn fr_words(x: &F) -> [u64; 4] {
    x.0 .0
}

/// A scalar-field element from its Montgomery limbs (no check: the device keeps them reduced).
#[inline]
pub fn fr_from_words(w: &[u64]) -> F {
    F::new_unchecked(BigInt([w[0], w[1], w[2], w[3]]))
}

/// A base-field element from its Montgomery limbs.
#[inline]
pub fn fq_from_words(w: &[u64]) -> Fq {
    Fq::new_unchecked(BigInt([w[0], w[1], w[2], w[3]]))
}

/// Scalar-field elements as device words (4 per element).
pub fn fr_slice_words(v: &[F]) -> Vec<u64> {
    let mut out = vec![0u64; 4 * v.len()];
    out.par_chunks_mut(4 << 10)
        .zip(v.par_chunks(1 << 10))
        .for_each(|(o, x)| {
            for (o, x) in o.chunks_exact_mut(4).zip(x) {
                o.copy_from_slice(&x.0 .0);
            }
        });
    out
}

/// Device words (4 per element) as scalar-field elements.
pub fn fr_vec_from_words(w: &[u64]) -> Vec<F> {
    w.par_chunks_exact(4).map(fr_from_words).collect()
}

/// Affine points as device words (8 per point, infinity as zeros).
pub fn affine_slice_words(v: &[G1Affine]) -> Vec<u64> {
    let mut out = vec![0u64; 8 * v.len()];
    out.par_chunks_mut(8 << 10)
        .zip(v.par_chunks(1 << 10))
        .for_each(|(o, ps)| {
            for (o, p) in o.chunks_exact_mut(8).zip(ps) {
                if !p.is_zero() {
                    o[..4].copy_from_slice(&p.x.0 .0);
                    o[4..].copy_from_slice(&p.y.0 .0);
                }
            }
        });
    out
}

/// A device XYZZ point (16 words) as an arkworks point.
pub fn xyzz_from_words(w: &[u64]) -> G1Projective {
    let x = fq_from_words(&w[0..4]);
    let y = fq_from_words(&w[4..8]);
    let zz = fq_from_words(&w[8..12]);
    let zzz = fq_from_words(&w[12..16]);
    if zz.is_zero() {
        return G1Projective::zero();
    }
    // (X/ZZ, Y/ZZZ) in affine; ZZ and ZZZ are non-zero here.
    let zz_inv = zz.inverse().unwrap_or_default();
    let zzz_inv = zzz.inverse().unwrap_or_default();
    G1Affine::new_unchecked(x * zz_inv, y * zzz_inv).into()
}
