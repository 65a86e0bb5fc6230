//! Multi-claim reduction: many evaluation claims `P_{poly_j}(point_j) = value_j` on a few
//! polynomials with the same number of variables become one claim per polynomial at a single
//! common point `r`.
//!
//! Protocol (transcript labels in brackets):
//! 1. absorb the shape and every claim: `(num_polys, num_vars, #claims)` [`me_shape`], then per
//!    claim `(poly_j, point_j, value_j)` [`me_claim`]; squeeze `γ` [`me_gamma`];
//! 2. sumcheck (degree 2, `num_vars` rounds, one instance through the batching driver) on
//!    `Σ_x Σ_j γ^j·eq(point_j, x)·P_{poly_j}(x) = Σ_j γ^j·value_j`;
//! 3. the prover sends `P_i(r)` for **every** polynomial `i` (absorbed as the instance's final
//!    evaluations) and the verifier checks `Σ_j γ^j·eq(point_j, r)·evals[poly_j]` itself.
//!
//! **After [`verify_multi_eval`] succeeds the caller must still open each `P_i` at `r` to
//! `evals[i]` against its commitment** (the pcs crate's job): this protocol only reduces the
//! claims, it does not check them against the polynomials.
//!
//! Prover cost: one scaled eq table per claim (`2^n` multiplications each, accumulated into one
//! weight table per referenced polynomial), then a degree-2 sumcheck on each (weight, poly)
//! pair.

use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

use crate::core::{
    product_kernel_wide, product_round_poly, reduce_wide, Folded, RoundAcc, WideAccs, WIDE_SLOTS,
};
use crate::engine::{
    prove_batched, verify_batched, SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof,
};
use crate::error::Error;
use crate::field::{powers, F, PAR_THRESHOLD};
use crate::mle::{eq_eval, eq_table_scaled, MultilinearPoly};
use crate::transcript::Transcript;
use crate::unipoly::UniPoly;

/// Transcript label: `(num_polys, num_vars, #claims)`.
pub const LABEL_SHAPE: &[u8] = b"me_shape";
/// Transcript label: one claim `(poly, point..., value)`.
pub const LABEL_CLAIM: &[u8] = b"me_claim";
/// Transcript label: the claim-combining challenge `γ`.
pub const LABEL_GAMMA: &[u8] = b"me_gamma";

/// The claim `P_poly(point) = value`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct EvalClaim {
    /// Index of the polynomial.
    pub poly: usize,
    /// The point (`num_vars` entries, `x_0` first).
    pub point: Vec<F>,
    /// The claimed value.
    pub value: F,
}

/// Proof of the reduction.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MultiEvalProof {
    /// The degree-2 sumcheck.
    pub sumcheck: SumcheckProof,
    /// `P_i(r)` for every polynomial `i` (`num_polys` entries).
    pub evals: Vec<F>,
}

fn absorb_claims<T: Transcript>(
    transcript: &mut T,
    num_polys: usize,
    num_vars: usize,
    claims: &[EvalClaim],
) -> F {
    transcript.append_fields(
        LABEL_SHAPE,
        &[
            F::from(num_polys as u64),
            F::from(num_vars as u64),
            F::from(claims.len() as u64),
        ],
    );
    for c in claims {
        let mut buf = Vec::with_capacity(c.point.len() + 2);
        buf.push(F::from(c.poly as u64));
        buf.extend_from_slice(&c.point);
        buf.push(c.value);
        transcript.append_fields(LABEL_CLAIM, &buf);
    }
    transcript.challenge(LABEL_GAMMA)
}

struct MultiEvalProver {
    num_vars: usize,
    claim: F,
    /// (poly index, [weight, poly]) for every referenced polynomial.
    pairs: Vec<(usize, Folded<2>)>,
    /// Unreferenced polynomials, evaluated directly at the end.
    others: Vec<(usize, MultilinearPoly)>,
    num_polys: usize,
    r: Vec<F>,
    /// The current round's `s(0)`, `s(∞)` (see [`product_kernel_wide`]), computed by the
    /// previous bind.
    cached: Option<[F; WIDE_SLOTS]>,
}

/// `weight·poly` at `0` and `∞` for one pair, accumulated unreduced.
fn kernel(_: usize, e: &[F; 2], o: &[F; 2], acc: &mut WideAccs) {
    product_kernel_wide::<2, false>(e, o, acc)
}

impl MultiEvalProver {
    fn eval_all(&self) -> [F; WIDE_SLOTS] {
        reduce_wide(
            self.pairs
                .iter()
                .map(|(_, f)| f.eval(&kernel))
                .fold(WideAccs::zero(), WideAccs::merge),
        )
    }
}

impl SumcheckInstanceProver for MultiEvalProver {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn round_polynomial(&mut self, _round: usize, previous_claim: F) -> UniPoly {
        let acc = match self.cached.take() {
            Some(a) => a,
            None => self.eval_all(),
        };
        product_round_poly(2, &acc, previous_claim)
    }
    fn bind(&mut self, r: F) {
        let mut total: Option<WideAccs> = None;
        for (_, f) in &mut self.pairs {
            if let Some(a) = f.fold_eval(r, &kernel) {
                total = Some(total.map_or(a, |t| t.merge(a)));
            }
        }
        self.cached = total.map(reduce_wide);
        self.r.push(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        let mut out = vec![F::zero(); self.num_polys];
        for (i, f) in &self.pairs {
            out[*i] = f.final_values()[1];
        }
        for (i, p) in &self.others {
            out[*i] = p.try_evaluate(&self.r).unwrap_or_else(F::zero);
        }
        out
    }
}

struct MultiEvalVerifier<'a> {
    num_vars: usize,
    num_polys: usize,
    claims: &'a [EvalClaim],
    gammas: Vec<F>,
}

