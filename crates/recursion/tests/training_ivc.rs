//! Nova + CycleFold IVC over real training steps (`training_step::TrainingStep`): proven SGD
//! iterations of a small `Dense Relu Dense` model folded into one IVC state, each iteration's four
//! PCS claims folded into the accumulator in the state, and the final accumulator opened once.
//! Honest runs verify and equal the native chain; a tampered inner proof, a skipped or replayed
//! iteration, a tampered fold proof, a false delegated point equation and a tampered final
//! accumulator claim or opening are rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use nn_layers::proof::StepStatement;
use pcs::hyperkzg::ProverKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::ivc::{verify, Ivc, IvcParams};
use recursion::step_gadget::native_step_claims;
use recursion::training_step::{
    accumulate_step, model_vectors, open_accumulator, verify_accumulator, Accumulator, StepVectors,
    StepWitness, TrainingStep,
};
use sumcheck::F;

#[path = "support/dense_run.rs"]
mod dense_run;

use dense_run::{cfg, model, DenseRun, BATCH};

struct Run {
    dense: DenseRun,
    statements: Vec<StepStatement>,
    /// The circuit witness of iterations 0, 1, 2 (chained, accumulator included).
    witnesses: Vec<StepWitness>,
    /// The native state after each iteration.
    states: Vec<Vec<F>>,
    /// The prover's accumulator after each iteration.
    accs: Vec<Accumulator>,
}

fn step_circuit(st0: &StepStatement) -> TrainingStep {
    TrainingStep::new(model(), cfg(), st0).unwrap()
}

fn run() -> &'static Run {
    static R: OnceLock<Run> = OnceLock::new();
    R.get_or_init(|| {
        let dense = DenseRun::new();
        let mut params = dense.params.clone();
        let mut statements = Vec::new();
        let mut witnesses = Vec::new();
        let mut states = Vec::new();
        let mut accs = Vec::new();
        let mut circuit = None;
        let mut acc = None;
        for t in 0..3 {
            let (st, out) = dense.prove(t, &params);
            let circ: &TrainingStep = circuit.get_or_insert_with(|| step_circuit(&st));
            let cur = acc.get_or_insert_with(|| Accumulator::empty(circ.acc_vars()).unwrap());
            let claims = native_step_claims(&dense.vk, &model(), &cfg(), &st, &out.proof).unwrap();
            let models = model_vectors(&model(), &params, &out).unwrap();
            let vectors = StepVectors::of(&dense.values, &models, &out);
            let (witness, next) = accumulate_step(cur, &st, &out.proof, &claims, vectors).unwrap();
            states.push(TrainingStep::state(
                t + 1,
                &st.data_commitment,
                &out.new_model_commitment,
                &next.claim,
            ));
            *cur = next.clone();
            accs.push(next);
            witnesses.push(witness);
            statements.push(st);
            params = out.updated;
        }
        Run {
            dense,
            statements,
            witnesses,
            states,
            accs,
        }
    })
}

fn ivc_params() -> &'static IvcParams<TrainingStep> {
    static P: OnceLock<IvcParams<TrainingStep>> = OnceLock::new();
    P.get_or_init(|| {
        let r = run();
        IvcParams::setup(step_circuit(&r.statements[0])).unwrap()
    })
}

fn z0() -> Vec<F> {
    let st0 = &run().statements[0];
    ivc_params()
        .step()
        .initial_state(&st0.data_commitment, &st0.model_commitment)
}

/// Fold `witness` as the next step of `ivc`: `true` when it yields a state that verifies.
fn folds_and_verifies(ivc: &mut Ivc<TrainingStep>, witness: &StepWitness) -> bool {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    ivc.params().step().set_witness(witness.clone());
    ivc.prove_step(&mut rng).is_ok() && verify(ivc.params(), ivc.state()).is_ok()
}

/// The IVC after the honest first iteration.
fn after_one() -> &'static Ivc<TrainingStep> {
    static I: OnceLock<Ivc<TrainingStep>> = OnceLock::new();
    I.get_or_init(|| {
        let mut ivc = Ivc::new(ivc_params().clone(), z0()).unwrap();
        assert!(folds_and_verifies(&mut ivc, &run().witnesses[0]));
        ivc
    })
}

fn pk() -> &'static ProverKey {
    &run().dense.pk
}

