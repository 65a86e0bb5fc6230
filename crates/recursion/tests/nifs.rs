//! The native folding core: R1CS extraction from arkworks, Pedersen commitments, and Nova's
//! NIFS on a small step-like circuit (multiplications + Poseidon transcript gadget).
//!
//! Honest folds of 1, 2 and 5 steps (and of two running instances) give a folded witness that
//! satisfies the folded instance, and the verifier's folded instance equals the prover's; an
//! unsatisfying step, a tampered `C_T`, a tampered cross term or a tampered public input
//! breaks that; the transcript binds the parameters (shape and key), both instances and `C_T`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/step_circuit.rs"]
mod step_circuit;

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::nifs::{self, NIFS_DOMAIN};
use recursion::pedersen::{hash_to_g1, GeneratorIndex};
use recursion::{
    extract_assignment, Error, NifsParams, NifsProof, PedersenKey, R1csInstance, R1csShape,
    R1csWitness, RelaxedR1csInstance, RelaxedR1csWitness, SparseMatrix,
};
use step_circuit::{StepCircuit, StepValues};
use sumcheck::F;

const KEY_LABEL: &[u8] = b"nifs-test-key";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn params(circuit: &StepCircuit, hiding: bool) -> NifsParams {
    NifsParams::setup(circuit.shape(), KEY_LABEL, hiding).unwrap()
}

/// A committed step `i` of `circuit`.
fn step(
    params: &NifsParams,
    circuit: &StepCircuit,
    i: u64,
    rng: &mut ChaCha20Rng,
) -> (R1csInstance, R1csWitness) {
    let (x, w) = circuit.assignment(&StepValues::random(i, rng));
    let (u, w) = params.commit_witness(x, w, rng).unwrap();
    params.is_satisfied(&u, &w).unwrap();
    (u, w)
}

/// Folds `n` honest steps into the all-zero running instance, checking every fold.
fn fold_steps(
    params: &NifsParams,
    circuit: &StepCircuit,
    n: u64,
    rng: &mut ChaCha20Rng,
) -> (RelaxedR1csInstance, RelaxedR1csWitness) {
    let shape = params.shape();
    let mut acc = RelaxedR1csInstance::zero(shape);
    let mut acc_w = RelaxedR1csWitness::zero(shape);
    params.is_satisfied_relaxed(&acc, &acc_w).unwrap();
    for i in 0..n {
        let (u, w) = step(params, circuit, i, rng);
        let (proof, folded, folded_w) =
            nifs::prove_strict(params, &acc, &acc_w, &u, &w, rng).unwrap();
        let verified = nifs::verify_strict(params, &acc, &u, &proof).unwrap();
        assert_eq!(verified, folded, "fold {i}: verifier and prover disagree");
        params.is_satisfied_relaxed(&folded, &folded_w).unwrap();
        (acc, acc_w) = (folded, folded_w);
    }
    (acc, acc_w)
}

// ---------------------------------------------------------------------------------------------
// R1CS extraction

