//! The batched sumcheck verifier as an R1CS gadget: the in-circuit twin of
//! [`sumcheck::verify_batched`], transcript operation for transcript operation.
//!
//! # What is checked
//!
//! `m` instances with claims `c_i`, `n_i` rounds and degrees `d_i` (the last two are circuit
//! constants, the claims variables), one proof of `N = max_i n_i` compressed round polynomials of
//! `D = max(max_i d_i, 1)` coefficients `[c_0, c_2, ..., c_D]` each (witnesses):
//!
//! 1. absorb `[c_0, ..., c_{m-1}]` (`sc_input_claims`); if `m > 1` squeeze `α_0..α_{m-1}`
//!    (`sc_batch_coeffs`), else `α_0 = 1`;
//! 2. `claim_0 = Σ_i α_i·2^{o_i}·c_i` with `o_i = N - n_i` (jolt's alignment: instance `i` is
//!    inactive, constant `claim/2`, in the first `o_i` rounds and ends on `r[o_i..N]`);
//! 3. round `j`: absorb the `D` coefficients (`sc_round_poly`), squeeze `r_j`
//!    (`sc_round_challenge`), and reduce
//!
//!    ```text
//!    c_1 = claim_j - 2·c_0 - c_2 - ... - c_D          (so p_j(0) + p_j(1) = claim_j)
//!    h   = c_2 + r_j·(c_3 + r_j·(... + r_j·c_D))      (Horner, D - 2 products)
//!    claim_{j+1} = p_j(r_j) = c_0 + r_j·(c_1 + r_j·h)
//!    ```
//!
//!    The sum check `p_j(0) + p_j(1) = claim_j` holds by construction (the linear coefficient
//!    is a linear combination, no constraint); the round costs `D` multiplications (1 for
//!    `D = 1`) plus its transcript calls;
//! 4. absorb each instance's final evaluations (`sc_final_evals`, one call per instance) and
//!    enforce `claim_N = Σ_i α_i·e_i`, where `e_i` is instance `i`'s expected output claim at its
//!    point `r[o_i..N]`, computed in-circuit from its final evaluations
//!    ([`SumcheckInstanceVerifierVar::expected_output_claim`]).
//!
//! A wrong round polynomial, claim or final evaluation does not make synthesis fail: it leaves
//! the final equality unsatisfied. Only shape errors (wrong number of rounds or coefficients,
//! wrong number of final evaluations) are [`Error`]s, as in the native verifier.
//!
//! # Layers
//!
//! * [`verify_rounds`] does steps 1–3 for instance shapes and claims and returns
//!   [`SumcheckRoundsVar`] (challenges, batching coefficients, the reduced claim); a caller with
//!   its own final-claim logic absorbs the final evaluations ([`absorb_final_evals`]) and calls
//!   [`SumcheckRoundsVar::enforce_final_claim`].
//! * [`verify_batched`] does all four steps for instances given as
//!   [`SumcheckInstanceVerifierVar`]s and returns the challenges and every instance's expected
//!   output claim.
//! * [`ProductVerifierVar`] (`Σ_x Π_j P_j(x)`, expected claim `Π_j P_j(r)`),
//!   [`MatmulVerifierVar`] (Thaler's matmul reduction
//!   `C̃(r_j ‖ r_i) = Σ_k Ã(k ‖ r_i)·B̃(r_j ‖ k)`, degree 2 over `log n` variables, final
//!   evaluations `[a, b]`, expected claim `a·b`) and
//!   [`ZeroCheckVerifierVar`] (`Σ_x eq(τ, x)·g(P(x))`, expected claim `eq(τ, r)·g(P(r))` with
//!   [`eq_eval`] in-circuit) mirror `sumcheck::instances`.
//!
//! # Cost
//!
//! `eq(τ, r) = Π_i (2·τ_i·r_i - τ_i - r_i + 1)` costs `2n - 1` constraints; a product of `k`
//! final evaluations `k - 1`; the batching `m` products for the initial claim and `m` for the
//! final combination (none when `m = 1`). Measured totals are in `docs/recursion.md`.

