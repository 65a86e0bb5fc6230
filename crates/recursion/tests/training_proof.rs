//! The constant-size proof of a training run (`training_proof`): two proven SGD iterations of
//! the `16 → 8 → ReLU → 10` model folded by `TrainingProver`; the proofs after one and after two
//! iterations verify against the run statement and their final model commitment, have the same
//! size, and round-trip through bytes; the prover resumes from its saved state (a damaged one
//! is an error); a wrong data, initial or final model commitment, a wrong
//! iteration count, a rolled-back claim, a tampered accumulator claim or opening, a tampered
//! decider part and malformed encodings are rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::training_proof::{verify, TrainingKeys, TrainingProof, TrainingProver};
use recursion::training_step::{model_vectors, StepVectors};
use sumcheck::F;

#[path = "support/dense_run.rs"]
mod dense_run;

use dense_run::{cfg, model, DenseRun};

/// The augmented circuit (1,076,841 constraints) needs 2^21 SRS powers for its witness.
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
        let dense = DenseRun::with_log_srs(LOG_SRS);
        let mut params = dense.params.clone();
        let (st0, _) = dense.prove(0, &params);
        let keys = TrainingKeys::setup(&dense.srs, &model(), &cfg(), &st0).unwrap();
        eprintln!(
            "folded training proof: augmented circuit {} constraints",
            keys.num_constraints()
        );
        let mut prover =
            TrainingProver::new(&keys, &st0.data_commitment, &st0.model_commitment).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut models = vec![st0.model_commitment];
        let mut proofs = Vec::new();
        for t in 0..2 {
            let (st, out) = dense.prove(t, &params);
            let vecs = model_vectors(&model(), &params, &out).unwrap();
            let vectors = StepVectors::of(&dense.values, &vecs, &out);
            // A statement of another iteration is refused before anything is folded.
            if t == 1 {
                let (wrong, _) = dense.prove(0, &params);
                assert!(prover
                    .fold_iteration(&wrong, &out, vectors, &mut rng)
                    .is_err());
                assert_eq!(prover.iterations(), 1);
            }
            prover.fold_iteration(&st, &out, vectors, &mut rng).unwrap();
            proofs.push(prover.prove(&mut rng).unwrap());
            if t == 0 {
                // Interrupted after iteration 0: the saved state resumes, a damaged one is an
                // error (never a prover that silently proves something else).
                let bytes = prover.state_bytes().unwrap();
                for at in [20, bytes.len() / 2, bytes.len() - 40] {
                    let mut bad = bytes.clone();
                    bad[at] ^= 4;
                    let r = TrainingProver::resume(
                        &keys,
                        &st0.data_commitment,
                        &st0.model_commitment,
                        &bad,
                    );
                    assert!(r.is_err(), "damaged state at byte {at} resumed");
                }
                let other = (st0.model_commitment + G1Affine::generator()).into_affine();
                assert!(
                    TrainingProver::resume(&keys, &st0.data_commitment, &other, &bytes).is_err()
                );
                prover = TrainingProver::resume(
                    &keys,
                    &st0.data_commitment,
                    &st0.model_commitment,
                    &bytes,
                )
                .unwrap();
                assert_eq!(prover.iterations(), 1);
            }
            models.push(out.new_model_commitment);
            params = out.updated;
        }
        let data = dense.data.commitment;
        drop(prover);
        Run {
            keys,
            data,
            models,
            proofs,
        }
    })
}

#[test]
fn proofs_verify_with_constant_size() {
    let r = run();
    let mut sizes = Vec::new();
    for (k, proof) in r.proofs.iter().enumerate() {
        assert_eq!(proof.iterations, k as u64 + 1);
        verify(&r.keys, &r.data, &r.models[0], &r.models[k + 1], proof).unwrap();
        let bytes = proof.to_bytes().unwrap();
        assert_eq!(&TrainingProof::from_bytes(&bytes).unwrap(), proof);
        sizes.push(bytes.len());
    }
    eprintln!("folded training proof bytes after 1 and 2 iterations: {sizes:?}");
    assert_eq!(sizes[0], sizes[1]);
}

