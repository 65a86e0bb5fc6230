//! Prover-side engine: `K` multilinear polynomials folded in place, low variable first.
//!
//! Layout. The evaluations live in `K` buffers cut into `nseg` segments of physical stride `seg`;
//! segment `c` keeps its `live` current values at the front of its stride, so the logical index
//! of value `l` of segment `c` is `c·live + l`. Binding `x_0` maps each adjacent pair of a
//! segment to the front of the same segment: every segment folds in place, sequentially inside
//! and in parallel across segments, without a scratch buffer or an allocation. When a segment is
//! down to a few values the segments are compacted into one (a copy of `nseg·live` elements).
//!
//! Round evaluation goes over the pairs `(even, odd) = (x_0 = 0, x_0 = 1)` and hands each pair,
//! with its logical pair index (the remaining variables `x_1, x_2, ...` as an integer), to a
//! kernel closure that accumulates the round polynomial's evaluations into an accumulator of
//! the kernel's choosing ([`RoundAcc`]: field elements, or unreduced [`WideAcc`] sums).
//! [`Folded::fold_eval`] binds a challenge and evaluates the next round in the same pass: each
//! group of four values is folded to a pair and that pair is evaluated while it is in registers.
//!
//! Arithmetic. Folds `e + r·(o − e)` and the kernels' differences use the branch-free addition
//! and subtraction of [`crate::field_ops`] (arkworks reduces with a branch that random field
//! elements mispredict half of the time). The product kernel ([`product_kernel_wide`]) evaluates
//! `Π_j P_j` at `0`, `∞` (the leading coefficient, `Π_j (o_j − e_j)`) and `2, ..., K−1`, and
//! adds each product to a [`WideAcc`] without reducing it: one Montgomery reduction per segment
//! and point instead of one per pair. Per pair a degree-2 round then costs two 4×4-limb integer
//! products (16 word multiplications each) instead of two Montgomery multiplications (36).

use ark_ff::Zero;
use rayon::prelude::*;

use crate::field::{F, PAR_THRESHOLD};
use crate::field_ops::{self as fops, WideAcc};
use crate::unipoly::UniPoly;

/// Most evaluation points a kernel may accumulate.
pub(crate) const MAXP: usize = 8;
/// A kernel's accumulator: evaluations of the round polynomial at the kernel's points.
pub(crate) type Acc = [F; MAXP];

#[inline]
pub(crate) fn acc_zero() -> Acc {
    [F::zero(); MAXP]
}

#[inline]
fn acc_add(mut a: Acc, b: Acc) -> Acc {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}

/// Most slots of a [`WideAccs`]: the product kernel of `k ≤ 4` factors uses `k + 1`.
pub(crate) const WIDE_SLOTS: usize = 5;
/// The product kernel's accumulator: unreduced sums of products ([`WideAcc`]), one per slot.
pub(crate) type WideAccs = [WideAcc; WIDE_SLOTS];

/// What a kernel accumulates over the pairs of a round: summed per segment, then the segments'
/// sums are merged.
pub(crate) trait RoundAcc: Copy + Send {
    /// The empty sum.
    fn zero() -> Self;
    /// The sum of two partial sums.
    fn merge(self, other: Self) -> Self;
}

impl RoundAcc for Acc {
    fn zero() -> Self {
        acc_zero()
    }
    fn merge(self, other: Self) -> Self {
        acc_add(self, other)
    }
}

impl RoundAcc for WideAccs {
    fn zero() -> Self {
        [WideAcc::default(); WIDE_SLOTS]
    }
    fn merge(self, other: Self) -> Self {
        std::array::from_fn(|i| self[i].merge(other[i]))
    }
}

/// `K` equally sized multilinear polynomials under a common sequence of bindings.
#[derive(Clone, Debug)]
pub(crate) struct Folded<const K: usize> {
    bufs: [Vec<F>; K],
    seg: usize,
    live: usize,
    nseg: usize,
}

impl<const K: usize> Folded<K> {
    /// Take ownership of `K` evaluation vectors of the same power-of-two length.
    pub(crate) fn new(bufs: [Vec<F>; K]) -> Self {
        let n = bufs.first().map_or(1, Vec::len);
        debug_assert!(n.is_power_of_two() && bufs.iter().all(|b| b.len() == n));
        let nseg = if n >= 4 * PAR_THRESHOLD {
            let target = (rayon::current_num_threads() * 8).next_power_of_two();
            target.min(n / PAR_THRESHOLD)
        } else {
            1
        };
        Self {
            bufs,
            seg: n / nseg,
            live: n / nseg,
            nseg,
        }
    }

