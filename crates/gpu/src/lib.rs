//! # gpu
//!
//! zkpot's GPU backend (SPEC §9): Pippenger MSM over BN254 G1, radix-2 NTT over Fr, and the
//! sumcheck round evaluation and folding of product and eq-weighted instances, as CUDA kernels
//! (`cuda/*.cu`) compiled by NVRTC at run time and driven through `cudarc` with dynamic loading.
//! Nothing CUDA is needed to build or test: without a driver the backend reports a clean error
//! and the CPU path is used; the kernels are tested everywhere through the host emulator
//! ([`device`]).
//!
//! | module | contents |
//! |---|---|
//! | [`device`] | [`Device`]: CUDA (cudarc + NVRTC) or host emulator; buffers and launches |
//! | [`convert`] | arkworks ⇄ device words, without changing the Montgomery representation |
//! | [`msm`] | [`GpuMsm`], the `pcs::msm::MsmBackend` on a device (Pippenger, small-scalar windows) |
//! | [`ntt`] | [`GpuNtt`], the `pcs::ntt::NttBackend` on a device |
//! | [`sumcheck_rounds`] | [`GpuRounds`], the `sumcheck::backend::RoundBackend` on a device |
//! | [`select`] | `--backend auto|cpu|gpu`: open a device and install the backends |

pub mod convert;
pub mod device;
pub mod error;
pub mod msm;
pub mod ntt;
pub mod select;
pub mod sumcheck_rounds;

pub use device::{DevBuf, Device};
pub use error::GpuError;
pub use msm::GpuMsm;
pub use ntt::GpuNtt;
pub use select::{install, BackendChoice, Selection};
pub use sumcheck_rounds::GpuRounds;
