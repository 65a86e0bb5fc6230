//! GPU-versus-CPU timing table for the issue's size classes, on one machine:
//! MSM 2^16..2^26 (field scalars and 16-bit scalars), NTT 2^16..2^24, product sumcheck
//! (degree 2 and eq-weighted degree 3) 2^20..2^26.
//!
//! ```text
//! cargo run --release -p gpu --example gpu_bench -- [--device cuda|emulator] [--reps R]
//!     [--msm LO..HI] [--ntt LO..HI] [--sumcheck LO..HI] [--cpu-max LOG] [--out FILE.md]
//! ```
//!
//! Every GPU figure is the median of `R` runs after one warm-up run (which compiles the kernels
//! and, for the MSM, leaves the bases on the device, as in a prover that commits many vectors
//! against one SRS); it includes moving the scalars or evaluations to the device and the result
//! back. Every GPU result is checked against the CPU result where the CPU is timed (sizes up to
//! `--cpu-max`, default 22), so the table never reports a wrong computation's time.

use std::time::Instant;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::UniformRand;
use gpu::sumcheck_rounds::GpuProductProver;
use gpu::{Device, GpuMsm, GpuNtt};
use pcs::msm::{CpuMsm, MsmBackend, SmallScalars};
use pcs::ntt::{CpuNtt, NttBackend};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sumcheck::{
    prove_batched, MerlinTranscript, MultilinearPoly, ProductProver, SumcheckInstanceProver,
    Transcript, F,
};

struct Args {
    device: String,
    reps: usize,
    msm: (u32, u32),
    ntt: (u32, u32),
    sumcheck: (u32, u32),
    cpu_max: u32,
    out: Option<String>,
}

fn range(s: &str) -> (u32, u32) {
    let (a, b) = s.split_once("..").unwrap_or((s, s));
    (
        a.parse().unwrap_or_else(|_| usage()),
        b.parse().unwrap_or_else(|_| usage()),
    )
}

fn usage() -> ! {
    eprintln!(
        "usage: gpu_bench [--device cuda|emulator] [--reps R] [--msm LO..HI] [--ntt LO..HI] \
         [--sumcheck LO..HI] [--cpu-max LOG] [--out FILE.md]"
    );
    std::process::exit(2)
}

fn parse() -> Args {
    let mut a = Args {
        device: "cuda".into(),
        reps: 3,
        msm: (16, 26),
        ntt: (16, 24),
        sumcheck: (20, 26),
        cpu_max: 22,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--device" => a.device = v,
            "--reps" => a.reps = v.parse().unwrap_or_else(|_| usage()),
            "--msm" => a.msm = range(&v),
            "--ntt" => a.ntt = range(&v),
            "--sumcheck" => a.sumcheck = range(&v),
            "--cpu-max" => a.cpu_max = v.parse().unwrap_or_else(|_| usage()),
            "--out" => a.out = Some(v),
            _ => usage(),
        }
    }
    a
}

/// Median wall time in milliseconds of `reps` runs of `f` after one warm-up run.
fn time_ms<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let mut ts = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        out = f();
        ts.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    ts.sort_by(|a, b| a.total_cmp(b));
    (ts[ts.len() / 2], out)
}

/// Random field elements, generated in parallel from per-chunk seeds.
fn random_fr(n: usize, seed: u64) -> Vec<F> {
    (0..n.div_ceil(1 << 14))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed ^ (c as u64) << 20);
            let len = (1usize << 14).min(n - (c << 14));
            (0..len).map(move |_| F::rand(&mut rng)).collect::<Vec<_>>()
        })
        .collect()
}

/// `n` bases: 2^16 random points repeated (the bucket method's cost does not depend on it).
fn bases(n: usize) -> Vec<G1Affine> {
    let distinct = n.min(1 << 16);
    let g = G1Projective::generator();
    let pts: Vec<G1Projective> = random_fr(distinct, 7).par_iter().map(|s| g * s).collect();
    let affine = G1Projective::normalize_batch(&pts);
    (0..n)
        .into_par_iter()
        .map(|i| affine[i % distinct])
        .collect()
}

