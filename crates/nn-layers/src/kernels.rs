//! Exact integer kernels: matrix products, convolutions (via patch matrices) and 2×2 pools.
//!
//! All products are exact. Sums are accumulated in `i128`, except where the actual operand
//! magnitudes prove a cheaper accumulator exact ([`AccPath::choose`]): every partial sum is
//! bounded by `max|a|·max|b|·terms`; below `2^53` the same integers are computed in `f64` (every
//! operand, product and partial sum is an integer `< 2^53`, so no operation rounds), below `2^63`
//! in `i64`. The result is bit-identical in all three paths (tested). Results are returned as
//! `i128` at scale `2^(2F)` (un-rescaled).
//!
//! Convolution index conventions (stride 1, zero "same" padding `p = (k-1)/2`, NCHW):
//! * forward `z[n][o][y][x] = Σ_{c,i,j} a[n][c][y+i-p][x+j-p] · W[o][c][i][j]`;
//! * input gradient (full correlation with the flipped kernel)
//!   `h[n][c][y][x] = Σ_{o,i,j} g[n][o][y-i+p][x-j+p] · W[o][c][i][j]`
//!   `= Σ_{o,i',j'} g[n][o][y+i'-p][x+j'-p] · W[o][c][k-1-i'][k-1-j']`;
//! * weight gradient `dW[o][c][i][j] = Σ_{n,y,x} g[n][o][y][x] · a[n][c][y+i-p][x+j-p]`;
//!
//! with out-of-range indices reading zero.

use crate::tensor::max_abs;
use rayon::prelude::*;
use std::ops::AddAssign;

/// Accumulator type of the exact kernels, with its operand type `E`.
trait Acc: Copy + Send + Sync + AddAssign + 'static {
    type E: Copy + Send + Sync + Default + 'static;
    const ZERO: Self;
    fn mul(a: Self::E, b: Self::E) -> Self;
    fn widen(self) -> i128;
    fn from_i64(v: i64) -> Self::E;
}

impl Acc for i64 {
    type E = i64;
    const ZERO: Self = 0;
    #[inline(always)]
    fn mul(a: i64, b: i64) -> Self {
        a * b
    }
    #[inline(always)]
    fn widen(self) -> i128 {
        self as i128
    }
    #[inline(always)]
    fn from_i64(v: i64) -> i64 {
        v
    }
}

impl Acc for i128 {
    type E = i64;
    const ZERO: Self = 0;
    #[inline(always)]
    fn mul(a: i64, b: i64) -> Self {
        (a as i128) * (b as i128)
    }
    #[inline(always)]
    fn widen(self) -> i128 {
        self
    }
    #[inline(always)]
    fn from_i64(v: i64) -> i64 {
        v
    }
}

/// Integer arithmetic carried out in `f64`: exact because every operand, product and partial
/// sum is an integer of magnitude below `2^53` (checked by [`AccPath::choose`]).
impl Acc for f64 {
    type E = f64;
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn mul(a: f64, b: f64) -> Self {
        a * b
    }
    #[inline(always)]
    fn widen(self) -> i128 {
        self as i128
    }
    #[inline(always)]
    fn from_i64(v: i64) -> f64 {
        v as f64
    }
}

/// Which exact accumulator a product-sum uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccPath {
    /// Every partial sum is below `2^53`: `f64` arithmetic is exact (and SIMD-friendly).
    F64,
    /// Every partial sum fits `i64`.
    I64,
    /// General case.
    I128,
}

impl AccPath {
    /// The cheapest exact path for `terms` products of operands bounded by `max_a`, `max_b`:
    /// every partial sum is bounded by `max_a · max_b · terms`.
    pub fn choose(max_a: u64, max_b: u64, terms: usize) -> Self {
        let bound = (max_a as u128)
            .checked_mul(max_b as u128)
            .and_then(|p| p.checked_mul(terms as u128));
        match bound {
            Some(b) if b < (1u128 << 53) => AccPath::F64,
            Some(b) if b <= i64::MAX as u128 => AccPath::I64,
            _ => AccPath::I128,
        }
    }
}

fn convert<A: Acc>(x: &[i64]) -> Vec<A::E> {
    x.par_iter()
        .with_min_len(1 << 14)
        .map(|&v| A::from_i64(v))
        .collect()
}

/// Lanes per row in the dot kernels (independent accumulators; SIMD-friendly for `f64`).
const LANES: usize = 4;

