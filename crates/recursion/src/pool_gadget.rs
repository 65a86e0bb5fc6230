//! The 2×2 pool relations in-circuit: the twins of the verifier functions of
//! [`gkr::relations::pool`] (average pool claims, max-pool forward and backward sumchecks),
//! transcript operation for transcript operation, so that both derive the same challenges and
//! claims.
//!
//! # What is checked
//!
//! Layouts as in [`gkr::relations::pool`]: input `x_0 ‖ X ‖ y_0 ‖ Y ‖ c ‖ b`, output
//! `X ‖ Y ‖ c ‖ b`, window `t_0 ‖ t_1 ‖ X ‖ Y ‖ c ‖ b`; the point maps between them
//! ([`input_point_of_window_var`], [`window_point_of_input_var`], [`avg_pool_input_point_var`])
//! are pure slicing and cost nothing.
//!
//! * `χ̃(p) = lt_{W/2}(p_X)·lt_{H/2}(p_Y)·lt_C(p_c)·lt_B(p_b)` ([`valid_mle_var`]), each "less
//!   than `n`" MLE run bit by bit over `(lt, ge)` weights ([`less_than_mle_var`]): one
//!   multiplication per bit, at most `output_vars + 3` constraints in all.
//! * **Average pool** (no sumcheck, no transcript): forward
//!   `x̃(½, p_X, ½, p_Y, …) = (4ỹ(p) + r̃(p) − 2χ̃(p))/4`, backward broadcast (a claim on the
//!   input gradient at `r` is the claim on the quotient at `(r_X, r_Y, r_c, r_b)`) and rescale
//!   `g̃_out(p) = 4q̃(p) + ρ̃(p) − 2χ̃(p)`. Only `χ̃` costs constraints.
//! * **Max pool forward** ([`verify_max_pool_var`]): draw `τ` (`window_vars` challenges), one
//!   batched sumcheck (degree 3, `window_vars` rounds) of the booleanity zero-check
//!   `Σ eq(τ, ·)·e(1 − e) = 0` and the selection sumcheck
//!   `Σ_{t,q} eq((½,½,p), (t,q))·e(t,q)·x_t(q) = ỹ(p)/4`, final evaluations `[e]` and `[e, x']`;
//!   enforce that the two evaluations of `e` at `r` are equal, and return the five claims of
//!   the native verifier (selector at `r`, input, output `ỹ(r_q)` = the prover's `y_at_r`,
//!   selector at `(½, ½, p)` with value `χ̃(p)/4`, difference `ỹ(r_q) − x̃'(r)`). `y_at_r` is
//!   not absorbed here (the caller absorbs it, as the native caller does).
//! * **Max pool backward** ([`verify_max_pool_backward_var`]): the eq-weighted sumcheck
//!   `g̃_in(r_in) = Σ_q eq(r_q, q)·ẽ(r_t, q)·g̃_out(q)` (degree 3, `output_vars` rounds), final
//!   evaluations `[ẽ(r_t, ρ), g̃_out(ρ)]`, returned as claims on the selector and the output
//!   gradient.
//!
//! A wrong proof value (round coefficient, final evaluation, claim, two values for the selector)
//! leaves the constraint system unsatisfied; only shapes (an invalid [`PoolShape`], a point of
//! the wrong dimension, a proof with the wrong number of rounds, coefficients or evaluations)
//! are [`Error`]s.
//!
//! # Cost
//!
//! With `n = window_vars`: forward `n` squeezes for `τ`, `n` rounds of 3 absorbed coefficients
//! and a squeeze (3 multiplications each), two `eq` evaluations (`2·(2n − 1)`), the two
//! combiners and the batching (≈ 6), the equality (1) and `χ̃` (`≤ n + 1`); backward `n − 2`
//! rounds, one `eq` and one product. The Poseidon permutations of the transcript (271
//! constraints each) dominate: one verification on `2×3×4×4` (`n = 7`) is 9,266 constraints
//! forward and 4,899 backward, on `2×3×8×8` (`n = 9`) 11,450 and 6,535 (golden counts in the
//! `pool_gadget` test).

use std::sync::Arc;

use ark_ff::{Field, One};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use gkr::relations::pool::{MaxPoolBackwardProof, MaxPoolProof, PoolShape, PoolTensor};
use gkr::GkrError;
use sumcheck::F;

