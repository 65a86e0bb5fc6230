//! Soundness: every tampered claim or proof is rejected with an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::One;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::UniformRand;
use common::*;
use pcs::batch::{batch_open, batch_verify};
use pcs::hyperkzg::{Commitment, Proof, ProverKey, VerifierKey};
use pcs::{Accumulator, Error, HyperKzg, MultilinearPcs, OpeningClaim, TrivialPcs};
use rand::Rng as _;
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

const N: usize = 6;

struct Case {
    pk: ProverKey,
    vk: VerifierKey,
    poly: MultilinearPoly,
    c: Commitment,
    point: Vec<F>,
    value: F,
    proof: Proof,
}

fn case(seed: u64) -> Case {
    let (pk, vk) = keys(8);
    let mut rng = rng(seed);
    let poly = rand_poly(N, &mut rng);
    let c = HyperKzg::commit(&pk, &poly).unwrap();
    let point = rand_point(N, &mut rng);
    let mut t = MerlinTranscript::new(b"sound");
    let (proof, value) = HyperKzg::open(&pk, &poly, &c, &point, &mut t).unwrap();
    Case {
        pk,
        vk,
        poly,
        c,
        point,
        value,
        proof,
    }
}

fn verify(
    vk: &VerifierKey,
    c: &Commitment,
    point: &[F],
    v: &F,
    proof: &Proof,
) -> Result<(), Error> {
    let mut t = MerlinTranscript::new(b"sound");
    HyperKzg::verify(vk, c, point, v, proof, &mut t)
}

fn g() -> G1Projective {
    G1Projective::generator()
}

#[test]
fn honest_proof_verifies() {
    let k = case(1);
    verify(&k.vk, &k.c, &k.point, &k.value, &k.proof).unwrap();
}

#[test]
fn wrong_value_point_commitment() {
    let k = case(2);
    assert!(verify(&k.vk, &k.c, &k.point, &(k.value + F::one()), &k.proof).is_err());
    for i in 0..N {
        let mut p = k.point.clone();
        p[i] += F::one();
        assert!(
            verify(&k.vk, &k.c, &p, &k.value, &k.proof).is_err(),
            "coordinate {i}"
        );
    }
    // Shorter / longer point: shape errors.
    assert!(matches!(
        verify(&k.vk, &k.c, &k.point[..N - 1], &k.value, &k.proof),
        Err(Error::ProofShape { .. })
    ));
    let mut long = k.point.clone();
    long.push(F::from(0u64));
    assert!(matches!(
        verify(&k.vk, &k.c, &long, &k.value, &k.proof),
        Err(Error::ProofShape { .. })
    ));
    // Point beyond the key's size.
    let huge = vec![F::one(); 40];
    assert!(matches!(
        verify(&k.vk, &k.c, &huge, &k.value, &k.proof),
        Err(Error::SrsTooSmall { .. })
    ));
    let other = HyperKzg::commit(&k.pk, &rand_poly(N, &mut rng(99))).unwrap();
    // The commitment is absorbed first, so every challenge changes: rejected early.
    assert!(verify(&k.vk, &other, &k.point, &k.value, &k.proof).is_err());
    let shifted = Commitment((k.c.0 + g()).into_affine());
    assert!(verify(&k.vk, &shifted, &k.point, &k.value, &k.proof).is_err());
}

