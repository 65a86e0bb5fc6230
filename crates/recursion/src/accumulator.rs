//! Claim folding (SPEC §8): a running accumulator claim `acc(r_acc) = v_acc` on a committed
//! multilinear `acc` absorbs a new committed claim `w_t(r_t) = v_t` (same number of variables
//! `n`) by one degree-2 sumcheck, so that every iteration's PCS claims end in a single claim that
//! the decider opens once. Native prover and verifier, and the in-circuit verifier (the step
//! circuit's part of the fold); the commitment update is a G1 operation and goes to CycleFold.
//!
//! # Protocol
//!
//! Accumulator `(C_acc, r_acc, v_acc)` with `C_acc = Com(acc)`, new claim `(C_t, r_t, v_t)` with
//! `C_t = Com(w_t)` (HyperKZG commitments from `pcs`: `Com` is linear,
//! `Com(a + ρ·b) = Com(a) + ρ·Com(b)`).
//!
//! ```text
//! absorb  acc_cm_acc     C_acc                     (four 128-bit limbs)
//! absorb  acc_claim_acc  [r_acc_0..r_acc_{n-1}, v_acc]
//! absorb  acc_cm_new     C_t
//! absorb  acc_claim_new  [r_t_0..r_t_{n-1}, v_t]
//! squeeze acc_gamma      γ
//! sumcheck (one instance, degree 2, n rounds; the engine's sc_input_claims, sc_round_poly,
//!          sc_round_challenge):
//!     Σ_{x ∈ {0,1}^n} eq(r_acc, x)·acc(x) + γ·eq(r_t, x)·w_t(x) = v_acc + γ·v_t
//! absorb  sc_final_evals [a, w]                    (the prover's a = acc(r'), w = w_t(r'))
//! squeeze acc_rho        ρ = low 128 bits of the challenge
//! ```
//!
//! The verifier's final check is `claim_n = eq(r_acc, r')·a + γ·eq(r_t, r')·w` with its own eq
//! values; the new accumulator is
//!
//! ```text
//! acc' = acc + ρ·w_t,   r' = the sumcheck point,   v' = a + ρ·w,   C_acc' = C_acc + ρ·C_t.
//! ```
//!
//! **Soundness.** If `acc(r_acc) ≠ v_acc` or `w_t(r_t) ≠ v_t`, then (except with probability
//! `1/|F|` over `γ`) the sumcheck's claim is false, and it reduces to a false claim about
//! `(acc(r'), w_t(r'))` except with probability `2n/|F|`; the sent pair `(a, w)` then differs
//! from the true one, and `v' = a + ρ·w` equals `acc'(r') = acc(r') + ρ·w_t(r')` for at most one
//! `ρ` — probability `2^-128` with a 128-bit `ρ`. So a false claim anywhere makes the final
//! accumulator claim false, and the mandatory opening of `C_acc'` at `r'` to `v'` (the
//! decider's) fails. `ρ` has 128 bits because CycleFold proves `ρ·C_t` with one scalar bit per
//! step (as the NIFS challenge).
//!
//! The empty accumulator is the zero polynomial: `C = O` (the point at infinity, four zero
//! limbs), any point, `v = 0` ([`AccumulatorClaim::zero`]).
//!
//! # In-circuit
//!
//! [`verify_gadget`] replays the transcript with [`PoseidonTranscriptVar`], runs the sumcheck
//! through [`verify_batched`] (round checks, final check with in-circuit `eq`), decomposes the
//! `ρ` challenge canonically into bits (its low 128 bits are `ρ`), computes `v' = a + ρ·w` and
//! outputs the new accumulator with the commitment `C_acc'` taken as a witness: the gadget does
//! **not** check `C_acc' = C_acc + ρ·C_t` (a G1 operation, non-native over `Fr`); it outputs the
//! CycleFold statement [`CycleFoldStatementVar`] `(C_acc, C_t, ρ, C_acc')` — exactly the limbs it
//! absorbed and the scalar bits it derived — for the CycleFold circuit over `Fq`, which does.
//!
//! Cost: the transcript (two points, `2(n + 1)` claim elements, `n` degree-2 rounds of 544
//! constraints), `eq(r_acc, r')` and `eq(r_t, r')` (`2n − 1` each), the bit decomposition of
//! `ρ`; measured totals are in `docs/recursion.md`.

