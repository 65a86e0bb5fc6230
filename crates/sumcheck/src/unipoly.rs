//! Univariate round polynomials, in coefficient form, and their compressed wire form.
//!
//! A round polynomial `p(X) = c_0 + c_1·X + ... + c_d·X^d` satisfies `p(0) + p(1) = claim`, so
//! `c_1 = claim - 2·c_0 - c_2 - ... - c_d`: the proof omits the linear term
//! ([`CompressedUniPoly`] holds `[c_0, c_2, ..., c_d]`) and the verifier recovers it from the
//! previous claim. Coefficient form keeps the verifier (and its in-circuit twin) free of
//! divisions: decompress is additions, evaluation is Horner.

use ark_ff::{Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use crate::field::F;

/// A univariate polynomial by its coefficients, low degree first.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct UniPoly {
    /// `coeffs[i]` multiplies `X^i`.
    pub coeffs: Vec<F>,
}

/// A round polynomial without its linear coefficient: `[c_0, c_2, c_3, ..., c_d]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CompressedUniPoly {
    /// The coefficients except `c_1`.
    pub coeffs_except_linear: Vec<F>,
}

impl UniPoly {
    /// The round polynomial `s` of a sumcheck over a product of `k` multilinear factors, from
    /// `s(0)`, the leading coefficient `s(∞)` (ignored for `k ≤ 1`), `s(2), ..., s(k−1)` (`mid`,
    /// `k − 2` values) and `s(1) = claim − s(0)`: `s(X) = s(∞)·X^k + q(X)` where `q`, of degree
    /// `< k`, is interpolated from `q(t) = s(t) − s(∞)·t^k` at `t = 0, ..., k−1`. Every product
    /// prover (CPU or GPU) builds its round polynomial here, so they agree to the byte.
    pub fn from_product_sums(k: usize, s0: F, s_inf: F, mid: &[F], claim: F) -> UniPoly {
        let s1 = claim - s0;
        if k <= 1 {
            return UniPoly::from_coeffs(vec![s0, s1 - s0]);
        }
        let q: Vec<F> = (0..k)
            .map(|t| {
                let st = match t {
                    0 => s0,
                    1 => s1,
                    _ => mid[t - 2],
                };
                st - s_inf * F::from(t as u64).pow([k as u64])
            })
            .collect();
        let mut coeffs = UniPoly::from_evals(&q).coeffs;
        coeffs.push(s_inf);
        UniPoly::from_coeffs(coeffs)
    }

    /// Wrap coefficients (low degree first).
    pub fn from_coeffs(coeffs: Vec<F>) -> Self {
        Self { coeffs }
    }

    /// The constant polynomial `c`.
    pub fn constant(c: F) -> Self {
        Self { coeffs: vec![c] }
    }

    /// The unique polynomial of degree `≤ evals.len() - 1` with `p(i) = evals[i]` for
    /// `i = 0, 1, ..., evals.len() - 1` (Newton divided differences on integer nodes).
    pub fn from_evals(evals: &[F]) -> Self {
        let n = evals.len();
        if n == 0 {
            return Self::default();
        }
        // Divided differences on nodes 0..n: dd[i] = f[0..=i].
        let mut dd = evals.to_vec();
        for level in 1..n {
            let inv = F::from(level as u64).inverse().unwrap_or_else(F::zero);
            for i in (level..n).rev() {
                dd[i] = (dd[i] - dd[i - 1]) * inv;
            }
        }
        // Newton form: p = dd[0] + dd[1]·X + dd[2]·X(X-1) + ...; expand by Horner from the top.
        let mut coeffs = vec![F::zero(); n];
        coeffs[0] = dd[n - 1];
        for (deg, k) in (0..n - 1).rev().enumerate() {
            // coeffs := coeffs·(X - k) + dd[k]
            let kf = F::from(k as u64);
            coeffs[deg + 1] = coeffs[deg];
            for i in (1..=deg).rev() {
                coeffs[i] = coeffs[i - 1] - kf * coeffs[i];
            }
            coeffs[0] = dd[k] - kf * coeffs[0];
        }
        Self { coeffs }
    }

    /// The degree bound this representation carries (`coeffs.len() - 1`, 0 for empty).
    pub fn degree(&self) -> usize {
        self.coeffs.len().saturating_sub(1)
    }