use std::sync::Arc;

use ark_ff::{Field, One};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use sumcheck::engine::{
    LABEL_BATCH_COEFFS, LABEL_FINAL_EVALS, LABEL_INPUT_CLAIMS, LABEL_ROUND_CHALLENGE,
    LABEL_ROUND_POLY,
};
use sumcheck::instances::zerocheck::LABEL_TAU;
use sumcheck::{MatmulDims, SumcheckProof, F};

use crate::error::Error;
use crate::transcript::PoseidonTranscriptVar;

/// The circuit shape of one instance in a batch: its number of rounds (variables) and its
/// degree bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceShape {
    /// Number of variables `n_i`.
    pub num_rounds: usize,
    /// Degree bound `d_i` per variable.
    pub degree: usize,
}

/// `(N, D)` of a batch: `N = max_i n_i` rounds, round polynomials of degree
/// `D = max(max_i d_i, 1)` (so `D` coefficients per compressed round polynomial).
pub fn batch_shape(shapes: &[InstanceShape]) -> (usize, usize) {
    let rounds = shapes.iter().map(|s| s.num_rounds).max().unwrap_or(0);
    let degree = shapes.iter().map(|s| s.degree).max().unwrap_or(1).max(1);
    (rounds, degree)
}

/// A [`SumcheckProof`] in the circuit: `N` round polynomials of `D` coefficients each
/// (`[c_0, c_2, ..., c_D]`).
#[derive(Clone, Debug)]
pub struct SumcheckProofVar {
    round_polys: Vec<Vec<FpVar<F>>>,
}

impl SumcheckProofVar {
    /// Allocate a proof of `num_rounds` rounds and degree `degree` in `mode`.
    ///
    /// `f` is called once, eagerly. When it yields a proof, its shape is checked against
    /// `(num_rounds, degree)` with the native verifier's errors; when it yields an error (no
    /// witness, e.g. while generating parameters) the variables are allocated without values,
    /// which succeeds in setup mode only.
    pub fn new_variable(
        cs: ConstraintSystemRef<F>,
        num_rounds: usize,
        degree: usize,
        f: impl FnOnce() -> Result<SumcheckProof, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, Error> {
        let value = f();
        if let Ok(proof) = &value {
            check_proof_shape(proof, num_rounds, degree)?;
        }
        let mut round_polys = Vec::with_capacity(num_rounds);
        for j in 0..num_rounds {
            let mut coeffs = Vec::with_capacity(degree);
            for i in 0..degree {
                let coeff = || match &value {
                    Ok(p) => p
                        .round_polys
                        .get(j)
                        .and_then(|poly| poly.coeffs_except_linear.get(i))
                        .copied()
                        .ok_or(SynthesisError::AssignmentMissing),
                    Err(e) => Err(*e),
                };
                coeffs.push(FpVar::new_variable(cs.clone(), coeff, mode)?);
            }
            round_polys.push(coeffs);
        }
        Ok(Self { round_polys })
    }

    /// Allocate a proof as a witness (see [`Self::new_variable`]).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        num_rounds: usize,
        degree: usize,
        f: impl FnOnce() -> Result<SumcheckProof, SynthesisError>,
    ) -> Result<Self, Error> {
        Self::new_variable(cs, num_rounds, degree, f, AllocationMode::Witness)
    }

    /// The compressed round polynomials.
    pub fn round_polys(&self) -> &[Vec<FpVar<F>>] {
        &self.round_polys
    }
}

fn check_proof_shape(proof: &SumcheckProof, num_rounds: usize, degree: usize) -> Result<(), Error> {
    if proof.round_polys.len() != num_rounds {
        return Err(Error::WrongNumberOfRounds {
            expected: num_rounds,
            actual: proof.round_polys.len(),
        });
    }
    for (round, poly) in proof.round_polys.iter().enumerate() {
        let len = poly.coeffs_except_linear.len();
        if len > degree {
            return Err(Error::DegreeTooHigh {
                round,
                max: degree,
                actual: len,
            });
        }
        if len < degree {
            return Err(Error::TooFewCoefficients {
                round,
                expected: degree,
                actual: len,
            });
        }
    }
    Ok(())
}

