//! The CycleFold circuit over `Fq` (`P_out = P_1 + r·P_2` on BN254 G1) and the generic folding
//! core over Grumpkin.
//!
//! Honest statements (random points and scalars, and the edge cases: `r ∈ {0, 1, 2^128 − 1}`,
//! `P_1 = O`, `P_2 = O`, `P_out = O`, `P_1 = ±r·P_2`, equal points) satisfy the circuit; a wrong
//! `P_out`, `r`, bit of `r`, an off-curve point or a non-canonical encoding of the point at
//! infinity leave it unsatisfied; non-canonical or oversized limbs name the same point to it and
//! are rejected where every limb is allocated, in the primary (`G1LimbsVar`); the public input vector
//! names the same integers as the primary-side limbs; CycleFold instances fold on Grumpkin with
//! the generic NIFS (the folded witness satisfies the folded instance), and the Grumpkin
//! transcript binds the parameters, both instances and `C_T`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::curve::fq_to_limbs;
use recursion::cyclefold::{
    self, g1_to_fq_limbs, limbs_to_g1, CycleFoldParams, CycleFoldStatement, Grumpkin, NUM_IO,
};
use recursion::nifs;
use recursion::pedersen::GeneratorIndex;
use recursion::{
    Error, FoldingCurve, G1LimbsVar, NifsProof, PedersenKey, RelaxedR1csInstance,
    RelaxedR1csWitness,
};
use sumcheck::transcript::g1_to_limbs;
use sumcheck::{PoseidonTranscript, Transcript};

/// Constraints of the CycleFold circuit (golden: a change is visible in review).
const CYCLEFOLD_CONSTRAINTS: usize = 1338;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random_point(rng: &mut ChaCha20Rng) -> G1Affine {
    G1Projective::rand(rng).into_affine()
}

fn satisfied(x: &[Fq]) -> bool {
    cyclefold::prove_cs(x).unwrap().is_satisfied().unwrap()
}

/// Statements covering the edge cases of the scalar multiplication and the final addition.
fn statements(rng: &mut ChaCha20Rng) -> Vec<(&'static str, CycleFoldStatement)> {
    let (p, q) = (random_point(rng), random_point(rng));
    let o = G1Affine::zero();
    let r: u128 = rng.gen();
    let neg_rq = (-(q * Fr::from(r))).into_affine();
    let rq = (q * Fr::from(r)).into_affine();
    let st = |p1, p2, r| CycleFoldStatement::new(p1, p2, r).unwrap();
    vec![
        ("random", st(p, q, r)),
        ("random, small r", st(p, q, 5)),
        ("r = 0", st(p, q, 0)),
        ("r = 1", st(p, q, 1)),
        ("r = 2^128 - 1", st(p, q, u128::MAX)),
        ("P_1 = O", st(o, q, r)),
        ("P_2 = O", st(p, o, r)),
        ("P_1 = P_2 = O", st(o, o, r)),
        ("P_1 = O, r = 0", st(o, q, 0)),
        ("P_out = O", st(neg_rq, q, r)),
        ("P_1 = r·P_2 (doubling)", st(rq, q, r)),
        ("P_1 = P_2", st(q, q, r)),
        (
            "P_1 = -P_2, r = 1",
            st((-q.into_group()).into_affine(), q, 1),
        ),
    ]
}

#[test]
fn shape_and_size() {
    let shape = cyclefold::shape().unwrap();
    assert_eq!(shape.num_io(), NUM_IO);
    assert_eq!(shape.num_constraints(), CYCLEFOLD_CONSTRAINTS);
    // The proving-mode assignment has the shape's dimensions.
    let st = statements(&mut rng(1)).remove(0).1;
    let (x, w) = cyclefold::assignment(&st).unwrap();
    assert_eq!((x.len(), w.len()), (NUM_IO, shape.num_witness()));
    assert_eq!(x, st.public_inputs());
}

