//! The constant-size proof of a training run: every iteration's step proof folded into the IVC
//! ([`crate::training_step::TrainingStep`]), then the succinct decider ([`crate::decider`]) and
//! the mandatory opening of the accumulator.
//!
//! ```text
//! keys    TrainingKeys::setup(srs, model, cfg, statement)   IVC params over the SRS, decider key,
//!                                                            HyperKZG keys (prover and verifier)
//! prover  TrainingProver::new(keys, C_D, C_W_0)
//!         fold_iteration(statement_t, proven step t, vectors)   for t = 0, 1, …
//!         prove()  → TrainingProof { T, (C_acc, r_acc, v_acc), decider proof, opening }
//! verify  z_0 = (0, C_D, C_W_0, O, 0^n, 0),  z_T = (T, C_D, C_W_T, C_acc, r_acc, v_acc)
//!         decider::verify(T, z_0, z_T)  and  HyperKZG opening of C_acc at r_acc to v_acc
//! ```
//!
//! The verifier is given `C_D`, `C_W_0` (the run statement) and the claimed final model
//! commitment `C_W_T`; the proof's size and its verification time do not depend on `T`
//! (`docs/recursion.md`). The keys depend on the run's parameters (model, training
//! configuration, batch, dataset size, SRS) only; deriving them synthesizes the augmented circuit
//! once (preprocessing, on both sides).

use ark_bn254::{Fr, G1Affine};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::RngCore;
use nn_layers::model::Model;
use nn_layers::proof::{ProvenStep, StepStatement};
use nn_layers::TrainConfig;
use pcs::hyperkzg::{Commitment, Proof as KzgProof, ProverKey, VerifierKey};
use pcs::{HyperKzg, Srs};

use crate::accumulator::AccumulatorClaim;
use crate::decider::{self, ivc_params_over_srs, DeciderKey, DeciderProof};
use crate::error::Error;
use crate::ivc::{Ivc, IvcParams};
use crate::step_gadget::native_step_claims;
use crate::training_step::{
    accumulate_step, open_accumulator, verify_accumulator, Accumulator, StepVectors, TrainingStep,
};

/// Magic bytes of [`TrainingProof::to_bytes`].
pub const TRAINING_PROOF_MAGIC: &[u8; 8] = b"ZKPOTFLD";
/// Format version of [`TrainingProof::to_bytes`].
pub const TRAINING_PROOF_VERSION: u32 = 1;

/// The keys of a run's folded proof (module docs).
#[derive(Clone, Debug)]
pub struct TrainingKeys {
    model: Model,
    cfg: TrainConfig,
    params: IvcParams<TrainingStep>,
    decider: DeciderKey,
    pk: ProverKey,
    vk: VerifierKey,
}

impl TrainingKeys {
    /// Keys for the run whose statements share `statement`'s parameters digest, batch size and
    /// dataset size, over `srs` (which must hold `max(|W|, m)` powers of the augmented circuit
    /// and the step's own sizes).
    pub fn setup(
        srs: &Srs,
        model: &Model,
        cfg: &TrainConfig,
        statement: &StepStatement,
    ) -> Result<Self, Error> {
        let step = TrainingStep::new(model.clone(), *cfg, statement)?;
        let params = ivc_params_over_srs(step, srs)?;
        let decider = DeciderKey::new(&params)?;
        let need = decider.pcs_num_vars().max(params.step().acc_vars());
        let (pk, vk) = HyperKzg::keys(srs, need).map_err(|e| Error::Pcs {
            what: "training keys",
            reason: e.to_string(),
        })?;
        Ok(Self {
            model: model.clone(),
            cfg: *cfg,
            params,
            decider,
            pk,
            vk,
        })
    }

    /// The IVC parameters.
    pub fn params(&self) -> &IvcParams<TrainingStep> {
        &self.params
    }

    /// The number of constraints of the augmented circuit.
    pub fn num_constraints(&self) -> usize {
        self.params.primary().shape().num_constraints()
    }
}

/// Time split of one folded iteration.
#[derive(Clone, Copy, Debug, Default)]
pub struct FoldTimings {
    /// The native step verifier (the claims the circuit ends on).
    pub claims: std::time::Duration,
    /// The four accumulator folds.
    pub accumulate: std::time::Duration,
    /// The IVC step: NIFS and CycleFold folds, synthesis, witness commitment.
    pub ivc_step: std::time::Duration,
}

/// The prover of a run's folded proof.
#[derive(Clone, Debug)]
pub struct TrainingProver<'a> {
    keys: &'a TrainingKeys,
    ivc: Ivc<TrainingStep>,
    acc: Accumulator,
}

impl<'a> TrainingProver<'a> {
    /// A prover at iteration 0, for the run from `C_W_0` on the dataset `C_D`.
    pub fn new(
        keys: &'a TrainingKeys,
        data: &G1Affine,
        initial_model: &G1Affine,
    ) -> Result<Self, Error> {
        let step = keys.params.step();
        let ivc = Ivc::new(keys.params.clone(), step.initial_state(data, initial_model))?;
        Ok(Self {
            keys,
            ivc,
            acc: Accumulator::empty(step.acc_vars())?,
        })
    }

    /// Iterations folded so far.
    pub fn iterations(&self) -> u64 {
        self.ivc.state().i
    }