use crate::error::Error;
use crate::sumcheck_gadget::{
    alloc_witness_vec, batch_shape, draw_tau, verify_batched, CombinerVar, InstanceShape,
    SumcheckInstanceVerifierVar, SumcheckProofVar, ZeroCheckVerifierVar,
};
use crate::transcript::PoseidonTranscriptVar;

/// A claim `t̃(point) = value` in-circuit (the twin of [`gkr::relations::pool::PoolClaim`]).
#[derive(Clone, Debug)]
pub struct PoolClaimVar {
    /// The tensor.
    pub tensor: PoolTensor,
    /// The point, in the tensor's layout.
    pub point: Vec<FpVar<F>>,
    /// The value.
    pub value: FpVar<F>,
}

/// [`PoolShape::validate`] as this crate's error.
fn validate(shape: &PoolShape) -> Result<(), Error> {
    shape.validate().map_err(|e| match e {
        GkrError::InvalidParams { what } => Error::Malformed { what },
        _ => Error::Malformed {
            what: "invalid pool shape",
        },
    })
}

fn check_dim(expected: usize, actual: usize) -> Result<(), Error> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { expected, actual })
    }
}

fn half() -> F {
    F::from(2u64).inverse().unwrap_or_else(F::one)
}

fn quarter() -> F {
    F::from(4u64).inverse().unwrap_or_else(F::one)
}

/// The input point `(r_t0, q_X, r_t1, q_Y, q_c, q_b)` of a window point `(r_t0, r_t1, q)`: the
/// twin of [`PoolShape::input_point_of_window`].
pub fn input_point_of_window_var(
    shape: &PoolShape,
    w: &[FpVar<F>],
) -> Result<Vec<FpVar<F>>, Error> {
    validate(shape)?;
    check_dim(shape.window_vars(), w.len())?;
    let (lw, _, _, _) = shape.logs();
    // validate: width even, so lw ≥ 1; window_vars ≥ 2 + (lw − 1).
    let q = &w[2..];
    Ok([&[w[0].clone()], &q[..lw - 1], &[w[1].clone()], &q[lw - 1..]].concat())
}

/// The window point `(r_x0, r_y0, r_X, r_Y, r_c, r_b)` of an input point: the twin of
/// [`PoolShape::window_point_of_input`].
pub fn window_point_of_input_var(
    shape: &PoolShape,
    r: &[FpVar<F>],
) -> Result<Vec<FpVar<F>>, Error> {
    validate(shape)?;
    check_dim(shape.input_vars(), r.len())?;
    let (lw, _, _, _) = shape.logs();
    // validate: width and height even, so r has at least lw + 1 ≥ 2 entries.
    Ok([&[r[0].clone(), r[lw].clone()], &r[1..lw], &r[lw + 1..]].concat())
}

/// MLE of `[v < n]` over `r.len()` bits (low first): the twin of
/// [`gkr::relations::pool::less_than_mle`], one multiplication per bit.
pub fn less_than_mle_var(n: u64, r: &[FpVar<F>]) -> FpVar<F> {
    // [lt, not lt] weights of the low bits processed so far (empty: equal → not lt).
    let (mut lt, mut ge) = (FpVar::<F>::zero(), FpVar::<F>::one());
    for (j, rj) in r.iter().enumerate() {
        if j < 64 && (n >> j) & 1 == 1 {
            // lt' = (1 − r)(lt + ge) + r·lt = lt + ge − r·ge, ge' = r·ge.
            let m = rj * &ge;
            lt = lt + &ge - &m;
            ge = m;
        } else {
            // lt' = (1 − r)·lt = lt − r·lt, ge' = (1 − r)·ge + r·(lt + ge) = ge + r·lt.
            let m = rj * &lt;
            lt -= &m;
            ge += m;
        }
    }
    if r.len() < 64 && n >> r.len() != 0 {
        lt + ge
    } else {
        lt
    }
}

