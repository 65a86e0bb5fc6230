//! Architectures: a validated list of layers, their shapes, parameter counts and digest.

use crate::error::{NnError, Result};
use crate::fixed::FixedConfig;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// One layer of a sequential network. Shapes exclude the batch dimension; images are `[C, H, W]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LayerSpec {
    /// Fully connected with bias on a rank-1 input: weight `[inputs][outputs]`, bias `[outputs]`.
    Dense {
        /// Input width.
        inputs: usize,
        /// Output width.
        outputs: usize,
    },
    /// `kernel × kernel` convolution, stride 1, zero "same" padding `(kernel-1)/2`, with bias:
    /// weight `[out_channels][in_channels][kernel][kernel]`, bias `[out_channels]`.
    Conv2d {
        /// Input channels.
        in_channels: usize,
        /// Output channels.
        out_channels: usize,
        /// Kernel size (odd).
        kernel: usize,
    },
    /// zkReLU: `a = y·(1-s)` with committed sign bit `s = [y < 0]`.
    Relu,
    /// 2×2 average pool, stride 2: `rescale(sum, 2)`.
    AvgPool2,
    /// 2×2 max pool, stride 2, with one-hot selectors.
    MaxPool2,
    /// `[C, H, W] -> [C·H·W]` (NCHW order, a relabelling).
    Flatten,
}

impl LayerSpec {
    /// Short lowercase name used in tensor and segment names.
    pub fn kind(&self) -> &'static str {
        match self {
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Conv2d { .. } => "conv2d",
            LayerSpec::Relu => "relu",
            LayerSpec::AvgPool2 => "avgpool",
            LayerSpec::MaxPool2 => "maxpool",
            LayerSpec::Flatten => "flatten",
        }
    }

    /// Whether the layer has trainable parameters.
    pub fn has_params(&self) -> bool {
        matches!(self, LayerSpec::Dense { .. } | LayerSpec::Conv2d { .. })
    }

    /// Weight shape (our layout) for parametric layers.
    pub fn weight_shape(&self) -> Option<Vec<usize>> {
        match *self {
            LayerSpec::Dense { inputs, outputs } => Some(vec![inputs, outputs]),
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel,
            } => Some(vec![out_channels, in_channels, kernel, kernel]),
            _ => None,
        }
    }

    /// Bias shape for parametric layers.
    pub fn bias_shape(&self) -> Option<Vec<usize>> {
        match *self {
            LayerSpec::Dense { outputs, .. } => Some(vec![outputs]),
            LayerSpec::Conv2d { out_channels, .. } => Some(vec![out_channels]),
            _ => None,
        }
    }

    /// Number of products summed into one forward pre-activation (`inputs`, or `C_in·k²`).
    pub fn fan_in(&self) -> usize {
        match *self {
            LayerSpec::Dense { inputs, .. } => inputs,
            LayerSpec::Conv2d {
                in_channels,
                kernel,
                ..
            } => in_channels * kernel * kernel,
            _ => 0,
        }
    }

    /// Output shape for a given input shape, or an error naming `layer`.
    pub fn output_shape(&self, layer: usize, input: &[usize]) -> Result<Vec<usize>> {
        let err = |reason| NnError::InvalidArchitecture { layer, reason };
        match *self {
            LayerSpec::Dense { inputs, outputs } => {
                if input != [inputs] {
                    return Err(err("dense input must be rank 1 of width `inputs`"));
                }
                if outputs == 0 {
                    return Err(err("dense outputs must be nonzero"));
                }
                Ok(vec![outputs])
            }
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel,
            } => {
                if input.len() != 3 || input[0] != in_channels {
                    return Err(err("conv2d input must be [in_channels, H, W]"));
                }
                if kernel.is_multiple_of(2) || out_channels == 0 || input[1] == 0 || input[2] == 0 {
                    return Err(err("conv2d needs an odd kernel and nonzero sizes"));
                }
                Ok(vec![out_channels, input[1], input[2]])
            }
            LayerSpec::Relu => Ok(input.to_vec()),
            LayerSpec::AvgPool2 | LayerSpec::MaxPool2 => {
                if input.len() != 3
                    || !input[1].is_multiple_of(2)
                    || !input[2].is_multiple_of(2)
                    || input[1] == 0
                {
                    return Err(err("2x2 pool needs [C, H, W] input with even H and W"));
                }
                Ok(vec![input[0], input[1] / 2, input[2] / 2])
            }
            LayerSpec::Flatten => {
                if input.len() != 3 {
                    return Err(err("flatten needs a [C, H, W] input"));
                }
                Ok(vec![input.iter().product()])
            }
        }
    }
}

