//! The IVC step circuit of training ([`TrainingStep`]): one iteration's dense step proof verified
//! in-circuit ([`step_gadget::verify_step`]), with the statement chained through the IVC state.
//!
//! State `z = (t, C_D, C_W_t, h)` (10 elements; points as their four transcript limbs):
//!
//! ```text
//! statement_t = (params_digest, B, rows, t, C_D, C_W_t)      params_digest, B, rows: constants
//! (r, e, C_W_{t+1}, C_aux) = verify_step(statement_t, π_t)  in-circuit, up to the PCS opening
//! h' = H(h, C_D, C_W_t, C_W_{t+1}, C_aux, r, e)             Poseidon, domain CLAIMS_DOMAIN
//! z' = (t + 1, C_D, C_W_{t+1}, h')
//! ```
//!
//! `z_0 = (0, C_D, C_W_0, 0)` is public: the verifier recomputes it from the run's statement.
//! Each step's proof is the step's witness, handed to the circuit with [`TrainingStep::set_proof`]
//! before [`crate::ivc::Ivc::prove_step`].
//!
//! **What is not proven here.** `verify_step` stops at the merge: each iteration leaves four
//! evaluation claims `pad(P)(r) = e_P` on `C_D, C_W_t, C_W_{t+1}, C_aux` that only a PCS opening
//! settles. This circuit does not accumulate them; it chains them into `h`, so a verifier holding
//! every iteration's claims (`(C_aux, r, e)` per step, linear in the run) can check them against
//! `h` and open them, and nothing can be dropped or altered. Folding them into a constant-size
//! accumulator in the state (`accumulator`, a third CycleFold instance) is what makes the final
//! proof constant-size; that is the next step of issue 8 (`docs/recursion.md`).

use std::sync::Mutex;

use ark_bn254::{Fr, G1Affine};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::ConstraintSystemRef;
use nn_layers::model::Model;
use nn_layers::proof::{StepProof, StepStatement, TRANSCRIPT_DOMAIN};
use nn_layers::TrainConfig;
use sumcheck::transcript::g1_to_limbs;
use sumcheck::{PoseidonTranscript, Transcript};

use crate::error::Error;
use crate::ivc::StepCircuit;
use crate::step_gadget::{verify_step, NativeStepClaims, StepStatementVar};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// Domain of the claims hash.
pub const CLAIMS_DOMAIN: &[u8] = b"zkpot-ivc-claims";
/// Label of the previous claims hash.
pub const LABEL_CLAIMS_PREV: &[u8] = b"claims_prev";
/// Label of one iteration's claims.
pub const LABEL_CLAIMS_STEP: &[u8] = b"claims_step";
/// Label of the claims hash squeeze.
pub const LABEL_CLAIMS_HASH: &[u8] = b"claims_hash";

/// Length of the state `(t, C_D (4), C_W_t (4), h)`.
pub const ARITY: usize = 10;

/// The step circuit: verify iteration `t`'s dense step proof and advance the state. A clone has
/// an empty witness slot ([`Self::set_proof`]), so IVCs built from cloned parameters never see
/// each other's witnesses.
#[derive(Debug)]
pub struct TrainingStep {
    model: Model,
    cfg: TrainConfig,
    params_digest: [u8; 32],
    batch_size: usize,
    dataset_rows: usize,
    proof: Mutex<Option<StepProof>>,
}

impl TrainingStep {
    /// The circuit for the run whose statements share `statement`'s parameters digest, batch
    /// size and dataset size (its iteration and commitments are ignored).
    pub fn new(model: Model, cfg: TrainConfig, statement: &StepStatement) -> Self {
        Self {
            model,
            cfg,
            params_digest: statement.params_digest,
            batch_size: statement.batch_size,
            dataset_rows: statement.dataset_rows,
            proof: Mutex::new(None),
        }
    }

    /// The witness of the next step to prove.
    pub fn set_proof(&self, proof: StepProof) {
        *self.proof.lock().unwrap_or_else(|p| p.into_inner()) = Some(proof);
    }

