//! Fuzz-style: random and mutated byte strings as proofs; the verifiers never panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use common::*;
use rand::{Rng, RngCore};
use sumcheck::*;

fn random_bytes(rng: &mut impl RngCore, valid: &[u8]) -> Vec<u8> {
    match rng.gen_range(0..4) {
        // Pure noise.
        0 => {
            let mut b = vec![0u8; rng.gen_range(0..400)];
            rng.fill_bytes(&mut b);
            b
        }
        // Small length prefixes followed by noise (reaches the element decoder).
        1 => {
            let mut b = Vec::new();
            b.extend_from_slice(&(rng.gen_range(0..10u64)).to_le_bytes());
            b.extend_from_slice(&(rng.gen_range(0..4u64)).to_le_bytes());
            let mut tail = vec![0u8; rng.gen_range(0..300)];
            rng.fill_bytes(&mut tail);
            b.extend(tail);
            b
        }
        // A valid proof with a few random bytes overwritten.
        2 => {
            let mut b = valid.to_vec();
            for _ in 0..rng.gen_range(1..4) {
                let i = rng.gen_range(0..b.len());
                b[i] = rng.gen();
            }
            b
        }
        // A valid proof truncated or extended.
        _ => {
            let mut b = valid.to_vec();
            let cut = rng.gen_range(0..b.len());
            b.truncate(cut);
            b
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let fx = Fixture::new(5, 3);
    let (proof, _, evals) = fx.prove(&mut MerlinTranscript::new(b"fz"));
    let valid = proof.to_bytes();
    let mut rng = rng(1234);
    for _ in 0..1500 {
        let bytes = random_bytes(&mut rng, &valid);
        if let Ok(p) = SumcheckProof::from_bytes(&bytes) {
            let _ = fx.verify(&p, &evals, &mut MerlinTranscript::new(b"fz"));
        }
        // Final evaluations from noise too.
        if let Ok(e) = Vec::<Vec<F>>::deserialize_compressed(&bytes[..]) {
            let _ = fx.verify(&proof, &e, &mut MerlinTranscript::new(b"fz"));
        }
    }
}

#[test]
fn random_multi_eval_proofs_never_panic() {
    let mut rng = rng(77);
    let polys: Vec<_> = (0..2).map(|_| rand_poly(4, &mut rng)).collect();
    let claims: Vec<EvalClaim> = (0..3)
        .map(|j| {
            let point = rand_point(4, &mut rng);
            EvalClaim {
                poly: j % 2,
                value: brute_eval(&polys[j % 2], &point),
                point,
            }
        })
        .collect();
    let refs: Vec<_> = polys.iter().collect();
    let (proof, _) = prove_multi_eval(&refs, &claims, &mut MerlinTranscript::new(b"fz"));
    let mut valid = Vec::new();
    proof.serialize_compressed(&mut valid).unwrap();
    for _ in 0..1500 {
        let bytes = random_bytes(&mut rng, &valid);
        if let Ok(p) = MultiEvalProof::deserialize_compressed(&bytes[..]) {
            // Also vary the verifier's view of the statement shape.
            let np = rng.gen_range(0..4);
            let nv = rng.gen_range(0..6);
            let _ = verify_multi_eval(np, nv, &claims, &p, &mut MerlinTranscript::new(b"fz"));
            let _ = verify_multi_eval(2, 4, &claims, &p, &mut MerlinTranscript::new(b"fz"));
        }
        if let Ok(c) = Vec::<EvalClaim>::deserialize_compressed(&bytes[..]) {
            let _ = verify_multi_eval(2, 4, &c, &proof, &mut MerlinTranscript::new(b"fz"));
        }
    }
}
