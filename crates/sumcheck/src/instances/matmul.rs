//! Thaler's matmul sumcheck: a claim on `C = A·B` becomes claims on `A` and `B`.
//!
//! Matrices are row-major and padded to power-of-two dimensions: `A` is `m × n`, `B` is `n × p`,
//! `C` is `m × p` with `m = 2^{log_m}` etc. Entry `(row, col)` of an `R × S` matrix sits at index
//! `row·S + col`, so (low bit first) **the column bits are the low variables and the row bits
//! the high ones**: `M̃(x_col, x_row)`, and a point on `C` is `r_c = (r_j ‖ r_i)` with `r_j` (the
//! column part, `log_p` entries) first. The relation
//!
//! ```text
//! C̃(r_j, r_i) = Σ_{k ∈ {0,1}^{log n}} Ã(k, r_i)·B̃(r_j, k)
//! ```
//!
//! is a degree-2 product sumcheck over `log n` variables. It ends on `r_k` with the claims
//! `Ã(r_k ‖ r_i)` and `B̃(r_j ‖ r_k)` ([`MatmulVerifier::a_point`], [`MatmulVerifier::b_point`]),
//! which are the instance's final evaluations `[a, b]`; the verifier checks `a·b`.
//!
//! The prover first binds the fixed coordinates: `f(k) = Σ_i eq(r_i, i)·A[i][k]` (a weighted sum
//! of rows) and `g(k) = Σ_j eq(r_j, j)·B[k][j]` (one inner product per row), `m·n + n·p`
//! multiplications, then runs the product sumcheck on `f·g` (`2^{log n}` entries).

use ark_ff::Zero;
use rayon::prelude::*;

use crate::engine::{SumcheckInstanceProver, SumcheckInstanceVerifier};
use crate::error::Error;
use crate::field::{inner_product, F, PAR_THRESHOLD};
use crate::instances::product::ProductProver;
use crate::mle::{eq_table, MultilinearPoly};
use crate::unipoly::UniPoly;

/// Matrix dimensions as logarithms: `A` is `2^log_m × 2^log_n`, `B` is `2^log_n × 2^log_p`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatmulDims {
    /// Rows of `A` and `C`.
    pub log_m: usize,
    /// Columns of `A`, rows of `B` (the summed index).
    pub log_n: usize,
    /// Columns of `B` and `C`.
    pub log_p: usize,
}

impl MatmulDims {
    /// Variables of `C̃` (`log_p + log_m`).
    pub fn c_vars(&self) -> usize {
        self.log_p + self.log_m
    }
}

/// Parameters shared by prover and verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatmulParams {
    /// Dimensions.
    pub dims: MatmulDims,
    /// The point on `C`: `(r_j ‖ r_i)`, `log_p + log_m` entries.
    pub r_c: Vec<F>,
    /// The claim `C̃(r_c)`.
    pub claim: F,
}

impl MatmulParams {
    fn split(&self) -> Option<(&[F], &[F])> {
        (self.r_c.len() == self.dims.c_vars()).then(|| self.r_c.split_at(self.dims.log_p))
    }
}

/// `out[k] = Σ_i w[i]·M[i][k]`: a weighted sum of the rows of a row-major matrix.
pub fn combine_rows(m: &[F], cols: usize, w: &[F]) -> Vec<F> {
    let mut out = vec![F::zero(); cols];
    let chunk = (cols / (4 * rayon::current_num_threads().max(1)))
        .clamp(64, 4096)
        .min(cols.max(1));
    let work = |(c, dst): (usize, &mut [F])| {
        let lo = c * chunk;
        for (i, wi) in w.iter().enumerate() {
            let row = &m[i * cols + lo..i * cols + lo + dst.len()];
            for (d, x) in dst.iter_mut().zip(row) {
                *d += *wi * x;
            }
        }
    };
    if m.len() >= PAR_THRESHOLD {
        out.par_chunks_mut(chunk).enumerate().for_each(work);
    } else {
        out.chunks_mut(chunk).enumerate().for_each(work);
    }
    out
}

