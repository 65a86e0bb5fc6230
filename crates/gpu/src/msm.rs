//! [`GpuMsm`]: the `pcs` MSM backend on a [`Device`] (kernels in `cuda/msm.cu`).
//!
//! Pippenger with `W = ⌈b/c⌉` windows of `c` bits over scalars of `b` bits: 254 for field
//! scalars, the actual bit length for small ones (bits, `u16` limbs, signed `i64`, whose sign
//! negates the base). The device sorts the (window, digit) entries into buckets, sums each bucket
//! in work items of at most `K` points (so a bucket holding most of the points, as with bits or
//! skewed fixed-point values, is still summed in parallel), and reduces each window to
//! `Σ_d d·B_d` by segmented running sums; the host combines the `W` window sums
//! `Σ_w 2^{cw}·S_w` (Horner, `c·(W−1)` doublings).
//!
//! Window width: `c = clamp(⌊log2 n⌋ − 2, 4, 16)`, capped at `b`; `c = 1` for bits.
//!
//! The bases of the last call stay on the device: a later call with the same slice (or a prefix
//! of it) skips the upload. The cache is keyed by address and length and checked against a sample
//! of the points (the first 64 and every 1024th), so a different SRS at a reused address is never
//! mistaken for the cached one.
//!
//! A device failure inside the trait methods (which cannot return errors) is reported on stderr
//! and the call is answered by the CPU backend, so results never depend on the device's health.

use std::sync::{Arc, Mutex};

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::AdditiveGroup;
use ark_ff::Zero;
use pcs::msm::{CpuMsm, MsmBackend, SmallScalars};
use rayon::prelude::*;
use sumcheck::F;

use crate::convert::{affine_slice_words, fr_slice_words, xyzz_from_words};
use crate::device::{DevBuf, Device};
use crate::error::GpuError;

/// Words per affine base and per XYZZ point on the device.
const AFFINE_WORDS: usize = 8;
const XYZZ_WORDS: usize = 16;

/// The MSM backend on a device.
#[derive(Debug)]
pub struct GpuMsm {
    device: Arc<Device>,
    bases: Mutex<Option<CachedBases>>,
}

#[derive(Debug)]
struct CachedBases {
    addr: usize,
    len: usize,
    sample: Vec<(usize, [u64; AFFINE_WORDS])>,
    buf: DevBuf,
}

/// Positions of the bases sampled to recognize a cached slice.
fn sample_positions(len: usize) -> impl Iterator<Item = usize> {
    (0..len.min(64)).chain((1024..len).step_by(1024))
}

fn base_words(p: &G1Affine) -> [u64; AFFINE_WORDS] {
    let mut w = [0u64; AFFINE_WORDS];
    w.copy_from_slice(&affine_slice_words(std::slice::from_ref(p)));
    w
}

/// Scalars in device form: `limbs` canonical (or Montgomery, for field scalars) words each,
/// optional signs, and the bit length `b` that sets the windows.
struct DeviceScalars {
    words: Vec<u64>,
    limbs: u32,
    signs: Option<Vec<u64>>,
    bits: u32,
    montgomery: bool,
}

/// The launch plan of one MSM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsmPlan {
    /// Window bits `c`.
    pub c: u32,
    /// Windows `W`.
    pub windows: u32,
    /// Points per work item `K`.
    pub k: u32,
    /// Work-item slots per window (`⌈n/K⌉ + 2^c`).
    pub imax: u64,
    /// Reduction segments per window.
    pub nseg: u64,
}

impl MsmPlan {
    /// The plan for `n` points and `bits`-bit scalars.
    pub fn new(n: usize, bits: u32) -> Self {
        let logn = usize::BITS - n.max(1).leading_zeros();
        let c = if bits <= 1 {
            1
        } else {
            logn.saturating_sub(3).clamp(4, 16).min(bits)
        };
        let windows = bits.max(1).div_ceil(c);
        let k = (1u32 << (logn / 2)).clamp(32, 4096);
        let buckets = 1u64 << c;
        let imax = (n as u64).div_ceil(k as u64) + buckets;
        let nseg = buckets >> (c / 2);
        Self {
            c,
            windows,
            k,
            imax,
            nseg,
        }
    }
}

impl GpuMsm {
    /// The backend on `device`.
    pub fn new(device: Arc<Device>) -> Self {
        Self {
            device,
            bases: Mutex::new(None),
        }
    }

