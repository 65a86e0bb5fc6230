//! 2×2 pools (stride 2): average pool (linear claims only) and max pool (selector sumchecks).
//! The math is in `docs/conv.md`.
//!
//! **Layout.** `H`, `W` even, padded to powers of two `H_p`, `W_p` (also `B_p`, `C_p`). The
//! pooling window bits are the **low** bits of `y` and `x`, so the pooled tensor is the input
//! with those two bits summed out:
//!
//! | tensor | layout | variables, low → high |
//! |---|---|---|
//! | input `x`, input gradient | `[B][C][H_p][W_p]` | `x_0 ‖ X (log W_p − 1) ‖ y_0 ‖ Y (log H_p − 1) ‖ c ‖ b` |
//! | output `y`, remainders, quotients, output gradient | `[B][C][H_p/2][W_p/2]` | `X ‖ Y ‖ c ‖ b` |
//! | selectors `e`, differences `d` | `[B][C][H_p/2][W_p/2][4]` | `t_0 (= x_0) ‖ t_1 (= y_0) ‖ X ‖ Y ‖ c ‖ b` |
//!
//! (window order `t = 2·dy + dx`, as in `docs/training-engine.md`). A sum over a window is
//! `Σ_{x_0, y_0} x̃(x_0, X, y_0, Y, …) = 4·x̃(½, X, ½, Y, …)`: no window predicate is needed.
//! `χ` is the indicator of the real (unpadded) outputs, `χ̃` a product of per-axis
//! "less than" MLEs ([`valid_mle`]), `O(log)`.
//!
//! * **Average pool forward** `4y + r = Σ window + 2` (on real outputs): at any point `p`,
//!   `4ỹ(p) + r̃(p) = 4x̃(½, p_X, ½, p_Y, p_c, p_b) + 2χ̃(p)`; `r ∈ [0, 4)` is a range-check
//!   obligation (2-bit unsigned).
//! * **Average pool backward** `4q + ρ = g_out + 2`, each input of a window gets `q`: a claim on
//!   the input gradient at `(r_x0, r_X, r_y0, r_Y, …)` is the claim on `q` at `(r_X, r_Y, …)`;
//!   `g̃_out(p) = 4q̃(p) + ρ̃(p) − 2χ̃(p)`, `ρ ∈ [0, 4)` range-checked.
//! * **Max pool forward**: committed one-hot `e` and differences `d = y − x_t ≥ 0`:
//!   booleanity zero-check `Σ eq(τ, ·)·e(1 − e) = 0`; selection
//!   `ỹ(p)/4 = Σ_{t,q} eq((½,½,p), (t,q))·e(t,q)·x_t(q)` (batched with booleanity, both end on
//!   `r = (r_t, r_q)`); one-hot `4ẽ(½, ½, p) = χ̃(p)`; difference
//!   `d̃(r) = ỹ(r_q) − x̃_{r_t}(r_q)`; `d` is the range-check obligation (unsigned).
//! * **Max pool backward** `g_in = e ⊙ broadcast(g_out)`: `g̃_in(r) = Σ_q eq(r_q, q)·ẽ(r_t, q)·g̃_out(q)`.

use std::sync::Arc;

use ark_ff::{Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::instances::zerocheck::draw_tau;
use sumcheck::{
    prove_batched, verify_batched, Combiner, MultilinearPoly, SumcheckInstanceVerifier,
    SumcheckProof, Transcript, ZeroCheckProver, ZeroCheckVerifier, F,
};

use crate::error::GkrError;

fn log2_ceil(n: usize) -> usize {
    n.next_power_of_two().trailing_zeros() as usize
}

/// Real sizes of a pooled tensor's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PoolShape {
    /// Batch size.
    pub batch: u64,
    /// Channels.
    pub channels: u64,
    /// Input height (even).
    pub height: u64,
    /// Input width (even).
    pub width: u64,
}

impl PoolShape {
    /// Validated shape: sizes `≥ 1`, `H`, `W` even, at most `2^24` each, `2^40` entries.
    pub fn new(
        batch: usize,
        channels: usize,
        height: usize,
        width: usize,
    ) -> Result<Self, GkrError> {
        let s = Self {
            batch: batch as u64,
            channels: channels as u64,
            height: height as u64,
            width: width as u64,
        };
        s.validate()?;
        Ok(s)
    }