#[test]
fn wrong_statements_are_rejected() {
    let r = run();
    let p = &r.proofs[1];
    let g = G1Affine::generator();
    let off = |c: &G1Affine| (*c + g).into_affine();
    // Another dataset, another start, another end — and the end of iteration 1 (a rolled-back
    // run claimed as two iterations).
    assert!(verify(&r.keys, &off(&r.data), &r.models[0], &r.models[2], p).is_err());
    assert!(verify(&r.keys, &r.data, &off(&r.models[0]), &r.models[2], p).is_err());
    assert!(verify(&r.keys, &r.data, &r.models[0], &off(&r.models[2]), p).is_err());
    assert!(verify(&r.keys, &r.data, &r.models[0], &r.models[1], p).is_err());
    // The one-iteration proof as a proof of two, and vice versa.
    let mut q = r.proofs[0].clone();
    q.iterations = 2;
    assert!(verify(&r.keys, &r.data, &r.models[0], &r.models[2], &q).is_err());
    let mut q = r.proofs[1].clone();
    q.iterations = 1;
    assert!(verify(&r.keys, &r.data, &r.models[0], &r.models[1], &q).is_err());
}

#[test]
fn tampered_proofs_are_rejected() {
    let r = run();
    let p = &r.proofs[1];
    let check = |q: &TrainingProof| verify(&r.keys, &r.data, &r.models[0], &r.models[2], q);
    let one = F::from(1u64);
    let mut q = p.clone();
    q.accumulator.value += one;
    assert!(check(&q).is_err(), "accumulator value");
    let mut q = p.clone();
    q.accumulator.point[0] += one;
    assert!(check(&q).is_err(), "accumulator point");
    let mut q = p.clone();
    q.accumulator.commitment.0 = (q.accumulator.commitment.0 + G1Affine::generator()).into_affine();
    assert!(check(&q).is_err(), "accumulator commitment");
    let mut q = p.clone();
    q.opening = r.proofs[0].opening.clone();
    assert!(check(&q).is_err(), "another opening");
    let mut q = p.clone();
    q.opening.evals_pos[0] += one;
    assert!(check(&q).is_err(), "opening evaluation");
    let mut q = p.clone();
    q.decider = r.proofs[0].decider.clone();
    assert!(check(&q).is_err(), "another decider proof");
    let mut q = p.clone();
    q.decider.spartan.w_eval += one;
    assert!(check(&q).is_err(), "decider Spartan evaluation");
    let mut q = p.clone();
    q.decider.cf_spartan.outer_evals[3] += ark_bn254::Fq::from(1u64);
    assert!(
        check(&q).is_err(),
        "decider CycleFold Spartan-IPA evaluation"
    );
    let mut q = p.clone();
    q.decider.cf_spartan.open_w.a += ark_bn254::Fq::from(1u64);
    assert!(check(&q).is_err(), "decider CycleFold IPA");
    let mut q = p.clone();
    q.decider.cf_blind_e += ark_bn254::Fq::from(1u64);
    assert!(check(&q).is_err(), "decider CycleFold blinding factor");
    // A shorter accumulator point is a clean error.
    let mut q = p.clone();
    q.accumulator.point.pop();
    assert!(check(&q).is_err(), "accumulator dimension");
}

#[test]
fn malformed_encodings_never_panic_or_pass() {
    let r = run();
    let p = &r.proofs[0];
    let bytes = p.to_bytes().unwrap();
    for cut in [0, 7, 12, 20, bytes.len() / 3, bytes.len() - 1] {
        assert!(
            TrainingProof::from_bytes(&bytes[..cut]).is_err(),
            "cut {cut}"
        );
    }
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    // Flips in the header and the accumulator claim (the decider part is fuzzed in
    // tests/decider.rs).
    for _ in 0..60 {
        let mut b = bytes.clone();
        let at = rng.gen_range(0..(12 + 8 + 32 + 8 + 32 * 19).min(b.len()));
        b[at] ^= 1 << rng.gen_range(0..8);
        if let Ok(q) = TrainingProof::from_bytes(&b) {
            if &q != p {
                assert!(
                    verify(&r.keys, &r.data, &r.models[0], &r.models[1], &q).is_err(),
                    "flipped byte {at} accepted"
                );
            }
        }
    }
}
