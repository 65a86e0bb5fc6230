//! The GPU sumcheck rounds (`cuda/sumcheck.cu`, `gpu::sumcheck_rounds`) against the CPU engine:
//! the same proof bytes, challenges and final evaluations through `prove_batched` on identical
//! transcripts, and the verifier accepts. On the host emulator always, on the GPU where one
//! opens; large sizes on the GPU only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use ark_ff::{One, UniformRand, Zero};
use gpu::sumcheck_rounds::GpuProductProver;
use gpu::{Device, GpuRounds};
use rand_chacha::ChaCha20Rng;
use sumcheck::backend::{self, RoundBackend};
use sumcheck::{
    prove_batched, verify_batched, Combiner, MerlinTranscript, MultilinearPoly, ProductProver,
    ProductVerifier, SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript,
    ZeroCheckProver, ZeroCheckVerifier, F,
};

const LABEL: &[u8] = b"gpu-sumcheck-rounds";

type Run = (SumcheckProof, Vec<F>, Vec<Vec<F>>);

fn prove(instances: &mut [&mut dyn SumcheckInstanceProver]) -> Run {
    prove_batched(instances, &mut MerlinTranscript::new(LABEL))
}

fn random_polys(rng: &mut ChaCha20Rng, k: usize, n: usize) -> Vec<MultilinearPoly> {
    (0..k)
        .map(|_| {
            let evals = (0..1usize << n).map(|_| F::rand(rng)).collect();
            MultilinearPoly::new(evals).expect("power-of-two length")
        })
        .collect()
}

/// A random `τ`; `edge` puts a 0 and a 1 in it (the CPU zero-check's `l(1) = 0` path).
fn random_tau(rng: &mut ChaCha20Rng, n: usize, edge: bool) -> Vec<F> {
    let mut tau: Vec<F> = (0..n).map(|_| F::rand(rng)).collect();
    if edge {
        tau[0] = F::zero();
        if n > 1 {
            tau[n - 1] = F::one();
        }
    }
    tau
}

/// Prove with `gpu` and `cpu` alone, assert the same proof, point and final evaluations, and
/// verify the GPU's proof against `verifier`.
fn assert_same_single(
    what: &str,
    gpu: &mut dyn SumcheckInstanceProver,
    cpu: &mut dyn SumcheckInstanceProver,
    verifier: &dyn SumcheckInstanceVerifier,
) {
    assert_eq!(gpu.input_claim(), cpu.input_claim(), "{what}: claim");
    assert_eq!(gpu.degree(), cpu.degree(), "{what}: degree");
    assert_eq!(gpu.num_rounds(), cpu.num_rounds(), "{what}: rounds");
    let (g, c) = (prove(&mut [gpu]), prove(&mut [cpu]));
    assert_eq!(g.0.to_bytes(), c.0.to_bytes(), "{what}: proof bytes");
    assert_eq!(g.1, c.1, "{what}: challenges");
    assert_eq!(g.2, c.2, "{what}: final evaluations");
    verify_batched(&[verifier], &g.0, &g.2, &mut MerlinTranscript::new(LABEL))
        .unwrap_or_else(|e| panic!("{what}: the verifier rejects: {e}"));
}

fn check_product(dev: &Arc<Device>, rng: &mut ChaCha20Rng, k: usize, n: usize) {
    let what = format!("{}: product k = {k}, n = {n}", dev.description());
    let polys = random_polys(rng, k, n);
    let mut gpu =
        GpuProductProver::new(dev.clone(), &polys, None).unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut cpu = ProductProver::new(polys).expect("valid product");
    let verifier = ProductVerifier::new(n, k, cpu.input_claim());
    assert_same_single(&what, &mut gpu, &mut cpu, &verifier);
}

fn check_eq_product(dev: &Arc<Device>, rng: &mut ChaCha20Rng, k: usize, n: usize, edge: bool) {
    let what = format!(
        "{}: eq product k = {k}, n = {n}, edge τ = {edge}",
        dev.description()
    );
    let polys = random_polys(rng, k, n);
    let tau = random_tau(rng, n, edge);
    let mut gpu = GpuProductProver::new(dev.clone(), &polys, Some(&tau))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut cpu =
        ZeroCheckProver::new(tau.clone(), polys, Combiner::Product).expect("valid zero-check");
    let verifier = ZeroCheckVerifier::new(tau, k, Combiner::Product, cpu.input_claim());
    assert_same_single(&what, &mut gpu, &mut cpu, &verifier);
}

#[test]
fn product_rounds_match_cpu() {
    let mut rng = common::rng(11);
    for dev in common::devices() {
        for k in 1..=4 {
            for n in 1..=10 {
                check_product(&dev, &mut rng, k, n);
            }
        }
    }
}

