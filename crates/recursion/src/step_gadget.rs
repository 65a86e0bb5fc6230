//! The verifier of one step proof as an R1CS gadget, up to (not including) the PCS opening: the
//! in-circuit twin of `nn_layers::proof::verify_step_with_transcript`, call for call on the
//! Poseidon transcript. Dense `Dense (Relu Dense)*` models are verified here; convolutional
//! networks are dispatched to [`crate::net_gadget`], which shares this module's opening
//! (`open_step`), range check and merge (`finish_step`).
//!
//! # What is replayed
//!
//! Notation as in `docs/protocol.md` ("As built"): `F` fraction bits, `k` the learning-rate
//! shift, `bv = log2 B`, layer `j` maps `2^{in_j}` to `2^{out_j}` (padded), `nv` limbs per
//! signed value. The four committed polynomials are `(D, W_t, W_{t+1}, aux)`; a claim on a
//! segment is a claim on its polynomial at `(local ‖ index bits)`.
//!
//! 1. **statement**: absorb the parameters digest (constant bytes), the iteration (a variable),
//!    `C_D`, `C_W_t`, then `C_W_{t+1}`, `C_aux` (all four as [`G1LimbsVar`]); squeeze the gap
//!    point (`step_gap`, `model_vars` challenges) and record `W_{t+1} = 0` on every gap block.
//! 2. **per layer** `j`: squeeze `ρ` (`out + bv`), `π` (`in + bv`, `j > 0`), `σ` (`out + in`),
//!    `σ_b` (`out`), read the group `step_layer_evals` and derive the three matmul claims
//!
//!    ```text
//!    F_j: (a·W)(ρ)  = 2^F·y + y_r − 2^(F−1) − 2^F·b
//!    B_j: (g·Wᵀ)(π) = 2^F·h + h_r − 2^(F−1)                        (j > 0)
//!    U_j: (aᵀ·g)(σ) = 2^(F+k)·(W − W') + w_r − 2^(F+k−1)
//!    V_j: g̃(σ_b, ½…) = (2^k·(b − b') + b_r − 2^(k−1))·2^−bv
//!    ```
//!
//!    where every limbed value is the linear composition of its limb evaluations (signed:
//!    `Σ_i 2^{16i}·l_i − 2^{B−1}`, unsigned: `Σ_i 2^{16i}·l_i`), each limb a claim on `aux`; the
//!    sent `W'`, `b'` are equated with the composition of their limbs.
//! 3. **matmul**: one batched degree-2 sumcheck over all `F_j, B_j, U_j`
//!    ([`MatmulVerifierVar`]); each instance's `[a, b]` become claims on `D` (first layer, at
//!    the batch's data point), on activations/gradients (later layers, for the ReLU step) and
//!    on `W_t`.
//! 4. **output gradient**: `g_L = y_L − 2^F·onehot` at every gradient point of the last layer
//!    (group `step_output_grad_evals`; the one-hot is a claim on `D`).
//! 5. **zkReLU**: one batched sumcheck of `ã(p) = Σ_x eq(p, x)·y(x)·(1 − s(x))` per activation
//!    or gradient claim of a hidden layer ([`ZeroCheckVerifierVar`] with the masked combiner,
//!    degree 3); the limbs of `y` (group `step_relu_limb_evals`) must compose to the final `y`.
//! 6. **range check** of every limb tensor ([`RangeCheckVerifierVar`]), its claims on `aux`.
//! 7. **merge**: lift every claim to `n = max` variables and reduce them
//!    ([`verify_merge_reduction`]) to `pad(P_i)(r) = e_i` for the four polynomials.
//!
//! The output ([`StepClaimsVar`]) is `r`, the four `e_i` and the prover's commitments: the
//! claims an accumulator folds (the batched HyperKZG opening is not done in-circuit). A wrong
//! proof value leaves the constraint system unsatisfied; only shapes that cannot be laid out
//! (wrong group sizes, wrong numbers of sumchecks, an unsupported model) are [`Error`]s.
//!
//! # Circuit constants
//!
//! The model, training configuration, batch size, dataset size and parameters digest are
//! constants. The **iteration** `t` is a variable (in an IVC it is part of the state): it is
//! absorbed as a field element, as the native transcript absorbs the `u64`, and constrained to
//! 64 bits; the batch's row block is `(t·B mod rows)/B = t mod 2^b` (`rows` and `B` are powers
//! of two, `b = log2(rows/B)`), so the block's index bits, which are coordinates of the data
//! points, are the low `b` bits of `t`'s decomposition (`block_bits`; ≈ 1.1k constraints with the
//! 64-bit check).

