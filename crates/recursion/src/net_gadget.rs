//! The verifier of one convolutional-network step proof as an R1CS gadget, up to (not
//! including) the PCS opening: the in-circuit twin of `nn_layers`' conv-network verifier
//! (`proof::net::protocol::run` driven by its verifier party), call for call on the Poseidon
//! transcript.
//!
//! # What is replayed
//!
//! The protocol is `docs/protocol.md` ("Convolutional networks"); the identities per layer are
//! the table of `nn_layers::proof::net::protocol`:
//!
//! 1. **opening** ([`crate::step_gadget`]'s `open_step`, shared with dense models): the
//!    statement, `C_W_{t+1}`, `C_aux`, the gap point and `W_{t+1} = 0` on every gap block;
//! 2. **per layer, in order** (each relation at its own fresh point, every prover value read as
//!    one evaluation group under `net_evals`):
//!    * Conv2d / Dense: forward `z̃(ρ) = 2^F·ỹ + r̃ − 2^(F−1) − 2^F·b̃`, input gradient
//!      `2^F·h̃ + r̃_h − 2^(F−1)`, weight update `2^(F+k)·(W̃ − W̃') + r̃_W − 2^(F+k−1)`, each
//!      reduced by the conv relation ([`crate::conv_gadget`], two sumchecks) or a matmul
//!      sumcheck; the bias update is one claim on the output gradient at `(½…, σ_b, ½…)`;
//!    * ReLU: the masked products `ã(p) = Σ eq(p,x)·y(x)·(1 − s(x))` (and the gradient twin);
//!    * average pool: the window-sum and rescale claims ([`crate::pool_gadget`], no sumcheck);
//!    * max pool: the batched booleanity/selection sumcheck and the backward product
//!      ([`crate::pool_gadget`]), the output value at the sumcheck point absorbed afterwards;
//!
//!    every claim on a boundary tensor is resolved where the tensor lives: limbs of `aux`
//!    (composed), a plain `aux` column, the batch rows of `D` (inputs, one-hot labels), the
//!    broadcast of an average pool's gradient quotient, or `g_L = y_L − 2^F·onehot`;
//! 3. **range check and merge** (shared with dense models).
//!
//! A wrong proof value leaves the constraint system unsatisfied (claims are equated with
//! `enforce_equal`); only shapes that cannot be laid out are [`Error`]s. The iteration is a
//! variable as for dense models: the batch's block bits are its low bits.

use ark_ff::Field;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::ConstraintSystemRef;
use gkr::relations::conv::{ConvProof, ConvRelation, ConvShape};
use gkr::relations::pool::{MaxPoolBackwardProof, MaxPoolProof, PoolShape, PoolTensor};
use gkr::relations::{half_point, pow2};
use nn_layers::model::Model;
use nn_layers::proof::layout::{bias_name, weight_name};
use nn_layers::proof::net::{NetLayer, NetLayout};
use nn_layers::proof::StepProof;
use nn_layers::TrainConfig;
use sumcheck::{MatmulDims, F};

use crate::conv_gadget::{verify_conv_var, ConvProofVar};
use crate::error::Error;
use crate::pool_gadget::{
    avg_pool_backward_output_grad_claim_var, avg_pool_backward_quotient_claim_var,
    avg_pool_forward_input_claim_var, verify_max_pool_backward_var, verify_max_pool_var,
    MaxPoolBackwardProofVar, MaxPoolProofVar,
};
use crate::step_gadget::{
    alloc_sumcheck, finish_step, malformed, masked_combiner_var, open_step, value, BookVar, Ctx,
    ReaderVar, StepClaimsVar, StepStatementVar, AUX, DATA, MODEL, NEW_MODEL,
};
use crate::sumcheck_gadget::{
    verify_batched, MatmulVerifierVar, SumcheckInstanceVerifierVar, ZeroCheckVerifierVar,
};
use crate::transcript::PoseidonTranscriptVar;

/// Transcript labels of the conv-network protocol (`nn_layers::proof::net::protocol`).
pub const L_RHO: &[u8] = b"net_rho";
/// `π`.
pub const L_PI: &[u8] = b"net_pi";
/// `σ`.
pub const L_SIGMA: &[u8] = b"net_sigma";
/// `σ_b`.
pub const L_SIGMA_B: &[u8] = b"net_sigma_b";
/// ReLU points.
pub const L_RELU: &[u8] = b"net_relu";
/// Pool points.
pub const L_POOL: &[u8] = b"net_pool";
/// The max-pool output evaluation at the pool sumcheck's point.
pub const L_POOL_Y: &[u8] = b"net_pool_y";
/// Every prover-sent evaluation group.
pub const L_EVALS: &[u8] = b"net_evals";

