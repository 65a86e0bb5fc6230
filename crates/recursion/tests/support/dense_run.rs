//! A small proven training setup shared by the step-gadget and training-IVC tests: by default
//! the dense `16 → 8 → ReLU → 10` model ([`conv_model`]: a small conv net with both pools), 8
//! random samples, a dev SRS of 2^18, and a prover for any iteration from any parameters.
#![allow(dead_code)]

use nn_layers::data::{Dataset, QuantizedDataset};
use nn_layers::model::{LayerSpec, Model};
use nn_layers::proof::{
    commit_dataset, commit_model, dataset_vector, prove_step, DataCommitment, ProvenStep,
    ProverKey, StepStatement, VerifierKey,
};
use nn_layers::{FixedConfig, Params, TrainConfig};
use pcs::{HyperKzg, Srs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// log2 of the SRS size.
pub const LOG_SRS: usize = 18;
/// Batch size.
pub const BATCH: usize = 2;

pub fn cfg() -> TrainConfig {
    TrainConfig::new(FixedConfig::default(), 8).unwrap()
}

/// `16 → 8 → ReLU → 10`.
pub fn model() -> Model {
    Model::new(
        "t",
        vec![16],
        vec![
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

/// `[1, 8, 8] → Conv 3×3 (2) → ReLU → MaxPool → Conv 3×3 (2) → ReLU → AvgPool → Flatten →
/// Dense 8 → 4`: every relation of the conv-network protocol.
pub fn conv_model() -> Model {
    let conv = |in_channels, out_channels| LayerSpec::Conv2d {
        in_channels,
        out_channels,
        kernel: 3,
    };
    Model::new(
        "c",
        vec![1, 8, 8],
        vec![
            conv(1, 2),
            LayerSpec::Relu,
            LayerSpec::MaxPool2,
            conv(2, 2),
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 8,
                outputs: 4,
            },
        ],
    )
    .unwrap()
}

/// Keys, the committed dataset and the initial parameters.
pub struct DenseRun {
    pub model: Model,
    pub srs: Srs,
    pub srs_digest: [u8; 32],
    pub pk: ProverKey,
    pub vk: VerifierKey,
    pub ds: QuantizedDataset,
    pub values: Vec<i64>,
    pub data: DataCommitment,
    pub params: Params,
}

impl DenseRun {
    pub fn new() -> Self {
        Self::with_log_srs(LOG_SRS)
    }

    /// The same run over an SRS of `2^log_srs` powers (the folded run's decider needs more).
    pub fn with_log_srs(log_srs: usize) -> Self {
        Self::with_model(model(), log_srs)
    }

    /// The run of `model` (its last layer's outputs are the classes) over an SRS of `2^log_srs`.
    pub fn with_model(model: Model, log_srs: usize) -> Self {
        let srs = Srs::dev_setup_u64(7, log_srs).unwrap();
        let (pk, vk): (ProverKey, VerifierKey) = HyperKzg::keys(&srs, LOG_SRS).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let samples = 8;
        let features: usize = model.input_shape.iter().product();
        let classes = match model.layers.last() {
            Some(LayerSpec::Dense { outputs, .. }) => *outputs,
            _ => panic!("the last layer must be Dense"),
        };
        let raw = Dataset {
            sample_shape: model.input_shape.clone(),
            pixels: (0..samples * features).map(|_| rng.gen()).collect(),
            labels: (0..samples)
                .map(|_| rng.gen_range(0..classes as u8))
                .collect(),
            num_classes: classes,
        };
        let ds = QuantizedDataset::prepare(&raw, &cfg().fixed, 3, None).unwrap();
        let (layout, values) = dataset_vector(&ds, &model).unwrap();
        let data = commit_dataset(&pk, &layout, &values).unwrap();
        let params = Params::init_kaiming(&model, &cfg().fixed, 3).unwrap();
        Self {
            model,
            srs_digest: srs.digest(),
            srs,
            pk,
            vk,
            ds,
            values,
            data,
            params,
        }
    }

    /// The statement of iteration `t` from `params` and the proof of it.
    pub fn prove(&self, t: u64, params: &Params) -> (StepStatement, ProvenStep) {
        let model = &self.model;
        let c_w = commit_model(&self.pk, model, params).unwrap();
        let st = StepStatement::new(&self.srs_digest, model, &cfg(), BATCH, &self.data, t, c_w);
        let out = prove_step(&self.pk, model, &cfg(), &st, params, &self.ds, &self.values).unwrap();
        (st, out)
    }
}
