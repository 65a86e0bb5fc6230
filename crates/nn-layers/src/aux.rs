//! Layout of the auxiliary vector `C_aux_t` (SPEC §4).
//!
//! Every non-deterministic tensor of the trace is one named segment. Each segment is padded to a
//! power of two and segments are placed in descending padded size (ties keep their listing
//! order), so every segment starts at a multiple of its own padded length: with
//! `padded_len = 2^m` and `offset = c·2^m`, the segment's MLE is the aux vector's MLE with its
//! high `log2(total_len) - m` variables fixed to the bits of `c`. The total is padded to a power
//! of two.

use crate::error::{NnError, Result};
use crate::model::{LayerSpec, Model};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One segment of the aux vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Unique name, e.g. `l3.conv2d.fwd_q`.
    pub name: String,
    /// Start, a multiple of `padded_len`.
    pub offset: usize,
    /// Number of real entries.
    pub len: usize,
    /// `len` rounded up to a power of two.
    pub padded_len: usize,
}

impl Segment {
    /// `log2(padded_len)`: the number of low variables addressing inside the segment.
    pub fn log_len(&self) -> u32 {
        self.padded_len.trailing_zeros()
    }

    /// `offset / padded_len`: the value of the fixed high variables.
    pub fn index(&self) -> usize {
        self.offset / self.padded_len
    }
}

/// Offsets and sizes of all segments of an aux vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuxLayout {
    /// Segments in placement order (descending `padded_len`).
    pub segments: Vec<Segment>,
    /// Total length, a power of two.
    pub total_len: usize,
}

impl AuxLayout {
    /// Lays out `(name, len)` pairs (in this listing order for equal sizes). Names must be unique,
    /// lengths nonzero.
    pub fn new<S: Into<String>>(items: impl IntoIterator<Item = (S, usize)>) -> Result<Self> {
        let mut items: Vec<(String, usize)> =
            items.into_iter().map(|(n, l)| (n.into(), l)).collect();
        let mut seen = std::collections::HashSet::new();
        for (name, len) in &items {
            if *len == 0 {
                return Err(NnError::EmptySegment { name: name.clone() });
            }
            if !seen.insert(name.clone()) {
                return Err(NnError::DuplicateSegment { name: name.clone() });
            }
        }
        // Stable sort: descending padded length, listing order within a size.
        items.sort_by_key(|(_, len)| std::cmp::Reverse(len.next_power_of_two()));
        let mut offset = 0usize;
        let segments = items
            .into_iter()
            .map(|(name, len)| {
                let padded_len = len.next_power_of_two();
                let s = Segment {
                    name,
                    offset,
                    len,
                    padded_len,
                };
                offset += padded_len;
                s
            })
            .collect();
        Ok(Self {
            segments,
            total_len: offset.max(1).next_power_of_two(),
        })
    }

    /// The layout of the trace tensors of one training step of `model` at `batch` samples.
    pub fn for_step(model: &Model, batch: usize) -> Result<Self> {
        Self::new(aux_segments(model, batch))
    }

    /// `log2(total_len)`.
    pub fn num_vars(&self) -> u32 {
        self.total_len.trailing_zeros()
    }

    /// Looks a segment up by name.
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }

    /// Builds the aux vector from named values (each exactly its segment's `len`); padding and
    /// gaps are zero.
    pub fn assemble<'a>(
        &self,
        values: impl IntoIterator<Item = (String, &'a [i64])>,
    ) -> Result<Vec<i64>> {
        let index: HashMap<&str, &Segment> =
            self.segments.iter().map(|s| (s.name.as_str(), s)).collect();
        let mut out = vec![0i64; self.total_len];
        let mut filled = std::collections::HashSet::new();
        for (name, v) in values {
            let seg = index
                .get(name.as_str())
                .ok_or_else(|| NnError::UnknownSegment { name: name.clone() })?;
            if v.len() != seg.len {
                return Err(NnError::ShapeMismatch {
                    what: name,
                    expected: vec![seg.len],
                    actual: vec![v.len()],
                });
            }
            out[seg.offset..seg.offset + seg.len].copy_from_slice(v);
            filled.insert(seg.name.as_str());
        }
        if let Some(s) = self
            .segments
            .iter()
            .find(|s| !filled.contains(s.name.as_str()))
        {
            return Err(NnError::UnknownSegment {
                name: s.name.clone(),
            });
        }
        Ok(out)
    }
}

/// Canonical segment / tensor name: `l{layer}.{kind}.{what}`.
pub fn segment_name(layer: usize, kind: &str, what: &str) -> String {
    format!("l{layer}.{kind}.{what}")
}

/// The non-deterministic tensors of one training step, in listing order:
///
/// | layer | segments (length) |
/// |---|---|
/// | dense / conv2d | `fwd_q`, `fwd_r` (batch·output); `bwd_q`, `bwd_r` (batch·input, not for the first parametric layer); `dw_q`, `dw_r` (weights); `db_q`, `db_r` (biases) |
/// | relu | `sign` (batch·size) |
/// | avgpool | `fwd_q`, `fwd_r` (batch·output); `bwd_q`, `bwd_r` (batch·output, when a gradient flows) |
/// | maxpool | `sel` (batch·output·4) |
/// | flatten | — |
pub fn aux_segments(model: &Model, batch: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (l, spec) in model.layers.iter().enumerate() {
        let kind = spec.kind();
        let n_out = batch * model.output_shape(l).iter().product::<usize>();
        let n_in = batch * model.layer_input_shape(l).iter().product::<usize>();
        let grad = model.needs_input_grad(l);
        let mut push = |what: &str, len: usize| out.push((segment_name(l, kind, what), len));
        match spec {
            LayerSpec::Dense { .. } | LayerSpec::Conv2d { .. } => {
                push("fwd_q", n_out);
                push("fwd_r", n_out);
                if grad {
                    push("bwd_q", n_in);
                    push("bwd_r", n_in);
                }
                let w: usize = spec.weight_shape().map_or(0, |s| s.iter().product());
                let b: usize = spec.bias_shape().map_or(0, |s| s.iter().product());
                push("dw_q", w);
                push("dw_r", w);
                push("db_q", b);
                push("db_r", b);
            }
            LayerSpec::Relu => push("sign", n_out),
            LayerSpec::AvgPool2 => {
                push("fwd_q", n_out);
                push("fwd_r", n_out);
                if grad {
                    push("bwd_q", n_out);
                    push("bwd_r", n_out);
                }
            }
            LayerSpec::MaxPool2 => push("sel", 4 * n_out),
            LayerSpec::Flatten => {}
        }
    }
    out
}