#[test]
fn honest_statements_satisfy_the_circuit() {
    let shape = cyclefold::shape().unwrap();
    let mut rng = rng(2);
    for (name, st) in statements(&mut rng) {
        st.check().unwrap();
        if name.starts_with("P_out = O") {
            assert!(st.p_out.is_zero());
        }
        let cs = cyclefold::prove_cs(&st.public_inputs()).unwrap();
        assert!(cs.is_satisfied().unwrap(), "{name}: CS unsatisfied");
        let (x, w) = cyclefold::assignment(&st).unwrap();
        shape
            .check_relation(&x, &w)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn wrong_output_scalar_or_bit_is_unsatisfied() {
    let shape = cyclefold::shape().unwrap();
    let mut rng = rng(3);
    let g = G1Affine::generator();
    for (name, st) in statements(&mut rng) {
        // A wrong P_out (off by G, or O instead of a non-zero point, or vice versa).
        let mut bad = st;
        bad.p_out = (st.p_out + g).into_affine();
        assert_eq!(bad.check(), Err(Error::CycleFoldMismatch), "{name}");
        assert!(!satisfied(&bad.public_inputs()), "{name}: wrong P_out");
        let mut bad = st;
        bad.p_out = if st.p_out.is_zero() {
            g
        } else {
            G1Affine::zero()
        };
        assert!(!satisfied(&bad.public_inputs()), "{name}: P_out ↔ O");
        // A wrong r with the honest P_out (unless P_2 = O, where every r gives the same point).
        if !st.p2.is_zero() {
            let mut bad = st;
            bad.r ^= 1 << 77;
            assert!(!satisfied(&bad.public_inputs()), "{name}: wrong r");
        }

        // A flipped bit of r in an honest assignment: the bits are the first 128 witnesses.
        let (x, w) = cyclefold::assignment(&st).unwrap();
        let bits = st.r_bits();
        for (i, b) in bits.iter().enumerate() {
            assert_eq!(w[i], Fq::from(u64::from(*b)), "{name}: bit {i} at w[{i}]");
        }
        for i in [0, 1, 63, 127] {
            let mut bad = w.clone();
            bad[i] = Fq::one() - bad[i];
            assert!(matches!(
                shape.check_relation(&x, &bad),
                Err(Error::UnsatisfiedConstraint { .. })
            ));
        }
        // A limb of any input changed in x only.
        for j in 0..NUM_IO {
            let mut bad = x.clone();
            bad[j] += Fq::one();
            assert!(shape.check_relation(&bad, &w).is_err(), "{name}: x[{j}]");
        }
    }
}

/// `c + q` split into limbs (a non-canonical encoding of the same coordinate, when it fits).
fn non_canonical(c: Fq) -> Option<[Fq; 2]> {
    let mut big = c.into_bigint();
    let carry = big.add_with_carry(&Fq::MODULUS);
    let bytes = big.to_bytes_le();
    let hi = Fq::from_le_bytes_mod_order(&bytes[16..]);
    (!carry && hi.into_bigint().num_bits() <= 126)
        .then(|| [Fq::from_le_bytes_mod_order(&bytes[..16]), hi])
}

/// `G1LimbsVar::new_limbs` over `Fr` with the limbs `l`: satisfied iff the limbs are canonical.
fn primary_accepts(l: [Fq; 4]) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let to_fr = |v: Fq| Fr::from_le_bytes_mod_order(&v.into_bigint().to_bytes_le());
    let _ =
        G1LimbsVar::new_limbs(cs.clone(), || Ok(l.map(to_fr)), AllocationMode::Witness).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn malformed_encodings_are_rejected_where_they_are_checked() {
    let mut rng = rng(4);
    // A point with a small x, so that x + q still has a 126-bit high limb.
    let p = loop {
        let p = random_point(&mut rng);
        if non_canonical(p.x).is_some() {
            break p;
        }
    };
    let st = CycleFoldStatement::new(p, random_point(&mut rng), rng.gen()).unwrap();
    let x = st.public_inputs();
    assert!(satisfied(&x));
    let limbs = |x: &[Fq]| -> [Fq; 4] { x[..4].try_into().unwrap() };
    assert!(primary_accepts(limbs(&x)));
    // Non-canonical limbs (c + q, or a low limb of 128 bits or more compensated in the high
    // one) name the same coordinate mod q: the CycleFold circuit, which reads `c_lo + 2^128·c_hi`,
    // is satisfied by them, and the primary circuit, where every G1LimbsVar is allocated, rejects
    // them — so no CycleFold instance of a run carries them.
    let mut aliases = Vec::new();
    for (name, range) in [("P_1.x", 0..2), ("P_1.y", 2..4)] {
        let c = if range.start == 0 { p.x } else { p.y };
        if let Some(alias) = non_canonical(c) {
            let mut bad = x.clone();
            bad[range].copy_from_slice(&alias);
            aliases.push((name, bad));
        }
    }
    assert!(!aliases.is_empty());
    let two128 = Fq::from(2u64).pow([128]);
    let mut bad = x.clone();
    bad[0] += two128;
    bad[1] -= Fq::one();
    aliases.push(("oversized low limb", bad));
    for (name, bad) in aliases {
        assert!(
            satisfied(&bad),
            "{name}: the same point for the CycleFold circuit"
        );
        assert!(
            !primary_accepts(limbs(&bad)),
            "{name}: rejected by the primary"
        );
    }
    // Off the curve: y + 1.
    let mut bad = x.clone();
    bad[2] += Fq::one();
    assert!(!satisfied(&bad), "off-curve P_1");
    // The point at infinity with y ≠ 0 (x = 0 encodes O; the encoding is (0, 0) only).
    let st_inf = CycleFoldStatement::new(G1Affine::zero(), st.p2, st.r).unwrap();
    let mut bad = st_inf.public_inputs();
    assert!(satisfied(&bad));
    bad[2] = Fq::one();
    assert!(!satisfied(&bad), "O encoded as (0, 1)");
    // A scalar of more than 128 bits.
    let mut bad = x.clone();
    bad[12] += two128;
    assert!(!satisfied(&bad), "r ≥ 2^128");
    // Wrong length.
    assert!(matches!(
        cyclefold::prove_cs(&x[..12]),
        Err(Error::LengthMismatch { .. })
    ));
}

#[test]
fn canonical_limbs_gadget_boundaries() {
    // c = q − 1 is accepted, c = q and q + 1 are rejected, and the borrow case
    // c_hi = Q_hi − 1, c_lo = 2^128 − 1 is accepted: for Fq's own limbs over Fq
    // (`enforce_canonical_limbs`) and for Fq coordinates' limbs over Fr (`G1LimbsVar`).
    let q_minus_1 = {
        let mut m = Fq::MODULUS;
        m.sub_with_borrow(&<Fq as PrimeField>::BigInt::from(1u64));
        m.to_bytes_le()
    };
    let (q_lo, q_hi) = (
        Fq::from_le_bytes_mod_order(&q_minus_1[..16]),
        Fq::from_le_bytes_mod_order(&q_minus_1[16..]),
    );
    let two128 = Fq::from(2u64).pow([128]);
    let cases = [
        (q_lo, q_hi, true),
        (q_lo + Fq::one(), q_hi, false),
        (q_lo + Fq::from(2u64), q_hi, false),
        (two128 - Fq::one(), q_hi - Fq::one(), true),
        (two128 - Fq::one(), q_hi, false),
        (Fq::zero(), Fq::zero(), true),
        (Fq::zero(), q_hi + Fq::one(), false),
        (two128, Fq::zero(), false),
    ];
    for (lo, hi, ok) in cases {
        let cs = ConstraintSystem::<Fq>::new_ref();
        let lo_v = FpVar::new_input(cs.clone(), || Ok(lo)).unwrap();
        let hi_v = FpVar::new_input(cs.clone(), || Ok(hi)).unwrap();
        let (c, bits) = cyclefold::enforce_canonical_limbs(&lo_v, &hi_v).unwrap();
        assert_eq!(c.value().unwrap(), lo + two128 * hi);
        assert_eq!(bits.len(), 128);
        assert_eq!(cs.is_satisfied().unwrap(), ok, "lo {lo}, hi {hi}");
        // The same integers as limbs of both coordinates of a point, over Fr.
        assert_eq!(
            primary_accepts([lo, hi, lo, hi]),
            ok,
            "Fr: lo {lo}, hi {hi}"
        );
    }
    // One bad coordinate is enough.
    assert!(!primary_accepts([q_lo, q_hi, q_lo + Fq::one(), q_hi]));
}

#[test]
fn public_inputs_and_primary_limbs_describe_the_same_points() {
    let mut rng = rng(5);
    for (name, st) in statements(&mut rng) {
        let x = st.public_inputs();
        let limbs = st.primary_limbs();
        assert_eq!((x.len(), limbs.len()), (NUM_IO, NUM_IO));
        // The same integers in both fields.
        for (a, b) in x.iter().zip(&limbs) {
            assert_eq!(
                a.into_bigint().to_bytes_le(),
                b.into_bigint().to_bytes_le(),
                "{name}"
            );
            assert!(a.into_bigint().num_bits() <= 128);
        }
        // The primary side's limbs are the transcript's (and G1LimbsVar's) limbs.
        for (k, p) in [st.p1, st.p2, st.p_out].iter().enumerate() {
            let primary: [Fr; 4] = limbs[4 * k..4 * k + 4].try_into().unwrap();
            assert_eq!(primary, g1_to_limbs(p));
            let cs = ConstraintSystem::<Fr>::new_ref();
            let var = G1LimbsVar::new_witness(cs.clone(), || Ok(*p)).unwrap();
            assert_eq!(var.value().unwrap(), primary);
            // Both decode to the point.
            assert_eq!(limbs_to_g1(&primary).unwrap(), *p, "{name}");
            assert_eq!(limbs_to_g1(&g1_to_fq_limbs(p)).unwrap(), *p, "{name}");
            if let Some((px, py)) = p.xy() {
                assert_eq!(primary[..2], fq_to_limbs(&px));
                assert_eq!(primary[2..], fq_to_limbs(&py));
            } else {
                assert_eq!(primary, [Fr::zero(); 4]);
            }
        }
        assert_eq!(x[12], Fq::from(st.r));
        assert_eq!(limbs[12], Fr::from(st.r));
    }
    // limbs_to_g1 rejects what the circuit rejects.
    let p = random_point(&mut rng);
    let mut l = g1_to_limbs(&p);
    l[2] += Fr::one();
    assert!(matches!(limbs_to_g1(&l), Err(Error::InvalidPoint { .. })));
    let mut l = g1_to_limbs(&p);
    l[0] += Fr::from(2u64).pow([128]);
    assert!(matches!(limbs_to_g1(&l), Err(Error::InvalidPoint { .. })));
    let l = [Fr::zero(), Fr::zero(), Fr::one(), Fr::zero()];
    assert!(matches!(limbs_to_g1(&l), Err(Error::InvalidPoint { .. })));
    // The native statement rejects off-curve points.
    let off = G1Affine::new_unchecked(Fq::one(), Fq::one());
    assert_eq!(
        CycleFoldStatement::new(off, p, 1),
        Err(Error::InvalidPoint { what: "P_1" })
    );
}

// ---------------------------------------------------------------------------------------------
// Folding CycleFold instances on Grumpkin

const KEY_LABEL: &[u8] = b"cyclefold-test-key";

fn params(hiding: bool) -> CycleFoldParams {
    cyclefold::setup(KEY_LABEL, hiding).unwrap()
}

type Acc = (RelaxedR1csInstance<Grumpkin>, RelaxedR1csWitness<Fq>);

/// Folds the statements' instances into the all-zero running instance, checking every fold.
fn fold_statements(
    params: &CycleFoldParams,
    sts: &[CycleFoldStatement],
    rng: &mut ChaCha20Rng,
) -> Acc {
    let shape = params.shape();
    let mut acc = RelaxedR1csInstance::<Grumpkin>::zero(shape);
    let mut acc_w = RelaxedR1csWitness::zero(shape);
    for (i, st) in sts.iter().enumerate() {
        let (u, w) = cyclefold::commit_statement(params, st, rng).unwrap();
        assert_eq!(u.x, st.public_inputs());
        let (proof, folded, folded_w) =
            nifs::prove_strict(params, &acc, &acc_w, &u, &w, rng).unwrap();
        let verified = nifs::verify_strict(params, &acc, &u, &proof).unwrap();
        assert_eq!(verified, folded, "fold {i}: verifier and prover disagree");
        (acc, acc_w) = (folded, folded_w);
    }
    (acc, acc_w)
}

#[test]
fn cyclefold_instances_fold_on_grumpkin() {
    let mut rng = rng(6);
    let params = params(true);
    let sts: Vec<CycleFoldStatement> = statements(&mut rng)
        .into_iter()
        .map(|(_, s)| s)
        .take(4)
        .collect();
    let (acc, acc_w) = fold_statements(&params, &sts, &mut rng);
    params.is_satisfied_relaxed(&acc, &acc_w).unwrap();
    assert!(!acc.comm_e.is_zero());

    // Two running instances fold too (the r²·C_E2 term).
    let (b, b_w) = fold_statements(&params, &sts[1..3], &mut rng);
    let (proof, folded, folded_w) = nifs::prove(&params, &acc, &acc_w, &b, &b_w, &mut rng).unwrap();
    assert_eq!(nifs::verify(&params, &acc, &b, &proof).unwrap(), folded);
    params.is_satisfied_relaxed(&folded, &folded_w).unwrap();

    // A non-hiding key.
    let plain = cyclefold::setup(KEY_LABEL, false).unwrap();
    let (acc, acc_w) = fold_statements(&plain, &sts[..2], &mut rng);
    plain.is_satisfied_relaxed(&acc, &acc_w).unwrap();
}

#[test]
fn a_false_statement_makes_the_cyclefold_fold_unsatisfying() {
    let mut rng = rng(7);
    let params = params(true);
    let sts: Vec<CycleFoldStatement> = statements(&mut rng)
        .into_iter()
        .map(|(_, s)| s)
        .take(2)
        .collect();
    let (acc, acc_w) = fold_statements(&params, &sts, &mut rng);
    let mut bad = sts[0];
    bad.p_out = (bad.p_out + G1Affine::generator()).into_affine();
    let (u, w) = cyclefold::commit_statement(&params, &bad, &mut rng).unwrap();
    assert!(matches!(
        params.is_satisfied(&u, &w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    let (_, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    assert!(matches!(
        params.is_satisfied_relaxed(&folded, &folded_w),
        Err(Error::UnsatisfiedConstraint { .. })
    ));
    // ... and stays so after another honest fold.
    let (acc2, acc2_w) = {
        let (u, w) = cyclefold::commit_statement(&params, &sts[1], &mut rng).unwrap();
        let (_, f, fw) = nifs::prove_strict(&params, &folded, &folded_w, &u, &w, &mut rng).unwrap();
        (f, fw)
    };
    assert!(params.is_satisfied_relaxed(&acc2, &acc2_w).is_err());

    // A tampered C_T changes the verifier's instance, which the prover's witness does not satisfy.
    let (u, w) = cyclefold::commit_statement(&params, &sts[1], &mut rng).unwrap();
    let (proof, folded, folded_w) =
        nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    let g = <Grumpkin as ark_ec::PrimeGroup>::generator().into_affine();
    let tampered = NifsProof::<Grumpkin> {
        comm_t: (proof.comm_t + g).into_affine(),
    };
    let verified = nifs::verify_strict(&params, &acc, &u, &tampered).unwrap();
    assert_ne!(verified, folded);
    assert!(params.is_satisfied_relaxed(&verified, &folded_w).is_err());
}

#[test]
fn grumpkin_transcript_binds_parameters_instances_and_cross_term() {
    let mut rng = rng(8);
    let params = params(true);
    let sts: Vec<CycleFoldStatement> = statements(&mut rng)
        .into_iter()
        .map(|(_, s)| s)
        .take(3)
        .collect();
    let (acc, acc_w) = fold_statements(&params, &sts[..2], &mut rng);
    let (u, w) = cyclefold::commit_statement(&params, &sts[2], &mut rng).unwrap();
    let inc = RelaxedR1csInstance::from_strict(&u);
    let (proof, folded, _) = nifs::prove_strict(&params, &acc, &acc_w, &u, &w, &mut rng).unwrap();
    let r = nifs::challenge(&params, &acc, &inc, &proof.comm_t).unwrap();
    assert!(r.into_bigint().num_bits() <= 128);
    assert_eq!(folded.u, acc.u + r);

    // The documented schedule over Fr: Grumpkin points as [x, y], Fq scalars as two limbs.
    let mut t = PoseidonTranscript::new(b"zkpot-cyclefold-nifs");
    t.append_field(b"nifs_params", &params.digest());
    let point = |p: &ark_grumpkin::Affine| -> Vec<Fr> {
        p.xy().map_or(vec![Fr::zero(); 2], |(x, y)| vec![x, y])
    };
    for (labels, inst) in [(nifs::LABELS_ACC, &acc), (nifs::LABELS_INC, &inc)] {
        t.append_fields(labels[0], &point(&inst.comm_w));
        t.append_fields(labels[1], &point(&inst.comm_e));
        t.append_fields(labels[2], &fq_to_limbs(&inst.u));
        let xs: Vec<Fr> = inst.x.iter().flat_map(fq_to_limbs).collect();
        t.append_fields(labels[3], &xs);
    }
    t.append_fields(b"nifs_cross_term", &point(&proof.comm_t));
    let full = t.challenge(b"nifs_r");
    assert_eq!(Fq::from(nifs::challenge_to_u128(&full)), r);

    // Every component of both instances, C_T, the key and the instance order.
    let g = <Grumpkin as ark_ec::PrimeGroup>::generator().into_affine();
    type Edit = fn(&mut RelaxedR1csInstance<Grumpkin>, ark_grumpkin::Affine);
    let edits: [(&str, Edit); 5] = [
        ("C_W", |u, g| u.comm_w = (u.comm_w + g).into_affine()),
        ("C_E", |u, g| u.comm_e = (u.comm_e + g).into_affine()),
        ("u", |u, _| u.u += Fq::one()),
        ("x_0", |u, _| u.x[0] += Fq::one()),
        // Only the high limb of x_12 changes.
        ("x_12 + 2^128", |u, _| u.x[12] += Fq::from(2u64).pow([128])),
    ];
    for (name, edit) in edits {
        let mut a = acc.clone();
        edit(&mut a, g);
        assert_ne!(
            nifs::challenge(&params, &a, &inc, &proof.comm_t).unwrap(),
            r,
            "running {name}"
        );
        let mut b = inc.clone();
        edit(&mut b, g);
        assert_ne!(
            nifs::challenge(&params, &acc, &b, &proof.comm_t).unwrap(),
            r,
            "incoming {name}"
        );
    }
    let bumped = (proof.comm_t + g).into_affine();
    assert_ne!(nifs::challenge(&params, &acc, &inc, &bumped).unwrap(), r);
    assert_ne!(
        nifs::challenge(&params, &inc, &acc, &proof.comm_t).unwrap(),
        r
    );
    let other = CycleFoldParams::setup(params.shape().clone(), b"another-key", true).unwrap();
    assert_ne!(other.digest(), params.digest());
    assert_ne!(
        nifs::challenge(&other, &acc, &inc, &proof.comm_t).unwrap(),
        r
    );
    // Off-curve Grumpkin points are rejected.
    let off = ark_grumpkin::Affine::new_unchecked(Fr::one(), Fr::one());
    assert!(!Grumpkin::is_valid_point(&off));
    assert_eq!(
        nifs::verify_strict(&params, &acc, &u, &NifsProof { comm_t: off }),
        Err(Error::InvalidPoint { what: "C_T" })
    );
}

#[test]
fn grumpkin_pedersen_generators() {
    let key = PedersenKey::<Grumpkin>::new(b"grumpkin-key", 30, true).unwrap();
    assert_eq!(
        key,
        PedersenKey::<Grumpkin>::new(b"grumpkin-key", 30, true).unwrap()
    );
    let longer = PedersenKey::<Grumpkin>::new(b"grumpkin-key", 40, false).unwrap();
    assert_eq!(&longer.generators()[..30], key.generators());
    // Same label over BN254: a different curve, a different digest.
    let bn: PedersenKey = PedersenKey::new(b"grumpkin-key", 30, true).unwrap();
    assert_ne!(bn.digest(), key.digest());
    let mut all = key.generators().to_vec();
    all.push(*key.blinding().unwrap());
    for (i, p) in all.iter().enumerate() {
        assert!(!p.is_zero() && Grumpkin::is_valid_point(p));
        assert!(all[..i].iter().all(|q| q != p));
    }
    assert_eq!(
        Grumpkin::hash_to_curve(b"grumpkin-key", GeneratorIndex::Vector(3)).unwrap(),
        key.generators()[3]
    );
    // Homomorphism over Fq.
    let mut rng = rng(9);
    let v1: Vec<Fq> = (0..30).map(|_| Fq::rand(&mut rng)).collect();
    let v2: Vec<Fq> = (0..30).map(|_| Fq::rand(&mut rng)).collect();
    let (r1, r2, c) = (Fq::rand(&mut rng), Fq::rand(&mut rng), Fq::rand(&mut rng));
    let sum: Vec<Fq> = v1.iter().zip(&v2).map(|(a, b)| *a + c * b).collect();
    assert_eq!(
        (key.commit(&v1, &r1).unwrap().into_group() + key.commit(&v2, &r2).unwrap() * c)
            .into_affine(),
        key.commit(&sum, &(r1 + c * r2)).unwrap()
    );
    assert_eq!(longer.commit(&v1, &r1), Err(Error::NotHiding));
}

#[test]
fn setup_and_proving_mode_agree() {
    let shape = cyclefold::shape().unwrap();
    let st = statements(&mut rng(10)).remove(0).1;
    let cs = ConstraintSystem::<Fq>::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: true,
    });
    let vars = cyclefold::synthesize(cs.clone(), Some(&st)).unwrap();
    assert_eq!(vars.inputs.len(), NUM_IO);
    assert_eq!(vars.p_out.value().unwrap().into_affine(), st.p_out);
    let bits: Vec<bool> = vars.r_bits.iter().map(|b| b.value().unwrap()).collect();
    assert_eq!(bits, st.r_bits().to_vec());
    assert_eq!(
        recursion::R1csShape::from_constraint_system(&cs).unwrap(),
        shape
    );
}
