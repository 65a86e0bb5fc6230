//! Tampered proofs are rejected with an error, never a panic: corrupt a middle round, the last
//! round, a final evaluation; swap rounds; replay a round / a whole proof; desynchronize the
//! transcript; flip bytes of the serialized proof. Batched (one bad instance among several) and
//! multi-eval variants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_ff::One;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use common::*;
use rand::Rng;
use sumcheck::*;

const N: usize = 7;

fn fixture() -> (Fixture, SumcheckProof, Vec<Vec<F>>) {
    let fx = Fixture::new(N, 11);
    let (proof, _, evals) = fx.prove(&mut MerlinTranscript::new(b"snd"));
    fx.verify(&proof, &evals, &mut MerlinTranscript::new(b"snd"))
        .unwrap();
    (fx, proof, evals)
}

fn rejects(fx: &Fixture, proof: &SumcheckProof, evals: &[Vec<F>]) -> Error {
    fx.verify(proof, evals, &mut MerlinTranscript::new(b"snd"))
        .unwrap_err()
}

#[test]
fn corrupt_middle_and_last_round() {
    let (fx, proof, evals) = fixture();
    for round in [N / 2, N - 1, 0] {
        for coeff in 0..proof.round_polys[round].coeffs_except_linear.len() {
            let mut bad = proof.clone();
            bad.round_polys[round].coeffs_except_linear[coeff] += F::one();
            assert!(matches!(
                rejects(&fx, &bad, &evals),
                Error::FinalClaimMismatch { .. }
            ));
        }
    }
}

#[test]
fn corrupt_final_evaluations() {
    let (fx, proof, evals) = fixture();
    for i in 0..evals.len() {
        for j in 0..evals[i].len() {
            let mut bad = evals.clone();
            bad[i][j] += F::one();
            assert!(matches!(
                rejects(&fx, &proof, &bad),
                Error::FinalClaimMismatch { .. }
            ));
        }
        let mut short = evals.clone();
        short[i].pop();
        assert!(matches!(
            rejects(&fx, &proof, &short),
            Error::Malformed { .. }
        ));
    }
    assert!(matches!(
        rejects(&fx, &proof, &evals[..2]),
        Error::Malformed { .. }
    ));
}

#[test]
fn swap_and_replay_rounds() {
    let (fx, proof, evals) = fixture();
    let mut swapped = proof.clone();
    swapped.round_polys.swap(1, 2);
    rejects(&fx, &swapped, &evals);
    let mut replayed = proof.clone();
    replayed.round_polys[3] = replayed.round_polys[2].clone();
    rejects(&fx, &replayed, &evals);
    // Wrong number of rounds / degree.
    let mut short = proof.clone();
    short.round_polys.pop();
    assert!(matches!(
        rejects(&fx, &short, &evals),
        Error::WrongNumberOfRounds { .. }
    ));
    let mut long = proof.clone();
    long.round_polys.push(proof.round_polys[0].clone());
    assert!(matches!(
        rejects(&fx, &long, &evals),
        Error::WrongNumberOfRounds { .. }
    ));
    let mut high = proof.clone();
    high.round_polys[4].coeffs_except_linear.push(F::one());
    assert!(matches!(
        rejects(&fx, &high, &evals),
        Error::DegreeTooHigh { round: 4, .. }
    ));
    let mut low = proof.clone();
    low.round_polys[4].coeffs_except_linear.pop();
    assert!(matches!(
        rejects(&fx, &low, &evals),
        Error::Malformed { .. }
    ));
}

#[test]
fn replay_proof_for_another_statement() {
    let (_, proof, evals) = fixture();
    // The same proof against a different fixture (other data, same shapes).
    let other = Fixture::new(N, 12);
    assert!(other
        .verify(&proof, &evals, &mut MerlinTranscript::new(b"snd"))
        .is_err());
}

#[test]
fn desynchronized_transcript() {
    let (fx, proof, evals) = fixture();
    let mut t = MerlinTranscript::new(b"snd");
    t.append_u64(b"extra", 1);
    assert!(fx.verify(&proof, &evals, &mut t).is_err());
    assert!(fx
        .verify(&proof, &evals, &mut MerlinTranscript::new(b"other"))
        .is_err());
    // Poseidon: a proof made under Merlin does not verify under Poseidon.
    assert!(fx
        .verify(&proof, &evals, &mut PoseidonTranscript::new(b"snd"))
        .is_err());
}

