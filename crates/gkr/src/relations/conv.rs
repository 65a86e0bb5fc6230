//! Conv2d as a "shift-matmul" (SPEC §6.2): forward, input gradient and weight gradient, proven
//! without materializing im2col. The math is in `docs/conv.md`.
//!
//! **Shapes and layouts.** `k × k` kernel (`k` odd), stride 1, same zero padding `p = (k−1)/2`.
//! Every dimension is padded to a power of two (`B_p, C_p, O_p, H_p, W_p, K_p`) and every tensor
//! is row-major over its padded dimensions, so (low bit first) its MLE variables are:
//!
//! | tensor | layout | variables, low → high |
//! |---|---|---|
//! | input-shaped `a`, `h` | `[B][C][H][W]` | `x (log W_p) ‖ y (log H_p) ‖ c (log C_p) ‖ b (log B_p)` |
//! | output-shaped `z`, `g` | `[B][O][H][W]` | `x ‖ y ‖ o (log O_p) ‖ b` |
//! | weight-shaped `W`, `dW` | `[O][C][K][K]` | `dx (log K_p) ‖ dy (log K_p) ‖ c ‖ o` |
//!
//! **Shift predicate.** For one spatial axis of length `n` (padded to `n_p`):
//! `S(d, u, v) = [d < k]·[u < n]·[v < n]·[v = u + d − p]` relates an output coordinate `u`, a
//! kernel offset `d` and an input coordinate `v`; the 2-D predicate is
//! `S(δ, pix, pix') = S_y(dy, y, y')·S_x(dx, x, x')`. Its MLE is evaluated by the verifier with
//! a 24-state automaton over the bits (carry of `u + d − v − p` and three LSB-first
//! comparisons), `O(log n)` per axis: [`shift_mle`].
//!
//! **Relations** (each a claim on the left reduced to claims on two operands):
//!
//! | relation | claim | stage 1 (product sumcheck over) | stage 2 (over) |
//! |---|---|---|---|
//! | [`ConvRelation::Forward`] | `z̃(r_pix, r_o, r_b)` | `(δ, c)`: `W̃(δ, c, r_o)·Â(δ, c)` | input pixel: `S̃(r_δ, r_pix, pix')·ã(pix', r_c, r_b)` |
//! | [`ConvRelation::InputGrad`] | `h̃(r_pix, r_c, r_b)` | `(δ, o)`: `W̃(δ, r_c, o)·Ĝ(δ, o)` | output pixel: `S̃(r_δ, pix, r_pix)·g̃(pix, r_o, r_b)` |
//! | [`ConvRelation::WeightGrad`] | `dW̃(r_δ, r_c, r_o)` | `(pix, b)`: `g̃(pix, r_o, b)·Â(pix, b)` | input pixel: `S̃(r_δ, r_pix, pix')·ã(pix', r_c, r_b)` |
//!
//! with `Â`/`Ĝ` the shifted operand contracted with the predicate. Stage 1 ends on a claim on
//! the first operand (a final evaluation) and the intermediate claim on `Â` (the second final
//! evaluation), which stage 2 reduces to a claim on the second operand; the verifier computes
//! `S̃` itself. Both stages are [`SumcheckInstanceProver`] / [`SumcheckInstanceVerifier`]
//! instances, so the step framework can batch them with other instances;
//! [`prove_conv`] / [`verify_conv`] run them standalone.

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sumcheck::backend::{product_prover, BoxedProver};
use sumcheck::instances::matmul::combine_rows;
use sumcheck::{
    eq_table, prove_batched, verify_batched, MultilinearPoly, ProductVerifier,
    SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript, UniPoly, F,
};

use crate::error::GkrError;

/// `ceil(log2(n))` for `n ≥ 1`.
fn log2_ceil(n: usize) -> usize {
    n.next_power_of_two().trailing_zeros() as usize
}

/// Real (unpadded) sizes of one convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ConvShape {
    /// Batch size.
    pub batch: u64,
    /// Input channels `C`.
    pub in_channels: u64,
    /// Output channels `O`.
    pub out_channels: u64,
    /// Image height `H` (input and output).
    pub height: u64,
    /// Image width `W` (input and output).
    pub width: u64,
    /// Kernel size `k` (odd).
    pub kernel: u64,
}

/// Largest supported padded dimension (bits per axis).
const MAX_AXIS_BITS: usize = 24;

impl ConvShape {
    /// Validated shape: all sizes `≥ 1`, `k` odd, each padded axis at most `2^24`, every tensor
    /// at most `2^40` entries.
    pub fn new(
        batch: usize,
        in_channels: usize,
        out_channels: usize,
        height: usize,
        width: usize,
        kernel: usize,
    ) -> Result<Self, GkrError> {
        let s = Self {
            batch: batch as u64,
            in_channels: in_channels as u64,
            out_channels: out_channels as u64,
            height: height as u64,
            width: width as u64,
            kernel: kernel as u64,
        };
        s.validate()?;
        Ok(s)
    }

    /// Check the invariants of [`Self::new`] (shapes also arrive deserialized).
    pub fn validate(&self) -> Result<(), GkrError> {
        let dims = [
            self.batch,
            self.in_channels,
            self.out_channels,
            self.height,
            self.width,
            self.kernel,
        ];
        if dims.iter().any(|&d| d == 0 || d > 1 << MAX_AXIS_BITS) {
            return Err(GkrError::InvalidParams {
                what: "conv shape: every dimension must be in 1..=2^24",
            });
        }
        if self.kernel.is_multiple_of(2) {
            return Err(GkrError::InvalidParams {
                what: "conv shape: kernel size must be odd",
            });
        }
        if self
            .input_vars()
            .max(self.output_vars())
            .max(self.weight_vars())
            > 40
        {
            return Err(GkrError::InvalidParams {
                what: "conv shape: tensors larger than 2^40 entries",
            });
        }
        Ok(())
    }