/// Allocate `len` witnesses from `f` (called once, eagerly; its length is checked when it yields
/// values, and an error from it is only accepted in setup mode). For final evaluations.
pub fn alloc_witness_vec(
    cs: ConstraintSystemRef<F>,
    len: usize,
    f: impl FnOnce() -> Result<Vec<F>, SynthesisError>,
) -> Result<Vec<FpVar<F>>, Error> {
    let value = f();
    if let Ok(v) = &value {
        if v.len() != len {
            return Err(Error::DimensionMismatch {
                expected: len,
                actual: v.len(),
            });
        }
    }
    (0..len)
        .map(|i| {
            let x = || match &value {
                Ok(v) => v.get(i).copied().ok_or(SynthesisError::AssignmentMissing),
                Err(e) => Err(*e),
            };
            FpVar::new_witness(cs.clone(), x).map_err(Error::from)
        })
        .collect()
}

/// `p(x)` for the compressed round polynomial `coeffs = [c_0, c_2, ..., c_D]` and
/// `hint = p(0) + p(1)` (the linear coefficient is recovered from the hint): `D` multiplications,
/// 1 for `D = 1` (see the module docs).
pub fn eval_from_hint(
    coeffs: &[FpVar<F>],
    hint: &FpVar<F>,
    x: &FpVar<F>,
) -> Result<FpVar<F>, Error> {
    let c0 = coeffs.first().ok_or(Error::Malformed {
        what: "round polynomial without coefficients",
    })?;
    let mut linear = hint - c0 - c0;
    let mut high: Option<FpVar<F>> = None;
    for ci in coeffs.iter().skip(1).rev() {
        linear -= ci;
        high = Some(match high {
            None => ci.clone(),
            Some(h) => h * x + ci,
        });
    }
    let inner = match high {
        None => linear,
        Some(h) => linear + h * x,
    };
    Ok(c0 + inner * x)
}

/// The transcript-driven part of a batched sumcheck: challenges, batching coefficients and the
/// claim the rounds reduce to.
#[derive(Clone, Debug)]
pub struct SumcheckRoundsVar {
    /// The round challenges `r_0..r_{N-1}`.
    pub r: Vec<FpVar<F>>,
    /// The batching coefficients (`[1]` for a single instance).
    pub alphas: Vec<FpVar<F>>,
    /// `claim_N`, the claim left after the last round.
    pub final_claim: FpVar<F>,
    shapes: Vec<InstanceShape>,
}

impl SumcheckRoundsVar {
    /// The shapes of the batched instances.
    pub fn shapes(&self) -> &[InstanceShape] {
        &self.shapes
    }

    /// Instance `i`'s point: the last `n_i` challenges (`r[o_i..N]`, its `x_0` bound to
    /// `r_{o_i}`), as [`sumcheck::instance_point`].
    pub fn instance_point(&self, i: usize) -> Result<&[FpVar<F>], Error> {
        let shape = self.shapes.get(i).ok_or(Error::Malformed {
            what: "instance index out of range",
        })?;
        let offset = self
            .r
            .len()
            .checked_sub(shape.num_rounds)
            .ok_or(Error::Malformed {
                what: "instance has more rounds than the batch",
            })?;
        Ok(&self.r[offset..])
    }

    /// `Σ_i α_i·expected_i` (one multiplication per instance when `m > 1`).
    pub fn combine(&self, expected: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        if expected.len() != self.alphas.len() {
            return Err(Error::Malformed {
                what: "one expected output claim per instance expected",
            });
        }
        if let [single] = expected {
            // α_0 = 1.
            return Ok(single.clone());
        }
        Ok(self
            .alphas
            .iter()
            .zip(expected)
            .map(|(a, e)| a * e)
            .fold(FpVar::zero(), |acc, t| acc + t))
    }

