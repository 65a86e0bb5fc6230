//! Completeness: commit/open/verify round trips, batching, accumulation, `.ptau` loading.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::UniformRand;
use common::*;
use pcs::batch::{batch_open, batch_open_declared, batch_verify};
use pcs::hyperkzg::Commitment;
use pcs::ptau::load_ptau;
use pcs::{
    Accumulator, AdditivelyHomomorphic, Error, HyperKzg, MultilinearPcs, OpeningClaim, Scalars,
    SmallScalars, TrivialPcs,
};
use rand::Rng as _;
use sumcheck::{MerlinTranscript, MultilinearPoly, PoseidonTranscript, Transcript, F};

/// Generic round trip: commit, open at a random point, verify; the proven value is
/// `MultilinearPoly::evaluate` (variable order: x_0 = low bit).
fn round_trip<P: MultilinearPcs, T: Transcript>(
    pk: &P::ProverKey,
    vk: &P::VerifierKey,
    n: usize,
    rng: &mut Rng,
) {
    let poly = rand_poly(n, rng);
    let point = rand_point(n, rng);
    let c = P::commit(pk, &poly).unwrap();
    let mut tp = T::new(b"rt");
    let (proof, value) = P::open(pk, &poly, &c, &point, &mut tp).unwrap();
    assert_eq!(value, poly.evaluate(&point), "n = {n}");
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    let proof = P::Proof::deserialize_compressed(&bytes[..]).unwrap();
    let mut tv = T::new(b"rt");
    P::verify(vk, &c, &point, &value, &proof, &mut tv).unwrap();
    // Prover and verifier end in the same transcript state.
    assert_eq!(tp.challenge(b"end"), tv.challenge(b"end"));
}

#[test]
fn hyperkzg_round_trips() {
    let (pk, vk) = keys(14);
    let mut rng = rng(1);
    for n in [0, 1, 2, 5, 10, 14] {
        round_trip::<HyperKzg, MerlinTranscript>(&pk, &vk, n, &mut rng);
    }
    round_trip::<HyperKzg, PoseidonTranscript>(&pk, &vk, 4, &mut rng);
}

#[test]
fn trivial_round_trips() {
    let (pk, vk) = TrivialPcs::trim(&10, 10).unwrap();
    let mut rng = rng(2);
    for n in [0, 1, 5, 10] {
        round_trip::<TrivialPcs, MerlinTranscript>(&pk, &vk, n, &mut rng);
    }
}

#[test]
fn small_scalar_commitments_match() {
    let (pk, _) = keys(12);
    let mut rng = rng(3);
    let n = 3000; // not a power of two: implicit zero padding
    let i64s: Vec<i64> = (0..n)
        .map(|_| rng.gen_range(-(1i64 << 31)..(1i64 << 31)))
        .collect();
    let u16s: Vec<u16> = (0..n).map(|_| rng.gen()).collect();
    let bits: Vec<bool> = (0..n).map(|_| rng.gen()).collect();
    for s in [
        SmallScalars::I64(&i64s),
        SmallScalars::U16(&u16s),
        SmallScalars::Bits(&bits),
    ] {
        let fast = HyperKzg::commit_scalars(&pk, Scalars::Small(s)).unwrap();
        let poly = MultilinearPoly::from_padded(s.to_field(), 0);
        let slow = HyperKzg::commit(&pk, &poly).unwrap();
        assert_eq!(fast, slow);
    }
    assert_eq!(
        HyperKzg::commit_i64(&pk, &i64s).unwrap(),
        HyperKzg::commit(&pk, &MultilinearPoly::from_i64s(&i64s)).unwrap()
    );
}

