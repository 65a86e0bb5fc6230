//! Claim bookkeeping: evaluation claims on the committed polynomials of a step.
//!
//! A step commits a few vectors (dataset, model before and after, aux). Every relation leaves
//! claims `P(point) = value` on them; a claim on a power-of-two segment at an aligned offset is
//! a claim on the whole vector with the high variables fixed to the bits of the segment's index
//! ([`ClaimBook::add_segment`]). At the end all claims are merged and opened at once
//! ([`crate::step::merge`]).

use ark_ff::{One, Zero};
use sumcheck::{EvalClaim, F};

use crate::step::error::VerifyError;

/// The claims on `num_vars.len()` committed polynomials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimBook {
    num_vars: Vec<usize>,
    claims: Vec<EvalClaim>,
}

/// `bits` low-first bits of `index` as field elements.
pub fn index_bits(index: usize, bits: usize) -> Vec<F> {
    (0..bits)
        .map(|k| {
            if k < usize::BITS as usize && (index >> k) & 1 == 1 {
                F::one()
            } else {
                F::zero()
            }
        })
        .collect()
}

impl ClaimBook {
    /// A book for polynomials with these numbers of variables.
    pub fn new(num_vars: Vec<usize>) -> Self {
        Self {
            num_vars,
            claims: Vec::new(),
        }
    }

    /// Numbers of variables of the polynomials.
    pub fn num_vars(&self) -> &[usize] {
        &self.num_vars
    }

    /// The claims, in insertion order.
    pub fn claims(&self) -> &[EvalClaim] {
        &self.claims
    }

    /// Add `P_poly(point) = value` (the point must have `num_vars[poly]` coordinates).
    pub fn add(&mut self, poly: usize, point: Vec<F>, value: F) -> Result<(), VerifyError> {
        let n = *self
            .num_vars
            .get(poly)
            .ok_or_else(|| VerifyError::malformed("claim on an unknown polynomial"))?;
        if point.len() != n {
            return Err(VerifyError::malformed(format!(
                "claim on polynomial {poly}: point has {} coordinates, expected {n}",
                point.len()
            )));
        }
        self.claims.push(EvalClaim { poly, point, value });
        Ok(())
    }

    /// Add a claim on the segment of `2^local.len()` entries starting at
    /// `segment_index·2^local.len()` of polynomial `poly`.
    pub fn add_segment(
        &mut self,
        poly: usize,
        local: &[F],
        segment_index: usize,
        value: F,
    ) -> Result<(), VerifyError> {
        let n = *self
            .num_vars
            .get(poly)
            .ok_or_else(|| VerifyError::malformed("claim on an unknown polynomial"))?;
        let high = n
            .checked_sub(local.len())
            .ok_or_else(|| VerifyError::malformed("segment larger than its polynomial"))?;
        if high < usize::BITS as usize && segment_index >> high != 0 {
            return Err(VerifyError::malformed("segment index out of range"));
        }
        let mut point = local.to_vec();
        point.extend(index_bits(segment_index, high));
        self.add(poly, point, value)
    }
}
