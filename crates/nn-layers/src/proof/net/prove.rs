//! The conv-network prover: the witness (padded boundary tensors and the aux vector) and the
//! prover's [`StepParty`].

use std::time::{Duration, Instant};

use ark_ff::PrimeField;
use gkr::relations::conv::{prove_conv, ConvClaim, ConvRelation, ConvShape};
use gkr::relations::masked_product_prover;
use gkr::relations::pool::{prove_max_pool, prove_max_pool_backward, PoolClaim, PoolShape};
use gkr::step::{prove_merge, ClaimBook, EvalWriter, StepProof, VerifyError};
use pcs::hyperkzg::ProverKey;
use sumcheck::mle::evaluate_evals;
use sumcheck::{
    prove_batched, MatmulDims, MatmulProver, MultilinearPoly, SumcheckProof, Transcript, F,
};

use crate::model::Model;
use crate::params::Params;
use crate::proof::layout::{pad_matrix, weight_name, LimbKind, LimbLayout, WeightShape};
use crate::proof::net::protocol::{self, StepParty, Val, L_EVALS, L_POOL_Y};
use crate::proof::net::{NetLayer, NetLayout};
use crate::proof::prover::{
    check_dataset, commit_step, open_step, prove_range_into, step_commitments, DishonestOptions,
    ProvenStep, StepTimings, AUX, DATA, MODEL, NEW_MODEL,
};
use crate::proof::witness::{assemble_aux, push_limb_columns, transpose};
use crate::proof::{ProofError, Result, StepStatement};
use crate::train::{LayerTrace, StepTrace, TrainConfig};

fn bad(what: &'static str) -> ProofError {
    ProofError::Unsupported { what }
}

/// The prover's witness of a conv-network step.
pub(crate) struct NetWitness {
    /// Padded `A_i` per boundary.
    acts: Vec<Vec<i64>>,
    /// Padded `G_i` per boundary where computed (empty otherwise).
    grads: Vec<Vec<i64>>,
    pub model_t: Vec<i64>,
    pub model_next: Vec<i64>,
    pub aux: Vec<i64>,
}

fn pad_boundary(lay: &NetLayout, i: usize, data: &[i64], fill: i64) -> Vec<i64> {
    let b = 1usize << lay.batch_vars;
    let feat = lay.boundaries[i].features();
    pad_matrix(
        data,
        b,
        feat,
        b,
        1 << lay.boundaries[i].feature_vars(),
        fill,
    )
}

fn pad_bias(ws: &WeightShape, bias: &[i64], fill: i64) -> Vec<i64> {
    pad_matrix(bias, 1, bias.len(), 1, 1 << ws.bias_vars(), fill)
}

/// Max-pool differences `d[q·4 + t] = y[q] − x_t(q)` in the window layout.
fn max_pool_diffs(shape: &PoolShape, x: &[i64], y: &[i64]) -> Vec<i64> {
    let (h, w) = (shape.height as usize, shape.width as usize);
    let (hq, wq) = (h / 2, w / 2);
    let mut d = vec![0i64; 4 * y.len()];
    for (q, &yq) in y.iter().enumerate() {
        let (xx, rest) = (q % wq, q / wq);
        let (yy, bc) = (rest % hq, rest / hq);
        for t in 0..4 {
            let (t0, t1) = (t & 1, t >> 1);
            let xi = (bc * h + 2 * yy + t1) * w + 2 * xx + t0;
            d[4 * q + t] = yq - x.get(xi).copied().unwrap_or(0);
        }
    }
    d
}