use ark_bn254::G1Projective;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use pcs::hyperkzg::Commitment;
use rayon::prelude::*;
use sumcheck::field::PAR_THRESHOLD;
use sumcheck::mle::{eq_eval as eq_eval_native, eq_table, eq_table_scaled};
use sumcheck::{
    prove_batched, verify_batched as verify_batched_native, MultilinearPoly,
    SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript, UniPoly, F,
};

use crate::error::Error;
use crate::sumcheck_gadget::{
    eq_eval, verify_batched, SumcheckInstanceVerifierVar, SumcheckProofVar,
};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// Transcript label: the accumulator's commitment.
pub const LABEL_ACC_COMMITMENT: &[u8] = b"acc_cm_acc";
/// Transcript label: the accumulator's claim `[r_acc, v_acc]`.
pub const LABEL_ACC_CLAIM: &[u8] = b"acc_claim_acc";
/// Transcript label: the new claim's commitment.
pub const LABEL_NEW_COMMITMENT: &[u8] = b"acc_cm_new";
/// Transcript label: the new claim `[r_t, v_t]`.
pub const LABEL_NEW_CLAIM: &[u8] = b"acc_claim_new";
/// Transcript label: the claim-combining challenge `γ`.
pub const LABEL_GAMMA: &[u8] = b"acc_gamma";
/// Transcript label: the folding challenge `ρ`.
pub const LABEL_RHO: &[u8] = b"acc_rho";
/// Bits of `ρ`.
pub const RHO_BITS: usize = 128;
/// Degree of the folding sumcheck (`eq` times a multilinear).
pub const FOLD_DEGREE: usize = 2;

/// A committed evaluation claim `P(point) = value` with `commitment = Com(P)`: the accumulator,
/// or a claim folded into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccumulatorClaim {
    /// `Com(P)` (HyperKZG).
    pub commitment: Commitment,
    /// The point (`n` coordinates, `x_0` first).
    pub point: Vec<F>,
    /// The claimed value.
    pub value: F,
}

impl AccumulatorClaim {
    /// The empty accumulator on `num_vars` variables: the zero polynomial (`C = O`) at the
    /// all-zero point, value `0` — a true claim that folding anything into leaves unchanged.
    pub fn zero(num_vars: usize) -> Self {
        Self {
            commitment: Commitment::default(),
            point: vec![F::zero(); num_vars],
            value: F::zero(),
        }
    }

    /// Number of variables `n`.
    pub fn num_vars(&self) -> usize {
        self.point.len()
    }
}

/// The fold proof: the sumcheck and the two evaluations at its point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoldProof {
    /// The degree-2 sumcheck (`n` rounds).
    pub sumcheck: SumcheckProof,
    /// `a = acc(r')`.
    pub acc_eval: F,
    /// `w = w_t(r')`.
    pub new_eval: F,
}

/// The challenges of one fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldChallenges {
    /// `γ`.
    pub gamma: F,
    /// The sumcheck point `r'`.
    pub r: Vec<F>,
    /// `ρ` (128 bits).
    pub rho: F,
}

/// The low [`RHO_BITS`] bits of a squeezed challenge.
pub fn truncate_rho(full: &F) -> F {
    let bytes = full.into_bigint().to_bytes_le();
    F::from_le_bytes_mod_order(&bytes[..RHO_BITS / 8])
}

/// `C_acc + ρ·C_t`.
pub fn fold_commitments(acc: &Commitment, new: &Commitment, rho: &F) -> Commitment {
    let sum: G1Projective = acc.0.into_group() + new.0 * rho;
    Commitment(sum.into_affine())
}

fn check_dims(acc: &AccumulatorClaim, new: &AccumulatorClaim) -> Result<(), Error> {
    if acc.num_vars() != new.num_vars() {
        return Err(Error::DimensionMismatch {
            expected: acc.num_vars(),
            actual: new.num_vars(),
        });
    }
    if u32::try_from(acc.num_vars() + 1).is_err() {
        return Err(Error::AbsorbTooLong {
            len: acc.num_vars() + 1,
        });
    }
    Ok(())
}

