//! The CycleFold circuit: BN254 G1 arithmetic for the primary fold, proven by an R1CS over `Fq`
//! (BN254's base field, Grumpkin's scalar field) and folded on Grumpkin.
//!
//! The primary NIFS verifier ([`crate::nifs_gadget`]) runs over `Fr`, where the coordinates of
//! BN254 G1 points (in `Fq`) are foreign: it only derives the folding challenge `r` and hashes the
//! points, and delegates every `P_out = P_1 + r·P_2` to one instance of this circuit, where the
//! coordinates are native field elements (Kothapalli–Setty, *CycleFold*, 2023).
//!
//! **Statement.** [`CycleFoldStatement`] `(P_1, P_2, r, P_out)`: `P_1, P_2, P_out ∈` BN254 G1,
//! `r < 2^128` (the folding challenge, [`crate::nifs::CHALLENGE_BITS`] bits), and
//! `P_out = P_1 + r·P_2`.
//!
//! **Public inputs** (13 elements of `Fq`, in this order; [`CycleFoldStatement::public_inputs`]):
//!
//! ```text
//! x = ( P_1.x_lo, P_1.x_hi, P_1.y_lo, P_1.y_hi,
//!       P_2.x_lo, P_2.x_hi, P_2.y_lo, P_2.y_hi,
//!       P_out.x_lo, P_out.x_hi, P_out.y_lo, P_out.y_hi,
//!       r )
//! ```
//!
//! where `c = c_lo + 2^128·c_hi` splits an affine coordinate into 128-bit limbs and the point at
//! infinity is `(0, 0, 0, 0)` — exactly the four limbs [`sumcheck::transcript::g1_to_limbs`]
//! absorbs into the primary transcript ([`crate::G1LimbsVar`]), and `r = Σ_i b_i·2^i` the packing
//! of the challenge's 128 bits `b_0..b_127` (the bits are witnesses constrained to pack to `r`,
//! which fixes them: `2^128 < q`). All 13 are integers below `2^128`, so they are the *same
//! integers* in `Fr` and `Fq`: the primary circuit hashes these 13 values
//! ([`CycleFoldStatement::primary_limbs`], [`CycleFoldStatementVar`]) and the
//! CycleFold instance exposes them, with no conversion between the fields. `r` is packed rather
//! than exposed bit by bit because it is equivalent (the bits are determined by `r`) and 128 public
//! inputs would cost the primary 64 more Poseidon permutations to hash and fold.
//!
//! **Canonical limbs are the primary's to enforce.** Every limb in a CycleFold statement is a
//! limb of a [`crate::G1LimbsVar`] of the primary circuit, and allocating one enforces that each
//! coordinate's limbs are its canonical encoding (`c_lo < 2^128`, `c_hi < 2^126`,
//! `c_lo + 2^128·c_hi ≤ q − 1`; [`crate::transcript::enforce_limbs_below_modulus`] — the
//! comparison involves only integers below `2^129`, the same over `Fr` as over `Fq`); the
//! primary's conversion of each incoming input to `Fq` ([`crate::cyclefold_gadget`]) checks
//! `< 2^128` again. So this circuit reads each coordinate as the linear combination
//! `c_lo + 2^128·c_hi` and does not check the limbs a second time (**[sound]** only together with
//! the primary: on its own, the circuit accepts the ~5 aliases `c + k·q < 2^256` of a coordinate
//! as the same point). Canonical limbs make the transcript encoding a function of the point:
//! otherwise a prover could grind the primary challenge over ~25 encodings per point. Checking
//! them here as well cost 513 constraints per coordinate, 3,078 of the 4,416 constraints, and
//! made the circuit's vectors `2^13` long instead of `2^11` (each CycleFold IPA opening the
//! verifier checks is an MSM of that length).
//!
//! **Constraints** (all over `Fq`, native; 1338 in all):
//!
//! ```text
//! P_1, P_2 (7 each):
//!     ∞ ⇔ x = 0   (3 is not a square mod q: no point of y² = x³ + 3 has x = 0)
//!     y·[x = 0] = 0                (∞ is encoded as (0, 0) only)
//!     (y² − x³ − 3)·(1 − [x = 0]) = 0                                        (on the curve)
//!     as projective (x : y + [x = 0] : 1 − [x = 0])                          (linear)
//! r (129):  r = Σ_{i<128} b_i 2^i  (b_i boolean)
//! r·P_2 (1172): arkworks' `ProjectiveVar::scalar_mul_le` — double-and-add in affine coordinates
//!     (incomplete formulas, exception-free for scalars below the group order minus 2) with P_2 = O
//!     handled by a final select, and the skipped lowest bit subtracted with complete formulas,
//!     so r = 0 is fine
//! P_1 + r·P_2 (12): complete Renes–Costello–Batina projective addition (any P_1, incl. O, ±r·P_2)
//! P_out (7 + 2): the result in affine coordinates ((0, 0) for O) equals P_out's coordinates
//!     c_lo + 2^128·c_hi; P_out needs no curve check, it is the computed point
//! ```
//!
//! **Folding on Grumpkin.** The circuit's [`R1csShape`] (over `Fq`) is folded with the generic
//! [`crate::nifs`] over [`ark_grumpkin::Projective`] ([`CycleFoldParams`]): one strict instance
//! per statement, committed by [`commit_statement`], folded into a running relaxed instance.
//! Sizes and timings are in `docs/recursion.md`.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::groups::curves::short_weierstrass::ProjectiveVar;
use ark_r1cs_std::groups::CurveVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::rand::RngCore;
use sumcheck::transcript::g1_to_limbs;

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::nifs::{NifsParams, CHALLENGE_BITS};
use crate::r1cs::{extract_assignment, R1csInstance, R1csShape, R1csWitness};
use crate::transcript::{enforce_limbs_below_modulus, G1LimbsVar};

