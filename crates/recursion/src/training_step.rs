//! The IVC step circuit of training ([`TrainingStep`]): one iteration's step proof (dense or
//! conv) verified in-circuit ([`step_gadget::verify_step`]) and its four PCS claims folded into
//! the running accumulator ([`accumulator::verify_gadget`]), with the statement chained through
//! the state.
//!
//! State `z = (t, C_D, C_W_t, C_acc, r_acc, v_acc)` (`14 + n` elements; points as their four
//! transcript limbs, `n` the merge's number of variables):
//!
//! ```text
//! statement_t = (params_digest, B, rows, t, C_D, C_W_t)        params_digest, B, rows: constants
//! (r, e, C_W_{t+1}, C_aux) = verify_step(statement_t, π_t)    in-circuit, up to the PCS opening
//! acc_0 = (C_acc, r_acc, v_acc)
//! acc_k = fold(acc_{k-1}, (C_k, r, e_k))  for (C_k, e_k) in (C_D, e_D), (C_W_t, e_W), (C_W_{t+1}, e_W'), (C_aux, e_aux)
//!         (accumulator::verify_gadget on one transcript "zkpot-ivc-acc-fold" per step;
//!          C_acc_k = C_acc_{k-1} + ρ_k·C_k is delegated to CycleFold: four statements per step)
//! z' = (t + 1, C_D, C_W_{t+1}, acc_4)
//! ```
//!
//! `z_0 = (0, C_D, C_W_0, O, 0^n, 0)` is public: the verifier rebuilds it from the run's
//! statement ([`TrainingStep::initial_state`]; the empty accumulator is the zero polynomial).
//! Each step's witness ([`StepWitness`]: the step proof, the four fold proofs and the folded
//! commitments) is handed to the circuit with [`TrainingStep::set_witness`] before
//! [`crate::ivc::Ivc::prove_step`]; [`accumulate_step`] computes it natively.
//!
//! **What the final state proves.** Every iteration's step proof verified up to its four
//! evaluation claims, and those claims folded into `(C_acc, r_acc, v_acc)`: if any claim was
//! false, the final accumulator claim is false except with probability `≈ 2^-127` per fold
//! (`docs/recursion.md`, claim folding). So the run is proven by the IVC's decider plus **one**
//! HyperKZG opening of `C_acc` at `r_acc` to `v_acc` ([`open_accumulator`],
//! [`verify_accumulator`]), whatever the number of iterations.

use std::sync::Mutex;