    /// `z_0 = (0, C_D, C_W_0, 0)`.
    pub fn initial_state(data_commitment: &G1Affine, model_commitment: &G1Affine) -> Vec<Fr> {
        let mut z = vec![Fr::from(0u64)];
        z.extend(g1_to_limbs(data_commitment));
        z.extend(g1_to_limbs(model_commitment));
        z.push(Fr::from(0u64));
        z
    }

    /// The native `z_{t+1}` from `z_t` and the native verifier's claims of step `t`
    /// ([`crate::step_gadget::native_step_claims`]) and `C_aux_t`.
    pub fn next_state(
        z: &[Fr],
        claims: &NativeStepClaims,
        aux: &G1Affine,
    ) -> Result<Vec<Fr>, Error> {
        if z.len() != ARITY {
            return Err(Error::LengthMismatch {
                what: "training state",
                expected: ARITY,
                actual: z.len(),
            });
        }
        let new_model = g1_to_limbs(&claims.new_model);
        let mut t = PoseidonTranscript::new(CLAIMS_DOMAIN);
        t.append_field(LABEL_CLAIMS_PREV, &z[9]);
        t.append_fields(
            LABEL_CLAIMS_STEP,
            &claims_vector(
                &z[1..9],
                &new_model,
                &g1_to_limbs(aux),
                &claims.r,
                &claims.evals,
            ),
        );
        let h = t.challenge(LABEL_CLAIMS_HASH);
        let mut next = vec![z[0] + Fr::from(1u64)];
        next.extend_from_slice(&z[1..5]);
        next.extend(new_model);
        next.push(h);
        Ok(next)
    }
}

impl Clone for TrainingStep {
    fn clone(&self) -> Self {
        Self {
            model: self.model.clone(),
            cfg: self.cfg,
            params_digest: self.params_digest,
            batch_size: self.batch_size,
            dataset_rows: self.dataset_rows,
            proof: Mutex::new(None),
        }
    }
}

/// `(C_D, C_W_t, C_W_{t+1}, C_aux, r, e)` as one vector (native and in-circuit share the order).
fn claims_vector<T: Clone>(dw: &[T], new_model: &[T], aux: &[T], r: &[T], e: &[T]) -> Vec<T> {
    [dw, new_model, aux, r, e].concat()
}

impl StepCircuit for TrainingStep {
    fn arity(&self) -> usize {
        ARITY
    }

    fn generate_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        _i: &FpVar<Fr>,
        z: &[FpVar<Fr>],
    ) -> Result<Vec<FpVar<Fr>>, Error> {
        if z.len() != ARITY {
            return Err(Error::LengthMismatch {
                what: "training state",
                expected: ARITY,
                actual: z.len(),
            });
        }
        let proof = self.proof.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // The limbs in the state were range-checked where they were first allocated (the
        // previous step's `C_W_{t+1}`) or are public (`z_0`).
        let limbs = |s: &[FpVar<Fr>]| {
            G1LimbsVar::from_limbs([s[0].clone(), s[1].clone(), s[2].clone(), s[3].clone()])
        };
        let statement = StepStatementVar {
            params_digest: self.params_digest,
            batch_size: self.batch_size,
            dataset_rows: self.dataset_rows,
            iteration: z[0].clone(),
            data_commitment: limbs(&z[1..5]),
            model_commitment: limbs(&z[5..9]),
        };
        let mut tr = PoseidonTranscriptVar::new(cs.clone(), TRANSCRIPT_DOMAIN)?;
        let out = verify_step(
            cs.clone(),
            &self.model,
            &self.cfg,
            &statement,
            proof.as_ref(),
            &mut tr,
        )?;
        let mut h = PoseidonTranscriptVar::new(cs, CLAIMS_DOMAIN)?;
        h.append_field(LABEL_CLAIMS_PREV, &z[9])?;
        h.append_fields(
            LABEL_CLAIMS_STEP,
            &claims_vector(
                &z[1..9],
                out.new_model.limbs(),
                out.aux.limbs(),
                &out.r,
                &out.evals,
            ),
        )?;
        let h_next = h.challenge(LABEL_CLAIMS_HASH)?;
        let mut next = vec![&z[0] + FpVar::Constant(Fr::from(1u64))];
        next.extend_from_slice(&z[1..5]);
        next.extend_from_slice(out.new_model.limbs());
        next.push(h_next);
        Ok(next)
    }
}
