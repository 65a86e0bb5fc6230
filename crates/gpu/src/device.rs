//! Where kernels run: an NVIDIA device (cudarc, kernels compiled by NVRTC) or the host emulator.
//!
//! Every kernel in `cuda/*.cu` takes one argument block [`KArgs`] (eight pointers, eight
//! scalars) and is a grid-stride loop without shared memory or barriers, so its result does not
//! depend on how many threads run it. [`Device`] hides the two ways of running them:
//!
//! - **CUDA**: the driver is loaded dynamically (`cudarc`, no CUDA needed at build time), the
//!   concatenated sources are compiled by NVRTC for the device's architecture on first use, the
//!   PTX is cached on disk (NVRTC takes tens of seconds on them) and the module for the process
//!   ([`Device::cuda`]).
//! - **Host emulator**: the same sources compiled by the system C++ compiler with `ZK_HOST`
//!   defined and loaded as a shared library; a launch calls the kernel once, as a single thread
//!   ([`Device::host_emulator`]). It is slow, and it exists so that every kernel and every line
//!   of the Rust orchestration around it is tested against the CPU reference on machines
//!   without a GPU (CI). Only the CUDA driver calls themselves are not exercised there.
//!
//! Buffers are arrays of 64-bit words ([`DevBuf`]); 32-bit data is packed two per word.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DevicePtr, DeviceRepr,
    LaunchConfig, PushKernelArg,
};

use crate::error::GpuError;

/// All kernel sources, in dependency order, as one translation unit.
pub const KERNEL_SOURCE: &str = concat!(
    include_str!("../../../cuda/prelude.cuh"),
    include_str!("../../../cuda/field.cuh"),
    include_str!("../../../cuda/curve.cuh"),
    include_str!("../../../cuda/arith.cu"),
    include_str!("../../../cuda/msm.cu"),
    include_str!("../../../cuda/ntt.cu"),
    include_str!("../../../cuda/sumcheck.cu"),
);

/// The argument block every kernel takes (`struct KArgs` in `cuda/prelude.cuh`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct KArgs {
    /// Buffer addresses.
    pub p: [u64; 8],
    /// Scalars.
    pub v: [u64; 8],
}

// SAFETY: `KArgs` is `repr(C)` plain data with the layout of the CUDA struct.
unsafe impl DeviceRepr for KArgs {}

/// Threads per block for CUDA launches.
const BLOCK: u32 = 256;
/// Most blocks per launch (grid-stride loops cover the rest).
const MAX_BLOCKS: u64 = 1 << 14;

/// A buffer of 64-bit words on a [`Device`].
#[derive(Debug)]
pub struct DevBuf {
    inner: BufInner,
    words: usize,
}

#[derive(Debug)]
enum BufInner {
    Cuda(CudaSlice<u64>),
    Host(HostBuf),
}

impl DevBuf {
    /// Length in 64-bit words.
    pub fn words(&self) -> usize {
        self.words
    }
}

/// A host allocation addressed by raw pointer, so that emulated kernels may write through it.
#[derive(Debug)]
struct HostBuf {
    ptr: *mut u64,
    len: usize,
}

// SAFETY: the buffer is uniquely owned; kernels touch it only during a launch, which holds the
// device lock.
unsafe impl Send for HostBuf {}
unsafe impl Sync for HostBuf {}

impl HostBuf {
    fn new(data: Vec<u64>) -> Self {
        let boxed = data.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed) as *mut u64;
        Self { ptr, len }
    }

    fn to_vec(&self, n: usize) -> Vec<u64> {
        // SAFETY: `ptr` points to `len` initialized words owned by `self`; `n <= len`.
        unsafe { std::slice::from_raw_parts(self.ptr, n.min(self.len)) }.to_vec()
    }

    fn write(&mut self, data: &[u64]) {
        // SAFETY: as above, and `&mut self` excludes other access.
        let s = unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) };
        s[..data.len()].copy_from_slice(data);
    }
}

