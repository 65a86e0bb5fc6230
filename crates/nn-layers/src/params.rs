//! Model parameters: canonical flat layout, deterministic initialization, safetensors I/O.

use crate::error::{NnError, Result};
use crate::fixed::FixedConfig;
use crate::model::{LayerSpec, Model};
use crate::rng::{uniform_below, Rng};
use crate::tensor::Tensor;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Weight and bias of one parametric layer (fixed point at scale `2^F`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerParams {
    /// Dense: `[inputs][outputs]`; conv: `[out][in][k][k]`.
    pub weight: Tensor,
    /// `[outputs]` / `[out_channels]`.
    pub bias: Tensor,
}

/// All parameters of a model, indexed by layer (`None` for parameterless layers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// One entry per layer of the model.
    pub layers: Vec<Option<LayerParams>>,
}

/// Which half of a layer's parameters a [`ParamEntry`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamKind {
    /// The weight tensor.
    Weight,
    /// The bias vector.
    Bias,
}

/// One contiguous run of the flattened parameter vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamEntry {
    /// Layer index.
    pub layer: usize,
    /// Weight or bias.
    pub kind: ParamKind,
    /// Shape in our layout.
    pub shape: Vec<usize>,
    /// Offset in the flat vector.
    pub offset: usize,
    /// Number of entries.
    pub len: usize,
}

/// The canonical parameter layout of SPEC §4: layer order, each layer's weight then bias,
/// row-major, zero-padded to a power of two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamLayout {
    /// The runs, in order.
    pub entries: Vec<ParamEntry>,
    /// Number of real parameters.
    pub len: usize,
    /// `len` rounded up to a power of two (the committed vector's length).
    pub padded_len: usize,
}

impl ParamLayout {
    /// Layout of `model`'s parameters.
    pub fn of(model: &Model) -> Self {
        let mut entries = Vec::new();
        let mut off = 0;
        for (l, spec) in model.layers.iter().enumerate() {
            if let (Some(ws), Some(bs)) = (spec.weight_shape(), spec.bias_shape()) {
                for (kind, shape) in [(ParamKind::Weight, ws), (ParamKind::Bias, bs)] {
                    let len = shape.iter().product();
                    entries.push(ParamEntry {
                        layer: l,
                        kind,
                        shape,
                        offset: off,
                        len,
                    });
                    off += len;
                }
            }
        }
        Self {
            entries,
            len: off,
            padded_len: off.next_power_of_two(),
        }
    }
}

impl Params {
    /// All-zero parameters for `model`.
    pub fn zeros(model: &Model) -> Self {
        Self {
            layers: model
                .layers
                .iter()
                .map(|s| {
                    Some(LayerParams {
                        weight: Tensor::zeros(s.weight_shape()?),
                        bias: Tensor::zeros(s.bias_shape()?),
                    })
                })
                .collect(),
        }
    }

    /// Checks that the parameters have exactly `model`'s shapes.
    pub fn check_shapes(&self, model: &Model) -> Result<()> {
        if self.layers.len() != model.layers.len() {
            return Err(NnError::ShapeMismatch {
                what: "parameter layer count".into(),
                expected: vec![model.layers.len()],
                actual: vec![self.layers.len()],
            });
        }
        for (l, (spec, p)) in model.layers.iter().zip(&self.layers).enumerate() {
            match (spec.weight_shape(), spec.bias_shape(), p) {
                (Some(ws), Some(bs), Some(p)) => {
                    for (name, shape, t) in [("weight", ws, &p.weight), ("bias", bs, &p.bias)] {
                        if t.shape != shape || t.data.len() != shape.iter().product::<usize>() {
                            return Err(NnError::ShapeMismatch {
                                what: format!("layers.{l}.{name}"),
                                expected: shape,
                                actual: t.shape.clone(),
                            });
                        }
                    }
                }
                (None, None, None) => {}
                _ => {
                    return Err(NnError::ShapeMismatch {
                        what: format!("layers.{l} presence of parameters"),
                        expected: vec![spec.has_params() as usize],
                        actual: vec![p.is_some() as usize],
                    })
                }
            }
        }
        Ok(())
    }

