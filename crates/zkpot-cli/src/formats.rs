//! Versioned, atomically written files (SPEC §10).
//!
//! Every zkpot file is `magic (8 bytes) ‖ format version (u32 LE) ‖ postcard payload`, with no
//! trailing bytes; group elements inside payloads are arkworks-compressed (32 bytes, validated on
//! load). Files are written to a temporary name in the same directory, synced, then renamed.
//!
//! | magic | file | payload |
//! |---|---|---|
//! | `ZKPOTSRS` | SRS (`zkpot setup`) | the `pcs::srs` format (not postcard) |
//! | `ZKPOTDAT` | DATA (`zkpot commit-data`) | [`DataFile`] |
//! | `ZKPOTRUN` | `RUN/statement` | [`RunStatement`] |
//! | `ZKPOTITR` | `RUN/proofs/iter-NNNNNN.proof` | [`IterationFile`] (wraps a `ZKPOTSTP` step proof) |
//! | `ZKPOTCKP` | `RUN/checkpoint` (private) | [`Checkpoint`] |
//! | `ZKPOTFIN` | `RUN/final.proof` (`train --fold`) | [`FoldedFile`] (wraps a `ZKPOTFLD` folded training proof) |
//! | `ZKPOTFST` | `RUN/fold.state` (private, `train --fold`) | the folding prover's state (`recursion::training_proof`, not postcard) |

use std::path::{Path, PathBuf};

use ark_bn254::G1Affine;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use nn_layers::data::QuantizedDataset;
use nn_layers::proof::{DataCommitment, DatasetLayout};
use nn_layers::FixedConfig;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::error::{CliError, Result};

/// Magic of a DATA file.
pub const DATA_MAGIC: [u8; 8] = *b"ZKPOTDAT";
/// Magic of a run statement.
pub const STATEMENT_MAGIC: [u8; 8] = *b"ZKPOTRUN";
/// Magic of an iteration proof file.
pub const ITERATION_MAGIC: [u8; 8] = *b"ZKPOTITR";
/// Magic of a prover checkpoint.
pub const CHECKPOINT_MAGIC: [u8; 8] = *b"ZKPOTCKP";
/// Magic of the folded proof of a run.
pub const FOLDED_MAGIC: [u8; 8] = *b"ZKPOTFIN";
/// Format version of all postcard files above.
pub const FORMAT_VERSION: u32 = 2;

/// Name of the statement file in a run directory.
pub const STATEMENT_FILE: &str = "statement";
/// Name of the checkpoint file in a run directory.
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// Directory of the iteration proofs in a run directory.
pub const PROOFS_DIR: &str = "proofs";
/// Final model of a run (safetensors, private).
pub const MODEL_FILE: &str = "model.safetensors";
/// Per-iteration log of a run (tab-separated, informational, not verified).
pub const LOG_FILE: &str = "train-log.tsv";
/// Name of the folded (constant-size) proof of a run (`train --fold`).
pub const FINAL_PROOF_FILE: &str = "final.proof";
/// Name of the folding prover's private state (`train --fold`).
pub const FOLD_STATE_FILE: &str = "fold.state";

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parse lower- or upper-case hex (an optional `0x` prefix is allowed).
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A G1 point, serialized compressed (32 bytes) and validated (on curve, in subgroup) on load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point(pub G1Affine);

impl Point {
    /// The 32-byte compressed encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        // Writing into a Vec cannot fail.
        let _ = self.0.serialize_compressed(&mut out);
        out
    }

    /// Decode [`Point::to_bytes`] (validated).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut r = bytes;
        let p = G1Affine::deserialize_compressed(&mut r).ok()?;
        r.is_empty().then_some(Self(p))
    }

    /// 64 hex characters: the published form of a commitment.
    pub fn to_hex(&self) -> String {
        hex(&self.to_bytes())
    }

    /// The first 16 hex characters (for summary lines).
    pub fn short_hex(&self) -> String {
        self.to_hex().chars().take(16).collect()
    }

    /// Parse [`Point::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        Self::from_bytes(&parse_hex(s)?)
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.to_bytes())
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Point;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a compressed BN254 G1 point")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Point, E> {
                Point::from_bytes(v).ok_or_else(|| E::custom("invalid G1 point"))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// `magic ‖ version ‖ postcard(value)`.
