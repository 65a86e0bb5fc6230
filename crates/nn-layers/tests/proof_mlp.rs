//! Step proofs for dense networks: honest proofs over consecutive iterations, and a dishonest
//! prover (a modified trace fed to the real prover) for every attack of seed
//! `000_36fdc39aea1ff4a5.txt` §2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

mod step_common;
use step_common::{cfg, honest_chain_on, keys, setup_with, statement, Setup};

use ark_bn254::G1Affine;
use nn_layers::data::{parse_mnist, synthetic_mnist_files};
use nn_layers::model::{LayerSpec, Model};
use nn_layers::proof::{
    prove_step, prove_step_with_trace, verify_step, DishonestOptions, StepProof, StepStatement,
};
use nn_layers::train::{train_step, LayerTrace, StepTrace};
use nn_layers::{FixedConfig, TrainConfig};

/// A narrow `Dense (Relu Dense)*` net on MNIST-shaped inputs (fast; same gadgets as `mlp`).
fn small() -> Model {
    Model::new(
        "small",
        vec![784],
        vec![
            LayerSpec::Dense {
                inputs: 784,
                outputs: 16,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 16,
                outputs: 8,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 8,
                outputs: 10,
            },
        ],
    )
    .unwrap()
}

const SRS_SEED: u64 = 7;

fn setup(model: Model, samples: usize, seed: u64) -> Setup {
    let (img, lab) = synthetic_mnist_files(samples, seed);
    let raw = parse_mnist(&img, &lab).unwrap();
    setup_with(model, &raw, seed)
}

fn honest_chain(model: Model, batch: usize, iterations: u64) {
    honest_chain_on(&setup(model, 32, 3), batch, iterations);
}

#[test]
fn honest_small_batch_2_three_iterations() {
    honest_chain(small(), 2, 3);
}

#[test]
fn honest_small_batch_1_two_iterations() {
    honest_chain(small(), 1, 2);
}

#[test]
#[ignore = "mlp in the dev profile takes minutes; run with --ignored or in release"]
fn honest_mlp_batch_1_and_2() {
    honest_chain(nn_layers::zoo::mlp(), 1, 2);
    honest_chain(nn_layers::zoo::mlp(), 2, 2);
}

#[test]
#[ignore = "heavy: mlp batch 16 over three iterations"]
fn honest_mlp_batch_16_three_iterations() {
    honest_chain(nn_layers::zoo::mlp(), 16, 3);
}

// ---------------------------------------------------------------------------------------------
// Dishonest provers: the honest trace of iteration 0 (batch 2), modified, fed to the real prover.

const B: usize = 2;

fn base() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| setup(small(), 32, 5))
}

fn honest_trace(s: &Setup, t: u64) -> StepTrace {
    let b = s.ds.batch(t, B).unwrap();
    train_step(&s.model, &s.params, b.inputs, b.labels, &cfg()).unwrap()
}

/// Prove with the tampered trace against the statement of iteration `t` and expect rejection.
fn rejected(trace: &StepTrace, opts: DishonestOptions) {
    let s = base();
    let (pk, vk, _) = keys();
    let st = statement(s, B, 0, s.c_w);
    let out = prove_step_with_trace(
        pk,
        &s.model,
        &cfg(),
        &st,
        &s.params,
        &s.values,
        trace,
        &opts,
    )
    .expect("the dishonest prover still produces a proof");
    let res = verify_step(vk, &s.model, &cfg(), &st, &out.proof);
    assert!(res.is_err(), "dishonest proof accepted");
}

fn linear(t: &mut StepTrace, l: usize) -> &mut nn_layers::train::LinearTrace {
    match &mut t.layers[l] {
        LayerTrace::Dense(x) => x,
        _ => panic!("not dense"),
    }
}

fn relu(t: &mut StepTrace, l: usize) -> &mut nn_layers::train::ReluTrace {
    match &mut t.layers[l] {
        LayerTrace::Relu(x) => x,
        _ => panic!("not relu"),
    }
}

#[test]
fn attack_substituted_batch() {
    // Train on iteration 1's rows while claiming iteration 0.
    let s = base();
    rejected(&honest_trace(s, 1), DishonestOptions::default());
}

