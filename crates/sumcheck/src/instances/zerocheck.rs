//! Eq-weighted sumcheck and zero-check: `Σ_{x ∈ {0,1}^n} eq(τ, x)·g(P_1(x), ..., P_k(x)) = claim`.
//!
//! With `claim = 0` and `τ` drawn after the `P_j` are bound (committed), this is a zero-check:
//! `g(P(x)) = 0` on the whole hypercube except with probability `≤ n/|F|`. `g` is either the
//! product `P_1···P_k` (`k ≤ 4`) or any combination of declared degree passed as a closure
//! ([`Combiner::Custom`]); the verifier evaluates the same `g` on the final evaluations.
//!
//! **Gruen's factoring.** In round `j` the eq factor splits as
//! `eq(τ_{<j}, r_{<j})·eq(τ_j, X)·eq(τ_{>j}, x')`, so the round polynomial is
//! `s_j(X) = l_j(X)·q_j(X)` with the linear `l_j(X) = eq(τ_{<j}, r_{<j})·eq(τ_j, X)` known to
//! both sides and `q_j(X) = Σ_{x'} eq(τ_{>j}, x')·g(P(r_{<j}, X, x'))` of degree `deg g`. The
//! prover evaluates `q_j` only (at `0, 2, ..., deg g`; `q_j(1)` follows from the claim), never
//! folds an eq table, and reads `eq(τ_{>j}, ·)` from precomputed suffix tables (`2^n` entries in
//! all). The Dao–Thaler split of those tables into two `√` halves is not implemented.

use std::sync::Arc;

use ark_ff::{Field, One, Zero};
use rayon::prelude::*;

use crate::core::{custom_kernel, product_kernel, with_folded, Acc, AnyFolded};
use crate::engine::{SumcheckInstanceProver, SumcheckInstanceVerifier};
use crate::error::Error;
use crate::field::{F, PAR_THRESHOLD};
use crate::mle::{eq_eval, MultilinearPoly};
use crate::transcript::Transcript;
use crate::unipoly::UniPoly;

/// Transcript label of the zero-check point `τ`.
pub const LABEL_TAU: &[u8] = b"zc_tau";

/// Most inputs a combination may take.
pub const MAX_INPUTS: usize = 4;
/// Highest degree of a custom combination.
pub const MAX_COMBINER_DEGREE: usize = 7;

/// A combination `g` of the input values, shared by prover and verifier.
pub type CombinerFn = Arc<dyn Fn(&[F]) -> F + Send + Sync>;

/// The combination `g` of the input polynomials.
#[derive(Clone)]
pub enum Combiner {
    /// `g = P_1·P_2···P_k` (degree `k`).
    Product,
    /// Any `g` of total degree `≤ degree` (`1..=7`) in its inputs.
    Custom {
        /// Degree bound of `g`.
        degree: usize,
        /// `g` on the values of the inputs (slice of length `k`).
        f: CombinerFn,
    },
}

impl std::fmt::Debug for Combiner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Product => f.write_str("Product"),
            Self::Custom { degree, .. } => write!(f, "Custom {{ degree: {degree} }}"),
        }
    }
}

impl Combiner {
    /// Degree of `g` for `k` inputs.
    pub fn degree(&self, k: usize) -> usize {
        match self {
            Self::Product => k,
            Self::Custom { degree, .. } => *degree,
        }
    }

    /// `g(values)`.
    pub fn apply(&self, values: &[F]) -> F {
        match self {
            Self::Product => values.iter().product(),
            Self::Custom { f, .. } => f(values),
        }
    }
}

/// Draw the zero-check point `τ` (`n` challenges under [`LABEL_TAU`]); call it after the
/// polynomials are committed/absorbed.
pub fn draw_tau<T: Transcript>(transcript: &mut T, num_vars: usize) -> Vec<F> {
    transcript.challenges(LABEL_TAU, num_vars)
}

/// Parameters shared by prover and verifier.
#[derive(Clone, Debug)]
pub struct ZeroCheckParams {
    /// `τ` (its length is the number of variables).
    pub tau: Vec<F>,
    /// Number of inputs `k`.
    pub num_polys: usize,
    /// The combination.
    pub combiner: Combiner,
    /// The claimed sum (`0` for a zero-check).
    pub claim: F,
}