    /// Enforce `claim_N = Σ_i α_i·expected_i` (the final check of the native verifier).
    pub fn enforce_final_claim(&self, expected: &[FpVar<F>]) -> Result<(), Error> {
        let combined = self.combine(expected)?;
        self.final_claim.enforce_equal(&combined)?;
        Ok(())
    }
}

/// Steps 1–3 of the batched verifier (module docs): absorb the claims, draw the batching
/// coefficients, run every round. The caller then absorbs the final evaluations
/// ([`absorb_final_evals`]) and enforces the final claim.
pub fn verify_rounds(
    shapes: &[InstanceShape],
    claims: &[FpVar<F>],
    proof: &SumcheckProofVar,
    transcript: &mut PoseidonTranscriptVar,
) -> Result<SumcheckRoundsVar, Error> {
    if shapes.is_empty() {
        return Err(Error::Malformed {
            what: "no sumcheck instances",
        });
    }
    if claims.len() != shapes.len() {
        return Err(Error::Malformed {
            what: "one claim per instance expected",
        });
    }
    transcript.append_fields(LABEL_INPUT_CLAIMS, claims)?;
    let alphas = if shapes.len() == 1 {
        vec![FpVar::one()]
    } else {
        transcript.challenges(LABEL_BATCH_COEFFS, shapes.len())?
    };
    let (num_rounds, degree) = batch_shape(shapes);
    if proof.round_polys.len() != num_rounds {
        return Err(Error::WrongNumberOfRounds {
            expected: num_rounds,
            actual: proof.round_polys.len(),
        });
    }

    let mut claim = FpVar::zero();
    for ((shape, c), a) in shapes.iter().zip(claims).zip(&alphas) {
        let offset = num_rounds - shape.num_rounds;
        let scale = F::from(2u64).pow([offset as u64]);
        let weighted = if shapes.len() == 1 { c.clone() } else { a * c };
        claim += weighted * scale;
    }

    let mut r = Vec::with_capacity(num_rounds);
    for (round, poly) in proof.round_polys.iter().enumerate() {
        if poly.len() > degree {
            return Err(Error::DegreeTooHigh {
                round,
                max: degree,
                actual: poly.len(),
            });
        }
        if poly.len() < degree {
            return Err(Error::TooFewCoefficients {
                round,
                expected: degree,
                actual: poly.len(),
            });
        }
        transcript.append_fields(LABEL_ROUND_POLY, poly)?;
        let rj = transcript.challenge(LABEL_ROUND_CHALLENGE)?;
        claim = eval_from_hint(poly, &claim, &rj)?;
        r.push(rj);
    }
    Ok(SumcheckRoundsVar {
        r,
        alphas,
        final_claim: claim,
        shapes: shapes.to_vec(),
    })
}

/// Absorb each instance's final evaluations (`sc_final_evals`, one call per instance), as the
/// native verifier does after the last round.
pub fn absorb_final_evals(
    transcript: &mut PoseidonTranscriptVar,
    final_evals: &[Vec<FpVar<F>>],
) -> Result<(), Error> {
    for evals in final_evals {
        transcript.append_fields(LABEL_FINAL_EVALS, evals)?;
    }
    Ok(())
}

/// The verifier side of one sumcheck instance, in-circuit (the twin of
/// [`sumcheck::SumcheckInstanceVerifier`]).
pub trait SumcheckInstanceVerifierVar {
    /// Number of variables `n` (a circuit constant).
    fn num_rounds(&self) -> usize;
    /// Degree bound per variable (a circuit constant).
    fn degree(&self) -> usize;
    /// The claimed sum.
    fn input_claim(&self) -> FpVar<F>;
    /// `g(r)` from the final evaluations and the predicates the verifier computes itself. `r` is
    /// this instance's point (`n` entries). A wrong number of final evaluations is
    /// [`Error::WrongNumberOfFinalEvals`] (with `instance: 0`; [`verify_batched`] fills in the
    /// instance's index in the batch).
    fn expected_output_claim(
        &self,
        r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error>;
    /// `(n, d)`.
    fn shape(&self) -> InstanceShape {
        InstanceShape {
            num_rounds: self.num_rounds(),
            degree: self.degree(),
        }
    }
}

/// What [`verify_batched`] derives: the rounds (challenges, batching coefficients, reduced
/// claim) and every instance's expected output claim at its point.
#[derive(Clone, Debug)]
pub struct BatchedSumcheckVar {
    /// Challenges, batching coefficients and the reduced claim.
    pub rounds: SumcheckRoundsVar,
    /// `e_i = expected_output_claim_i(r[o_i..], final_evals_i)`; the gadget has enforced
    /// `claim_N = Σ_i α_i·e_i`.
    pub expected_claims: Vec<FpVar<F>>,
}

impl BatchedSumcheckVar {
    /// All round challenges `r`.
    pub fn r(&self) -> &[FpVar<F>] {
        &self.rounds.r
    }

