//! The step prover (protocol: `docs/protocol.md`; the verifier mirrors it line by line).

use std::time::{Duration, Instant};

use ark_bn254::G1Affine;
use gkr::range_check::RangeCheckProver;
use gkr::relations::{half_point, masked_product_prover, pow2};
use gkr::step::{
    absorb_commitments, absorb_statement, prove_merge, ClaimBook, EvalWriter, StepProof,
};
use pcs::hyperkzg::{Commitment, ProverKey};
use pcs::HyperKzg;
use sumcheck::field::from_i64;
use sumcheck::mle::evaluate_evals;
use sumcheck::{
    instance_point, prove_batched, MatmulDims, MatmulProver, MultilinearPoly, PoseidonTranscript,
    SumcheckInstanceProver, Transcript, F,
};

use crate::data::QuantizedDataset;
use crate::model::Model;
use crate::params::Params;
use crate::proof::layout::{bias_name, weight_name, DatasetLayout, LimbLayout, StepLayout};
use crate::proof::witness::{build, range_witness, segment_witnesses, transpose, Witness};
use crate::proof::{ProofError, Result, StepStatement, TRANSCRIPT_DOMAIN};
use crate::train::{train_step, StepTrace, TrainConfig};

pub(crate) const DATA: usize = 0;
pub(crate) const MODEL: usize = 1;
pub(crate) const NEW_MODEL: usize = 2;
pub(crate) const AUX: usize = 3;

pub(crate) const L_GAP: &[u8] = b"step_gap";
pub(crate) const L_RHO: &[u8] = b"step_rho";
pub(crate) const L_PI: &[u8] = b"step_pi";
pub(crate) const L_SIGMA: &[u8] = b"step_sigma";
pub(crate) const L_SIGMA_B: &[u8] = b"step_sigma_b";
pub(crate) const L_P1: &[u8] = b"step_layer_evals";
pub(crate) const L_RESOLVE: &[u8] = b"step_output_grad_evals";
pub(crate) const L_LIMBS: &[u8] = b"step_relu_limb_evals";

/// Prover time split.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepTimings {
    /// Training step with trace, witness and aux assembly.
    pub witness: Duration,
    /// Committing `W_{t+1}` and `aux`.
    pub commit: Duration,
    /// Relation sumchecks (matmul, zkReLU) and prover evaluations.
    pub sumchecks: Duration,
    /// The range check.
    pub range_check: Duration,
    /// Merge and batched opening.
    pub opening: Duration,
}

/// A proven step.
#[derive(Clone, Debug)]
pub struct ProvenStep {
    /// The proof.
    pub proof: StepProof,
    /// `W_{t+1}`.
    pub updated: Params,
    /// `C_W_{t+1}` (equal to `proof.new_model`).
    pub new_model_commitment: G1Affine,
    /// The committed aux vector (`C_aux = proof.aux`), for provers that keep accumulating its
    /// claims (the recursion's accumulator). The conv protocol drops its integer copy before the
    /// opening (to bound its peak memory) and reads it back from the polynomial afterwards.
    pub aux_values: Vec<i64>,
    /// Training loss of the batch (logging only).
    pub loss: f64,
    /// Time split.
    pub timings: StepTimings,
    /// Conv networks: relation time per `(layer, phase)` (empty for the dense protocol).
    pub layer_timings: Vec<(usize, &'static str, Duration)>,
}

/// Attack hooks for tests (a dishonest prover); the default is the honest prover.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct DishonestOptions {
    /// Commit this aux vector modification: `(index, delta)` added after assembly.
    pub aux_delta: Option<(usize, i64)>,
}

/// Train one step on iteration `statement.iteration`'s batch and prove it (Poseidon transcript).
/// `dataset_values` is the vector from [`crate::proof::dataset_vector`].
pub fn prove_step(
    pk: &ProverKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    params: &Params,
    ds: &QuantizedDataset,
    dataset_values: &[i64],
) -> Result<ProvenStep> {
    let t0 = Instant::now();
    let batch = ds.batch(statement.iteration, statement.batch_size)?;
    let trace = train_step(model, params, batch.inputs, batch.labels, cfg)?;
    let mut out = prove_step_with_trace(
        pk,
        model,
        cfg,
        statement,
        params,
        dataset_values,
        &trace,
        &DishonestOptions::default(),
    )?;
    out.timings.witness += t0.elapsed().saturating_sub(
        out.timings.witness
            + out.timings.commit
            + out.timings.sumchecks
            + out.timings.range_check
            + out.timings.opening,
    );
    Ok(out)
}

