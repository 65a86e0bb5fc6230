//! [`PoseidonTranscriptVar`]: the in-circuit twin of [`sumcheck::transcript::PoseidonTranscript`].
//!
//! Both run the same Poseidon duplex sponge over `F = ark_bn254::Fr` (width 3, rate 2, α = 5,
//! 8 full and 57 partial rounds, [`sumcheck::transcript::poseidon_config`]) — natively
//! arkworks' `PoseidonSponge`, here [`crate::poseidon_gadget::PoseidonSpongeGadget`] — and feed it the same stream of field
//! elements. Every call opens with the header `le(label)·2^32 + n` (label ≤ 27 bytes, `n < 2^32`,
//! computed by [`sumcheck::transcript::poseidon_header`] itself, so the encodings cannot drift):
//!
//! ```text
//! new(domain)         : header("zkpot-poseidon-transcript", len), ⌈len/31⌉ 31-byte chunks of domain
//! append_fields(xs)   : header(label, n), x_1, ..., x_n
//! append_g1(P)        : header(label, 4), x_lo, x_hi, y_lo, y_hi   (128-bit limbs; ∞ = four zeros)
//! append_bytes(b)     : header(label, len), ⌈len/31⌉ elements of 31 little-endian bytes
//! challenge           : header(label, 0), then squeeze one field element
//! ```
//!
//! Labels and lengths are part of the circuit's shape, so headers are constants and cost nothing;
//! a call costs the Poseidon permutations its elements trigger (one per two absorbed elements,
//! and one per squeeze that follows an absorb). With BN254's parameters a permutation whose state
//! is no longer constant is 271 constraints: `x^5` is 3 multiplications, applied to all 3 state
//! elements in each of the 8 full rounds and to one in each of the 57 partial rounds
//! (`3·(8·3 + 57) = 243`), plus `2·14` for materializing two state elements every fourth
//! partial round ([`crate::poseidon_gadget`], which keeps the matrices sparse); the round
//! constants and the MDS matrix are linear and free. Absorbing only constants (the domain
//! separator) permutes constants and costs nothing.
//!
//! G1 points enter as [`G1LimbsVar`], the four 128-bit limbs of the affine coordinates in `Fq`.
//! Allocating them as witnesses or inputs enforces that each coordinate's limbs are its canonical
//! encoding ([`enforce_limbs_below_modulus`] with `q`: `c_lo < 2^128`, `c_hi < 2^126`,
//! `c_lo + 2^128·c_hi ≤ q − 1`, 513 constraints per coordinate), so that the limbs are a
//! function of the point and the transcript absorbs one encoding per point. The comparison
//! needs no non-native arithmetic: every quantity in it is an integer below `2^129`, the same in
//! `Fr` and `Fq`. That the point is on the curve is left to the circuit that uses it (the
//! CycleFold circuit over `Fq`, which receives exactly these limbs and reads each coordinate as
//! `c_lo + 2^128·c_hi` without checking the limbs again).

use std::borrow::Borrow;

use ark_bn254::{Fq, G1Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::uint8::UInt8;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, Namespace, SynthesisError};
use sumcheck::transcript::{bytes_to_fields, g1_to_limbs, poseidon_header, MAX_LABEL_LEN};
use sumcheck::F;

use crate::error::Error;
use crate::poseidon_gadget::PoseidonSpongeGadget;

/// The label under which [`PoseidonTranscriptVar::new`] absorbs the domain separator (the same
/// as the native transcript's).
pub const DOMAIN_LABEL: &[u8] = b"zkpot-poseidon-transcript";

/// Bytes packed into one field element by `append_bytes`.
pub const BYTES_PER_ELEMENT: usize = 31;

/// Bits per limb of a G1 coordinate.
pub const LIMB_BITS: usize = 128;

/// The header `le(label)·2^32 + n` as a circuit constant, or the error the native transcript
/// would have panicked with.
fn header(label: &'static [u8], n: usize) -> Result<FpVar<F>, Error> {
    if label.len() > MAX_LABEL_LEN {
        return Err(Error::LabelTooLong {
            len: label.len(),
            max: MAX_LABEL_LEN,
        });
    }
    if u32::try_from(n).is_err() {
        return Err(Error::AbsorbTooLong { len: n });
    }
    Ok(FpVar::constant(poseidon_header(label, n)))
}

/// A Poseidon Fiat–Shamir transcript inside an R1CS over `F`: same calls, same order, same
/// challenges as [`sumcheck::transcript::PoseidonTranscript`] (see the module docs).
#[derive(Clone)]
pub struct PoseidonTranscriptVar {
    sponge: PoseidonSpongeGadget,
}

impl std::fmt::Debug for PoseidonTranscriptVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoseidonTranscriptVar")
    }
}

