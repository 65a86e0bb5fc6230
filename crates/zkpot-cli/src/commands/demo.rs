//! `zkpot demo`: the whole pipeline on an embedded synthetic dataset, no arguments, no downloads.
//! Development SRS of the needed size → commit 128 synthetic MNIST-shaped samples → train `mlp`
//! for 3 proven iterations at batch 4, each folded into one constant-size proof → verify that
//! proof → a summary table and the verdict. `--no-fold`: per-iteration proofs only, each verified.

use std::path::PathBuf;
use std::time::Instant;

use nn_layers::{FixedConfig, TrainConfig};
use pcs::Srs;

use crate::commands::commit_data::{self, CommitDataOptions, DatasetSpec, DEFAULT_SHUFFLE_SEED};
use crate::commands::setup::DEFAULT_DEV_SEED;
use crate::commands::train::{self, InitSource, TrainOptions, DEFAULT_INIT_SEED};
use crate::commands::verify::{self, VerifyReport};
use crate::commands::{human_bytes, model_by_name, ms, required_sizes, Backend, INSECURE_WARNING};
use crate::error::{CliError, Result};

/// Options of `zkpot demo` (all have defaults).
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Keep the files in this directory (default: a temporary directory, removed at the end).
    pub out: Option<PathBuf>,
    /// Synthetic samples to commit.
    pub samples: usize,
    /// Batch size.
    pub batch: usize,
    /// Proven iterations.
    pub iterations: u64,
    /// Learning-rate shift.
    pub lr_shift: u32,
    /// Fold the iterations into one constant-size proof (`train --fold`) and verify that.
    pub fold: bool,
}

/// log2 of the SRS the folded demo needs: the augmented circuit of `mlp` at batch 4 over 128
/// samples has 1,486,455 constraints (≤ 2^21 generators; `train` says so if this ever changes).
pub const FOLD_LOG_SIZE: usize = 21;

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            out: None,
            samples: 128,
            batch: 4,
            iterations: 3,
            lr_shift: 8,
            fold: true,
        }
    }
}

