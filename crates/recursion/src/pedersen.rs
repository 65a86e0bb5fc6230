//! Pedersen vector commitments over a [`FoldingCurve`] (BN254 G1 for the primary folds, Grumpkin
//! for the CycleFold folds), for the folding witnesses `W` and `E`.
//!
//! ```text
//! Com(v; r) = Σ_i v_i·G_i + r·H          (v ∈ F^k, k ≤ n; r = 0 without H)
//! ```
//!
//! computed with one variable-base MSM (`ark_ec::VariableBaseMSM`) over the first `k`
//! generators. It is additively homomorphic, `Com(v; r) + c·Com(v'; r') = Com(v + c·v'; r + c·r')`,
//! which is what lets the folding verifier combine commitments without the vectors. It is
//! binding under discrete log in the group **provided nobody knows a relation between the
//! generators**, and hiding (perfectly) when `H` is present and `r` is uniform.
//!
//! **Generators (no trapdoor).** Multiplying the group generator by seeded random scalars would
//! hand the discrete logs of all generators to whoever knows the seed, and with them the ability
//! to open any commitment to anything. Instead every generator is hashed to the curve by
//! try-and-increment on the `x`-coordinate: for `ctr = 0, 1, …`
//!
//! ```text
//! msg_b = domain ‖ u64(|label|) ‖ label ‖ tag ‖ u64(index) ‖ u32(ctr) ‖ b     (b ∈ {0, 1})
//! x     = le(SHA-256(msg_0) ‖ SHA-256(msg_1)) mod q      (512 bits: bias < 2^-250)
//! ```
//!
//! with `domain` = [`FoldingCurve::PEDERSEN_DOMAIN`] (`"zkpot-pedersen-bn254-g1-v1"`,
//! `"zkpot-pedersen-grumpkin-v1"`) and `q` the modulus of the coordinate field, and the first `x`
//! on the curve (`x³ + 3` resp. `x³ − 17` a square) gives the point `(x, y)` with the smaller of
//! the two roots `y` (both curves have cofactor 1: every curve point is in the group). `tag` is
//! `0` for the vector generators `G_0..G_{n-1}` (`index = i`) and `1` for the blinding generator
//! `H` (`index = 0`). Each attempt succeeds with probability ≈ 1/2; the counter is bounded by
//! `2^32` (failure is an error, never reached in practice). Integers are little-endian. In the
//! random-oracle model the generators are independent uniform points whose discrete logs nobody
//! knows.
//!
//! [`PedersenKey::digest`] is SHA-256 over `domain ‖ "key" ‖ u64(|label|) ‖ label ‖
//! u64(n) ‖ u8(hiding)`: the key is a deterministic function of these, so this names it.
//!
//! **Keys over a PCS's bases** ([`PedersenKey::from_bases`]). A decider that opens `W` and `E`
//! with HyperKZG needs them committed under HyperKZG's bases: the SRS powers `G_i = τ^i·G`, so
//! that `Com(v; 0)` *is* the PCS commitment to `v`. Binding then rests on nobody knowing `τ`
//! (the SRS's own assumption; a dev SRS's `τ` is known to whoever knows its seed). `H` is still
//! hashed to the curve under the label, so `r·H` hides. The digest is SHA-256 over
//! `domain ‖ "bases" ‖ bases digest ‖ u64(|label|) ‖ label ‖ u64(n) ‖ u8(hiding)`, with the
//! bases digest supplied by the caller (the SRS digest).

use ark_bn254::{G1Affine, G1Projective};
use ark_ff::Zero;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::curve::FoldingCurve;
use crate::error::Error;

/// Domain tag of the BN254 G1 generator derivation and key digest
/// (`<G1Projective as FoldingCurve>::PEDERSEN_DOMAIN`).
pub const PEDERSEN_DOMAIN: &[u8] = <G1Projective as FoldingCurve>::PEDERSEN_DOMAIN;

/// Which generator of a key to derive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorIndex {
    /// The vector generator `G_i`.
    Vector(u64),
    /// The blinding generator `H`.
    Blinding,
}

/// Hashes `(label, which)` to a point of BN254 G1 by try-and-increment (see the module docs;
/// `C::hash_to_curve` for any [`FoldingCurve`]).
pub fn hash_to_g1(label: &[u8], which: GeneratorIndex) -> Result<G1Affine, Error> {
    G1Projective::hash_to_curve(label, which)
}

