//! The in-circuit NIFS verifier (`nifs_gadget::verify_strict`) against the native
//! `nifs::verify_strict`: same challenge, same folded `u` and `x`, folded commitments equal to
//! the native ones, a satisfied constraint system, and CycleFold statements that are true and
//! satisfy the CycleFold circuit. A tampered `C_T`, incoming instance or running instance changes
//! `r`, so the CycleFold statements no longer yield the honestly folded instance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/step_circuit.rs"]
mod step_circuit;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::One;
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::{self, CycleFoldStatement};
use recursion::nifs;
use recursion::nifs_gadget::{self, NifsFoldVar, R1csInstanceVar, RelaxedR1csInstanceVar};
use recursion::{
    Error, G1LimbsVar, NifsParams, NifsProof, R1csInstance, RelaxedR1csInstance, RelaxedR1csWitness,
};
use step_circuit::{StepCircuit, StepValues};
use sumcheck::transcript::g1_to_limbs;

/// Constraints of the in-circuit verifier for a step with 3 public inputs (golden), including the
/// allocation of its inputs (4 points as canonical limbs, 4 × 1026).
const GADGET_CONSTRAINTS: usize = 12_087;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

struct Fixture {
    params: NifsParams,
    acc: RelaxedR1csInstance,
    inc: R1csInstance,
    proof: NifsProof,
    folded: RelaxedR1csInstance,
}

/// `n` honest folds, then one more step `(inc, proof)` whose native fold is `folded`.
fn fixture(n: u64, seed: u64) -> Fixture {
    let circuit = StepCircuit::SMALL;
    let params: NifsParams = NifsParams::setup(circuit.shape(), b"gadget-test-key", true).unwrap();
    let mut rng = rng(seed);
    let shape = params.shape();
    let mut acc = RelaxedR1csInstance::zero(shape);
    let mut acc_w = RelaxedR1csWitness::zero(shape);
    let step = |i: u64, rng: &mut ChaCha20Rng| {
        let (x, w) = circuit.assignment(&StepValues::random(i, rng));
        params.commit_witness(x, w, rng).unwrap()
    };
    for i in 0..n {
        let (u, w) = step(i, &mut rng);
        let (_, f, fw) = nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
        (acc, acc_w) = (f, fw);
    }
    let (inc, inc_w) = step(n, &mut rng);
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &inc, &inc_w, &mut rng).unwrap();
    params.is_satisfied_relaxed(&folded, &folded_w).unwrap();
    Fixture {
        params,
        acc,
        inc,
        proof,
        folded,
    }
}

/// Synthesizes the verifier on `(acc, inc, comm_t)` (as witnesses; `pp` as an input).
fn run(
    cs: ConstraintSystemRef<Fr>,
    params: &NifsParams,
    acc: Option<&RelaxedR1csInstance>,
    inc: Option<&R1csInstance>,
    comm_t: Option<G1Affine>,
) -> NifsFoldVar {
    let num_io = params.shape().num_io();
    let pp = FpVar::new_input(cs.clone(), || Ok(params.digest())).unwrap();
    let acc =
        RelaxedR1csInstanceVar::new_variable(cs.clone(), num_io, acc, AllocationMode::Witness)
            .unwrap();
    let inc =
        R1csInstanceVar::new_variable(cs.clone(), num_io, inc, AllocationMode::Witness).unwrap();
    let comm_t = G1LimbsVar::new_witness(cs.clone(), || {
        comm_t.ok_or(ark_relations::gr1cs::SynthesisError::AssignmentMissing)
    })
    .unwrap();
    nifs_gadget::verify_strict(&pp, &acc, &inc, &comm_t).unwrap()
}