type Pt = Vec<FpVar<F>>;

/// Where a boundary tensor's values are committed (twin of the protocol's `Loc`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Loc {
    Data,
    Limbs(String),
    Column(String),
    Broadcast(usize),
    OutputGrad,
}

/// The verifier party and driver in one: the transcript, the claim book, the evaluation reader
/// and the next sumcheck of the proof.
struct NetVerifierVar<'a, 'b> {
    cs: ConstraintSystemRef<F>,
    lay: &'a NetLayout,
    ctx: &'a Ctx<'a>,
    proof: Option<&'a StepProof>,
    tr: &'b mut PoseidonTranscriptVar,
    reader: ReaderVar<'a>,
    book: &'b mut BookVar,
    block_bits: &'b [FpVar<F>],
    next_sumcheck: usize,
    f: u32,
    k: u32,
}

impl NetVerifierVar<'_, '_> {
    // --- the party (twin of the native verifier party) ---------------------------------------

    fn recv(&mut self, n: usize) -> Result<Vec<FpVar<F>>, Error> {
        self.reader.recv(self.tr, L_EVALS, n)
    }

    fn one(&mut self) -> Result<FpVar<F>, Error> {
        self.recv(1)?
            .into_iter()
            .next()
            .ok_or(malformed("one evaluation"))
    }

    fn limbs(&mut self, stem: &str, point: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        let n = self.ctx.tensor(stem)?.limbs;
        let vals = self.recv(n)?;
        self.ctx.limbs(stem, point, &mut vals.iter(), self.book)
    }

    fn column(&mut self, name: &str, point: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        let v = self.one()?;
        self.claim_column(name, point, v.clone())?;
        Ok(v)
    }

    fn model(&mut self, next: bool, name: &str, point: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        let v = self.one()?;
        let poly = if next { NEW_MODEL } else { MODEL };
        let idx = self.ctx.model_index(name)?;
        self.book.add_segment(poly, point, idx, v.clone())?;
        Ok(v)
    }

    fn data(&mut self, point: Pt) -> Result<FpVar<F>, Error> {
        let v = self.one()?;
        self.book.add(DATA, point, v.clone())?;
        Ok(v)
    }

    fn claim_column(&mut self, name: &str, point: &[FpVar<F>], v: FpVar<F>) -> Result<(), Error> {
        let idx = self.ctx.aux_index(name)?;
        self.book.add_segment(AUX, point, idx, v)
    }

    fn claim_model(&mut self, name: &str, point: &[FpVar<F>], v: FpVar<F>) -> Result<(), Error> {
        let idx = self.ctx.model_index(name)?;
        self.book.add_segment(MODEL, point, idx, v)
    }

    /// The index of the next sumcheck of the proof, checking (with a proof) that it has
    /// `instances` instances with final evaluations.
    fn take_sumcheck(&mut self, instances: usize) -> Result<usize, Error> {
        let i = self.next_sumcheck;
        if let Some(p) = self.proof {
            let (Some(_), Some(ev)) = (p.sumchecks.get(i), p.sumcheck_evals.get(i)) else {
                return Err(Error::ProofShape {
                    what: "sumchecks",
                    expected: i + 1,
                    actual: p.sumchecks.len().min(p.sumcheck_evals.len()),
                });
            };
            Error::check_shape("instances with final evaluations", instances, ev.len())?;
        }
        self.next_sumcheck += 1;
        Ok(i)
    }

    fn conv(
        &mut self,
        relation: ConvRelation,
        shape: ConvShape,
        point: Pt,
        claim: FpVar<F>,
    ) -> Result<[crate::conv_gadget::ConvClaimVar; 2], Error> {
        let i = self.take_sumcheck(1)?;
        let j = self.take_sumcheck(1)?;
        let proof = ConvProofVar::new_witness(self.cs.clone(), relation, shape, || {
            value(self.proof, |p| {
                Some(ConvProof {
                    stage1: p.sumchecks.get(i)?.clone(),
                    stage1_evals: p.sumcheck_evals.get(i)?.first()?.clone(),
                    stage2: p.sumchecks.get(j)?.clone(),
                    stage2_evals: p.sumcheck_evals.get(j)?.first()?.clone(),
                })
            })
        })?;
        verify_conv_var(relation, shape, point, claim, &proof, self.tr)
    }

