//! Spartan-IPA (`recursion::spartan_ipa`) on the real CycleFold circuit over `Fq`, committed on
//! Grumpkin: running instances folded from honest statements verify (hiding and plain keys,
//! `E ≠ 0`, `u ≠ 1`); the prover refuses a folded false statement and its unchecked proof is
//! rejected; a changed instance (`u`, `x`, either commitment, both by compensating amounts), any
//! tampered proof element (every round value, evaluation, `L_j`, `R_j` of both openings of the
//! paired IPA, both final scalars, and values exchanged between the two openings), a witness that
//! does not open the commitments, a proof of the wrong shape and a transcript in another state
//! are all rejected, without panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::{Fq, G1Affine};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{One, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::{self, CycleFoldParams, CycleFoldStatement, Grumpkin};
use recursion::spartan_ipa::{self, SpartanIpaInstance, SpartanIpaKey, SpartanIpaProof};
use recursion::{nifs, Error, RelaxedR1csInstance, RelaxedR1csWitness};
use sumcheck::{PoseidonTranscript, Transcript};

const KEY_LABEL: &[u8] = b"spartan-ipa-test-key";

struct Fixture {
    params: CycleFoldParams,
    key: SpartanIpaKey<Grumpkin>,
    /// A running instance of three honest statements: `(instance without blinding, W, E)`.
    inst: SpartanIpaInstance<Grumpkin>,
    w: Vec<Fq>,
    e: Vec<Fq>,
    proof: SpartanIpaProof<Grumpkin>,
}

fn statement(rng: &mut ChaCha20Rng, r: u128) -> CycleFoldStatement {
    use ark_std::UniformRand;
    let p = ark_bn254::G1Projective::rand(rng).into_affine();
    let q = ark_bn254::G1Projective::rand(rng).into_affine();
    CycleFoldStatement::new(p, q, r).unwrap()
}

type Acc = (RelaxedR1csInstance<Grumpkin>, RelaxedR1csWitness<Fq>);

fn fold(params: &CycleFoldParams, sts: &[CycleFoldStatement], rng: &mut ChaCha20Rng) -> Acc {
    let shape = params.shape();
    let mut acc = RelaxedR1csInstance::<Grumpkin>::zero(shape);
    let mut acc_w = RelaxedR1csWitness::zero(shape);
    for st in sts {
        let (u, w) = cyclefold::commit_statement(params, st, rng).unwrap();
        let (_, f, fw) = nifs::prove_strict(params, &acc, &acc_w, &u, &w, rng).unwrap();
        (acc, acc_w) = (f, fw);
    }
    (acc, acc_w)
}

/// `(C − r·H)` for both commitments.
fn unblinded(params: &CycleFoldParams, acc: &Acc) -> SpartanIpaInstance<Grumpkin> {
    let (u, w) = acc;
    let h = params.key().blinding().copied().unwrap_or_default();
    let sub = |c: &ark_grumpkin::Affine, r: &Fq| (c.into_group() - h * *r).into_affine();
    SpartanIpaInstance {
        comm_w: sub(&u.comm_w, &w.r_w),
        comm_e: sub(&u.comm_e, &w.r_e),
        u: u.u,
        x: u.x.clone(),
    }
}

fn transcript() -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"spartan-ipa-test");
    t.append_bytes(b"context", b"statement");
    t
}

fn prove(
    f: &Fixture,
    inst: &SpartanIpaInstance<Grumpkin>,
    w: &[Fq],
    e: &[Fq],
) -> Result<SpartanIpaProof<Grumpkin>, Error> {
    spartan_ipa::prove(&f.key, inst, w, e, &mut transcript())
}

fn check(
    f: &Fixture,
    inst: &SpartanIpaInstance<Grumpkin>,
    p: &SpartanIpaProof<Grumpkin>,
) -> Result<(), Error> {
    spartan_ipa::verify(&f.key, inst, p, &mut transcript())
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let params = cyclefold::setup(KEY_LABEL, true).unwrap();
        let key = SpartanIpaKey::new(params.shape_arc(), params.key()).unwrap();
        let sts: Vec<_> = (0..3u128)
            .map(|i| statement(&mut rng, 7 + i * (u128::MAX / 5)))
            .collect();
        let acc = fold(&params, &sts, &mut rng);
        let inst = unblinded(&params, &acc);
        let (w, e) = (acc.1.w.clone(), acc.1.e.clone());
        let mut f = Fixture {
            params,
            key,
            inst,
            w,
            e,
            proof: SpartanIpaProof {
                outer: vec![],
                outer_evals: [Fq::zero(); 4],
                inner: vec![],
                w_eval: Fq::zero(),
                open_w: recursion::ipa::IpaProof {
                    l: vec![],
                    r: vec![],
                    a: Fq::zero(),
                },
                open_e: recursion::ipa::IpaProof {
                    l: vec![],
                    r: vec![],
                    a: Fq::zero(),
                },
            },
        };
        f.proof = prove(&f, &f.inst, &f.w, &f.e).unwrap();
        f
    })
}

