//! The commitment-scheme traits (schemes live in their own modules).

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::{MultilinearPoly, Transcript, F};

use crate::msm::Scalars;
use crate::Error;

/// A multilinear polynomial commitment scheme.
///
/// A polynomial on `n` variables is given by its `2^n` evaluations (index `Σ x_i·2^i`, `x_0` the
/// low bit, as in [`sumcheck::mle`]). Opening at a point with more coordinates than the
/// polynomial has variables opens its zero-padded version: `P(r_low)·Π_{high}(1 − r_j)`.
///
/// `open` and `verify` absorb the commitment, the point and the value into the transcript before
/// drawing any challenge; callers absorb the statement (SRS digest included) themselves.
pub trait MultilinearPcs {
    /// Public parameters the keys are trimmed from (an SRS, or a size for the trivial scheme).
    type Setup;
    /// What the prover needs to commit and open.
    type ProverKey;
    /// What the verifier needs.
    type VerifierKey;
    /// A commitment.
    type Commitment: Clone + std::fmt::Debug + PartialEq + CanonicalSerialize + CanonicalDeserialize;
    /// An evaluation proof.
    type Proof: Clone + std::fmt::Debug + CanonicalSerialize + CanonicalDeserialize;

    /// Keys for polynomials of up to `max_vars` variables.
    fn trim(
        setup: &Self::Setup,
        max_vars: usize,
    ) -> Result<(Self::ProverKey, Self::VerifierKey), Error>;

    /// Commit to an evaluation vector of any length up to `2^max_vars` (implicitly zero-padded to
    /// the next power of two; small integers take the fast MSM path).
    fn commit_scalars(
        pk: &Self::ProverKey,
        scalars: Scalars<'_>,
    ) -> Result<Self::Commitment, Error>;

    /// Commit to a polynomial.
    fn commit(pk: &Self::ProverKey, poly: &MultilinearPoly) -> Result<Self::Commitment, Error> {
        Self::commit_scalars(pk, Scalars::Field(poly.evals()))
    }

    /// Absorb a commitment into a transcript.
    fn absorb_commitment<T: Transcript>(
        transcript: &mut T,
        label: &'static [u8],
        commitment: &Self::Commitment,
    );

    /// Prove the value of `poly` (committed as `commitment`) at `point`; returns the proof and the
    /// value. `point.len()` may exceed `poly.num_vars()` (zero padding).
    fn open<T: Transcript>(
        pk: &Self::ProverKey,
        poly: &MultilinearPoly,
        commitment: &Self::Commitment,
        point: &[F],
        transcript: &mut T,
    ) -> Result<(Self::Proof, F), Error>;

    /// Check that the polynomial committed in `commitment`, read on `point.len()` variables,
    /// takes `value` at `point`.
    fn verify<T: Transcript>(
        vk: &Self::VerifierKey,
        commitment: &Self::Commitment,
        point: &[F],
        value: &F,
        proof: &Self::Proof,
        transcript: &mut T,
    ) -> Result<(), Error>;
}

/// Commitments that can be combined linearly: `commit(Σ c_i·P_i) = Σ c_i·commit(P_i)` (with
/// polynomials of different sizes zero-padded to the largest).
pub trait AdditivelyHomomorphic: MultilinearPcs {
    /// `Σ coeffs[i]·commitments[i]`.
    fn combine(commitments: &[Self::Commitment], coeffs: &[F]) -> Result<Self::Commitment, Error>;
}