/// Prove a step from a given trace (possibly dishonest: for soundness tests).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn prove_step_with_trace(
    pk: &ProverKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    params: &Params,
    dataset_values: &[i64],
    trace: &StepTrace,
    opts: &DishonestOptions,
) -> Result<ProvenStep> {
    let mut t = PoseidonTranscript::new(TRANSCRIPT_DOMAIN);
    prove_step_with_transcript(
        pk,
        model,
        cfg,
        statement,
        params,
        dataset_values,
        trace,
        opts,
        &mut t,
    )
}

struct Evaluator<'a> {
    layout: &'a StepLayout,
    w: &'a Witness,
}

fn eval_i64(v: &[i64], point: &[F]) -> F {
    let f: Vec<F> = v.iter().map(|&x| from_i64(x)).collect();
    evaluate_evals(&f, point)
}

impl Evaluator<'_> {
    fn aux_seg(&self, name: &str, point: &[F]) -> Result<(usize, F)> {
        let (_, s) = self.layout.aux_segment(name)?;
        Ok((
            s.index(),
            eval_i64(&self.w.aux[s.offset..s.offset + s.padded_len], point),
        ))
    }
    fn model_seg(&self, next: bool, name: &str, point: &[F]) -> Result<(usize, F)> {
        let s = self
            .layout
            .model
            .segment(name)
            .ok_or(ProofError::Unsupported {
                what: "model segment",
            })?;
        let v = if next {
            &self.w.model_next
        } else {
            &self.w.model_t
        };
        Ok((
            s.index(),
            eval_i64(&v[s.offset..s.offset + s.padded_len], point),
        ))
    }
    /// Limb evaluations of tensor `stem` at `point`, each also recorded as an aux claim.
    fn limbs(
        &self,
        stem: &str,
        point: &[F],
        book: &mut ClaimBook,
        out: &mut Vec<F>,
    ) -> Result<Vec<F>> {
        let t = self.layout.tensor(stem).ok_or(ProofError::Unsupported {
            what: "limb tensor",
        })?;
        let mut vals = Vec::new();
        for k in 0..t.limbs {
            let (idx, v) = self.aux_seg(&t.limb_name(k), point)?;
            book.add_segment(AUX, point, idx, v)
                .map_err(|_| ProofError::Unsupported { what: "claim" })?;
            vals.push(v);
            out.push(v);
        }
        Ok(vals)
    }
}

fn add(book: &mut ClaimBook, poly: usize, local: &[F], idx: usize, v: F) -> Result<()> {
    book.add_segment(poly, local, idx, v)
        .map_err(|_| ProofError::Unsupported {
            what: "claim bookkeeping",
        })
}

/// The data point of the batch: `(col ‖ 0… ‖ half ‖ row ‖ batch block bits)`.
pub(crate) fn data_point(
    layout: &StepLayout,
    iteration: u64,
    col: &[F],
    half: bool,
    row: &[F],
) -> Option<Vec<F>> {
    data_point_in(&layout.data, layout.batch_vars, iteration, col, half, row)
}

/// [`data_point`] for a dataset layout and `log2` batch size.
pub(crate) fn data_point_in(
    d: &DatasetLayout,
    batch_vars: usize,
    iteration: u64,
    col: &[F],
    half: bool,
    row: &[F],
) -> Option<Vec<F>> {
    let pad = d.col_vars().checked_sub(col.len())?;
    let batch = 1usize << batch_vars;
    let start = ((iteration as u128 * batch as u128) % d.rows as u128) as usize;
    let block = start / batch;
    let mut p = col.to_vec();
    p.extend(std::iter::repeat_n(F::from(0u64), pad));
    p.push(F::from(u64::from(half)));
    p.extend_from_slice(row);
    p.extend(gkr::step::index_bits(
        block,
        d.row_vars().checked_sub(batch_vars)?,
    ));
    Some(p)
}

