//! The crate's error type: one enum, named fields, never a catch-all string.

/// Errors of the `pcs` crate. Verifiers and loaders return these; they never panic.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A proof component has the wrong length for the claimed number of variables.
    #[error("proof component `{what}` has length {actual}, expected {expected}")]
    ProofShape {
        /// Which component.
        what: &'static str,
        /// Length the verifier expects.
        expected: usize,
        /// Length found in the proof.
        actual: usize,
    },
    /// An evaluation point does not have the dimension the claim needs.
    #[error("point has {actual} coordinates, expected {expected}")]
    PointDimension {
        /// Expected number of coordinates.
        expected: usize,
        /// Number supplied.
        actual: usize,
    },
    /// Two lists that must have equal length (commitments, values, sizes, claims) do not.
    #[error("`{what}`: {actual} entries, expected {expected}")]
    LengthMismatch {
        /// Which list.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Supplied length.
        actual: usize,
    },
    /// A claim refers to a polynomial index that does not exist.
    #[error("claim {claim} refers to polynomial {poly}, but only {num_polys} were given")]
    ClaimIndex {
        /// Index of the claim.
        claim: usize,
        /// The polynomial index it names.
        poly: usize,
        /// Number of polynomials.
        num_polys: usize,
    },
    /// The Gemini folding relation between consecutive folded polynomials fails at `round`.
    #[error("folding consistency check failed in round {round}")]
    FoldingCheckFailed {
        /// Index `j` of the relation `f_{j+1}(β²) = fold(f_j(β), f_j(-β))`.
        round: usize,
    },
    /// The final (batched) pairing equation does not hold.
    #[error("pairing check failed")]
    PairingCheckFailed,
    /// A commitment or opening does not match (trivial backend: vectors differ).
    #[error("opening does not match the commitment")]
    OpeningMismatch,
    /// A Fiat–Shamir challenge that must be non-zero came out zero (probability ~2^-254).
    #[error("degenerate challenge `{label}`")]
    DegenerateChallenge {
        /// The challenge's label.
        label: &'static str,
    },
    /// The polynomial is larger than the key supports.
    #[error("polynomial needs 2^{needed} powers of tau, the key has 2^{available}")]
    SrsTooSmall {
        /// log2 of the powers needed.
        needed: usize,
        /// log2 of the powers available.
        available: usize,
    },
    /// A requested size is out of the supported range.
    #[error("log size {log_size} is out of range (max {max})")]
    LogSizeOutOfRange {
        /// Requested log2 size.
        log_size: usize,
        /// Largest supported.
        max: usize,
    },
    /// An SRS file is malformed.
    #[error("SRS file: {reason}")]
    SrsFormat {
        /// What is wrong.
        reason: &'static str,
    },
    /// An SRS is internally inconsistent (powers not of one τ, or wrong generators).
    #[error("SRS is inconsistent: {reason}")]
    SrsInconsistent {
        /// Which check failed.
        reason: &'static str,
    },
    /// A `.ptau` file is malformed.
    #[error(".ptau file: {reason}")]
    PtauFormat {
        /// What is wrong.
        reason: &'static str,
    },
    /// A `.ptau` file ends early.
    #[error(".ptau file is truncated: {what}")]
    PtauTruncated {
        /// What could not be read.
        what: &'static str,
    },
    /// A `.ptau` section the loader needs is absent.
    #[error(".ptau file has no section {section}")]
    PtauMissingSection {
        /// Section id.
        section: u32,
    },
    /// The `.ptau` file is over another field.
    #[error(".ptau file is not over the BN254 base field")]
    PtauWrongField,
    /// The `.ptau` file has fewer powers than needed.
    #[error(".ptau file has 2^{power} powers, 2^{needed} needed")]
    PtauTooSmall {
        /// Its power.
        power: u32,
        /// The power needed.
        needed: usize,
    },
    /// A point read from a `.ptau` file is invalid.
    #[error(".ptau section {section}, point {index}: {reason}")]
    PtauBadPoint {
        /// Section id.
        section: u32,
        /// Index of the point in the section.
        index: usize,
        /// What is wrong (not on curve, not in subgroup, coordinate not reduced, infinity).
        reason: &'static str,
    },
    /// Deserialization of a proof, commitment or key failed.
    #[error("cannot deserialize {what}: {source}")]
    Deserialize {
        /// What was being read.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: ark_serialize::SerializationError,
    },
    /// An I/O error while reading or writing a file.
    #[error("I/O error ({context}): {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The multi-point reduction sumcheck rejected.
    #[error("multi-point reduction: {0}")]
    Sumcheck(#[from] sumcheck::Error),
}

impl Error {
    pub(crate) fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { context, source }
    }
}
