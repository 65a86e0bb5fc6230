//! The step verifier: mirrors `prover.rs`; never panics on proof data.

use ark_bn254::G1Affine;
use ark_ff::Field;
use gkr::range_check::RangeCheckVerifier;
use gkr::relations::{half_point, masked_product_verifier, pow2};
use gkr::step::{verify_merge, ClaimBook, EvalReader, StepProof, VerifyError};
use pcs::hyperkzg::VerifierKey;
use sumcheck::{
    instance_point, verify_batched, MatmulDims, MatmulVerifier, PoseidonTranscript,
    SumcheckInstanceVerifier, Transcript, F,
};

use crate::model::Model;
use crate::proof::layout::{bias_name, weight_name, LimbLayout, StepLayout};
use crate::proof::prover::{
    data_point, open_step, step_commitments, AUX, DATA, L_LIMBS, L_P1, L_PI, L_RESOLVE, L_RHO,
    L_SIGMA, L_SIGMA_B, MODEL, NEW_MODEL,
};
use crate::proof::witness::range_params;
use crate::proof::{params_digest, StepStatement, TRANSCRIPT_DOMAIN};
use crate::train::TrainConfig;

/// Verify one step proof against its statement; returns `C_W_{t+1}` (the next statement's
/// model commitment).
pub fn verify_step(
    vk: &VerifierKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    proof: &StepProof,
) -> Result<G1Affine, VerifyError> {
    let mut t = PoseidonTranscript::new(TRANSCRIPT_DOMAIN);
    verify_step_with_transcript(vk, model, cfg, statement, proof, &mut t)
}

struct Ctx<'a> {
    layout: &'a StepLayout,
}

fn st(what: &'static str) -> VerifyError {
    VerifyError::Statement { what }
}

impl Ctx<'_> {
    fn aux_index(&self, name: &str) -> Result<usize, VerifyError> {
        self.layout
            .aux_segment(name)
            .map(|(_, s)| s.index())
            .map_err(|_| st("aux segment"))
    }
    fn model_index(&self, name: &str) -> Result<usize, VerifyError> {
        self.layout
            .model
            .segment(name)
            .map(|s| s.index())
            .ok_or(st("model segment"))
    }
    /// Read the limbs of tensor `stem` at `point` from `vals` (advancing it), record the aux
    /// claims, return the composed value.
    fn limbs(
        &self,
        stem: &str,
        point: &[F],
        vals: &mut std::slice::Iter<'_, F>,
        book: &mut ClaimBook,
    ) -> Result<F, VerifyError> {
        let t = self.layout.tensor(stem).ok_or(st("limb tensor"))?;
        let mut limbs = Vec::with_capacity(t.limbs);
        for k in 0..t.limbs {
            let v = *vals
                .next()
                .ok_or_else(|| VerifyError::malformed("too few evaluations"))?;
            book.add_segment(AUX, point, self.aux_index(&t.limb_name(k))?, v)?;
            limbs.push(v);
        }
        self.layout
            .schemes
            .compose(t.kind, &limbs)
            .map_err(|_| VerifyError::malformed("limb composition"))
    }
    fn count(&self, stem: &str) -> Result<usize, VerifyError> {
        Ok(self.layout.tensor(stem).ok_or(st("limb tensor"))?.limbs)
    }
}

fn next(vals: &mut std::slice::Iter<'_, F>) -> Result<F, VerifyError> {
    vals.next()
        .copied()
        .ok_or_else(|| VerifyError::malformed("too few evaluations"))
}

fn check(relation: String, expected: F, actual: F) -> Result<(), VerifyError> {
    if expected == actual {
        Ok(())
    } else {
        Err(VerifyError::relation(relation, expected, actual))
    }
}

