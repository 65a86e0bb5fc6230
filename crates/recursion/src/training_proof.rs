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
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::RngCore;
use nn_layers::model::Model;
use nn_layers::proof::{ProvenStep, StepStatement};
use nn_layers::TrainConfig;
use pcs::hyperkzg::{Commitment, Proof as KzgProof, ProverKey, VerifierKey};
use pcs::{HyperKzg, Srs};
use sumcheck::MultilinearPoly;

use crate::accumulator::AccumulatorClaim;
use crate::decider::{
    self, decode, encode, ivc_params_over_srs, relaxed_from_wire, relaxed_to_wire,
    witness_from_wire, witness_to_wire, DeciderKey, DeciderProof, RelaxedWire, WitnessWire,
};
use crate::error::Error;
use crate::ivc::{Ivc, IvcParams, IvcState};
use crate::r1cs::{R1csInstance, R1csWitness};
use crate::step_gadget::native_step_claims;
use crate::training_step::{
    accumulate_step, accumulator_pairing, open_accumulator, Accumulator, StepVectors, TrainingStep,
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
        Self::setup_with(srs, model, cfg, statement, DeciderMode::Plain)
    }

    /// [`Self::setup`] with the decider in `mode`. [`DeciderMode::Spark`] preprocesses the
    /// augmented circuit's matrices into commitments ([`crate::spark`]): the SRS must then also
    /// hold `2^n` powers for the `N ≤ 2^n` merged non-zero entries, the keys take longer, the
    /// decider proves more, and verification no longer grows with the circuit.
    pub fn setup_with(
        srs: &Srs,
        model: &Model,
        cfg: &TrainConfig,
        statement: &StepStatement,
        mode: DeciderMode,
    ) -> Result<Self, Error> {
        let step = TrainingStep::new(model.clone(), *cfg, statement)?;
        let params = ivc_params_over_srs(step, srs)?;
        let mut decider = DeciderKey::new(&params)?;
        let mut need = decider.pcs_num_vars().max(params.step().acc_vars());
        let entries = match mode {
            DeciderMode::Plain => None,
            DeciderMode::Spark => {
                let e = decider.spark_entries()?;
                need = need.max(e.pcs_num_vars());
                Some(e)
            }
        };
        let (pk, vk) = HyperKzg::keys(srs, need).map_err(|e| Error::Pcs {
            what: "training keys",
            reason: e.to_string(),
        })?;
        if let Some(entries) = entries {
            decider = decider.with_spark(entries.commit(&pk)?)?;
        }
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

    /// In SPARK mode, the number of merged non-zero entries `N` of the augmented circuit's
    /// matrices.
    pub fn spark_entries(&self) -> Option<usize> {
        self.decider.spark_entries_count()
    }

    /// The decider's mode.
    pub fn decider_mode(&self) -> DeciderMode {
        if self.decider.is_spark() {
            DeciderMode::Spark
        } else {
            DeciderMode::Plain
        }
    }

    /// The number of constraints of the augmented circuit.
    pub fn num_constraints(&self) -> usize {
        self.params.primary().shape().num_constraints()
    }
}

/// How the decider's verifier evaluates the augmented circuit's matrices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeciderMode {
    /// By one pass over their non-zero entries (linear in the circuit; the smaller keys and the
    /// faster decider).
    #[default]
    Plain,
    /// By a SPARK proof against preprocessed commitments (logarithmic verification).
    Spark,
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

impl TrainingProof {
    /// The decider mode the proof was made in (the verifier derives its keys in the same mode).
    pub fn decider_mode(&self) -> DeciderMode {
        match self.decider.spartan.spark {
            Some(_) => DeciderMode::Spark,
            None => DeciderMode::Plain,
        }
    }
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
    let mut pairings = decider::verify_deferred(
        &keys.params,
        &keys.decider,
        &keys.vk,
        proof.iterations,
        &z_0,
        &z_t,
        &proof.decider,
    )?;
    pairings.push(accumulator_pairing(
        &keys.vk,
        &proof.accumulator,
        &proof.opening,
    )?);
    pairings.check(&keys.vk)
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
        encode(TRAINING_PROOF_MAGIC, TRAINING_PROOF_VERSION, &wire)
    }

    /// Strict inverse of [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let wire: Wire = decode(
            TRAINING_PROOF_MAGIC,
            TRAINING_PROOF_VERSION,
            "folded training proof",
            bytes,
        )?;
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

