//! Well-formedness proofs of the dataset commitment and of a private initial model commitment:
//! honest proofs verify; malformed padding, labels, inputs and parameters are rejected; byte
//! flips are errors, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::G1Affine;
use nn_layers::data::{parse_mnist, synthetic_mnist_files, QuantizedDataset};
use nn_layers::model::{LayerSpec, Model};
use nn_layers::proof::layout::{bias_name, model_vector, weight_name};
use nn_layers::proof::wellformed::prove_model_wellformed_vector;
use nn_layers::proof::{
    commit_dataset, commit_model, dataset_vector, prove_dataset_wellformed, prove_model_wellformed,
    verify_dataset_wellformed, verify_model_wellformed, DatasetLayout, DatasetWellFormedProof,
    ModelWellFormedProof, ProverKey, VerifierKey,
};
use nn_layers::{FixedConfig, Params};
use pcs::{HyperKzg, Srs};

const LOG_SRS: usize = 19;

fn keys() -> &'static (ProverKey, VerifierKey) {
    static K: OnceLock<(ProverKey, VerifierKey)> = OnceLock::new();
    K.get_or_init(|| {
        let srs = Srs::dev_setup_u64(11, LOG_SRS).unwrap();
        HyperKzg::keys(&srs, LOG_SRS).unwrap()
    })
}

fn fixed() -> FixedConfig {
    FixedConfig::default()
}

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

fn dataset() -> &'static (DatasetLayout, Vec<i64>) {
    static D: OnceLock<(DatasetLayout, Vec<i64>)> = OnceLock::new();
    D.get_or_init(|| {
        let (img, lab) = synthetic_mnist_files(16, 5);
        let raw = parse_mnist(&img, &lab).unwrap();
        let ds = QuantizedDataset::prepare(&raw, &fixed(), 5, None).unwrap();
        dataset_vector(&ds, &small()).unwrap()
    })
}

/// Prove and verify a (possibly malformed) dataset vector.
fn data_verdict(values: &[i64]) -> Result<(), String> {
    let (pk, vk) = keys();
    let layout = dataset().0;
    let data = commit_dataset(pk, &layout, values).unwrap();
    let proof = prove_dataset_wellformed(pk, &data, values, &fixed()).map_err(|e| e.to_string())?;
    let bytes = proof.to_bytes();
    let proof = DatasetWellFormedProof::from_bytes(&bytes).map_err(|e| e.to_string())?;
    verify_dataset_wellformed(vk, &data, &fixed(), &proof).map_err(|e| e.to_string())
}

fn model_verdict(values: &[i64]) -> Result<(), String> {
    model_verdict_of(&small(), values)
}

fn model_verdict_of(m: &nn_layers::Model, values: &[i64]) -> Result<(), String> {
    let (pk, vk) = keys();
    let c = HyperKzg::commit_i64(pk, values).unwrap().0;
    let proof =
        prove_model_wellformed_vector(pk, m, &fixed(), values, &c).map_err(|e| e.to_string())?;
    let proof = ModelWellFormedProof::from_bytes(&proof.to_bytes()).map_err(|e| e.to_string())?;
    verify_model_wellformed(vk, m, &fixed(), &c, &proof).map_err(|e| e.to_string())
}

fn row_label(values: &[i64], p: usize, row: usize) -> usize {
    (0..p).find(|&c| values[row * 2 * p + p + c] == 1).unwrap()
}

#[test]
fn dataset_honest_and_tampered() {
    let (layout, values) = dataset();
    let p = layout.half;
    let t = std::time::Instant::now();
    data_verdict(values).expect("honest dataset verifies");
    eprintln!("honest dataset prove+verify {:?}", t.elapsed());

    let mut cases: Vec<(&str, Vec<i64>)> = Vec::new();
    let row = 3;
    let base = row * 2 * p;
    let lab = row_label(values, p, row);
    let other = (lab + 1) % layout.num_classes;

    let mut v = values.clone();
    v[base + layout.input_len + 7] = 5;
    cases.push(("nonzero input padding", v));

    let mut v = values.clone();
    v[base + p + lab] = 0;
    v[base + p + layout.num_classes + 2] = 1;
    cases.push(("label moved into label padding", v));

    let mut v = values.clone();
    v[base + p + other] = 1;
    cases.push(("two ones", v));

    let mut v = values.clone();
    v[base + p + lab] = 2;
    cases.push(("a two", v));

    let mut v = values.clone();
    v[base + p + lab] = 2;
    v[base + p + other] = -1;
    cases.push(("2 and -1 (row sum 1)", v));

    let mut v = values.clone();
    v[base + p + lab] = 0;
    cases.push(("all zeros", v));

    let top = 1i64 << fixed().frac_bits;
    let mut v = values.clone();
    v[base + 5] = top + 1;
    cases.push(("input 2^F + 1", v));

    let mut v = values.clone();
    v[base + 5] = -1;
    cases.push(("negative input", v));

    let mut v = values.clone();
    v[base + 5] = top;
    v[base + 6] = 0;
    assert!(data_verdict(&v).is_ok(), "2^F and 0 are valid inputs");

    for (what, v) in cases {
        let r = data_verdict(&v);
        eprintln!("{what}: {r:?}");
        assert!(r.is_err(), "{what} must be rejected");
    }
}

