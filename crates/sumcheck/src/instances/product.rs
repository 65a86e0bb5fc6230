//! Product sumcheck: `Σ_{x ∈ {0,1}^n} Π_{j<k} P_j(x) = claim` for `k = 1..4` multilinear `P_j`.
//!
//! Degree `k`. Each round the prover computes, over the pairs `(e_j, o_j)` of the round
//! (`P_j(X) = e_j + X·(o_j − e_j)`), `s(0) = Σ Π_j e_j`, for `k ≥ 2` the leading coefficient
//! `s(∞) = Σ Π_j (o_j − e_j)`, and `s(2), ..., s(k−1)`; `s(1) = claim − s(0)`. The round
//! polynomial is `s(X) = s(∞)·X^k + q(X)` with `q` of degree `< k` interpolated from
//! `q(t) = s(t) − s(∞)·t^k`, `t = 0..k−1`: the same polynomial as interpolating `s` at
//! `0, 1, ..., k`, with one product of differences instead of one of `P_j(k)` (for `k = 1`,
//! `s(X) = s(0) + (s(1) − s(0))·X`). Each product's last multiplication is accumulated unreduced
//! and reduced once per segment (delayed reduction, `field_ops::WideAcc`). Each `bind` folds in
//! place and evaluates the next round in the same pass; the first pass also computes the claim
//! (`s(0) + s(1)`). Final evaluations: `[P_0(r), ..., P_{k-1}(r)]`.

use ark_ff::Zero;

use crate::core::{
    product_kernel_wide, product_round_poly, reduce_wide, with_folded, AnyFolded, WideAccs,
    WIDE_SLOTS,
};
use crate::engine::{SumcheckInstanceProver, SumcheckInstanceVerifier};
use crate::error::Error;
use crate::field::F;
use crate::mle::MultilinearPoly;
use crate::unipoly::UniPoly;

/// Most factors a product instance supports.
pub const MAX_FACTORS: usize = 4;

/// Parameters shared by prover and verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductParams {
    /// Number of variables.
    pub num_vars: usize,
    /// Number of factors `k` (the degree).
    pub num_polys: usize,
    /// The claimed sum.
    pub claim: F,
}

/// Prover of [`ProductParams`].
#[derive(Clone, Debug)]
pub struct ProductProver {
    params: ProductParams,
    core: AnyFolded,
    /// The current round's kernel sums (`s(0)`, `s(∞)`, `s(2..k)`), computed by the previous
    /// bind.
    cached: Option<[F; WIDE_SLOTS]>,
}

impl ProductProver {
    /// Take `k = 1..4` polynomials with the same number of variables; computes the claim in the
    /// same pass as the first round.
    pub fn new(polys: Vec<MultilinearPoly>) -> Result<Self, Error> {
        let k = polys.len();
        let num_vars = polys.first().map_or(0, MultilinearPoly::num_vars);
        if k == 0 || k > MAX_FACTORS || polys.iter().any(|p| p.num_vars() != num_vars) {
            return Err(Error::Malformed {
                what: "product sumcheck needs 1 to 4 polynomials with the same number of variables",
            });
        }
        let core = AnyFolded::new(polys.into_iter().map(MultilinearPoly::into_evals).collect())
            .ok_or(Error::Malformed {
                what: "product sumcheck inputs",
            })?;
        let (claim, cached) = if num_vars == 0 {
            let v = core.final_values().iter().product();
            (v, None)
        } else {
            let acc = reduce_wide(
                with_folded!(&core, f, K => f.eval(&|_, e: &[F; K], o: &[F; K], acc: &mut WideAccs| {
                    product_kernel_wide::<K, true>(e, o, acc)
                })),
            );
            (acc[0] + acc[k], Some(acc))
        };
        Ok(Self {
            params: ProductParams {
                num_vars,
                num_polys: k,
                claim,
            },
            core,
            cached,
        })
    }

    /// The shared parameters (claim included).
    pub fn params(&self) -> &ProductParams {
        &self.params
    }

    fn eval_now(&self) -> [F; WIDE_SLOTS] {
        reduce_wide(
            with_folded!(&self.core, f, K => f.eval(&|_, e: &[F; K], o: &[F; K], acc: &mut WideAccs| {
                product_kernel_wide::<K, false>(e, o, acc)
            })),
        )
    }
}

impl SumcheckInstanceProver for ProductProver {
    fn num_rounds(&self) -> usize {
        self.params.num_vars
    }
    fn degree(&self) -> usize {
        self.params.num_polys
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn round_polynomial(&mut self, _round: usize, previous_claim: F) -> UniPoly {
        let acc = match self.cached.take() {
            Some(a) => a,
            None => self.eval_now(),
        };
        product_round_poly(self.params.num_polys, &acc, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.cached = with_folded!(&mut self.core, f, K => f.fold_eval(r, &|_, e: &[F; K], o: &[F; K], acc: &mut WideAccs| {
            product_kernel_wide::<K, false>(e, o, acc)
        }))
        .map(reduce_wide);
    }
    fn final_evaluations(&self) -> Vec<F> {
        if self.core.len() == 1 {
            self.core.final_values()
        } else {
            vec![F::zero(); self.params.num_polys]
        }
    }
}

/// Verifier of [`ProductParams`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductVerifier {
    /// The statement.
    pub params: ProductParams,
}

impl ProductVerifier {
    /// Verify `Σ_x Π_{j<num_polys} P_j(x) = claim` over `num_vars` variables.
    pub fn new(num_vars: usize, num_polys: usize, claim: F) -> Self {
        Self {
            params: ProductParams {
                num_vars,
                num_polys,
                claim,
            },
        }
    }
}

impl SumcheckInstanceVerifier for ProductVerifier {
    fn num_rounds(&self) -> usize {
        self.params.num_vars
    }
    fn degree(&self) -> usize {
        self.params.num_polys
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn expected_output_claim(&self, _r: &[F], final_evals: &[F]) -> Result<F, Error> {
        if final_evals.len() != self.params.num_polys {
            return Err(Error::Malformed {
                what: "product sumcheck: wrong number of final evaluations",
            });
        }
        Ok(final_evals.iter().product())
    }
}
