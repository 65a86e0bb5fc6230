//! The step verifier's error type.

use sumcheck::F;

/// Why a step proof was rejected. Verifiers return this and never panic on proof data.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are not a step proof of this format version.
    #[error("malformed step proof: {what}")]
    Malformed {
        /// What was wrong.
        what: String,
    },
    /// The proof was made for another statement shape (model, batch, dataset, parameters).
    #[error("statement mismatch: {what}")]
    Statement {
        /// What differs.
        what: &'static str,
    },
    /// The proof holds fewer or more prover-sent evaluations than the protocol reads.
    #[error("evaluation group `{group}`: expected {expected} values, got {actual}")]
    EvalShape {
        /// The group's transcript label.
        group: &'static str,
        /// Values the verifier reads.
        expected: usize,
        /// Values in the proof.
        actual: usize,
    },
    /// A linear relation the verifier checks itself does not hold.
    #[error("relation `{relation}` does not hold (expected {expected}, got {actual})")]
    RelationFailed {
        /// Which relation (e.g. `l2.weight_update`).
        relation: String,
        /// The value the verifier computed.
        expected: F,
        /// The value the prover's evaluations imply.
        actual: F,
    },
    /// A sumcheck of the step failed.
    #[error("sumcheck `{phase}`: {source}")]
    Sumcheck {
        /// Which batched sumcheck.
        phase: &'static str,
        /// The sumcheck crate's error.
        source: sumcheck::Error,
    },
    /// A layer relation's reduction (convolution, pool) failed.
    #[error("{relation}: {source}")]
    Layer {
        /// Which relation.
        relation: &'static str,
        /// The gkr crate's error.
        source: crate::GkrError,
    },
    /// The range check (logUp/GKR) failed.
    #[error("range check: {source}")]
    RangeCheck {
        /// The gkr crate's error.
        #[from]
        source: crate::GkrError,
    },
    /// The final opening of the committed polynomials failed.
    #[error("opening: {source}")]
    Opening {
        /// The pcs crate's error.
        #[from]
        source: pcs::Error,
    },
}

impl VerifyError {
    /// A [`VerifyError::RelationFailed`].
    pub fn relation(relation: impl Into<String>, expected: F, actual: F) -> Self {
        Self::RelationFailed {
            relation: relation.into(),
            expected,
            actual,
        }
    }

    /// A [`VerifyError::Malformed`].
    pub fn malformed(what: impl Into<String>) -> Self {
        Self::Malformed { what: what.into() }
    }
}
