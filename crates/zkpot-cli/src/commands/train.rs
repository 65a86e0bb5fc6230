//! `zkpot train`: exact fixed-point SGD, with one proof per iteration under `--commit`.
//!
//! Crash safety (`--resume`): iteration `t` writes `proofs/iter-t.proof` (atomically), then the
//! checkpoint `W_{t+1}` (atomically). On resume the checkpoint is checked against the last proof's
//! `C_W_{t+1}`; if the process died between the two writes, `W_{t+1}` is recomputed from the
//! checkpoint's `W_t` (the step is deterministic) and checked against that proof's `C_W_{t+1}`,
//! so no proven iteration is lost and none is proven twice.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nn_layers::data::QuantizedDataset;
use nn_layers::proof::{
    commit_model, dataset_vector, prove_model_wellformed, prove_step, DataCommitment,
    DatasetLayout, ProverKey, StepProof, StepStatement, StepTimings,
};
use nn_layers::{train_step_plain, Model, Params, TrainConfig};
use pcs::{HyperKzg, Srs};
use recursion::training_proof::DeciderMode;
use sha2::{Digest, Sha256};

use crate::commands::{
    check_backend, check_srs_size, fold, human_bytes, load_srs, model_by_name, ms, provable,
    required_sizes, Backend,
};
use crate::error::{CliError, Result};
use crate::formats::{
    self, list_proofs, proof_path, Checkpoint, DataFile, InitKind, IterationFile, Point,
    RunStatement, CHECKPOINT_FILE, CHECKPOINT_MAGIC, ITERATION_MAGIC, LOG_FILE, MODEL_FILE,
    PROOFS_DIR, STATEMENT_FILE, STATEMENT_MAGIC,
};

/// Default public seed of the initial model.
pub const DEFAULT_INIT_SEED: u64 = 1;

/// Where `W_0` comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitSource {
    /// Kaiming-uniform from a public seed (the verifier recomputes `C_W_0`).
    Seed(u64),
    /// A safetensors file (a private start: only `C_W_0` is published).
    File(PathBuf),
}

/// Options of `zkpot train`.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Zoo model name.
    pub model: String,
    /// DATA file.
    pub data: PathBuf,
    /// SRS file (required with `commit`).
    pub srs: Option<PathBuf>,
    /// Batch size (a power of two).
    pub batch: usize,
    /// Learning-rate shift `k`.
    pub lr_shift: u32,
    /// Total iterations of the run (a resumed run continues up to this number).
    pub iterations: u64,
    /// Prove every iteration.
    pub commit: bool,
    /// With `commit`: also fold every iteration into one constant-size proof
    /// (`RUN/final.proof`, rewritten after each iteration).
    pub fold: bool,
    /// With `fold`: the decider in SPARK mode (`recursion::spark`).
    pub spark: bool,
    /// Run directory.
    pub out: PathBuf,
    /// Initial model.
    pub init: InitSource,
    /// Continue an interrupted run.
    pub resume: bool,
    /// Compute backend.
    pub backend: Backend,
    /// Progress bars and per-iteration summary lines.
    pub progress: bool,
}

/// One iteration done by this invocation.
#[derive(Clone, Debug)]
pub struct IterationRecord {
    /// Iteration `t`.
    pub iteration: u64,
    /// Training loss of the batch.
    pub loss: f64,
    /// Wall time of the step (training + proving).
    pub time: Duration,
    /// Prover phase split (proven runs).
    pub timings: Option<StepTimings>,
    /// Convolutional networks: relation time per `(layer, phase)`.
    pub layer_timings: Vec<(usize, &'static str, Duration)>,
    /// Size of the iteration's proof file (proven runs).
    pub proof_bytes: u64,
    /// Folded runs: the fold and the new final proof (`None` if not folded by this invocation).
    pub fold: Option<crate::commands::fold::FoldRecord>,
    /// `C_W_{t+1}` (proven runs).
    pub commitment: Option<Point>,
}

/// What `train` did.
#[derive(Clone, Debug)]
pub struct TrainReport {
    /// Iterations run by this invocation.
    pub records: Vec<IterationRecord>,
    /// Iteration the run was at when this invocation started.
    pub start_iteration: u64,
    /// `C_W` of the last iteration (proven runs).
    pub final_commitment: Option<Point>,
    /// The run statement (proven runs).
    pub statement: Option<RunStatement>,
}

fn create_dir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).map_err(CliError::io(p))
}