#[test]
fn every_proof_element_tampered() {
    let k = case(3);
    let bump = |p: &G1Affine| (*p + g()).into_affine();
    for i in 0..k.proof.folds.len() {
        let mut p = k.proof.clone();
        p.folds[i] = bump(&p.folds[i]);
        assert!(
            verify(&k.vk, &k.c, &k.point, &k.value, &p).is_err(),
            "fold {i}"
        );
    }
    for i in 0..N {
        for which in 0..3 {
            let mut p = k.proof.clone();
            let v = match which {
                0 => &mut p.evals_pos,
                1 => &mut p.evals_neg,
                _ => &mut p.evals_sq,
            };
            v[i] += F::one();
            assert!(
                verify(&k.vk, &k.c, &k.point, &k.value, &p).is_err(),
                "eval {which} at {i}"
            );
        }
    }
    for i in 0..2 {
        let mut p = k.proof.clone();
        p.quotients[i] = bump(&p.quotients[i]);
        assert!(matches!(
            verify(&k.vk, &k.c, &k.point, &k.value, &p),
            Err(Error::PairingCheckFailed)
        ));
    }
    // Swapped folds and swapped quotients.
    let mut p = k.proof.clone();
    p.folds.swap(0, 1);
    assert!(verify(&k.vk, &k.c, &k.point, &k.value, &p).is_err());
    let mut p = k.proof.clone();
    p.quotients.swap(0, 1);
    assert!(verify(&k.vk, &k.c, &k.point, &k.value, &p).is_err());
    // Truncated components are shape errors.
    for which in 0..5 {
        let mut p = k.proof.clone();
        match which {
            0 => drop(p.folds.pop()),
            1 => drop(p.evals_pos.pop()),
            2 => drop(p.evals_neg.pop()),
            3 => drop(p.evals_sq.pop()),
            _ => drop(p.quotients.pop()),
        }
        assert!(matches!(
            verify(&k.vk, &k.c, &k.point, &k.value, &p),
            Err(Error::ProofShape { .. })
        ));
    }
    // Empty proof for a 0-variable claim with a wrong value.
    let c0 = HyperKzg::commit(&k.pk, &MultilinearPoly::new(vec![F::from(5u64)]).unwrap()).unwrap();
    let empty = Proof {
        folds: vec![],
        evals_pos: vec![],
        evals_neg: vec![],
        evals_sq: vec![],
        quotients: vec![],
    };
    verify(&k.vk, &c0, &[], &F::from(5u64), &empty).unwrap();
    assert!(verify(&k.vk, &c0, &[], &F::from(6u64), &empty).is_err());
}

#[test]
fn transcript_desync_and_replay() {
    let k = case(4);
    let mut t = MerlinTranscript::new(b"other-domain");
    assert!(HyperKzg::verify(&k.vk, &k.c, &k.point, &k.value, &k.proof, &mut t).is_err());
    let mut t = MerlinTranscript::new(b"sound");
    t.append_u64(b"extra", 1);
    assert!(HyperKzg::verify(&k.vk, &k.c, &k.point, &k.value, &k.proof, &mut t).is_err());
    // Replay: the proof of one claim does not prove another polynomial's claim.
    let k2 = case(5);
    assert!(verify(&k.vk, &k2.c, &k2.point, &k2.value, &k.proof).is_err());
    // A wrong value with a proof forged by running the prover on a lie fails too.
    let _ = &k.poly;
}

#[test]
fn random_byte_flips_of_serialized_proofs() {
    let k = case(6);
    let mut bytes = Vec::new();
    k.proof.serialize_compressed(&mut bytes).unwrap();
    let mut rng = rng(7);
    let mut rejected_by_deser = 0;
    for _ in 0..300 {
        let mut b = bytes.clone();
        let i = rng.gen_range(0..b.len());
        let bit = 1u8 << rng.gen_range(0..8);
        b[i] ^= bit;
        match Proof::deserialize_compressed(&b[..]) {
            Err(_) => rejected_by_deser += 1,
            Ok(p) => assert!(
                verify(&k.vk, &k.c, &k.point, &k.value, &p).is_err(),
                "flip at byte {i} accepted"
            ),
        }
    }
    assert!(rejected_by_deser > 0);
    // Truncations and garbage.
    for cut in [0, 1, 8, bytes.len() / 2, bytes.len() - 1] {
        assert!(Proof::deserialize_compressed(&bytes[..cut]).is_err());
    }
    assert!(Proof::deserialize_compressed(&[0xffu8; 64][..]).is_err());
}