/// `χ̃(p)`: the MLE of "output `(b, c, i, j)` is a real output" at an output point (the twin of
/// [`gkr::relations::pool::valid_mle`]; `output_vars + 3` constraints).
pub fn valid_mle_var(shape: &PoolShape, p: &[FpVar<F>]) -> Result<FpVar<F>, Error> {
    validate(shape)?;
    check_dim(shape.output_vars(), p.len())?;
    let (lw, lh, lc, _) = shape.logs();
    let (px, rest) = p.split_at(lw - 1);
    let (py, rest) = rest.split_at(lh - 1);
    let (pc, pb) = rest.split_at(lc);
    Ok(less_than_mle_var(shape.width / 2, px)
        * less_than_mle_var(shape.height / 2, py)
        * less_than_mle_var(shape.channels, pc)
        * less_than_mle_var(shape.batch, pb))
}

/// The input point of a window sum at output point `p`: `(½, p_X, ½, p_Y, p_c, p_b)` (the twin
/// of [`gkr::relations::pool::avg_pool_input_point`]).
pub fn avg_pool_input_point_var(shape: &PoolShape, p: &[FpVar<F>]) -> Result<Vec<FpVar<F>>, Error> {
    validate(shape)?;
    check_dim(shape.output_vars(), p.len())?;
    input_point_of_window_var(shape, &selection_tau_var(p))
}

/// Avg pool forward: the claim `x̃(½, p_X, ½, p_Y, …) = (4y + r − 2χ̃(p))/4` implied by
/// `ỹ(p) = y`, `r̃(p) = r` (the twin of
/// [`gkr::relations::pool::avg_pool_forward_input_claim`]).
pub fn avg_pool_forward_input_claim_var(
    shape: &PoolShape,
    p: &[FpVar<F>],
    y: FpVar<F>,
    r: FpVar<F>,
) -> Result<PoolClaimVar, Error> {
    let chi = valid_mle_var(shape, p)?;
    Ok(PoolClaimVar {
        tensor: PoolTensor::Input,
        point: avg_pool_input_point_var(shape, p)?,
        value: (y * F::from(4u64) + r - chi.double()?) * quarter(),
    })
}

/// Avg pool backward, broadcast: a claim on the input gradient at `r` (input layout) is the same
/// claim on the quotient at `(r_X, r_Y, r_c, r_b)` (the twin of
/// [`gkr::relations::pool::avg_pool_backward_quotient_claim`]).
pub fn avg_pool_backward_quotient_claim_var(
    shape: &PoolShape,
    r: &[FpVar<F>],
    value: FpVar<F>,
) -> Result<PoolClaimVar, Error> {
    let w = window_point_of_input_var(shape, r)?;
    Ok(PoolClaimVar {
        tensor: PoolTensor::GradQuotient,
        point: w[2..].to_vec(),
        value,
    })
}

/// Avg pool backward, rescale: `g̃_out(p) = 4q + ρ − 2χ̃(p)` (the twin of
/// [`gkr::relations::pool::avg_pool_backward_output_grad_claim`]).
pub fn avg_pool_backward_output_grad_claim_var(
    shape: &PoolShape,
    p: &[FpVar<F>],
    q: FpVar<F>,
    rho: FpVar<F>,
) -> Result<PoolClaimVar, Error> {
    let chi = valid_mle_var(shape, p)?;
    Ok(PoolClaimVar {
        tensor: PoolTensor::OutputGrad,
        point: p.to_vec(),
        value: q * F::from(4u64) + rho - chi.double()?,
    })
}

// ---------------------------------------------------------------------------------------------
// Max pool
// ---------------------------------------------------------------------------------------------

/// `(½, ½, p)`.
fn selection_tau_var(p: &[FpVar<F>]) -> Vec<FpVar<F>> {
    let h = FpVar::constant(half());
    [&[h.clone(), h], p].concat()
}

/// `g(e) = e·(1 − e)`, the booleanity combiner (degree 2).
fn booleanity_var() -> CombinerVar {
    CombinerVar::Custom {
        degree: 2,
        f: Arc::new(|v: &[FpVar<F>]| match v {
            [e] => Ok(e - e * e),
            _ => Err(SynthesisError::Unsatisfiable),
        }),
    }
}

/// The forward batch: booleanity zero-check (`e(1 − e)`, degree 3) and selection (`e·x'` with
/// eq, degree 3), both over the window variables.
fn forward_shapes(shape: &PoolShape) -> [InstanceShape; 2] {
    let s = InstanceShape {
        num_rounds: shape.window_vars(),
        degree: 3,
    };
    [s, s]
}

/// The backward sumcheck: `eq·e·g_out` over the output variables, degree 3.
fn backward_shape(shape: &PoolShape) -> InstanceShape {
    InstanceShape {
        num_rounds: shape.output_vars(),
        degree: 3,
    }
}