/// Run `train`, loading the DATA file and the SRS from their paths.
pub fn run(opts: &TrainOptions) -> Result<TrainReport> {
    check_backend(opts.backend)?;
    let model = model_by_name(&opts.model)?;
    if opts.commit {
        provable(&model)?;
    }
    let data = DataFile::load(&opts.data)?;
    let srs = match (&opts.srs, opts.commit) {
        (Some(p), true) => Some(load_srs(p)?),
        (None, true) => return Err(CliError::usage("train --commit needs --srs SRS")),
        (_, false) => None,
    };
    run_loaded(opts, &model, &data, srs.as_ref())
}

/// Checks shared by both modes; returns the training configuration.
fn check_common(opts: &TrainOptions, model: &Model, data: &DataFile) -> Result<TrainConfig> {
    let rows = data.labels.len();
    let expect = DatasetLayout::new(model, rows)?;
    if expect != data.layout {
        return Err(CliError::usage(format!(
            "{} was committed for model `{}` ({} inputs, {} classes); `{}` takes {} inputs and {} classes",
            opts.data.display(),
            data.model,
            data.layout.input_len,
            data.layout.num_classes,
            model.name,
            model.input_len(),
            model.num_classes()
        )));
    }
    if !opts.batch.is_power_of_two() || opts.batch > rows {
        return Err(CliError::usage(format!(
            "--batch {} must be a power of two not above the {rows} dataset rows",
            opts.batch
        )));
    }
    TrainConfig::new(data.fixed, opts.lr_shift)
        .map_err(|e| CliError::usage(format!("--lr-shift {}: {e}", opts.lr_shift)))
}

/// Initial parameters and how they were made.
fn initial_params(
    opts: &TrainOptions,
    model: &Model,
    cfg: &TrainConfig,
) -> Result<(Params, InitKind)> {
    match &opts.init {
        InitSource::Seed(s) => Ok((
            Params::init_kaiming(model, &cfg.fixed, *s)?,
            InitKind::Seed(*s),
        )),
        InitSource::File(p) => {
            let bytes = formats::read_bytes(p)?;
            let params = Params::from_safetensors(model, &cfg.fixed, &bytes)
                .map_err(|e| CliError::bad_input(p, e.to_string()))?;
            params
                .check_range(&cfg.fixed)
                .map_err(|e| CliError::bad_input(p, e.to_string()))?;
            Ok((params, InitKind::Committed))
        }
    }
}

/// [`run`] with the model, the DATA file and the SRS already loaded.
pub fn run_loaded(
    opts: &TrainOptions,
    model: &Model,
    data: &DataFile,
    srs: Option<&Srs>,
) -> Result<TrainReport> {
    let backend = check_backend(opts.backend)?;
    if opts.progress {
        eprintln!("backend: {}", backend.describe());
    }
    let cfg = check_common(opts, model, data)?;
    let ds = data.quantized();
    match (opts.commit, srs) {
        (true, Some(srs)) => {
            provable(model)?;
            Proven::new(opts, model, data, srs, cfg, ds)?.run()
        }
        (true, None) => Err(CliError::usage("train --commit needs --srs SRS")),
        (false, _) if opts.fold => Err(CliError::usage(
            "--fold folds proven iterations: it needs --commit",
        )),
        (false, _) => run_plain(opts, model, data, cfg, ds),
    }
}

struct Progress {
    bar: ProgressBar,
    on: bool,
}

impl Progress {
    fn new(on: bool, start: u64, total: u64, what: &str) -> Self {
        let bar = if on {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} iterations  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_position(start);
        bar.set_message(what.to_string());
        if on {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Self { bar, on }
    }
    fn line(&self, s: &str) {
        if self.on {
            self.bar.suspend(|| println!("{s}"));
        }
    }
}

fn append_log(run: &Path, line: &str) -> Result<()> {
    let p = run.join(LOG_FILE);
    let new = !p.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&p)
        .map_err(CliError::io(&p))?;
    if new {
        writeln!(
            f,
            "iteration\tloss\tstep_ms\tproof_bytes\tmodel_commitment_after"
        )
        .map_err(CliError::io(&p))?;
    }
    writeln!(f, "{line}").map_err(CliError::io(&p))
}