/// Magic bytes of the prover's saved state ([`TrainingProver::state_bytes`]).
pub const PROVER_STATE_MAGIC: &[u8; 8] = b"ZKPOTFST";
/// Format version of the prover's saved state.
pub const PROVER_STATE_VERSION: u32 = 1;

/// The prover's state as saved: the IVC state and the accumulator with its polynomial.
#[derive(CanonicalSerialize, CanonicalDeserialize)]
struct StateWire {
    i: u64,
    z_0: Vec<Fr>,
    z_i: Vec<Fr>,
    acc: RelaxedWire<ark_bn254::G1Projective>,
    acc_w: WitnessWire<Fr>,
    inc: (G1Affine, Vec<Fr>),
    inc_w: (Vec<Fr>, Fr),
    cf_acc: RelaxedWire<crate::cyclefold::Grumpkin>,
    cf_acc_w: WitnessWire<ark_bn254::Fq>,
    accumulator: (G1Affine, Vec<Fr>, Fr),
    poly: Vec<Fr>,
}

impl<'a> TrainingProver<'a> {
    /// The prover's state (private: it holds the folded witnesses), to resume with
    /// [`Self::resume`] after an interruption.
    pub fn state_bytes(&self) -> Result<Vec<u8>, Error> {
        let st = self.ivc.state();
        let wire = StateWire {
            i: st.i,
            z_0: st.z_0.clone(),
            z_i: st.z_i.clone(),
            acc: relaxed_to_wire(&st.acc),
            acc_w: witness_to_wire(&st.acc_w),
            inc: (st.inc.comm_w, st.inc.x.clone()),
            inc_w: (st.inc_w.w.clone(), st.inc_w.r_w),
            cf_acc: relaxed_to_wire(&st.cf_acc),
            cf_acc_w: witness_to_wire(&st.cf_acc_w),
            accumulator: (
                self.acc.claim.commitment.0,
                self.acc.claim.point.clone(),
                self.acc.claim.value,
            ),
            poly: self.acc.poly.evals().to_vec(),
        };
        encode(PROVER_STATE_MAGIC, PROVER_STATE_VERSION, &wire)
    }

    /// A prover from [`Self::state_bytes`] of a run with these keys, on the dataset `C_D` from
    /// `C_W_0`. The state is checked against the keys and the run (the non-succinct decider, the
    /// initial state, the accumulator's polynomial against its claim), so a corrupt or foreign
    /// state is an error rather than a run that can no longer be proven.
    pub fn resume(
        keys: &'a TrainingKeys,
        data: &G1Affine,
        initial_model: &G1Affine,
        bytes: &[u8],
    ) -> Result<Self, Error> {
        let w: StateWire = decode(
            PROVER_STATE_MAGIC,
            PROVER_STATE_VERSION,
            "folding prover state",
            bytes,
        )?;
        let step = keys.params.step();
        if w.z_0 != step.initial_state(data, initial_model) {
            return Err(Error::Malformed {
                what: "folding prover state: another run's initial state",
            });
        }
        let state = IvcState {
            i: w.i,
            z_0: w.z_0,
            z_i: w.z_i,
            acc: relaxed_from_wire(w.acc),
            acc_w: witness_from_wire(w.acc_w),
            inc: R1csInstance {
                comm_w: w.inc.0,
                x: w.inc.1,
            },
            inc_w: R1csWitness {
                w: w.inc_w.0,
                r_w: w.inc_w.1,
            },
            cf_acc: relaxed_from_wire(w.cf_acc),
            cf_acc_w: witness_from_wire(w.cf_acc_w),
        };
        crate::ivc::verify(&keys.params, &state)?;
        let acc = Accumulator {
            claim: AccumulatorClaim {
                commitment: Commitment(w.accumulator.0),
                point: w.accumulator.1,
                value: w.accumulator.2,
            },
            poly: MultilinearPoly::new(w.poly).map_err(Error::Sumcheck)?,
        };
        let (_, _, _, claim) = step.parse_state(&state.z_i)?;
        if claim != acc.claim
            || acc.poly.num_vars() != step.acc_vars()
            || acc.poly.evaluate(&acc.claim.point) != acc.claim.value
        {
            return Err(Error::Malformed {
                what: "folding prover state: the accumulator does not match the IVC state",
            });
        }
        Ok(Self {
            keys,
            ivc: Ivc::from_state(keys.params.clone(), state)?,
            acc,
        })
    }
}
