//! Incrementally verifiable computation: Nova (Kothapalli–Setty–Tzialla) with CycleFold
//! (Kothapalli–Setty) over the BN254/Grumpkin cycle.
//!
//! A [`StepCircuit`] `F` maps `z_i ∈ Fr^a` to `z_{i+1}`. The **augmented circuit** `F'` over `Fr`
//! (one public input) takes as witnesses
//!
//! ```text
//! pp (the primary folding parameters' digest), i, z_0, z_i,
//! U_i  = (C_W, C_E, u, x)  running BN254 relaxed instance of F' (x of length 1),
//! u_i  = (C_W, x)          incoming strict instance of F' (the previous step),
//! C_T                       cross term of the primary fold,
//! cfU_i                     running CycleFold instance (Grumpkin, relaxed, 13 inputs in Fq),
//! (C_W^k, C_T^k), k = 1..2+s  the CycleFold instances' witness commitments and cross terms
//!                           (two for the primary fold, `s` for the step's own statements),
//! ```
//!
//! and, with `H(pp, i, z_0, z_i, U, cfU)` the Poseidon state hash ([`state_hash`]):
//!
//! ```text
//! base = (i == 0)
//! if !base: u_i.x == H(pp, i, z_0, z_i, U_i, cfU_i)                     (conditional equality)
//! if  base: z_i == z_0, cfU_i == cfU_⊥                                   (⊥: the all-zero instances)
//! (U', [s_W, s_E]) = nifs_gadget::verify_strict(pp, U_i, u_i, C_T)      (r from the transcript;
//!                                   s_W = (C_W1, C_W2, r, C_W), s_E = (C_E1, C_T, r, C_E))
//! (z_{i+1}, [s_1..s_s]) = F(i, z_i)                  (F's own CycleFold statements, e.g. C' = C + ρ·C_t)
//! cfU^(0) = cfU_i;  for each s in [s_W, s_E, s_1..s_s], k = 1, 2, …:
//!     cfU^(k) = cyclefold_gadget::verify_strict(cf_pp, cfU^(k-1), (C_W^k, x = s.public_inputs()), C_T^k)
//! U_{i+1} = base ? U_⊥ : U';   cfU_{i+1} = cfU^(2+s)
//! public input: H(pp, i + 1, z_0, z_{i+1}, U_{i+1}, cfU_{i+1})
//! ```
//!
//! At the base case the primary fold is a dummy (`U_0 = U_⊥`, `u_0 = (O, 0)`, `C_T = O`), whose
//! two statements `O = O + r·O` are true; they are folded like the others, so that `F`'s own
//! statements of step 0 enter `cfU_1` (F runs at every step, the base included).
//!
//! The BN254 point equations `C_W = C_W1 + r·C_W2`, `C_E = C_E1 + r·C_T` (and `F`'s own) are
//! not checked in `F'`: they are the statements of the CycleFold instances whose public inputs
//! are exactly the limbs and `r` that `F'` used, and whose folding into `cfU` `F'` verifies (natively: the
//! Grumpkin commitments have coordinates in `Fr`; `u`, `x` in `Fq` are emulated). The decider
//! checks that `cfU` is satisfiable, which proves every statement folded into it.
//!
//! **Prover** ([`Ivc::prove_step`]), at `i ≥ 1` with `(U_i, W_i)`, `(u_i, w_i)`, `(cfU_i, cfW_i)`:
//! fold `u_i` into `U_i` (`nifs::prove_strict`: `C_T`, `r`), build the two statements, append
//! `F`'s own ([`StepCircuit::cyclefold_statements`]), commit their CycleFold assignments, fold
//! them into `cfU_i` one after the other, synthesize `F'`, commit its witness: `u_{i+1}`. At
//! `i = 0`: `U_1 = U_⊥`, the primary fold is the dummy one above.
//!
//! **Verifier** ([`verify`], non-succinct decider): `i ≥ 1`, `u_i.x = [H(pp, i, z_0, z_i, U_i,
//! cfU_i)]`, `(u_i, w_i)` satisfies `F'` strictly, `(U_i, W_i)` satisfies it relaxed, `(cfU_i,
//! cfW_i)` satisfies the CycleFold circuit relaxed, each commitment opening to its witness.
//!
//! **State hash** ([`state_hash`]): a fresh [`PoseidonTranscript`] with domain
//! [`STATE_DOMAIN`], one absorb under [`LABEL_STATE`] of
//! `[pp, i, z_0, z_i, C_W (4 limbs), C_E (4 limbs), u, x, cf C_W (x, y), cf C_E (x, y),
//! cf u (lo, hi), cf x (13 × (lo, hi))]`, and one squeeze under [`LABEL_STATE_HASH`]; the circuit
//! runs the same calls on [`PoseidonTranscriptVar`].