    /// The device.
    pub fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// `Σ scalars[i]·bases[i]` for field scalars, with device errors returned.
    pub fn try_msm(&self, bases: &[G1Affine], scalars: &[F]) -> Result<G1Projective, GpuError> {
        let n = scalars.len().min(bases.len());
        let s = DeviceScalars {
            words: fr_slice_words(&scalars[..n]),
            limbs: 4,
            signs: None,
            bits: 254,
            montgomery: true,
        };
        self.run(&bases[..n], n, s)
    }

    /// `Σ scalars[i]·bases[i]` for small scalars, with device errors returned.
    pub fn try_msm_small(
        &self,
        bases: &[G1Affine],
        scalars: SmallScalars<'_>,
    ) -> Result<G1Projective, GpuError> {
        let n = scalars.len().min(bases.len());
        let (words, signs): (Vec<u64>, Option<Vec<u64>>) = match scalars {
            SmallScalars::Bits(b) => (b[..n].par_iter().map(|&x| x as u64).collect(), None),
            SmallScalars::U16(v) => (v[..n].par_iter().map(|&x| x as u64).collect(), None),
            SmallScalars::I64(v) => {
                let mags = v[..n].par_iter().map(|x| x.unsigned_abs()).collect();
                let signs = v[..n]
                    .par_chunks(2)
                    .map(|p| {
                        let lo = (p[0] < 0) as u64;
                        let hi = p.get(1).map_or(0, |&x| (x < 0) as u64);
                        lo | hi << 32
                    })
                    .collect();
                (mags, Some(signs))
            }
        };
        let or = words.par_iter().copied().reduce(|| 0, |a, b| a | b);
        let bits = (64 - or.leading_zeros()).max(1);
        let s = DeviceScalars {
            words,
            limbs: 1,
            signs,
            bits,
            montgomery: false,
        };
        self.run(&bases[..n], n, s)
    }

    /// Upload `bases` unless they are the cached ones (or a prefix of them); run `f` on the
    /// device buffer.
    fn with_bases<T>(
        &self,
        bases: &[G1Affine],
        f: impl FnOnce(&DevBuf) -> Result<T, GpuError>,
    ) -> Result<T, GpuError> {
        let mut cache = self.bases.lock().unwrap_or_else(|p| p.into_inner());
        let addr = bases.as_ptr() as usize;
        let hit = cache.as_ref().is_some_and(|c| {
            c.addr == addr
                && c.len >= bases.len()
                && c.sample
                    .iter()
                    .filter(|(i, _)| *i < bases.len())
                    .all(|(i, w)| base_words(&bases[*i]) == *w)
        });
        if !hit {
            *cache = None; // free the old buffer first
            let buf = self.device.upload(&affine_slice_words(bases))?;
            let sample = sample_positions(bases.len())
                .map(|i| (i, base_words(&bases[i])))
                .collect();
            *cache = Some(CachedBases {
                addr,
                len: bases.len(),
                sample,
                buf,
            });
        }
        let cached = cache
            .as_ref()
            .ok_or_else(|| GpuError::Driver("bases cache".into()))?;
        f(&cached.buf)
    }

    fn run(
        &self,
        bases: &[G1Affine],
        n: usize,
        s: DeviceScalars,
    ) -> Result<G1Projective, GpuError> {
        if n == 0 || s.words.iter().all(|&w| w == 0) {
            return Ok(G1Projective::zero());
        }
        if n >= 1 << 31 {
            return Err(GpuError::Unsupported(format!(
                "{n} points (at most 2^31 - 1)"
            )));
        }
        let plan = MsmPlan::new(n, s.bits);
        if (n as u64) * plan.windows as u64 >= 1 << 32 {
            return Err(GpuError::Unsupported(format!(
                "{n} points × {} windows exceeds the 32-bit entry index",
                plan.windows
            )));
        }
        let windows = self.with_bases(bases, |dbases| self.launch_all(dbases, n, &s, plan))?;
        // Σ_w 2^{cw}·S_w by Horner.
        let mut acc = G1Projective::zero();
        for w in windows.iter().rev() {
            for _ in 0..plan.c {
                acc.double_in_place();
            }
            acc += w;
        }
        Ok(acc)
    }

