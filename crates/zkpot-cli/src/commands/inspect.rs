//! `zkpot inspect RUN|FILE`: what a file is (by its magic bytes) and what it commits to.
//! Nothing is verified here (that is `zkpot verify`); values are shown as stored.

use std::fmt::Write as _;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use nn_layers::proof::StepProof;

use crate::error::{CliError, Result};
use crate::formats::{
    self, hex, list_proofs, proof_path, sniff, Checkpoint, DataFile, FileKind, FoldedFile,
    InitKind, IterationFile, Point, RunStatement, CHECKPOINT_FILE, CHECKPOINT_MAGIC,
    FINAL_PROOF_FILE, FOLDED_MAGIC, ITERATION_MAGIC, STATEMENT_FILE, STATEMENT_MAGIC,
};

/// Describe `path` (a run directory or any zkpot file).
pub fn run(path: &Path) -> Result<String> {
    if path.is_dir() {
        return describe_run(path);
    }
    let mut f = std::fs::File::open(path).map_err(CliError::io(path))?;
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(CliError::io(path)(e)),
        }
    }
    let kind = sniff(&head[..n])
        .ok_or_else(|| CliError::bad_input(path, "not a zkpot file (unknown magic bytes)"))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut s = String::new();
    match kind {
        FileKind::Srs => {
            let word =
                |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
            if n < 20 {
                return Err(CliError::bad_input(path, "truncated SRS header"));
            }
            let mut digest = [0u8; 32];
            f.seek(SeekFrom::End(-32))
                .and_then(|_| f.read_exact(&mut digest))
                .map_err(CliError::io(path))?;
            let insecure = word(12) & 1 == 1;
            let _ = writeln!(s, "SRS file (ZKPOTSRS v{}), {size} bytes", word(8));
            let _ = writeln!(s, "  powers of tau: 2^{}", word(16));
            let _ = writeln!(
                s,
                "  origin: {}",
                if insecure {
                    "INSECURE development SRS (tau derivable from a seed)"
                } else {
                    "imported powers of tau"
                }
            );
            let _ = writeln!(s, "  digest (stored, checked on load): {}", hex(&digest));
        }
        FileKind::Data => {
            let d = DataFile::load(path)?;
            let _ = writeln!(
                s,
                "DATA file (ZKPOTDAT v{}), {size} bytes",
                formats::FORMAT_VERSION
            );
            let _ = writeln!(s, "  source: {}", d.source);
            let _ = writeln!(
                s,
                "  rows: {} (shuffle seed {}), sample shape {:?}, {} classes",
                d.labels.len(),
                d.shuffle_seed,
                d.sample_shape,
                d.num_classes
            );
            let _ = writeln!(
                s,
                "  layout for model `{}`: rows of 2×{} entries, 2^{} entries in all",
                d.model,
                d.layout.half,
                d.layout.num_vars()
            );
            let _ = writeln!(
                s,
                "  fixed point: F = {}, B = {}",
                d.fixed.frac_bits, d.fixed.value_bits
            );
            let _ = writeln!(s, "  C_D = {}", d.commitment.to_hex());
            let _ = writeln!(
                s,
                "  SRS digest {}{}",
                hex(&d.srs_digest),
                if d.srs_insecure {
                    " (INSECURE development SRS)"
                } else {
                    ""
                }
            );
        }
        FileKind::Statement => {
            let st: RunStatement = formats::load(&STATEMENT_MAGIC, path)?;
            describe_statement(&mut s, &st, size)?;
        }
        FileKind::Iteration => {
            let it: IterationFile = formats::load(&ITERATION_MAGIC, path)?;
            let _ = writeln!(
                s,
                "iteration proof (ZKPOTITR v{}), {size} bytes",
                formats::FORMAT_VERSION
            );
            let _ = writeln!(s, "  run id {}", hex(&it.run_id));
            let _ = writeln!(s, "  iteration {}", it.iteration);
            describe_step_proof(&mut s, &it.proof, it.iteration + 1);
        }
        FileKind::Checkpoint => {
            let ck: Checkpoint = formats::load(&CHECKPOINT_MAGIC, path)?;
            describe_checkpoint(&mut s, &ck, size);
        }
        FileKind::StepProof => {
            let bytes = formats::read_bytes(path)?;
            let _ = writeln!(s, "bare step proof (ZKPOTSTP), {size} bytes");
            describe_step_proof(&mut s, &bytes, 0);
        }
        FileKind::Folded => {
            let f: FoldedFile = formats::load(&FOLDED_MAGIC, path)?;
            let _ = writeln!(
                s,
                "folded proof of a run (ZKPOTFIN v{}), {size} bytes",
                formats::FORMAT_VERSION
            );
            describe_folded(&mut s, &f);
        }
        FileKind::FoldState => {
            let _ = writeln!(
                s,
                "folding prover state (ZKPOTFST), {size} bytes: PRIVATE (the folded witnesses and the \
                 accumulator polynomial), read by `train --fold --resume`"
            );
        }
        FileKind::Ptau => {
            let _ = writeln!(s, "snarkjs powers-of-tau file, {size} bytes");
            let _ = writeln!(
                s,
                "  import: zkpot setup --ptau {} --log-size N --out SRS",
                path.display()
            );
        }
        FileKind::Safetensors => {
            let hl = u64::from_le_bytes([
                head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7],
            ]);
            let _ = writeln!(
                s,
                "safetensors model file, {size} bytes (header {hl} bytes)"
            );
            let _ = writeln!(s, "  private model parameters: nothing here is committed");
        }
    }
    Ok(s)
}