#[test]
fn eq_product_rounds_match_cpu() {
    let mut rng = common::rng(12);
    for dev in common::devices() {
        for k in 1..=4 {
            for n in 1..=10 {
                check_eq_product(&dev, &mut rng, k, n, false);
            }
            check_eq_product(&dev, &mut rng, k, 3, true);
            check_eq_product(&dev, &mut rng, k, 6, true);
        }
    }
}

/// A zero-check that holds (`P_0·P_1 = 0` on the hypercube, disjoint supports): claim 0 on both
/// engines.
#[test]
fn eq_product_zero_check_holds() {
    let mut rng = common::rng(13);
    let n = 7;
    for dev in common::devices() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for x in 0..1usize << n {
            let v = F::rand(&mut rng);
            let (on, off) = if x.count_ones() % 2 == 0 {
                (&mut a, &mut b)
            } else {
                (&mut b, &mut a)
            };
            on.push(v);
            off.push(F::zero());
        }
        let polys = vec![
            MultilinearPoly::new(a).expect("power-of-two length"),
            MultilinearPoly::new(b).expect("power-of-two length"),
        ];
        let tau = random_tau(&mut rng, n, false);
        let mut gpu = GpuProductProver::new(dev.clone(), &polys, Some(&tau)).expect("setup");
        assert!(gpu.input_claim().is_zero(), "{}", dev.description());
        let mut cpu =
            ZeroCheckProver::new(tau.clone(), polys, Combiner::Product).expect("valid zero-check");
        let verifier = ZeroCheckVerifier::zero_check(tau, 2, Combiner::Product);
        assert_same_single(dev.description(), &mut gpu, &mut cpu, &verifier);
    }
}

/// GPU instances batched with CPU instances of other sizes and kinds, against the all-CPU batch.
#[test]
fn batched_with_cpu_instances() {
    let mut rng = common::rng(14);
    for dev in common::devices() {
        let what = dev.description();
        // GPU product (k = 3, n = 7) with a CPU zero-check (k = 2, n = 4).
        let pa = random_polys(&mut rng, 3, 7);
        let pb = random_polys(&mut rng, 2, 4);
        let tb = random_tau(&mut rng, 4, false);
        let mut gpu_a = GpuProductProver::new(dev.clone(), &pa, None).expect("setup");
        let mut cpu_a = ProductProver::new(pa).expect("valid");
        let mut cpu_b =
            ZeroCheckProver::new(tb.clone(), pb.clone(), Combiner::Product).expect("valid");
        let mut cpu_b2 = ZeroCheckProver::new(tb.clone(), pb, Combiner::Product).expect("valid");
        let g = prove(&mut [&mut gpu_a, &mut cpu_b]);
        let c = prove(&mut [&mut cpu_a, &mut cpu_b2]);
        assert_eq!(g.0.to_bytes(), c.0.to_bytes(), "{what}: proof bytes");
        assert_eq!((&g.1, &g.2), (&c.1, &c.2), "{what}: points, evaluations");
        let va = ProductVerifier::new(7, 3, cpu_a.input_claim());
        let vb = ZeroCheckVerifier::new(tb, 2, Combiner::Product, cpu_b.input_claim());
        verify_batched(&[&va, &vb], &g.0, &g.2, &mut MerlinTranscript::new(LABEL))
            .unwrap_or_else(|e| panic!("{what}: the verifier rejects: {e}"));

        // GPU eq product (k = 2, n = 5) with a longer CPU product (k = 4, n = 8).
        let pc = random_polys(&mut rng, 2, 5);
        let tc = random_tau(&mut rng, 5, false);
        let pd = random_polys(&mut rng, 4, 8);
        let mut gpu_c = GpuProductProver::new(dev.clone(), &pc, Some(&tc)).expect("setup");
        let mut cpu_c = ZeroCheckProver::new(tc.clone(), pc, Combiner::Product).expect("valid");
        let mut cpu_d = ProductProver::new(pd.clone()).expect("valid");
        let mut cpu_d2 = ProductProver::new(pd).expect("valid");
        let g = prove(&mut [&mut gpu_c, &mut cpu_d]);
        let c = prove(&mut [&mut cpu_c, &mut cpu_d2]);
        assert_eq!(g.0.to_bytes(), c.0.to_bytes(), "{what}: proof bytes");
        assert_eq!((&g.1, &g.2), (&c.1, &c.2), "{what}: points, evaluations");
        let vc = ZeroCheckVerifier::new(tc, 2, Combiner::Product, cpu_c.input_claim());
        let vd = ProductVerifier::new(8, 4, cpu_d.input_claim());
        verify_batched(&[&vc, &vd], &g.0, &g.2, &mut MerlinTranscript::new(LABEL))
            .unwrap_or_else(|e| panic!("{what}: the verifier rejects: {e}"));
    }
}