    /// One single-instance sumcheck with two final evaluations: `(r, e_0, e_1)`.
    fn single(
        &mut self,
        v: &dyn SumcheckInstanceVerifierVar,
    ) -> Result<(Pt, FpVar<F>, FpVar<F>), Error> {
        let i = self.take_sumcheck(1)?;
        let (sc, finals) = alloc_sumcheck(&self.cs, self.proof, i, &[v.shape()], &[2])?;
        let out = verify_batched(&[v], &sc, &finals, self.tr)?;
        match finals.as_slice() {
            [fe] => match fe.as_slice() {
                [a, b] => Ok((out.instance_point(0)?.to_vec(), a.clone(), b.clone())),
                _ => Err(malformed("two final evaluations")),
            },
            _ => Err(malformed("one instance")),
        }
    }

    fn matmul(
        &mut self,
        dims: MatmulDims,
        point: Pt,
        claim: FpVar<F>,
    ) -> Result<(Pt, FpVar<F>, FpVar<F>), Error> {
        let v = MatmulVerifierVar::new(dims, point, claim)?;
        self.single(&v)
    }

    fn masked(&mut self, point: Pt, claim: FpVar<F>) -> Result<(Pt, FpVar<F>, FpVar<F>), Error> {
        let v = ZeroCheckVerifierVar::new(point, 2, masked_combiner_var(), claim);
        self.single(&v)
    }

    // --- the driver (twin of the protocol's `Driver`) ---------------------------------------

    fn act_loc(&self, i: usize) -> Result<Loc, Error> {
        if i == 0 {
            return Ok(Loc::Data);
        }
        let l = i - 1;
        Ok(match self.lay.layers[l] {
            NetLayer::Dense { .. } | NetLayer::Conv(_) => Loc::Limbs(format!("l{l}.y")),
            NetLayer::Relu => Loc::Column(format!("l{l}.a")),
            NetLayer::AvgPool(_) => Loc::Limbs(format!("l{l}.q")),
            NetLayer::MaxPool(_) => Loc::Column(format!("l{l}.y")),
            NetLayer::Flatten => return self.act_loc(l),
        })
    }

    fn grad_loc(&self, i: usize) -> Result<Loc, Error> {
        let n = self.lay.layers.len();
        if i == n {
            return Ok(Loc::OutputGrad);
        }
        if !self.lay.needs_input_grad.get(i).copied().unwrap_or(false) {
            return Err(malformed("gradient of a layer that computes none"));
        }
        Ok(match self.lay.layers[i] {
            NetLayer::Dense { .. } | NetLayer::Conv(_) => Loc::Limbs(format!("l{i}.h")),
            NetLayer::Relu => Loc::Column(format!("l{i}.g")),
            NetLayer::AvgPool(_) => Loc::Broadcast(i),
            NetLayer::MaxPool(_) => Loc::Column(format!("l{i}.gin")),
            NetLayer::Flatten => return self.grad_loc(i + 1),
        })
    }

    fn data_point(&self, point: &[FpVar<F>], i: usize, half: bool) -> Result<Pt, Error> {
        let fv = self.lay.boundaries[i].feature_vars();
        let (col, row) = point.split_at_checked(fv).ok_or(malformed("data point"))?;
        self.ctx.data_point(self.block_bits, col, half, row)
    }

    fn resolve(&mut self, loc: &Loc, point: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        match loc {
            Loc::Data => {
                let dp = self.data_point(point, 0, false)?;
                self.data(dp)
            }
            Loc::Limbs(stem) => self.limbs(stem, point),
            Loc::Column(name) => self.column(name, point),
            Loc::Broadcast(l) => {
                let NetLayer::AvgPool(shape) = self.lay.layers[*l] else {
                    return Err(malformed("broadcast of a non-pool layer"));
                };
                let q = avg_pool_backward_quotient_claim_var(&shape, point, FpVar::zero())?;
                self.limbs(&format!("l{l}.gq"), &q.point)
            }
            Loc::OutputGrad => {
                let last = self.lay.layers.len() - 1;
                let y = self.limbs(&format!("l{last}.y"), point)?;
                let dp = self.data_point(point, last + 1, true)?;
                let d = self.data(dp)?;
                Ok(y - d * pow2(self.f))
            }
        }
    }