#[test]
fn training_steps_fold_and_verify() {
    let r = run();
    let params = ivc_params();
    eprintln!(
        "training IVC (16-8-10, batch {BATCH}, accumulator on {} variables): augmented circuit {} constraints",
        params.step().acc_vars(),
        params.primary().shape().num_constraints()
    );
    let mut ivc = after_one().clone();
    assert_eq!(ivc.state().z_i, r.states[0], "state after iteration 0");
    assert!(
        folds_and_verifies(&mut ivc, &r.witnesses[1]),
        "honest step 1"
    );
    assert_eq!(ivc.state().i, 2);
    assert_eq!(ivc.state().z_i, r.states[1], "state after iteration 1");

    // The final state names the run: iteration 2, the data, the model after two steps, and the
    // accumulator, whose one opening settles every claim of both iterations.
    let (t, data, model_c, acc) = params.step().parse_state(&ivc.state().z_i).unwrap();
    assert_eq!(t, 2);
    assert_eq!(data, r.statements[0].data_commitment);
    assert_eq!(model_c, r.statements[2].model_commitment);
    assert_eq!(acc, r.accs[1].claim);
    let opening = open_accumulator(pk(), &r.accs[1]).unwrap();
    verify_accumulator(&r.dense.vk, &acc, &opening).unwrap();

    // Tampered final claim or opening.
    let mut bad = acc.clone();
    bad.value += F::from(1u64);
    assert!(verify_accumulator(&r.dense.vk, &bad, &opening).is_err());
    let mut bad = acc.clone();
    bad.point[0] += F::from(1u64);
    assert!(verify_accumulator(&r.dense.vk, &bad, &opening).is_err());
    let mut bad = acc.clone();
    bad.commitment.0 = (bad.commitment.0 + G1Affine::generator()).into_affine();
    assert!(verify_accumulator(&r.dense.vk, &bad, &opening).is_err());
    // An opening of another polynomial, whose evaluation is claimed honestly.
    let mut other = r.accs[1].clone();
    let mut evals = other.poly.evals().to_vec();
    evals[3] += F::from(1u64);
    other.poly = sumcheck::MultilinearPoly::new(evals).unwrap();
    other.claim.value = other.poly.evaluate(&other.claim.point);
    let forged = open_accumulator(pk(), &other).unwrap();
    assert!(verify_accumulator(&r.dense.vk, &other.claim, &forged).is_err());
    // The previous accumulator's opening does not open the latest one.
    let old = open_accumulator(pk(), &r.accs[0]).unwrap();
    assert!(verify_accumulator(&r.dense.vk, &acc, &old).is_err());
    // A polynomial that does not match its claim cannot be opened as it.
    let mut lying = r.accs[1].clone();
    lying.claim.value += F::from(1u64);
    assert!(open_accumulator(pk(), &lying).is_err());
}

#[test]
fn bad_inner_proofs_cannot_be_folded() {
    let r = run();
    let params = ivc_params();
    // A tampered proof of iteration 0.
    let mut bad = r.witnesses[0].clone();
    bad.proof.evals.groups[0][0] += F::from(1u64);
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    assert!(
        !folds_and_verifies(&mut ivc, &bad),
        "tampered inner proof folded"
    );
    // Skipping ahead: iteration 1's witness as the first step.
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    assert!(
        !folds_and_verifies(&mut ivc, &r.witnesses[1]),
        "skipped iteration folded"
    );
    // Replaying: iteration 0's witness again as the second step.
    let mut ivc = after_one().clone();
    assert!(
        !folds_and_verifies(&mut ivc, &r.witnesses[0]),
        "replayed iteration folded"
    );
}

#[test]
fn bad_accumulator_folds_cannot_be_folded() {
    let r = run();
    // A fold proof whose evaluation is off.
    let mut bad = r.witnesses[1].clone();
    bad.folds[2].new_eval += F::from(1u64);
    let mut ivc = after_one().clone();
    assert!(
        !folds_and_verifies(&mut ivc, &bad),
        "tampered fold proof folded"
    );
    // A false delegated point equation: the last C_acc' off by G (the primary circuit takes it
    // as a witness; the CycleFold instance it is folded into is no longer satisfiable) — at
    // iteration 1 and at iteration 0, whose statements enter cfU_1 at the base case.
    for (k, ivc) in [
        (1, after_one().clone()),
        (0, Ivc::new(ivc_params().clone(), z0()).unwrap()),
    ] {
        let mut bad = r.witnesses[k].clone();
        let s = &mut bad.statements[3];
        s.p_out = (s.p_out + G1Affine::generator()).into_affine();
        false_statement_is_rejected(ivc, bad, k);
    }
}

fn false_statement_is_rejected(mut ivc: Ivc<TrainingStep>, bad: StepWitness, k: usize) {
    ivc.params().step().set_witness(bad);
    ivc.prove_step(&mut ChaCha20Rng::seed_from_u64(9)).unwrap();
    let (params, st) = (ivc.params(), ivc.state());
    params.primary().is_satisfied(&st.inc, &st.inc_w).unwrap();
    assert!(
        params
            .cyclefold()
            .is_satisfied_relaxed(&st.cf_acc, &st.cf_acc_w)
            .is_err(),
        "iteration {k}: false CycleFold statement folded into a satisfiable instance"
    );
    assert!(verify(params, st).is_err());
}