#[test]
fn backend_declines_what_it_does_not_take() {
    let mut rng = common::rng(15);
    for dev in common::devices() {
        let what = dev.description();
        let gpu = GpuRounds::new(dev.clone()).with_min_vars(4);
        assert_eq!(gpu.name(), "gpu");
        let small = random_polys(&mut rng, 2, 3);
        let ok = random_polys(&mut rng, 2, 4);
        let tau = random_tau(&mut rng, 4, false);
        assert!(gpu.product(&small).is_none(), "{what}: below min_vars");
        assert!(
            gpu.eq_product(&tau[..3], &small).is_none(),
            "{what}: below min_vars"
        );
        assert!(gpu.product(&[]).is_none(), "{what}: no polynomial");
        let five = random_polys(&mut rng, 5, 4);
        assert!(gpu.product(&five).is_none(), "{what}: five factors");
        assert!(
            gpu.eq_product(&tau, &five).is_none(),
            "{what}: five factors"
        );
        let mixed = vec![ok[0].clone(), random_polys(&mut rng, 1, 5).remove(0)];
        assert!(gpu.product(&mixed).is_none(), "{what}: mixed sizes");
        assert!(gpu.eq_product(&tau[..3], &ok).is_none(), "{what}: short τ");
        // Accepted, and the same instance as the CPU engine's.
        let mut p = gpu.product(&ok).expect("accepted");
        let mut z = gpu.eq_product(&tau, &ok).expect("accepted");
        let mut cp = ProductProver::new(ok.clone()).expect("valid");
        let mut cz = ZeroCheckProver::new(tau.clone(), ok, Combiner::Product).expect("valid");
        assert_eq!(prove(&mut [p.as_mut()]), prove(&mut [&mut cp]), "{what}");
        assert_eq!(prove(&mut [z.as_mut()]), prove(&mut [&mut cz]), "{what}");
        // The constructor's own checks.
        assert!(GpuProductProver::new(dev.clone(), &five, None).is_err());
        assert!(GpuProductProver::new(dev.clone(), &mixed, None).is_err());
        assert!(GpuProductProver::new(dev.clone(), &small, Some(&tau)).is_err());
        let constant = vec![MultilinearPoly::zero(0)];
        assert!(GpuProductProver::new(dev.clone(), &constant, None).is_err());
    }
}

/// Through the process-wide hook (the only test here that installs a backend).
#[test]
fn hook_routes_to_the_gpu() {
    let mut rng = common::rng(16);
    let Some(dev) = common::devices().into_iter().next() else {
        return;
    };
    backend::set_round_backend(Arc::new(GpuRounds::new(dev).with_min_vars(5)));
    let small = random_polys(&mut rng, 2, 4);
    let large = random_polys(&mut rng, 3, 6);
    let tau = random_tau(&mut rng, 6, false);
    let mut cpu = backend::product_prover(small.clone()).expect("valid");
    let mut on_gpu = backend::product_prover(large.clone()).expect("valid");
    let mut on_gpu_eq = backend::eq_product_prover(tau.clone(), large.clone()).expect("valid");
    let bad = backend::product_prover(vec![small[0].clone(), large[0].clone()]);
    backend::clear_round_backend();
    assert!(format!("{cpu:?}").starts_with("ProductProver"), "{cpu:?}");
    assert!(format!("{on_gpu:?}").starts_with("GpuProductProver"));
    assert!(format!("{on_gpu_eq:?}").starts_with("GpuProductProver"));
    assert!(bad.is_err(), "the CPU engine's error");
    let mut cpu_small = ProductProver::new(small).expect("valid");
    let mut cpu_large = ProductProver::new(large.clone()).expect("valid");
    let mut cpu_eq = ZeroCheckProver::new(tau, large, Combiner::Product).expect("valid");
    assert_eq!(prove(&mut [cpu.as_mut()]), prove(&mut [&mut cpu_small]));
    assert_eq!(prove(&mut [on_gpu.as_mut()]), prove(&mut [&mut cpu_large]));
    assert_eq!(prove(&mut [on_gpu_eq.as_mut()]), prove(&mut [&mut cpu_eq]));
}

/// Sizes the emulator would take too long on: 2^16 to 2^20 points, on a GPU only.
#[test]
fn large_instances_match_cpu_on_gpu() {
    let Some(dev) = common::cuda_or_skip("large_instances_match_cpu_on_gpu") else {
        return;
    };
    let mut rng = common::rng(17);
    for n in 16..=20 {
        let k = 1 + n % 4;
        check_product(&dev, &mut rng, k, n);
        check_eq_product(&dev, &mut rng, 5 - k, n, false);
    }
    check_product(&dev, &mut rng, 4, 20);
    check_eq_product(&dev, &mut rng, 4, 20, true);
}