impl ZeroCheckParams {
    fn degree(&self) -> usize {
        self.combiner.degree(self.num_polys) + 1
    }
}

/// `tables[j] = eq(τ_{j+1..n}, ·)` for `j < n`: the stages of one eq-table build.
fn eq_suffix_tables(tau: &[F]) -> Vec<Vec<F>> {
    let n = tau.len();
    let mut tables: Vec<Vec<F>> = Vec::with_capacity(n);
    let mut cur = vec![F::one()];
    for j in (0..n).rev() {
        if j + 1 < n {
            let t = tau[j + 1];
            let mut next = vec![F::zero(); cur.len() * 2];
            let step = |(out, v): (&mut [F], &F)| {
                let one = *v * t;
                out[1] = one;
                out[0] = *v - one;
            };
            if cur.len() >= PAR_THRESHOLD {
                next.par_chunks_mut(2).zip(cur.par_iter()).for_each(step);
            } else {
                next.chunks_mut(2).zip(cur.iter()).for_each(step);
            }
            tables.push(std::mem::replace(&mut cur, next));
        }
    }
    tables.push(cur);
    tables.reverse();
    tables
}

/// Prover of [`ZeroCheckParams`].
#[derive(Clone, Debug)]
pub struct ZeroCheckProver {
    params: ZeroCheckParams,
    core: AnyFolded,
    tables: Vec<Vec<F>>,
    round: usize,
    /// `eq(τ_{<round}, r_{<round})`.
    prefix: F,
    /// `q_round` at `0, 2, ..., deg g` (computed by the previous bind).
    cached: Option<Acc>,
}

impl ZeroCheckProver {
    /// Prove `Σ_x eq(τ, x)·g(P(x)) = claim` for 1 to 4 polynomials on `τ.len()` variables; the
    /// claim is computed in the first round's pass (it is `0` for a valid zero-check).
    pub fn new(
        tau: Vec<F>,
        polys: Vec<MultilinearPoly>,
        combiner: Combiner,
    ) -> Result<Self, Error> {
        let k = polys.len();
        let n = tau.len();
        if k == 0 || k > MAX_INPUTS || polys.iter().any(|p| p.num_vars() != n) {
            return Err(Error::Malformed {
                what: "zero-check needs 1 to 4 polynomials on tau.len() variables",
            });
        }
        let deg = combiner.degree(k);
        if deg == 0 || deg > MAX_COMBINER_DEGREE {
            return Err(Error::Malformed {
                what: "zero-check combination degree must be 1..=7",
            });
        }
        let core = AnyFolded::new(polys.into_iter().map(MultilinearPoly::into_evals).collect())
            .ok_or(Error::Malformed {
                what: "zero-check inputs",
            })?;
        let tables = eq_suffix_tables(&tau);
        let mut me = Self {
            params: ZeroCheckParams {
                tau,
                num_polys: k,
                combiner,
                claim: F::zero(),
            },
            core,
            tables,
            round: 0,
            prefix: F::one(),
            cached: None,
        };
        if n == 0 {
            me.params.claim = me.params.combiner.apply(&me.core.final_values());
        } else {
            // Round 0 with the point 1 included: claim = l(0)·q(0) + l(1)·q(1).
            let acc = me.eval_round(0, true);
            let t0 = me.params.tau[0];
            me.params.claim = (F::one() - t0) * acc[0] + t0 * acc[deg];
            me.cached = Some(acc);
        }
        Ok(me)
    }

    /// The shared parameters (claim included).
    pub fn params(&self) -> &ZeroCheckParams {
        &self.params
    }

    /// `q_round` at `0, 2, ..., deg` (and at 1 in slot `deg` with `with_one`).
    fn eval_round(&self, round: usize, with_one: bool) -> Acc {
        let table = self.tables.get(round).map_or(&[][..], Vec::as_slice);
        let deg = self.params.combiner.degree(self.params.num_polys);
        match &self.params.combiner {
            Combiner::Product => with_folded!(&self.core, f, K => {
                if with_one {
                    f.eval(&|p, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                        product_kernel::<K, true>(e, o, acc, Some(table[p]))
                    })
                } else {
                    f.eval(&|p, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                        product_kernel::<K, false>(e, o, acc, Some(table[p]))
                    })
                }
            }),
            Combiner::Custom { f: g, .. } => with_folded!(&self.core, f, K => {
                f.eval(&|p, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                    custom_kernel::<K>(e, o, acc, table[p], deg, with_one, g.as_ref())
                })
            }),
        }
    }
}