/// Assemble the witness from `trace` (not checked: a dishonest trace yields a rejected proof).
pub(crate) fn build_witness(
    model: &Model,
    cfg: &TrainConfig,
    lay: &NetLayout,
    params: &Params,
    trace: &StepTrace,
) -> Result<NetWitness> {
    let batch = 1usize << lay.batch_vars;
    let n = lay.layers.len();
    if trace.batch_size != batch || trace.layers.len() != n {
        return Err(ProofError::Statement {
            what: "trace does not match the batch size or the model",
        });
    }
    let (f, k) = (cfg.fixed.frac_bits, cfg.lr_shift);
    let (_, model_t) = crate::proof::layout::model_vector(model, params)?;
    let (_, model_next) = crate::proof::layout::model_vector(model, &trace.updated)?;
    let mut acts = Vec::with_capacity(n + 1);
    acts.push(pad_boundary(lay, 0, &trace.input.data, 0));
    for l in 0..n {
        acts.push(pad_boundary(lay, l + 1, &trace.layers[l].output().data, 0));
    }
    let mut grads = vec![Vec::new(); n + 1];
    grads[n] = pad_boundary(lay, n, &trace.loss_grad.data, 0);
    for (l, g) in grads.iter_mut().enumerate().take(n) {
        if lay.needs_input_grad[l] {
            let t = trace.input_grad(l).ok_or(bad("missing input gradient"))?;
            *g = pad_boundary(lay, l, &t.data, 0);
        }
    }

    let sch = lay.schemes;
    let mut named: Vec<(String, Vec<i64>)> = Vec::new();
    let limbs = |named: &mut Vec<(String, Vec<i64>)>, stem: String, kind, v: &[i64]| {
        push_limb_columns(&sch, named, &stem, kind, v)
    };
    for (l, layer) in lay.layers.iter().enumerate() {
        let tl = &trace.layers[l];
        match (layer, tl) {
            (
                NetLayer::Dense { .. } | NetLayer::Conv(_),
                LayerTrace::Dense(lt) | LayerTrace::Conv2d(lt),
            ) => {
                let ws = WeightShape::of(&model.layers[l]).ok_or(bad("weights"))?;
                let upd = trace.updated.layers[l]
                    .as_ref()
                    .ok_or(bad("missing updated parameters"))?;
                let half_f = 1i64 << (f - 1);
                let y = pad_boundary(lay, l + 1, &lt.output.quotient.data, 0);
                let yr = pad_boundary(lay, l + 1, &lt.output.remainder.data, half_f);
                limbs(&mut named, format!("l{l}.y"), LimbKind::Signed, &y);
                limbs(&mut named, format!("l{l}.yr"), LimbKind::RemF, &yr);
                if lay.needs_input_grad[l] {
                    let hr = lt
                        .input_grad
                        .as_ref()
                        .ok_or(bad("missing input gradient"))?;
                    let h = pad_boundary(lay, l, &hr.quotient.data, 0);
                    let hrem = pad_boundary(lay, l, &hr.remainder.data, half_f);
                    limbs(&mut named, format!("l{l}.h"), LimbKind::Signed, &h);
                    limbs(&mut named, format!("l{l}.hr"), LimbKind::RemF, &hrem);
                }
                let wr = ws.pad(&lt.weight_update.remainder.data, 1 << (f + k - 1));
                let br = pad_bias(&ws, &lt.bias_update.remainder.data, 1 << (k - 1));
                limbs(&mut named, format!("l{l}.wr"), LimbKind::RemW, &wr);
                limbs(&mut named, format!("l{l}.br"), LimbKind::RemB, &br);
                let wn = ws.pad(&upd.weight.data, 0);
                let bn = pad_bias(&ws, &upd.bias.data, 0);
                limbs(&mut named, format!("l{l}.wn"), LimbKind::Signed, &wn);
                limbs(&mut named, format!("l{l}.bn"), LimbKind::Signed, &bn);
            }
            (NetLayer::Relu, LayerTrace::Relu(rt)) => {
                named.push((format!("l{l}.sign"), pad_boundary(lay, l, &rt.sign.data, 0)));
                named.push((format!("l{l}.a"), acts[l + 1].clone()));
                if lay.needs_input_grad[l] {
                    named.push((format!("l{l}.g"), grads[l].clone()));
                }
            }
            (NetLayer::AvgPool(_), LayerTrace::AvgPool2(pt)) => {
                let q = pad_boundary(lay, l + 1, &pt.output.quotient.data, 0);
                let r = pad_boundary(lay, l + 1, &pt.output.remainder.data, 0);
                limbs(&mut named, format!("l{l}.q"), LimbKind::Signed, &q);
                limbs(&mut named, format!("l{l}.r"), LimbKind::Rem2, &r);
                if lay.needs_input_grad[l] {
                    let g = pt
                        .grad_rescale
                        .as_ref()
                        .ok_or(bad("missing pool gradient"))?;
                    let gq = pad_boundary(lay, l + 1, &g.quotient.data, 0);
                    let gr = pad_boundary(lay, l + 1, &g.remainder.data, 0);
                    limbs(&mut named, format!("l{l}.gq"), LimbKind::Signed, &gq);
                    limbs(&mut named, format!("l{l}.gr"), LimbKind::Rem2, &gr);
                }
            }
            (NetLayer::MaxPool(shape), LayerTrace::MaxPool2(mt)) => {
                let d = max_pool_diffs(shape, &acts[l], &acts[l + 1]);
                limbs(&mut named, format!("l{l}.d"), LimbKind::Diff, &d);
                named.push((format!("l{l}.y"), acts[l + 1].clone()));
                named.push((
                    format!("l{l}.e"),
                    pad_boundary(lay, l, &mt.selectors.data, 0),
                ));
                if lay.needs_input_grad[l] {
                    named.push((format!("l{l}.gin"), grads[l].clone()));
                }
            }
            (NetLayer::Flatten, LayerTrace::Flatten(_)) => {}
            _ => return Err(bad("trace layer does not match the model")),
        }
    }
    let aux = assemble_aux(lay, named)?;
    Ok(NetWitness {
        acts,
        grads,
        model_t,
        model_next,
        aux,
    })
}

