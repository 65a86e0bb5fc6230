//! The crate's error type.

use ark_relations::gr1cs::SynthesisError;

/// Errors of the recursion crate. Gadgets return these, never panic.
///
/// A proof that is well-shaped but wrong is **not** an error: the gadgets still synthesize and
/// the constraint system is left unsatisfied. Errors are for shapes that cannot be laid out as a
/// circuit (a proof with the wrong number of rounds, a label the transcript cannot encode, ...)
/// and for failures of the underlying constraint system.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The constraint system failed (a missing assignment in proving mode, ...).
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// A transcript label longer than the Poseidon header can encode.
    #[error("transcript label of {len} bytes exceeds the maximum of {max}")]
    LabelTooLong {
        /// Length of the label.
        len: usize,
        /// [`sumcheck::transcript::MAX_LABEL_LEN`].
        max: usize,
    },
    /// An absorb of `2^32` or more elements (or bytes): the header cannot encode its length.
    #[error("absorb of length {len} does not fit the 32-bit length field of the header")]
    AbsorbTooLong {
        /// The length.
        len: usize,
    },
    /// The proof has the wrong number of round polynomials.
    #[error("expected {expected} sumcheck rounds, the proof has {actual}")]
    WrongNumberOfRounds {
        /// `max_i num_rounds_i`.
        expected: usize,
        /// Round polynomials in the proof.
        actual: usize,
    },
    /// A round polynomial has more coefficients than the degree bound allows.
    #[error("round {round}: degree {actual} exceeds the bound {max}")]
    DegreeTooHigh {
        /// Round index (0-based).
        round: usize,
        /// The degree bound of the batch.
        max: usize,
        /// The number of coefficients sent (the degree it claims).
        actual: usize,
    },
    /// A round polynomial has fewer coefficients than the degree bound.
    #[error("round {round}: {actual} coefficients, the degree bound needs {expected}")]
    TooFewCoefficients {
        /// Round index (0-based).
        round: usize,
        /// The degree bound of the batch.
        expected: usize,
        /// Coefficients in the proof.
        actual: usize,
    },
    /// An instance received the wrong number of final evaluations.
    #[error("instance {instance}: expected {expected} final evaluations, got {actual}")]
    WrongNumberOfFinalEvals {
        /// Index of the instance in the batch.
        instance: usize,
        /// What the instance needs.
        expected: usize,
        /// What was given.
        actual: usize,
    },
    /// Two points (or a point and a statement) of different dimensions.
    #[error("point of dimension {actual}, expected {expected}")]
    DimensionMismatch {
        /// Expected dimension.
        expected: usize,
        /// Actual dimension.
        actual: usize,
    },
    /// A structurally invalid statement (no instances, mismatched lists, ...).
    #[error("malformed input: {what}")]
    Malformed {
        /// What was wrong.
        what: &'static str,
    },
}