#[inline(always)]
fn dot<A: Acc>(a: &[A::E], b: &[A::E]) -> A {
    let n = a.len();
    let (ac, ar) = a.as_chunks::<LANES>();
    let (bc, br) = b[..n].as_chunks::<LANES>();
    let mut s = [A::ZERO; LANES];
    for (x, y) in ac.iter().zip(bc) {
        for l in 0..LANES {
            s[l] += A::mul(x[l], y[l]);
        }
    }
    for (x, y) in ar.iter().zip(br) {
        s[0] += A::mul(*x, *y);
    }
    let mut total = A::ZERO;
    for v in s {
        total += v;
    }
    total
}

#[inline(always)]
fn dot_x4<A: Acc>(a: &[A::E], b0: &[A::E], b1: &[A::E], b2: &[A::E], b3: &[A::E]) -> [A; 4] {
    let n = a.len();
    let (ac, ar) = a.as_chunks::<LANES>();
    let (c0, r0) = b0[..n].as_chunks::<LANES>();
    let (c1, r1) = b1[..n].as_chunks::<LANES>();
    let (c2, r2) = b2[..n].as_chunks::<LANES>();
    let (c3, r3) = b3[..n].as_chunks::<LANES>();
    let mut s = [[A::ZERO; LANES]; 4];
    for ((((x, y0), y1), y2), y3) in ac.iter().zip(c0).zip(c1).zip(c2).zip(c3) {
        for l in 0..LANES {
            s[0][l] += A::mul(x[l], y0[l]);
            s[1][l] += A::mul(x[l], y1[l]);
            s[2][l] += A::mul(x[l], y2[l]);
            s[3][l] += A::mul(x[l], y3[l]);
        }
    }
    for (i, &x) in ar.iter().enumerate() {
        s[0][0] += A::mul(x, r0[i]);
        s[1][0] += A::mul(x, r1[i]);
        s[2][0] += A::mul(x, r2[i]);
        s[3][0] += A::mul(x, r3[i]);
    }
    let mut out = [A::ZERO; 4];
    for (o, row) in out.iter_mut().zip(s) {
        for v in row {
            *o += v;
        }
    }
    out
}

/// Depth of a k-block: a `4 × KC` panel of `B` stays in L1 while a row block of `A` streams by.
const KC: usize = 256;
/// Largest number of `A` rows per task.
const MC: usize = 16;

/// `out = A·Bᵀ` (exact), cache-blocked: tasks own blocks of up to `MC` rows of `A`; within a
/// task the depth is split into blocks of `KC` and each 4-row panel of `B` is reused for every
/// row of the block. Partial sums are exact in every accumulator path, so blocking does not
/// change the result.
fn abt_into<A: Acc>(a: &[A::E], b: &[A::E], n: usize, k: usize, out: &mut [i128]) {
    if k == 0 || n == 0 {
        out.iter_mut().for_each(|o| *o = 0);
        return;
    }
    let m = a.len() / k;
    let threads = rayon::current_num_threads().max(1);
    let mc = (m / (4 * threads)).clamp(1, MC);
    out.par_chunks_mut(n * mc)
        .zip(a.par_chunks(k * mc))
        .for_each(|(oblk, ablk)| {
            let rows = ablk.len() / k;
            let mut acc = vec![A::ZERO; rows * n];
            let mut k0 = 0;
            while k0 < k {
                let k1 = (k0 + KC).min(k);
                let mut j = 0;
                while j + 4 <= n {
                    let b0 = &b[j * k + k0..j * k + k1];
                    let b1 = &b[(j + 1) * k + k0..(j + 1) * k + k1];
                    let b2 = &b[(j + 2) * k + k0..(j + 2) * k + k1];
                    let b3 = &b[(j + 3) * k + k0..(j + 3) * k + k1];
                    for i in 0..rows {
                        let s = dot_x4::<A>(&ablk[i * k + k0..i * k + k1], b0, b1, b2, b3);
                        for (o, v) in acc[i * n + j..i * n + j + 4].iter_mut().zip(s) {
                            *o += v;
                        }
                    }
                    j += 4;
                }
                while j < n {
                    let bj = &b[j * k + k0..j * k + k1];
                    for i in 0..rows {
                        acc[i * n + j] += dot::<A>(&ablk[i * k + k0..i * k + k1], bj);
                    }
                    j += 1;
                }
                k0 = k1;
            }
            for (o, v) in oblk.iter_mut().zip(acc) {
                *o = v.widen();
            }
        });
}