/// The integer `v` represents (`|v| < 2^63`), if any.
fn signed_value(v: &F) -> Option<i64> {
    let small = |x: F| {
        let b = x.into_bigint();
        (b.0[1..].iter().all(|l| *l == 0) && b.0[0] <= i64::MAX as u64).then_some(b.0[0] as i64)
    };
    small(*v).or_else(|| small(-*v).map(|m| -m))
}

fn eval_i64(v: &[i64], point: &[F]) -> std::result::Result<F, VerifyError> {
    if v.len() != 1usize << point.len() {
        return Err(VerifyError::malformed("prover: point of the wrong length"));
    }
    let f: Vec<F> = v.iter().map(|&x| sumcheck::field::from_i64(x)).collect();
    Ok(evaluate_evals(&f, point))
}

fn stmt(what: &'static str) -> VerifyError {
    VerifyError::Statement { what }
}

/// The prover's role: computes, sends and proves.
struct ProverParty<'a, T: Transcript> {
    tr: &'a mut T,
    lay: &'a NetLayout,
    w: &'a NetWitness,
    /// The batch block of the dataset vector and the number of block bits it drops.
    data_block: &'a [i64],
    block_vars: usize,
    writer: EvalWriter,
    book: ClaimBook,
    sumchecks: Vec<SumcheckProof>,
    evals: Vec<Vec<Vec<F>>>,
    mark: Instant,
    layer_times: Vec<(usize, &'static str, Duration)>,
}

fn field(v: &[i64]) -> Vec<F> {
    v.iter().map(|&x| sumcheck::field::from_i64(x)).collect()
}

