//! The conv-network step protocol, written once and run by both roles.
//!
//! [`run`] walks the layers in order; per relation it draws a fresh point, obtains the values
//! of committed vectors at it (prover: computes and sends; verifier: reads), derives the
//! relation's claim, runs the relation's sumcheck(s) through the [`StepParty`] (prover: proves;
//! verifier: verifies) and records every resulting claim on `D`, `W_t`, `W_{t+1}` or `aux` in the
//! claim book, which the caller merges and opens. Identities (`F` fractional bits, `k` the
//! learning-rate shift, `z̃` the linear layer's pre-activation):
//!
//! | layer | identity at a random point | reduced by |
//! |---|---|---|
//! | linear, forward | `z̃(ρ) = 2^F·ỹ(ρ) + r̃(ρ) − 2^(F−1) − 2^F·b̃(ρ_o)` | conv forward / matmul |
//! | linear, input gradient | `(g ⊛ Wᵀ)(π) = 2^F·h̃(π) + r̃_h(π) − 2^(F−1)` | conv input-grad / matmul |
//! | linear, weight update | `dW(σ) = 2^(F+k)·(W̃ − W̃')(σ) + r̃_W(σ) − 2^(F+k−1)` | conv weight-grad / matmul |
//! | linear, bias update | `2^(pix+bv)·g̃(½…, σ_b, ½…) = 2^k·(b̃ − b̃')(σ_b) + r̃_b(σ_b) − 2^(k−1)` | one claim |
//! | ReLU | `ã(p) = Σ eq(p,x)·y(x)·(1 − s(x))`, `g̃(p') = Σ eq(p',x)·g_out(x)·(1 − s(x))` | masked products |
//! | avg pool | `4q + r = Σ window + 2χ`, `4q_g + r_g = g_out + 2χ` | claims (no sumcheck) |
//! | max pool | booleanity, selection, one-hot, `d = y − x_t`; `g_in = e ⊙ g_out` | pool sumchecks |
//!
//! `s` is range-checked as the sign of `y` (the ReLU's sign column rides on `y`'s limbs), every
//! quotient/remainder/difference through its limbs, `W'` through its limbs bound to `C_W_{t+1}`.

use ark_ff::Field;
use gkr::relations::conv::{ConvClaim, ConvRelation, ConvShape};
use gkr::relations::pool::{
    avg_pool_backward_output_grad_claim, avg_pool_backward_quotient_claim,
    avg_pool_forward_input_claim, PoolClaim, PoolShape, PoolTensor,
};
use gkr::relations::{half_point, pow2};
use gkr::step::VerifyError;
use sumcheck::{MatmulDims, F};

use crate::proof::layout::{bias_name, weight_name};
use crate::proof::net::{NetLayer, NetLayout};
use crate::proof::prover::data_point_in;

pub(crate) const L_RHO: &[u8] = b"net_rho";
pub(crate) const L_PI: &[u8] = b"net_pi";
pub(crate) const L_SIGMA: &[u8] = b"net_sigma";
pub(crate) const L_SIGMA_B: &[u8] = b"net_sigma_b";
pub(crate) const L_RELU: &[u8] = b"net_relu";
pub(crate) const L_POOL: &[u8] = b"net_pool";
/// The max-pool output evaluation `ỹ(r_q)` of a pool proof, absorbed by both roles right after
/// the pool's sumcheck.
pub(crate) const L_POOL_Y: &[u8] = b"net_pool_y";
/// Label of every prover-sent evaluation group.
pub(crate) const L_EVALS: &[u8] = b"net_evals";

/// A tensor a relation's sumcheck runs over (the prover looks its values up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    /// Boundary activation `A_i` (padded).
    Act(usize),
    /// Boundary gradient `G_i` (padded).
    Grad(usize),
    /// Padded weight of layer `l`.
    Weight(usize),
    /// Sign column of ReLU layer `l`.
    Sign(usize),
    /// Selectors of max-pool layer `l` (window layout).
    Sel(usize),
}