    /// `log2 B_p`.
    pub fn log_batch(&self) -> usize {
        log2_ceil(self.batch as usize)
    }
    /// `log2 C_p`.
    pub fn log_in(&self) -> usize {
        log2_ceil(self.in_channels as usize)
    }
    /// `log2 O_p`.
    pub fn log_out(&self) -> usize {
        log2_ceil(self.out_channels as usize)
    }
    /// `log2 H_p`.
    pub fn log_h(&self) -> usize {
        log2_ceil(self.height as usize)
    }
    /// `log2 W_p`.
    pub fn log_w(&self) -> usize {
        log2_ceil(self.width as usize)
    }
    /// `log2 K_p`.
    pub fn log_k(&self) -> usize {
        log2_ceil(self.kernel as usize)
    }
    /// Padding `p = (k − 1)/2`.
    pub fn pad(&self) -> usize {
        (self.kernel as usize - 1) / 2
    }
    /// Pixel variables `log W_p + log H_p`.
    pub fn pix_vars(&self) -> usize {
        self.log_w() + self.log_h()
    }
    /// Variables of an input-shaped tensor (`a`, `h`).
    pub fn input_vars(&self) -> usize {
        self.pix_vars() + self.log_in() + self.log_batch()
    }
    /// Variables of an output-shaped tensor (`z`, `g`).
    pub fn output_vars(&self) -> usize {
        self.pix_vars() + self.log_out() + self.log_batch()
    }
    /// Variables of a weight-shaped tensor (`W`, `dW`).
    pub fn weight_vars(&self) -> usize {
        2 * self.log_k() + self.log_in() + self.log_out()
    }

    /// Padded row-major index of `a[b][c][y][x]` (input-shaped).
    pub fn input_index(&self, b: usize, c: usize, y: usize, x: usize) -> usize {
        (((b << self.log_in()) + c) << self.log_h() | y) << self.log_w() | x
    }
    /// Padded row-major index of `z[b][o][y][x]` (output-shaped).
    pub fn output_index(&self, b: usize, o: usize, y: usize, x: usize) -> usize {
        (((b << self.log_out()) + o) << self.log_h() | y) << self.log_w() | x
    }
    /// Padded row-major index of `W[o][c][dy][dx]`.
    pub fn weight_index(&self, o: usize, c: usize, dy: usize, dx: usize) -> usize {
        (((o << self.log_in()) + c) << self.log_k() | dy) << self.log_k() | dx
    }

    /// Variables of a tensor of shape class `t`.
    pub fn vars_of(&self, t: ConvOperand) -> usize {
        match t {
            ConvOperand::Input => self.input_vars(),
            ConvOperand::Weight => self.weight_vars(),
            ConvOperand::Output => self.output_vars(),
        }
    }
}

/// Which convolution identity a proof is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvRelation {
    /// `z[b,o,y,x] = Σ_{c,dy,dx} W[o,c,dy,dx]·a[b,c,y+dy−p,x+dx−p]`; operands `(W, a)`.
    Forward,
    /// `h[b,c,y,x] = Σ_{o,dy,dx} W[o,c,dy,dx]·g[b,o,y−dy+p,x−dx+p]`; operands `(W, g)`.
    InputGrad,
    /// `dW[o,c,dy,dx] = Σ_{b,y,x} g[b,o,y,x]·a[b,c,y+dy−p,x+dx−p]`; operands `(g, a)`.
    WeightGrad,
}

impl ConvRelation {
    /// `(first, second)` operand: the first is reached by stage 1, the second (the shifted one)
    /// by stage 2.
    pub fn operands(&self) -> (ConvOperand, ConvOperand) {
        match self {
            Self::Forward => (ConvOperand::Weight, ConvOperand::Input),
            Self::InputGrad => (ConvOperand::Weight, ConvOperand::Output),
            Self::WeightGrad => (ConvOperand::Output, ConvOperand::Input),
        }
    }

    /// The shape class of the claimed tensor (`z`: output, `h`: input, `dW`: weight).
    pub fn result(&self) -> ConvOperand {
        match self {
            Self::Forward => ConvOperand::Output,
            Self::InputGrad => ConvOperand::Input,
            Self::WeightGrad => ConvOperand::Weight,
        }
    }
}

/// The three tensor shapes of a convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvOperand {
    /// Input-shaped `[B][C][H][W]` (`a`, `h`).
    Input,
    /// Weight-shaped `[O][C][K][K]` (`W`, `dW`).
    Weight,
    /// Output-shaped `[B][O][H][W]` (`z`, `g`).
    Output,
}

/// A claim `t̃(point) = value` on an operand, produced by a reduction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvClaim {
    /// The operand.
    pub operand: ConvOperand,
    /// The point (low variable first, in the operand's layout).
    pub point: Vec<F>,
    /// The claimed value.
    pub value: F,
}

// ---------------------------------------------------------------------------------------------
// The shift predicate
// ---------------------------------------------------------------------------------------------

