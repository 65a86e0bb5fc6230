//! The in-circuit range-check verifier against the native `gkr::RangeCheckVerifier`: honest
//! proofs of several statements (limbs, scaled limbs, top-bit and sign columns, segments without
//! variables, statements without the range table) give the same `α`, `β`, output claims and
//! transcript state, and a satisfied constraint system of the same size as in setup mode; every
//! tampering the native verifier rejects leaves the constraint system unsatisfied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use ark_ff::{One, PrimeField};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use gkr::range_check::{LABEL_ALPHA, LABEL_BETA, LABEL_PARAMS};
use gkr::{
    compute_multiplicities, Multiplicities, RangeCheckParams, RangeCheckProof, RangeCheckProver,
    RangeCheckVerifier, SegmentKind, SegmentSpec, SegmentWitness, SignedLimbs, Table,
    UnsignedLimbs,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::range_gadget::{RangeCheckProofVar, RangeCheckVerifierVar};
use recursion::{Error, PoseidonTranscriptVar};
use sumcheck::{EvalClaim, MultilinearPoly, PoseidonTranscript, Transcript, F};

const DOMAIN: &[u8] = b"recursion-range-test";
const M_RANGE: usize = 1000;
const M_SIGN: usize = 1001;
const SEED: u64 = 0x5eed;

/// Run `f` on a fresh one-thread rayon pool (see `Case::verify_circuit`).
fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random_limbs(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::from(rng.gen::<u16>())).collect()
}

fn random_signed(n: usize, rng: &mut ChaCha20Rng) -> Vec<i64> {
    let mut v: Vec<i64> = (0..n)
        .map(|_| rng.gen_range(-(1i64 << 31)..(1i64 << 31)))
        .collect();
    for (i, x) in [-(1i64 << 31), (1 << 31) - 1, -1, 0]
        .into_iter()
        .enumerate()
    {
        if i < n {
            v[i] = x;
        }
    }
    v
}

/// The transcript as the caller hands it over: a variable statement (standing for the absorbed
/// commitments) so that every later challenge is a variable.
fn native_transcript() -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(DOMAIN);
    t.append_field(b"commitments", &F::from(SEED));
    t
}

fn circuit_transcript(cs: ConstraintSystemRef<F>, setup: bool) -> PoseidonTranscriptVar {
    let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    let seed = FpVar::new_input(cs, || {
        if setup {
            Err(SynthesisError::AssignmentMissing)
        } else {
            Ok(F::from(SEED))
        }
    })
    .unwrap();
    t.append_field(b"commitments", &seed).unwrap();
    t
}

/// A proven statement.
struct Case {
    name: &'static str,
    params: RangeCheckParams,
    /// Every committed vector by id (segments, bit columns, multiplicities).
    polys: HashMap<usize, Vec<F>>,
    proof: RangeCheckProof,
}

