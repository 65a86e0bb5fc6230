//! Times Spartan-IPA (`recursion::spartan_ipa`) on the real CycleFold circuit over `Fq`,
//! committed on Grumpkin: a running instance of three honest CycleFold statements (folded with
//! their cross terms, so `E ≠ 0` and `u ≠ 1`), its commitments with the blinding terms removed,
//! as the decider does. Reports the key derivation, the prover (mean of 2), the verifier (median
//! and minimum of `reps` runs, after one warm-up) and the proof size.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p recursion --example spartan_ipa_costs [-- reps]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use ark_bn254::G1Projective;
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::{self, CycleFoldStatement, Grumpkin};
use recursion::nifs;
use recursion::spartan_ipa::{self, SpartanIpaInstance, SpartanIpaKey};
use recursion::{RelaxedR1csInstance, RelaxedR1csWitness};
use sumcheck::{PoseidonTranscript, Transcript};

const PROVER_REPS: u32 = 2;

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn transcript() -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"spartan-ipa-costs");
    t.append_bytes(b"context", b"statement");
    t
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("reps: a number"))
        .unwrap_or(15)
        .max(1);
    println!("rayon threads: {}", rayon::current_num_threads());

    let mut rng = ChaCha20Rng::seed_from_u64(0);
    let params = cyclefold::setup(b"spartan-ipa-costs-key", true).unwrap();
    let shape = params.shape();
    let mut acc = RelaxedR1csInstance::<Grumpkin>::zero(shape);
    let mut acc_w = RelaxedR1csWitness::zero(shape);
    for _ in 0..3 {
        let p = G1Projective::rand(&mut rng).into_affine();
        let q = G1Projective::rand(&mut rng).into_affine();
        let st = CycleFoldStatement::new(p, q, rng.gen()).unwrap();
        let (u, w) = cyclefold::commit_statement(&params, &st, &mut rng).unwrap();
        let (_, f, fw) = nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
        (acc, acc_w) = (f, fw);
    }
    let h = params.key().blinding().copied().unwrap_or_default();
    let unblind = |c: &ark_grumpkin::Affine, r: &ark_bn254::Fq| (*c - h * *r).into_affine();
    let inst = SpartanIpaInstance::<Grumpkin> {
        comm_w: unblind(&acc.comm_w, &acc_w.r_w),
        comm_e: unblind(&acc.comm_e, &acc_w.r_e),
        u: acc.u,
        x: acc.x.clone(),
    };
    println!(
        "CycleFold circuit: m = {}, |x| = {}, |W| = {}",
        shape.num_constraints(),
        shape.num_io(),
        shape.num_witness()
    );

    let t = Instant::now();
    let key = SpartanIpaKey::new(params.shape_arc(), params.key()).unwrap();
    let t_key = t.elapsed();

    let mut t_prove = Duration::ZERO;
    let mut proof = None;
    for _ in 0..PROVER_REPS {
        let t = Instant::now();
        proof =
            Some(spartan_ipa::prove(&key, &inst, &acc_w.w, &acc_w.e, &mut transcript()).unwrap());
        t_prove += t.elapsed();
    }
    let proof = proof.unwrap();

    spartan_ipa::verify(&key, &inst, &proof, &mut transcript()).unwrap();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            spartan_ipa::verify(&key, &inst, &proof, &mut transcript()).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();

    println!(
        "key {} ms | prove {} ms (mean of {PROVER_REPS}) | verify median {} ms, min {} ms \
         ({reps} runs) | proof {} B",
        ms(t_key),
        ms(t_prove / PROVER_REPS),
        ms(times[times.len() / 2]),
        ms(times[0]),
        proof.size_in_bytes()
    );
}