    /// Folds iteration `t = self.iterations()`: its statement, its proven step and the vectors it
    /// committed. A statement of another iteration or a proof the native verifier rejects is an
    /// error (nothing is folded).
    pub fn fold_iteration<R: RngCore + ?Sized>(
        &mut self,
        statement: &StepStatement,
        proven: &ProvenStep,
        vectors: StepVectors<'_>,
        rng: &mut R,
    ) -> Result<FoldTimings, Error> {
        if statement.iteration != self.iterations() {
            return Err(Error::Malformed {
                what: "fold_iteration: the statement is not of the next iteration",
            });
        }
        let k = self.keys;
        let t0 = std::time::Instant::now();
        let claims = native_step_claims(&k.vk, &k.model, &k.cfg, statement, &proven.proof)?;
        let t1 = std::time::Instant::now();
        let (witness, acc) =
            accumulate_step(&self.acc, statement, &proven.proof, &claims, vectors)?;
        let t2 = std::time::Instant::now();
        // `prove_step` changes the state only once the step is proven.
        self.ivc.params().step().set_witness(witness);
        self.ivc.prove_step(rng)?;
        self.acc = acc;
        Ok(FoldTimings {
            claims: t1 - t0,
            accumulate: t2 - t1,
            ivc_step: t2.elapsed(),
        })
    }

    /// The proof of every iteration folded so far (at least one).
    pub fn prove<R: RngCore + ?Sized>(&self, rng: &mut R) -> Result<TrainingProof, Error> {
        let k = self.keys;
        let decider = decider::prove(&k.params, &k.decider, &k.pk, self.ivc.state(), rng)?;
        let opening = open_accumulator(&k.pk, &self.acc)?;
        Ok(TrainingProof {
            iterations: self.iterations(),
            accumulator: self.acc.claim.clone(),
            decider,
            opening,
        })
    }
}

/// The constant-size proof of `T` iterations (module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingProof {
    /// `T`.
    pub iterations: u64,
    /// The final accumulator claim `(C_acc, r_acc, v_acc)`.
    pub accumulator: AccumulatorClaim,
    /// The decider's proof of the IVC state after `T` steps.
    pub decider: DeciderProof,
    /// The opening of the accumulator.
    pub opening: KzgProof,
}

/// Accepts `proof` as `T = proof.iterations` iterations of the run with keys `keys` on the
/// dataset `C_D` from `C_W_0` to `C_W_T = final_model`, or says why not.
pub fn verify(
    keys: &TrainingKeys,
    data: &G1Affine,
    initial_model: &G1Affine,
    final_model: &G1Affine,
    proof: &TrainingProof,
) -> Result<(), Error> {
    let step = keys.params.step();
    if proof.accumulator.num_vars() != step.acc_vars() {
        return Err(Error::DimensionMismatch {
            expected: step.acc_vars(),
            actual: proof.accumulator.num_vars(),
        });
    }
    let z_0 = step.initial_state(data, initial_model);
    let z_t = TrainingStep::state(proof.iterations, data, final_model, &proof.accumulator);
    decider::verify(
        &keys.params,
        &keys.decider,
        &keys.vk,
        proof.iterations,
        &z_0,
        &z_t,
        &proof.decider,
    )?;
    verify_accumulator(&keys.vk, &proof.accumulator, &proof.opening)
}

#[derive(CanonicalSerialize, CanonicalDeserialize)]
struct Wire {
    iterations: u64,
    accumulator: (G1Affine, Vec<Fr>, Fr),
    decider: Vec<u8>,
    opening: KzgProof,
}

impl TrainingProof {
    /// `TRAINING_PROOF_MAGIC ‖ u32 version ‖ arkworks' compressed encoding`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let wire = Wire {
            iterations: self.iterations,
            accumulator: (
                self.accumulator.commitment.0,
                self.accumulator.point.clone(),
                self.accumulator.value,
            ),
            decider: self.decider.to_bytes()?,
            opening: self.opening.clone(),
        };
        let mut out = TRAINING_PROOF_MAGIC.to_vec();
        out.extend(TRAINING_PROOF_VERSION.to_le_bytes());
        wire.serialize_with_mode(&mut out, Compress::Yes)
            .map_err(|e| Error::Serialization(e.to_string()))?;
        Ok(out)
    }

    /// Strict inverse of [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let rest = bytes
            .strip_prefix(TRAINING_PROOF_MAGIC.as_slice())
            .ok_or(Error::Serialization("not a folded training proof".into()))?;
        let (version, mut rest) = rest
            .split_first_chunk::<4>()
            .ok_or(Error::Serialization("truncated header".into()))?;
        let version = u32::from_le_bytes(*version);
        if version != TRAINING_PROOF_VERSION {
            return Err(Error::Serialization(format!(
                "folded training proof format version {version} (expected {TRAINING_PROOF_VERSION})"
            )));
        }
        let wire = Wire::deserialize_with_mode(&mut rest, Compress::Yes, Validate::Yes)
            .map_err(|e| Error::Serialization(e.to_string()))?;
        if !rest.is_empty() {
            return Err(Error::Serialization("trailing bytes".into()));
        }
        Ok(Self {
            iterations: wire.iterations,
            accumulator: AccumulatorClaim {
                commitment: Commitment(wire.accumulator.0),
                point: wire.accumulator.1,
                value: wire.accumulator.2,
            },
            decider: DeciderProof::from_bytes(&wire.decider)?,
            opening: wire.opening,
        })
    }
}