/// `H` hashed to the curve from `label` if `hiding`.
fn blinding_generator<C: FoldingCurve>(
    label: &[u8],
    hiding: bool,
) -> Result<Option<C::Affine>, Error> {
    if hiding {
        Ok(Some(C::hash_to_curve(label, GeneratorIndex::Blinding)?))
    } else {
        Ok(None)
    }
}

/// `SHA-256(domain ‖ kind ‖ prefix ‖ u64(|label|) ‖ label ‖ u64(n) ‖ u8(hiding))` (module docs).
fn key_digest<C: FoldingCurve>(
    kind: &[u8],
    prefix: &[u8],
    label: &[u8],
    n: usize,
    hiding: bool,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(C::PEDERSEN_DOMAIN);
    h.update(kind);
    h.update(prefix);
    h.update((label.len() as u64).to_le_bytes());
    h.update(label);
    h.update((n as u64).to_le_bytes());
    h.update([u8::from(hiding)]);
    h.finalize().into()
}

/// A Pedersen commitment key over `C`: `n` vector generators and, if hiding, a blinding
/// generator, all hashed to the curve from a label (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PedersenKey<C: FoldingCurve = G1Projective> {
    label: Vec<u8>,
    generators: Vec<C::Affine>,
    blinding: Option<C::Affine>,
    digest: [u8; 32],
}

impl<C: FoldingCurve> PedersenKey<C> {
    /// Derives `n` generators (and `H` if `hiding`) from `label`, in parallel. Keys with the
    /// same label share their generators: the key of length `n` is a prefix of every longer one.
    pub fn new(label: &[u8], n: usize, hiding: bool) -> Result<Self, Error> {
        let generators = (0..n as u64)
            .into_par_iter()
            .map(|i| C::hash_to_curve(label, GeneratorIndex::Vector(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let blinding = blinding_generator::<C>(label, hiding)?;
        Ok(Self {
            label: label.to_vec(),
            generators,
            blinding,
            digest: key_digest::<C>(b"key", &[], label, n, hiding),
        })
    }

    /// A key whose vector generators are `bases[..n]` (e.g. HyperKZG's SRS powers, named by
    /// `bases_digest`) and whose `H`, if `hiding`, is hashed to the curve from `label` (module
    /// docs). Errors if fewer than `n` bases are given.
    pub fn from_bases(
        label: &[u8],
        bases: &[C::Affine],
        bases_digest: [u8; 32],
        n: usize,
        hiding: bool,
    ) -> Result<Self, Error> {
        let generators = bases
            .get(..n)
            .ok_or(Error::KeyTooShort {
                needed: n,
                available: bases.len(),
            })?
            .to_vec();
        let blinding = blinding_generator::<C>(label, hiding)?;
        Ok(Self {
            label: label.to_vec(),
            generators,
            blinding,
            digest: key_digest::<C>(b"bases", &bases_digest, label, n, hiding),
        })
    }

    /// The label the generators were derived from.
    pub fn label(&self) -> &[u8] {
        &self.label
    }

    /// Number of vector generators `n`.
    pub fn len(&self) -> usize {
        self.generators.len()
    }

    /// Whether the key has no vector generator.
    pub fn is_empty(&self) -> bool {
        self.generators.is_empty()
    }

    /// The vector generators `G_0..G_{n-1}`.
    pub fn generators(&self) -> &[C::Affine] {
        &self.generators
    }

    /// The blinding generator `H`, if the key is hiding.
    pub fn blinding(&self) -> Option<&C::Affine> {
        self.blinding.as_ref()
    }

    /// Whether the key has a blinding generator.
    pub fn is_hiding(&self) -> bool {
        self.blinding.is_some()
    }

    /// SHA-256 digest naming the key (see the module docs).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// `Com(v; r) = Σ v_i·G_i + r·H` (one MSM of `|v|` points). `v` may be shorter than the key;
    /// a non-zero `r` needs a hiding key.
    pub fn commit(&self, v: &[C::ScalarField], r: &C::ScalarField) -> Result<C::Affine, Error> {
        Ok(self.commit_projective(v, r)?.into_affine())
    }

    /// [`Self::commit`] without the final normalization.
    pub fn commit_projective(&self, v: &[C::ScalarField], r: &C::ScalarField) -> Result<C, Error> {
        let bases = self.generators.get(..v.len()).ok_or(Error::KeyTooShort {
            needed: v.len(),
            available: self.generators.len(),
        })?;
        let mut c = C::msm_unchecked(bases, v);
        if !r.is_zero() {
            let h = self.blinding.ok_or(Error::NotHiding)?;
            c += h * *r;
        }
        Ok(c)
    }
}