    /// Checks every parameter against the value bound.
    pub fn check_range(&self, fixed: &FixedConfig) -> Result<()> {
        for (l, p) in self.layers.iter().enumerate() {
            if let Some(p) = p {
                fixed.check_range(&format!("layers.{l}.weight"), &p.weight.data)?;
                fixed.check_range(&format!("layers.{l}.bias"), &p.bias.data)?;
            }
        }
        Ok(())
    }

    /// The canonical flat vector (SPEC §4), zero-padded to a power of two.
    pub fn flatten(&self, model: &Model) -> Result<Vec<i64>> {
        self.check_shapes(model)?;
        let layout = ParamLayout::of(model);
        let mut out = Vec::with_capacity(layout.padded_len);
        for p in self.layers.iter().flatten() {
            out.extend_from_slice(&p.weight.data);
            out.extend_from_slice(&p.bias.data);
        }
        out.resize(layout.padded_len, 0);
        Ok(out)
    }

    /// Inverse of [`Params::flatten`]; the vector must have the padded length and zero padding.
    pub fn unflatten(model: &Model, flat: &[i64]) -> Result<Self> {
        let layout = ParamLayout::of(model);
        if flat.len() != layout.padded_len {
            return Err(NnError::ShapeMismatch {
                what: "flattened parameter vector".into(),
                expected: vec![layout.padded_len],
                actual: vec![flat.len()],
            });
        }
        if let Some(i) = flat[layout.len..].iter().position(|&v| v != 0) {
            return Err(NnError::NonZeroPadding {
                index: layout.len + i,
            });
        }
        let mut params = Self::zeros(model);
        for e in &layout.entries {
            if let Some(p) = params.layers[e.layer].as_mut() {
                let t = match e.kind {
                    ParamKind::Weight => &mut p.weight,
                    ParamKind::Bias => &mut p.bias,
                };
                t.data.copy_from_slice(&flat[e.offset..e.offset + e.len]);
            }
        }
        Ok(params)
    }

    /// Deterministic quantized Kaiming-uniform initialization from a public seed.
    ///
    /// One ChaCha20 stream (see [`crate::rng::rng_from_seed`]) is consumed in canonical layout
    /// order. For a layer with fan-in `n`, `bound = round(sqrt(6/n)·2^F)` (f64 `sqrt` is
    /// correctly rounded, hence portable) and every weight is uniform on the integers
    /// `[-bound, bound]` ([`uniform_below`] of `2·bound+1`, minus `bound`). Biases are zero.
    pub fn init_kaiming(model: &Model, fixed: &FixedConfig, seed: u64) -> Result<Self> {
        fixed.validate()?;
        let mut rng = crate::rng::rng_from_seed(seed);
        let mut params = Self::zeros(model);
        for (spec, p) in model.layers.iter().zip(params.layers.iter_mut()) {
            if let Some(p) = p {
                let bound = kaiming_bound(spec, fixed);
                fill_uniform(&mut rng, &mut p.weight.data, bound);
            }
        }
        params.check_range(fixed)?;
        Ok(params)
    }

