//! The prover's witness: padded tensors from a (possibly dishonest) trace, the aux vector with
//! its limbs, and the range-check statement shared with the verifier.

use gkr::limbs::{SignedLimbs, UnsignedLimbs};
use gkr::range_check::{
    Multiplicities, RangeCheckParams, SegmentKind, SegmentSpec, SegmentWitness, LIMB_BITS,
    TABLE_SIZE,
};
use sumcheck::field::from_i64;
use sumcheck::F;

use crate::model::Model;
use crate::params::Params;
use crate::proof::layout::{
    model_vector, pad_matrix, DenseLayer, LimbKind, LimbLayout, Schemes, StepLayout, MULT_RANGE,
    MULT_SIGN,
};
use crate::proof::{ProofError, Result};
use crate::train::{LayerTrace, StepTrace, TrainConfig};

/// Limbs of a signed value; an out-of-range value is stored as `[v + 2^(B−1), 0, …]` (a
/// dishonest witness the range check must reject).
pub(crate) fn signed_limbs(s: &SignedLimbs, v: i64) -> Vec<i64> {
    match s.decompose(v) {
        Ok(l) => l.into_iter().map(i64::from).collect(),
        Err(_) => {
            let mut out = vec![0i64; s.num_limbs()];
            out[0] = v.wrapping_add(1i64 << (s.bits() - 1));
            out
        }
    }
}

/// Limbs of an unsigned remainder; out of range: `[v, 0, …]`.
pub(crate) fn unsigned_limbs(u: &UnsignedLimbs, v: i64) -> Vec<i64> {
    match u64::try_from(v).ok().and_then(|x| u.decompose(x).ok()) {
        Some(l) => l.into_iter().map(i64::from).collect(),
        None => {
            let mut out = vec![0i64; u.num_limbs()];
            out[0] = v;
            out
        }
    }
}

/// Append the limb columns `{stem}0, {stem}1, …` of `values` (scheme `kind`) to `named`.
pub(crate) fn push_limb_columns(
    sch: &Schemes,
    named: &mut Vec<(String, Vec<i64>)>,
    stem: &str,
    kind: LimbKind,
    values: &[i64],
) {
    let n = sch.num_limbs(kind);
    let mut cols = vec![Vec::with_capacity(values.len()); n];
    for &v in values {
        let l = match kind {
            LimbKind::Signed => signed_limbs(&sch.value, v),
            LimbKind::RemF => unsigned_limbs(&sch.rem_f, v),
            LimbKind::RemW => unsigned_limbs(&sch.rem_w, v),
            LimbKind::RemB => unsigned_limbs(&sch.rem_b, v),
            LimbKind::Rem2 => unsigned_limbs(&sch.rem_2, v),
            LimbKind::Diff => unsigned_limbs(&sch.diff, v),
        };
        for (c, x) in cols.iter_mut().zip(l) {
            c.push(x);
        }
    }
    for (i, c) in cols.into_iter().enumerate() {
        named.push((format!("{stem}{i}"), c));
    }
}

/// Assemble the aux vector of `layout` from its named columns (missing ones are zero) and fill
/// in the multiplicity segments.
pub(crate) fn assemble_aux<L: LimbLayout>(
    layout: &L,
    mut named: Vec<(String, Vec<i64>)>,
) -> Result<Vec<i64>> {
    let params_rc = range_params(layout)?;
    let tmp_mult = vec![0i64; TABLE_SIZE];
    named.push((MULT_RANGE.to_string(), tmp_mult.clone()));
    named.push((MULT_SIGN.to_string(), tmp_mult));
    let mut aux = layout
        .aux_layout()
        .assemble(named.iter().map(|(n, v)| (n.clone(), v.as_slice())))?;
    let mult = lenient_multiplicities(&params_rc, layout, &aux)?;
    for (name, m) in [(MULT_RANGE, &mult.0), (MULT_SIGN, &mult.1)] {
        let (_, seg) = layout.segment_named(name)?;
        aux[seg.offset..seg.offset + m.len()].copy_from_slice(m);
    }
    Ok(aux)
}