#[test]
fn padding_and_homomorphism() {
    let (pk, vk) = keys(8);
    let mut rng = rng(4);
    let a = rand_poly(4, &mut rng);
    let b = rand_poly(6, &mut rng);
    let ca = HyperKzg::commit(&pk, &a).unwrap();
    let cb = HyperKzg::commit(&pk, &b).unwrap();
    // Padding does not change the commitment.
    assert_eq!(ca, HyperKzg::commit(&pk, &a.pad_to_vars(8)).unwrap());
    // Homomorphism across sizes.
    let g = F::rand(&mut rng);
    let mut sum = b.evals().to_vec();
    for (s, x) in sum.iter_mut().zip(a.evals()) {
        *s += g * x;
    }
    let sum = MultilinearPoly::new(sum).unwrap();
    assert_eq!(
        HyperKzg::combine(&[cb, ca], &[F::one(), g]).unwrap(),
        HyperKzg::commit(&pk, &sum).unwrap()
    );
    // Opening the small polynomial on 8 variables proves P(r_low)·Π(1 − r_high).
    let r = rand_point(8, &mut rng);
    let mut t = MerlinTranscript::new(b"pad");
    let (proof, v) = HyperKzg::open(&pk, &a, &ca, &r, &mut t).unwrap();
    let expect = a.evaluate(&r[..4]) * r[4..].iter().map(|x| F::one() - x).product::<F>();
    assert_eq!(v, expect);
    let mut t = MerlinTranscript::new(b"pad");
    HyperKzg::verify(&vk, &ca, &r, &v, &proof, &mut t).unwrap();
}

fn batch_case<P: AdditivelyHomomorphic>(pk: &P::ProverKey, vk: &P::VerifierKey, rng: &mut Rng) {
    let sizes = [3usize, 8, 0, 5, 8, 1];
    let polys: Vec<MultilinearPoly> = sizes.iter().map(|&n| rand_poly(n, rng)).collect();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let comms: Vec<P::Commitment> = polys.iter().map(|p| P::commit(pk, p).unwrap()).collect();
    let point = rand_point(8, rng);
    let mut tp = MerlinTranscript::new(b"batch");
    let (proof, values) = batch_open::<P, _>(pk, &refs, &comms, &point, &mut tp).unwrap();
    for (p, v) in polys.iter().zip(&values) {
        assert_eq!(*v, p.evaluate(&point[..p.num_vars()]));
    }
    let mut tv = MerlinTranscript::new(b"batch");
    batch_verify::<P, _>(vk, &comms, &sizes, &point, &values, &proof, &mut tv).unwrap();
}

#[test]
fn batch_opening_of_different_sizes() {
    let mut rng = rng(5);
    let (pk, vk) = keys(8);
    batch_case::<HyperKzg>(&pk, &vk, &mut rng);
    let (pk, vk) = TrivialPcs::trim(&8, 8).unwrap();
    batch_case::<TrivialPcs>(&pk, &vk, &mut rng);
}

#[test]
fn declared_padding_opens_like_padded_copies() {
    // Opening P as its zero-padding to 8 variables without the copy gives the same proof.
    let mut rng = rng(8);
    let (pk, vk) = keys(8);
    let sizes = [3usize, 8, 0, 5];
    let polys: Vec<MultilinearPoly> = sizes.iter().map(|&n| rand_poly(n, &mut rng)).collect();
    let padded: Vec<MultilinearPoly> = polys.iter().map(|p| p.pad_to_vars(8)).collect();
    let comms: Vec<_> = polys
        .iter()
        .map(|p| HyperKzg::commit(&pk, p).unwrap())
        .collect();
    let point = rand_point(8, &mut rng);
    let refs: Vec<&MultilinearPoly> = padded.iter().collect();
    let mut t = MerlinTranscript::new(b"decl");
    let (p1, v1) = batch_open::<HyperKzg, _>(&pk, &refs, &comms, &point, &mut t).unwrap();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let mut t = MerlinTranscript::new(b"decl");
    let (p2, v2) =
        batch_open_declared::<HyperKzg, _>(&pk, &refs, &[8; 4], &comms, &point, &mut t).unwrap();
    assert_eq!((p1, &v1), (p2.clone(), &v2));
    let mut t = MerlinTranscript::new(b"decl");
    batch_verify::<HyperKzg, _>(&vk, &comms, &[8; 4], &point, &v2, &p2, &mut t).unwrap();
    // A declared size below a polynomial's own is an error, not a panic.
    let mut t = MerlinTranscript::new(b"decl");
    assert!(
        batch_open_declared::<HyperKzg, _>(&pk, &refs, &[8, 7, 8, 8], &comms, &point, &mut t)
            .is_err()
    );
}

