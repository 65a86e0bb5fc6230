//! The Bulletproofs inner-product argument (`recursion::ipa`) on Grumpkin and BN254 G1.
//!
//! Completeness for `N = 2^k`, `k ∈ {0, 1, 5, 10}`, with full and shorter (zero-padded) vectors,
//! on commitments made with `PedersenKey::commit`; the key's generators extend the Pedersen
//! key's; rejection of a wrong `v`, `b`, commitment, of every replaced `L_j` / `R_j`, a changed
//! final scalar, wrong lengths, invalid points, a diverging transcript and a lying prover; and a
//! small fuzz of structural mutations that never verify (and never panic).
//!
//! The batched argument (`prove_many` / `verify_many`, shared challenges, one MSM): pairs (and a
//! triple) complete for the same `k` with vectors of different lengths; one statement is exactly
//! `prove` / `verify`; a pair's proofs are not single proofs. Rejected, never panicking: a wrong
//! `v_1` or `v_2`, every entry of `b_1` and `b_2`, a changed or shifted `P_1`, `P_2` (also
//! by compensating amounts), swapped statements or proofs, every `L_{t,j}` / `R_{t,j}` of both
//! statements (random, doubled, identity, exchanged between statements), either or both final
//! scalars, truncated or extended `L` / `R`, a missing or extra proof, an empty batch, off-curve
//! points, proofs from another batch, another transcript state, a false second statement; and
//! a fuzz of structural mutations of either proof.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use ark_ec::AffineRepr;
use ark_ff::{Field, One, Zero};
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::Grumpkin;
use recursion::ipa::{self, IpaClaim, IpaKey, IpaOpening, IpaProof};
use recursion::{Error, FoldingCurve, PedersenKey};
use sumcheck::{PoseidonTranscript, Transcript};

type G1 = ark_bn254::G1Projective;

const LABEL: &[u8] = b"ipa-test-key";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn transcript() -> PoseidonTranscript {
    PoseidonTranscript::new(b"test")
}

fn random_vec<C: FoldingCurve>(len: usize, rng: &mut ChaCha20Rng) -> Vec<C::ScalarField> {
    (0..len).map(|_| C::ScalarField::rand(rng)).collect()
}

fn inner<C: FoldingCurve>(a: &[C::ScalarField], b: &[C::ScalarField]) -> C::ScalarField {
    a.iter().zip(b).map(|(x, y)| *x * y).sum()
}

/// An honest statement and proof on `N = 2^k` with `|a| = len_a`, `|b| = len_b`.
#[derive(Debug)]
struct Instance<C: FoldingCurve> {
    key: IpaKey<C>,
    pedersen: PedersenKey<C>,
    comm: C::Affine,
    a: Vec<C::ScalarField>,
    b: Vec<C::ScalarField>,
    v: C::ScalarField,
    proof: IpaProof<C>,
}

impl<C: FoldingCurve> Instance<C> {
    fn new(k: usize, len_a: usize, len_b: usize, seed: u64) -> Self {
        let mut rng = rng(seed);
        // A Pedersen key shorter than N when possible: the IPA key extends it.
        let pedersen = PedersenKey::<C>::new(LABEL, len_a.max(1), false).unwrap();
        let key = IpaKey::for_pedersen(&pedersen, k).unwrap();
        let a = random_vec::<C>(len_a, &mut rng);
        let b = random_vec::<C>(len_b, &mut rng);
        let comm = pedersen.commit(&a, &C::ScalarField::zero()).unwrap();
        let v = inner::<C>(&a, &b);
        let proof = ipa::prove(&key, &comm, &a, &b, &mut transcript()).unwrap();
        Self {
            key,
            pedersen,
            comm,
            a,
            b,
            v,
            proof,
        }
    }

    fn verify_with(
        &self,
        comm: &C::Affine,
        b: &[C::ScalarField],
        v: &C::ScalarField,
        proof: &IpaProof<C>,
    ) -> Result<(), Error> {
        ipa::verify(&self.key, comm, b, v, proof, &mut transcript())
    }

    fn verify_proof(&self, proof: &IpaProof<C>) -> Result<(), Error> {
        self.verify_with(&self.comm, &self.b, &self.v, proof)
    }
}

fn random_point<C: FoldingCurve>(rng: &mut ChaCha20Rng) -> C::Affine {
    C::rand(rng).into_affine()
}

fn double<C: FoldingCurve>(p: &C::Affine) -> C::Affine {
    (p.into_group() + p).into_affine()
}

// ---------------------------------------------------------------------------------------------
// Completeness