    /// Current number of values per polynomial (`2^remaining variables`).
    pub(crate) fn len(&self) -> usize {
        self.nseg * self.live
    }

    /// The values once every variable is bound (`len() == 1`).
    pub(crate) fn final_values(&self) -> [F; K] {
        std::array::from_fn(|j| self.bufs[j].first().copied().unwrap_or_else(F::zero))
    }

    fn segments_mut(&mut self) -> Vec<[&mut [F]; K]> {
        let (seg, nseg) = (self.seg, self.nseg);
        let mut its = self
            .bufs
            .each_mut()
            .map(|b| b[..seg * nseg].chunks_mut(seg));
        (0..nseg)
            .map(|_| its.each_mut().map(|it| it.next().unwrap_or_default()))
            .collect()
    }

    fn maybe_compact(&mut self) {
        if self.nseg > 1 && (self.live < 4 || self.len() < 2 * PAR_THRESHOLD) {
            for b in &mut self.bufs {
                for c in 1..self.nseg {
                    b.copy_within(c * self.seg..c * self.seg + self.live, c * self.live);
                }
            }
            self.live *= self.nseg;
            self.seg = self.live;
            self.nseg = 1;
        }
    }

    /// Evaluate the current round: `kernel(p, even, odd, acc)` for every pair `p`, summed.
    pub(crate) fn eval<A, G>(&self, kernel: &G) -> A
    where
        A: RoundAcc,
        G: Fn(usize, &[F; K], &[F; K], &mut A) + Sync,
    {
        let half = self.live / 2;
        let run = |c: usize| {
            let base = c * self.seg;
            let mut acc = A::zero();
            for l in 0..half {
                let e: [F; K] = std::array::from_fn(|j| self.bufs[j][base + 2 * l]);
                let o: [F; K] = std::array::from_fn(|j| self.bufs[j][base + 2 * l + 1]);
                kernel(c * half + l, &e, &o, &mut acc);
            }
            acc
        };
        if self.nseg == 1 {
            run(0)
        } else {
            (0..self.nseg)
                .into_par_iter()
                .map(run)
                .reduce(A::zero, A::merge)
        }
    }

    /// Bind the lowest remaining variable to `r` (no evaluation).
    pub(crate) fn fold(&mut self, r: F) {
        let live = self.live;
        if self.len() <= 1 {
            return;
        }
        let run = |s: [&mut [F]; K]| {
            for b in s {
                for i in 0..live / 2 {
                    let (e, o) = (b[2 * i], b[2 * i + 1]);
                    b[i] = fops::fold(e, o, r);
                }
            }
        };
        let segs = self.segments_mut();
        if segs.len() == 1 {
            segs.into_iter().for_each(run);
        } else {
            segs.into_par_iter().for_each(run);
        }
        self.live /= 2;
        self.maybe_compact();
    }

    /// Bind the lowest remaining variable to `r`, then evaluate the next round with `kernel`
    /// (`None` if no variable is left). Fused into one pass while segments hold ≥ 4 values.
    pub(crate) fn fold_eval<A, G>(&mut self, r: F, kernel: &G) -> Option<A>
    where
        A: RoundAcc,
        G: Fn(usize, &[F; K], &[F; K], &mut A) + Sync,
    {
        if self.live < 4 {
            self.fold(r);
            return (self.len() >= 2).then(|| self.eval(kernel));
        }
        let quarter = self.live / 4;
        let run = |(c, s): (usize, [&mut [F]; K])| {
            let mut acc = A::zero();
            for q in 0..quarter {
                let mut e = [F::zero(); K];
                let mut o = [F::zero(); K];
                for j in 0..K {
                    let b = &mut *s[j];
                    let (a0, a1, a2, a3) = (b[4 * q], b[4 * q + 1], b[4 * q + 2], b[4 * q + 3]);
                    let f0 = fops::fold(a0, a1, r);
                    let f1 = fops::fold(a2, a3, r);
                    b[2 * q] = f0;
                    b[2 * q + 1] = f1;
                    e[j] = f0;
                    o[j] = f1;
                }
                kernel(c * quarter + q, &e, &o, &mut acc);
            }
            acc
        };
        let segs = self.segments_mut();
        let acc = if segs.len() == 1 {
            segs.into_iter()
                .enumerate()
                .map(run)
                .fold(A::zero(), A::merge)
        } else {
            segs.into_par_iter()
                .enumerate()
                .map(run)
                .reduce(A::zero, A::merge)
        };
        self.live /= 2;
        self.maybe_compact();
        Some(acc)
    }
}