pub fn encode<T: Serialize>(magic: &[u8; 8], value: &T) -> Result<Vec<u8>> {
    let mut out = magic.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let body = postcard::to_allocvec(value)
        .map_err(|e| CliError::usage(format!("cannot serialize: {e}")))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Why bytes could not be decoded (the caller attaches the path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

/// Decode [`encode`]: magic, version, payload, no trailing bytes.
pub fn decode<T: DeserializeOwned>(
    magic: &[u8; 8],
    bytes: &[u8],
) -> std::result::Result<T, DecodeError> {
    let rest = bytes.strip_prefix(&magic[..]).ok_or_else(|| {
        DecodeError(format!(
            "not a {} file (wrong magic bytes)",
            String::from_utf8_lossy(magic)
        ))
    })?;
    let (version, body) = match rest {
        [a, b, c, d, body @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]), body),
        _ => return Err(DecodeError("truncated header".into())),
    };
    if version != FORMAT_VERSION {
        return Err(DecodeError(format!(
            "format version {version}, this build reads version {FORMAT_VERSION}"
        )));
    }
    let (value, tail) =
        postcard::take_from_bytes::<T>(body).map_err(|e| DecodeError(format!("payload: {e}")))?;
    if !tail.is_empty() {
        return Err(DecodeError(format!(
            "{} trailing bytes after the payload",
            tail.len()
        )));
    }
    Ok(value)
}

/// Read a whole file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(CliError::io(path))
}

/// Read and decode a file; any failure is [`CliError::BadInput`] / [`CliError::Io`] (exit 2).
pub fn load<T: DeserializeOwned>(magic: &[u8; 8], path: &Path) -> Result<T> {
    let bytes = read_bytes(path)?;
    decode(magic, &bytes).map_err(|e| CliError::bad_input(path, e.0))
}

