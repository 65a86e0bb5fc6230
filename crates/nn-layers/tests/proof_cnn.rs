//! Step proofs for convolutional networks (`lenet5`, VGG-shaped nets): honest proofs, and a
//! dishonest prover (a modified trace fed to the real prover) for every new relation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

mod step_common;
use step_common::{cfg, honest_chain_on, keys, setup_with, statement, Setup};

use ark_bn254::G1Affine;
use nn_layers::data::{parse_cifar10, synthetic_cifar10_file};
use nn_layers::model::Model;
use nn_layers::proof::{
    prove_step, prove_step_with_trace, verify_step, DishonestOptions, StepProof, VerifyError,
};
use nn_layers::train::{train_step, LayerTrace, StepTrace};
use nn_layers::zoo::{vgg, VggItem};

/// A reduced-width VGG-shaped network: conv 4, max pool, conv 8, max pool ×3, dense 8·2·2→10.
fn tiny_vgg() -> Model {
    use VggItem::{Conv, MaxPool};
    vgg(
        "tiny-vgg",
        [3, 32, 32],
        &[Conv(4), MaxPool, Conv(8), MaxPool, MaxPool, MaxPool],
        10,
    )
    .unwrap()
}

const SRS_SEED: u64 = 11;

fn setup(model: Model, samples: usize, seed: u64) -> Setup {
    let raw = parse_cifar10(&synthetic_cifar10_file(samples, seed)).unwrap();
    setup_with(model, &raw, seed)
}

fn honest_chain(model: Model, batch: usize, iterations: u64) {
    honest_chain_on(&setup(model, 8, 5), batch, iterations);
}

#[test]
fn honest_tiny_vgg_batch_2_two_iterations() {
    honest_chain(tiny_vgg(), 2, 2);
}

#[test]
fn honest_lenet5_batch_2() {
    honest_chain(nn_layers::zoo::lenet5(), 2, 1);
}

#[test]
#[ignore = "heavy: full VGG-11 at batch 1 (run by the benchmark harness: `zkpot bench --model vgg11`)"]
fn honest_vgg11_batch_1() {
    honest_chain(nn_layers::zoo::vgg11(), 1, 1);
}

// ---------------------------------------------------------------------------------------------
// Dishonest provers: the honest trace of iteration 0 (batch 2), modified, fed to the real prover.

const B: usize = 2;

/// LeNet-shaped with average pools and 5×5 kernels, narrow: conv 3→2, ReLU, avg pool,
/// conv 2→4, ReLU, avg pool, flatten (256), dense 256→16, ReLU, dense 16→10.
fn tiny_lenet() -> Model {
    use nn_layers::LayerSpec::{AvgPool2, Conv2d, Dense, Flatten, Relu};
    let conv = |i, o| Conv2d {
        in_channels: i,
        out_channels: o,
        kernel: 5,
    };
    Model::new(
        "tiny-lenet",
        vec![3, 32, 32],
        vec![
            conv(3, 2),
            Relu,
            AvgPool2,
            conv(2, 4),
            Relu,
            AvgPool2,
            Flatten,
            Dense {
                inputs: 256,
                outputs: 16,
            },
            Relu,
            Dense {
                inputs: 16,
                outputs: 10,
            },
        ],
    )
    .unwrap()
}

fn vgg_base() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| setup(tiny_vgg(), 8, 7))
}

fn lenet_base() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| setup(tiny_lenet(), 8, 9))
}

fn honest_trace(s: &Setup) -> StepTrace {
    let b = s.ds.batch(0, B).unwrap();
    train_step(&s.model, &s.params, b.inputs, b.labels, &cfg()).unwrap()
}

/// Prove the tampered trace against iteration 0's statement; return the verifier's verdict.
fn verdict(s: &Setup, trace: &StepTrace, opts: DishonestOptions) -> Result<G1Affine, VerifyError> {
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
    verify_step(vk, &s.model, &cfg(), &st, &out.proof)
}

fn assert_layer_error(res: Result<G1Affine, VerifyError>, relation: &str) {
    match res {
        Err(VerifyError::Layer { relation: r, .. }) if r == relation => {}
        other => panic!("expected a `{relation}` rejection, got {other:?}"),
    }
}

fn linear(t: &mut StepTrace, l: usize) -> &mut nn_layers::train::LinearTrace {
    match &mut t.layers[l] {
        LayerTrace::Conv2d(x) | LayerTrace::Dense(x) => x,
        _ => panic!("not linear"),
    }
}

fn max_pool(t: &mut StepTrace, l: usize) -> &mut nn_layers::train::MaxPoolTrace {
    match &mut t.layers[l] {
        LayerTrace::MaxPool2(x) => x,
        _ => panic!("not a max pool"),
    }
}

#[test]
fn honest_trace_through_the_dishonest_entry_point_verifies() {
    let s = vgg_base();
    assert!(verdict(s, &honest_trace(s), DishonestOptions::default()).is_ok());
}

#[test]
fn attack_shifted_conv_output() {
    // Layer 0's output moved one pixel to the right (same values, wrong positions).
    let s = vgg_base();
    let mut t = honest_trace(s);
    let y = &mut linear(&mut t, 0).output.quotient.data;
    for row in y.chunks_mut(32) {
        row.rotate_right(1);
    }
    assert_layer_error(verdict(s, &t, DishonestOptions::default()), "conv forward");
}