use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use gkr::relations::{half_point, pow2};
use gkr::step::{
    index_bits, LABEL_AUX, LABEL_DATA, LABEL_ITERATION, LABEL_MODEL, LABEL_NEW_MODEL,
    LABEL_PARAMS_DIGEST,
};
use gkr::{RangeCheckParams, SegmentSpec};
use nn_layers::aux::{AuxLayout, Segment};
use nn_layers::model::Model;
use nn_layers::proof::layout::{
    bias_name, weight_name, DatasetLayout, LimbKind, LimbTensor, Schemes, StepLayout, MULT_RANGE,
    MULT_SIGN,
};
use nn_layers::proof::net::NetLayout;
use nn_layers::proof::{StepProof, StepStatement, VerifierKey, TRANSCRIPT_DOMAIN};
use nn_layers::TrainConfig;
use std::sync::Arc;
use sumcheck::engine::{LABEL_FINAL_EVALS, LABEL_ROUND_CHALLENGE};
use sumcheck::instances::multi_eval::LABEL_GAMMA;
use sumcheck::{MatmulDims, PoseidonTranscript, Transcript, F};

use crate::error::Error;
use crate::multi_eval_gadget::{verify_merge_reduction, MultiEvalProofVar};
use crate::range_gadget::{EvalClaimVar, RangeCheckProofVar, RangeCheckVerifierVar};
use crate::sumcheck_gadget::{
    alloc_witness_vec, batch_shape, verify_batched, CombinerVar, MatmulVerifierVar,
    SumcheckInstanceVerifierVar, SumcheckProofVar, ZeroCheckVerifierVar,
};
use crate::transcript::{G1LimbsVar, PoseidonTranscriptVar};

/// Transcript labels of the dense step protocol (`nn_layers::proof::prover`).
pub const L_GAP: &[u8] = b"step_gap";
/// `ρ`.
pub const L_RHO: &[u8] = b"step_rho";
/// `π`.
pub const L_PI: &[u8] = b"step_pi";
/// `σ`.
pub const L_SIGMA: &[u8] = b"step_sigma";
/// `σ_b`.
pub const L_SIGMA_B: &[u8] = b"step_sigma_b";
/// The per-layer evaluation group.
pub const L_P1: &[u8] = b"step_layer_evals";
/// The output-gradient evaluation group.
pub const L_RESOLVE: &[u8] = b"step_output_grad_evals";
/// The zkReLU limb evaluation group.
pub const L_LIMBS: &[u8] = b"step_relu_limb_evals";

/// Polynomial ids of the claim book: the dataset.
pub const DATA: usize = 0;
/// `W_t`.
pub const MODEL: usize = 1;
/// `W_{t+1}`.
pub const NEW_MODEL: usize = 2;
/// The auxiliary witness.
pub const AUX: usize = 3;

/// The public statement of one step in the circuit: the commitments are variables, the rest
/// circuit constants (module docs).
#[derive(Clone, Debug)]
pub struct StepStatementVar {
    /// `params_digest(srs, model, cfg, B, rows)` (constant bytes).
    pub params_digest: [u8; 32],
    /// Batch size `B`.
    pub batch_size: usize,
    /// Dataset rows.
    pub dataset_rows: usize,
    /// The iteration `t` (a variable, see the module docs).
    pub iteration: FpVar<F>,
    /// `C_D`.
    pub data_commitment: G1LimbsVar,
    /// `C_W_t`.
    pub model_commitment: G1LimbsVar,
}

/// What the gadget leaves to the accumulator / PCS: the merge point, the four evaluation claims
/// there and the prover's commitments.
#[derive(Clone, Debug)]
pub struct StepClaimsVar {
    /// The merge point `r` (`n = max num_vars` challenges).
    pub r: Vec<FpVar<F>>,
    /// `pad(P_i)(r)` for `P = (D, W_t, W_{t+1}, aux)`.
    pub evals: Vec<FpVar<F>>,
    /// The merge's claim-combining challenge `γ`.
    pub gamma: FpVar<F>,
    /// `C_W_{t+1}` (the next statement's model commitment).
    pub new_model: G1LimbsVar,
    /// `C_aux_t`.
    pub aux: G1LimbsVar,
    /// The number of variables of each of the four polynomials.
    pub num_vars: [usize; 4],
}

pub(crate) fn malformed(what: &'static str) -> Error {
    Error::Malformed { what }
}

pub(crate) fn value<T: Clone>(
    proof: Option<&StepProof>,
    sel: impl FnOnce(&StepProof) -> Option<T>,
) -> Result<T, SynthesisError> {
    proof.and_then(sel).ok_or(SynthesisError::AssignmentMissing)
}

/// The claim book in the circuit (twin of `gkr::step::ClaimBook`).
pub(crate) struct BookVar {
    num_vars: Vec<usize>,
    claims: Vec<EvalClaimVar>,
}

impl BookVar {
    pub(crate) fn add(
        &mut self,
        poly: usize,
        point: Vec<FpVar<F>>,
        value: FpVar<F>,
    ) -> Result<(), Error> {
        let n = *self
            .num_vars
            .get(poly)
            .ok_or(malformed("claim on an unknown polynomial"))?;
        if point.len() != n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: point.len(),
            });
        }
        self.claims.push(EvalClaimVar { poly, point, value });
        Ok(())
    }

    pub(crate) fn add_segment(
        &mut self,
        poly: usize,
        local: &[FpVar<F>],
        index: usize,
        value: FpVar<F>,
    ) -> Result<(), Error> {
        let n = *self
            .num_vars
            .get(poly)
            .ok_or(malformed("claim on an unknown polynomial"))?;
        let high = n
            .checked_sub(local.len())
            .ok_or(malformed("segment larger than its polynomial"))?;
        if high < usize::BITS as usize && index >> high != 0 {
            return Err(malformed("segment index out of range"));
        }
        let mut point = local.to_vec();
        point.extend(index_bits(index, high).into_iter().map(FpVar::constant));
        self.add(poly, point, value)
    }
}