#[test]
fn accumulator_folds_and_decides() {
    let (pk, vk) = keys(8);
    let mut rng = rng(6);
    let mut claims = Vec::new();
    for n in [0usize, 1, 4, 8, 8] {
        let poly = rand_poly(n, &mut rng);
        let c = HyperKzg::commit(&pk, &poly).unwrap();
        let point = rand_point(n, &mut rng);
        let mut t = MerlinTranscript::new(b"claim");
        let (proof, value) = HyperKzg::open(&pk, &poly, &c, &point, &mut t).unwrap();
        claims.push((
            OpeningClaim {
                commitment: c,
                point,
                value,
            },
            proof,
        ));
    }
    let mut acc = Accumulator::new();
    acc.decide(&vk).unwrap();
    let mut ta = MerlinTranscript::new(b"acc");
    for (claim, proof) in &claims {
        let mut t = MerlinTranscript::new(b"claim");
        let pair = HyperKzg::reduce_to_pairing(
            &vk,
            &claim.commitment,
            &claim.point,
            &claim.value,
            proof,
            &mut t,
        )
        .unwrap();
        pair.check(&vk).unwrap();
        acc.fold_pair(&pair, &mut ta);
    }
    acc.decide(&vk).unwrap();
    assert_eq!(acc.count, 5);
    // Prover and verifier run one shared transcript: open_and_fold / fold keep equal accumulators.
    let mut prover_acc = Accumulator::new();
    let mut tp = PoseidonTranscript::new(b"acc2");
    let mut proofs = Vec::new();
    for n in [3usize, 0, 6] {
        let poly = rand_poly(n, &mut rng);
        let c = HyperKzg::commit(&pk, &poly).unwrap();
        let point = rand_point(n, &mut rng);
        proofs.push(
            prover_acc
                .open_and_fold(&pk, &vk, &poly, &c, &point, &mut tp)
                .unwrap(),
        );
    }
    let mut acc2 = Accumulator::new();
    let mut tv = PoseidonTranscript::new(b"acc2");
    for (claim, proof) in &proofs {
        acc2.fold(&vk, claim, proof, &mut tv).unwrap();
    }
    assert_eq!(acc2, prover_acc);
    assert_eq!(tp.challenge(b"end"), tv.challenge(b"end"));
    acc2.decide(&vk).unwrap();
    acc.merge(&acc2, &mut ta);
    acc.decide(&vk).unwrap();
    assert_eq!(acc.count, 8);
    let mut bytes = Vec::new();
    acc.serialize_compressed(&mut bytes).unwrap();
    assert_eq!(
        Accumulator::deserialize_compressed(&bytes[..]).unwrap(),
        acc
    );
}

#[test]
fn ptau_fixture_loads_and_opens() {
    let tau = F::from(0x1234_5678_9abc_u64);
    let bytes = write_test_ptau(tau, 4);
    for log in [0usize, 3, 4] {
        let srs = load_ptau(std::io::Cursor::new(&bytes), log).unwrap();
        assert!(!srs.is_insecure_dev());
        assert_eq!(srs.log_size(), log);
        let g = ark_bn254::G1Projective::generator();
        let mut t = F::one();
        for p in srs.g1_powers() {
            assert_eq!(*p, (g * t).into_affine());
            t *= tau;
        }
        assert_eq!(
            srs.tau_g2(),
            (ark_bn254::G2Projective::generator() * tau).into_affine()
        );
    }
    let srs = load_ptau(std::io::Cursor::new(&bytes), 4).unwrap();
    let (pk, vk) = HyperKzg::keys(&srs, 4).unwrap();
    assert!(!pk.is_insecure_dev() && !vk.is_insecure_dev());
    assert!(keys(4).1.is_insecure_dev() && keys(4).0.is_insecure_dev());
    assert_eq!(vk.srs_digest, srs.digest());
    let mut rng = rng(7);
    round_trip::<HyperKzg, MerlinTranscript>(&pk, &vk, 4, &mut rng);
    round_trip::<HyperKzg, MerlinTranscript>(&pk, &vk, 2, &mut rng);
    assert!(matches!(
        load_ptau(std::io::Cursor::new(&bytes), 5),
        Err(Error::PtauTooSmall {
            power: 4,
            needed: 5
        })
    ));
}

