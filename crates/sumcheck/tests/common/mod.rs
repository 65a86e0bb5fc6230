//! Helpers shared by the integration tests: random inputs, brute-force references, and one
//! configurable batched fixture that several test files run under different tamperings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use ark_ff::{One, Zero};
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sumcheck::instances::matmul::MatmulDims;
use sumcheck::*;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn rand_point(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

pub fn rand_poly(n: usize, rng: &mut ChaCha20Rng) -> MultilinearPoly {
    MultilinearPoly::new(rand_point(1 << n, rng)).unwrap()
}

/// `Σ_x eq(r, x)·P(x)`: evaluation by definition (independent of `MultilinearPoly::evaluate`).
pub fn brute_eval(p: &MultilinearPoly, r: &[F]) -> F {
    eq_table(r).iter().zip(p.evals()).map(|(e, v)| *e * v).sum()
}

/// The custom zero-check combination `g(a, b, c) = a·b - c + 3·c·c·a` (degree 3).
pub fn custom_combiner() -> Combiner {
    Combiner::Custom {
        degree: 3,
        f: Arc::new(|v: &[F]| v[0] * v[1] - v[2] + F::from(3u64) * v[2] * v[2] * v[0]),
    }
}

/// Row-major `A·B` for `A` (2^lm × 2^ln), `B` (2^ln × 2^lp).
pub fn matmul(a: &[F], b: &[F], d: MatmulDims) -> Vec<F> {
    let (m, n, p) = (1 << d.log_m, 1 << d.log_n, 1 << d.log_p);
    let mut c = vec![F::zero(); m * p];
    for i in 0..m {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..p {
                c[i * p + j] += aik * b[k * p + j];
            }
        }
    }
    c
}

/// A batch of heterogeneous instances (sizes differ, so alignment is exercised), with the data
/// needed to rebuild the verifiers.
pub struct Fixture {
    pub prod: Vec<MultilinearPoly>,
    pub zc_tau: Vec<F>,
    pub zc: Vec<MultilinearPoly>,
    pub mm_dims: MatmulDims,
    pub mm_a: MultilinearPoly,
    pub mm_b: MultilinearPoly,
    pub mm_rc: Vec<F>,
}

impl Fixture {
    /// `prod`: 3 polys on `n` vars; zero-check on `n - 2` vars with `c = a∘b` (valid); matmul
    /// with `log_n = n - 1`.
    pub fn new(n: usize, seed: u64) -> Self {
        let mut rng = rng(seed);
        let prod = (0..3).map(|_| rand_poly(n, &mut rng)).collect();
        let zn = n.saturating_sub(2);
        let a = rand_poly(zn, &mut rng);
        let b = rand_poly(zn, &mut rng);
        let c = MultilinearPoly::new(
            a.evals()
                .iter()
                .zip(b.evals())
                .map(|(x, y)| *x * y)
                .collect(),
        )
        .unwrap();
        let zc_tau = rand_point(zn, &mut rng);
        let mm_dims = MatmulDims {
            log_m: 2,
            log_n: n.saturating_sub(1),
            log_p: 1,
        };
        let mm_a = rand_poly(mm_dims.log_m + mm_dims.log_n, &mut rng);
        let mm_b = rand_poly(mm_dims.log_n + mm_dims.log_p, &mut rng);
        let mm_rc = rand_point(mm_dims.c_vars(), &mut rng);
        Self {
            prod,
            zc_tau,
            zc: vec![a, b, c],
            mm_dims,
            mm_a,
            mm_b,
            mm_rc,
        }
    }

    pub fn provers(&self) -> (ProductProver, ZeroCheckProver, MatmulProver) {
        (
            ProductProver::new(self.prod.clone()).unwrap(),
            ZeroCheckProver::new(
                self.zc_tau.clone(),
                self.zc.clone(),
                Combiner::Custom {
                    degree: 2,
                    f: Arc::new(|v: &[F]| v[0] * v[1] - v[2]),
                },
            )
            .unwrap(),
            MatmulProver::new(&self.mm_a, &self.mm_b, self.mm_dims, self.mm_rc.clone()).unwrap(),
        )
    }

    /// Verifiers from public data only: the claims are the ones the statement asserts.
    pub fn verifiers(&self) -> (ProductVerifier, ZeroCheckVerifier, MatmulVerifier) {
        let claim: F = (0..self.prod[0].len())
            .map(|x| self.prod.iter().map(|p| p.evals()[x]).product::<F>())
            .sum();
        let c = matmul(self.mm_a.evals(), self.mm_b.evals(), self.mm_dims);
        let c_claim = brute_eval(&MultilinearPoly::new(c).unwrap(), &self.mm_rc);
        (
            ProductVerifier::new(self.prod[0].num_vars(), 3, claim),
            ZeroCheckVerifier::zero_check(
                self.zc_tau.clone(),
                3,
                Combiner::Custom {
                    degree: 2,
                    f: Arc::new(|v: &[F]| v[0] * v[1] - v[2]),
                },
            ),
            MatmulVerifier::new(self.mm_dims, self.mm_rc.clone(), c_claim),
        )
    }

    pub fn prove<T: Transcript>(&self, t: &mut T) -> (SumcheckProof, Vec<F>, Vec<Vec<F>>) {
        let (mut p, mut z, mut m) = self.provers();
        prove_batched(&mut [&mut p, &mut z, &mut m], t)
    }

    pub fn verify<T: Transcript>(
        &self,
        proof: &SumcheckProof,
        evals: &[Vec<F>],
        t: &mut T,
    ) -> Result<Vec<F>, Error> {
        let (p, z, m) = self.verifiers();
        verify_batched(&[&p, &z, &m], proof, evals, t)
    }
}

pub fn one() -> F {
    F::one()
}
