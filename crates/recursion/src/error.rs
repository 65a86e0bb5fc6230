//! The crate's error type.

use ark_relations::gr1cs::SynthesisError;

/// Errors of the recursion crate. Gadgets and the native folding code return these, never panic.
///
/// For the gadgets, a proof that is well-shaped but wrong is **not** an error: the gadgets still
/// synthesize and the constraint system is left unsatisfied. Their errors are for shapes that
/// cannot be laid out as a circuit (a proof with the wrong number of rounds, a label the
/// transcript cannot encode, ...) and for failures of the underlying constraint system. The
/// native checks of the folding core (`r1cs`, `pedersen`, `nifs`) report a failed relation or a
/// commitment that does not open as an error ([`Error::UnsatisfiedConstraint`],
/// [`Error::CommitmentMismatch`], ...).
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
    /// A vector of the wrong length for the R1CS shape or the commitment key.
    #[error("{what}: length {actual}, expected {expected}")]
    LengthMismatch {
        /// Which vector.
        what: &'static str,
        /// The length the shape requires.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A sparse-matrix entry outside the matrix.
    #[error(
        "matrix {matrix}, row {row}: column {col} out of range (the matrix has {num_cols} columns)"
    )]
    ColumnOutOfRange {
        /// `"A"`, `"B"` or `"C"`.
        matrix: &'static str,
        /// The row of the entry.
        row: usize,
        /// Its column.
        col: usize,
        /// The number of columns.
        num_cols: usize,
    },
    /// The constraint system was synthesized without constructing its matrices
    /// (`SynthesisMode::Prove { construct_matrices: false, .. }`).
    #[error("the constraint system did not construct its constraint matrices")]
    MatricesNotConstructed,
    /// The constraint system holds constraints of a predicate other than R1CS.
    #[error("the constraint system has {num_constraints} constraints of the non-R1CS predicate {label:?}")]
    UnsupportedPredicate {
        /// The predicate's label.
        label: String,
        /// Its number of constraints.
        num_constraints: usize,
    },
    /// A (relaxed) R1CS relation does not hold at this row.
    #[error("R1CS constraint {row} is not satisfied")]
    UnsatisfiedConstraint {
        /// The first failing row.
        row: usize,
    },
    /// A commitment in an instance does not open to the witness.
    #[error("the commitment to {what} does not open to the witness")]
    CommitmentMismatch {
        /// Which commitment (`"W"`, `"E"`).
        what: &'static str,
    },
    /// The commitment key has fewer generators than the vector to commit.
    #[error("commitment key of {available} generators, {needed} needed")]
    KeyTooShort {
        /// Generators needed.
        needed: usize,
        /// Generators in the key.
        available: usize,
    },
    /// A non-zero blinding factor with a key that has no blinding generator.
    #[error("non-zero blinding factor but the commitment key is not hiding")]
    NotHiding,
    /// Try-and-increment found no point for this generator (probability `2^-(2^32)`).
    #[error("hash to curve found no point for generator {index}")]
    HashToCurveFailed {
        /// Index of the generator (`u64::MAX` for the blinding generator).
        index: u64,
    },
    /// A point that is not on the curve (BN254 G1 or Grumpkin, whichever the fold commits over).
    #[error("{what} is not a point of the curve")]
    InvalidPoint {
        /// Which point.
        what: &'static str,
    },
    /// A CycleFold statement whose output is not `P_1 + r·P_2`.
    #[error("CycleFold statement: P_out is not P_1 + r·P_2")]
    CycleFoldMismatch,
    /// A proof whose shape does not match its statement (wrong number of roots, layers, child
    /// values, openings, ...).
    #[error("proof shape: expected {expected} {what}, got {actual}")]
    ProofShape {
        /// Which part of the proof.
        what: &'static str,
        /// What the statement requires.
        expected: usize,
        /// What the proof has.
        actual: usize,
    },
    /// A native sumcheck verification failed (the native side of the accumulator fold).
    #[error("sumcheck: {0}")]
    Sumcheck(#[from] sumcheck::Error),
    /// A verifier check of a proof failed (a sumcheck round or final claim, an inner-product
    /// argument's final equation); `what` names the check.
    #[error("proof rejected: {what}")]
    Rejected {
        /// Which check failed.
        what: &'static str,
    },
    /// The incoming instance's public input is not the hash of the claimed IVC state.
    #[error("the incoming instance's public input is not the hash of the IVC state")]
    IvcStateHashMismatch,
    /// The native step verifier rejected the proof (the native reference of the step gadget).
    #[error("native step verifier: {0}")]
    NativeStepRejected(String),
    /// The opening of the final accumulator claim failed (or its polynomial does not match).
    #[error("accumulator opening: {0}")]
    AccumulatorOpening(String),
    /// A proof file or encoding that does not decode (bad magic, version, lengths, points or
    /// field elements, trailing bytes).
    #[error("malformed encoding: {0}")]
    Serialization(String),
    /// The polynomial commitment scheme (`pcs`) failed: a commitment or opening the prover could
    /// not compute, or an opening the verifier rejects (the decider, [`crate::spartan`]). Holds
    /// the `pcs` error's message, as `pcs::Error` is neither `Clone` nor `Eq`.
    #[error("polynomial commitment ({what}): {reason}")]
    Pcs {
        /// Which commitment or opening.
        what: &'static str,
        /// The `pcs` error.
        reason: String,
    },
}

impl Error {
    /// `Err(ProofShape)` unless a proof part has the `expected` length.
    pub(crate) fn check_shape(
        what: &'static str,
        expected: usize,
        actual: usize,
    ) -> Result<(), Self> {
        if actual == expected {
            Ok(())
        } else {
            Err(Self::ProofShape {
                what,
                expected,
                actual,
            })
        }
    }

    /// `Ok` if `actual == expected`, else [`Error::LengthMismatch`] naming `what`.
    pub(crate) fn check_len(
        what: &'static str,
        expected: usize,
        actual: usize,
    ) -> Result<(), Self> {
        if actual == expected {
            Ok(())
        } else {
            Err(Self::LengthMismatch {
                what,
                expected,
                actual,
            })
        }
    }
}
