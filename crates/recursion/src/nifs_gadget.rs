//! The in-circuit NIFS verifier over `Fr`: the twin of [`crate::nifs::verify_strict`] for BN254
//! instances, with its elliptic-curve operations delegated to CycleFold.
//!
//! Given the parameters digest `pp`, a running relaxed instance `U_1 = (C_W1, C_E1, u_1, x_1)`,
//! an incoming strict instance `(C_W2, x_2)` (embedded as `(C_W2, O, 1, x_2)`) and the
//! cross-term commitment `C_T`, all as variables (points as [`G1LimbsVar`]), [`verify_strict`]:
//!
//! 1. replays the folding transcript of [`crate::nifs`] call for call with
//!    [`PoseidonTranscriptVar`] (the incoming `C_E2 = O` and `u_2 = 1` are constants);
//! 2. squeezes the challenge `ρ ∈ Fr` and decomposes it canonically, `ρ = r + 2^128·h` with
//!    `r < 2^128`, `h < 2^126`, `r + 2^128·h < p` ([`crate::cyclefold::enforce_canonical_limbs`]),
//!    so `r` and its 128 bits are exactly the native `truncate_challenge(ρ)`;
//! 3. folds the scalars natively in `Fr`: `u = u_1 + r` (linear) and `x = x_1 + r·x_2` (`ℓ`
//!    products);
//! 4. allocates the folded commitments `C_W, C_E` as **witness** limbs (computed from the
//!    inputs' values) and returns the two statements that CycleFold must prove:
//!
//! ```text
//! (C_W1, C_W2, r, C_W)      C_W = C_W1 + r·C_W2
//! (C_E1, C_T,  r, C_E)      C_E = C_E1 + r·C_T        (+ r²·C_E2, which is O for a strict step)
//! ```
//!
//! Nothing in this circuit checks the two equations: they hold because the augmented circuit
//! binds these statements (the limbs of the points and `r`,
//! [`CycleFoldStatementVar::public_inputs`]) to CycleFold instances over `Fq` that prove them.
//! Folding a *relaxed* incoming instance would need the term `r²·C_E2` (a 256-bit scalar, or a
//! second CycleFold instance by Horner, `C_E1 + r·(C_T + r·C_E2)`); Nova's IVC only ever folds a
//! fresh step, so only the strict case is built.
//!
//! A dishonest input (a wrong `C_T`, a changed instance) never makes synthesis fail: it changes
//! `r`, and with it the statements handed to CycleFold, which then no longer describe the
//! natively folded instance. Points whose limbs do not name a curve point get the point at
//! infinity as a placeholder output (their CycleFold instance is unsatisfiable anyway).
//!
//! **Cost** (ℓ public inputs of the step): the transcript (`34 + 2ℓ` absorbed elements with the
//! headers, one 271-constraint permutation per two), 514 constraints for the canonical split of
//! `ρ`, `ℓ` products, and `2 × 1026` for the canonical limbs of the two output points (the
//! only canonicity check on those integers: the CycleFold circuit relies on it, see
//! [`crate::cyclefold`]): 7983 for ℓ = 3, 272 more per public input, not counting the
//! allocation of the four input points (`docs/recursion.md`).

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, One, PrimeField};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::cyclefold::{enforce_canonical_limbs, limbs_to_g1, CycleFoldStatementVar};
use crate::error::Error;
use crate::nifs::{
    LABELS_ACC, LABELS_INC, LABEL_CHALLENGE, LABEL_CROSS_TERM, LABEL_PARAMS, NIFS_DOMAIN,
};
use crate::r1cs::{R1csInstance, RelaxedR1csInstance};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// A running (relaxed) BN254 instance `(C_W, C_E, u, x)` in-circuit.
#[derive(Clone, Debug)]
pub struct RelaxedR1csInstanceVar {
    /// `C_W` as limbs.
    pub comm_w: G1LimbsVar,
    /// `C_E` as limbs.
    pub comm_e: G1LimbsVar,
    /// The relaxation scalar.
    pub u: FpVar<Fr>,
    /// The folded public inputs.
    pub x: Vec<FpVar<Fr>>,
}

