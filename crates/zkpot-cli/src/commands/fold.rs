//! Folding a proven run into one constant-size proof (`train --commit --fold`) and checking it
//! (`verify`), over `recursion::training_proof`.
//!
//! After iteration `t` is proven, it is folded into the IVC, the prover's state is saved
//! (`RUN/fold.state`, private) and the proof of iterations `0..=t` is written
//! (`RUN/final.proof`), both atomically and before the iteration's own proof and checkpoint. On
//! `--resume` the saved state is at the checkpoint's iteration or one ahead (interrupted after
//! folding): an iteration already folded is proven again (the step is deterministic) but not
//! folded twice, and a stale `final.proof` is rewritten.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ark_bn254::G1Affine;
use ark_ec::AffineRepr;
use nn_layers::proof::{DataCommitment, ProvenStep, StepStatement};
use nn_layers::{Model, Params, TrainConfig};
use pcs::Srs;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::training_proof::{verify, DeciderMode, TrainingKeys, TrainingProof, TrainingProver};
use recursion::training_step::{model_vectors, StepVectors};

use crate::error::{CliError, Result};
use crate::formats::{self, FoldedFile, Point, FINAL_PROOF_FILE, FOLDED_MAGIC, FOLD_STATE_FILE};

/// The folding keys of a run, and how long deriving them took. Errors clearly for an SRS that is
/// too small (the models are those `provable` accepts: the step circuit covers dense and
/// convolutional networks).
pub fn keys(
    srs: &Srs,
    model: &Model,
    cfg: &TrainConfig,
    batch: usize,
    data: &DataCommitment,
    mode: DeciderMode,
) -> Result<(TrainingKeys, Duration)> {
    let t0 = Instant::now();
    let st0 = StepStatement::new(&srs.digest(), model, cfg, batch, data, 0, G1Affine::zero());
    match TrainingKeys::setup_with(srs, model, cfg, &st0, mode) {
        Ok(k) => Ok((k, t0.elapsed())),
        Err(recursion::Error::KeyTooShort { needed, .. }) => {
            let log = needed.next_power_of_two().trailing_zeros() as usize;
            Err(CliError::SrsTooSmall {
                what: format!(
                    "folding `{}` at batch {batch} (its augmented circuit needs {needed} generators)",
                    model.name
                ),
                needed: log,
                available: srs.log_size(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// What folding one iteration did.
#[derive(Clone, Copy, Debug)]
pub struct FoldRecord {
    /// Native claims, accumulator folds and the IVC step.
    pub fold: Duration,
    /// The final proof (decider and accumulator opening).
    pub prove: Duration,
    /// Size of `RUN/final.proof`.
    pub bytes: u64,
}

/// The folding side of a proven run.
#[derive(Debug)]
pub struct Folder<'k> {
    prover: TrainingProver<'k>,
    run: PathBuf,
    run_id: [u8; 32],
    rng: ChaCha20Rng,
}

impl<'k> Folder<'k> {
    /// Opens the folding of the run in `run` at checkpoint iteration `t`: a fresh prover at
    /// `t = 0` without a saved state, else the saved state (at `t` or `t + 1`).
    pub fn open(
        keys: &'k TrainingKeys,
        run: &Path,
        run_id: [u8; 32],
        data: &G1Affine,
        initial_model: &G1Affine,
        t: u64,
    ) -> Result<Self> {
        let state_path = run.join(FOLD_STATE_FILE);
        let prover = if state_path.exists() {
            let bytes = formats::read_bytes(&state_path)?;
            let p = TrainingProver::resume(keys, data, initial_model, &bytes)
                .map_err(|e| CliError::bad_input(&state_path, e.to_string()))?;
            if p.iterations() != t && p.iterations() != t + 1 {
                return Err(CliError::bad_input(
                    &state_path,
                    format!(
                        "the folded state covers {} iterations but the run is at iteration {t}",
                        p.iterations()
                    ),
                ));
            }
            p
        } else if t == 0 {
            TrainingProver::new(keys, data, initial_model)?
        } else {
            return Err(CliError::usage(format!(
                "--fold: {} has {t} proven iterations but no folded state ({FOLD_STATE_FILE}): \
                 it was not folded from the start; resume it without --fold",
                run.display()
            )));
        };
        Ok(Self {
            prover,
            run: run.to_path_buf(),
            run_id,
            rng: ChaCha20Rng::from_entropy(),
        })
    }

    /// Iterations folded so far.
    pub fn iterations(&self) -> u64 {
        self.prover.iterations()
    }

    /// Folds iteration `statement.iteration` (proven as `proven` from `params` on the dataset
    /// vector `data`), saves the state and writes the final proof; `None` if that iteration was
    /// folded before an interruption.
    pub fn fold(
        &mut self,
        model: &Model,
        statement: &StepStatement,
        params: &Params,
        proven: &ProvenStep,
        data: &[i64],
    ) -> Result<Option<FoldRecord>> {
        if statement.iteration < self.prover.iterations() {
            return Ok(None);
        }
        let models = model_vectors(model, params, proven)?;
        let vectors = StepVectors::of(data, &models, proven);
        let t0 = Instant::now();
        self.prover
            .fold_iteration(statement, proven, vectors, &mut self.rng)?;
        let fold = t0.elapsed();
        formats::write_atomic(&self.run.join(FOLD_STATE_FILE), &self.prover.state_bytes()?)?;
        let t1 = Instant::now();
        let bytes = self.write_final(&Point(proven.new_model_commitment))?;
        Ok(Some(FoldRecord {
            fold,
            prove: t1.elapsed(),
            bytes,
        }))
    }

    /// Writes `RUN/final.proof` for the iterations folded so far, ending at `final_model`.
    fn write_final(&mut self, final_model: &Point) -> Result<u64> {
        let proof = self.prover.prove(&mut self.rng)?;
        let file = FoldedFile {
            run_id: self.run_id,
            iterations: proof.iterations,
            final_model_commitment: *final_model,
            proof: proof.to_bytes()?,
        };
        let bytes = formats::encode(&FOLDED_MAGIC, &file)?;
        formats::write_atomic(&self.run.join(FINAL_PROOF_FILE), &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Makes sure `RUN/final.proof` covers the run's `iterations` and ends at `final_model`
    /// (after an interruption between the state and the proof). A folded state ahead of the run
    /// (interrupted after folding, resumed with fewer `--iterations`) is an error naming the
    /// count to continue to.
    pub fn finish(&mut self, iterations: u64, final_model: &Point) -> Result<()> {
        if self.prover.iterations() != iterations {
            return Err(CliError::usage(format!(
                "the folded state covers {} iterations but the run stops at {iterations}: \
                 resume with --iterations {} or more",
                self.prover.iterations(),
                self.prover.iterations()
            )));
        }
        let path = self.run.join(FINAL_PROOF_FILE);
        let current = path.exists()
            && formats::load::<FoldedFile>(&FOLDED_MAGIC, &path).is_ok_and(|f| {
                f.iterations == self.prover.iterations() && f.final_model_commitment == *final_model
            });
        if !current && self.prover.iterations() > 0 {
            self.write_final(final_model)?;
        }
        Ok(())
    }
}

/// The verdict on a run's folded proof.
#[derive(Clone, Debug)]
pub struct FoldedVerdict {
    /// `Err(reason)` when rejected.
    pub result: std::result::Result<(), String>,
    /// Iterations covered.
    pub iterations: u64,
    /// `C_W_T`.
    pub final_model: Point,
    /// Size of `RUN/final.proof`.
    pub bytes: u64,
    /// Verification time (without deriving the keys).
    pub verify: Duration,
    /// Deriving the keys (synthesizing the augmented circuit).
    pub keys: Duration,
    /// Repeated verifications of an accepted proof, when asked for.
    pub repeated: Option<RepeatedTiming>,
}

/// Times of repeated verifications of one folded proof (same process, keys already derived).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepeatedTiming {
    /// How many.
    pub runs: usize,
    /// Their median.
    pub median: Duration,
    /// The fastest.
    pub min: Duration,
}

/// Checks `RUN/final.proof` against the run's dataset and initial model commitments. `Err` only
/// for unusable input (a missing or unreadable file, an SRS too small); a proof that does not
/// verify, or a malformed one, is a rejection in the verdict.
#[allow(clippy::too_many_arguments)]
pub fn verify_run(
    run: &Path,
    run_id: &[u8; 32],
    srs: &Srs,
    model: &Model,
    cfg: &TrainConfig,
    batch: usize,
    data: &DataCommitment,
    initial_model: &Point,
    timing_runs: usize,
) -> Result<FoldedVerdict> {
    let path = run.join(FINAL_PROOF_FILE);
    let raw = formats::read_bytes(&path)?;
    let bytes = raw.len() as u64;
    let mut verdict = FoldedVerdict {
        result: Ok(()),
        iterations: 0,
        final_model: *initial_model,
        bytes,
        verify: Duration::ZERO,
        keys: Duration::ZERO,
        repeated: None,
    };
    let file: FoldedFile = match formats::decode(&FOLDED_MAGIC, &raw) {
        Ok(f) => f,
        Err(e) => {
            verdict.result = Err(format!("malformed {FINAL_PROOF_FILE}: {}", e.0));
            return Ok(verdict);
        }
    };
    verdict.iterations = file.iterations;
    verdict.final_model = file.final_model_commitment;
    if file.run_id != *run_id {
        verdict.result = Err(format!("{FINAL_PROOF_FILE} belongs to another run"));
        return Ok(verdict);
    }
    let proof = match TrainingProof::from_bytes(&file.proof) {
        Ok(p) => p,
        Err(e) => {
            verdict.result = Err(format!("folded proof: {e}"));
            return Ok(verdict);
        }
    };
    // Either decider mode is sound; the proof says which one it uses.
    let (keys, keys_time) = keys(srs, model, cfg, batch, data, proof.decider_mode())?;
    verdict.keys = keys_time;
    let check = |proof: &TrainingProof| {
        if proof.iterations != file.iterations {
            return Err(recursion::Error::Malformed {
                what: "the proof and its file name different iteration counts",
            });
        }
        verify(
            &keys,
            &data.commitment,
            &initial_model.0,
            &file.final_model_commitment.0,
            proof,
        )
    };
    let t0 = Instant::now();
    let checked = check(&proof);
    verdict.verify = t0.elapsed();
    if checked.is_ok() && timing_runs > 0 {
        let mut times = Vec::with_capacity(timing_runs);
        for _ in 0..timing_runs {
            let t = Instant::now();
            if let Err(e) = check(&proof) {
                // The verifier is deterministic (its weights come from the transcript), so a
                // second check of an accepted proof cannot fail; say so if it ever does.
                verdict.result = Err(format!("folded proof, verified again: {e}"));
                return Ok(verdict);
            }
            times.push(t.elapsed());
        }
        times.sort();
        verdict.repeated = Some(RepeatedTiming {
            runs: times.len(),
            median: times[times.len() / 2],
            min: times[0],
        });
    }
    verdict.result = checked.map_err(|e| format!("folded proof: {e}"));
    Ok(verdict)
}