#[test]
fn ptau_bad_files_are_clean_errors() {
    let bytes = write_test_ptau(F::from(99u64), 3);
    let load = |b: &[u8]| load_ptau(std::io::Cursor::new(b.to_vec()), 3);
    let mut magic = bytes.clone();
    magic[0] = b'x';
    assert!(matches!(load(&magic), Err(Error::PtauFormat { .. })));
    for cut in [0, 3, 10, 20, 60, 500, bytes.len() - 1] {
        assert!(
            matches!(load(&bytes[..cut]), Err(Error::PtauTruncated { .. })),
            "cut {cut}: {:?}",
            load(&bytes[..cut])
        );
    }
    // Off-curve G1 point: perturb y of τ^2·G1 (a valid, reduced coordinate).
    let s2 = ptau_section_offset(&bytes, 2);
    let mut off = bytes.clone();
    off[s2 + 2 * 64 + 32] ^= 1;
    assert!(matches!(
        load(&off),
        Err(Error::PtauBadPoint {
            section: 2,
            index: 2,
            ..
        })
    ));
    // Unreduced coordinate.
    let mut unreduced = bytes.clone();
    unreduced[s2 + 64 + 31] = 0xff;
    assert!(matches!(
        load(&unreduced),
        Err(Error::PtauBadPoint {
            section: 2,
            index: 1,
            ..
        })
    ));
    // Off-curve G2 point.
    let s3 = ptau_section_offset(&bytes, 3);
    let mut g2 = bytes.clone();
    g2[s3 + 128 + 5] ^= 1;
    assert!(matches!(
        load(&g2),
        Err(Error::PtauBadPoint {
            section: 3,
            index: 1,
            ..
        })
    ));
    // Wrong field modulus.
    let s1 = ptau_section_offset(&bytes, 1);
    let mut field = bytes.clone();
    field[s1 + 4] ^= 1;
    assert!(matches!(load(&field), Err(Error::PtauWrongField)));
    // Inconsistent powers (a valid point, but not τ^3·G1).
    let mut swapped = bytes.clone();
    let (a, b) = (s2 + 64, s2 + 3 * 64);
    let p1: Vec<u8> = swapped[a..a + 64].to_vec();
    swapped[b..b + 64].copy_from_slice(&p1);
    assert!(matches!(load(&swapped), Err(Error::SrsInconsistent { .. })));
    // Missing section 3: rename its id.
    let mut missing = bytes.clone();
    missing[s3 - 12] = 9;
    assert!(matches!(
        load(&missing),
        Err(Error::PtauMissingSection { section: 3 })
    ));
}

#[test]
fn commitments_serialize() {
    let (pk, _) = keys(4);
    let mut rng = rng(8);
    let c = HyperKzg::commit(&pk, &rand_poly(4, &mut rng)).unwrap();
    let mut bytes = Vec::new();
    c.serialize_compressed(&mut bytes).unwrap();
    assert_eq!(bytes.len(), 32);
    assert_eq!(Commitment::deserialize_compressed(&bytes[..]).unwrap(), c);
    assert!(Commitment::deserialize_compressed(&[0xffu8; 32][..]).is_err());
    assert!(c.0 != ark_bn254::G1Affine::zero() || F::zero().is_zero());
}

/// 2^18 with small scalars: fast commit; the opening is dominated by full-scalar MSMs.
#[test]
fn round_trip_2_18_small_scalars() {
    let n = 18;
    let (pk, vk) = keys(n);
    let mut rng = rng(9);
    let vals: Vec<i64> = (0..1usize << n)
        .map(|_| rng.gen_range(-(1 << 20)..(1 << 20)))
        .collect();
    let c = HyperKzg::commit_i64(&pk, &vals).unwrap();
    let poly = MultilinearPoly::from_i64s(&vals);
    let point = rand_point(n, &mut rng);
    let mut t = MerlinTranscript::new(b"big");
    let (proof, v) = HyperKzg::open(&pk, &poly, &c, &point, &mut t).unwrap();
    assert_eq!(v, poly.evaluate(&point));
    let mut t = MerlinTranscript::new(b"big");
    HyperKzg::verify(&vk, &c, &point, &v, &proof, &mut t).unwrap();
}

