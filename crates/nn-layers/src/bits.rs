//! Worst-case bit growth of every accumulator of the training step.
//!
//! With every small operand in `[-2^(B-1), 2^(B-1))` (so `|v| <= 2^(B-1)`), a sum of `n`
//! products has magnitude at most `n · 2^(2B-2)`; adding the lifted bias and the rescale offset
//! gives the bounds below. A magnitude bound `M` needs `bits(M) + 1` signed bits, where
//! `bits(M) = ceil(log2(M+1))`.
//!
//! | accumulator | terms `n` | magnitude bound |
//! |---|---|---|
//! | dense/conv forward `z = a·W + b·2^F` | `fan_in` (`C_in·k²` for conv) | `n·2^(2B-2) + 2^(B-1+F) + 2^(F-1)` |
//! | dense/conv backward `g·Wᵀ` | `outputs` (`C_out·k²` for conv) | `n·2^(2B-2) + 2^(F-1)` |
//! | weight gradient `dW` | `batch` (`batch·H·W` for conv) | `n·2^(2B-2) + 2^(F+k-1)` |
//! | bias gradient `db` | `batch` (`batch·H·W` for conv) | `n·2^(B-1) + 2^(k-1)` |
//! | avg-pool sum (forward and backward) | 4 | `4·2^(B-1) + 2` |
//! | loss gradient `y - onehot·2^F` | — | `2^(B-1) + 2^F` |
//! | update `W - q` | — | `2^B` |
//!
//! For the defaults (F = 16, B = 32) the widest accumulator of VGG-11 at batch 16 is the conv
//! weight gradient of the first layer (`16·1024·2^62 + 2^23`, 78 signed bits) — far below both the
//! `i128` accumulators (127 bits) and the BN254 scalar field (~254 bits, budget 250).

use crate::error::{NnError, Result};
use crate::fixed::FixedConfig;
use crate::model::{LayerSpec, Model};
use serde::{Deserialize, Serialize};

/// Largest accumulator width the integer engine accepts (signed bits; `i128` holds 128).
pub const ACCUMULATOR_LIMIT_BITS: u32 = 126;
/// Budget below the ~254-bit proof field: no intermediate may exceed this many signed bits.
pub const FIELD_BUDGET_BITS: u32 = 250;

/// Worst-case signed widths of the accumulators of one layer (`None` where not applicable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerBitGrowth {
    /// Layer index.
    pub layer: usize,
    /// Layer kind.
    pub kind: &'static str,
    /// Forward accumulator (pre-rescale), e.g. `z = a·W + b·2^F`.
    pub forward_bits: Option<u32>,
    /// Backward accumulator (pre-rescale), e.g. `g·Wᵀ`.
    pub backward_bits: Option<u32>,
    /// Weight gradient `dW` (pre-rescale).
    pub weight_grad_bits: Option<u32>,
    /// Bias gradient `db` (pre-rescale).
    pub bias_grad_bits: Option<u32>,
}

impl LayerBitGrowth {
    /// The widest of this layer's accumulators.
    pub fn max_bits(&self) -> u32 {
        [
            self.forward_bits,
            self.backward_bits,
            self.weight_grad_bits,
            self.bias_grad_bits,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
    }
}

/// Signed width needed for a magnitude bound (`None` = overflowed u128, i.e. > 128 bits).
fn signed_bits(m: Option<u128>) -> u32 {
    match m {
        Some(m) => 128 - m.leading_zeros() + 1,
        None => 129,
    }
}

fn pow2(e: u32) -> Option<u128> {
    1u128.checked_shl(e)
}

/// `n · 2^(2B-2) + extra`, saturating to `None`.
fn products(n: usize, fixed: &FixedConfig, extra: Option<u128>) -> Option<u128> {
    (n as u128)
        .checked_mul(pow2(2 * fixed.value_bits - 2)?)?
        .checked_add(extra?)
}

fn half(shift: u32) -> Option<u128> {
    if shift == 0 {
        Some(0)
    } else {
        pow2(shift - 1)
    }
}

/// Worst-case accumulator widths for every layer of `model` at the given batch size and lr shift.
pub fn bit_growth(
    model: &Model,
    fixed: &FixedConfig,
    batch: usize,
    lr_shift: u32,
) -> Vec<LayerBitGrowth> {
    let b = fixed.value_bits;
    let f = fixed.frac_bits;
    model
        .layers
        .iter()
        .enumerate()
        .map(|(l, spec)| {
            let input = model.layer_input_shape(l);
            let mut g = LayerBitGrowth {
                layer: l,
                kind: spec.kind(),
                forward_bits: None,
                backward_bits: None,
                weight_grad_bits: None,
                bias_grad_bits: None,
            };
            let pixels = match *spec {
                LayerSpec::Conv2d { .. } => input[1] * input[2],
                _ => 1,
            };
            match *spec {
                LayerSpec::Dense { .. } | LayerSpec::Conv2d { .. } => {
                    let back_terms = match *spec {
                        LayerSpec::Dense { outputs, .. } => outputs,
                        LayerSpec::Conv2d {
                            out_channels,
                            kernel,
                            ..
                        } => out_channels * kernel * kernel,
                        _ => 0,
                    };
                    let bias_lift = pow2(b - 1 + f).and_then(|x| x.checked_add(half(f)?));
                    g.forward_bits = Some(signed_bits(products(spec.fan_in(), fixed, bias_lift)));
                    if model.needs_input_grad(l) {
                        g.backward_bits = Some(signed_bits(products(back_terms, fixed, half(f))));
                    }
                    let n = batch.saturating_mul(pixels);
                    g.weight_grad_bits = Some(signed_bits(products(
                        n,
                        fixed,
                        half(f.saturating_add(lr_shift)),
                    )));
                    g.bias_grad_bits = Some(signed_bits(
                        (n as u128)
                            .checked_mul(pow2(b - 1).unwrap_or(u128::MAX))
                            .and_then(|x| x.checked_add(half(lr_shift)?)),
                    ));
                }
                LayerSpec::AvgPool2 => {
                    let m = 4u128 * (1u128 << (b - 1)) + 2;
                    g.forward_bits = Some(signed_bits(Some(m)));
                    if model.needs_input_grad(l) {
                        g.backward_bits = Some(signed_bits(Some((1u128 << (b - 1)) + 2)));
                    }
                }
                _ => {}
            }
            g
        })
        .collect()
}

/// Largest accumulator width over all layers, including the loss gradient (`B + 1` bits).
pub fn max_accumulator_bits(
    model: &Model,
    fixed: &FixedConfig,
    batch: usize,
    lr_shift: u32,
) -> u32 {
    let loss = signed_bits(Some(
        (1u128 << (fixed.value_bits - 1)) + (1u128 << fixed.frac_bits),
    ));
    bit_growth(model, fixed, batch, lr_shift)
        .iter()
        .map(LayerBitGrowth::max_bits)
        .max()
        .unwrap_or(0)
        .max(loss)
}

/// Errors if some accumulator could exceed [`ACCUMULATOR_LIMIT_BITS`]: with this check passed,
/// no `i128` sum of the step can overflow.
pub fn check_bit_growth(
    model: &Model,
    fixed: &FixedConfig,
    batch: usize,
    lr_shift: u32,
) -> Result<()> {
    for g in bit_growth(model, fixed, batch, lr_shift) {
        let bits = g.max_bits();
        if bits > ACCUMULATOR_LIMIT_BITS {
            return Err(NnError::AccumulatorTooWide {
                layer: g.layer,
                bits,
                limit: ACCUMULATOR_LIMIT_BITS,
            });
        }
    }
    Ok(())
}