    /// Check the invariants of [`Self::new`].
    pub fn validate(&self) -> Result<(), GkrError> {
        let d = [self.batch, self.channels, self.height, self.width];
        if d.iter().any(|&v| v == 0 || v > 1 << 24) || self.height % 2 == 1 || self.width % 2 == 1 {
            return Err(GkrError::InvalidParams {
                what: "pool shape: sizes must be 1..=2^24, height and width even",
            });
        }
        if self.input_vars() > 40 {
            return Err(GkrError::InvalidParams {
                what: "pool shape: tensors larger than 2^40 entries",
            });
        }
        Ok(())
    }

    /// `(log W_p, log H_p, log C_p, log B_p)`.
    pub fn logs(&self) -> (usize, usize, usize, usize) {
        (
            log2_ceil(self.width as usize),
            log2_ceil(self.height as usize),
            log2_ceil(self.channels as usize),
            log2_ceil(self.batch as usize),
        )
    }

    /// Variables of the input `[B][C][H_p][W_p]`.
    pub fn input_vars(&self) -> usize {
        let (lw, lh, lc, lb) = self.logs();
        lw + lh + lc + lb
    }
    /// Variables of the output `[B][C][H_p/2][W_p/2]`.
    pub fn output_vars(&self) -> usize {
        self.input_vars() - 2
    }
    /// Variables of the selectors / differences `[B][C][H_p/2][W_p/2][4]`.
    pub fn window_vars(&self) -> usize {
        self.input_vars()
    }
    /// Padded index of input `x[b][c][y][x]`.
    pub fn input_index(&self, b: usize, c: usize, y: usize, x: usize) -> usize {
        let (lw, lh, lc, _) = self.logs();
        (((b << lc) + c) << lh | y) << lw | x
    }
    /// Padded index of output `y[b][c][i][j]`.
    pub fn output_index(&self, b: usize, c: usize, i: usize, j: usize) -> usize {
        let (lw, lh, lc, _) = self.logs();
        (((b << lc) + c) << (lh - 1) | i) << (lw - 1) | j
    }
    /// Padded index of window entry `t` of output `(b, c, i, j)` (selectors, differences).
    pub fn window_index(&self, b: usize, c: usize, i: usize, j: usize, t: usize) -> usize {
        self.output_index(b, c, i, j) << 2 | t
    }

    /// The input point `(r_t0, q_X, r_t1, q_Y, q_c, q_b)` of a window point `(r_t0, r_t1, q)`.
    pub fn input_point_of_window(&self, w: &[F]) -> Option<Vec<F>> {
        let (lw, _, _, _) = self.logs();
        if w.len() != self.window_vars() {
            return None;
        }
        let q = &w[2..];
        Some([&[w[0]], &q[..lw - 1], &[w[1]], &q[lw - 1..]].concat())
    }

    /// The window point `(r_x0, r_y0, r_X, r_Y, r_c, r_b)` of an input point.
    pub fn window_point_of_input(&self, r: &[F]) -> Option<Vec<F>> {
        let (lw, _, _, _) = self.logs();
        if r.len() != self.input_vars() {
            return None;
        }
        Some([&[r[0], r[lw]], &r[1..lw], &r[lw + 1..]].concat())
    }
}

/// MLE of `[v < n]` over `r.len()` bits (low first), `O(|r|)`.
pub fn less_than_mle(n: u64, r: &[F]) -> F {
    // [lt, not lt] weights of the low bits processed so far (empty: equal → not lt).
    let (mut lt, mut ge) = (F::zero(), F::one());
    for (j, rj) in r.iter().enumerate() {
        let nb = j < 64 && (n >> j) & 1 == 1;
        let (w0, w1) = (F::one() - rj, *rj);
        let tot = lt + ge;
        if nb {
            // bit 0 < 1: lt; bit 1 == 1: keep.
            (lt, ge) = (w0 * tot + w1 * lt, w1 * ge);
        } else {
            // bit 0 == 0: keep; bit 1 > 0: ge.
            (lt, ge) = (w0 * lt, w0 * ge + w1 * tot);
        }
    }
    if r.len() < 64 && n >> r.len() != 0 {
        lt + ge
    } else {
        lt
    }
}

