//! The radix-2 number-theoretic transform over `F` behind a backend trait.
//!
//! For `n = 2^k ≤ 2^28` (the 2-adicity of the BN254 scalar field) let `ω` be the generator of the
//! order-`n` subgroup that arkworks' [`Radix2EvaluationDomain`] uses (`group_gen`). The NTT maps
//! the coefficients `c` of `f(X) = Σ_j c_j X^j` to the evaluations
//!
//! ```text
//! e_i = f(ω^i) = Σ_j c_j ω^{ij},    i = 0..n-1,
//! ```
//!
//! and the inverse maps them back, `c_j = n^{-1} Σ_i e_i ω^{-ij}` (the same transform with `ω^{-1}`,
//! scaled by `n^{-1}`). Both are computed in `O(n log n)` by Cooley–Tukey decimation in time:
//! permute the input to bit-reversed order, then run `log n` butterfly layers; the layer with half
//! width `h` combines `a[i]`, `a[i+h]` (bit `log h` of `i` zero) into `a[i] ± ω^{(i mod h)·n/(2h)}·a[i+h]`.
//!
//! [`NttBackend`] is what callers use; [`CpuNtt`] (arkworks) is the reference every other backend
//! (the GPU one in the `gpu` crate) is checked against.

use ark_ff::FftField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use sumcheck::F;

/// Why a transform cannot run.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NttError {
    /// The length is not a power of two (zero included).
    #[error("NTT length {len} is not a power of two")]
    NotPowerOfTwo {
        /// The length supplied.
        len: usize,
    },
    /// The length exceeds the largest power-of-two subgroup of the field.
    #[error("NTT length 2^{log_len} exceeds the field's 2-adicity 2^{max}")]
    TooLarge {
        /// log2 of the length supplied.
        log_len: u32,
        /// log2 of the largest supported length (the 2-adicity).
        max: u32,
    },
    /// The backend failed (device error, buffer too small, ...).
    #[error("NTT backend: {0}")]
    Backend(String),
}

/// log2 of the largest supported transform length: the 2-adicity of `F` (28 for BN254).
pub const MAX_LOG_LEN: u32 = <F as FftField>::TWO_ADICITY;

/// `log2(len)` when `len` is a supported transform length (a power of two `≤ 2^MAX_LOG_LEN`).
pub fn log2_len(len: usize) -> Result<u32, NttError> {
    if !len.is_power_of_two() {
        return Err(NttError::NotPowerOfTwo { len });
    }
    let log_len = len.trailing_zeros();
    if log_len > MAX_LOG_LEN {
        return Err(NttError::TooLarge {
            log_len,
            max: MAX_LOG_LEN,
        });
    }
    Ok(log_len)
}

/// The evaluation domain of size `len` (checked with [`log2_len`]).
pub fn domain(len: usize) -> Result<Radix2EvaluationDomain<F>, NttError> {
    let log_len = log2_len(len)?;
    Radix2EvaluationDomain::new(len).ok_or(NttError::TooLarge {
        log_len,
        max: MAX_LOG_LEN,
    })
}

/// A radix-2 NTT implementation (see the module docs for the transform).
pub trait NttBackend: Send + Sync + std::fmt::Debug {
    /// A short name for logs ("cpu", "gpu").
    fn name(&self) -> &'static str;
    /// In place: `values` := the evaluations of the polynomial with coefficients `values` at
    /// `ω^0..ω^{n-1}` (`ω` = the arkworks [`Radix2EvaluationDomain`] generator for
    /// `n = values.len()`, a power of two).
    fn ntt(&self, values: &mut [F]) -> Result<(), NttError>;
    /// The inverse of [`NttBackend::ntt`] (evaluations → coefficients).
    fn intt(&self, values: &mut [F]) -> Result<(), NttError>;
}

/// The CPU backend: arkworks' radix-2 FFT (parallel through rayon).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuNtt;

impl NttBackend for CpuNtt {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn ntt(&self, values: &mut [F]) -> Result<(), NttError> {
        let d = domain(values.len())?;
        let mut v = values.to_vec();
        d.fft_in_place(&mut v);
        values.copy_from_slice(&v);
        Ok(())
    }

    fn intt(&self, values: &mut [F]) -> Result<(), NttError> {
        let d = domain(values.len())?;
        let mut v = values.to_vec();
        d.ifft_in_place(&mut v);
        values.copy_from_slice(&v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, UniformRand, Zero};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn random(n: usize, seed: u64) -> Vec<F> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        (0..n).map(|_| F::rand(&mut rng)).collect()
    }

    /// `f(x)` by Horner's rule.
    fn eval(coeffs: &[F], x: F) -> F {
        coeffs.iter().rev().fold(F::zero(), |acc, c| acc * x + c)
    }

    #[test]
    fn ntt_is_evaluation_at_powers_of_the_domain_generator() {
        for log_n in 0..=6 {
            let n = 1usize << log_n;
            let c = random(n, log_n as u64);
            let mut e = c.clone();
            CpuNtt.ntt(&mut e).unwrap();
            let w = domain(n).unwrap().group_gen;
            assert_eq!(w.pow([n as u64]), F::one());
            if n > 1 {
                assert_ne!(w.pow([n as u64 / 2]), F::one(), "ω has order exactly n");
            }
            for (i, ei) in e.iter().enumerate() {
                assert_eq!(*ei, eval(&c, w.pow([i as u64])), "n = {n}, i = {i}");
            }
        }
    }

    #[test]
    fn intt_inverts_ntt() {
        for log_n in [0, 1, 2, 5, 10, 13] {
            let n = 1usize << log_n;
            let c = random(n, 100 + log_n as u64);
            let mut v = c.clone();
            CpuNtt.ntt(&mut v).unwrap();
            if n > 1 {
                assert_ne!(v, c);
            }
            CpuNtt.intt(&mut v).unwrap();
            assert_eq!(v, c, "n = {n}");
            // And the other way round.
            CpuNtt.intt(&mut v).unwrap();
            CpuNtt.ntt(&mut v).unwrap();
            assert_eq!(v, c, "n = {n}");
        }
    }

    #[test]
    fn sparse_inputs() {
        // The constant polynomial 1 evaluates to all ones; X to the powers of ω.
        let n = 16;
        let mut v = vec![F::zero(); n];
        v[0] = F::one();
        CpuNtt.ntt(&mut v).unwrap();
        assert!(v.iter().all(|x| x.is_one()));
        let mut v = vec![F::zero(); n];
        v[1] = F::one();
        CpuNtt.ntt(&mut v).unwrap();
        let w = domain(n).unwrap().group_gen;
        for (i, x) in v.iter().enumerate() {
            assert_eq!(*x, w.pow([i as u64]));
        }
    }

    #[test]
    fn lengths_are_checked() {
        for len in [0, 3, 6, 12, 1000] {
            let mut v = vec![F::one(); len];
            assert_eq!(CpuNtt.ntt(&mut v), Err(NttError::NotPowerOfTwo { len }));
            assert_eq!(CpuNtt.intt(&mut v), Err(NttError::NotPowerOfTwo { len }));
        }
        assert_eq!(MAX_LOG_LEN, 28);
        assert_eq!(log2_len(1), Ok(0));
        assert_eq!(log2_len(1 << 28), Ok(28));
        assert_eq!(
            log2_len(1 << 29),
            Err(NttError::TooLarge {
                log_len: 29,
                max: 28
            })
        );
        assert!(domain(1 << 29).is_err());
    }
}
