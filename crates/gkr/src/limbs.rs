//! Limb schemes: how signed values and unsigned remainders are split into 16-bit limbs that the
//! range check ([`crate::range_check`]) can look up, and the linear relations that turn limb
//! claims back into value claims.
//!
//! **Signed** ([`SignedLimbs`], `B ∈ {16, 32, 48}`, default 32): a value `v ∈ [−2^(B−1), 2^(B−1))`
//! is stored as `K = B/16` limb vectors with `v + 2^(B−1) = Σ_k 2^(16k)·limb_k`. All limbs in
//! `[0, 2^16)` bound the integer `Σ_k 2^(16k)·limb_k` to `[0, 2^B)`, far below `p`, so the field
//! element `v` is congruent to an integer in `[−2^(B−1), 2^(B−1))`: no field wrap is possible.
//! The verifier's relation: `v(r) = Σ_k 2^(16k)·limb_k(r) − 2^(B−1)` (all limbs at one point —
//! segments of one size get claims at one point). `B` must be a multiple of 16 and at most 48,
//! so that sums of products of such values stay far below `p` (SPEC §3).
//!
//! **Sign bit**: the top limb `hi = limb_{K−1}` is looked up with its top bit `t = hi >> 15`
//! ([`SegmentKind::LimbsWithTopBit`]); `t = 1` iff `v ≥ 0`, so the sign bit is `s = 1 − t`
//! ([`sign_from_top_bit`]). Where the committed column is `s` itself (the aux layout's ReLU
//! `sign`), [`SegmentKind::LimbsWithSignBit`] looks up `(hi, 1 − s)` directly
//! ([`SignedLimbs::segments_with_sign`], [`SignedLimbs::signs`]).
//!
//! **Unsigned** ([`UnsignedLimbs`], `s ∈ 1..=32` bits): `r ∈ [0, 2^s)`. For `s ≤ 16` the vector
//! itself is the limb; for `s < 16` it is looked up twice, as `r` and as `2^(16−s)·r`
//! ([`SegmentKind::ScaledLimbs`], no extra commitment): `r < 2^16` makes `2^(16−s)·r < 2^32`
//! an integer below `p`, and that integer is `< 2^16` only if `r < 2^s`. For `16 < s ≤ 32`:
//! `r = lo + 2^16·hi`, `lo` a limb and `hi` an `(s−16)`-bit value checked the same way.

use ark_ff::{Field, One, Zero};
use sumcheck::{EvalClaim, F};

use crate::error::GkrError;
#[cfg(doc)]
use crate::range_check::SegmentKind;
use crate::range_check::{SegmentSpec, SegmentWitness, LIMB_BITS};

/// `2^k` in `F`.
fn pow2(k: u32) -> F {
    F::from(2u64).pow([u64::from(k)])
}

/// `Σ_k 2^(16k)·limbs[k]`.
fn recombine(limbs: &[F]) -> F {
    let base = pow2(LIMB_BITS);
    limbs.iter().rev().fold(F::zero(), |acc, l| acc * base + l)
}

/// The claims must be at one point; returns it.
fn common_point(claims: &[EvalClaim]) -> Result<&[F], GkrError> {
    let first = claims.first().ok_or(GkrError::InvalidParams {
        what: "no limb claims",
    })?;
    if claims.iter().any(|c| c.point != first.point) {
        return Err(GkrError::InvalidParams {
            what: "limb claims are not at one point",
        });
    }
    Ok(&first.point)
}

/// The signed limb scheme for `B`-bit values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedLimbs {
    bits: u32,
}

impl Default for SignedLimbs {
    fn default() -> Self {
        Self {
            bits: Self::DEFAULT_BITS,
        }
    }
}

impl SignedLimbs {
    /// The default value width `B` (SPEC §3).
    pub const DEFAULT_BITS: u32 = 32;
    /// The largest supported `B`.
    pub const MAX_BITS: u32 = 48;