    fn claim(&mut self, loc: &Loc, point: &[FpVar<F>], v: FpVar<F>) -> Result<(), Error> {
        if let Loc::Column(name) = loc {
            return self.claim_column(name, point, v);
        }
        let r = self.resolve(loc, point)?;
        v.enforce_equal(&r)?;
        Ok(())
    }

    fn linear(&mut self, l: usize) -> Result<(), Error> {
        let lay = self.lay;
        let layer = lay.layers[l];
        let (f, k, bv) = (self.f, self.k, lay.batch_vars);
        let (act_in, grad_out) = (self.act_loc(l)?, self.grad_loc(l + 1)?);
        let (wname, bname) = (weight_name(l), bias_name(l));
        let two_f = pow2(f);
        let out_fv = lay.boundaries[l + 1].feature_vars();
        let (pix, ch) = match layer {
            NetLayer::Conv(s) => (s.pix_vars(), s.log_out()),
            NetLayer::Dense { outputs, .. } => {
                (0, outputs.next_power_of_two().trailing_zeros() as usize)
            }
            _ => return Err(malformed("not a linear layer")),
        };
        let in_vars = |inputs: usize| inputs.next_power_of_two().trailing_zeros() as usize;

        // Forward.
        let rho = self.tr.challenges(L_RHO, out_fv + bv)?;
        let y = self.limbs(&format!("l{l}.y"), &rho)?;
        let yr = self.limbs(&format!("l{l}.yr"), &rho)?;
        let rho_o = rho.get(pix..pix + ch).ok_or(malformed("point"))?.to_vec();
        let b = self.model(false, &bname, &rho_o)?;
        let z = y * two_f + yr - pow2(f - 1) - b * two_f;
        match layer {
            NetLayer::Conv(shape) => {
                let [cw, ca] = self.conv(ConvRelation::Forward, shape, rho, z)?;
                self.claim_model(&wname, &cw.point, cw.value)?;
                self.claim(&act_in, &ca.point, ca.value)?;
            }
            NetLayer::Dense { inputs, .. } => {
                let dims = MatmulDims {
                    log_m: bv,
                    log_n: in_vars(inputs),
                    log_p: ch,
                };
                let (rk, av, wv) = self.matmul(dims, rho.clone(), z)?;
                let (rc, rr) = rho.split_at(ch);
                self.claim(&act_in, &[rk.as_slice(), rr].concat(), av)?;
                self.claim_model(&wname, &[rc, rk.as_slice()].concat(), wv)?;
            }
            _ => {}
        }

        // Input gradient.
        if lay.needs_input_grad[l] {
            let in_fv = lay.boundaries[l].feature_vars();
            let pi = self.tr.challenges(L_PI, in_fv + bv)?;
            let h = self.limbs(&format!("l{l}.h"), &pi)?;
            let hr = self.limbs(&format!("l{l}.hr"), &pi)?;
            let c = h * two_f + hr - pow2(f - 1);
            match layer {
                NetLayer::Conv(shape) => {
                    let [cw, cg] = self.conv(ConvRelation::InputGrad, shape, pi, c)?;
                    self.claim_model(&wname, &cw.point, cw.value)?;
                    self.claim(&grad_out, &cg.point, cg.value)?;
                }
                NetLayer::Dense { .. } => {
                    let dims = MatmulDims {
                        log_m: bv,
                        log_n: ch,
                        log_p: in_fv,
                    };
                    let (rk, gv, wv) = self.matmul(dims, pi.clone(), c)?;
                    let (pc, pr) = pi.split_at(in_fv);
                    self.claim(&grad_out, &[rk.as_slice(), pr].concat(), gv)?;
                    self.claim_model(&wname, &[rk.as_slice(), pc].concat(), wv)?;
                }
                _ => {}
            }
        }

        // Weight update.
        let wvars = lay
            .model
            .segment(&wname)
            .map(|s| s.log_len() as usize)
            .ok_or(malformed("weight segment"))?;
        let sigma = self.tr.challenges(L_SIGMA, wvars)?;
        let wv = self.model(false, &wname, &sigma)?;
        let wn = self.model(true, &wname, &sigma)?;
        let wr = self.limbs(&format!("l{l}.wr"), &sigma)?;
        let wn_l = self.limbs(&format!("l{l}.wn"), &sigma)?;
        wn.enforce_equal(&wn_l)?;
        let c = (wv - wn) * pow2(f + k) + wr - pow2(f + k - 1);
        match layer {
            NetLayer::Conv(shape) => {
                let [cg, ca] = self.conv(ConvRelation::WeightGrad, shape, sigma, c)?;
                self.claim(&grad_out, &cg.point, cg.value)?;
                self.claim(&act_in, &ca.point, ca.value)?;
            }
            NetLayer::Dense { inputs, .. } => {
                let dims = MatmulDims {
                    log_m: in_vars(inputs),
                    log_n: bv,
                    log_p: ch,
                };
                let (rk, av, gv) = self.matmul(dims, sigma.clone(), c)?;
                let (sc, sr) = sigma.split_at(ch);
                self.claim(&act_in, &[sr, rk.as_slice()].concat(), av)?;
                self.claim(&grad_out, &[sc, rk.as_slice()].concat(), gv)?;
            }
            _ => {}
        }

        // Bias update: Σ_{batch, pixels} g = 2^(pix+bv)·g̃(½…, σ_b, ½…).
        let sigb = self.tr.challenges(L_SIGMA_B, ch)?;
        let b0 = self.model(false, &bname, &sigb)?;
        let bn = self.model(true, &bname, &sigb)?;
        let br = self.limbs(&format!("l{l}.br"), &sigb)?;
        let bn_l = self.limbs(&format!("l{l}.bn"), &sigb)?;
        bn.enforce_equal(&bn_l)?;
        let gsum = (b0 - bn) * pow2(k) + br - pow2(k - 1);
        let inv = pow2((pix + bv) as u32)
            .inverse()
            .ok_or(malformed("batch"))?;
        let constants = |n: usize| half_point(n).into_iter().map(FpVar::constant);
        let gp: Pt = constants(pix).chain(sigb).chain(constants(bv)).collect();
        self.claim(&grad_out, &gp, gsum * inv)
    }