fn export_model(run: &Path, model: &Model, cfg: &TrainConfig, params: &Params) -> Result<()> {
    let st = params.to_safetensors(model, &cfg.fixed)?;
    formats::write_atomic(&run.join(MODEL_FILE), &st)
}

struct Proven<'a> {
    opts: &'a TrainOptions,
    model: &'a Model,
    data: &'a DataFile,
    srs: &'a Srs,
    cfg: TrainConfig,
    ds: QuantizedDataset,
    values: Vec<i64>,
    pk: ProverKey,
    dc: DataCommitment,
}

impl<'a> Proven<'a> {
    fn new(
        opts: &'a TrainOptions,
        model: &'a Model,
        data: &'a DataFile,
        srs: &'a Srs,
        cfg: TrainConfig,
        ds: QuantizedDataset,
    ) -> Result<Self> {
        if srs.digest() != data.srs_digest {
            return Err(CliError::usage(format!(
                "{} was committed with another SRS (digest {}), not this one ({})",
                opts.data.display(),
                formats::hex(&data.srs_digest),
                formats::hex(&srs.digest())
            )));
        }
        let sizes = required_sizes(model, &cfg, data.labels.len(), Some(opts.batch))?;
        // A private start also proves its commitment well formed, which needs its own aux size.
        let need = match opts.init {
            InitSource::File(_) => sizes
                .max()
                .max(nn_layers::proof::model_wellformed_vars(model, &cfg.fixed)?),
            InitSource::Seed(_) => sizes.max(),
        };
        check_srs_size(
            srs,
            need,
            &format!("proving `{}` at batch {}", model.name, opts.batch),
        )?;
        let (pk, _) = HyperKzg::keys(srs, need)?;
        let (_, values) = dataset_vector(&ds, model)?;
        Ok(Self {
            opts,
            model,
            data,
            srs,
            cfg,
            ds,
            values,
            pk,
            dc: data.data_commitment(),
        })
    }

    fn expected_statement(
        &self,
        init: InitKind,
        c0: Point,
        model_wellformed: Option<Vec<u8>>,
    ) -> RunStatement {
        let srs_path = self
            .opts
            .srs
            .as_ref()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        RunStatement {
            model: self.model.name.clone(),
            model_digest: self.model.digest(&self.cfg.fixed),
            fixed: self.cfg.fixed,
            lr_shift: self.cfg.lr_shift,
            batch: self.opts.batch,
            srs_digest: self.srs.digest(),
            srs_insecure: self.srs.is_insecure_dev(),
            srs_log_size: self.srs.log_size(),
            srs_path,
            data_commitment: self.data.commitment,
            data_layout: self.data.layout,
            data_source: self.data.source.clone(),
            shuffle_seed: self.data.shuffle_seed,
            init,
            initial_model_commitment: c0,
            data_wellformed: self.data.wellformed.clone(),
            model_wellformed,
        }
    }

    /// Load (resume) or create the run; returns the statement, `W_t`, `C_W_t` and `t`.
    fn open_run(&self) -> Result<(RunStatement, Params, Point, u64)> {
        let run = &self.opts.out;
        let stmt_path = run.join(STATEMENT_FILE);
        if stmt_path.exists() {
            if !self.opts.resume {
                return Err(CliError::usage(format!(
                    "{} already holds a run: pass --resume to continue it, or choose another --out",
                    run.display()
                )));
            }
            let st: RunStatement = formats::load(&STATEMENT_MAGIC, &stmt_path)?;
            let expect = self.expected_statement(
                st.init.clone(),
                st.initial_model_commitment,
                st.model_wellformed.clone(),
            );
            let same = st.model == expect.model
                && st.model_digest == expect.model_digest
                && st.fixed == expect.fixed
                && st.lr_shift == expect.lr_shift
                && st.batch == expect.batch
                && st.srs_digest == expect.srs_digest
                && st.data_commitment == expect.data_commitment
                && st.data_layout == expect.data_layout;
            if !same {
                return Err(CliError::usage(format!(
                    "--resume: {} was made with another model, batch, lr-shift, dataset or SRS",
                    run.display()
                )));
            }
            let (params, c, t) = self.reconcile(&st)?;
            return Ok((st, params, c, t));
        }
        if run.join(CHECKPOINT_FILE).exists() {
            return Err(CliError::usage(format!(
                "{} holds a plain (unproven) run; choose another --out",
                run.display()
            )));
        }
        create_dir(&run.join(PROOFS_DIR))?;
        let (params, init) = initial_params(self.opts, self.model, &self.cfg)?;
        let c0 = Point(commit_model(&self.pk, self.model, &params)?);
        let model_wellformed = match init {
            InitKind::Committed => Some(
                prove_model_wellformed(&self.pk, self.model, &self.cfg.fixed, &params, &c0.0)?
                    .to_bytes(),
            ),
            InitKind::Seed(_) => None,
        };
        let st = self.expected_statement(init, c0, model_wellformed);
        formats::save(&STATEMENT_MAGIC, &stmt_path, &st)?;
        let ck = Checkpoint {
            run_id: st.run_id()?,
            next_iteration: 0,
            params: params.flatten(self.model)?,
            model_commitment: Some(c0),
        };
        formats::save(&CHECKPOINT_MAGIC, &run.join(CHECKPOINT_FILE), &ck)?;
        Ok((st, params, c0, 0))
    }

