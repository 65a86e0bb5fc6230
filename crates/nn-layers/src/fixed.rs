//! Fixed-point parameters, quantization and the normative rescale rule.
//!
//! A real `x` is represented by the integer `round(x · 2^F)`. Every "small" tensor lies in
//! `[-2^(B-1), 2^(B-1))`. Division by a power of two `2^s` is always [`rescale`]:
//! `q = floor((z + 2^(s-1)) / 2^s)`, `r = z + 2^(s-1) - q·2^s ∈ [0, 2^s)` (round half up; for
//! `s = 0`, `q = z`, `r = 0`).

use crate::error::{NnError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Default number of fractional bits `F`.
pub const DEFAULT_FRAC_BITS: u32 = 16;
/// Default value bound `B` (bits, signed).
pub const DEFAULT_VALUE_BITS: u32 = 32;
/// Largest supported shift / value width: quotients and remainders are stored as `i64`.
pub const MAX_BITS: u32 = 62;

/// Fixed-point statement parameters: `F` fractional bits and the value bound `B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FixedConfig {
    /// Fractional bits `F` (a real `x` is `round(x · 2^F)`).
    pub frac_bits: u32,
    /// Value bound `B`: small tensors lie in `[-2^(B-1), 2^(B-1))`.
    pub value_bits: u32,
}

impl Default for FixedConfig {
    fn default() -> Self {
        Self {
            frac_bits: DEFAULT_FRAC_BITS,
            value_bits: DEFAULT_VALUE_BITS,
        }
    }
}

impl FixedConfig {
    /// Checked constructor: `1 <= F < B <= 62`.
    pub fn new(frac_bits: u32, value_bits: u32) -> Result<Self> {
        let c = Self {
            frac_bits,
            value_bits,
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks `1 <= F < B <= 62`.
    pub fn validate(&self) -> Result<()> {
        if self.frac_bits == 0 || self.frac_bits >= self.value_bits || self.value_bits > MAX_BITS {
            return Err(NnError::InvalidFixedConfig {
                frac_bits: self.frac_bits,
                value_bits: self.value_bits,
                lr_shift: 0,
            });
        }
        Ok(())
    }

    /// `2^F`, the fixed-point one.
    pub fn one(&self) -> i64 {
        1i64 << self.frac_bits
    }

    /// Smallest allowed small value, `-2^(B-1)`.
    pub fn min_value(&self) -> i64 {
        -(1i64 << (self.value_bits - 1))
    }

    /// Largest allowed small value, `2^(B-1) - 1`.
    pub fn max_value(&self) -> i64 {
        (1i64 << (self.value_bits - 1)) - 1
    }

    /// Whether `v` lies in `[-2^(B-1), 2^(B-1))`.
    pub fn in_range(&self, v: i128) -> bool {
        v >= self.min_value() as i128 && v <= self.max_value() as i128
    }

    /// `round(x · 2^F)` with ties rounded up (`floor(x·2^F + 1/2)`); `None` when `x` is not finite
    /// or the result is outside the value bound.
    pub fn quantize(&self, x: f64) -> Option<i64> {
        if !x.is_finite() {
            return None;
        }
        let v = (x * (self.one() as f64) + 0.5).floor();
        if v < self.min_value() as f64 || v > self.max_value() as f64 {
            return None;
        }
        Some(v as i64)
    }

    /// `v / 2^F` as a float.
    pub fn dequantize(&self, v: i64) -> f64 {
        v as f64 / self.one() as f64
    }

    /// Quantizes an 8-bit pixel: `round(p / 255 · 2^F)` (ties up), computed exactly in integers
    /// as `floor((2·p·2^F + 255) / 510)`.
    pub fn quantize_pixel(&self, p: u8) -> i64 {
        (2 * (p as i64) * self.one() + 255) / 510
    }

    /// Returns an error naming `tensor` if any entry of `data` leaves the value bound.
    pub fn check_range(&self, tensor: &str, data: &[i64]) -> Result<()> {
        let (lo, hi) = (self.min_value(), self.max_value());
        let bad = data
            .par_iter()
            .with_min_len(1 << 14)
            .position_first(|&v| v < lo || v > hi);
        match bad {
            None => Ok(()),
            Some(index) => Err(NnError::ValueOutOfRange {
                tensor: tensor.to_string(),
                index,
                value: data[index] as i128,
                bits: self.value_bits,
            }),
        }
    }
}

/// The normative rescale by `2^shift`, round half up: returns `(q, r)` with
/// `z + 2^(shift-1) = q · 2^shift + r`, `0 <= r < 2^shift` (floor division toward −∞).
/// For `shift = 0` it returns `(z, 0)`. `shift` must be at most [`MAX_BITS`]; `z + 2^(shift-1)`
/// must not overflow `i128` (guaranteed by the bit-growth bounds of [`crate::bits`]).
#[inline]
pub fn rescale(z: i128, shift: u32) -> (i128, i64) {
    if shift == 0 {
        return (z, 0);
    }
    let t = z + (1i128 << (shift - 1));
    (t >> shift, (t & ((1i128 << shift) - 1)) as i64)
}

/// Rescales every entry of `z` by `2^shift`, range-checks the quotients against the value bound
/// (error naming `name` otherwise) and returns `(quotients, remainders)`.
pub fn rescale_checked(
    z: &[i128],
    shift: u32,
    fixed: &FixedConfig,
    name: &str,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let mut q = vec![0i64; z.len()];
    let mut r = vec![0i64; z.len()];
    const CHUNK: usize = 1 << 13;
    let bad = q
        .par_chunks_mut(CHUNK)
        .zip(r.par_chunks_mut(CHUNK))
        .zip(z.par_chunks(CHUNK))
        .enumerate()
        .filter_map(|(ci, ((qc, rc), zc))| {
            let mut first_bad = None;
            for (i, ((qv, rv), &zv)) in qc.iter_mut().zip(rc.iter_mut()).zip(zc).enumerate() {
                let (qq, rr) = rescale(zv, shift);
                if first_bad.is_none() && !fixed.in_range(qq) {
                    first_bad = Some((ci * CHUNK + i, qq));
                }
                *qv = qq as i64;
                *rv = rr;
            }
            first_bad
        })
        .min_by_key(|&(i, _)| i);
    if let Some((index, value)) = bad {
        return Err(NnError::ValueOutOfRange {
            tensor: name.to_string(),
            index,
            value,
            bits: fixed.value_bits,
        });
    }
    Ok((q, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_examples() {
        // F = 2: divide by 4, round half up.
        assert_eq!(rescale(0, 2), (0, 2));
        assert_eq!(rescale(2, 2), (1, 0)); // 0.5 -> 1
        assert_eq!(rescale(-2, 2), (0, 0)); // -0.5 -> 0 (half up)
        assert_eq!(rescale(-3, 2), (-1, 3)); // -0.75 -> -1
        assert_eq!(rescale(6, 2), (2, 0)); // 1.5 -> 2
        assert_eq!(rescale(-6, 2), (-1, 0)); // -1.5 -> -1
        assert_eq!(rescale(5, 0), (5, 0));
    }

    #[test]
    fn quantize_pixel_exact() {
        let f = FixedConfig::default();
        assert_eq!(f.quantize_pixel(0), 0);
        assert_eq!(f.quantize_pixel(255), 1 << 16);
        for p in 0..=255u8 {
            let exact = (p as f64) / 255.0 * 65536.0;
            assert_eq!(f.quantize_pixel(p), (exact + 0.5).floor() as i64);
        }
    }
}