/// Absorb both claims and squeeze `γ`.
fn absorb_claims<T: Transcript>(
    transcript: &mut T,
    acc: &AccumulatorClaim,
    new: &AccumulatorClaim,
) -> F {
    for (cl, pl, c) in [
        (LABEL_ACC_COMMITMENT, LABEL_ACC_CLAIM, acc),
        (LABEL_NEW_COMMITMENT, LABEL_NEW_CLAIM, new),
    ] {
        transcript.append_g1(cl, &c.commitment.0);
        let mut buf = Vec::with_capacity(c.point.len() + 1);
        buf.extend_from_slice(&c.point);
        buf.push(c.value);
        transcript.append_fields(pl, &buf);
    }
    transcript.challenge(LABEL_GAMMA)
}

/// `v + c·(u − v)` pairwise over the low variable.
fn bind_low(v: &mut Vec<F>, r: F) {
    let half = v.len() / 2;
    let folded: Vec<F> = if half >= PAR_THRESHOLD {
        v.par_chunks_exact(2)
            .map(|p| p[0] + r * (p[1] - p[0]))
            .collect()
    } else {
        v.chunks_exact(2)
            .map(|p| p[0] + r * (p[1] - p[0]))
            .collect()
    };
    *v = folded;
}

/// The prover's instance `Σ_x E_acc(x)·acc(x) + E_t(x)·w_t(x)` with the tables
/// `E_acc = eq(r_acc, ·)`, `E_t = γ·eq(r_t, ·)`.
struct FoldInstance {
    num_vars: usize,
    claim: F,
    e_acc: Vec<F>,
    acc: Vec<F>,
    e_new: Vec<F>,
    new: Vec<F>,
}

impl FoldInstance {
    /// `(s(0), s(2))` of the current round.
    fn round_sums(&self) -> (F, F) {
        let term = |j: usize| -> (F, F) {
            let (lo, hi) = (2 * j, 2 * j + 1);
            let mut s0 = F::zero();
            let mut s2 = F::zero();
            for (e, p) in [(&self.e_acc, &self.acc), (&self.e_new, &self.new)] {
                s0 += e[lo] * p[lo];
                let e2 = e[hi].double() - e[lo];
                let p2 = p[hi].double() - p[lo];
                s2 += e2 * p2;
            }
            (s0, s2)
        };
        let half = self.acc.len() / 2;
        if half >= PAR_THRESHOLD {
            (0..half)
                .into_par_iter()
                .map(term)
                .reduce(|| (F::zero(), F::zero()), |a, b| (a.0 + b.0, a.1 + b.1))
        } else {
            (0..half)
                .map(term)
                .fold((F::zero(), F::zero()), |a, b| (a.0 + b.0, a.1 + b.1))
        }
    }
}

impl SumcheckInstanceProver for FoldInstance {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }
    fn degree(&self) -> usize {
        FOLD_DEGREE
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn round_polynomial(&mut self, _round: usize, previous_claim: F) -> UniPoly {
        let (s0, s2) = self.round_sums();
        UniPoly::from_evals(&[s0, previous_claim - s0, s2])
    }
    fn bind(&mut self, r: F) {
        bind_low(&mut self.e_acc, r);
        bind_low(&mut self.acc, r);
        bind_low(&mut self.e_new, r);
        bind_low(&mut self.new, r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        vec![
            self.acc.first().copied().unwrap_or_else(F::zero),
            self.new.first().copied().unwrap_or_else(F::zero),
        ]
    }
}

/// The verifier's instance: expected claim `eq(r_acc, r)·a + γ·eq(r_t, r)·w`.
struct FoldVerifier<'a> {
    r_acc: &'a [F],
    r_new: &'a [F],
    gamma: F,
    claim: F,
}

impl SumcheckInstanceVerifier for FoldVerifier<'_> {
    fn num_rounds(&self) -> usize {
        self.r_acc.len()
    }
    fn degree(&self) -> usize {
        FOLD_DEGREE
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, sumcheck::Error> {
        let [a, w] = final_evals else {
            return Err(sumcheck::Error::Malformed {
                what: "accumulator fold: two final evaluations expected",
            });
        };
        let dims = sumcheck::Error::Malformed {
            what: "accumulator fold: point of the wrong dimension",
        };
        let e_acc = eq_eval_native(self.r_acc, r).ok_or(dims.clone())?;
        let e_new = eq_eval_native(self.r_new, r).ok_or(dims)?;
        Ok(e_acc * a + self.gamma * e_new * w)
    }
}