fn completeness<C: FoldingCurve>(k: usize, seed: u64) {
    let n = 1usize << k;
    let mut shapes = vec![(n, n)];
    if n > 1 {
        shapes.extend([(n - 1, n), (n, n / 2 + 1), (n / 2, 1), (1, n)]);
    }
    for (i, (len_a, len_b)) in shapes.into_iter().enumerate() {
        let inst = Instance::<C>::new(k, len_a, len_b, seed + i as u64);
        assert_eq!(inst.proof.l.len(), k);
        assert_eq!(inst.proof.r.len(), k);
        assert_eq!(inst.key.num_vars(), k);
        assert_eq!(inst.key.len(), n);
        inst.verify_proof(&inst.proof)
            .unwrap_or_else(|e| panic!("{}: k = {k}, |a| = {len_a}, |b| = {len_b}: {e}", C::NAME));
        // The verifier takes b zero-padded too.
        let mut padded = inst.b.clone();
        padded.resize(n, C::ScalarField::zero());
        inst.verify_with(&inst.comm, &padded, &inst.v, &inst.proof)
            .unwrap();
    }
}

#[test]
fn completeness_grumpkin() {
    for k in [0, 1, 5, 10] {
        completeness::<Grumpkin>(k, 100 + k as u64);
    }
}

#[test]
fn completeness_bn254() {
    for k in [0, 1, 5, 10] {
        completeness::<G1>(k, 200 + k as u64);
    }
}

fn zero_witness<C: FoldingCurve>() {
    // a = 0: P, every L_j and R_j are the identity, and the proof still verifies.
    let k = 3;
    let pedersen = PedersenKey::<C>::new(LABEL, 8, false).unwrap();
    let key = IpaKey::for_pedersen(&pedersen, k).unwrap();
    let a = vec![C::ScalarField::zero(); 8];
    let b = random_vec::<C>(8, &mut rng(7));
    let comm = pedersen.commit(&a, &C::ScalarField::zero()).unwrap();
    assert!(comm.is_zero());
    let proof = ipa::prove(&key, &comm, &a, &b, &mut transcript()).unwrap();
    assert!(proof.l.iter().chain(&proof.r).all(|p| p.is_zero()));
    ipa::verify(
        &key,
        &comm,
        &b,
        &C::ScalarField::zero(),
        &proof,
        &mut transcript(),
    )
    .unwrap();
    // ... but not for v = 1.
    assert!(ipa::verify(
        &key,
        &comm,
        &b,
        &C::ScalarField::one(),
        &proof,
        &mut transcript()
    )
    .is_err());
}

#[test]
fn zero_witness_verifies() {
    zero_witness::<Grumpkin>();
    zero_witness::<G1>();
}

// ---------------------------------------------------------------------------------------------
// The key

fn key_extends_pedersen<C: FoldingCurve>() {
    let short = PedersenKey::<C>::new(LABEL, 5, true).unwrap();
    let full = PedersenKey::<C>::new(LABEL, 16, false).unwrap();
    let key = IpaKey::for_pedersen(&short, 4).unwrap();
    assert_eq!(key.len(), 16);
    assert!(!key.is_empty());
    assert_eq!(&key.generators()[..5], short.generators());
    // The extension is what a longer key with the same label has.
    assert_eq!(key.generators(), full.generators());
    // A key longer than N is truncated to its prefix.
    let truncated = IpaKey::for_pedersen(&full, 2).unwrap();
    assert_eq!(truncated.generators(), &full.generators()[..4]);
    // U_0 is none of the key's points.
    let u0 = key.u0();
    assert!(C::is_valid_point(u0) && !u0.is_zero());
    assert!(!key.generators().contains(u0));
    assert_ne!(Some(u0), short.blinding());
    // Digests name the key and N.
    assert_ne!(
        key.digest(),
        IpaKey::for_pedersen(&short, 5).unwrap().digest()
    );
    assert_ne!(
        key.digest(),
        IpaKey::for_pedersen(&full, 4).unwrap().digest()
    );
    let other = PedersenKey::<C>::new(b"another-label", 5, true).unwrap();
    let other = IpaKey::for_pedersen(&other, 4).unwrap();
    assert_ne!(key.digest(), other.digest());
    assert_ne!(key.u0(), other.u0());
    assert_eq!(key, IpaKey::for_pedersen(&short, 4).unwrap());
    assert!(IpaKey::for_pedersen(&short, usize::BITS as usize).is_err());
}

#[test]
fn key_extends_pedersen_key() {
    key_extends_pedersen::<Grumpkin>();
    key_extends_pedersen::<G1>();
}

fn pedersen_commitments_verify<C: FoldingCurve>() {
    // A hiding Pedersen key: the commitment without its blinding term opens under the IPA key
    // (the caller removes r·H).
    let mut rng = rng(11);
    let pedersen = PedersenKey::<C>::new(b"ipa-hiding", 20, true).unwrap();
    let key = IpaKey::for_pedersen(&pedersen, 5).unwrap();
    let a = random_vec::<C>(20, &mut rng);
    let b = random_vec::<C>(32, &mut rng);
    let r = C::ScalarField::rand(&mut rng);
    let hidden = pedersen.commit(&a, &r).unwrap();
    let h = *pedersen.blinding().unwrap();
    let comm = (hidden.into_group() - h * r).into_affine();
    assert_eq!(comm, pedersen.commit(&a, &C::ScalarField::zero()).unwrap());
    let proof = ipa::prove(&key, &comm, &a, &b, &mut transcript()).unwrap();
    let v = inner::<C>(&a, &b);
    ipa::verify(&key, &comm, &b, &v, &proof, &mut transcript()).unwrap();
    // With the blinding term left in, it does not.
    assert!(ipa::verify(&key, &hidden, &b, &v, &proof, &mut transcript()).is_err());
}