/// Parameter count of one layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerParamCount {
    /// Layer index.
    pub layer: usize,
    /// Layer kind.
    pub kind: &'static str,
    /// Number of weights.
    pub weights: usize,
    /// Number of biases.
    pub biases: usize,
}

/// Serialized form of a [`Model`] (validated again on deserialization).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Display name.
    pub name: String,
    /// Per-sample input shape.
    pub input_shape: Vec<usize>,
    /// The layers.
    pub layers: Vec<LayerSpec>,
}

impl TryFrom<ModelSpec> for Model {
    type Error = NnError;
    fn try_from(s: ModelSpec) -> Result<Self> {
        Model::new(s.name, s.input_shape, s.layers)
    }
}

impl From<Model> for ModelSpec {
    fn from(m: Model) -> Self {
        ModelSpec {
            name: m.name,
            input_shape: m.input_shape,
            layers: m.layers,
        }
    }
}

/// A validated sequential architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ModelSpec", into = "ModelSpec")]
pub struct Model {
    /// Display name (not part of the digest).
    pub name: String,
    /// Per-sample input shape (`[C, H, W]` for images, `[D]` for vectors).
    pub input_shape: Vec<usize>,
    /// The layers, in order.
    pub layers: Vec<LayerSpec>,
    /// Output shape of every layer (derived).
    shapes: Vec<Vec<usize>>,
}

impl Model {
    /// Builds and validates a model: shapes must chain, at least one parametric layer, and the
    /// final output must be rank 1 (the class scores).
    pub fn new(
        name: impl Into<String>,
        input_shape: Vec<usize>,
        layers: Vec<LayerSpec>,
    ) -> Result<Self> {
        if input_shape.is_empty() || input_shape.contains(&0) {
            return Err(NnError::InvalidArchitecture {
                layer: usize::MAX,
                reason: "input shape must be nonempty with nonzero dimensions",
            });
        }
        if !layers.iter().any(LayerSpec::has_params) {
            return Err(NnError::InvalidArchitecture {
                layer: usize::MAX,
                reason: "a model needs at least one dense or conv2d layer",
            });
        }
        let mut shapes = Vec::with_capacity(layers.len());
        let mut cur = input_shape.clone();
        for (i, l) in layers.iter().enumerate() {
            cur = l.output_shape(i, &cur)?;
            shapes.push(cur.clone());
        }
        if cur.len() != 1 {
            return Err(NnError::InvalidArchitecture {
                layer: layers.len().saturating_sub(1),
                reason: "the last layer must produce a rank-1 score vector",
            });
        }
        Ok(Self {
            name: name.into(),
            input_shape,
            layers,
            shapes,
        })
    }

    /// Output shape of layer `l` (per sample).
    pub fn output_shape(&self, l: usize) -> &[usize] {
        &self.shapes[l]
    }

    /// Input shape of layer `l` (per sample).
    pub fn layer_input_shape(&self, l: usize) -> &[usize] {
        if l == 0 {
            &self.input_shape
        } else {
            &self.shapes[l - 1]
        }
    }

    /// Per-sample input length.
    pub fn input_len(&self) -> usize {
        self.input_shape.iter().product()
    }

    /// Number of classes (width of the final output).
    pub fn num_classes(&self) -> usize {
        self.shapes.last().map_or(0, |s| s[0])
    }