/// Time `gpu` and, when `time_cpu`, `cpu`; panic if the GPU fails or the two results differ.
/// Returns the GPU and CPU medians in ms.
fn compare<T: PartialEq + std::fmt::Debug, E: std::fmt::Display>(
    reps: usize,
    time_cpu: bool,
    what: &str,
    gpu: impl FnMut() -> Result<T, E>,
    cpu: impl FnMut() -> T,
) -> (f64, Option<f64>) {
    let (g_ms, g) = time_ms(reps, gpu);
    let g = g.unwrap_or_else(|e| panic!("GPU {what}: {e}"));
    let c_ms = time_cpu.then(|| {
        let (c_ms, c) = time_ms(reps, cpu);
        assert_eq!(c, g, "GPU {what} differs from the CPU");
        c_ms
    });
    (g_ms, c_ms)
}

fn fmt_ms(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:.2}"))
}

fn ratio(cpu: Option<f64>, gpu: f64) -> String {
    cpu.map_or("–".into(), |c| format!("{:.1}×", c / gpu))
}

fn main() {
    let args = parse();
    let device = match args.device.as_str() {
        "cuda" => Device::cuda(),
        "emulator" => Device::host_emulator(),
        _ => usage(),
    }
    .unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let mut md = String::new();
    let threads = rayon::current_num_threads();
    md += &format!(
        "# GPU backend timings\n\n- device: {}\n- CPU reference: {threads} threads on the same machine\n- median of {} runs after a warm-up; GPU times include host↔device transfers of scalars/results\n\n",
        device.description(),
        args.reps
    );

    // MSM.
    let gpu_msm = GpuMsm::new(device.clone());
    md += "## MSM over BN254 G1\n\n| log n | scalars | GPU ms | CPU ms | CPU/GPU |\n|---|---|---|---|---|\n";
    let max_bases = bases(1usize << args.msm.1);
    for log_n in args.msm.0..=args.msm.1 {
        let n = 1usize << log_n;
        let b = &max_bases[..n];
        let timed_cpu = log_n <= args.cpu_max;
        let scalars = random_fr(n, log_n as u64);
        let (g_ms, cpu) = compare(
            args.reps,
            timed_cpu,
            &format!("field MSM 2^{log_n}"),
            || gpu_msm.try_msm(b, &scalars),
            || CpuMsm.msm(b, &scalars),
        );
        md += &format!(
            "| {log_n} | field | {g_ms:.2} | {} | {} |\n",
            fmt_ms(cpu),
            ratio(cpu, g_ms)
        );
        drop(scalars);
        let mut rng = ChaCha20Rng::seed_from_u64(log_n as u64);
        let limbs: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
        let s = SmallScalars::U16(&limbs);
        let (g_ms, cpu) = compare(
            args.reps,
            timed_cpu,
            &format!("u16 MSM 2^{log_n}"),
            || gpu_msm.try_msm_small(b, s),
            || CpuMsm.msm_small(b, s),
        );
        md += &format!(
            "| {log_n} | u16 | {g_ms:.2} | {} | {} |\n",
            fmt_ms(cpu),
            ratio(cpu, g_ms)
        );
        eprintln!("msm 2^{log_n} done");
    }
    drop(max_bases);

    // NTT.
    let gpu_ntt = GpuNtt::new(device.clone());
    md += "\n## Radix-2 NTT over Fr\n\n| log n | GPU ms (with transfers) | GPU ms (on device) | CPU ms | CPU/GPU |\n|---|---|---|---|---|\n";
    for log_n in args.ntt.0..=args.ntt.1 {
        let n = 1usize << log_n;
        let input = random_fr(n, 100 + log_n as u64);
        let (g_ms, g) = time_ms(args.reps, || {
            let mut v = input.clone();
            gpu_ntt.ntt(&mut v).map(|_| v)
        });
        let g = g.unwrap_or_else(|e| panic!("GPU NTT 2^{log_n}: {e}"));
        let mut buf = device
            .upload(&gpu::convert::fr_slice_words(&input))
            .unwrap_or_else(|e| panic!("upload: {e}"));
        let (d_ms, r) = time_ms(args.reps, || {
            gpu_ntt.ntt_device(&mut buf, n, false).and_then(|_| {
                device
                    .synchronize()
                    .map_err(|e| pcs::ntt::NttError::Backend(e.to_string()))
            })
        });
        r.unwrap_or_else(|e| panic!("GPU NTT on device 2^{log_n}: {e}"));
        let cpu = (log_n <= args.cpu_max).then(|| {
            let (c_ms, c) = time_ms(args.reps, || {
                let mut v = input.clone();
                CpuNtt.ntt(&mut v).map(|_| v)
            });
            assert_eq!(
                c.ok(),
                Some(g.clone()),
                "GPU NTT differs from the CPU at 2^{log_n}"
            );
            c_ms
        });
        md += &format!(
            "| {log_n} | {g_ms:.2} | {d_ms:.2} | {} | {} |\n",
            fmt_ms(cpu),
            ratio(cpu, g_ms)
        );
        eprintln!("ntt 2^{log_n} done");
    }

    // Sumcheck.
    md += "\n## Product sumcheck prover (all rounds)\n\n| log n | instance | GPU ms | CPU ms | CPU/GPU |\n|---|---|---|---|---|\n";
    for log_n in args.sumcheck.0..=args.sumcheck.1 {
        let n = 1usize << log_n;
        let a = MultilinearPoly::new(random_fr(n, 200 + log_n as u64))
            .unwrap_or_else(|e| panic!("{e}"));
        let b = MultilinearPoly::new(random_fr(n, 300 + log_n as u64))
            .unwrap_or_else(|e| panic!("{e}"));
        let tau = random_fr(log_n as usize, 400 + log_n as u64);
        for (label, eq) in [("a·b (deg 2)", false), ("eq·a·b (deg 3)", true)] {
            let polys = vec![a.clone(), b.clone()];
            let run_gpu = || {
                let mut p = GpuProductProver::new(device.clone(), &polys, eq.then_some(&tau[..]))
                    .unwrap_or_else(|e| panic!("GPU sumcheck 2^{log_n}: {e}"));
                let mut t = MerlinTranscript::new(b"gpu_bench");
                prove_batched(&mut [&mut p as &mut dyn SumcheckInstanceProver], &mut t).0
            };
            let (g_ms, g) = time_ms(args.reps, run_gpu);
            let cpu = (log_n <= args.cpu_max).then(|| {
                let (c_ms, c) = time_ms(args.reps, || {
                    let mut t = MerlinTranscript::new(b"gpu_bench");
                    if eq {
                        let mut p = sumcheck::ZeroCheckProver::new(
                            tau.clone(),
                            polys.clone(),
                            sumcheck::Combiner::Product,
                        )
                        .unwrap_or_else(|e| panic!("{e}"));
                        prove_batched(&mut [&mut p as &mut dyn SumcheckInstanceProver], &mut t).0
                    } else {
                        let mut p =
                            ProductProver::new(polys.clone()).unwrap_or_else(|e| panic!("{e}"));
                        prove_batched(&mut [&mut p as &mut dyn SumcheckInstanceProver], &mut t).0
                    }
                });
                assert_eq!(c, g, "GPU sumcheck proof differs from the CPU at 2^{log_n}");
                c_ms
            });
            md += &format!(
                "| {log_n} | {label} | {g_ms:.2} | {} | {} |\n",
                fmt_ms(cpu),
                ratio(cpu, g_ms)
            );
        }
        eprintln!("sumcheck 2^{log_n} done");
    }

    print!("{md}");
    if let Some(path) = args.out {
        std::fs::write(&path, &md).unwrap_or_else(|e| panic!("write {path}: {e}"));
    }
}
