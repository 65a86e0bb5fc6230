//! Quick timing of the product sumcheck prover (see `docs/bench-sumcheck.md`):
//! `cargo run --release -p sumcheck --example product_timing -- [k] [log_n] [reps]`.
//!
//! Times `ProductProver::new` + `prove_batched` from owned inputs (the clone is untimed) and
//! prints the best and median of `reps` runs, plus a checksum of the proof bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use ark_std::UniformRand;
use rand::SeedableRng;
use sumcheck::*;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric argument"))
        .collect();
    let k = args.first().copied().unwrap_or(2);
    let n = args.get(1).copied().unwrap_or(20);
    let reps = args.get(2).copied().unwrap_or(10);
    let polys: Vec<MultilinearPoly> = (0..k)
        .map(|j| {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(j as u64);
            MultilinearPoly::new((0..1usize << n).map(|_| F::rand(&mut rng)).collect()).unwrap()
        })
        .collect();
    let mut times = Vec::with_capacity(reps);
    let mut checksum = 0u64;
    for _ in 0..reps {
        let ps = polys.clone();
        let t0 = Instant::now();
        let mut p = ProductProver::new(ps).unwrap();
        let mut t = MerlinTranscript::new(b"bench");
        let (proof, _, _) = prove_batched(&mut [&mut p], &mut t);
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        drop(p);
        checksum = proof
            .to_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
            });
    }
    times.sort_by(f64::total_cmp);
    println!(
        "k={k} n=2^{n} threads={} best {:.1} ms median {:.1} ms proof fnv {checksum:016x}",
        rayon::current_num_threads(),
        times[0],
        times[times.len() / 2]
    );
}
