//! Times the succinct decider (`recursion::spartan`) on satisfied relaxed instances of the
//! step-like test circuit (multiply-adds and Poseidon transcript rounds,
//! `tests/common/step_circuit.rs`) at ≈ 2^10, 2^12, 2^14 and 2^16 constraints: two honest steps
//! folded with their cross term (`u = 1 + r`, `E = r·T`), committed with HyperKZG (insecure dev
//! SRS), then proven and verified. The verifier's time is split into the matrix evaluation
//! `Ã, B̃, C̃ (r_x, r_y)` (`SpartanKey::evaluate_matrices`, timed on its own at random points,
//! linear in the circuit) and the rest (transcript, the two sumchecks, the multi-point opening
//! with its pairing check). The prover's PCS part is also timed alone: the multi-point opening of
//! `W` and `E` at random points.
//!
//! `cargo run --release -p recursion --example spartan_costs [-- max_hashes]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/step_circuit.rs"]
mod step_circuit;

use std::time::{Duration, Instant};

use ark_ff::{One, UniformRand};
use pcs::batch::multi_point_open;
use pcs::{HyperKzg, Srs};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::spartan::{self, SpartanInstance, SpartanKey, SPARTAN_DOMAIN};
use step_circuit::{StepCircuit, StepValues};
use sumcheck::{EvalClaim, MultilinearPoly, PoseidonTranscript, Transcript, F};

const REPS: u32 = 3;

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn main() {
    let max_hashes: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("max_hashes: a number"))
        .unwrap_or(128);
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    let mut circuits = vec![StepCircuit::SMALL];
    let mut h = 8;
    while h <= max_hashes {
        circuits.push(StepCircuit {
            muls: 64,
            hashes: h,
            domain: b"spartan-costs-step",
        });
        h *= 4;
    }
    let keys: Vec<SpartanKey> = circuits
        .iter()
        .map(|c| SpartanKey::new(c.shape()).unwrap())
        .collect();
    let max_vars = keys.iter().map(SpartanKey::pcs_num_vars).max().unwrap_or(0);
    let t = Instant::now();
    let srs = Srs::dev_setup_u64(1, max_vars).unwrap();
    println!(
        "rayon threads: {}; dev SRS of 2^{max_vars} powers in {} ms; times in ms, mean of {REPS}\n",
        rayon::current_num_threads(),
        ms(t.elapsed())
    );
    println!("| circuit | m | \\|W\\| | nnz(A,B,C) | s, w | commit W, E | prove | of which opening (measured alone) | verify | of which matrix eval | of which sumchecks + PCS | proof bytes |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (circuit, key) in circuits.iter().zip(&keys) {
        let shape = key.shape();
        let (m, nw) = (shape.num_constraints(), shape.num_witness());
        let nnz = shape.a().nnz() + shape.b().nnz() + shape.c().nnz();
        let (pk, vk) = HyperKzg::keys(&srs, key.pcs_num_vars()).unwrap();

        // Two honest steps folded: W = W_1 + r·W_2, E = r·T, u = 1 + r, x = x_1 + r·x_2.
        let (x1, w1) = circuit.assignment(&StepValues::random(1, &mut rng));
        let (x2, w2) = circuit.assignment(&StepValues::random(2, &mut rng));
        let z1 = shape.z(F::one(), &x1, &w1).unwrap();
        let z2 = shape.z(F::one(), &x2, &w2).unwrap();
        let cross = shape.cross_term(&z1, &z2).unwrap();
        let r = F::rand(&mut rng);
        let u = F::one() + r;
        let x: Vec<F> = x1.iter().zip(&x2).map(|(a, b)| *a + r * b).collect();
        let w: Vec<F> = w1.iter().zip(&w2).map(|(a, b)| *a + r * b).collect();
        let e: Vec<F> = cross.iter().map(|t| r * t).collect();
        shape.check_relaxed_relation(u, &x, &w, &e).unwrap();

        let t = Instant::now();
        let inst = SpartanInstance::commit(key, &pk, u, x, &w, &e).unwrap();
        let t_commit = t.elapsed();

        // The PCS part of the prover on its own: the multi-point opening of W and E at random
        // points (what `prove` ends with).
        let w_poly = MultilinearPoly::from_padded(w.clone(), key.num_witness_vars());
        let e_poly = MultilinearPoly::from_padded(e.clone(), key.num_constraint_vars());
        let claims: Vec<EvalClaim> = [&w_poly, &e_poly]
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let point: Vec<F> = (0..p.num_vars()).map(|_| F::rand(&mut rng)).collect();
                EvalClaim {
                    poly: i,
                    value: p.evaluate(&point),
                    point,
                }
            })
            .collect();
        let t = Instant::now();
        let mut tr = PoseidonTranscript::new(SPARTAN_DOMAIN);
        multi_point_open::<HyperKzg, _>(
            &pk,
            &[&w_poly, &e_poly],
            &[inst.comm_w, inst.comm_e],
            &claims,
            &mut tr,
        )
        .unwrap();
        let t_open = t.elapsed();

        let mut t_prove = Duration::ZERO;
        let mut t_verify = Duration::ZERO;
        let mut t_matrix = Duration::ZERO;
        let mut bytes = 0;
        for _ in 0..REPS {
            let t = Instant::now();
            let mut tr = PoseidonTranscript::new(SPARTAN_DOMAIN);
            let proof = spartan::prove(key, &pk, &inst, &w, &e, &mut tr).unwrap();
            t_prove += t.elapsed();
            bytes = proof.size_in_bytes();

            let t = Instant::now();
            let mut tr = PoseidonTranscript::new(SPARTAN_DOMAIN);
            spartan::verify(key, &vk, &inst, &proof, &mut tr).unwrap();
            t_verify += t.elapsed();

            let r_x: Vec<F> = (0..key.num_constraint_vars())
                .map(|_| F::rand(&mut rng))
                .collect();
            let r_y: Vec<F> = (0..key.num_column_vars())
                .map(|_| F::rand(&mut rng))
                .collect();
            let t = Instant::now();
            let evals = key.evaluate_matrices(&r_x, &r_y).unwrap();
            t_matrix += t.elapsed();
            std::hint::black_box(evals);
        }
        println!(
            "| muls={} hashes={} | {m} | {nw} | {nnz} | {}, {} | {} | {} | {} | {} | {} | {} | {bytes} |",
            circuit.muls,
            circuit.hashes,
            key.num_constraint_vars(),
            key.num_witness_vars(),
            ms(t_commit),
            ms(t_prove / REPS),
            ms(t_open),
            ms(t_verify / REPS),
            ms(t_matrix / REPS),
            ms(t_verify.saturating_sub(t_matrix) / REPS),
        );
    }
}
