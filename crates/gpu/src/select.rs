//! `--backend auto|cpu|gpu`: decide where the prover's heavy operations run and install the
//! backends process-wide (`pcs::msm::set_default_backend`, `sumcheck::backend::set_round_backend`).
//!
//! - `cpu`: nothing is installed; the CPU engines run.
//! - `gpu`: CUDA device 0 must open (driver loads, device opens, kernels compile), else
//!   [`GpuError`]: the CLI reports it and exits 2.
//! - `auto`: the GPU when it opens, otherwise the CPU, with the reason kept in
//!   [`Selection::fallback_reason`].
//!
//! Install before creating prover keys: a key keeps the MSM backend it was created with.
//! Proofs do not depend on the choice (every backend computes the same values).

use std::str::FromStr;
use std::sync::Arc;

use crate::device::Device;
use crate::error::GpuError;
use crate::msm::GpuMsm;
use crate::sumcheck_rounds::GpuRounds;

/// The backend switch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendChoice {
    /// The GPU when one opens, else the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// The GPU, or an error.
    Gpu,
}

impl FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "gpu" => Ok(Self::Gpu),
            other => Err(format!("unknown backend `{other}` (auto, cpu or gpu)")),
        }
    }
}

/// What [`install`] chose.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The device in use, or `None` for the CPU.
    pub device: Option<Arc<Device>>,
    /// Under `auto`, why the GPU was not used.
    pub fallback_reason: Option<GpuError>,
}

impl Selection {
    /// "cpu" or the device's description.
    pub fn describe(&self) -> String {
        match &self.device {
            Some(d) => format!("gpu: {}", d.description()),
            None => "cpu".into(),
        }
    }
}

/// Resolve `choice` and install the GPU backends when it resolves to a device.
pub fn install(choice: BackendChoice) -> Result<Selection, GpuError> {
    match choice {
        BackendChoice::Cpu => Ok(Selection {
            device: None,
            fallback_reason: None,
        }),
        BackendChoice::Gpu => {
            let device = Device::cuda()?;
            install_device(device.clone());
            Ok(Selection {
                device: Some(device),
                fallback_reason: None,
            })
        }
        BackendChoice::Auto => match Device::cuda() {
            Ok(device) => {
                install_device(device.clone());
                Ok(Selection {
                    device: Some(device),
                    fallback_reason: None,
                })
            }
            Err(e) => Ok(Selection {
                device: None,
                fallback_reason: Some(e),
            }),
        },
    }
}

/// Install `device`'s MSM and sumcheck-round backends process-wide.
pub fn install_device(device: Arc<Device>) {
    pcs::msm::set_default_backend(Arc::new(GpuMsm::new(device.clone())));
    sumcheck::backend::set_round_backend(Arc::new(GpuRounds::new(device)));
}