/// Checks the gadget's outputs against the native fold of `(acc, inc, comm_t)`.
fn check_against_native(
    f: &Fixture,
    acc: &RelaxedR1csInstance,
    inc: &R1csInstance,
    comm_t: G1Affine,
) -> (NifsFoldVar, RelaxedR1csInstance) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let out = run(cs.clone(), &f.params, Some(acc), Some(inc), Some(comm_t));
    assert!(cs.is_satisfied().unwrap(), "the verifier's CS is satisfied");

    let native = nifs::verify_strict(&f.params, acc, inc, &NifsProof { comm_t }).unwrap();
    let r = nifs::challenge(
        &f.params,
        acc,
        &RelaxedR1csInstance::from_strict(inc),
        &comm_t,
    )
    .unwrap();
    assert_eq!(out.r.value().unwrap(), r, "same r");
    assert_eq!(nifs::truncate_challenge(&out.challenge.value().unwrap()), r);
    let bits: Vec<bool> = out.r_bits.iter().map(|b| b.value().unwrap()).collect();
    let r_u128 = nifs::challenge_u128(
        &f.params,
        acc,
        &RelaxedR1csInstance::from_strict(inc),
        &comm_t,
    )
    .unwrap();
    assert_eq!(
        bits,
        (0..128).map(|i| (r_u128 >> i) & 1 == 1).collect::<Vec<_>>()
    );
    assert_eq!(out.folded.u.value().unwrap(), native.u, "same u");
    assert_eq!(out.folded.x.value().unwrap(), native.x, "same x");
    assert_eq!(
        out.folded.comm_w.value().unwrap(),
        g1_to_limbs(&native.comm_w)
    );
    assert_eq!(
        out.folded.comm_e.value().unwrap(),
        g1_to_limbs(&native.comm_e)
    );
    assert_eq!(out.folded.value().unwrap(), native);

    // The CycleFold statements are true, name the native points, and satisfy the circuit.
    let sw = out.cyclefold_w.value().unwrap();
    let se = out.cyclefold_e.value().unwrap();
    assert_eq!(
        sw,
        CycleFoldStatement::new(acc.comm_w, inc.comm_w, r_u128).unwrap()
    );
    assert_eq!(
        se,
        CycleFoldStatement::new(acc.comm_e, comm_t, r_u128).unwrap()
    );
    assert_eq!((sw.p_out, se.p_out), (native.comm_w, native.comm_e));
    for (st, var) in [(&sw, &out.cyclefold_w), (&se, &out.cyclefold_e)] {
        st.check().unwrap();
        assert_eq!(var.public_inputs().value().unwrap(), st.primary_limbs());
        assert!(cyclefold::prove_cs(&st.public_inputs())
            .unwrap()
            .is_satisfied()
            .unwrap());
    }
    (out, native)
}

#[test]
fn gadget_matches_native_verifier() {
    for (n, seed) in [(0, 1), (1, 2), (3, 3)] {
        // n = 0 folds into the all-zero running instance (C_W1 = C_E1 = O).
        let f = fixture(n, seed);
        let (_, native) = check_against_native(&f, &f.acc, &f.inc, f.proof.comm_t);
        assert_eq!(native, f.folded);
    }
}

#[test]
fn setup_mode_has_the_same_shape() {
    let f = fixture(1, 4);
    let setup = ConstraintSystem::<Fr>::new_ref();
    setup.set_mode(SynthesisMode::Setup);
    run(setup.clone(), &f.params, None, None, None);
    let prove = ConstraintSystem::<Fr>::new_ref();
    run(
        prove.clone(),
        &f.params,
        Some(&f.acc),
        Some(&f.inc),
        Some(f.proof.comm_t),
    );
    assert_eq!(setup.num_constraints(), prove.num_constraints());
    assert_eq!(setup.num_witness_variables(), prove.num_witness_variables());
    assert_eq!(setup.num_constraints(), GADGET_CONSTRAINTS);
}

