//! The curves the folding core commits over: [`FoldingCurve`], implemented for BN254 G1 (the
//! primary side: step circuits over `Fr`) and Grumpkin (the CycleFold side: circuits over `Fq`).
//!
//! BN254 and Grumpkin form a cycle: Grumpkin's base field is BN254's scalar field `Fr` and its
//! scalar field is BN254's base field `Fq`.
//!
//! | curve | R1CS field (`ScalarField`) | coordinates (`BaseField`) | equation | used for |
//! |---|---|---|---|---|
//! | BN254 G1 | `Fr` | `Fq` | `y² = x³ + 3` | step circuits, commitments `C_W, C_E, C_T` of the primary fold |
//! | Grumpkin | `Fq` | `Fr` | `y² = x³ − 17` | CycleFold circuits, commitments of the CycleFold fold |
//!
//! Both have cofactor 1 (every curve point is in the group).
//!
//! **One transcript field for both sides.** Every fold — primary or CycleFold — runs the
//! Poseidon transcript over `Fr` ([`sumcheck::PoseidonTranscript`], replayable in-circuit by
//! [`crate::PoseidonTranscriptVar`]). The alternative, a second Poseidon sponge over `Fq` for the
//! Grumpkin folds, would be native only in an `Fq` circuit; but the circuit that has to replay a
//! CycleFold fold is the primary (augmented) circuit over `Fr` (Nova + CycleFold verifies both
//! folds in the primary circuit), where an `Fq` sponge would be emulated (tens to hundreds of
//! constraints per product). Over `Fr`, the objects of a Grumpkin fold are cheap to absorb:
//! Grumpkin points have their coordinates in `Fr` (absorbed as they are), and only the scalars
//! (`u` and `x`, in `Fq`) need splitting into two 128-bit limbs. The challenge is squeezed in
//! `Fr` and truncated to 128 bits, an integer that is the same in both fields. The encodings:
//!
//! | curve | point `P = (x, y)` | point at infinity | scalar `s` (`u`, entries of `x`) |
//! |---|---|---|---|
//! | BN254 G1 | `append_g1`: `[x_lo, x_hi, y_lo, y_hi]` (128-bit limbs of `x, y ∈ Fq`) | `[0, 0, 0, 0]` | `s ∈ Fr` as is |
//! | Grumpkin | `[x, y]` (`x, y ∈ Fr`) | `[0, 0]` (not on the curve: `0 ≠ −17`) | `[s_lo, s_hi]` (128-bit limbs of `s ∈ Fq`) |
//!
//! Each absorb carries its label and element count in its header, so the two encodings cannot be
//! confused, and the folding transcripts of the two curves have different domain separators
//! ([`FoldingCurve::NIFS_DOMAIN`]) and parameter digests.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use sha2::{Digest, Sha256};
use sumcheck::{Transcript, F};

use crate::error::Error;
use crate::pedersen::GeneratorIndex;

/// A curve the folding core can commit over (see the module docs): Pedersen generators hashed to
/// the curve, validity of received points, and how points and scalars enter the `Fr` transcript.
pub trait FoldingCurve: CurveGroup {
    /// A human-readable name (`"BN254 G1"`, `"Grumpkin"`).
    const NAME: &'static str;
    /// Domain tag of the Pedersen generator derivation and key digest.
    const PEDERSEN_DOMAIN: &'static [u8];
    /// Domain separator of the folding transcript.
    const NIFS_DOMAIN: &'static [u8];

    /// Hashes `(label, which)` to a point of the group (try-and-increment, see
    /// [`crate::pedersen`]).
    fn hash_to_curve(label: &[u8], which: GeneratorIndex) -> Result<Self::Affine, Error>;

    /// Whether `p` is a point of the group (on the curve; the cofactor is 1).
    fn is_valid_point(p: &Self::Affine) -> bool;

    /// The transcript elements a point is absorbed as (module docs).
    fn point_to_transcript(p: &Self::Affine) -> Vec<F>;

    /// The transcript elements a scalar is absorbed as (module docs).
    fn scalar_to_transcript(s: &Self::ScalarField) -> Vec<F>;

    /// Absorbs a point under `label`.
    fn append_point<T: Transcript>(t: &mut T, label: &'static [u8], p: &Self::Affine) {
        t.append_fields(label, &Self::point_to_transcript(p));
    }

    /// Squeezes a challenge under `label` as a scalar of this curve: the squeezed `x ∈ Fr` read
    /// as an integer `< r` and reduced into `ScalarField` (for Grumpkin, `r < q`, so the map is
    /// injective and the challenge is uniform on a subset of `Fq` of size `r ≈ q`; for BN254 G1 it
    /// is `x` itself).
    fn challenge_scalar<T: Transcript>(t: &mut T, label: &'static [u8]) -> Self::ScalarField {
        let x = t.challenge(label);
        Self::ScalarField::from_le_bytes_mod_order(&x.into_bigint().to_bytes_le())
    }