/// Where a boundary tensor's values are committed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Loc {
    /// The batch rows of `D` (input half).
    Data,
    /// Composed from the limb columns of this stem.
    Limbs(String),
    /// A plain aux column.
    Column(String),
    /// Average-pool input gradient: the broadcast of layer `l`'s quotient `gq`.
    Broadcast(usize),
    /// `g_L = y_L − 2^F·onehot`.
    OutputGrad,
}

/// One role of the protocol. Values "sent" are computed and sent by the prover and read by the
/// verifier (both absorb them); "claims" are recorded in the claim book by both.
pub(crate) trait StepParty {
    /// Squeeze `n` challenges.
    fn challenges(&mut self, label: &'static [u8], n: usize) -> Vec<F>;
    /// Send the limbs of aux tensor `stem` at `point`, record them as claims, return the
    /// composed value.
    fn limbs(&mut self, stem: &str, point: &[F]) -> Result<F, VerifyError>;
    /// Send the value of aux column `name` at `point` and record it.
    fn column(&mut self, name: &str, point: &[F]) -> Result<F, VerifyError>;
    /// Send the value of model segment `name` of `W_t` (or `W_{t+1}` if `next`) and record it.
    fn model(&mut self, next: bool, name: &str, point: &[F]) -> Result<F, VerifyError>;
    /// Send the value of `D` at a full point and record it.
    fn data(&mut self, point: Vec<F>) -> Result<F, VerifyError>;
    /// Record a claim on aux column `name`.
    fn claim_column(&mut self, name: &str, point: &[F], value: F) -> Result<(), VerifyError>;
    /// Record a claim on model segment `name` of `W_t`.
    fn claim_model(&mut self, name: &str, point: &[F], value: F) -> Result<(), VerifyError>;
    /// The verifier rejects unless `expected == actual`; the prover goes on (a dishonest proof
    /// is produced and rejected later).
    fn check(&self, what: &str, expected: F, actual: F) -> Result<(), VerifyError>;
    /// A convolution relation at `point` with claimed value `claim`: claims on the operands.
    fn conv(
        &mut self,
        relation: ConvRelation,
        shape: ConvShape,
        operands: (Val, Val),
        point: Vec<F>,
        claim: F,
    ) -> Result<[ConvClaim; 2], VerifyError>;
    /// `C = A·B` (`A` `m×n`, `B` `n×p`, either given transposed) at `point = (col ‖ row)`:
    /// returns `(r_k, Ã(r_k ‖ row), B̃(col ‖ r_k))`.
    fn matmul(
        &mut self,
        dims: MatmulDims,
        a: (Val, bool),
        b: (Val, bool),
        point: Vec<F>,
        claim: F,
    ) -> Result<(Vec<F>, F, F), VerifyError>;
    /// `Σ eq(point, x)·x(x)·(1 − s(x)) = claim`: returns `(r, x̃(r), s̃(r))`.
    fn masked(
        &mut self,
        x: Val,
        sign: Val,
        point: Vec<F>,
        claim: F,
    ) -> Result<(Vec<F>, F, F), VerifyError>;
    /// Max-pool forward at output point `point` with `ỹ(point) = y_claim`.
    fn max_pool(
        &mut self,
        shape: &PoolShape,
        x: Val,
        sel: Val,
        point: Vec<F>,
        y_claim: F,
    ) -> Result<Vec<PoolClaim>, VerifyError>;
    /// Max-pool backward at input point `point` with `g̃_in(point) = claim`.
    fn max_pool_backward(
        &mut self,
        shape: &PoolShape,
        sel: Val,
        g_out: Val,
        point: Vec<F>,
        claim: F,
    ) -> Result<[PoolClaim; 2], VerifyError>;
    /// Called when the protocol finishes relation work on layer `l` (prover timing).
    fn layer_done(&mut self, _l: usize, _what: &'static str) {}
}

fn st(what: &'static str) -> VerifyError {
    VerifyError::Statement { what }
}

/// The name of a convolution relation in errors.
pub(crate) fn conv_name(relation: ConvRelation) -> &'static str {
    match relation {
        ConvRelation::Forward => "conv forward",
        ConvRelation::InputGrad => "conv input gradient",
        ConvRelation::WeightGrad => "conv weight gradient",
    }
}

/// Map a relation error of the gkr crate.
pub(crate) fn layer_err(relation: &'static str) -> impl Fn(gkr::GkrError) -> VerifyError {
    move |source| VerifyError::Layer { relation, source }
}

struct Driver<'a, P: StepParty> {
    p: &'a mut P,
    lay: &'a NetLayout,
    iteration: u64,
    f: u32,
    k: u32,
}