fn describe_statement(s: &mut String, st: &RunStatement, size: u64) -> Result<()> {
    let _ = writeln!(
        s,
        "run statement (ZKPOTRUN v{}), {size} bytes",
        formats::FORMAT_VERSION
    );
    let _ = writeln!(s, "  run id {}", hex(&st.run_id()?));
    let _ = writeln!(
        s,
        "  model `{}`, architecture digest {}",
        st.model,
        hex(&st.model_digest)
    );
    let _ = writeln!(
        s,
        "  F = {}, B = {}, lr-shift k = {}, batch {}",
        st.fixed.frac_bits, st.fixed.value_bits, st.lr_shift, st.batch
    );
    let _ = writeln!(
        s,
        "  SRS 2^{} digest {}{} (at {})",
        st.srs_log_size,
        hex(&st.srs_digest),
        if st.srs_insecure {
            " INSECURE development SRS"
        } else {
            ""
        },
        st.srs_path
    );
    let _ = writeln!(
        s,
        "  C_D = {} ({} rows; {}; shuffle seed {})",
        st.data_commitment.to_hex(),
        st.data_layout.rows,
        st.data_source,
        st.shuffle_seed
    );
    let init = match st.init {
        InitKind::Seed(x) => format!("public seed {x}"),
        InitKind::Committed => "private committed start".into(),
    };
    let _ = writeln!(
        s,
        "  C_W_0 = {} ({init})",
        st.initial_model_commitment.to_hex()
    );
    Ok(())
}

fn describe_checkpoint(s: &mut String, ck: &Checkpoint, size: u64) {
    let _ = writeln!(
        s,
        "prover checkpoint (ZKPOTCKP v{}, private), {size} bytes",
        formats::FORMAT_VERSION
    );
    let _ = writeln!(s, "  run id {}", hex(&ck.run_id));
    let _ = writeln!(
        s,
        "  next iteration {} ({} parameters stored)",
        ck.next_iteration,
        ck.params.len()
    );
    if let Some(c) = ck.model_commitment {
        let _ = writeln!(s, "  C_W_{} = {}", ck.next_iteration, c.to_hex());
    }
}