use ark_bn254::{Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::Zero;
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::rand::RngCore;
use sumcheck::{PoseidonTranscript, Transcript};

use crate::cyclefold::{
    self, CycleFoldParams, CycleFoldStatement, CycleFoldStatementVar, Grumpkin, NUM_IO,
};
use crate::cyclefold_gadget::{self, encode_native, CycleFoldInstanceVar, GrumpkinVar};
use crate::error::Error;
use crate::nifs::{self, NifsParams};
use crate::nifs_gadget::{self, R1csInstanceVar, RelaxedR1csInstanceVar};
use crate::pedersen::PedersenKey;
use crate::r1cs::{
    extract_assignment, R1csInstance, R1csWitness, RelaxedR1csInstance, RelaxedR1csWitness,
};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// Domain separator of the state hash.
pub const STATE_DOMAIN: &[u8] = b"zkpot-ivc-state";
/// Label of the state absorbed by the state hash.
pub const LABEL_STATE: &[u8] = b"ivc_state";
/// Label of the state hash's squeeze.
pub const LABEL_STATE_HASH: &[u8] = b"ivc_state_hash";
/// Label of the primary Pedersen key.
pub const PRIMARY_KEY_LABEL: &[u8] = b"zkpot-ivc-primary";
/// Label of the CycleFold Pedersen key.
pub const CYCLEFOLD_KEY_LABEL: &[u8] = b"zkpot-ivc-cyclefold";

/// What a step circuit lays out: the next state and the BN254 point equations it delegates to
/// CycleFold.
#[derive(Clone, Debug)]
pub struct StepOutput {
    /// `z_{i+1}`.
    pub z_next: Vec<FpVar<Fr>>,
    /// Statements `P_out = P_1 + r·P_2` the step relies on but does not check (non-native over
    /// `Fr`); the augmented circuit folds each into the running CycleFold instance, so the
    /// decider's check of that instance proves them.
    pub cyclefold: Vec<CycleFoldStatementVar>,
}

impl StepOutput {
    /// A step without CycleFold statements.
    pub fn state(z_next: Vec<FpVar<Fr>>) -> Self {
        Self {
            z_next,
            cyclefold: Vec::new(),
        }
    }
}

/// One step `z_{i+1} = F(i, z_i)` of an incremental computation, as constraints over `Fr`.
pub trait StepCircuit {
    /// The length `a` of the state `z`.
    fn arity(&self) -> usize;

    /// Lays out `F` on `z_i` (of length [`Self::arity`]) at step `i` and returns `z_{i+1}` (of the
    /// same length) and the CycleFold statements it delegates. Must lay out the same
    /// constraints (and the same number of statements) for every `i` and in setup mode.
    fn generate_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        i: &FpVar<Fr>,
        z_i: &[FpVar<Fr>],
    ) -> Result<StepOutput, Error>;

    /// The native values of the statements [`Self::generate_constraints`] will output at step
    /// `i` from `z_i`, in the same order (the prover commits and folds them before it
    /// synthesizes the step). None by default.
    fn cyclefold_statements(&self, _i: u64, _z_i: &[Fr]) -> Result<Vec<CycleFoldStatement>, Error> {
        Ok(Vec::new())
    }
}

/// The native state hash `H(pp, i, z_0, z_i, U, cfU)` (module docs).
pub fn state_hash(
    pp: Fr,
    i: u64,
    z_0: &[Fr],
    z_i: &[Fr],
    acc: &RelaxedR1csInstance,
    cf_acc: &RelaxedR1csInstance<Grumpkin>,
) -> Fr {
    let mut v = vec![pp, Fr::from(i)];
    v.extend_from_slice(z_0);
    v.extend_from_slice(z_i);
    v.extend(sumcheck::transcript::g1_to_limbs(&acc.comm_w));
    v.extend(sumcheck::transcript::g1_to_limbs(&acc.comm_e));
    v.push(acc.u);
    v.extend_from_slice(&acc.x);
    v.extend(encode_native(cf_acc));
    let mut t = PoseidonTranscript::new(STATE_DOMAIN);
    t.append_fields(LABEL_STATE, &v);
    t.challenge(LABEL_STATE_HASH)
}