/// Exact `C = A·Bᵀ` into `out` (`m × n`), with `A: m × k` and `B: n × k` row-major.
pub fn matmul_abt_into(a: &[i64], b: &[i64], m: usize, n: usize, k: usize, out: &mut [i128]) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), n * k);
    debug_assert_eq!(out.len(), m * n);
    match AccPath::choose(max_abs(a), max_abs(b), k) {
        AccPath::F64 => abt_into::<f64>(&convert::<f64>(a), &convert::<f64>(b), n, k, out),
        AccPath::I64 => abt_into::<i64>(a, b, n, k, out),
        AccPath::I128 => abt_into::<i128>(a, b, n, k, out),
    }
}

/// Exact `C = A·Bᵀ` (`m × n`), with `A: m × k` and `B: n × k` row-major.
pub fn matmul_abt(a: &[i64], b: &[i64], m: usize, n: usize, k: usize) -> Vec<i128> {
    let mut out = vec![0i128; m * n];
    matmul_abt_into(a, b, m, n, k, &mut out);
    out
}

/// Transpose of a row-major `rows × cols` matrix.
pub fn transpose(x: &[i64], rows: usize, cols: usize) -> Vec<i64> {
    let mut t = vec![0i64; x.len()];
    if rows == 0 || cols == 0 {
        return t;
    }
    t.par_chunks_mut(rows).enumerate().for_each(|(c, trow)| {
        for (r, v) in trow.iter_mut().enumerate() {
            *v = x[r * cols + c];
        }
    });
    t
}

/// Dense forward without bias: `z[n][o] = Σ_i a[n][i]·W[i][o]`, `W` stored `[inputs][outputs]`.
pub fn dense_forward(
    input: &[i64],
    batch: usize,
    inputs: usize,
    weight: &[i64],
    outputs: usize,
) -> Vec<i128> {
    let wt = transpose(weight, inputs, outputs);
    matmul_abt(input, &wt, batch, outputs, inputs)
}

/// Dense input gradient (un-rescaled): `h[n][i] = Σ_o g[n][o]·W[i][o]`.
pub fn dense_backward_input(
    grad: &[i64],
    batch: usize,
    outputs: usize,
    weight: &[i64],
    inputs: usize,
) -> Vec<i128> {
    matmul_abt(grad, weight, batch, inputs, outputs)
}

/// Dense weight gradient: `dW[i][o] = Σ_n a[n][i]·g[n][o]` (layout `[inputs][outputs]`).
pub fn dense_weight_grad(
    input: &[i64],
    grad: &[i64],
    batch: usize,
    inputs: usize,
    outputs: usize,
) -> Vec<i128> {
    let at = transpose(input, batch, inputs);
    let gt = transpose(grad, batch, outputs);
    matmul_abt(&at, &gt, inputs, outputs, batch)
}

/// Bias gradient: `db[o] = Σ_n Σ_pixel g[n][o][pixel]` for `g` shaped `[batch][channels][pixels]`.
pub fn bias_grad(grad: &[i64], batch: usize, channels: usize, pixels: usize) -> Vec<i128> {
    (0..channels)
        .into_par_iter()
        .map(|o| {
            (0..batch)
                .map(|n| {
                    let s = (n * channels + o) * pixels;
                    grad[s..s + pixels].iter().map(|&v| v as i128).sum::<i128>()
                })
                .sum()
        })
        .collect()
}

/// Transposed patch matrix of one image: row `(y, x)`, column `(c, i, j)`, entry
/// `x[c][y+i-p][x+j-p]` (0 outside). Shape `(h·w) × (c·k²)`.
fn patches_t<E: Copy + Default>(img: &[E], c: usize, h: usize, w: usize, k: usize) -> Vec<E> {
    let p = (k - 1) / 2;
    let q = c * k * k;
    let mut out = vec![E::default(); h * w * q];
    for (pix, row) in out.chunks_mut(q).enumerate() {
        let (y, x) = (pix / w, pix % w);
        for ci in 0..c {
            let plane = &img[ci * h * w..(ci + 1) * h * w];
            for i in 0..k {
                let yy = y + i;
                if yy < p || yy - p >= h {
                    continue;
                }
                let src = &plane[(yy - p) * w..(yy - p + 1) * w];
                let dst = &mut row[(ci * k + i) * k..(ci * k + i + 1) * k];
                for (j, d) in dst.iter_mut().enumerate() {
                    let xx = x + j;
                    if xx >= p && xx - p < w {
                        *d = src[xx - p];
                    }
                }
            }
        }
    }
    out
}