    /// Index of the first parametric layer: backpropagation stops there (no input gradient is
    /// computed for it, nothing at all for layers before it).
    pub fn first_param_layer(&self) -> usize {
        self.layers
            .iter()
            .position(LayerSpec::has_params)
            .unwrap_or(0)
    }

    /// Whether layer `l` computes an input gradient in the backward pass.
    pub fn needs_input_grad(&self, l: usize) -> bool {
        l > self.first_param_layer()
    }

    /// Parameter counts of the parametric layers.
    pub fn param_counts(&self) -> Vec<LayerParamCount> {
        self.layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let w = l.weight_shape()?;
                let b = l.bias_shape()?;
                Some(LayerParamCount {
                    layer: i,
                    kind: l.kind(),
                    weights: w.iter().product(),
                    biases: b.iter().product(),
                })
            })
            .collect()
    }

    /// Total number of parameters.
    pub fn num_params(&self) -> usize {
        self.param_counts()
            .iter()
            .map(|c| c.weights + c.biases)
            .sum()
    }

    /// Human-readable table: one line per layer with output shape and parameter count.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "model {} (input {:?})", self.name, self.input_shape);
        let _ = writeln!(
            s,
            "{:>5}  {:<8} {:<18} {:>12}",
            "layer", "kind", "output", "params"
        );
        for (i, l) in self.layers.iter().enumerate() {
            let p = match (l.weight_shape(), l.bias_shape()) {
                (Some(w), Some(b)) => w.iter().product::<usize>() + b.iter().product::<usize>(),
                _ => 0,
            };
            let _ = writeln!(
                s,
                "{:>5}  {:<8} {:<18} {:>12}",
                i,
                l.kind(),
                format!("{:?}", self.shapes[i]),
                p
            );
        }
        let _ = writeln!(s, "total parameters: {}", self.num_params());
        s
    }

    /// Canonical byte encoding of the architecture and fixed-point parameters (the digest input):
    /// `"zkpot-arch-v1"`, `F` and `B` as u32 LE, input rank and dims, layer count, then per layer a
    /// tag byte (1 dense, 2 conv2d, 3 relu, 4 avgpool2, 5 maxpool2, 6 flatten) followed by its
    /// sizes; all sizes as u64 LE.
    pub fn canonical_bytes(&self, fixed: &FixedConfig) -> Vec<u8> {
        let mut out = b"zkpot-arch-v1".to_vec();
        out.extend_from_slice(&fixed.frac_bits.to_le_bytes());
        out.extend_from_slice(&fixed.value_bits.to_le_bytes());
        let put = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u64).to_le_bytes());
        put(&mut out, self.input_shape.len());
        for &d in &self.input_shape {
            put(&mut out, d);
        }
        put(&mut out, self.layers.len());
        for l in &self.layers {
            match *l {
                LayerSpec::Dense { inputs, outputs } => {
                    out.push(1);
                    put(&mut out, inputs);
                    put(&mut out, outputs);
                }
                LayerSpec::Conv2d {
                    in_channels,
                    out_channels,
                    kernel,
                } => {
                    out.push(2);
                    put(&mut out, in_channels);
                    put(&mut out, out_channels);
                    put(&mut out, kernel);
                }
                LayerSpec::Relu => out.push(3),
                LayerSpec::AvgPool2 => out.push(4),
                LayerSpec::MaxPool2 => out.push(5),
                LayerSpec::Flatten => out.push(6),
            }
        }
        out
    }

    /// SHA-256 of [`Model::canonical_bytes`]: the architecture digest of the statement.
    pub fn digest(&self, fixed: &FixedConfig) -> [u8; 32] {
        Sha256::digest(self.canonical_bytes(fixed)).into()
    }

    /// [`Model::digest`] as lowercase hex.
    pub fn digest_hex(&self, fixed: &FixedConfig) -> String {
        self.digest(fixed).iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}