impl SumcheckInstanceVerifier for MultiEvalVerifier<'_> {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.claims
            .iter()
            .zip(&self.gammas)
            .map(|(c, g)| *g * c.value)
            .sum()
    }
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, Error> {
        if final_evals.len() != self.num_polys {
            return Err(Error::Malformed {
                what: "multi-eval: one evaluation per polynomial expected",
            });
        }
        let mut acc = F::zero();
        for (c, g) in self.claims.iter().zip(&self.gammas) {
            let eq = eq_eval(&c.point, r).ok_or(Error::Malformed {
                what: "multi-eval: claim point of the wrong dimension",
            })?;
            let v = final_evals.get(c.poly).ok_or(Error::Malformed {
                what: "multi-eval: claim on a polynomial index out of range",
            })?;
            acc += *g * eq * v;
        }
        Ok(acc)
    }
}

/// Reduce `claims` on `polys` (all with the same number of variables) to one point `r`.
/// Returns the proof and `r`; `proof.evals[i] = polys[i](r)`.
///
/// # Panics
/// If the polynomials have different numbers of variables or a claim is out of range (a prover
/// bug; the verifier rejects such claims with an error).
pub fn prove_multi_eval<T: Transcript>(
    polys: &[&MultilinearPoly],
    claims: &[EvalClaim],
    transcript: &mut T,
) -> (MultiEvalProof, Vec<F>) {
    let num_vars = polys.first().map_or(0, |p| p.num_vars());
    assert!(
        polys.iter().all(|p| p.num_vars() == num_vars),
        "multi-eval: polynomials must have the same number of variables"
    );
    assert!(
        claims
            .iter()
            .all(|c| c.poly < polys.len() && c.point.len() == num_vars),
        "multi-eval: claim out of range"
    );
    let gamma = absorb_claims(transcript, polys.len(), num_vars, claims);
    let gammas = powers(gamma, claims.len());

    // One weight table per referenced polynomial: W_i = Σ_{j: poly_j = i} γ^j eq(point_j, ·).
    let mut weights: Vec<Option<Vec<F>>> = vec![None; polys.len()];
    for (c, g) in claims.iter().zip(&gammas) {
        let t = eq_table_scaled(&c.point, *g);
        match &mut weights[c.poly] {
            None => weights[c.poly] = Some(t),
            Some(w) => {
                if w.len() >= PAR_THRESHOLD {
                    w.par_iter_mut()
                        .zip(t.par_iter())
                        .for_each(|(a, b)| *a += b);
                } else {
                    w.iter_mut().zip(&t).for_each(|(a, b)| *a += b);
                }
            }
        }
    }
    let mut pairs = Vec::new();
    let mut others = Vec::new();
    for (i, (w, p)) in weights.into_iter().zip(polys).enumerate() {
        match w {
            Some(w) => pairs.push((i, Folded::new([w, p.evals().to_vec()]))),
            None => others.push((i, (*p).clone())),
        }
    }
    let mut prover = MultiEvalProver {
        num_vars,
        claim: claims.iter().zip(&gammas).map(|(c, g)| *g * c.value).sum(),
        pairs,
        others,
        num_polys: polys.len(),
        r: Vec::with_capacity(num_vars),
        cached: None,
    };
    let (sumcheck, r, mut final_evals) = prove_batched(&mut [&mut prover], transcript);
    let evals = final_evals.pop().unwrap_or_default();
    (MultiEvalProof { sumcheck, evals }, r)
}

/// Verify a [`MultiEvalProof`]; returns `r`. Claims on a polynomial index `≥ num_polys`, points
/// of the wrong length and proofs of the wrong shape are errors. The caller must then open every
/// `P_i` at `r` to `proof.evals[i]`.
pub fn verify_multi_eval<T: Transcript>(
    num_polys: usize,
    num_vars: usize,
    claims: &[EvalClaim],
    proof: &MultiEvalProof,
    transcript: &mut T,
) -> Result<Vec<F>, Error> {
    if claims.iter().any(|c| c.poly >= num_polys) {
        return Err(Error::Malformed {
            what: "multi-eval: claim on a polynomial index out of range",
        });
    }
    if claims.iter().any(|c| c.point.len() != num_vars) {
        return Err(Error::Malformed {
            what: "multi-eval: claim point of the wrong dimension",
        });
    }
    if proof.evals.len() != num_polys {
        return Err(Error::Malformed {
            what: "multi-eval: one evaluation per polynomial expected",
        });
    }
    let gamma = absorb_claims(transcript, num_polys, num_vars, claims);
    let verifier = MultiEvalVerifier {
        num_vars,
        num_polys,
        claims,
        gammas: powers(gamma, claims.len()),
    };
    verify_batched(
        &[&verifier],
        &proof.sumcheck,
        std::slice::from_ref(&proof.evals),
        transcript,
    )
}
