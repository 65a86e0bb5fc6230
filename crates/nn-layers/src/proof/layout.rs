//! Public layouts of the committed vectors: the dataset `D`, the model `W` and the aux vector.

use ark_bn254::G1Affine;
use gkr::limbs::{SignedLimbs, UnsignedLimbs};
use pcs::hyperkzg::ProverKey;
use pcs::HyperKzg;
use serde::{Deserialize, Serialize};

use crate::aux::{AuxLayout, Segment};
use crate::data::QuantizedDataset;
use crate::model::{LayerSpec, Model};
use crate::params::Params;
use crate::proof::{ProofError, Result};
use crate::train::TrainConfig;

fn log2(n: usize) -> usize {
    n.trailing_zeros() as usize
}

/// Layout of the dataset vector (SPEC §4): `rows` rows of `2P` entries,
/// `P = next_pow2(max(input_len, num_classes))`; in row `r` (offset `r·2P`) the quantized input
/// at `[0, input_len)` and the one-hot label (0/1) at `[P, P + num_classes)`, zeros elsewhere.
/// Variables, low first: `log P` column bits, the "half" bit (0 input, 1 label), `log rows` row
/// bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetLayout {
    /// Number of rows `N` (a power of two).
    pub rows: usize,
    /// `P`.
    pub half: usize,
    /// Values per input.
    pub input_len: usize,
    /// Number of classes.
    pub num_classes: usize,
}

impl DatasetLayout {
    /// The layout for `model` over `rows` rows.
    pub fn new(model: &Model, rows: usize) -> Result<Self> {
        if !rows.is_power_of_two() {
            return Err(ProofError::Unsupported {
                what: "the number of dataset rows must be a power of two",
            });
        }
        let half = model
            .input_len()
            .max(model.num_classes())
            .next_power_of_two();
        Ok(Self {
            rows,
            half,
            input_len: model.input_len(),
            num_classes: model.num_classes(),
        })
    }

    /// `log2 P`.
    pub fn col_vars(&self) -> usize {
        log2(self.half)
    }

    /// `log2 N`.
    pub fn row_vars(&self) -> usize {
        log2(self.rows)
    }

    /// Variables of the dataset MLE.
    pub fn num_vars(&self) -> usize {
        self.col_vars() + 1 + self.row_vars()
    }

    /// Length of the vector, `N·2P`.
    pub fn len(&self) -> usize {
        self.rows * 2 * self.half
    }

    /// Never empty.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The dataset vector of SPEC §4 for `model` (inputs at scale `2^F`, labels as 0/1).
pub fn dataset_vector(ds: &QuantizedDataset, model: &Model) -> Result<(DatasetLayout, Vec<i64>)> {
    if ds.sample_len() != model.input_len() || ds.num_classes != model.num_classes() {
        return Err(ProofError::Unsupported {
            what: "dataset sample length or class count does not match the model",
        });
    }
    let layout = DatasetLayout::new(model, ds.len())?;
    let (p, il) = (layout.half, layout.input_len);
    let mut out = vec![0i64; layout.len()];
    for (r, row) in out.chunks_mut(2 * p).enumerate() {
        row[..il].copy_from_slice(&ds.inputs[r * il..(r + 1) * il]);
        let label = ds.labels[r] as usize;
        if label >= layout.num_classes {
            return Err(ProofError::Unsupported {
                what: "label out of range",
            });
        }
        row[p + label] = 1;
    }
    Ok((layout, out))
}

/// The dataset commitment `C_D` with its public layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataCommitment {
    /// The HyperKZG commitment to the dataset vector.
    pub commitment: G1Affine,
    /// Its layout.
    pub layout: DatasetLayout,
}

/// Commit to a dataset vector from [`dataset_vector`].
pub fn commit_dataset(
    pk: &ProverKey,
    layout: &DatasetLayout,
    values: &[i64],
) -> Result<DataCommitment> {
    if values.len() != layout.len() {
        return Err(ProofError::Unsupported {
            what: "dataset vector length does not match its layout",
        });
    }
    let c = HyperKzg::commit_i64(pk, values)?;
    Ok(DataCommitment {
        commitment: c.0,
        layout: *layout,
    })
}

