//! The crate's error type.

use crate::field::F;

/// Errors of the sumcheck crate. Verifiers return these, never panic.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A vector that must have power-of-two length does not.
    #[error("length {len} is not a power of two")]
    NotPowerOfTwo {
        /// The offending length.
        len: usize,
    },
    /// A round polynomial does not satisfy `p(0) + p(1) = previous claim` (only reachable when a
    /// round polynomial is checked in uncompressed form; compressed rounds satisfy it by
    /// construction and a wrong round surfaces as [`Error::FinalClaimMismatch`]).
    #[error("round {round}: p(0) + p(1) = {actual}, expected {expected}")]
    RoundCheckFailed {
        /// Round index (0-based).
        round: usize,
        /// The claim carried from the previous round.
        expected: F,
        /// `p(0) + p(1)` of the received polynomial.
        actual: F,
    },
    /// A round polynomial has more coefficients than the degree bound allows.
    #[error("round {round}: degree {actual} exceeds the bound {max}")]
    DegreeTooHigh {
        /// Round index (0-based).
        round: usize,
        /// The degree bound of the batched instances.
        max: usize,
        /// The degree the proof claims.
        actual: usize,
    },
    /// The proof has the wrong number of round polynomials.
    #[error("expected {expected} sumcheck rounds, the proof has {actual}")]
    WrongNumberOfRounds {
        /// `max_i num_rounds_i`.
        expected: usize,
        /// Round polynomials in the proof.
        actual: usize,
    },
    /// The claim left after the last round differs from what the instances' final evaluations
    /// imply.
    #[error("final claim {actual} differs from the expected {expected}")]
    FinalClaimMismatch {
        /// `Σ_i α_i · expected_output_claim_i`, computed by the verifier.
        expected: F,
        /// The claim reduced through the round polynomials.
        actual: F,
    },
    /// A structurally invalid proof or statement (wrong lengths, out-of-range indices, ...).
    #[error("malformed input: {what}")]
    Malformed {
        /// What was wrong.
        what: &'static str,
    },
    /// Bytes that do not deserialize to the expected type.
    #[error("deserialization failed: {what}")]
    Deserialization {
        /// The serializer's message.
        what: String,
    },
}

impl From<ark_serialize::SerializationError> for Error {
    fn from(e: ark_serialize::SerializationError) -> Self {
        Self::Deserialization {
            what: e.to_string(),
        }
    }
}
