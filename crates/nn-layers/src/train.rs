//! One exact integer SGD step (SPEC §5) and its full trace.

use crate::aux::segment_name;
use crate::bits::check_bit_growth;
use crate::error::{NnError, Result};
use crate::fixed::{rescale_checked, FixedConfig, MAX_BITS};
use crate::kernels;
use crate::model::{LayerSpec, Model};
use crate::params::{LayerParams, Params};
use crate::tensor::{Tensor, WideTensor};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Step hyperparameters: fixed point and the learning-rate shift `k` (`lr / batch = 2^-k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Fixed-point parameters.
    pub fixed: FixedConfig,
    /// Learning-rate shift `k`.
    pub lr_shift: u32,
}

impl TrainConfig {
    /// Checked constructor (`F + k <= 62`).
    pub fn new(fixed: FixedConfig, lr_shift: u32) -> Result<Self> {
        let c = Self { fixed, lr_shift };
        c.validate()?;
        Ok(c)
    }

    /// Validates the fixed-point parameters and `F + k <= 62`.
    pub fn validate(&self) -> Result<()> {
        self.fixed.validate()?;
        if self.fixed.frac_bits + self.lr_shift > MAX_BITS {
            return Err(NnError::InvalidFixedConfig {
                frac_bits: self.fixed.frac_bits,
                value_bits: self.fixed.value_bits,
                lr_shift: self.lr_shift,
            });
        }
        Ok(())
    }
}

/// A rescale by `2^shift`: `z + 2^(shift-1) = quotient·2^shift + remainder`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rescaled {
    /// The shift `s`.
    pub shift: u32,
    /// Quotients (range-checked to `B` bits).
    pub quotient: Tensor,
    /// Remainders in `[0, 2^s)` (empty in plain mode).
    pub remainder: Tensor,
}

/// Trace of a dense or conv2d layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinearTrace {
    /// `y = rescale(a·W + b·2^F, F)`; `output.quotient` is the layer output.
    pub output: Rescaled,
    /// `h = rescale(g·Wᵀ, F)` (conv: transposed convolution); `None` for the first parametric layer.
    pub input_grad: Option<Rescaled>,
    /// `dW` at scale `2^(2F)`, in the weight layout (empty in plain mode).
    pub weight_grad: WideTensor,
    /// `db = Σ g` at scale `2^F` (empty in plain mode).
    pub bias_grad: WideTensor,
    /// `rescale(dW, F+k)`; the new weight is `W - quotient`.
    pub weight_update: Rescaled,
    /// `rescale(db, k)`; the new bias is `b - quotient`.
    pub bias_update: Rescaled,
}

/// Trace of a ReLU layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReluTrace {
    /// Sign bits `s = [y < 0]` (0/1), shared by forward and backward.
    pub sign: Tensor,
    /// `a = y·(1-s)`.
    pub output: Tensor,
    /// `g = h·(1-s)` (`None` when no gradient flows to this layer's input).
    pub input_grad: Option<Tensor>,
}

/// Trace of a 2×2 average pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvgPoolTrace {
    /// `rescale(window sum, 2)`; quotient is the output.
    pub output: Rescaled,
    /// `rescale(g_out, 2)` per window (one quotient serves the window's four inputs).
    pub grad_rescale: Option<Rescaled>,
    /// The input gradient: each input gets its window's `grad_rescale` quotient.
    pub input_grad: Option<Tensor>,
}

/// Trace of a 2×2 max pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxPoolTrace {
    /// One-hot selectors, shape `[batch][C][H/2][W/2][4]`, window order (0,0),(0,1),(1,0),(1,1).
    pub selectors: Tensor,
    /// `y = Σ e_i x_i`.
    pub output: Tensor,
    /// The gradient routed to the selected inputs.
    pub input_grad: Option<Tensor>,
}

/// Trace of a flatten (relabelling; data unchanged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlattenTrace {
    /// The input data with shape `[batch, C·H·W]`.
    pub output: Tensor,
    /// The output gradient reshaped to `[batch, C, H, W]`.
    pub input_grad: Option<Tensor>,
}

/// Per-layer trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayerTrace {
    /// Dense layer.
    Dense(LinearTrace),
    /// Conv2d layer.
    Conv2d(LinearTrace),
    /// ReLU.
    Relu(ReluTrace),
    /// Average pool.
    AvgPool2(AvgPoolTrace),
    /// Max pool.
    MaxPool2(MaxPoolTrace),
    /// Flatten.
    Flatten(FlattenTrace),
}

impl LayerTrace {
    /// The layer's forward output (batch-leading shape).
    pub fn output(&self) -> &Tensor {
        match self {
            LayerTrace::Dense(t) | LayerTrace::Conv2d(t) => &t.output.quotient,
            LayerTrace::Relu(t) => &t.output,
            LayerTrace::AvgPool2(t) => &t.output.quotient,
            LayerTrace::MaxPool2(t) => &t.output,
            LayerTrace::Flatten(t) => &t.output,
        }
    }

    /// Gradient with respect to the layer's input, where computed.
    pub fn input_grad(&self) -> Option<&Tensor> {
        match self {
            LayerTrace::Dense(t) | LayerTrace::Conv2d(t) => {
                t.input_grad.as_ref().map(|r| &r.quotient)
            }
            LayerTrace::Relu(t) => t.input_grad.as_ref(),
            LayerTrace::AvgPool2(t) => t.input_grad.as_ref(),
            LayerTrace::MaxPool2(t) => t.input_grad.as_ref(),
            LayerTrace::Flatten(t) => t.input_grad.as_ref(),
        }
    }

    /// The linear-layer trace, for dense and conv2d.
    pub fn as_linear(&self) -> Option<&LinearTrace> {
        match self {
            LayerTrace::Dense(t) | LayerTrace::Conv2d(t) => Some(t),
            _ => None,
        }
    }

    fn drop_input_grad(&mut self) {
        match self {
            LayerTrace::Dense(t) | LayerTrace::Conv2d(t) => t.input_grad = None,
            LayerTrace::Relu(t) => t.input_grad = None,
            LayerTrace::AvgPool2(t) => {
                t.input_grad = None;
                t.grad_rescale = None;
            }
            LayerTrace::MaxPool2(t) => t.input_grad = None,
            LayerTrace::Flatten(t) => t.input_grad = None,
        }
    }
}

/// Everything a prover needs about one training step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTrace {
    /// Batch size.
    pub batch_size: usize,
    /// The batch inputs `a_0`, shape `[batch, ...input_shape]`, scale `2^F`.
    pub input: Tensor,
    /// Class labels.
    pub labels: Vec<u8>,
    /// One-hot targets at scale `2^F`, shape `[batch, classes]`.
    pub targets: Tensor,
    /// Per-layer traces, in layer order.
    pub layers: Vec<LayerTrace>,
    /// `g_L = y_L - onehot·2^F`.
    pub loss_grad: Tensor,
    /// `mean((y_L/2^F - onehot)^2)` over batch and classes (logging only; not proven).
    pub loss: f64,
    /// The parameters after the update.
    pub updated: Params,
}

impl StepTrace {
    /// Input of layer `l` (`a_{l-1}`; the batch input for `l = 0`).
    pub fn layer_input(&self, l: usize) -> &Tensor {
        if l == 0 {
            &self.input
        } else {
            self.layers[l - 1].output()
        }
    }

    /// Output of layer `l`.
    pub fn layer_output(&self, l: usize) -> &Tensor {
        self.layers[l].output()
    }

    /// The network output `y_L`.
    pub fn output(&self) -> &Tensor {
        match self.layers.last() {
            Some(l) => l.output(),
            None => &self.input,
        }
    }

    /// Gradient with respect to the output of layer `l`, where computed.
    pub fn output_grad(&self, l: usize) -> Option<&Tensor> {
        if l + 1 == self.layers.len() {
            Some(&self.loss_grad)
        } else {
            self.layers.get(l + 1)?.input_grad()
        }
    }

    /// Gradient with respect to the input of layer `l`, where computed.
    pub fn input_grad(&self, l: usize) -> Option<&Tensor> {
        self.layers.get(l)?.input_grad()
    }

    /// The non-deterministic tensors of the trace, named and ordered exactly as
    /// [`crate::aux::aux_segments`] lists them (before the layout sorts them by size).
    pub fn aux_values(&self, model: &Model) -> Vec<(String, &[i64])> {
        let mut out: Vec<(String, &[i64])> = Vec::new();
        for (l, (spec, t)) in model.layers.iter().zip(&self.layers).enumerate() {
            let kind = spec.kind();
            fn push<'a>(l: usize, kind: &str, what: &str, v: &'a [i64]) -> (String, &'a [i64]) {
                (segment_name(l, kind, what), v)
            }
            match t {
                LayerTrace::Dense(t) | LayerTrace::Conv2d(t) => {
                    out.push(push(l, kind, "fwd_q", &t.output.quotient.data));
                    out.push(push(l, kind, "fwd_r", &t.output.remainder.data));
                    if let Some(h) = &t.input_grad {
                        out.push(push(l, kind, "bwd_q", &h.quotient.data));
                        out.push(push(l, kind, "bwd_r", &h.remainder.data));
                    }
                    out.push(push(l, kind, "dw_q", &t.weight_update.quotient.data));
                    out.push(push(l, kind, "dw_r", &t.weight_update.remainder.data));
                    out.push(push(l, kind, "db_q", &t.bias_update.quotient.data));
                    out.push(push(l, kind, "db_r", &t.bias_update.remainder.data));
                }
                LayerTrace::Relu(t) => out.push(push(l, kind, "sign", &t.sign.data)),
                LayerTrace::AvgPool2(t) => {
                    out.push(push(l, kind, "fwd_q", &t.output.quotient.data));
                    out.push(push(l, kind, "fwd_r", &t.output.remainder.data));
                    if let Some(g) = &t.grad_rescale {
                        out.push(push(l, kind, "bwd_q", &g.quotient.data));
                        out.push(push(l, kind, "bwd_r", &g.remainder.data));
                    }
                }
                LayerTrace::MaxPool2(t) => out.push(push(l, kind, "sel", &t.selectors.data)),
                LayerTrace::Flatten(_) => {}
            }
        }
        out
    }
}

/// Result of [`train_step_plain`]: the same integers as [`train_step`], without the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    /// The parameters after the update.
    pub updated: Params,
    /// The float loss (logging only).
    pub loss: f64,
}

/// One-hot targets at scale `2^F`, shape `[batch, classes]`.
pub fn one_hot(labels: &[u8], num_classes: usize, fixed: &FixedConfig) -> Result<Tensor> {
    let mut t = Tensor::zeros(vec![labels.len(), num_classes]);
    for (i, &l) in labels.iter().enumerate() {
        let l = l as usize;
        if l >= num_classes {
            return Err(NnError::LabelOutOfRange {
                index: i,
                label: l,
                num_classes,
            });
        }
        t.data[i * num_classes + l] = fixed.one();
    }
    Ok(t)
}

/// One SGD step with the full trace (SPEC §5). `inputs` holds `batch` samples of
/// `model.input_len()` values at scale `2^F`; `labels` their classes.
pub fn train_step(
    model: &Model,
    params: &Params,
    inputs: &[i64],
    labels: &[u8],
    cfg: &TrainConfig,
) -> Result<StepTrace> {
    run_step(model, params, inputs, labels, cfg, true)
}

/// The same step computing the same integers (every rescale, range check and update), keeping
/// only what the computation itself needs; this is the benchmark's plain training step.
pub fn train_step_plain(
    model: &Model,
    params: &Params,
    inputs: &[i64],
    labels: &[u8],
    cfg: &TrainConfig,
) -> Result<StepOutput> {
    let t = run_step(model, params, inputs, labels, cfg, false)?;
    Ok(StepOutput {
        updated: t.updated,
        loss: t.loss,
    })
}

/// Integer forward pass only (inference): the output scores `y_L`, shape `[batch, classes]`.
pub fn predict(
    model: &Model,
    params: &Params,
    inputs: &[i64],
    fixed: &FixedConfig,
) -> Result<Tensor> {
    fixed.validate()?;
    let batch = check_inputs(model, params, inputs, fixed)?;
    let input = batched(model, inputs, batch);
    let mut layers = forward(model, params, &input, fixed, false)?;
    Ok(match layers.pop() {
        Some(l) => l.output().clone(),
        None => input,
    })
}

fn batched(model: &Model, inputs: &[i64], batch: usize) -> Tensor {
    let mut shape = vec![batch];
    shape.extend_from_slice(&model.input_shape);
    Tensor::new(shape, inputs.to_vec())
}

fn check_inputs(
    model: &Model,
    params: &Params,
    inputs: &[i64],
    fixed: &FixedConfig,
) -> Result<usize> {
    let len = model.input_len();
    if inputs.is_empty() || !inputs.len().is_multiple_of(len) {
        return Err(NnError::ShapeMismatch {
            what: "batch inputs".into(),
            expected: vec![len],
            actual: vec![inputs.len()],
        });
    }
    params.check_shapes(model)?;
    params.check_range(fixed)?;
    fixed.check_range("input", inputs)?;
    Ok(inputs.len() / len)
}

fn run_step(
    model: &Model,
    params: &Params,
    inputs: &[i64],
    labels: &[u8],
    cfg: &TrainConfig,
    record: bool,
) -> Result<StepTrace> {
    cfg.validate()?;
    let fixed = &cfg.fixed;
    let batch = check_inputs(model, params, inputs, fixed)?;
    if labels.len() != batch {
        return Err(NnError::ShapeMismatch {
            what: "batch labels".into(),
            expected: vec![batch],
            actual: vec![labels.len()],
        });
    }
    check_bit_growth(model, fixed, batch, cfg.lr_shift)?;
    let input = batched(model, inputs, batch);
    let targets = one_hot(labels, model.num_classes(), fixed)?;

    let mut layers = forward(model, params, &input, fixed, record)?;

    // Loss gradient g_L = y_L - onehot·2^F, and the float loss for logging.
    let y = layers.last().map_or(&input, |l| l.output());
    let grad: Vec<i64> = y
        .data
        .iter()
        .zip(&targets.data)
        .map(|(&a, &t)| a - t)
        .collect();
    fixed.check_range("loss_grad", &grad)?;
    let loss = grad
        .iter()
        .map(|&g| {
            let d = fixed.dequantize(g);
            d * d
        })
        .sum::<f64>()
        / grad.len().max(1) as f64;
    let loss_grad = Tensor::new(y.shape.clone(), grad);

    // Backward + update.
    let nl = model.layers.len();
    let first = model.first_param_layer();
    let mut updated = Params {
        layers: vec![None; nl],
    };
    for l in (first..nl).rev() {
        let (before, rest) = layers.split_at_mut(l);
        let (cur, after) = rest.split_at_mut(1);
        let cur = &mut cur[0];
        let gout = match after.first() {
            None => &loss_grad,
            Some(next) => next.input_grad().ok_or(NnError::InvalidArchitecture {
                layer: l + 1,
                reason: "missing gradient in backward pass",
            })?,
        };
        let ain = before.last().map_or(&input, |p| p.output());
        let ctx = Ctx {
            model,
            cfg,
            l,
            record,
        };
        if let Some(new) = backward_layer(&ctx, cur, ain, gout, params.layers[l].as_ref())? {
            updated.layers[l] = Some(new);
        }
        if !record {
            if let Some(next) = after.first_mut() {
                next.drop_input_grad();
            }
        }
    }
    Ok(StepTrace {
        batch_size: batch,
        input,
        labels: labels.to_vec(),
        targets,
        layers,
        loss_grad,
        loss,
        updated,
    })
}

struct Ctx<'a> {
    model: &'a Model,
    cfg: &'a TrainConfig,
    l: usize,
    record: bool,
}

impl Ctx<'_> {
    fn name(&self, what: &str) -> String {
        segment_name(self.l, self.model.layers[self.l].kind(), what)
    }
}

fn rescaled(
    z: &[i128],
    shape: Vec<usize>,
    shift: u32,
    fixed: &FixedConfig,
    name: &str,
    record: bool,
) -> Result<Rescaled> {
    let (q, r) = rescale_checked(z, shift, fixed, name)?;
    let remainder = if record {
        Tensor::new(shape.clone(), r)
    } else {
        drop(r);
        Tensor::default()
    };
    Ok(Rescaled {
        shift,
        quotient: Tensor::new(shape, q),
        remainder,
    })
}

fn forward(
    model: &Model,
    params: &Params,
    input: &Tensor,
    fixed: &FixedConfig,
    record: bool,
) -> Result<Vec<LayerTrace>> {
    let batch = input.shape[0];
    let f = fixed.frac_bits;
    let mut layers: Vec<LayerTrace> = Vec::with_capacity(model.layers.len());
    for (l, spec) in model.layers.iter().enumerate() {
        let a = layers.last().map_or(input, |t| t.output());
        let mut out_shape = vec![batch];
        out_shape.extend_from_slice(model.output_shape(l));
        let name = |what: &str| segment_name(l, spec.kind(), what);
        let in_shape = model.layer_input_shape(l);
        let trace = match *spec {
            LayerSpec::Dense { .. } | LayerSpec::Conv2d { .. } => {
                let p = params.layers[l]
                    .as_ref()
                    .ok_or(NnError::InvalidArchitecture {
                        layer: l,
                        reason: "missing parameters",
                    })?;
                let (mut z, pixels, channels) = match *spec {
                    LayerSpec::Dense { inputs, outputs } => (
                        kernels::dense_forward(&a.data, batch, inputs, &p.weight.data, outputs),
                        1,
                        outputs,
                    ),
                    LayerSpec::Conv2d {
                        in_channels,
                        out_channels,
                        kernel,
                    } => (
                        kernels::conv2d_forward(
                            &a.data,
                            batch,
                            in_channels,
                            in_shape[1],
                            in_shape[2],
                            &p.weight.data,
                            out_channels,
                            kernel,
                        ),
                        in_shape[1] * in_shape[2],
                        out_channels,
                    ),
                    _ => unreachable_spec()?,
                };
                // Bias at scale 2^F lifted to 2^(2F).
                z.par_chunks_mut(pixels).enumerate().for_each(|(i, plane)| {
                    let b = (p.bias.data[i % channels] as i128) << f;
                    plane.iter_mut().for_each(|v| *v += b);
                });
                let output = rescaled(&z, out_shape, f, fixed, &name("fwd_q"), record)?;
                let lt = LinearTrace {
                    output,
                    input_grad: None,
                    weight_grad: WideTensor::default(),
                    bias_grad: WideTensor::default(),
                    weight_update: Rescaled::default(),
                    bias_update: Rescaled::default(),
                };
                if matches!(spec, LayerSpec::Dense { .. }) {
                    LayerTrace::Dense(lt)
                } else {
                    LayerTrace::Conv2d(lt)
                }
            }
            LayerSpec::Relu => {
                let sign: Vec<i64> = a.data.par_iter().map(|&y| (y < 0) as i64).collect();
                let out: Vec<i64> = a
                    .data
                    .par_iter()
                    .zip(&sign)
                    .map(|(&y, &s)| y * (1 - s))
                    .collect();
                LayerTrace::Relu(ReluTrace {
                    sign: Tensor::new(out_shape.clone(), sign),
                    output: Tensor::new(out_shape, out),
                    input_grad: None,
                })
            }
            LayerSpec::AvgPool2 => {
                let sums =
                    kernels::pool_sums(&a.data, batch * in_shape[0], in_shape[1], in_shape[2]);
                let output = rescaled(&sums, out_shape, 2, fixed, &name("fwd_q"), record)?;
                LayerTrace::AvgPool2(AvgPoolTrace {
                    output,
                    grad_rescale: None,
                    input_grad: None,
                })
            }
            LayerSpec::MaxPool2 => {
                let (out, sel) = kernels::maxpool_forward(
                    &a.data,
                    batch * in_shape[0],
                    in_shape[1],
                    in_shape[2],
                );
                let mut sel_shape = out_shape.clone();
                sel_shape.push(4);
                LayerTrace::MaxPool2(MaxPoolTrace {
                    selectors: Tensor::new(sel_shape, sel),
                    output: Tensor::new(out_shape, out),
                    input_grad: None,
                })
            }
            LayerSpec::Flatten => LayerTrace::Flatten(FlattenTrace {
                output: Tensor::new(out_shape, a.data.clone()),
                input_grad: None,
            }),
        };
        layers.push(trace);
    }
    Ok(layers)
}

fn unreachable_spec<T>() -> Result<T> {
    Err(NnError::InvalidArchitecture {
        layer: usize::MAX,
        reason: "internal: unexpected layer kind",
    })
}

/// Backward pass of one layer: fills `cur`'s backward fields; returns updated parameters for
/// parametric layers.
fn backward_layer(
    ctx: &Ctx<'_>,
    cur: &mut LayerTrace,
    ain: &Tensor,
    gout: &Tensor,
    params: Option<&LayerParams>,
) -> Result<Option<LayerParams>> {
    let fixed = &ctx.cfg.fixed;
    let f = fixed.frac_bits;
    let k = ctx.cfg.lr_shift;
    let spec = ctx.model.layers[ctx.l];
    let batch = ain.shape[0];
    let need_in = ctx.model.needs_input_grad(ctx.l);
    let in_shape = ain.shape.clone();
    match (cur, spec) {
        (LayerTrace::Dense(t) | LayerTrace::Conv2d(t), _) => {
            let p = params.ok_or(NnError::InvalidArchitecture {
                layer: ctx.l,
                reason: "missing parameters",
            })?;
            let (dw, db, h) = match spec {
                LayerSpec::Dense { inputs, outputs } => {
                    let dw =
                        kernels::dense_weight_grad(&ain.data, &gout.data, batch, inputs, outputs);
                    let db = kernels::bias_grad(&gout.data, batch, outputs, 1);
                    let h = need_in.then(|| {
                        kernels::dense_backward_input(
                            &gout.data,
                            batch,
                            outputs,
                            &p.weight.data,
                            inputs,
                        )
                    });
                    (dw, db, h)
                }
                LayerSpec::Conv2d {
                    in_channels,
                    out_channels,
                    kernel,
                } => {
                    let (hh, ww) = (in_shape[2], in_shape[3]);
                    let dw = kernels::conv2d_weight_grad(
                        &ain.data,
                        &gout.data,
                        batch,
                        in_channels,
                        out_channels,
                        hh,
                        ww,
                        kernel,
                    );
                    let db = kernels::bias_grad(&gout.data, batch, out_channels, hh * ww);
                    let h = need_in.then(|| {
                        kernels::conv2d_backward_input(
                            &gout.data,
                            batch,
                            out_channels,
                            hh,
                            ww,
                            &p.weight.data,
                            in_channels,
                            kernel,
                        )
                    });
                    (dw, db, h)
                }
                _ => return unreachable_spec(),
            };
            if let Some(h) = h {
                t.input_grad = Some(rescaled(
                    &h,
                    in_shape,
                    f,
                    fixed,
                    &ctx.name("bwd_q"),
                    ctx.record,
                )?);
            }
            let wu = rescaled(
                &dw,
                p.weight.shape.clone(),
                f + k,
                fixed,
                &ctx.name("dw_q"),
                ctx.record,
            )?;
            let bu = rescaled(
                &db,
                p.bias.shape.clone(),
                k,
                fixed,
                &ctx.name("db_q"),
                ctx.record,
            )?;
            let sub = |old: &Tensor, upd: &Tensor| -> Tensor {
                let data = old
                    .data
                    .par_iter()
                    .zip(&upd.data)
                    .map(|(&w, &u)| w - u)
                    .collect();
                Tensor::new(old.shape.clone(), data)
            };
            let new = LayerParams {
                weight: sub(&p.weight, &wu.quotient),
                bias: sub(&p.bias, &bu.quotient),
            };
            fixed.check_range(
                &format!("layers.{}.weight (updated)", ctx.l),
                &new.weight.data,
            )?;
            fixed.check_range(&format!("layers.{}.bias (updated)", ctx.l), &new.bias.data)?;
            if ctx.record {
                t.weight_grad = WideTensor {
                    shape: p.weight.shape.clone(),
                    data: dw,
                };
                t.bias_grad = WideTensor {
                    shape: p.bias.shape.clone(),
                    data: db,
                };
            }
            t.weight_update = wu;
            t.bias_update = bu;
            Ok(Some(new))
        }
        (LayerTrace::Relu(t), _) => {
            if need_in {
                let g = gout
                    .data
                    .par_iter()
                    .zip(&t.sign.data)
                    .map(|(&h, &s)| h * (1 - s))
                    .collect();
                t.input_grad = Some(Tensor::new(in_shape, g));
            }
            Ok(None)
        }
        (LayerTrace::AvgPool2(t), _) => {
            if need_in {
                let z: Vec<i128> = gout.data.iter().map(|&v| v as i128).collect();
                let r = rescaled(
                    &z,
                    gout.shape.clone(),
                    2,
                    fixed,
                    &ctx.name("bwd_q"),
                    ctx.record,
                )?;
                let g = kernels::pool_broadcast(
                    &r.quotient.data,
                    batch * in_shape[1],
                    in_shape[2],
                    in_shape[3],
                );
                t.grad_rescale = Some(r);
                t.input_grad = Some(Tensor::new(in_shape, g));
            }
            Ok(None)
        }
        (LayerTrace::MaxPool2(t), _) => {
            if need_in {
                let g = kernels::maxpool_backward(
                    &gout.data,
                    &t.selectors.data,
                    batch * in_shape[1],
                    in_shape[2],
                    in_shape[3],
                );
                t.input_grad = Some(Tensor::new(in_shape, g));
            }
            Ok(None)
        }
        (LayerTrace::Flatten(t), _) => {
            if need_in {
                t.input_grad = Some(Tensor::new(in_shape, gout.data.clone()));
            }
            Ok(None)
        }
    }
}