/// The gap blocks `[used, total)` of a model layout as `(log size, block index)`.
pub(crate) fn gap_blocks_of(model: &crate::aux::AuxLayout) -> Vec<(usize, usize)> {
    let used: usize = model.segments.iter().map(|s| s.padded_len).sum();
    let total = model.total_len;
    let mut out = Vec::new();
    let mut pos = used;
    while pos < total {
        let mut m = pos.trailing_zeros() as usize;
        while pos + (1 << m) > total {
            m -= 1;
        }
        out.push((m, pos >> m));
        pos += 1 << m;
    }
    out
}

/// The opening of every step proof (both protocols, both roles): absorb the statement,
/// `C_W_{t+1}` and `C_aux_t`, start the claim book over `(D, W_t, W_{t+1}, aux)` and record the
/// zero claims on the unused tail of `W_{t+1}`.
pub(crate) fn open_step<T: Transcript>(
    tr: &mut T,
    statement: &StepStatement,
    commitments: (&G1Affine, &G1Affine),
    data_vars: usize,
    model: &crate::aux::AuxLayout,
    aux_vars: usize,
) -> std::result::Result<ClaimBook, gkr::step::VerifyError> {
    absorb_statement(
        tr,
        &statement.params_digest,
        statement.iteration,
        &statement.data_commitment,
        &statement.model_commitment,
    );
    absorb_commitments(tr, commitments.0, commitments.1);
    let model_vars = model.num_vars() as usize;
    let mut book = ClaimBook::new(vec![data_vars, model_vars, model_vars, aux_vars]);
    let gap = tr.challenges(L_GAP, model_vars);
    for (m, idx) in gap_blocks_of(model) {
        let p = gap
            .get(..m)
            .ok_or(gkr::step::VerifyError::Statement { what: "gap" })?;
        book.add_segment(NEW_MODEL, p, idx, F::from(0u64))?;
    }
    Ok(book)
}

/// The dataset vector must be the one of the statement's layout.
pub(crate) fn check_dataset(values: &[i64], data: &DatasetLayout) -> Result<()> {
    if values.len() != data.len() {
        return Err(ProofError::Statement {
            what: "dataset vector does not match the statement",
        });
    }
    Ok(())
}

/// Apply the test-only aux edit of `opts`, then commit `W_{t+1}` and `aux` (timed as `commit`).
pub(crate) fn commit_step(
    pk: &ProverKey,
    opts: &DishonestOptions,
    model_next: &[i64],
    aux: &mut [i64],
    timings: &mut StepTimings,
) -> Result<(Commitment, Commitment)> {
    if let Some((i, d)) = opts.aux_delta {
        if let Some(x) = aux.get_mut(i) {
            *x += d;
        }
    }
    let t = Instant::now();
    let c_next = HyperKzg::commit_i64(pk, model_next)?;
    let c_aux = HyperKzg::commit_i64(pk, aux)?;
    timings.commit = t.elapsed();
    Ok((c_next, c_aux))
}

/// The four committed vectors of a step, in claim-book order.
pub(crate) fn step_commitments(
    statement: &StepStatement,
    new_model: G1Affine,
    aux: G1Affine,
) -> [Commitment; 4] {
    [
        Commitment(statement.data_commitment),
        Commitment(statement.model_commitment),
        Commitment(new_model),
        Commitment(aux),
    ]
}

/// Prove the range check of every limb tensor of `layout` and record its claims on `aux`.
pub(crate) fn prove_range_into<L: LimbLayout, T: Transcript>(
    layout: &L,
    aux: &[i64],
    tr: &mut T,
    book: &mut ClaimBook,
) -> Result<gkr::range_check::RangeCheckProof> {
    let (rc_params, cols, mult) = range_witness(layout, aux)?;
    let segs = segment_witnesses(&rc_params, &cols);
    let (range, rc_claims) = RangeCheckProver::new(&rc_params).prove(&segs, &mult, tr)?;
    for c in rc_claims {
        let s = layout
            .aux_layout()
            .segments
            .get(c.poly)
            .ok_or(ProofError::Unsupported { what: "segment" })?;
        add(book, AUX, &c.point, s.index(), c.value)?;
    }
    Ok(range)
}

