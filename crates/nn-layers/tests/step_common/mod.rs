//! Shared setup of the step-proof tests (`proof_mlp`, `proof_cnn`): keys over a development SRS
//! seeded by the test binary's `SRS_SEED`, a committed dataset and initial model, statements,
//! and an honest chain of proven iterations.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::G1Affine;
use nn_layers::data::{Dataset, QuantizedDataset};
use nn_layers::model::Model;
use nn_layers::proof::{
    commit_dataset, commit_model, dataset_vector, prove_step, verify_step, DataCommitment,
    ProverKey, StepProof, StepStatement, VerifierKey,
};
use nn_layers::{FixedConfig, Params, TrainConfig};
use pcs::{HyperKzg, Srs};

pub const LOG_SRS: usize = 21;

pub fn keys() -> &'static (ProverKey, VerifierKey, [u8; 32]) {
    static K: OnceLock<(ProverKey, VerifierKey, [u8; 32])> = OnceLock::new();
    K.get_or_init(|| {
        let srs = Srs::dev_setup_u64(super::SRS_SEED, LOG_SRS).unwrap();
        let (pk, vk) = HyperKzg::keys(&srs, LOG_SRS).unwrap();
        (pk, vk, srs.digest())
    })
}

pub fn cfg() -> TrainConfig {
    TrainConfig::new(FixedConfig::default(), 8).unwrap()
}

pub struct Setup {
    pub model: Model,
    pub ds: QuantizedDataset,
    pub values: Vec<i64>,
    pub data: DataCommitment,
    pub params: Params,
    pub c_w: G1Affine,
}

/// Quantize `raw`, commit it and a Kaiming-initialized model.
pub fn setup_with(model: Model, raw: &Dataset, seed: u64) -> Setup {
    let (pk, _, _) = keys();
    let ds = QuantizedDataset::prepare(raw, &cfg().fixed, seed, None).unwrap();
    let (layout, values) = dataset_vector(&ds, &model).unwrap();
    let data = commit_dataset(pk, &layout, &values).unwrap();
    let params = Params::init_kaiming(&model, &cfg().fixed, seed).unwrap();
    let c_w = commit_model(pk, &model, &params).unwrap();
    Setup {
        model,
        ds,
        values,
        data,
        params,
        c_w,
    }
}

pub fn statement(s: &Setup, batch: usize, t: u64, c_w: G1Affine) -> StepStatement {
    StepStatement::new(&keys().2, &s.model, &cfg(), batch, &s.data, t, c_w)
}

/// Prove and verify `iterations` consecutive steps, each statement chained on the previous
/// verified `C_W_{t+1}`.
pub fn honest_chain_on(s: &Setup, batch: usize, iterations: u64) {
    let (pk, vk, _) = keys();
    let mut params = s.params.clone();
    let mut c_w = s.c_w;
    for t in 0..iterations {
        let st = statement(s, batch, t, c_w);
        let out = prove_step(pk, &s.model, &cfg(), &st, &params, &s.ds, &s.values).unwrap();
        eprintln!("t={t} timings {:?}", out.timings);
        let bytes = out.proof.to_bytes();
        let tv = std::time::Instant::now();
        let proof = StepProof::from_bytes(&bytes).unwrap();
        let next = verify_step(vk, &s.model, &cfg(), &st, &proof).unwrap();
        eprintln!("verify {:?} size {}", tv.elapsed(), bytes.len());
        assert_eq!(next, out.new_model_commitment);
        assert_eq!(next, commit_model(pk, &s.model, &out.updated).unwrap());
        params = out.updated;
        c_w = next;
    }
}