/// Run the demo; returns the verifier's report (accepted or not).
pub fn run(opts: &DemoOptions) -> Result<VerifyReport> {
    let t_all = Instant::now();
    let (dir, temporary) = match &opts.out {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("zkpot-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).map_err(CliError::io(&dir))?;
    let result = run_in(opts, &dir);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let report = result?;
    println!("(demo took {:.1} s)", t_all.elapsed().as_secs_f64());
    Ok(report)
}

fn run_in(opts: &DemoOptions, dir: &std::path::Path) -> Result<VerifyReport> {
    let model = model_by_name("mlp")?;
    let cfg = TrainConfig::new(FixedConfig::default(), opts.lr_shift)?;
    let rows = 1usize << (usize::BITS - 1 - opts.samples.max(1).leading_zeros());
    let mut log_size = required_sizes(&model, &cfg, rows, Some(opts.batch))?.max();
    if opts.fold {
        log_size = log_size.max(FOLD_LOG_SIZE);
    }

    println!(
        "== zkpot demo: proof of training of `mlp` (784-128-64-10, {} parameters) ==",
        model.num_params()
    );
    println!("working in {}", dir.display());
    println!("\n[1/4] setup: development SRS with 2^{log_size} powers of tau");
    eprintln!("{INSECURE_WARNING}");
    let t0 = Instant::now();
    let srs = Srs::dev_setup_u64(DEFAULT_DEV_SEED, log_size)?;
    let srs_path = dir.join("srs.bin");
    srs.save(&srs_path)
        .map_err(|e| CliError::bad_input(&srs_path, e.to_string()))?;
    println!(
        "      {} ({:.1} s)",
        srs_path.display(),
        t0.elapsed().as_secs_f64()
    );

    println!("\n[2/4] commit-data: {} synthetic MNIST-shaped samples, shuffled with public seed {DEFAULT_SHUFFLE_SEED}", opts.samples);
    let data_path = dir.join("data.zkd");
    let data = commit_data::run_with_srs(
        &CommitDataOptions {
            dataset: DatasetSpec::SyntheticMnist,
            samples: Some(opts.samples),
            shuffle_seed: DEFAULT_SHUFFLE_SEED,
            srs: srs_path.clone(),
            model: Some("mlp".into()),
            out: data_path.clone(),
        },
        &srs,
        false,
    )?;

    println!(
        "\n[3/4] train --commit{}: {} iterations at batch {}, lr = batch·2^-{}, one proof per iteration{}",
        if opts.fold { " --fold" } else { "" },
        opts.iterations,
        opts.batch,
        opts.lr_shift,
        if opts.fold { ", folded after each into one constant-size proof" } else { "" }
    );
    let run_dir = dir.join("run");
    let tr = train::run_loaded(
        &TrainOptions {
            model: "mlp".into(),
            data: data_path,
            srs: Some(srs_path),
            batch: opts.batch,
            lr_shift: opts.lr_shift,
            iterations: opts.iterations,
            commit: true,
            fold: opts.fold,
            spark: false,
            out: run_dir.clone(),
            init: InitSource::Seed(DEFAULT_INIT_SEED),
            resume: false,
            backend: Backend::Cpu,
            progress: true,
        },
        &model,
        &data,
        Some(&srs),
    )?;

    if opts.fold {
        println!("\n[4/4] verify: statement, the folded proof of all iterations (final.proof)");
    } else {
        println!(
            "\n[4/4] verify: statement, {} proofs, commitment chain",
            opts.iterations
        );
    }
    let st = tr
        .statement
        .clone()
        .ok_or_else(|| CliError::usage("internal: proven run without a statement"))?;
    let report = verify::verify_loaded(&run_dir, st, &srs, tr.final_commitment)?;

    println!();
    if opts.fold {
        println!("| iteration | loss | prove ms | fold ms | final proof ms | final proof bytes | model commitment C_W_(t+1) |");
        println!("|---:|---:|---:|---:|---:|---:|---|");
        for r in &tr.records {
            let (f, p, b) = r.fold.map_or(("-".into(), "-".into(), "-".into()), |f| {
                (
                    format!("{:.0}", ms(f.fold)),
                    format!("{:.0}", ms(f.prove)),
                    format!("{} ({})", f.bytes, human_bytes(f.bytes)),
                )
            });
            println!(
                "| {} | {:.5} | {:.0} | {f} | {p} | {b} | {}… |",
                r.iteration,
                r.loss,
                ms(r.time),
                r.commitment.map(|c| c.short_hex()).unwrap_or_default()
            );
        }
        if let Some(f) = report.folded {
            println!(
                "\nfolded proof of {} iterations: {} bytes, verified in {:.0} ms (the verifier first synthesizes the augmented circuit: {:.1} s)",
                report.iterations,
                f.bytes,
                ms(f.verify),
                f.keys.as_secs_f64()
            );
        }
    } else {
        println!(
            "| iteration | loss | prove ms | proof bytes | verify ms | model commitment C_W_(t+1) |"
        );
        println!("|---:|---:|---:|---:|---:|---|");
        for r in &tr.records {
            let v = report
                .times
                .get(r.iteration as usize)
                .map_or("-".to_string(), |d| format!("{:.1}", ms(*d)));
            println!(
                "| {} | {:.5} | {:.0} | {} ({}) | {} | {}… |",
                r.iteration,
                r.loss,
                ms(r.time),
                r.proof_bytes,
                human_bytes(r.proof_bytes),
                v,
                r.commitment.map(|c| c.short_hex()).unwrap_or_default()
            );
        }
    }
    println!();
    if report.accepted {
        if let Some(c) = report.final_commitment {
            println!("final model commitment: {}", c.to_hex());
        }
        println!("ACCEPTED");
    } else {
        println!(
            "REJECTED: {}",
            report.reason.as_deref().unwrap_or("unknown reason")
        );
    }
    Ok(report)
}