fn batch_fixture() -> (
    ProverKey,
    VerifierKey,
    Vec<MultilinearPoly>,
    Vec<Commitment>,
    Vec<F>,
) {
    let (pk, vk) = keys(8);
    let mut rng = rng(8);
    let polys: Vec<MultilinearPoly> = [2usize, 7, 7, 0, 4]
        .iter()
        .map(|&n| rand_poly(n, &mut rng))
        .collect();
    let comms = polys
        .iter()
        .map(|p| HyperKzg::commit(&pk, p).unwrap())
        .collect();
    (pk, vk, polys, comms, rand_point(7, &mut rng))
}

#[test]
fn one_bad_claim_in_a_batch() {
    let (pk, vk, polys, comms, point) = batch_fixture();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let sizes: Vec<usize> = polys.iter().map(|p| p.num_vars()).collect();
    let mut t = MerlinTranscript::new(b"b");
    let (proof, values) = batch_open::<HyperKzg, _>(&pk, &refs, &comms, &point, &mut t).unwrap();
    let run = |c: &[Commitment], s: &[usize], v: &[F]| {
        let mut t = MerlinTranscript::new(b"b");
        batch_verify::<HyperKzg, _>(&vk, c, s, &point, v, &proof, &mut t)
    };
    run(&comms, &sizes, &values).unwrap();
    for i in 0..values.len() {
        let mut v = values.clone();
        v[i] += F::one();
        assert!(run(&comms, &sizes, &v).is_err(), "value {i}");
        let mut c = comms.clone();
        c[i] = Commitment((c[i].0 + g()).into_affine());
        assert!(run(&c, &sizes, &values).is_err(), "commitment {i}");
    }
    // Lying about a polynomial's size changes the padding factor.
    let mut s = sizes.clone();
    s[0] += 1;
    assert!(run(&comms, &s, &values).is_err());
    assert!(matches!(
        run(&comms, &sizes[1..], &values),
        Err(Error::LengthMismatch { .. })
    ));
    // Trivial backend too.
    let (tpk, tvk) = TrivialPcs::trim(&8, 8).unwrap();
    let tcomms: Vec<_> = polys
        .iter()
        .map(|p| TrivialPcs::commit(&tpk, p).unwrap())
        .collect();
    let mut t = MerlinTranscript::new(b"b");
    let (tp, tv) = batch_open::<TrivialPcs, _>(&tpk, &refs, &tcomms, &point, &mut t).unwrap();
    let mut bad = tv.clone();
    bad[2] += F::one();
    let mut t = MerlinTranscript::new(b"b");
    assert!(
        batch_verify::<TrivialPcs, _>(&tvk, &tcomms, &sizes, &point, &bad, &tp, &mut t).is_err()
    );
}

