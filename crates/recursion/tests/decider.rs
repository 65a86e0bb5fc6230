//! The succinct IVC decider (`decider`): Nova's last fold, Spartan on the folded primary instance
//! with HyperKZG openings, Spartan-IPA on the CycleFold instance. Honest proofs after 1, 2 and 3
//! steps verify and have the same size; a wrong statement, every tampered part of the proof and
//! malformed encodings are rejected without panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::ConstraintSystemRef;
use pcs::hyperkzg::{ProverKey, VerifierKey};
use pcs::{HyperKzg, Srs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::decider::{self, ivc_params_over_srs, DeciderKey, DeciderProof};
use recursion::ivc::{Ivc, IvcParams, IvcState, StepCircuit, StepOutput};
use recursion::Error;

/// `z_{i+1} = (z_i + i)^2 + 1`.
#[derive(Clone, Debug)]
struct SquarePlusStep;

impl StepCircuit for SquarePlusStep {
    fn arity(&self) -> usize {
        1
    }

    fn generate_constraints(
        &self,
        _cs: ConstraintSystemRef<Fr>,
        i: &FpVar<Fr>,
        z: &[FpVar<Fr>],
    ) -> Result<StepOutput, Error> {
        let s = &z[0] + i;
        Ok(StepOutput::state(vec![
            &s * &s + FpVar::Constant(Fr::from(1u64)),
        ]))
    }
}

fn native(z: Fr, i: u64) -> Fr {
    let s = z + Fr::from(i);
    s * s + Fr::from(1u64)
}

struct Setup {
    params: IvcParams<SquarePlusStep>,
    key: DeciderKey,
    pk: ProverKey,
    vk: VerifierKey,
    /// States after 1, 2, 3 steps from z_0 = 2.
    states: Vec<IvcState>,
    /// Their decider proofs.
    proofs: Vec<DeciderProof>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let srs = Srs::dev_setup_u64(11, 18).unwrap();
        let params = ivc_params_over_srs(SquarePlusStep, &srs).unwrap();
        let key = DeciderKey::new(&params).unwrap();
        let (pk, vk) = HyperKzg::keys(&srs, key.pcs_num_vars()).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let mut ivc = Ivc::new(params.clone(), vec![Fr::from(2u64)]).unwrap();
        let mut states = Vec::new();
        let mut proofs = Vec::new();
        for _ in 0..3 {
            ivc.prove_step(&mut rng).unwrap();
            let st = ivc.state().clone();
            proofs.push(decider::prove(&params, &key, &pk, &st, &mut rng).unwrap());
            states.push(st);
        }
        Setup {
            params,
            key,
            pk,
            vk,
            states,
            proofs,
        }
    })
}

fn check(s: &Setup, st: &IvcState, proof: &DeciderProof) -> Result<(), Error> {
    decider::verify(&s.params, &s.key, &s.vk, st.i, &st.z_0, &st.z_i, proof)
}

#[test]
fn honest_proofs_verify_and_have_constant_size() {
    let s = setup();
    let mut z = Fr::from(2u64);
    let mut sizes = Vec::new();
    for (k, (st, proof)) in s.states.iter().zip(&s.proofs).enumerate() {
        z = native(z, k as u64);
        assert_eq!(st.z_i, vec![z]);
        check(s, st, proof).unwrap();
        let bytes = proof.to_bytes().unwrap();
        assert_eq!(&DeciderProof::from_bytes(&bytes).unwrap(), proof);
        sizes.push(bytes.len());
    }
    eprintln!(
        "decider proof bytes after 1, 2, 3 steps: {sizes:?} (augmented circuit {} constraints)",
        s.params.primary().shape().num_constraints()
    );
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
}

#[test]
fn wrong_statements_are_rejected() {
    let s = setup();
    let (st, proof) = (&s.states[1], &s.proofs[1]);
    let one = Fr::from(1u64);
    let wrong: [(u64, Vec<Fr>, Vec<Fr>); 5] = [
        (st.i + 1, st.z_0.clone(), st.z_i.clone()),
        (st.i - 1, st.z_0.clone(), st.z_i.clone()),
        (st.i, vec![st.z_0[0] + one], st.z_i.clone()),
        (st.i, st.z_0.clone(), vec![st.z_i[0] + one]),
        (st.i, st.z_0.clone(), s.states[2].z_i.clone()),
    ];
    for (i, z_0, z_i) in wrong {
        let r = decider::verify(&s.params, &s.key, &s.vk, i, &z_0, &z_i, proof);
        assert!(matches!(r, Err(Error::IvcStateHashMismatch)), "{r:?}");
    }
    // Another step's proof for this statement.
    assert!(check(s, st, &s.proofs[2]).is_err());
    assert!(check(s, st, &s.proofs[0]).is_err());
    // Zero steps and wrong lengths.
    assert!(decider::verify(&s.params, &s.key, &s.vk, 0, &st.z_0, &st.z_i, proof).is_err());
    assert!(decider::verify(&s.params, &s.key, &s.vk, st.i, &[], &st.z_i, proof).is_err());
}

/// One way of tampering with a proof.
type Tamper = Box<dyn Fn(&mut DeciderProof)>;