impl Drop for HostBuf {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` came from `Box::into_raw` of a boxed slice of that length.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr, self.len)) });
    }
}

type HostKernel = unsafe extern "C" fn(KArgs);

struct CudaDev {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    module: Arc<CudaModule>,
    funcs: HashMap<&'static str, CudaFunction>,
    sm_count: u64,
}

struct HostDev {
    lib: libloading::Library,
    funcs: HashMap<&'static str, HostKernel>,
}

enum Inner {
    Cuda(CudaDev),
    Host(HostDev),
}

/// A place to run kernels: a CUDA device or the host emulator. Operations are serialized by an
/// internal lock (one stream).
pub struct Device {
    inner: Mutex<Inner>,
    description: String,
    emulated: bool,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("description", &self.description)
            .finish()
    }
}

fn driver_err(e: impl std::fmt::Debug) -> GpuError {
    GpuError::Driver(format!("{e:?}"))
}

impl Device {
    /// The process's CUDA device 0, opened and its kernels compiled on first call; the error
    /// (no driver, no device, compilation failure) is cached too.
    pub fn cuda() -> Result<Arc<Device>, GpuError> {
        static CUDA: OnceLock<Result<Arc<Device>, GpuError>> = OnceLock::new();
        CUDA.get_or_init(|| Self::open_cuda().map(Arc::new)).clone()
    }

    /// The process's host emulator, compiled on first call.
    pub fn host_emulator() -> Result<Arc<Device>, GpuError> {
        static HOST: OnceLock<Result<Arc<Device>, GpuError>> = OnceLock::new();
        HOST.get_or_init(|| Self::open_host().map(Arc::new)).clone()
    }

    /// A human-readable description ("NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)", "host emulator").
    pub fn description(&self) -> &str {
        &self.description
    }

    /// True for the host emulator.
    pub fn is_emulated(&self) -> bool {
        self.emulated
    }

    fn open_cuda() -> Result<Device, GpuError> {
        // cudarc panics when a library is missing; check first so that "no CUDA" is an error.
        // SAFETY: these only try to dlopen the libraries.
        if !unsafe { cudarc::driver::sys::is_culib_present() } {
            return Err(GpuError::NoDriver("libcuda not found".into()));
        }
        if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
            return Err(GpuError::NoDriver("libnvrtc not found".into()));
        }
        let opened = std::panic::catch_unwind(|| -> Result<Device, GpuError> {
            let count = CudaContext::device_count().map_err(driver_err)?;
            if count < 1 {
                return Err(GpuError::NoDevice("the driver reports no device".into()));
            }
            let ctx = CudaContext::new(0).map_err(|e| GpuError::NoDevice(format!("{e:?}")))?;
            let (major, minor) = ctx.compute_capability().map_err(driver_err)?;
            let arch: &'static str = Box::leak(format!("sm_{major}{minor}").into_boxed_str());
            let ptx = cached_ptx(arch)?;
            let module = ctx.load_module(ptx).map_err(driver_err)?;
            let stream = ctx.default_stream();
            let sm_count = ctx
                .attribute(
                    cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                )
                .map_err(driver_err)? as u64;
            let name = ctx.name().map_err(driver_err)?;
            let description = format!("{name} ({arch}, {sm_count} SMs)");
            Ok(Device {
                inner: Mutex::new(Inner::Cuda(CudaDev {
                    ctx,
                    stream,
                    module,
                    funcs: HashMap::new(),
                    sm_count,
                })),
                description,
                emulated: false,
            })
        });
        opened.unwrap_or_else(|_| Err(GpuError::NoDriver("the CUDA driver panicked".into())))
    }

    fn open_host() -> Result<Device, GpuError> {
        let dir = emulator_dir()?;
        let src = dir.join("kernels.cpp");
        let lib_path = dir.join("libzkpot_kernels.so");
        let text = format!("#define ZK_HOST 1\n{KERNEL_SOURCE}");
        std::fs::write(&src, text).map_err(|e| GpuError::Emulator(e.to_string()))?;
        let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
        let out = std::process::Command::new(&cxx)
            .args(["-O2", "-std=c++17", "-shared", "-fPIC", "-x", "c++"])
            .arg(&src)
            .arg("-o")
            .arg(&lib_path)
            .output()
            .map_err(|e| GpuError::Emulator(format!("cannot run the C++ compiler `{cxx}`: {e}")))?;
        if !out.status.success() {
            return Err(GpuError::Emulator(format!(
                "the C++ compiler rejected the kernels:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        // SAFETY: the library is the kernels we just compiled; it has no initializers with side
        // effects.
        let lib = unsafe { libloading::Library::new(&lib_path) }
            .map_err(|e| GpuError::Emulator(e.to_string()))?;
        // The loaded library stays mapped; its files are no longer needed.
        let _ = std::fs::remove_dir_all(&dir);
        Ok(Device {
            inner: Mutex::new(Inner::Host(HostDev {
                lib,
                funcs: HashMap::new(),
            })),
            description: "host emulator".into(),
            emulated: true,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A zeroed buffer of `words` 64-bit words.
    pub fn alloc(&self, words: usize) -> Result<DevBuf, GpuError> {
        let inner = match &*self.lock() {
            Inner::Cuda(c) => {
                c.ctx.bind_to_thread().map_err(driver_err)?;
                BufInner::Cuda(
                    c.stream
                        .alloc_zeros::<u64>(words.max(1))
                        .map_err(driver_err)?,
                )
            }
            Inner::Host(_) => BufInner::Host(HostBuf::new(vec![0; words.max(1)])),
        };
        Ok(DevBuf { inner, words })
    }

    /// A buffer holding `data`.
    pub fn upload(&self, data: &[u64]) -> Result<DevBuf, GpuError> {
        if data.is_empty() {
            return self.alloc(0);
        }
        let inner = match &*self.lock() {
            Inner::Cuda(c) => {
                c.ctx.bind_to_thread().map_err(driver_err)?;
                BufInner::Cuda(c.stream.clone_htod(data).map_err(driver_err)?)
            }
            Inner::Host(_) => BufInner::Host(HostBuf::new(data.to_vec())),
        };
        Ok(DevBuf {
            inner,
            words: data.len(),
        })
    }

    /// Overwrite the first `data.len()` words of `buf`.
    pub fn write(&self, buf: &mut DevBuf, data: &[u64]) -> Result<(), GpuError> {
        if data.len() > buf.words {
            return Err(GpuError::Driver("write past the end of a buffer".into()));
        }
        if data.is_empty() {
            return Ok(());
        }
        match (&*self.lock(), &mut buf.inner) {
            (Inner::Cuda(c), BufInner::Cuda(s)) => {
                c.ctx.bind_to_thread().map_err(driver_err)?;
                let mut view = s.slice_mut(..data.len());
                c.stream.memcpy_htod(data, &mut view).map_err(driver_err)
            }
            (Inner::Host(_), BufInner::Host(h)) => {
                h.write(data);
                Ok(())
            }
            _ => Err(GpuError::Driver("buffer from another device".into())),
        }
    }

    /// The first `words` words of `buf`.
    pub fn download(&self, buf: &DevBuf, words: usize) -> Result<Vec<u64>, GpuError> {
        let words = words.min(buf.words);
        if words == 0 {
            return Ok(Vec::new());
        }
        match (&*self.lock(), &buf.inner) {
            (Inner::Cuda(c), BufInner::Cuda(s)) => {
                c.ctx.bind_to_thread().map_err(driver_err)?;
                let view = s.slice(..words);
                c.stream.clone_dtoh(&view).map_err(driver_err)
            }
            (Inner::Host(_), BufInner::Host(h)) => Ok(h.to_vec(words)),
            _ => Err(GpuError::Driver("buffer from another device".into())),
        }
    }

    /// Run `kernel` over `work` items (the grid size; kernels loop over any remainder) with
    /// buffers `bufs` as `p[0..]` and scalars `vals` as `v[0..]`.
    pub fn launch(
        &self,
        kernel: &'static str,
        work: u64,
        bufs: &[&DevBuf],
        vals: &[u64],
    ) -> Result<(), GpuError> {
        assert!(
            bufs.len() <= 8 && vals.len() <= 8,
            "too many kernel arguments"
        );
        let mut args = KArgs::default();
        args.v[..vals.len()].copy_from_slice(vals);
        let mut guard = self.lock();
        match &mut *guard {
            Inner::Cuda(c) => {
                c.ctx.bind_to_thread().map_err(driver_err)?;
                if !c.funcs.contains_key(kernel) {
                    let f = c.module.load_function(kernel).map_err(driver_err)?;
                    c.funcs.insert(kernel, f);
                }
                let f = &c.funcs[kernel];
                let mut syncs = Vec::with_capacity(bufs.len());
                for (slot, b) in args.p.iter_mut().zip(bufs) {
                    match &b.inner {
                        BufInner::Cuda(s) => {
                            let (ptr, sync) = s.device_ptr(&c.stream);
                            *slot = ptr;
                            syncs.push(sync);
                        }
                        BufInner::Host(_) => {
                            return Err(GpuError::Driver("buffer from another device".into()))
                        }
                    }
                }
                let max_blocks = (c.sm_count * 32).clamp(1, MAX_BLOCKS);
                let blocks = work.div_ceil(BLOCK as u64).clamp(1, max_blocks) as u32;
                let cfg = LaunchConfig {
                    grid_dim: (blocks, 1, 1),
                    block_dim: (BLOCK, 1, 1),
                    shared_mem_bytes: 0,
                };
                let mut builder = c.stream.launch_builder(f);
                builder.arg(&args);
                // SAFETY: every kernel takes exactly one `KArgs`; the pointers are live device
                // buffers of this context whose sizes the calling module checked.
                unsafe { builder.launch(cfg) }.map_err(driver_err)?;
                drop(syncs);
                Ok(())
            }
            Inner::Host(h) => {
                if !h.funcs.contains_key(kernel) {
                    // SAFETY: every exported kernel has the signature `void(KArgs)`.
                    let f: HostKernel = unsafe {
                        *h.lib
                            .get::<HostKernel>(kernel.as_bytes())
                            .map_err(|e| GpuError::Emulator(format!("{kernel}: {e}")))?
                    };
                    h.funcs.insert(kernel, f);
                }
                for (slot, b) in args.p.iter_mut().zip(bufs) {
                    match &b.inner {
                        BufInner::Host(hb) => *slot = hb.ptr as u64,
                        BufInner::Cuda(_) => {
                            return Err(GpuError::Driver("buffer from another device".into()))
                        }
                    }
                }
                let f = h.funcs[kernel];
                // SAFETY: as above; the emulated kernel runs on this thread while the device lock
                // is held, and only touches the buffers passed in.
                unsafe { f(args) };
                Ok(())
            }
        }
    }

    /// Wait for all launched work.
    pub fn synchronize(&self) -> Result<(), GpuError> {
        match &*self.lock() {
            Inner::Cuda(c) => c.stream.synchronize().map_err(driver_err),
            Inner::Host(_) => Ok(()),
        }
    }
}

/// Compile [`KERNEL_SOURCE`] to PTX with NVRTC (for `arch`, or NVRTC's default).
pub fn compile_ptx(arch: Option<&'static str>) -> Result<cudarc::nvrtc::Ptx, GpuError> {
    if !nvrtc_available() {
        return Err(GpuError::NoDriver("libnvrtc not found".into()));
    }
    let opts = cudarc::nvrtc::CompileOptions {
        arch,
        options: COMPILE_OPTIONS.iter().map(|o| o.to_string()).collect(),
        name: Some("zkpot_kernels.cu".into()),
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(KERNEL_SOURCE, opts)
        .map_err(|e| GpuError::Compile(format!("{e:?}")))
}

/// [`compile_ptx`] for `arch`, through an on-disk cache: NVRTC takes tens of seconds on these
/// kernels, so the PTX is kept in `$ZKPOT_KERNEL_CACHE`, else `$XDG_CACHE_HOME/zkpot`, else
/// `~/.cache/zkpot`, under a name that hashes the source, the architecture and the options. A
/// cache that cannot be read or written is ignored (the kernels are then compiled every time).
fn cached_ptx(arch: &'static str) -> Result<cudarc::nvrtc::Ptx, GpuError> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(KERNEL_SOURCE.as_bytes());
    h.update(arch.as_bytes());
    h.update(COMPILE_OPTIONS.join(" ").as_bytes());
    let key: String = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = std::env::var_os("ZKPOT_KERNEL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("zkpot")))
        .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/zkpot")));
    let file = dir
        .as_ref()
        .map(|d| d.join(format!("kernels-{arch}-{key}.ptx")));
    if let Some(text) = file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()) {
        if text.contains(".entry") {
            return Ok(cudarc::nvrtc::Ptx::from_src(text));
        }
    }
    eprintln!(
        "compiling the GPU kernels for {arch} with NVRTC (first use; cached in {})",
        dir.as_ref()
            .map_or_else(|| "no cache directory".into(), |d| d.display().to_string())
    );
    let ptx = compile_ptx(Some(arch))?;
    if let (Some(dir), Some(file)) = (dir, file) {
        let tmp = dir.join(format!(".kernels-{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&tmp, ptx.to_src()))
            .and_then(|_| std::fs::rename(&tmp, &file));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    Ok(ptx)
}

/// NVRTC options besides the architecture.
const COMPILE_OPTIONS: &[&str] = &["--std=c++17"];

/// True when NVRTC can be loaded (it can compile kernels even without a GPU).
pub fn nvrtc_available() -> bool {
    // SAFETY: only tries to dlopen the library.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

/// A fresh directory for the emulator's build (per process).
fn emulator_dir() -> Result<PathBuf, GpuError> {
    let dir = std::env::temp_dir().join(format!("zkpot-gpu-emulator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| GpuError::Emulator(e.to_string()))?;
    Ok(dir)
}