/// What the prover keeps after a fold.
#[derive(Clone, Debug)]
pub struct FoldOutput {
    /// The proof to send.
    pub proof: FoldProof,
    /// The new accumulator claim `(C_acc', r', v')`.
    pub acc: AccumulatorClaim,
    /// The new accumulator polynomial `acc' = acc + ρ·w_t`.
    pub poly: MultilinearPoly,
    /// `γ, r', ρ`.
    pub challenges: FoldChallenges,
}

/// Fold the claim `new` on `new_poly` into the accumulator `acc` on `acc_poly` (prover side).
///
/// The polynomials must have `n` variables (`n` = the claims' dimension); only shapes are
/// checked: a false claim gives a proof the verifier rejects.
pub fn prove<T: Transcript>(
    acc: &AccumulatorClaim,
    acc_poly: &MultilinearPoly,
    new: &AccumulatorClaim,
    new_poly: &MultilinearPoly,
    transcript: &mut T,
) -> Result<FoldOutput, Error> {
    check_dims(acc, new)?;
    let n = acc.num_vars();
    for p in [acc_poly, new_poly] {
        if p.num_vars() != n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: p.num_vars(),
            });
        }
    }
    let gamma = absorb_claims(transcript, acc, new);
    let mut instance = FoldInstance {
        num_vars: n,
        claim: acc.value + gamma * new.value,
        e_acc: eq_table(&acc.point),
        acc: acc_poly.evals().to_vec(),
        e_new: eq_table_scaled(&new.point, gamma),
        new: new_poly.evals().to_vec(),
    };
    let (sumcheck, r, final_evals) = prove_batched(&mut [&mut instance], transcript);
    let [acc_eval, new_eval] = final_evals
        .first()
        .and_then(|e| <[F; 2]>::try_from(e.as_slice()).ok())
        .ok_or(Error::Malformed {
            what: "fold instance returned the wrong final evaluations",
        })?;
    let rho = truncate_rho(&transcript.challenge(LABEL_RHO));
    let folded: Vec<F> = acc_poly
        .evals()
        .par_iter()
        .zip(new_poly.evals())
        .map(|(a, w)| *a + rho * w)
        .collect();
    let poly = MultilinearPoly::new(folded).map_err(Error::Sumcheck)?;
    let acc_next = AccumulatorClaim {
        commitment: fold_commitments(&acc.commitment, &new.commitment, &rho),
        point: r.clone(),
        value: acc_eval + rho * new_eval,
    };
    Ok(FoldOutput {
        proof: FoldProof {
            sumcheck,
            acc_eval,
            new_eval,
        },
        acc: acc_next,
        poly,
        challenges: FoldChallenges { gamma, r, rho },
    })
}

/// Verify a fold natively and return the new accumulator `(C_acc + ρ·C_t, r', a + ρ·w)` and the
/// challenges. A failed sumcheck is [`Error::Sumcheck`]. The new accumulator is a claim like
/// any other: it must eventually be opened against its commitment.
pub fn verify<T: Transcript>(
    acc: &AccumulatorClaim,
    new: &AccumulatorClaim,
    proof: &FoldProof,
    transcript: &mut T,
) -> Result<(AccumulatorClaim, FoldChallenges), Error> {
    check_dims(acc, new)?;
    let gamma = absorb_claims(transcript, acc, new);
    let verifier = FoldVerifier {
        r_acc: &acc.point,
        r_new: &new.point,
        gamma,
        claim: acc.value + gamma * new.value,
    };
    let r = verify_batched_native(
        &[&verifier],
        &proof.sumcheck,
        &[vec![proof.acc_eval, proof.new_eval]],
        transcript,
    )?;
    let rho = truncate_rho(&transcript.challenge(LABEL_RHO));
    let acc_next = AccumulatorClaim {
        commitment: fold_commitments(&acc.commitment, &new.commitment, &rho),
        point: r.clone(),
        value: proof.acc_eval + rho * proof.new_eval,
    };
    Ok((acc_next, FoldChallenges { gamma, r, rho }))
}

// ---------------------------------------------------------------------------------------------
// In-circuit.