    fn relu(&mut self, l: usize) -> Result<(), Error> {
        let vars = self.lay.vars(l);
        let sign = format!("l{l}.sign");
        let p = self.tr.challenges(L_RELU, vars)?;
        let av = self.column(&format!("l{l}.a"), &p)?;
        let (r, xv, sv) = self.masked(p, av)?;
        let act_in = self.act_loc(l)?;
        self.claim(&act_in, &r, xv)?;
        self.claim_column(&sign, &r, sv)?;
        if self.lay.needs_input_grad[l] {
            let p = self.tr.challenges(L_RELU, vars)?;
            let gv = self.column(&format!("l{l}.g"), &p)?;
            let (r, xv, sv) = self.masked(p, gv)?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &r, xv)?;
            self.claim_column(&sign, &r, sv)?;
        }
        Ok(())
    }

    fn avg_pool(&mut self, l: usize, shape: &PoolShape) -> Result<(), Error> {
        let vars = self.lay.vars(l + 1);
        let p = self.tr.challenges(L_POOL, vars)?;
        let q = self.limbs(&format!("l{l}.q"), &p)?;
        let r = self.limbs(&format!("l{l}.r"), &p)?;
        let ic = avg_pool_forward_input_claim_var(shape, &p, q, r)?;
        let act_in = self.act_loc(l)?;
        self.claim(&act_in, &ic.point, ic.value)?;
        if self.lay.needs_input_grad[l] {
            let p = self.tr.challenges(L_POOL, vars)?;
            let q = self.limbs(&format!("l{l}.gq"), &p)?;
            let r = self.limbs(&format!("l{l}.gr"), &p)?;
            let oc = avg_pool_backward_output_grad_claim_var(shape, &p, q, r)?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &oc.point, oc.value)?;
        }
        Ok(())
    }

    fn max_pool(&mut self, l: usize, shape: &PoolShape) -> Result<(), Error> {
        let (y_name, e_name) = (format!("l{l}.y"), format!("l{l}.e"));
        let p = self.tr.challenges(L_POOL, self.lay.vars(l + 1))?;
        let yv = self.column(&y_name, &p)?;
        let i = self.take_sumcheck(3)?;
        if let Some(pr) = self.proof {
            let outputs = pr
                .sumcheck_evals
                .get(i)
                .and_then(|ev| ev.get(2))
                .map(Vec::len);
            if outputs != Some(1) {
                return Err(malformed("max-pool output evaluation"));
            }
        }
        let proof = MaxPoolProofVar::new_witness(self.cs.clone(), shape, || {
            value(self.proof, |pr| {
                match pr.sumcheck_evals.get(i)?.as_slice() {
                    [b, s, y] => Some(MaxPoolProof {
                        sumcheck: pr.sumchecks.get(i)?.clone(),
                        bool_evals: b.clone(),
                        select_evals: s.clone(),
                        y_at_r: *y.first()?,
                    }),
                    _ => None,
                }
            })
        })?;
        let claims = verify_max_pool_var(shape, p, yv, &proof, self.tr)?;
        self.tr
            .append_fields(L_POOL_Y, std::slice::from_ref(&proof.y_at_r))?;
        let act_in = self.act_loc(l)?;
        for c in claims {
            match c.tensor {
                PoolTensor::Selector => self.claim_column(&e_name, &c.point, c.value)?,
                PoolTensor::Output => self.claim_column(&y_name, &c.point, c.value)?,
                PoolTensor::Input => self.claim(&act_in, &c.point, c.value)?,
                PoolTensor::Diff => {
                    let d = self.limbs(&format!("l{l}.d"), &c.point)?;
                    c.value.enforce_equal(&d)?;
                }
                _ => return Err(malformed("unexpected max-pool claim")),
            }
        }
        if self.lay.needs_input_grad[l] {
            let p = self.tr.challenges(L_POOL, self.lay.vars(l))?;
            let gv = self.column(&format!("l{l}.gin"), &p)?;
            let i = self.take_sumcheck(1)?;
            let proof = MaxPoolBackwardProofVar::new_witness(self.cs.clone(), shape, || {
                value(self.proof, |pr| {
                    Some(MaxPoolBackwardProof {
                        sumcheck: pr.sumchecks.get(i)?.clone(),
                        evals: pr.sumcheck_evals.get(i)?.first()?.clone(),
                    })
                })
            })?;
            let [ce, cg] = verify_max_pool_backward_var(shape, &p, gv, &proof, self.tr)?;
            self.claim_column(&e_name, &ce.point, ce.value)?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &cg.point, cg.value)?;
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), Error> {
        if self.f == 0 || self.k == 0 {
            return Err(malformed("F and k must be positive"));
        }
        let lay = self.lay;
        for (l, layer) in lay.layers.iter().enumerate() {
            match layer {
                NetLayer::Dense { .. } | NetLayer::Conv(_) => self.linear(l)?,
                NetLayer::Relu => self.relu(l)?,
                NetLayer::AvgPool(s) => self.avg_pool(l, s)?,
                NetLayer::MaxPool(s) => self.max_pool(l, s)?,
                NetLayer::Flatten => {}
            }
        }
        Ok(())
    }
}