    /// `C_W_{t+1}` carried by iteration `t`'s proof file.
    fn proof_commitment(&self, run_id: &[u8; 32], t: u64) -> Result<Point> {
        let p = proof_path(&self.opts.out, t);
        let f: IterationFile = formats::load(&ITERATION_MAGIC, &p)?;
        if f.run_id != *run_id || f.iteration != t {
            return Err(CliError::bad_input(
                &p,
                "proof file belongs to another run or iteration",
            ));
        }
        let proof =
            StepProof::from_bytes(&f.proof).map_err(|e| CliError::bad_input(&p, e.to_string()))?;
        Ok(Point(proof.new_model))
    }

    /// Bring the checkpoint and the proofs on disk into agreement (see the module docs).
    fn reconcile(&self, st: &RunStatement) -> Result<(Params, Point, u64)> {
        let run = &self.opts.out;
        let ck_path = run.join(CHECKPOINT_FILE);
        let ck: Checkpoint = formats::load(&CHECKPOINT_MAGIC, &ck_path)?;
        let run_id = st.run_id()?;
        if ck.run_id != run_id {
            return Err(CliError::bad_input(
                &ck_path,
                "checkpoint belongs to another run",
            ));
        }
        let params = Params::unflatten(self.model, &ck.params)
            .map_err(|e| CliError::bad_input(&ck_path, e.to_string()))?;
        let c = Point(commit_model(&self.pk, self.model, &params)?);
        if Some(c) != ck.model_commitment {
            return Err(CliError::bad_input(
                &ck_path,
                "checkpoint parameters do not match its commitment",
            ));
        }
        let proofs = list_proofs(run)?;
        if let Some(gap) = (0..proofs.len() as u64).find(|&i| proofs.get(i as usize) != Some(&i)) {
            return Err(CliError::bad_input(
                run,
                format!("proof of iteration {gap} is missing"),
            ));
        }
        let n = proofs.len() as u64;
        let t = ck.next_iteration;
        if n == t {
            let expect = match t {
                0 => st.initial_model_commitment,
                _ => self.proof_commitment(&run_id, t - 1)?,
            };
            if expect != c {
                return Err(CliError::bad_input(
                    &ck_path,
                    "checkpoint model does not match the last proof's model commitment",
                ));
            }
            return Ok((params, c, t));
        }
        if n == t + 1 {
            // Interrupted between writing proof t and the checkpoint: recompute W_{t+1}.
            let b = self.ds.batch(t, self.opts.batch)?;
            let out = train_step_plain(self.model, &params, b.inputs, b.labels, &self.cfg)?;
            let c1 = Point(commit_model(&self.pk, self.model, &out.updated)?);
            if c1 != self.proof_commitment(&run_id, t)? {
                return Err(CliError::bad_input(
                    run,
                    format!("recomputed model after iteration {t} does not match its proof"),
                ));
            }
            let ck = Checkpoint {
                run_id,
                next_iteration: t + 1,
                params: out.updated.flatten(self.model)?,
                model_commitment: Some(c1),
            };
            formats::save(&CHECKPOINT_MAGIC, &ck_path, &ck)?;
            if self.opts.progress {
                println!(
                    "recovered iteration {t} from its proof (the checkpoint was one step behind)"
                );
            }
            return Ok((out.updated, c1, t + 1));
        }
        Err(CliError::bad_input(
            run,
            format!("checkpoint is at iteration {t} but {n} proofs exist"),
        ))
    }

