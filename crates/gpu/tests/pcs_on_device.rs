//! HyperKZG with its MSMs on a device: commitments and opening proofs are byte-identical to the
//! CPU backend's and verify on the CPU (the emulator everywhere, the GPU where one opens).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use ark_ff::UniformRand;
use ark_serialize::CanonicalSerialize;
use gpu::GpuMsm;
use pcs::hyperkzg::HyperKzg;
use pcs::msm::{Scalars, SmallScalars};
use pcs::srs::Srs;
use pcs::MultilinearPcs;
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

fn bytes<T: CanonicalSerialize>(x: &T) -> Vec<u8> {
    let mut v = Vec::new();
    x.serialize_compressed(&mut v).expect("serialize");
    v
}

#[test]
fn hyperkzg_on_device_matches_cpu_and_verifies() {
    let mut rng = common::rng(30);
    let srs = Srs::dev_setup_u64(5, 9).expect("srs");
    let (pk_cpu, vk) = HyperKzg::trim(&srs, 9).expect("trim");
    for dev in common::devices() {
        let pk = pk_cpu
            .clone()
            .with_backend(Arc::new(GpuMsm::new(dev.clone())));
        for nv in [1usize, 4, 9] {
            let poly = MultilinearPoly::new((0..1usize << nv).map(|_| F::rand(&mut rng)).collect())
                .expect("poly");
            let c = HyperKzg::commit(&pk, &poly).expect("commit");
            assert_eq!(
                c,
                HyperKzg::commit(&pk_cpu, &poly).expect("commit"),
                "{}",
                dev.description()
            );
            let point: Vec<F> = (0..nv).map(|_| F::rand(&mut rng)).collect();
            let mut t = MerlinTranscript::new(b"pcs_on_device");
            let (proof, value) = HyperKzg::open(&pk, &poly, &c, &point, &mut t).expect("open");
            let mut t_cpu = MerlinTranscript::new(b"pcs_on_device");
            let (proof_cpu, _) =
                HyperKzg::open(&pk_cpu, &poly, &c, &point, &mut t_cpu).expect("open");
            assert_eq!(
                bytes(&proof),
                bytes(&proof_cpu),
                "{}: n = {nv}",
                dev.description()
            );
            let mut t = MerlinTranscript::new(b"pcs_on_device");
            HyperKzg::verify(&vk, &c, &point, &value, &proof, &mut t).expect("verifies");
        }
        // Small-scalar commitments (limbs, signed values) take the device's small path.
        let limbs: Vec<i64> = (0..300).map(|i| (i * 7919 % 65536) - 30000).collect();
        let s = Scalars::Small(SmallScalars::I64(&limbs));
        assert_eq!(
            HyperKzg::commit_scalars(&pk, s).expect("commit"),
            HyperKzg::commit_scalars(&pk_cpu, s).expect("commit")
        );
    }
}
