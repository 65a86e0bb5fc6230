//! The convolution-relation verifier as an R1CS gadget: the in-circuit twin of
//! [`gkr::relations::conv::verify_conv`], transcript operation for transcript operation.
//!
//! # What is checked
//!
//! The relation and the [`ConvShape`] are circuit constants; the point on the claimed tensor and
//! the claim are variables, the proof ([`ConvProofVar`]) is a witness. With `r_δ = (r_dx ‖ r_dy)`
//! and the layouts of `gkr::relations::conv`:
//!
//! 1. **stage 1**: a degree-2 product sumcheck ([`ProductVerifierVar`], two factors) of
//!    `stage1_rounds` rounds on the claim, final evaluations `[u, v]`, final check
//!    `claim_N = u·v`;
//! 2. **split** (pure index logic, no constraint): the stage-1 point `r1` and the claimed point
//!    give the first operand's point (`u` is its claim) and the statement of stage 2
//!    ([`ShiftParamsVar`]: `r_δ`, the bound pixel, the non-pixel coordinates, the claim `v`);
//! 3. **stage 2**: a degree-2 sumcheck over the free pixel (`log H_p + log W_p` rounds), final
//!    evaluation `[t]`, final check `claim_N = S̃(r_δ, ·, ·)(r2)·t` with the shift predicate
//!    `S̃ = S̃_x·S̃_y` computed in-circuit ([`shift_mle_var`]); `t` is the claim on the second
//!    operand at `(r2 ‖ rest)`.
//!
//! The transcript sees exactly the native calls: each stage is one [`verify_batched`] of a
//! single instance (`sc_input_claims`, per round `sc_round_poly` and `sc_round_challenge`,
//! `sc_final_evals`). A wrong proof value leaves the constraint system unsatisfied; shapes that
//! cannot be laid out (an invalid shape, a point of the wrong dimension, the wrong number of
//! rounds or final evaluations) are [`Error`]s.
//!
//! # The shift predicate
//!
//! `S(d, u, v) = [d < k]·[u < n]·[v < n]·[v = u + d − p]` is evaluated by the native 24-state
//! automaton (carry of `u + d − v − p` in `{−1, 0, 1}` and three "below the bound" flags) read
//! over the bits low first. Step `j` maps the state vector `cur` to
//! `next[ns] = Σ_{(b_d, b_u, b_v)} w_{b_d}·w_{b_u}·w_{b_v}·Σ_{s → ns} cur[s]` with
//! `w_0 = 1 − r_j`, `w_1 = r_j` (the bit forced to 0 with weight 1 past a point's end). The
//! transitions are constants, so states known to be zero stay constants, the inner sums are
//! linear, and each step costs the 8 shared weights (5 products with both `u, v` bits present:
//! `r_u·r_v` and `x·r_d` for the four `(u, v)` weights `x`) plus one product per pair
//! (weight, next state) reached. Transitions into states from which the accepting state
//! (carry 0, all flags set) is no longer reachable are skipped. Measured (with `|r_d| = 2`):
//! 37 constraints for `k = 3, n = 32`, 23 for `n = 8`, 16 for `n = 4`.
//!
//! # Cost
//!
//! Each round of either stage is a degree-2 round of [`verify_batched`] (its transcript calls
//! dominate); the final checks are one product (stage 1) and `S̃_x·S̃_y·t` (stage 2). The whole
//! forward verifier for batch 2, 3 → 2 channels, 4 × 4, `k = 3` (6 + 4 rounds) is 6826
//! constraints, 34 of them for the predicate (`tests/conv_gadget.rs` keeps these counts).

use std::collections::BTreeMap;

use ark_ff::Zero;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use gkr::relations::conv::{ConvOperand, ConvParams, ConvProof, ConvRelation, ConvShape};
use sumcheck::F;

use crate::error::Error;
use crate::sumcheck_gadget::{
    alloc_witness_vec, verify_batched, ProductVerifierVar, SumcheckInstanceVerifierVar,
    SumcheckProofVar,
};
use crate::transcript::PoseidonTranscriptVar;

