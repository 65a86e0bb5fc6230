//! The in-circuit pool relations against `gkr::relations::pool`: `χ̃` and the avg-pool claims
//! equal the native ones; honest max-pool forward and backward proofs give the same claims and
//! transcript state and a satisfied constraint system (of the same size as in setup mode); every
//! tampering the native verifier rejects leaves the constraint system unsatisfied; shapes are
//! errors, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use gkr::relations::pool::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::pool_gadget::*;
use recursion::{Error, PoseidonTranscriptVar};
use sumcheck::field::from_i64;
use sumcheck::{PoseidonTranscript, Transcript, F};

const DOMAIN: &[u8] = b"recursion-pool-test";
const SEED: u64 = 0x9001;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn rand_vec(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

fn fe(v: &[i64]) -> Vec<F> {
    v.iter().map(|x| from_i64(*x)).collect()
}

/// `Ok(v)`, or no value in setup mode.
fn val<T: Clone>(v: &T, setup: bool) -> Result<T, SynthesisError> {
    if setup {
        Err(SynthesisError::AssignmentMissing)
    } else {
        Ok(v.clone())
    }
}

fn witness(cs: &ConstraintSystemRef<F>, v: F, setup: bool) -> FpVar<F> {
    FpVar::new_witness(cs.clone(), || val(&v, setup)).unwrap()
}

fn witnesses(cs: &ConstraintSystemRef<F>, v: &[F], setup: bool) -> Vec<FpVar<F>> {
    v.iter().map(|x| witness(cs, *x, setup)).collect()
}

fn values(v: &[FpVar<F>]) -> Vec<F> {
    v.iter().map(|x| x.value().unwrap()).collect()
}

/// The transcript as the caller hands it over: a statement absorbed first (standing for the
/// commitments), a public input in-circuit so that every later challenge is a variable.
fn native_transcript() -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(DOMAIN);
    t.append_field(b"commitments", &F::from(SEED));
    t
}

fn circuit_transcript(cs: &ConstraintSystemRef<F>, setup: bool) -> PoseidonTranscriptVar {
    let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    let seed = FpVar::new_input(cs.clone(), || val(&F::from(SEED), setup)).unwrap();
    t.append_field(b"commitments", &seed).unwrap();
    t
}

fn assert_claim(native: &PoolClaim, var: &PoolClaimVar) {
    assert_eq!(native.tensor, var.tensor);
    assert_eq!(native.point, values(&var.point), "{:?}", native.tensor);
    assert_eq!(
        native.value,
        var.value.value().unwrap(),
        "{:?}",
        native.tensor
    );
}

fn assert_claims(native: &[PoolClaim], var: &[PoolClaimVar]) {
    assert_eq!(native.len(), var.len());
    for (n, v) in native.iter().zip(var) {
        assert_claim(n, v);
    }
}

fn is_dim<T>(e: Result<T, Error>) -> bool {
    matches!(e, Err(Error::DimensionMismatch { .. }))
}

fn is_malformed<T>(e: Result<T, Error>) -> bool {
    matches!(e, Err(Error::Malformed { .. }))
}

fn small_shapes() -> Vec<PoolShape> {
    vec![
        PoolShape::new(2, 3, 4, 4).unwrap(),
        PoolShape::new(2, 3, 8, 8).unwrap(),
    ]
}

fn shapes() -> Vec<PoolShape> {
    let mut s = small_shapes();
    s.extend([
        PoolShape::new(1, 2, 6, 10).unwrap(),
        PoolShape::new(3, 5, 2, 6).unwrap(),
        PoolShape::new(1, 1, 2, 2).unwrap(),
    ]);
    s
}