#[test]
fn one_bad_claim_in_the_accumulator() {
    let (pk, vk) = keys(8);
    let mut rng = rng(9);
    // Honest claims, opened on a shared transcript as the prover does.
    let mut prover_acc = Accumulator::new();
    let mut tp = MerlinTranscript::new(b"acc");
    let mut items: Vec<(OpeningClaim, Proof)> = Vec::new();
    for n in [3usize, 8, 5, 1, 6] {
        let poly = rand_poly(n, &mut rng);
        let c = HyperKzg::commit(&pk, &poly).unwrap();
        let point = rand_point(n, &mut rng);
        items.push(
            prover_acc
                .open_and_fold(&pk, &vk, &poly, &c, &point, &mut tp)
                .unwrap(),
        );
    }
    prover_acc.decide(&vk).unwrap();
    let fold_all = |items: &[(OpeningClaim, Proof)]| -> Result<Accumulator, Error> {
        let mut acc = Accumulator::new();
        let mut t = MerlinTranscript::new(b"acc");
        for (c, p) in items {
            acc.fold(&vk, c, p, &mut t)?;
        }
        Ok(acc)
    };
    assert_eq!(fold_all(&items).unwrap(), prover_acc);
    for i in 0..items.len() {
        // A wrong commitment changes every challenge: rejected at fold or at decide.
        let mut bad = items.clone();
        bad[i].0.commitment = Commitment((bad[i].0.commitment.0 + g()).into_affine());
        assert!(
            fold_all(&bad).and_then(|a| a.decide(&vk)).is_err(),
            "claim {i}"
        );
        // f_0(β²) only enters the pairing: folding this claim succeeds, the accumulator is
        // poisoned and decide rejects. (Later claims, on the shared transcript, then see other
        // challenges and already fail to fold.)
        let last = i + 1 == items.len();
        let mut bad = items.clone();
        bad[i].1.evals_sq[0] += F::one();
        if last {
            let acc = fold_all(&bad).unwrap();
            assert!(matches!(acc.decide(&vk), Err(Error::PairingCheckFailed)));
        }
        assert!(
            fold_all(&bad).and_then(|a| a.decide(&vk)).is_err(),
            "evals_sq {i}"
        );
        // A tampered quotient (the three-point one `W` or the linearization one `W'`) likewise.
        for w in 0..2 {
            let mut bad = items.clone();
            bad[i].1.quotients[w] = (bad[i].1.quotients[w] + g()).into_affine();
            if last {
                let acc = fold_all(&bad).unwrap();
                assert!(matches!(acc.decide(&vk), Err(Error::PairingCheckFailed)));
            }
            assert!(
                fold_all(&bad).and_then(|a| a.decide(&vk)).is_err(),
                "quotient {w} of claim {i}"
            );
        }
        // A wrong value is caught already while folding (folding relation) or at decide.
        let mut bad = items.clone();
        bad[i].0.value += F::one();
        assert!(
            fold_all(&bad).and_then(|a| a.decide(&vk)).is_err(),
            "value {i}"
        );
    }
    // A forged accumulator pair is rejected by decide.
    let mut acc = prover_acc.clone();
    acc.lhs = (acc.lhs + g()).into_affine();
    assert!(acc.decide(&vk).is_err());
    // An honest claim folded with a wrong-but-cancelling attempt: L += X, R += X is not valid.
    let mut acc = prover_acc.clone();
    let x = (g() * F::rand(&mut rng)).into_affine();
    acc.lhs = (acc.lhs + x).into_affine();
    acc.rhs = (acc.rhs + x).into_affine();
    assert!(acc.decide(&vk).is_err());
}

