//! [`GpuNtt`]: the radix-2 NTT ([`pcs::ntt::NttBackend`]) on a [`Device`].
//!
//! A transform of `n = 2^L` elements runs the kernels of `cuda/ntt.cu` in place on one buffer:
//! `ntt_bitrev` (bit-reversal permutation), then the `L` decimation-in-time butterfly layers in
//! `⌈L / k⌉` launches that each do up to `k` consecutive layers in registers (`ntt_stage`,
//! `ntt_stage2`, `ntt_stage3`, `ntt_stage4`; [`GpuNtt::with_max_fused_layers`], default
//! [`DEFAULT_FUSED_LAYERS`]), then, for the inverse, `ntt_scale` by `n^{-1}`. The twiddle tables
//! `ω^j` (`j < n/2`, `ω` = arkworks' `group_gen`, or `group_gen_inv` for the inverse) are computed
//! on the host and cached on the device per size and direction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ark_ff::{Field, Zero};
use pcs::ntt::{domain, log2_len, NttBackend, NttError};
use rayon::prelude::*;
use sumcheck::F;

use crate::convert::{fr_from_words, fr_slice_words, fr_words};
use crate::device::{DevBuf, Device};
use crate::error::GpuError;

/// The kernels doing 1, 2, 3, 4 consecutive butterfly layers per launch.
const STAGE_KERNELS: [&str; 4] = ["ntt_stage", "ntt_stage2", "ntt_stage3", "ntt_stage4"];

/// Most butterfly layers one launch can do.
pub const MAX_FUSED_LAYERS: u32 = STAGE_KERNELS.len() as u32;

/// Layers per launch unless set otherwise: 8 elements per thread in registers (152 registers on
/// sm_90, no spills; 4 layers spill a little).
pub const DEFAULT_FUSED_LAYERS: u32 = 3;

fn backend_err(e: GpuError) -> NttError {
    NttError::Backend(e.to_string())
}

/// The NTT on a GPU (or the host emulator).
#[derive(Debug)]
pub struct GpuNtt {
    device: Arc<Device>,
    max_fused: u32,
    /// Twiddle tables on the device, by `(log2 n, inverse)`.
    twiddles: Mutex<HashMap<(u32, bool), Arc<DevBuf>>>,
}

impl GpuNtt {
    /// The NTT on `device`.
    pub fn new(device: Arc<Device>) -> Self {
        Self {
            device,
            max_fused: DEFAULT_FUSED_LAYERS,
            twiddles: Mutex::new(HashMap::new()),
        }
    }

    /// Do up to `k` butterfly layers per launch (clamped to `1..=MAX_FUSED_LAYERS`): fewer passes
    /// over memory, more registers per thread.
    pub fn with_max_fused_layers(mut self, k: u32) -> Self {
        self.max_fused = k.clamp(1, MAX_FUSED_LAYERS);
        self
    }

    /// The device the transforms run on.
    pub fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// Forget the cached twiddle tables (frees their device memory once no transform uses them).
    pub fn clear_cache(&self) {
        self.cache().clear();
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<(u32, bool), Arc<DevBuf>>> {
        self.twiddles.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The table `ω^j`, `j < n/2`, for `n = 2^log_n` (`ω^{-1}` when `inverse`), on the device.
    fn twiddles(&self, log_n: u32, inverse: bool) -> Result<Arc<DevBuf>, NttError> {
        if let Some(t) = self.cache().get(&(log_n, inverse)) {
            return Ok(Arc::clone(t));
        }
        let d = domain(1 << log_n)?;
        let g = if inverse {
            d.group_gen_inv
        } else {
            d.group_gen
        };
        let table = powers(g, (1usize << log_n) / 2);
        let buf = Arc::new(
            self.device
                .upload(&fr_slice_words(&table))
                .map_err(backend_err)?,
        );
        // Another thread may have raced us here; either table is the same.
        Ok(Arc::clone(
            self.cache().entry((log_n, inverse)).or_insert(buf),
        ))
    }

    /// Transform, in place, the first `n` elements (`4n` words) of a buffer already on the
    /// device: the NTT, or the inverse NTT when `inverse`. The launches are queued on the
    /// device's stream; [`Device::synchronize`] or a download waits for them.
    pub fn ntt_device(&self, buf: &mut DevBuf, n: usize, inverse: bool) -> Result<(), NttError> {
        let log_n = log2_len(n)?;
        if buf.words() < 4 * n {
            return Err(NttError::Backend(format!(
                "buffer of {} words holds fewer than {n} field elements",
                buf.words()
            )));
        }
        if n == 1 {
            return Ok(());
        }
        let tw = self.twiddles(log_n, inverse)?;
        let dev = &self.device;
        let (n64, l64) = (n as u64, u64::from(log_n));
        dev.launch("ntt_bitrev", n64, &[&*buf], &[n64, l64])
            .map_err(backend_err)?;
        let mut s = 0;
        while s < log_n {
            let k = self.max_fused.min(log_n - s);
            dev.launch(
                STAGE_KERNELS[(k - 1) as usize],
                n64 >> k,
                &[&*buf, &tw],
                &[n64, l64, u64::from(s)],
            )
            .map_err(backend_err)?;
            s += k;
        }
        if inverse {
            let c = fr_words(&domain(n)?.size_inv);
            dev.launch("ntt_scale", n64, &[&*buf], &[n64, c[0], c[1], c[2], c[3]])
                .map_err(backend_err)?;
        }
        Ok(())
    }

    fn transform(&self, values: &mut [F], inverse: bool) -> Result<(), NttError> {
        let n = values.len();
        log2_len(n)?;
        if n == 1 {
            return Ok(());
        }
        let mut buf = self
            .device
            .upload(&fr_slice_words(values))
            .map_err(backend_err)?;
        self.ntt_device(&mut buf, n, inverse)?;
        let words = self.device.download(&buf, 4 * n).map_err(backend_err)?;
        if words.len() != 4 * n {
            return Err(NttError::Backend(format!(
                "downloaded {} words, expected {}",
                words.len(),
                4 * n
            )));
        }
        values
            .par_chunks_mut(1 << 12)
            .zip(words.par_chunks(4 << 12))
            .for_each(|(v, w)| {
                for (v, w) in v.iter_mut().zip(w.chunks_exact(4)) {
                    *v = fr_from_words(w);
                }
            });
        Ok(())
    }
}

impl NttBackend for GpuNtt {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn ntt(&self, values: &mut [F]) -> Result<(), NttError> {
        self.transform(values, false)
    }

    fn intt(&self, values: &mut [F]) -> Result<(), NttError> {
        self.transform(values, true)
    }
}

/// `g^0, ..., g^{count-1}`, in parallel chunks.
fn powers(g: F, count: usize) -> Vec<F> {
    const CHUNK: usize = 1 << 12;
    let mut out = vec![F::zero(); count];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let mut x = g.pow([(c * CHUNK) as u64]);
            for y in chunk {
                *y = x;
                x *= g;
            }
        });
    out
}