#[test]
fn pedersen_commitments_open() {
    pedersen_commitments_verify::<Grumpkin>();
    pedersen_commitments_verify::<G1>();
}

// ---------------------------------------------------------------------------------------------
// Soundness: rejections

fn rejections<C: FoldingCurve>(k: usize, seed: u64) {
    let n = 1usize << k;
    let inst = Instance::<C>::new(k, n, n, seed);
    let mut rng = rng(seed + 1);
    inst.verify_proof(&inst.proof).unwrap();

    // Wrong v.
    let one = C::ScalarField::one();
    assert!(inst
        .verify_with(&inst.comm, &inst.b, &(inst.v + one), &inst.proof)
        .is_err());
    // Wrong b: each entry changed in turn.
    for i in 0..n {
        let mut b = inst.b.clone();
        b[i] += one;
        assert!(inst
            .verify_with(&inst.comm, &b, &inst.v, &inst.proof)
            .is_err());
    }
    // b longer than N.
    let mut long = inst.b.clone();
    long.push(one);
    assert!(matches!(
        inst.verify_with(&inst.comm, &long, &inst.v, &inst.proof),
        Err(Error::KeyTooShort { .. })
    ));
    // Wrong commitment.
    let shifted = (inst.comm.into_group() + inst.key.generators()[0]).into_affine();
    assert!(inst
        .verify_with(&shifted, &inst.b, &inst.v, &inst.proof)
        .is_err());
    assert!(inst
        .verify_with(&random_point::<C>(&mut rng), &inst.b, &inst.v, &inst.proof)
        .is_err());

    // Every L_j and every R_j replaced (random, doubled, identity).
    for j in 0..k {
        for side in 0..2 {
            let replacements = {
                let p = if side == 0 {
                    inst.proof.l[j]
                } else {
                    inst.proof.r[j]
                };
                [
                    random_point::<C>(&mut rng),
                    double::<C>(&p),
                    C::Affine::zero(),
                ]
            };
            for q in replacements {
                let mut proof = inst.proof.clone();
                if side == 0 {
                    proof.l[j] = q;
                } else {
                    proof.r[j] = q;
                }
                assert!(inst.verify_proof(&proof).is_err(), "j = {j}, side {side}");
            }
        }
    }
    // A changed final scalar.
    for delta in [one, -one, C::ScalarField::rand(&mut rng)] {
        let mut proof = inst.proof.clone();
        proof.a += delta;
        assert!(inst.verify_proof(&proof).is_err());
    }
    // L/R with a missing or an extra element.
    let mut proof = inst.proof.clone();
    proof.l.push(random_point::<C>(&mut rng));
    assert!(matches!(
        inst.verify_proof(&proof),
        Err(Error::ProofShape { .. })
    ));
    let mut proof = inst.proof.clone();
    proof.r.push(C::Affine::zero());
    assert!(matches!(
        inst.verify_proof(&proof),
        Err(Error::ProofShape { .. })
    ));
    if k > 0 {
        let mut proof = inst.proof.clone();
        proof.l.pop();
        assert!(matches!(
            inst.verify_proof(&proof),
            Err(Error::ProofShape { .. })
        ));
        let mut proof = inst.proof.clone();
        proof.r.pop();
        proof.l.pop();
        assert!(matches!(
            inst.verify_proof(&proof),
            Err(Error::ProofShape { .. })
        ));
    }

    // Prover and verifier absorbed different things before. (For k = 0 the proof is `a_0`
    // itself, whatever the transcript: the check holds for every ξ.)
    let mut t = transcript();
    t.append_u64(b"before", 1);
    let proof = ipa::prove(&inst.key, &inst.comm, &inst.a, &inst.b, &mut t).unwrap();
    let mut t = transcript();
    t.append_u64(b"before", 1);
    ipa::verify(&inst.key, &inst.comm, &inst.b, &inst.v, &proof, &mut t).unwrap();
    if k > 0 {
        assert!(inst.verify_proof(&proof).is_err());
        let mut t = transcript();
        t.append_u64(b"before", 2);
        assert!(ipa::verify(&inst.key, &inst.comm, &inst.b, &inst.v, &proof, &mut t).is_err());
    }

    // A lying prover: an honest proof for a checked against v + 1, and a proof for an a' with
    // <a', b> = v + 1 against the commitment to a.
    let honest = ipa::prove(&inst.key, &inst.comm, &inst.a, &inst.b, &mut transcript()).unwrap();
    assert!(inst
        .verify_with(&inst.comm, &inst.b, &(inst.v + one), &honest)
        .is_err());
    let i = inst.b.iter().position(|b| !b.is_zero()).unwrap();
    let mut forged = inst.a.clone();
    forged[i] += inst.b[i].inverse().unwrap();
    assert_eq!(inner::<C>(&forged, &inst.b), inst.v + one);
    let proof = ipa::prove(&inst.key, &inst.comm, &forged, &inst.b, &mut transcript()).unwrap();
    assert!(inst
        .verify_with(&inst.comm, &inst.b, &(inst.v + one), &proof)
        .is_err());
    assert!(inst.verify_proof(&proof).is_err());

    // The commitment of a different vector.
    let other = inst
        .pedersen
        .commit(&forged, &C::ScalarField::zero())
        .unwrap();
    assert!(inst
        .verify_with(&other, &inst.b, &inst.v, &inst.proof)
        .is_err());

    // a longer than N is refused by the prover.
    let mut long_a = inst.a.clone();
    long_a.push(one);
    assert!(matches!(
        ipa::prove(&inst.key, &inst.comm, &long_a, &inst.b, &mut transcript()),
        Err(Error::KeyTooShort { .. })
    ));
}