#[test]
fn bad_claims_at_different_points() {
    use pcs::batch::{multi_point_open, multi_point_verify};
    use sumcheck::EvalClaim;
    let (pk, vk) = keys(6);
    let mut rng = rng(10);
    let sizes = [6usize, 4, 6];
    let polys: Vec<MultilinearPoly> = sizes.iter().map(|&n| rand_poly(n, &mut rng)).collect();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let comms: Vec<Commitment> = polys
        .iter()
        .map(|p| HyperKzg::commit(&pk, p).unwrap())
        .collect();
    let claims: Vec<EvalClaim> = [0usize, 1, 2, 0]
        .iter()
        .map(|&k| {
            let point = rand_point(sizes[k], &mut rng);
            EvalClaim {
                poly: k,
                value: polys[k].evaluate(&point),
                point,
            }
        })
        .collect();
    let mut t = MerlinTranscript::new(b"mp");
    let proof = multi_point_open::<HyperKzg, _>(&pk, &refs, &comms, &claims, &mut t).unwrap();
    let run = |cs: &[Commitment], cl: &[EvalClaim], p: &pcs::batch::MultiPointProof<Proof>| {
        let mut t = MerlinTranscript::new(b"mp");
        multi_point_verify::<HyperKzg, _>(&vk, cs, &sizes, cl, p, &mut t)
    };
    run(&comms, &claims, &proof).unwrap();
    for i in 0..claims.len() {
        let mut bad = claims.clone();
        bad[i].value += F::one();
        assert!(run(&comms, &bad, &proof).is_err(), "claim {i}");
    }
    // A lie in the reduced evaluations is caught (by the sumcheck or by the opening).
    for i in 0..sizes.len() {
        let mut p = proof.clone();
        p.reduction.evals[i] += F::one();
        assert!(run(&comms, &claims, &p).is_err(), "eval {i}");
    }
    let mut c = comms.clone();
    c[1] = Commitment((c[1].0 + g()).into_affine());
    assert!(run(&c, &claims, &proof).is_err());
    // Malformed claims are clean errors.
    let mut bad = claims.clone();
    bad[0].poly = 7;
    assert!(matches!(
        run(&comms, &bad, &proof),
        Err(Error::ClaimIndex { .. })
    ));
    let mut bad = claims.clone();
    bad[1].point.push(F::one());
    assert!(matches!(
        run(&comms, &bad, &proof),
        Err(Error::PointDimension { .. })
    ));
    // A prover asked to prove a false claim produces a proof that does not verify.
    let mut lie = claims.clone();
    lie[2].value += F::one();
    let mut t = MerlinTranscript::new(b"mp");
    let p = multi_point_open::<HyperKzg, _>(&pk, &refs, &comms, &lie, &mut t).unwrap();
    assert!(run(&comms, &lie, &p).is_err());
}

/// Several pairing claims decided with one product: honest ones pass (in any number), and a
/// false one is caught even when another claim's error would cancel it in an unweighted sum.
#[test]
fn pairing_claims_decided_together() {
    use pcs::hyperkzg::PairingClaim;
    let cases: Vec<Case> = (0..3).map(|s| case(900 + s)).collect();
    let vk = &cases[0].vk;
    let claims: Vec<PairingClaim> = cases
        .iter()
        .map(|k| {
            let mut t = MerlinTranscript::new(b"sound");
            HyperKzg::reduce_to_pairing(vk, &k.c, &k.point, &k.value, &k.proof, &mut t).unwrap()
        })
        .collect();
    let check = |cs: &[PairingClaim]| {
        let mut t = MerlinTranscript::new(b"pairings");
        PairingClaim::check_all(vk, cs, &mut t)
    };
    check(&[]).unwrap();
    check(&claims[..1]).unwrap();
    check(&claims).unwrap();

    let shift = |p: &G1Affine, d: G1Projective| (p.into_group() + d).into_affine();
    for i in 0..claims.len() {
        let mut bad = claims.clone();
        bad[i].lhs = shift(&bad[i].lhs, g());
        assert!(
            matches!(check(&bad), Err(Error::PairingCheckFailed)),
            "lhs {i}"
        );
        assert!(check(&bad[i..=i]).is_err(), "alone {i}");
        let mut bad = claims.clone();
        bad[i].rhs = shift(&bad[i].rhs, g());
        assert!(
            matches!(check(&bad), Err(Error::PairingCheckFailed)),
            "rhs {i}"
        );
    }
    // Errors that cancel in Σ L_i, Σ R_i: each claim false, the unweighted sum true.
    let mut bad = claims.clone();
    bad[0].lhs = shift(&bad[0].lhs, g());
    bad[1].lhs = shift(&bad[1].lhs, -g());
    let sum = |f: fn(&PairingClaim) -> G1Affine| {
        bad.iter()
            .map(|c| f(c).into_group())
            .sum::<G1Projective>()
            .into_affine()
    };
    PairingClaim {
        lhs: sum(|c| c.lhs),
        rhs: sum(|c| c.rhs),
    }
    .check(vk)
    .unwrap();
    assert!(matches!(check(&bad), Err(Error::PairingCheckFailed)));
}
