//! Prove (and verify) one training step of a zoo model and print the prover's phase timings.
//!
//! `cargo run --release -p nn-layers --example prove_step -- [model=mlp] [batch=16] [log_srs=21]`
//!
//! The insecure dev SRS is cached in `$CARGO_TARGET_DIR/prove-step-srs-<log>.bin` (or the temp
//! directory). The dataset is 32 synthetic MNIST-shaped samples (as in `tests/proof_mlp.rs`).

use std::path::PathBuf;
use std::time::Instant;

use nn_layers::data::{parse_mnist, synthetic_mnist_files, QuantizedDataset};
use nn_layers::proof::{
    commit_dataset, commit_model, dataset_vector, prove_step, verify_step, StepStatement,
};
use nn_layers::{zoo, FixedConfig, Params, TrainConfig};
use pcs::{HyperKzg, Srs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map_or("mlp", String::as_str);
    let batch: usize = args.get(1).and_then(|b| b.parse().ok()).unwrap_or(16);
    let log_srs: usize = args.get(2).and_then(|b| b.parse().ok()).unwrap_or(21);
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let path = dir.join(format!("prove-step-srs-{log_srs}.bin"));
    let t = Instant::now();
    let srs = match Srs::load(&path) {
        Ok(s) => s,
        Err(_) => {
            let s = Srs::dev_setup_u64(7, log_srs)?;
            let _ = s.save(&path);
            s
        }
    };
    let (pk, vk) = HyperKzg::keys(&srs, log_srs)?;
    println!("srs 2^{log_srs}: {:.2?}", t.elapsed());

    let model = zoo::by_name(name)?;
    let cfg = TrainConfig::new(FixedConfig::default(), 8)?;
    let (img, lab) = synthetic_mnist_files(32, 3);
    let raw = parse_mnist(&img, &lab)?;
    let ds = QuantizedDataset::prepare(&raw, &cfg.fixed, 3, None)?;
    let (layout, values) = dataset_vector(&ds, &model)?;
    let t = Instant::now();
    let data = commit_dataset(&pk, &layout, &values)?;
    let params = Params::init_kaiming(&model, &cfg.fixed, 3)?;
    let c_w = commit_model(&pk, &model, &params)?;
    println!(
        "dataset {} values, commit dataset + model: {:.2?}",
        values.len(),
        t.elapsed()
    );
    let st = StepStatement::new(&srs.digest(), &model, &cfg, batch, &data, 0, c_w);
    let t = Instant::now();
    let out = prove_step(&pk, &model, &cfg, &st, &params, &ds, &values)?;
    let total = t.elapsed();
    let tm = &out.timings;
    println!(
        "prove {name} batch {batch}: total {total:.2?} | witness {:.2?} commit {:.2?} sumchecks {:.2?} range_check {:.2?} merge+opening {:.2?}",
        tm.witness, tm.commit, tm.sumchecks, tm.range_check, tm.opening
    );
    let bytes = out.proof.to_bytes();
    let t = Instant::now();
    let next = verify_step(&vk, &model, &cfg, &st, &out.proof)?;
    if next != out.new_model_commitment {
        return Err("verifier's C_W_{t+1} differs from the prover's".into());
    }
    println!("verify {:.2?}, proof {} bytes", t.elapsed(), bytes.len());
    Ok(())
}