#[test]
fn tampered_proofs_are_rejected() {
    let s = setup();
    let (st, proof) = (&s.states[2], &s.proofs[2]);
    let one = Fr::from(1u64);
    let g = G1Affine::generator();
    let bump = move |p: G1Affine| (p + g).into_affine();
    let gk = ark_grumpkin::Affine::generator();
    let tampers: Vec<(&str, Tamper)> = vec![
        ("acc.u", Box::new(move |p| p.acc.u += one)),
        ("acc.x", Box::new(move |p| p.acc.x[0] += one)),
        (
            "acc.C_W",
            Box::new(move |p| p.acc.comm_w = bump(p.acc.comm_w)),
        ),
        (
            "acc.C_E",
            Box::new(move |p| p.acc.comm_e = bump(p.acc.comm_e)),
        ),
        (
            "inc.C_W",
            Box::new(move |p| p.inc.comm_w = bump(p.inc.comm_w)),
        ),
        ("C_T", Box::new(move |p| p.comm_t = bump(p.comm_t))),
        ("r_W", Box::new(move |p| p.blind_w += one)),
        ("r_E", Box::new(move |p| p.blind_e += one)),
        (
            "cf.u",
            Box::new(move |p| p.cf_acc.u += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.C_W",
            Box::new(move |p| p.cf_acc.comm_w = (p.cf_acc.comm_w + gk).into_affine()),
        ),
        (
            "cf.C_E",
            Box::new(move |p| p.cf_acc.comm_e = (p.cf_acc.comm_e + gk).into_affine()),
        ),
        (
            "cf.r_W",
            Box::new(move |p| p.cf_blind_w += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.r_E",
            Box::new(move |p| p.cf_blind_e += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.outer round",
            Box::new(move |p| p.cf_spartan.outer[2][1] += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.v_E",
            Box::new(move |p| p.cf_spartan.outer_evals[3] += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.inner round",
            Box::new(move |p| p.cf_spartan.inner[5][0] += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.v_W",
            Box::new(move |p| p.cf_spartan.w_eval += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.IPA(W).L",
            Box::new(move |p| {
                p.cf_spartan.open_w.l[0] = (p.cf_spartan.open_w.l[0] + gk).into_affine()
            }),
        ),
        (
            "cf.IPA(E).a",
            Box::new(move |p| p.cf_spartan.open_e.a += ark_bn254::Fq::from(1u64)),
        ),
        (
            "cf.x",
            Box::new(move |p| p.cf_acc.x[12] += ark_bn254::Fq::from(1u64)),
        ),
    ];
    for (what, tamper) in &tampers {
        let mut p = proof.clone();
        tamper(&mut p);
        assert!(check(s, st, &p).is_err(), "tampered {what} accepted");
    }
    // The Spartan part: each evaluation and a round coefficient of each sumcheck.
    let spartan = proof.spartan.clone();
    let mut variants = Vec::new();
    for k in 0..4 {
        let mut sp = spartan.clone();
        sp.outer_evals[k] += one;
        variants.push(sp);
    }
    let mut sp = spartan.clone();
    sp.w_eval += one;
    variants.push(sp);
    let mut sp = spartan.clone();
    sp.outer.round_polys[0].coeffs_except_linear[0] += one;
    variants.push(sp);
    let mut sp = spartan;
    sp.inner.round_polys[1].coeffs_except_linear[1] += one;
    variants.push(sp);
    for sp in variants {
        let mut p = proof.clone();
        p.spartan = sp;
        assert!(check(s, st, &p).is_err(), "tampered Spartan proof accepted");
    }
}

#[test]
fn a_false_state_cannot_be_decided() {
    let s = setup();
    // z_i claimed one off: the decider proof of the honest state does not verify for it, and a
    // proof made from the false state (its u_i no longer hashes it) does not either.
    let mut st = s.states[1].clone();
    st.z_i[0] += Fr::from(1u64);
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    if let Ok(p) = decider::prove(&s.params, &s.key, &s.pk, &st, &mut rng) {
        assert!(check(s, &st, &p).is_err());
    }
    // A running witness that does not satisfy: Spartan's prover refuses it.
    let mut st = s.states[1].clone();
    st.acc_w.w[5] += Fr::from(1u64);
    assert!(decider::prove(&s.params, &s.key, &s.pk, &st, &mut rng).is_err());
    // A running CycleFold witness that does not satisfy: Spartan-IPA's prover refuses it (and
    // tests/spartan_ipa.rs shows that its unchecked proof does not verify).
    let mut st = s.states[1].clone();
    st.cf_acc_w.w[5] += ark_bn254::Fq::from(1u64);
    assert!(decider::prove(&s.params, &s.key, &s.pk, &st, &mut rng).is_err());
}

#[test]
fn malformed_encodings_never_panic_or_pass() {
    let s = setup();
    let (st, proof) = (&s.states[0], &s.proofs[0]);
    let bytes = proof.to_bytes().unwrap();
    for cut in [0, 4, 8, 12, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            DeciderProof::from_bytes(&bytes[..cut]).is_err(),
            "cut {cut}"
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(DeciderProof::from_bytes(&long).is_err());
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let mut decoded = 0;
    for _ in 0..200 {
        let mut b = bytes.clone();
        let at = rng.gen_range(0..b.len());
        b[at] ^= 1 << rng.gen_range(0..8);
        if let Ok(p) = DeciderProof::from_bytes(&b) {
            decoded += 1;
            if &p != proof {
                assert!(check(s, st, &p).is_err(), "flipped byte {at} accepted");
            }
        }
    }
    eprintln!("{decoded} of 200 flipped encodings decoded (all rejected)");
}
