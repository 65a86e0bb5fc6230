//! The `zkpot` binary: argument parsing and exit codes over the `zkpot_cli` library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use zkpot_cli::commands::commit_data::{CommitDataOptions, DatasetSpec, DEFAULT_SHUFFLE_SEED};
use zkpot_cli::commands::setup::{SetupOptions, DEFAULT_DEV_SEED};
use zkpot_cli::commands::train::{InitSource, TrainOptions, DEFAULT_INIT_SEED};
use zkpot_cli::commands::verify::{VerifyOptions, VerifyReport};
use zkpot_cli::commands::{self, Backend};
use zkpot_cli::{CliError, EXIT_OK, EXIT_REJECTED};

/// zkpot: zero-knowledge proofs of training.
#[derive(Debug, Parser)]
#[command(
    name = "zkpot",
    version,
    about = "zkpot: zero-knowledge proofs of training (exit codes: 0 ok/accepted, 1 rejected, 2 bad usage or input)",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum BackendArg {
    Auto,
    Cpu,
    Gpu,
}

impl From<BackendArg> for Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Auto => Backend::Auto,
            BackendArg::Cpu => Backend::Cpu,
            BackendArg::Gpu => Backend::Gpu,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a development SRS (INSECURE, from a seed) or import powers of tau from a .ptau file.
    Setup {
        /// The SRS holds 2^N powers of tau.
        #[arg(long, value_name = "N")]
        log_size: usize,
        /// snarkjs powers-of-tau file to import (checked: points on curve, G2 subgroup, consistency).
        #[arg(long, value_name = "FILE")]
        ptau: Option<PathBuf>,
        /// Seed of the development SRS.
        #[arg(long, default_value_t = DEFAULT_DEV_SEED)]
        dev_seed: u64,
        /// Output SRS file.
        #[arg(long, value_name = "SRS")]
        out: PathBuf,
    },
    /// Shuffle (public seed), quantize and commit a dataset: writes a DATA file holding C_D.
    CommitData {
        /// synthetic-mnist | synthetic-cifar | mnist:DIR | cifar10:DIR
        #[arg(long, value_name = "SOURCE")]
        dataset: DatasetSpec,
        /// Synthetic: samples generated (default 512); real: at most this many. Rounded down to a power of two.
        #[arg(long, value_name = "N")]
        samples: Option<usize>,
        /// Public shuffle seed.
        #[arg(long, value_name = "S", default_value_t = DEFAULT_SHUFFLE_SEED)]
        shuffle_seed: u64,
        /// SRS file.
        #[arg(long, value_name = "SRS")]
        srs: PathBuf,
        /// Model whose row layout to use (default: mlp for MNIST, lenet5 for CIFAR-10; vgg11 shares lenet5's layout).
        #[arg(long)]
        model: Option<String>,
        /// Output DATA file.
        #[arg(long, value_name = "DATA")]
        out: PathBuf,
    },
    /// Train with exact fixed-point SGD; with --commit, prove every iteration.
    Train {
        /// mlp | lenet5 | vgg11 | mlp:H1,H2,... (custom dense net on MNIST-shaped data)
        #[arg(long)]
        model: String,
        /// DATA file from commit-data.
        #[arg(long, value_name = "DATA")]
        data: PathBuf,
        /// SRS file (required with --commit).
        #[arg(long, value_name = "SRS")]
        srs: Option<PathBuf>,
        /// Batch size (a power of two).
        #[arg(long, value_name = "B")]
        batch: usize,
        /// Learning-rate shift k: lr / batch = 2^-k.
        #[arg(long, value_name = "K")]
        lr_shift: u32,
        /// Total iterations of the run (with --resume: continue up to this many).
        #[arg(long, value_name = "N")]
        iterations: u64,
        /// Prove every iteration and publish the model commitment after each.
        #[arg(long)]
        commit: bool,
        /// With --commit: also fold every iteration into one constant-size proof, RUN/final.proof, rewritten after each iteration (the SRS must cover the augmented circuit: 2^21 for mlp, 2^22 for lenet5).
        #[arg(long, requires = "commit")]
        fold: bool,
        /// With --fold: the decider proves the augmented circuit's matrix evaluation (SPARK) instead of leaving the verifier a pass over them: verification no longer grows with the circuit, at the price of slower keys and final proofs and a larger SRS (2^24 for mlp).
        #[arg(long, requires = "fold")]
        spark: bool,
        /// Run directory.
        #[arg(long, value_name = "RUN")]
        out: PathBuf,
        /// Public seed of the Kaiming initialization (the verifier recomputes C_W_0).
        #[arg(long, value_name = "S", conflicts_with = "init")]
        init_seed: Option<u64>,
        /// Private initial model (safetensors); only its commitment is published.
        #[arg(long, value_name = "FILE.safetensors")]
        init: Option<PathBuf>,
        /// Continue an interrupted run from its last proven iteration.
        #[arg(long)]
        resume: bool,
        /// Compute backend.
        #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
        backend: BackendArg,
    },
    /// Verify a run: statement, then its folded proof (RUN/final.proof) if it has one, else every proof in order and the commitment chain. Exit 0 accepted, 1 rejected, 2 bad input.
    Verify {
        /// Run directory.
        run: PathBuf,
        /// Claimed final model commitment (hex); default: the last one of the chain.
        #[arg(long, value_name = "HEX")]
        model_commitment: Option<String>,
        /// SRS file (default: the path recorded in the run statement).
        #[arg(long, value_name = "SRS")]
        srs: Option<PathBuf>,
        /// Print a machine-readable JSON result.
        #[arg(long)]
        json: bool,
        /// Check every iteration's proof even when the run has a folded proof (debugging).
        #[arg(long)]
        each: bool,
        /// Benchmarking: verify an accepted folded proof N more times and print the median time.
        #[arg(long, value_name = "N", default_value_t = 0)]
        timing_runs: usize,
    },
    /// Show what a run directory or a zkpot file is and what it commits to.
    Inspect {
        /// A run directory or a file (SRS, DATA, statement, proof, checkpoint, safetensors, ptau).
        path: PathBuf,
    },
    /// End-to-end benchmark: setup, commit-data, train --commit, verify; writes a results table and SVG plots.
    Bench {
        /// Model to prove.
        #[arg(long, default_value = "mlp")]
        model: String,
        /// Dataset (default: synthetic data of the model's shape).
        #[arg(long, value_name = "SOURCE")]
        dataset: Option<DatasetSpec>,
        /// Batch size.
        #[arg(long, default_value_t = 16)]
        batch: usize,
        /// Proven iterations.
        #[arg(long, default_value_t = 4)]
        iterations: u64,
        /// Rows to commit.
        #[arg(long)]
        samples: Option<usize>,
        /// Learning-rate shift (lr = batch·2^-k; the default 10 gives lr 1/64 at batch 16).
        #[arg(long, default_value_t = 10)]
        lr_shift: u32,
        /// Use this SRS instead of a fresh development SRS.
        #[arg(long, value_name = "SRS")]
        srs: Option<PathBuf>,
        /// Where results.md and the plots go.
        #[arg(long, default_value = "docs/bench-results")]
        out_dir: PathBuf,
        /// Keep the run in this directory (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Compute backend.
        #[arg(long, value_enum, default_value_t = BackendArg::Cpu)]
        backend: BackendArg,
    },
    /// Everything above on an embedded synthetic dataset: no arguments, no downloads.
    Demo {
        /// Keep the demo's files here (default: a temporary directory, removed afterwards).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Per-iteration proofs only (each verified), without folding them into one proof.
        #[arg(long)]
        no_fold: bool,
    },
}