/// Per dense layer, the padded tensors the sumchecks need (row-major, batch = row).
#[derive(Clone, Debug, Default)]
pub(crate) struct LayerWitness {
    pub a: Vec<i64>,
    pub w: Vec<i64>,
    pub y: Vec<i64>,
    pub h: Option<Vec<i64>>,
    pub g: Vec<i64>,
    pub s: Option<Vec<i64>>,
}

pub(crate) struct Witness {
    pub layers: Vec<LayerWitness>,
    /// One-hot targets (0/1), padded `[B × O_p]` of the last layer.
    pub onehot: Vec<i64>,
    pub model_t: Vec<i64>,
    pub model_next: Vec<i64>,
    pub aux: Vec<i64>,
}

fn bad(what: &'static str) -> ProofError {
    ProofError::Unsupported { what }
}

/// Transpose a row-major `rows × cols` matrix.
pub(crate) fn transpose(m: &[i64], rows: usize, cols: usize) -> Vec<i64> {
    let mut out = vec![0i64; m.len()];
    for i in 0..rows {
        for j in 0..cols {
            out[j * rows + i] = m[i * cols + j];
        }
    }
    out
}

/// Assemble the witness from `trace` (not checked: a dishonest trace yields a rejected proof).
pub(crate) fn build(
    model: &Model,
    cfg: &TrainConfig,
    layout: &StepLayout,
    params: &Params,
    trace: &StepTrace,
) -> Result<Witness> {
    let batch = 1usize << layout.batch_vars;
    if trace.batch_size != batch || trace.layers.len() != model.layers.len() {
        return Err(ProofError::Statement {
            what: "trace does not match the batch size or the model",
        });
    }
    let f = cfg.fixed.frac_bits;
    let k = cfg.lr_shift;
    let (_, model_t) = model_vector(model, params)?;
    let (_, model_next) = model_vector(model, &trace.updated)?;
    let mut named: Vec<(String, Vec<i64>)> = Vec::new();
    let sch = layout.schemes;
    let push_limbs =
        |named: &mut Vec<(String, Vec<i64>)>, stem: &str, kind: LimbKind, values: &[i64]| {
            push_limb_columns(&sch, named, stem, kind, values)
        };
    let mut layers = Vec::new();
    let nl = layout.layers.len();
    let mut onehot = Vec::new();
    for (j, d) in layout.layers.iter().enumerate() {
        let DenseLayer {
            layer: l,
            inputs,
            outputs,
            in_vars,
            out_vars,
            relu,
        } = *d;
        let (ip, op) = (1usize << in_vars, 1usize << out_vars);
        let lt = trace.layers[l]
            .as_linear()
            .ok_or(bad("trace layer is not dense"))?;
        let p = params.layers[l].as_ref().ok_or(bad("missing parameters"))?;
        let upd = trace.updated.layers[l]
            .as_ref()
            .ok_or(bad("missing updated parameters"))?;
        let a = pad_matrix(&trace.layer_input(l).data, batch, inputs, batch, ip, 0);
        let w = pad_matrix(&p.weight.data, inputs, outputs, ip, op, 0);
        let y = pad_matrix(&lt.output.quotient.data, batch, outputs, batch, op, 0);
        let yr = pad_matrix(
            &lt.output.remainder.data,
            batch,
            outputs,
            batch,
            op,
            1 << (f - 1),
        );
        push_limbs(&mut named, &format!("l{l}.y"), LimbKind::Signed, &y);
        push_limbs(&mut named, &format!("l{l}.yr"), LimbKind::RemF, &yr);
        let h = if j > 0 {
            let hr = lt
                .input_grad
                .as_ref()
                .ok_or(bad("missing input gradient"))?;
            let hq = pad_matrix(&hr.quotient.data, batch, inputs, batch, ip, 0);
            let hrem = pad_matrix(&hr.remainder.data, batch, inputs, batch, ip, 1 << (f - 1));
            push_limbs(&mut named, &format!("l{l}.h"), LimbKind::Signed, &hq);
            push_limbs(&mut named, &format!("l{l}.hr"), LimbKind::RemF, &hrem);
            Some(hq)
        } else {
            None
        };
        let wr = pad_matrix(
            &lt.weight_update.remainder.data,
            inputs,
            outputs,
            ip,
            op,
            1 << (f + k - 1),
        );
        let br = pad_matrix(
            &lt.bias_update.remainder.data,
            1,
            outputs,
            1,
            op,
            1 << (k - 1),
        );
        push_limbs(&mut named, &format!("l{l}.wr"), LimbKind::RemW, &wr);
        push_limbs(&mut named, &format!("l{l}.br"), LimbKind::RemB, &br);
        let wn = pad_matrix(&upd.weight.data, inputs, outputs, ip, op, 0);
        let bn = pad_matrix(&upd.bias.data, 1, outputs, 1, op, 0);
        push_limbs(&mut named, &format!("l{l}.wn"), LimbKind::Signed, &wn);
        push_limbs(&mut named, &format!("l{l}.bn"), LimbKind::Signed, &bn);
        let g = pad_matrix(
            &trace
                .output_grad(l)
                .ok_or(bad("missing output gradient"))?
                .data,
            batch,
            outputs,
            batch,
            op,
            0,
        );
        let s = match relu {
            Some(r) => match &trace.layers[r] {
                LayerTrace::Relu(rt) => {
                    let s = pad_matrix(&rt.sign.data, batch, outputs, batch, op, 0);
                    named.push((format!("l{r}.sign"), s.clone()));
                    Some(s)
                }
                _ => return Err(bad("trace layer is not a ReLU")),
            },
            None => None,
        };
        if j + 1 == nl {
            let t: Vec<i64> = trace.targets.data.iter().map(|&v| v >> f).collect();
            onehot = pad_matrix(&t, batch, outputs, batch, op, 0);
        }
        layers.push(LayerWitness { a, w, y, h, g, s });
    }
    // Multiplicities need the limb segments first.
    let aux = assemble_aux(layout, named)?;
    Ok(Witness {
        layers,
        onehot,
        model_t,
        model_next,
        aux,
    })
}

