//! `zkpot verify RUN`: the statement, then either the run's folded proof (`RUN/final.proof`, one
//! constant-size proof of all its folded iterations, checked against the statement and its final
//! model commitment) or, for runs without one or with `--each`, every iteration's proof in order
//! and the commitment chain `C_W_0 → C_W_1 → … → C_W_n` up to the claimed final model
//! commitment.
//!
//! Outcomes: `Ok(report)` with `accepted` true (exit 0) or false (exit 1, `reason` says why);
//! `Err` for unusable input (exit 2: unreadable statement, missing SRS, bad arguments). Nothing
//! read from the run directory is trusted: no panics, every malformed proof file is a rejection.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nn_layers::proof::{
    commit_model, verify_dataset_wellformed, verify_model_wellformed, verify_step, DataCommitment,
    DatasetLayout, DatasetWellFormedProof, ModelWellFormedProof, StepProof, StepStatement,
};
use nn_layers::{Params, TrainConfig};
use pcs::{HyperKzg, Srs};

use crate::commands::{
    check_srs_size, fold, load_srs, model_by_name, ms, provable, required_sizes,
};
use crate::error::{CliError, Result};
use crate::formats::{
    self, list_proofs, proof_path, InitKind, IterationFile, Point, RunStatement, FINAL_PROOF_FILE,
    ITERATION_MAGIC, STATEMENT_FILE, STATEMENT_MAGIC,
};

/// Options of `zkpot verify`.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The run directory.
    pub run: PathBuf,
    /// The claimed final model commitment (hex); default: the last one of the chain.
    pub model_commitment: Option<String>,
    /// The SRS (default: the path recorded in the statement).
    pub srs: Option<PathBuf>,
    /// Check every iteration's proof even when the run has a folded proof (debugging).
    pub each: bool,
    /// Verify an accepted folded proof this many more times and report the median time.
    pub timing_runs: usize,
}

/// What checking a folded proof measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct FoldedSummary {
    /// Size of `RUN/final.proof`.
    pub bytes: u64,
    /// Verification time (without deriving the keys).
    pub verify: Duration,
    /// Deriving the keys (synthesizing the augmented circuit).
    pub keys: Duration,
    /// Repeated verifications (`--timing-runs`), when asked for.
    pub repeated: Option<fold::RepeatedTiming>,
}

/// The verdict.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Accepted?
    pub accepted: bool,
    /// Why not.
    pub reason: Option<String>,
    /// The statement.
    pub statement: Option<RunStatement>,
    /// Number of iterations verified.
    pub iterations: u64,
    /// `C_W_n`.
    pub final_commitment: Option<Point>,
    /// Verification time of each iteration's proof.
    pub times: Vec<Duration>,
    /// Proof file sizes.
    pub proof_bytes: Vec<u64>,
    /// The folded proof, when that is what was checked.
    pub folded: Option<FoldedSummary>,
}

impl VerifyReport {
    fn reject(mut self, reason: impl Into<String>) -> Self {
        self.accepted = false;
        self.reason = Some(reason.into());
        self
    }
}

/// Verify a run, loading the SRS (see [`VerifyOptions::srs`]).
pub fn run(opts: &VerifyOptions) -> Result<VerifyReport> {
    let claimed = match &opts.model_commitment {
        Some(h) => Some(Point::from_hex(h).ok_or_else(|| {
            CliError::usage(format!(
                "--model-commitment `{h}` is not a 64-hex-digit compressed G1 point"
            ))
        })?),
        None => None,
    };
    let stmt_path = opts.run.join(STATEMENT_FILE);
    if !opts.run.is_dir() {
        return Err(CliError::usage(format!(
            "{} is not a run directory",
            opts.run.display()
        )));
    }
    let st: RunStatement = formats::load(&STATEMENT_MAGIC, &stmt_path)?;
    let srs_path = opts
        .srs
        .clone()
        .unwrap_or_else(|| PathBuf::from(&st.srs_path));
    if srs_path.as_os_str().is_empty() {
        return Err(CliError::usage(
            "the statement names no SRS: pass --srs SRS",
        ));
    }
    let srs = match load_srs(&srs_path) {
        Ok(s) => s,
        Err(e) if opts.srs.is_none() => {
            return Err(CliError::usage(format!(
            "{e} (the SRS path recorded in the run statement; pass the run's SRS with --srs SRS)"
        )))
        }
        Err(e) => return Err(e),
    };
    if srs.digest() != st.srs_digest {
        return Err(CliError::bad_input(
            &srs_path,
            format!(
                "SRS digest {} is not the run's {} (pass the run's SRS with --srs)",
                formats::hex(&srs.digest()),
                formats::hex(&st.srs_digest)
            ),
        ));
    }
    verify_loaded_mode(&opts.run, st, &srs, claimed, opts.each, opts.timing_runs)
}