/// The prover with an explicit transcript (for snapshots).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn prove_step_with_transcript<T: Transcript>(
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
    if crate::proof::net::is_conv_net(model) {
        return crate::proof::net::prove_net_step(
            pk,
            model,
            cfg,
            statement,
            params,
            dataset_values,
            trace,
            opts,
            tr,
        );
    }
    let mut timings = StepTimings::default();
    let t0 = Instant::now();
    let layout = StepLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)?;
    check_dataset(dataset_values, &layout.data)?;
    let mut w = build(model, cfg, &layout, params, trace)?;
    timings.witness = t0.elapsed();
    let (c_next, c_aux) = commit_step(pk, opts, &w.model_next, &mut w.aux, &mut timings)?;

    let t2 = Instant::now();
    let f = cfg.fixed.frac_bits;
    let k = cfg.lr_shift;
    let bv = layout.batch_vars;
    let mut book = open_step(
        tr,
        statement,
        (&c_next.0, &c_aux.0),
        layout.data.num_vars(),
        &layout.model,
        layout.aux.num_vars() as usize,
    )?;
    let mut writer = EvalWriter::new();
    let ev = Evaluator {
        layout: &layout,
        w: &w,
    };

    let nl = layout.layers.len();
    // Pending claims on the virtual a_j (j ≥ 1) and g_j.
    let mut a_claims: Vec<Vec<(Vec<F>, F)>> = vec![Vec::new(); nl];
    let mut g_claims: Vec<Vec<(Vec<F>, F)>> = vec![Vec::new(); nl];
    let mut points = Vec::new();
    // Phase 1: random points and the committed/linear parts of every identity.
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let rho = tr.challenges(L_RHO, d.out_vars + bv);
        let pi = (j > 0).then(|| tr.challenges(L_PI, d.in_vars + bv));
        let sigma = tr.challenges(L_SIGMA, d.out_vars + d.in_vars);
        let sigb = tr.challenges(L_SIGMA_B, d.out_vars);
        let mut vals = Vec::new();
        ev.limbs(&format!("l{l}.y"), &rho, &mut book, &mut vals)?;
        ev.limbs(&format!("l{l}.yr"), &rho, &mut book, &mut vals)?;
        let (bi, b) = ev.model_seg(false, &bias_name(l), &rho[..d.out_vars])?;
        add(&mut book, MODEL, &rho[..d.out_vars], bi, b)?;
        vals.push(b);
        if let Some(pi) = &pi {
            ev.limbs(&format!("l{l}.h"), pi, &mut book, &mut vals)?;
            ev.limbs(&format!("l{l}.hr"), pi, &mut book, &mut vals)?;
        }
        let (wi, wv) = ev.model_seg(false, &weight_name(l), &sigma)?;
        let (_, wn) = ev.model_seg(true, &weight_name(l), &sigma)?;
        add(&mut book, MODEL, &sigma, wi, wv)?;
        add(&mut book, NEW_MODEL, &sigma, wi, wn)?;
        vals.extend([wv, wn]);
        ev.limbs(&format!("l{l}.wr"), &sigma, &mut book, &mut vals)?;
        ev.limbs(&format!("l{l}.wn"), &sigma, &mut book, &mut vals)?;
        let (bi2, bv0) = ev.model_seg(false, &bias_name(l), &sigb)?;
        let (_, bn) = ev.model_seg(true, &bias_name(l), &sigb)?;
        add(&mut book, MODEL, &sigb, bi2, bv0)?;
        add(&mut book, NEW_MODEL, &sigb, bi2, bn)?;
        vals.extend([bv0, bn]);
        ev.limbs(&format!("l{l}.br"), &sigb, &mut book, &mut vals)?;
        ev.limbs(&format!("l{l}.bn"), &sigb, &mut book, &mut vals)?;
        writer.send(tr, L_P1, vals);
        // V_j: Σ_batch g_j at σ_b is 2^bv·g̃_j(σ_b, ½…).
        let mut gp = sigb.clone();
        gp.extend(half_point(bv));
        let gv = eval_i64(&w.layers[j].g, &gp);
        g_claims[j].push((gp, gv));
        points.push((rho, pi, sigma));
    }
    let _ = (f, k, pow2(0));

    // Phase 2: all matmul sumchecks, batched.
    let mut provers: Vec<MatmulProver> = Vec::new();
    for (j, d) in layout.layers.iter().enumerate() {
        let lw = &w.layers[j];
        let (ip, op, b) = (1usize << d.in_vars, 1usize << d.out_vars, 1usize << bv);
        let (rho, pi, sigma) = &points[j];
        let a = MultilinearPoly::from_i64s(&lw.a);
        let wm = MultilinearPoly::from_i64s(&lw.w);
        let g = MultilinearPoly::from_i64s(&lw.g);
        provers.push(MatmulProver::new(
            &a,
            &wm,
            MatmulDims {
                log_m: bv,
                log_n: d.in_vars,
                log_p: d.out_vars,
            },
            rho.clone(),
        )?);
        if let Some(pi) = pi {
            let wt = MultilinearPoly::from_i64s(&transpose(&lw.w, ip, op));
            provers.push(MatmulProver::new(
                &g,
                &wt,
                MatmulDims {
                    log_m: bv,
                    log_n: d.out_vars,
                    log_p: d.in_vars,
                },
                pi.clone(),
            )?);
        }
        let at = MultilinearPoly::from_i64s(&transpose(&lw.a, b, ip));
        provers.push(MatmulProver::new(
            &at,
            &g,
            MatmulDims {
                log_m: d.in_vars,
                log_n: bv,
                log_p: d.out_vars,
            },
            sigma.clone(),
        )?);
    }
    let mut refs: Vec<&mut dyn SumcheckInstanceProver> = provers
        .iter_mut()
        .map(|p| p as &mut dyn SumcheckInstanceProver)
        .collect();
    let (mm_proof, r, mm_finals) = prove_batched(&mut refs, tr);
    drop(refs);
    let mut idx = 0;
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let (rho, pi, sigma) = &points[j];
        let mut next = || -> Result<(Vec<F>, F, F)> {
            let p = provers.get(idx).ok_or(ProofError::Unsupported {
                what: "matmul index",
            })?;
            let fe = mm_finals.get(idx).ok_or(ProofError::Unsupported {
                what: "matmul finals",
            })?;
            idx += 1;
            let rk = instance_point(&r, p.num_rounds())
                .ok_or(ProofError::Unsupported { what: "point" })?
                .to_vec();
            Ok((rk, fe[0], fe[1]))
        };
        // F_j: a(r_k ‖ ρ_row), W(ρ_col ‖ r_k).
        let (rk, av, wv) = next()?;
        let (rc, rr) = rho.split_at(d.out_vars);
        let apt = [rk.as_slice(), rr].concat();
        if j == 0 {
            let dp = data_point(&layout, statement.iteration, &rk, false, rr)
                .ok_or(ProofError::Unsupported { what: "data point" })?;
            book.add(DATA, dp, av)
                .map_err(|_| ProofError::Unsupported { what: "claim" })?;
        } else {
            a_claims[j].push((apt, av));
        }
        let seg_idx = layout
            .model
            .segment(&weight_name(l))
            .map(|s| s.index())
            .unwrap_or(0);
        add(&mut book, MODEL, &[rc, rk.as_slice()].concat(), seg_idx, wv)?;
        // B_j: g(r_k ‖ π_row), W(r_k ‖ π_col).
        if let Some(pi) = pi {
            let (rk, gv, wv) = next()?;
            let (pc, pr) = pi.split_at(d.in_vars);
            g_claims[j].push(([rk.as_slice(), pr].concat(), gv));
            add(&mut book, MODEL, &[rk.as_slice(), pc].concat(), seg_idx, wv)?;
        }
        // U_j: a(σ_row ‖ r_k), g(σ_col ‖ r_k).
        let (rk, av, gv) = next()?;
        let (sc, sr) = sigma.split_at(d.out_vars);
        if j == 0 {
            let dp = data_point(&layout, statement.iteration, sr, false, &rk)
                .ok_or(ProofError::Unsupported { what: "data point" })?;
            book.add(DATA, dp, av)
                .map_err(|_| ProofError::Unsupported { what: "claim" })?;
        } else {
            a_claims[j].push(([sr, rk.as_slice()].concat(), av));
        }
        g_claims[j].push(([sc, rk.as_slice()].concat(), gv));
    }

    // Output gradient g_L = y_L − 2^F·onehot: y limbs and the label value at each claim.
    {
        let last = nl - 1;
        let d = layout.layers[last];
        let mut vals = Vec::new();
        for (p, _) in &g_claims[last] {
            ev.limbs(&format!("l{}.y", d.layer), p, &mut book, &mut vals)?;
            let (pc, pr) = p.split_at(d.out_vars);
            let dv = eval_i64(&w.onehot, p);
            let dp = data_point(&layout, statement.iteration, pc, true, pr)
                .ok_or(ProofError::Unsupported { what: "data point" })?;
            book.add(DATA, dp, dv)
                .map_err(|_| ProofError::Unsupported { what: "claim" })?;
            vals.push(dv);
        }
        writer.send(tr, L_RESOLVE, vals);
    }

    // Phase 3: zkReLU products a_{j+1} = y_j ⊙ (1 − s_j), g_j = h_{j+1} ⊙ (1 − s_j).
    let mut prod: Vec<(String, String, sumcheck::ZeroCheckProver)> = Vec::new();
    for j in 0..nl - 1 {
        let d = layout.layers[j];
        let relu = d.relu.ok_or(ProofError::Unsupported {
            what: "missing ReLU",
        })?;
        let s = MultilinearPoly::from_i64s(
            w.layers[j]
                .s
                .as_ref()
                .ok_or(ProofError::Unsupported { what: "sign" })?,
        );
        let y = MultilinearPoly::from_i64s(&w.layers[j].y);
        let h = MultilinearPoly::from_i64s(
            w.layers[j + 1]
                .h
                .as_ref()
                .ok_or(ProofError::Unsupported { what: "h" })?,
        );
        let nxt = layout.layers[j + 1].layer;
        for (p, _) in &a_claims[j + 1] {
            prod.push((
                format!("l{}.y", d.layer),
                format!("l{relu}.sign"),
                masked_product_prover(p.clone(), y.clone(), s.clone())?,
            ));
        }
        for (p, _) in &g_claims[j] {
            prod.push((
                format!("l{nxt}.h"),
                format!("l{relu}.sign"),
                masked_product_prover(p.clone(), h.clone(), s.clone())?,
            ));
        }
    }
    let mut sumchecks = vec![mm_proof];
    let mut sumcheck_evals = vec![mm_finals];
    if !prod.is_empty() {
        let mut refs: Vec<&mut dyn SumcheckInstanceProver> = prod
            .iter_mut()
            .map(|p| &mut p.2 as &mut dyn SumcheckInstanceProver)
            .collect();
        let (pp, r, finals) = prove_batched(&mut refs, tr);
        drop(refs);
        let mut vals = Vec::new();
        for ((stem, sign, inst), fe) in prod.iter().zip(&finals) {
            let pt = instance_point(&r, inst.num_rounds())
                .ok_or(ProofError::Unsupported { what: "point" })?
                .to_vec();
            ev.limbs(stem, &pt, &mut book, &mut vals)?;
            let (si, _) = layout.aux_segment(sign)?;
            let sidx = layout.aux.segments[si].index();
            add(&mut book, AUX, &pt, sidx, fe[1])?;
        }
        writer.send(tr, L_LIMBS, vals);
        sumchecks.push(pp);
        sumcheck_evals.push(finals);
    }
    timings.sumchecks = t2.elapsed();

    // Range check of every limb segment.
    let t3 = Instant::now();
    let range = prove_range_into(&layout, &w.aux, tr, &mut book)?;
    timings.range_check = t3.elapsed();

    // Merge every claim and open once.
    let t4 = Instant::now();
    let dpoly = MultilinearPoly::from_i64s(dataset_values);
    let mt = MultilinearPoly::from_i64s(&w.model_t);
    let mn = MultilinearPoly::from_i64s(&w.model_next);
    let ax = MultilinearPoly::from_i64s(&w.aux);
    let commitments = step_commitments(statement, c_next.0, c_aux.0);
    let merge = prove_merge(pk, &[&dpoly, &mt, &mn, &ax], &commitments, &book, tr)?;
    timings.opening = t4.elapsed();

    Ok(ProvenStep {
        proof: StepProof {
            new_model: c_next.0,
            aux: c_aux.0,
            evals: writer.finish(),
            sumchecks,
            sumcheck_evals,
            range,
            merge,
        },
        updated: trace.updated.clone(),
        new_model_commitment: c_next.0,
        aux_values: w.aux,
        loss: trace.loss,
        timings,
        layer_timings: Vec::new(),
    })
}