impl RelaxedR1csInstanceVar {
    /// Allocates an instance with `num_io` public inputs (`value` absent in setup mode; its `x`
    /// must have `num_io` entries).
    pub fn new_variable(
        cs: ConstraintSystemRef<Fr>,
        num_io: usize,
        value: Option<&RelaxedR1csInstance>,
        mode: AllocationMode,
    ) -> Result<Self, Error> {
        if let Some(v) = value {
            Error::check_len("x of the running instance", num_io, v.x.len())?;
        }
        Ok(Self {
            comm_w: G1LimbsVar::new_variable(cs.clone(), || get(value.map(|v| v.comm_w)), mode)?,
            comm_e: G1LimbsVar::new_variable(cs.clone(), || get(value.map(|v| v.comm_e)), mode)?,
            u: FpVar::new_variable(cs.clone(), || get(value.map(|v| v.u)), mode)?,
            x: alloc_vec(&cs, num_io, value.map(|v| v.x.as_slice()), mode)?,
        })
    }

    /// The native instance named by the variables' values (an error if a commitment's limbs do
    /// not name a curve point).
    pub fn value(&self) -> Result<RelaxedR1csInstance, Error> {
        Ok(RelaxedR1csInstance {
            comm_w: limbs_to_g1(&self.comm_w.value()?)?,
            comm_e: limbs_to_g1(&self.comm_e.value()?)?,
            u: self.u.value()?,
            x: self.x.value()?,
        })
    }
}

/// An incoming strict BN254 instance `(C_W, x)` in-circuit.
#[derive(Clone, Debug)]
pub struct R1csInstanceVar {
    /// `C_W` as limbs.
    pub comm_w: G1LimbsVar,
    /// The public inputs.
    pub x: Vec<FpVar<Fr>>,
}

impl R1csInstanceVar {
    /// Allocates an instance with `num_io` public inputs (`value` absent in setup mode).
    pub fn new_variable(
        cs: ConstraintSystemRef<Fr>,
        num_io: usize,
        value: Option<&R1csInstance>,
        mode: AllocationMode,
    ) -> Result<Self, Error> {
        if let Some(v) = value {
            Error::check_len("x of the incoming instance", num_io, v.x.len())?;
        }
        Ok(Self {
            comm_w: G1LimbsVar::new_variable(cs.clone(), || get(value.map(|v| v.comm_w)), mode)?,
            x: alloc_vec(&cs, num_io, value.map(|v| v.x.as_slice()), mode)?,
        })
    }
}

/// What the in-circuit verifier returns: the challenge, the folded instance (commitments as
/// witness limbs) and the two CycleFold statements that prove its commitments.
#[derive(Clone, Debug)]
pub struct NifsFoldVar {
    /// The squeezed challenge `ρ` (before truncation).
    pub challenge: FpVar<Fr>,
    /// `r`, the low 128 bits of `ρ`.
    pub r: FpVar<Fr>,
    /// The bits of `r`, least significant first.
    pub r_bits: Vec<Boolean<Fr>>,
    /// The folded instance `(C_W, C_E, u_1 + r, x_1 + r·x_2)`.
    pub folded: RelaxedR1csInstanceVar,
    /// `(C_W1, C_W2, r, C_W)`.
    pub cyclefold_w: CycleFoldStatementVar,
    /// `(C_E1, C_T, r, C_E)`.
    pub cyclefold_e: CycleFoldStatementVar,
}

fn get<T>(v: Option<T>) -> Result<T, SynthesisError> {
    v.ok_or(SynthesisError::AssignmentMissing)
}

fn alloc_vec(
    cs: &ConstraintSystemRef<Fr>,
    n: usize,
    values: Option<&[Fr]>,
    mode: AllocationMode,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    (0..n)
        .map(|i| {
            FpVar::new_variable(
                cs.clone(),
                || get(values.and_then(|v| v.get(i).copied())),
                mode,
            )
        })
        .collect()
}

