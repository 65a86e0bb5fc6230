//! Field helpers over the BN254 scalar field `F = ark_bn254::Fr`.
//!
//! Signed integers embed as `a mod p`; [`from_i64`]/[`from_i128`] do that, and [`to_i128`] reads a
//! field element back as the signed integer of smallest absolute value (when it fits).

use ark_ff::{BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

/// The proof field: the BN254 scalar field.
pub type F = ark_bn254::Fr;

/// Below this many elements, helpers stay sequential: rayon's split costs more than it saves.
pub const PAR_THRESHOLD: usize = 1 << 12;

/// Embed a signed 64-bit integer as `a mod p`.
#[inline]
pub fn from_i64(a: i64) -> F {
    if a >= 0 {
        F::from(a as u64)
    } else {
        -F::from(a.unsigned_abs())
    }
}

/// Embed a signed 128-bit integer as `a mod p`.
#[inline]
pub fn from_i128(a: i128) -> F {
    if a >= 0 {
        F::from(a as u128)
    } else {
        -F::from(a.unsigned_abs())
    }
}

/// Read `x` as the signed integer of smallest absolute value congruent to it, if that fits `i128`.
pub fn to_i128(x: &F) -> Option<i128> {
    let as_u128 = |v: &F| -> Option<u128> {
        let bytes = v.into_bigint().to_bytes_le();
        if bytes[16..].iter().any(|&b| b != 0) {
            return None;
        }
        let mut lo = [0u8; 16];
        lo.copy_from_slice(&bytes[..16]);
        Some(u128::from_le_bytes(lo))
    };
    if let Some(v) = as_u128(x).filter(|&v| v <= i128::MAX as u128) {
        return Some(v as i128);
    }
    let neg = -*x;
    as_u128(&neg)
        .filter(|&v| v <= i128::MAX as u128)
        .map(|v| -(v as i128))
}

/// `[1, base, base^2, ..., base^(n-1)]`.
pub fn powers(base: F, n: usize) -> Vec<F> {
    let mut out = Vec::with_capacity(n);
    let mut acc = F::from(1u64);
    for _ in 0..n {
        out.push(acc);
        acc *= base;
    }
    out
}

/// Inner product `Σ a_i·b_i` (parallel above [`PAR_THRESHOLD`]).
pub fn inner_product(a: &[F], b: &[F]) -> F {
    debug_assert_eq!(a.len(), b.len());
    if a.len() >= PAR_THRESHOLD {
        a.par_iter().zip(b.par_iter()).map(|(x, y)| *x * y).sum()
    } else {
        a.iter().zip(b).map(|(x, y)| *x * y).sum()
    }
}

/// Invert every non-zero element in place (zeros stay zero), Montgomery's trick, parallel in chunks.
pub fn batch_inverse_in_place(v: &mut [F]) {
    let chunk = (v.len() / rayon::current_num_threads().max(1)).max(1024);
    v.par_chunks_mut(chunk).for_each(ark_ff::batch_inversion);
}

/// `x^(2^k)`: `k` squarings.
pub fn pow2k(mut x: F, k: usize) -> F {
    for _ in 0..k {
        x.square_in_place();
    }
    x
}

/// True iff `x` is zero (a readable name for call sites in verifiers).
#[inline]
pub fn is_zero(x: &F) -> bool {
    x.is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_embedding_round_trips() {
        for a in [
            0i128,
            1,
            -1,
            42,
            -42,
            i64::MAX as i128,
            i64::MIN as i128,
            i128::MAX,
            -i128::MAX,
        ] {
            assert_eq!(to_i128(&from_i128(a)), Some(a));
        }
        for a in [0i64, 7, -7, i64::MIN, i64::MAX] {
            assert_eq!(from_i64(a), from_i128(a as i128));
        }
        assert_eq!(to_i128(&(F::from(2u64).pow([200u64]))), None);
    }

    #[test]
    fn batch_inverse_skips_zero() {
        let mut v: Vec<F> = (0..5000u64).map(F::from).collect();
        batch_inverse_in_place(&mut v);
        assert!(v[0].is_zero());
        for (i, x) in v.iter().enumerate().skip(1) {
            assert_eq!(*x * F::from(i as u64), F::from(1u64));
        }
    }
}