/// A [`MaxPoolProof`] in the circuit.
#[derive(Clone, Debug)]
pub struct MaxPoolProofVar {
    /// The batched sumcheck (`window_vars` rounds, degree 3).
    pub sumcheck: SumcheckProofVar,
    /// `[ẽ(r)]` (booleanity).
    pub bool_evals: Vec<FpVar<F>>,
    /// `[ẽ(r), x̃'(r)]` (selection).
    pub select_evals: Vec<FpVar<F>>,
    /// `ỹ(r_q)`.
    pub y_at_r: FpVar<F>,
}

impl MaxPoolProofVar {
    /// Allocate a max-pool proof for `shape` as witnesses. `f` is called once, eagerly; a proof
    /// of the wrong shape is an [`Error`], an error from `f` allocates without values (setup
    /// mode only).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        shape: &PoolShape,
        f: impl FnOnce() -> Result<MaxPoolProof, SynthesisError>,
    ) -> Result<Self, Error> {
        validate(shape)?;
        let value = f();
        if let Ok(p) = &value {
            let actual = p.bool_evals.len() + p.select_evals.len();
            if p.bool_evals.len() != 1 || p.select_evals.len() != 2 {
                return Err(Error::ProofShape {
                    what: "max-pool final evaluations",
                    expected: 3,
                    actual,
                });
            }
        }
        let (rounds, degree) = batch_shape(&forward_shapes(shape));
        let sumcheck = SumcheckProofVar::new_witness(cs.clone(), rounds, degree, || {
            value.as_ref().map(|p| p.sumcheck.clone()).map_err(|e| *e)
        })?;
        let bool_evals = alloc_witness_vec(cs.clone(), 1, || {
            value.as_ref().map(|p| p.bool_evals.clone()).map_err(|e| *e)
        })?;
        let select_evals = alloc_witness_vec(cs.clone(), 2, || {
            value
                .as_ref()
                .map(|p| p.select_evals.clone())
                .map_err(|e| *e)
        })?;
        let y_at_r = FpVar::new_witness(cs, || value.as_ref().map(|p| p.y_at_r).map_err(|e| *e))?;
        Ok(Self {
            sumcheck,
            bool_evals,
            select_evals,
            y_at_r,
        })
    }
}

/// The twin of [`gkr::relations::pool::verify_max_pool`] for the claim `ỹ(p) = y_claim`: the
/// same transcript calls (`τ`, then the batched sumcheck), the equality of the two selector
/// evaluations enforced, and the same five claims in the same order (module docs). It does not
/// absorb `y_at_r` afterwards; the caller does, as the native caller does.
///
/// **Obligation** (as natively): the differences `d` must be range-checked as unsigned.
pub fn verify_max_pool_var(
    shape: &PoolShape,
    p: Vec<FpVar<F>>,
    y_claim: FpVar<F>,
    proof: &MaxPoolProofVar,
    tr: &mut PoseidonTranscriptVar,
) -> Result<Vec<PoolClaimVar>, Error> {
    validate(shape)?;
    let n = shape.window_vars();
    check_dim(shape.output_vars(), p.len())?;
    let tau = draw_tau(tr, n)?;
    let zc = ZeroCheckVerifierVar::zero_check(tau, 1, booleanity_var());
    let sv = ZeroCheckVerifierVar::new(
        selection_tau_var(&p),
        2,
        CombinerVar::Product,
        y_claim * quarter(),
    );
    debug_assert_eq!([zc.shape(), sv.shape()], forward_shapes(shape));
    let batch = verify_batched(
        &[&zc as &dyn SumcheckInstanceVerifierVar, &sv],
        &proof.sumcheck,
        &[proof.bool_evals.clone(), proof.select_evals.clone()],
        tr,
    )?;
    max_pool_claims_var(shape, &p, batch.r(), proof)
}