#[test]
fn attack_wrong_kernel_gradient_entry() {
    // One entry of the first conv's new kernel off by one (its update quotient is W − W').
    let s = vgg_base();
    let mut t = honest_trace(s);
    t.updated.layers[0].as_mut().unwrap().weight.data[7] += 1;
    assert_layer_error(
        verdict(s, &t, DishonestOptions::default()),
        "conv weight gradient",
    );
}

#[test]
fn attack_wrong_input_gradient_entry() {
    // The second conv's input gradient (transposed convolution) off by one in one entry.
    let s = vgg_base();
    let mut t = honest_trace(s);
    let h = linear(&mut t, 3).input_grad.as_mut().unwrap();
    h.quotient.data[5] += 1;
    assert!(verdict(s, &t, DishonestOptions::default()).is_err());
}

#[test]
fn attack_pool_selector_two_ones() {
    let s = vgg_base();
    let mut t = honest_trace(s);
    let sel = &mut max_pool(&mut t, 2).selectors.data;
    let w = sel[..4].iter().position(|&e| e == 0).unwrap();
    sel[w] = 1;
    assert_layer_error(verdict(s, &t, DishonestOptions::default()), "max pool");
}

#[test]
fn attack_pool_selector_on_non_maximum() {
    // A window with distinct values: select its minimum and output it (the selection and
    // one-hot checks pass; `d = y − x_max < 0` has no limb decomposition).
    let s = vgg_base();
    let mut t = honest_trace(s);
    let x = t.layers[1].output().data.clone();
    let (h, w) = (32usize, 32usize);
    let mp = max_pool(&mut t, 2);
    let nq = mp.output.data.len();
    let q = (0..nq)
        .find(|&q| {
            let (xx, rest) = (q % (w / 2), q / (w / 2));
            let (yy, bc) = (rest % (h / 2), rest / (h / 2));
            let v: Vec<i64> = (0..4)
                .map(|t| x[(bc * h + 2 * yy + t / 2) * w + 2 * xx + t % 2])
                .collect();
            let max = *v.iter().max().unwrap();
            v.iter().filter(|&&e| e == max).count() == 1 && v.iter().any(|&e| e < max)
        })
        .expect("a window with a unique maximum");
    let (xx, rest) = (q % (w / 2), q / (w / 2));
    let (yy, bc) = (rest % (h / 2), rest / (h / 2));
    let v: Vec<i64> = (0..4)
        .map(|t| x[(bc * h + 2 * yy + t / 2) * w + 2 * xx + t % 2])
        .collect();
    let tmin = (0..4).min_by_key(|&t| v[t]).unwrap();
    for t in 0..4 {
        mp.selectors.data[4 * q + t] = i64::from(t == tmin);
    }
    mp.output.data[q] = v[tmin];
    assert!(verdict(s, &t, DishonestOptions::default()).is_err());
}

#[test]
fn attack_avg_pool_wrong_remainder() {
    // 4q + r = Σ window + 2 broken by r + 1 in the committed aux vector (layer 2, entry 0).
    let s = lenet_base();
    let lay = nn_layers::proof::net::NetLayout::new(&s.model, &cfg(), B, s.ds.len()).unwrap();
    let off = lay.aux.segment("l2.r0").unwrap().offset;
    let res = verdict(
        s,
        &honest_trace(s),
        DishonestOptions {
            aux_delta: Some((off, 1)),
        },
    );
    assert!(res.is_err());
}

#[test]
fn attack_avg_pool_remainder_out_of_range() {
    // r + 4 with q − 1 keeps 4q + r = Σ + 2 but r ∉ [0, 4).
    let s = lenet_base();
    let mut t = honest_trace(s);
    match &mut t.layers[5] {
        LayerTrace::AvgPool2(p) => {
            p.output.remainder.data[3] += 4;
            p.output.quotient.data[3] -= 1;
        }
        _ => panic!("not an avg pool"),
    }
    assert!(verdict(s, &t, DishonestOptions::default()).is_err());
}

#[test]
fn honest_tiny_lenet_and_tampered_bytes_rejected() {
    let s = lenet_base();
    let (pk, vk, _) = keys();
    let st = statement(s, B, 0, s.c_w);
    let out = prove_step(pk, &s.model, &cfg(), &st, &s.params, &s.ds, &s.values).unwrap();
    let bytes = out.proof.to_bytes();
    assert!(verify_step(vk, &s.model, &cfg(), &st, &out.proof).is_ok());
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..12 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut b = bytes.clone();
        let i = (rng as usize) % b.len();
        b[i] ^= 1 << (rng >> 60 & 7);
        if let Ok(p) = StepProof::from_bytes(&b) {
            assert!(
                verify_step(vk, &s.model, &cfg(), &st, &p).is_err(),
                "byte {i}"
            );
        }
    }
    // Another model's statement shape is rejected, not a panic.
    assert!(verify_step(vk, &tiny_vgg(), &cfg(), &st, &out.proof).is_err());
}
