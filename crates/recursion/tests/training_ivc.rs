//! Nova + CycleFold IVC over real training steps (`training_step::TrainingStep`): two proven SGD
//! iterations of a small `Dense Relu Dense` model folded into one IVC state that verifies, with
//! the state equal to the native chain `(t, C_D, C_W_t, h)`; a tampered inner proof or a replayed
//! iteration cannot be folded into a state that verifies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use nn_layers::proof::{StepProof, StepStatement, VerifierKey};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::ivc::{verify, Ivc, IvcParams};
use recursion::step_gadget::native_step_claims;
use recursion::training_step::TrainingStep;
use sumcheck::F;

#[path = "support/dense_run.rs"]
mod dense_run;

use dense_run::{cfg, model, DenseRun, BATCH};

struct Run {
    vk: VerifierKey,
    /// Statements and proofs of iterations 0, 1, 2 (chained).
    steps: Vec<(StepStatement, StepProof)>,
}

fn run() -> &'static Run {
    static R: OnceLock<Run> = OnceLock::new();
    R.get_or_init(|| {
        let dense = DenseRun::new();
        let mut params = dense.params.clone();
        let mut steps = Vec::new();
        for t in 0..3 {
            let (st, out) = dense.prove(t, &params);
            params = out.updated;
            steps.push((st, out.proof));
        }
        Run {
            vk: dense.vk,
            steps,
        }
    })
}

/// The native state after each step.
fn native_states(r: &Run) -> Vec<Vec<F>> {
    let (st0, _) = &r.steps[0];
    let mut z = TrainingStep::initial_state(&st0.data_commitment, &st0.model_commitment);
    let mut out = Vec::new();
    for (st, proof) in &r.steps {
        let claims = native_step_claims(&r.vk, &model(), &cfg(), st, proof).unwrap();
        z = TrainingStep::next_state(&z, &claims, &proof.aux).unwrap();
        out.push(z.clone());
    }
    out
}

fn ivc_params() -> &'static IvcParams<TrainingStep> {
    static P: OnceLock<IvcParams<TrainingStep>> = OnceLock::new();
    P.get_or_init(|| {
        let st0 = &run().steps[0].0;
        IvcParams::setup(TrainingStep::new(model(), cfg(), st0)).unwrap()
    })
}

fn z0() -> Vec<F> {
    let st0 = &run().steps[0].0;
    TrainingStep::initial_state(&st0.data_commitment, &st0.model_commitment)
}

/// Fold `proof` as the next step of `ivc`: `true` when it yields a state that verifies.
fn folds_and_verifies(ivc: &mut Ivc<TrainingStep>, proof: &StepProof) -> bool {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    ivc.params().step().set_proof(proof.clone());
    ivc.prove_step(&mut rng).is_ok() && verify(ivc.params(), ivc.state()).is_ok()
}

#[test]
fn training_steps_fold_and_verify() {
    let r = run();
    let params = ivc_params();
    eprintln!(
        "training IVC (16-8-10, batch {BATCH}): augmented circuit {} constraints",
        params.primary().shape().num_constraints()
    );
    let want = native_states(r);
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    for (k, (_, proof)) in r.steps.iter().take(2).enumerate() {
        assert!(folds_and_verifies(&mut ivc, proof), "honest step {k}");
        assert_eq!(ivc.state().i, k as u64 + 1);
        assert_eq!(ivc.state().z_i, want[k], "state after step {k}");
    }
}

#[test]
fn bad_inner_proofs_cannot_be_folded() {
    let r = run();
    let params = ivc_params();
    // A tampered proof of iteration 0.
    let mut bad = r.steps[0].1.clone();
    bad.evals.groups[0][0] += F::from(1u64);
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    assert!(
        !folds_and_verifies(&mut ivc, &bad),
        "tampered inner proof folded"
    );
    // Skipping ahead: iteration 1's proof as the first step.
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    assert!(
        !folds_and_verifies(&mut ivc, &r.steps[1].1),
        "skipped iteration folded"
    );
    // Replaying: iteration 0's proof again as the second step.
    let mut ivc = Ivc::new(params.clone(), z0()).unwrap();
    assert!(folds_and_verifies(&mut ivc, &r.steps[0].1));
    assert!(
        !folds_and_verifies(&mut ivc, &r.steps[0].1),
        "replayed iteration folded"
    );
}