/// `χ̃(p)`: the MLE of "output `(b, c, i, j)` is a real output" at an output point.
pub fn valid_mle(shape: &PoolShape, p: &[F]) -> Option<F> {
    let (lw, lh, lc, lb) = shape.logs();
    if p.len() != shape.output_vars() {
        return None;
    }
    let (px, rest) = p.split_at(lw - 1);
    let (py, rest) = rest.split_at(lh - 1);
    let (pc, pb) = rest.split_at(lc);
    debug_assert_eq!(pb.len(), lb);
    Some(
        less_than_mle(shape.width / 2, px)
            * less_than_mle(shape.height / 2, py)
            * less_than_mle(shape.channels, pc)
            * less_than_mle(shape.batch, pb),
    )
}

/// The tensors a pool claim can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolTensor {
    /// The pool's input `x`.
    Input,
    /// The pooled output `y` (avg: the quotient `fwd_q`).
    Output,
    /// Avg pool forward remainder `fwd_r` (range `[0, 4)`).
    Remainder,
    /// Max-pool selectors `e`.
    Selector,
    /// Max-pool differences `d = y − x_t` (the unsigned range-check obligation).
    Diff,
    /// Output gradient `g_out`.
    OutputGrad,
    /// Avg pool backward quotient `bwd_q`.
    GradQuotient,
    /// Avg pool backward remainder `bwd_r` (range `[0, 4)`).
    GradRemainder,
}

/// A claim `t̃(point) = value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolClaim {
    /// The tensor.
    pub tensor: PoolTensor,
    /// The point, in the tensor's layout.
    pub point: Vec<F>,
    /// The value.
    pub value: F,
}

fn bad_point() -> GkrError {
    GkrError::InvalidParams {
        what: "pool: point of the wrong dimension",
    }
}

fn quarter() -> F {
    F::from(4u64).inverse().unwrap_or_else(F::one)
}

// ---------------------------------------------------------------------------------------------
// Average pool
// ---------------------------------------------------------------------------------------------

/// The input point of a window sum at output point `p`: `(½, p_X, ½, p_Y, p_c, p_b)`.
pub fn avg_pool_input_point(shape: &PoolShape, p: &[F]) -> Result<Vec<F>, GkrError> {
    if p.len() != shape.output_vars() {
        return Err(bad_point());
    }
    let h = F::from(2u64).inverse().unwrap_or_else(F::one);
    shape
        .input_point_of_window(&[&[h, h], p].concat())
        .ok_or_else(bad_point)
}

/// Avg pool forward: from `ỹ(p)` and `r̃(p)` (claims the caller holds or opens), the implied
/// claim on the input: `x̃(½, p_X, ½, p_Y, …) = (4ỹ(p) + r̃(p) − 2χ̃(p))/4`.
pub fn avg_pool_forward_input_claim(
    shape: &PoolShape,
    p: &[F],
    y_eval: F,
    r_eval: F,
) -> Result<PoolClaim, GkrError> {
    shape.validate()?;
    let chi = valid_mle(shape, p).ok_or_else(bad_point)?;
    let four = F::from(4u64);
    Ok(PoolClaim {
        tensor: PoolTensor::Input,
        point: avg_pool_input_point(shape, p)?,
        value: (four * y_eval + r_eval - chi - chi) * quarter(),
    })
}

/// Avg pool forward, all three evaluations given (to be opened against their commitments):
/// checks `4ỹ(p) + r̃(p) = 4x̃(½, p_X, ½, p_Y, …) + 2χ̃(p)`.
pub fn check_avg_pool_forward(
    shape: &PoolShape,
    p: &[F],
    y_eval: F,
    r_eval: F,
    x_eval: F,
) -> Result<(), GkrError> {
    let implied = avg_pool_forward_input_claim(shape, p, y_eval, r_eval)?;
    if implied.value != x_eval {
        return Err(GkrError::LeafCheckFailed {
            tree: 0,
            what: "avg pool: 4y + r != window sum + 2",
        });
    }
    Ok(())
}