/// Checks that `z_0` and `z_i` have the step circuit's arity `a`.
pub(crate) fn check_states(a: usize, z_0: &[Fr], z_i: &[Fr]) -> Result<(), Error> {
    Error::check_len("z_0", a, z_0.len())?;
    Error::check_len("z_i", a, z_i.len())
}

fn state_hash_var(cs: ConstraintSystemRef<Fr>, elems: &[FpVar<Fr>]) -> Result<FpVar<Fr>, Error> {
    let mut t = PoseidonTranscriptVar::new(cs, STATE_DOMAIN)?;
    t.append_fields(LABEL_STATE, elems)?;
    t.challenge(LABEL_STATE_HASH)
}

fn primary_elements(u: &RelaxedR1csInstanceVar) -> Vec<FpVar<Fr>> {
    let mut v: Vec<FpVar<Fr>> = u.comm_w.limbs().to_vec();
    v.extend_from_slice(u.comm_e.limbs());
    v.push(u.u.clone());
    v.extend_from_slice(&u.x);
    v
}

/// The commitments of one CycleFold instance and the cross term of its fold: what the primary
/// circuit needs to fold it into the running CycleFold instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleFoldProof {
    /// `C_W` of the strict CycleFold instance.
    pub comm_w: ark_grumpkin::Affine,
    /// `C_T` of its fold into the running instance.
    pub comm_t: ark_grumpkin::Affine,
}

/// The witnesses of one step of the augmented circuit (module docs).
#[derive(Clone, Debug)]
pub struct AugmentedInputs {
    /// The primary parameters' digest.
    pub pp: Fr,
    /// The step index `i`.
    pub i: u64,
    /// `z_0`.
    pub z_0: Vec<Fr>,
    /// `z_i`.
    pub z_i: Vec<Fr>,
    /// `U_i`.
    pub acc: RelaxedR1csInstance,
    /// `u_i`.
    pub inc: R1csInstance,
    /// `C_T` of the primary fold.
    pub comm_t: G1Affine,
    /// `cfU_i`.
    pub cf_acc: RelaxedR1csInstance<Grumpkin>,
    /// The CycleFold instances for `C_W`, `C_E` and the step's own statements, in this order.
    pub cf_proofs: Vec<CycleFoldProof>,
}

/// What the augmented circuit outputs.
#[derive(Clone, Debug)]
pub struct AugmentedOutput {
    /// `z_{i+1}`.
    pub z_next: Vec<FpVar<Fr>>,
    /// The public input `H(pp, i + 1, z_0, z_{i+1}, U_{i+1}, cfU_{i+1})`.
    pub hash: FpVar<Fr>,
}