/// [`run`] with the statement and SRS loaded (the folded proof if the run has one).
pub fn verify_loaded(
    run: &Path,
    st: RunStatement,
    srs: &Srs,
    claimed: Option<Point>,
) -> Result<VerifyReport> {
    verify_loaded_mode(run, st, srs, claimed, false, 0)
}

/// [`verify_loaded`], checking every iteration's proof when `each`, and timing an accepted folded
/// proof's verification `timing_runs` more times.
pub fn verify_loaded_mode(
    run: &Path,
    st: RunStatement,
    srs: &Srs,
    claimed: Option<Point>,
    each: bool,
    timing_runs: usize,
) -> Result<VerifyReport> {
    let report = VerifyReport {
        statement: Some(st.clone()),
        ..VerifyReport::default()
    };
    // Loading a development SRS already warned; the statement's flag covers an SRS file whose
    // header flag was stripped (the digest covers the points, not the flag).
    if st.srs_insecure && !srs.is_insecure_dev() {
        crate::commands::warn_if_insecure(true);
    }
    let model = model_by_name(&st.model).map_err(|_| {
        CliError::bad_input(
            run.join(STATEMENT_FILE),
            format!("unknown model `{}`", st.model),
        )
    })?;
    provable(&model)?;
    if model.digest(&st.fixed) != st.model_digest {
        return Ok(report.reject("architecture digest does not match the named model"));
    }
    let cfg = match TrainConfig::new(st.fixed, st.lr_shift) {
        Ok(c) => c,
        Err(e) => return Ok(report.reject(format!("invalid training parameters: {e}"))),
    };
    let rows = st.data_layout.rows;
    // Bound every size before layout arithmetic: no SRS has more than 2^MAX_LOG_SIZE powers.
    if rows == 0 || rows > (1usize << pcs::srs::MAX_LOG_SIZE) {
        return Ok(report.reject("dataset size out of range"));
    }
    match DatasetLayout::new(&model, rows) {
        Ok(l) if l == st.data_layout => {}
        _ => return Ok(report.reject("dataset layout does not match the model")),
    }
    if !st.batch.is_power_of_two() || st.batch > rows {
        return Ok(report.reject("batch size is not a power of two within the dataset"));
    }
    let sizes = match required_sizes(&model, &cfg, rows, Some(st.batch)) {
        Ok(s) => s,
        Err(e) => return Ok(report.reject(format!("statement: {e}"))),
    };
    let mut need = sizes.max();
    if st.init == InitKind::Committed {
        match nn_layers::proof::model_wellformed_vars(&model, &cfg.fixed) {
            Ok(v) => need = need.max(v),
            Err(e) => return Ok(report.reject(format!("statement: {e}"))),
        }
    }
    check_srs_size(
        srs,
        need,
        &format!("verifying `{}` at batch {}", model.name, st.batch),
    )?;
    let (pk, vk) = HyperKzg::keys(srs, need)?;

    // The dataset commitment is well formed (zero padding, one-hot labels, inputs in range):
    // the step proofs' padding argument rests on it. Checked once per run.
    let wf = match DatasetWellFormedProof::from_bytes(&st.data_wellformed) {
        Ok(p) => p,
        Err(e) => return Ok(report.reject(format!("dataset well-formedness proof: {e}"))),
    };
    let data_commitment = DataCommitment {
        commitment: st.data_commitment.0,
        layout: st.data_layout,
    };
    if let Err(e) = verify_dataset_wellformed(&vk, &data_commitment, &cfg.fixed, &wf) {
        return Ok(report.reject(format!("dataset commitment is not well formed: {e}")));
    }
    // A private start proves its commitment well formed; a seeded one is recomputed below.
    match (&st.init, &st.model_wellformed) {
        (InitKind::Committed, Some(bytes)) => {
            let proof = match ModelWellFormedProof::from_bytes(bytes) {
                Ok(p) => p,
                Err(e) => return Ok(report.reject(format!("model well-formedness proof: {e}"))),
            };
            if let Err(e) = verify_model_wellformed(
                &vk,
                &model,
                &cfg.fixed,
                &st.initial_model_commitment.0,
                &proof,
            ) {
                return Ok(
                    report.reject(format!("initial model commitment is not well formed: {e}"))
                );
            }
        }
        (InitKind::Committed, None) => {
            return Ok(report.reject("private initial model without a well-formedness proof"));
        }
        (InitKind::Seed(_), Some(_)) => {
            return Ok(
                report.reject("seeded initial model with an unexpected well-formedness proof")
            );
        }
        (InitKind::Seed(_), None) => {}
    }

    // The initial model.
    if let InitKind::Seed(seed) = st.init {
        let p0 = Params::init_kaiming(&model, &cfg.fixed, seed)?;
        let c0 = Point(commit_model(&pk, &model, &p0)?);
        if c0 != st.initial_model_commitment {
            return Ok(report.reject(format!(
                "initial model commitment is not the commitment of the seed-{seed} initialization"
            )));
        }
    }

    // The folded proof: one check, whatever the number of iterations.
    if !each && run.join(FINAL_PROOF_FILE).exists() {
        let v = fold::verify_run(
            run,
            &st.run_id()?,
            srs,
            &model,
            &cfg,
            st.batch,
            &data_commitment,
            &st.initial_model_commitment,
            timing_runs,
        )?;
        let mut report = report;
        report.iterations = v.iterations;
        report.final_commitment = Some(v.final_model);
        report.folded = Some(FoldedSummary {
            bytes: v.bytes,
            verify: v.verify,
            keys: v.keys,
            repeated: v.repeated,
        });
        if let Err(reason) = v.result {
            return Ok(report.reject(reason));
        }
        if claimed.is_some_and(|c| c != v.final_model) {
            return Ok(report.reject(format!(
                "the claimed model commitment is not C_W_{}, the folded proof's final one",
                v.iterations
            )));
        }
        report.accepted = true;
        return Ok(report);
    }

    // The proofs, in order, and the chain.
    let indices = list_proofs(run)?;
    if indices.is_empty() {
        return Ok(report.reject("the run holds no iteration proofs"));
    }
    if let Some(gap) = (0..indices.len() as u64).find(|&i| indices.get(i as usize) != Some(&i)) {
        return Ok(report.reject(format!("proof of iteration {gap} is missing")));
    }
    let run_id = st.run_id()?;
    let data = DataCommitment {
        commitment: st.data_commitment.0,
        layout: st.data_layout,
    };
    let mut report = report;
    let mut c = st.initial_model_commitment;
    let mut chain = vec![c];
    for t in 0..indices.len() as u64 {
        let path = proof_path(run, t);
        let bytes = match formats::read_bytes(&path) {
            Ok(b) => b,
            Err(e) => return Ok(report.reject(format!("iteration {t}: {e}"))),
        };
        let t0 = Instant::now();
        let file: IterationFile = match formats::decode(&ITERATION_MAGIC, &bytes) {
            Ok(f) => f,
            Err(e) => {
                return Ok(report.reject(format!("iteration {t}: malformed proof file: {}", e.0)))
            }
        };
        if file.run_id != run_id {
            return Ok(report.reject(format!(
                "iteration {t}: the proof file belongs to another run"
            )));
        }
        if file.iteration != t {
            return Ok(report.reject(format!(
                "iteration {t}: the file holds the proof of iteration {}",
                file.iteration
            )));
        }
        let proof = match StepProof::from_bytes(&file.proof) {
            Ok(p) => p,
            Err(e) => return Ok(report.reject(format!("iteration {t}: {e}"))),
        };
        let statement = StepStatement::new(&st.srs_digest, &model, &cfg, st.batch, &data, t, c.0);
        match verify_step(&vk, &model, &cfg, &statement, &proof) {
            Ok(next) => c = Point(next),
            Err(e) => return Ok(report.reject(format!("iteration {t}: {e}"))),
        }
        report.times.push(t0.elapsed());
        report.proof_bytes.push(bytes.len() as u64);
        report.iterations = t + 1;
        chain.push(c);
    }
    report.final_commitment = Some(c);
    if let Some(claim) = claimed {
        if claim != c {
            let why = match chain.iter().position(|x| *x == claim) {
                Some(i) => format!(
                    "the claimed model commitment is C_W_{i}, not the final C_W_{}",
                    chain.len() - 1
                ),
                None => "the claimed model commitment is not in the run's commitment chain".into(),
            };
            return Ok(report.reject(why));
        }
    }
    report.accepted = true;
    Ok(report)
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn opt_json(s: Option<String>) -> String {
    s.map_or_else(|| "null".to_string(), |s| json_str(&s))
}

/// The machine-readable result (`--json`); `error` is set for exit-2 failures.
pub fn to_json(run: &Path, report: &VerifyReport, error: Option<&CliError>) -> String {
    let st = report.statement.as_ref();
    let exit = match error {
        Some(e) => e.exit_code(),
        None if report.accepted => 0,
        None => 1,
    };
    let times: Vec<String> = report
        .times
        .iter()
        .map(|d| format!("{:.3}", ms(*d)))
        .collect();
    let sizes: Vec<String> = report.proof_bytes.iter().map(|b| b.to_string()).collect();
    format!(
        "{{\"accepted\":{},\"exit_code\":{},\"run\":{},\"reason\":{},\"error\":{},\"model\":{},\"batch\":{},\"lr_shift\":{},\"frac_bits\":{},\"srs_insecure\":{},\"data_commitment\":{},\"initial_model_commitment\":{},\"init\":{},\"iterations\":{},\"final_model_commitment\":{},\"verify_ms\":[{}],\"proof_bytes\":[{}],\"folded\":{}}}",
        report.accepted,
        exit,
        json_str(&run.display().to_string()),
        opt_json(report.reason.clone()),
        opt_json(error.map(|e| e.to_string())),
        opt_json(st.map(|s| s.model.clone())),
        st.map_or("null".into(), |s| s.batch.to_string()),
        st.map_or("null".into(), |s| s.lr_shift.to_string()),
        st.map_or("null".into(), |s| s.fixed.frac_bits.to_string()),
        st.map_or("null".into(), |s| s.srs_insecure.to_string()),
        opt_json(st.map(|s| s.data_commitment.to_hex())),
        opt_json(st.map(|s| s.initial_model_commitment.to_hex())),
        opt_json(st.map(|s| match s.init {
            InitKind::Seed(x) => format!("seed:{x}"),
            InitKind::Committed => "committed".into(),
        })),
        report.iterations,
        opt_json(report.final_commitment.map(|c| c.to_hex())),
        times.join(","),
        sizes.join(","),
        report.folded.map_or("null".into(), |f| format!(
            "{{\"proof_bytes\":{},\"verify_ms\":{:.3},\"keys_ms\":{:.3},\"repeated\":{}}}",
            f.bytes,
            ms(f.verify),
            ms(f.keys),
            f.repeated.map_or("null".into(), |r| format!(
                "{{\"runs\":{},\"median_ms\":{:.3},\"min_ms\":{:.3}}}",
                r.runs,
                ms(r.median),
                ms(r.min)
            ))
        )),
    )
}

/// The human-readable result.
pub fn print_human(run: &Path, report: &VerifyReport) {
    if let Some(st) = &report.statement {
        println!(
            "run {}: model `{}`, batch {}, lr-shift {}, F = {}, init {}",
            run.display(),
            st.model,
            st.batch,
            st.lr_shift,
            st.fixed.frac_bits,
            match st.init {
                InitKind::Seed(s) => format!("from public seed {s} (recomputed)"),
                InitKind::Committed => "private (committed)".into(),
            }
        );
    }
    for (t, (d, b)) in report.times.iter().zip(&report.proof_bytes).enumerate() {
        println!(
            "  iteration {t:>4}: proof {b} bytes, verified in {:.1} ms",
            ms(*d)
        );
    }
    if let Some(f) = report.folded {
        println!(
            "  folded proof of {} iterations: {} bytes, verified in {:.1} ms (keys: augmented circuit synthesized in {:.1} s)",
            report.iterations,
            f.bytes,
            ms(f.verify),
            f.keys.as_secs_f64()
        );
        if let Some(r) = f.repeated {
            println!(
                "  verified {} more times: median {:.1} ms, fastest {:.1} ms",
                r.runs,
                ms(r.median),
                ms(r.min)
            );
        }
    }
    if report.accepted {
        if let Some(c) = report.final_commitment {
            println!(
                "ACCEPTED: {} iterations; final model commitment C_W_{} = {}",
                report.iterations,
                report.iterations,
                c.to_hex()
            );
        }
    } else {
        println!(
            "REJECTED: {}",
            report.reason.as_deref().unwrap_or("unknown reason")
        );
    }
}