impl PoseidonTranscriptVar {
    /// A fresh transcript in `cs`, separated by `domain` (the twin of
    /// `PoseidonTranscript::new(domain)`; the domain is a circuit constant).
    pub fn new(cs: ConstraintSystemRef<F>, domain: &'static [u8]) -> Result<Self, Error> {
        let mut t = Self {
            sponge: PoseidonSpongeGadget::new(cs),
        };
        t.append_bytes(DOMAIN_LABEL, domain)?;
        Ok(t)
    }

    /// The constraint system the sponge lives in.
    pub fn cs(&self) -> ConstraintSystemRef<F> {
        self.sponge.cs()
    }

    fn absorb(&mut self, elems: Vec<FpVar<F>>) -> Result<(), Error> {
        self.sponge.absorb(&elems)?;
        Ok(())
    }

    /// Absorb one field element.
    pub fn append_field(&mut self, label: &'static [u8], x: &FpVar<F>) -> Result<(), Error> {
        self.append_fields(label, std::slice::from_ref(x))
    }

    /// Absorb a sequence of field elements (its length, a circuit constant, is bound too).
    pub fn append_fields(&mut self, label: &'static [u8], xs: &[FpVar<F>]) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(1 + xs.len());
        buf.push(header(label, xs.len())?);
        buf.extend_from_slice(xs);
        self.absorb(buf)
    }

    /// Absorb a constant unsigned integer (the twin of `append_u64`; a variable integer is just
    /// [`Self::append_field`]).
    pub fn append_u64(&mut self, label: &'static [u8], v: u64) -> Result<(), Error> {
        self.append_field(label, &FpVar::constant(F::from(v)))
    }

    /// Absorb a G1 point given by its coordinate limbs.
    pub fn append_g1(&mut self, label: &'static [u8], p: &G1LimbsVar) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(5);
        buf.push(header(label, 4)?);
        buf.extend_from_slice(&p.limbs);
        self.absorb(buf)
    }

    /// Absorb bytes known when the circuit is built (labels, domain tags, parameters digests).
    pub fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) -> Result<(), Error> {
        let mut buf = vec![header(label, bytes.len())?];
        buf.extend(bytes_to_fields(bytes).into_iter().map(FpVar::constant));
        self.absorb(buf)
    }

    /// Absorb bytes held in variables: each chunk of 31 bytes is packed little-endian into one
    /// field element from the bytes' bits (a linear combination, no constraint beyond the bits
    /// the bytes already carry). The number of bytes is a circuit constant.
    pub fn append_bytes_var(
        &mut self,
        label: &'static [u8],
        bytes: &[UInt8<F>],
    ) -> Result<(), Error> {
        let mut buf = vec![header(label, bytes.len())?];
        for chunk in bytes.chunks(BYTES_PER_ELEMENT) {
            let mut bits: Vec<Boolean<F>> = Vec::with_capacity(8 * chunk.len());
            for b in chunk {
                bits.extend(b.to_bits_le()?);
            }
            buf.push(Boolean::le_bits_to_fp(&bits)?);
        }
        self.absorb(buf)
    }

    /// Squeeze one challenge.
    pub fn challenge(&mut self, label: &'static [u8]) -> Result<FpVar<F>, Error> {
        self.absorb(vec![header(label, 0)?])?;
        self.sponge.squeeze(1)?.pop().ok_or(Error::Malformed {
            what: "the sponge squeezed no element",
        })
    }

    /// Squeeze `n` challenges under one label (`n` calls of [`Self::challenge`]).
    pub fn challenges(&mut self, label: &'static [u8], n: usize) -> Result<Vec<FpVar<F>>, Error> {
        (0..n).map(|_| self.challenge(label)).collect()
    }
}

/// A BN254 G1 point as the transcript absorbs it: the 128-bit limbs `[x_lo, x_hi, y_lo, y_hi]`
/// of its affine coordinates (the point at infinity is four zeros), see
/// [`sumcheck::transcript::g1_to_limbs`].
///
/// Allocated as a witness or an input, each coordinate's limbs are enforced to be its canonical
/// encoding (`x, y < q`; 513 constraints per coordinate, [`enforce_limbs_below_modulus`]). The
/// curve equation is not checked here (see the module docs).
#[derive(Clone, Debug)]
pub struct G1LimbsVar {
    limbs: [FpVar<F>; 4],
}

impl G1LimbsVar {
    /// The limbs `[x_lo, x_hi, y_lo, y_hi]`.
    pub fn limbs(&self) -> &[FpVar<F>; 4] {
        &self.limbs
    }

    /// A point from limbs that are constrained elsewhere: checked canonical where they were first
    /// allocated (e.g. the previous IVC step's output) or public inputs the verifier compares
    /// with a point's canonical limbs. No constraint is added — the CycleFold circuit relies on
    /// the limbs being canonical ([`crate::cyclefold`]), so only such limbs may come here.
    pub fn from_limbs(limbs: [FpVar<F>; 4]) -> Self {
        Self { limbs }
    }
}

