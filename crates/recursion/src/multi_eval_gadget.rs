//! The multi-claim reduction in-circuit: the twin of [`sumcheck::verify_multi_eval`] and of the
//! reduction half of `gkr::step::verify_merge` (everything before the batched PCS opening).
//!
//! # What is checked
//!
//! Claims `P_{poly_j}(point_j) = value_j` (`j < m`) on `k` polynomials of `n` variables
//! (`poly_j`, `k`, `n`, `m` circuit constants; points and values variables):
//!
//! 1. absorb `(k, n, m)` (`me_shape`, constants), then per claim `(poly_j, point_j, value_j)`
//!    (`me_claim`); squeeze `γ` (`me_gamma`) — [`absorb_claims`];
//! 2. one degree-2 sumcheck instance over `n` rounds (through [`verify_batched`], so its
//!    `sc_*` transcript calls are the native ones) with claimed sum `Σ_j γ^j·value_j` and
//!    expected output claim
//!
//!    ```text
//!    Σ_j γ^j·eq(point_j, r)·evals[poly_j]
//!    ```
//!
//!    where `evals[i] = P_i(r)` are the prover's `k` final evaluations (witnesses).
//!
//! The output is `r` and the `k` evaluation claims `P_i(r) = evals[i]` as variables: what a
//! PCS opening (or an accumulator fold) must still discharge. The gadget does not open.
//!
//! # Lifting (the merge)
//!
//! `verify_merge` first lifts every claim on a polynomial of `m_i < n = max_i m_i` variables to
//! `n` variables by appending zero coordinates (`pad(P)(z, 0, …, 0) = P(z)`), then runs the
//! reduction with `num_vars = n`. [`lift_claims`] appends the constant `0`, so
//! `eq(point_j, r)` costs nothing for the padded coordinates beyond one multiplication by
//! `1 − r_i` each. [`verify_merge_reduction`] is lift + reduction.
//!
//! # Cost
//!
//! `m − 2` constraints for `γ^2..γ^{m−1}`, `m` for `Σ_j γ^j·value_j`, per claim `2n − 1` for the
//! eq evaluation (fewer for constant coordinates) and `2` for `γ^j·eq·eval`, plus the
//! sumcheck's `2n` and the transcript permutations.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use sumcheck::instances::multi_eval::{LABEL_CLAIM, LABEL_GAMMA, LABEL_SHAPE};
use sumcheck::{MultiEvalProof, F};

use crate::error::Error;
use crate::sumcheck_gadget::{
    alloc_witness_vec, eq_eval, verify_batched, SumcheckInstanceVerifierVar, SumcheckProofVar,
};
use crate::transcript::PoseidonTranscriptVar;

/// An evaluation claim `P_poly(point) = value` in the circuit (shared with the range-check
/// gadget; the twin of [`sumcheck::EvalClaim`]).
pub use crate::range_gadget::EvalClaimVar;

/// A [`MultiEvalProof`] in the circuit: the sumcheck (`n` rounds of 2 coefficients) and the `k`
/// evaluations `P_i(r)`.
#[derive(Clone, Debug)]
pub struct MultiEvalProofVar {
    /// The degree-2 sumcheck.
    pub sumcheck: SumcheckProofVar,
    /// `P_i(r)` for every polynomial `i`.
    pub evals: Vec<FpVar<F>>,
}

impl MultiEvalProofVar {
    /// Allocate a proof for `num_polys` polynomials of `num_vars` variables as witnesses. `f` is
    /// called once; its shape is checked when it yields a proof (an error from it is only
    /// accepted in setup mode, see [`SumcheckProofVar::new_variable`]).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        num_polys: usize,
        num_vars: usize,
        f: impl FnOnce() -> Result<MultiEvalProof, SynthesisError>,
    ) -> Result<Self, Error> {
        let value = f();
        let sumcheck = SumcheckProofVar::new_witness(cs.clone(), num_vars, 2, || match &value {
            Ok(p) => Ok(p.sumcheck.clone()),
            Err(e) => Err(*e),
        })?;
        let evals = alloc_witness_vec(cs, num_polys, || match &value {
            Ok(p) => Ok(p.evals.clone()),
            Err(e) => Err(*e),
        })?;
        Ok(Self { sumcheck, evals })
    }
}

/// What the reduction leaves: the common point and every polynomial's claimed value there.
#[derive(Clone, Debug)]
pub struct MultiEvalClaimsVar {
    /// The common point `r` (`num_vars` challenges).
    pub r: Vec<FpVar<F>>,
    /// `P_i(r)` for every polynomial (the proof's evaluations, now bound by the sumcheck).
    pub evals: Vec<FpVar<F>>,
    /// The claim-combining challenge `γ`.
    pub gamma: FpVar<F>,
}

/// Step 1 (module docs): absorb the shape and the claims, squeeze `γ` — the twin of the native
/// `absorb_claims` of `multi_eval` and `merge`.
pub fn absorb_claims(
    transcript: &mut PoseidonTranscriptVar,
    num_polys: usize,
    num_vars: usize,
    claims: &[EvalClaimVar],
) -> Result<FpVar<F>, Error> {
    let shape = [num_polys, num_vars, claims.len()].map(|x| FpVar::constant(F::from(x as u64)));
    transcript.append_fields(LABEL_SHAPE, &shape)?;
    for c in claims {
        let mut buf = Vec::with_capacity(c.point.len() + 2);
        buf.push(FpVar::constant(F::from(c.poly as u64)));
        buf.extend_from_slice(&c.point);
        buf.push(c.value.clone());
        transcript.append_fields(LABEL_CLAIM, &buf)?;
    }
    transcript.challenge(LABEL_GAMMA)
}