#[test]
fn one_bad_instance_among_several() {
    let fx = Fixture::new(N, 13);
    // Prover's zero-check witness violates the constraint in one entry.
    let mut bad = Fixture::new(N, 13);
    let mut c = bad.zc[2].evals().to_vec();
    c[3] += F::one();
    bad.zc[2] = MultilinearPoly::new(c).unwrap();
    let (proof, _, evals) = bad.prove(&mut MerlinTranscript::new(b"snd"));
    assert!(fx
        .verify(&proof, &evals, &mut MerlinTranscript::new(b"snd"))
        .is_err());
    // Prover's matmul input differs from the one the claim is about.
    let mut bad = Fixture::new(N, 13);
    let mut a = bad.mm_a.evals().to_vec();
    a[0] += F::one();
    bad.mm_a = MultilinearPoly::new(a).unwrap();
    let (proof, _, evals) = bad.prove(&mut MerlinTranscript::new(b"snd"));
    assert!(fx
        .verify(&proof, &evals, &mut MerlinTranscript::new(b"snd"))
        .is_err());
    // A product claim off by one.
    let (p, z, m) = fx.verifiers();
    let (proof, _, evals) = fx.prove(&mut MerlinTranscript::new(b"snd"));
    let mut p2 = p.clone();
    p2.params.claim += F::one();
    assert!(verify_batched(
        &[&p2, &z, &m],
        &proof,
        &evals,
        &mut MerlinTranscript::new(b"snd")
    )
    .is_err());
    assert!(verify_batched(
        &[&p, &z, &m],
        &proof,
        &evals,
        &mut MerlinTranscript::new(b"snd")
    )
    .is_ok());
    // Instances in another order.
    assert!(verify_batched(
        &[&z, &p, &m],
        &proof,
        &evals,
        &mut MerlinTranscript::new(b"snd")
    )
    .is_err());
}

#[test]
fn flipped_bytes_of_serialized_proof() {
    let (fx, proof, evals) = fixture();
    let bytes = proof.to_bytes();
    assert_eq!(SumcheckProof::from_bytes(&bytes).unwrap(), proof);
    let mut rng = rng(99);
    for _ in 0..300 {
        let mut b = bytes.clone();
        let i = rng.gen_range(0..b.len());
        b[i] ^= 1 << rng.gen_range(0..8);
        if let Ok(p) = SumcheckProof::from_bytes(&b) {
            assert!(fx
                .verify(&p, &evals, &mut MerlinTranscript::new(b"snd"))
                .is_err());
        }
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(SumcheckProof::from_bytes(&trailing).is_err());
    assert!(SumcheckProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
}

fn multi_eval_fixture() -> (Vec<MultilinearPoly>, Vec<EvalClaim>, MultiEvalProof) {
    let mut rng = rng(21);
    let polys: Vec<_> = (0..3).map(|_| rand_poly(6, &mut rng)).collect();
    let claims: Vec<EvalClaim> = [0usize, 2, 0, 1]
        .iter()
        .map(|&poly| {
            let point = rand_point(6, &mut rng);
            EvalClaim {
                poly,
                value: brute_eval(&polys[poly], &point),
                point,
            }
        })
        .collect();
    let refs: Vec<_> = polys.iter().collect();
    let (proof, _) = prove_multi_eval(&refs, &claims, &mut PoseidonTranscript::new(b"me"));
    (polys, claims, proof)
}

fn me_verify(claims: &[EvalClaim], proof: &MultiEvalProof) -> Result<Vec<F>, Error> {
    verify_multi_eval(3, 6, claims, proof, &mut PoseidonTranscript::new(b"me"))
}

#[test]
fn multi_eval_tampering() {
    let (_, claims, proof) = multi_eval_fixture();
    me_verify(&claims, &proof).unwrap();
    for i in 0..3 {
        let mut bad = proof.clone();
        bad.evals[i] += F::one();
        assert!(me_verify(&claims, &bad).is_err());
    }
    let mut bad = proof.clone();
    bad.sumcheck.round_polys[3].coeffs_except_linear[1] += F::one();
    assert!(me_verify(&claims, &bad).is_err());
    let mut bad = proof.clone();
    bad.sumcheck.round_polys.swap(0, 5);
    assert!(me_verify(&claims, &bad).is_err());
    let mut bad = proof.clone();
    bad.evals.push(F::one());
    assert!(matches!(
        me_verify(&claims, &bad),
        Err(Error::Malformed { .. })
    ));
    // Claims: wrong value, index out of range, wrong point length, dropped claim, reordered.
    let mut c = claims.clone();
    c[1].value += F::one();
    assert!(me_verify(&c, &proof).is_err());
    let mut c = claims.clone();
    c[1].poly = 3;
    assert!(matches!(
        me_verify(&c, &proof),
        Err(Error::Malformed { .. })
    ));
    let mut c = claims.clone();
    c[0].poly = usize::MAX;
    assert!(matches!(
        me_verify(&c, &proof),
        Err(Error::Malformed { .. })
    ));
    let mut c = claims.clone();
    c[2].point.pop();
    assert!(matches!(
        me_verify(&c, &proof),
        Err(Error::Malformed { .. })
    ));
    assert!(me_verify(&claims[1..], &proof).is_err());
    let mut c = claims.clone();
    c.swap(0, 1);
    assert!(me_verify(&c, &proof).is_err());
    // Desynchronized transcript.
    let mut t = PoseidonTranscript::new(b"me");
    t.append_u64(b"x", 0);
    assert!(verify_multi_eval(3, 6, &claims, &proof, &mut t).is_err());
    assert!(verify_multi_eval(3, 6, &claims, &proof, &mut PoseidonTranscript::new(b"mf")).is_err());
    // Serialized byte flips.
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    let mut rng = rng(5);
    for _ in 0..200 {
        let mut b = bytes.clone();
        let i = rng.gen_range(0..b.len());
        b[i] ^= 1 << rng.gen_range(0..8);
        if let Ok(p) = MultiEvalProof::deserialize_compressed(&b[..]) {
            if p != proof {
                assert!(me_verify(&claims, &p).is_err());
            }
        }
    }
}