/// MLE of the 1-D shift predicate `S(d, u, v) = [d < k]·[u < n]·[v < n]·[v = u + d − (k−1)/2]`
/// at `(r_d, r_u, r_v)` (`r_u`, `r_v` of equal length, bits low first), in `O((|r_d| + |r_u|))`
/// field operations. `None` on a length mismatch or `k` even.
///
/// A deterministic automaton reads the bits `(d_j, u_j, v_j)` low first with state (carry of
/// `u + d − v − p` in `{−1, 0, 1}`, and three "below the bound so far" flags); the MLE is the
/// weighted count of accepted bit strings, each bit weighted `r_j` or `1 − r_j`.
pub fn shift_mle(k: u64, n: u64, r_d: &[F], r_u: &[F], r_v: &[F]) -> Option<F> {
    if r_u.len() != r_v.len() || k.is_multiple_of(2) || r_d.len() > 62 || r_u.len() > 62 {
        return None;
    }
    let p = (k - 1) / 2;
    let steps = r_d.len().max(r_u.len()) + 1;
    // state = (carry + 1) + 3·(lt_d + 2·lt_u + 4·lt_v)
    let mut cur = [F::zero(); 24];
    cur[1] = F::one();
    let one = F::one();
    let weights = |r: &[F], j: usize| -> [Option<F>; 2] {
        match r.get(j) {
            Some(rj) => [Some(one - rj), Some(*rj)],
            None => [Some(one), None],
        }
    };
    for j in 0..steps {
        let wd = weights(r_d, j);
        let wu = weights(r_u, j);
        let wv = weights(r_v, j);
        let kb = ((k >> j.min(63)) & 1) as i64;
        let nb = ((n >> j.min(63)) & 1) as i64;
        let pb = ((p >> j.min(63)) & 1) as i64;
        let mut next = [F::zero(); 24];
        for (s, val) in cur.iter().enumerate() {
            if val.is_zero() {
                continue;
            }
            let carry = (s % 3) as i64 - 1;
            let flags = s / 3;
            let (ltd, ltu, ltv) = (flags & 1, (flags >> 1) & 1, (flags >> 2) & 1);
            for (bd, w1) in wd.iter().enumerate() {
                let Some(w1) = w1 else { continue };
                for (bu, w2) in wu.iter().enumerate() {
                    let Some(w2) = w2 else { continue };
                    for (bv, w3) in wv.iter().enumerate() {
                        let Some(w3) = w3 else { continue };
                        let t = bu as i64 + bd as i64 - bv as i64 - pb + carry;
                        if t.rem_euclid(2) != 0 {
                            continue;
                        }
                        let nc = t.div_euclid(2);
                        let lt = |b: usize, bound: i64, old: usize| -> usize {
                            let b = b as i64;
                            usize::from(b < bound || (b == bound && old == 1))
                        };
                        let nf = lt(bd, kb, ltd) | lt(bu, nb, ltu) << 1 | lt(bv, nb, ltv) << 2;
                        let ns = (nc + 1) as usize + 3 * nf;
                        next[ns] += *val * w1 * w2 * w3;
                    }
                }
            }
        }
        cur = next;
    }
    // Accept: carry 0, all three flags set.
    Some(cur[1 + 3 * 7])
}

/// The 2-D predicate `S̃(r_δ, r_out, r_in) = S̃_x·S̃_y` with `r_δ = (r_dx ‖ r_dy)`,
/// `r_out = (r_x ‖ r_y)`, `r_in = (r_x' ‖ r_y')`.
fn shift_mle_2d(shape: &ConvShape, r_delta: &[F], r_out: &[F], r_in: &[F]) -> Option<F> {
    let (lk, lw) = (shape.log_k(), shape.log_w());
    if r_delta.len() != 2 * lk || r_out.len() != shape.pix_vars() || r_in.len() != r_out.len() {
        return None;
    }
    let sx = shift_mle(
        shape.kernel,
        shape.width,
        &r_delta[..lk],
        &r_out[..lw],
        &r_in[..lw],
    )?;
    let sy = shift_mle(
        shape.kernel,
        shape.height,
        &r_delta[lk..],
        &r_out[lw..],
        &r_in[lw..],
    )?;
    Some(sx * sy)
}