    /// Instance `i`'s point (see [`SumcheckRoundsVar::instance_point`]).
    pub fn instance_point(&self, i: usize) -> Result<&[FpVar<F>], Error> {
        self.rounds.instance_point(i)
    }
}

/// The batched sumcheck verifier in-circuit: the twin of [`sumcheck::verify_batched`] (same
/// transcript calls in the same order; module docs). Enforces the final check; a dishonest
/// proof leaves the constraint system unsatisfied.
pub fn verify_batched(
    instances: &[&dyn SumcheckInstanceVerifierVar],
    proof: &SumcheckProofVar,
    final_evals: &[Vec<FpVar<F>>],
    transcript: &mut PoseidonTranscriptVar,
) -> Result<BatchedSumcheckVar, Error> {
    if instances.is_empty() {
        return Err(Error::Malformed {
            what: "no sumcheck instances",
        });
    }
    if final_evals.len() != instances.len() {
        return Err(Error::Malformed {
            what: "one vector of final evaluations per instance expected",
        });
    }
    let shapes: Vec<InstanceShape> = instances.iter().map(|i| i.shape()).collect();
    let claims: Vec<FpVar<F>> = instances.iter().map(|i| i.input_claim()).collect();
    let rounds = verify_rounds(&shapes, &claims, proof, transcript)?;
    absorb_final_evals(transcript, final_evals)?;
    let mut expected_claims = Vec::with_capacity(instances.len());
    for (i, (inst, evals)) in instances.iter().zip(final_evals).enumerate() {
        let point = rounds.instance_point(i)?;
        let expected = inst
            .expected_output_claim(point, evals)
            .map_err(|e| match e {
                Error::WrongNumberOfFinalEvals {
                    expected, actual, ..
                } => Error::WrongNumberOfFinalEvals {
                    instance: i,
                    expected,
                    actual,
                },
                other => other,
            })?;
        expected_claims.push(expected);
    }
    rounds.enforce_final_claim(&expected_claims)?;
    Ok(BatchedSumcheckVar {
        rounds,
        expected_claims,
    })
}

/// `eq(a, b) = Π_i (a_i·b_i + (1 - a_i)·(1 - b_i)) = Π_i (2·a_i·b_i - a_i - b_i + 1)`:
/// `2n - 1` constraints for variable inputs.
pub fn eq_eval(a: &[FpVar<F>], b: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
    if a.len() != b.len() {
        return Err(Error::DimensionMismatch {
            expected: a.len(),
            actual: b.len(),
        });
    }
    let mut acc: Option<FpVar<F>> = None;
    for (x, y) in a.iter().zip(b) {
        let xy = x * y;
        let term = xy.double()? - x - y + F::one();
        acc = Some(match acc {
            None => term,
            Some(p) => p * term,
        });
    }
    Ok(acc.unwrap_or_else(FpVar::one))
}

/// `Π_j v_j` (`k - 1` constraints; `1` for an empty slice).
pub fn product(values: &[FpVar<F>]) -> FpVar<F> {
    let mut it = values.iter();
    match it.next() {
        None => FpVar::one(),
        Some(first) => it.fold(first.clone(), |acc, v| acc * v),
    }
}

/// Draw a zero-check point `τ` (`n` challenges under `zc_tau`), the twin of
/// [`sumcheck::instances::zerocheck::draw_tau`].
pub fn draw_tau(
    transcript: &mut PoseidonTranscriptVar,
    num_vars: usize,
) -> Result<Vec<FpVar<F>>, Error> {
    transcript.challenges(LABEL_TAU, num_vars)
}

/// Verifier of the product sumcheck `Σ_x Π_{j<k} P_j(x) = claim` (the twin of
/// [`sumcheck::ProductVerifier`]): degree `k`, expected output claim `Π_j P_j(r)`.
#[derive(Clone, Debug)]
pub struct ProductVerifierVar {
    /// Number of variables.
    pub num_vars: usize,
    /// Number of factors `k`.
    pub num_polys: usize,
    /// The claimed sum.
    pub claim: FpVar<F>,
}

impl ProductVerifierVar {
    /// Verify `Σ_x Π_{j<num_polys} P_j(x) = claim` over `num_vars` variables.
    pub fn new(num_vars: usize, num_polys: usize, claim: FpVar<F>) -> Self {
        Self {
            num_vars,
            num_polys,
            claim,
        }
    }
}

impl SumcheckInstanceVerifierVar for ProductVerifierVar {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }
    fn degree(&self) -> usize {
        self.num_polys
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claim.clone()
    }
    fn expected_output_claim(
        &self,
        _r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        if final_evals.len() != self.num_polys {
            return Err(Error::WrongNumberOfFinalEvals {
                instance: 0,
                expected: self.num_polys,
                actual: final_evals.len(),
            });
        }
        Ok(product(final_evals))
    }
}