/// A claim `t̃(point) = value` on an operand, in-circuit (the twin of
/// [`gkr::relations::conv::ConvClaim`]).
#[derive(Clone, Debug)]
pub struct ConvClaimVar {
    /// The operand.
    pub operand: ConvOperand,
    /// The point (low variable first, in the operand's layout).
    pub point: Vec<FpVar<F>>,
    /// The claimed value.
    pub value: FpVar<F>,
}

/// A [`ConvProof`] in the circuit.
#[derive(Clone, Debug)]
pub struct ConvProofVar {
    /// Stage 1 (channel/offset or pixel/batch), degree 2.
    pub stage1: SumcheckProofVar,
    /// `[u, v]`.
    pub stage1_evals: Vec<FpVar<F>>,
    /// Stage 2 (pixel), degree 2.
    pub stage2: SumcheckProofVar,
    /// `[t]`.
    pub stage2_evals: Vec<FpVar<F>>,
}

/// The statement-only parameters (no point, no claim): the round counts.
fn params(relation: ConvRelation, shape: ConvShape) -> Result<ConvParams, Error> {
    shape.validate().map_err(|_| Error::Malformed {
        what: "conv: invalid shape",
    })?;
    Ok(ConvParams {
        relation,
        shape,
        point: Vec::new(),
        claim: F::zero(),
    })
}