#[test]
fn honest_running_instances_verify() {
    let f = fixture();
    assert!(f.e.iter().any(|x| !x.is_zero()), "E should be non-zero");
    assert_ne!(f.inst.u, Fq::one());
    check(f, &f.inst, &f.proof).unwrap();
    assert_eq!(f.proof.outer.len(), f.key.num_row_vars());
    assert_eq!(f.proof.inner.len(), f.key.num_col_vars());
    eprintln!(
        "CycleFold circuit: m = {}, |W| = {}; rounds {} + {}, IPA rounds {}",
        f.key.shape().num_constraints(),
        f.key.shape().num_witness(),
        f.proof.outer.len(),
        f.proof.inner.len(),
        f.proof.open_w.l.len()
    );

    // One statement (E = 0 after a single fold into the zero instance) and a plain key.
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let plain = cyclefold::setup(KEY_LABEL, false).unwrap();
    let key = SpartanIpaKey::new(plain.shape_arc(), plain.key()).unwrap();
    for n in [1, 2] {
        let sts: Vec<_> = (0..n).map(|i| statement(&mut rng, 3 + i as u128)).collect();
        let acc = fold(&plain, &sts, &mut rng);
        let inst = unblinded(&plain, &acc);
        let p = spartan_ipa::prove(&key, &inst, &acc.1.w, &acc.1.e, &mut transcript()).unwrap();
        spartan_ipa::verify(&key, &inst, &p, &mut transcript()).unwrap();
        // A proof under one key does not verify under the other (different key digests).
        assert!(spartan_ipa::verify(&f.key, &inst, &p, &mut transcript()).is_err());
    }
}