/// An [`AccumulatorClaim`] in the circuit: the commitment as its limbs, point and value as
/// variables.
#[derive(Clone, Debug)]
pub struct AccumulatorClaimVar {
    /// `Com(P)` as the transcript absorbs it.
    pub commitment: G1LimbsVar,
    /// The point.
    pub point: Vec<FpVar<F>>,
    /// The value.
    pub value: FpVar<F>,
}

impl AccumulatorClaimVar {
    /// Allocate a claim on `num_vars` variables in `mode` (`f` called once; a claim of another
    /// dimension is an error; an error from `f` allocates without values, for setup mode).
    pub fn new_variable(
        cs: ConstraintSystemRef<F>,
        num_vars: usize,
        f: impl FnOnce() -> Result<AccumulatorClaim, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, Error> {
        let value = f();
        if let Ok(c) = &value {
            if c.num_vars() != num_vars {
                return Err(Error::DimensionMismatch {
                    expected: num_vars,
                    actual: c.num_vars(),
                });
            }
        }
        let get = |sel: &dyn Fn(&AccumulatorClaim) -> Option<F>| match &value {
            Ok(c) => sel(c).ok_or(SynthesisError::AssignmentMissing),
            Err(e) => Err(*e),
        };
        let commitment = G1LimbsVar::new_variable(
            cs.clone(),
            || match &value {
                Ok(c) => Ok(c.commitment.0),
                Err(e) => Err(*e),
            },
            mode,
        )?;
        let point = (0..num_vars)
            .map(|i| FpVar::new_variable(cs.clone(), || get(&|c| c.point.get(i).copied()), mode))
            .collect::<Result<Vec<_>, _>>()?;
        let v = FpVar::new_variable(cs, || get(&|c| Some(c.value)), mode)?;
        Ok(Self {
            commitment,
            point,
            value: v,
        })
    }

    /// Allocate a claim as a witness (see [`Self::new_variable`]).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        num_vars: usize,
        f: impl FnOnce() -> Result<AccumulatorClaim, SynthesisError>,
    ) -> Result<Self, Error> {
        Self::new_variable(cs, num_vars, f, AllocationMode::Witness)
    }

    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.point.len()
    }
}

/// A [`FoldProof`] in the circuit (witnesses).
#[derive(Clone, Debug)]
pub struct FoldProofVar {
    /// The sumcheck (`n` rounds of degree 2).
    pub sumcheck: SumcheckProofVar,
    /// `a = acc(r')`.
    pub acc_eval: FpVar<F>,
    /// `w = w_t(r')`.
    pub new_eval: FpVar<F>,
}

impl FoldProofVar {
    /// Allocate a fold proof on `num_vars` variables as witnesses (`f` called once; its
    /// sumcheck's shape is checked; an error from `f` allocates without values).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        num_vars: usize,
        f: impl FnOnce() -> Result<FoldProof, SynthesisError>,
    ) -> Result<Self, Error> {
        let value = f();
        let sumcheck =
            SumcheckProofVar::new_witness(cs.clone(), num_vars, FOLD_DEGREE, || match &value {
                Ok(p) => Ok(p.sumcheck.clone()),
                Err(e) => Err(*e),
            })?;
        let get = |sel: fn(&FoldProof) -> F| match &value {
            Ok(p) => Ok(sel(p)),
            Err(e) => Err(*e),
        };
        let acc_eval = FpVar::new_witness(cs.clone(), || get(|p| p.acc_eval))?;
        let new_eval = FpVar::new_witness(cs, || get(|p| p.new_eval))?;
        Ok(Self {
            sumcheck,
            acc_eval,
            new_eval,
        })
    }
}

/// The statement the CycleFold circuit proves for this fold, `C_acc' = C_acc + ρ·C_t`:
/// [`crate::cyclefold::CycleFoldStatementVar`] with `p1 = C_acc`, `p2 = C_t` (both absorbed),
/// `r = ρ` and its bits, `p_out = C_acc'` (a witness, not checked here).
pub use crate::cyclefold::CycleFoldStatementVar;

/// What [`verify_gadget`] derives.
#[derive(Clone, Debug)]
pub struct FoldOutputVar {
    /// `γ`.
    pub gamma: FpVar<F>,
    /// `r'`.
    pub r: Vec<FpVar<F>>,
    /// `ρ` (128 bits).
    pub rho: FpVar<F>,
    /// The new accumulator `(C_acc', r', v' = a + ρ·w)`; its commitment is the CycleFold output.
    pub acc: AccumulatorClaimVar,
    /// The G1 operation delegated to CycleFold.
    pub cyclefold: CycleFoldStatementVar,
}