/// The evaluation-group reader in the circuit (twin of `gkr::step::EvalReader`).
pub(crate) struct ReaderVar<'a> {
    pub(crate) cs: ConstraintSystemRef<F>,
    pub(crate) proof: Option<&'a StepProof>,
    pub(crate) pos: usize,
}

impl ReaderVar<'_> {
    pub(crate) fn recv(
        &mut self,
        tr: &mut PoseidonTranscriptVar,
        label: &'static [u8],
        n: usize,
    ) -> Result<Vec<FpVar<F>>, Error> {
        let pos = self.pos;
        let vals = alloc_witness_vec(self.cs.clone(), n, || {
            value(self.proof, |p| p.evals.groups.get(pos).cloned())
        })
        .map_err(|e| match e {
            Error::DimensionMismatch { expected, actual } => Error::ProofShape {
                what: "evaluations in a group",
                expected,
                actual,
            },
            other => other,
        })?;
        if let Some(p) = self.proof {
            if p.evals.groups.get(pos).is_none() {
                return Err(Error::ProofShape {
                    what: "evaluation groups",
                    expected: pos + 1,
                    actual: p.evals.groups.len(),
                });
            }
        }
        tr.append_fields(label, &vals)?;
        self.pos += 1;
        Ok(vals)
    }

    pub(crate) fn finish(&self) -> Result<(), Error> {
        match self.proof {
            Some(p) if p.evals.groups.len() != self.pos => Err(Error::ProofShape {
                what: "evaluation groups",
                expected: self.pos,
                actual: p.evals.groups.len(),
            }),
            _ => Ok(()),
        }
    }
}

pub(crate) fn next(vals: &mut std::slice::Iter<'_, FpVar<F>>) -> Result<FpVar<F>, Error> {
    vals.next().cloned().ok_or(malformed("too few evaluations"))
}

/// The parts of a step layout (dense or convolutional) the gadgets read: limb schemes and
/// tensors, the aux, model and dataset layouts, `log2 B`.
pub(crate) struct Ctx<'a> {
    pub(crate) schemes: &'a Schemes,
    pub(crate) tensors: &'a [LimbTensor],
    pub(crate) aux: &'a AuxLayout,
    pub(crate) model: &'a AuxLayout,
    pub(crate) data: &'a DatasetLayout,
    pub(crate) batch_vars: usize,
}

impl<'a> Ctx<'a> {
    /// The context of a dense step layout.
    pub(crate) fn of_dense(l: &'a StepLayout) -> Self {
        Self {
            schemes: &l.schemes,
            tensors: &l.tensors,
            aux: &l.aux,
            model: &l.model,
            data: &l.data,
            batch_vars: l.batch_vars,
        }
    }

    /// The context of a convolutional step layout.
    pub(crate) fn of_net(l: &'a NetLayout) -> Self {
        Self {
            schemes: &l.schemes,
            tensors: &l.tensors,
            aux: &l.aux,
            model: &l.model,
            data: &l.data,
            batch_vars: l.batch_vars,
        }
    }

    /// The position (range-check polynomial id) and segment of aux segment `name`.
    fn aux_segment(&self, name: &str) -> Result<(usize, &'a Segment), Error> {
        self.aux
            .segments
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .ok_or(malformed("aux segment"))
    }

    pub(crate) fn aux_index(&self, name: &str) -> Result<usize, Error> {
        self.aux_segment(name).map(|(_, s)| s.index())
    }

    pub(crate) fn model_index(&self, name: &str) -> Result<usize, Error> {
        self.model
            .segment(name)
            .map(|s| s.index())
            .ok_or(malformed("model segment"))
    }