/// Table over the free side of a 1-D predicate: `Σ_{d<k} eq_d[d]·Σ_u eq_fixed[..]` with the
/// fixed side bound. `out_free = true`: indexed by the output coordinate `u` (input side
/// fixed), else by the input coordinate `v` (output side fixed).
fn shift_table_1d(
    k: usize,
    n: usize,
    n_p: usize,
    eq_d: &[F],
    eq_fixed: &[F],
    out_free: bool,
) -> Vec<F> {
    let p = k / 2;
    let mut t = vec![F::zero(); n_p];
    for (d, wd) in eq_d.iter().enumerate().take(k) {
        for u in 0..n {
            let v = u + d;
            if v < p || v - p >= n {
                continue;
            }
            let v = v - p;
            if out_free {
                t[u] += *wd * eq_fixed[v];
            } else {
                t[v] += *wd * eq_fixed[u];
            }
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Prover-side tensor kernels
// ---------------------------------------------------------------------------------------------

/// For rows `j` of `rows_len = H_p·W_p` pixels: `out[j][dy][dx] = Σ_{pix} E_y[..]·E_x[..]·t[j][pix]`
/// where the tensor is indexed by the input pixel (`transposed = false`: `E` over output
/// coordinates `u = v − d + p`) or by the output pixel (`transposed = true`: `E` over input
/// coordinates `v = u + d − p`). Out-of-range pairs contribute nothing.
fn contract_shift(shape: &ConvShape, t: &[F], ey: &[F], ex: &[F], transposed: bool) -> Vec<F> {
    let (k, h, w) = (
        shape.kernel as usize,
        shape.height as usize,
        shape.width as usize,
    );
    let (lw, lk) = (shape.log_w(), shape.log_k());
    let wp = 1usize << lw;
    let kp = 1usize << lk;
    let rows = 1usize << shape.log_h();
    let p = k / 2;
    // index of the predicate-side coordinate for tensor coordinate `c` and offset `d`
    let other = |c: usize, d: usize, n: usize| -> Option<usize> {
        let o = if transposed {
            (c + d).checked_sub(p)?
        } else {
            (c + p).checked_sub(d)?
        };
        (o < n).then_some(o)
    };
    let per_row = |(dst, chunk): (&mut [F], &[F])| {
        // tmp[y][dx] = Σ_x E_x[other(x, dx)]·chunk[y][x]
        let mut tmp = vec![F::zero(); h * kp];
        for y in 0..h {
            let row = &chunk[y * wp..y * wp + w];
            for dx in 0..k {
                let mut acc = F::zero();
                for (x, v) in row.iter().enumerate() {
                    if let Some(o) = other(x, dx, w) {
                        acc += ex[o] * v;
                    }
                }
                tmp[y * kp + dx] = acc;
            }
        }
        for dy in 0..k {
            for y in 0..h {
                if let Some(o) = other(y, dy, h) {
                    let e = ey[o];
                    for dx in 0..k {
                        dst[dy * kp + dx] += e * tmp[y * kp + dx];
                    }
                }
            }
        }
    };
    let plane = rows * wp;
    let nrows = t.len() / plane;
    let mut out = vec![F::zero(); nrows * kp * kp];
    out.par_chunks_mut(kp * kp)
        .zip(t.par_chunks(plane))
        .for_each(per_row);
    out
}

/// For rows `j`: `out[j][y][x] = Σ_{dy,dx} E_dy[dy]·E_dx[dx]·t[j][y+dy−p][x+dx−p]` for output
/// pixels `y < H`, `x < W` (0 elsewhere; out-of-range reads are 0).
fn gather_shift(shape: &ConvShape, t: &[F], edy: &[F], edx: &[F]) -> Vec<F> {
    let (k, h, w) = (
        shape.kernel as usize,
        shape.height as usize,
        shape.width as usize,
    );
    let wp = 1usize << shape.log_w();
    let plane = wp << shape.log_h();
    let p = k / 2;
    let mut out = vec![F::zero(); t.len()];
    out.par_chunks_mut(plane)
        .zip(t.par_chunks(plane))
        .for_each(|(dst, src)| {
            // tmp[y'][x] = Σ_dx E_dx[dx]·src[y'][x+dx−p]
            let mut tmp = vec![F::zero(); h * w];
            for yi in 0..h {
                let row = &src[yi * wp..yi * wp + w];
                for x in 0..w {
                    let mut acc = F::zero();
                    for (dx, e) in edx.iter().enumerate().take(k) {
                        if let Some(xi) = (x + dx).checked_sub(p).filter(|&v| v < w) {
                            acc += *e * row[xi];
                        }
                    }
                    tmp[yi * w + x] = acc;
                }
            }
            for y in 0..h {
                for (dy, e) in edy.iter().enumerate().take(k) {
                    if let Some(yi) = (y + dy).checked_sub(p).filter(|&v| v < h) {
                        for x in 0..w {
                            dst[y * wp + x] += *e * tmp[yi * w + x];
                        }
                    }
                }
            }
        });
    out
}

/// `out[*] = Σ_i eq[i]·t[i][*]`: binds the outer (high) variables.
fn bind_outer(t: &[F], eq: &[F]) -> Vec<F> {
    let cols = t.len() / eq.len().max(1);
    combine_rows(t, cols, eq)
}

/// `out[i][*] = Σ_j eq[j]·t[i][j][*]` (`t` has `outer` blocks of `eq.len()` rows of `inner`).
fn bind_middle(t: &[F], eq: &[F], inner: usize) -> Vec<F> {
    let block = eq.len() * inner;
    let outer = t.len() / block.max(1);
    let mut out = vec![F::zero(); outer * inner];
    out.par_chunks_mut(inner)
        .zip(t.par_chunks(block))
        .for_each(|(dst, src)| {
            for (j, e) in eq.iter().enumerate() {
                for (d, s) in dst.iter_mut().zip(&src[j * inner..(j + 1) * inner]) {
                    *d += *e * s;
                }
            }
        });
    out
}

fn shape_err(expected: usize, actual: usize) -> GkrError {
    GkrError::WitnessShape {
        segment: 0,
        expected,
        actual,
    }
}

fn split_point(point: &[F], lens: &[usize]) -> Option<Vec<Vec<F>>> {
    if point.len() != lens.iter().sum::<usize>() {
        return None;
    }
    let mut out = Vec::with_capacity(lens.len());
    let mut at = 0;
    for l in lens {
        out.push(point[at..at + l].to_vec());
        at += l;
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Stage 1: the channel / offset (or pixel / batch) sumcheck
// ---------------------------------------------------------------------------------------------

/// Shared parameters of a convolution reduction: relation, shape, the point on the claimed
/// tensor and the claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvParams {
    /// The relation.
    pub relation: ConvRelation,
    /// The shape.
    pub shape: ConvShape,
    /// The point on the claimed tensor (its layout, low variable first).
    pub point: Vec<F>,
    /// The claimed value.
    pub claim: F,
}

impl ConvParams {
    fn check(&self) -> Result<(), GkrError> {
        self.shape.validate()?;
        if self.point.len() != self.shape.vars_of(self.relation.result()) {
            return Err(GkrError::InvalidParams {
                what: "conv: point of the wrong dimension",
            });
        }
        Ok(())
    }

    /// Rounds of stage 1: `2 log K_p + log C_p` (forward), `2 log K_p + log O_p` (input
    /// gradient), `log(H_p W_p) + log B_p` (weight gradient).
    pub fn stage1_rounds(&self) -> usize {
        let s = &self.shape;
        match self.relation {
            ConvRelation::Forward => 2 * s.log_k() + s.log_in(),
            ConvRelation::InputGrad => 2 * s.log_k() + s.log_out(),
            ConvRelation::WeightGrad => s.pix_vars() + s.log_batch(),
        }
    }

    /// Rounds of stage 2: `log(H_p W_p)`.
    pub fn stage2_rounds(&self) -> usize {
        self.shape.pix_vars()
    }

    /// From the stage-1 point `r1` and its final evaluations `[u, v]`: the claim on the first
    /// operand and the parameters of stage 2 (its claim is `v`).
    pub fn after_stage1(
        &self,
        r1: &[F],
        evals: &[F],
    ) -> Result<(ConvClaim, ShiftParams), GkrError> {
        self.check()?;
        let s = &self.shape;
        let (first, _) = self.relation.operands();
        let [u, v] = evals else {
            return Err(GkrError::ProofShape {
                what: "conv stage-1 final evaluations",
                expected: 2,
                actual: evals.len(),
            });
        };
        let bad = || GkrError::InvalidParams {
            what: "conv: stage-1 point of the wrong dimension",
        };
        let (lk, lpix) = (s.log_k(), s.pix_vars());
        let (first_point, shift) = match self.relation {
            ConvRelation::Forward => {
                // point on z: (r_pix, r_o, r_b); r1 = (r_δ, r_c)
                let p = split_point(&self.point, &[lpix, s.log_out(), s.log_batch()])
                    .ok_or_else(bad)?;
                let q = split_point(r1, &[2 * lk, s.log_in()]).ok_or_else(bad)?;
                let w_point = [r1, &p[1]].concat();
                let sp = ShiftParams {
                    shape: *s,
                    transposed: false,
                    r_delta: q[0].clone(),
                    r_fixed: p[0].clone(),
                    rest: [q[1].clone(), p[2].clone()].concat(),
                    operand: ConvOperand::Input,
                    claim: *v,
                };
                (w_point, sp)
            }
            ConvRelation::InputGrad => {
                // point on h: (r_pix, r_c, r_b); r1 = (r_δ, r_o)
                let p =
                    split_point(&self.point, &[lpix, s.log_in(), s.log_batch()]).ok_or_else(bad)?;
                let q = split_point(r1, &[2 * lk, s.log_out()]).ok_or_else(bad)?;
                let w_point = [&q[0][..], &p[1], &q[1]].concat();
                let sp = ShiftParams {
                    shape: *s,
                    transposed: true,
                    r_delta: q[0].clone(),
                    r_fixed: p[0].clone(),
                    rest: [q[1].clone(), p[2].clone()].concat(),
                    operand: ConvOperand::Output,
                    claim: *v,
                };
                (w_point, sp)
            }
            ConvRelation::WeightGrad => {
                // point on dW: (r_δ, r_c, r_o); r1 = (r_pix, r_b)
                let p =
                    split_point(&self.point, &[2 * lk, s.log_in(), s.log_out()]).ok_or_else(bad)?;
                let q = split_point(r1, &[lpix, s.log_batch()]).ok_or_else(bad)?;
                let g_point = [&q[0][..], &p[2], &q[1]].concat();
                let sp = ShiftParams {
                    shape: *s,
                    transposed: false,
                    r_delta: p[0].clone(),
                    r_fixed: q[0].clone(),
                    rest: [p[1].clone(), q[1].clone()].concat(),
                    operand: ConvOperand::Input,
                    claim: *v,
                };
                (g_point, sp)
            }
        };
        Ok((
            ConvClaim {
                operand: first,
                point: first_point,
                value: *u,
            },
            shift,
        ))
    }
}

/// Stage-1 prover: a degree-2 product sumcheck of the bound first operand and the
/// predicate-contracted second operand. Keep it to build [`ShiftProver`] afterwards.
#[derive(Debug)]
pub struct ConvStage1Prover {
    params: ConvParams,
    inner: BoxedProver,
    /// The second operand with the variables bound that stage 1 already fixed; rows are the
    /// variables stage 1 sums over (`c`, `o` or `b`), columns the pixels.
    second_rows: Vec<F>,
}

impl ConvStage1Prover {
    /// `first`, `second`: the operands in the order of [`ConvRelation::operands`], padded
    /// evaluation vectors in the layouts of the module docs. `point`: on the claimed tensor.
    /// The claim is computed.
    pub fn new(
        relation: ConvRelation,
        shape: ConvShape,
        first: &[F],
        second: &[F],
        point: Vec<F>,
    ) -> Result<Self, GkrError> {
        let mut params = ConvParams {
            relation,
            shape,
            point,
            claim: F::zero(),
        };
        params.check()?;
        let s = &shape;
        let (o1, o2) = relation.operands();
        for (t, op) in [(first, o1), (second, o2)] {
            let want = 1usize << s.vars_of(op);
            if t.len() != want {
                return Err(shape_err(want, t.len()));
            }
        }
        let (lk, lpix) = (s.log_k(), s.pix_vars());
        let (lw, lh) = (s.log_w(), s.log_h());
        let kk = 1usize << (2 * lk);
        let bad = GkrError::InvalidParams {
            what: "conv: point of the wrong dimension",
        };
        let (u, v, second_rows) = match relation {
            ConvRelation::Forward => {
                let p =
                    split_point(&params.point, &[lw, lh, s.log_out(), s.log_batch()]).ok_or(bad)?;
                // U(δ, c) = Σ_o eq(r_o, o)·W[o][c][δ]
                let u = bind_outer(first, &eq_table(&p[2]));
                // a_b[c][pix'] = Σ_b eq(r_b, b)·a[b][c][pix']
                let a_b = bind_outer(second, &eq_table(&p[3]));
                let v = contract_shift(s, &a_b, &eq_table(&p[1]), &eq_table(&p[0]), false);
                (u, v, a_b)
            }
            ConvRelation::InputGrad => {
                let p =
                    split_point(&params.point, &[lw, lh, s.log_in(), s.log_batch()]).ok_or(bad)?;
                // U(δ, o) = Σ_c eq(r_c, c)·W[o][c][δ]
                let u = bind_middle(first, &eq_table(&p[2]), kk);
                let g_b = bind_outer(second, &eq_table(&p[3]));
                let v = contract_shift(s, &g_b, &eq_table(&p[1]), &eq_table(&p[0]), true);
                (u, v, g_b)
            }
            ConvRelation::WeightGrad => {
                let p =
                    split_point(&params.point, &[lk, lk, s.log_in(), s.log_out()]).ok_or(bad)?;
                // U(pix, b) = Σ_o eq(r_o, o)·g[b][o][pix]
                let u = bind_middle(first, &eq_table(&p[3]), 1 << lpix);
                // a_c[b][pix'] = Σ_c eq(r_c, c)·a[b][c][pix']
                let a_c = bind_middle(second, &eq_table(&p[2]), 1 << lpix);
                let v = gather_shift(s, &a_c, &eq_table(&p[1]), &eq_table(&p[0]));
                (u, v, a_c)
            }
        };
        let inner = product_prover(vec![MultilinearPoly::new(u)?, MultilinearPoly::new(v)?])?;
        params.claim = inner.input_claim();
        Ok(Self {
            params,
            inner,
            second_rows,
        })
    }

    /// The parameters (claim included).
    pub fn params(&self) -> &ConvParams {
        &self.params
    }

    /// After the (batched) stage-1 sumcheck ended on `r1` (this instance's point): the claim on
    /// the first operand and the stage-2 prover.
    pub fn into_stage2(self, r1: &[F]) -> Result<(ConvClaim, ShiftProver), GkrError> {
        let evals = self.inner.final_evaluations();
        let (claim, sp) = self.params.after_stage1(r1, &evals)?;
        let li = self.params.shape.log_in();
        // The rows of `second_rows` are bound by: `r_c` (forward), `r_o` (input gradient),
        // `r_b` (weight gradient); `rest` is (channel ‖ batch).
        let row_point = match self.params.relation {
            ConvRelation::Forward => sp.rest.get(..li),
            ConvRelation::InputGrad => sp.rest.get(..self.params.shape.log_out()),
            ConvRelation::WeightGrad => sp.rest.get(li..),
        }
        .ok_or(GkrError::InvalidParams {
            what: "conv: stage-2 rest point too short",
        })?
        .to_vec();
        let prover = ShiftProver::new(sp, &self.second_rows, &row_point)?;
        Ok((claim, prover))
    }
}

impl SumcheckInstanceProver for ConvStage1Prover {
    fn num_rounds(&self) -> usize {
        self.params.stage1_rounds()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        self.inner.round_polynomial(round, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.inner.bind(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.inner.final_evaluations()
    }
}

/// Stage-1 verifier: final evaluations `[u, v]` (`u` the first operand's claim, `v` the
/// intermediate claim that stage 2 reduces), expected output `u·v`.
#[derive(Clone, Debug)]
pub struct ConvStage1Verifier {
    /// The statement.
    pub params: ConvParams,
}

impl ConvStage1Verifier {
    /// Verify the reduction of the claim `value` at `point` on the relation's result tensor.
    pub fn new(relation: ConvRelation, shape: ConvShape, point: Vec<F>, claim: F) -> Self {
        Self {
            params: ConvParams {
                relation,
                shape,
                point,
                claim,
            },
        }
    }
}

impl SumcheckInstanceVerifier for ConvStage1Verifier {
    fn num_rounds(&self) -> usize {
        self.params.stage1_rounds()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, sumcheck::Error> {
        if self.params.check().is_err() {
            return Err(sumcheck::Error::Malformed {
                what: "conv: invalid shape or point",
            });
        }
        ProductVerifier::new(r.len(), 2, self.params.claim).expected_output_claim(r, final_evals)
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 2: the pixel sumcheck against the shift predicate
// ---------------------------------------------------------------------------------------------

/// Parameters of stage 2: `claim = Σ_{pix} S̃(r_δ, ·, ·)·t̃(pix, rest)` over the free pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftParams {
    /// The shape.
    pub shape: ConvShape,
    /// `false`: the free pixel is the input pixel (`S̃(r_δ, r_fixed, pix)`); `true`: it is the
    /// output pixel (`S̃(r_δ, pix, r_fixed)`).
    pub transposed: bool,
    /// `(r_dx ‖ r_dy)`.
    pub r_delta: Vec<F>,
    /// The bound pixel `(r_x ‖ r_y)`.
    pub r_fixed: Vec<F>,
    /// The operand's non-pixel coordinates (channel ‖ batch).
    pub rest: Vec<F>,
    /// The operand reached.
    pub operand: ConvOperand,
    /// The claimed sum.
    pub claim: F,
}

impl ShiftParams {
    fn predicate(&self, r: &[F]) -> Option<F> {
        if self.transposed {
            shift_mle_2d(&self.shape, &self.r_delta, r, &self.r_fixed)
        } else {
            shift_mle_2d(&self.shape, &self.r_delta, &self.r_fixed, r)
        }
    }

    /// The claim on the operand once stage 2 ended on `r2` with final evaluation `[t]`.
    pub fn output_claim(&self, r2: &[F], evals: &[F]) -> Result<ConvClaim, GkrError> {
        let [t] = evals else {
            return Err(GkrError::ProofShape {
                what: "conv stage-2 final evaluations",
                expected: 1,
                actual: evals.len(),
            });
        };
        if r2.len() != self.shape.pix_vars() {
            return Err(GkrError::InvalidParams {
                what: "conv: stage-2 point of the wrong dimension",
            });
        }
        Ok(ConvClaim {
            operand: self.operand,
            point: [r2, &self.rest].concat(),
            value: *t,
        })
    }
}

/// Stage-2 prover: product sumcheck of the predicate table and the operand bound at `rest`.
/// Its only final evaluation is the operand's value (the verifier computes the predicate).
#[derive(Debug)]
pub struct ShiftProver {
    params: ShiftParams,
    inner: BoxedProver,
}

impl ShiftProver {
    /// `rows`: the operand with one non-pixel variable group already bound, as rows (the other
    /// group, bound here at `row_point`) × pixels. Built by [`ConvStage1Prover::into_stage2`].
    fn new(mut params: ShiftParams, rows: &[F], row_point: &[F]) -> Result<Self, GkrError> {
        let s = &params.shape;
        let (lw, lk) = (s.log_w(), s.log_k());
        let (k, h, w) = (s.kernel as usize, s.height as usize, s.width as usize);
        if rows.len() != 1usize << (s.pix_vars() + row_point.len()) {
            return Err(shape_err(1 << (s.pix_vars() + row_point.len()), rows.len()));
        }
        let t = combine_rows(rows, 1 << s.pix_vars(), &eq_table(row_point));
        let (rx, ry) = params.r_fixed.split_at(lw);
        let (rdx, rdy) = params.r_delta.split_at(lk);
        let out_free = params.transposed;
        let tx = shift_table_1d(k, w, 1 << lw, &eq_table(rdx), &eq_table(rx), out_free);
        let ty = shift_table_1d(
            k,
            h,
            1 << s.log_h(),
            &eq_table(rdy),
            &eq_table(ry),
            out_free,
        );
        let mut st = Vec::with_capacity(t.len());
        for vy in &ty {
            for vx in &tx {
                st.push(*vy * vx);
            }
        }
        let inner = product_prover(vec![MultilinearPoly::new(st)?, MultilinearPoly::new(t)?])?;
        params.claim = inner.input_claim();
        Ok(Self { params, inner })
    }

    /// The parameters (claim included).
    pub fn params(&self) -> &ShiftParams {
        &self.params
    }
}

impl SumcheckInstanceProver for ShiftProver {
    fn num_rounds(&self) -> usize {
        self.params.shape.pix_vars()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        self.inner.round_polynomial(round, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.inner.bind(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.inner
            .final_evaluations()
            .get(1)
            .copied()
            .into_iter()
            .collect()
    }
}

/// Stage-2 verifier: expected output `S̃(r_δ, …)·t` with the predicate computed here.
#[derive(Clone, Debug)]
pub struct ShiftVerifier {
    /// The statement.
    pub params: ShiftParams,
}

impl SumcheckInstanceVerifier for ShiftVerifier {
    fn num_rounds(&self) -> usize {
        self.params.shape.pix_vars()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.params.claim
    }
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, sumcheck::Error> {
        let [t] = final_evals else {
            return Err(sumcheck::Error::Malformed {
                what: "conv stage 2: expected one final evaluation",
            });
        };
        let s = self.params.predicate(r).ok_or(sumcheck::Error::Malformed {
            what: "conv stage 2: point of the wrong dimension",
        })?;
        Ok(s * t)
    }
}

// ---------------------------------------------------------------------------------------------
// Standalone proof
// ---------------------------------------------------------------------------------------------

/// A standalone convolution reduction: two sumchecks and their final evaluations.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ConvProof {
    /// Stage 1 (channel/offset or pixel/batch).
    pub stage1: SumcheckProof,
    /// `[u, v]`.
    pub stage1_evals: Vec<F>,
    /// Stage 2 (pixel).
    pub stage2: SumcheckProof,
    /// `[t]`.
    pub stage2_evals: Vec<F>,
}

impl ConvProof {
    /// Compressed canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decode [`Self::to_bytes`]; garbage, non-canonical elements and trailing bytes are errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, GkrError> {
        let mut reader = bytes;
        let p = Self::deserialize_compressed(&mut reader)?;
        if !reader.is_empty() {
            return Err(GkrError::Deserialization {
                what: "trailing bytes after conv proof".into(),
            });
        }
        Ok(p)
    }
}

/// Prove the claim at `point` on the relation's result tensor (computed from the operands, and
/// returned) and reduce it to claims on the two operands `[first, second]`.
pub fn prove_conv<T: Transcript>(
    relation: ConvRelation,
    shape: ConvShape,
    first: &[F],
    second: &[F],
    point: Vec<F>,
    transcript: &mut T,
) -> Result<(ConvProof, F, [ConvClaim; 2]), GkrError> {
    let mut p1 = ConvStage1Prover::new(relation, shape, first, second, point)?;
    let claim = p1.params().claim;
    let (stage1, r1, ev1) = prove_batched(&mut [&mut p1], transcript);
    let (c1, mut p2) = p1.into_stage2(&r1)?;
    let (stage2, r2, ev2) = prove_batched(&mut [&mut p2], transcript);
    let stage2_evals = ev2.into_iter().next().unwrap_or_default();
    let c2 = p2.params().output_claim(&r2, &stage2_evals)?;
    Ok((
        ConvProof {
            stage1,
            stage1_evals: ev1.into_iter().next().unwrap_or_default(),
            stage2,
            stage2_evals,
        },
        claim,
        [c1, c2],
    ))
}

/// Verify [`prove_conv`]: the claim `claim` at `point` on the result tensor. Returns the claims
/// on `[first, second]` operand, which the caller must check (open or reduce further). Never
/// panics.
pub fn verify_conv<T: Transcript>(
    relation: ConvRelation,
    shape: ConvShape,
    point: Vec<F>,
    claim: F,
    proof: &ConvProof,
    transcript: &mut T,
) -> Result<[ConvClaim; 2], GkrError> {
    let v1 = ConvStage1Verifier::new(relation, shape, point, claim);
    v1.params.check()?;
    let r1 = verify_batched(
        &[&v1],
        &proof.stage1,
        std::slice::from_ref(&proof.stage1_evals),
        transcript,
    )?;
    let (c1, sp) = v1.params.after_stage1(&r1, &proof.stage1_evals)?;
    let v2 = ShiftVerifier { params: sp };
    let r2 = verify_batched(
        &[&v2],
        &proof.stage2,
        std::slice::from_ref(&proof.stage2_evals),
        transcript,
    )?;
    let c2 = v2.params.output_claim(&r2, &proof.stage2_evals)?;
    Ok([c1, c2])
}

// ---------------------------------------------------------------------------------------------
// Reference integer kernels (tests, benches, witness generation)
// ---------------------------------------------------------------------------------------------

/// Reference convolutions on padded `i64` tensors in the layouts of the module docs, with exact
/// `i128` accumulation (direct index formulas of `docs/training-engine.md`).
pub mod reference {
    use super::ConvShape;

    fn dims(s: &ConvShape) -> (usize, usize, usize, usize, usize, usize) {
        (
            s.batch as usize,
            s.in_channels as usize,
            s.out_channels as usize,
            s.height as usize,
            s.width as usize,
            s.kernel as usize,
        )
    }

    fn at(
        t: &[i64],
        y: isize,
        x: isize,
        h: usize,
        w: usize,
        f: impl Fn(usize, usize) -> usize,
    ) -> i128 {
        if y < 0 || x < 0 || y as usize >= h || x as usize >= w {
            0
        } else {
            i128::from(t[f(y as usize, x as usize)])
        }
    }

    /// `z[b,o,y,x] = Σ_{c,dy,dx} W[o,c,dy,dx]·a[b,c,y+dy−p,x+dx−p]` (output-shaped, padded).
    pub fn forward(s: &ConvShape, a: &[i64], w: &[i64]) -> Vec<i128> {
        let (nb, nc, no, h, wd, k) = dims(s);
        let p = (k / 2) as isize;
        let mut z = vec![0i128; 1 << s.output_vars()];
        for b in 0..nb {
            for o in 0..no {
                for y in 0..h {
                    for x in 0..wd {
                        let mut acc = 0i128;
                        for c in 0..nc {
                            for dy in 0..k {
                                for dx in 0..k {
                                    let (yi, xi) = (
                                        y as isize + dy as isize - p,
                                        x as isize + dx as isize - p,
                                    );
                                    let v =
                                        at(a, yi, xi, h, wd, |yy, xx| s.input_index(b, c, yy, xx));
                                    acc += i128::from(w[s.weight_index(o, c, dy, dx)]) * v;
                                }
                            }
                        }
                        z[s.output_index(b, o, y, x)] = acc;
                    }
                }
            }
        }
        z
    }

    /// `h[b,c,y,x] = Σ_{o,dy,dx} W[o,c,dy,dx]·g[b,o,y−dy+p,x−dx+p]` (input-shaped, padded).
    pub fn input_grad(s: &ConvShape, g: &[i64], w: &[i64]) -> Vec<i128> {
        let (nb, nc, no, h, wd, k) = dims(s);
        let p = (k / 2) as isize;
        let mut out = vec![0i128; 1 << s.input_vars()];
        for b in 0..nb {
            for c in 0..nc {
                for y in 0..h {
                    for x in 0..wd {
                        let mut acc = 0i128;
                        for o in 0..no {
                            for dy in 0..k {
                                for dx in 0..k {
                                    let (yi, xi) = (
                                        y as isize - dy as isize + p,
                                        x as isize - dx as isize + p,
                                    );
                                    let v =
                                        at(g, yi, xi, h, wd, |yy, xx| s.output_index(b, o, yy, xx));
                                    acc += i128::from(w[s.weight_index(o, c, dy, dx)]) * v;
                                }
                            }
                        }
                        out[s.input_index(b, c, y, x)] = acc;
                    }
                }
            }
        }
        out
    }

    /// `dW[o,c,dy,dx] = Σ_{b,y,x} g[b,o,y,x]·a[b,c,y+dy−p,x+dx−p]` (weight-shaped, padded).
    pub fn weight_grad(s: &ConvShape, g: &[i64], a: &[i64]) -> Vec<i128> {
        let (nb, nc, no, h, wd, k) = dims(s);
        let p = (k / 2) as isize;
        let mut out = vec![0i128; 1 << s.weight_vars()];
        for o in 0..no {
            for c in 0..nc {
                for dy in 0..k {
                    for dx in 0..k {
                        let mut acc = 0i128;
                        for b in 0..nb {
                            for y in 0..h {
                                for x in 0..wd {
                                    let (yi, xi) = (
                                        y as isize + dy as isize - p,
                                        x as isize + dx as isize - p,
                                    );
                                    let v =
                                        at(a, yi, xi, h, wd, |yy, xx| s.input_index(b, c, yy, xx));
                                    acc += i128::from(g[s.output_index(b, o, y, x)]) * v;
                                }
                            }
                        }
                        out[s.weight_index(o, c, dy, dx)] = acc;
                    }
                }
            }
        }
        out
    }
}