/// The in-circuit sumcheck instance of the fold.
struct FoldVerifierVar<'a> {
    r_acc: &'a [FpVar<F>],
    r_new: &'a [FpVar<F>],
    gamma: &'a FpVar<F>,
    claim: FpVar<F>,
}

impl SumcheckInstanceVerifierVar for FoldVerifierVar<'_> {
    fn num_rounds(&self) -> usize {
        self.r_acc.len()
    }
    fn degree(&self) -> usize {
        FOLD_DEGREE
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claim.clone()
    }
    fn expected_output_claim(
        &self,
        r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        let [a, w] = final_evals else {
            return Err(Error::WrongNumberOfFinalEvals {
                instance: 0,
                expected: 2,
                actual: final_evals.len(),
            });
        };
        let e_acc = eq_eval(self.r_acc, r)?;
        let e_new = eq_eval(self.r_new, r)?;
        Ok(e_acc * a + self.gamma * e_new * w)
    }
}

/// The fold verifier in-circuit (the twin of [`verify`]): same transcript calls, the sumcheck's
/// round and final checks enforced, `ρ` derived as the low 128 bits of a canonical bit
/// decomposition, `v' = a + ρ·w`. `folded_commitment` is the witness `C_acc'`; it is **not**
/// checked here but output in the [`CycleFoldStatementVar`] (module docs). A dishonest proof
/// leaves the constraint system unsatisfied; dimension mismatches are errors.
pub fn verify_gadget(
    acc: &AccumulatorClaimVar,
    new: &AccumulatorClaimVar,
    proof: &FoldProofVar,
    folded_commitment: G1LimbsVar,
    transcript: &mut PoseidonTranscriptVar,
) -> Result<FoldOutputVar, Error> {
    if acc.num_vars() != new.num_vars() {
        return Err(Error::DimensionMismatch {
            expected: acc.num_vars(),
            actual: new.num_vars(),
        });
    }
    for (cl, pl, c) in [
        (LABEL_ACC_COMMITMENT, LABEL_ACC_CLAIM, acc),
        (LABEL_NEW_COMMITMENT, LABEL_NEW_CLAIM, new),
    ] {
        transcript.append_g1(cl, &c.commitment)?;
        let mut buf = Vec::with_capacity(c.point.len() + 1);
        buf.extend_from_slice(&c.point);
        buf.push(c.value.clone());
        transcript.append_fields(pl, &buf)?;
    }
    let gamma = transcript.challenge(LABEL_GAMMA)?;
    let instance = FoldVerifierVar {
        r_acc: &acc.point,
        r_new: &new.point,
        gamma: &gamma,
        claim: &acc.value + &gamma * &new.value,
    };
    let out = verify_batched(
        &[&instance],
        &proof.sumcheck,
        &[vec![proof.acc_eval.clone(), proof.new_eval.clone()]],
        transcript,
    )?;
    let r = out.rounds.r;
    let full = transcript.challenge(LABEL_RHO)?;
    let bits = full.to_bits_le()?;
    let rho_bits: Vec<Boolean<F>> = bits.into_iter().take(RHO_BITS).collect();
    let rho = Boolean::le_bits_to_fp(&rho_bits)?;
    let value = &proof.acc_eval + &rho * &proof.new_eval;
    Ok(FoldOutputVar {
        gamma,
        r: r.clone(),
        rho: rho.clone(),
        acc: AccumulatorClaimVar {
            commitment: folded_commitment.clone(),
            point: r,
            value,
        },
        cyclefold: CycleFoldStatementVar {
            p1: acc.commitment.clone(),
            p2: new.commitment.clone(),
            r_bits: rho_bits,
            r: rho,
            p_out: folded_commitment,
        },
    })
}

impl FoldOutputVar {
    /// The assigned challenges `γ, r', ρ` (for tests and witness generation).
    pub fn challenges(&self) -> Result<FoldChallenges, SynthesisError> {
        Ok(FoldChallenges {
            gamma: self.gamma.value()?,
            r: self.r.iter().map(|x| x.value()).collect::<Result<_, _>>()?,
            rho: self.rho.value()?,
        })
    }
}