    fn run(&self) -> Result<TrainReport> {
        let (st, mut params, mut c, start) = self.open_run()?;
        let run_id = st.run_id()?;
        let run = &self.opts.out;
        let total = self.opts.iterations.max(start);
        let pb = Progress::new(self.opts.progress, start, total, "");
        if self.opts.progress && start > 0 {
            pb.line(&format!("resuming {} at iteration {start}", run.display()));
        }
        // Folding: the keys (synthesizing the augmented circuit once), then the prover, fresh
        // or resumed from its saved state.
        let fold_keys = match self.opts.fold {
            true => {
                pb.bar
                    .set_message("folding: deriving the keys of the augmented circuit");
                let mode = match self.opts.spark {
                    true => DeciderMode::Spark,
                    false => DeciderMode::Plain,
                };
                let (k, d) = fold::keys(
                    self.srs,
                    self.model,
                    &self.cfg,
                    self.opts.batch,
                    &self.dc,
                    mode,
                )?;
                pb.line(&format!(
                    "folding: augmented circuit of {} constraints, keys in {:.1} s",
                    k.num_constraints(),
                    d.as_secs_f64()
                ));
                Some(k)
            }
            false if run.join(formats::FOLD_STATE_FILE).exists() => {
                return Err(CliError::usage(format!(
                    "{} folds its iterations: resume it with --fold",
                    run.display()
                )))
            }
            false => None,
        };
        let mut folder = match &fold_keys {
            Some(k) => Some(fold::Folder::open(
                k,
                run,
                run_id,
                &self.dc.commitment,
                &st.initial_model_commitment.0,
                start,
            )?),
            None => None,
        };
        let mut records = Vec::new();
        for t in start..total {
            pb.bar.set_message(format!("proving iteration {t}"));
            let statement = StepStatement::new(
                &self.srs.digest(),
                self.model,
                &self.cfg,
                self.opts.batch,
                &self.dc,
                t,
                c.0,
            );
            let t0 = Instant::now();
            let proven = prove_step(
                &self.pk,
                self.model,
                &self.cfg,
                &statement,
                &params,
                &self.ds,
                &self.values,
            )?;
            let time = t0.elapsed();
            // The fold, its saved state and the new final proof come before the iteration's own
            // proof and checkpoint (see `fold`'s module docs for resuming).
            let fold_record = match folder.as_mut() {
                Some(f) => {
                    pb.bar.set_message(format!("folding iteration {t}"));
                    f.fold(self.model, &statement, &params, &proven, &self.values)?
                }
                None => None,
            };
            let file = IterationFile {
                run_id,
                iteration: t,
                proof: proven.proof.to_bytes(),
            };
            let bytes = formats::encode(&ITERATION_MAGIC, &file)?;
            formats::write_atomic(&proof_path(run, t), &bytes)?;
            let c1 = Point(proven.new_model_commitment);
            let ck = Checkpoint {
                run_id,
                next_iteration: t + 1,
                params: proven.updated.flatten(self.model)?,
                model_commitment: Some(c1),
            };
            formats::save(&CHECKPOINT_MAGIC, &run.join(CHECKPOINT_FILE), &ck)?;
            append_log(
                run,
                &format!(
                    "{t}\t{:.6}\t{:.1}\t{}\t{}",
                    proven.loss,
                    ms(time),
                    bytes.len(),
                    c1.to_hex()
                ),
            )?;
            pb.bar.set_position(t + 1);
            pb.line(&format!(
                "iteration {t:>4}  loss {:>9.5}  prove {:>8.0} ms  proof {:>10}  C_W_{} = {}…",
                proven.loss,
                ms(time),
                human_bytes(bytes.len() as u64),
                t + 1,
                c1.short_hex()
            ));
            if let Some(r) = fold_record {
                pb.line(&format!(
                    "                folded in {:>8.0} ms; final proof of {} iterations: {} in {:.0} ms",
                    ms(r.fold),
                    t + 1,
                    human_bytes(r.bytes),
                    ms(r.prove)
                ));
            }
            records.push(IterationRecord {
                iteration: t,
                loss: proven.loss,
                time,
                timings: Some(proven.timings),
                layer_timings: proven.layer_timings.clone(),
                proof_bytes: bytes.len() as u64,
                fold: fold_record,
                commitment: Some(c1),
            });
            params = proven.updated;
            c = c1;
        }
        pb.bar.finish_and_clear();
        if let Some(f) = folder.as_mut() {
            f.finish(total, &c)?;
        }
        export_model(run, self.model, &self.cfg, &params)?;
        if self.opts.progress {
            if folder.is_some() {
                println!(
                    "folded proof of all {total} iterations: {}",
                    run.join(formats::FINAL_PROOF_FILE).display()
                );
            }
            println!(
                "run {}: {} proven iterations; model commitment C_W_{} = {}",
                run.display(),
                total,
                total,
                c.to_hex()
            );
            println!(
                "architecture `{}` digest {}; final model (private) in {}",
                self.model.name,
                formats::hex(&st.model_digest),
                run.join(MODEL_FILE).display()
            );
        }
        Ok(TrainReport {
            records,
            start_iteration: start,
            final_commitment: Some(c),
            statement: Some(st),
        })
    }
}