/// The range-check statement of a step: every limb tensor of the layout, in order; the
/// polynomial ids are aux segment positions.
pub(crate) fn range_params<L: LimbLayout>(layout: &L) -> Result<RangeCheckParams> {
    let sch = *layout.schemes();
    let mut segs: Vec<SegmentSpec> = Vec::new();
    for t in layout.limb_tensors() {
        let ids: Vec<usize> = (0..t.limbs)
            .map(|k| layout.segment_named(&t.limb_name(k)).map(|(i, _)| i))
            .collect::<Result<_>>()?;
        let s = match (t.kind, &t.sign) {
            (LimbKind::Signed, Some(sign)) => {
                let (sid, _) = layout.segment_named(sign)?;
                sch.value.segments_with_sign(&ids, sid, t.vars)?
            }
            (LimbKind::Signed, None) => sch.value.segments(&ids, None, t.vars)?,
            (LimbKind::RemF, _) => sch.rem_f.segments(&ids, t.vars)?,
            (LimbKind::RemW, _) => sch.rem_w.segments(&ids, t.vars)?,
            (LimbKind::RemB, _) => sch.rem_b.segments(&ids, t.vars)?,
            (LimbKind::Rem2, _) => sch.rem_2.segments(&ids, t.vars)?,
            (LimbKind::Diff, _) => sch.diff.segments(&ids, t.vars)?,
        };
        segs.extend(s);
    }
    let (mr, _) = layout.segment_named(MULT_RANGE)?;
    let (ms, _) = layout.segment_named(MULT_SIGN)?;
    Ok(RangeCheckParams::new(segs, mr, ms)?)
}