/// Bits of the scalar `r` (the folding challenge's).
pub const SCALAR_BITS: usize = CHALLENGE_BITS as usize;

/// Bits of a coordinate limb.
pub const LIMB_BITS: usize = 128;

/// Number of public inputs: three points of four limbs, and `r`.
pub const NUM_IO: usize = 13;

/// The Grumpkin curve the CycleFold instances are committed and folded over.
pub type Grumpkin = ark_grumpkin::Projective;

/// Folding parameters of the CycleFold circuit (shape over `Fq`, Pedersen key over Grumpkin).
pub type CycleFoldParams = NifsParams<Grumpkin>;

/// The in-circuit point type: BN254 G1 with native `Fq` coordinates.
pub type G1Var = ProjectiveVar<ark_bn254::g1::Config, FpVar<Fq>>;

/// A CycleFold statement `P_out = P_1 + r·P_2` (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleFoldStatement {
    /// `P_1` (the running commitment, e.g. `C_W1`).
    pub p1: G1Affine,
    /// `P_2` (the incoming commitment, e.g. `C_W2` or `C_T`).
    pub p2: G1Affine,
    /// The scalar `r < 2^128`.
    pub r: u128,
    /// `P_out = P_1 + r·P_2`.
    pub p_out: G1Affine,
}

impl CycleFoldStatement {
    /// The statement `(P_1, P_2, r, P_1 + r·P_2)`. Errors if a point is not on the curve.
    pub fn new(p1: G1Affine, p2: G1Affine, r: u128) -> Result<Self, Error> {
        for (p, what) in [(&p1, "P_1"), (&p2, "P_2")] {
            if !G1Projective::is_valid_point(p) {
                return Err(Error::InvalidPoint { what });
            }
        }
        let p_out = (p1.into_group() + p2 * Fr::from(r)).into_affine();
        Ok(Self { p1, p2, r, p_out })
    }

    /// Checks the points and `P_out = P_1 + r·P_2` natively.
    pub fn check(&self) -> Result<(), Error> {
        let expected = Self::new(self.p1, self.p2, self.r)?;
        if !G1Projective::is_valid_point(&self.p_out) {
            return Err(Error::InvalidPoint { what: "P_out" });
        }
        if expected.p_out != self.p_out {
            return Err(Error::CycleFoldMismatch);
        }
        Ok(())
    }

    /// The bits `b_0..b_127` of `r`, least significant first.
    pub fn r_bits(&self) -> [bool; SCALAR_BITS] {
        std::array::from_fn(|i| (self.r >> i) & 1 == 1)
    }

