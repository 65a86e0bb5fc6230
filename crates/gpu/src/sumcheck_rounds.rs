//! Sumcheck rounds on a [`Device`]: [`GpuRounds`], the `sumcheck::backend::RoundBackend` for
//! product instances `Σ_x Π_{j<k} P_j(x)` and eq-weighted ones `Σ_x eq(τ, x)·Π_{j<k} P_j(x)`
//! (`k = 1..4`), and [`GpuProductProver`], the instance prover it returns (`cuda/sumcheck.cu`).
//!
//! The eq-weighted instance is a plain product of `K = k + 1` factors whose last factor is the
//! eq table, built on the device from two half-size tables (`eq(τ, x)` factors over the
//! coordinates); its final evaluations leave that factor out. All factors live in one device
//! buffer per parity (ping-pong), each round's kernel sums come back as a few partial sums that
//! the host adds, and every `bind` folds and evaluates the next round in one kernel pass. The
//! host rebuilds the round polynomial from `s(0)`, `s(∞)` (leading coefficient), `s(2..K−1)` and
//! `s(1) = claim − s(0)` exactly as the CPU product prover does; the polynomial is determined by
//! the statement and the challenges, so proofs are byte-identical to the CPU engine's.
//!
//! # Device failures
//!
//! [`GpuProductProver::new`] allocates every buffer and runs the first round, so setup failures
//! are errors (and [`GpuRounds`] declines, leaving the instance to the CPU engine). A device that
//! fails later, inside `round_polynomial`, `bind` or `final_evaluations` (which cannot return
//! errors), makes them **panic** with the device error: no host copy of the inputs is kept to
//! resume from, since that would double the host memory of exactly the largest instances.

use std::sync::Arc;

use ark_ff::Zero;
use sumcheck::backend::{BoxedProver, RoundBackend};
use sumcheck::{eq_table, MultilinearPoly, SumcheckInstanceProver, UniPoly, F};

use crate::convert::{fr_from_words, fr_slice_words, fr_vec_from_words, fr_words};
use crate::device::{DevBuf, Device};
use crate::error::GpuError;

/// Field elements per partial sum (`SC_SLOTS` in `cuda/sumcheck.cu`).
const SLOTS: usize = 6;
/// Most factors a product instance has on the device (4 polynomials and the eq table).
const MAX_FACTORS: usize = 5;
/// Most polynomials of an instance (as the CPU engine).
const MAX_POLYS: usize = 4;

/// How many partial sums a round kernel produces and how many the reduction kernel leaves for
/// the host. The emulator gets small values so that its runs exercise every loop of the
/// kernels (several pairs per partial, the reduction) on small inputs.
#[derive(Clone, Copy, Debug)]
struct Tuning {
    max_parts: usize,
    reduce_to: usize,
}

impl Tuning {
    fn for_device(device: &Device) -> Self {
        if device.is_emulated() {
            Self {
                max_parts: 8,
                reduce_to: 4,
            }
        } else {
            Self {
                max_parts: 1 << 16,
                reduce_to: 128,
            }
        }
    }
}

/// The GPU round backend: product and eq-weighted product sumchecks on `device`, for instances
/// of at least `min_vars` variables (smaller ones are declined, the CPU is faster there).
#[derive(Clone, Debug)]
pub struct GpuRounds {
    /// Where the kernels run.
    pub device: Arc<Device>,
    /// Smallest number of variables taken on; smaller instances are declined.
    pub min_vars: usize,
}

impl GpuRounds {
    /// Default of [`GpuRounds::min_vars`]: below `2^14` points the transfers and launches cost
    /// more than the CPU rounds.
    pub const DEFAULT_MIN_VARS: usize = 14;

    /// The backend on `device` with [`Self::DEFAULT_MIN_VARS`].
    pub fn new(device: Arc<Device>) -> Self {
        Self {
            device,
            min_vars: Self::DEFAULT_MIN_VARS,
        }
    }

    /// The same backend taking instances of at least `min_vars` variables (at least 1).
    pub fn with_min_vars(mut self, min_vars: usize) -> Self {
        self.min_vars = min_vars;
        self
    }

    fn takes(&self, polys: &[MultilinearPoly]) -> bool {
        let n = polys.first().map_or(0, MultilinearPoly::num_vars);
        !polys.is_empty()
            && polys.len() <= MAX_POLYS
            && n >= self.min_vars.max(1)
            && polys.iter().all(|p| p.num_vars() == n)
    }
}