fn max_pool_claims_var(
    shape: &PoolShape,
    p: &[FpVar<F>],
    r: &[FpVar<F>],
    proof: &MaxPoolProofVar,
) -> Result<Vec<PoolClaimVar>, Error> {
    let ([e_bool], [e_sel, x_sel]) = (&proof.bool_evals[..], &proof.select_evals[..]) else {
        return Err(Error::ProofShape {
            what: "max-pool final evaluations",
            expected: 3,
            actual: proof.bool_evals.len() + proof.select_evals.len(),
        });
    };
    // Natively `e_bool != e_sel` rejects.
    e_bool.enforce_equal(e_sel)?;
    let x_point = input_point_of_window_var(shape, r)?;
    let r_q = r.get(2..).ok_or(Error::DimensionMismatch {
        expected: shape.window_vars(),
        actual: r.len(),
    })?;
    let chi = valid_mle_var(shape, p)?;
    Ok(vec![
        PoolClaimVar {
            tensor: PoolTensor::Selector,
            point: r.to_vec(),
            value: e_sel.clone(),
        },
        PoolClaimVar {
            tensor: PoolTensor::Input,
            point: x_point,
            value: x_sel.clone(),
        },
        PoolClaimVar {
            tensor: PoolTensor::Output,
            point: r_q.to_vec(),
            value: proof.y_at_r.clone(),
        },
        PoolClaimVar {
            tensor: PoolTensor::Selector,
            point: selection_tau_var(p),
            value: chi * quarter(),
        },
        PoolClaimVar {
            tensor: PoolTensor::Diff,
            point: r.to_vec(),
            value: &proof.y_at_r - x_sel,
        },
    ])
}

/// A [`MaxPoolBackwardProof`] in the circuit.
#[derive(Clone, Debug)]
pub struct MaxPoolBackwardProofVar {
    /// The sumcheck (`output_vars` rounds, degree 3).
    pub sumcheck: SumcheckProofVar,
    /// `[ẽ(r_t, ρ), g̃_out(ρ)]`.
    pub evals: Vec<FpVar<F>>,
}

impl MaxPoolBackwardProofVar {
    /// Allocate a max-pool backward proof for `shape` as witnesses (see
    /// [`MaxPoolProofVar::new_witness`]).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        shape: &PoolShape,
        f: impl FnOnce() -> Result<MaxPoolBackwardProof, SynthesisError>,
    ) -> Result<Self, Error> {
        validate(shape)?;
        let value = f();
        if let Ok(p) = &value {
            if p.evals.len() != 2 {
                return Err(Error::ProofShape {
                    what: "max-pool backward final evaluations",
                    expected: 2,
                    actual: p.evals.len(),
                });
            }
        }
        let (rounds, degree) = batch_shape(&[backward_shape(shape)]);
        let sumcheck = SumcheckProofVar::new_witness(cs.clone(), rounds, degree, || {
            value.as_ref().map(|p| p.sumcheck.clone()).map_err(|e| *e)
        })?;
        let evals = alloc_witness_vec(cs, 2, || {
            value.as_ref().map(|p| p.evals.clone()).map_err(|e| *e)
        })?;
        Ok(Self { sumcheck, evals })
    }
}

/// The twin of [`gkr::relations::pool::verify_max_pool_backward`] for `g̃_in(r_in) = claim`:
/// returns the claims on `Selector` (at `(r_x0, r_y0, ρ)`) and `OutputGrad` (at `ρ`).
pub fn verify_max_pool_backward_var(
    shape: &PoolShape,
    r_in: &[FpVar<F>],
    claim: FpVar<F>,
    proof: &MaxPoolBackwardProofVar,
    tr: &mut PoseidonTranscriptVar,
) -> Result<[PoolClaimVar; 2], Error> {
    let w = window_point_of_input_var(shape, r_in)?;
    let zc = ZeroCheckVerifierVar::new(w[2..].to_vec(), 2, CombinerVar::Product, claim);
    debug_assert_eq!(zc.shape(), backward_shape(shape));
    let batch = verify_batched(
        &[&zc],
        &proof.sumcheck,
        std::slice::from_ref(&proof.evals),
        tr,
    )?;
    let [e, g] = &proof.evals[..] else {
        return Err(Error::ProofShape {
            what: "max-pool backward final evaluations",
            expected: 2,
            actual: proof.evals.len(),
        });
    };
    let r = batch.r();
    Ok([
        PoolClaimVar {
            tensor: PoolTensor::Selector,
            point: [&w[..2], r].concat(),
            value: e.clone(),
        },
        PoolClaimVar {
            tensor: PoolTensor::OutputGrad,
            point: r.to_vec(),
            value: g.clone(),
        },
    ])
}