/// `[1, γ, γ^2, …]` (`n` entries, `n − 2` constraints).
fn powers(gamma: &FpVar<F>, n: usize) -> Vec<FpVar<F>> {
    let mut out = Vec::with_capacity(n);
    let mut acc = FpVar::one();
    for i in 0..n {
        out.push(acc.clone());
        if i + 1 < n {
            acc = if i == 0 { gamma.clone() } else { &acc * gamma };
        }
    }
    out
}

struct MultiEvalVerifierVar<'a> {
    num_vars: usize,
    num_polys: usize,
    claims: &'a [EvalClaimVar],
    gammas: Vec<FpVar<F>>,
}

impl SumcheckInstanceVerifierVar for MultiEvalVerifierVar<'_> {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claims
            .iter()
            .zip(&self.gammas)
            .map(|(c, g)| g * &c.value)
            .fold(FpVar::zero(), |acc, t| acc + t)
    }
    fn expected_output_claim(
        &self,
        r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        if final_evals.len() != self.num_polys {
            return Err(Error::WrongNumberOfFinalEvals {
                instance: 0,
                expected: self.num_polys,
                actual: final_evals.len(),
            });
        }
        let mut acc = FpVar::zero();
        for (c, g) in self.claims.iter().zip(&self.gammas) {
            let eq = eq_eval(&c.point, r)?;
            let v = final_evals.get(c.poly).ok_or(Error::Malformed {
                what: "multi-eval: claim on a polynomial index out of range",
            })?;
            acc += (g * eq) * v;
        }
        Ok(acc)
    }
}

/// The twin of [`sumcheck::verify_multi_eval`]: reduce `claims` on `num_polys` polynomials of
/// `num_vars` variables to one point `r`. Shape errors (a claim on an index `≥ num_polys`, a
/// point of the wrong length, a proof of the wrong shape) are [`Error`]s; a wrong value or
/// round polynomial leaves the constraint system unsatisfied.
pub fn verify_multi_eval(
    num_polys: usize,
    num_vars: usize,
    claims: &[EvalClaimVar],
    proof: &MultiEvalProofVar,
    transcript: &mut PoseidonTranscriptVar,
) -> Result<MultiEvalClaimsVar, Error> {
    if claims.iter().any(|c| c.poly >= num_polys) {
        return Err(Error::Malformed {
            what: "multi-eval: claim on a polynomial index out of range",
        });
    }
    if let Some(c) = claims.iter().find(|c| c.point.len() != num_vars) {
        return Err(Error::DimensionMismatch {
            expected: num_vars,
            actual: c.point.len(),
        });
    }
    if proof.evals.len() != num_polys {
        return Err(Error::WrongNumberOfFinalEvals {
            instance: 0,
            expected: num_polys,
            actual: proof.evals.len(),
        });
    }
    let gamma = absorb_claims(transcript, num_polys, num_vars, claims)?;
    let verifier = MultiEvalVerifierVar {
        num_vars,
        num_polys,
        claims,
        gammas: powers(&gamma, claims.len()),
    };
    let out = verify_batched(
        &[&verifier],
        &proof.sumcheck,
        std::slice::from_ref(&proof.evals),
        transcript,
    )?;
    Ok(MultiEvalClaimsVar {
        r: out.rounds.r,
        evals: proof.evals.clone(),
        gamma,
    })
}

/// Lift claims on polynomials of `num_vars[i]` variables to `n = max_i num_vars[i]` by
/// appending constant zero coordinates (the twin of the merge's `lift`). Returns `n` and the
/// lifted claims; a claim whose point does not have its polynomial's size is an error.
pub fn lift_claims(
    num_vars: &[usize],
    claims: &[EvalClaimVar],
) -> Result<(usize, Vec<EvalClaimVar>), Error> {
    let n = num_vars.iter().copied().max().unwrap_or(0);
    let mut lifted = Vec::with_capacity(claims.len());
    for c in claims {
        let m = *num_vars.get(c.poly).ok_or(Error::Malformed {
            what: "merge: claim on a polynomial index out of range",
        })?;
        if c.point.len() != m {
            return Err(Error::DimensionMismatch {
                expected: m,
                actual: c.point.len(),
            });
        }
        let mut point = c.point.clone();
        point.resize(n, FpVar::zero());
        lifted.push(EvalClaimVar {
            poly: c.poly,
            point,
            value: c.value.clone(),
        });
    }
    Ok((n, lifted))
}

/// The reduction half of `gkr::step::verify_merge`: lift the claims ([`lift_claims`]) and
/// reduce them ([`verify_multi_eval`] with `num_polys = num_vars.len()`). The returned
/// evaluations are `pad(P_i)(r)`, which the batched opening (not done here) must prove.
pub fn verify_merge_reduction(
    num_vars: &[usize],
    claims: &[EvalClaimVar],
    proof: &MultiEvalProofVar,
    transcript: &mut PoseidonTranscriptVar,
) -> Result<MultiEvalClaimsVar, Error> {
    let (n, lifted) = lift_claims(num_vars, claims)?;
    verify_multi_eval(num_vars.len(), n, &lifted, proof, transcript)
}
