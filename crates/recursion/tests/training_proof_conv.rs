//! The constant-size proof of a convolutional training run: two proven SGD iterations of the
//! small conv net of `support/dense_run.rs` (`Conv ReLU MaxPool Conv ReLU AvgPool Flatten
//! Dense`, every relation of the conv protocol) folded by `TrainingProver`. Both proofs verify
//! against the run statement and their final model commitment and have the same size; another
//! final model, a rolled-back run, a tampered accumulator claim or decider part, and a step
//! proof of another iteration are rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::training_proof::{verify, TrainingKeys, TrainingProof, TrainingProver};
use recursion::training_step::{model_vectors, StepVectors};
use sumcheck::F;

#[path = "support/dense_run.rs"]
mod dense_run;

use dense_run::{cfg, conv_model, DenseRun};

/// The augmented circuit needs 2^21 SRS powers for its witness.
const LOG_SRS: usize = 21;

struct Run {
    keys: TrainingKeys,
    data: G1Affine,
    /// `C_W_0, C_W_1, C_W_2`.
    models: Vec<G1Affine>,
    /// The proofs after 1 and 2 iterations.
    proofs: Vec<TrainingProof>,
}

fn run() -> &'static Run {
    static R: OnceLock<Run> = OnceLock::new();
    R.get_or_init(|| {
        let conv = DenseRun::with_model(conv_model(), LOG_SRS);
        let mut params = conv.params.clone();
        let (st0, _) = conv.prove(0, &params);
        let keys = TrainingKeys::setup(&conv.srs, &conv_model(), &cfg(), &st0).unwrap();
        eprintln!(
            "folded conv training proof: augmented circuit {} constraints",
            keys.num_constraints()
        );
        let mut prover =
            TrainingProver::new(&keys, &st0.data_commitment, &st0.model_commitment).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut models = vec![st0.model_commitment];
        let mut proofs = Vec::new();
        for t in 0..2 {
            let (st, out) = conv.prove(t, &params);
            let vecs = model_vectors(&conv_model(), &params, &out).unwrap();
            let vectors = StepVectors::of(&conv.values, &vecs, &out);
            if t == 1 {
                // A statement of another iteration is refused before anything is folded.
                let (wrong, _) = conv.prove(0, &params);
                assert!(prover
                    .fold_iteration(&wrong, &out, vectors, &mut rng)
                    .is_err());
                assert_eq!(prover.iterations(), 1);
            }
            prover.fold_iteration(&st, &out, vectors, &mut rng).unwrap();
            proofs.push(prover.prove(&mut rng).unwrap());
            models.push(out.new_model_commitment);
            params = out.updated;
        }
        Run {
            keys,
            data: conv.data.commitment,
            models,
            proofs,
        }
    })
}

#[test]
fn conv_proofs_verify_with_constant_size_and_tampering_is_rejected() {
    let r = run();
    let mut sizes = Vec::new();
    for (k, proof) in r.proofs.iter().enumerate() {
        assert_eq!(proof.iterations, k as u64 + 1);
        verify(&r.keys, &r.data, &r.models[0], &r.models[k + 1], proof).unwrap();
        let bytes = proof.to_bytes().unwrap();
        assert_eq!(&TrainingProof::from_bytes(&bytes).unwrap(), proof);
        sizes.push(bytes.len());
    }
    eprintln!("folded conv training proof bytes after 1 and 2 iterations: {sizes:?}");
    assert_eq!(sizes[0], sizes[1]);

    let p = &r.proofs[1];
    let check = |q: &TrainingProof| verify(&r.keys, &r.data, &r.models[0], &r.models[2], q);
    let g = G1Affine::generator();
    let off = |c: &G1Affine| (*c + g).into_affine();
    // Another end model, and the end of iteration 1 claimed as two iterations (rolled back).
    assert!(verify(&r.keys, &r.data, &r.models[0], &off(&r.models[2]), p).is_err());
    assert!(verify(&r.keys, &r.data, &r.models[0], &r.models[1], p).is_err());
    let one = F::from(1u64);
    let mut q = p.clone();
    q.accumulator.value += one;
    assert!(check(&q).is_err(), "accumulator value");
    let mut q = p.clone();
    q.opening.evals_pos[0] += one;
    assert!(check(&q).is_err(), "opening evaluation");
    let mut q = p.clone();
    q.decider.spartan.w_eval += one;
    assert!(check(&q).is_err(), "decider Spartan evaluation");
    let mut q = p.clone();
    q.decider = r.proofs[0].decider.clone();
    assert!(check(&q).is_err(), "another decider proof");
}
