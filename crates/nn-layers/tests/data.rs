//! Dataset loaders, synthetic files, shuffle, batch schedule, initialization and safetensors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use nn_layers::data::*;
use nn_layers::rng::shuffle_permutation;
use nn_layers::{zoo, FixedConfig, NnError, Params};
use std::path::PathBuf;

const F: FixedConfig = FixedConfig {
    frac_bits: 16,
    value_bits: 32,
};

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nn-layers-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn mnist_synthetic_files_round_trip() {
    let dir = tmpdir("mnist");
    let (pi, pl) = write_synthetic_mnist(&dir, 100, 3).unwrap();
    let d = load_mnist(&pi, &pl).unwrap();
    assert_eq!(d, load_mnist_dir(&dir).unwrap());
    assert_eq!(d.len(), 100);
    assert_eq!(d.sample_shape, vec![784]);
    let (img, lab) = synthetic_mnist_files(100, 3);
    assert_eq!(std::fs::read(&pi).unwrap(), img);
    assert_eq!(&img[16..], &d.pixels[..]);
    assert_eq!(&lab[8..], &d.labels[..]);
    assert!(d.labels.iter().all(|&l| l < 10));
    // all classes present, deterministic in the seed
    assert!((0..10u8).all(|c| d.labels.contains(&c)));
    assert_eq!(synthetic_mnist_files(100, 3), (img.clone(), lab.clone()));
    assert_ne!(synthetic_mnist_files(100, 4).0, img);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn mnist_rejects_malformed_files() {
    let (img, lab) = synthetic_mnist_files(20, 1);
    // truncated image data
    assert!(matches!(
        parse_mnist(&img[..img.len() - 1], &lab),
        Err(NnError::InvalidLength { .. })
    ));
    // truncated header
    assert!(matches!(
        parse_mnist(&img[..10], &lab),
        Err(NnError::InvalidLength { .. })
    ));
    assert!(matches!(
        parse_mnist(&[], &lab),
        Err(NnError::InvalidLength { .. })
    ));
    // truncated labels
    assert!(matches!(
        parse_mnist(&img, &lab[..lab.len() - 3]),
        Err(NnError::InvalidLength { .. })
    ));
    // wrong magic (swapped files, or a flipped byte)
    assert!(matches!(
        parse_mnist(&lab, &img),
        Err(NnError::BadMagic { .. })
    ));
    let mut bad = img.clone();
    bad[3] = 0x01;
    assert!(matches!(
        parse_mnist(&bad, &lab),
        Err(NnError::BadMagic {
            expected: 0x803,
            found: 0x801,
            ..
        })
    ));
    let mut bad = lab.clone();
    bad[2] = 9;
    assert!(matches!(
        parse_mnist(&img, &bad),
        Err(NnError::BadMagic { .. })
    ));
    // inconsistent counts
    let (_, lab10) = synthetic_mnist_files(10, 1);
    assert!(matches!(
        parse_mnist(&img, &lab10),
        Err(NnError::CountMismatch {
            images: 20,
            labels: 10
        })
    ));
    // label out of range
    let mut bad = lab.clone();
    bad[8 + 5] = 10;
    assert!(matches!(
        parse_mnist(&img, &bad),
        Err(NnError::LabelOutOfRange { index: 5, .. })
    ));
    // wrong dimensions
    let mut bad = img.clone();
    bad[11] = 27;
    assert!(matches!(
        parse_mnist(&bad, &lab),
        Err(NnError::UnexpectedDimensions { .. })
    ));
    // missing file
    assert!(matches!(
        load_mnist(
            &PathBuf::from("/nonexistent/x"),
            &PathBuf::from("/nonexistent/y")
        ),
        Err(NnError::Io { .. })
    ));
}

#[test]
fn cifar_synthetic_round_trip_and_errors() {
    let dir = tmpdir("cifar");
    let p = write_synthetic_cifar10(&dir, 30, 5).unwrap();
    let d = load_cifar10(std::slice::from_ref(&p)).unwrap();
    assert_eq!(d, load_cifar10_dir(&dir).unwrap());
    assert_eq!((d.len(), d.sample_len()), (30, 3072));
    let bytes = synthetic_cifar10_file(30, 5);
    assert_eq!(bytes.len(), 30 * CIFAR_RECORD);
    assert_eq!(bytes[CIFAR_RECORD], d.labels[1]);
    assert_eq!(
        &bytes[CIFAR_RECORD + 1..2 * CIFAR_RECORD],
        &d.pixels[3072..6144]
    );
    let two = load_cifar10(&[p.clone(), p.clone()]).unwrap();
    assert_eq!(two.len(), 60);
    assert!(matches!(
        parse_cifar10(&bytes[..bytes.len() - 7]),
        Err(NnError::InvalidLength { .. })
    ));
    assert!(matches!(
        parse_cifar10(&[]),
        Err(NnError::InvalidLength { .. })
    ));
    let mut bad = bytes.clone();
    bad[0] = 200;
    assert!(matches!(
        parse_cifar10(&bad),
        Err(NnError::LabelOutOfRange { .. })
    ));
    assert!(matches!(load_cifar10(&[]), Err(NnError::EmptyDataset)));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn shuffle_is_a_deterministic_permutation() {
    let p = shuffle_permutation(1000, 42);
    let mut s = p.clone();
    s.sort();
    assert_eq!(s, (0..1000).collect::<Vec<_>>());
    assert_eq!(p, shuffle_permutation(1000, 42));
    assert_ne!(p, shuffle_permutation(1000, 43));
    // golden values: a change of the public shuffle must be visible in review
    assert_eq!(shuffle_permutation(10, 42), GOLDEN_SHUFFLE_10_42);
    assert_eq!(shuffle_permutation(0, 1), Vec::<usize>::new());
    assert_eq!(shuffle_permutation(1, 1), vec![0]);
}

const GOLDEN_SHUFFLE_10_42: [usize; 10] = [1, 3, 7, 4, 2, 8, 0, 6, 9, 5];

#[test]
fn prepared_dataset_and_batch_schedule() {
    let (img, lab) = synthetic_mnist_files(100, 2);
    let d = parse_mnist(&img, &lab).unwrap();
    let q = QuantizedDataset::prepare(&d, &F, 7, None).unwrap();
    assert_eq!(q.len(), 64, "truncated to the largest power of two");
    let perm = shuffle_permutation(100, 7);
    assert_eq!(q.labels[3], d.labels[perm[3]]);
    assert_eq!(
        q.inputs[3 * 784 + 100],
        F.quantize_pixel(d.pixels[perm[3] * 784 + 100])
    );
    assert!(q.inputs.iter().all(|&v| (0..=F.one()).contains(&v)));
    assert_eq!(
        QuantizedDataset::prepare(&d, &F, 7, Some(40))
            .unwrap()
            .len(),
        32
    );
    assert!(matches!(
        QuantizedDataset::prepare(&d, &F, 7, Some(0)),
        Err(NnError::EmptyDataset)
    ));
    // schedule: rows [(t·B) mod N, +B)
    assert_eq!(batch_rows(0, 16, 64).unwrap(), 0..16);
    assert_eq!(batch_rows(3, 16, 64).unwrap(), 48..64);
    assert_eq!(batch_rows(5, 16, 64).unwrap(), 16..32);
    assert_eq!(batch_rows(u64::MAX, 16, 64).unwrap(), 48..64);
    assert!(matches!(
        batch_rows(0, 12, 64),
        Err(NnError::NotPowerOfTwo { .. })
    ));
    assert!(matches!(
        batch_rows(0, 16, 48),
        Err(NnError::NotPowerOfTwo { .. })
    ));
    assert!(matches!(
        batch_rows(0, 128, 64),
        Err(NnError::BatchTooLarge { .. })
    ));
    let b = q.batch(5, 8).unwrap();
    assert_eq!(b.rows, (40, 48));
    assert_eq!(b.inputs, &q.inputs[40 * 784..48 * 784]);
    assert_eq!(b.labels, &q.labels[40..48]);
    let oh = q.one_hot(&F).unwrap();
    assert_eq!(oh.shape, vec![64, 10]);
    assert_eq!(oh.data[3 * 10 + q.labels[3] as usize], 65536);
    assert_eq!(oh.data.iter().sum::<i64>(), 64 * 65536);
}

#[test]
fn deterministic_kaiming_init() {
    for m in [zoo::mlp(), zoo::lenet5()] {
        let a = Params::init_kaiming(&m, &F, 9).unwrap();
        assert_eq!(a, Params::init_kaiming(&m, &F, 9).unwrap());
        assert_ne!(a, Params::init_kaiming(&m, &F, 10).unwrap());
        for (spec, p) in m.layers.iter().zip(&a.layers) {
            let Some(p) = p else { continue };
            let bound = nn_layers::params::kaiming_bound(spec, &F);
            assert!(p.weight.data.iter().all(|w| w.abs() <= bound));
            assert!(p.bias.data.iter().all(|&b| b == 0));
            // roughly uniform: mean |w| ≈ bound/2
            let mean =
                p.weight.data.iter().map(|w| w.abs() as f64).sum::<f64>() / p.weight.len() as f64;
            assert!((mean / bound as f64 - 0.5).abs() < 0.1, "{mean} vs {bound}");
        }
    }
    let a = Params::init_kaiming(&zoo::mlp(), &F, 9).unwrap();
    // bound for fan-in 784: round(sqrt(6/784)·2^16) = 5733
    assert_eq!(
        nn_layers::params::kaiming_bound(&zoo::mlp().layers[0], &F),
        5733
    );
    assert_eq!(
        &a.layers[0].as_ref().unwrap().weight.data[..4],
        &GOLDEN_MLP_INIT_9
    );
}

const GOLDEN_MLP_INIT_9: [i64; 4] = [4472, 1256, 3573, -2682];

#[test]
fn safetensors_round_trip() {
    for m in [zoo::mlp(), zoo::lenet5()] {
        let p = Params::init_kaiming(&m, &F, 4).unwrap();
        let bytes = p.to_safetensors(&m, &F).unwrap();
        assert_eq!(Params::from_safetensors(&m, &F, &bytes).unwrap(), p);
        // PyTorch convention: dense weight is [out, in]
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let first_dense = m
            .layers
            .iter()
            .position(|l| matches!(l, nn_layers::LayerSpec::Dense { .. }))
            .unwrap();
        let v = st.tensor(&format!("layers.{first_dense}.weight")).unwrap();
        let (i_dim, o_dim) = match m.layers[first_dense] {
            nn_layers::LayerSpec::Dense { inputs, outputs } => (inputs, outputs),
            _ => unreachable!(),
        };
        assert_eq!(v.shape(), &[o_dim, i_dim]);
        let at = |o: usize, i: usize| {
            let off = 4 * (o * i_dim + i);
            f32::from_le_bytes(v.data()[off..off + 4].try_into().unwrap())
        };
        let ours = &p.layers[first_dense].as_ref().unwrap().weight.data;
        assert_eq!(at(2, 5), (ours[5 * o_dim + 2] as f64 / 65536.0) as f32);
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta["zkpot.arch_digest"], m.digest_hex(&F));
    }
    // errors: wrong model, garbage bytes
    let m = zoo::mlp();
    let bytes = Params::init_kaiming(&m, &F, 4)
        .unwrap()
        .to_safetensors(&m, &F)
        .unwrap();
    assert!(matches!(
        Params::from_safetensors(&zoo::lenet5(), &F, &bytes),
        Err(NnError::MissingTensor { .. } | NnError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Params::from_safetensors(&m, &F, b"garbage"),
        Err(NnError::SafeTensors(_))
    ));
    let other = nn_layers::Model::new(
        "wide",
        vec![784],
        vec![nn_layers::LayerSpec::Dense {
            inputs: 784,
            outputs: 100,
        }],
    )
    .unwrap();
    assert!(matches!(
        Params::from_safetensors(&other, &F, &bytes),
        Err(NnError::ShapeMismatch { .. })
    ));
}