/// One dense layer of a supported network (`Dense (Relu Dense)*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DenseLayer {
    /// Index of the dense layer in the model.
    pub layer: usize,
    /// Index of the ReLU after it (all but the last dense layer).
    pub relu: Option<usize>,
    /// Inputs.
    pub inputs: usize,
    /// Outputs.
    pub outputs: usize,
    /// `log2 next_pow2(inputs)`.
    pub in_vars: usize,
    /// `log2 next_pow2(outputs)`.
    pub out_vars: usize,
}

/// The dense layers of `model`, which must be `Dense (Relu Dense)*` on a vector input.
pub fn dense_layers(model: &Model) -> Result<Vec<DenseLayer>> {
    let unsupported = ProofError::Unsupported {
        what: "step proofs support Dense (Relu Dense)* networks on vector inputs",
    };
    if model.input_shape.len() != 1 {
        return Err(unsupported);
    }
    let mut out: Vec<DenseLayer> = Vec::new();
    let mut expect_dense = true;
    for (l, spec) in model.layers.iter().enumerate() {
        match (*spec, expect_dense) {
            (LayerSpec::Dense { inputs, outputs }, true) => {
                out.push(DenseLayer {
                    layer: l,
                    relu: None,
                    inputs,
                    outputs,
                    in_vars: log2(inputs.next_power_of_two()),
                    out_vars: log2(outputs.next_power_of_two()),
                });
                expect_dense = false;
            }
            (LayerSpec::Relu, false) => {
                if let Some(d) = out.last_mut() {
                    d.relu = Some(l);
                }
                expect_dense = true;
            }
            _ => return Err(unsupported),
        }
    }
    if expect_dense || out.is_empty() {
        return Err(unsupported);
    }
    Ok(out)
}

/// Segment names of the committed model vector.
pub fn weight_name(layer: usize) -> String {
    format!("l{layer}.weight")
}

/// Segment names of the committed model vector.
pub fn bias_name(layer: usize) -> String {
    format!("l{layer}.bias")
}

/// A parametric layer's committed weight shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightShape {
    /// `next_pow2(in) × next_pow2(out)` row-major (input index = row, output bits low).
    Dense {
        /// Inputs.
        inputs: usize,
        /// Outputs.
        outputs: usize,
    },
    /// `[O_p][C_p][K_p][K_p]` row-major (`ConvShape::weight_index`; variables `dx ‖ dy ‖ c ‖ o`).
    Conv {
        /// Input channels.
        in_channels: usize,
        /// Output channels.
        out_channels: usize,
        /// Kernel size.
        kernel: usize,
    },
}

impl WeightShape {
    /// The shape of layer `spec`, if parametric.
    pub fn of(spec: &LayerSpec) -> Option<Self> {
        match *spec {
            LayerSpec::Dense { inputs, outputs } => Some(Self::Dense { inputs, outputs }),
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel,
            } => Some(Self::Conv {
                in_channels,
                out_channels,
                kernel,
            }),
            _ => None,
        }
    }

    /// Variables of the padded weight.
    pub fn weight_vars(&self) -> usize {
        match *self {
            Self::Dense { inputs, outputs } => {
                log2(inputs.next_power_of_two()) + log2(outputs.next_power_of_two())
            }
            Self::Conv {
                in_channels,
                out_channels,
                kernel,
            } => {
                log2(in_channels.next_power_of_two())
                    + log2(out_channels.next_power_of_two())
                    + 2 * log2(kernel.next_power_of_two())
            }
        }
    }

    /// Variables of the padded bias (`log2 next_pow2(out)`).
    pub fn bias_vars(&self) -> usize {
        match *self {
            Self::Dense { outputs, .. } => log2(outputs.next_power_of_two()),
            Self::Conv { out_channels, .. } => log2(out_channels.next_power_of_two()),
        }
    }

    /// Pad a weight in the parameter file's layout (`[in][out]` or `[O][C][K][K]`) to the
    /// committed layout, `fill` on the padding.
    pub fn pad(&self, w: &[i64], fill: i64) -> Vec<i64> {
        match *self {
            Self::Dense { inputs, outputs } => pad_matrix(
                w,
                inputs,
                outputs,
                inputs.next_power_of_two(),
                outputs.next_power_of_two(),
                fill,
            ),
            Self::Conv {
                in_channels: c,
                out_channels: o,
                kernel: k,
            } => {
                let (cp, kp) = (c.next_power_of_two(), k.next_power_of_two());
                let mut out = vec![fill; 1 << self.weight_vars()];
                for oi in 0..o {
                    for ci in 0..c {
                        for dy in 0..k {
                            let src = ((oi * c + ci) * k + dy) * k;
                            let dst = ((oi * cp + ci) * kp + dy) * kp;
                            out[dst..dst + k].copy_from_slice(&w[src..src + k]);
                        }
                    }
                }
                out
            }
        }
    }
}