/// A combination `g` of the final evaluations, in-circuit.
pub type CombinerVarFn = Arc<dyn Fn(&[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> + Send + Sync>;

/// The combination `g` of a zero-check's inputs (the twin of
/// [`sumcheck::instances::zerocheck::Combiner`]).
#[derive(Clone)]
pub enum CombinerVar {
    /// `g = P_1···P_k` (degree `k`).
    Product,
    /// Any `g` of degree `≤ degree`, as a gadget; it must compute the same function as the
    /// native `Combiner::Custom` it mirrors.
    Custom {
        /// Degree bound of `g`.
        degree: usize,
        /// `g` on the final evaluations (`k` of them).
        f: CombinerVarFn,
    },
}

impl std::fmt::Debug for CombinerVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Product => f.write_str("Product"),
            Self::Custom { degree, .. } => write!(f, "Custom {{ degree: {degree} }}"),
        }
    }
}

impl CombinerVar {
    /// Degree of `g` for `k` inputs.
    pub fn degree(&self, k: usize) -> usize {
        match self {
            Self::Product => k,
            Self::Custom { degree, .. } => *degree,
        }
    }

    /// `g(values)`.
    pub fn apply(&self, values: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        match self {
            Self::Product => Ok(product(values)),
            Self::Custom { f, .. } => Ok(f(values)?),
        }
    }
}

/// Verifier of the eq-weighted sumcheck `Σ_x eq(τ, x)·g(P_1(x), ..., P_k(x)) = claim` (a
/// zero-check when `claim = 0`; the twin of [`sumcheck::ZeroCheckVerifier`]): degree
/// `deg g + 1`, expected output claim `eq(τ, r)·g(P(r))`.
#[derive(Clone, Debug)]
pub struct ZeroCheckVerifierVar {
    /// `τ` (its length is the number of variables), usually from [`draw_tau`].
    pub tau: Vec<FpVar<F>>,
    /// Number of inputs `k`.
    pub num_polys: usize,
    /// The combination `g`.
    pub combiner: CombinerVar,
    /// The claimed sum.
    pub claim: FpVar<F>,
}

impl ZeroCheckVerifierVar {
    /// Verify `Σ_x eq(τ, x)·g(P(x)) = claim`.
    pub fn new(
        tau: Vec<FpVar<F>>,
        num_polys: usize,
        combiner: CombinerVar,
        claim: FpVar<F>,
    ) -> Self {
        Self {
            tau,
            num_polys,
            combiner,
            claim,
        }
    }