#[test]
fn rejections_grumpkin() {
    for k in [0, 1, 4] {
        rejections::<Grumpkin>(k, 300 + k as u64);
    }
}

#[test]
fn rejections_bn254() {
    for k in [0, 1, 4] {
        rejections::<G1>(k, 400 + k as u64);
    }
}

#[test]
fn invalid_points_are_errors() {
    // Points off the curve in L, R or P: errors, before any arithmetic.
    let off_grumpkin =
        ark_grumpkin::Affine::new_unchecked(ark_bn254::Fr::from(1u64), ark_bn254::Fr::from(1u64));
    assert!(!Grumpkin::is_valid_point(&off_grumpkin));
    let inst = Instance::<Grumpkin>::new(3, 8, 8, 500);
    for j in 0..3 {
        let mut proof = inst.proof.clone();
        proof.l[j] = off_grumpkin;
        assert!(matches!(
            inst.verify_proof(&proof),
            Err(Error::InvalidPoint { .. })
        ));
        let mut proof = inst.proof.clone();
        proof.r[j] = off_grumpkin;
        assert!(matches!(
            inst.verify_proof(&proof),
            Err(Error::InvalidPoint { .. })
        ));
    }
    assert!(matches!(
        inst.verify_with(&off_grumpkin, &inst.b, &inst.v, &inst.proof),
        Err(Error::InvalidPoint { .. })
    ));

    let off_g1 =
        ark_bn254::G1Affine::new_unchecked(ark_bn254::Fq::from(1u64), ark_bn254::Fq::from(1u64));
    assert!(!G1::is_valid_point(&off_g1));
    let inst = Instance::<G1>::new(2, 4, 4, 501);
    let mut proof = inst.proof.clone();
    proof.r[1] = off_g1;
    assert!(matches!(
        inst.verify_proof(&proof),
        Err(Error::InvalidPoint { .. })
    ));
    assert!(matches!(
        inst.verify_with(&off_g1, &inst.b, &inst.v, &inst.proof),
        Err(Error::InvalidPoint { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Fuzz

/// One random structural mutation of `proof`.
fn mutate<C: FoldingCurve>(proof: &mut IpaProof<C>, rng: &mut ChaCha20Rng) {
    let k = proof.l.len().min(proof.r.len());
    let pick = |rng: &mut ChaCha20Rng| if k == 0 { 0 } else { rng.gen_range(0..k) };
    match rng.gen_range(0..15) {
        0 => std::mem::swap(&mut proof.l, &mut proof.r),
        1 => proof.l.reverse(),
        2 => proof.r.reverse(),
        3 if k > 0 => proof.l.rotate_left(1),
        4 if k > 0 => {
            let i = pick(rng);
            std::mem::swap(&mut proof.l[i], &mut proof.r[i]);
        }
        5 if k > 0 => {
            let i = pick(rng);
            proof.l[i] = C::Affine::zero();
        }
        6 if k > 0 => {
            let i = pick(rng);
            proof.r[i] = random_point::<C>(rng);
        }
        7 => proof.a += C::ScalarField::rand(rng),
        8 => proof.a = C::ScalarField::zero(),
        9 if k > 0 => {
            let i = pick(rng);
            proof.l[i] = (-proof.l[i].into_group()).into_affine();
        }
        10 => {
            proof.l.pop();
        }
        11 => proof.r.push(random_point::<C>(rng)),
        12 => {
            proof.l.clear();
            proof.r.clear();
        }
        13 if k > 1 => {
            let (i, j) = (pick(rng), pick(rng));
            proof.l[i] = proof.l[j];
        }
        14 => proof.a = -proof.a,
        _ => proof.a += C::ScalarField::one(),
    }
}

fn fuzz<C: FoldingCurve>(seed: u64, iterations: usize) {
    let inst = Instance::<C>::new(4, 16, 13, seed);
    let mut rng = rng(seed + 1);
    let mut rejected = 0;
    for _ in 0..iterations {
        let mut proof = inst.proof.clone();
        for _ in 0..rng.gen_range(1..=3) {
            mutate(&mut proof, &mut rng);
        }
        if proof == inst.proof {
            continue;
        }
        assert!(
            inst.verify_proof(&proof).is_err(),
            "{}: a mutated proof verified",
            C::NAME
        );
        rejected += 1;
    }
    assert!(rejected > iterations / 2);
}

#[test]
fn fuzz_mutations_never_verify() {
    fuzz::<Grumpkin>(600, 300);
    fuzz::<G1>(700, 300);
}

// ---------------------------------------------------------------------------------------------
// Batches of statements (`prove_many` / `verify_many`)

/// An honest batch of statements on one key `N = 2^k`: statement `t` has `|a_t|`, `|b_t|` from
/// `lens[t]`.
#[derive(Clone, Debug)]
struct Batch<C: FoldingCurve> {
    key: IpaKey<C>,
    pedersen: PedersenKey<C>,
    comm: Vec<C::Affine>,
    a: Vec<Vec<C::ScalarField>>,
    b: Vec<Vec<C::ScalarField>>,
    v: Vec<C::ScalarField>,
    proofs: Vec<IpaProof<C>>,
}

impl<C: FoldingCurve> Batch<C> {
    fn new(k: usize, lens: &[(usize, usize)], seed: u64) -> Self {
        let mut rng = rng(seed);
        let longest = lens.iter().map(|l| l.0).max().unwrap_or(1).max(1);
        let pedersen = PedersenKey::<C>::new(LABEL, longest, false).unwrap();
        let key = IpaKey::for_pedersen(&pedersen, k).unwrap();
        let a: Vec<_> = lens
            .iter()
            .map(|l| random_vec::<C>(l.0, &mut rng))
            .collect();
        let b: Vec<_> = lens
            .iter()
            .map(|l| random_vec::<C>(l.1, &mut rng))
            .collect();
        let comm = a
            .iter()
            .map(|a| pedersen.commit(a, &C::ScalarField::zero()).unwrap())
            .collect();
        let v = a.iter().zip(&b).map(|(a, b)| inner::<C>(a, b)).collect();
        let mut batch = Self {
            key,
            pedersen,
            comm,
            a,
            b,
            v,
            proofs: vec![],
        };
        batch.proofs = batch.prove(&mut transcript());
        batch
    }

    fn openings(&self) -> Vec<IpaOpening<'_, C>> {
        (0..self.comm.len())
            .map(|t| IpaOpening {
                comm: self.comm[t],
                a: &self.a[t],
                b: &self.b[t],
            })
            .collect()
    }

    fn claims(&self) -> Vec<IpaClaim<'_, C>> {
        (0..self.comm.len())
            .map(|t| IpaClaim {
                comm: self.comm[t],
                b: &self.b[t],
                v: self.v[t],
            })
            .collect()
    }

    fn prove(&self, t: &mut PoseidonTranscript) -> Vec<IpaProof<C>> {
        ipa::prove_many(&self.key, &self.openings(), t).unwrap()
    }

    fn verify_with(&self, claims: &[IpaClaim<'_, C>], proofs: &[IpaProof<C>]) -> Result<(), Error> {
        let refs: Vec<&IpaProof<C>> = proofs.iter().collect();
        ipa::verify_many(&self.key, claims, &refs, &mut transcript())
    }

    fn verify_proofs(&self, proofs: &[IpaProof<C>]) -> Result<(), Error> {
        self.verify_with(&self.claims(), proofs)
    }
}

fn batch_completeness<C: FoldingCurve>(k: usize, seed: u64) {
    let n = 1usize << k;
    let mut shapes = vec![vec![(n, n), (n, n)]];
    if n > 1 {
        shapes.extend([
            vec![(n - 1, n), (n, n / 2 + 1)],
            vec![(n / 2, 1), (1, n)],
            vec![(n, n - 1), (n / 2, n / 2), (1, 1)],
        ]);
    }
    for (i, lens) in shapes.into_iter().enumerate() {
        let batch = Batch::<C>::new(k, &lens, seed + i as u64);
        assert_eq!(batch.proofs.len(), lens.len());
        for p in &batch.proofs {
            assert_eq!((p.l.len(), p.r.len()), (k, k));
        }
        batch
            .verify_proofs(&batch.proofs)
            .unwrap_or_else(|e| panic!("{}: k = {k}, lens {lens:?}: {e}", C::NAME));
        // Zero-padded b's verify too.
        let padded: Vec<Vec<C::ScalarField>> = batch
            .b
            .iter()
            .map(|b| {
                let mut b = b.clone();
                b.resize(n, C::ScalarField::zero());
                b
            })
            .collect();
        let claims: Vec<_> = batch
            .claims()
            .into_iter()
            .zip(&padded)
            .map(|(c, b)| IpaClaim { b, ..c })
            .collect();
        batch.verify_with(&claims, &batch.proofs).unwrap();
        // With k > 0 the proofs share their challenges: none is a single proof of its statement.
        if k > 0 {
            for t in 0..lens.len() {
                let single = ipa::verify(
                    &batch.key,
                    &batch.comm[t],
                    &batch.b[t],
                    &batch.v[t],
                    &batch.proofs[t],
                    &mut transcript(),
                );
                assert!(single.is_err(), "k = {k}: proof {t} verified alone");
            }
        }
    }
}

#[test]
fn batch_completeness_grumpkin() {
    for k in [0, 1, 5, 10] {
        batch_completeness::<Grumpkin>(k, 900 + 10 * k as u64);
    }
}

#[test]
fn batch_completeness_bn254() {
    for k in [0, 1, 5, 10] {
        batch_completeness::<G1>(k, 1000 + 10 * k as u64);
    }
}

fn one_statement_is_the_single_argument<C: FoldingCurve>(k: usize, seed: u64) {
    let n = 1usize << k;
    let batch = Batch::<C>::new(k, &[(n, n)], seed);
    let single = ipa::prove(
        &batch.key,
        &batch.comm[0],
        &batch.a[0],
        &batch.b[0],
        &mut transcript(),
    )
    .unwrap();
    assert_eq!(batch.proofs, vec![single.clone()]);
    ipa::verify(
        &batch.key,
        &batch.comm[0],
        &batch.b[0],
        &batch.v[0],
        &single,
        &mut transcript(),
    )
    .unwrap();
    batch.verify_proofs(&[single]).unwrap();
    // Both leave the caller's transcript in the same state.
    let (mut t1, mut t2) = (transcript(), transcript());
    let _ = ipa::prove(
        &batch.key,
        &batch.comm[0],
        &batch.a[0],
        &batch.b[0],
        &mut t1,
    )
    .unwrap();
    let _ = batch.prove(&mut t2);
    assert_eq!(t1.challenge(b"after"), t2.challenge(b"after"));
}

#[test]
fn one_statement_batches_are_single_proofs() {
    for k in [0, 1, 5] {
        one_statement_is_the_single_argument::<Grumpkin>(k, 1100 + k as u64);
        one_statement_is_the_single_argument::<G1>(k, 1200 + k as u64);
    }
}

fn pair_rejections<C: FoldingCurve>(k: usize, seed: u64) {
    let n = 1usize << k;
    let batch = Batch::<C>::new(k, &[(n, n), (n, n)], seed);
    let mut rng = rng(seed + 1);
    let one = C::ScalarField::one();
    let proofs = &batch.proofs;
    batch.verify_proofs(proofs).unwrap();
    let claims = batch.claims();
    let reject_claims = |cs: &[IpaClaim<'_, C>], what: &str| {
        assert!(batch.verify_with(cs, proofs).is_err(), "k = {k}: {what}");
    };
    let reject_proofs = |ps: &[IpaProof<C>], what: &str| {
        assert!(batch.verify_proofs(ps).is_err(), "k = {k}: {what}");
    };
    let shape_error = |ps: &[IpaProof<C>], what: &str| {
        assert!(
            matches!(batch.verify_proofs(ps), Err(Error::ProofShape { .. })),
            "k = {k}: {what}"
        );
    };

    // Wrong v_1, v_2; both shifted.
    for t in 0..2 {
        let mut cs = claims.clone();
        cs[t].v += one;
        reject_claims(&cs, "v_t + 1");
    }
    let mut cs = claims.clone();
    cs[0].v += one;
    cs[1].v -= one;
    reject_claims(&cs, "v_1 + 1, v_2 - 1");
    // Every entry of b_1 and b_2; b longer than N.
    for t in 0..2 {
        for i in 0..n {
            let mut b = batch.b[t].clone();
            b[i] += one;
            let mut cs = claims.clone();
            cs[t].b = &b;
            reject_claims(&cs, "b_t[i] + 1");
        }
        let mut long = batch.b[t].clone();
        long.push(one);
        let mut cs = claims.clone();
        cs[t].b = &long;
        assert!(matches!(
            batch.verify_with(&cs, proofs),
            Err(Error::KeyTooShort { .. })
        ));
    }
    // Changed commitments: shifted, random, shifted by compensating amounts, exchanged.
    let g0 = batch.key.generators()[0];
    for t in 0..2 {
        let mut cs = claims.clone();
        cs[t].comm = (cs[t].comm.into_group() + g0).into_affine();
        reject_claims(&cs, "P_t + G_0");
        let mut cs = claims.clone();
        cs[t].comm = random_point::<C>(&mut rng);
        reject_claims(&cs, "random P_t");
    }
    let mut cs = claims.clone();
    cs[0].comm = (cs[0].comm.into_group() + g0).into_affine();
    cs[1].comm = (cs[1].comm.into_group() - g0).into_affine();
    reject_claims(&cs, "P_1 + G_0, P_2 - G_0");
    let mut cs = claims.clone();
    (cs[0].comm, cs[1].comm) = (cs[1].comm, cs[0].comm);
    reject_claims(&cs, "P_1, P_2 exchanged");
    // Swapped statements (proofs kept, or swapped along: a valid proof only for k = 0, where a
    // proof is the witness itself and fits any transcript), swapped proofs.
    let mut swapped = claims.clone();
    swapped.swap(0, 1);
    reject_claims(&swapped, "swapped statements");
    let mut ps = proofs.clone();
    ps.swap(0, 1);
    reject_proofs(&ps, "swapped proofs");
    if k > 0 {
        assert!(batch.verify_with(&swapped, &ps).is_err());
    }

    // Every L_{t,j} and R_{t,j} replaced: random, doubled, identity, the other statement's.
    for t in 0..2 {
        for j in 0..k {
            for side in 0..2 {
                let get = |p: &IpaProof<C>| if side == 0 { p.l[j] } else { p.r[j] };
                let p = get(&proofs[t]);
                let replacements = [
                    random_point::<C>(&mut rng),
                    double::<C>(&p),
                    C::Affine::zero(),
                    get(&proofs[1 - t]),
                ];
                for q in replacements {
                    let mut ps = proofs.clone();
                    if side == 0 {
                        ps[t].l[j] = q;
                    } else {
                        ps[t].r[j] = q;
                    }
                    reject_proofs(&ps, &format!("statement {t}, round {j}, side {side}"));
                }
            }
        }
        // L and R of one round exchanged.
        if k > 0 {
            let mut ps = proofs.clone();
            let j = k / 2;
            let (l, r) = (ps[t].l[j], ps[t].r[j]);
            (ps[t].l[j], ps[t].r[j]) = (r, l);
            reject_proofs(&ps, "L_j, R_j exchanged");
        }
    }
    // Final scalars: either changed, both changed, exchanged.
    for t in 0..2 {
        for delta in [one, -one, C::ScalarField::rand(&mut rng)] {
            let mut ps = proofs.clone();
            ps[t].a += delta;
            reject_proofs(&ps, "a_t changed");
        }
    }
    let mut ps = proofs.clone();
    ps[0].a += one;
    ps[1].a -= one;
    reject_proofs(&ps, "a_1 + 1, a_2 - 1");
    let mut ps = proofs.clone();
    (ps[0].a, ps[1].a) = (ps[1].a, ps[0].a);
    if ps != *proofs {
        reject_proofs(&ps, "a_1, a_2 exchanged");
    }

    // Truncated and extended L / R of either statement; missing, extra proofs; no statement.
    for t in 0..2 {
        let mut ps = proofs.clone();
        ps[t].l.push(random_point::<C>(&mut rng));
        shape_error(&ps, "extra L");
        let mut ps = proofs.clone();
        ps[t].r.push(C::Affine::zero());
        shape_error(&ps, "extra R");
        if k > 0 {
            let mut ps = proofs.clone();
            ps[t].l.pop();
            shape_error(&ps, "missing L");
            let mut ps = proofs.clone();
            ps[t].r.pop();
            ps[t].l.pop();
            shape_error(&ps, "missing L and R");
            let mut ps = proofs.clone();
            ps[t].r.clear();
            shape_error(&ps, "no R");
        }
    }
    shape_error(&proofs[..1], "one proof for two statements");
    let mut ps = proofs.clone();
    ps.push(proofs[0].clone());
    shape_error(&ps, "three proofs for two statements");
    assert!(matches!(
        batch.verify_with(&claims[..1], proofs),
        Err(Error::ProofShape { .. })
    ));
    assert!(matches!(
        ipa::verify_many(&batch.key, &[], &[], &mut transcript()),
        Err(Error::Malformed { .. })
    ));
    assert!(matches!(
        ipa::prove_many::<C, _>(&batch.key, &[], &mut transcript()),
        Err(Error::Malformed { .. })
    ));

    // Another transcript state before the pair (for k = 0 the proof is the witness).
    let mut t = transcript();
    t.append_u64(b"before", 1);
    let moved = batch.prove(&mut t);
    let refs: Vec<_> = moved.iter().collect();
    let mut t = transcript();
    t.append_u64(b"before", 1);
    ipa::verify_many(&batch.key, &claims, &refs, &mut t).unwrap();
    if k > 0 {
        reject_proofs(&moved, "proofs for another transcript state");
    }

    // Proofs of another batch sharing the first statement do not mix with this one's (for
    // k = 0 both batches' first proof is the same witness).
    let mut other = Batch::<C>::new(k, &[(n, n), (n, n)], seed + 2);
    other.comm[0] = batch.comm[0];
    other.a[0] = batch.a[0].clone();
    other.b[0] = batch.b[0].clone();
    other.v[0] = batch.v[0];
    other.proofs = other.prove(&mut transcript());
    other.verify_proofs(&other.proofs).unwrap();
    if k > 0 {
        let mixed = vec![other.proofs[0].clone(), proofs[1].clone()];
        reject_proofs(&mixed, "first proof of another batch");
    }

    // A false second statement: a' with <a', b_2> = v_2 + 1 against the commitment to a_2.
    let i = batch.b[1].iter().position(|b| !b.is_zero()).unwrap();
    let mut forged = batch.clone();
    forged.a[1][i] += batch.b[1][i].inverse().unwrap();
    forged.v[1] = batch.v[1] + one;
    assert_eq!(inner::<C>(&forged.a[1], &forged.b[1]), forged.v[1]);
    let lie = forged.prove(&mut transcript());
    assert!(forged.verify_proofs(&lie).is_err());
    reject_proofs(&lie, "proofs of a forged second witness");
    let other_comm = batch
        .pedersen
        .commit(&forged.a[1], &C::ScalarField::zero())
        .unwrap();
    let mut cs = claims.clone();
    cs[1].comm = other_comm;
    reject_claims(&cs, "the commitment of another vector");
}

#[test]
fn pair_rejections_grumpkin() {
    for k in [0, 1, 4] {
        pair_rejections::<Grumpkin>(k, 1300 + 10 * k as u64);
    }
}

#[test]
fn pair_rejections_bn254() {
    for k in [0, 1, 4] {
        pair_rejections::<G1>(k, 1400 + 10 * k as u64);
    }
}

#[test]
fn pair_invalid_points_are_errors() {
    let off_grumpkin =
        ark_grumpkin::Affine::new_unchecked(ark_bn254::Fr::from(1u64), ark_bn254::Fr::from(1u64));
    let batch = Batch::<Grumpkin>::new(3, &[(8, 8), (5, 8)], 1500);
    for t in 0..2 {
        for j in 0..3 {
            for side in 0..2 {
                let mut ps = batch.proofs.clone();
                if side == 0 {
                    ps[t].l[j] = off_grumpkin;
                } else {
                    ps[t].r[j] = off_grumpkin;
                }
                assert!(matches!(
                    batch.verify_proofs(&ps),
                    Err(Error::InvalidPoint { .. })
                ));
            }
        }
        let mut cs = batch.claims();
        cs[t].comm = off_grumpkin;
        assert!(matches!(
            batch.verify_with(&cs, &batch.proofs),
            Err(Error::InvalidPoint { .. })
        ));
    }
    let off_g1 =
        ark_bn254::G1Affine::new_unchecked(ark_bn254::Fq::from(1u64), ark_bn254::Fq::from(1u64));
    let batch = Batch::<G1>::new(2, &[(4, 4), (4, 3)], 1501);
    let mut ps = batch.proofs.clone();
    ps[1].l[0] = off_g1;
    assert!(matches!(
        batch.verify_proofs(&ps),
        Err(Error::InvalidPoint { .. })
    ));
    let mut cs = batch.claims();
    cs[1].comm = off_g1;
    assert!(matches!(
        batch.verify_with(&cs, &batch.proofs),
        Err(Error::InvalidPoint { .. })
    ));
}

fn pair_fuzz<C: FoldingCurve>(seed: u64, iterations: usize) {
    let batch = Batch::<C>::new(4, &[(16, 13), (11, 16)], seed);
    let mut rng = rng(seed + 1);
    let mut rejected = 0;
    for _ in 0..iterations {
        let mut ps = batch.proofs.clone();
        for _ in 0..rng.gen_range(1..=3) {
            let t = rng.gen_range(0..2);
            mutate(&mut ps[t], &mut rng);
        }
        if rng.gen_bool(0.1) {
            ps.swap(0, 1);
        }
        if ps == batch.proofs {
            continue;
        }
        assert!(
            batch.verify_proofs(&ps).is_err(),
            "{}: a mutated pair verified",
            C::NAME
        );
        rejected += 1;
    }
    assert!(rejected > iterations / 2);
}

#[test]
fn pair_fuzz_mutations_never_verify() {
    pair_fuzz::<Grumpkin>(1600, 200);
    pair_fuzz::<G1>(1700, 200);
}

// ---------------------------------------------------------------------------------------------
// Timing (`cargo test --release -p recursion --test ipa -- --ignored --nocapture`)

#[test]
#[ignore = "timing: run with --release --ignored --nocapture"]
fn timing_grumpkin_2_13() {
    let k = 13;
    let n = 1usize << k;
    let mut rng = rng(800);
    let start = Instant::now();
    let pedersen = PedersenKey::<Grumpkin>::new(LABEL, n, false).unwrap();
    let key = IpaKey::for_pedersen(&pedersen, k).unwrap();
    let keygen = start.elapsed();
    let a = random_vec::<Grumpkin>(n, &mut rng);
    let b = random_vec::<Grumpkin>(n, &mut rng);
    let comm = pedersen.commit(&a, &Zero::zero()).unwrap();
    let v = inner::<Grumpkin>(&a, &b);
    let (mut prove_ms, mut verify_ms) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let start = Instant::now();
        let proof = ipa::prove(&key, &comm, &a, &b, &mut transcript()).unwrap();
        prove_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        ipa::verify(&key, &comm, &b, &v, &proof, &mut transcript()).unwrap();
        verify_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "Grumpkin IPA, N = 2^{k}, {} threads: key {:.1} ms, prove {:?} ms, verify {:?} ms",
        rayon::current_num_threads(),
        keygen.as_secs_f64() * 1e3,
        prove_ms
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>(),
        verify_ms
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>(),
    );
}