/// Shapes that `PoolShape::validate` rejects (odd sides, zero sizes, too large).
fn invalid_shapes() -> Vec<PoolShape> {
    let ok = PoolShape::new(2, 3, 4, 4).unwrap();
    vec![
        PoolShape { width: 3, ..ok },
        PoolShape { height: 5, ..ok },
        PoolShape { width: 0, ..ok },
        PoolShape { height: 0, ..ok },
        PoolShape { batch: 0, ..ok },
        PoolShape { channels: 0, ..ok },
        PoolShape {
            width: 1 << 25,
            ..ok
        },
        PoolShape {
            batch: 1 << 24,
            channels: 1 << 24,
            ..ok
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// χ̃, point maps, average pool
// ---------------------------------------------------------------------------------------------

#[test]
fn less_than_and_valid_mle_match_native() {
    let mut rng = rng(1);
    for len in 0..=7usize {
        let top = 1u64 << len;
        for n in [
            0,
            1,
            2,
            3,
            5,
            6,
            7,
            11,
            top - 1,
            top,
            top + 1,
            top << 3,
            u64::MAX,
        ] {
            let cs = ConstraintSystem::<F>::new_ref();
            let r = rand_vec(len, &mut rng);
            let rv = witnesses(&cs, &r, false);
            let got = less_than_mle_var(n, &rv);
            assert_eq!(
                got.value().unwrap(),
                less_than_mle(n, &r),
                "n={n} len={len}"
            );
            assert!(cs.num_constraints() <= len, "one constraint per bit");
            assert!(cs.is_satisfied().unwrap());
        }
    }
    for s in shapes() {
        let cs = ConstraintSystem::<F>::new_ref();
        let p = rand_vec(s.output_vars(), &mut rng);
        let got = valid_mle_var(&s, &witnesses(&cs, &p, false)).unwrap();
        assert_eq!(got.value().unwrap(), valid_mle(&s, &p).unwrap(), "{s:?}");
        assert!(cs.num_constraints() <= s.output_vars() + 3);
        assert!(cs.is_satisfied().unwrap());
    }
}

#[test]
fn point_maps_match_native() {
    let mut rng = rng(2);
    let cs = ConstraintSystem::<F>::new_ref();
    for s in shapes() {
        let w = rand_vec(s.window_vars(), &mut rng);
        let got = input_point_of_window_var(&s, &witnesses(&cs, &w, false)).unwrap();
        assert_eq!(values(&got), s.input_point_of_window(&w).unwrap());
        let r = rand_vec(s.input_vars(), &mut rng);
        let got = window_point_of_input_var(&s, &witnesses(&cs, &r, false)).unwrap();
        assert_eq!(values(&got), s.window_point_of_input(&r).unwrap());
        let p = rand_vec(s.output_vars(), &mut rng);
        let got = avg_pool_input_point_var(&s, &witnesses(&cs, &p, false)).unwrap();
        assert_eq!(values(&got), avg_pool_input_point(&s, &p).unwrap());
    }
    assert_eq!(cs.num_constraints(), 0, "point maps are free");
}

#[test]
fn avg_pool_claims_match_native() {
    let mut rng = rng(3);
    for s in shapes() {
        let cs = ConstraintSystem::<F>::new_ref();
        let p = rand_vec(s.output_vars(), &mut rng);
        let [y, r, q, rho, v] = [(); 5].map(|_| F::rand(&mut rng));
        let pv = witnesses(&cs, &p, false);
        let (yv, rv) = (witness(&cs, y, false), witness(&cs, r, false));
        let got = avg_pool_forward_input_claim_var(&s, &pv, yv, rv).unwrap();
        assert_claim(&avg_pool_forward_input_claim(&s, &p, y, r).unwrap(), &got);

        let (qv, rhov) = (witness(&cs, q, false), witness(&cs, rho, false));
        let got = avg_pool_backward_output_grad_claim_var(&s, &pv, qv, rhov).unwrap();
        assert_claim(
            &avg_pool_backward_output_grad_claim(&s, &p, q, rho).unwrap(),
            &got,
        );

        let r_in = rand_vec(s.input_vars(), &mut rng);
        let got = avg_pool_backward_quotient_claim_var(
            &s,
            &witnesses(&cs, &r_in, false),
            witness(&cs, v, false),
        )
        .unwrap();
        assert_claim(
            &avg_pool_backward_quotient_claim(&s, &r_in, v).unwrap(),
            &got,
        );
        assert!(cs.is_satisfied().unwrap());
    }
}

#[test]
fn avg_pool_and_point_shapes_are_errors() {
    let cs = ConstraintSystem::<F>::new_ref();
    let s = PoolShape::new(2, 3, 4, 4).unwrap();
    let z = || FpVar::<F>::zero();
    let pts = |n: usize| vec![FpVar::<F>::zero(); n];
    for n in [0, s.output_vars() - 1, s.output_vars() + 1] {
        assert!(is_dim(valid_mle_var(&s, &pts(n))));
        assert!(is_dim(avg_pool_input_point_var(&s, &pts(n))));
        assert!(is_dim(avg_pool_forward_input_claim_var(
            &s,
            &pts(n),
            z(),
            z()
        )));
        assert!(is_dim(avg_pool_backward_output_grad_claim_var(
            &s,
            &pts(n),
            z(),
            z()
        )));
    }
    for n in [0, 1, s.input_vars() - 1, s.input_vars() + 1] {
        assert!(is_dim(window_point_of_input_var(&s, &pts(n))));
        assert!(is_dim(input_point_of_window_var(&s, &pts(n))));
        assert!(is_dim(avg_pool_backward_quotient_claim_var(
            &s,
            &pts(n),
            z()
        )));
    }
    for bad in invalid_shapes() {
        // Whatever the point's length: an error, never a panic.
        for n in [0, 1, 2, 4, 6, 8] {
            assert!(is_malformed(valid_mle_var(&bad, &pts(n))), "{bad:?}");
            assert!(is_malformed(input_point_of_window_var(&bad, &pts(n))));
            assert!(is_malformed(window_point_of_input_var(&bad, &pts(n))));
            assert!(is_malformed(avg_pool_input_point_var(&bad, &pts(n))));
            assert!(is_malformed(avg_pool_forward_input_claim_var(
                &bad,
                &pts(n),
                z(),
                z()
            )));
            assert!(is_malformed(avg_pool_backward_quotient_claim_var(
                &bad,
                &pts(n),
                z()
            )));
            assert!(is_malformed(avg_pool_backward_output_grad_claim_var(
                &bad,
                &pts(n),
                z(),
                z()
            )));
        }
    }
    assert_eq!(cs.num_constraints(), 0);
}

// ---------------------------------------------------------------------------------------------
// Max pool
// ---------------------------------------------------------------------------------------------

/// Random input (small range so windows have ties), zero on padding.
fn rand_input(s: &PoolShape, rng: &mut ChaCha20Rng) -> Vec<i64> {
    let mut x = vec![0i64; 1 << s.input_vars()];
    for b in 0..s.batch as usize {
        for c in 0..s.channels as usize {
            for y in 0..s.height as usize {
                for xx in 0..s.width as usize {
                    x[s.input_index(b, c, y, xx)] = rng.gen_range(-20..20);
                }
            }
        }
    }
    x
}

/// An honest forward and backward max-pool proof.
struct Case {
    p: Vec<F>,
    y_claim: F,
    proof: MaxPoolProof,
    claims: Vec<PoolClaim>,
    r_in: Vec<F>,
    bwd_claim: F,
    bwd_proof: MaxPoolBackwardProof,
    bwd_claims: [PoolClaim; 2],
}

impl Case {
    fn new(shape: PoolShape, seed: u64) -> Self {
        let mut rng = rng(seed);
        let x = rand_input(&shape, &mut rng);
        let w = max_pool_witness(&shape, &x);
        let p = rand_vec(shape.output_vars(), &mut rng);
        let (proof, y_claim, claims) = prove_max_pool(
            &shape,
            &fe(&x),
            &fe(&w.sel),
            p.clone(),
            &mut native_transcript(),
        )
        .unwrap();
        let g_out: Vec<i64> = w.y.iter().map(|v| 2 * v + 1).collect();
        let r_in = rand_vec(shape.input_vars(), &mut rng);
        let (bwd_proof, bwd_claim, bwd_claims) = prove_max_pool_backward(
            &shape,
            &fe(&w.sel),
            &fe(&g_out),
            &r_in,
            &mut native_transcript(),
        )
        .unwrap();
        Self {
            p,
            y_claim,
            proof,
            claims,
            r_in,
            bwd_claim,
            bwd_proof,
            bwd_claims,
        }
    }
}

/// What a verification gave: the native result and challenge after it, the circuit's claims,
/// satisfaction, size and challenge after it.
struct Outcome<N, V> {
    native: Result<N, gkr::GkrError>,
    native_after: F,
    claims: V,
    satisfied: bool,
    constraints: usize,
    after: F,
}

fn run_forward(
    s: &PoolShape,
    p: &[F],
    y_claim: F,
    proof: &MaxPoolProof,
    setup: bool,
) -> Outcome<Vec<PoolClaim>, Vec<PoolClaimVar>> {
    let mut nt = native_transcript();
    let native = verify_max_pool(s, p.to_vec(), y_claim, proof, &mut nt);
    let native_after = nt.challenge(b"after");

    let cs = ConstraintSystem::<F>::new_ref();
    if setup {
        cs.set_mode(SynthesisMode::Setup);
    }
    let mut tr = circuit_transcript(&cs, setup);
    let pv = witnesses(&cs, p, setup);
    let yv = witness(&cs, y_claim, setup);
    let pr = MaxPoolProofVar::new_witness(cs.clone(), s, || val(proof, setup)).unwrap();
    let claims = verify_max_pool_var(s, pv, yv, &pr, &mut tr).unwrap();
    let constraints = cs.num_constraints();
    let after = tr.challenge(b"after").unwrap();
    Outcome {
        native,
        native_after,
        satisfied: setup || cs.is_satisfied().unwrap(),
        constraints,
        after: if setup {
            F::from(0u64)
        } else {
            after.value().unwrap()
        },
        claims,
    }
}

fn run_backward(
    s: &PoolShape,
    r_in: &[F],
    claim: F,
    proof: &MaxPoolBackwardProof,
    setup: bool,
) -> Outcome<[PoolClaim; 2], [PoolClaimVar; 2]> {
    let mut nt = native_transcript();
    let native = verify_max_pool_backward(s, r_in, claim, proof, &mut nt);
    let native_after = nt.challenge(b"after");

    let cs = ConstraintSystem::<F>::new_ref();
    if setup {
        cs.set_mode(SynthesisMode::Setup);
    }
    let mut tr = circuit_transcript(&cs, setup);
    let rv = witnesses(&cs, r_in, setup);
    let cv = witness(&cs, claim, setup);
    let pr = MaxPoolBackwardProofVar::new_witness(cs.clone(), s, || val(proof, setup)).unwrap();
    let claims = verify_max_pool_backward_var(s, &rv, cv, &pr, &mut tr).unwrap();
    let constraints = cs.num_constraints();
    let after = tr.challenge(b"after").unwrap();
    Outcome {
        native,
        native_after,
        satisfied: setup || cs.is_satisfied().unwrap(),
        constraints,
        after: if setup {
            F::from(0u64)
        } else {
            after.value().unwrap()
        },
        claims,
    }
}

#[test]
fn max_pool_honest_matches_native() {
    for (i, s) in small_shapes().into_iter().enumerate() {
        let c = Case::new(s, 10 + i as u64);

        let o = run_forward(&s, &c.p, c.y_claim, &c.proof, false);
        assert_eq!(o.native.as_ref().unwrap(), &c.claims);
        assert!(o.satisfied, "{s:?}");
        assert_claims(&c.claims, &o.claims);
        assert_eq!(o.after, o.native_after, "transcripts in sync");
        let setup = run_forward(&s, &c.p, c.y_claim, &c.proof, true);
        assert_eq!(setup.constraints, o.constraints);

        let o = run_backward(&s, &c.r_in, c.bwd_claim, &c.bwd_proof, false);
        assert_eq!(o.native.as_ref().unwrap(), &c.bwd_claims);
        assert!(o.satisfied, "{s:?}");
        assert_claims(&c.bwd_claims, &o.claims);
        assert_eq!(o.after, o.native_after, "transcripts in sync");
        let setup = run_backward(&s, &c.r_in, c.bwd_claim, &c.bwd_proof, true);
        assert_eq!(setup.constraints, o.constraints);
    }
}

/// Circuit sizes (constraints of one verification, setup mode), a golden fixture. Poseidon
/// dominates: about 34 (forward) and 18 (backward) permutations of 271 constraints.
#[test]
fn constraint_counts() {
    let mut got = Vec::new();
    for (i, s) in small_shapes().into_iter().enumerate() {
        let c = Case::new(s, 20 + i as u64);
        let f = run_forward(&s, &c.p, c.y_claim, &c.proof, true).constraints;
        let b = run_backward(&s, &c.r_in, c.bwd_claim, &c.bwd_proof, true).constraints;
        println!(
            "{}x{}x{}x{}: max-pool forward {f}, backward {b} constraints",
            s.batch, s.channels, s.height, s.width
        );
        got.push((f, b));
    }
    assert_eq!(got, GOLDEN_COUNTS);
}

const GOLDEN_COUNTS: [(usize, usize); 2] = [(9266, 4899), (11450, 6535)];

#[derive(Clone, Copy, Debug)]
enum Fwd {
    RoundCoeff {
        round: usize,
        idx: usize,
    },
    BoolEval,
    SelectEval(usize),
    YClaim,
    /// `e_bool = 1 − e_sel`: the booleanity term `e(1 − e)` is unchanged, so only the equality
    /// of the two selector evaluations fails.
    OtherRoot,
}

#[test]
fn max_pool_tampering_is_unsatisfied() {
    let s = small_shapes()[0];
    let c = Case::new(s, 30);
    let rounds = c.proof.sumcheck.round_polys.len();
    let mut tampers = vec![Fwd::BoolEval, Fwd::YClaim, Fwd::OtherRoot];
    tampers.extend((0..2).map(Fwd::SelectEval));
    for round in [0, rounds / 2, rounds - 1] {
        for idx in 0..3 {
            tampers.push(Fwd::RoundCoeff { round, idx });
        }
    }
    for t in tampers {
        let (mut proof, mut y) = (c.proof.clone(), c.y_claim);
        match t {
            Fwd::RoundCoeff { round, idx } => {
                proof.sumcheck.round_polys[round].coeffs_except_linear[idx] += F::from(1u64)
            }
            Fwd::BoolEval => proof.bool_evals[0] += F::from(1u64),
            Fwd::SelectEval(i) => proof.select_evals[i] += F::from(1u64),
            Fwd::YClaim => y += F::from(1u64),
            Fwd::OtherRoot => proof.bool_evals[0] = F::from(1u64) - proof.select_evals[0],
        }
        let o = run_forward(&s, &c.p, y, &proof, false);
        assert!(o.native.is_err(), "{t:?}: native accepts");
        assert!(!o.satisfied, "{t:?}: circuit satisfied");
        if let Fwd::OtherRoot = t {
            assert!(matches!(
                o.native,
                Err(gkr::GkrError::LeafCheckFailed { .. })
            ));
        }
    }

    // `y_at_r` is no part of the sumcheck: a wrong one is caught by the caller's opening of
    // `y` at `r_q`. Native and circuit pass it on identically.
    let mut proof = c.proof.clone();
    proof.y_at_r += F::from(1u64);
    let o = run_forward(&s, &c.p, c.y_claim, &proof, false);
    let native = o.native.unwrap();
    assert!(o.satisfied);
    assert_claims(&native, &o.claims);
    assert_ne!(native, c.claims);
    assert_eq!(native[2].tensor, PoolTensor::Output);
    assert_eq!(native[2].value, c.claims[2].value + F::from(1u64));
}

#[test]
fn max_pool_backward_tampering_is_unsatisfied() {
    let s = small_shapes()[0];
    let c = Case::new(s, 31);
    let rounds = c.bwd_proof.sumcheck.round_polys.len();
    // A round coefficient (first, middle, last round), each final evaluation, the claim.
    let mut tampers: Vec<Bwd> = Vec::new();
    for round in [0, rounds / 2, rounds - 1] {
        tampers.extend((0..3).map(|idx| Bwd::RoundCoeff { round, idx }));
    }
    tampers.extend([Bwd::Eval(0), Bwd::Eval(1), Bwd::Claim]);
    for t in tampers {
        let (mut proof, mut claim) = (c.bwd_proof.clone(), c.bwd_claim);
        match t {
            Bwd::RoundCoeff { round, idx } => {
                proof.sumcheck.round_polys[round].coeffs_except_linear[idx] += F::from(1u64)
            }
            Bwd::Eval(i) => proof.evals[i] += F::from(1u64),
            Bwd::Claim => claim += F::from(1u64),
        }
        let o = run_backward(&s, &c.r_in, claim, &proof, false);
        assert!(o.native.is_err(), "{t:?}: native accepts");
        assert!(!o.satisfied, "{t:?}: circuit satisfied");
    }
}

#[derive(Clone, Copy, Debug)]
enum Bwd {
    RoundCoeff { round: usize, idx: usize },
    Eval(usize),
    Claim,
}

#[test]
fn max_pool_shapes_are_errors() {
    let s = small_shapes()[0];
    let c = Case::new(s, 32);
    let fwd = |proof: &MaxPoolProof| {
        let cs = ConstraintSystem::<F>::new_ref();
        MaxPoolProofVar::new_witness(cs, &s, || Ok(proof.clone()))
    };
    let bwd = |proof: &MaxPoolBackwardProof| {
        let cs = ConstraintSystem::<F>::new_ref();
        MaxPoolBackwardProofVar::new_witness(cs, &s, || Ok(proof.clone()))
    };

    let mut p = c.proof.clone();
    p.sumcheck.round_polys.pop();
    assert!(matches!(fwd(&p), Err(Error::WrongNumberOfRounds { .. })));
    let mut p = c.proof.clone();
    p.sumcheck.round_polys[1].coeffs_except_linear.pop();
    assert!(matches!(fwd(&p), Err(Error::TooFewCoefficients { .. })));
    let mut p = c.proof.clone();
    p.sumcheck.round_polys[0]
        .coeffs_except_linear
        .push(F::from(1u64));
    assert!(matches!(fwd(&p), Err(Error::DegreeTooHigh { .. })));
    let mut p = c.proof.clone();
    p.bool_evals.push(F::from(1u64));
    assert!(matches!(fwd(&p), Err(Error::ProofShape { .. })));
    let mut p = c.proof.clone();
    p.select_evals.pop();
    assert!(matches!(fwd(&p), Err(Error::ProofShape { .. })));
    assert!(matches!(
        fwd(&MaxPoolProof::default()),
        Err(Error::ProofShape { .. })
    ));

    let mut p = c.bwd_proof.clone();
    p.sumcheck
        .round_polys
        .push(p.sumcheck.round_polys[0].clone());
    assert!(matches!(bwd(&p), Err(Error::WrongNumberOfRounds { .. })));
    let mut p = c.bwd_proof.clone();
    p.evals.pop();
    assert!(matches!(bwd(&p), Err(Error::ProofShape { .. })));
    assert!(matches!(
        bwd(&MaxPoolBackwardProof::default()),
        Err(Error::ProofShape { .. })
    ));

    // Points of the wrong dimension, a proof allocated for another shape, invalid shapes.
    let cs = ConstraintSystem::<F>::new_ref();
    let mut tr = circuit_transcript(&cs, false);
    let fp = MaxPoolProofVar::new_witness(cs.clone(), &s, || Ok(c.proof.clone())).unwrap();
    let bp =
        MaxPoolBackwardProofVar::new_witness(cs.clone(), &s, || Ok(c.bwd_proof.clone())).unwrap();
    let z = || FpVar::<F>::zero();
    let pts = |n: usize| vec![FpVar::<F>::zero(); n];
    for n in [0, s.output_vars() - 1, s.output_vars() + 1] {
        assert!(matches!(
            verify_max_pool_var(&s, pts(n), z(), &fp, &mut tr),
            Err(Error::DimensionMismatch { .. })
        ));
    }
    for n in [0, 1, s.input_vars() - 1, s.input_vars() + 1] {
        assert!(matches!(
            verify_max_pool_backward_var(&s, &pts(n), z(), &bp, &mut tr),
            Err(Error::DimensionMismatch { .. })
        ));
    }
    let big = small_shapes()[1];
    assert!(matches!(
        verify_max_pool_var(&big, pts(big.output_vars()), z(), &fp, &mut tr.clone()),
        Err(Error::WrongNumberOfRounds { .. })
    ));
    assert!(matches!(
        verify_max_pool_backward_var(&big, &pts(big.input_vars()), z(), &bp, &mut tr.clone()),
        Err(Error::WrongNumberOfRounds { .. })
    ));
    for bad in invalid_shapes() {
        let cs2 = cs.clone();
        assert!(is_malformed(MaxPoolProofVar::new_witness(
            cs2.clone(),
            &bad,
            || Ok(c.proof.clone())
        )));
        assert!(is_malformed(MaxPoolBackwardProofVar::new_witness(
            cs2,
            &bad,
            || Ok(c.bwd_proof.clone())
        )));
        for n in [0, 2, 4, 6] {
            assert!(is_malformed(verify_max_pool_var(
                &bad,
                pts(n),
                z(),
                &fp,
                &mut tr.clone()
            )));
            assert!(is_malformed(verify_max_pool_backward_var(
                &bad,
                &pts(n),
                z(),
                &bp,
                &mut tr.clone()
            )));
        }
    }
}