fn witness_vec(
    cs: &ConstraintSystemRef<Fr>,
    n: usize,
    values: Option<&[Fr]>,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    (0..n)
        .map(|j| {
            FpVar::new_witness(cs.clone(), || {
                values
                    .and_then(|v| v.get(j).copied())
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect()
}

fn grumpkin_witness(
    cs: &ConstraintSystemRef<Fr>,
    p: Option<ark_grumpkin::Affine>,
) -> Result<GrumpkinVar, SynthesisError> {
    GrumpkinVar::new_witness(cs.clone(), || {
        p.map(|p| p.into_group())
            .ok_or(SynthesisError::AssignmentMissing)
    })
}

/// Lays out the augmented circuit `F'` (module docs) in `cs` for `step`, with the CycleFold
/// parameters' digest `cf_pp` (a constant); `inputs` absent in setup mode.
pub fn synthesize_augmented<S: StepCircuit + ?Sized>(
    cs: ConstraintSystemRef<Fr>,
    step: &S,
    cf_pp: Fr,
    inputs: Option<&AugmentedInputs>,
) -> Result<AugmentedOutput, Error> {
    let a = step.arity();
    if let Some(inp) = inputs {
        check_states(a, &inp.z_0, &inp.z_i)?;
    }
    let w = AllocationMode::Witness;
    let pp = FpVar::new_witness(cs.clone(), || {
        inputs
            .map(|v| v.pp)
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    let i = FpVar::new_witness(cs.clone(), || {
        inputs
            .map(|v| Fr::from(v.i))
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    let z_0 = witness_vec(&cs, a, inputs.map(|v| v.z_0.as_slice()))?;
    let z_i = witness_vec(&cs, a, inputs.map(|v| v.z_i.as_slice()))?;
    let acc = RelaxedR1csInstanceVar::new_variable(cs.clone(), 1, inputs.map(|v| &v.acc), w)?;
    let inc = R1csInstanceVar::new_variable(cs.clone(), 1, inputs.map(|v| &v.inc), w)?;
    let comm_t = G1LimbsVar::new_witness(cs.clone(), || {
        inputs
            .map(|v| v.comm_t)
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    let cf_acc = CycleFoldInstanceVar::new_witness(cs.clone(), NUM_IO, inputs.map(|v| &v.cf_acc))?;
    let is_base = i.is_zero()?;
    let not_base = !&is_base;

    // The incoming instance's public input is the hash of the state it claims; at the base case
    // the state is `z_0` and the running CycleFold instance is the zero one.
    let cf_enc = cf_acc.encode()?;
    let mut elems = vec![pp.clone(), i.clone()];
    elems.extend_from_slice(&z_0);
    elems.extend_from_slice(&z_i);
    elems.extend(primary_elements(&acc));
    elems.extend(cf_enc.elements());
    let h_in = state_hash_var(cs.clone(), &elems)?;
    let [inc_x] = inc.x.as_slice() else {
        return Err(Error::Malformed {
            what: "the augmented circuit has one public input",
        });
    };
    inc_x.conditional_enforce_equal(&h_in, &not_base)?;
    for (a, b) in z_i.iter().zip(&z_0) {
        a.conditional_enforce_equal(b, &is_base)?;
    }
    for e in cf_enc.elements() {
        e.conditional_enforce_equal(&FpVar::zero(), &is_base)?;
    }

    // The primary fold and the step; then every CycleFold statement folded into cfU.
    let fold = nifs_gadget::verify_strict(&pp, &acc, &inc, &comm_t)?;
    let step_out = step.generate_constraints(cs.clone(), &i, &z_i)?;
    let z_next = step_out.z_next;
    if z_next.len() != a {
        return Err(Error::LengthMismatch {
            what: "z_{i+1}",
            expected: a,
            actual: z_next.len(),
        });
    }
    let statements: Vec<&CycleFoldStatementVar> = [&fold.cyclefold_w, &fold.cyclefold_e]
        .into_iter()
        .chain(&step_out.cyclefold)
        .collect();
    if let Some(v) = inputs {
        if v.cf_proofs.len() != statements.len() {
            return Err(Error::LengthMismatch {
                what: "CycleFold proofs",
                expected: statements.len(),
                actual: v.cf_proofs.len(),
            });
        }
    }
    let cf_pp = FpVar::constant(cf_pp);
    let mut cf_running = cf_acc;
    let mut cf_running_enc = cf_enc;
    for (k, s) in statements.into_iter().enumerate() {
        let proof = inputs.and_then(|v| v.cf_proofs.get(k).copied());
        let comm_w = grumpkin_witness(&cs, proof.map(|p| p.comm_w))?;
        let comm_t = grumpkin_witness(&cs, proof.map(|p| p.comm_t))?;
        let folded = cyclefold_gadget::verify_strict(
            &cf_pp,
            &cf_running,
            &cf_running_enc,
            &comm_w,
            &s.public_inputs(),
            &comm_t,
        )?;
        cf_running = folded.folded;
        cf_running_enc = cf_running.encode()?;
    }

    // The new state: the folded primary instance (the zero one at the base case) and cfU.
    let not_base_fp = FpVar::from(not_base);
    let mut elems = vec![pp, &i + FpVar::one()];
    elems.extend_from_slice(&z_0);
    elems.extend_from_slice(&z_next);
    for e in primary_elements(&fold.folded) {
        elems.push(e * &not_base_fp);
    }
    elems.extend(cf_running_enc.elements());
    let hash = state_hash_var(cs.clone(), &elems)?;
    let out = FpVar::new_input(cs.clone(), || hash.value())?;
    out.enforce_equal(&hash)?;
    Ok(AugmentedOutput { z_next, hash: out })
}

/// The IVC's public parameters: the step circuit, the folding parameters of the augmented
/// circuit (shape and Pedersen key over BN254) and of the CycleFold circuit (over Grumpkin).
#[derive(Clone, Debug)]
pub struct IvcParams<S> {
    step: S,
    primary: NifsParams,
    cyclefold: CycleFoldParams,
}

impl<S: StepCircuit> IvcParams<S> {
    /// Derives the parameters: the CycleFold shape and key, then the augmented circuit's shape
    /// (setup-mode synthesis) and key (hiding keys, labels [`PRIMARY_KEY_LABEL`],
    /// [`CYCLEFOLD_KEY_LABEL`]).
    pub fn setup(step: S) -> Result<Self, Error> {
        Self::setup_with(step, |n| PedersenKey::new(PRIMARY_KEY_LABEL, n, true))
    }

    /// [`Self::setup`] with the primary key made by `primary_key(n)` for the `n` generators the
    /// augmented circuit needs (`max(|W|, m)`), e.g. [`PedersenKey::from_bases`] over the
    /// HyperKZG SRS for a decider that opens `W` and `E` with HyperKZG.
    pub fn setup_with(
        step: S,
        primary_key: impl FnOnce(usize) -> Result<PedersenKey, Error>,
    ) -> Result<Self, Error> {
        let cf = cyclefold::setup(CYCLEFOLD_KEY_LABEL, true)?;
        let cs = ConstraintSystem::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        synthesize_augmented(cs.clone(), &step, cf.digest(), None)?;
        let shape = crate::r1cs::R1csShape::from_constraint_system(&cs)?;
        let key = primary_key(shape.num_witness().max(shape.num_constraints()))?;
        let primary = NifsParams::new(shape, key)?;
        Ok(Self {
            step,
            primary,
            cyclefold: cf,
        })
    }

    /// The step circuit.
    pub fn step(&self) -> &S {
        &self.step
    }

    /// The folding parameters of the augmented circuit.
    pub fn primary(&self) -> &NifsParams {
        &self.primary
    }

    /// The folding parameters of the CycleFold circuit.
    pub fn cyclefold(&self) -> &CycleFoldParams {
        &self.cyclefold
    }
}

/// The state of the IVC after `i` steps: what [`verify`] checks.
#[derive(Clone, Debug)]
pub struct IvcState {
    /// The number of steps `i`.
    pub i: u64,
    /// `z_0`.
    pub z_0: Vec<Fr>,
    /// `z_i`.
    pub z_i: Vec<Fr>,
    /// `U_i`.
    pub acc: RelaxedR1csInstance,
    /// `W_i`.
    pub acc_w: RelaxedR1csWitness,
    /// `u_i` (a dummy before the first step).
    pub inc: R1csInstance,
    /// `w_i`.
    pub inc_w: R1csWitness,
    /// `cfU_i`.
    pub cf_acc: RelaxedR1csInstance<Grumpkin>,
    /// `cfW_i`.
    pub cf_acc_w: RelaxedR1csWitness<ark_bn254::Fq>,
}

/// The IVC prover.
#[derive(Clone, Debug)]
pub struct Ivc<S> {
    params: IvcParams<S>,
    state: IvcState,
}

impl<S: StepCircuit> Ivc<S> {
    /// A fresh IVC at `z_0` (no step proven yet).
    pub fn new(params: IvcParams<S>, z_0: Vec<Fr>) -> Result<Self, Error> {
        let a = params.step.arity();
        if z_0.len() != a {
            return Err(Error::LengthMismatch {
                what: "z_0",
                expected: a,
                actual: z_0.len(),
            });
        }
        let shape = params.primary.shape();
        let cf_shape = params.cyclefold.shape();
        let state = IvcState {
            i: 0,
            z_i: z_0.clone(),
            z_0,
            acc: RelaxedR1csInstance::zero(shape),
            acc_w: RelaxedR1csWitness::zero(shape),
            inc: R1csInstance {
                comm_w: G1Affine::zero(),
                x: vec![Fr::zero(); shape.num_io()],
            },
            inc_w: R1csWitness {
                w: vec![Fr::zero(); shape.num_witness()],
                r_w: Fr::zero(),
            },
            cf_acc: RelaxedR1csInstance::zero(cf_shape),
            cf_acc_w: RelaxedR1csWitness::zero(cf_shape),
        };
        Ok(Self { params, state })
    }

    /// An IVC continuing from a saved `state` of these parameters (not checked here: run
    /// [`verify`] on it first if it comes from storage).
    pub fn from_state(params: IvcParams<S>, state: IvcState) -> Result<Self, Error> {
        let a = params.step.arity();
        check_states(a, &state.z_0, &state.z_i)?;
        Ok(Self { params, state })
    }

    /// The parameters.
    pub fn params(&self) -> &IvcParams<S> {
        &self.params
    }

    /// The current state.
    pub fn state(&self) -> &IvcState {
        &self.state
    }

    /// Proves one more step: `i → i + 1` (module docs).
    pub fn prove_step<R: RngCore + ?Sized>(&mut self, rng: &mut R) -> Result<(), Error> {
        let st = &self.state;
        let primary = &self.params.primary;
        let cfp = &self.params.cyclefold;
        // The primary fold (a dummy at the base case: U_1 = U_⊥) and its two statements.
        let (comm_t, next_acc, next_acc_w, r) = if st.i == 0 {
            let comm_t = G1Affine::zero();
            let r = nifs::challenge_u128(
                primary,
                &st.acc,
                &RelaxedR1csInstance::from_strict(&st.inc),
                &comm_t,
            )?;
            (comm_t, st.acc.clone(), st.acc_w.clone(), r)
        } else {
            let (proof, acc, acc_w) =
                nifs::prove_strict(primary, &st.acc, &st.acc_w, &st.inc, &st.inc_w, rng)?;
            let r = nifs::challenge_u128(
                primary,
                &st.acc,
                &RelaxedR1csInstance::from_strict(&st.inc),
                &proof.comm_t,
            )?;
            (proof.comm_t, acc, acc_w, r)
        };
        let mut statements = vec![
            CycleFoldStatement::new(st.acc.comm_w, st.inc.comm_w, r)?,
            CycleFoldStatement::new(st.acc.comm_e, comm_t, r)?,
        ];
        statements.extend(self.params.step.cyclefold_statements(st.i, &st.z_i)?);
        let mut next_cf = st.cf_acc.clone();
        let mut next_cf_w = st.cf_acc_w.clone();
        let mut cf_proofs = Vec::with_capacity(statements.len());
        for s in &statements {
            let (cu, cw) = cyclefold::commit_statement(cfp, s, rng)?;
            let (p, folded, folded_w) =
                nifs::prove_strict(cfp, &next_cf, &next_cf_w, &cu, &cw, rng)?;
            cf_proofs.push(CycleFoldProof {
                comm_w: cu.comm_w,
                comm_t: p.comm_t,
            });
            next_cf = folded;
            next_cf_w = folded_w;
        }
        let inputs = AugmentedInputs {
            pp: primary.digest(),
            i: st.i,
            z_0: st.z_0.clone(),
            z_i: st.z_i.clone(),
            acc: st.acc.clone(),
            inc: st.inc.clone(),
            comm_t,
            cf_acc: st.cf_acc.clone(),
            cf_proofs,
        };

        let cs = ConstraintSystem::new_ref();
        let out = synthesize_augmented(cs.clone(), &self.params.step, cfp.digest(), Some(&inputs))?;
        let z_next = out.z_next.value()?;
        let (x, w) = extract_assignment(&cs)?;
        let (inc, inc_w) = primary.commit_witness(x, w, rng)?;
        self.state = IvcState {
            i: st.i + 1,
            z_0: st.z_0.clone(),
            z_i: z_next,
            acc: next_acc,
            acc_w: next_acc_w,
            inc,
            inc_w,
            cf_acc: next_cf,
            cf_acc_w: next_cf_w,
        };
        Ok(())
    }
}

/// The non-succinct decider (module docs): accepts `state` as `i ≥ 1` correct steps from `z_0`
/// to `z_i`, or returns why not.
pub fn verify<S: StepCircuit>(params: &IvcParams<S>, state: &IvcState) -> Result<(), Error> {
    if state.i == 0 {
        return Err(Error::Malformed {
            what: "an IVC state of zero steps proves nothing",
        });
    }
    let a = params.step.arity();
    check_states(a, &state.z_0, &state.z_i)?;
    let expected = state_hash(
        params.primary.digest(),
        state.i,
        &state.z_0,
        &state.z_i,
        &state.acc,
        &state.cf_acc,
    );
    if state.inc.x.as_slice() != [expected] {
        return Err(Error::IvcStateHashMismatch);
    }
    params.primary.is_satisfied(&state.inc, &state.inc_w)?;
    params
        .primary
        .is_satisfied_relaxed(&state.acc, &state.acc_w)?;
    params
        .cyclefold
        .is_satisfied_relaxed(&state.cf_acc, &state.cf_acc_w)?;
    Ok(())
}