#[test]
fn attack_poisoned_batch() {
    let s = base();
    let b = s.ds.batch(0, B).unwrap();
    let mut inputs = b.inputs.to_vec();
    inputs[300] += 1 << 14;
    let t = train_step(&s.model, &s.params, &inputs, b.labels, &cfg()).unwrap();
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_wrong_labels() {
    let s = base();
    let b = s.ds.batch(0, B).unwrap();
    let labels: Vec<u8> = b.labels.iter().map(|l| (l + 1) % 10).collect();
    let t = train_step(&s.model, &s.params, b.inputs, &labels, &cfg()).unwrap();
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_relu_skipped() {
    let s = base();
    let mut t = honest_trace(s, 0);
    let y = t.layers[0].output().clone();
    let r = relu(&mut t, 1);
    r.output = y;
    r.sign.data.iter_mut().for_each(|x| *x = 0);
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_different_activation() {
    // Leaky ReLU (negative inputs scaled by 1/8) instead of ReLU, signs kept honest.
    let s = base();
    let mut t = honest_trace(s, 0);
    let y = t.layers[2].output().clone();
    let r = relu(&mut t, 3);
    for ((o, &v), &sg) in r.output.data.iter_mut().zip(&y.data).zip(&r.sign.data) {
        if sg == 1 {
            *o = v >> 3;
        }
    }
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_different_learning_rate() {
    let s = base();
    let b = s.ds.batch(0, B).unwrap();
    let other = TrainConfig::new(FixedConfig::default(), 6).unwrap();
    let t = train_step(&s.model, &s.params, b.inputs, b.labels, &other).unwrap();
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_different_optimizer_step() {
    // W' = W − 2·q (a doubled step), remainders honest.
    let s = base();
    let mut t = honest_trace(s, 0);
    let q = linear(&mut t, 0).weight_update.quotient.clone();
    let upd = t.updated.layers[0].as_mut().unwrap();
    for (w, q) in upd.weight.data.iter_mut().zip(&q.data) {
        *w -= q;
    }
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_parameter_rollback() {
    let s = base();
    let mut t = honest_trace(s, 0);
    t.updated = s.params.clone();
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_tampered_weight() {
    let s = base();
    let mut t = honest_trace(s, 0);
    t.updated.layers[2].as_mut().unwrap().weight.data[3] += 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_tampered_gradient() {
    let s = base();
    let mut t = honest_trace(s, 0);
    relu(&mut t, 3).input_grad.as_mut().unwrap().data[1] += 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_tampered_output_gradient() {
    let s = base();
    let mut t = honest_trace(s, 0);
    t.loss_grad.data[0] += 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_remainder_shift_with_compensating_quotient() {
    // r + 2^F with q − 1: the rescale identity still holds, r leaves [0, 2^F).
    let s = base();
    let mut t = honest_trace(s, 0);
    let lt = linear(&mut t, 4);
    lt.output.remainder.data[0] += 1 << 16;
    lt.output.quotient.data[0] -= 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_field_wraparound_remainder() {
    // r − 2^F (a field element p − x posing as a small value) with q + 1.
    let s = base();
    let mut t = honest_trace(s, 0);
    let lt = linear(&mut t, 4);
    lt.output.remainder.data[1] -= 1 << 16;
    lt.output.quotient.data[1] += 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_out_of_range_update_remainder() {
    // The weight-update remainder r − 2^(F+k) (the field element p − x posing as a small value)
    // with the quotient one larger, so W' = W − q − 1: the update identity holds over the
    // field, only the range check on the remainder can reject it.
    let s = base();
    let mut t = honest_trace(s, 0);
    let lt = linear(&mut t, 2);
    lt.weight_update.remainder.data[0] -= 1 << 24;
    lt.weight_update.quotient.data[0] += 1;
    t.updated.layers[2].as_mut().unwrap().weight.data[0] -= 1;
    rejected(&t, DishonestOptions::default());
}

#[test]
fn attack_tampered_aux_limb() {
    let s = base();
    rejected(
        &honest_trace(s, 0),
        DishonestOptions {
            aux_delta: Some((5, 1)),
        },
    );
}

fn honest_proof_0() -> &'static (StepStatement, StepProof, G1Affine) {
    static P: OnceLock<(StepStatement, StepProof, G1Affine)> = OnceLock::new();
    P.get_or_init(|| {
        let s = base();
        let (pk, vk, _) = keys();
        let st = statement(s, B, 0, s.c_w);
        let out = prove_step(pk, &s.model, &cfg(), &st, &s.params, &s.ds, &s.values).unwrap();
        let next = verify_step(vk, &s.model, &cfg(), &st, &out.proof).unwrap();
        (st, out.proof, next)
    })
}

#[test]
fn attack_replayed_for_another_iteration() {
    let s = base();
    let (st, proof, next) = honest_proof_0();
    let (_, vk, _) = keys();
    // The same proof presented as iteration 1 (with the chained model commitment) or as
    // iteration 0 again at a later position.
    let st1 = statement(s, B, 1, *next);
    assert!(verify_step(vk, &s.model, &cfg(), &st1, proof).is_err());
    let mut st_t = *st;
    st_t.iteration = 16; // same rows (16·2 mod 32 = 0), another iteration
    assert!(verify_step(vk, &s.model, &cfg(), &st_t, proof).is_err());
}

#[test]
fn attack_replayed_for_another_run() {
    let other = setup(small(), 32, 99);
    let (_, proof, _) = honest_proof_0();
    let (_, vk, _) = keys();
    let st = statement(&other, B, 0, other.c_w);
    assert!(verify_step(vk, &other.model, &cfg(), &st, proof).is_err());
}

#[test]
fn attack_skipped_iteration() {
    // Iteration 0 is skipped: a proof of iteration 1 made from W_0 does not verify against the
    // chained statement (iteration 1 starts from C_W_1).
    let s = base();
    let (pk, vk, _) = keys();
    let (_, _, c_w1) = honest_proof_0();
    let skip = statement(s, B, 1, s.c_w);
    let out = prove_step(pk, &s.model, &cfg(), &skip, &s.params, &s.ds, &s.values).unwrap();
    let chained = statement(s, B, 1, *c_w1);
    assert!(verify_step(vk, &s.model, &cfg(), &chained, &out.proof).is_err());
}

#[test]
fn tampered_proof_bytes_are_rejected_without_panic() {
    let s = base();
    let (_, vk, _) = keys();
    let (st, proof, _) = honest_proof_0();
    let bytes = proof.to_bytes();
    let n = bytes.len();
    for pos in [0, 9, 12, 40, 100, n / 3, n / 2, 2 * n / 3, n - 40, n - 1] {
        let mut b = bytes.clone();
        b[pos] ^= 0x5a;
        if let Ok(p) = StepProof::from_bytes(&b) {
            assert!(
                verify_step(vk, &s.model, &cfg(), st, &p).is_err(),
                "flip at {pos} accepted"
            );
        }
    }
    assert!(StepProof::from_bytes(&bytes[..n - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(StepProof::from_bytes(&longer).is_err());
    // Structural tampering: a round polynomial, a claimed evaluation, a commitment.
    let mut p = proof.clone();
    p.sumchecks[0].round_polys[1].coeffs_except_linear[0] += sumcheck::F::from(1u64);
    assert!(verify_step(vk, &s.model, &cfg(), st, &p).is_err());
    let mut p = proof.clone();
    p.evals.groups[0][0] += sumcheck::F::from(1u64);
    assert!(verify_step(vk, &s.model, &cfg(), st, &p).is_err());
    let mut p = proof.clone();
    p.new_model = p.aux;
    assert!(verify_step(vk, &s.model, &cfg(), st, &p).is_err());
    let mut p = proof.clone();
    p.sumchecks.swap(0, 1);
    assert!(verify_step(vk, &s.model, &cfg(), st, &p).is_err());
}

#[test]
fn fiat_shamir_snapshot() {
    use sumcheck::transcript::RecordingTranscript;
    use sumcheck::{PoseidonTranscript, Transcript};
    let s = base();
    let (pk, _, _) = keys();
    let st = statement(s, B, 0, s.c_w);
    let trace = honest_trace(s, 0);
    let mut t = RecordingTranscript::<PoseidonTranscript>::new(nn_layers::proof::TRANSCRIPT_DOMAIN);
    nn_layers::proof::prove_step_with_transcript(
        pk,
        &s.model,
        &cfg(),
        &st,
        &s.params,
        &s.values,
        &trace,
        &DishonestOptions::default(),
        &mut t,
    )
    .unwrap();
    let got = t.render();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/step_small_batch2.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        got, want,
        "Fiat–Shamir schedule changed; rerun with UPDATE_SNAPSHOTS=1 if intended"
    );
}