fn fail(e: &CliError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(e.exit_code() as u8)
}

fn verdict(accepted: bool) -> ExitCode {
    ExitCode::from(if accepted { EXIT_OK } else { EXIT_REJECTED } as u8)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Setup {
            log_size,
            ptau,
            dev_seed,
            out,
        } => {
            match commands::setup::run(
                &SetupOptions {
                    log_size,
                    ptau,
                    dev_seed,
                    out,
                },
                false,
            ) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Command::CommitData {
            dataset,
            samples,
            shuffle_seed,
            srs,
            model,
            out,
        } => {
            let opts = CommitDataOptions {
                dataset,
                samples,
                shuffle_seed,
                srs,
                model,
                out,
            };
            match commands::commit_data::run(&opts, false) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Command::Train {
            model,
            data,
            srs,
            batch,
            lr_shift,
            iterations,
            commit,
            fold,
            spark,
            out,
            init_seed,
            init,
            resume,
            backend,
        } => {
            let init = match init {
                Some(p) => InitSource::File(p),
                None => InitSource::Seed(init_seed.unwrap_or(DEFAULT_INIT_SEED)),
            };
            let backend = backend.into();
            let opts = TrainOptions {
                model,
                data,
                srs,
                batch,
                lr_shift,
                iterations,
                commit,
                fold,
                spark,
                out,
                init,
                resume,
                backend,
                progress: true,
            };
            match commands::train::run(&opts) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Command::Verify {
            run,
            model_commitment,
            srs,
            json,
            each,
            timing_runs,
        } => {
            let opts = VerifyOptions {
                run: run.clone(),
                model_commitment,
                srs,
                each,
                timing_runs,
            };
            match commands::verify::run(&opts) {
                Ok(report) => {
                    if json {
                        println!("{}", commands::verify::to_json(&run, &report, None));
                    } else {
                        commands::verify::print_human(&run, &report);
                    }
                    verdict(report.accepted)
                }
                Err(e) => {
                    if json {
                        println!(
                            "{}",
                            commands::verify::to_json(&run, &VerifyReport::default(), Some(&e))
                        );
                    }
                    fail(&e)
                }
            }
        }
        Command::Inspect { path } => match commands::inspect::run(&path) {
            Ok(s) => {
                print!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Bench {
            model,
            dataset,
            batch,
            iterations,
            samples,
            lr_shift,
            srs,
            out_dir,
            work_dir,
            backend,
        } => {
            let opts = commands::bench::BenchOptions {
                backend: backend.into(),
                model,
                dataset,
                batch,
                iterations,
                samples,
                lr_shift,
                srs,
                out_dir,
                work_dir,
            };
            match commands::bench::run(&opts) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Command::Demo { out, no_fold } => {
            let opts = commands::demo::DemoOptions {
                out,
                fold: !no_fold,
                ..Default::default()
            };
            match commands::demo::run(&opts) {
                Ok(r) => verdict(r.accepted),
                Err(e) => fail(&e),
            }
        }
    }
}