#[test]
fn model_honest_and_tampered() {
    let (pk, vk) = keys();
    let m = small();
    let params = Params::init_kaiming(&m, &fixed(), 9).unwrap();
    let c = commit_model(pk, &m, &params).unwrap();
    let t = std::time::Instant::now();
    let proof = prove_model_wellformed(pk, &m, &fixed(), &params, &c).unwrap();
    verify_model_wellformed(vk, &m, &fixed(), &c, &proof).expect("honest model verifies");
    eprintln!("honest model prove+verify {:?}", t.elapsed());
    // Wrong commitment.
    let other = commit_model(pk, &m, &Params::init_kaiming(&m, &fixed(), 10).unwrap()).unwrap();
    assert!(verify_model_wellformed(vk, &m, &fixed(), &other, &proof).is_err());

    let (layout, values) = model_vector(&m, &params).unwrap();
    let seg = |n: String| layout.segment(&n).unwrap().clone();
    let w0 = seg(weight_name(0));
    let w4 = seg(weight_name(4));
    let b4 = seg(bias_name(4));
    let mut cases: Vec<(&str, Vec<i64>)> = Vec::new();
    let mut v = values.clone();
    v[w0.offset + 800 * 16 + 3] = 1; // row 800 ≥ 784
    cases.push(("padded weight row", v));
    let mut v = values.clone();
    v[w4.offset + 2 * 16 + 12] = -7; // column 12 ≥ 10
    cases.push(("padded weight column", v));
    let mut v = values.clone();
    v[b4.offset + 13] = 1;
    cases.push(("padded bias entry", v));
    let mut v = values.clone();
    let last = v.len() - 1;
    v[last] = 1;
    cases.push(("unused tail", v));
    let mut v = values.clone();
    v[w0.offset + 5] = 1i64 << (fixed().value_bits - 1);
    cases.push(("parameter 2^(B-1)", v));
    let mut v = values.clone();
    v[w0.offset + 5] = -(1i64 << (fixed().value_bits - 1)) - 1;
    cases.push(("parameter -2^(B-1) - 1", v));
    let mut v = values.clone();
    v[w0.offset + 5] = -(1i64 << (fixed().value_bits - 1));
    assert!(model_verdict(&v).is_ok(), "-2^(B-1) is in range");
    for (what, v) in cases {
        let r = model_verdict(&v);
        eprintln!("{what}: {r:?}");
        assert!(r.is_err(), "{what} must be rejected");
    }
}

#[test]
fn byte_flips_never_panic() {
    let (pk, vk) = keys();
    let (layout, values) = dataset();
    let data = commit_dataset(pk, layout, values).unwrap();
    let proof = prove_dataset_wellformed(pk, &data, values, &fixed()).unwrap();
    let bytes = proof.to_bytes();
    let m = small();
    let params = Params::init_kaiming(&m, &fixed(), 9).unwrap();
    let c: G1Affine = commit_model(pk, &m, &params).unwrap();
    let mproof = prove_model_wellformed(pk, &m, &fixed(), &params, &c).unwrap();
    let mbytes = mproof.to_bytes();
    let positions = |n: usize| -> Vec<usize> {
        let mut v: Vec<usize> = (1..6).map(|k| k * n / 6).collect();
        v.extend([0, 8, 12, n - 1]);
        v
    };
    for i in positions(bytes.len()) {
        let mut b = bytes.clone();
        b[i] ^= 0x21;
        let ok = DatasetWellFormedProof::from_bytes(&b)
            .map(|p| verify_dataset_wellformed(vk, &data, &fixed(), &p).is_ok())
            .unwrap_or(false);
        assert!(!ok, "dataset proof flip at {i} accepted");
    }
    for i in positions(mbytes.len()) {
        let mut b = mbytes.clone();
        b[i] ^= 0x21;
        let ok = ModelWellFormedProof::from_bytes(&b)
            .map(|p| verify_model_wellformed(vk, &m, &fixed(), &c, &p).is_ok())
            .unwrap_or(false);
        assert!(!ok, "model proof flip at {i} accepted");
    }
    assert!(DatasetWellFormedProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(ModelWellFormedProof::from_bytes(&bytes).is_err());
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(DatasetWellFormedProof::from_bytes(&extra).is_err());
}

#[test]
fn conv_model_padding_rejected() {
    // Conv weights [O_p][C_p][K_p][K_p]: nonzero kernel-offset, channel and bias padding.
    use nn_layers::LayerSpec::{Conv2d, Dense, Flatten, MaxPool2, Relu};
    let m = nn_layers::Model::new(
        "conv-wf",
        vec![3, 4, 4],
        vec![
            Conv2d {
                in_channels: 3,
                out_channels: 3,
                kernel: 3,
            },
            Relu,
            MaxPool2,
            Flatten,
            Dense {
                inputs: 12,
                outputs: 10,
            },
        ],
    )
    .unwrap();
    let params = Params::init_kaiming(&m, &fixed(), 4).unwrap();
    let (layout, values) = model_vector(&m, &params).unwrap();
    model_verdict_of(&m, &values).expect("honest conv model verifies");
    let w0 = layout.segment(&weight_name(0)).unwrap().clone();
    let b0 = layout.segment(&bias_name(0)).unwrap().clone();
    // Index of W[o][c][dy][dx] in [4][4][4][4].
    let at = |o: usize, c: usize, dy: usize, dx: usize| w0.offset + ((o * 4 + c) * 4 + dy) * 4 + dx;
    for (what, i) in [
        ("kernel column 3", at(1, 1, 0, 3)),
        ("kernel row 3", at(0, 2, 3, 1)),
        ("input channel 3", at(2, 3, 1, 1)),
        ("output channel 3", at(3, 0, 0, 0)),
        ("bias entry 3", b0.offset + 3),
    ] {
        let mut v = values.clone();
        v[i] = 5;
        assert!(model_verdict_of(&m, &v).is_err(), "{what} must be rejected");
    }
}