fn absorb_running(
    t: &mut PoseidonTranscriptVar,
    labels: &[&'static [u8]; 4],
    u: &RelaxedR1csInstanceVar,
) -> Result<(), Error> {
    let [l_cmw, l_cme, l_u, l_x] = *labels;
    t.append_g1(l_cmw, &u.comm_w)?;
    t.append_g1(l_cme, &u.comm_e)?;
    t.append_field(l_u, &u.u)?;
    t.append_fields(l_x, &u.x)
}

/// `P_1 + r·P_2` from the limbs' values, or the point at infinity if a point's limbs do not
/// name a curve point (the CycleFold instance of such a statement is unsatisfiable).
fn fold_point_value(
    p1: &G1LimbsVar,
    p2: &G1LimbsVar,
    r: &FpVar<Fr>,
) -> Result<G1Affine, SynthesisError> {
    let (l1, l2, r) = (p1.value()?, p2.value()?, r.value()?);
    Ok(match (limbs_to_g1(&l1), limbs_to_g1(&l2)) {
        (Ok(a), Ok(b)) => (a.into_group() + b * r).into_affine(),
        _ => G1Affine::zero(),
    })
}

/// The in-circuit twin of [`crate::nifs::verify_strict`] (module docs): replays the folding
/// transcript on `(pp, U_1, (C_W2, x_2), C_T)`, derives `r` (128 bits), folds `u` and `x`, and
/// returns the folded instance with its commitments as witnesses, plus the two CycleFold
/// statements that must be proven for it.
pub fn verify_strict(
    pp: &FpVar<Fr>,
    acc: &RelaxedR1csInstanceVar,
    inc: &R1csInstanceVar,
    comm_t: &G1LimbsVar,
) -> Result<NifsFoldVar, Error> {
    Error::check_len("x of the incoming instance", acc.x.len(), inc.x.len())?;
    let cs = pp
        .cs()
        .or(acc.u.cs())
        .or(acc.comm_w.cs())
        .or(inc.comm_w.cs())
        .or(comm_t.cs());
    let zero_point = G1LimbsVar::new_constant(cs.clone(), G1Affine::zero())?;
    let inc_relaxed = RelaxedR1csInstanceVar {
        comm_w: inc.comm_w.clone(),
        comm_e: zero_point,
        u: FpVar::constant(Fr::one()),
        x: inc.x.clone(),
    };

    let mut t = PoseidonTranscriptVar::new(cs.clone(), NIFS_DOMAIN)?;
    t.append_field(LABEL_PARAMS, pp)?;
    absorb_running(&mut t, &LABELS_ACC, acc)?;
    absorb_running(&mut t, &LABELS_INC, &inc_relaxed)?;
    t.append_g1(LABEL_CROSS_TERM, comm_t)?;
    let challenge = t.challenge(LABEL_CHALLENGE)?;

    // ρ = r + 2^128·h, canonically; r is the native truncation.
    let split = |high: bool| -> Result<Fr, SynthesisError> {
        let bytes = challenge.value()?.into_bigint().to_bytes_le();
        let (lo, hi) = bytes.split_at(16);
        Ok(Fr::from_le_bytes_mod_order(if high { hi } else { lo }))
    };
    let lo = FpVar::new_witness(cs.clone(), || split(false))?;
    let hi = FpVar::new_witness(cs.clone(), || split(true))?;
    let (packed, r_bits) = enforce_canonical_limbs(&lo, &hi)?;
    packed.enforce_equal(&challenge)?;
    let r = lo;

    let u = &acc.u + &r;
    let x = acc
        .x
        .iter()
        .zip(&inc.x)
        .map(|(x1, x2)| x1 + &r * x2)
        .collect::<Vec<_>>();

    let comm_w = G1LimbsVar::new_witness(cs.clone(), || {
        fold_point_value(&acc.comm_w, &inc.comm_w, &r)
    })?;
    let comm_e = G1LimbsVar::new_witness(cs.clone(), || fold_point_value(&acc.comm_e, comm_t, &r))?;

    let cyclefold_w = CycleFoldStatementVar {
        p1: acc.comm_w.clone(),
        p2: inc.comm_w.clone(),
        r_bits: r_bits.clone(),
        r: r.clone(),
        p_out: comm_w.clone(),
    };
    let cyclefold_e = CycleFoldStatementVar {
        p1: acc.comm_e.clone(),
        p2: comm_t.clone(),
        r_bits: r_bits.clone(),
        r: r.clone(),
        p_out: comm_e.clone(),
    };
    Ok(NifsFoldVar {
        challenge,
        r,
        r_bits,
        folded: RelaxedR1csInstanceVar {
            comm_w,
            comm_e,
            u,
            x,
        },
        cyclefold_w,
        cyclefold_e,
    })
}