impl Case {
    fn new(
        name: &'static str,
        specs: Vec<SegmentSpec>,
        segments: &[SegmentWitness<'_>],
        polys: HashMap<usize, Vec<F>>,
    ) -> Self {
        let params = RangeCheckParams::new(specs, M_RANGE, M_SIGN).unwrap();
        let m = compute_multiplicities(&params, segments).unwrap();
        Self::with_multiplicities(name, params, segments, polys, &m)
    }

    /// Prove with the given multiplicities (honest or not).
    fn with_multiplicities(
        name: &'static str,
        params: RangeCheckParams,
        segments: &[SegmentWitness<'_>],
        mut polys: HashMap<usize, Vec<F>>,
        m: &Multiplicities,
    ) -> Self {
        let mut t = native_transcript();
        let (proof, _) = RangeCheckProver::new(&params)
            .prove(segments, m, &mut t)
            .unwrap();
        for table in [Table::Range, Table::Sign] {
            if params.uses_table(table) {
                polys.insert(params.multiplicity_poly(table), m.get(table).to_vec());
            }
        }
        Self {
            name,
            params,
            polys,
            proof,
        }
    }

    /// Native verification: claims (or error), `α`, `β` and a challenge squeezed afterwards.
    fn verify_native(&self, proof: &RangeCheckProof) -> NativeOutcome {
        let mut t = native_transcript();
        let claims = RangeCheckVerifier::new(&self.params).verify(proof, &mut t);
        let after = t.challenge(b"after");
        // Independent replay of the shape absorb and the first challenges.
        let mut t2 = native_transcript();
        let segs = self.params.segments();
        let mut shape = vec![F::from(segs.len() as u64)];
        for s in segs {
            let (tag, shift) = match s.kind {
                SegmentKind::Limbs => (0, 0),
                SegmentKind::ScaledLimbs { shift } => (1, u64::from(shift)),
                SegmentKind::LimbsWithTopBit { .. } => (2, 0),
                SegmentKind::LimbsWithSignBit { .. } => (3, 0),
            };
            shape.extend([F::from(s.num_vars as u64), F::from(tag), F::from(shift)]);
        }
        t2.append_fields(LABEL_PARAMS, &shape);
        let alpha = t2.challenge(LABEL_ALPHA);
        let beta = if self.params.uses_table(Table::Sign) {
            t2.challenge(LABEL_BETA)
        } else {
            F::from(0u64)
        };
        NativeOutcome {
            claims: claims.map_err(|e| e.to_string()),
            alpha,
            beta,
            after,
        }
    }

    /// Build the in-circuit verifier of `proof` in `cs` (no values in setup mode).
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        proof: &RangeCheckProof,
    ) -> Result<CircuitOutcome, Error> {
        let setup = cs.is_in_setup_mode();
        let mut t = circuit_transcript(cs.clone(), setup);
        let proof_var = RangeCheckProofVar::new_witness(cs.clone(), &self.params, || {
            if setup {
                Err(SynthesisError::AssignmentMissing)
            } else {
                Ok(proof.clone())
            }
        })?;
        let out = RangeCheckVerifierVar::new(&self.params).verify(&proof_var, &mut t)?;
        let after = t.challenge(b"after")?;
        if setup {
            return Ok(CircuitOutcome {
                claims: Vec::new(),
                alpha: F::from(0u64),
                beta: F::from(0u64),
                after: F::from(0u64),
            });
        }
        Ok(CircuitOutcome {
            claims: out.claims.iter().map(|c| c.value().unwrap()).collect(),
            alpha: out.alpha.value().unwrap(),
            beta: out.beta.value().unwrap(),
            after: after.value().unwrap(),
        })
    }

    /// Verify in-circuit in a fresh proving-mode constraint system; returns whether it is
    /// satisfied and what it derived. Runs on a one-thread rayon pool: arkworks evaluates each
    /// constraint's predicate with a parallel iterator, which from a non-worker thread costs a
    /// cross-thread handoff per constraint (about 20 µs; seconds per circuit).
    fn verify_circuit(&self, proof: &RangeCheckProof) -> (bool, usize, CircuitOutcome) {
        in_pool(|| {
            let cs = ConstraintSystem::<F>::new_ref();
            let out = self.synthesize(cs.clone(), proof).unwrap();
            (cs.is_satisfied().unwrap(), cs.num_constraints(), out)
        })
    }

    fn setup_constraints(&self) -> usize {
        let cs = ConstraintSystem::<F>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        self.synthesize(cs.clone(), &self.proof).unwrap();
        cs.num_constraints()
    }
}

struct NativeOutcome {
    claims: Result<Vec<EvalClaim>, String>,
    alpha: F,
    beta: F,
    after: F,
}

struct CircuitOutcome {
    claims: Vec<EvalClaim>,
    alpha: F,
    beta: F,
    after: F,
}

/// Honest: same challenges and claims, claims true, satisfied, same size as in setup mode.
fn assert_matches_native(case: &Case) {
    let native = case.verify_native(&case.proof);
    let claims = native
        .claims
        .as_ref()
        .unwrap_or_else(|e| panic!("{}: native verifier rejects: {e}", case.name));
    for c in claims {
        let p = MultilinearPoly::new(case.polys[&c.poly].clone()).unwrap();
        assert_eq!(
            p.evaluate(&c.point),
            c.value,
            "{}: poly {}",
            case.name,
            c.poly
        );
    }
    let (satisfied, num_constraints, out) = case.verify_circuit(&case.proof);
    assert!(satisfied, "{}: unsatisfied", case.name);
    assert_eq!(&out.claims, claims, "{}: claims", case.name);
    assert_eq!(out.alpha, native.alpha, "{}: alpha", case.name);
    assert_eq!(out.beta, native.beta, "{}: beta", case.name);
    assert_eq!(out.after, native.after, "{}: transcript state", case.name);
    assert_eq!(
        num_constraints,
        case.setup_constraints(),
        "{}: shape depends on the values",
        case.name
    );
}

/// Dishonest: the native verifier rejects and the circuit is built but unsatisfied.
fn assert_rejected(case: &Case, proof: &RangeCheckProof, what: &str) {
    let native = case.verify_native(proof);
    assert!(
        native.claims.is_err(),
        "{}: native verifier accepts {what}",
        case.name
    );
    let (satisfied, _, _) = case.verify_circuit(proof);
    assert!(!satisfied, "{}: circuit satisfied with {what}", case.name);
}

fn limbs_case(n: usize, seed: u64) -> Case {
    let limbs = random_limbs(1 << n, &mut rng(seed));
    Case::new(
        "limbs",
        vec![SegmentSpec::limbs(0, n)],
        &[SegmentWitness::new(&limbs)],
        HashMap::from([(0, limbs.clone())]),
    )
}

/// Segments of sizes 2^2, 2^0, 2^3 and an 8-bit unsigned vector (limbs + scaled limbs).
fn mixed_case() -> Case {
    let mut rng = rng(2);
    let a = random_limbs(4, &mut rng);
    let b = random_limbs(1, &mut rng);
    let c = random_limbs(8, &mut rng);
    let scheme = UnsignedLimbs::new(8).unwrap();
    let values: Vec<u64> = (0..8).map(|_| rng.gen_range(0..256)).collect();
    let u = scheme.decompose_all(&values).unwrap();
    let mut specs = vec![
        SegmentSpec::limbs(0, 2),
        SegmentSpec::limbs(1, 0),
        SegmentSpec::limbs(2, 3),
    ];
    specs.extend(scheme.segments(&[3], 3).unwrap());
    assert!(matches!(
        specs.last().unwrap().kind,
        SegmentKind::ScaledLimbs { shift: 8 }
    ));
    let mut segments = vec![
        SegmentWitness::new(&a),
        SegmentWitness::new(&b),
        SegmentWitness::new(&c),
    ];
    segments.extend(scheme.witness_segments(&u));
    let polys = HashMap::from([
        (0, a.clone()),
        (1, b.clone()),
        (2, c.clone()),
        (3, u[0].clone()),
    ]);
    Case::new("mixed", specs, &segments, polys)
}

/// Signed 32-bit values: low limb, top limb with its top-bit column.
fn top_bit_case(n: usize) -> Case {
    let scheme = SignedLimbs::default();
    let values = random_signed(1 << n, &mut rng(3));
    let limbs = scheme.decompose_all(&values).unwrap();
    let top = scheme.top_bits(&values).unwrap();
    let ids = [20usize, 21];
    let mut polys: HashMap<_, _> = ids.iter().copied().zip(limbs.iter().cloned()).collect();
    polys.insert(22, top.clone());
    Case::new(
        "top bit",
        scheme.segments(&ids, Some(22), n).unwrap(),
        &scheme.witness_segments(&limbs, Some(&top)),
        polys,
    )
}

/// ReLU's sign column `s = 1 − top bit`.
fn sign_case() -> Case {
    let scheme = SignedLimbs::default();
    let n = 2;
    let values = random_signed(1 << n, &mut rng(4));
    let limbs = scheme.decompose_all(&values).unwrap();
    let signs = scheme.signs(&values).unwrap();
    let mut polys: HashMap<_, _> = [40usize, 41]
        .into_iter()
        .zip(limbs.iter().cloned())
        .collect();
    polys.insert(42, signs.clone());
    Case::new(
        "sign column",
        scheme.segments_with_sign(&[40, 41], 42, n).unwrap(),
        &scheme.witness_segments(&limbs, Some(&signs)),
        polys,
    )
}

/// Two-column segments only (the range table is not part of the statement), one of them
/// without variables.
fn sign_only_case() -> Case {
    let scheme = SignedLimbs::default();
    let values = random_signed(2, &mut rng(5));
    let limbs = scheme.decompose_all(&values).unwrap();
    let top = scheme.top_bits(&values).unwrap();
    let single = [limbs[1][0]];
    let single_top = [top[0]];
    let specs = vec![
        SegmentSpec::with_top_bit(51, 52, 1),
        SegmentSpec::with_sign_bit(53, 54, 0),
    ];
    let sign = [F::one() - single_top[0]];
    let segments = [
        SegmentWitness::with_top_bits(&limbs[1], &top),
        SegmentWitness::with_top_bits(&single, &sign),
    ];
    let polys = HashMap::from([
        (51, limbs[1].clone()),
        (52, top.clone()),
        (53, single.to_vec()),
        (54, sign.to_vec()),
    ]);
    let case = Case::new("sign only", specs, &segments, polys);
    assert!(!case.params.uses_table(Table::Range));
    case
}

#[test]
fn honest_proofs_match_native() {
    for n in [0, 1, 3] {
        assert_matches_native(&limbs_case(n, 10 + n as u64));
    }
    assert_matches_native(&mixed_case());
    assert_matches_native(&top_bit_case(3));
    assert_matches_native(&sign_case());
    assert_matches_native(&sign_only_case());
}

#[test]
fn tampered_layer_sumcheck_is_rejected() {
    let case = top_bit_case(3);
    // A layer with rounds in every tree's range: depth 2 (segments still active), depth 9
    // (table tree only) and the last one; first and last round; every coefficient slot.
    for (depth, round, idx) in [(2, 0, 0), (2, 1, 2), (9, 4, 1), (15, 14, 2), (15, 0, 1)] {
        let mut proof = case.proof.clone();
        proof.fractional.layers[depth].sumcheck.round_polys[round].coeffs_except_linear[idx] +=
            F::one();
        assert_rejected(
            &case,
            &proof,
            &format!("round coefficient {idx} of round {round} at depth {depth}"),
        );
    }
}

#[test]
fn tampered_child_and_leaf_values_are_rejected() {
    let case = top_bit_case(3);
    // Depth 2 is the last layer of both segments (unit trees: [qL, qR]); slot 2 is the range
    // table, slot 3 the sign table (4 values each).
    for (depth, slot, idx, what) in [
        (0, 0, 3, "a child value at the first layer"),
        (2, 0, 0, "a leaf value of the low limb"),
        (2, 1, 1, "a leaf value of the top limb"),
        (2, 3, 2, "a child value of the sign table"),
        (
            15,
            0,
            0,
            "the range table's leaf numerator (its multiplicity claim)",
        ),
        (
            15,
            1,
            1,
            "the sign table's leaf numerator (its multiplicity claim)",
        ),
        (15, 0, 3, "the range table's leaf denominator"),
    ] {
        let mut proof = case.proof.clone();
        proof.fractional.layers[depth].child_evals[slot][idx] += F::one();
        assert_rejected(&case, &proof, what);
    }
}

#[test]
fn tampered_roots_and_openings_are_rejected() {
    let case = top_bit_case(3);
    // Trees: low limb, top limb, range table, sign table.
    for tree in [0, 3] {
        let mut proof = case.proof.clone();
        proof.fractional.roots[tree].p += F::one();
        assert_rejected(&case, &proof, &format!("root numerator of tree {tree}"));
    }
    for tree in [1, 2] {
        let mut proof = case.proof.clone();
        proof.fractional.roots[tree].q = F::from(0u64);
        assert_rejected(
            &case,
            &proof,
            &format!("zero root denominator of tree {tree}"),
        );
    }
    for idx in 0..2 {
        let mut proof = case.proof.clone();
        proof.top_bit_openings[0][idx] += F::one();
        assert_rejected(&case, &proof, &format!("top-bit opening {idx}"));
    }
    // A segment without variables: its root is its leaf, the numerator must be 1.
    let case = sign_only_case();
    let mut proof = case.proof.clone();
    proof.fractional.roots[1].p += F::one();
    assert_rejected(
        &case,
        &proof,
        "the leaf numerator of a segment without variables",
    );
    let mut proof = case.proof.clone();
    proof.top_bit_openings[1][1] += F::one();
    assert_rejected(
        &case,
        &proof,
        "the sign opening of a segment without variables",
    );
}

#[test]
fn wrong_multiplicities_and_out_of_range_limbs_are_rejected() {
    let n = 3;
    let mut limbs = random_limbs(1 << n, &mut rng(6));
    let params = RangeCheckParams::new(vec![SegmentSpec::limbs(0, n)], M_RANGE, M_SIGN).unwrap();
    let m = compute_multiplicities(&params, &[SegmentWitness::new(&limbs)]).unwrap();
    // One count moved to another entry: an honest-looking proof of a false logUp sum.
    let mut moved = m.clone();
    let j = small(&limbs[0]);
    moved.range[j] -= F::one();
    moved.range[(j + 1) % (1 << 16)] += F::one();
    let case = Case::with_multiplicities(
        "moved count",
        params.clone(),
        &[SegmentWitness::new(&limbs)],
        HashMap::from([(0, limbs.clone())]),
        &moved,
    );
    assert_rejected(&case, &case.proof, "a moved multiplicity");
    // A limb of 2^16 (counted as the entry 0): not in the table.
    let mut m2 = m;
    m2.range[small(&limbs[1])] -= F::one();
    m2.range[0] += F::one();
    limbs[1] = F::from(1u64 << 16);
    let case = Case::with_multiplicities(
        "limb 2^16",
        params,
        &[SegmentWitness::new(&limbs)],
        HashMap::from([(0, limbs.clone())]),
        &m2,
    );
    assert_rejected(&case, &case.proof, "a limb of 2^16");
}

/// A small field element as an index.
fn small(x: &F) -> usize {
    x.into_bigint().0[0] as usize
}

#[test]
fn proof_shape_errors() {
    let case = top_bit_case(2);
    let cs = ConstraintSystem::<F>::new_ref();
    let mut proof = case.proof.clone();
    proof.fractional.layers.pop();
    assert!(matches!(
        case.synthesize(cs.clone(), &proof),
        Err(Error::ProofShape {
            what: "GKR layers",
            ..
        })
    ));
    let mut proof = case.proof.clone();
    proof.fractional.layers[1].child_evals[0].push(F::one());
    assert!(matches!(
        case.synthesize(cs.clone(), &proof),
        Err(Error::ProofShape { .. })
    ));
    let mut proof = case.proof.clone();
    proof.fractional.layers[3].sumcheck.round_polys.pop();
    assert!(matches!(
        case.synthesize(cs.clone(), &proof),
        Err(Error::WrongNumberOfRounds { .. })
    ));
    let mut proof = case.proof.clone();
    proof.top_bit_openings.clear();
    assert!(matches!(
        case.synthesize(cs.clone(), &proof),
        Err(Error::ProofShape {
            what: "top-bit openings",
            ..
        })
    ));
    assert!(matches!(
        RangeCheckProofVar::new_variable(
            cs.clone(),
            &case.params,
            || Ok(case.proof.clone()),
            AllocationMode::Constant
        ),
        Err(Error::Malformed { .. })
    ));
    let mut proof = case.proof.clone();
    proof.fractional.roots.pop();
    assert!(matches!(
        case.synthesize(cs, &proof),
        Err(Error::ProofShape { .. })
    ));
}

/// Larger statements (a full 2^16 segment, signed values on 2^10 entries with a sign column).
#[test]
#[ignore = "heavy: run with --ignored"]
fn heavy_statements_match_native() {
    assert_matches_native(&limbs_case(16, 99));
    assert_matches_native(&top_bit_case(10));
}
