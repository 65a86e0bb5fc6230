//! # Step proofs of convolutional networks (`lenet5`, `vgg11`, VGG-shaped nets)
//!
//! Any sequence of `Conv2d`, `Dense`, `Relu`, `AvgPool2`, `MaxPool2` and `Flatten` in which
//! every ReLU follows a parametric layer, the last layer is `Dense`, and every image side is a
//! power of two (so a flatten is the identity on the padded vectors). Protocol:
//! `docs/protocol.md` ("Convolutional networks"); one driver ([`protocol::run`]) is executed by
//! both roles through the [`protocol::StepParty`] trait, so prover and verifier cannot drift.
//!
//! **Commit everything.** Besides the limbs of every rescaled quotient and remainder (as for the
//! MLP), `C_aux` holds the ReLU outputs `a`, the ReLU input gradients `g`, the max-pool outputs,
//! selectors and input gradients as plain columns, and the max-pool differences as limbs. Every
//! relation is then checked at its own random point and reduced to claims on committed vectors
//! only; no claim has to travel through more than one relation.
//!
//! **Tensors.** Boundary `i` is the input of layer `i` (`i = 0`: the batch, `i = n`: the network
//! output). A spatial boundary `[B][C][H][W]` is padded to `[B][C_p][H][W]` with variables
//! `x ‖ y ‖ c ‖ b` (low first), a flat one `[B][N]` to `[B][N_p]` with `col ‖ b`; both are
//! "feature bits ‖ batch bits", and since `H·W` is a power of two a flatten maps one onto the
//! other unchanged.

pub(crate) mod protocol;
mod prove;
mod verify;

pub(crate) use prove::prove_net_step;
pub(crate) use verify::verify_net_step;

use gkr::relations::conv::ConvShape;
use gkr::relations::pool::PoolShape;

use crate::aux::AuxLayout;
use crate::model::{LayerSpec, Model};
use crate::proof::layout::{
    model_layout, DatasetLayout, LimbKind, LimbLayout, LimbTensor, Schemes, WeightShape,
    MULT_RANGE, MULT_SIGN,
};
use crate::proof::{ProofError, Result};
use crate::train::TrainConfig;

fn log2(n: usize) -> usize {
    n.trailing_zeros() as usize
}

fn unsupported(what: &'static str) -> ProofError {
    ProofError::Unsupported { what }
}

/// Shape of a boundary tensor (without the batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// `[C][H][W]`, `H`, `W` powers of two.
    Spatial {
        /// Channels.
        c: usize,
        /// Height.
        h: usize,
        /// Width.
        w: usize,
    },
    /// `[N]`.
    Flat {
        /// Length.
        n: usize,
    },
}

impl Boundary {
    /// Real number of features.
    pub fn features(&self) -> usize {
        match *self {
            Self::Spatial { c, h, w } => c * h * w,
            Self::Flat { n } => n,
        }
    }
    /// Feature variables of the padded tensor.
    pub fn feature_vars(&self) -> usize {
        match *self {
            Self::Spatial { c, h, w } => log2(c.next_power_of_two()) + log2(h) + log2(w),
            Self::Flat { n } => log2(n.next_power_of_two()),
        }
    }
}

/// One layer of a supported network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetLayer {
    /// Dense `inputs → outputs`.
    Dense {
        /// Inputs.
        inputs: usize,
        /// Outputs.
        outputs: usize,
    },
    /// Same-padded stride-1 convolution.
    Conv(ConvShape),
    /// ReLU.
    Relu,
    /// 2×2 average pool.
    AvgPool(PoolShape),
    /// 2×2 max pool.
    MaxPool(PoolShape),
    /// Flatten.
    Flatten,
}

/// The public layout of a convolutional step: layers, boundaries and the aux vector.
#[derive(Clone, Debug)]
pub struct NetLayout {
    /// Per model layer.
    pub layers: Vec<NetLayer>,
    /// `layers.len() + 1` boundaries.
    pub boundaries: Vec<Boundary>,
    /// Whether layer `l` computes its input gradient.
    pub needs_input_grad: Vec<bool>,
    /// `log2` batch size.
    pub batch_vars: usize,
    /// Limb schemes.
    pub schemes: Schemes,
    /// Dataset layout.
    pub data: DatasetLayout,
    /// Model layout.
    pub model: AuxLayout,
    /// Aux layout.
    pub aux: AuxLayout,
    /// Limb tensors, in range-check order.
    pub tensors: Vec<LimbTensor>,
}