#[test]
fn a_folded_false_statement_is_refused_and_its_proof_rejected() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut bad = statement(&mut rng, 99);
    bad.p_out = (bad.p_out + G1Affine::generator()).into_affine();
    let good = statement(&mut rng, 5);
    let acc = fold(&f.params, &[good, bad, good], &mut rng);
    let inst = unblinded(&f.params, &acc);
    assert!(matches!(
        prove(f, &inst, &acc.1.w, &acc.1.e),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    let p =
        spartan_ipa::prove_unchecked(&f.key, &inst, &acc.1.w, &acc.1.e, &mut transcript()).unwrap();
    assert!(check(f, &inst, &p).is_err());
}

#[test]
fn a_witness_that_does_not_open_the_commitments_is_rejected() {
    let f = fixture();
    // Another satisfying witness (of another running instance) against this instance's
    // commitments: the relation holds for (u, x) only if they match, so use the other instance's
    // scalars with these commitments.
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let sts: Vec<_> = (0..2).map(|i| statement(&mut rng, 11 + i)).collect();
    let other = fold(&f.params, &sts, &mut rng);
    let mut inst = unblinded(&f.params, &other);
    inst.comm_w = f.inst.comm_w;
    let p = prove(f, &inst, &other.1.w, &other.1.e).unwrap();
    assert!(check(f, &inst, &p).is_err());
    let mut inst = unblinded(&f.params, &other);
    inst.comm_e = f.inst.comm_e;
    let p = prove(f, &inst, &other.1.w, &other.1.e).unwrap();
    assert!(check(f, &inst, &p).is_err());
}

#[test]
fn a_changed_instance_is_rejected() {
    let f = fixture();
    let g = Grumpkin::generator().into_affine();
    let bump = |p: ark_grumpkin::Affine| (p + g).into_affine();
    let mut variants = Vec::new();
    let mut i = f.inst.clone();
    i.u += Fq::one();
    variants.push(("u", i));
    for k in [0, 6, 12] {
        let mut i = f.inst.clone();
        i.x[k] += Fq::one();
        variants.push(("x", i));
    }
    let mut i = f.inst.clone();
    i.comm_w = bump(i.comm_w);
    variants.push(("P_W", i));
    let mut i = f.inst.clone();
    i.comm_e = bump(i.comm_e);
    variants.push(("P_E", i));
    let mut i = f.inst.clone();
    i.comm_w = bump(i.comm_w);
    i.comm_e = (i.comm_e.into_group() - g).into_affine();
    variants.push(("P_W + G, P_E − G", i));
    let mut i = f.inst.clone();
    std::mem::swap(&mut i.comm_w, &mut i.comm_e);
    variants.push(("swapped commitments", i));
    let mut i = f.inst.clone();
    i.x.pop();
    variants.push(("short x", i));
    let mut i = f.inst.clone();
    i.comm_w = ark_grumpkin::Affine::new_unchecked(ark_bn254::Fr::zero(), ark_bn254::Fr::one());
    variants.push(("off-curve P_W", i));
    for (what, inst) in variants {
        assert!(
            check(f, &inst, &f.proof).is_err(),
            "changed {what} accepted"
        );
    }
    // Another transcript state before the proof.
    let mut t = PoseidonTranscript::new(b"spartan-ipa-test");
    t.append_bytes(b"context", b"another statement");
    assert!(spartan_ipa::verify(&f.key, &f.inst, &f.proof, &mut t).is_err());
}

#[test]
fn every_tampered_proof_element_is_rejected() {
    let f = fixture();
    let one = Fq::one();
    let g = Grumpkin::generator().into_affine();
    let bump = |p: ark_grumpkin::Affine| (p + g).into_affine();
    let p0 = &f.proof;
    let mut variants: Vec<(String, SpartanIpaProof<Grumpkin>)> = Vec::new();
    for j in 0..p0.outer.len() {
        for k in 0..3 {
            let mut p = p0.clone();
            p.outer[j][k] += one;
            variants.push((format!("outer[{j}][{k}]"), p));
        }
    }
    for k in 0..4 {
        let mut p = p0.clone();
        p.outer_evals[k] += one;
        variants.push((format!("outer_evals[{k}]"), p));
    }
    for j in 0..p0.inner.len() {
        for k in 0..2 {
            let mut p = p0.clone();
            p.inner[j][k] += one;
            variants.push((format!("inner[{j}][{k}]"), p));
        }
    }
    let mut p = p0.clone();
    p.w_eval += one;
    variants.push(("w_eval".into(), p));
    type Ipa = recursion::ipa::IpaProof<Grumpkin>;
    fn open_w(p: &mut SpartanIpaProof<Grumpkin>) -> &mut Ipa {
        &mut p.open_w
    }
    fn open_e(p: &mut SpartanIpaProof<Grumpkin>) -> &mut Ipa {
        &mut p.open_e
    }
    type Getter = fn(&mut SpartanIpaProof<Grumpkin>) -> &mut Ipa;
    let getters: [(&str, Getter); 2] = [("open_w", open_w), ("open_e", open_e)];
    for (name, get) in getters {
        let rounds = get(&mut p0.clone()).l.len();
        for j in 0..rounds {
            let mut p = p0.clone();
            get(&mut p).l[j] = bump(get(&mut p).l[j]);
            variants.push((format!("{name}.L[{j}]"), p));
            let mut p = p0.clone();
            get(&mut p).r[j] = bump(get(&mut p).r[j]);
            variants.push((format!("{name}.R[{j}]"), p));
        }
        let mut p = p0.clone();
        get(&mut p).a += one;
        variants.push((format!("{name}.a"), p));
        let mut p = p0.clone();
        get(&mut p).l.pop();
        variants.push((format!("{name}: one L missing"), p));
        let mut p = p0.clone();
        let extra = get(&mut p).r[0];
        get(&mut p).r.push(extra);
        variants.push((format!("{name}: one R too many"), p));
        let mut p = p0.clone();
        let ipa = get(&mut p);
        std::mem::swap(&mut ipa.l, &mut ipa.r);
        variants.push((format!("{name}: L and R swapped"), p));
    }
    let mut p = p0.clone();
    std::mem::swap(&mut p.open_w, &mut p.open_e);
    variants.push(("openings swapped".into(), p));
    // The two openings of the paired IPA share their challenges: values exchanged between them,
    // or changed by compensating amounts, are rejected too.
    for j in 0..p0.open_w.l.len() {
        let mut p = p0.clone();
        std::mem::swap(&mut p.open_w.l[j], &mut p.open_e.l[j]);
        variants.push((format!("L[{j}] exchanged between the openings"), p));
        let mut p = p0.clone();
        std::mem::swap(&mut p.open_w.r[j], &mut p.open_e.r[j]);
        variants.push((format!("R[{j}] exchanged between the openings"), p));
    }
    let mut p = p0.clone();
    std::mem::swap(&mut p.open_w.a, &mut p.open_e.a);
    variants.push(("final scalars exchanged".into(), p));
    let mut p = p0.clone();
    p.open_w.a += one;
    p.open_e.a -= one;
    variants.push(("open_w.a + 1, open_e.a − 1".into(), p));
    let mut p = p0.clone();
    p.open_w.l[0] = bump(p.open_w.l[0]);
    p.open_e.l[0] = (p.open_e.l[0].into_group() - g).into_affine();
    variants.push(("open_w.L[0] + G, open_e.L[0] − G".into(), p));
    let mut p = p0.clone();
    p.outer.pop();
    variants.push(("one outer round missing".into(), p));
    let mut p = p0.clone();
    p.inner.push([one, one]);
    variants.push(("one inner round too many".into(), p));
    let mut p = p0.clone();
    p.outer.clear();
    p.inner.clear();
    variants.push(("no rounds".into(), p));
    eprintln!("{} tampered proofs", variants.len());
    for (what, p) in variants {
        assert!(check(f, &f.inst, &p).is_err(), "tampered {what} accepted");
    }
}