impl<T: Transcript> ProverParty<'_, T> {
    fn aux_slice(&self, name: &str) -> std::result::Result<&[i64], VerifyError> {
        let (_, s) = self
            .lay
            .segment_named(name)
            .map_err(|_| stmt("aux segment"))?;
        Ok(&self.w.aux[s.offset..s.offset + s.padded_len])
    }

    fn val(&self, v: Val) -> std::result::Result<&[i64], VerifyError> {
        match v {
            Val::Act(i) => self
                .w
                .acts
                .get(i)
                .map(Vec::as_slice)
                .ok_or(stmt("boundary")),
            Val::Grad(i) => match self.w.grads.get(i) {
                Some(g) if !g.is_empty() => Ok(g),
                _ => Err(stmt("gradient")),
            },
            Val::Weight(l) => {
                let s = self
                    .lay
                    .model
                    .segment(&weight_name(l))
                    .ok_or(stmt("weight"))?;
                Ok(&self.w.model_t[s.offset..s.offset + s.padded_len])
            }
            Val::Sign(l) => self.aux_slice(&format!("l{l}.sign")),
            Val::Sel(l) => self.aux_slice(&format!("l{l}.e")),
        }
    }

    fn push(&mut self, proof: SumcheckProof, evals: Vec<Vec<F>>) {
        self.sumchecks.push(proof);
        self.evals.push(evals);
    }

    fn add_aux(
        &mut self,
        name: &str,
        point: &[F],
        value: F,
    ) -> std::result::Result<(), VerifyError> {
        let (_, s) = self
            .lay
            .segment_named(name)
            .map_err(|_| stmt("aux segment"))?;
        self.book.add_segment(AUX, point, s.index(), value)
    }
}