    /// Absorbs scalars under `label` (all of them in one call).
    fn append_scalars<T: Transcript>(
        t: &mut T,
        label: &'static [u8],
        xs: &[Self::ScalarField],
    ) -> Result<(), Error> {
        let elems: Vec<F> = xs.iter().flat_map(Self::scalar_to_transcript).collect();
        if u32::try_from(elems.len()).is_err() {
            return Err(Error::AbsorbTooLong { len: elems.len() });
        }
        t.append_fields(label, &elems);
        Ok(())
    }
}

/// Try-and-increment hash to a short-Weierstrass curve of cofactor 1 over a prime field:
/// for `ctr = 0, 1, …`, `x = le(SHA-256(msg‖ctr‖0) ‖ SHA-256(msg‖ctr‖1)) mod q` with
/// `msg = domain ‖ u64(|label|) ‖ label ‖ tag ‖ u64(index)`, and the first `x` on the curve
/// gives `(x, y)` with the smaller root `y` (see [`crate::pedersen`]).
pub fn hash_to_sw_curve<P>(
    domain: &[u8],
    label: &[u8],
    which: GeneratorIndex,
) -> Result<Affine<P>, Error>
where
    P: SWCurveConfig,
    P::BaseField: PrimeField,
{
    let (tag, index) = match which {
        GeneratorIndex::Vector(i) => (0u8, i),
        GeneratorIndex::Blinding => (1u8, 0),
    };
    let mut prefix = Sha256::new();
    prefix.update(domain);
    prefix.update((label.len() as u64).to_le_bytes());
    prefix.update(label);
    prefix.update([tag]);
    prefix.update(index.to_le_bytes());
    for ctr in 0..=u32::MAX {
        let mut wide = [0u8; 64];
        for (b, out) in wide.chunks_exact_mut(32).enumerate() {
            let mut h = prefix.clone();
            h.update(ctr.to_le_bytes());
            h.update([b as u8]);
            out.copy_from_slice(&h.finalize());
        }
        let x = P::BaseField::from_le_bytes_mod_order(&wide);
        if let Some(p) = Affine::<P>::get_point_from_x_unchecked(x, false) {
            if !p.is_zero() && p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve() {
                return Ok(p);
            }
        }
    }
    Err(Error::HashToCurveFailed {
        index: match which {
            GeneratorIndex::Vector(i) => i,
            GeneratorIndex::Blinding => u64::MAX,
        },
    })
}

fn sw_is_valid<P: SWCurveConfig>(p: &Affine<P>) -> bool {
    p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()
}

/// The two 128-bit limbs `[lo, hi]` of an element of BN254's base field `Fq` (the integer
/// `lo + 2^128·hi`, `< q`), as elements of `Fr` — the split of
/// [`sumcheck::transcript::g1_to_limbs`].
pub fn fq_to_limbs(c: &ark_bn254::Fq) -> [F; 2] {
    let bytes = c.into_bigint().to_bytes_le();
    [
        F::from_le_bytes_mod_order(&bytes[..16]),
        F::from_le_bytes_mod_order(&bytes[16..]),
    ]
}

impl FoldingCurve for Projective<ark_bn254::g1::Config> {
    const NAME: &'static str = "BN254 G1";
    const PEDERSEN_DOMAIN: &'static [u8] = b"zkpot-pedersen-bn254-g1-v1";
    const NIFS_DOMAIN: &'static [u8] = b"zkpot-nova-nifs";

    fn hash_to_curve(label: &[u8], which: GeneratorIndex) -> Result<Self::Affine, Error> {
        hash_to_sw_curve::<ark_bn254::g1::Config>(Self::PEDERSEN_DOMAIN, label, which)
    }

    fn is_valid_point(p: &Self::Affine) -> bool {
        sw_is_valid(p)
    }

    fn point_to_transcript(p: &Self::Affine) -> Vec<F> {
        sumcheck::transcript::g1_to_limbs(p).to_vec()
    }

    fn scalar_to_transcript(s: &F) -> Vec<F> {
        vec![*s]
    }

    /// `append_g1` itself (the same stream as [`Self::point_to_transcript`] under the header
    /// `(label, 4)`), so the BN254 schedule is the transcript's own G1 encoding.
    fn append_point<T: Transcript>(t: &mut T, label: &'static [u8], p: &Self::Affine) {
        t.append_g1(label, p);
    }
}

impl FoldingCurve for Projective<ark_grumpkin::GrumpkinConfig> {
    const NAME: &'static str = "Grumpkin";
    const PEDERSEN_DOMAIN: &'static [u8] = b"zkpot-pedersen-grumpkin-v1";
    const NIFS_DOMAIN: &'static [u8] = b"zkpot-cyclefold-nifs";

    fn hash_to_curve(label: &[u8], which: GeneratorIndex) -> Result<Self::Affine, Error> {
        hash_to_sw_curve::<ark_grumpkin::GrumpkinConfig>(Self::PEDERSEN_DOMAIN, label, which)
    }

    fn is_valid_point(p: &Self::Affine) -> bool {
        sw_is_valid(p)
    }

    fn point_to_transcript(p: &Self::Affine) -> Vec<F> {
        match p.xy() {
            Some((x, y)) => vec![x, y],
            None => vec![F::from(0u64); 2],
        }
    }

    fn scalar_to_transcript(s: &ark_grumpkin::Fr) -> Vec<F> {
        fq_to_limbs(s).to_vec()
    }
}