/// Verify one conv-network step proof in-circuit up to the PCS opening (module docs); the
/// arguments are those of [`crate::step_gadget::verify_step`], which dispatches here.
pub fn verify_net_step(
    cs: ConstraintSystemRef<F>,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatementVar,
    proof: Option<&StepProof>,
    tr: &mut PoseidonTranscriptVar,
) -> Result<StepClaimsVar, Error> {
    let lay = NetLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)
        .map_err(|_| malformed("model, configuration or batch not supported"))?;
    let ctx = Ctx::of_net(&lay);
    let mut opened = open_step(&cs, &ctx, statement, proof, tr)?;
    let block_bits = std::mem::take(&mut opened.block_bits);
    let mut v = NetVerifierVar {
        cs: cs.clone(),
        lay: &lay,
        ctx: &ctx,
        proof,
        tr: &mut *tr,
        reader: ReaderVar {
            cs: cs.clone(),
            proof,
            pos: 0,
        },
        book: &mut opened.book,
        block_bits: &block_bits,
        next_sumcheck: 0,
        f: cfg.fixed.frac_bits,
        k: cfg.lr_shift,
    };
    v.run()?;
    v.reader.finish()?;
    let used = v.next_sumcheck;
    if let Some(p) = proof {
        Error::check_shape("sumchecks", used, p.sumchecks.len())?;
        Error::check_shape("sumcheck final evaluations", used, p.sumcheck_evals.len())?;
    }
    finish_step(cs, &ctx, proof, opened, tr)
}