/// Conv2d forward without bias (k×k, stride 1, same padding): `z` shaped `[batch][c_out][h][w]`.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_forward(
    input: &[i64],
    batch: usize,
    c_in: usize,
    h: usize,
    w: usize,
    weight: &[i64],
    c_out: usize,
    k: usize,
) -> Vec<i128> {
    match AccPath::choose(max_abs(input), max_abs(weight), c_in * k * k) {
        AccPath::F64 => conv_forward_impl::<f64>(
            &convert::<f64>(input),
            batch,
            c_in,
            h,
            w,
            &convert::<f64>(weight),
            c_out,
            k,
        ),
        AccPath::I64 => conv_forward_impl::<i64>(input, batch, c_in, h, w, weight, c_out, k),
        AccPath::I128 => conv_forward_impl::<i128>(input, batch, c_in, h, w, weight, c_out, k),
    }
}

#[allow(clippy::too_many_arguments)]
fn conv_forward_impl<A: Acc>(
    input: &[A::E],
    batch: usize,
    c_in: usize,
    h: usize,
    w: usize,
    weight: &[A::E],
    c_out: usize,
    k: usize,
) -> Vec<i128> {
    let hw = h * w;
    let q = c_in * k * k;
    let mut out = vec![0i128; batch * c_out * hw];
    out.par_chunks_mut(c_out * hw)
        .zip(input.par_chunks(c_in * hw))
        .for_each(|(o, img)| {
            let pt = patches_t(img, c_in, h, w, k);
            abt_into::<A>(weight, &pt, hw, q, o);
        });
    out
}

/// Conv2d input gradient (un-rescaled), the full correlation of `g` with the flipped kernel:
/// `h[n][c][y][x] = Σ_{o,i,j} g[n][o][y-i+p][x-j+p]·W[o][c][i][j]`, shaped `[batch][c_in][h][w]`.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_backward_input(
    grad: &[i64],
    batch: usize,
    c_out: usize,
    h: usize,
    w: usize,
    weight: &[i64],
    c_in: usize,
    k: usize,
) -> Vec<i128> {
    // Flipped, transposed kernel: wf[c][o][i'][j'] = W[o][c][k-1-i'][k-1-j'].
    let kk = k * k;
    let mut wf = vec![0i64; c_in * c_out * kk];
    for c in 0..c_in {
        for o in 0..c_out {
            for i in 0..k {
                for j in 0..k {
                    wf[((c * c_out + o) * k + i) * k + j] =
                        weight[((o * c_in + c) * k + (k - 1 - i)) * k + (k - 1 - j)];
                }
            }
        }
    }
    conv2d_forward(grad, batch, c_out, h, w, &wf, c_in, k)
}

/// Conv2d weight gradient `dW[o][c][i][j] = Σ_{n,y,x} g[n][o][y][x]·a[n][c][y+i-p][x+j-p]`.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_weight_grad(
    input: &[i64],
    grad: &[i64],
    batch: usize,
    c_in: usize,
    c_out: usize,
    h: usize,
    w: usize,
    k: usize,
) -> Vec<i128> {
    let hw = h * w;
    let p = (k - 1) / 2;
    let cols = batch * hw;
    let q = c_in * k * k;
    // Patch matrix P[(c,i,j)][(n,y,x)] = a[n][c][y+i-p][x+j-p].
    let mut pm = vec![0i64; q * cols];
    pm.par_chunks_mut(cols).enumerate().for_each(|(row, dst)| {
        let (c, i, j) = (row / (k * k), (row / k) % k, row % k);
        for n in 0..batch {
            let plane = &input[(n * c_in + c) * hw..(n * c_in + c + 1) * hw];
            for y in 0..h {
                let yy = y + i;
                if yy < p || yy - p >= h {
                    continue;
                }
                let src = &plane[(yy - p) * w..(yy - p + 1) * w];
                let d = &mut dst[n * hw + y * w..n * hw + (y + 1) * w];
                for (x, v) in d.iter_mut().enumerate() {
                    let xx = x + j;
                    if xx >= p && xx - p < w {
                        *v = src[xx - p];
                    }
                }
            }
        }
    });
    // G[o][(n,y,x)] = g[n][o][y][x].
    let mut gm = vec![0i64; c_out * cols];
    gm.par_chunks_mut(cols).enumerate().for_each(|(o, dst)| {
        for n in 0..batch {
            dst[n * hw..(n + 1) * hw]
                .copy_from_slice(&grad[(n * c_out + o) * hw..(n * c_out + o + 1) * hw]);
        }
    });
    matmul_abt(&gm, &pm, c_out, q, cols)
}