/// Avg pool backward, broadcast: a claim on the input gradient at `r` (input layout) is the
/// same claim on the quotient `q` at `(r_X, r_Y, r_c, r_b)`.
pub fn avg_pool_backward_quotient_claim(
    shape: &PoolShape,
    r: &[F],
    value: F,
) -> Result<PoolClaim, GkrError> {
    let w = shape.window_point_of_input(r).ok_or_else(bad_point)?;
    Ok(PoolClaim {
        tensor: PoolTensor::GradQuotient,
        point: w[2..].to_vec(),
        value,
    })
}

/// Avg pool backward, rescale: `g̃_out(p) = 4q̃(p) + ρ̃(p) − 2χ̃(p)`.
pub fn avg_pool_backward_output_grad_claim(
    shape: &PoolShape,
    p: &[F],
    q_eval: F,
    rho_eval: F,
) -> Result<PoolClaim, GkrError> {
    shape.validate()?;
    let chi = valid_mle(shape, p).ok_or_else(bad_point)?;
    Ok(PoolClaim {
        tensor: PoolTensor::OutputGrad,
        point: p.to_vec(),
        value: F::from(4u64) * q_eval + rho_eval - chi - chi,
    })
}

/// `(floor((v + 2)/4), v + 2 − 4·q)` (the rescale by 2 bits of `docs/training-engine.md`).
pub fn rescale2(v: i64) -> (i64, i64) {
    let q = (v + 2).div_euclid(4);
    (q, v + 2 - 4 * q)
}

/// Honest avg-pool forward witness: `(y, r)` in the output layout (0 on padding).
pub fn avg_pool_forward_witness(shape: &PoolShape, x: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let n = 1usize << shape.output_vars();
    let (mut y, mut r) = (vec![0; n], vec![0; n]);
    for_each_window(shape, |b, c, i, j| {
        let s: i64 = (0..4)
            .map(|t| x[shape.input_index(b, c, 2 * i + t / 2, 2 * j + t % 2)])
            .sum();
        let (q, rem) = rescale2(s);
        y[shape.output_index(b, c, i, j)] = q;
        r[shape.output_index(b, c, i, j)] = rem;
    });
    (y, r)
}

/// Honest avg-pool backward witness from `g_out`: `(q, ρ)` in the output layout.
pub fn avg_pool_backward_witness(shape: &PoolShape, g_out: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let n = 1usize << shape.output_vars();
    let (mut q, mut rho) = (vec![0; n], vec![0; n]);
    for_each_window(shape, |b, c, i, j| {
        let k = shape.output_index(b, c, i, j);
        (q[k], rho[k]) = rescale2(g_out[k]);
    });
    (q, rho)
}