/// The committed model layout: per parametric layer its padded weight ([`WeightShape`]) and
/// its bias padded to `next_pow2(out)`, zero-padded, as power-of-two aligned segments
/// ([`AuxLayout`] packing).
pub fn model_layout(model: &Model) -> Result<AuxLayout> {
    let mut items = Vec::new();
    for (l, spec) in model.layers.iter().enumerate() {
        if let Some(ws) = WeightShape::of(spec) {
            items.push((weight_name(l), 1usize << ws.weight_vars()));
            items.push((bias_name(l), 1usize << ws.bias_vars()));
        }
    }
    if items.is_empty() {
        return Err(ProofError::Unsupported {
            what: "a model without parameters",
        });
    }
    Ok(AuxLayout::new(items)?)
}

/// Write a row-major `rows × cols` matrix into a zero-padded `rows_p × cols_p` one.
pub(crate) fn pad_matrix(
    m: &[i64],
    rows: usize,
    cols: usize,
    rows_p: usize,
    cols_p: usize,
    fill: i64,
) -> Vec<i64> {
    let mut out = vec![fill; rows_p * cols_p];
    for i in 0..rows.min(rows_p) {
        let src = &m[i * cols..(i + 1) * cols];
        out[i * cols_p..i * cols_p + cols.min(cols_p)].copy_from_slice(&src[..cols.min(cols_p)]);
    }
    out
}

/// The committed model vector of `params` (layout [`model_layout`]).
pub fn model_vector(model: &Model, params: &Params) -> Result<(AuxLayout, Vec<i64>)> {
    let layout = model_layout(model)?;
    params.check_shapes(model)?;
    let mut out = vec![0i64; layout.total_len];
    for (l, spec) in model.layers.iter().enumerate() {
        let Some(ws) = WeightShape::of(spec) else {
            continue;
        };
        let p = params.layers[l].as_ref().ok_or(ProofError::Unsupported {
            what: "missing parameters",
        })?;
        let w = ws.pad(&p.weight.data, 0);
        let place = |out: &mut Vec<i64>, seg: Option<&Segment>, v: &[i64]| -> Result<()> {
            let s = seg.ok_or(ProofError::Unsupported {
                what: "model layout segment",
            })?;
            out[s.offset..s.offset + v.len()].copy_from_slice(v);
            Ok(())
        };
        place(&mut out, layout.segment(&weight_name(l)), &w)?;
        place(&mut out, layout.segment(&bias_name(l)), &p.bias.data)?;
    }
    Ok((layout, out))
}

/// `C_W`: the commitment to the model vector of `params`.
pub fn commit_model(pk: &ProverKey, model: &Model, params: &Params) -> Result<G1Affine> {
    let (_, v) = model_vector(model, params)?;
    Ok(HyperKzg::commit_i64(pk, &v)?.0)
}