    /// The limb tensor with stem `stem`.
    pub(crate) fn tensor(&self, stem: &str) -> Result<&'a LimbTensor, Error> {
        self.tensors
            .iter()
            .find(|t| t.stem == stem)
            .ok_or(malformed("limb tensor"))
    }

    fn count(&self, stem: &str) -> Result<usize, Error> {
        Ok(self.tensor(stem)?.limbs)
    }

    /// `compose(kind, limbs)` as the affine map `c + Σ_i c_i·l_i`, its coefficients read off the
    /// native composition (so the two cannot disagree).
    pub(crate) fn compose(&self, kind: LimbKind, limbs: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        let sch = self.schemes;
        let zeros = vec![F::from(0u64); limbs.len()];
        let c0 = sch
            .compose(kind, &zeros)
            .map_err(|_| malformed("limb composition"))?;
        let mut acc = FpVar::constant(c0);
        for (i, l) in limbs.iter().enumerate() {
            let mut e = zeros.clone();
            e[i] = F::from(1u64);
            let ci = sch
                .compose(kind, &e)
                .map_err(|_| malformed("limb composition"))?
                - c0;
            acc += l * ci;
        }
        Ok(acc)
    }

    /// Read the limbs of tensor `stem` at `point`, record the aux claims, return the composed
    /// value.
    pub(crate) fn limbs(
        &self,
        stem: &str,
        point: &[FpVar<F>],
        vals: &mut std::slice::Iter<'_, FpVar<F>>,
        book: &mut BookVar,
    ) -> Result<FpVar<F>, Error> {
        let t = self.tensor(stem)?;
        let mut limbs = Vec::with_capacity(t.limbs);
        for k in 0..t.limbs {
            let v = next(vals)?;
            book.add_segment(AUX, point, self.aux_index(&t.limb_name(k))?, v.clone())?;
            limbs.push(v);
        }
        self.compose(t.kind, &limbs)
    }

    /// The index bits of the batch's row block, `t mod 2^b` with `b = log2(rows/B)`, from the
    /// iteration variable, which is also constrained to 64 bits (twin of `data_point`'s
    /// `(t·B mod rows)/B`; module docs).
    pub(crate) fn block_bits(&self, iteration: &FpVar<F>) -> Result<Vec<FpVar<F>>, Error> {
        let d = self.data;
        let bits = d
            .row_vars()
            .checked_sub(self.batch_vars)
            .ok_or(malformed("data point"))?;
        let le = iteration.to_bits_le()?;
        for b in le.iter().skip(64) {
            b.enforce_equal(&Boolean::FALSE)?;
        }
        Ok(le
            .iter()
            .take(bits)
            .map(|b| FpVar::from(b.clone()))
            .collect())
    }

    /// The batch's data point `(col ‖ 0… ‖ half ‖ row ‖ block bits)` (twin of `data_point`).
    pub(crate) fn data_point(
        &self,
        block_bits: &[FpVar<F>],
        col: &[FpVar<F>],
        half: bool,
        row: &[FpVar<F>],
    ) -> Result<Vec<FpVar<F>>, Error> {
        let pad = self
            .data
            .col_vars()
            .checked_sub(col.len())
            .ok_or(malformed("data point"))?;
        let mut p = col.to_vec();
        p.extend(std::iter::repeat_n(FpVar::zero(), pad));
        p.push(FpVar::constant(F::from(u64::from(half))));
        p.extend_from_slice(row);
        p.extend_from_slice(block_bits);
        Ok(p)
    }
}

/// The gap blocks `[used, total)` of a model layout as `(log size, block index)` (twin of
/// `gap_blocks_of`).
fn gap_blocks(model: &AuxLayout) -> Vec<(usize, usize)> {
    let used: usize = model.segments.iter().map(|s| s.padded_len).sum();
    let total = model.total_len;
    let mut out = Vec::new();
    let mut pos = used;
    while pos < total {
        // The largest aligned power-of-two block at `pos` that fits below `total` (`total` is a
        // power of two, so `m = 0` always fits).
        let mut m = pos.trailing_zeros().min(usize::BITS - 1) as usize;
        while m > 0 && pos + (1 << m) > total {
            m -= 1;
        }
        out.push((m, pos >> m));
        pos += 1 << m;
    }
    out
}

/// The range-check statement of a step layout: every limb tensor, in order (twin of
/// `nn_layers`' `range_params`); polynomial ids are aux segment positions.
fn range_params(ctx: &Ctx<'_>) -> Result<RangeCheckParams, Error> {
    let sch = *ctx.schemes;
    let seg = |name: &str| -> Result<usize, Error> { ctx.aux_segment(name).map(|(i, _)| i) };
    let bad = |_| malformed("range-check statement");
    let mut segs: Vec<SegmentSpec> = Vec::new();
    for t in ctx.tensors {
        let ids: Vec<usize> = (0..t.limbs)
            .map(|k| seg(&t.limb_name(k)))
            .collect::<Result<_, _>>()?;
        let s = match (t.kind, &t.sign) {
            (LimbKind::Signed, Some(sign)) => {
                sch.value.segments_with_sign(&ids, seg(sign)?, t.vars)
            }
            (LimbKind::Signed, None) => sch.value.segments(&ids, None, t.vars),
            (LimbKind::RemF, _) => sch.rem_f.segments(&ids, t.vars),
            (LimbKind::RemW, _) => sch.rem_w.segments(&ids, t.vars),
            (LimbKind::RemB, _) => sch.rem_b.segments(&ids, t.vars),
            (LimbKind::Rem2, _) => sch.rem_2.segments(&ids, t.vars),
            (LimbKind::Diff, _) => sch.diff.segments(&ids, t.vars),
        }
        .map_err(bad)?;
        segs.extend(s);
    }
    RangeCheckParams::new(segs, seg(MULT_RANGE)?, seg(MULT_SIGN)?).map_err(bad)
}