    /// Exports to safetensors: f32 tensors `layers.{i}.weight` / `layers.{i}.bias` with PyTorch
    /// shapes (dense `[out, in]`, conv `[out, in, kh, kw]`), values `v / 2^F`. Metadata records
    /// `F`, `B` and the architecture digest. Exact for `|v| < 2^24`.
    pub fn to_safetensors(&self, model: &Model, fixed: &FixedConfig) -> Result<Vec<u8>> {
        self.check_shapes(model)?;
        let scale = fixed.one() as f64;
        let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for (l, (spec, p)) in model.layers.iter().zip(&self.layers).enumerate() {
            let Some(p) = p else { continue };
            let (shape, vals): (Vec<usize>, Vec<i64>) = match *spec {
                LayerSpec::Dense { inputs, outputs } => (
                    vec![outputs, inputs],
                    crate::kernels::transpose(&p.weight.data, inputs, outputs),
                ),
                _ => (p.weight.shape.clone(), p.weight.data.clone()),
            };
            let to_bytes = |v: &[i64]| -> Vec<u8> {
                v.iter()
                    .flat_map(|&x| ((x as f64 / scale) as f32).to_le_bytes())
                    .collect()
            };
            buffers.push((format!("layers.{l}.weight"), shape, to_bytes(&vals)));
            buffers.push((
                format!("layers.{l}.bias"),
                p.bias.shape.clone(),
                to_bytes(&p.bias.data),
            ));
        }
        let mut views = Vec::with_capacity(buffers.len());
        for (name, shape, bytes) in &buffers {
            views.push((
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), bytes)?,
            ));
        }
        let meta: HashMap<String, String> = [
            ("format".to_string(), "pt".to_string()),
            ("zkpot.frac_bits".to_string(), fixed.frac_bits.to_string()),
            ("zkpot.value_bits".to_string(), fixed.value_bits.to_string()),
            ("zkpot.arch_digest".to_string(), model.digest_hex(fixed)),
        ]
        .into_iter()
        .collect();
        Ok(safetensors::serialize(views, &Some(meta))?)
    }

    /// Imports from safetensors (f32 or f64 tensors, PyTorch naming and shapes, see
    /// [`Params::to_safetensors`]), quantizing each value to `round(x·2^F)` (ties up) and checking
    /// the value bound. Extra tensors are ignored; missing or mis-shaped ones are errors.
    pub fn from_safetensors(model: &Model, fixed: &FixedConfig, bytes: &[u8]) -> Result<Self> {
        fixed.validate()?;
        let st = SafeTensors::deserialize(bytes)?;
        let mut params = Self::zeros(model);
        for (l, (spec, p)) in model
            .layers
            .iter()
            .zip(params.layers.iter_mut())
            .enumerate()
        {
            let Some(p) = p else { continue };
            for (suffix, t) in [("weight", &mut p.weight), ("bias", &mut p.bias)] {
                let name = format!("layers.{l}.{suffix}");
                let view = st
                    .tensor(&name)
                    .map_err(|_| NnError::MissingTensor { name: name.clone() })?;
                let torch_shape = match (*spec, suffix) {
                    (LayerSpec::Dense { inputs, outputs }, "weight") => vec![outputs, inputs],
                    _ => t.shape.clone(),
                };
                if view.shape() != torch_shape.as_slice() {
                    return Err(NnError::ShapeMismatch {
                        what: name,
                        expected: torch_shape,
                        actual: view.shape().to_vec(),
                    });
                }
                let floats: Vec<f64> = match view.dtype() {
                    Dtype::F32 => view
                        .data()
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
                        .collect(),
                    Dtype::F64 => view
                        .data()
                        .chunks_exact(8)
                        .map(|c| {
                            f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                        })
                        .collect(),
                    d => {
                        return Err(NnError::UnsupportedDtype {
                            name,
                            dtype: format!("{d:?}"),
                        })
                    }
                };
                let mut q = Vec::with_capacity(floats.len());
                for (i, &x) in floats.iter().enumerate() {
                    q.push(fixed.quantize(x).ok_or_else(|| NnError::NonFiniteValue {
                        name: name.clone(),
                        index: i,
                    })?);
                }
                t.data = match (*spec, suffix) {
                    (LayerSpec::Dense { inputs, outputs }, "weight") => {
                        crate::kernels::transpose(&q, outputs, inputs)
                    }
                    _ => q,
                };
            }
        }
        Ok(params)
    }
}

/// `round(sqrt(6 / fan_in) · 2^F)` for a parametric layer.
pub fn kaiming_bound(spec: &LayerSpec, fixed: &FixedConfig) -> i64 {
    let fan_in = spec.fan_in().max(1) as f64;
    ((6.0 / fan_in).sqrt() * fixed.one() as f64 + 0.5).floor() as i64
}

fn fill_uniform(rng: &mut Rng, data: &mut [i64], bound: i64) {
    let span = (2 * bound + 1) as u64;
    for v in data.iter_mut() {
        *v = uniform_below(rng, span) as i64 - bound;
    }
}