/// Kernel: `Π_j P_j` at the points `0, 2, 3, ..., K` (slots `0, 1, ..., K-1`); with
/// `WITH_ONE`, also at `1` (slot `K`).
#[inline(always)]
pub(crate) fn product_kernel<const K: usize, const WITH_ONE: bool>(
    e: &[F; K],
    o: &[F; K],
    acc: &mut Acc,
    weight: Option<F>,
) {
    let scale = |x: F| match weight {
        Some(w) => x * w,
        None => x,
    };
    let prod = |v: &[F; K]| {
        let mut p = v[0];
        for x in v.iter().skip(1) {
            p *= x;
        }
        p
    };
    acc[0] += scale(prod(e));
    if WITH_ONE {
        acc[K] += scale(prod(o));
    }
    if K >= 2 {
        let d: [F; K] = std::array::from_fn(|j| fops::sub(o[j], e[j]));
        let mut v: [F; K] = std::array::from_fn(|j| fops::add(o[j], d[j]));
        for t in 2..=K {
            acc[t - 1] += scale(prod(&v));
            if t < K {
                for j in 0..K {
                    v[j] = fops::add(v[j], d[j]);
                }
            }
        }
    }
}

/// `acc += Π_j v_j`, the last multiplication left unreduced (delayed reduction).
#[inline(always)]
fn add_product<const K: usize>(v: &[F; K], acc: &mut WideAcc) {
    if K == 1 {
        acc.add_element(v[0]);
    } else {
        let mut p = v[0];
        for x in &v[1..K - 1] {
            p *= x;
        }
        acc.add_product(p, v[K - 1]);
    }
}

/// Kernel of the product sumcheck, with delayed reduction: `s(X) = Π_j P_j(X)` at `0` (slot 0),
/// for `K ≥ 2` its leading coefficient `s(∞) = Π_j (o_j − e_j)` (slot 1) and `s(2), ...,
/// s(K−1)` (slots `2..K`); with `WITH_ONE`, also `s(1)` (slot `K`). Together with
/// `s(1) = claim − s(0)` these are `K + 1` values that fix `s` (see `instances::product`).
#[inline(always)]
pub(crate) fn product_kernel_wide<const K: usize, const WITH_ONE: bool>(
    e: &[F; K],
    o: &[F; K],
    acc: &mut WideAccs,
) {
    add_product(e, &mut acc[0]);
    if WITH_ONE {
        add_product(o, &mut acc[K]);
    }
    if K >= 2 {
        let d: [F; K] = std::array::from_fn(|j| fops::sub(o[j], e[j]));
        add_product(&d, &mut acc[1]);
        if K >= 3 {
            // P_j(2) = o_j + d_j, then + d_j per step.
            let mut v: [F; K] = std::array::from_fn(|j| fops::add(o[j], d[j]));
            for slot in acc.iter_mut().take(K).skip(2) {
                add_product(&v, slot);
                for (x, dj) in v.iter_mut().zip(&d) {
                    *x = fops::add(*x, *dj);
                }
            }
        }
    }
}

/// The kernel sums of [`product_kernel_wide`] as field elements.
pub(crate) fn reduce_wide(acc: WideAccs) -> [F; WIDE_SLOTS] {
    acc.map(|a| a.reduce())
}

/// The round polynomial of a product of `k` factors from [`product_kernel_wide`]'s sums
/// (`s(0)`, for `k ≥ 2` `s(∞)`, then `s(2), ..., s(k−1)`): see
/// [`UniPoly::from_product_sums`].
pub(crate) fn product_round_poly(k: usize, sums: &[F; WIDE_SLOTS], claim: F) -> UniPoly {
    let mid = if k >= 2 { &sums[2..k] } else { &[][..] };
    UniPoly::from_product_sums(k, sums[0], sums[1], mid, claim)
}

/// Kernel: `g(P_1, ..., P_K)` for a combination of degree `degree` at the points
/// `0, 2, ..., degree` (slots `0, ..., degree-1`); with `with_one`, also at `1` (slot `degree`).
#[inline(always)]
pub(crate) fn custom_kernel<const K: usize>(
    e: &[F; K],
    o: &[F; K],
    acc: &mut Acc,
    weight: F,
    degree: usize,
    with_one: bool,
    g: &(dyn Fn(&[F]) -> F + Send + Sync),
) {
    acc[0] += weight * g(e);
    if with_one {
        acc[degree] += weight * g(o);
    }
    let d: [F; K] = std::array::from_fn(|j| fops::sub(o[j], e[j]));
    let mut v: [F; K] = std::array::from_fn(|j| fops::add(o[j], d[j]));
    for t in 2..=degree {
        acc[t - 1] += weight * g(&v);
        for j in 0..K {
            v[j] += d[j];
        }
    }
}

