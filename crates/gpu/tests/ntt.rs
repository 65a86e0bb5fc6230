//! The NTT kernels (`cuda/ntt.cu`) through [`GpuNtt`] against the CPU reference [`CpuNtt`], on
//! the host emulator and, where one opens, the GPU.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use ark_ff::{One, UniformRand, Zero};
use gpu::convert::{fr_slice_words, fr_vec_from_words};
use gpu::ntt::MAX_FUSED_LAYERS;
use gpu::{Device, GpuNtt};
use pcs::ntt::{CpuNtt, NttBackend, NttError};
use sumcheck::F;

fn random(n: usize, seed: u64) -> Vec<F> {
    let mut rng = common::rng(seed);
    (0..n).map(|_| F::rand(&mut rng)).collect()
}

/// Forward, inverse and round trip of `input` on `gpu` against the CPU.
fn check(gpu: &GpuNtt, input: &[F], what: &str) {
    let n = input.len();
    let dev = gpu.device().description().to_string();

    let mut want = input.to_vec();
    CpuNtt.ntt(&mut want).unwrap();
    let mut got = input.to_vec();
    gpu.ntt(&mut got).unwrap();
    assert_eq!(got, want, "{dev}: ntt, n = {n}, {what}");

    gpu.intt(&mut got).unwrap();
    assert_eq!(got, input, "{dev}: intt ∘ ntt, n = {n}, {what}");

    let mut want = input.to_vec();
    CpuNtt.intt(&mut want).unwrap();
    let mut got = input.to_vec();
    gpu.intt(&mut got).unwrap();
    assert_eq!(got, want, "{dev}: intt, n = {n}, {what}");
}

#[test]
fn matches_cpu_on_small_sizes() {
    for dev in common::devices() {
        let gpu = GpuNtt::new(dev);
        for log_n in 0..=10 {
            let n = 1usize << log_n;
            check(&gpu, &random(n, log_n), "random");
        }
    }
}

#[test]
fn every_fusion_width_matches_cpu() {
    for dev in common::devices() {
        for k in 1..=MAX_FUSED_LAYERS {
            let gpu = GpuNtt::new(Arc::clone(&dev)).with_max_fused_layers(k);
            // Sizes where the last launch fuses fewer layers than the others, and where it does not.
            for log_n in [1, 2, 3, 4, 5, 7, 8, 9] {
                let n = 1usize << log_n;
                check(
                    &gpu,
                    &random(n, 100 * u64::from(k) + log_n),
                    &format!("{k} fused layers"),
                );
            }
        }
    }
}

#[test]
fn structured_inputs_match_cpu() {
    for dev in common::devices() {
        let gpu = GpuNtt::new(dev);
        let n = 64;
        let zeros = vec![F::zero(); n];
        let mut delta = zeros.clone();
        delta[0] = F::one();
        let mut x = zeros.clone();
        x[1] = F::one();
        let minus_ones = vec![-F::one(); n];
        for (what, v) in [
            ("zeros", zeros),
            ("delta", delta),
            ("X", x),
            ("minus ones", minus_ones),
        ] {
            check(&gpu, &v, what);
        }
    }
}

#[test]
fn ntt_device_on_a_larger_buffer_leaves_the_rest() {
    for dev in common::devices() {
        let gpu = GpuNtt::new(Arc::clone(&dev));
        let n = 256;
        let v = random(n + 5, 7);
        let mut buf = dev.upload(&fr_slice_words(&v)).unwrap();
        gpu.ntt_device(&mut buf, n, false).unwrap();
        let forward = fr_vec_from_words(&dev.download(&buf, 4 * (n + 5)).unwrap());
        let mut want = v[..n].to_vec();
        CpuNtt.ntt(&mut want).unwrap();
        assert_eq!(forward[..n], want[..], "{}", dev.description());
        assert_eq!(
            forward[n..],
            v[n..],
            "{}: tail untouched",
            dev.description()
        );
        gpu.ntt_device(&mut buf, n, true).unwrap();
        dev.synchronize().unwrap();
        let back = fr_vec_from_words(&dev.download(&buf, 4 * (n + 5)).unwrap());
        assert_eq!(back, v, "{}: round trip on the device", dev.description());
    }
}

#[test]
fn bad_lengths_are_errors() {
    for dev in common::devices() {
        let gpu = GpuNtt::new(Arc::clone(&dev));
        for len in [0, 3, 6, 100] {
            let mut v = vec![F::one(); len];
            assert_eq!(gpu.ntt(&mut v), Err(NttError::NotPowerOfTwo { len }));
            assert_eq!(gpu.intt(&mut v), Err(NttError::NotPowerOfTwo { len }));
            assert!(v.iter().all(|x| x.is_one()), "input untouched on error");
        }
        let mut buf = dev.alloc(4 * 8).unwrap();
        assert_eq!(
            gpu.ntt_device(&mut buf, 12, false),
            Err(NttError::NotPowerOfTwo { len: 12 })
        );
        assert!(matches!(
            gpu.ntt_device(&mut buf, 16, false),
            Err(NttError::Backend(_))
        ));
        assert!(matches!(
            gpu.ntt_device(&mut buf, 1 << 29, false),
            Err(NttError::TooLarge { log_len: 29, .. })
        ));
    }
}

#[test]
fn twiddle_cache_is_reused_and_clearable() {
    let Some(dev) = common::devices().into_iter().next() else {
        return;
    };
    let gpu = GpuNtt::new(dev);
    let v = random(32, 9);
    check(&gpu, &v, "first use");
    check(&gpu, &v, "cached tables");
    gpu.clear_cache();
    check(&gpu, &v, "after clearing");
}

/// Larger sizes on the GPU only (the emulator runs kernels on one thread).
#[test]
fn large_sizes_match_cpu_on_gpu() {
    let Some(dev) = common::cuda_or_skip("large_sizes_match_cpu_on_gpu") else {
        return;
    };
    large_sizes(&dev, &[12, 16, 18]);
}

/// The largest sizes a test run on a GPU should try: heavy on the CPU reference side.
#[test]
#[ignore]
fn very_large_sizes_match_cpu_on_gpu() {
    let Some(dev) = common::cuda_or_skip("very_large_sizes_match_cpu_on_gpu") else {
        return;
    };
    large_sizes(&dev, &[20, 22]);
}

fn large_sizes(dev: &Arc<Device>, log_sizes: &[u64]) {
    for k in 1..=MAX_FUSED_LAYERS {
        let gpu = GpuNtt::new(Arc::clone(dev)).with_max_fused_layers(k);
        for &log_n in log_sizes {
            check(
                &gpu,
                &random(1 << log_n, 1000 + log_n),
                &format!("{k} fused layers"),
            );
        }
    }
}
