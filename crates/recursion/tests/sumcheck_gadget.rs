//! The in-circuit batched sumcheck verifier against the native `verify_batched`: same
//! challenges, batching coefficients, reduced claim, expected output claims and transcript state
//! for honest proofs (satisfied constraint system), and an unsatisfied one for every tampering.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError};
use common::*;
use recursion::sumcheck_gadget::alloc_witness_vec;
use recursion::{
    verify_batched, Error, PoseidonTranscriptVar, ProductVerifierVar, SumcheckProofVar,
};
use sumcheck::F;

use Kind::*;

#[test]
fn single_instances_match_native() {
    for n in 1..=8 {
        for kind in [
            Product { k: 2 },
            Product { k: 3 },
            ZeroCheck { k: 2 },
            ZeroCheck { k: 3 },
        ] {
            let batch = Batch::new(&[spec(kind, n)], 100 + n as u64);
            assert_matches_native(&batch);
        }
    }
}

#[test]
fn eq_weighted_and_custom_match_native() {
    for n in [1, 4, 7] {
        assert_matches_native(&Batch::new(&[spec(EqProduct { k: 2 }, n)], n as u64));
        assert_matches_native(&Batch::new(&[spec(EqCustom, n)], 50 + n as u64));
    }
}

/// Heterogeneous batches: different round counts (alignment), degrees 2 to 4, all kinds.
fn batches() -> Vec<Vec<Spec>> {
    vec![
        vec![spec(Product { k: 2 }, 3), spec(Product { k: 3 }, 5)],
        vec![
            spec(Product { k: 2 }, 3),
            spec(ZeroCheck { k: 3 }, 8),
            spec(Product { k: 3 }, 1),
            spec(EqProduct { k: 2 }, 5),
        ],
        vec![
            spec(ZeroCheck { k: 2 }, 6),
            spec(EqCustom, 4),
            spec(Product { k: 2 }, 6),
            spec(ZeroCheck { k: 3 }, 2),
            spec(Product { k: 3 }, 7),
        ],
        // An instance with no variable at all next to a longer one.
        vec![spec(Product { k: 2 }, 0), spec(Product { k: 2 }, 3)],
    ]
}

#[test]
fn batches_match_native() {
    for (i, specs) in batches().iter().enumerate() {
        assert_matches_native(&Batch::new(specs, 7 + i as u64));
    }
}

#[test]
fn tampered_round_coefficient_is_rejected() {
    let batch = Batch::new(&batches()[1], 11);
    let rounds = batch.proof.round_polys.len();
    let degree = batch.proof.round_polys[0].coeffs_except_linear.len();
    // First, middle and last round; constant, middle and leading coefficient.
    for round in [0, rounds / 2, rounds - 1] {
        for idx in [0, degree / 2, degree - 1] {
            assert_rejected(&batch, Tamper::RoundCoeff { round, idx });
        }
    }
    // A single instance, too.
    let single = Batch::new(&[spec(ZeroCheck { k: 2 }, 4)], 12);
    assert_rejected(&single, Tamper::RoundCoeff { round: 2, idx: 1 });
}

#[test]
fn wrong_claimed_sum_is_rejected() {
    let batch = Batch::new(&batches()[1], 13);
    for instance in 0..batch.specs.len() {
        assert_rejected(&batch, Tamper::ClaimedSum { instance });
    }
    let single = Batch::new(&[spec(Product { k: 3 }, 5)], 14);
    assert_rejected(&single, Tamper::ClaimedSum { instance: 0 });
}

#[test]
fn wrong_final_evaluation_is_rejected() {
    let batch = Batch::new(&batches()[2], 15);
    for (instance, s) in batch.specs.iter().enumerate() {
        for idx in 0..s.kind.num_polys() {
            assert_rejected(&batch, Tamper::FinalEval { instance, idx });
        }
    }
    let single = Batch::new(&[spec(ZeroCheck { k: 3 }, 3)], 16);
    assert_rejected(
        &single,
        Tamper::FinalEval {
            instance: 0,
            idx: 2,
        },
    );
}