/// `out[k] = Σ_j w[j]·M[k][j]`: each row of a row-major matrix against `w`.
pub fn combine_cols(m: &[F], cols: usize, w: &[F]) -> Vec<F> {
    if m.len() >= PAR_THRESHOLD && cols < PAR_THRESHOLD {
        m.par_chunks(cols)
            .map(|row| inner_product(row, w))
            .collect()
    } else {
        m.chunks(cols).map(|row| inner_product(row, w)).collect()
    }
}

/// Prover of [`MatmulParams`].
#[derive(Clone, Debug)]
pub struct MatmulProver {
    params: MatmulParams,
    inner: ProductProver,
}

impl MatmulProver {
    /// Reduce the claim on `C̃(r_c)` for `C = A·B` (`a`, `b` row-major evaluation vectors of
    /// `2^{log_m + log_n}` and `2^{log_n + log_p}` entries). The claim is computed, not trusted.
    pub fn new(
        a: &MultilinearPoly,
        b: &MultilinearPoly,
        dims: MatmulDims,
        r_c: Vec<F>,
    ) -> Result<Self, Error> {
        if a.num_vars() != dims.log_m + dims.log_n
            || b.num_vars() != dims.log_n + dims.log_p
            || r_c.len() != dims.c_vars()
        {
            return Err(Error::Malformed {
                what: "matmul: matrix or point dimensions disagree with dims",
            });
        }
        let (r_j, r_i) = r_c.split_at(dims.log_p);
        let f = combine_rows(a.evals(), 1 << dims.log_n, &eq_table(r_i));
        let g = combine_cols(b.evals(), 1 << dims.log_p, &eq_table(r_j));
        let inner = ProductProver::new(vec![MultilinearPoly::new(f)?, MultilinearPoly::new(g)?])?;
        let claim = inner.params().claim;
        Ok(Self {
            params: MatmulParams { dims, r_c, claim },
            inner,
        })
    }

    /// The shared parameters (claim included).
    pub fn params(&self) -> &MatmulParams {
        &self.params
    }
}

impl SumcheckInstanceProver for MatmulProver {
    fn num_rounds(&self) -> usize {
        self.params.dims.log_n
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        self.inner.round_polynomial(round, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.inner.bind(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.inner.final_evaluations()
    }
}

/// Verifier of [`MatmulParams`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatmulVerifier {
    /// The statement.
    pub params: MatmulParams,
}

impl MatmulVerifier {
    /// Verify the reduction of `C̃(r_c) = claim`.
    pub fn new(dims: MatmulDims, r_c: Vec<F>, claim: F) -> Self {
        Self {
            params: MatmulParams { dims, r_c, claim },
        }
    }

    /// The point of the output claim on `A`: `(r_k ‖ r_i)`; `None` on a dimension mismatch.
    pub fn a_point(&self, r_k: &[F]) -> Option<Vec<F>> {
        let (_, r_i) = self.params.split()?;
        (r_k.len() == self.params.dims.log_n).then(|| [r_k, r_i].concat())
    }

    /// The point of the output claim on `B`: `(r_j ‖ r_k)`; `None` on a dimension mismatch.
    pub fn b_point(&self, r_k: &[F]) -> Option<Vec<F>> {
        let (r_j, _) = self.params.split()?;
        (r_k.len() == self.params.dims.log_n).then(|| [r_j, r_k].concat())
    }
}

impl SumcheckInstanceVerifier for MatmulVerifier {
    fn num_rounds(&self) -> usize {
        self.params.dims.log_n
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn expected_output_claim(&self, _r: &[F], final_evals: &[F]) -> Result<F, Error> {
        if self.params.split().is_none() {
            return Err(Error::Malformed {
                what: "matmul: point on C has the wrong dimension",
            });
        }
        match final_evals {
            [a, b] => Ok(*a * b),
            _ => Err(Error::Malformed {
                what: "matmul: expected two final evaluations [A, B]",
            }),
        }
    }
}