    /// `bits` must be 16, 32 or 48.
    pub fn new(bits: u32) -> Result<Self, GkrError> {
        if bits == 0 || bits > Self::MAX_BITS || !bits.is_multiple_of(LIMB_BITS) {
            return Err(GkrError::InvalidParams {
                what: "signed value width must be 16, 32 or 48 bits",
            });
        }
        Ok(Self { bits })
    }

    /// `B`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// `K = B/16`.
    pub fn num_limbs(&self) -> usize {
        (self.bits / LIMB_BITS) as usize
    }

    /// The offset `2^(B−1)`.
    pub fn offset(&self) -> F {
        pow2(self.bits - 1)
    }

    /// Limbs of `v + 2^(B−1)`, low limb first; an error if `v ∉ [−2^(B−1), 2^(B−1))`.
    pub fn decompose(&self, v: i64) -> Result<Vec<u16>, GkrError> {
        let half = 1i128 << (self.bits - 1);
        let shifted = i128::from(v) + half;
        if !(0..2 * half).contains(&shifted) {
            return Err(GkrError::ValueOutOfRange {
                value: i128::from(v),
                bits: self.bits,
            });
        }
        Ok((0..self.num_limbs())
            .map(|k| ((shifted >> (16 * k)) & 0xffff) as u16)
            .collect())
    }

    /// Limb vectors of `values`: `out[k][i]` is limb `k` of `values[i]`.
    pub fn decompose_all(&self, values: &[i64]) -> Result<Vec<Vec<F>>, GkrError> {
        let mut out = vec![Vec::with_capacity(values.len()); self.num_limbs()];
        for &v in values {
            for (col, l) in out.iter_mut().zip(self.decompose(v)?) {
                col.push(F::from(l));
            }
        }
        Ok(out)
    }

    /// The top-bit column of the top limb: `1` iff `v ≥ 0` (values must be in range).
    pub fn top_bits(&self, values: &[i64]) -> Result<Vec<F>, GkrError> {
        values
            .iter()
            .map(|&v| {
                let hi = self.decompose(v)?.last().copied().unwrap_or(0);
                Ok(F::from(u64::from(hi >> (LIMB_BITS - 1))))
            })
            .collect()
    }

    /// The sign column: `1` iff `v < 0` (values must be in range).
    pub fn signs(&self, values: &[i64]) -> Result<Vec<F>, GkrError> {
        Ok(self
            .top_bits(values)?
            .into_iter()
            .map(sign_from_top_bit)
            .collect())
    }

    /// `v = Σ_k 2^(16k)·limbs[k] − 2^(B−1)` (the verifier's relation; `K` limbs required).
    pub fn compose(&self, limbs: &[F]) -> Result<F, GkrError> {
        if limbs.len() != self.num_limbs() {
            return Err(GkrError::InvalidParams {
                what: "wrong number of limbs for the signed scheme",
            });
        }
        Ok(recombine(limbs) - self.offset())
    }

    /// Turn the limb claims (one per limb, low first, at one point) into the claim
    /// `v(point) = compose(values)` on the caller's polynomial `value_poly`.
    pub fn value_claim(
        &self,
        limb_claims: &[EvalClaim],
        value_poly: usize,
    ) -> Result<EvalClaim, GkrError> {
        let point = common_point(limb_claims)?;
        let values: Vec<F> = limb_claims.iter().map(|c| c.value).collect();
        Ok(EvalClaim {
            poly: value_poly,
            point: point.to_vec(),
            value: self.compose(&values)?,
        })
    }

    /// The segments for `K` limb vectors of `2^num_vars` entries (ids `limb_polys`, low limb
    /// first); with `top_bit_poly`, the top limb is looked up with its top bit.
    pub fn segments(
        &self,
        limb_polys: &[usize],
        top_bit_poly: Option<usize>,
        num_vars: usize,
    ) -> Result<Vec<SegmentSpec>, GkrError> {
        if limb_polys.len() != self.num_limbs() {
            return Err(GkrError::InvalidParams {
                what: "one polynomial id per limb expected",
            });
        }
        let last = limb_polys.len() - 1;
        Ok(limb_polys
            .iter()
            .enumerate()
            .map(|(k, &poly)| match top_bit_poly {
                Some(t) if k == last => SegmentSpec::with_top_bit(poly, t, num_vars),
                _ => SegmentSpec::limbs(poly, num_vars),
            })
            .collect())
    }

