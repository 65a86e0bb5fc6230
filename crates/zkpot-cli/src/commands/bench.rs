//! `zkpot bench`: the end-to-end benchmark (setup → commit-data → train --commit → verify), with a
//! markdown results table and SVG plots. See `benches/README.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nn_layers::TrainConfig;
use pcs::Srs;

use crate::commands::commit_data::{self, CommitDataOptions, DatasetSpec, DEFAULT_SHUFFLE_SEED};
use crate::commands::setup::DEFAULT_DEV_SEED;
use crate::commands::train::{self, InitSource, TrainOptions, DEFAULT_INIT_SEED};
use crate::commands::{
    check_backend, model_by_name, ms, provable, required_sizes, verify, warn_if_insecure, Backend,
};
use crate::error::{CliError, Result};
use crate::svg;

/// Options of `zkpot bench`.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Zoo model (provable: `mlp`).
    pub model: String,
    /// Dataset (default: synthetic data of the model's shape).
    pub dataset: Option<DatasetSpec>,
    /// Batch size.
    pub batch: usize,
    /// Proven iterations.
    pub iterations: u64,
    /// Rows to commit (default: the smallest power of two ≥ max(256, batch·iterations)).
    pub samples: Option<usize>,
    /// Learning-rate shift.
    pub lr_shift: u32,
    /// Use this SRS file instead of a fresh development SRS.
    pub srs: Option<PathBuf>,
    /// Where the results table and plots go.
    pub out_dir: PathBuf,
    /// Scratch directory for the run (default: a temporary one, removed at the end).
    pub work_dir: Option<PathBuf>,
    /// Compute backend.
    pub backend: Backend,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            model: "mlp".into(),
            dataset: None,
            batch: 16,
            iterations: 4,
            samples: None,
            lr_shift: 10,
            srs: None,
            out_dir: PathBuf::from("docs/bench-results"),
            work_dir: None,
            backend: Backend::Cpu,
        }
    }
}

/// Peak resident memory of this process (`VmHWM`), in KiB, where `/proc` has it.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Run the benchmark; returns the path of the results table.
pub fn run(opts: &BenchOptions) -> Result<PathBuf> {
    let (dir, temporary) = match &opts.work_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("zkpot-bench-{}", std::process::id())),
            true,
        ),
    };
    if dir.join("run").exists() {
        return Err(CliError::usage(format!(
            "{} already holds a benchmark run",
            dir.display()
        )));
    }
    std::fs::create_dir_all(&dir).map_err(CliError::io(&dir))?;
    let r = run_in(opts, &dir);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    r
}