/// A [`Folded`] with the number of polynomials chosen at run time (1 to 4).
#[derive(Clone, Debug)]
pub(crate) enum AnyFolded {
    K1(Folded<1>),
    K2(Folded<2>),
    K3(Folded<3>),
    K4(Folded<4>),
}

/// Run `$body` with `$f` bound to the inner `Folded<K>` and `K` as a const.
macro_rules! with_folded {
    ($any:expr, $f:ident, $k:ident => $body:expr) => {
        match $any {
            $crate::core::AnyFolded::K1($f) => {
                #[allow(dead_code)]
                const $k: usize = 1;
                $body
            }
            $crate::core::AnyFolded::K2($f) => {
                #[allow(dead_code)]
                const $k: usize = 2;
                $body
            }
            $crate::core::AnyFolded::K3($f) => {
                #[allow(dead_code)]
                const $k: usize = 3;
                $body
            }
            $crate::core::AnyFolded::K4($f) => {
                #[allow(dead_code)]
                const $k: usize = 4;
                $body
            }
        }
    };
}
pub(crate) use with_folded;

impl AnyFolded {
    /// Wrap 1 to 4 evaluation vectors of one power-of-two length; `None` otherwise.
    pub(crate) fn new(bufs: Vec<Vec<F>>) -> Option<Self> {
        let n = bufs.first()?.len();
        if !n.is_power_of_two() || bufs.iter().any(|b| b.len() != n) {
            return None;
        }
        let k = bufs.len();
        let mut it = bufs.into_iter();
        let mut next = || it.next().unwrap_or_default();
        Some(match k {
            1 => Self::K1(Folded::new([next()])),
            2 => Self::K2(Folded::new([next(), next()])),
            3 => Self::K3(Folded::new([next(), next(), next()])),
            4 => Self::K4(Folded::new([next(), next(), next(), next()])),
            _ => return None,
        })
    }

    pub(crate) fn len(&self) -> usize {
        with_folded!(self, f, K => f.len())
    }

    pub(crate) fn final_values(&self) -> Vec<F> {
        with_folded!(self, f, K => f.final_values().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mle::MultilinearPoly;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn segmented_folding_matches_reference() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        for n in [0usize, 1, 2, 5, 14, 15] {
            let a: Vec<F> = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
            let b: Vec<F> = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
            let r: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            let mut f = Folded::new([a.clone(), b.clone()]);
            let pa = MultilinearPoly::new(a).unwrap();
            let pb = MultilinearPoly::new(b).unwrap();
            for (i, ri) in r.iter().enumerate() {
                // Round i's sum of even and odd values equals the bound polynomials' sums.
                let acc = f.eval(&|_, e: &[F; 2], o: &[F; 2], acc: &mut Acc| {
                    acc[0] += e[0] + o[0];
                    acc[1] += e[1] + o[1];
                });
                let fa = pa.fix_low_variables(&r[..i]);
                assert_eq!(acc[0], fa.evals().iter().sum::<F>());
                if i % 2 == 0 {
                    f.fold(*ri);
                } else {
                    let _ = f.fold_eval(*ri, &|_, _: &[F; 2], _: &[F; 2], _: &mut Acc| {});
                }
            }
            assert_eq!(f.len(), 1);
            assert_eq!(f.final_values(), [pa.evaluate(&r), pb.evaluate(&r)]);
        }
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    /// Per-pass timings of the degree-2 product at 2^20 (round 0, then each fused
    /// fold-and-evaluate): `cargo test --release -p sumcheck --lib core::timing -- --ignored
    /// --nocapture` (prefix `RAYON_NUM_THREADS=1` for one thread).
    #[test]
    #[ignore]
    fn passes() {
        use std::time::Instant;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let n = 20;
        let a: Vec<F> = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
        let b: Vec<F> = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
        let r = F::rand(&mut rng);
        for _ in 0..5 {
            let mut f = Folded::new([a.clone(), b.clone()]);
            let t = Instant::now();
            let _ = f.eval(&|_, e: &[F; 2], o: &[F; 2], acc: &mut WideAccs| {
                product_kernel_wide::<2, true>(e, o, acc)
            });
            let mut total = t.elapsed().as_secs_f64() * 1e3;
            let mut line = format!("round 0: {total:.1} ms; binds:");
            for _ in 0..n {
                let t = Instant::now();
                let _ = f.fold_eval(r, &|_, e: &[F; 2], o: &[F; 2], acc: &mut WideAccs| {
                    product_kernel_wide::<2, false>(e, o, acc)
                });
                let ms = t.elapsed().as_secs_f64() * 1e3;
                total += ms;
                if ms >= 0.05 {
                    line += &format!(" {ms:.1}");
                }
            }
            println!("{line} | total {total:.1} ms");
        }
    }
}