    /// The CycleFold public input vector `x ∈ Fq^13` (module docs).
    pub fn public_inputs(&self) -> Vec<Fq> {
        let mut x = Vec::with_capacity(NUM_IO);
        for p in [&self.p1, &self.p2, &self.p_out] {
            x.extend_from_slice(&g1_to_fq_limbs(p));
        }
        x.push(Fq::from(self.r));
        x
    }

    /// The same 13 integers as elements of `Fr`: the limbs the primary transcript absorbs
    /// ([`g1_to_limbs`]) and the packed challenge — what the primary circuit hashes.
    pub fn primary_limbs(&self) -> Vec<Fr> {
        let mut x = Vec::with_capacity(NUM_IO);
        for p in [&self.p1, &self.p2, &self.p_out] {
            x.extend_from_slice(&g1_to_limbs(p));
        }
        x.push(Fr::from(self.r));
        x
    }
}

/// The four 128-bit limbs `[x_lo, x_hi, y_lo, y_hi]` of a G1 point's affine coordinates, as
/// elements of `Fq` (the point at infinity is four zeros): the `Fq` twin of [`g1_to_limbs`].
pub fn g1_to_fq_limbs(p: &G1Affine) -> [Fq; 4] {
    match p.xy() {
        None => [Fq::zero(); 4],
        Some((x, y)) => {
            let split = |c: Fq| -> [Fq; 2] {
                let bytes = c.into_bigint().to_bytes_le();
                [
                    Fq::from_le_bytes_mod_order(&bytes[..16]),
                    Fq::from_le_bytes_mod_order(&bytes[16..]),
                ]
            };
            let [xl, xh] = split(x);
            let [yl, yh] = split(y);
            [xl, xh, yl, yh]
        }
    }
}