impl<P: StepParty> Driver<'_, P> {
    /// Where boundary activation `A_i` lives.
    fn act_loc(&self, i: usize) -> Result<Loc, VerifyError> {
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

    /// Where boundary gradient `G_i` lives.
    fn grad_loc(&self, i: usize) -> Result<Loc, VerifyError> {
        let n = self.lay.layers.len();
        if i == n {
            return Ok(Loc::OutputGrad);
        }
        if !self.lay.needs_input_grad[i] {
            return Err(st("gradient of a layer that computes none"));
        }
        Ok(match self.lay.layers[i] {
            NetLayer::Dense { .. } | NetLayer::Conv(_) => Loc::Limbs(format!("l{i}.h")),
            NetLayer::Relu => Loc::Column(format!("l{i}.g")),
            NetLayer::AvgPool(_) => Loc::Broadcast(i),
            NetLayer::MaxPool(_) => Loc::Column(format!("l{i}.gin")),
            NetLayer::Flatten => return self.grad_loc(i + 1),
        })
    }

    /// The point of `D` of a claim on boundary `i`'s batch tensor (`i = 0`: the inputs, half
    /// 0; `i = n`: the one-hot labels, half 1).
    fn data_point(&self, point: &[F], i: usize, half: bool) -> Result<Vec<F>, VerifyError> {
        let fv = self.lay.boundaries[i].feature_vars();
        let (col, row) = point.split_at_checked(fv).ok_or(st("data point"))?;
        data_point_in(
            &self.lay.data,
            self.lay.batch_vars,
            self.iteration,
            col,
            half,
            row,
        )
        .ok_or(st("data point"))
    }

    /// The value of a boundary tensor at `point` (sent by the prover where needed).
    fn resolve(&mut self, loc: &Loc, point: &[F]) -> Result<F, VerifyError> {
        match loc {
            Loc::Data => {
                let dp = self.data_point(point, 0, false)?;
                self.p.data(dp)
            }
            Loc::Limbs(stem) => self.p.limbs(stem, point),
            Loc::Column(name) => self.p.column(name, point),
            Loc::Broadcast(l) => {
                let NetLayer::AvgPool(shape) = self.lay.layers[*l] else {
                    return Err(st("broadcast of a non-pool layer"));
                };
                let q = avg_pool_backward_quotient_claim(&shape, point, F::from(0u64))
                    .map_err(layer_err("avg pool backward"))?;
                self.p.limbs(&format!("l{l}.gq"), &q.point)
            }
            Loc::OutputGrad => {
                let last = self.lay.layers.len() - 1;
                let y = self.p.limbs(&format!("l{last}.y"), point)?;
                let dp = self.data_point(point, last + 1, true)?;
                let d = self.p.data(dp)?;
                Ok(y - pow2(self.f) * d)
            }
        }
    }

    /// Reduce the claim `t̃(point) = value` on a boundary tensor to claims on commitments.
    fn claim(&mut self, loc: &Loc, point: &[F], value: F, what: &str) -> Result<(), VerifyError> {
        if let Loc::Column(name) = loc {
            return self.p.claim_column(name, point, value);
        }
        let v = self.resolve(loc, point)?;
        self.p.check(what, value, v)
    }

    fn linear(&mut self, l: usize) -> Result<(), VerifyError> {
        let lay = self.lay;
        let layer = lay.layers[l];
        let (f, k, bv) = (self.f, self.k, lay.batch_vars);
        let (act_in, grad_out) = (self.act_loc(l)?, self.grad_loc(l + 1)?);
        let (wname, bname) = (weight_name(l), bias_name(l));
        let two_f = pow2(f);
        let out_fv = lay.boundaries[l + 1].feature_vars();
        // Channel coordinates of an output point and the pixel variable count.
        let (pix, ch) = match layer {
            NetLayer::Conv(s) => (s.pix_vars(), s.log_out()),
            NetLayer::Dense { outputs, .. } => {
                (0, outputs.next_power_of_two().trailing_zeros() as usize)
            }
            _ => return Err(st("not a linear layer")),
        };

        // Forward.
        let rho = self.p.challenges(L_RHO, out_fv + bv);
        let y = self.p.limbs(&format!("l{l}.y"), &rho)?;
        let yr = self.p.limbs(&format!("l{l}.yr"), &rho)?;
        let b = self.p.model(false, &bname, &rho[pix..pix + ch])?;
        let z = two_f * y + yr - pow2(f - 1) - two_f * b;
        match layer {
            NetLayer::Conv(shape) => {
                let [cw, ca] = self.p.conv(
                    ConvRelation::Forward,
                    shape,
                    (Val::Weight(l), Val::Act(l)),
                    rho,
                    z,
                )?;
                self.p.claim_model(&wname, &cw.point, cw.value)?;
                self.claim(&act_in, &ca.point, ca.value, "conv forward input")?;
            }
            NetLayer::Dense { inputs, .. } => {
                let in_vars = inputs.next_power_of_two().trailing_zeros() as usize;
                let dims = MatmulDims {
                    log_m: bv,
                    log_n: in_vars,
                    log_p: ch,
                };
                let (rk, av, wv) = self.p.matmul(
                    dims,
                    (Val::Act(l), false),
                    (Val::Weight(l), false),
                    rho.clone(),
                    z,
                )?;
                let (rc, rr) = rho.split_at(ch);
                self.claim(
                    &act_in,
                    &[rk.as_slice(), rr].concat(),
                    av,
                    "dense forward input",
                )?;
                self.p
                    .claim_model(&wname, &[rc, rk.as_slice()].concat(), wv)?;
            }
            _ => {}
        }
        self.p.layer_done(l, "forward");

        // Input gradient.
        if lay.needs_input_grad[l] {
            let in_fv = lay.boundaries[l].feature_vars();
            let pi = self.p.challenges(L_PI, in_fv + bv);
            let h = self.p.limbs(&format!("l{l}.h"), &pi)?;
            let hr = self.p.limbs(&format!("l{l}.hr"), &pi)?;
            let c = two_f * h + hr - pow2(f - 1);
            match layer {
                NetLayer::Conv(shape) => {
                    let [cw, cg] = self.p.conv(
                        ConvRelation::InputGrad,
                        shape,
                        (Val::Weight(l), Val::Grad(l + 1)),
                        pi,
                        c,
                    )?;
                    self.p.claim_model(&wname, &cw.point, cw.value)?;
                    self.claim(&grad_out, &cg.point, cg.value, "conv input-grad operand")?;
                }
                NetLayer::Dense { .. } => {
                    let dims = MatmulDims {
                        log_m: bv,
                        log_n: ch,
                        log_p: in_fv,
                    };
                    let (rk, gv, wv) = self.p.matmul(
                        dims,
                        (Val::Grad(l + 1), false),
                        (Val::Weight(l), true),
                        pi.clone(),
                        c,
                    )?;
                    let (pc, pr) = pi.split_at(in_fv);
                    self.claim(
                        &grad_out,
                        &[rk.as_slice(), pr].concat(),
                        gv,
                        "dense backward",
                    )?;
                    self.p
                        .claim_model(&wname, &[rk.as_slice(), pc].concat(), wv)?;
                }
                _ => {}
            }
            self.p.layer_done(l, "input gradient");
        }

        // Weight update.
        let wvars = lay
            .model
            .segment(&wname)
            .map(|s| s.log_len() as usize)
            .ok_or(st("weight segment"))?;
        let sigma = self.p.challenges(L_SIGMA, wvars);
        let wv = self.p.model(false, &wname, &sigma)?;
        let wn = self.p.model(true, &wname, &sigma)?;
        let wr = self.p.limbs(&format!("l{l}.wr"), &sigma)?;
        let wn_l = self.p.limbs(&format!("l{l}.wn"), &sigma)?;
        self.p.check(&format!("l{l}.new_weight_range"), wn, wn_l)?;
        let c = pow2(f + k) * (wv - wn) + wr - pow2(f + k - 1);
        match layer {
            NetLayer::Conv(shape) => {
                let [cg, ca] = self.p.conv(
                    ConvRelation::WeightGrad,
                    shape,
                    (Val::Grad(l + 1), Val::Act(l)),
                    sigma,
                    c,
                )?;
                self.claim(&grad_out, &cg.point, cg.value, "conv weight-grad gradient")?;
                self.claim(&act_in, &ca.point, ca.value, "conv weight-grad input")?;
            }
            NetLayer::Dense { inputs, .. } => {
                let in_vars = inputs.next_power_of_two().trailing_zeros() as usize;
                let dims = MatmulDims {
                    log_m: in_vars,
                    log_n: bv,
                    log_p: ch,
                };
                let (rk, av, gv) = self.p.matmul(
                    dims,
                    (Val::Act(l), true),
                    (Val::Grad(l + 1), false),
                    sigma.clone(),
                    c,
                )?;
                let (sc, sr) = sigma.split_at(ch);
                self.claim(
                    &act_in,
                    &[sr, rk.as_slice()].concat(),
                    av,
                    "dense update input",
                )?;
                self.claim(
                    &grad_out,
                    &[sc, rk.as_slice()].concat(),
                    gv,
                    "dense update grad",
                )?;
            }
            _ => {}
        }

        // Bias update: Σ_{batch, pixels} g = 2^(pix+bv)·g̃(½…, σ_b, ½…).
        let sigb = self.p.challenges(L_SIGMA_B, ch);
        let b0 = self.p.model(false, &bname, &sigb)?;
        let bn = self.p.model(true, &bname, &sigb)?;
        let br = self.p.limbs(&format!("l{l}.br"), &sigb)?;
        let bn_l = self.p.limbs(&format!("l{l}.bn"), &sigb)?;
        self.p.check(&format!("l{l}.new_bias_range"), bn, bn_l)?;
        let gsum = pow2(k) * (b0 - bn) + br - pow2(k - 1);
        let inv = pow2((pix + bv) as u32).inverse().ok_or(st("batch"))?;
        let gp = [half_point(pix), sigb, half_point(bv)].concat();
        self.claim(&grad_out, &gp, gsum * inv, "bias gradient sum")?;
        self.p.layer_done(l, "update");
        Ok(())
    }

    fn relu(&mut self, l: usize) -> Result<(), VerifyError> {
        let vars = self.lay.vars(l);
        let sign = format!("l{l}.sign");
        let p = self.p.challenges(L_RELU, vars);
        let av = self.p.column(&format!("l{l}.a"), &p)?;
        let (r, xv, sv) = self.p.masked(Val::Act(l), Val::Sign(l), p, av)?;
        let act_in = self.act_loc(l)?;
        self.claim(&act_in, &r, xv, "relu input")?;
        self.p.claim_column(&sign, &r, sv)?;
        if self.lay.needs_input_grad[l] {
            let p = self.p.challenges(L_RELU, vars);
            let gv = self.p.column(&format!("l{l}.g"), &p)?;
            let (r, xv, sv) = self.p.masked(Val::Grad(l + 1), Val::Sign(l), p, gv)?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &r, xv, "relu output gradient")?;
            self.p.claim_column(&sign, &r, sv)?;
        }
        self.p.layer_done(l, "relu");
        Ok(())
    }

    fn avg_pool(&mut self, l: usize, shape: &PoolShape) -> Result<(), VerifyError> {
        let vars = self.lay.vars(l + 1);
        let p = self.p.challenges(L_POOL, vars);
        let q = self.p.limbs(&format!("l{l}.q"), &p)?;
        let r = self.p.limbs(&format!("l{l}.r"), &p)?;
        let ic = avg_pool_forward_input_claim(shape, &p, q, r).map_err(layer_err("avg pool"))?;
        let act_in = self.act_loc(l)?;
        self.claim(&act_in, &ic.point, ic.value, "avg pool window sum")?;
        if self.lay.needs_input_grad[l] {
            let p = self.p.challenges(L_POOL, vars);
            let q = self.p.limbs(&format!("l{l}.gq"), &p)?;
            let r = self.p.limbs(&format!("l{l}.gr"), &p)?;
            let oc = avg_pool_backward_output_grad_claim(shape, &p, q, r)
                .map_err(layer_err("avg pool backward"))?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &oc.point, oc.value, "avg pool gradient rescale")?;
        }
        self.p.layer_done(l, "avg pool");
        Ok(())
    }

    fn max_pool(&mut self, l: usize, shape: &PoolShape) -> Result<(), VerifyError> {
        let (y_name, e_name) = (format!("l{l}.y"), format!("l{l}.e"));
        let p = self.p.challenges(L_POOL, self.lay.vars(l + 1));
        let yv = self.p.column(&y_name, &p)?;
        let claims = self.p.max_pool(shape, Val::Act(l), Val::Sel(l), p, yv)?;
        let act_in = self.act_loc(l)?;
        for c in claims {
            match c.tensor {
                PoolTensor::Selector => self.p.claim_column(&e_name, &c.point, c.value)?,
                PoolTensor::Output => self.p.claim_column(&y_name, &c.point, c.value)?,
                PoolTensor::Input => self.claim(&act_in, &c.point, c.value, "max pool input")?,
                PoolTensor::Diff => {
                    let d = self.p.limbs(&format!("l{l}.d"), &c.point)?;
                    self.p.check("max pool difference", c.value, d)?;
                }
                _ => return Err(st("unexpected max-pool claim")),
            }
        }
        if self.lay.needs_input_grad[l] {
            let p = self.p.challenges(L_POOL, self.lay.vars(l));
            let gv = self.p.column(&format!("l{l}.gin"), &p)?;
            let [ce, cg] = self
                .p
                .max_pool_backward(shape, Val::Sel(l), Val::Grad(l + 1), p, gv)?;
            self.p.claim_column(&e_name, &ce.point, ce.value)?;
            let grad_out = self.grad_loc(l + 1)?;
            self.claim(&grad_out, &cg.point, cg.value, "max pool output gradient")?;
        }
        self.p.layer_done(l, "max pool");
        Ok(())
    }
}

/// Run the protocol's relation part (after the statement, commitments and gap claims; before
/// the range check and the merge).
pub(crate) fn run<P: StepParty>(
    party: &mut P,
    lay: &NetLayout,
    iteration: u64,
    f: u32,
    k: u32,
) -> Result<(), VerifyError> {
    if f == 0 || k == 0 {
        return Err(st("F and k must be positive"));
    }
    let mut d = Driver {
        p: party,
        lay,
        iteration,
        f,
        k,
    };
    for (l, layer) in lay.layers.iter().enumerate() {
        match layer {
            NetLayer::Dense { .. } | NetLayer::Conv(_) => d.linear(l)?,
            NetLayer::Relu => d.relu(l)?,
            NetLayer::AvgPool(s) => d.avg_pool(l, s)?,
            NetLayer::MaxPool(s) => d.max_pool(l, s)?,
            NetLayer::Flatten => {}
        }
    }
    Ok(())
}