    /// As [`Self::segments`], with the top limb looked up with the sign column `sign_poly`
    /// (`s = 1 − top bit`, [`SegmentKind::LimbsWithSignBit`]).
    pub fn segments_with_sign(
        &self,
        limb_polys: &[usize],
        sign_poly: usize,
        num_vars: usize,
    ) -> Result<Vec<SegmentSpec>, GkrError> {
        let mut segs = self.segments(limb_polys, None, num_vars)?;
        if let Some(last) = segs.last_mut() {
            *last = SegmentSpec::with_sign_bit(last.poly, sign_poly, num_vars);
        }
        Ok(segs)
    }

    /// The witness segments matching [`Self::segments`] (or [`Self::segments_with_sign`], with
    /// the sign column as `top_bits`).
    pub fn witness_segments<'a>(
        &self,
        limbs: &'a [Vec<F>],
        top_bits: Option<&'a [F]>,
    ) -> Vec<SegmentWitness<'a>> {
        let last = limbs.len().saturating_sub(1);
        limbs
            .iter()
            .enumerate()
            .map(|(k, l)| match top_bits {
                Some(t) if k == last => SegmentWitness::with_top_bits(l, t),
                _ => SegmentWitness::new(l),
            })
            .collect()
    }
}

/// The sign bit `s = 1 − t` from the top bit `t` of the top limb of `v + 2^(B−1)`
/// (`s = 1` iff `v < 0`).
pub fn sign_from_top_bit(t: F) -> F {
    F::one() - t
}

/// The unsigned scheme for `s`-bit values `r ∈ [0, 2^s)`, `s ∈ 1..=32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsignedLimbs {
    bits: u32,
}

impl UnsignedLimbs {
    /// The largest supported `s`.
    pub const MAX_BITS: u32 = 2 * LIMB_BITS;

    /// `bits ∈ 1..=32`.
    pub fn new(bits: u32) -> Result<Self, GkrError> {
        if bits == 0 || bits > Self::MAX_BITS {
            return Err(GkrError::InvalidParams {
                what: "unsigned value width must be 1..=32 bits",
            });
        }
        Ok(Self { bits })
    }

    /// `s`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// 1 for `s ≤ 16`, else 2.
    pub fn num_limbs(&self) -> usize {
        if self.bits <= LIMB_BITS {
            1
        } else {
            2
        }
    }

    /// Bits of the top limb (`s` or `s − 16`).
    fn top_limb_bits(&self) -> u32 {
        if self.bits <= LIMB_BITS {
            self.bits
        } else {
            self.bits - LIMB_BITS
        }
    }

    /// Limbs of `v`, low first; an error if `v ≥ 2^s`.
    pub fn decompose(&self, v: u64) -> Result<Vec<u16>, GkrError> {
        if v >> self.bits != 0 {
            return Err(GkrError::ValueOutOfRange {
                value: i128::from(v),
                bits: self.bits,
            });
        }
        Ok((0..self.num_limbs())
            .map(|k| ((v >> (16 * k)) & 0xffff) as u16)
            .collect())
    }

    /// Limb vectors of `values`: `out[k][i]` is limb `k` of `values[i]`.
    pub fn decompose_all(&self, values: &[u64]) -> Result<Vec<Vec<F>>, GkrError> {
        let mut out = vec![Vec::with_capacity(values.len()); self.num_limbs()];
        for &v in values {
            for (col, l) in out.iter_mut().zip(self.decompose(v)?) {
                col.push(F::from(l));
            }
        }
        Ok(out)
    }

    /// `r = Σ_k 2^(16k)·limbs[k]`.
    pub fn compose(&self, limbs: &[F]) -> Result<F, GkrError> {
        if limbs.len() != self.num_limbs() {
            return Err(GkrError::InvalidParams {
                what: "wrong number of limbs for the unsigned scheme",
            });
        }
        Ok(recombine(limbs))
    }