/// The G1 point named by four limbs `[x_lo, x_hi, y_lo, y_hi]` (in any field whose elements are
/// read as integers, e.g. `Fr` limbs from the primary side), or an error if the limbs are not
/// below `2^128`, not canonical, or not a point of the curve. Inverse of [`g1_to_limbs`] and
/// [`g1_to_fq_limbs`].
pub fn limbs_to_g1<L: PrimeField>(limbs: &[L; 4]) -> Result<G1Affine, Error> {
    let coord = |lo: &L, hi: &L| -> Result<Fq, Error> {
        let mut bytes = [0u8; 32];
        for (limb, dst) in [lo, hi].into_iter().zip(bytes.chunks_exact_mut(16)) {
            let limb = limb.into_bigint();
            if limb.num_bits() as usize > LIMB_BITS {
                return Err(Error::InvalidPoint {
                    what: "a coordinate limb of more than 128 bits",
                });
            }
            for (d, s) in dst.iter_mut().zip(limb.to_bytes_le()) {
                *d = s;
            }
        }
        let c = Fq::from_le_bytes_mod_order(&bytes);
        // The reduction mod q changes the integer iff it was not canonical (≥ q).
        if c.into_bigint().to_bytes_le() != bytes {
            return Err(Error::InvalidPoint {
                what: "a coordinate with non-canonical limbs",
            });
        }
        Ok(c)
    };
    let [xl, xh, yl, yh] = limbs;
    let (x, y) = (coord(xl, xh)?, coord(yl, yh)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(x, y);
    if !G1Projective::is_valid_point(&p) {
        return Err(Error::InvalidPoint {
            what: "the point named by the limbs",
        });
    }
    Ok(p)
}

/// A CycleFold statement `P_out = P_1 + r·P_2` as the primary circuit holds it: the points as
/// [`G1LimbsVar`], `r` with its bits. [`Self::public_inputs`] are the 13 integers the CycleFold
/// instance exposes ([`CycleFoldStatement::public_inputs`]).
#[derive(Clone, Debug)]
pub struct CycleFoldStatementVar {
    /// `P_1`.
    pub p1: G1LimbsVar,
    /// `P_2`.
    pub p2: G1LimbsVar,
    /// The bits of `r`, least significant first (128).
    pub r_bits: Vec<Boolean<Fr>>,
    /// `r = Σ b_i 2^i`.
    pub r: FpVar<Fr>,
    /// `P_out`.
    pub p_out: G1LimbsVar,
}

impl CycleFoldStatementVar {
    /// `(limbs of P_1, limbs of P_2, limbs of P_out, r)`: the CycleFold public inputs as `Fr`
    /// variables (the same integers; see the module docs).
    pub fn public_inputs(&self) -> Vec<FpVar<Fr>> {
        let mut v = Vec::with_capacity(NUM_IO);
        for p in [&self.p1, &self.p2, &self.p_out] {
            v.extend_from_slice(p.limbs());
        }
        v.push(self.r.clone());
        v
    }

    /// The native statement named by the variables' values (an error if a point's limbs do not
    /// name a curve point).
    pub fn value(&self) -> Result<CycleFoldStatement, Error> {
        let r = self.r.value()?;
        let bytes = r.into_bigint().to_bytes_le();
        let mut low = [0u8; 16];
        for (d, s) in low.iter_mut().zip(&bytes) {
            *d = *s;
        }
        if bytes.iter().skip(16).any(|b| *b != 0) {
            return Err(Error::Malformed {
                what: "a CycleFold scalar of more than 128 bits",
            });
        }
        Ok(CycleFoldStatement {
            p1: limbs_to_g1(&self.p1.value()?)?,
            p2: limbs_to_g1(&self.p2.value()?)?,
            r: u128::from_le_bytes(low),
            p_out: limbs_to_g1(&self.p_out.value()?)?,
        })
    }
}

/// The CycleFold circuit's variables after synthesis.
#[derive(Clone, Debug)]
pub struct CycleFoldVars {
    /// The 13 public inputs, in the order of the module docs.
    pub inputs: Vec<FpVar<Fq>>,
    /// The bits of `r`, least significant first.
    pub r_bits: Vec<Boolean<Fq>>,
    /// `P_1 + r·P_2` as computed in-circuit.
    pub p_out: G1Var,
}

/// The element `c = c_lo + 2^128·c_hi` of `F` named by two limb variables, enforcing that the
/// limbs are its canonical encoding ([`enforce_limbs_below_modulus`] with `F`'s own modulus; 513
/// constraints). Returns `c` (a linear combination) and the 128 bits of `c_lo`, least
/// significant first — the canonical split of a squeezed challenge `ρ = r + 2^128·h`.
pub fn enforce_canonical_limbs<F: PrimeField>(
    lo: &FpVar<F>,
    hi: &FpVar<F>,
) -> Result<(FpVar<F>, Vec<Boolean<F>>), SynthesisError> {
    let lo_bits = enforce_limbs_below_modulus::<F, F>(lo, hi)?;
    Ok((lo + hi * FpVar::constant(limb_shift()), lo_bits))
}

/// `2^128`.
fn limb_shift<F: PrimeField>() -> F {
    F::from(2u64).pow([LIMB_BITS as u64])
}

/// The coordinate `c_lo + 2^128·c_hi` named by two limbs (a linear combination: no constraint).
/// The limbs are canonical because the primary circuit allocated them as a [`G1LimbsVar`] (module
/// docs).
fn coordinate(lo: &FpVar<Fq>, hi: &FpVar<Fq>) -> FpVar<Fq> {
    lo + hi * FpVar::constant(limb_shift())
}

/// An input point from its four limb variables: `∞ = (0, 0)`, on the curve otherwise (module
/// docs).
fn input_point(limbs: &[FpVar<Fq>]) -> Result<G1Var, Error> {
    let [xl, xh, yl, yh] = limbs else {
        return Err(Error::Malformed {
            what: "a point needs four limbs",
        });
    };
    let (x, y) = (coordinate(xl, xh), coordinate(yl, yh));
    // 3 is not a square mod q: no curve point has x = 0, so x = 0 encodes the point at infinity.
    let inf = x.is_zero()?;
    let inf_fp = FpVar::from(inf.clone());
    (&y * &inf_fp).enforce_equal(&FpVar::zero())?;
    let b = FpVar::constant(ark_bn254::g1::Config::COEFF_B);
    let rhs = x.square()? * &x + b;
    let on_curve = y.square()? - rhs;
    on_curve.mul_equals(&FpVar::from(!inf), &FpVar::zero())?;
    // Projective (x : y : 1), or (0 : 1 : 0) at infinity (y = 0 there).
    Ok(G1Var::new(x, y + &inf_fp, FpVar::one() - inf_fp))
}

/// Lays out the CycleFold circuit in `cs` (values absent in setup mode): allocates the 13 public
/// inputs, then the witnesses, and enforces the statement (module docs). An invalid statement
/// does not make synthesis fail: the circuit is left unsatisfied.
pub fn synthesize(
    cs: ConstraintSystemRef<Fq>,
    statement: Option<&CycleFoldStatement>,
) -> Result<CycleFoldVars, Error> {
    let x = statement.map(CycleFoldStatement::public_inputs);
    synthesize_inputs(cs, x.as_deref())
}

/// [`synthesize`] from a raw public input vector `x` (13 elements; every witness is computed from
/// `x`). Inputs that are not the encoding of a true statement (non-canonical or oversized limbs,
/// points off the curve, a wrong `P_out`) leave the circuit unsatisfied.
pub fn synthesize_inputs(
    cs: ConstraintSystemRef<Fq>,
    x: Option<&[Fq]>,
) -> Result<CycleFoldVars, Error> {
    if let Some(x) = x {
        if x.len() != NUM_IO {
            return Err(Error::LengthMismatch {
                what: "CycleFold public inputs",
                expected: NUM_IO,
                actual: x.len(),
            });
        }
    }
    let inputs = (0..NUM_IO)
        .map(|i| {
            FpVar::new_input(cs.clone(), || {
                x.and_then(|v| v.get(i).copied())
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let [p1_limbs, p2_limbs, out_limbs, r_in] = [
        &inputs[0..4],
        &inputs[4..8],
        &inputs[8..12],
        &inputs[12..13],
    ];
    let r = r_in.first().ok_or(Error::Malformed {
        what: "missing scalar input",
    })?;

    let (r_bits, _) = r.to_bits_le_with_top_bits_zero(SCALAR_BITS)?;
    let p1 = input_point(p1_limbs)?;
    let p2 = input_point(p2_limbs)?;
    let p_out = p1 + p2.scalar_mul_le(r_bits.iter())?;

    let affine = p_out.to_affine()?;
    let [xl, xh, yl, yh] = out_limbs else {
        return Err(Error::Malformed {
            what: "a point needs four limbs",
        });
    };
    affine.x.enforce_equal(&coordinate(xl, xh))?;
    affine.y.enforce_equal(&coordinate(yl, yh))?;
    Ok(CycleFoldVars {
        inputs,
        r_bits,
        p_out,
    })
}

/// The CycleFold circuit's R1CS shape (setup-mode synthesis).
pub fn shape() -> Result<R1csShape<Fq>, Error> {
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    synthesize(cs.clone(), None)?;
    R1csShape::from_constraint_system(&cs)
}

/// A proving-mode constraint system with the public inputs `x` assigned (satisfied iff `x`
/// encodes a true statement).
pub fn prove_cs(x: &[Fq]) -> Result<ConstraintSystemRef<Fq>, Error> {
    // Default mode: proving, with the constraints recorded (`is_satisfied` checks them; with
    // `construct_matrices: false` arkworks would record none and report any assignment as
    // satisfying).
    let cs = ConstraintSystem::new_ref();
    synthesize_inputs(cs.clone(), Some(x))?;
    Ok(cs)
}

/// The assignment `(x, W)` of the CycleFold circuit for `statement` (`x` is
/// [`CycleFoldStatement::public_inputs`]). Not checked: an invalid statement gives an
/// assignment that does not satisfy the shape.
pub fn assignment(statement: &CycleFoldStatement) -> Result<(Vec<Fq>, Vec<Fq>), Error> {
    extract_assignment(&prove_cs(&statement.public_inputs())?)
}

/// Folding parameters for the CycleFold circuit: its shape and a Grumpkin Pedersen key of
/// `max(|W|, m)` generators derived from `key_label`.
pub fn setup(key_label: &[u8], hiding: bool) -> Result<CycleFoldParams, Error> {
    CycleFoldParams::setup(shape()?, key_label, hiding)
}

/// The committed strict CycleFold instance `(C_W, x)` (over Grumpkin) and its witness for
/// `statement` — one MSM of `|W|` Grumpkin points.
pub fn commit_statement<R: RngCore + ?Sized>(
    params: &CycleFoldParams,
    statement: &CycleFoldStatement,
    rng: &mut R,
) -> Result<(R1csInstance<Grumpkin>, R1csWitness<Fq>), Error> {
    let (x, w) = assignment(statement)?;
    params.commit_witness(x, w, rng)
}