impl GR1CSVar<F> for G1LimbsVar {
    type Value = [F; 4];

    fn cs(&self) -> ConstraintSystemRef<F> {
        self.limbs.cs()
    }

    fn value(&self) -> Result<Self::Value, SynthesisError> {
        let [a, b, c, d] = &self.limbs;
        Ok([a.value()?, b.value()?, c.value()?, d.value()?])
    }
}

impl AllocVar<G1Affine, F> for G1LimbsVar {
    fn new_variable<T: Borrow<G1Affine>>(
        cs: impl Into<Namespace<F>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        Self::new_limbs(cs, || f().map(|p| g1_to_limbs(p.borrow())), mode)
    }
}

impl G1LimbsVar {
    /// Allocates four limb values `[x_lo, x_hi, y_lo, y_hi]` (as [`AllocVar`] does for a point's
    /// own limbs) and, unless `mode` is constant, enforces that each coordinate's pair is a
    /// canonical encoding (below `q`). Limbs that name no canonical coordinates leave the
    /// circuit unsatisfied.
    pub fn new_limbs(
        cs: impl Into<Namespace<F>>,
        f: impl FnOnce() -> Result<[F; 4], SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let value = f();
        let alloc = |i: usize| FpVar::new_variable(cs.clone(), || value.map(|l| l[i]), mode);
        let limbs = [alloc(0)?, alloc(1)?, alloc(2)?, alloc(3)?];
        if mode != AllocationMode::Constant {
            for coordinate in limbs.chunks_exact(2) {
                enforce_limbs_below_modulus::<Fq, F>(&coordinate[0], &coordinate[1])?;
            }
        }
        Ok(Self { limbs })
    }
}

/// Enforces that two limb variables over `F` are the canonical encoding `c = c_lo + 2^128·c_hi`
/// of an element of `M` (as integers: `c_lo < 2^128`, `c_hi < 2^(n − 128)` with `n` the bit size
/// of `M`'s modulus, and `c ≤ q_M − 1`). Returns the 128 bits of `c_lo`, least significant first.
/// `M` may be `F` itself or another field of about the same size (BN254's `Fq` limbs over `Fr`):
/// every quantity below is an integer of absolute value below `2^129`, far below either modulus,
/// so the range checks hold over the integers.
///
/// `c ≤ Q = q_M − 1 = Q_hi·2^128 + Q_lo` by a borrow: with a witness bit `b` (`1` iff
/// `c_lo > Q_lo`), `d_lo = Q_lo − c_lo + b·2^128` must lie in `[0, 2^128)` and
/// `d_hi = Q_hi − c_hi − b` in `[0, 2^(n − 128))`, so `Q − c = d_lo + 2^128·d_hi ≥ 0`. Cost:
/// `129 + 127` (the limbs) `+ 1 + 129 + 127` (the comparison) `= 513` constraints for `n = 254`,
/// against `636` for a 254-bit decomposition followed by arkworks' `enforce_in_field_le`.
pub fn enforce_limbs_below_modulus<M: PrimeField, G: PrimeField>(
    lo: &FpVar<G>,
    hi: &FpVar<G>,
) -> Result<Vec<Boolean<G>>, SynthesisError> {
    let n = M::MODULUS_BIT_SIZE as usize;
    if n <= LIMB_BITS + 1 || (G::MODULUS_BIT_SIZE as usize) <= LIMB_BITS + 2 {
        // Fields this small have no two-limb encoding, or no room for the comparison (neither
        // is used here).
        return Err(SynthesisError::Unsatisfiable);
    }
    let high_bits = n - LIMB_BITS;
    let cs = lo.cs().or(hi.cs());
    let (lo_bits, _) = lo.to_bits_le_with_top_bits_zero(LIMB_BITS)?;
    let _ = hi.to_bits_le_with_top_bits_zero(high_bits)?;
    let q_minus_1 = {
        let mut m = M::MODULUS;
        m.sub_with_borrow(&M::BigInt::from(1u64));
        m.to_bytes_le()
    };
    let q_lo = G::from_le_bytes_mod_order(&q_minus_1[..LIMB_BITS / 8]);
    let q_hi = G::from_le_bytes_mod_order(&q_minus_1[LIMB_BITS / 8..]);
    let shift = G::from(2u64).pow([LIMB_BITS as u64]);
    let borrow = Boolean::new_witness(cs, || {
        // b = 1 iff c_lo > Q_lo (as integers).
        Ok(lo.value()?.into_bigint() > q_lo.into_bigint())
    })?;
    let b = FpVar::from(borrow);
    let d_lo = FpVar::constant(q_lo) - lo + &b * shift;
    let d_hi = FpVar::constant(q_hi) - hi - b;
    let _ = d_lo.to_bits_le_with_top_bits_zero(LIMB_BITS)?;
    let _ = d_hi.to_bits_le_with_top_bits_zero(high_bits)?;
    Ok(lo_bits)
}
