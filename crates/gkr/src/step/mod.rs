//! The per-iteration step framework (SPEC §6): statement, commitments, prover-sent evaluations,
//! claim bookkeeping per committed polynomial, the final merge with one batched opening, the
//! proof container and the verifier's error type.
//!
//! A step protocol (e.g. `nn_layers::proof` for dense networks) is written against these pieces:
//!
//! 1. [`absorb_statement`] (parameters digest, iteration, `C_D`, `C_W_t`), then
//!    [`absorb_commitments`] (`C_W_{t+1}`, `C_aux_t`) — before any challenge **[sound]**;
//! 2. challenges, relation sumchecks ([`crate::relations`], `sumcheck::prove_batched`), and
//!    prover-sent evaluations through [`stream::EvalWriter`] / [`stream::EvalReader`] (each
//!    group absorbed when sent);
//! 3. the range check ([`crate::range_check`]) over the limb segments of `C_aux_t`;
//! 4. every claim recorded in a [`claims::ClaimBook`] and proven by [`merge::prove_merge`] /
//!    [`merge::verify_merge`].
//!
//! | module | contents |
//! |---|---|
//! | [`claims`] | [`ClaimBook`]: claims per committed polynomial, segment addressing |
//! | [`stream`] | prover-sent evaluation groups |
//! | [`merge`] | block-aware multi-claim reduction + one batched HyperKZG opening |
//! | [`proof`] | [`StepProof`], versioned wire format |
//! | [`error`] | [`VerifyError`] |

pub mod claims;
pub mod error;
pub mod merge;
pub mod proof;
pub mod stream;

use ark_bn254::G1Affine;
use sumcheck::Transcript;

pub use claims::{index_bits, ClaimBook};
pub use error::VerifyError;
pub use merge::{prove_merge, verify_merge, MergeProof};
pub use proof::{StepProof, STEP_PROOF_MAGIC, STEP_PROOF_VERSION};
pub use stream::{EvalGroups, EvalReader, EvalWriter};

/// Transcript label: the statement's parameters digest.
pub const LABEL_PARAMS_DIGEST: &[u8] = b"step_params_digest";
/// Transcript label: the iteration index.
pub const LABEL_ITERATION: &[u8] = b"step_iteration";
/// Transcript label: the dataset commitment.
pub const LABEL_DATA: &[u8] = b"step_data_commitment";
/// Transcript label: the model commitment before the step.
pub const LABEL_MODEL: &[u8] = b"step_model_commitment";
/// Transcript label: the model commitment after the step.
pub const LABEL_NEW_MODEL: &[u8] = b"step_new_model_commitment";
/// Transcript label: the aux commitment.
pub const LABEL_AUX: &[u8] = b"step_aux_commitment";

/// Absorb the statement (SPEC §6.1).
pub fn absorb_statement<T: Transcript>(
    transcript: &mut T,
    params_digest: &[u8; 32],
    iteration: u64,
    data: &G1Affine,
    model: &G1Affine,
) {
    transcript.append_bytes(LABEL_PARAMS_DIGEST, params_digest);
    transcript.append_u64(LABEL_ITERATION, iteration);
    transcript.append_g1(LABEL_DATA, data);
    transcript.append_g1(LABEL_MODEL, model);
}

/// Absorb the prover's commitments `C_W_{t+1}` and `C_aux_t`.
pub fn absorb_commitments<T: Transcript>(transcript: &mut T, new_model: &G1Affine, aux: &G1Affine) {
    transcript.append_g1(LABEL_NEW_MODEL, new_model);
    transcript.append_g1(LABEL_AUX, aux);
}
