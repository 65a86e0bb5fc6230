//! Multi-scalar multiplication behind a backend trait.
//!
//! [`MsmBackend`] is what the commitment scheme calls; [`CpuMsm`] is the reference implementation
//! (the `gpu` crate implements the same trait and is checked against it). [`default_backend`]
//! is the one new prover keys use: the CPU unless
//! [`set_default_backend`] installed another (the `gpu` crate's, chosen by the CLI's `--backend`).
//!
//! Most committed vectors hold small integers (limbs, bits, fixed-point values), so besides the
//! general MSM (arkworks' signed-digit Pippenger) the CPU backend has a dedicated small-scalar path:
//! a bucket method over the magnitudes with the window width chosen for the actual bit length
//! (cost model `⌈bits/c⌉·(n + 2^(c+1))`, windows capped at 13 bits so the buckets stay in L2), negative values handled by subtracting
//! the base from its bucket, and buckets in extended Jacobian (`XYZZ`) coordinates.

use std::sync::{Arc, RwLock};

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, One, PrimeField, Zero};
use rayon::prelude::*;
use sumcheck::F;

/// Small scalars: the fast path of [`MsmBackend::msm_small`].
#[derive(Clone, Copy, Debug)]
pub enum SmallScalars<'a> {
    /// Bits (`0`/`1`).
    Bits(&'a [bool]),
    /// Unsigned 16-bit limbs.
    U16(&'a [u16]),
    /// Signed integers, embedded as `a mod p` (fastest when `|a| < 2^31`; any `i64` works).
    I64(&'a [i64]),
}

impl SmallScalars<'_> {
    /// Number of scalars.
    pub fn len(&self) -> usize {
        match self {
            Self::Bits(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }

    /// True when there are no scalars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scalars as field elements (reference semantics; used by tests and fallbacks).
    pub fn to_field(&self) -> Vec<F> {
        match self {
            Self::Bits(v) => v.par_iter().map(|&b| F::from(b as u64)).collect(),
            Self::U16(v) => v.par_iter().map(|&b| F::from(b as u64)).collect(),
            Self::I64(v) => v
                .par_iter()
                .map(|&a| sumcheck::field::from_i64(a))
                .collect(),
        }
    }
}

/// Scalars of an MSM or a commitment: full field elements or a small-integer vector.
#[derive(Clone, Copy, Debug)]
pub enum Scalars<'a> {
    /// Arbitrary field elements (checked for smallness by [`MsmBackend::msm_auto`]).
    Field(&'a [F]),
    /// Small integers.
    Small(SmallScalars<'a>),
}

impl Scalars<'_> {
    /// Number of scalars.
    pub fn len(&self) -> usize {
        match self {
            Self::Field(v) => v.len(),
            Self::Small(s) => s.len(),
        }
    }

    /// True when there are no scalars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A multi-scalar-multiplication engine over BN254 G1.
///
/// Both methods use the first `scalars.len()` bases; callers guarantee `bases.len() >=
/// scalars.len()` (extra bases are ignored, missing ones would be a caller bug and make the result
/// use fewer terms).
pub trait MsmBackend: Send + Sync + std::fmt::Debug {
    /// A short name for logs ("cpu", "gpu").
    fn name(&self) -> &'static str;
    /// `Σ scalars[i]·bases[i]` for arbitrary field elements.
    fn msm(&self, bases: &[G1Affine], scalars: &[F]) -> G1Projective;
    /// `Σ scalars[i]·bases[i]` for small integer scalars.
    fn msm_small(&self, bases: &[G1Affine], scalars: SmallScalars<'_>) -> G1Projective;
    /// Dispatch on [`Scalars`]; field scalars that all fit an `i64` (as signed values) take the
    /// small path.
    fn msm_auto(&self, bases: &[G1Affine], scalars: Scalars<'_>) -> G1Projective {
        match scalars {
            Scalars::Small(s) => self.msm_small(bases, s),
            Scalars::Field(f) => match field_to_small(f) {
                Some(small) => self.msm_small(bases, SmallScalars::I64(&small)),
                None => self.msm(bases, f),
            },
        }
    }
}

/// If every element is a signed integer of absolute value `< 2^62`, return them as `i64`s.
pub fn field_to_small(v: &[F]) -> Option<Vec<i64>> {
    const LIMIT: u64 = 1 << 62;
    let conv = |x: &F| -> Option<i64> {
        let b = x.into_bigint();
        let limbs = b.as_ref();
        if limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0 && limbs[0] < LIMIT {
            return Some(limbs[0] as i64);
        }
        let nb = (-*x).into_bigint();
        let nl = nb.as_ref();
        if nl[1] == 0 && nl[2] == 0 && nl[3] == 0 && nl[0] < LIMIT {
            return Some(-(nl[0] as i64));
        }
        None
    };
    if v.len() >= 1 << 12 {
        v.par_iter().map(conv).collect()
    } else {
        v.iter().map(conv).collect()
    }
}

/// The CPU backend (arkworks for full scalars, a dedicated bucket method for small ones).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuMsm;

impl MsmBackend for CpuMsm {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn msm(&self, bases: &[G1Affine], scalars: &[F]) -> G1Projective {
        msm_full(bases, scalars)
    }

    fn msm_small(&self, bases: &[G1Affine], scalars: SmallScalars<'_>) -> G1Projective {
        let n = scalars.len().min(bases.len());
        let bases = &bases[..n];
        match scalars {
            SmallScalars::Bits(b) => msm_bits(bases, &b[..n]),
            SmallScalars::U16(v) => {
                let bits = bit_length(v.par_iter().map(|&x| x as u64));
                small_pippenger(bases, bits, |i| (v[i] as u64, false))
            }
            SmallScalars::I64(v) => {
                let bits = bit_length(v.par_iter().map(|&x| x.unsigned_abs()));
                small_pippenger(bases, bits, |i| (v[i].unsigned_abs(), v[i] < 0))
            }
        }
    }
}

/// The process-wide backend that new prover keys use: the CPU unless a caller (the CLI's
/// `--backend`, through the `gpu` crate) installed another with [`set_default_backend`].
pub fn default_backend() -> Arc<dyn MsmBackend> {
    let installed = DEFAULT_BACKEND
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    installed.unwrap_or_else(|| Arc::new(CpuMsm))
}

/// Install the backend returned by [`default_backend`] from now on (prover keys made earlier
/// keep theirs). Every backend computes the same results; this only changes where.
pub fn set_default_backend(backend: Arc<dyn MsmBackend>) {
    *DEFAULT_BACKEND.write().unwrap_or_else(|p| p.into_inner()) = Some(backend);
}

static DEFAULT_BACKEND: RwLock<Option<Arc<dyn MsmBackend>>> = RwLock::new(None);

type Bucket = <G1Projective as VariableBaseMSM>::Bucket;
const ZERO_BUCKET: Bucket = <G1Projective as VariableBaseMSM>::ZERO_BUCKET;

/// Chunk count for a parallel pass over `n` points (at least 2^12 points per chunk).
fn num_chunks(n: usize) -> usize {
    rayon::current_num_threads()
        .max(1)
        .min(n.div_ceil(1 << 12))
        .max(1)
}

fn bit_length(it: impl ParallelIterator<Item = u64>) -> u32 {
    let or = it.reduce(|| 0u64, |a, b| a | b);
    64 - or.leading_zeros()
}

fn msm_bits(bases: &[G1Affine], bits: &[bool]) -> G1Projective {
    let n = bases.len();
    let chunk = n.div_ceil(num_chunks(n)).max(1);
    bases
        .par_chunks(chunk)
        .zip(bits.par_chunks(chunk))
        .map(|(bs, ss)| {
            let mut acc = ZERO_BUCKET;
            for (b, _) in bs.iter().zip(ss).filter(|(_, &s)| s) {
                acc += b;
            }
            let p: G1Projective = acc.into();
            p
        })
        .sum()
}

/// Largest window: 2^13 XYZZ buckets of 128 bytes = 1 MiB per thread, which stays in a core's L2
/// cache. Wider windows (2^16 buckets = 8 MiB) make every bucket update a cache miss and were not
/// faster in our measurements.
const MAX_WINDOW: u32 = 13;

/// Window width minimizing `⌈bits/c⌉·(n + 2^(c+1))` (bucket additions plus bucket reduction),
/// capped at [`MAX_WINDOW`]. For 16-bit scalars this picks two 8-bit windows.
fn window_width(n: usize, bits: u32) -> u32 {
    (1..=bits.min(MAX_WINDOW))
        .min_by_key(|&c| (bits.div_ceil(c) as u64) * (n as u64 + (1u64 << (c + 1))))
        .unwrap_or(1)
}

/// Bucket-method MSM over scalars given as (magnitude, negative) with magnitudes below `2^bits`.
fn small_pippenger(
    bases: &[G1Affine],
    bits: u32,
    scalar: impl Fn(usize) -> (u64, bool) + Sync,
) -> G1Projective {
    let n = bases.len();
    if n == 0 || bits == 0 {
        return G1Projective::zero();
    }
    let c = window_width(n, bits);
    let windows = bits.div_ceil(c);
    let mask = (1u64 << c) - 1;
    let chunks = num_chunks(n);
    let chunk = n.div_ceil(chunks);
    (0..chunks)
        .into_par_iter()
        .map(|k| {
            let lo = k * chunk;
            let hi = ((k + 1) * chunk).min(n);
            let mut buckets = vec![ZERO_BUCKET; 1usize << c];
            let mut total = G1Projective::zero();
            for w in (0..windows).rev() {
                for _ in 0..c {
                    total.double_in_place();
                }
                buckets.iter_mut().for_each(|b| *b = ZERO_BUCKET);
                let shift = w * c;
                for (i, base) in bases.iter().enumerate().take(hi).skip(lo) {
                    let (mag, neg) = scalar(i);
                    let digit = ((mag >> shift) & mask) as usize;
                    if digit != 0 {
                        if neg {
                            buckets[digit] -= base;
                        } else {
                            buckets[digit] += base;
                        }
                    }
                }
                // Σ_d d·bucket[d] with 2·2^c additions: running suffix sums.
                let mut running = ZERO_BUCKET;
                let mut sum = ZERO_BUCKET;
                for b in buckets.iter().skip(1).rev() {
                    running += b;
                    sum += &running;
                }
                let s: G1Projective = sum.into();
                total += s;
            }
            total
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Full-scalar MSM: signed-digit Pippenger with batch-affine bucket accumulation.
// ---------------------------------------------------------------------------------------------

/// Below this size the arkworks MSM is used (batch-affine needs enough points per bucket batch).
const FULL_MSM_MIN: usize = 1 << 10;
/// Additions collected before one shared (Montgomery-batched) inversion.
const AFFINE_BATCH: usize = 512;

/// Window width for a full-scalar MSM of `n` points: minimizes `⌈255/c⌉·(n + 2^c)` over
/// `c ∈ [8, 16]` (with signed digits a window has `2^(c−1)` buckets).
/// Measured at 2^20 on the 2-core box (docs/bench-pcs.md): c = 16 (picked) was at least as fast as
/// 11–14 despite its 2^15 buckets not fitting L2.
fn full_window(n: usize) -> u32 {
    (8..=16u32)
        .min_by_key(|&c| (255u64.div_ceil(c as u64)) * (n as u64 + (1u64 << c)))
        .unwrap_or(12)
}

/// `Σ s_i·P_i` for arbitrary field scalars.
///
/// Signed digits: with `H = Σ_w 2^(c−1)·2^(cw)` and `t = s + H` (`k·c ≥ 255` bits), the digit of
/// window `w` is `d_w = window_w(t) − 2^(c−1) ∈ [−2^(c−1), 2^(c−1))` and `s = Σ d_w 2^(cw)`, so a
/// window needs only `2^(c−1)` buckets (negative digits subtract the base). Each window (one
/// rayon task) accumulates its buckets in affine coordinates, [`AFFINE_BATCH`] additions sharing
/// one inversion; a bucket already waiting in the batch takes the point in a projective overflow
/// bucket instead, and equal-`x` pairs (doubling, cancellation) are handled immediately.
pub fn msm_full(bases: &[G1Affine], scalars: &[F]) -> G1Projective {
    let n = scalars.len().min(bases.len());
    // Zero-padded vectors (the combined polynomial of a batch opening, its folds and quotients)
    // often end in a long run of zeros: drop it.
    let n = scalars[..n]
        .iter()
        .rposition(|s| !s.is_zero())
        .map_or(0, |i| i + 1);
    if n < FULL_MSM_MIN {
        return G1Projective::msm_unchecked(&bases[..n], &scalars[..n]);
    }
    msm_full_with_window(bases, scalars, full_window(n))
}

/// [`msm_full`] with a given window width `c ∈ [4, 16]` (any size).
fn msm_full_with_window(bases: &[G1Affine], scalars: &[F], c: u32) -> G1Projective {
    let n = scalars.len().min(bases.len());
    let k = 255u32.div_ceil(c);
    // H as 5 limbs.
    let mut h = [0u64; 5];
    for w in 0..k {
        let bit = (w * c + c - 1) as usize;
        h[bit / 64] |= 1u64 << (bit % 64);
    }
    let t: Vec<[u64; 5]> = scalars[..n]
        .par_iter()
        .map(|s| {
            let b = s.into_bigint();
            let l = b.as_ref();
            let mut out = [0u64; 5];
            let mut carry = 0u64;
            for i in 0..5 {
                let a = if i < 4 { l[i] } else { 0 };
                let (s1, c1) = a.overflowing_add(h[i]);
                let (s2, c2) = s1.overflowing_add(carry);
                out[i] = s2;
                carry = (c1 as u64) + (c2 as u64);
            }
            out
        })
        .collect();
    let half = 1i64 << (c - 1);
    let mask = (1u64 << c) - 1;
    let digit = |x: &[u64; 5], w: u32| -> i64 {
        let bit = (w * c) as usize;
        let (limb, off) = (bit / 64, bit % 64);
        let mut v = x[limb] >> off;
        if off + c as usize > 64 && limb + 1 < 5 {
            v |= x[limb + 1] << (64 - off);
        }
        (v & mask) as i64 - half
    };
    let bases = &bases[..n];
    let window_sums: Vec<G1Projective> = (0..k)
        .into_par_iter()
        .map(|w| {
            let mut acc = AffineBuckets::new(half as usize);
            for (x, p) in t.iter().zip(bases) {
                let d = digit(x, w);
                if d > 0 {
                    acc.add((d - 1) as usize, *p);
                } else if d < 0 {
                    acc.add((-d - 1) as usize, -*p);
                }
            }
            acc.finish()
        })
        .collect();
    let mut total = G1Projective::zero();
    for s in window_sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    total
}

/// The buckets of one window: affine points (`infinity` = empty), additions batched.
struct AffineBuckets {
    buckets: Vec<G1Affine>,
    overflow: Vec<Bucket>,
    busy: Vec<bool>,
    pending: Vec<(u32, G1Affine)>,
    scratch: Vec<Fq>,
}

impl AffineBuckets {
    fn new(num: usize) -> Self {
        Self {
            buckets: vec![G1Affine::identity(); num],
            overflow: vec![ZERO_BUCKET; num],
            busy: vec![false; num],
            pending: Vec::with_capacity(AFFINE_BATCH),
            scratch: Vec::with_capacity(AFFINE_BATCH),
        }
    }

    /// `bucket[i] += p` (`p` not the identity).
    fn add(&mut self, i: usize, p: G1Affine) {
        if self.busy[i] {
            self.overflow[i] += &p;
            return;
        }
        let b = &mut self.buckets[i];
        if b.is_zero() {
            *b = p;
        } else if b.x == p.x {
            *b = if b.y == p.y {
                b.into_group().double().into_affine()
            } else {
                G1Affine::identity()
            };
        } else {
            self.busy[i] = true;
            self.pending.push((i as u32, p));
            if self.pending.len() == AFFINE_BATCH {
                self.flush();
            }
        }
    }

    /// Complete the pending additions with one inversion (all have distinct `x`).
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // scratch[j] = Π_{l<j} (x_p − x_b)_l; then invert the total product.
        self.scratch.clear();
        let mut prod = Fq::one();
        for (i, p) in &self.pending {
            self.scratch.push(prod);
            prod *= p.x - self.buckets[*i as usize].x;
        }
        let mut inv = prod.inverse().unwrap_or_default();
        for (j, (i, p)) in self.pending.iter().enumerate().rev() {
            let b = &mut self.buckets[*i as usize];
            let dx = p.x - b.x;
            let inv_j = inv * self.scratch[j];
            inv *= dx;
            let lambda = (p.y - b.y) * inv_j;
            let x3 = lambda.square() - b.x - p.x;
            let y3 = lambda * (b.x - x3) - b.y;
            *b = G1Affine::new_unchecked(x3, y3);
            self.busy[*i as usize] = false;
        }
        self.pending.clear();
    }

    /// `Σ_i (i + 1)·bucket[i]` by running suffix sums.
    fn finish(mut self) -> G1Projective {
        self.flush();
        let mut running = ZERO_BUCKET;
        let mut sum = ZERO_BUCKET;
        for (b, o) in self.buckets.iter().zip(&self.overflow).rev() {
            if !b.is_zero() {
                running += b;
            }
            running += o;
            sum += &running;
        }
        sum.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_std::UniformRand;
    use rand::{Rng, SeedableRng};

    fn bases(n: usize, rng: &mut impl rand::RngCore) -> Vec<G1Affine> {
        let g = G1Projective::generator();
        let v: Vec<G1Projective> = (0..n).map(|_| g * F::rand(rng)).collect();
        G1Projective::normalize_batch(&v)
    }

    #[test]
    fn small_paths_match_general_msm() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let cpu = CpuMsm;
        for n in [0usize, 1, 7, 300, 5000] {
            let b = bases(n, &mut rng);
            let bits: Vec<bool> = (0..n).map(|_| rng.gen()).collect();
            let u16s: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
            let i64s: Vec<i64> = (0..n)
                .map(|_| rng.gen_range(-(1i64 << 31)..(1i64 << 31)))
                .collect();
            let wide: Vec<i64> = (0..n).map(|_| rng.gen::<i64>() >> 1).collect();
            for s in [
                SmallScalars::Bits(&bits),
                SmallScalars::U16(&u16s),
                SmallScalars::I64(&i64s),
                SmallScalars::I64(&wide),
            ] {
                let fast = cpu.msm_small(&b, s);
                let slow = cpu.msm(&b, &s.to_field());
                assert_eq!(fast.into_affine(), slow.into_affine(), "n = {n}, {s:?}");
                assert_eq!(cpu.msm_auto(&b, Scalars::Field(&s.to_field())), slow);
            }
        }
    }

    #[test]
    fn extreme_i64_values() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let b = bases(4, &mut rng);
        let v = [i64::MIN, i64::MAX, -1, 0];
        let s = SmallScalars::I64(&v);
        assert_eq!(CpuMsm.msm_small(&b, s), CpuMsm.msm(&b, &s.to_field()));
        // i64::MIN does not fit the "< 2^62" detector; the auto path falls back to the full MSM.
        assert!(field_to_small(&s.to_field()).is_none());
        assert_eq!(
            field_to_small(&[-F::from(5u64), F::from(3u64)]),
            Some(vec![-5, 3])
        );
    }

    #[test]
    fn full_msm_matches_arkworks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        let many = bases(1 << 12, &mut rng);
        for n in [0usize, 1, 5, 1023, 1024, 1500, 4096] {
            let b = &many[..n];
            let mut s: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            // zeros, ±1, p − 1, small values
            for (i, x) in s.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
                *x = match i % 4 {
                    0 => F::zero(),
                    1 => -F::one(),
                    2 => F::one(),
                    _ => F::from(i as u64),
                };
            }
            let want = G1Projective::msm_unchecked(b, &s);
            assert_eq!(msm_full(b, &s).into_affine(), want.into_affine(), "n = {n}");
            assert_eq!(CpuMsm.msm(b, &s), want);
        }
        // Repeated bases (doubling and cancellation inside a bucket), all-equal scalars.
        let n = 3000;
        let rep: Vec<G1Affine> = (0..n).map(|i| many[i % 3]).collect();
        let mut s: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        let want = G1Projective::msm_unchecked(&rep, &s);
        assert_eq!(msm_full(&rep, &s), want);
        let same = vec![F::from(12345u64); n];
        assert_eq!(
            msm_full(&rep, &same),
            G1Projective::msm_unchecked(&rep, &same)
        );
        // P and −P with equal scalars cancel.
        let pm: Vec<G1Affine> = (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    many[i / 2]
                } else {
                    -many[i / 2]
                }
            })
            .collect();
        s.iter_mut().for_each(|x| *x = F::from(99u64));
        assert!(msm_full(&pm, &s).is_zero());
        // Every window width.
        let s: Vec<F> = (0..2048).map(|_| F::rand(&mut rng)).collect();
        let want = G1Projective::msm_unchecked(&many[..2048], &s);
        for c in 4..=16 {
            assert_eq!(msm_full_with_window(&many[..2048], &s, c), want, "c = {c}");
        }
    }
}