/// The zkReLU combiner `g(y, s) = y·(1 − s)` in-circuit (twin of
/// `gkr::relations::masked_combiner`).
pub fn masked_combiner_var() -> CombinerVar {
    CombinerVar::Custom {
        degree: 2,
        f: Arc::new(|v: &[FpVar<F>]| match v {
            [y, s] => Ok(y - y * s),
            _ => Err(SynthesisError::Unsatisfiable),
        }),
    }
}

/// One vector of final evaluations per instance of a batched sumcheck.
pub(crate) type FinalEvalsVar = Vec<Vec<FpVar<F>>>;

/// Allocate sumcheck `i` of the proof (`rounds`, `degree`) and its final evaluations (`counts`
/// per instance).
pub(crate) fn alloc_sumcheck(
    cs: &ConstraintSystemRef<F>,
    proof: Option<&StepProof>,
    i: usize,
    shapes: &[crate::sumcheck_gadget::InstanceShape],
    counts: &[usize],
) -> Result<(SumcheckProofVar, FinalEvalsVar), Error> {
    let (rounds, degree) = batch_shape(shapes);
    if let Some(p) = proof {
        let finals = p.sumcheck_evals.get(i).map_or(0, Vec::len);
        if finals != counts.len() {
            return Err(Error::ProofShape {
                what: "instances with final evaluations",
                expected: counts.len(),
                actual: finals,
            });
        }
    }
    let sc = SumcheckProofVar::new_witness(cs.clone(), rounds, degree, || {
        value(proof, |p| p.sumchecks.get(i).cloned())
    })?;
    let finals = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            alloc_witness_vec(cs.clone(), c, || {
                value(proof, |p| p.sumcheck_evals.get(i)?.get(k).cloned())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((sc, finals))
}

/// Verify one step proof in-circuit up to the PCS opening: dense `Dense (Relu Dense)*` models
/// here (module docs), convolutional networks in [`crate::net_gadget`]. `proof` gives the
/// witness values (`None` in setup mode); `statement.params_digest` must be the digest of
/// `(srs, model, cfg, B, rows)` (a circuit constant the caller computed). `tr` must be fresh
/// (`TRANSCRIPT_DOMAIN`) or in the state the native verifier's transcript is in.
pub fn verify_step(
    cs: ConstraintSystemRef<F>,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatementVar,
    proof: Option<&StepProof>,
    tr: &mut PoseidonTranscriptVar,
) -> Result<StepClaimsVar, Error> {
    if nn_layers::proof::net::is_conv_net(model) {
        return crate::net_gadget::verify_net_step(cs, model, cfg, statement, proof, tr);
    }
    let layout = StepLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)
        .map_err(|_| malformed("model, configuration or batch not supported"))?;
    verify_dense_step(cs, &layout, cfg, statement, proof, tr)
}

/// What [`open_step`] leaves: the claim book with the gap claims, the prover's commitments and
/// the batch's block bits.
pub(crate) struct OpenedStep {
    pub(crate) book: BookVar,
    pub(crate) new_model: G1LimbsVar,
    pub(crate) aux: G1LimbsVar,
    pub(crate) block_bits: Vec<FpVar<F>>,
    pub(crate) num_vars: [usize; 4],
}

/// The opening of every step proof (twin of `nn_layers`' `open_step`): absorb the statement and
/// the prover's commitments `C_W_{t+1}`, `C_aux`, squeeze the gap point and record
/// `W_{t+1} = 0` on every gap block.
pub(crate) fn open_step(
    cs: &ConstraintSystemRef<F>,
    ctx: &Ctx<'_>,
    statement: &StepStatementVar,
    proof: Option<&StepProof>,
    tr: &mut PoseidonTranscriptVar,
) -> Result<OpenedStep, Error> {
    tr.append_bytes(LABEL_PARAMS_DIGEST, &statement.params_digest)?;
    tr.append_field(LABEL_ITERATION, &statement.iteration)?;
    let block_bits = ctx.block_bits(&statement.iteration)?;
    tr.append_g1(LABEL_DATA, &statement.data_commitment)?;
    tr.append_g1(LABEL_MODEL, &statement.model_commitment)?;
    let new_model = G1LimbsVar::new_witness(cs.clone(), || value(proof, |p| Some(p.new_model)))?;
    let aux = G1LimbsVar::new_witness(cs.clone(), || value(proof, |p| Some(p.aux)))?;
    tr.append_g1(LABEL_NEW_MODEL, &new_model)?;
    tr.append_g1(LABEL_AUX, &aux)?;
    let model_vars = ctx.model.num_vars() as usize;
    let num_vars = [
        ctx.data.num_vars(),
        model_vars,
        model_vars,
        ctx.aux.num_vars() as usize,
    ];
    let mut book = BookVar {
        num_vars: num_vars.to_vec(),
        claims: Vec::new(),
    };
    let gap = tr.challenges(L_GAP, model_vars)?;
    for (m, idx) in gap_blocks(ctx.model) {
        let p = gap.get(..m).ok_or(malformed("gap"))?;
        book.add_segment(NEW_MODEL, p, idx, FpVar::zero())?;
    }
    Ok(OpenedStep {
        book,
        new_model,
        aux,
        block_bits,
        num_vars,
    })
}

/// The end of every step proof: the range check of every limb tensor (its claims on `aux`
/// recorded) and the merge reduction of the claim book to one point.
pub(crate) fn finish_step(
    cs: ConstraintSystemRef<F>,
    ctx: &Ctx<'_>,
    proof: Option<&StepProof>,
    opened: OpenedStep,
    tr: &mut PoseidonTranscriptVar,
) -> Result<StepClaimsVar, Error> {
    let OpenedStep {
        mut book,
        new_model,
        aux,
        num_vars,
        ..
    } = opened;
    let rc_params = range_params(ctx)?;
    let rc_proof = RangeCheckProofVar::new_witness(cs.clone(), &rc_params, || {
        value(proof, |p| Some(p.range.clone()))
    })?;
    let rc = RangeCheckVerifierVar::new(&rc_params).verify(&rc_proof, tr)?;
    for c in rc.claims {
        let s = ctx.aux.segments.get(c.poly).ok_or(malformed("segment"))?;
        book.add_segment(AUX, &c.point, s.index(), c.value)?;
    }
    let n = num_vars.iter().copied().max().unwrap_or(0);
    let me_proof = MultiEvalProofVar::new_witness(cs, 4, n, || {
        value(proof, |p| Some(p.merge.reduction.clone()))
    })?;
    let out = verify_merge_reduction(&num_vars, &book.claims, &me_proof, tr)?;
    Ok(StepClaimsVar {
        r: out.r,
        evals: out.evals,
        gamma: out.gamma,
        new_model,
        aux,
        num_vars,
    })
}

fn verify_dense_step(
    cs: ConstraintSystemRef<F>,
    layout: &StepLayout,
    cfg: &TrainConfig,
    statement: &StepStatementVar,
    proof: Option<&StepProof>,
    tr: &mut PoseidonTranscriptVar,
) -> Result<StepClaimsVar, Error> {
    let ctx = Ctx::of_dense(layout);
    let f = cfg.fixed.frac_bits;
    let k = cfg.lr_shift;
    let bv = layout.batch_vars;
    let mut opened = open_step(&cs, &ctx, statement, proof, tr)?;
    let block_bits = std::mem::take(&mut opened.block_bits);
    let book = &mut opened.book;
    let mut reader = ReaderVar {
        cs: cs.clone(),
        proof,
        pos: 0,
    };

    // Phase 1: per-layer points and evaluation groups.
    type Pt = Vec<FpVar<F>>;
    let nl = layout.layers.len();
    let mut a_claims: Vec<Vec<(Pt, FpVar<F>)>> = vec![Vec::new(); nl];
    let mut g_claims: Vec<Vec<(Pt, FpVar<F>)>> = vec![Vec::new(); nl];
    let mut points: Vec<(Pt, Option<Pt>, Pt)> = Vec::new();
    let mut mm_claims = Vec::new();
    let nv = layout.schemes.value.num_limbs();
    let (half_f, half_fk, half_k) = (pow2(f - 1), pow2(f + k - 1), pow2(k - 1));
    let two_f = pow2(f);
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let rho = tr.challenges(L_RHO, d.out_vars + bv)?;
        let pi = if j > 0 {
            Some(tr.challenges(L_PI, d.in_vars + bv)?)
        } else {
            None
        };
        let sigma = tr.challenges(L_SIGMA, d.out_vars + d.in_vars)?;
        let sigb = tr.challenges(L_SIGMA_B, d.out_vars)?;
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
        let y = ctx.limbs(&format!("l{l}.y"), &rho, &mut vals, book)?;
        let yr = ctx.limbs(&format!("l{l}.yr"), &rho, &mut vals, book)?;
        let b = next(&mut vals)?;
        let out_rho = rho.get(..d.out_vars).ok_or(malformed("point"))?;
        book.add_segment(MODEL, out_rho, ctx.model_index(&bias_name(l))?, b.clone())?;
        let c_f = &y * two_f + yr - half_f - b * two_f;
        let c_b = match &pi {
            Some(pi) => {
                let h = ctx.limbs(&format!("l{l}.h"), pi, &mut vals, book)?;
                let hr = ctx.limbs(&format!("l{l}.hr"), pi, &mut vals, book)?;
                Some(h * two_f + hr - half_f)
            }
            None => None,
        };
        let wv = next(&mut vals)?;
        let wn = next(&mut vals)?;
        let wi = ctx.model_index(&weight_name(l))?;
        book.add_segment(MODEL, &sigma, wi, wv.clone())?;
        book.add_segment(NEW_MODEL, &sigma, wi, wn.clone())?;
        let wr = ctx.limbs(&format!("l{l}.wr"), &sigma, &mut vals, book)?;
        let wn_l = ctx.limbs(&format!("l{l}.wn"), &sigma, &mut vals, book)?;
        wn.enforce_equal(&wn_l)?;
        let c_u = (wv - wn) * pow2(f + k) + wr - half_fk;
        let bv0 = next(&mut vals)?;
        let bn = next(&mut vals)?;
        let bi = ctx.model_index(&bias_name(l))?;
        book.add_segment(MODEL, &sigb, bi, bv0.clone())?;
        book.add_segment(NEW_MODEL, &sigb, bi, bn.clone())?;
        let br = ctx.limbs(&format!("l{l}.br"), &sigb, &mut vals, book)?;
        let bn_l = ctx.limbs(&format!("l{l}.bn"), &sigb, &mut vals, book)?;
        bn.enforce_equal(&bn_l)?;
        let gsum = (bv0 - bn) * pow2(k) + br - half_k;
        let inv = pow2(bv as u32).inverse().ok_or(malformed("batch"))?;
        let mut gp = sigb.clone();
        gp.extend(half_point(bv).into_iter().map(FpVar::constant));
        g_claims[j].push((gp, gsum * inv));
        if vals.next().is_some() {
            return Err(malformed("too many layer evaluations"));
        }
        mm_claims.push((c_f, c_b, c_u));
        points.push((rho, pi, sigma));
    }

    // Phase 2: the matmul sumchecks.
    let mut verifiers: Vec<MatmulVerifierVar> = Vec::new();
    for (d, ((rho, pi, sigma), (c_f, c_b, c_u))) in
        layout.layers.iter().zip(points.iter().zip(&mm_claims))
    {
        let dims = |log_m, log_n, log_p| MatmulDims {
            log_m,
            log_n,
            log_p,
        };
        verifiers.push(MatmulVerifierVar::new(
            dims(bv, d.in_vars, d.out_vars),
            rho.clone(),
            c_f.clone(),
        )?);
        if let (Some(pi), Some(c_b)) = (pi, c_b) {
            verifiers.push(MatmulVerifierVar::new(
                dims(bv, d.out_vars, d.in_vars),
                pi.clone(),
                c_b.clone(),
            )?);
        }
        verifiers.push(MatmulVerifierVar::new(
            dims(d.in_vars, bv, d.out_vars),
            sigma.clone(),
            c_u.clone(),
        )?);
    }
    let refs: Vec<&dyn SumcheckInstanceVerifierVar> = verifiers
        .iter()
        .map(|v| v as &dyn SumcheckInstanceVerifierVar)
        .collect();
    let shapes: Vec<_> = refs.iter().map(|v| v.shape()).collect();
    let (mm_proof, mm_finals) = alloc_sumcheck(&cs, proof, 0, &shapes, &vec![2; refs.len()])?;
    let mm = verify_batched(&refs, &mm_proof, &mm_finals, tr)?;
    let mut idx = 0;
    for (j, d) in layout.layers.iter().enumerate() {
        let l = d.layer;
        let (rho, pi, sigma) = &points[j];
        let mut nxt = || -> Result<(Pt, FpVar<F>, FpVar<F>), Error> {
            let rk = mm.instance_point(idx)?.to_vec();
            let fe = mm_finals.get(idx).ok_or(malformed("matmul evaluations"))?;
            idx += 1;
            match fe.as_slice() {
                [a, b] => Ok((rk, a.clone(), b.clone())),
                _ => Err(malformed("matmul evaluations")),
            }
        };
        let wi = ctx.model_index(&weight_name(l))?;
        let (rk, av, wv) = nxt()?;
        let (rc, rr) = rho.split_at(d.out_vars);
        if j == 0 {
            let dp = ctx.data_point(&block_bits, &rk, false, rr)?;
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
            let dp = ctx.data_point(&block_bits, sr, false, &rk)?;
            book.add(DATA, dp, av)?;
        } else {
            a_claims[j].push(([sr, rk.as_slice()].concat(), av));
        }
        g_claims[j].push(([sc, rk.as_slice()].concat(), gv));
    }

    // g_L = y_L − 2^F·onehot.
    {
        let last = nl.checked_sub(1).ok_or(malformed("no layer"))?;
        let d = layout.layers[last];
        let per = nv + 1;
        let group = reader.recv(tr, L_RESOLVE, per * g_claims[last].len())?;
        let mut vals = group.iter();
        for (p, gv) in &g_claims[last] {
            let y = ctx.limbs(&format!("l{}.y", d.layer), p, &mut vals, book)?;
            let dv = next(&mut vals)?;
            let (pc, pr) = p.split_at(d.out_vars);
            let dp = ctx.data_point(&block_bits, pc, true, pr)?;
            book.add(DATA, dp, dv.clone())?;
            gv.enforce_equal(&(y - dv * two_f))?;
        }
    }

    // Phase 3: zkReLU products.
    let mut prod: Vec<(String, String, ZeroCheckVerifierVar)> = Vec::new();
    for j in 0..nl.saturating_sub(1) {
        let d = layout.layers[j];
        let relu = d.relu.ok_or(malformed("missing ReLU"))?;
        let nxt_l = layout.layers.get(j + 1).ok_or(malformed("layer"))?.layer;
        for (p, v) in &a_claims[j + 1] {
            prod.push((
                format!("l{}.y", d.layer),
                format!("l{relu}.sign"),
                ZeroCheckVerifierVar::new(p.clone(), 2, masked_combiner_var(), v.clone()),
            ));
        }
        for (p, v) in &g_claims[j] {
            prod.push((
                format!("l{nxt_l}.h"),
                format!("l{relu}.sign"),
                ZeroCheckVerifierVar::new(p.clone(), 2, masked_combiner_var(), v.clone()),
            ));
        }
    }
    let expected_sumchecks = if prod.is_empty() { 1 } else { 2 };
    if let Some(p) = proof {
        if p.sumchecks.len() != expected_sumchecks || p.sumcheck_evals.len() != expected_sumchecks {
            return Err(Error::ProofShape {
                what: "sumchecks",
                expected: expected_sumchecks,
                actual: p.sumchecks.len(),
            });
        }
    }
    if !prod.is_empty() {
        let refs: Vec<&dyn SumcheckInstanceVerifierVar> = prod
            .iter()
            .map(|p| &p.2 as &dyn SumcheckInstanceVerifierVar)
            .collect();
        let shapes: Vec<_> = refs.iter().map(|v| v.shape()).collect();
        let (pp, finals) = alloc_sumcheck(&cs, proof, 1, &shapes, &vec![2; refs.len()])?;
        let out = verify_batched(&refs, &pp, &finals, tr)?;
        let group = reader.recv(tr, L_LIMBS, nv * prod.len())?;
        let mut vals = group.iter();
        for (i, ((stem, sign, _), fe)) in prod.iter().zip(&finals).enumerate() {
            let pt = out.instance_point(i)?.to_vec();
            let (yv, sv) = match fe.as_slice() {
                [a, b] => (a, b),
                _ => return Err(malformed("product evaluations")),
            };
            let composed = ctx.limbs(stem, &pt, &mut vals, book)?;
            yv.enforce_equal(&composed)?;
            book.add_segment(AUX, &pt, ctx.aux_index(sign)?, sv.clone())?;
        }
    }
    reader.finish()?;
    finish_step(cs, &ctx, proof, opened, tr)
}

