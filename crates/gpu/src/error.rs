//! The GPU backend's errors.

/// Why the GPU backend cannot run (or failed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// The CUDA driver or NVRTC library could not be loaded.
    #[error("no CUDA driver: {0}")]
    NoDriver(String),
    /// The driver loaded but no device opened.
    #[error("no CUDA device: {0}")]
    NoDevice(String),
    /// NVRTC rejected the kernels.
    #[error("kernel compilation failed: {0}")]
    Compile(String),
    /// A driver call failed.
    #[error("CUDA driver error: {0}")]
    Driver(String),
    /// The host emulator could not be built or loaded.
    #[error("host emulator: {0}")]
    Emulator(String),
    /// The input does not fit the kernels' limits.
    #[error("unsupported input: {0}")]
    Unsupported(String),
}