#[test]
fn shape_extraction_matches_the_constraint_system() {
    let circuit = StepCircuit::SMALL;
    let shape = circuit.shape();
    assert_eq!(shape.num_io(), 3);
    assert_eq!(shape.num_vars(), 1 + 3 + shape.num_witness());
    assert!(
        shape.num_constraints() > 486,
        "two Poseidon permutations at least"
    );

    let mut rng = rng(1);
    let v = StepValues::random(7, &mut rng);
    let cs = circuit.prove_cs(&v);
    let cs_constraints = cs.num_constraints();
    let proved_shape = R1csShape::from_constraint_system(&cs).unwrap();
    assert_eq!(
        proved_shape, shape,
        "setup and proving mode give the same shape"
    );
    assert_eq!(proved_shape.digest(), shape.digest());
    assert_eq!(shape.num_constraints(), cs_constraints);

    let (x, w) = extract_assignment(&cs).unwrap();
    assert_eq!(x, vec![v.i, v.s_in, circuit.output(&v)]);
    shape.check_relation(&x, &w).unwrap();
    // As a relaxed instance: u = 1, E = 0.
    shape
        .check_relaxed_relation(F::one(), &x, &w, &vec![F::zero(); shape.num_constraints()])
        .unwrap();

    // A wrong witness or public input is rejected, at the first failing row.
    for k in [0, w.len() / 2, w.len() - 1] {
        let mut bad = w.clone();
        bad[k] += F::one();
        assert!(matches!(
            shape.check_relation(&x, &bad),
            Err(Error::UnsatisfiedConstraint { .. })
        ));
    }
    let mut bad_x = x.clone();
    bad_x[2] += F::one();
    assert!(matches!(
        shape.check_relation(&bad_x, &w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    assert!(matches!(
        shape.check_relation(&x[..2], &w),
        Err(Error::LengthMismatch { what: "x", .. })
    ));

    // A different circuit has a different shape and digest.
    let other = StepCircuit {
        muls: 5,
        ..StepCircuit::SMALL
    }
    .shape();
    assert_ne!(other.digest(), shape.digest());
}

#[test]
fn extraction_errors() {
    let circuit = StepCircuit::SMALL;
    // No matrices constructed.
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: true,
    });
    let v = StepValues::random(0, &mut rng(2));
    circuit.synthesize(cs.clone(), Some(&v)).unwrap();
    assert_eq!(
        R1csShape::from_constraint_system(&cs),
        Err(Error::MatricesNotConstructed)
    );
    // No assignment in setup mode.
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    circuit.synthesize(cs.clone(), None).unwrap();
    assert_eq!(
        extract_assignment(&cs),
        Err(Error::Synthesis(SynthesisError::AssignmentMissing))
    );
}

#[test]
fn sparse_matrix_is_canonical() {
    let two = F::from(2u64);
    let rows = vec![
        vec![(F::one(), 2), (two, 0), (F::one(), 2), (F::zero(), 1)],
        vec![(F::one(), 1), (-F::one(), 1)],
        vec![],
    ];
    let m = SparseMatrix::from_rows("A", &rows, 3).unwrap();
    assert_eq!((m.num_rows(), m.num_cols(), m.nnz()), (3, 3, 2));
    assert_eq!(m.row(0), &[(0, two), (2, two)]);
    assert!(m.row(1).is_empty() && m.row(2).is_empty() && m.row(3).is_empty());
    let z = [F::from(3u64), F::from(5u64), F::from(7u64)];
    assert_eq!(
        m.mul_vec(&z).unwrap(),
        vec![F::from(20u64), F::zero(), F::zero()]
    );
    assert!(matches!(
        m.mul_vec(&z[..2]),
        Err(Error::LengthMismatch { .. })
    ));
    assert_eq!(
        SparseMatrix::from_rows("B", &[vec![(F::one(), 3)]], 3),
        Err(Error::ColumnOutOfRange {
            matrix: "B",
            row: 0,
            col: 3,
            num_cols: 3
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Pedersen

#[test]
fn pedersen_generators_and_homomorphism() {
    let key: PedersenKey = PedersenKey::new(b"pedersen-test", 40, true).unwrap();
    let again = PedersenKey::new(b"pedersen-test", 40, true).unwrap();
    assert_eq!(key, again, "deterministic");
    let longer: PedersenKey = PedersenKey::new(b"pedersen-test", 50, false).unwrap();
    assert_eq!(
        &longer.generators()[..40],
        key.generators(),
        "prefix-stable"
    );
    assert_ne!(longer.digest(), key.digest());
    let other: PedersenKey = PedersenKey::new(b"pedersen-test2", 40, true).unwrap();
    assert_ne!(other.generators()[0], key.generators()[0]);
    assert_ne!(other.digest(), key.digest());

    let h = *key.blinding().unwrap();
    let mut all: Vec<G1Affine> = key.generators().to_vec();
    all.push(h);
    for (i, p) in all.iter().enumerate() {
        assert!(!p.is_zero() && p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve());
        assert!(all[..i].iter().all(|q| q != p), "distinct generators");
        assert_ne!(*p, G1Affine::generator());
    }
    assert_eq!(
        hash_to_g1(b"pedersen-test", GeneratorIndex::Vector(7)).unwrap(),
        key.generators()[7]
    );
    assert_eq!(
        hash_to_g1(b"pedersen-test", GeneratorIndex::Blinding).unwrap(),
        h
    );

    let mut rng = rng(3);
    let v1: Vec<F> = (0..40).map(|_| F::rand(&mut rng)).collect();
    let v2: Vec<F> = (0..25).map(|_| F::rand(&mut rng)).collect();
    let (r1, r2, c) = (F::rand(&mut rng), F::rand(&mut rng), F::rand(&mut rng));
    let c1 = key.commit(&v1, &r1).unwrap();
    let c2 = key.commit(&v2, &r2).unwrap();
    let mut sum = v1.clone();
    for (s, b) in sum.iter_mut().zip(&v2) {
        *s += c * b;
    }
    let lhs = (c1.into_group() + c2 * c).into_affine();
    assert_eq!(lhs, key.commit(&sum, &(r1 + c * r2)).unwrap());
    // Com(v; r) = Σ v_i G_i + r H.
    let naive: G1Projective = v2
        .iter()
        .zip(key.generators())
        .map(|(v, g)| *g * v)
        .sum::<G1Projective>()
        + h * r2;
    assert_eq!(c2, naive.into_affine());
    // Blinding hides: same vector, different r, different commitment.
    assert_ne!(c1, key.commit(&v1, &r2).unwrap());
    assert_eq!(key.commit(&[], &F::zero()).unwrap(), G1Affine::zero());

    // Errors: too long a vector, blinding without a blinding generator.
    assert_eq!(
        key.commit(&vec![F::one(); 41], &F::zero()),
        Err(Error::KeyTooShort {
            needed: 41,
            available: 40
        })
    );
    assert!(!longer.is_hiding());
    assert_eq!(longer.commit(&v1, &r1), Err(Error::NotHiding));
    assert!(longer.commit(&v1, &F::zero()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Honest folding

#[test]
fn honest_folds_of_1_2_5_steps() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    for (seed, n) in [(10, 1), (11, 2), (12, 5)] {
        let (acc, _) = fold_steps(&params, &circuit, n, &mut rng(seed));
        assert!(
            !acc.comm_e.is_zero(),
            "a non-trivial error term after {n} folds"
        );
        assert_ne!(acc.u, F::one());
    }
}

#[test]
fn fold_from_a_strict_instance_and_fold_two_running_instances() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let shape = params.shape();
    let mut rng = rng(20);

    // Start the running instance from a step embedded with u = 1, E = 0.
    let (u0, w0) = step(&params, &circuit, 0, &mut rng);
    let acc = RelaxedR1csInstance::from_strict(&u0);
    let acc_w = RelaxedR1csWitness::from_strict(shape, &w0);
    params.is_satisfied_relaxed(&acc, &acc_w).unwrap();
    let (u1, w1) = step(&params, &circuit, 1, &mut rng);
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u1, &w1, &mut rng).unwrap();
    assert_eq!(
        nifs::verify_strict(&params, &acc, &u1, &proof).unwrap(),
        folded
    );
    params.is_satisfied_relaxed(&folded, &folded_w).unwrap();

    // Two running instances (both with u ≠ 1, E ≠ 0) fold into one: the r²·C_E2 term.
    let (a, a_w) = fold_steps(&params, &circuit, 2, &mut rng);
    let (b, b_w) = fold_steps(&params, &circuit, 3, &mut rng);
    assert!(!b.comm_e.is_zero());
    let (proof, folded, folded_w) = nifs::prove(&params, &a, &a_w, &b, &b_w, &mut rng).unwrap();
    assert_eq!(nifs::verify(&params, &a, &b, &proof).unwrap(), folded);
    params.is_satisfied_relaxed(&folded, &folded_w).unwrap();
}

#[test]
fn non_hiding_key_folds_too() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, false);
    let (acc, acc_w) = fold_steps(&params, &circuit, 2, &mut rng(30));
    assert_eq!((acc_w.r_w, acc_w.r_e), (F::zero(), F::zero()));
    assert_eq!(
        acc.comm_w,
        params.key().commit(&acc_w.w, &F::zero()).unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// Dishonest folding

#[test]
fn unsatisfying_step_makes_the_fold_unsatisfying() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let mut rng = rng(40);
    let (acc, acc_w) = fold_steps(&params, &circuit, 1, &mut rng);

    // A step whose witness (honestly committed) violates a constraint.
    let (x, mut w) = circuit.assignment(&StepValues::random(1, &mut rng));
    let k = w.len() / 2;
    w[k] += F::one();
    let (u, w) = params.commit_witness(x, w, &mut rng).unwrap();
    assert!(matches!(
        params.is_satisfied(&u, &w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    // The verifier agrees on the instance, and the pair is unsatisfying.
    assert_eq!(
        nifs::verify_strict(&params, &acc, &u, &proof).unwrap(),
        folded
    );
    assert!(matches!(
        params.is_satisfied_relaxed(&folded, &folded_w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    // ... and stays unsatisfying after a further honest fold.
    let (u2, w2) = step(&params, &circuit, 2, &mut rng);
    let (_, folded2, folded2_w) =
        nifs::prove_strict(&params, &folded, &folded_w, &u2, &w2, &mut rng).unwrap();
    assert!(matches!(
        params.is_satisfied_relaxed(&folded2, &folded2_w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));

    // A public input that does not match the witness, too.
    let (mut u3, w3) = step(&params, &circuit, 3, &mut rng);
    u3.x[1] += F::one();
    let (_, folded3, folded3_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u3, &w3, &mut rng).unwrap();
    assert!(matches!(
        params.is_satisfied_relaxed(&folded3, &folded3_w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));

    // A witness that does not open C_W: the folded C_W does not open either.
    let (mut u4, w4) = step(&params, &circuit, 4, &mut rng);
    u4.comm_w = (u4.comm_w + G1Affine::generator()).into_affine();
    let (_, folded4, folded4_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u4, &w4, &mut rng).unwrap();
    assert_eq!(
        params.is_satisfied_relaxed(&folded4, &folded4_w),
        Err(Error::CommitmentMismatch { what: "W" })
    );
}

#[test]
fn tampered_cross_term_commitment() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let mut rng = rng(50);
    let (acc, acc_w) = fold_steps(&params, &circuit, 2, &mut rng);
    let (u, w) = step(&params, &circuit, 2, &mut rng);
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    let tampered = NifsProof {
        comm_t: (proof.comm_t + G1Affine::generator()).into_affine(),
    };
    let verified = nifs::verify_strict(&params, &acc, &u, &tampered).unwrap();
    assert_ne!(verified, folded);
    assert_ne!(verified.u, folded.u, "C_T changes the challenge");
    assert!(params.is_satisfied_relaxed(&verified, &folded_w).is_err());
    // Identity as C_T.
    let zero = NifsProof {
        comm_t: G1Affine::zero(),
    };
    assert_ne!(
        nifs::verify_strict(&params, &acc, &u, &zero).unwrap(),
        folded
    );
}

#[test]
fn tampered_cross_term_breaks_the_relation() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let shape = params.shape();
    let mut rng = rng(60);
    let (acc, acc_w) = fold_steps(&params, &circuit, 2, &mut rng);
    let (u, w) = step(&params, &circuit, 2, &mut rng);
    let inc = RelaxedR1csInstance::from_strict(&u);
    let inc_w = RelaxedR1csWitness::from_strict(shape, &w);

    let z1 = shape.z(acc.u, &acc.x, &acc_w.w).unwrap();
    let z2 = shape.z(inc.u, &inc.x, &inc_w.w).unwrap();
    let honest_t = shape.cross_term(&z1, &z2).unwrap();
    for k in [0, honest_t.len() / 2, honest_t.len() - 1] {
        // A prover that commits to a wrong cross term consistently.
        let mut t = honest_t.clone();
        t[k] += F::one();
        let r_t = F::rand(&mut rng);
        let comm_t = params.key().commit(&t, &r_t).unwrap();
        let r = nifs::challenge(&params, &acc, &inc, &comm_t).unwrap();
        let folded = nifs::fold_instances(&acc, &inc, &comm_t, r).unwrap();
        let folded_w = nifs::fold_witnesses(&acc_w, &inc_w, &t, r_t, r).unwrap();
        assert_eq!(
            nifs::verify(&params, &acc, &inc, &NifsProof { comm_t }).unwrap(),
            folded,
            "the commitments still agree"
        );
        assert_eq!(
            params.is_satisfied_relaxed(&folded, &folded_w),
            Err(Error::UnsatisfiedConstraint { row: k })
        );
    }
    // The honest cross term through the same building blocks satisfies the relation.
    let r_t = F::rand(&mut rng);
    let comm_t = params.key().commit(&honest_t, &r_t).unwrap();
    let r = nifs::challenge(&params, &acc, &inc, &comm_t).unwrap();
    let folded = nifs::fold_instances(&acc, &inc, &comm_t, r).unwrap();
    let folded_w = nifs::fold_witnesses(&acc_w, &inc_w, &honest_t, r_t, r).unwrap();
    params.is_satisfied_relaxed(&folded, &folded_w).unwrap();
}

#[test]
fn tampered_public_input_or_instance() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let mut rng = rng(70);
    let (acc, acc_w) = fold_steps(&params, &circuit, 2, &mut rng);
    let (u, w) = step(&params, &circuit, 2, &mut rng);
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();

    // The verifier sees a different incoming public input.
    for j in 0..u.x.len() {
        let mut bad = u.clone();
        bad.x[j] += F::one();
        let verified = nifs::verify_strict(&params, &acc, &bad, &proof).unwrap();
        assert_ne!(verified, folded);
        assert!(params.is_satisfied_relaxed(&verified, &folded_w).is_err());
    }
    // ... or a different running instance.
    let mut bad_acc = acc.clone();
    bad_acc.x[0] += F::one();
    let verified = nifs::verify_strict(&params, &bad_acc, &u, &proof).unwrap();
    assert!(params.is_satisfied_relaxed(&verified, &folded_w).is_err());
    let mut bad_acc = acc.clone();
    bad_acc.u += F::one();
    let verified = nifs::verify_strict(&params, &bad_acc, &u, &proof).unwrap();
    assert!(params.is_satisfied_relaxed(&verified, &folded_w).is_err());
}

// ---------------------------------------------------------------------------------------------
// Transcript binding

#[test]
fn transcript_binds_parameters_instances_and_cross_term() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let mut rng = rng(80);
    let (acc, acc_w) = fold_steps(&params, &circuit, 2, &mut rng);
    let (u, w) = step(&params, &circuit, 2, &mut rng);
    let inc = RelaxedR1csInstance::from_strict(&u);
    let (proof, folded, _) = nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    let r = nifs::challenge(&params, &acc, &inc, &proof.comm_t).unwrap();
    assert!(r < F::from(2u64).pow([128]), "128-bit challenge");
    assert_eq!(folded.u, acc.u + r, "u = u_1 + r·1");

    // A different circuit (same number of public inputs), a different key, a non-hiding key.
    let other_circuit = StepCircuit {
        muls: 5,
        ..StepCircuit::SMALL
    };
    let other_params = [
        NifsParams::setup(other_circuit.shape(), KEY_LABEL, true).unwrap(),
        NifsParams::setup(circuit.shape(), b"another-key", true).unwrap(),
        NifsParams::setup(circuit.shape(), KEY_LABEL, false).unwrap(),
    ];
    for p in &other_params {
        assert_ne!(p.digest(), params.digest());
        assert_ne!(nifs::challenge(p, &acc, &inc, &proof.comm_t).unwrap(), r);
        assert_ne!(
            nifs::verify(p, &acc, &inc, &proof).unwrap(),
            folded,
            "the fold is bound to the shape and key"
        );
    }

    // Every absorbed component of both instances and C_T.
    let g = G1Affine::generator();
    let bump = |p: G1Affine| (p + g).into_affine();
    let one = F::one();
    type Edit = fn(&mut RelaxedR1csInstance, G1Affine, F);
    let edits: [(&str, Edit); 5] = [
        ("C_W", |u, g, _| u.comm_w = (u.comm_w + g).into_affine()),
        ("C_E", |u, g, _| u.comm_e = (u.comm_e + g).into_affine()),
        ("u", |u, _, one| u.u += one),
        ("x_0", |u, _, one| u.x[0] += one),
        ("x_2", |u, _, one| u.x[2] += one),
    ];
    for (name, edit) in edits {
        let mut a = acc.clone();
        edit(&mut a, g, one);
        assert_ne!(
            nifs::challenge(&params, &a, &inc, &proof.comm_t).unwrap(),
            r,
            "running {name}"
        );
        let mut b = inc.clone();
        edit(&mut b, g, one);
        assert_ne!(
            nifs::challenge(&params, &acc, &b, &proof.comm_t).unwrap(),
            r,
            "incoming {name}"
        );
    }
    assert_ne!(
        nifs::challenge(&params, &acc, &inc, &bump(proof.comm_t)).unwrap(),
        r
    );
    // Swapping the roles of the two instances changes r too.
    assert_ne!(
        nifs::challenge(&params, &inc, &acc, &proof.comm_t).unwrap(),
        r
    );

    // The transcript is the documented schedule, call for call.
    use sumcheck::{PoseidonTranscript, Transcript};
    let mut t = PoseidonTranscript::new(NIFS_DOMAIN);
    t.append_field(b"nifs_params", &params.digest());
    for (labels, inst) in [(nifs::LABELS_ACC, &acc), (nifs::LABELS_INC, &inc)] {
        t.append_g1(labels[0], &inst.comm_w);
        t.append_g1(labels[1], &inst.comm_e);
        t.append_field(labels[2], &inst.u);
        t.append_fields(labels[3], &inst.x);
    }
    t.append_g1(b"nifs_cross_term", &proof.comm_t);
    let full = t.challenge(b"nifs_r");
    assert_eq!(nifs::truncate_challenge(&full), r);
}

// ---------------------------------------------------------------------------------------------
// Malformed inputs

#[test]
fn malformed_inputs_are_errors() {
    let circuit = StepCircuit::SMALL;
    let params = params(&circuit, true);
    let shape = params.shape();
    let mut rng = rng(90);
    let (acc, acc_w) = fold_steps(&params, &circuit, 1, &mut rng);
    let (u, w) = step(&params, &circuit, 1, &mut rng);
    let (proof, _, _) = nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();

    let off_curve = G1Affine::new_unchecked(Fq::one(), Fq::one());
    assert!(!off_curve.is_on_curve());
    assert_eq!(
        nifs::verify_strict(&params, &acc, &u, &NifsProof { comm_t: off_curve }),
        Err(Error::InvalidPoint { what: "C_T" })
    );
    let mut bad = u.clone();
    bad.comm_w = off_curve;
    assert_eq!(
        nifs::verify_strict(&params, &acc, &bad, &proof),
        Err(Error::InvalidPoint {
            what: "C_W of the incoming instance"
        })
    );
    let mut bad = acc.clone();
    bad.comm_e = off_curve;
    assert_eq!(
        nifs::verify_strict(&params, &bad, &u, &proof),
        Err(Error::InvalidPoint {
            what: "C_E of the running instance"
        })
    );
    let mut bad = u.clone();
    bad.x.push(F::one());
    assert!(matches!(
        nifs::verify_strict(&params, &acc, &bad, &proof),
        Err(Error::LengthMismatch {
            expected: 3,
            actual: 4,
            ..
        })
    ));
    let mut bad_w = w.clone();
    bad_w.w.pop();
    assert!(matches!(
        nifs::prove_strict(&params, &acc, &acc_w, &u, &bad_w, &mut rng),
        Err(Error::LengthMismatch { what: "W", .. })
    ));
    let mut bad_acc_w = acc_w.clone();
    bad_acc_w.e.pop();
    assert!(matches!(
        nifs::prove_strict(&params, &acc, &bad_acc_w, &u, &w, &mut rng),
        Err(Error::LengthMismatch { .. })
    ));
    let short: PedersenKey = PedersenKey::new(KEY_LABEL, 10, true).unwrap();
    assert!(matches!(
        NifsParams::new(shape.clone(), short),
        Err(Error::KeyTooShort { available: 10, .. })
    ));
}