    fn launch_all(
        &self,
        dbases: &DevBuf,
        n: usize,
        s: &DeviceScalars,
        plan: MsmPlan,
    ) -> Result<Vec<G1Projective>, GpuError> {
        let d = &self.device;
        let (n64, w64, c64, k64) = (n as u64, plan.windows as u64, plan.c as u64, plan.k as u64);
        let buckets = 1u64 << plan.c;
        let wb = (w64 * buckets) as usize;
        let u32_words = |count: usize| count.div_ceil(2);

        let scalars = d.upload(&s.words)?;
        if s.montgomery {
            d.launch("msm_scalars_from_mont", n64, &[&scalars], &[n64])?;
        }
        let limbs = s.limbs as u64;
        let count = d.alloc(u32_words(wb))?;
        d.launch(
            "msm_count",
            n64,
            &[&scalars, &count],
            &[n64, limbs, w64, c64],
        )?;
        let off = d.alloc(u32_words(wb))?;
        let cursor = d.alloc(u32_words(wb))?;
        let item_off = d.alloc(u32_words(wb))?;
        d.launch(
            "msm_scan",
            w64,
            &[&count, &off, &cursor, &item_off],
            &[n64, w64, c64, k64, plan.imax],
        )?;
        let entries = d.alloc(u32_words(n * plan.windows as usize))?;
        let signs = s.signs.as_ref().map(|v| d.upload(v)).transpose()?;
        let mut scatter_bufs = vec![&scalars, &cursor, &entries];
        if let Some(sg) = &signs {
            scatter_bufs.push(sg);
        }
        d.launch("msm_scatter", n64, &scatter_bufs, &[n64, limbs, w64, c64])?;
        drop(cursor);
        drop(signs);
        drop(scalars);
        let slots = w64 * plan.imax;
        let item_start = d.alloc(u32_words(slots as usize))?;
        let item_len = d.alloc(u32_words(slots as usize))?;
        d.launch(
            "msm_items",
            w64 * buckets,
            &[&count, &off, &item_off, &item_start, &item_len],
            &[w64, c64, k64],
        )?;
        drop(off);
        let partial = d.alloc(slots as usize * XYZZ_WORDS)?;
        d.launch(
            "msm_acc_items",
            slots,
            &[dbases, &entries, &item_start, &item_len, &partial],
            &[slots],
        )?;
        drop((entries, item_start, item_len));
        let bucket = d.alloc(wb * XYZZ_WORDS)?;
        d.launch(
            "msm_acc_buckets",
            w64 * buckets,
            &[&count, &item_off, &partial, &bucket],
            &[w64, c64, k64],
        )?;
        drop((partial, count, item_off));
        let segs = (w64 * plan.nseg) as usize;
        let seg_local = d.alloc(segs * XYZZ_WORDS)?;
        let seg_total = d.alloc(segs * XYZZ_WORDS)?;
        d.launch(
            "msm_reduce_segments",
            segs as u64,
            &[&bucket, &seg_local, &seg_total],
            &[w64, c64, plan.nseg],
        )?;
        drop(bucket);
        let win = d.alloc(plan.windows as usize * XYZZ_WORDS)?;
        let log_s = (buckets / plan.nseg).trailing_zeros() as u64;
        d.launch(
            "msm_reduce_windows",
            w64,
            &[&seg_local, &seg_total, &win],
            &[w64, plan.nseg, log_s],
        )?;
        let words = d.download(&win, plan.windows as usize * XYZZ_WORDS)?;
        Ok(words
            .chunks_exact(XYZZ_WORDS)
            .map(xyzz_from_words)
            .collect())
    }

    fn fallback(&self, what: &str, e: &GpuError) {
        eprintln!(
            "warning: GPU MSM ({what}) failed on {}: {e}; using the CPU",
            self.device.description()
        );
    }
}

impl MsmBackend for GpuMsm {
    fn name(&self) -> &'static str {
        if self.device.is_emulated() {
            "gpu-emulator"
        } else {
            "gpu"
        }
    }

    fn msm(&self, bases: &[G1Affine], scalars: &[F]) -> G1Projective {
        self.try_msm(bases, scalars).unwrap_or_else(|e| {
            self.fallback("field scalars", &e);
            CpuMsm.msm(bases, scalars)
        })
    }

    fn msm_small(&self, bases: &[G1Affine], scalars: SmallScalars<'_>) -> G1Projective {
        self.try_msm_small(bases, scalars).unwrap_or_else(|e| {
            self.fallback("small scalars", &e);
            CpuMsm.msm_small(bases, scalars)
        })
    }
}
