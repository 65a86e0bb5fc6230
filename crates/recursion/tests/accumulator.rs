//! Claim folding (SPEC §8), native and in-circuit: after folding k = 1..4 committed claims the
//! accumulator claim is true for `acc' = acc + ρ·w_t`, its commitment is `Com(acc')`, and it
//! opens with HyperKZG; the gadget derives the same `γ, r', ρ, v'` and CycleFold statement as the
//! native verifier and is satisfied; wrong evaluations, round polynomials and false claims are
//! rejected natively and leave the circuit unsatisfied, and an evaluation pair forged to pass
//! the sumcheck yields an accumulator whose opening fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use pcs::hyperkzg::{ProverKey, VerifierKey};
use pcs::{HyperKzg, MultilinearPcs, Srs};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::accumulator::{
    self, fold_commitments, AccumulatorClaim, AccumulatorClaimVar, FoldChallenges, FoldProof,
    FoldProofVar, RHO_BITS,
};
use recursion::{Error, G1LimbsVar, PoseidonTranscriptVar};
use sumcheck::transcript::g1_to_limbs;
use sumcheck::{eq_eval, MultilinearPoly, PoseidonTranscript, Transcript, F};

const DOMAIN: &[u8] = b"recursion-accumulator-test";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn rand_vec(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

/// Run `f` on a one-thread rayon pool: arkworks checks each constraint with a parallel
/// iterator, which from a non-worker thread costs a cross-thread handoff per constraint.
fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

fn keys(n: usize) -> (ProverKey, VerifierKey) {
    let srs = Srs::dev_setup_u64(7, n.max(1)).unwrap();
    HyperKzg::keys(&srs, n).unwrap()
}

/// The transcript of fold `t` before the fold: the step's statement, as a variable.
fn native_transcript(t: u64) -> PoseidonTranscript {
    let mut tr = PoseidonTranscript::new(DOMAIN);
    tr.append_field(b"step", &F::from(t));
    tr
}

fn circuit_transcript(cs: ConstraintSystemRef<F>, t: u64) -> PoseidonTranscriptVar {
    let setup = cs.is_in_setup_mode();
    let mut tr = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    let step = FpVar::new_input(cs, || value(setup, F::from(t))).unwrap();
    tr.append_field(b"step", &step).unwrap();
    tr
}

fn value<T>(setup: bool, x: T) -> Result<T, SynthesisError> {
    if setup {
        Err(SynthesisError::AssignmentMissing)
    } else {
        Ok(x)
    }
}

/// A committed polynomial and a true claim on it at a random point.
fn committed_claim(
    pk: &ProverKey,
    n: usize,
    rng: &mut ChaCha20Rng,
) -> (MultilinearPoly, AccumulatorClaim) {
    let poly = MultilinearPoly::new(rand_vec(1 << n, rng)).unwrap();
    let point = rand_vec(n, rng);
    let claim = AccumulatorClaim {
        commitment: HyperKzg::commit(pk, &poly).unwrap(),
        value: poly.evaluate(&point),
        point,
    };
    (poly, claim)
}

/// One fold as the tests replay it.
#[derive(Clone)]
struct Fold {
    step: u64,
    acc: AccumulatorClaim,
    new: AccumulatorClaim,
    proof: FoldProof,
    /// The prover's new accumulator and challenges.
    next: AccumulatorClaim,
    challenges: FoldChallenges,
}

/// Fold `k` fresh claims into `acc` (on `poly`), checking every fold natively; returns the folds
/// and the final accumulator polynomial.
fn fold_chain(
    pk: &ProverKey,
    n: usize,
    mut acc: AccumulatorClaim,
    mut poly: MultilinearPoly,
    k: usize,
    rng: &mut ChaCha20Rng,
) -> (Vec<Fold>, MultilinearPoly) {
    let mut folds = Vec::new();
    for step in 0..k as u64 {
        let (w, new) = committed_claim(pk, n, rng);
        let out = accumulator::prove(&acc, &poly, &new, &w, &mut native_transcript(step)).unwrap();
        // The verifier derives the same accumulator and challenges.
        let (next, ch) =
            accumulator::verify(&acc, &new, &out.proof, &mut native_transcript(step)).unwrap();
        assert_eq!(next, out.acc);
        assert_eq!(ch, out.challenges);
        // acc' = acc + ρ·w_t, evaluated directly; C_acc' = Com(acc').
        let direct: Vec<F> = poly
            .evals()
            .iter()
            .zip(w.evals())
            .map(|(a, b)| *a + ch.rho * b)
            .collect();
        assert_eq!(out.poly.evals(), direct.as_slice());
        assert_eq!(out.poly.evaluate(&next.point), next.value);
        assert_eq!(HyperKzg::commit(pk, &out.poly).unwrap(), next.commitment);
        // ρ has 128 bits.
        assert!(ch.rho.into_bigint().num_bits() <= RHO_BITS as u32);
        folds.push(Fold {
            step,
            acc: acc.clone(),
            new,
            proof: out.proof,
            next: next.clone(),
            challenges: ch,
        });
        acc = next;
        poly = out.poly;
    }
    (folds, poly)
}

/// The decider's mandatory opening of the accumulator: `Ok` iff `C` opens to `claim.value` at
/// `claim.point` (the honest prover opens `poly`).
fn open_accumulator(
    pk: &ProverKey,
    vk: &VerifierKey,
    poly: &MultilinearPoly,
    claim: &AccumulatorClaim,
) -> Result<(), pcs::Error> {
    let mut pt = PoseidonTranscript::new(b"decider");
    let (proof, v) = HyperKzg::open(pk, poly, &claim.commitment, &claim.point, &mut pt).unwrap();
    assert_eq!(v, poly.evaluate(&claim.point));
    let mut vt = PoseidonTranscript::new(b"decider");
    HyperKzg::verify(
        vk,
        &claim.commitment,
        &claim.point,
        &claim.value,
        &proof,
        &mut vt,
    )
}

#[test]
fn native_folds_keep_the_accumulator_true_and_opening() {
    for n in [0usize, 1, 4] {
        let (pk, vk) = keys(n);
        for k in 1..=4 {
            let mut rng = rng(100 * n as u64 + k as u64);
            // From a committed, true initial accumulator.
            let (poly, acc) = committed_claim(&pk, n, &mut rng);
            let (folds, last) = fold_chain(&pk, n, acc, poly, k, &mut rng);
            let fin = &folds.last().unwrap().next;
            open_accumulator(&pk, &vk, &last, fin).unwrap();
        }
        // From the empty accumulator (the zero polynomial, C = O).
        let mut rng = rng(7 + n as u64);
        let zero = MultilinearPoly::zero(n);
        assert_eq!(
            HyperKzg::commit(&pk, &zero).unwrap(),
            AccumulatorClaim::zero(n).commitment
        );
        let (folds, last) = fold_chain(&pk, n, AccumulatorClaim::zero(n), zero, 3, &mut rng);
        open_accumulator(&pk, &vk, &last, &folds[2].next).unwrap();
    }
}

/// What the circuit derived.
struct CircuitOutcome {
    satisfied: bool,
    num_constraints: usize,
    challenges: FoldChallenges,
    value: F,
    point: Vec<F>,
    commitment: [F; 4],
    c_acc: [F; 4],
    c_new: [F; 4],
    rho_from_bits: F,
    after: F,
}

/// Synthesize the fold gadget for `fold` (possibly tampered) with the folded commitment
/// `folded` as witness.
fn synthesize(
    cs: ConstraintSystemRef<F>,
    fold: &Fold,
    folded: G1Affine,
) -> Result<Option<CircuitOutcome>, Error> {
    let setup = cs.is_in_setup_mode();
    let n = fold.acc.num_vars();
    let mut t = circuit_transcript(cs.clone(), fold.step);
    let acc = AccumulatorClaimVar::new_witness(cs.clone(), n, || value(setup, fold.acc.clone()))?;
    let new = AccumulatorClaimVar::new_witness(cs.clone(), fold.new.num_vars(), || {
        value(setup, fold.new.clone())
    })?;
    let proof = FoldProofVar::new_witness(cs.clone(), n, || value(setup, fold.proof.clone()))?;
    let c_out = G1LimbsVar::new_witness(cs.clone(), || value(setup, folded))?;
    let out = accumulator::verify_gadget(&acc, &new, &proof, c_out, &mut t)?;
    let after = t.challenge(b"after")?;
    if setup {
        return Ok(None);
    }
    let bits: Vec<bool> = out
        .cyclefold
        .r_bits
        .iter()
        .map(|b| b.value().unwrap())
        .collect();
    assert_eq!(bits.len(), RHO_BITS);
    let rho_from_bits = F::from_bigint(BigInteger::from_bits_le(&bits)).unwrap();
    Ok(Some(CircuitOutcome {
        satisfied: cs.is_satisfied().unwrap(),
        num_constraints: cs.num_constraints(),
        challenges: out.challenges().unwrap(),
        value: out.acc.value.value().unwrap(),
        point: out.acc.point.iter().map(|x| x.value().unwrap()).collect(),
        commitment: out.acc.commitment.value().unwrap(),
        c_acc: out.cyclefold.p1.value().unwrap(),
        c_new: out.cyclefold.p2.value().unwrap(),
        rho_from_bits,
        after: after.value().unwrap(),
    }))
}

fn verify_circuit(fold: &Fold, folded: G1Affine) -> CircuitOutcome {
    in_pool(|| {
        let cs = ConstraintSystem::<F>::new_ref();
        synthesize(cs, fold, folded).unwrap().unwrap()
    })
}

fn setup_constraints(fold: &Fold) -> usize {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    synthesize(cs.clone(), fold, G1Affine::zero()).unwrap();
    cs.num_constraints()
}

fn native_after(fold: &Fold) -> F {
    let mut t = native_transcript(fold.step);
    accumulator::verify(&fold.acc, &fold.new, &fold.proof, &mut t).unwrap();
    t.challenge(b"after")
}

#[test]
fn gadget_matches_native() {
    for n in [0usize, 1, 3, 5] {
        let (pk, _) = keys(n);
        let mut rng = rng(40 + n as u64);
        let (poly, acc) = committed_claim(&pk, n, &mut rng);
        let (folds, _) = fold_chain(&pk, n, acc, poly, 2, &mut rng);
        for fold in &folds {
            let out = verify_circuit(fold, fold.next.commitment.0);
            assert!(out.satisfied, "n = {n}, step {}", fold.step);
            assert_eq!(out.challenges, fold.challenges);
            assert_eq!(out.value, fold.next.value);
            assert_eq!(out.point, fold.next.point);
            assert_eq!(out.commitment, g1_to_limbs(&fold.next.commitment.0));
            assert_eq!(out.c_acc, g1_to_limbs(&fold.acc.commitment.0));
            assert_eq!(out.c_new, g1_to_limbs(&fold.new.commitment.0));
            assert_eq!(out.rho_from_bits, fold.challenges.rho);
            assert_eq!(out.after, native_after(fold));
            assert_eq!(out.num_constraints, setup_constraints(fold));
        }
    }
}

/// Folds on 2^12 and 2^16 entries, natively (with the opening) and in-circuit.
#[test]
#[ignore = "heavy: run with --ignored"]
fn heavy_folds_match_native() {
    for n in [12usize, 16] {
        let (pk, vk) = keys(n);
        let mut rng = rng(1000 + n as u64);
        let (poly, acc) = committed_claim(&pk, n, &mut rng);
        let (folds, last) = fold_chain(&pk, n, acc, poly, 2, &mut rng);
        open_accumulator(&pk, &vk, &last, &folds[1].next).unwrap();
        for fold in &folds {
            let out = verify_circuit(fold, fold.next.commitment.0);
            assert!(out.satisfied);
            assert_eq!(out.challenges, fold.challenges);
            assert_eq!(out.value, fold.next.value);
        }
    }
}

/// The polynomials behind a fold.
struct Polys {
    acc: MultilinearPoly,
    new: MultilinearPoly,
    folded: MultilinearPoly,
}

/// A fold on 4 variables whose pieces the negative tests corrupt.
fn sample_fold() -> (ProverKey, VerifierKey, Fold, Polys) {
    let n = 4;
    let (pk, vk) = keys(n);
    let mut rng = rng(77);
    let (acc_poly, acc) = committed_claim(&pk, n, &mut rng);
    let (w, new) = committed_claim(&pk, n, &mut rng);
    let out = accumulator::prove(&acc, &acc_poly, &new, &w, &mut native_transcript(0)).unwrap();
    let fold = Fold {
        step: 0,
        acc,
        new,
        proof: out.proof,
        next: out.acc,
        challenges: out.challenges,
    };
    let polys = Polys {
        acc: acc_poly,
        new: w,
        folded: out.poly,
    };
    (pk, vk, fold, polys)
}

/// Natively rejected with a sumcheck error, and unsatisfied in-circuit.
fn assert_rejected(fold: &Fold, what: &str) {
    let res = accumulator::verify(
        &fold.acc,
        &fold.new,
        &fold.proof,
        &mut native_transcript(fold.step),
    );
    assert!(
        matches!(res, Err(Error::Sumcheck(_))),
        "native verifier: {what}: {res:?}"
    );
    let out = verify_circuit(fold, fold.next.commitment.0);
    assert!(!out.satisfied, "circuit satisfied with {what}");
}

#[test]
fn wrong_sent_evaluations_and_rounds_are_rejected() {
    let (_, _, fold, _) = sample_fold();
    let mut f = fold.clone();
    f.proof.acc_eval += F::one();
    assert_rejected(&f, "a wrong acc(r')");
    let mut f = fold.clone();
    f.proof.new_eval -= F::one();
    assert_rejected(&f, "a wrong w_t(r')");
    for (round, idx) in [(0, 0), (0, 1), (2, 1), (3, 0)] {
        let mut f = fold.clone();
        f.proof.sumcheck.round_polys[round].coeffs_except_linear[idx] += F::one();
        assert_rejected(&f, &format!("coefficient {idx} of round {round}"));
    }
}

#[test]
fn false_claims_cannot_be_folded() {
    let n = 3;
    let (pk, _) = keys(n);
    let mut rng = rng(5);
    let (acc_poly, acc) = committed_claim(&pk, n, &mut rng);
    let (w, new) = committed_claim(&pk, n, &mut rng);
    // A false incoming claim, then a false accumulator: the prover runs honestly on them.
    for (acc_claim, new_claim, what) in [
        (
            acc.clone(),
            AccumulatorClaim {
                value: new.value + F::one(),
                ..new.clone()
            },
            "a false incoming claim",
        ),
        (
            AccumulatorClaim {
                value: acc.value + F::one(),
                ..acc.clone()
            },
            new.clone(),
            "a false accumulator claim",
        ),
    ] {
        let out = accumulator::prove(
            &acc_claim,
            &acc_poly,
            &new_claim,
            &w,
            &mut native_transcript(0),
        )
        .unwrap();
        let fold = Fold {
            step: 0,
            acc: acc_claim,
            new: new_claim,
            proof: out.proof,
            next: out.acc,
            challenges: out.challenges,
        };
        assert_rejected(&fold, what);
    }
}

#[test]
fn forged_evaluations_pass_the_sumcheck_but_fail_the_opening() {
    let (pk, vk, fold, polys) = sample_fold();
    // (a + δ, w − δ·eq(r_acc, r')/(γ·eq(r_t, r'))) satisfies the final check.
    let ch = &fold.challenges;
    let e_acc = eq_eval(&fold.acc.point, &ch.r).unwrap();
    let e_new = eq_eval(&fold.new.point, &ch.r).unwrap();
    let delta = F::from(12345u64);
    let mut forged = fold.clone();
    forged.proof.acc_eval += delta;
    forged.proof.new_eval -= delta * e_acc * (ch.gamma * e_new).inverse().unwrap();
    let (next, ch2) = accumulator::verify(
        &forged.acc,
        &forged.new,
        &forged.proof,
        &mut native_transcript(forged.step),
    )
    .unwrap();
    // ρ is drawn after the sent evaluations: it changes, and so does C_acc'.
    assert_eq!(ch2.r, ch.r);
    assert_ne!(ch2.rho, ch.rho);
    let out = verify_circuit(&forged, next.commitment.0);
    assert!(out.satisfied);
    assert_eq!(out.value, next.value);
    assert_eq!(out.challenges, ch2);
    // The accumulator both verifiers now hold is false: acc + ρ'·w_t, committed in C_acc',
    // does not take v' at r', and its opening fails.
    let folded: Vec<F> = polys
        .acc
        .evals()
        .iter()
        .zip(polys.new.evals())
        .map(|(a, w)| *a + ch2.rho * w)
        .collect();
    let folded = MultilinearPoly::new(folded).unwrap();
    assert_eq!(HyperKzg::commit(&pk, &folded).unwrap(), next.commitment);
    assert_ne!(folded.evaluate(&next.point), next.value);
    assert!(open_accumulator(&pk, &vk, &folded, &next).is_err());
    // The honest accumulator opens.
    open_accumulator(&pk, &vk, &polys.folded, &fold.next).unwrap();
}

#[test]
fn folded_commitment_is_delegated_to_cyclefold() {
    // The gadget does not check C_acc' = C_acc + ρ·C_t (a G1 operation): a wrong witness keeps
    // it satisfied, and the CycleFold statement it outputs is the one CycleFold rejects.
    let (_, _, fold, _) = sample_fold();
    let wrong = (fold.next.commitment.0 + G1Affine::generator()).into_affine();
    let out = verify_circuit(&fold, wrong);
    assert!(out.satisfied);
    assert_eq!(out.commitment, g1_to_limbs(&wrong));
    let expected = fold_commitments(
        &fold.acc.commitment,
        &fold.new.commitment,
        &out.challenges.rho,
    );
    assert_eq!(expected, fold.next.commitment);
    assert_ne!(out.commitment, g1_to_limbs(&expected.0));
}

#[test]
fn dimension_mismatches_are_errors() {
    let (pk, _) = keys(3);
    let mut rng = rng(9);
    let (p3, c3) = committed_claim(&pk, 3, &mut rng);
    let (p2, c2) = committed_claim(&pk, 2, &mut rng);
    assert!(matches!(
        accumulator::prove(&c3, &p3, &c2, &p2, &mut native_transcript(0)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        accumulator::prove(&c3, &p3, &c3, &p2, &mut native_transcript(0)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        accumulator::verify(&c3, &c2, &FoldProof::default(), &mut native_transcript(0)),
        Err(Error::DimensionMismatch { .. })
    ));
    let fold = Fold {
        step: 0,
        acc: c3.clone(),
        new: c2,
        proof: FoldProof::default(),
        next: c3,
        challenges: FoldChallenges {
            gamma: F::zero(),
            r: Vec::new(),
            rho: F::zero(),
        },
    };
    let cs = ConstraintSystem::<F>::new_ref();
    assert!(matches!(
        synthesize(cs.clone(), &fold, G1Affine::zero()),
        Err(Error::WrongNumberOfRounds { .. }) | Err(Error::DimensionMismatch { .. })
    ));
    // A claim of the wrong dimension for its allocation.
    assert!(matches!(
        AccumulatorClaimVar::new_witness(cs, 4, || Ok(AccumulatorClaim::zero(3))),
        Err(Error::DimensionMismatch { .. })
    ));
}
