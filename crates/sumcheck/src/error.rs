//! The crate's error type.

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
}
