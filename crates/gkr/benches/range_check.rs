//! Criterion benches of the range check (see `docs/range-check.md`).
//!
//! `cargo bench -p gkr --bench range_check`. One segment of `2^n` random 16-bit limbs against
//! the range table. "prove" times the honest prover from the limbs to the finished proof:
//! multiplicities, leaves, trees, every layer sumcheck and the Merlin transcript. "verify" times
//! the verifier (including its own table-MLE evaluation).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gkr::*;
use rand::{Rng, SeedableRng};
use sumcheck::{MerlinTranscript, Transcript, F};

fn transcript() -> MerlinTranscript {
    let mut t = MerlinTranscript::new(b"bench");
    t.append_bytes(b"commitments", b"c");
    t
}

fn bench_range_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("range_check");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_millis(500));
    for n in [16usize, 18, 20] {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(n as u64);
        let limbs: Vec<F> = (0..1usize << n)
            .map(|_| F::from(rng.gen::<u16>()))
            .collect();
        let params = RangeCheckParams::new(vec![SegmentSpec::limbs(0, n)], 1, 2).unwrap();
        let segs = [SegmentWitness::new(&limbs)];
        let prove = || {
            let m = compute_multiplicities(&params, &segs).unwrap();
            RangeCheckProver::new(&params)
                .prove(&segs, &m, &mut transcript())
                .unwrap()
        };
        g.bench_function(format!("prove_2^{n}"), |b| b.iter(|| black_box(prove())));
        let (proof, _) = prove();
        eprintln!("range_check 2^{n}: proof {} bytes", proof.to_bytes().len());
        g.bench_function(format!("verify_2^{n}"), |b| {
            b.iter(|| {
                RangeCheckVerifier::new(&params)
                    .verify(black_box(&proof), &mut transcript())
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_range_check);
criterion_main!(benches);
