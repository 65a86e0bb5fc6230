//! The crate's error type.

use sumcheck::F;

/// Errors of the gkr crate. Verifiers return these and never panic on proof data.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GkrError {
    /// A sumcheck (outside a GKR layer) failed or got malformed input.
    #[error("sumcheck: {source}")]
    Sumcheck {
        /// The sumcheck crate's error.
        #[from]
        source: sumcheck::Error,
    },
    /// The sumcheck of one GKR layer (reducing depth `depth` to depth `depth + 1`) failed.
    #[error("GKR layer at depth {depth}: {source}")]
    LayerSumcheck {
        /// Depth of the parent layer (the root is depth 0).
        depth: usize,
        /// The sumcheck crate's error.
        source: sumcheck::Error,
    },
    /// Public parameters that describe no valid statement.
    #[error("invalid parameters: {what}")]
    InvalidParams {
        /// What was wrong.
        what: &'static str,
    },
    /// A witness vector of the wrong length.
    #[error("witness segment {segment}: length {actual}, expected {expected}")]
    WitnessShape {
        /// Segment index.
        segment: usize,
        /// The length the parameters require.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A witness entry outside its table (reported by the honest prover's helpers).
    #[error("witness segment {segment}, entry {index}: not in the lookup table")]
    WitnessOutOfRange {
        /// Segment index.
        segment: usize,
        /// Entry index inside the segment.
        index: usize,
    },
    /// An integer that does not fit the requested limb scheme.
    #[error("value {value} does not fit in {bits} bits")]
    ValueOutOfRange {
        /// The value.
        value: i128,
        /// The scheme's bit width.
        bits: u32,
    },
    /// A proof whose shape does not match the statement.
    #[error("malformed proof: {what} (expected {expected}, got {actual})")]
    ProofShape {
        /// Which part of the proof.
        what: &'static str,
        /// The count the statement requires.
        expected: usize,
        /// The count in the proof.
        actual: usize,
    },
    /// A fraction tree root (or a sum of roots) has a zero denominator.
    #[error("lookup group {group}: zero denominator at the root")]
    ZeroDenominator {
        /// Index of the lookup group (table).
        group: usize,
    },
    /// The fractions of a lookup group do not sum to zero: some witness entry is not in the table,
    /// or the multiplicities are wrong.
    #[error("lookup group {group}: fractions sum to {numerator}/(nonzero), not 0")]
    LookupSumNonZero {
        /// Index of the lookup group (table).
        group: usize,
        /// The numerator of the sum of the roots.
        numerator: F,
    },
    /// A leaf claim that the verifier checks itself (numerator `1` of a witness leaf, the
    /// table's denominator `α − T(r)`, a two-column recombination) does not hold.
    #[error("leaf check failed for tree {tree}: {what}")]
    LeafCheckFailed {
        /// Index of the fraction tree.
        tree: usize,
        /// Which check.
        what: &'static str,
    },
    /// Bytes that do not deserialize to the expected type.
    #[error("deserialization failed: {what}")]
    Deserialization {
        /// The serializer's message.
        what: String,
    },
}

impl From<ark_serialize::SerializationError> for GkrError {
    fn from(e: ark_serialize::SerializationError) -> Self {
        Self::Deserialization {
            what: e.to_string(),
        }
    }
}
