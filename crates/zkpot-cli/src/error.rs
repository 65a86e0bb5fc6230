//! The crate's error type and its mapping to exit codes (SPEC §10).

use std::path::PathBuf;

/// Exit code: success / proof accepted.
pub const EXIT_OK: i32 = 0;
/// Exit code: a proof (or the run it belongs to) was rejected.
pub const EXIT_REJECTED: i32 = 1;
/// Exit code: bad usage or unreadable input.
pub const EXIT_USAGE: i32 = 2;

/// Everything a command can fail with. [`CliError::exit_code`] maps each variant to 1 or 2.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments or an impossible combination of them.
    #[error("{what}")]
    Usage {
        /// What is wrong.
        what: String,
    },
    /// A feature this build does not have (GPU backend, convolutional proofs).
    #[error("{what}")]
    Unsupported {
        /// What is missing.
        what: String,
    },
    /// A file that cannot be used (wrong magic, version, truncated, inconsistent).
    #[error("{}: {what}", path.display())]
    BadInput {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// An I/O failure.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The SRS has fewer powers than the committed vectors need.
    #[error(
        "the SRS has 2^{available} powers but {what} needs 2^{needed}: run `zkpot setup --log-size {needed}` (or larger)"
    )]
    SrsTooSmall {
        /// What needs the powers.
        what: String,
        /// log2 of the powers needed.
        needed: usize,
        /// log2 of the powers available.
        available: usize,
    },
    /// A proof or the run it belongs to was rejected.
    #[error("REJECTED: {reason}")]
    Rejected {
        /// Why.
        reason: String,
    },
    /// Training, layout or model errors of `nn-layers`.
    #[error("training engine: {source}")]
    Train {
        /// The inner error.
        #[from]
        source: nn_layers::NnError,
    },
    /// Prover errors.
    #[error("prover: {source}")]
    Prove {
        /// The inner error.
        #[from]
        source: nn_layers::proof::ProofError,
    },
    /// Commitment-scheme / SRS errors.
    #[error("commitments: {source}")]
    Pcs {
        /// The inner error.
        #[from]
        source: pcs::Error,
    },
    /// Folding (recursion) errors.
    #[error("folding: {source}")]
    Fold {
        /// The inner error.
        #[from]
        source: recursion::Error,
    },
}

impl CliError {
    /// The process exit code for this error: 1 for a rejection, 2 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Rejected { .. } => EXIT_REJECTED,
            _ => EXIT_USAGE,
        }
    }

    /// A [`CliError::Usage`].
    pub fn usage(what: impl Into<String>) -> Self {
        Self::Usage { what: what.into() }
    }

    /// A [`CliError::Rejected`].
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self::Rejected {
            reason: reason.into(),
        }
    }

    /// A [`CliError::BadInput`].
    pub fn bad_input(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Self::BadInput {
            path: path.into(),
            what: what.into(),
        }
    }

    /// A closure turning an I/O error at `path` into a [`CliError::Io`].
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// `Result` with [`CliError`].
pub type Result<T> = std::result::Result<T, CliError>;