impl RoundBackend for GpuRounds {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn product(&self, polys: &[MultilinearPoly]) -> Option<BoxedProver> {
        if !self.takes(polys) {
            return None;
        }
        let p = GpuProductProver::new(self.device.clone(), polys, None).ok()?;
        Some(Box::new(p))
    }

    fn eq_product(&self, tau: &[F], polys: &[MultilinearPoly]) -> Option<BoxedProver> {
        if !self.takes(polys) || polys.first().map(MultilinearPoly::num_vars) != Some(tau.len()) {
            return None;
        }
        let p = GpuProductProver::new(self.device.clone(), polys, Some(tau)).ok()?;
        Some(Box::new(p))
    }
}

type Sums = [F; SLOTS];

/// A product sumcheck (`Σ_x Π_j P_j(x)`, or with `τ` the eq-weighted `Σ_x eq(τ, x)·Π_j P_j(x)`)
/// whose factors live on a device. Same rounds, claim and final evaluations as the CPU
/// `ProductProver` / `ZeroCheckProver` with `Combiner::Product`.
///
/// # Panics
/// `round_polynomial`, `bind` and `final_evaluations` panic if the device fails (see the module
/// docs).
#[derive(Debug)]
pub struct GpuProductProver {
    device: Arc<Device>,
    tuning: Tuning,
    num_vars: usize,
    /// Factors on the device (`k`, plus one for the eq table).
    factors: usize,
    /// Polynomials reported in the final evaluations (`k`).
    polys: usize,
    claim: F,
    /// Ping-pong buffers: `bufs[0]` holds `factors·2^n` elements, `bufs[1]` half of that.
    bufs: [DevBuf; 2],
    /// Which buffer holds the current factors.
    cur: usize,
    /// Current length of each factor.
    len: usize,
    partials: DevBuf,
    reduced: DevBuf,
    /// The current round's sums, computed by the previous pass.
    cached: Option<Sums>,
}

impl GpuProductProver {
    /// Upload `polys` (`1..=4` polynomials on the same `n ≥ 1` variables), with `tau` (`n`
    /// entries) build the eq table as a last factor, and evaluate the first round (which gives
    /// the claim). Every device buffer is allocated here.
    pub fn new(
        device: Arc<Device>,
        polys: &[MultilinearPoly],
        tau: Option<&[F]>,
    ) -> Result<Self, GpuError> {
        let k = polys.len();
        let n = polys.first().map_or(0, MultilinearPoly::num_vars);
        if k == 0 || k > MAX_POLYS || polys.iter().any(|p| p.num_vars() != n) {
            return Err(GpuError::Unsupported(
                "product sumcheck needs 1 to 4 polynomials with the same number of variables"
                    .into(),
            ));
        }
        if n == 0 || n >= usize::BITS as usize - 8 {
            return Err(GpuError::Unsupported(format!(
                "product sumcheck on {n} variables"
            )));
        }
        if tau.is_some_and(|t| t.len() != n) {
            return Err(GpuError::Unsupported(
                "eq-weighted product: tau must have one entry per variable".into(),
            ));
        }
        let factors = k + usize::from(tau.is_some());
        debug_assert!(factors <= MAX_FACTORS);
        let m = 1usize << n;
        let tuning = Tuning::for_device(&device);

        let mut a = device.alloc(4 * factors * m)?;
        let b = device.alloc(4 * factors * (m / 2))?;
        let partials = device.alloc(4 * SLOTS * tuning.max_parts.min(m / 2))?;
        let reduced = device.alloc(4 * SLOTS * tuning.reduce_to)?;
        let mut words = Vec::with_capacity(4 * k * m);
        for p in polys {
            words.extend_from_slice(&fr_slice_words(p.evals()));
        }
        device.write(&mut a, &words)?;
        drop(words);
        if let Some(tau) = tau {
            let lo_bits = n / 2;
            let lo = device.upload(&fr_slice_words(&eq_table(&tau[..lo_bits])))?;
            let hi = device.upload(&fr_slice_words(&eq_table(&tau[lo_bits..])))?;
            device.launch(
                "sc_eq_table",
                m as u64,
                &[&lo, &hi, &a],
                &[m as u64, lo_bits as u64, (k * m) as u64],
            )?;
        }
        let mut me = Self {
            device,
            tuning,
            num_vars: n,
            factors,
            polys: k,
            claim: F::zero(),
            bufs: [a, b],
            cur: 0,
            len: m,
            partials,
            reduced,
            cached: None,
        };
        let sums = me.eval(true)?;
        me.claim = sums[0] + sums[1];
        me.cached = Some(sums);
        Ok(me)
    }

    fn parts(&self, pairs: usize) -> usize {
        pairs.clamp(1, self.tuning.max_parts)
    }