    /// `p(x)` by Horner's rule.
    pub fn evaluate(&self, x: &F) -> F {
        self.coeffs
            .iter()
            .rev()
            .fold(F::zero(), |acc, c| acc * x + c)
    }

    /// `p(0) + p(1)`.
    pub fn sum_over_boolean(&self) -> F {
        let all: F = self.coeffs.iter().sum();
        all + self.coeffs.first().copied().unwrap_or_else(F::zero)
    }

    /// Drop the linear coefficient (a polynomial of degree 0 is sent as `[c_0]`).
    pub fn compress(&self) -> CompressedUniPoly {
        let mut out = Vec::with_capacity(self.coeffs.len().saturating_sub(1).max(1));
        out.push(self.coeffs.first().copied().unwrap_or_else(F::zero));
        out.extend(self.coeffs.iter().skip(2).copied());
        CompressedUniPoly {
            coeffs_except_linear: out,
        }
    }

    /// `self += scale · other` (coefficient-wise, extending as needed).
    pub fn add_scaled(&mut self, other: &UniPoly, scale: F) {
        if self.coeffs.len() < other.coeffs.len() {
            self.coeffs.resize(other.coeffs.len(), F::zero());
        }
        for (a, b) in self.coeffs.iter_mut().zip(&other.coeffs) {
            *a += scale * b;
        }
    }

    /// `self · (a + b·X)`.
    pub fn mul_linear(&self, a: F, b: F) -> UniPoly {
        let mut out = vec![F::zero(); self.coeffs.len() + 1];
        for (i, c) in self.coeffs.iter().enumerate() {
            out[i] += a * c;
            out[i + 1] += b * c;
        }
        UniPoly { coeffs: out }
    }
}

impl CompressedUniPoly {
    /// The degree of the polynomial this encodes: `len` (the linear term is implied), at least 1.
    pub fn degree(&self) -> usize {
        self.coeffs_except_linear.len().max(1)
    }

    /// Recover the linear coefficient from `hint = p(0) + p(1)`.
    pub fn decompress(&self, hint: &F) -> UniPoly {
        let c = &self.coeffs_except_linear;
        let c0 = c.first().copied().unwrap_or_else(F::zero);
        let mut linear = *hint - c0 - c0;
        for ci in c.iter().skip(1) {
            linear -= ci;
        }
        let mut coeffs = Vec::with_capacity(c.len() + 1);
        coeffs.push(c0);
        coeffs.push(linear);
        coeffs.extend(c.iter().skip(1).copied());
        UniPoly { coeffs }
    }

    /// `p(x)` given `hint = p(0) + p(1)`, without materializing the full polynomial.
    pub fn eval_from_hint(&self, hint: &F, x: &F) -> F {
        let c = &self.coeffs_except_linear;
        let c0 = c.first().copied().unwrap_or_else(F::zero);
        let mut linear = *hint - c0 - c0;
        // Σ_{i≥2} c_i·x^i by Horner over [c_2, ..., c_d], then ·x^2.
        let mut high = F::zero();
        for ci in c.iter().skip(1).rev() {
            linear -= ci;
            high = high * x + ci;
        }
        c0 + *x * (linear + *x * high)
    }
}

/// `1/2` in `F`.
pub(crate) fn half() -> F {
    F::from(2u64).inverse().unwrap_or_else(F::one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn interpolation_compression_round_trip() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for d in 0..8 {
            let p = UniPoly::from_coeffs((0..=d).map(|_| F::rand(&mut rng)).collect());
            let evals: Vec<F> = (0..=d).map(|i| p.evaluate(&F::from(i as u64))).collect();
            assert_eq!(UniPoly::from_evals(&evals), p);
            let hint = p.evaluate(&F::zero()) + p.evaluate(&F::one());
            assert_eq!(hint, p.sum_over_boolean());
            let c = p.compress();
            let x = F::rand(&mut rng);
            if d >= 1 {
                assert_eq!(c.decompress(&hint), p);
            }
            assert_eq!(
                c.eval_from_hint(&hint, &x),
                c.decompress(&hint).evaluate(&x)
            );
            if d >= 1 {
                assert_eq!(c.eval_from_hint(&hint, &x), p.evaluate(&x));
            }
        }
    }
}