/// Limb schemes of a step: signed values (`B` bits), forward/backward remainders (`F` bits),
/// weight-update remainders (`F + k` bits), bias-update remainders (`k` bits).
#[derive(Clone, Copy, Debug)]
pub struct Schemes {
    /// Signed values.
    pub value: SignedLimbs,
    /// `F`-bit remainders.
    pub rem_f: UnsignedLimbs,
    /// `(F+k)`-bit remainders.
    pub rem_w: UnsignedLimbs,
    /// `k`-bit remainders.
    pub rem_b: UnsignedLimbs,
    /// 2-bit remainders (average pools).
    pub rem_2: UnsignedLimbs,
    /// `B`-bit unsigned differences (max-pool `y − x_t`).
    pub diff: UnsignedLimbs,
}

impl Schemes {
    /// The schemes of `cfg`; `B ∈ {16, 32, 48}`, `1 ≤ k`, `F + k ≤ 32`.
    pub fn new(cfg: &TrainConfig) -> Result<Self> {
        let f = cfg.fixed.frac_bits;
        let k = cfg.lr_shift;
        let bad = ProofError::Unsupported {
            what: "step proofs need B ∈ {16, 32, 48}, k ≥ 1 and F + k ≤ 32",
        };
        if k == 0 || f + k > 32 {
            return Err(bad);
        }
        Ok(Self {
            value: SignedLimbs::new(cfg.fixed.value_bits).map_err(|_| bad.clone())?,
            rem_f: UnsignedLimbs::new(f).map_err(|_| bad.clone())?,
            rem_w: UnsignedLimbs::new(f + k).map_err(|_| bad.clone())?,
            rem_b: UnsignedLimbs::new(k).map_err(|_| bad.clone())?,
            rem_2: UnsignedLimbs::new(2).map_err(|_| bad.clone())?,
            diff: UnsignedLimbs::new(cfg.fixed.value_bits).map_err(|_| bad)?,
        })
    }

    /// Number of limbs of a tensor of `kind`.
    pub fn num_limbs(&self, kind: LimbKind) -> usize {
        match kind {
            LimbKind::Signed => self.value.num_limbs(),
            LimbKind::RemF => self.rem_f.num_limbs(),
            LimbKind::RemW => self.rem_w.num_limbs(),
            LimbKind::RemB => self.rem_b.num_limbs(),
            LimbKind::Rem2 => self.rem_2.num_limbs(),
            LimbKind::Diff => self.diff.num_limbs(),
        }
    }

    /// The value of limb evaluations `limbs` of a tensor of `kind` (a linear map).
    pub fn compose(&self, kind: LimbKind, limbs: &[sumcheck::F]) -> Result<sumcheck::F> {
        Ok(match kind {
            LimbKind::Signed => self.value.compose(limbs)?,
            LimbKind::RemF => self.rem_f.compose(limbs)?,
            LimbKind::RemW => self.rem_w.compose(limbs)?,
            LimbKind::RemB => self.rem_b.compose(limbs)?,
            LimbKind::Rem2 => self.rem_2.compose(limbs)?,
            LimbKind::Diff => self.diff.compose(limbs)?,
        })
    }
}

/// What a limb segment of the aux vector holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimbKind {
    /// Signed value limbs.
    Signed,
    /// `F`-bit remainder limbs.
    RemF,
    /// `(F+k)`-bit remainder limbs.
    RemW,
    /// `k`-bit remainder limbs.
    RemB,
    /// 2-bit remainder limbs (average pools).
    Rem2,
    /// `B`-bit unsigned difference limbs (max pools).
    Diff,
}

/// A tensor of the aux vector stored as limbs: its name stem and limb segment names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimbTensor {
    /// Name stem, e.g. `l0.y`.
    pub stem: String,
    /// Limb scheme.
    pub kind: LimbKind,
    /// Number of limbs.
    pub limbs: usize,
    /// `log2` of the padded length.
    pub vars: usize,
    /// The sign column (for a value followed by a ReLU).
    pub sign: Option<String>,
}

impl LimbTensor {
    /// Name of limb `k`.
    pub fn limb_name(&self, k: usize) -> String {
        format!("{}{k}", self.stem)
    }
}