use ark_bn254::{Fr, G1Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use nn_layers::model::Model;
use nn_layers::proof::net::NetLayout;
use nn_layers::proof::{
    model_vector, ProvenStep, StepLayout, StepProof, StepStatement, TRANSCRIPT_DOMAIN,
};
use nn_layers::Params;
use nn_layers::TrainConfig;
use pcs::hyperkzg::{Commitment, PairingClaim, Proof as KzgProof, ProverKey, VerifierKey};
use pcs::{HyperKzg, MultilinearPcs};
use sumcheck::transcript::g1_to_limbs;
use sumcheck::{MultilinearPoly, PoseidonTranscript, Transcript};

use crate::accumulator::{self, AccumulatorClaim, AccumulatorClaimVar, FoldProof, FoldProofVar};
use crate::cyclefold::{limbs_to_g1, CycleFoldStatement};
use crate::error::Error;
use crate::ivc::{StepCircuit, StepOutput};
use crate::step_gadget::{verify_step, NativeStepClaims, StepStatementVar};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// Domain of the transcript of one iteration's accumulator folds.
pub const ACC_FOLD_DOMAIN: &[u8] = b"zkpot-ivc-acc-fold";
/// Domain of the transcript of the final accumulator opening.
pub const ACC_OPEN_DOMAIN: &[u8] = b"zkpot-ivc-acc-open";
/// Claims folded per iteration: `(D, W_t, W_{t+1}, aux)`.
pub const CLAIMS_PER_STEP: usize = 4;
/// State elements before the accumulator point: `t`, `C_D` (4), `C_W_t` (4), `C_acc` (4).
const HEAD: usize = 13;

/// What one step of the circuit needs besides the state: the iteration's step proof, the proofs
/// of its four accumulator folds and the accumulator commitment after each.
#[derive(Clone, Debug)]
pub struct StepWitness {
    /// The step proof of iteration `t`.
    pub proof: StepProof,
    /// The fold proofs, in the order `(D, W_t, W_{t+1}, aux)`.
    pub folds: Vec<FoldProof>,
    /// The four statements `C_acc_k = C_acc_{k-1} + ρ_k·C_k` (the folded commitments).
    pub statements: Vec<CycleFoldStatement>,
}

/// The step circuit: verify iteration `t`'s step proof, fold its claims into the
/// accumulator and advance the state. A clone has an empty witness slot
/// ([`Self::set_witness`]), so IVCs built from cloned parameters never see each other's
/// witnesses.
#[derive(Debug)]
pub struct TrainingStep {
    model: Model,
    cfg: TrainConfig,
    params_digest: [u8; 32],
    batch_size: usize,
    dataset_rows: usize,
    acc_vars: usize,
    witness: Mutex<Option<StepWitness>>,
}

/// The merge's number of variables for a run of `model` at batch `batch` over `rows` rows: the
/// largest of `(D, W, W, aux)`.
pub fn accumulator_vars(
    model: &Model,
    cfg: &TrainConfig,
    batch: usize,
    rows: usize,
) -> Result<usize, Error> {
    let rejected = |e: nn_layers::proof::ProofError| Error::NativeStepRejected(e.to_string());
    let (data, model, aux) = if nn_layers::proof::net::is_conv_net(model) {
        let l = NetLayout::new(model, cfg, batch, rows).map_err(rejected)?;
        (l.data.num_vars(), l.model.num_vars(), l.aux.num_vars())
    } else {
        let l = StepLayout::new(model, cfg, batch, rows).map_err(rejected)?;
        (l.data.num_vars(), l.model.num_vars(), l.aux.num_vars())
    };
    Ok(data.max(model as usize).max(aux as usize))
}

impl TrainingStep {
    /// The circuit for the run whose statements share `statement`'s parameters digest, batch
    /// size and dataset size (its iteration and commitments are ignored).
    pub fn new(model: Model, cfg: TrainConfig, statement: &StepStatement) -> Result<Self, Error> {
        let acc_vars =
            accumulator_vars(&model, &cfg, statement.batch_size, statement.dataset_rows)?;
        Ok(Self {
            model,
            cfg,
            params_digest: statement.params_digest,
            batch_size: statement.batch_size,
            dataset_rows: statement.dataset_rows,
            acc_vars,
            witness: Mutex::new(None),
        })
    }

    /// The accumulator's number of variables `n`.
    pub fn acc_vars(&self) -> usize {
        self.acc_vars
    }

    /// The witness of the next step to prove.
    pub fn set_witness(&self, witness: StepWitness) {
        *self.witness.lock().unwrap_or_else(|p| p.into_inner()) = Some(witness);
    }

    fn witness(&self) -> Option<StepWitness> {
        self.witness
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// `z = (t, C_D, C_W, C_acc, r_acc, v_acc)`.
    pub fn state(t: u64, data: &G1Affine, model: &G1Affine, acc: &AccumulatorClaim) -> Vec<Fr> {
        let mut z = vec![Fr::from(t)];
        z.extend(g1_to_limbs(data));
        z.extend(g1_to_limbs(model));
        z.extend(g1_to_limbs(&acc.commitment.0));
        z.extend_from_slice(&acc.point);
        z.push(acc.value);
        z
    }

    /// `z_0 = (0, C_D, C_W_0, O, 0^n, 0)`.
    pub fn initial_state(&self, data: &G1Affine, model: &G1Affine) -> Vec<Fr> {
        Self::state(0, data, model, &AccumulatorClaim::zero(self.acc_vars))
    }

    /// Reads `(t, C_D, C_W_t, acc)` back from a state of this circuit's arity (the points
    /// decoded from their limbs; an error if they are not canonical points).
    pub fn parse_state(
        &self,
        z: &[Fr],
    ) -> Result<(u64, G1Affine, G1Affine, AccumulatorClaim), Error> {
        Error::check_len("training state", self.arity(), z.len())?;
        let point = |k: usize| limbs_to_g1(&[z[k], z[k + 1], z[k + 2], z[k + 3]]);
        let t_bytes = z[0].into_bigint().to_bytes_le();
        if t_bytes[8..].iter().any(|b| *b != 0) {
            return Err(Error::Malformed {
                what: "training state: iteration above 2^64",
            });
        }
        let t = u64::from_le_bytes(t_bytes[..8].try_into().map_err(|_| Error::Malformed {
            what: "training state: iteration",
        })?);
        let n = self.acc_vars;
        let acc = AccumulatorClaim {
            commitment: Commitment(point(9)?),
            point: z[HEAD..HEAD + n].to_vec(),
            value: z[HEAD + n],
        };
        Ok((t, point(1)?, point(5)?, acc))
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
            acc_vars: self.acc_vars,
            witness: Mutex::new(None),
        }
    }
}

/// The prover's accumulator: the claim and the polynomial behind it.
#[derive(Clone, Debug)]
pub struct Accumulator {
    /// `(C_acc, r_acc, v_acc)`.
    pub claim: AccumulatorClaim,
    /// `acc`, on `n` variables.
    pub poly: MultilinearPoly,
}

impl Accumulator {
    /// The empty accumulator on `n` variables.
    pub fn empty(n: usize) -> Result<Self, Error> {
        Ok(Self {
            claim: AccumulatorClaim::zero(n),
            poly: MultilinearPoly::new(vec![Fr::from(0u64); 1 << n]).map_err(Error::Sumcheck)?,
        })
    }
}

/// `P` zero-padded to `n` variables (the merge's `pad(P)`: `P` on the low variables).
fn padded(values: &[i64], n: usize) -> Result<MultilinearPoly, Error> {
    if values.len() > 1 << n {
        return Err(Error::DimensionMismatch {
            expected: 1 << n,
            actual: values.len(),
        });
    }
    let mut v = vec![Fr::from(0u64); 1 << n];
    v.iter_mut()
        .zip(values)
        .for_each(|(o, x)| *o = Fr::from(*x));
    MultilinearPoly::new(v).map_err(Error::Sumcheck)
}

/// The committed vectors of one iteration, as the step prover committed them.
#[derive(Clone, Copy, Debug)]
pub struct StepVectors<'a> {
    /// The dataset vector `D`.
    pub data: &'a [i64],
    /// `W_t`.
    pub model: &'a [i64],
    /// `W_{t+1}`.
    pub next_model: &'a [i64],
    /// The step's aux vector.
    pub aux: &'a [i64],
}