fn describe_step_proof(s: &mut String, bytes: &[u8], next: u64) {
    match StepProof::from_bytes(bytes) {
        Ok(p) => {
            let _ = writeln!(
                s,
                "  step proof: {} bytes, {} batched sumchecks",
                bytes.len(),
                p.sumchecks.len()
            );
            let _ = writeln!(
                s,
                "  C_W_{next} = {} (model after the step)",
                Point(p.new_model).to_hex()
            );
            let _ = writeln!(s, "  C_aux = {}", Point(p.aux).to_hex());
        }
        Err(e) => {
            let _ = writeln!(s, "  step proof: unreadable ({e})");
        }
    }
}

/// The folded proof's claims and the split of its size.
fn describe_folded(s: &mut String, f: &FoldedFile) {
    let _ = writeln!(s, "  run id {}", hex(&f.run_id));
    let _ = writeln!(
        s,
        "  covers iterations 0..{} ; final model commitment (unverified) C_W_{} = {}",
        f.iterations,
        f.iterations,
        f.final_model_commitment.to_hex()
    );
    match recursion::training_proof::TrainingProof::from_bytes(&f.proof) {
        Ok(p) => {
            let _ = writeln!(
                s,
                "  accumulator on {} variables; decider: Spartan {} bytes, CycleFold Spartan-IPA {} bytes",
                p.accumulator.num_vars(),
                p.decider.spartan.size_in_bytes(),
                p.decider.cf_spartan.size_in_bytes(),
            );
        }
        Err(e) => {
            let _ = writeln!(s, "  (the folded proof does not decode: {e})");
        }
    }
}

fn describe_run(run: &Path) -> Result<String> {
    let mut s = String::new();
    let stmt = run.join(STATEMENT_FILE);
    let ck = run.join(CHECKPOINT_FILE);
    if stmt.exists() {
        let st: RunStatement = formats::load(&STATEMENT_MAGIC, &stmt)?;
        let size = std::fs::metadata(&stmt).map(|m| m.len()).unwrap_or(0);
        let _ = writeln!(s, "proven run {}", run.display());
        describe_statement(&mut s, &st, size)?;
        let proofs = list_proofs(run)?;
        let total: u64 = proofs
            .iter()
            .filter_map(|&t| std::fs::metadata(proof_path(run, t)).ok())
            .map(|m| m.len())
            .sum();
        let _ = writeln!(
            s,
            "  proofs: {} files, {total} bytes ({:?})",
            proofs.len(),
            proofs
        );
        if let Some(&last) = proofs.last() {
            if let Ok(it) = formats::load::<IterationFile>(&ITERATION_MAGIC, &proof_path(run, last))
            {
                if let Ok(p) = StepProof::from_bytes(&it.proof) {
                    let _ = writeln!(
                        s,
                        "  last model commitment (unverified) C_W_{} = {}",
                        last + 1,
                        Point(p.new_model).to_hex()
                    );
                }
            }
        }
        let fin = run.join(FINAL_PROOF_FILE);
        if let Ok(f) = formats::load::<FoldedFile>(&FOLDED_MAGIC, &fin) {
            let size = std::fs::metadata(&fin).map(|m| m.len()).unwrap_or(0);
            let _ = writeln!(s, "  {FINAL_PROOF_FILE}: {size} bytes");
            describe_folded(&mut s, &f);
        }
    } else if ck.exists() {
        let _ = writeln!(s, "plain (unproven) training run {}", run.display());
    } else {
        return Err(CliError::bad_input(
            run,
            "not a run directory (no statement or checkpoint)",
        ));
    }
    if ck.exists() {
        if let Ok(c) = formats::load::<Checkpoint>(&CHECKPOINT_MAGIC, &ck) {
            let size = std::fs::metadata(&ck).map(|m| m.len()).unwrap_or(0);
            describe_checkpoint(&mut s, &c, size);
        }
    }
    Ok(s)
}