#[test]
fn malformed_shapes_are_errors() {
    let batch = Batch::new(&[spec(Product { k: 2 }, 3)], 17);
    let cs = ConstraintSystem::<F>::new_ref();
    // One round too many / too few.
    let mut long = batch.proof.clone();
    long.round_polys.push(long.round_polys[0].clone());
    let err = SumcheckProofVar::new_witness(cs.clone(), 3, 2, || Ok(long.clone())).unwrap_err();
    assert_eq!(
        err,
        Error::WrongNumberOfRounds {
            expected: 3,
            actual: 4
        }
    );
    // A coefficient too many / too few in round 1.
    let mut high = batch.proof.clone();
    high.round_polys[1].coeffs_except_linear.push(F::from(1u64));
    let err = SumcheckProofVar::new_witness(cs.clone(), 3, 2, || Ok(high.clone())).unwrap_err();
    assert_eq!(
        err,
        Error::DegreeTooHigh {
            round: 1,
            max: 2,
            actual: 3
        }
    );
    let mut low = batch.proof.clone();
    low.round_polys[1].coeffs_except_linear.pop();
    let err = SumcheckProofVar::new_witness(cs.clone(), 3, 2, || Ok(low.clone())).unwrap_err();
    assert_eq!(
        err,
        Error::TooFewCoefficients {
            round: 1,
            expected: 2,
            actual: 1
        }
    );
    // Final evaluations of the wrong length.
    let err = alloc_witness_vec(cs.clone(), 2, || Ok(vec![F::from(1u64)])).unwrap_err();
    assert_eq!(
        err,
        Error::DimensionMismatch {
            expected: 2,
            actual: 1
        }
    );
    // An instance given the wrong number of final evaluations.
    let proof =
        SumcheckProofVar::new_witness(cs.clone(), 3, 2, || Ok(batch.proof.clone())).unwrap();
    let claim = FpVar::new_input(cs.clone(), || Ok(batch.claims[0])).unwrap();
    let inst = ProductVerifierVar::new(3, 2, claim);
    let one_eval = alloc_witness_vec(cs.clone(), 1, || Ok(vec![F::from(1u64)])).unwrap();
    let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    let err =
        verify_batched(&[&inst], &proof, std::slice::from_ref(&one_eval), &mut t).unwrap_err();
    assert_eq!(
        err,
        Error::WrongNumberOfFinalEvals {
            instance: 0,
            expected: 2,
            actual: 1
        }
    );
    let err = verify_batched(&[&inst], &proof, &[], &mut t).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }));
    let err = verify_batched(&[], &proof, &[], &mut t).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }));
    // A missing witness in proving mode is a synthesis error, not a panic.
    let err = SumcheckProofVar::new_witness(cs, 3, 2, || Err(SynthesisError::AssignmentMissing))
        .unwrap_err();
    assert_eq!(err, Error::Synthesis(SynthesisError::AssignmentMissing));
}

/// Larger instances and batches (`cargo test -p recursion -- --ignored`).
#[test]
#[ignore]
fn heavy_batches_match_native() {
    let specs = vec![
        spec(Product { k: 2 }, 20),
        spec(ZeroCheck { k: 3 }, 18),
        spec(EqCustom, 12),
        spec(Product { k: 3 }, 9),
        spec(EqProduct { k: 2 }, 15),
        spec(ZeroCheck { k: 2 }, 1),
    ];
    let batch = Batch::new(&specs, 99);
    let n = assert_matches_native(&batch);
    println!("{n} constraints");
    assert_rejected(&batch, Tamper::RoundCoeff { round: 8, idx: 2 });
    assert_rejected(
        &batch,
        Tamper::FinalEval {
            instance: 2,
            idx: 1,
        },
    );
}