    /// The current round's sums (`s(1)` too with `with_one`).
    fn eval(&self, with_one: bool) -> Result<Sums, GpuError> {
        let half = self.len / 2;
        let parts = self.parts(half);
        self.device.launch(
            "sc_round",
            parts as u64,
            &[&self.bufs[self.cur], &self.partials],
            &[
                half as u64,
                self.factors as u64,
                parts as u64,
                u64::from(with_one),
            ],
        )?;
        self.collect(parts)
    }

    /// Add the `parts` partial sums in `self.partials` (on the device first when there are many).
    fn collect(&self, parts: usize) -> Result<Sums, GpuError> {
        let words = if parts > self.tuning.reduce_to {
            let parts2 = self.tuning.reduce_to;
            self.device.launch(
                "sc_reduce",
                (parts2 * SLOTS) as u64,
                &[&self.partials, &self.reduced],
                &[parts as u64, parts2 as u64],
            )?;
            self.device.download(&self.reduced, 4 * SLOTS * parts2)?
        } else {
            self.device.download(&self.partials, 4 * SLOTS * parts)?
        };
        let mut sums = [F::zero(); SLOTS];
        for part in words.chunks_exact(4 * SLOTS) {
            for (s, w) in sums.iter_mut().zip(part.chunks_exact(4)) {
                *s += fr_from_words(w);
            }
        }
        Ok(sums)
    }

    /// Fold the current factors with `r` into the other buffer; when another round follows, its
    /// sums are computed in the same pass.
    fn fold(&mut self, r: F) -> Result<Option<Sums>, GpuError> {
        if self.len < 2 {
            return Ok(None);
        }
        let rw = fr_words(&r);
        let (src, dst) = (&self.bufs[self.cur], &self.bufs[1 - self.cur]);
        let sums = if self.len >= 4 {
            let nh = self.len / 4;
            let parts = self.parts(nh);
            self.device.launch(
                "sc_fold_round",
                parts as u64,
                &[src, dst, &self.partials],
                &[
                    nh as u64,
                    self.factors as u64,
                    parts as u64,
                    rw[0],
                    rw[1],
                    rw[2],
                    rw[3],
                ],
            )?;
            Some(self.collect(parts)?)
        } else {
            let len = self.len / 2;
            self.device.launch(
                "sc_fold",
                (self.factors * len) as u64,
                &[src, dst],
                &[len as u64, self.factors as u64, rw[0], rw[1], rw[2], rw[3]],
            )?;
            None
        };
        self.cur = 1 - self.cur;
        self.len /= 2;
        Ok(sums)
    }

    /// `P_0(r), ..., P_{k−1}(r)` once every variable is bound.
    fn finals(&self) -> Result<Vec<F>, GpuError> {
        let words = self.device.download(&self.bufs[self.cur], 4 * self.polys)?;
        Ok(fr_vec_from_words(&words))
    }
}

/// The round polynomial of a product of `k` factors from its sums (module docs of
/// `cuda/sumcheck.cu`) and the claim: `s(X) = s(∞)·X^k + q(X)` with `q` interpolated from
/// `q(t) = s(t) − s(∞)·t^k` at `t = 0..k−1`, as the CPU product prover builds it.
fn round_poly(k: usize, sums: &Sums, claim: F) -> UniPoly {
    let mid = if k >= 2 { &sums[3..k + 1] } else { &[][..] };
    UniPoly::from_product_sums(k, sums[0], sums[2], mid, claim)
}

fn device_failed(what: &str, e: GpuError) -> ! {
    panic!("GPU sumcheck: the device failed during {what}: {e}")
}

impl SumcheckInstanceProver for GpuProductProver {
    fn num_rounds(&self) -> usize {
        self.num_vars
    }

    fn degree(&self) -> usize {
        self.factors
    }

    fn input_claim(&self) -> F {
        self.claim
    }

    fn round_polynomial(&mut self, _round: usize, previous_claim: F) -> UniPoly {
        let sums = match self.cached.take() {
            Some(s) => s,
            None => self
                .eval(false)
                .unwrap_or_else(|e| device_failed("a round evaluation", e)),
        };
        round_poly(self.factors, &sums, previous_claim)
    }

    fn bind(&mut self, r: F) {
        self.cached = self.fold(r).unwrap_or_else(|e| device_failed("a fold", e));
    }

    fn final_evaluations(&self) -> Vec<F> {
        if self.len == 1 {
            self.finals()
                .unwrap_or_else(|e| device_failed("the final download", e))
        } else {
            vec![F::zero(); self.polys]
        }
    }
}