impl<'a> StepVectors<'a> {
    /// The vectors of the proven step `proven` on the dataset vector `data`, with
    /// `models = (W_t, W_{t+1})` from [`model_vectors`].
    pub fn of(data: &'a [i64], models: &'a (Vec<i64>, Vec<i64>), proven: &'a ProvenStep) -> Self {
        Self {
            data,
            model: &models.0,
            next_model: &models.1,
            aux: &proven.aux_values,
        }
    }
}

/// The committed model vectors `(W_t, W_{t+1})` of the step `proven` from `params`.
pub fn model_vectors(
    model: &Model,
    params: &Params,
    proven: &ProvenStep,
) -> Result<(Vec<i64>, Vec<i64>), Error> {
    let vector = |p: &Params| {
        model_vector(model, p)
            .map(|(_, v)| v)
            .map_err(|e| Error::NativeStepRejected(e.to_string()))
    };
    Ok((vector(params)?, vector(&proven.updated)?))
}

/// Prover side of one step's folds: folds the four claims of `claims` (the native verifier's,
/// [`crate::step_gadget::native_step_claims`]) on `(C_D, C_W_t, C_W_{t+1}, C_aux)` of
/// `statement` and `proof` into `acc`, and returns the circuit's witness and the new accumulator.
pub fn accumulate_step(
    acc: &Accumulator,
    statement: &StepStatement,
    proof: &StepProof,
    claims: &NativeStepClaims,
    vectors: StepVectors<'_>,
) -> Result<(StepWitness, Accumulator), Error> {
    let n = acc.claim.num_vars();
    if claims.r.len() != n || claims.evals.len() != CLAIMS_PER_STEP {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: claims.r.len(),
        });
    }
    let commitments = [
        statement.data_commitment,
        statement.model_commitment,
        proof.new_model,
        proof.aux,
    ];
    let values = [vectors.data, vectors.model, vectors.next_model, vectors.aux];
    let mut t = PoseidonTranscript::new(ACC_FOLD_DOMAIN);
    let mut cur = acc.clone();
    let mut folds = Vec::with_capacity(CLAIMS_PER_STEP);
    let mut statements = Vec::with_capacity(CLAIMS_PER_STEP);
    for ((c, v), e) in commitments.iter().zip(values).zip(&claims.evals) {
        let new = AccumulatorClaim {
            commitment: Commitment(*c),
            point: claims.r.clone(),
            value: *e,
        };
        let poly = padded(v, n)?;
        let out = accumulator::prove(&cur.claim, &cur.poly, &new, &poly, &mut t)?;
        statements.push(CycleFoldStatement::new(
            cur.claim.commitment.0,
            *c,
            rho_u128(&out.challenges.rho)?,
        )?);
        folds.push(out.proof);
        cur = Accumulator {
            claim: out.acc,
            poly: out.poly,
        };
    }
    let witness = StepWitness {
        proof: proof.clone(),
        folds,
        statements,
    };
    Ok((witness, cur))
}

fn rho_u128(rho: &Fr) -> Result<u128, Error> {
    let bytes = rho.into_bigint().to_bytes_le();
    if bytes[16..].iter().any(|b| *b != 0) {
        return Err(Error::Malformed {
            what: "accumulator ρ above 2^128",
        });
    }
    let mut lo = [0u8; 16];
    lo.copy_from_slice(&bytes[..16]);
    Ok(u128::from_le_bytes(lo))
}

