//! Times the native Nova folding core on the step-like test circuit (multiply-adds and Poseidon
//! transcript rounds, `tests/common/step_circuit.rs`) at a few sizes: key derivation, shape
//! extraction, and per fold the two MSMs (`C_W` of the new step over `|W|` points, `C_T` over
//! `m` points), the cross term, the witness fold and the verifier. The running instance starts
//! from step 0 (embedded as relaxed) and folds steps 1..=3; `relaxed check` is the full
//! satisfiability check of the final pair (two MSMs and the matrix products), for reference.
//!
//! `cargo run --release -p recursion --example nifs_costs [-- max_hashes]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/step_circuit.rs"]
mod step_circuit;

use std::time::{Duration, Instant};

use ark_ec::CurveGroup;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::nifs;
use recursion::{NifsParams, RelaxedR1csInstance, RelaxedR1csWitness};
use step_circuit::{StepCircuit, StepValues};

const FOLDS: u32 = 3;

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn main() {
    let max_hashes: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("max_hashes: a number"))
        .unwrap_or(128);
    println!(
        "rayon threads: {}; times in ms, per fold = mean of {FOLDS} folds\n",
        rayon::current_num_threads()
    );
    println!("| circuit | m | \\|W\\| | nnz(A,B,C) | key derivation | shape extraction | synthesis | C_W: MSM \\|W\\| | cross term | C_T: MSM m | fold witness | prover fold total | verifier fold | relaxed check |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    let mut circuits = vec![StepCircuit::SMALL];
    let mut h = 8;
    while h <= max_hashes {
        circuits.push(StepCircuit {
            muls: 64,
            hashes: h,
            domain: b"nifs-costs-step",
        });
        h *= 4;
    }
    for circuit in circuits {
        let t = Instant::now();
        let shape = circuit.shape();
        let t_shape = t.elapsed();
        let (m, nw) = (shape.num_constraints(), shape.num_witness());
        let nnz = shape.a().nnz() + shape.b().nnz() + shape.c().nnz();
        let t = Instant::now();
        let params: NifsParams = NifsParams::setup(shape, b"nifs-costs-key", true).unwrap();
        let t_key = t.elapsed();

        // The running instance starts as step 0 embedded with u = 1, E = 0 (from the all-zero
        // instance the first cross term would be zero and its MSM free).
        let (x, w) = circuit.assignment(&StepValues::random(0, &mut rng));
        let (u0, w0) = params.commit_witness(x, w, &mut rng).unwrap();
        let mut acc = RelaxedR1csInstance::from_strict(&u0);
        let mut acc_w = RelaxedR1csWitness::from_strict(params.shape(), &w0);
        let mut t_synth = Duration::ZERO;
        let mut t_cw = Duration::ZERO;
        let mut t_cross = Duration::ZERO;
        let mut t_ct = Duration::ZERO;
        let mut t_foldw = Duration::ZERO;
        let mut t_prove = Duration::ZERO;
        let mut t_verify = Duration::ZERO;
        for i in 0..FOLDS {
            let t = Instant::now();
            let (x, w) = circuit.assignment(&StepValues::random(u64::from(i) + 1, &mut rng));
            t_synth += t.elapsed();
            let t = Instant::now();
            let (u, w) = params.commit_witness(x, w, &mut rng).unwrap();
            t_cw += t.elapsed();

            // The prover's steps one by one (what `nifs::prove_strict` does).
            let inc = RelaxedR1csInstance::from_strict(&u);
            let inc_w = RelaxedR1csWitness::from_strict(params.shape(), &w);
            let t0 = Instant::now();
            let z1 = params.shape().z(acc.u, &acc.x, &acc_w.w).unwrap();
            let z2 = params.shape().z(inc.u, &inc.x, &inc_w.w).unwrap();
            let cross = params.shape().cross_term(&z1, &z2).unwrap();
            t_cross += t0.elapsed();
            let t = Instant::now();
            let r_t = ark_std::UniformRand::rand(&mut rng);
            let comm_t = params.key().commit_projective(&cross, &r_t).unwrap();
            let comm_t = comm_t.into_affine();
            t_ct += t.elapsed();
            let t = Instant::now();
            let r = nifs::challenge(&params, &acc, &inc, &comm_t).unwrap();
            let folded = nifs::fold_instances(&acc, &inc, &comm_t, r).unwrap();
            let folded_w = nifs::fold_witnesses(&acc_w, &inc_w, &cross, r_t, r).unwrap();
            t_foldw += t.elapsed();
            t_prove += t0.elapsed();

            let t = Instant::now();
            let verified =
                nifs::verify_strict(&params, &acc, &u, &nifs::NifsProof { comm_t }).unwrap();
            t_verify += t.elapsed();
            assert_eq!(verified, folded);
            (acc, acc_w) = (folded, folded_w);
        }
        let t = Instant::now();
        params.is_satisfied_relaxed(&acc, &acc_w).unwrap();
        let t_check = t.elapsed();
        let per = |d: Duration| ms(d / FOLDS);
        println!(
            "| muls={} hashes={} | {m} | {nw} | {nnz} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            circuit.muls,
            circuit.hashes,
            ms(t_key),
            ms(t_shape),
            per(t_synth),
            per(t_cw),
            per(t_cross),
            per(t_ct),
            per(t_foldw),
            per(t_prove),
            per(t_verify),
            ms(t_check),
        );
    }
}