/// Encode and write atomically.
pub fn save<T: Serialize>(magic: &[u8; 8], path: &Path, value: &T) -> Result<()> {
    write_atomic(path, &encode(magic, value)?)
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, synced, renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| CliError::usage(format!("{} is not a file path", path.display())))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp.{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut f = std::fs::File::create(&tmp).map_err(CliError::io(&tmp))?;
    f.write_all(bytes).map_err(CliError::io(&tmp))?;
    f.sync_all().map_err(CliError::io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(CliError::io(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Persist the rename itself; not every platform can open directories, so best effort.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// A committed dataset (`zkpot commit-data`): the shuffled samples in committed row order, their
/// layout, and `C_D`. The samples are stored as 8-bit pixels; the committed (quantized) values are
/// `FixedConfig::quantize_pixel(p)` at the recorded `F`, a deterministic function of them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataFile {
    /// Where the samples came from, e.g. `synthetic-mnist (n=512, generator seed 7)`.
    pub source: String,
    /// The public shuffle seed.
    pub shuffle_seed: u64,
    /// Name of the model whose row layout was used (any model with the same input length and
    /// class count shares it).
    pub model: String,
    /// Fixed-point parameters of the quantization.
    pub fixed: FixedConfig,
    /// Per-sample shape.
    pub sample_shape: Vec<usize>,
    /// Number of classes.
    pub num_classes: usize,
    /// Pixels of the rows, in committed order (`rows · sample_len` bytes).
    pub pixels: Vec<u8>,
    /// Labels of the rows.
    pub labels: Vec<u8>,
    /// Row layout of the dataset vector.
    pub layout: DatasetLayout,
    /// `C_D`.
    pub commitment: Point,
    /// Digest of the SRS `C_D` was computed with.
    pub srs_digest: [u8; 32],
    /// Whether that SRS is an insecure development setup.
    pub srs_insecure: bool,
    /// The well-formedness proof of `C_D` (`DatasetWellFormedProof::to_bytes`): zero padding,
    /// one-hot labels, inputs in `[0, 2^F]`.
    pub wellformed: Vec<u8>,
}

impl DataFile {
    /// Check internal consistency (sizes, labels, layout); `what` describes the first problem.
    pub fn check(&self) -> std::result::Result<(), String> {
        let sl: usize = self.sample_shape.iter().product();
        let rows = self.labels.len();
        if rows == 0 || !rows.is_power_of_two() {
            return Err(format!("{rows} rows, expected a nonzero power of two"));
        }
        if self.pixels.len() != rows.saturating_mul(sl) {
            return Err("pixel count does not match rows × sample length".into());
        }
        if self.labels.iter().any(|&l| l as usize >= self.num_classes) {
            return Err("label out of range".into());
        }
        let l = &self.layout;
        if l.rows != rows
            || l.input_len != sl
            || l.num_classes != self.num_classes
            || !l.half.is_power_of_two()
            || l.half < sl.max(self.num_classes)
        {
            return Err("layout does not match the samples".into());
        }
        self.fixed
            .validate()
            .map_err(|e| format!("fixed-point parameters: {e}"))?;
        Ok(())
    }

    /// The quantized dataset in committed row order.
    pub fn quantized(&self) -> QuantizedDataset {
        QuantizedDataset {
            sample_shape: self.sample_shape.clone(),
            inputs: self
                .pixels
                .iter()
                .map(|&p| self.fixed.quantize_pixel(p))
                .collect(),
            labels: self.labels.clone(),
            num_classes: self.num_classes,
        }
    }

    /// `C_D` with its layout.
    pub fn data_commitment(&self) -> DataCommitment {
        DataCommitment {
            commitment: self.commitment.0,
            layout: self.layout,
        }
    }

    /// Load and check a DATA file.
    pub fn load(path: &Path) -> Result<Self> {
        let d: Self = load(&DATA_MAGIC, path)?;
        d.check().map_err(|what| CliError::bad_input(path, what))?;
        Ok(d)
    }
}

/// How the initial model `W_0` was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InitKind {
    /// Kaiming-uniform from this public seed: the verifier recomputes `C_W_0`.
    Seed(u64),
    /// A private start (e.g. a safetensors file): only its commitment `C_W_0` is public.
    Committed,
}

/// The public statement of a run (`RUN/statement`): everything the verifier needs besides the
/// proofs and the SRS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStatement {
    /// Zoo architecture name.
    pub model: String,
    /// Architecture digest (includes `F`, `B`).
    pub model_digest: [u8; 32],
    /// Fixed point `F`, `B`.
    pub fixed: FixedConfig,
    /// Learning-rate shift `k`.
    pub lr_shift: u32,
    /// Batch size.
    pub batch: usize,
    /// SRS digest.
    pub srs_digest: [u8; 32],
    /// Whether the SRS is an insecure development setup.
    pub srs_insecure: bool,
    /// log2 of the SRS size the run was proven with.
    pub srs_log_size: usize,
    /// Where the SRS was when the run was made (a hint for `zkpot verify`; `--srs` overrides).
    pub srs_path: String,
    /// `C_D`.
    pub data_commitment: Point,
    /// Its layout.
    pub data_layout: DatasetLayout,
    /// Description of the data source (informational).
    pub data_source: String,
    /// The public shuffle seed (informational: the order is bound by `C_D`).
    pub shuffle_seed: u64,
    /// How `W_0` was made.
    pub init: InitKind,
    /// `C_W_0`.
    pub initial_model_commitment: Point,
    /// The dataset's well-formedness proof, copied from the DATA file (checked by `verify`).
    pub data_wellformed: Vec<u8>,
    /// For a private start, the well-formedness proof of `C_W_0` (zero padding, B-bit range);
    /// `None` for a seeded start, whose commitment the verifier recomputes.
    pub model_wellformed: Option<Vec<u8>>,
}

impl RunStatement {
    /// The run id: SHA-256 of the encoded statement. Every proof file names it.
    pub fn run_id(&self) -> Result<[u8; 32]> {
        let bytes = encode(&STATEMENT_MAGIC, self)?;
        Ok(Sha256::digest(&bytes).into())
    }
}

/// One iteration's proof (`RUN/proofs/iter-NNNNNN.proof`): every byte is checked by `verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IterationFile {
    /// The run this proof belongs to ([`RunStatement::run_id`]).
    pub run_id: [u8; 32],
    /// Iteration `t`.
    pub iteration: u64,
    /// The step proof (`StepProof::to_bytes`, magic `ZKPOTSTP`); it carries `C_W_{t+1}`.
    pub proof: Vec<u8>,
}

/// The folded proof of the first `iterations` iterations of a run (`RUN/final.proof`): one
/// constant-size proof that the run went from `C_W_0` to `final_model_commitment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedFile {
    /// The run ([`RunStatement::run_id`]).
    pub run_id: [u8; 32],
    /// The number of iterations `T` the proof covers.
    pub iterations: u64,
    /// `C_W_T`.
    pub final_model_commitment: Point,
    /// The folded training proof (`recursion::training_proof::TrainingProof::to_bytes`, magic
    /// `ZKPOTFLD`).
    pub proof: Vec<u8>,
}