/// Sums of 2×2 windows: `[planes][h][w] -> [planes][h/2][w/2]` (`planes = batch·channels`).
pub fn pool_sums(input: &[i64], planes: usize, h: usize, w: usize) -> Vec<i128> {
    let (oh, ow) = (h / 2, w / 2);
    let mut out = vec![0i128; planes * oh * ow];
    out.par_chunks_mut(oh * ow)
        .zip(input.par_chunks(h * w))
        .for_each(|(o, x)| {
            for y in 0..oh {
                for xx in 0..ow {
                    let (r0, r1) = (2 * y * w + 2 * xx, (2 * y + 1) * w + 2 * xx);
                    o[y * ow + xx] =
                        x[r0] as i128 + x[r0 + 1] as i128 + x[r1] as i128 + x[r1 + 1] as i128;
                }
            }
        });
    out
}

/// 2×2 max pool. Returns `(outputs, selectors)`; `selectors[(plane, y, x)·4 + t]` is the one-hot
/// choice over the window order `t = 0:(0,0), 1:(0,1), 2:(1,0), 3:(1,1)`; ties go to the first
/// maximum in that order.
pub fn maxpool_forward(input: &[i64], planes: usize, h: usize, w: usize) -> (Vec<i64>, Vec<i64>) {
    let (oh, ow) = (h / 2, w / 2);
    let mut out = vec![0i64; planes * oh * ow];
    let mut sel = vec![0i64; planes * oh * ow * 4];
    out.par_chunks_mut(oh * ow)
        .zip(sel.par_chunks_mut(oh * ow * 4))
        .zip(input.par_chunks(h * w))
        .for_each(|((o, s), x)| {
            for y in 0..oh {
                for xx in 0..ow {
                    let (r0, r1) = (2 * y * w + 2 * xx, (2 * y + 1) * w + 2 * xx);
                    let win = [x[r0], x[r0 + 1], x[r1], x[r1 + 1]];
                    let mut best = 0;
                    for t in 1..4 {
                        if win[t] > win[best] {
                            best = t;
                        }
                    }
                    let idx = y * ow + xx;
                    o[idx] = win[best];
                    s[idx * 4 + best] = 1;
                }
            }
        });
    (out, sel)
}

/// Max-pool backward: the window's output gradient goes to its selected input, 0 elsewhere.
pub fn maxpool_backward(
    grad_out: &[i64],
    selectors: &[i64],
    planes: usize,
    h: usize,
    w: usize,
) -> Vec<i64> {
    let (oh, ow) = (h / 2, w / 2);
    let mut gin = vec![0i64; planes * h * w];
    gin.par_chunks_mut(h * w)
        .zip(grad_out.par_chunks(oh * ow))
        .zip(selectors.par_chunks(oh * ow * 4))
        .for_each(|((gi, go), s)| {
            for y in 0..oh {
                for xx in 0..ow {
                    let idx = y * ow + xx;
                    let pos = [
                        2 * y * w + 2 * xx,
                        2 * y * w + 2 * xx + 1,
                        (2 * y + 1) * w + 2 * xx,
                        (2 * y + 1) * w + 2 * xx + 1,
                    ];
                    for (t, &p) in pos.iter().enumerate() {
                        gi[p] = s[idx * 4 + t] * go[idx];
                    }
                }
            }
        });
    gin
}

/// Broadcasts one value per 2×2 window back to the window's four inputs
/// (`[planes][h/2][w/2] -> [planes][h][w]`); used by the average-pool backward pass.
pub fn pool_broadcast(per_window: &[i64], planes: usize, h: usize, w: usize) -> Vec<i64> {
    let (oh, ow) = (h / 2, w / 2);
    let mut out = vec![0i64; planes * h * w];
    out.par_chunks_mut(h * w)
        .zip(per_window.par_chunks(oh * ow))
        .for_each(|(o, g)| {
            for y in 0..h {
                for x in 0..w {
                    o[y * w + x] = g[(y / 2) * ow + x / 2];
                }
            }
        });
    out
}