impl LimbLayout for NetLayout {
    fn schemes(&self) -> &Schemes {
        &self.schemes
    }
    fn limb_tensors(&self) -> &[LimbTensor] {
        &self.tensors
    }
    fn aux_layout(&self) -> &AuxLayout {
        &self.aux
    }
}

/// Whether `model` is a network of this module (anything with a convolution or a pool).
pub fn is_conv_net(model: &Model) -> bool {
    model.layers.iter().any(|l| {
        matches!(
            l,
            LayerSpec::Conv2d { .. } | LayerSpec::AvgPool2 | LayerSpec::MaxPool2
        )
    })
}

impl NetLayout {
    /// The layout of a step of `model` at `batch` samples over a dataset of `rows` rows.
    pub fn new(model: &Model, cfg: &TrainConfig, batch: usize, rows: usize) -> Result<Self> {
        if !batch.is_power_of_two() || batch > rows {
            return Err(unsupported(
                "batch size must be a power of two not above the dataset size",
            ));
        }
        let schemes = Schemes::new(cfg)?;
        let bv = log2(batch);
        let mut boundaries = vec![match *model.input_shape.as_slice() {
            [c, h, w] if h.is_power_of_two() && w.is_power_of_two() => {
                Boundary::Spatial { c, h, w }
            }
            [n] => Boundary::Flat { n },
            _ => {
                return Err(unsupported(
                    "conv step proofs need a [C, H, W] input with power-of-two sides",
                ))
            }
        }];
        let mut layers = Vec::new();
        let n = model.layers.len();
        for (l, spec) in model.layers.iter().enumerate() {
            let input = boundaries[l];
            let (layer, out) = match (*spec, input) {
                (LayerSpec::Dense { inputs, outputs }, Boundary::Flat { n }) if n == inputs => (
                    NetLayer::Dense { inputs, outputs },
                    Boundary::Flat { n: outputs },
                ),
                (
                    LayerSpec::Conv2d {
                        in_channels,
                        out_channels,
                        kernel,
                    },
                    Boundary::Spatial { c, h, w },
                ) if c == in_channels => (
                    NetLayer::Conv(ConvShape::new(batch, c, out_channels, h, w, kernel)?),
                    Boundary::Spatial {
                        c: out_channels,
                        h,
                        w,
                    },
                ),
                (LayerSpec::Relu, b) => {
                    if l == 0 || !model.layers[l - 1].has_params() {
                        return Err(unsupported(
                            "every ReLU must follow a Dense or Conv2d layer",
                        ));
                    }
                    (NetLayer::Relu, b)
                }
                (LayerSpec::AvgPool2 | LayerSpec::MaxPool2, Boundary::Spatial { c, h, w })
                    if h >= 2 && w >= 2 =>
                {
                    let shape = PoolShape::new(batch, c, h, w)?;
                    let layer = if matches!(spec, LayerSpec::AvgPool2) {
                        NetLayer::AvgPool(shape)
                    } else {
                        NetLayer::MaxPool(shape)
                    };
                    (
                        layer,
                        Boundary::Spatial {
                            c,
                            h: h / 2,
                            w: w / 2,
                        },
                    )
                }
                (LayerSpec::Flatten, Boundary::Spatial { c, h, w }) => {
                    (NetLayer::Flatten, Boundary::Flat { n: c * h * w })
                }
                _ => {
                    return Err(unsupported(
                        "conv step proofs support Conv2d/Dense/Relu/AvgPool2/MaxPool2/Flatten \
                         with matching shapes",
                    ))
                }
            };
            layers.push(layer);
            boundaries.push(out);
        }
        if !matches!(layers.last(), Some(NetLayer::Dense { .. })) {
            return Err(unsupported("the last layer must be Dense"));
        }
        let needs_input_grad: Vec<bool> = (0..n).map(|l| model.needs_input_grad(l)).collect();

        // Aux: limb tensors (range-checked) and plain columns.
        let mut tensors = Vec::new();
        let mut columns: Vec<(String, usize)> = Vec::new();
        let act_vars = |i: usize| boundaries[i].feature_vars() + bv;
        let mut push = |stem: String, kind: LimbKind, vars: usize, sign: Option<String>| {
            tensors.push(LimbTensor {
                stem,
                kind,
                limbs: schemes.num_limbs(kind),
                vars,
                sign,
            })
        };
        for (l, layer) in layers.iter().enumerate() {
            let grad = needs_input_grad[l];
            match layer {
                NetLayer::Dense { .. } | NetLayer::Conv(_) => {
                    let ws = WeightShape::of(&model.layers[l]).ok_or(unsupported("weights"))?;
                    let sign = matches!(layers.get(l + 1), Some(NetLayer::Relu))
                        .then(|| format!("l{}.sign", l + 1));
                    push(format!("l{l}.y"), LimbKind::Signed, act_vars(l + 1), sign);
                    push(format!("l{l}.yr"), LimbKind::RemF, act_vars(l + 1), None);
                    if grad {
                        push(format!("l{l}.h"), LimbKind::Signed, act_vars(l), None);
                        push(format!("l{l}.hr"), LimbKind::RemF, act_vars(l), None);
                    }
                    push(format!("l{l}.wr"), LimbKind::RemW, ws.weight_vars(), None);
                    push(format!("l{l}.br"), LimbKind::RemB, ws.bias_vars(), None);
                    push(format!("l{l}.wn"), LimbKind::Signed, ws.weight_vars(), None);
                    push(format!("l{l}.bn"), LimbKind::Signed, ws.bias_vars(), None);
                }
                NetLayer::Relu => {
                    columns.push((format!("l{l}.a"), act_vars(l + 1)));
                    if grad {
                        columns.push((format!("l{l}.g"), act_vars(l)));
                    }
                }
                NetLayer::AvgPool(_) => {
                    push(format!("l{l}.q"), LimbKind::Signed, act_vars(l + 1), None);
                    push(format!("l{l}.r"), LimbKind::Rem2, act_vars(l + 1), None);
                    if grad {
                        push(format!("l{l}.gq"), LimbKind::Signed, act_vars(l + 1), None);
                        push(format!("l{l}.gr"), LimbKind::Rem2, act_vars(l + 1), None);
                    }
                }
                NetLayer::MaxPool(_) => {
                    push(format!("l{l}.d"), LimbKind::Diff, act_vars(l), None);
                    columns.push((format!("l{l}.y"), act_vars(l + 1)));
                    columns.push((format!("l{l}.e"), act_vars(l)));
                    if grad {
                        columns.push((format!("l{l}.gin"), act_vars(l)));
                    }
                }
                NetLayer::Flatten => {}
            }
        }
        let mut items: Vec<(String, usize)> = Vec::new();
        for t in &tensors {
            for k in 0..t.limbs {
                items.push((t.limb_name(k), 1 << t.vars));
            }
            if let Some(s) = &t.sign {
                items.push((s.clone(), 1 << t.vars));
            }
        }
        items.extend(columns.into_iter().map(|(n, v)| (n, 1usize << v)));
        items.push((MULT_RANGE.to_string(), 1 << gkr::range_check::TABLE_VARS));
        items.push((MULT_SIGN.to_string(), 1 << gkr::range_check::TABLE_VARS));
        let data = DatasetLayout::new(model, rows)?;
        if data.col_vars() < boundaries[0].feature_vars() {
            return Err(unsupported("dataset rows narrower than the padded input"));
        }
        Ok(Self {
            layers,
            boundaries,
            needs_input_grad,
            batch_vars: bv,
            schemes,
            data,
            model: model_layout(model)?,
            aux: AuxLayout::new(items)?,
            tensors,
        })
    }

    /// Variables of boundary `i` (features and batch).
    pub fn vars(&self, i: usize) -> usize {
        self.boundaries[i].feature_vars() + self.batch_vars
    }

    /// The limb tensor with stem `stem`.
    pub fn tensor(&self, stem: &str) -> Option<&LimbTensor> {
        self.tensors.iter().find(|t| t.stem == stem)
    }
}