    /// A zero-check: the claim is the constant `0`.
    pub fn zero_check(tau: Vec<FpVar<F>>, num_polys: usize, combiner: CombinerVar) -> Self {
        Self::new(tau, num_polys, combiner, FpVar::zero())
    }
}

impl SumcheckInstanceVerifierVar for ZeroCheckVerifierVar {
    fn num_rounds(&self) -> usize {
        self.tau.len()
    }
    fn degree(&self) -> usize {
        self.combiner.degree(self.num_polys) + 1
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claim.clone()
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
        let eq = eq_eval(&self.tau, r)?;
        Ok(eq * self.combiner.apply(final_evals)?)
    }
}

/// Verifier of Thaler's matmul sumcheck (the twin of [`sumcheck::MatmulVerifier`]).
///
/// For `C = A·B` with `A` of `2^{log_m} × 2^{log_n}`, `B` of `2^{log_n} × 2^{log_p}` (row-major,
/// column bits low), a claim `C̃(r_c) = claim` at `r_c = (r_j ‖ r_i)` (`log_p` column
/// coordinates first) is the degree-2 sumcheck
///
/// ```text
/// C̃(r_j, r_i) = Σ_{k ∈ {0,1}^{log n}} Ã(k ‖ r_i)·B̃(r_j ‖ k)
/// ```
///
/// ending on `r_k` with the final evaluations `[a, b] = [Ã(r_k ‖ r_i), B̃(r_j ‖ r_k)]`
/// ([`Self::a_point`], [`Self::b_point`]) and the expected output claim `a·b` (one
/// constraint).
#[derive(Clone, Debug)]
pub struct MatmulVerifierVar {
    /// The dimensions (circuit constants).
    pub dims: MatmulDims,
    /// The point on `C`, `(r_j ‖ r_i)`: `log_p + log_m` entries.
    pub r_c: Vec<FpVar<F>>,
    /// The claim `C̃(r_c)`.
    pub claim: FpVar<F>,
}

impl MatmulVerifierVar {
    /// Verify the reduction of `C̃(r_c) = claim`; a point of the wrong dimension is
    /// [`Error::DimensionMismatch`] (the native verifier rejects it at its final check).
    pub fn new(dims: MatmulDims, r_c: Vec<FpVar<F>>, claim: FpVar<F>) -> Result<Self, Error> {
        if r_c.len() != dims.c_vars() {
            return Err(Error::DimensionMismatch {
                expected: dims.c_vars(),
                actual: r_c.len(),
            });
        }
        Ok(Self { dims, r_c, claim })
    }

    fn check_rk(&self, r_k: &[FpVar<F>]) -> Result<(), Error> {
        if r_k.len() != self.dims.log_n {
            return Err(Error::DimensionMismatch {
                expected: self.dims.log_n,
                actual: r_k.len(),
            });
        }
        Ok(())
    }

    /// The point of the output claim on `A`: `(r_k ‖ r_i)`.
    pub fn a_point(&self, r_k: &[FpVar<F>]) -> Result<Vec<FpVar<F>>, Error> {
        self.check_rk(r_k)?;
        let r_i = self.r_c.get(self.dims.log_p..).unwrap_or_default();
        Ok([r_k, r_i].concat())
    }

    /// The point of the output claim on `B`: `(r_j ‖ r_k)`.
    pub fn b_point(&self, r_k: &[FpVar<F>]) -> Result<Vec<FpVar<F>>, Error> {
        self.check_rk(r_k)?;
        let r_j = self.r_c.get(..self.dims.log_p).unwrap_or_default();
        Ok([r_j, r_k].concat())
    }
}

impl SumcheckInstanceVerifierVar for MatmulVerifierVar {
    fn num_rounds(&self) -> usize {
        self.dims.log_n
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claim.clone()
    }
    fn expected_output_claim(
        &self,
        _r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        match final_evals {
            [a, b] => Ok(a * b),
            _ => Err(Error::WrongNumberOfFinalEvals {
                instance: 0,
                expected: 2,
                actual: final_evals.len(),
            }),
        }
    }
}