impl SumcheckInstanceProver for ZeroCheckProver {
    fn num_rounds(&self) -> usize {
        self.params.tau.len()
    }
    fn degree(&self) -> usize {
        self.params.degree()
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        let deg = self.params.combiner.degree(self.params.num_polys);
        let acc = match self.cached.take() {
            Some(a) => a,
            None => self.eval_round(round, false),
        };
        let tj = self.params.tau.get(round).copied().unwrap_or_else(F::zero);
        let l0 = self.prefix * (F::one() - tj);
        let l1 = self.prefix * tj;
        let q1 = match l1.inverse() {
            Some(inv) => (previous_claim - l0 * acc[0]) * inv,
            // l(1) = 0 (τ_j = 0, or a challenge hit 1 - τ_i): compute q(1) directly.
            None => self.eval_round(round, true)[deg],
        };
        let mut evals = Vec::with_capacity(deg + 1);
        evals.push(acc[0]);
        evals.push(q1);
        evals.extend_from_slice(&acc[1..deg]);
        UniPoly::from_evals(&evals).mul_linear(l0, l1 - l0)
    }
    fn bind(&mut self, r: F) {
        let tj = self
            .params
            .tau
            .get(self.round)
            .copied()
            .unwrap_or_else(F::zero);
        self.prefix *= tj * r + (F::one() - tj) * (F::one() - r);
        self.round += 1;
        let next = self.round;
        let table = self.tables.get(next).map_or(&[][..], Vec::as_slice);
        let deg = self.params.combiner.degree(self.params.num_polys);
        self.cached = match &self.params.combiner {
            Combiner::Product => with_folded!(&mut self.core, f, K => {
                f.fold_eval(r, &|p, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                    product_kernel::<K, false>(e, o, acc, Some(table[p]))
                })
            }),
            Combiner::Custom { f: g, .. } => with_folded!(&mut self.core, f, K => {
                f.fold_eval(r, &|p, e: &[F; K], o: &[F; K], acc: &mut Acc| {
                    custom_kernel::<K>(e, o, acc, table[p], deg, false, g.as_ref())
                })
            }),
        };
        // Tables of finished rounds are no longer needed.
        if let Some(t) = self.tables.get_mut(next.wrapping_sub(1)) {
            *t = Vec::new();
        }
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.core.final_values()
    }
}

/// Verifier of [`ZeroCheckParams`].
#[derive(Clone, Debug)]
pub struct ZeroCheckVerifier {
    /// The statement.
    pub params: ZeroCheckParams,
}

impl ZeroCheckVerifier {
    /// Verify `Σ_x eq(τ, x)·g(P_1(x), ..., P_k(x)) = claim`.
    pub fn new(tau: Vec<F>, num_polys: usize, combiner: Combiner, claim: F) -> Self {
        Self {
            params: ZeroCheckParams {
                tau,
                num_polys,
                combiner,
                claim,
            },
        }
    }

    /// A zero-check: `claim = 0`.
    pub fn zero_check(tau: Vec<F>, num_polys: usize, combiner: Combiner) -> Self {
        Self::new(tau, num_polys, combiner, F::zero())
    }
}

impl SumcheckInstanceVerifier for ZeroCheckVerifier {
    fn num_rounds(&self) -> usize {
        self.params.tau.len()
    }
    fn degree(&self) -> usize {
        self.params.degree()
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, Error> {
        if final_evals.len() != self.params.num_polys {
            return Err(Error::Malformed {
                what: "zero-check: wrong number of final evaluations",
            });
        }
        let eq = eq_eval(&self.params.tau, r).ok_or(Error::Malformed {
            what: "zero-check: point of the wrong dimension",
        })?;
        Ok(eq * self.params.combiner.apply(final_evals))
    }
}
