//! The heavy case of the folded training proof (`#[ignore]`, run by the benchmark harness:
//! `cargo test --release -p recursion --test training_proof_mlp -- --ignored --nocapture`):
//! 8 iterations of the zoo `mlp` (784-128-64-10) at batch 16 on 256 synthetic MNIST rows. After
//! 1, 2, 4 and 8 iterations the final proof verifies; tampering with any part of it (accumulator
//! claim, its opening, the decider's instances, Spartan proof or CycleFold witness), claiming
//! another final model (a rolled-back run) or another iteration count is rejected; the prover
//! refuses a tampered inner proof of an earlier iteration and a replayed iteration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use nn_layers::data::{parse_mnist, synthetic_mnist_files, QuantizedDataset};
use nn_layers::proof::{commit_dataset, commit_model, dataset_vector, prove_step, StepStatement};
use nn_layers::{zoo, FixedConfig, Params, TrainConfig};
use pcs::{HyperKzg, Srs};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::training_proof::{verify, TrainingKeys, TrainingProof, TrainingProver};
use recursion::training_step::{model_vectors, StepVectors};
use sumcheck::F;

fn rejected(
    keys: &TrainingKeys,
    data: &G1Affine,
    c0: &G1Affine,
    c_t: &G1Affine,
    proof: &TrainingProof,
) -> bool {
    verify(keys, data, c0, c_t, proof).is_err()
}

#[test]
#[ignore = "heavy: 8 folded mlp iterations (several minutes); run by the benchmark harness"]
fn mlp_one_two_four_eight_iterations() {
    let model = zoo::mlp();
    let cfg = TrainConfig::new(FixedConfig::default(), 10).unwrap();
    let (img, lab) = synthetic_mnist_files(256, 2);
    let ds =
        QuantizedDataset::prepare(&parse_mnist(&img, &lab).unwrap(), &cfg.fixed, 2, None).unwrap();
    let srs = Srs::dev_setup_u64(2, 21).unwrap();
    let (pk, _) = HyperKzg::keys(&srs, 21).unwrap();
    let (layout, values) = dataset_vector(&ds, &model).unwrap();
    let data = commit_dataset(&pk, &layout, &values).unwrap();
    let mut params = Params::init_kaiming(&model, &cfg.fixed, 2).unwrap();
    let c0 = commit_model(&pk, &model, &params).unwrap();
    let digest = srs.digest();
    let statement = |t: u64, c| StepStatement::new(&digest, &model, &cfg, 16, &data, t, c);
    let keys = TrainingKeys::setup(&srs, &model, &cfg, &statement(0, c0)).unwrap();
    let mut prover = TrainingProver::new(&keys, &data.commitment, &c0).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut models = vec![c0];
    let mut earlier: Option<TrainingProof> = None;
    for t in 0..8u64 {
        let st = statement(t, *models.last().unwrap());
        let proven = prove_step(&pk, &model, &cfg, &st, &params, &ds, &values).unwrap();
        let vecs = model_vectors(&model, &params, &proven).unwrap();
        let vectors = StepVectors::of(&values, &vecs, &proven);
        if t == 2 {
            // A tampered inner proof, and a replay of the previous iteration: refused.
            let mut bad = proven.clone();
            bad.proof.evals.groups[0][0] += F::from(1u64);
            assert!(prover.fold_iteration(&st, &bad, vectors, &mut rng).is_err());
            let replay = statement(t - 1, models[models.len() - 2]);
            assert!(prover
                .fold_iteration(&replay, &proven, vectors, &mut rng)
                .is_err());
            assert_eq!(prover.iterations(), 2);
        }
        prover
            .fold_iteration(&st, &proven, vectors, &mut rng)
            .unwrap();
        models.push(proven.new_model_commitment);
        params = proven.updated;
        let done = t + 1;
        if ![1, 2, 4, 8].contains(&done) {
            continue;
        }
        let proof = prover.prove(&mut rng).unwrap();
        let c_t = models[done as usize];
        verify(&keys, &data.commitment, &c0, &c_t, &proof).unwrap();
        let bytes = proof.to_bytes().unwrap();
        eprintln!(
            "mlp: final proof after {done} iterations: {} bytes",
            bytes.len()
        );
        assert_eq!(TrainingProof::from_bytes(&bytes).unwrap(), proof);
        let d = &data.commitment;
        let one = F::from(1u64);
        let g = G1Affine::generator();
        let gk = ark_grumpkin::Affine::generator();
        // Another final model: the previous iteration's (rolled back) and an off one.
        assert!(rejected(&keys, d, &c0, &models[done as usize - 1], &proof));
        assert!(rejected(&keys, d, &c0, &(c_t + g).into_affine(), &proof));
        // Another iteration count.
        let mut q = proof.clone();
        q.iterations += 1;
        assert!(rejected(&keys, d, &c0, &c_t, &q));
        // Every part of the proof.
        let mut q = proof.clone();
        q.accumulator.value += one;
        assert!(rejected(&keys, d, &c0, &c_t, &q), "accumulator value");
        let mut q = proof.clone();
        q.accumulator.point[3] += one;
        assert!(rejected(&keys, d, &c0, &c_t, &q), "accumulator point");
        let mut q = proof.clone();
        q.opening.evals_sq[1] += one;
        assert!(rejected(&keys, d, &c0, &c_t, &q), "accumulator opening");
        let mut q = proof.clone();
        q.decider.acc.u += one;
        assert!(rejected(&keys, d, &c0, &c_t, &q), "running instance");
        let mut q = proof.clone();
        q.decider.inc.comm_w = (q.decider.inc.comm_w + g).into_affine();
        assert!(rejected(&keys, d, &c0, &c_t, &q), "last step's instance");
        let mut q = proof.clone();
        q.decider.spartan.outer_evals[3] += one;
        assert!(rejected(&keys, d, &c0, &c_t, &q), "Spartan evaluation");
        let mut q = proof.clone();
        q.decider.cf_spartan.w_eval += ark_bn254::Fq::from(1u64);
        assert!(rejected(&keys, d, &c0, &c_t, &q), "CycleFold Spartan-IPA");
        let mut q = proof.clone();
        q.decider.cf_spartan.open_e.r[0] = (q.decider.cf_spartan.open_e.r[0] + gk).into_affine();
        assert!(rejected(&keys, d, &c0, &c_t, &q), "CycleFold IPA");
        // An earlier proof does not prove the later run, nor the reverse.
        if let Some(e) = &earlier {
            assert!(rejected(&keys, d, &c0, &c_t, e));
        }
        earlier = Some(proof);
    }
}
