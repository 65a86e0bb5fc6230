//! # Per-iteration proofs of a dense network (`mlp`)
//!
//! The public API the CLI calls (design: `docs/protocol.md`):
//!
//! ```text
//! dataset_vector(ds, model)            -> (DatasetLayout, Vec<i64>)     // SPEC §4 rows
//! commit_dataset(pk, &layout, &values) -> DataCommitment                // C_D
//! commit_model(pk, model, params)      -> G1Affine                      // C_W
//! StepStatement::new(srs_digest, model, cfg, batch, &data, t, C_W_t)
//! prove_step(pk, model, cfg, &statement, params_t, ds, &values) -> ProvenStep
//!     // { proof, updated: W_{t+1}, new_model_commitment: C_W_{t+1}, loss, timings }
//! verify_step(vk, model, cfg, &statement, &proof) -> Result<G1Affine /* C_W_{t+1} */, VerifyError>
//! StepProof::to_bytes / StepProof::from_bytes                            // versioned wire format
//! ```
//!
//! The chain: iteration `t + 1`'s statement uses the `C_W_{t+1}` returned by iteration `t`'s
//! [`verify_step`] as its `model_commitment`.
//!
//! What one proof establishes (every relation of SPEC §5 for `Dense (Relu Dense)*`), with the
//! batch read from `C_D` at the rows of iteration `t`:
//! forward `y = rescale(a·W + 2^F·b)`, zkReLU `a = y ⊙ (1 − s)` with `s` the sign bit of `y`,
//! the MSE output gradient `g_L = y_L − 2^F·onehot`, backward `h = rescale(g·Wᵀ)`,
//! `g = h ⊙ (1 − s)` (same `s`), the updates `W' = W − rescale(aᵀ·g, F + k)` and
//! `b' = b − rescale(Σ g, k)`, every quotient and remainder range-checked, `W_{t+1}`
//! range-checked and bound to `C_W_{t+1}`.
//!
//! | module | contents |
//! |---|---|
//! | [`layout`] | dataset, model and aux layouts; commitments |
//! | `prover` / `verifier` | the protocol (`docs/protocol.md`) |

pub mod layout;
pub mod net;
mod prover;
mod verifier;
pub mod wellformed;
mod witness;

use ark_bn254::G1Affine;
use sha2::{Digest, Sha256};

pub use gkr::step::{StepProof, VerifyError};
pub use layout::{
    commit_dataset, commit_model, dataset_vector, model_layout, model_vector, DataCommitment,
    DatasetLayout, StepLayout,
};
pub use pcs::hyperkzg::{ProverKey, VerifierKey};
#[doc(hidden)]
pub use prover::prove_step_with_transcript;
pub use prover::{prove_step, ProvenStep, StepTimings};
#[doc(hidden)]
pub use prover::{prove_step_with_trace, DishonestOptions};
pub use verifier::{verify_step, verify_step_with_transcript};
pub use wellformed::{
    dataset_wellformed_vars, model_wellformed_vars, prove_dataset_wellformed,
    prove_model_wellformed, verify_dataset_wellformed, verify_model_wellformed,
    DatasetWellFormedProof, ModelWellFormedProof,
};

use crate::fixed::FixedConfig;
use crate::model::Model;
use crate::train::TrainConfig;

/// Errors of proving (the verifier returns [`VerifyError`]).
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// A model, configuration or input this prover does not support.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What.
        what: &'static str,
    },
    /// The statement does not match the inputs.
    #[error("statement mismatch: {what}")]
    Statement {
        /// What.
        what: &'static str,
    },
    /// The training step failed.
    #[error(transparent)]
    Train(#[from] crate::error::NnError),
    /// Commitment / opening failure.
    #[error(transparent)]
    Pcs(#[from] pcs::Error),
    /// Range-check / relation failure.
    #[error(transparent)]
    Gkr(#[from] gkr::GkrError),
    /// Sumcheck failure.
    #[error(transparent)]
    Sumcheck(#[from] sumcheck::Error),
    /// The protocol driver shared with the verifier failed on the prover's side.
    #[error(transparent)]
    Protocol(#[from] VerifyError),
}

impl Clone for ProofError {
    fn clone(&self) -> Self {
        match self {
            Self::Unsupported { what } => Self::Unsupported { what },
            Self::Statement { what } => Self::Statement { what },
            _ => Self::Unsupported {
                what: "cloned error",
            },
        }
    }
}

/// `Result` with [`ProofError`].
pub type Result<T> = std::result::Result<T, ProofError>;

/// The public statement of one step (SPEC §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepStatement {
    /// `H(SRS digest, architecture digest, F, B, k, batch size, dataset rows)`.
    pub params_digest: [u8; 32],
    /// Batch size `B_s`.
    pub batch_size: usize,
    /// Rows `N` of the committed dataset.
    pub dataset_rows: usize,
    /// Iteration `t`.
    pub iteration: u64,
    /// `C_D`.
    pub data_commitment: G1Affine,
    /// `C_W_t`.
    pub model_commitment: G1Affine,
}

/// The parameters digest of a run.
pub fn params_digest(
    srs_digest: &[u8; 32],
    model: &Model,
    cfg: &TrainConfig,
    batch_size: usize,
    dataset_rows: usize,
) -> [u8; 32] {
    let fixed: &FixedConfig = &cfg.fixed;
    let mut h = Sha256::new();
    h.update(b"zkpot-step-params-v1");
    h.update(srs_digest);
    h.update(model.digest(fixed));
    h.update(fixed.frac_bits.to_le_bytes());
    h.update(fixed.value_bits.to_le_bytes());
    h.update(cfg.lr_shift.to_le_bytes());
    h.update((batch_size as u64).to_le_bytes());
    h.update((dataset_rows as u64).to_le_bytes());
    h.finalize().into()
}

impl StepStatement {
    /// The statement of iteration `iteration` starting from the model committed in
    /// `model_commitment`.
    pub fn new(
        srs_digest: &[u8; 32],
        model: &Model,
        cfg: &TrainConfig,
        batch_size: usize,
        data: &DataCommitment,
        iteration: u64,
        model_commitment: G1Affine,
    ) -> Self {
        Self {
            params_digest: params_digest(srs_digest, model, cfg, batch_size, data.layout.rows),
            batch_size,
            dataset_rows: data.layout.rows,
            iteration,
            data_commitment: data.commitment,
            model_commitment,
        }
    }
}

/// Transcript domain of step proofs.
pub const TRANSCRIPT_DOMAIN: &[u8] = b"zkpot-step-v1";