fn run_in(opts: &BenchOptions, dir: &Path) -> Result<PathBuf> {
    let model = model_by_name(&opts.model)?;
    provable(&model)?;
    let dataset = opts.dataset.clone().unwrap_or(match model.input_len() {
        784 => DatasetSpec::SyntheticMnist,
        _ => DatasetSpec::SyntheticCifar,
    });
    let want = opts.samples.unwrap_or_else(|| {
        (opts.batch * opts.iterations as usize)
            .max(256)
            .next_power_of_two()
    });
    let cfg = TrainConfig::new(nn_layers::FixedConfig::default(), opts.lr_shift)?;
    let rows = 1usize << (usize::BITS - 1 - want.max(1).leading_zeros());
    let sizes = required_sizes(&model, &cfg, rows, Some(opts.batch))?;
    let log_size = sizes.max();

    println!(
        "bench: model {}, batch {}, {} iterations, {rows} rows, SRS 2^{log_size}",
        model.name, opts.batch, opts.iterations
    );
    let t0 = Instant::now();
    let (srs, srs_path) = match &opts.srs {
        Some(p) => (crate::commands::load_srs(p)?, p.clone()),
        None => {
            warn_if_insecure(true);
            let srs = Srs::dev_setup_u64(DEFAULT_DEV_SEED, log_size)?;
            let p = dir.join("srs.bin");
            srs.save(&p)
                .map_err(|e| CliError::bad_input(&p, e.to_string()))?;
            (srs, p)
        }
    };
    let setup_s = t0.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let data_path = dir.join("data.zkd");
    let data = commit_data::run_with_srs(
        &CommitDataOptions {
            dataset: dataset.clone(),
            samples: Some(want),
            shuffle_seed: DEFAULT_SHUFFLE_SEED,
            srs: srs_path.clone(),
            model: Some(model.name.clone()),
            out: data_path.clone(),
        },
        &srs,
        true,
    )?;
    let commit_s = t0.elapsed().as_secs_f64();

    let run_dir = dir.join("run");
    let t0 = Instant::now();
    let tr = train::run_loaded(
        &TrainOptions {
            model: model.name.clone(),
            data: data_path,
            srs: Some(srs_path),
            batch: opts.batch,
            lr_shift: opts.lr_shift,
            iterations: opts.iterations,
            commit: true,
            fold: false,
            spark: false,
            out: run_dir.clone(),
            init: InitSource::Seed(DEFAULT_INIT_SEED),
            resume: false,
            backend: opts.backend,
            progress: true,
        },
        &model,
        &data,
        Some(&srs),
    )?;
    let train_s = t0.elapsed().as_secs_f64();
    let st = tr
        .statement
        .clone()
        .ok_or_else(|| CliError::usage("internal: proven run without a statement"))?;
    let report = verify::verify_loaded(&run_dir, st, &srs, tr.final_commitment)?;
    if !report.accepted {
        return Err(CliError::rejected(report.reason.unwrap_or_default()));
    }
    let peak = peak_rss_kib();

    // The plain fixed-point step on the same batches (same integers, no trace, no proof).
    let ds = data.quantized();
    let params0 = nn_layers::Params::init_kaiming(&model, &cfg.fixed, DEFAULT_INIT_SEED)?;
    let mut plain = Vec::new();
    let mut params = params0;
    for t in 0..opts.iterations {
        let b = ds.batch(t, opts.batch)?;
        let t0 = Instant::now();
        let out = nn_layers::train_step_plain(&model, &params, b.inputs, b.labels, &cfg)?;
        plain.push(ms(t0.elapsed()));
        params = out.updated;
    }
    let plain_ms = plain.iter().sum::<f64>() / plain.len().max(1) as f64;

    // Results table.
    let mut md = String::new();
    let _ = writeln!(md, "# zkpot end-to-end benchmark\n");
    let _ = writeln!(md, "Generated by `zkpot bench --model {} --batch {} --iterations {} --samples {rows} --backend {}` (see `benches/README.md`); do not edit by hand.\n", model.name, opts.batch, opts.iterations, opts.backend.as_str());
    let _ = writeln!(
        md,
        "- machine: {} ({} threads available)",
        cpu_model(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let _ = writeln!(md, "- backend: {}", check_backend(opts.backend)?.describe());
    let _ = writeln!(
        md,
        "- model `{}` ({} parameters), batch {}, lr-shift {}, F = {}, dataset {} ({rows} rows)",
        model.name,
        model.num_params(),
        opts.batch,
        opts.lr_shift,
        cfg.fixed.frac_bits,
        data.source
    );
    let _ = writeln!(
        md,
        "- SRS 2^{log_size}{} — committed vectors: dataset 2^{}, model 2^{}, aux 2^{}",
        if srs.is_insecure_dev() {
            " (insecure development SRS)"
        } else {
            ""
        },
        sizes.data,
        sizes.model.unwrap_or(0),
        sizes.aux.unwrap_or(0)
    );
    let _ = writeln!(
        md,
        "- setup {setup_s:.2} s, commit-data {commit_s:.2} s, train --commit {train_s:.2} s in all"
    );
    let _ = writeln!(
        md,
        "- peak resident memory (VmHWM): {}\n",
        peak.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    );
    let _ = writeln!(md, "| iteration | loss | witness ms | commit ms | sumchecks ms | range check ms | opening ms | prove ms (total) | proof bytes | verify ms |");
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut phases: Vec<(&str, Vec<f64>)> = vec![
        ("witness", vec![]),
        ("commit", vec![]),
        ("sumchecks", vec![]),
        ("range check", vec![]),
        ("opening", vec![]),
    ];
    let mut sizes_b = vec![];
    let mut verify_ms = vec![];
    for r in &tr.records {
        let tm = r.timings.unwrap_or_default();
        let vals = [
            tm.witness,
            tm.commit,
            tm.sumchecks,
            tm.range_check,
            tm.opening,
        ]
        .map(ms);
        for (p, v) in phases.iter_mut().zip(vals) {
            p.1.push(v);
        }
        let v = report
            .times
            .get(r.iteration as usize)
            .map_or(0.0, |d| ms(*d));
        sizes_b.push(r.proof_bytes as f64);
        verify_ms.push(v);
        let _ = writeln!(
            md,
            "| {} | {:.5} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {:.1} |",
            r.iteration,
            r.loss,
            vals[0],
            vals[1],
            vals[2],
            vals[3],
            vals[4],
            ms(r.time),
            r.proof_bytes,
            v
        );
    }
    let n = tr.records.len().max(1) as f64;
    let _ = writeln!(
        md,
        "\nMean prove time {:.0} ms, mean proof {:.0} bytes, mean verify {:.1} ms per iteration.\n",
        tr.records.iter().map(|r| ms(r.time)).sum::<f64>() / n,
        sizes_b.iter().sum::<f64>() / n,
        verify_ms.iter().sum::<f64>() / n
    );
    let mean_prove = tr.records.iter().map(|r| ms(r.time)).sum::<f64>() / n;
    let _ = writeln!(
        md,
        "Plain fixed-point training step (same batches, `train_step_plain`): {plain_ms:.1} ms; \
         proving costs {:.0}× the plain step.\n",
        mean_prove / plain_ms.max(1e-9)
    );
    // Relation time per layer (conv networks), summed over the iterations.
    let mut per_layer: Vec<(usize, &str, f64)> = Vec::new();
    for r in &tr.records {
        for &(l, what, d) in &r.layer_timings {
            match per_layer.iter_mut().find(|e| e.0 == l && e.1 == what) {
                Some(e) => e.2 += ms(d),
                None => per_layer.push((l, what, ms(d))),
            }
        }
    }
    if !per_layer.is_empty() {
        let _ = writeln!(
            md,
            "Relation sumchecks per layer (mean over the iterations; the \"sumchecks\" column \
             above is their sum plus the prover's evaluations):\n"
        );
        let _ = writeln!(md, "| layer | kind | phase | ms |\n|---:|---|---|---:|");
        for (l, what, t) in &per_layer {
            let _ = writeln!(
                md,
                "| {l} | {} | {what} | {:.1} |",
                model.layers[*l].kind(),
                t / n
            );
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "![prover time per phase](prover-phases.svg)\n\n![proof size](proof-size.svg)\n\n![verify time](verify-time.svg)");

    let cats: Vec<String> = tr.records.iter().map(|r| r.iteration.to_string()).collect();
    std::fs::create_dir_all(&opts.out_dir).map_err(CliError::io(&opts.out_dir))?;
    let title = format!("{} batch {}: prover time per phase", model.name, opts.batch);
    let files = [
        (
            "prover-phases.svg",
            svg::stacked_bars(&title, "ms", &cats, &phases),
        ),
        (
            "proof-size.svg",
            svg::lines(
                "proof size per iteration",
                "bytes",
                &cats,
                &[("proof file", sizes_b)],
            ),
        ),
        (
            "verify-time.svg",
            svg::lines(
                "verification time per iteration",
                "ms",
                &cats,
                &[("verify", verify_ms)],
            ),
        ),
        ("results.md", md),
    ];
    for (name, body) in files {
        crate::formats::write_atomic(&opts.out_dir.join(name), body.as_bytes())?;
    }
    let out = opts.out_dir.join("results.md");
    println!("wrote {} and plots", out.display());
    Ok(out)
}