/// The private prover checkpoint (`RUN/checkpoint`), written after each iteration's proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The run ([`RunStatement::run_id`], or the plain-run id for runs without proofs).
    pub run_id: [u8; 32],
    /// The next iteration to run (= iterations done).
    pub next_iteration: u64,
    /// `W_{next}`, flattened in the canonical layout (`Params::flatten`).
    pub params: Vec<i64>,
    /// `C_W_{next}` (absent for plain runs).
    pub model_commitment: Option<Point>,
}

/// Path of iteration `t`'s proof in `run`.
pub fn proof_path(run: &Path, t: u64) -> PathBuf {
    run.join(PROOFS_DIR).join(format!("iter-{t:06}.proof"))
}

/// Parse an iteration proof file name `iter-NNNNNN.proof`.
pub fn parse_proof_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("iter-")?.strip_suffix(".proof")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The iteration indices of the proof files in `run/proofs`, sorted (other names are ignored).
pub fn list_proofs(run: &Path) -> Result<Vec<u64>> {
    let dir = run.join(PROOFS_DIR);
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(CliError::io(&dir)(e)),
    };
    for e in entries {
        let e = e.map_err(CliError::io(&dir))?;
        if let Some(t) = e.file_name().to_str().and_then(parse_proof_name) {
            out.push(t);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// What a file is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `ZKPOTSRS`.
    Srs,
    /// `ZKPOTDAT`.
    Data,
    /// `ZKPOTRUN`.
    Statement,
    /// `ZKPOTITR`.
    Iteration,
    /// `ZKPOTCKP`.
    Checkpoint,
    /// `ZKPOTSTP`: a bare step proof.
    StepProof,
    /// `ZKPOTFIN`: the folded proof of a run.
    Folded,
    /// `ZKPOTFST`: the folding prover's private state.
    FoldState,
    /// snarkjs powers of tau.
    Ptau,
    /// safetensors (8-byte header length, then a JSON object).
    Safetensors,
}

/// Recognise a file by its first bytes.
pub fn sniff(head: &[u8]) -> Option<FileKind> {
    let magic = head.get(..8);
    let kinds = [
        (pcs::srs::SRS_MAGIC, FileKind::Srs),
        (&DATA_MAGIC, FileKind::Data),
        (&STATEMENT_MAGIC, FileKind::Statement),
        (&ITERATION_MAGIC, FileKind::Iteration),
        (&CHECKPOINT_MAGIC, FileKind::Checkpoint),
        (&gkr::step::STEP_PROOF_MAGIC, FileKind::StepProof),
        (&FOLDED_MAGIC, FileKind::Folded),
        (
            recursion::training_proof::PROVER_STATE_MAGIC,
            FileKind::FoldState,
        ),
    ];
    for (m, k) in kinds {
        if magic == Some(&m[..]) {
            return Some(k);
        }
    }
    if head.starts_with(pcs::ptau::PTAU_MAGIC) {
        return Some(FileKind::Ptau);
    }
    if head.len() > 8 && head[8] == b'{' {
        return Some(FileKind::Safetensors);
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ark_ec::AffineRepr;

    #[test]
    fn envelope_roundtrip_and_rejections() {
        let c = Checkpoint {
            run_id: [7; 32],
            next_iteration: 3,
            params: vec![-1, 2, 1 << 40],
            model_commitment: Some(Point(G1Affine::generator())),
        };
        let bytes = encode(&CHECKPOINT_MAGIC, &c).unwrap();
        assert_eq!(decode::<Checkpoint>(&CHECKPOINT_MAGIC, &bytes).unwrap(), c);
        assert!(decode::<Checkpoint>(&DATA_MAGIC, &bytes).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode::<Checkpoint>(&CHECKPOINT_MAGIC, &long).is_err());
        for cut in 0..bytes.len() {
            assert!(decode::<Checkpoint>(&CHECKPOINT_MAGIC, &bytes[..cut]).is_err());
        }
        let mut v = bytes.clone();
        v[8] = 9;
        assert!(decode::<Checkpoint>(&CHECKPOINT_MAGIC, &v).is_err());
    }

    #[test]
    fn hex_and_points() {
        let p = Point(G1Affine::generator());
        assert_eq!(Point::from_hex(&p.to_hex()), Some(p));
        assert_eq!(Point::from_hex("zz"), None);
        assert_eq!(Point::from_hex(&"ff".repeat(32)), None);
        assert_eq!(parse_proof_name("iter-000012.proof"), Some(12));
        assert_eq!(parse_proof_name("iter-12.proof"), None);
        assert_eq!(parse_proof_name(".iter-000012.proof.tmp.1"), None);
    }
}