/// The mandatory opening of the final accumulator: `acc(r_acc) = v_acc` against `C_acc`.
pub fn open_accumulator(pk: &ProverKey, acc: &Accumulator) -> Result<KzgProof, Error> {
    let mut t = PoseidonTranscript::new(ACC_OPEN_DOMAIN);
    let (proof, value) = HyperKzg::open(
        pk,
        &acc.poly,
        &acc.claim.commitment,
        &acc.claim.point,
        &mut t,
    )
    .map_err(|e| Error::AccumulatorOpening(e.to_string()))?;
    if value != acc.claim.value {
        return Err(Error::AccumulatorOpening(
            "the accumulator polynomial does not match its claim".into(),
        ));
    }
    Ok(proof)
}

/// Checks the opening of an accumulator claim.
pub fn verify_accumulator(
    vk: &VerifierKey,
    claim: &AccumulatorClaim,
    proof: &KzgProof,
) -> Result<(), Error> {
    accumulator_pairing(vk, claim, proof)?
        .check(vk)
        .map_err(|e| Error::AccumulatorOpening(e.to_string()))
}

/// [`verify_accumulator`] up to its pairing check, which it returns.
pub fn accumulator_pairing(
    vk: &VerifierKey,
    claim: &AccumulatorClaim,
    proof: &KzgProof,
) -> Result<PairingClaim, Error> {
    let mut t = PoseidonTranscript::new(ACC_OPEN_DOMAIN);
    HyperKzg::reduce_to_pairing(
        vk,
        &claim.commitment,
        &claim.point,
        &claim.value,
        proof,
        &mut t,
    )
    .map_err(|e| Error::AccumulatorOpening(e.to_string()))
}

impl StepCircuit for TrainingStep {
    fn arity(&self) -> usize {
        HEAD + self.acc_vars + 1
    }

    fn generate_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        _i: &FpVar<Fr>,
        z: &[FpVar<Fr>],
    ) -> Result<StepOutput, Error> {
        Error::check_len("training state", self.arity(), z.len())?;
        let n = self.acc_vars;
        let witness = self.witness();
        if let Some(w) = &witness {
            Error::check_len(
                "accumulator folds of a step",
                CLAIMS_PER_STEP,
                w.folds.len(),
            )?;
            Error::check_len(
                "CycleFold statements of a step",
                CLAIMS_PER_STEP,
                w.statements.len(),
            )?;
        }
        // The limbs in the state were checked canonical where they were first allocated (a
        // previous step's output) or are public (`z_0`, the points' canonical limbs).
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
            witness.as_ref().map(|w| &w.proof),
            &mut tr,
        )?;
        if out.r.len() != n || out.evals.len() != CLAIMS_PER_STEP {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: out.r.len(),
            });
        }

        let mut acc = AccumulatorClaimVar {
            commitment: limbs(&z[9..13]),
            point: z[HEAD..HEAD + n].to_vec(),
            value: z[HEAD + n].clone(),
        };
        let claimed = [
            limbs(&z[1..5]),
            limbs(&z[5..9]),
            out.new_model.clone(),
            out.aux.clone(),
        ];
        let mut folds = PoseidonTranscriptVar::new(cs.clone(), ACC_FOLD_DOMAIN)?;
        let mut cyclefold = Vec::with_capacity(CLAIMS_PER_STEP);
        for (k, (commitment, value)) in claimed.into_iter().zip(&out.evals).enumerate() {
            let new = AccumulatorClaimVar {
                commitment,
                point: out.r.clone(),
                value: value.clone(),
            };
            let proof = FoldProofVar::new_witness(cs.clone(), n, || {
                witness
                    .as_ref()
                    .and_then(|w| w.folds.get(k).cloned())
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            let folded = G1LimbsVar::new_witness(cs.clone(), || {
                witness
                    .as_ref()
                    .and_then(|w| w.statements.get(k).map(|s| s.p_out))
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            let fold = accumulator::verify_gadget(&acc, &new, &proof, folded, &mut folds)?;
            cyclefold.push(fold.cyclefold);
            acc = fold.acc;
        }

        let mut next = vec![&z[0] + FpVar::Constant(Fr::from(1u64))];
        next.extend_from_slice(&z[1..5]);
        next.extend_from_slice(out.new_model.limbs());
        next.extend_from_slice(acc.commitment.limbs());
        next.extend(acc.point);
        next.push(acc.value);
        Ok(StepOutput {
            z_next: next,
            cyclefold,
        })
    }

    fn cyclefold_statements(&self, _i: u64, _z_i: &[Fr]) -> Result<Vec<CycleFoldStatement>, Error> {
        self.witness()
            .map(|w| w.statements)
            .ok_or(Error::Malformed {
                what: "training step: no witness set (set_witness before prove_step)",
            })
    }
}