/// The aux layout of one step and the list of its limb tensors.
#[derive(Clone, Debug)]
pub struct StepLayout {
    /// The dense layers.
    pub layers: Vec<DenseLayer>,
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
    /// Every limb tensor, in range-check order.
    pub tensors: Vec<LimbTensor>,
}

/// Name of the range-table multiplicity segment.
pub const MULT_RANGE: &str = "mult.range";
/// Name of the sign-table multiplicity segment.
pub const MULT_SIGN: &str = "mult.sign";

impl StepLayout {
    /// The layout of a step of `model` at `batch` samples over a dataset of `rows` rows.
    pub fn new(model: &Model, cfg: &TrainConfig, batch: usize, rows: usize) -> Result<Self> {
        if !batch.is_power_of_two() || batch > rows {
            return Err(ProofError::Unsupported {
                what: "batch size must be a power of two not above the dataset size",
            });
        }
        let layers = dense_layers(model)?;
        let schemes = Schemes::new(cfg)?;
        let bv = log2(batch);
        let mut tensors = Vec::new();
        let n_of = |k: LimbKind| schemes.num_limbs(k);
        let mut push = |stem: String, kind: LimbKind, vars: usize, sign: Option<String>| {
            tensors.push(LimbTensor {
                stem,
                kind,
                limbs: n_of(kind),
                vars,
                sign,
            })
        };
        for (j, d) in layers.iter().enumerate() {
            let l = d.layer;
            let sign = d.relu.map(|r| format!("l{r}.sign"));
            push(format!("l{l}.y"), LimbKind::Signed, bv + d.out_vars, sign);
            push(format!("l{l}.yr"), LimbKind::RemF, bv + d.out_vars, None);
            if j > 0 {
                push(format!("l{l}.h"), LimbKind::Signed, bv + d.in_vars, None);
                push(format!("l{l}.hr"), LimbKind::RemF, bv + d.in_vars, None);
            }
            push(
                format!("l{l}.wr"),
                LimbKind::RemW,
                d.in_vars + d.out_vars,
                None,
            );
            push(format!("l{l}.br"), LimbKind::RemB, d.out_vars, None);
            push(
                format!("l{l}.wn"),
                LimbKind::Signed,
                d.in_vars + d.out_vars,
                None,
            );
            push(format!("l{l}.bn"), LimbKind::Signed, d.out_vars, None);
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
        items.push((MULT_RANGE.to_string(), 1 << gkr::range_check::TABLE_VARS));
        items.push((MULT_SIGN.to_string(), 1 << gkr::range_check::TABLE_VARS));
        Ok(Self {
            layers,
            batch_vars: bv,
            schemes,
            data: DatasetLayout::new(model, rows)?,
            model: model_layout(model)?,
            aux: AuxLayout::new(items)?,
            tensors,
        })
    }

    /// Position (range-check polynomial id) and segment of an aux segment.
    pub fn aux_segment(&self, name: &str) -> Result<(usize, &Segment)> {
        self.aux
            .segments
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .ok_or(ProofError::Unsupported {
                what: "unknown aux segment",
            })
    }

    /// The limb tensor with stem `stem`.
    pub fn tensor(&self, stem: &str) -> Option<&LimbTensor> {
        self.tensors.iter().find(|t| t.stem == stem)
    }
}

/// What the range-check plumbing needs of a step layout: the limb schemes, the limb tensors in
/// range-check order and the aux layout.
pub(crate) trait LimbLayout {
    fn schemes(&self) -> &Schemes;
    fn limb_tensors(&self) -> &[LimbTensor];
    fn aux_layout(&self) -> &AuxLayout;
    /// Position (range-check polynomial id) and segment of an aux segment.
    fn segment_named(&self, name: &str) -> Result<(usize, &Segment)> {
        self.aux_layout()
            .segments
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .ok_or(ProofError::Unsupported {
                what: "unknown aux segment",
            })
    }
}

impl LimbLayout for StepLayout {
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