fn multi_point_case<P: AdditivelyHomomorphic>(
    pk: &P::ProverKey,
    vk: &P::VerifierKey,
    rng: &mut Rng,
) {
    use pcs::batch::{multi_point_open, multi_point_verify};
    use sumcheck::EvalClaim;
    let sizes = [6usize, 3, 6, 0];
    let polys: Vec<MultilinearPoly> = sizes.iter().map(|&n| rand_poly(n, rng)).collect();
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    let comms: Vec<P::Commitment> = polys.iter().map(|p| P::commit(pk, p).unwrap()).collect();
    let mut claims = Vec::new();
    for (k, p) in [0usize, 1, 0, 2, 3, 1].iter().zip(0..) {
        let _ = p;
        let point = rand_point(sizes[*k], rng);
        claims.push(EvalClaim {
            poly: *k,
            value: polys[*k].evaluate(&point),
            point,
        });
    }
    let mut tp = MerlinTranscript::new(b"mp");
    let proof = multi_point_open::<P, _>(pk, &refs, &comms, &claims, &mut tp).unwrap();
    let mut tv = MerlinTranscript::new(b"mp");
    multi_point_verify::<P, _>(vk, &comms, &sizes, &claims, &proof, &mut tv).unwrap();
    assert_eq!(tp.challenge(b"end"), tv.challenge(b"end"));
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    let back = pcs::batch::MultiPointProof::<P::Proof>::deserialize_compressed(&bytes[..]).unwrap();
    let mut tv = MerlinTranscript::new(b"mp");
    multi_point_verify::<P, _>(vk, &comms, &sizes, &claims, &back, &mut tv).unwrap();
}

#[test]
fn multi_point_reduction_round_trip() {
    let mut rng = rng(10);
    let (pk, vk) = keys(6);
    multi_point_case::<HyperKzg>(&pk, &vk, &mut rng);
    let (pk, vk) = TrivialPcs::trim(&6, 6).unwrap();
    multi_point_case::<TrivialPcs>(&pk, &vk, &mut rng);
}

/// Snapshot of every Fiat–Shamir absorb site of an opening, a batch and an accumulator fold: an
/// accidental change to the transcript schedule shows up here.
#[test]
fn fiat_shamir_schedule_snapshot() {
    use sumcheck::transcript::RecordingTranscript;
    let (pk, vk) = keys(3);
    let mut rng = rng(11);
    let polys = [rand_poly(3, &mut rng), rand_poly(2, &mut rng)];
    let comms: Vec<Commitment> = polys
        .iter()
        .map(|p| HyperKzg::commit(&pk, p).unwrap())
        .collect();
    let point = rand_point(3, &mut rng);
    let mut t = RecordingTranscript::<MerlinTranscript>::new(b"snap");
    let refs: Vec<&MultilinearPoly> = polys.iter().collect();
    batch_open::<HyperKzg, _>(&pk, &refs, &comms, &point, &mut t).unwrap();
    let mut acc = Accumulator::new();
    acc.open_and_fold(&pk, &vk, &polys[1], &comms[1], &point[..2], &mut t)
        .unwrap();
    let expected = "\
absorb fields batch/count x1
absorb g1 batch/commitment
absorb fields batch/num-vars x1
absorb g1 batch/commitment
absorb fields batch/num-vars x1
absorb fields batch/point x3
absorb fields batch/values x2
challenge batch/gamma
absorb g1 hyperkzg/commitment
absorb fields hyperkzg/point x3
absorb fields hyperkzg/value x1
absorb g1 hyperkzg/fold
absorb g1 hyperkzg/fold
challenge hyperkzg/beta
absorb fields hyperkzg/evals-pos x3
absorb fields hyperkzg/evals-neg x3
absorb fields hyperkzg/evals-sq x3
challenge hyperkzg/q
absorb g1 hyperkzg/quotient
challenge hyperkzg/z
absorb g1 hyperkzg/lin-quotient
absorb g1 hyperkzg/commitment
absorb fields hyperkzg/point x2
absorb fields hyperkzg/value x1
absorb g1 hyperkzg/fold
challenge hyperkzg/beta
absorb fields hyperkzg/evals-pos x2
absorb fields hyperkzg/evals-neg x2
absorb fields hyperkzg/evals-sq x2
challenge hyperkzg/q
absorb g1 hyperkzg/quotient
challenge hyperkzg/z
absorb g1 hyperkzg/lin-quotient
absorb g1 acc/lhs
absorb g1 acc/rhs
challenge acc/rho
";
    assert_eq!(t.render(), expected);
}
