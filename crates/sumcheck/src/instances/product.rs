//! Product sumcheck: `Σ_{x ∈ {0,1}^n} Π_{j<k} P_j(x) = claim` for `k = 1..4` multilinear `P_j`.
//!
//! Degree `k`. Round evaluations at `0, 2, ..., k` (the value at 1 is `claim - s(0)`); each
//! `bind` folds in place and evaluates the next round in the same pass. Final evaluations:
//! `[P_0(r), ..., P_{k-1}(r)]`.

use ark_ff::Zero;

use crate::core::{product_kernel, with_folded, Acc, AnyFolded};
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
    /// Evaluations of the current round at `0, 2, ..., k`, computed by the previous bind.
    cached: Option<Acc>,
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
            let acc = with_folded!(&core, f, K => f.eval(&|_, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                product_kernel::<K, true>(e, o, acc, None)
            }));
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

    fn eval_now(&self) -> Acc {
        with_folded!(&self.core, f, K => f.eval(&|_, e: &[F; K], o: &[F; K], acc: &mut Acc| {
            product_kernel::<K, false>(e, o, acc, None)
        }))
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
        let k = self.params.num_polys;
        let mut evals = Vec::with_capacity(k + 1);
        evals.push(acc[0]);
        evals.push(previous_claim - acc[0]);
        evals.extend_from_slice(&acc[1..k]);
        UniPoly::from_evals(&evals)
    }
    fn bind(&mut self, r: F) {
        self.cached = with_folded!(&mut self.core, f, K => f.fold_eval(r, &|_, e: &[F; K], o: &[F; K], acc: &mut Acc| {
            product_kernel::<K, false>(e, o, acc, None)
        }));
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
