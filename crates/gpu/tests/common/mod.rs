//! Shared setup of the GPU differential tests: the devices to test on.
#![allow(dead_code)]

use std::sync::Arc;

use gpu::Device;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The devices every differential test runs on: the host emulator and the CUDA device when one
/// opens (a notice is printed when it does not). The emulator needs a C++ compiler (`c++`, or
/// `$CXX`); without one the tests fail unless `ZKPOT_SKIP_EMULATOR=1` says to skip it, so that a
/// missing compiler never turns the differential tests into silent passes.
pub fn devices() -> Vec<Arc<Device>> {
    let mut out = Vec::new();
    match Device::host_emulator() {
        Ok(d) => out.push(d),
        Err(e) if std::env::var_os("ZKPOT_SKIP_EMULATOR").is_some() => {
            eprintln!("notice: host emulator skipped (ZKPOT_SKIP_EMULATOR): {e}")
        }
        Err(e) => panic!(
            "host emulator unavailable ({e}); install a C++ compiler or set ZKPOT_SKIP_EMULATOR=1"
        ),
    }
    match Device::cuda() {
        Ok(d) => out.push(d),
        Err(e) => eprintln!("notice: no GPU, CUDA run skipped: {e}"),
    }
    out
}

/// The CUDA device, or `None` with a printed skip notice.
pub fn cuda_or_skip(test: &str) -> Option<Arc<Device>> {
    match Device::cuda() {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("notice: {test} skipped (no GPU): {e}");
            None
        }
    }
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}