fn for_each_window(shape: &PoolShape, mut f: impl FnMut(usize, usize, usize, usize)) {
    for b in 0..shape.batch as usize {
        for c in 0..shape.channels as usize {
            for i in 0..shape.height as usize / 2 {
                for j in 0..shape.width as usize / 2 {
                    f(b, c, i, j);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Max pool
// ---------------------------------------------------------------------------------------------

/// Honest max-pool witness (output, selectors, differences), padded layouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxPoolWitness {
    /// `y` (output layout).
    pub y: Vec<i64>,
    /// One-hot `e` (window layout), first maximum in window order.
    pub sel: Vec<i64>,
    /// `d[t] = y − x_t ≥ 0` (window layout).
    pub diff: Vec<i64>,
}

/// Compute [`MaxPoolWitness`] from the input.
pub fn max_pool_witness(shape: &PoolShape, x: &[i64]) -> MaxPoolWitness {
    let n = 1usize << shape.output_vars();
    let mut w = MaxPoolWitness {
        y: vec![0; n],
        sel: vec![0; 4 * n],
        diff: vec![0; 4 * n],
    };
    for_each_window(shape, |b, c, i, j| {
        let v: Vec<i64> = (0..4)
            .map(|t| x[shape.input_index(b, c, 2 * i + t / 2, 2 * j + t % 2)])
            .collect();
        let mut best = 0;
        for t in 1..4 {
            if v[t] > v[best] {
                best = t;
            }
        }
        w.y[shape.output_index(b, c, i, j)] = v[best];
        w.sel[shape.window_index(b, c, i, j, best)] = 1;
        for t in 0..4 {
            w.diff[shape.window_index(b, c, i, j, t)] = v[best] - v[t];
        }
    });
    w
}

/// The input permuted to the window layout: `x'[q·4 + t] = x[t, q]`.
fn input_to_window(shape: &PoolShape, x: &[F]) -> Vec<F> {
    let (lw, _, _, _) = shape.logs();
    let wq = 1usize << (lw - 1);
    let mut out = vec![F::zero(); x.len()];
    for (i, v) in x.iter().enumerate() {
        // input bits: x0 | X (lw-1) | y0 | rest
        let x0 = i & 1;
        let xx = (i >> 1) & (wq - 1);
        let y0 = (i >> lw) & 1;
        let rest = i >> (lw + 1);
        let q = rest << (lw - 1) | xx;
        out[q << 2 | y0 << 1 | x0] = *v;
    }
    out
}

fn booleanity() -> Combiner {
    Combiner::Custom {
        degree: 2,
        f: Arc::new(|v: &[F]| match v {
            [e] => *e * (F::one() - e),
            _ => F::zero(),
        }),
    }
}

/// Max-pool forward proof: one batched sumcheck (booleanity zero-check on `e`, and the
/// selection sumcheck) and its final evaluations.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MaxPoolProof {
    /// The batched sumcheck.
    pub sumcheck: SumcheckProof,
    /// `[ẽ(r_bool)]`.
    pub bool_evals: Vec<F>,
    /// `[ẽ(r), x̃'(r)]` (`x'` the input in the window layout).
    pub select_evals: Vec<F>,
    /// `ỹ(r_q)`, opened by the caller against `y`.
    pub y_at_r: F,
}

/// A max-pool backward proof: one eq-weighted sumcheck and `[ẽ(r_t, ρ), g̃_out(ρ)]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MaxPoolBackwardProof {
    /// The sumcheck.
    pub sumcheck: SumcheckProof,
    /// `[ẽ(r_t, ρ), g̃_out(ρ)]`.
    pub evals: Vec<F>,
}

macro_rules! bytes_impl {
    ($t:ty, $what:expr) => {
        impl $t {
            /// Compressed canonical encoding.
            pub fn to_bytes(&self) -> Vec<u8> {
                let mut out = Vec::with_capacity(self.compressed_size());
                let _ = self.serialize_compressed(&mut out);
                out
            }
            /// Decode [`Self::to_bytes`]; trailing bytes are an error.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, GkrError> {
                let mut reader = bytes;
                let p = Self::deserialize_compressed(&mut reader)?;
                if !reader.is_empty() {
                    return Err(GkrError::Deserialization { what: $what.into() });
                }
                Ok(p)
            }
        }
    };
}
bytes_impl!(MaxPoolProof, "trailing bytes after max-pool proof");
bytes_impl!(
    MaxPoolBackwardProof,
    "trailing bytes after max-pool backward proof"
);

/// Prove the max-pool forward relations for committed `x` (input layout) and `sel` (window
/// layout) at the output point `p` (the caller absorbed the commitments to `sel` and `d`).
/// Returns the proof, `ỹ(p)` and the claims (see [`verify_max_pool`]).
pub fn prove_max_pool<T: Transcript>(
    shape: &PoolShape,
    x: &[F],
    sel: &[F],
    p: Vec<F>,
    transcript: &mut T,
) -> Result<(MaxPoolProof, F, Vec<PoolClaim>), GkrError> {
    shape.validate()?;
    let n = shape.window_vars();
    for t in [x, sel] {
        if t.len() != 1 << n {
            return Err(GkrError::WitnessShape {
                segment: 0,
                expected: 1 << n,
                actual: t.len(),
            });
        }
    }
    if p.len() != shape.output_vars() {
        return Err(bad_point());
    }
    let tau = draw_tau(transcript, n);
    let mut zc =
        ZeroCheckProver::new(tau, vec![MultilinearPoly::new(sel.to_vec())?], booleanity())?;
    let xw = input_to_window(shape, x);
    // y = Σ_t e_t·x_t, the output implied by the selectors.
    let y: Vec<F> = sel
        .chunks(4)
        .zip(xw.chunks(4))
        .map(|(e, x)| e.iter().zip(x).map(|(a, b)| *a * b).sum())
        .collect();
    let mut sp = ZeroCheckProver::new(
        selection_tau(&p),
        vec![
            MultilinearPoly::new(sel.to_vec())?,
            MultilinearPoly::new(xw)?,
        ],
        Combiner::Product,
    )?;
    let y_claim = sp.params().claim * F::from(4u64);
    let (sumcheck, r, evals) = prove_batched(&mut [&mut zc, &mut sp], transcript);
    let y_at_r = MultilinearPoly::new(y)?
        .try_evaluate(r.get(2..).unwrap_or_default())
        .ok_or_else(bad_point)?;
    let proof = MaxPoolProof {
        sumcheck,
        bool_evals: evals.first().cloned().unwrap_or_default(),
        select_evals: evals.get(1).cloned().unwrap_or_default(),
        y_at_r,
    };
    let claims = max_pool_claims(shape, &p, &r, &proof)?;
    Ok((proof, y_claim, claims))
}

/// `(½, ½, p)`: `Σ_{t,q} eq((½,½,p), (t,q))·e(t,q)·x_t(q) = ỹ(p)/4`.
fn selection_tau(p: &[F]) -> Vec<F> {
    let h = F::from(2u64).inverse().unwrap_or_else(F::one);
    [&[h, h], p].concat()
}

/// Verify [`prove_max_pool`] for the claim `ỹ(p) = y_claim`. One batched sumcheck of the
/// booleanity zero-check `Σ eq(τ, ·)·e(1 − e) = 0` and the selection sumcheck
/// `Σ_{t,q} eq((½,½,p), (t,q))·e(t,q)·x_t(q) = ỹ(p)/4`, both ending on `r = (r_t, r_q)`.
/// Returns the claims the caller must open (all on committed tensors):
///
/// 1. `Selector` at `r`,
/// 2. `Input` at `(r_t0, r_X, r_t1, r_Y, r_c, r_b)`,
/// 3. `Output` at `r_q` (the prover's `ỹ(r_q)`),
/// 4. `Selector` at `(½, ½, p)` with value `χ̃(p)/4` (one-hot: `Σ_t e_t = 1` on real windows),
/// 5. `Diff` at `r` with value `ỹ(r_q) − x̃_{r_t}(r_q)` (`d = y − x_t`).
///
/// **Obligation**: `d` (window layout) must be range-checked as unsigned (`gkr::range_check`,
/// [`crate::UnsignedLimbs`]); a selector on a non-maximum makes some `d` negative, i.e. a field
/// element near the modulus, which no limb decomposition accepts. The claim `ỹ(p)` itself is
/// the caller's (from a later layer, or an opening of `y`). Never panics.
pub fn verify_max_pool<T: Transcript>(
    shape: &PoolShape,
    p: Vec<F>,
    y_claim: F,
    proof: &MaxPoolProof,
    transcript: &mut T,
) -> Result<Vec<PoolClaim>, GkrError> {
    shape.validate()?;
    let n = shape.window_vars();
    if p.len() != shape.output_vars() {
        return Err(bad_point());
    }
    let tau = draw_tau(transcript, n);
    let zc = ZeroCheckVerifier::zero_check(tau, 1, booleanity());
    let sv = ZeroCheckVerifier::new(selection_tau(&p), 2, Combiner::Product, y_claim * quarter());
    let r = verify_batched(
        &[&zc as &dyn SumcheckInstanceVerifier, &sv],
        &proof.sumcheck,
        &[proof.bool_evals.clone(), proof.select_evals.clone()],
        transcript,
    )?;
    max_pool_claims(shape, &p, &r, proof)
}

fn max_pool_claims(
    shape: &PoolShape,
    p: &[F],
    r: &[F],
    proof: &MaxPoolProof,
) -> Result<Vec<PoolClaim>, GkrError> {
    let ([e_bool], [e_sel, x_sel]) = (&proof.bool_evals[..], &proof.select_evals[..]) else {
        return Err(GkrError::ProofShape {
            what: "max-pool final evaluations",
            expected: 3,
            actual: proof.bool_evals.len() + proof.select_evals.len(),
        });
    };
    if e_bool != e_sel {
        return Err(GkrError::LeafCheckFailed {
            tree: 0,
            what: "max pool: two values for the selector at one point",
        });
    }
    let x_point = shape.input_point_of_window(r).ok_or_else(bad_point)?;
    let r_q = r.get(2..).ok_or_else(bad_point)?;
    let chi = valid_mle(shape, p).ok_or_else(bad_point)?;
    let h = F::from(2u64).inverse().unwrap_or_else(F::one);
    Ok(vec![
        PoolClaim {
            tensor: PoolTensor::Selector,
            point: r.to_vec(),
            value: *e_sel,
        },
        PoolClaim {
            tensor: PoolTensor::Input,
            point: x_point,
            value: *x_sel,
        },
        PoolClaim {
            tensor: PoolTensor::Output,
            point: r_q.to_vec(),
            value: proof.y_at_r,
        },
        PoolClaim {
            tensor: PoolTensor::Selector,
            point: [&[h, h], p].concat(),
            value: chi * quarter(),
        },
        PoolClaim {
            tensor: PoolTensor::Diff,
            point: r.to_vec(),
            value: proof.y_at_r - x_sel,
        },
    ])
}

/// Max-pool backward: prove the claim on `g_in = e ⊙ broadcast(g_out)` at the input point `r_in`
/// (computed and returned) and reduce it to claims on `e` and `g_out`.
pub fn prove_max_pool_backward<T: Transcript>(
    shape: &PoolShape,
    sel: &[F],
    g_out: &[F],
    r_in: &[F],
    transcript: &mut T,
) -> Result<(MaxPoolBackwardProof, F, [PoolClaim; 2]), GkrError> {
    shape.validate()?;
    let w = shape.window_point_of_input(r_in).ok_or_else(bad_point)?;
    if sel.len() != 1 << shape.window_vars() || g_out.len() != 1 << shape.output_vars() {
        return Err(GkrError::WitnessShape {
            segment: 0,
            expected: 1 << shape.window_vars(),
            actual: sel.len(),
        });
    }
    let e_folded = MultilinearPoly::new(sel.to_vec())?.fix_low_variables(&w[..2]);
    let mut zc = ZeroCheckProver::new(
        w[2..].to_vec(),
        vec![e_folded, MultilinearPoly::new(g_out.to_vec())?],
        Combiner::Product,
    )?;
    let claim = zc.params().claim;
    let (sumcheck, r, evals) = prove_batched(&mut [&mut zc], transcript);
    let proof = MaxPoolBackwardProof {
        sumcheck,
        evals: evals.into_iter().next().unwrap_or_default(),
    };
    let claims = backward_claims(&w, &r, &proof)?;
    Ok((proof, claim, claims))
}

/// Verify [`prove_max_pool_backward`] for `g̃_in(r_in) = claim`; returns the claims on
/// `Selector` (at `(r_x0, r_y0, ρ)`) and `OutputGrad` (at `ρ`). Never panics.
pub fn verify_max_pool_backward<T: Transcript>(
    shape: &PoolShape,
    r_in: &[F],
    claim: F,
    proof: &MaxPoolBackwardProof,
    transcript: &mut T,
) -> Result<[PoolClaim; 2], GkrError> {
    shape.validate()?;
    let w = shape.window_point_of_input(r_in).ok_or_else(bad_point)?;
    let zc = ZeroCheckVerifier::new(w[2..].to_vec(), 2, Combiner::Product, claim);
    let r = verify_batched(
        &[&zc],
        &proof.sumcheck,
        std::slice::from_ref(&proof.evals),
        transcript,
    )?;
    backward_claims(&w, &r, proof)
}

fn backward_claims(
    w: &[F],
    r: &[F],
    proof: &MaxPoolBackwardProof,
) -> Result<[PoolClaim; 2], GkrError> {
    let [e, g] = &proof.evals[..] else {
        return Err(GkrError::ProofShape {
            what: "max-pool backward final evaluations",
            expected: 2,
            actual: proof.evals.len(),
        });
    };
    Ok([
        PoolClaim {
            tensor: PoolTensor::Selector,
            point: [&w[..2], r].concat(),
            value: *e,
        },
        PoolClaim {
            tensor: PoolTensor::OutputGrad,
            point: r.to_vec(),
            value: *g,
        },
    ])
}