/// A tampered input gives a different r than the honest fold, so the CycleFold statements
/// (which the gadget derives from r) do not produce the honest folded commitments: the honest
/// C_W' / C_E' with the tampered r are false statements, unsatisfiable in CycleFold.
fn assert_diverges(f: &Fixture, acc: &RelaxedR1csInstance, inc: &R1csInstance, comm_t: G1Affine) {
    let (out, native) = check_against_native(f, acc, inc, comm_t);
    let honest_r = nifs::challenge_u128(
        &f.params,
        &f.acc,
        &RelaxedR1csInstance::from_strict(&f.inc),
        &f.proof.comm_t,
    )
    .unwrap();
    let r = out.cyclefold_w.value().unwrap().r;
    assert_ne!(r, honest_r, "tampering changes r");
    assert_ne!(native, f.folded);
    // The honest folded commitments do not satisfy the statements built from the tampered r.
    let fake_w = CycleFoldStatement {
        p_out: f.folded.comm_w,
        ..out.cyclefold_w.value().unwrap()
    };
    let fake_e = CycleFoldStatement {
        p_out: f.folded.comm_e,
        ..out.cyclefold_e.value().unwrap()
    };
    for fake in [fake_w, fake_e] {
        assert_eq!(fake.check(), Err(Error::CycleFoldMismatch));
        assert!(!cyclefold::prove_cs(&fake.public_inputs())
            .unwrap()
            .is_satisfied()
            .unwrap());
    }
}

#[test]
fn tampered_cross_term_or_instances_change_r() {
    let f = fixture(2, 5);
    let g = G1Affine::generator();
    // C_T.
    assert_diverges(&f, &f.acc, &f.inc, (f.proof.comm_t + g).into_affine());
    assert_diverges(&f, &f.acc, &f.inc, G1Affine::zero());
    // The incoming instance.
    let mut inc = f.inc.clone();
    inc.x[1] += Fr::one();
    assert_diverges(&f, &f.acc, &inc, f.proof.comm_t);
    let mut inc = f.inc.clone();
    inc.comm_w = (inc.comm_w + g).into_affine();
    assert_diverges(&f, &f.acc, &inc, f.proof.comm_t);
    // The running instance.
    let mut acc = f.acc.clone();
    acc.u += Fr::one();
    assert_diverges(&f, &acc, &f.inc, f.proof.comm_t);
    let mut acc = f.acc.clone();
    acc.comm_e = (acc.comm_e + g).into_affine();
    assert_diverges(&f, &acc, &f.inc, f.proof.comm_t);
}

#[test]
fn a_wrong_parameters_digest_changes_r() {
    let f = fixture(1, 6);
    let cs = ConstraintSystem::<Fr>::new_ref();
    let num_io = f.params.shape().num_io();
    let pp = FpVar::new_input(cs.clone(), || Ok(f.params.digest() + Fr::one())).unwrap();
    let acc = RelaxedR1csInstanceVar::new_variable(
        cs.clone(),
        num_io,
        Some(&f.acc),
        AllocationMode::Witness,
    )
    .unwrap();
    let inc =
        R1csInstanceVar::new_variable(cs.clone(), num_io, Some(&f.inc), AllocationMode::Witness)
            .unwrap();
    let comm_t = G1LimbsVar::new_witness(cs.clone(), || Ok(f.proof.comm_t)).unwrap();
    let out = nifs_gadget::verify_strict(&pp, &acc, &inc, &comm_t).unwrap();
    assert!(cs.is_satisfied().unwrap());
    assert_ne!(out.folded.u.value().unwrap(), f.folded.u);
}

#[test]
fn shape_errors() {
    let f = fixture(0, 7);
    let cs = ConstraintSystem::<Fr>::new_ref();
    assert!(matches!(
        R1csInstanceVar::new_variable(cs.clone(), 2, Some(&f.inc), AllocationMode::Witness),
        Err(Error::LengthMismatch { .. })
    ));
    let pp = FpVar::new_input(cs.clone(), || Ok(f.params.digest())).unwrap();
    let acc =
        RelaxedR1csInstanceVar::new_variable(cs.clone(), 3, Some(&f.acc), AllocationMode::Witness)
            .unwrap();
    let mut short = f.inc.clone();
    short.x.pop();
    let inc = R1csInstanceVar::new_variable(cs.clone(), 2, Some(&short), AllocationMode::Witness)
        .unwrap();
    let comm_t = G1LimbsVar::new_witness(cs.clone(), || Ok(f.proof.comm_t)).unwrap();
    assert!(matches!(
        nifs_gadget::verify_strict(&pp, &acc, &inc, &comm_t),
        Err(Error::LengthMismatch { .. })
    ));
}
