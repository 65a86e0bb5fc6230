//! The in-circuit convolution verifier against the native `gkr::relations::conv::verify_conv`:
//! the shift predicate equals `shift_mle`; for honest proofs of every relation the constraint
//! system is satisfied and the claims and the transcript state equal the native ones; every
//! tampered value leaves the system unsatisfied; wrong shapes are errors, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_ff::{One, UniformRand};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use gkr::relations::conv::{
    prove_conv, shift_mle, verify_conv, ConvClaim, ConvOperand, ConvProof, ConvRelation, ConvShape,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::conv_gadget::{shift_mle_var, verify_conv_var, ConvClaimVar, ConvProofVar};
use recursion::{Error, PoseidonTranscriptVar};
use sumcheck::{PoseidonTranscript, Transcript, F};

const DOMAIN: &[u8] = b"conv-gadget-test";

const RELATIONS: [ConvRelation; 3] = [
    ConvRelation::Forward,
    ConvRelation::InputGrad,
    ConvRelation::WeightGrad,
];

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn rand_vec(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

fn witnesses(cs: &ConstraintSystemRef<F>, xs: &[F]) -> Vec<FpVar<F>> {
    xs.iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
        .collect()
}

fn inputs(cs: &ConstraintSystemRef<F>, xs: &[F]) -> Vec<FpVar<F>> {
    xs.iter()
        .map(|x| FpVar::new_input(cs.clone(), || Ok(*x)).unwrap())
        .collect()
}

fn vars_of(s: &ConvShape, op: ConvOperand) -> usize {
    match op {
        ConvOperand::Input => s.input_vars(),
        ConvOperand::Weight => s.weight_vars(),
        ConvOperand::Output => s.output_vars(),
    }
}

// ---------------------------------------------------------------------------------------------
// The shift predicate
// ---------------------------------------------------------------------------------------------

/// `(k, n, |r_d|, |r_u|)`: `r_d` shorter and longer than `r_u`, `k` = 1, 3, 5, 7, `n` not a
/// power of two, points longer than `log n` (padding bits), empty points.
const SHIFT_CASES: [(u64, u64, usize, usize); 14] = [
    (3, 32, 2, 5),
    (3, 8, 2, 3),
    (3, 5, 2, 3),
    (3, 7, 2, 3),
    (1, 4, 0, 2),
    (1, 6, 1, 3),
    (5, 6, 3, 3),
    (5, 12, 3, 4),
    (5, 2, 3, 1),
    (7, 3, 3, 2),
    (3, 1, 2, 0),
    (5, 1, 0, 0),
    (3, 20, 4, 6),
    (9, 100, 4, 7),
];

#[test]
fn shift_mle_var_matches_native() {
    let mut rng = rng(1);
    for (k, n, ld, lu) in SHIFT_CASES {
        for _ in 0..3 {
            let (rd, ru, rv) = (
                rand_vec(ld, &mut rng),
                rand_vec(lu, &mut rng),
                rand_vec(lu, &mut rng),
            );
            let native = shift_mle(k, n, &rd, &ru, &rv).unwrap();
            let cs = ConstraintSystem::<F>::new_ref();
            let (d, u, v) = (
                witnesses(&cs, &rd),
                witnesses(&cs, &ru),
                witnesses(&cs, &rv),
            );
            let s = shift_mle_var(k, n, &d, &u, &v).unwrap();
            assert_eq!(
                s.value().unwrap(),
                native,
                "k {k}, n {n}, |r_d| {ld}, |r_u| {lu}"
            );
            assert!(cs.is_satisfied().unwrap());
        }
    }
}

/// On Boolean points the predicate is the indicator itself.
#[test]
fn shift_mle_var_on_bits_is_the_predicate() {
    let (k, n, ld, lu) = (3u64, 5u64, 2usize, 3usize);
    let bits = |x: u64, len: usize| -> Vec<F> { (0..len).map(|i| F::from((x >> i) & 1)).collect() };
    for d in 0..1u64 << ld {
        for u in 0..1u64 << lu {
            for v in 0..1u64 << lu {
                let want = d < k && u < n && v < n && v + (k - 1) / 2 == u + d;
                let cs = ConstraintSystem::<F>::new_ref();
                let (rd, ru, rv) = (
                    witnesses(&cs, &bits(d, ld)),
                    witnesses(&cs, &bits(u, lu)),
                    witnesses(&cs, &bits(v, lu)),
                );
                let s = shift_mle_var(k, n, &rd, &ru, &rv).unwrap();
                assert_eq!(s.value().unwrap(), F::from(u64::from(want)));
            }
        }
    }
}

fn shift_constraints(k: u64, n: u64, ld: usize, lu: usize) -> usize {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let none = |len: usize| -> Vec<FpVar<F>> {
        (0..len)
            .map(|_| {
                FpVar::new_witness(cs.clone(), || {
                    Err::<F, _>(SynthesisError::AssignmentMissing)
                })
                .unwrap()
            })
            .collect()
    };
    let (d, u, v) = (none(ld), none(lu), none(lu));
    let c0 = cs.num_constraints();
    let _s = shift_mle_var(k, n, &d, &u, &v).unwrap();
    cs.num_constraints() - c0
}

/// Golden constraint counts of the predicate (an unintended change shows up here).
#[test]
fn shift_mle_var_constraint_counts() {
    let counts: Vec<(u64, u64, usize)> =
        [(3, 32, 2, 5), (3, 8, 2, 3), (3, 4, 2, 2), (5, 224, 3, 8)]
            .into_iter()
            .map(|(k, n, ld, lu)| (k, n, shift_constraints(k, n, ld, lu)))
            .collect();
    println!("shift_mle_var constraints (k, n, count): {counts:?}");
    assert_eq!(
        counts,
        vec![(3, 32, 37), (3, 8, 23), (3, 4, 16), (5, 224, 71)]
    );
}

#[test]
fn shift_mle_var_rejects_bad_shapes() {
    let cs = ConstraintSystem::<F>::new_ref();
    let p = witnesses(&cs, &[F::one(), F::one(), F::one()]);
    assert!(matches!(
        shift_mle_var(3, 4, &p[..2], &p[..2], &p[..1]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        shift_mle_var(4, 4, &p[..2], &p[..2], &p[..2]),
        Err(Error::Malformed { .. })
    ));
    let long = vec![p[0].clone(); 63];
    assert!(matches!(
        shift_mle_var(3, 4, &long, &p[..2], &p[..2]),
        Err(Error::Malformed { .. })
    ));
    assert!(matches!(
        shift_mle_var(3, 4, &p[..2], &long, &long),
        Err(Error::Malformed { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// The relation verifier
// ---------------------------------------------------------------------------------------------

fn shapes() -> Vec<ConvShape> {
    vec![
        // batch 2, 3 → 2 channels, 4×4, k = 3
        ConvShape::new(2, 3, 2, 4, 4, 3).unwrap(),
        // non-power-of-two image, k = 5
        ConvShape::new(1, 2, 3, 5, 3, 5).unwrap(),
        // k = 1 (forward stage 1 has no round with one input channel)
        ConvShape::new(3, 1, 2, 2, 4, 1).unwrap(),
    ]
}

/// An honest proof of `rel` on random operands, verified natively.
struct Fixture {
    seed: u64,
    rel: ConvRelation,
    shape: ConvShape,
    point: Vec<F>,
    claim: F,
    proof: ConvProof,
    claims: [ConvClaim; 2],
    /// A challenge squeezed after the native verifier.
    after: F,
}

fn native_transcript(seed: u64) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(DOMAIN);
    t.append_u64(b"statement", seed);
    t
}

fn fixture(rel: ConvRelation, shape: ConvShape, seed: u64) -> Fixture {
    let mut rng = rng(seed);
    let (o1, o2) = rel.operands();
    let first = rand_vec(1 << vars_of(&shape, o1), &mut rng);
    let second = rand_vec(1 << vars_of(&shape, o2), &mut rng);
    let point = rand_vec(vars_of(&shape, rel.result()), &mut rng);
    let (proof, claim, claims) = prove_conv(
        rel,
        shape,
        &first,
        &second,
        point.clone(),
        &mut native_transcript(seed),
    )
    .unwrap();
    let mut t = native_transcript(seed);
    let out = verify_conv(rel, shape, point.clone(), claim, &proof, &mut t).unwrap();
    assert_eq!(out, claims);
    Fixture {
        seed,
        rel,
        shape,
        point,
        claim,
        proof,
        claims,
        after: t.challenge(b"after"),
    }
}

struct Outcome {
    satisfied: bool,
    claims: [ConvClaimVar; 2],
    after: F,
    constraints: usize,
}

/// Verify `proof` on `(point, claim)` in-circuit, on the transcript of [`native_transcript`].
fn verify_in_circuit(
    f: &Fixture,
    point: &[F],
    claim: F,
    proof: &ConvProof,
) -> Result<Outcome, Error> {
    let cs = ConstraintSystem::<F>::new_ref();
    let mut tr = PoseidonTranscriptVar::new(cs.clone(), DOMAIN)?;
    let seed = FpVar::new_input(cs.clone(), || Ok(F::from(f.seed)))?;
    tr.append_field(b"statement", &seed)?;
    let point = inputs(&cs, point);
    let claim = FpVar::new_input(cs.clone(), || Ok(claim))?;
    let proof = ConvProofVar::new_witness(cs.clone(), f.rel, f.shape, || Ok(proof.clone()))?;
    let c0 = cs.num_constraints();
    let claims = verify_conv_var(f.rel, f.shape, point, claim, &proof, &mut tr)?;
    let constraints = cs.num_constraints() - c0;
    let after = tr.challenge(b"after")?.value()?;
    Ok(Outcome {
        satisfied: cs.is_satisfied()?,
        claims,
        after,
        constraints,
    })
}

fn assert_claim_eq(var: &ConvClaimVar, native: &ConvClaim) {
    assert_eq!(var.operand, native.operand);
    let point: Vec<F> = var.point.iter().map(|x| x.value().unwrap()).collect();
    assert_eq!(point, native.point);
    assert_eq!(var.value.value().unwrap(), native.value);
}

#[test]
fn honest_proofs_match_native() {
    for (i, shape) in shapes().into_iter().enumerate() {
        for (j, rel) in RELATIONS.into_iter().enumerate() {
            let f = fixture(rel, shape, 10 * i as u64 + j as u64);
            let out = verify_in_circuit(&f, &f.point, f.claim, &f.proof).unwrap();
            assert!(out.satisfied, "{rel:?} {shape:?}: unsatisfied");
            assert_claim_eq(&out.claims[0], &f.claims[0]);
            assert_claim_eq(&out.claims[1], &f.claims[1]);
            assert_eq!(out.after, f.after, "{rel:?} {shape:?}: transcripts diverge");
            println!(
                "verify_conv_var {rel:?} {:?}: {} constraints",
                (
                    shape.batch,
                    shape.in_channels,
                    shape.out_channels,
                    shape.height,
                    shape.width,
                    shape.kernel
                ),
                out.constraints
            );
        }
    }
}

/// Golden constraint count of a whole verifier (forward, first shape), measured in setup mode.
#[test]
fn verify_conv_var_constraint_count() {
    let shape = shapes()[0];
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let missing = || Err::<F, _>(SynthesisError::AssignmentMissing);
    let mut tr = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    tr.append_field(
        b"statement",
        &FpVar::new_input(cs.clone(), missing).unwrap(),
    )
    .unwrap();
    let rel = ConvRelation::Forward;
    let point: Vec<FpVar<F>> = (0..shape.output_vars())
        .map(|_| FpVar::new_input(cs.clone(), missing).unwrap())
        .collect();
    let claim = FpVar::new_input(cs.clone(), missing).unwrap();
    let proof = ConvProofVar::new_witness(cs.clone(), rel, shape, || {
        Err(SynthesisError::AssignmentMissing)
    })
    .unwrap();
    let c0 = cs.num_constraints();
    let _claims = verify_conv_var(rel, shape, point, claim, &proof, &mut tr).unwrap();
    let n = cs.num_constraints() - c0;
    println!("verify_conv_var Forward (2, 3, 2, 4, 4, 3): {n} constraints");
    assert_eq!(n, 6826);
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    Stage1Coeff { round: usize, idx: usize },
    Stage2Coeff { round: usize, idx: usize },
    Stage1Eval(usize),
    Stage2Eval,
    Claim,
}

/// Verify `f` with `t` applied, natively (must reject) and in-circuit (must synthesize and
/// leave the system unsatisfied).
fn assert_rejected(f: &Fixture, t: Tamper) {
    let (mut claim, mut proof) = (f.claim, f.proof.clone());
    match t {
        Tamper::Stage1Coeff { round, idx } => {
            proof.stage1.round_polys[round].coeffs_except_linear[idx] += F::one()
        }
        Tamper::Stage2Coeff { round, idx } => {
            proof.stage2.round_polys[round].coeffs_except_linear[idx] += F::one()
        }
        Tamper::Stage1Eval(j) => proof.stage1_evals[j] += F::one(),
        Tamper::Stage2Eval => proof.stage2_evals[0] += F::one(),
        Tamper::Claim => claim += F::one(),
    }
    let mut t_native = native_transcript(f.seed);
    let native = verify_conv(
        f.rel,
        f.shape,
        f.point.clone(),
        claim,
        &proof,
        &mut t_native,
    );
    assert!(native.is_err(), "{:?} {t:?}: native accepts", f.rel);
    let out = verify_in_circuit(f, &f.point, claim, &proof)
        .unwrap_or_else(|e| panic!("{:?} {t:?}: synthesis failed: {e}", f.rel));
    assert!(!out.satisfied, "{:?} {:?} {t:?}: satisfied", f.rel, f.shape);
}

/// Each final evaluation and the claim, on every shape and relation.
#[test]
fn tampered_evaluations_and_claim_are_rejected() {
    for (i, shape) in shapes().into_iter().enumerate() {
        for (j, rel) in RELATIONS.into_iter().enumerate() {
            let f = fixture(rel, shape, 100 + 10 * i as u64 + j as u64);
            for t in [
                Tamper::Stage1Eval(0),
                Tamper::Stage1Eval(1),
                Tamper::Stage2Eval,
                Tamper::Claim,
            ] {
                assert_rejected(&f, t);
            }
        }
    }
}

/// Round-polynomial coefficients of both stages: first, middle and last round, constant and
/// quadratic coefficient.
#[test]
fn tampered_round_coefficients_are_rejected() {
    for (j, rel) in RELATIONS.into_iter().enumerate() {
        let f = fixture(rel, shapes()[0], 150 + j as u64);
        let (n1, n2) = (
            f.proof.stage1.round_polys.len(),
            f.proof.stage2.round_polys.len(),
        );
        assert!(n1 >= 3 && n2 >= 3);
        for (round, idx) in [(0, 0), (n1 / 2, 1), (n1 - 1, 1)] {
            assert_rejected(&f, Tamper::Stage1Coeff { round, idx });
        }
        for (round, idx) in [(0, 1), (n2 / 2, 0), (n2 - 1, 0)] {
            assert_rejected(&f, Tamper::Stage2Coeff { round, idx });
        }
    }
}

/// Moving one coordinate of the claimed point: the coordinates the predicate reads make both
/// verifiers reject; the others only move the output claims, which both return alike.
#[test]
fn moved_point_agrees_with_native() {
    for (j, rel) in RELATIONS.into_iter().enumerate() {
        let f = fixture(rel, shapes()[1], 200 + j as u64);
        let mut rejected = 0;
        for i in 0..f.point.len() {
            let mut point = f.point.clone();
            point[i] += F::one();
            let mut t = native_transcript(f.seed);
            let native = verify_conv(rel, f.shape, point.clone(), f.claim, &f.proof, &mut t);
            let out = verify_in_circuit(&f, &point, f.claim, &f.proof).unwrap();
            assert_eq!(out.satisfied, native.is_ok(), "{rel:?} coordinate {i}");
            match native {
                Ok(claims) => {
                    assert_claim_eq(&out.claims[0], &claims[0]);
                    assert_claim_eq(&out.claims[1], &claims[1]);
                    assert_eq!(out.after, t.challenge(b"after"));
                }
                Err(_) => rejected += 1,
            }
        }
        assert!(rejected > 0, "{rel:?}: no coordinate reaches the predicate");
    }
}

#[test]
fn wrong_shapes_are_errors() {
    let shape = shapes()[0];
    let rel = ConvRelation::Forward;
    let f = fixture(rel, shape, 7);
    // A constraint system is not usable after a synthesis error: a fresh one per attempt.
    let alloc = |p: &ConvProof| {
        ConvProofVar::new_witness(ConstraintSystem::<F>::new_ref(), rel, shape, || {
            Ok(p.clone())
        })
    };

    // Too few / too many rounds in either stage.
    let mut p = f.proof.clone();
    p.stage1.round_polys.pop();
    assert!(matches!(alloc(&p), Err(Error::WrongNumberOfRounds { .. })));
    let mut p = f.proof.clone();
    p.stage2.round_polys.push(p.stage2.round_polys[0].clone());
    assert!(matches!(alloc(&p), Err(Error::WrongNumberOfRounds { .. })));
    // A round polynomial of the wrong degree.
    let mut p = f.proof.clone();
    p.stage2.round_polys[1].coeffs_except_linear.push(F::one());
    assert!(matches!(alloc(&p), Err(Error::DegreeTooHigh { .. })));
    // Wrong numbers of final evaluations.
    let mut p = f.proof.clone();
    p.stage1_evals.pop();
    assert!(matches!(
        alloc(&p),
        Err(Error::ProofShape {
            expected: 2,
            actual: 1,
            ..
        })
    ));
    let mut p = f.proof.clone();
    p.stage2_evals.push(F::one());
    assert!(matches!(
        alloc(&p),
        Err(Error::ProofShape {
            expected: 1,
            actual: 2,
            ..
        })
    ));
    // A missing witness in proving mode.
    assert_eq!(
        ConvProofVar::new_witness(ConstraintSystem::<F>::new_ref(), rel, shape, || Err(
            SynthesisError::AssignmentMissing
        ))
        .unwrap_err(),
        Error::Synthesis(SynthesisError::AssignmentMissing)
    );
    // The relation fixes the round counts: a forward proof is not an input-gradient proof of
    // this shape (4 + 2 vs 4 + 1 stage-1 rounds).
    assert!(ConvProofVar::new_witness(
        ConstraintSystem::<F>::new_ref(),
        ConvRelation::InputGrad,
        shape,
        || { Ok(f.proof.clone()) }
    )
    .is_err());

    // Shapes built by hand around the allocator: the verifier errors, never panics.
    let cs = ConstraintSystem::<F>::new_ref();
    let good = ConvProofVar::new_witness(cs.clone(), rel, shape, || Ok(f.proof.clone())).unwrap();
    let point = witnesses(&cs, &f.point);
    let claim = FpVar::new_witness(cs.clone(), || Ok(f.claim)).unwrap();
    let run = |proof: &ConvProofVar, point: Vec<FpVar<F>>, shape: ConvShape| {
        let mut tr = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
        verify_conv_var(rel, shape, point, claim.clone(), proof, &mut tr)
    };
    let mut bad = good.clone();
    bad.stage1_evals.pop();
    assert!(run(&bad, point.clone(), shape).is_err());
    let mut bad = good.clone();
    bad.stage2_evals.push(bad.stage2_evals[0].clone());
    assert!(run(&bad, point.clone(), shape).is_err());
    let mut bad = good.clone();
    bad.stage1 = good.stage2.clone();
    assert!(matches!(
        run(&bad, point.clone(), shape),
        Err(Error::WrongNumberOfRounds { .. })
    ));
    // A point of the wrong dimension.
    assert!(matches!(
        run(&good, point[1..].to_vec(), shape),
        Err(Error::DimensionMismatch { .. })
    ));
    // An invalid shape (even kernel, zero batch), built around `ConvShape::new`.
    for bad_shape in [
        ConvShape { kernel: 2, ..shape },
        ConvShape { batch: 0, ..shape },
        ConvShape {
            height: u64::MAX,
            ..shape
        },
    ] {
        assert!(matches!(
            run(&good, point.clone(), bad_shape),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            ConvProofVar::new_witness(ConstraintSystem::<F>::new_ref(), rel, bad_shape, || Ok(f
                .proof
                .clone())),
            Err(Error::Malformed { .. })
        ));
    }
}
