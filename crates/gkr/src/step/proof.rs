//! The step proof object and its versioned wire format.

use ark_bn254::G1Affine;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::SumcheckProof;

use crate::range_check::RangeCheckProof;
use crate::step::error::VerifyError;
use crate::step::merge::MergeProof;
use crate::step::stream::EvalGroups;

/// Magic bytes at the start of a serialized [`StepProof`].
pub const STEP_PROOF_MAGIC: [u8; 8] = *b"ZKPOTSTP";
/// Format version of [`StepProof`]. 2: the merged HyperKZG opening carries two quotients
/// (Shplonk-style three-point batching) instead of three.
pub const STEP_PROOF_VERSION: u32 = 2;

/// The proof of one training step: the prover's two commitments, its evaluations, the batched
/// sumchecks (in protocol order), the range check and the final merged opening.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct StepProof {
    /// `C_W_{t+1}`: the model after the update.
    pub new_model: G1Affine,
    /// `C_aux_t`: limbs, remainders, signs and multiplicities.
    pub aux: G1Affine,
    /// Prover-sent evaluations, in protocol order.
    pub evals: EvalGroups,
    /// The batched sumchecks, in protocol order.
    pub sumchecks: Vec<SumcheckProof>,
    /// The final evaluations of each batched sumcheck (one vector per instance).
    pub sumcheck_evals: Vec<Vec<Vec<sumcheck::F>>>,
    /// Range check of every limb segment (logUp/GKR).
    pub range: RangeCheckProof,
    /// All claims merged and opened at one point.
    pub merge: MergeProof,
}

impl StepProof {
    /// `magic ‖ version (u32 LE) ‖ compressed canonical encoding`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.compressed_size());
        out.extend_from_slice(&STEP_PROOF_MAGIC);
        out.extend_from_slice(&STEP_PROOF_VERSION.to_le_bytes());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decode [`Self::to_bytes`]: wrong magic or version, invalid points, non-canonical field
    /// elements and trailing bytes are errors, never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        let rest = bytes
            .strip_prefix(&STEP_PROOF_MAGIC[..])
            .ok_or_else(|| VerifyError::malformed("not a step proof (magic)"))?;
        let (version, mut reader) = match rest {
            [a, b, c, d, tail @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]), tail),
            _ => return Err(VerifyError::malformed("truncated header")),
        };
        if version != STEP_PROOF_VERSION {
            return Err(VerifyError::malformed(format!(
                "step proof version {version}, this build reads {STEP_PROOF_VERSION}"
            )));
        }
        let proof = Self::deserialize_compressed(&mut reader)
            .map_err(|e| VerifyError::malformed(e.to_string()))?;
        if !reader.is_empty() {
            return Err(VerifyError::malformed(
                "trailing bytes after the step proof",
            ));
        }
        Ok(proof)
    }
}