    /// Turn the limb claims (low first, at one point) into a claim on `value_poly`. For `s ≤ 16`
    /// the limb is the value: pass its claim and the value's own id.
    pub fn value_claim(
        &self,
        limb_claims: &[EvalClaim],
        value_poly: usize,
    ) -> Result<EvalClaim, GkrError> {
        let point = common_point(limb_claims)?;
        let values: Vec<F> = limb_claims.iter().map(|c| c.value).collect();
        Ok(EvalClaim {
            poly: value_poly,
            point: point.to_vec(),
            value: self.compose(&values)?,
        })
    }

    /// The segments for the limb vectors (ids `limb_polys`, low first, `2^num_vars` entries):
    /// every limb as [`SegmentKind::Limbs`](crate::range_check::SegmentKind::Limbs), then, if the
    /// top limb has fewer than 16 bits, the top limb again as `ScaledLimbs { shift: 16 − bits }`.
    pub fn segments(
        &self,
        limb_polys: &[usize],
        num_vars: usize,
    ) -> Result<Vec<SegmentSpec>, GkrError> {
        if limb_polys.len() != self.num_limbs() {
            return Err(GkrError::InvalidParams {
                what: "one polynomial id per limb expected",
            });
        }
        let mut out: Vec<SegmentSpec> = limb_polys
            .iter()
            .map(|&p| SegmentSpec::limbs(p, num_vars))
            .collect();
        let top = self.top_limb_bits();
        if let Some(&p) = limb_polys.last().filter(|_| top < LIMB_BITS) {
            out.push(SegmentSpec::scaled(p, num_vars, LIMB_BITS - top));
        }
        Ok(out)
    }

    /// The witness segments matching [`Self::segments`].
    pub fn witness_segments<'a>(&self, limbs: &'a [Vec<F>]) -> Vec<SegmentWitness<'a>> {
        let mut out: Vec<SegmentWitness<'a>> =
            limbs.iter().map(|l| SegmentWitness::new(l)).collect();
        if let Some(l) = limbs.last().filter(|_| self.top_limb_bits() < LIMB_BITS) {
            out.push(SegmentWitness::new(l));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sumcheck::field::from_i64;

    #[test]
    fn signed_round_trip() {
        for bits in [16, 32, 48] {
            let s = SignedLimbs::new(bits).unwrap();
            let half = 1i64 << (bits - 1);
            for v in [0, 1, -1, half - 1, -half, 12345 % half, -(777 % half)] {
                let limbs: Vec<F> = s.decompose(v).unwrap().into_iter().map(F::from).collect();
                assert_eq!(s.compose(&limbs).unwrap(), from_i64(v));
                let t = s.top_bits(&[v]).unwrap()[0];
                assert_eq!(sign_from_top_bit(t), F::from(u64::from(v < 0)));
            }
            assert!(s.decompose(half).is_err());
            assert!(s.decompose(-half - 1).is_err());
        }
        assert!(SignedLimbs::new(24).is_err());
        assert!(SignedLimbs::new(64).is_err());
        assert_eq!(SignedLimbs::default().num_limbs(), 2);
    }

    #[test]
    fn unsigned_round_trip() {
        for bits in [1, 8, 15, 16, 17, 20, 32] {
            let u = UnsignedLimbs::new(bits).unwrap();
            let max = (1u64 << bits) - 1;
            for v in [0, 1, max / 3, max] {
                let limbs: Vec<F> = u.decompose(v).unwrap().into_iter().map(F::from).collect();
                assert_eq!(u.compose(&limbs).unwrap(), F::from(v));
            }
            assert!(u.decompose(max + 1).is_err());
            let segs = u.segments(&[7, 8][..u.num_limbs()], 3).unwrap();
            let expected = u.num_limbs() + usize::from(bits % 16 != 0);
            assert_eq!(segs.len(), expected);
        }
    }
}