/// The verifier with an explicit transcript (for snapshots).
#[doc(hidden)]
pub fn verify_step_with_transcript<T: Transcript>(
    vk: &VerifierKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    proof: &StepProof,
    tr: &mut T,
) -> Result<G1Affine, VerifyError> {
    if crate::proof::net::is_conv_net(model) {
        return crate::proof::net::verify_net_step(vk, model, cfg, statement, proof, tr);
    }
    let layout = StepLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)
        .map_err(|_| st("model, configuration or batch not supported"))?;
    let digest = params_digest(
        &vk.srs_digest,
        model,
        cfg,
        statement.batch_size,
        statement.dataset_rows,
    );
    if digest != statement.params_digest {
        return Err(st("parameters digest"));
    }
    let ctx = Ctx { layout: &layout };
    let f = cfg.fixed.frac_bits;
    let k = cfg.lr_shift;
    let bv = layout.batch_vars;

    let mut book = open_step(
        tr,
        statement,
        (&proof.new_model, &proof.aux),
        layout.data.num_vars(),
        &layout.model,
        layout.aux.num_vars() as usize,
    )?;
    let mut reader = EvalReader::new(&proof.evals);

    let nl = layout.layers.len();
    let mut a_claims: Vec<Vec<(Vec<F>, F)>> = vec![Vec::new(); nl];
    let mut g_claims: Vec<Vec<(Vec<F>, F)>> = vec![Vec::new(); nl];
    let mut points = Vec::new();
    let mut mm_claims = Vec::new();
    let sch = layout.schemes;
    let nv = sch.value.num_limbs();
    let (half_f, half_fk, half_k) = (pow2(f - 1), pow2(f + k - 1), pow2(k - 1));
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let rho = tr.challenges(L_RHO, d.out_vars + bv);
        let pi = (j > 0).then(|| tr.challenges(L_PI, d.in_vars + bv));
        let sigma = tr.challenges(L_SIGMA, d.out_vars + d.in_vars);
        let sigb = tr.challenges(L_SIGMA_B, d.out_vars);
        let mut n = 2 * nv
            + ctx.count(&format!("l{l}.yr"))?
            + 1
            + 2
            + ctx.count(&format!("l{l}.wr"))?
            + 2
            + ctx.count(&format!("l{l}.br"))?;
        n += nv;
        if j > 0 {
            n += nv + ctx.count(&format!("l{l}.hr"))?;
        }
        let group = reader.recv(tr, L_P1, n)?;
        let mut vals = group.iter();
        let y = ctx.limbs(&format!("l{l}.y"), &rho, &mut vals, &mut book)?;
        let yr = ctx.limbs(&format!("l{l}.yr"), &rho, &mut vals, &mut book)?;
        let b = next(&mut vals)?;
        let out_rho = rho.get(..d.out_vars).ok_or(st("point"))?;
        book.add_segment(MODEL, out_rho, ctx.model_index(&bias_name(l))?, b)?;
        let two_f = pow2(f);
        // F_j: (a·W)(ρ) = 2^F·y + r − 2^(F−1) − 2^F·b.
        let c_f = two_f * y + yr - half_f - two_f * b;
        let c_b = match &pi {
            Some(pi) => {
                let h = ctx.limbs(&format!("l{l}.h"), pi, &mut vals, &mut book)?;
                let hr = ctx.limbs(&format!("l{l}.hr"), pi, &mut vals, &mut book)?;
                Some(two_f * h + hr - half_f)
            }
            None => None,
        };
        let wv = next(&mut vals)?;
        let wn = next(&mut vals)?;
        let wi = ctx.model_index(&weight_name(l))?;
        book.add_segment(MODEL, &sigma, wi, wv)?;
        book.add_segment(NEW_MODEL, &sigma, wi, wn)?;
        let wr = ctx.limbs(&format!("l{l}.wr"), &sigma, &mut vals, &mut book)?;
        let wn_l = ctx.limbs(&format!("l{l}.wn"), &sigma, &mut vals, &mut book)?;
        check(format!("l{l}.new_weight_range"), wn, wn_l)?;
        // U_j: (aᵀ·g)(σ) = 2^(F+k)·(W − W') + r − 2^(F+k−1).
        let c_u = pow2(f + k) * (wv - wn) + wr - half_fk;
        let bv0 = next(&mut vals)?;
        let bn = next(&mut vals)?;
        let bi = ctx.model_index(&bias_name(l))?;
        book.add_segment(MODEL, &sigb, bi, bv0)?;
        book.add_segment(NEW_MODEL, &sigb, bi, bn)?;
        let br = ctx.limbs(&format!("l{l}.br"), &sigb, &mut vals, &mut book)?;
        let bn_l = ctx.limbs(&format!("l{l}.bn"), &sigb, &mut vals, &mut book)?;
        check(format!("l{l}.new_bias_range"), bn, bn_l)?;
        // V_j: Σ_batch g(σ_b, ·) = 2^k·(b − b') + r − 2^(k−1) = 2^bv·g̃(σ_b, ½…).
        let gsum = pow2(k) * (bv0 - bn) + br - half_k;
        let inv = pow2(bv as u32).inverse().ok_or(st("batch"))?;
        let mut gp = sigb.clone();
        gp.extend(half_point(bv));
        g_claims[j].push((gp, gsum * inv));
        if vals.next().is_some() {
            return Err(VerifyError::malformed("too many layer evaluations"));
        }
        mm_claims.push((c_f, c_b, c_u));
        points.push((rho, pi, sigma));
    }

    // Phase 2: matmul sumchecks.
    let mut verifiers: Vec<MatmulVerifier> = Vec::new();
    for (j, d) in layout.layers.iter().enumerate() {
        let (rho, pi, sigma) = &points[j];
        let (c_f, c_b, c_u) = mm_claims[j];
        verifiers.push(MatmulVerifier::new(
            MatmulDims {
                log_m: bv,
                log_n: d.in_vars,
                log_p: d.out_vars,
            },
            rho.clone(),
            c_f,
        ));
        if let (Some(pi), Some(c_b)) = (pi, c_b) {
            verifiers.push(MatmulVerifier::new(
                MatmulDims {
                    log_m: bv,
                    log_n: d.out_vars,
                    log_p: d.in_vars,
                },
                pi.clone(),
                c_b,
            ));
        }
        verifiers.push(MatmulVerifier::new(
            MatmulDims {
                log_m: d.in_vars,
                log_n: bv,
                log_p: d.out_vars,
            },
            sigma.clone(),
            c_u,
        ));
    }
    let mm_proof = proof
        .sumchecks
        .first()
        .ok_or_else(|| VerifyError::malformed("missing matmul sumcheck"))?;
    let mm_finals = proof
        .sumcheck_evals
        .first()
        .ok_or_else(|| VerifyError::malformed("missing matmul evaluations"))?;
    let refs: Vec<&dyn SumcheckInstanceVerifier> = verifiers
        .iter()
        .map(|v| v as &dyn SumcheckInstanceVerifier)
        .collect();
    let r =
        verify_batched(&refs, mm_proof, mm_finals, tr).map_err(|source| VerifyError::Sumcheck {
            phase: "matmul",
            source,
        })?;
    let mut idx = 0;
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let (rho, pi, sigma) = &points[j];
        let mut nxt = || -> Result<(Vec<F>, F, F), VerifyError> {
            let v = verifiers.get(idx).ok_or(st("matmul index"))?;
            let fe = mm_finals
                .get(idx)
                .ok_or_else(|| VerifyError::malformed("matmul evaluations"))?;
            idx += 1;
            let rk = instance_point(&r, v.num_rounds())
                .ok_or(st("point"))?
                .to_vec();
            match fe.as_slice() {
                [a, b] => Ok((rk, *a, *b)),
                _ => Err(VerifyError::malformed("matmul evaluations")),
            }
        };
        let wi = ctx.model_index(&weight_name(l))?;
        let (rk, av, wv) = nxt()?;
        let (rc, rr) = rho.split_at(d.out_vars);
        if j == 0 {
            let dp =
                data_point(&layout, statement.iteration, &rk, false, rr).ok_or(st("data point"))?;
            book.add(DATA, dp, av)?;
        } else {
            a_claims[j].push(([rk.as_slice(), rr].concat(), av));
        }
        book.add_segment(MODEL, &[rc, rk.as_slice()].concat(), wi, wv)?;
        if let Some(pi) = pi {
            let (rk, gv, wv) = nxt()?;
            let (pc, pr) = pi.split_at(d.in_vars);
            g_claims[j].push(([rk.as_slice(), pr].concat(), gv));
            book.add_segment(MODEL, &[rk.as_slice(), pc].concat(), wi, wv)?;
        }
        let (rk, av, gv) = nxt()?;
        let (sc, sr) = sigma.split_at(d.out_vars);
        if j == 0 {
            let dp =
                data_point(&layout, statement.iteration, sr, false, &rk).ok_or(st("data point"))?;
            book.add(DATA, dp, av)?;
        } else {
            a_claims[j].push(([sr, rk.as_slice()].concat(), av));
        }
        g_claims[j].push(([sc, rk.as_slice()].concat(), gv));
    }

    // g_L = y_L − 2^F·onehot.
    {
        let last = nl - 1;
        let d = layout.layers[last];
        let per = nv + 1;
        let group = reader.recv(tr, L_RESOLVE, per * g_claims[last].len())?;
        let mut vals = group.iter();
        for (i, (p, gv)) in g_claims[last].iter().enumerate() {
            let y = ctx.limbs(&format!("l{}.y", d.layer), p, &mut vals, &mut book)?;
            let dv = next(&mut vals)?;
            let (pc, pr) = p.split_at(d.out_vars);
            let dp =
                data_point(&layout, statement.iteration, pc, true, pr).ok_or(st("data point"))?;
            book.add(DATA, dp, dv)?;
            check(format!("output_gradient[{i}]"), *gv, y - pow2(f) * dv)?;
        }
    }

    // Phase 3: zkReLU products.
    let mut prod: Vec<(String, String, sumcheck::ZeroCheckVerifier)> = Vec::new();
    for j in 0..nl.saturating_sub(1) {
        let d = layout.layers[j];
        let relu = d.relu.ok_or(st("missing ReLU"))?;
        let nxt_l = layout.layers.get(j + 1).ok_or(st("layer"))?.layer;
        for (p, v) in &a_claims[j + 1] {
            prod.push((
                format!("l{}.y", d.layer),
                format!("l{relu}.sign"),
                masked_product_verifier(p.clone(), *v),
            ));
        }
        for (p, v) in &g_claims[j] {
            prod.push((
                format!("l{nxt_l}.h"),
                format!("l{relu}.sign"),
                masked_product_verifier(p.clone(), *v),
            ));
        }
    }
    let expected_sumchecks = if prod.is_empty() { 1 } else { 2 };
    if proof.sumchecks.len() != expected_sumchecks
        || proof.sumcheck_evals.len() != expected_sumchecks
    {
        return Err(VerifyError::malformed("wrong number of sumchecks"));
    }
    if !prod.is_empty() {
        let pp = proof
            .sumchecks
            .get(1)
            .ok_or_else(|| VerifyError::malformed("missing product sumcheck"))?;
        let finals = proof
            .sumcheck_evals
            .get(1)
            .ok_or_else(|| VerifyError::malformed("missing product evaluations"))?;
        let refs: Vec<&dyn SumcheckInstanceVerifier> = prod
            .iter()
            .map(|p| &p.2 as &dyn SumcheckInstanceVerifier)
            .collect();
        let r = verify_batched(&refs, pp, finals, tr).map_err(|source| VerifyError::Sumcheck {
            phase: "relu",
            source,
        })?;
        let group = reader.recv(tr, L_LIMBS, nv * prod.len())?;
        let mut vals = group.iter();
        for (i, ((stem, sign, inst), fe)) in prod.iter().zip(finals).enumerate() {
            let pt = instance_point(&r, inst.num_rounds())
                .ok_or(st("point"))?
                .to_vec();
            let (yv, sv) = match fe.as_slice() {
                [a, b] => (*a, *b),
                _ => return Err(VerifyError::malformed("product evaluations")),
            };
            let composed = ctx.limbs(stem, &pt, &mut vals, &mut book)?;
            check(format!("relu_limbs[{i}]"), yv, composed)?;
            book.add_segment(AUX, &pt, ctx.aux_index(sign)?, sv)?;
        }
    }
    reader.finish()?;

    verify_range_and_merge(vk, &layout, statement, proof, book, tr)?;
    Ok(proof.new_model)
}

/// The closing of every step verifier: the range check of `layout`'s limb tensors, then the
/// merge of every claim and the one batched opening.
pub(crate) fn verify_range_and_merge<L: LimbLayout, T: Transcript>(
    vk: &VerifierKey,
    layout: &L,
    statement: &StepStatement,
    proof: &StepProof,
    mut book: ClaimBook,
    tr: &mut T,
) -> Result<(), VerifyError> {
    let rc_params = range_params(layout).map_err(|_| st("range-check statement"))?;
    let rc_claims = RangeCheckVerifier::new(&rc_params).verify(&proof.range, tr)?;
    for c in rc_claims {
        let s = layout
            .aux_layout()
            .segments
            .get(c.poly)
            .ok_or(st("segment"))?;
        book.add_segment(AUX, &c.point, s.index(), c.value)?;
    }
    let commitments = step_commitments(statement, proof.new_model, proof.aux);
    verify_merge(vk, &commitments, &book, &proof.merge, tr)?;
    Ok(())
}