fn seg_slice<'a, L: LimbLayout>(layout: &L, aux: &'a [i64], id: usize) -> Result<&'a [i64]> {
    let s = layout
        .aux_layout()
        .segments
        .get(id)
        .ok_or(bad("segment id"))?;
    Ok(&aux[s.offset..s.offset + s.padded_len])
}

/// Multiplicities counting only the entries that are in their table (a dishonest witness
/// keeps its out-of-table entries, which the logUp sum then rejects).
fn lenient_multiplicities<L: LimbLayout>(
    params: &RangeCheckParams,
    layout: &L,
    aux: &[i64],
) -> Result<(Vec<i64>, Vec<i64>)> {
    let mut range = vec![0i64; TABLE_SIZE];
    let mut sign = vec![0i64; TABLE_SIZE];
    for spec in params.segments() {
        let w = seg_slice(layout, aux, spec.poly)?;
        match spec.kind {
            SegmentKind::Limbs => {
                for &v in w {
                    if (0..TABLE_SIZE as i64).contains(&v) {
                        range[v as usize] += 1;
                    }
                }
            }
            SegmentKind::ScaledLimbs { shift } => {
                for &v in w {
                    if (0..TABLE_SIZE as i64).contains(&v) && (v << shift) < TABLE_SIZE as i64 {
                        range[(v << shift) as usize] += 1;
                    }
                }
            }
            SegmentKind::LimbsWithTopBit { top_bit_poly: b }
            | SegmentKind::LimbsWithSignBit { sign_poly: b } => {
                let col = seg_slice(layout, aux, b)?;
                let complemented = matches!(spec.kind, SegmentKind::LimbsWithSignBit { .. });
                for (&v, &c) in w.iter().zip(col) {
                    if !(0..TABLE_SIZE as i64).contains(&v) {
                        continue;
                    }
                    let top = v >> (LIMB_BITS - 1);
                    let expect = if complemented { 1 - top } else { top };
                    if c == expect {
                        sign[v as usize] += 1;
                    }
                }
            }
        }
    }
    Ok((range, sign))
}

/// The witness segments of [`range_params`] over the aux vector (as field elements).
pub(crate) fn range_witness<L: LimbLayout>(
    layout: &L,
    aux: &[i64],
) -> Result<(RangeCheckParams, Vec<Vec<F>>, Multiplicities)> {
    let params = range_params(layout)?;
    let conv = |id: usize| -> Result<Vec<F>> {
        Ok(seg_slice(layout, aux, id)?
            .iter()
            .map(|&v| from_i64(v))
            .collect())
    };
    // Every referenced polynomial id, converted once.
    let n = layout.aux_layout().segments.len();
    let mut cols: Vec<Vec<F>> = vec![Vec::new(); n];
    for spec in params.segments() {
        if cols[spec.poly].is_empty() {
            cols[spec.poly] = conv(spec.poly)?;
        }
        if let SegmentKind::LimbsWithTopBit { top_bit_poly: b }
        | SegmentKind::LimbsWithSignBit { sign_poly: b } = spec.kind
        {
            if cols[b].is_empty() {
                cols[b] = conv(b)?;
            }
        }
    }
    let (mr, ms) = (
        params.multiplicity_poly(gkr::range_check::Table::Range),
        params.multiplicity_poly(gkr::range_check::Table::Sign),
    );
    let m = Multiplicities {
        range: conv(mr)?,
        sign: conv(ms)?,
    };
    Ok((params, cols, m))
}

/// Borrow the [`SegmentWitness`]es of `params` from converted columns.
pub(crate) fn segment_witnesses<'a>(
    params: &RangeCheckParams,
    cols: &'a [Vec<F>],
) -> Vec<SegmentWitness<'a>> {
    params
        .segments()
        .iter()
        .map(|spec| match spec.kind {
            SegmentKind::LimbsWithTopBit { top_bit_poly: b }
            | SegmentKind::LimbsWithSignBit { sign_poly: b } => {
                SegmentWitness::with_top_bits(&cols[spec.poly], &cols[b])
            }
            _ => SegmentWitness::new(&cols[spec.poly]),
        })
        .collect()
}