// ---------------------------------------------------------------------------------------------
// Native reference

/// What the native step verifier derives up to the end of the merge reduction: the values the
/// gadget's [`StepClaimsVar`] must take.
#[derive(Clone, Debug)]
pub struct NativeStepClaims {
    /// The merge point `r`.
    pub r: Vec<F>,
    /// `pad(P_i)(r)` for the four polynomials (the proof's reduction evaluations).
    pub evals: Vec<F>,
    /// The merge's `γ`.
    pub gamma: F,
    /// `C_W_{t+1}`, as the native verifier returns it.
    pub new_model: ark_bn254::G1Affine,
    /// The transcript right after the reduction (before the batched opening).
    pub transcript: PoseidonTranscript,
}

/// A Poseidon transcript that taps the merge: `γ` (`me_gamma`), the round challenges after it,
/// and a copy of the state once the reduction's final evaluations are absorbed.
struct MergeTap {
    inner: PoseidonTranscript,
    gamma: Option<F>,
    r: Vec<F>,
    snapshot: Option<PoseidonTranscript>,
}

impl Transcript for MergeTap {
    fn new(domain: &'static [u8]) -> Self {
        Self {
            inner: PoseidonTranscript::new(domain),
            gamma: None,
            r: Vec::new(),
            snapshot: None,
        }
    }
    fn append_fields(&mut self, label: &'static [u8], xs: &[F]) {
        self.inner.append_fields(label, xs);
        if self.gamma.is_some() && self.snapshot.is_none() && label == LABEL_FINAL_EVALS {
            self.snapshot = Some(self.inner.clone());
        }
    }
    fn append_g1(&mut self, label: &'static [u8], p: &ark_bn254::G1Affine) {
        self.inner.append_g1(label, p);
    }
    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        self.inner.append_bytes(label, bytes);
    }
    fn challenge(&mut self, label: &'static [u8]) -> F {
        let v = self.inner.challenge(label);
        if self.snapshot.is_none() {
            if label == LABEL_GAMMA {
                self.gamma = Some(v);
                self.r.clear();
            } else if self.gamma.is_some() && label == LABEL_ROUND_CHALLENGE {
                self.r.push(v);
            }
        }
        v
    }
}

/// Run the native verifier (`verify_step_with_transcript`, PCS opening included) and return
/// what it derived at the end of the merge reduction. A rejected proof is
/// [`Error::NativeStepRejected`].
pub fn native_step_claims(
    vk: &VerifierKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    proof: &StepProof,
) -> Result<NativeStepClaims, Error> {
    let mut tap = MergeTap::new(TRANSCRIPT_DOMAIN);
    let new_model =
        nn_layers::proof::verify_step_with_transcript(vk, model, cfg, statement, proof, &mut tap)
            .map_err(|e| Error::NativeStepRejected(e.to_string()))?;
    match (tap.gamma, tap.snapshot) {
        (Some(gamma), Some(transcript)) => Ok(NativeStepClaims {
            r: tap.r,
            evals: proof.merge.reduction.evals.clone(),
            gamma,
            new_model,
            transcript,
        }),
        _ => Err(malformed("the native verifier ran no merge reduction")),
    }
}
