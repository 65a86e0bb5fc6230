//! The in-circuit verifier of a CycleFold fold, over `Fr`: the twin of
//! [`crate::nifs::verify_strict`] for Grumpkin instances (the CycleFold circuit's), run inside the
//! primary (augmented) circuit of the IVC ([`crate::ivc`]).
//!
//! A CycleFold instance is a relaxed R1CS instance over `Fq` committed on Grumpkin:
//! `(C_W, C_E, u, x)` with `C_W, C_E ∈ Grumpkin` (coordinates in `Fr`: **native** here) and
//! `u, x_1..x_13 ∈ Fq` (**foreign** here: held as [`EmulatedFpVar<Fq, Fr>`]). The incoming
//! instance is strict, `(C_W2, O, 1, x_2)`, with `x_2` the 13 public inputs of a CycleFold
//! statement ([`crate::cyclefold::CycleFoldStatementVar::public_inputs`]): integers below
//! `2^128`, carried as `Fr` variables. [`verify_strict`]:
//!
//! 1. replays the Grumpkin folding transcript of [`crate::nifs`] with
//!    [`PoseidonTranscriptVar`] (domain `"zkpot-cyclefold-nifs"`): points as their affine
//!    coordinates `[x, y]` (`[0, 0]` for `O`), `Fq` scalars as their canonical 128-bit limbs
//!    `[s_lo, s_hi]` — for the incoming `x_2` (below `2^128`) that is `[x_2, 0]`, for `u_2 = 1`
//!    the constants `[1, 0]`, for the running `u_1, x_1` the canonical bits of the emulated
//!    value ([`FqVar::to_bits_le`] enforces `≤ q − 1`, so the limbs are a function of the value);
//! 2. squeezes `ρ` and splits it canonically, `ρ = r + 2^128·h`
//!    ([`crate::cyclefold::enforce_canonical_limbs`]), so `r` (128 bits) is the native
//!    truncation;
//! 3. folds, with `r` read as an integer (the same in `Fr` and `Fq`):
//!
//! ```text
//! C_W = C_W1 + r·C_W2      C_E = C_E1 + r·C_T      (Grumpkin, native: 128-bit double-and-add)
//! u   = u_1 + r            x_j = x_1j + r·x_2j     (Fq, emulated)
//! ```
//!
//! (the `r²·C_E2` term vanishes for a strict incoming instance). Unlike the BN254 side, the
//! commitments are computed and constrained here: nothing is delegated.
//!
//! Converting a small `Fr` variable `v < 2^128` (an incoming input, `r`) to `Fq` allocates the
//! emulated element, takes its canonical bits, and enforces that the top 126 are zero and the
//! low 128 pack to `v`.

use ark_bn254::{Fq, Fr};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::emulated_fp::EmulatedFpVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::groups::curves::short_weierstrass::ProjectiveVar;
use ark_r1cs_std::groups::CurveVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::curve::FoldingCurve;
use crate::cyclefold::{enforce_canonical_limbs, Grumpkin, LIMB_BITS};
use crate::error::Error;
use crate::nifs::{LABELS_ACC, LABELS_INC, LABEL_CHALLENGE, LABEL_CROSS_TERM, LABEL_PARAMS};
use crate::r1cs::RelaxedR1csInstance;
use crate::transcript::PoseidonTranscriptVar;

/// A Grumpkin point in-circuit (coordinates native in `Fr`).
pub type GrumpkinVar = ProjectiveVar<ark_grumpkin::GrumpkinConfig, FpVar<Fr>>;

/// An element of `Fq` (Grumpkin's scalar field) emulated over `Fr`.
pub type FqVar = EmulatedFpVar<Fq, Fr>;

/// A running CycleFold (Grumpkin) relaxed instance `(C_W, C_E, u, x)` in the primary circuit.
#[derive(Clone, Debug)]
pub struct CycleFoldInstanceVar {
    /// `C_W`.
    pub comm_w: GrumpkinVar,
    /// `C_E`.
    pub comm_e: GrumpkinVar,
    /// `u ∈ Fq`.
    pub u: FqVar,
    /// `x ∈ Fq^ℓ`.
    pub x: Vec<FqVar>,
}

/// The transcript (and state-hash) encoding of a [`CycleFoldInstanceVar`]: `[x, y]` per point,
/// `[lo, hi]` per scalar (see the module docs).
#[derive(Clone, Debug)]
pub struct CycleFoldEncodingVar {
    /// `C_W` as `[x, y]`.
    pub comm_w: Vec<FpVar<Fr>>,
    /// `C_E` as `[x, y]`.
    pub comm_e: Vec<FpVar<Fr>>,
    /// `u` as `[lo, hi]`.
    pub u: Vec<FpVar<Fr>>,
    /// `x` as `[lo_1, hi_1, lo_2, …]`.
    pub x: Vec<FpVar<Fr>>,
}