impl<T: Transcript> StepParty for ProverParty<'_, T> {
    fn challenges(&mut self, label: &'static [u8], n: usize) -> Vec<F> {
        self.tr.challenges(label, n)
    }

    fn limbs(&mut self, stem: &str, point: &[F]) -> std::result::Result<F, VerifyError> {
        let t = self.lay.tensor(stem).ok_or(stmt("limb tensor"))?.clone();
        let mut vals = Vec::with_capacity(t.limbs);
        for k in 0..t.limbs {
            let name = t.limb_name(k);
            let v = eval_i64(self.aux_slice(&name)?, point)?;
            self.add_aux(&name, point, v)?;
            vals.push(v);
        }
        let value = self
            .lay
            .schemes
            .compose(t.kind, &vals)
            .map_err(|_| stmt("limb composition"))?;
        self.writer.send(self.tr, L_EVALS, vals);
        Ok(value)
    }

    fn column(&mut self, name: &str, point: &[F]) -> std::result::Result<F, VerifyError> {
        let v = eval_i64(self.aux_slice(name)?, point)?;
        self.add_aux(name, point, v)?;
        self.writer.send(self.tr, L_EVALS, vec![v]);
        Ok(v)
    }

    fn model(
        &mut self,
        next: bool,
        name: &str,
        point: &[F],
    ) -> std::result::Result<F, VerifyError> {
        let s = self.lay.model.segment(name).ok_or(stmt("model segment"))?;
        let vec = if next {
            &self.w.model_next
        } else {
            &self.w.model_t
        };
        let v = eval_i64(&vec[s.offset..s.offset + s.padded_len], point)?;
        let poly = if next { NEW_MODEL } else { MODEL };
        self.book.add_segment(poly, point, s.index(), v)?;
        self.writer.send(self.tr, L_EVALS, vec![v]);
        Ok(v)
    }

    fn data(&mut self, point: Vec<F>) -> std::result::Result<F, VerifyError> {
        let local = point
            .len()
            .checked_sub(self.block_vars)
            .map(|n| &point[..n])
            .ok_or(stmt("data point"))?;
        let v = eval_i64(self.data_block, local)?;
        self.book.add(DATA, point, v)?;
        self.writer.send(self.tr, L_EVALS, vec![v]);
        Ok(v)
    }

    fn claim_column(
        &mut self,
        name: &str,
        point: &[F],
        value: F,
    ) -> std::result::Result<(), VerifyError> {
        self.add_aux(name, point, value)
    }

    fn claim_model(
        &mut self,
        name: &str,
        point: &[F],
        value: F,
    ) -> std::result::Result<(), VerifyError> {
        let s = self.lay.model.segment(name).ok_or(stmt("model segment"))?;
        self.book.add_segment(MODEL, point, s.index(), value)
    }

    fn check(&self, _what: &str, _expected: F, _actual: F) -> std::result::Result<(), VerifyError> {
        Ok(())
    }

    fn conv(
        &mut self,
        relation: ConvRelation,
        shape: ConvShape,
        operands: (Val, Val),
        point: Vec<F>,
        _claim: F,
    ) -> std::result::Result<[ConvClaim; 2], VerifyError> {
        let first = field(self.val(operands.0)?);
        let second = field(self.val(operands.1)?);
        let (proof, _, claims) = prove_conv(relation, shape, &first, &second, point, self.tr)
            .map_err(protocol::layer_err(protocol::conv_name(relation)))?;
        self.push(proof.stage1, vec![proof.stage1_evals]);
        self.push(proof.stage2, vec![proof.stage2_evals]);
        Ok(claims)
    }

    fn matmul(
        &mut self,
        dims: MatmulDims,
        a: (Val, bool),
        b: (Val, bool),
        point: Vec<F>,
        _claim: F,
    ) -> std::result::Result<(Vec<F>, F, F), VerifyError> {
        let (m, n, p) = (
            1usize << dims.log_m,
            1usize << dims.log_n,
            1usize << dims.log_p,
        );
        let operand = |v: &[i64], transposed: bool, rows: usize, cols: usize| {
            if transposed {
                MultilinearPoly::from_i64s(&transpose(v, cols, rows))
            } else {
                MultilinearPoly::from_i64s(v)
            }
        };
        let pa = operand(self.val(a.0)?, a.1, m, n);
        let pb = operand(self.val(b.0)?, b.1, n, p);
        let mut prover =
            MatmulProver::new(&pa, &pb, dims, point).map_err(|source| VerifyError::Sumcheck {
                phase: "matmul",
                source,
            })?;
        drop((pa, pb));
        let (proof, r, finals) = prove_batched(&mut [&mut prover], self.tr);
        let fe = finals.first().cloned().unwrap_or_default();
        let (av, bv) = match fe.as_slice() {
            [x, y] => (*x, *y),
            _ => return Err(stmt("matmul evaluations")),
        };
        self.push(proof, finals);
        Ok((r, av, bv))
    }

    fn masked(
        &mut self,
        x: Val,
        sign: Val,
        point: Vec<F>,
        _claim: F,
    ) -> std::result::Result<(Vec<F>, F, F), VerifyError> {
        let px = MultilinearPoly::from_i64s(self.val(x)?);
        let ps = MultilinearPoly::from_i64s(self.val(sign)?);
        let mut prover =
            masked_product_prover(point, px, ps).map_err(|source| VerifyError::Sumcheck {
                phase: "relu",
                source,
            })?;
        let (proof, r, finals) = prove_batched(&mut [&mut prover], self.tr);
        let fe = finals.first().cloned().unwrap_or_default();
        let (xv, sv) = match fe.as_slice() {
            [x, s] => (*x, *s),
            _ => return Err(stmt("relu evaluations")),
        };
        self.push(proof, finals);
        Ok((r, xv, sv))
    }

    fn max_pool(
        &mut self,
        shape: &PoolShape,
        x: Val,
        sel: Val,
        point: Vec<F>,
        _y_claim: F,
    ) -> std::result::Result<Vec<PoolClaim>, VerifyError> {
        let xs = field(self.val(x)?);
        let es = field(self.val(sel)?);
        let (proof, _, claims) = prove_max_pool(shape, &xs, &es, point, self.tr)
            .map_err(protocol::layer_err("max pool"))?;
        self.tr.append_fields(L_POOL_Y, &[proof.y_at_r]);
        self.push(
            proof.sumcheck,
            vec![proof.bool_evals, proof.select_evals, vec![proof.y_at_r]],
        );
        Ok(claims)
    }

    fn max_pool_backward(
        &mut self,
        shape: &PoolShape,
        sel: Val,
        g_out: Val,
        point: Vec<F>,
        _claim: F,
    ) -> std::result::Result<[PoolClaim; 2], VerifyError> {
        let es = field(self.val(sel)?);
        let gs = field(self.val(g_out)?);
        let (proof, _, claims) = prove_max_pool_backward(shape, &es, &gs, &point, self.tr)
            .map_err(protocol::layer_err("max pool backward"))?;
        self.push(proof.sumcheck, vec![proof.evals]);
        Ok(claims)
    }

    fn layer_done(&mut self, l: usize, what: &'static str) {
        let now = Instant::now();
        self.layer_times.push((l, what, now - self.mark));
        self.mark = now;
    }
}