fn plain_run_id(
    opts: &TrainOptions,
    model: &Model,
    cfg: &TrainConfig,
    data: &DataFile,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"zkpot-plain-run-v1");
    h.update(model.digest(&cfg.fixed));
    h.update(cfg.lr_shift.to_le_bytes());
    h.update((opts.batch as u64).to_le_bytes());
    h.update(data.commitment.to_bytes());
    h.finalize().into()
}

fn run_plain(
    opts: &TrainOptions,
    model: &Model,
    data: &DataFile,
    cfg: TrainConfig,
    ds: QuantizedDataset,
) -> Result<TrainReport> {
    let run = &opts.out;
    let ck_path = run.join(CHECKPOINT_FILE);
    let run_id = plain_run_id(opts, model, &cfg, data);
    if run.join(STATEMENT_FILE).exists() {
        return Err(CliError::usage(format!(
            "{} holds a proven run; resume it with --commit, or choose another --out",
            run.display()
        )));
    }
    let (mut params, start) = if ck_path.exists() {
        if !opts.resume {
            return Err(CliError::usage(format!(
                "{} already holds a run: pass --resume to continue it, or choose another --out",
                run.display()
            )));
        }
        let ck: Checkpoint = formats::load(&CHECKPOINT_MAGIC, &ck_path)?;
        if ck.run_id != run_id {
            return Err(CliError::usage(format!(
                "--resume: {} was made with another model, batch, lr-shift or dataset",
                run.display()
            )));
        }
        let p = Params::unflatten(model, &ck.params)
            .map_err(|e| CliError::bad_input(&ck_path, e.to_string()))?;
        (p, ck.next_iteration)
    } else {
        create_dir(run)?;
        (initial_params(opts, model, &cfg)?.0, 0)
    };
    let total = opts.iterations.max(start);
    let pb = Progress::new(opts.progress, start, total, "");
    let mut records = Vec::new();
    for t in start..total {
        pb.bar.set_message(format!("training iteration {t}"));
        let t0 = Instant::now();
        let b = ds.batch(t, opts.batch)?;
        let out = train_step_plain(model, &params, b.inputs, b.labels, &cfg)?;
        let time = t0.elapsed();
        let ck = Checkpoint {
            run_id,
            next_iteration: t + 1,
            params: out.updated.flatten(model)?,
            model_commitment: None,
        };
        formats::save(&CHECKPOINT_MAGIC, &ck_path, &ck)?;
        append_log(run, &format!("{t}\t{:.6}\t{:.1}\t0\t-", out.loss, ms(time)))?;
        pb.bar.set_position(t + 1);
        pb.line(&format!(
            "iteration {t:>4}  loss {:>9.5}  step {:>8.0} ms  (no proof: plain training)",
            out.loss,
            ms(time)
        ));
        records.push(IterationRecord {
            iteration: t,
            loss: out.loss,
            time,
            timings: None,
            layer_timings: Vec::new(),
            proof_bytes: 0,
            fold: None,
            commitment: None,
        });
        params = out.updated;
    }
    pb.bar.finish_and_clear();
    export_model(run, model, &cfg, &params)?;
    if opts.progress {
        println!(
            "run {}: {total} iterations of plain training (no proofs); model in {}",
            run.display(),
            run.join(MODEL_FILE).display()
        );
    }
    Ok(TrainReport {
        records,
        start_iteration: start,
        final_commitment: None,
        statement: None,
    })
}