impl CycleFoldEncodingVar {
    /// All elements in order `C_W, C_E, u, x` (what the IVC state hash absorbs).
    pub fn elements(&self) -> Vec<FpVar<Fr>> {
        let mut v = Vec::with_capacity(6 + self.x.len());
        for part in [&self.comm_w, &self.comm_e, &self.u, &self.x] {
            v.extend_from_slice(part);
        }
        v
    }
}

/// The native twin of [`CycleFoldEncodingVar::elements`].
pub fn encode_native(u: &RelaxedR1csInstance<Grumpkin>) -> Vec<Fr> {
    let mut v = Grumpkin::point_to_transcript(&u.comm_w);
    v.extend(Grumpkin::point_to_transcript(&u.comm_e));
    v.extend(Grumpkin::scalar_to_transcript(&u.u));
    for s in &u.x {
        v.extend(Grumpkin::scalar_to_transcript(s));
    }
    v
}

fn fr_to_fq(v: Fr) -> Fq {
    Fq::from_le_bytes_mod_order(&v.into_bigint().to_bytes_le())
}

/// The affine coordinates `[x, y]` of a point (`[0, 0]` for `O`).
pub fn point_coords(p: &GrumpkinVar) -> Result<Vec<FpVar<Fr>>, Error> {
    let a = p.to_affine()?;
    Ok(vec![a.x, a.y])
}

/// The canonical 128-bit limbs `[lo, hi]` of an emulated `Fq` element (`lo + 2^128·hi ≤ q − 1`).
pub fn fq_limbs(e: &FqVar) -> Result<Vec<FpVar<Fr>>, Error> {
    let bits = e.to_bits_le()?;
    if bits.len() <= LIMB_BITS {
        return Err(Error::Malformed {
            what: "an emulated element with too few bits",
        });
    }
    let (lo, hi) = bits.split_at(LIMB_BITS);
    Ok(vec![
        Boolean::le_bits_to_fp(lo)?,
        Boolean::le_bits_to_fp(hi)?,
    ])
}

/// The `Fq` element equal to the integer `v < 2^128` held in an `Fr` variable (an unsatisfied
/// circuit if `v ≥ 2^128`).
pub fn small_to_fq(v: &FpVar<Fr>) -> Result<FqVar, Error> {
    if v.is_constant() {
        return Ok(FqVar::constant(fr_to_fq(v.value()?)));
    }
    let e = FqVar::new_witness(v.cs(), || Ok(fr_to_fq(v.value()?)))?;
    let bits = e.to_bits_le()?;
    if bits.len() <= LIMB_BITS {
        return Err(Error::Malformed {
            what: "an emulated element with too few bits",
        });
    }
    let (lo, hi) = bits.split_at(LIMB_BITS);
    for b in hi {
        b.enforce_equal(&Boolean::FALSE)?;
    }
    Boolean::le_bits_to_fp(lo)?.enforce_equal(v)?;
    Ok(e)
}