impl ConvProofVar {
    /// Allocate as witnesses with the shapes the statement fixes (`stage1_rounds` and
    /// `stage2_rounds` rounds of degree 2, two and one final evaluations). `f` is called once,
    /// eagerly; a value of the wrong shape is an [`Error`], an error from `f` (no witness) is
    /// accepted in setup mode only.
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        relation: ConvRelation,
        shape: ConvShape,
        f: impl FnOnce() -> Result<ConvProof, SynthesisError>,
    ) -> Result<Self, Error> {
        let p = params(relation, shape)?;
        let value = f();
        if let Ok(proof) = &value {
            Error::check_shape(
                "conv stage-1 final evaluations",
                2,
                proof.stage1_evals.len(),
            )?;
            Error::check_shape(
                "conv stage-2 final evaluations",
                1,
                proof.stage2_evals.len(),
            )?;
        }
        let value = value.as_ref().map_err(|e| *e);
        let stage1 = SumcheckProofVar::new_witness(cs.clone(), p.stage1_rounds(), 2, || {
            value.map(|q| q.stage1.clone())
        })?;
        let stage1_evals =
            alloc_witness_vec(cs.clone(), 2, || value.map(|q| q.stage1_evals.clone()))?;
        let stage2 = SumcheckProofVar::new_witness(cs.clone(), p.stage2_rounds(), 2, || {
            value.map(|q| q.stage2.clone())
        })?;
        let stage2_evals = alloc_witness_vec(cs, 1, || value.map(|q| q.stage2_evals.clone()))?;
        Ok(Self {
            stage1,
            stage1_evals,
            stage2,
            stage2_evals,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The shift predicate
// ---------------------------------------------------------------------------------------------

/// Number of automaton states: `(carry + 1) + 3·(lt_d + 2·lt_u + 4·lt_v)`.
const STATES: usize = 24;
/// The initial state (carry 0, no flag).
const START: usize = 1;
/// The accepting state (carry 0, all three flags).
const ACCEPT: usize = 1 + 3 * 7;

/// One transition of step `j`: `(state, combo, next state)` with
/// `combo = b_d + 2·b_u + 4·b_v`.
type Edge = (usize, usize, usize);

/// All transitions of step `j` (the native automaton verbatim; an absent bit is 0).
fn step_edges(k: u64, n: u64, j: usize, has_d: bool, has_uv: bool) -> Vec<Edge> {
    let p = (k - 1) / 2;
    let bit = |x: u64| ((x >> j.min(63)) & 1) as i64;
    let (kb, nb, pb) = (bit(k), bit(n), bit(p));
    let (nd, nuv) = (1 + usize::from(has_d), 1 + usize::from(has_uv));
    let lt = |b: usize, bound: i64, old: usize| -> usize {
        let b = b as i64;
        usize::from(b < bound || (b == bound && old == 1))
    };
    let mut edges = Vec::new();
    for s in 0..STATES {
        let carry = (s % 3) as i64 - 1;
        let flags = s / 3;
        let (ltd, ltu, ltv) = (flags & 1, (flags >> 1) & 1, (flags >> 2) & 1);
        for bd in 0..nd {
            for bu in 0..nuv {
                for bv in 0..nuv {
                    let t = bu as i64 + bd as i64 - bv as i64 - pb + carry;
                    if t.rem_euclid(2) != 0 {
                        continue;
                    }
                    let nc = t.div_euclid(2);
                    let nf = lt(bd, kb, ltd) | lt(bu, nb, ltu) << 1 | lt(bv, nb, ltv) << 2;
                    let ns = (nc + 1) as usize + 3 * nf;
                    edges.push((s, bd | bu << 1 | bv << 2, ns));
                }
            }
        }
    }
    edges
}

/// The transitions of every step that end in a state from which [`ACCEPT`] is still reachable
/// at the end (computed backwards).
fn pruned_plan(k: u64, n: u64, len_d: usize, len_uv: usize) -> Vec<Vec<Edge>> {
    let steps = len_d.max(len_uv) + 1;
    let mut plan: Vec<Vec<Edge>> = (0..steps)
        .map(|j| step_edges(k, n, j, j < len_d, j < len_uv))
        .collect();
    let mut alive = [false; STATES];
    alive[ACCEPT] = true;
    for edges in plan.iter_mut().rev() {
        edges.retain(|&(_, _, ns)| alive[ns]);
        alive = [false; STATES];
        for &(s, _, _) in edges.iter() {
            alive[s] = true;
        }
    }
    plan
}

/// The weights `w_{b_d}·w_{b_u}·w_{b_v}` of one step, computed on demand (a product only for
/// combinations some transition uses).
struct StepWeights<'a> {
    r_d: Option<&'a FpVar<F>>,
    r_uv: Option<(&'a FpVar<F>, &'a FpVar<F>)>,
    ru_rv: Option<FpVar<F>>,
    /// `x_{uv}·r_d` per `(u, v)` combination.
    with_d: [Option<FpVar<F>>; 4],
}

impl<'a> StepWeights<'a> {
    fn new(r_d: Option<&'a FpVar<F>>, r_uv: Option<(&'a FpVar<F>, &'a FpVar<F>)>) -> Self {
        Self {
            r_d,
            r_uv,
            ru_rv: None,
            with_d: Default::default(),
        }
    }

    /// `w_{b_u}(r_u)·w_{b_v}(r_v)` for `uv = b_u + 2·b_v` (the constant 1 past the points' end).
    fn uv(&mut self, uv: usize) -> FpVar<F> {
        let Some((ru, rv)) = self.r_uv else {
            return FpVar::one();
        };
        let m = self.ru_rv.get_or_insert_with(|| ru * rv).clone();
        match uv {
            0 => FpVar::one() - ru - rv + m,
            1 => ru - m,
            2 => rv - m,
            _ => m,
        }
    }

    /// The full weight of `combo = b_d + 2·uv`.
    fn weight(&mut self, combo: usize) -> FpVar<F> {
        let (bd, uv) = (combo & 1, combo >> 1);
        let x = self.uv(uv);
        let Some(rd) = self.r_d else {
            return x;
        };
        let y = match &self.with_d[uv] {
            Some(y) => y.clone(),
            None => {
                let y = &x * rd;
                self.with_d[uv] = Some(y.clone());
                y
            }
        };
        if bd == 1 {
            y
        } else {
            x - y
        }
    }
}

/// In-circuit [`gkr::relations::conv::shift_mle`]: the MLE of the 1-D shift predicate
/// `S(d, u, v) = [d < k]·[u < n]·[v < n]·[v = u + d − (k−1)/2]` at `(r_d, r_u, r_v)` (bits low
/// first; `k`, `n` and the lengths are circuit constants). Errors where the native function
/// returns `None`: `r_u`, `r_v` of different lengths, `k` even, a point longer than 62.
/// Cost: see the module docs.
pub fn shift_mle_var(
    k: u64,
    n: u64,
    r_d: &[FpVar<F>],
    r_u: &[FpVar<F>],
    r_v: &[FpVar<F>],
) -> Result<FpVar<F>, Error> {
    if r_u.len() != r_v.len() {
        return Err(Error::DimensionMismatch {
            expected: r_u.len(),
            actual: r_v.len(),
        });
    }
    if k.is_multiple_of(2) {
        return Err(Error::Malformed {
            what: "shift predicate: the kernel size must be odd",
        });
    }
    if r_d.len() > 62 || r_u.len() > 62 {
        return Err(Error::Malformed {
            what: "shift predicate: more than 62 bits per coordinate",
        });
    }
    let plan = pruned_plan(k, n, r_d.len(), r_u.len());
    let mut cur: Vec<Option<FpVar<F>>> = vec![None; STATES];
    cur[START] = Some(FpVar::one());
    for (j, edges) in plan.iter().enumerate() {
        // Σ_{s → ns} cur[s], per (combo, ns): linear.
        let mut sums: BTreeMap<(usize, usize), FpVar<F>> = BTreeMap::new();
        for &(s, combo, ns) in edges {
            let Some(val) = &cur[s] else { continue };
            sums.entry((combo, ns))
                .and_modify(|acc| *acc += val)
                .or_insert_with(|| val.clone());
        }
        let r_uv = r_u.get(j).zip(r_v.get(j));
        let mut weights = StepWeights::new(r_d.get(j), r_uv);
        let mut next: Vec<Option<FpVar<F>>> = vec![None; STATES];
        for ((combo, ns), sum) in sums {
            let term = sum * weights.weight(combo);
            next[ns] = Some(match next[ns].take() {
                None => term,
                Some(acc) => acc + term,
            });
        }
        cur = next;
    }
    Ok(cur[ACCEPT].take().unwrap_or_else(FpVar::zero))
}

/// The 2-D predicate `S̃(r_δ, r_out, r_in) = S̃_x·S̃_y` with `r_δ = (r_dx ‖ r_dy)`,
/// `r_out = (r_x ‖ r_y)`, `r_in = (r_x' ‖ r_y')` (the twin of the native `shift_mle_2d`).
pub fn shift_mle_2d_var(
    shape: &ConvShape,
    r_delta: &[FpVar<F>],
    r_out: &[FpVar<F>],
    r_in: &[FpVar<F>],
) -> Result<FpVar<F>, Error> {
    let (lk, lw) = (shape.log_k(), shape.log_w());
    for (expected, actual) in [
        (2 * lk, r_delta.len()),
        (shape.pix_vars(), r_out.len()),
        (shape.pix_vars(), r_in.len()),
    ] {
        if expected != actual {
            return Err(Error::DimensionMismatch { expected, actual });
        }
    }
    let (rdx, rdy) = r_delta.split_at(lk);
    let (rx, ry) = r_out.split_at(lw);
    let (rx_in, ry_in) = r_in.split_at(lw);
    let sx = shift_mle_var(shape.kernel, shape.width, rdx, rx, rx_in)?;
    let sy = shift_mle_var(shape.kernel, shape.height, rdy, ry, ry_in)?;
    Ok(sx * sy)
}

// ---------------------------------------------------------------------------------------------
// Stage 2
// ---------------------------------------------------------------------------------------------

/// The statement of stage 2 in-circuit (the twin of [`gkr::relations::conv::ShiftParams`]):
/// `claim = Σ_{pix} S̃(r_δ, ·, ·)·t̃(pix, rest)` over the free pixel.
#[derive(Clone, Debug)]
pub struct ShiftParamsVar {
    /// The shape.
    pub shape: ConvShape,
    /// `false`: the free pixel is the input pixel (`S̃(r_δ, r_fixed, pix)`); `true`: it is the
    /// output pixel (`S̃(r_δ, pix, r_fixed)`).
    pub transposed: bool,
    /// `(r_dx ‖ r_dy)`.
    pub r_delta: Vec<FpVar<F>>,
    /// The bound pixel `(r_x ‖ r_y)`.
    pub r_fixed: Vec<FpVar<F>>,
    /// The operand's non-pixel coordinates (channel ‖ batch).
    pub rest: Vec<FpVar<F>>,
    /// The operand reached.
    pub operand: ConvOperand,
    /// The claimed sum.
    pub claim: FpVar<F>,
}

impl ShiftParamsVar {
    /// The predicate at the free pixel `r`.
    pub fn predicate(&self, r: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
        if self.transposed {
            shift_mle_2d_var(&self.shape, &self.r_delta, r, &self.r_fixed)
        } else {
            shift_mle_2d_var(&self.shape, &self.r_delta, &self.r_fixed, r)
        }
    }

    /// The claim on the operand once stage 2 ended on `r2` with final evaluation `[t]`.
    pub fn output_claim(&self, r2: &[FpVar<F>], evals: &[FpVar<F>]) -> Result<ConvClaimVar, Error> {
        let [t] = evals else {
            return Err(Error::ProofShape {
                what: "conv stage-2 final evaluations",
                expected: 1,
                actual: evals.len(),
            });
        };
        if r2.len() != self.shape.pix_vars() {
            return Err(Error::DimensionMismatch {
                expected: self.shape.pix_vars(),
                actual: r2.len(),
            });
        }
        Ok(ConvClaimVar {
            operand: self.operand,
            point: [r2, &self.rest].concat(),
            value: t.clone(),
        })
    }
}

/// Stage-2 verifier in-circuit (the twin of [`gkr::relations::conv::ShiftVerifier`]): degree
/// 2 over the pixel variables, expected output claim `S̃(r_δ, …)·t`.
#[derive(Clone, Debug)]
pub struct ShiftVerifierVar {
    /// The statement.
    pub params: ShiftParamsVar,
}

impl SumcheckInstanceVerifierVar for ShiftVerifierVar {
    fn num_rounds(&self) -> usize {
        self.params.shape.pix_vars()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> FpVar<F> {
        self.params.claim.clone()
    }
    fn expected_output_claim(
        &self,
        r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        let [t] = final_evals else {
            return Err(Error::WrongNumberOfFinalEvals {
                instance: 0,
                expected: 1,
                actual: final_evals.len(),
            });
        };
        Ok(self.params.predicate(r)? * t)
    }
}

// ---------------------------------------------------------------------------------------------
// Between the stages
// ---------------------------------------------------------------------------------------------

/// `point` cut into consecutive pieces of `lens`.
fn split_point(point: &[FpVar<F>], lens: &[usize]) -> Result<Vec<Vec<FpVar<F>>>, Error> {
    let total = lens.iter().sum::<usize>();
    if point.len() != total {
        return Err(Error::DimensionMismatch {
            expected: total,
            actual: point.len(),
        });
    }
    let mut out = Vec::with_capacity(lens.len());
    let mut rest = point;
    for &l in lens {
        let (head, tail) = rest.split_at(l);
        out.push(head.to_vec());
        rest = tail;
    }
    Ok(out)
}

/// The twin of `ConvParams::check`: a valid shape and a point of the result tensor's dimension.
fn check_statement(
    relation: ConvRelation,
    shape: &ConvShape,
    point: &[FpVar<F>],
) -> Result<(), Error> {
    shape.validate().map_err(|_| Error::Malformed {
        what: "conv: invalid shape",
    })?;
    let expected = shape.vars_of(relation.result());
    if point.len() != expected {
        return Err(Error::DimensionMismatch {
            expected,
            actual: point.len(),
        });
    }
    Ok(())
}

/// The twin of [`ConvParams::after_stage1`]: from the claimed `point`, the stage-1 point `r1`
/// and its final evaluations `[u, v]`, the claim on the first operand and the statement of
/// stage 2 (claim `v`). Slicing only, no constraint.
pub fn after_stage1_var(
    relation: ConvRelation,
    shape: ConvShape,
    point: &[FpVar<F>],
    r1: &[FpVar<F>],
    evals: &[FpVar<F>],
) -> Result<(ConvClaimVar, ShiftParamsVar), Error> {
    check_statement(relation, &shape, point)?;
    let s = &shape;
    let (first, _) = relation.operands();
    let [u, v] = evals else {
        return Err(Error::ProofShape {
            what: "conv stage-1 final evaluations",
            expected: 2,
            actual: evals.len(),
        });
    };
    let (lk, lpix) = (s.log_k(), s.pix_vars());
    let shift =
        |transposed, r_delta: &[FpVar<F>], r_fixed: &[FpVar<F>], rest, operand| ShiftParamsVar {
            shape,
            transposed,
            r_delta: r_delta.to_vec(),
            r_fixed: r_fixed.to_vec(),
            rest,
            operand,
            claim: v.clone(),
        };
    let (first_point, sp) = match relation {
        ConvRelation::Forward => {
            // point on z: (r_pix, r_o, r_b); r1 = (r_δ, r_c)
            let p = split_point(point, &[lpix, s.log_out(), s.log_batch()])?;
            let q = split_point(r1, &[2 * lk, s.log_in()])?;
            let w_point = [r1, &p[1]].concat();
            let rest = [&q[1][..], &p[2]].concat();
            (
                w_point,
                shift(false, &q[0], &p[0], rest, ConvOperand::Input),
            )
        }
        ConvRelation::InputGrad => {
            // point on h: (r_pix, r_c, r_b); r1 = (r_δ, r_o)
            let p = split_point(point, &[lpix, s.log_in(), s.log_batch()])?;
            let q = split_point(r1, &[2 * lk, s.log_out()])?;
            let w_point = [&q[0][..], &p[1], &q[1]].concat();
            let rest = [&q[1][..], &p[2]].concat();
            (
                w_point,
                shift(true, &q[0], &p[0], rest, ConvOperand::Output),
            )
        }
        ConvRelation::WeightGrad => {
            // point on dW: (r_δ, r_c, r_o); r1 = (r_pix, r_b)
            let p = split_point(point, &[2 * lk, s.log_in(), s.log_out()])?;
            let q = split_point(r1, &[lpix, s.log_batch()])?;
            let g_point = [&q[0][..], &p[2], &q[1]].concat();
            let rest = [&p[1][..], &q[1]].concat();
            (
                g_point,
                shift(false, &p[0], &q[0], rest, ConvOperand::Input),
            )
        }
    };
    Ok((
        ConvClaimVar {
            operand: first,
            point: first_point,
            value: u.clone(),
        },
        sp,
    ))
}

/// The twin of [`gkr::relations::conv::verify_conv`]: verify the reduction of the claim `claim`
/// at `point` on the relation's result tensor and return the claims on the `[first, second]`
/// operands, which the caller must still check. A wrong proof value leaves the constraint
/// system unsatisfied; shape problems are errors (module docs).
pub fn verify_conv_var(
    relation: ConvRelation,
    shape: ConvShape,
    point: Vec<FpVar<F>>,
    claim: FpVar<F>,
    proof: &ConvProofVar,
    tr: &mut PoseidonTranscriptVar,
) -> Result<[ConvClaimVar; 2], Error> {
    check_statement(relation, &shape, &point)?;
    let p = params(relation, shape)?;
    let v1 = ProductVerifierVar::new(p.stage1_rounds(), 2, claim);
    let out1 = verify_batched(
        &[&v1],
        &proof.stage1,
        std::slice::from_ref(&proof.stage1_evals),
        tr,
    )?;
    let (c1, sp) = after_stage1_var(relation, shape, &point, out1.r(), &proof.stage1_evals)?;
    let v2 = ShiftVerifierVar { params: sp };
    let out2 = verify_batched(
        &[&v2],
        &proof.stage2,
        std::slice::from_ref(&proof.stage2_evals),
        tr,
    )?;
    let c2 = v2.params.output_claim(out2.r(), &proof.stage2_evals)?;
    Ok([c1, c2])
}