/// Prove a conv-network step from a trace (possibly dishonest, for soundness tests).
#[allow(clippy::too_many_arguments)]
pub(crate) fn prove_net_step<T: Transcript>(
    pk: &ProverKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    params: &Params,
    dataset_values: &[i64],
    trace: &StepTrace,
    opts: &DishonestOptions,
    tr: &mut T,
) -> Result<ProvenStep> {
    let mut timings = StepTimings::default();
    let t0 = Instant::now();
    let lay = NetLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)?;
    check_dataset(dataset_values, &lay.data)?;
    let mut w = build_witness(model, cfg, &lay, params, trace)?;
    timings.witness = t0.elapsed();
    let (c_next, c_aux) = commit_step(pk, opts, &w.model_next, &mut w.aux, &mut timings)?;

    let t2 = Instant::now();
    let book = open_step(
        tr,
        statement,
        (&c_next.0, &c_aux.0),
        lay.data.num_vars(),
        &lay.model,
        lay.aux.num_vars() as usize,
    )?;
    // The batch block of D (rows [start, start + B), aligned since B divides N).
    let batch = 1usize << lay.batch_vars;
    let row_len = 2 * lay.data.half;
    let start = ((statement.iteration as u128 * batch as u128) % lay.data.rows as u128) as usize;
    let data_block = &dataset_values[start * row_len..(start + batch) * row_len];
    let mut party = ProverParty {
        tr: &mut *tr,
        lay: &lay,
        w: &w,
        data_block,
        block_vars: lay.data.row_vars() - lay.batch_vars,
        writer: EvalWriter::new(),
        book,
        sumchecks: Vec::new(),
        evals: Vec::new(),
        mark: Instant::now(),
        layer_times: Vec::new(),
    };
    protocol::run(
        &mut party,
        &lay,
        statement.iteration,
        cfg.fixed.frac_bits,
        cfg.lr_shift,
    )?;
    let ProverParty {
        writer,
        mut book,
        sumchecks,
        evals,
        layer_times,
        ..
    } = party;
    timings.sumchecks = t2.elapsed();

    let t3 = Instant::now();
    let range = prove_range_into(&lay, &w.aux, tr, &mut book)?;
    timings.range_check = t3.elapsed();

    let t4 = Instant::now();
    let NetWitness {
        acts,
        grads,
        model_t,
        model_next,
        aux,
    } = w;
    drop((acts, grads));
    let dpoly = MultilinearPoly::from_i64s(dataset_values);
    let mt = MultilinearPoly::from_i64s(&model_t);
    let mn = MultilinearPoly::from_i64s(&model_next);
    drop((model_t, model_next));
    let ax = MultilinearPoly::from_i64s(&aux);
    drop(aux);
    let commitments = step_commitments(statement, c_next.0, c_aux.0);
    let merge = prove_merge(pk, &[&dpoly, &mt, &mn, &ax], &commitments, &book, tr)?;
    timings.opening = t4.elapsed();
    drop((dpoly, mt, mn));
    // The aux vector again, for provers that accumulate its claims (the recursion's folding):
    // read back from its polynomial once the opening is done, so the opening's peak holds one
    // copy only.
    let aux_values = ax
        .evals()
        .iter()
        .map(signed_value)
        .collect::<Option<Vec<i64>>>()
        .ok_or(bad("aux value out of the i64 range"))?;
    drop(ax);
    Ok(ProvenStep {
        proof: StepProof {
            new_model: c_next.0,
            aux: c_aux.0,
            evals: writer.finish(),
            sumchecks,
            sumcheck_evals: evals,
            range,
            merge,
        },
        updated: trace.updated.clone(),
        new_model_commitment: c_next.0,
        aux_values,
        loss: trace.loss,
        timings,
        layer_timings: layer_times,
    })
}