impl CycleFoldInstanceVar {
    /// Allocates a running instance with `num_io` public inputs as witnesses (points checked to
    /// be on the curve, emulated limbs range-checked); `value` absent in setup mode.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        num_io: usize,
        value: Option<&RelaxedR1csInstance<Grumpkin>>,
    ) -> Result<Self, Error> {
        if let Some(v) = value {
            if v.x.len() != num_io {
                return Err(Error::LengthMismatch {
                    what: "x of the running CycleFold instance",
                    expected: num_io,
                    actual: v.x.len(),
                });
            }
        }
        let get = |f: &dyn Fn(&RelaxedR1csInstance<Grumpkin>) -> Fq| {
            value.map(f).ok_or(SynthesisError::AssignmentMissing)
        };
        Ok(Self {
            comm_w: GrumpkinVar::new_witness(cs.clone(), || {
                value
                    .map(|v| v.comm_w.into_group())
                    .ok_or(SynthesisError::AssignmentMissing)
            })?,
            comm_e: GrumpkinVar::new_witness(cs.clone(), || {
                value
                    .map(|v| v.comm_e.into_group())
                    .ok_or(SynthesisError::AssignmentMissing)
            })?,
            u: FqVar::new_witness(cs.clone(), || get(&|v| v.u))?,
            x: (0..num_io)
                .map(|j| {
                    FqVar::new_witness(cs.clone(), || {
                        value
                            .and_then(|v| v.x.get(j).copied())
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<_, _>>()?,
        })
    }

    /// The instance named by the variables' values.
    pub fn value(&self) -> Result<RelaxedR1csInstance<Grumpkin>, Error> {
        Ok(RelaxedR1csInstance {
            comm_w: self.comm_w.value()?.into_affine(),
            comm_e: self.comm_e.value()?.into_affine(),
            u: self.u.value()?,
            x: self.x.value()?,
        })
    }

    /// The transcript encoding (module docs): `to_affine` per point, canonical bits per scalar.
    pub fn encode(&self) -> Result<CycleFoldEncodingVar, Error> {
        let mut x = Vec::with_capacity(2 * self.x.len());
        for s in &self.x {
            x.extend(fq_limbs(s)?);
        }
        Ok(CycleFoldEncodingVar {
            comm_w: point_coords(&self.comm_w)?,
            comm_e: point_coords(&self.comm_e)?,
            u: fq_limbs(&self.u)?,
            x,
        })
    }
}

/// What [`verify_strict`] derives.
#[derive(Clone, Debug)]
pub struct CycleFoldFoldVar {
    /// The squeezed challenge `ρ`.
    pub challenge: FpVar<Fr>,
    /// `r`, the low 128 bits of `ρ`.
    pub r: FpVar<Fr>,
    /// The bits of `r`, least significant first.
    pub r_bits: Vec<Boolean<Fr>>,
    /// The folded instance.
    pub folded: CycleFoldInstanceVar,
}

/// The in-circuit twin of [`crate::nifs::verify_strict`] over Grumpkin (module docs): folds the
/// strict instance `(comm_w, O, 1, x)` (`x`: integers below `2^128` as `Fr` variables) into
/// `acc` (whose encoding `acc_enc` the caller computed, so that it is shared with the state
/// hash) with the cross term `comm_t`; `pp` is the CycleFold parameters' digest.
pub fn verify_strict(
    pp: &FpVar<Fr>,
    acc: &CycleFoldInstanceVar,
    acc_enc: &CycleFoldEncodingVar,
    comm_w: &GrumpkinVar,
    x: &[FpVar<Fr>],
    comm_t: &GrumpkinVar,
) -> Result<CycleFoldFoldVar, Error> {
    if x.len() != acc.x.len() {
        return Err(Error::LengthMismatch {
            what: "x of the incoming CycleFold instance",
            expected: acc.x.len(),
            actual: x.len(),
        });
    }
    let cs = pp.cs().or(acc.comm_w.cs()).or(comm_w.cs()).or(comm_t.cs());
    let zero = FpVar::<Fr>::zero();
    let inc_w = point_coords(comm_w)?;
    let t_coords = point_coords(comm_t)?;
    let inc_x: Vec<FpVar<Fr>> = x.iter().flat_map(|v| [v.clone(), zero.clone()]).collect();

    let mut t = PoseidonTranscriptVar::new(cs.clone(), <Grumpkin as FoldingCurve>::NIFS_DOMAIN)?;
    t.append_field(LABEL_PARAMS, pp)?;
    let [l_cmw, l_cme, l_u, l_x] = LABELS_ACC;
    t.append_fields(l_cmw, &acc_enc.comm_w)?;
    t.append_fields(l_cme, &acc_enc.comm_e)?;
    t.append_fields(l_u, &acc_enc.u)?;
    t.append_fields(l_x, &acc_enc.x)?;
    let [l_cmw, l_cme, l_u, l_x] = LABELS_INC;
    t.append_fields(l_cmw, &inc_w)?;
    t.append_fields(l_cme, &[zero.clone(), zero.clone()])?;
    t.append_fields(l_u, &[FpVar::one(), zero])?;
    t.append_fields(l_x, &inc_x)?;
    t.append_fields(LABEL_CROSS_TERM, &t_coords)?;
    let challenge = t.challenge(LABEL_CHALLENGE)?;

    let split = |high: bool| -> Result<Fr, SynthesisError> {
        let bytes = challenge.value()?.into_bigint().to_bytes_le();
        let (lo, hi) = bytes.split_at(LIMB_BITS / 8);
        Ok(Fr::from_le_bytes_mod_order(if high { hi } else { lo }))
    };
    let lo = FpVar::new_witness(cs.clone(), || split(false))?;
    let hi = FpVar::new_witness(cs.clone(), || split(true))?;
    let (packed, r_bits) = enforce_canonical_limbs(&lo, &hi)?;
    packed.enforce_equal(&challenge)?;
    let r = lo;

    let folded_w = acc.comm_w.clone() + comm_w.scalar_mul_le(r_bits.iter())?;
    let folded_e = acc.comm_e.clone() + comm_t.scalar_mul_le(r_bits.iter())?;
    let r_fq = small_to_fq(&r)?;
    let u = &acc.u + &r_fq;
    let folded_x = acc
        .x
        .iter()
        .zip(x)
        .map(|(x1, x2)| Ok(x1 + &(&r_fq * &small_to_fq(x2)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(CycleFoldFoldVar {
        challenge,
        r,
        r_bits,
        folded: CycleFoldInstanceVar {
            comm_w: folded_w,
            comm_e: folded_e,
            u,
            x: folded_x,
        },
    })
}
