//! Convolution relations (`gkr::relations::conv`): brute-force claims, the shift predicate's MLE,
//! and negative tests (shifted outputs, wrong gradient entries, tampered and byte-flipped proofs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_ff::{One, UniformRand, Zero};
use gkr::relations::conv::*;
use gkr::GkrError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sumcheck::field::{from_i128, from_i64};
use sumcheck::mle::index_to_point;
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

fn transcript() -> MerlinTranscript {
    let mut t = MerlinTranscript::new(b"conv-test");
    t.append_bytes(b"commitments", b"c");
    t
}

fn mle(v: &[F], point: &[F]) -> F {
    MultilinearPoly::new(v.to_vec()).unwrap().evaluate(point)
}

fn rand_point(rng: &mut ChaCha20Rng, n: usize) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

/// A padded random tensor: `len` entries, nonzero only where `valid(i)`.
fn rand_tensor(rng: &mut ChaCha20Rng, len: usize, valid: impl Fn(usize) -> bool) -> Vec<i64> {
    (0..len)
        .map(|i| {
            if valid(i) {
                rng.gen_range(-1000..1000)
            } else {
                0
            }
        })
        .collect()
}

struct Tensors {
    a: Vec<i64>,
    w: Vec<i64>,
    g: Vec<i64>,
}

fn tensors(s: &ConvShape, rng: &mut ChaCha20Rng) -> Tensors {
    let (b, c, o, h, w, k) = (
        s.batch as usize,
        s.in_channels as usize,
        s.out_channels as usize,
        s.height as usize,
        s.width as usize,
        s.kernel as usize,
    );
    let mut valid_a = vec![false; 1 << s.input_vars()];
    let mut valid_g = vec![false; 1 << s.output_vars()];
    let mut valid_w = vec![false; 1 << s.weight_vars()];
    for bi in 0..b {
        for y in 0..h {
            for x in 0..w {
                for ci in 0..c {
                    valid_a[s.input_index(bi, ci, y, x)] = true;
                }
                for oi in 0..o {
                    valid_g[s.output_index(bi, oi, y, x)] = true;
                }
            }
        }
    }
    for oi in 0..o {
        for ci in 0..c {
            for dy in 0..k {
                for dx in 0..k {
                    valid_w[s.weight_index(oi, ci, dy, dx)] = true;
                }
            }
        }
    }
    Tensors {
        a: rand_tensor(rng, valid_a.len(), |i| valid_a[i]),
        w: rand_tensor(rng, valid_w.len(), |i| valid_w[i]),
        g: rand_tensor(rng, valid_g.len(), |i| valid_g[i]),
    }
}

fn fe(v: &[i64]) -> Vec<F> {
    v.iter().map(|x| from_i64(*x)).collect()
}

fn fe128(v: &[i128]) -> Vec<F> {
    v.iter().map(|x| from_i128(*x)).collect()
}

/// The operands `(first, second)` and the true result of `rel`.
fn setup(rel: ConvRelation, s: &ConvShape, t: &Tensors) -> (Vec<F>, Vec<F>, Vec<F>) {
    match rel {
        ConvRelation::Forward => (
            fe(&t.w),
            fe(&t.a),
            fe128(&reference::forward(s, &t.a, &t.w)),
        ),
        ConvRelation::InputGrad => (
            fe(&t.w),
            fe(&t.g),
            fe128(&reference::input_grad(s, &t.g, &t.w)),
        ),
        ConvRelation::WeightGrad => (
            fe(&t.g),
            fe(&t.a),
            fe128(&reference::weight_grad(s, &t.g, &t.a)),
        ),
    }
}

fn operand(op: ConvOperand, t: &[Vec<F>; 3]) -> &[F] {
    match op {
        ConvOperand::Input => &t[0],
        ConvOperand::Weight => &t[1],
        ConvOperand::Output => &t[2],
    }
}

const RELATIONS: [ConvRelation; 3] = [
    ConvRelation::Forward,
    ConvRelation::InputGrad,
    ConvRelation::WeightGrad,
];

fn result_vars(rel: ConvRelation, s: &ConvShape) -> usize {
    match rel.result() {
        ConvOperand::Input => s.input_vars(),
        ConvOperand::Weight => s.weight_vars(),
        ConvOperand::Output => s.output_vars(),
    }
}

/// Honest run: the claim is the true MLE, the verifier accepts, and both output claims are
/// the operands' true MLE values.
fn check_honest(s: ConvShape, seed: u64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let t = tensors(&s, &mut rng);
    let all = [fe(&t.a), fe(&t.w), fe(&t.g)];
    for rel in RELATIONS {
        let (first, second, result) = setup(rel, &s, &t);
        let point = rand_point(&mut rng, result_vars(rel, &s));
        let (proof, claim, claims) =
            prove_conv(rel, s, &first, &second, point.clone(), &mut transcript()).unwrap();
        assert_eq!(claim, mle(&result, &point), "{rel:?} claim");
        let out = verify_conv(rel, s, point, claim, &proof, &mut transcript()).unwrap();
        assert_eq!(out, claims);
        let (o1, o2) = rel.operands();
        assert_eq!(claims[0].operand, o1);
        assert_eq!(claims[1].operand, o2);
        for c in &claims {
            assert_eq!(
                c.value,
                mle(operand(c.operand, &all), &c.point),
                "{rel:?} {:?}",
                c.operand
            );
        }
        // Round trip of the wire format.
        assert_eq!(ConvProof::from_bytes(&proof.to_bytes()).unwrap(), proof);
    }
}

#[test]
fn honest_k3_8x8() {
    check_honest(ConvShape::new(2, 3, 4, 8, 8, 3).unwrap(), 1);
}

#[test]
fn honest_k5_8x8() {
    check_honest(ConvShape::new(2, 3, 4, 8, 8, 5).unwrap(), 2);
}

#[test]
fn honest_non_power_of_two_dims() {
    check_honest(ConvShape::new(3, 3, 5, 6, 7, 3).unwrap(), 3);
    check_honest(ConvShape::new(1, 1, 1, 5, 5, 5).unwrap(), 4);
    check_honest(ConvShape::new(1, 2, 1, 4, 4, 1).unwrap(), 5);
}

/// The automaton MLE of the 1-D shift predicate equals the brute-force MLE.
#[test]
fn shift_predicate_mle_matches_brute_force() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for (k, n) in [(1u64, 4u64), (3, 8), (3, 6), (5, 8), (5, 5), (7, 3), (3, 1)] {
        let ld = (k as usize).next_power_of_two().trailing_zeros() as usize;
        let ln = (n as usize).next_power_of_two().trailing_zeros() as usize;
        let p = (k - 1) / 2;
        // table over (d, u, v), d low
        let total = ld + 2 * ln;
        let mut table = vec![F::zero(); 1 << total];
        for d in 0..(1u64 << ld) {
            for u in 0..(1u64 << ln) {
                for v in 0..(1u64 << ln) {
                    if d < k && u < n && v < n && v + p == u + d {
                        table[(d | u << ld | v << (ld + ln)) as usize] = F::one();
                    }
                }
            }
        }
        for trial in 0..4 {
            let r = if trial == 0 {
                index_to_point(rng.gen_range(0..1usize << total), total)
            } else {
                rand_point(&mut rng, total)
            };
            let want = mle(&table, &r);
            let got = shift_mle(k, n, &r[..ld], &r[ld..ld + ln], &r[ld + ln..]).unwrap();
            assert_eq!(got, want, "k={k} n={n}");
        }
    }
    assert!(shift_mle(3, 8, &[F::one(); 2], &[F::one(); 3], &[F::one(); 2]).is_none());
    assert!(shift_mle(4, 8, &[F::one(); 2], &[F::one(); 3], &[F::one(); 3]).is_none());
}

fn small() -> ConvShape {
    ConvShape::new(2, 3, 4, 8, 8, 3).unwrap()
}

/// A claim on the result tensor that does not hold is rejected.
fn rejects_claim(rel: ConvRelation, wrong_result: &[F], seed: u64) {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let t = tensors(&s, &mut rng);
    let (first, second, _) = setup(rel, &s, &t);
    let point = rand_point(&mut rng, result_vars(rel, &s));
    let (proof, claim, _) =
        prove_conv(rel, s, &first, &second, point.clone(), &mut transcript()).unwrap();
    let bad = mle(wrong_result, &point);
    assert_ne!(bad, claim);
    // The honest proof does not support the wrong claim...
    assert!(verify_conv(rel, s, point.clone(), bad, &proof, &mut transcript()).is_err());
    // ...and neither does a proof whose final evaluations are adjusted to match it.
    let mut forged = proof.clone();
    forged.stage1_evals[0] *= bad / claim;
    assert!(verify_conv(rel, s, point, bad, &forged, &mut transcript()).is_err());
}

#[test]
fn rejects_shifted_forward_output() {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let t = tensors(&s, &mut rng);
    // z computed with an off-by-one shift in x: z'[.., x] = z[.., x+1].
    let z = reference::forward(&s, &t.a, &t.w);
    let mut shifted = vec![0i128; z.len()];
    for b in 0..2 {
        for o in 0..4 {
            for y in 0..8 {
                for x in 0..7 {
                    shifted[s.output_index(b, o, y, x)] = z[s.output_index(b, o, y, x + 1)];
                }
            }
        }
    }
    rejects_claim(ConvRelation::Forward, &fe128(&shifted), 11);
}

#[test]
fn rejects_wrong_weight_gradient_entry() {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let t = tensors(&s, &mut rng);
    let mut dw = reference::weight_grad(&s, &t.g, &t.a);
    dw[s.weight_index(2, 1, 0, 2)] += 1;
    rejects_claim(ConvRelation::WeightGrad, &fe128(&dw), 12);
}

#[test]
fn rejects_wrong_input_gradient_entry() {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let t = tensors(&s, &mut rng);
    let mut h = reference::input_grad(&s, &t.g, &t.w);
    h[s.input_index(1, 2, 7, 0)] -= 1;
    rejects_claim(ConvRelation::InputGrad, &fe128(&h), 13);
}

/// A prover that convolves a shifted input (`a` read one pixel off) produces a valid proof of
/// the shifted claim, but its output claim on `a` is not `ã`'s value: the opening catches it.
#[test]
fn shifted_input_operand_fails_the_opening() {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let t = tensors(&s, &mut rng);
    let mut a_shift = vec![0i64; t.a.len()];
    for b in 0..2 {
        for c in 0..3 {
            for y in 0..8 {
                for x in 0..7 {
                    a_shift[s.input_index(b, c, y, x)] = t.a[s.input_index(b, c, y, x + 1)];
                }
            }
        }
    }
    let point = rand_point(&mut rng, s.output_vars());
    let (proof, claim, claims) = prove_conv(
        ConvRelation::Forward,
        s,
        &fe(&t.w),
        &fe(&a_shift),
        point.clone(),
        &mut transcript(),
    )
    .unwrap();
    let out = verify_conv(
        ConvRelation::Forward,
        s,
        point,
        claim,
        &proof,
        &mut transcript(),
    )
    .unwrap();
    assert_eq!(out, claims);
    assert_ne!(claims[1].value, mle(&fe(&t.a), &claims[1].point));
}

/// Every tampering of the proof is an `Err` (never a panic).
#[test]
fn rejects_tampered_proofs() {
    let s = small();
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let t = tensors(&s, &mut rng);
    for rel in RELATIONS {
        let (first, second, _) = setup(rel, &s, &t);
        let point = rand_point(&mut rng, result_vars(rel, &s));
        let (proof, claim, _) =
            prove_conv(rel, s, &first, &second, point.clone(), &mut transcript()).unwrap();
        let verify =
            |p: &ConvProof| verify_conv(rel, s, point.clone(), claim, p, &mut transcript());
        assert!(verify(&proof).is_ok());
        let one = F::one();
        let mut cases: Vec<ConvProof> = Vec::new();
        for stage in 0..2 {
            let n = if stage == 0 {
                proof.stage1.round_polys.len()
            } else {
                proof.stage2.round_polys.len()
            };
            for round in [0, n / 2, n - 1] {
                let mut p = proof.clone();
                let rp = if stage == 0 {
                    &mut p.stage1.round_polys[round]
                } else {
                    &mut p.stage2.round_polys[round]
                };
                rp.coeffs_except_linear[0] += one;
                cases.push(p);
            }
            // wrong number of rounds / coefficients
            let mut p = proof.clone();
            if stage == 0 {
                p.stage1.round_polys.pop();
            } else {
                p.stage2.round_polys[0].coeffs_except_linear.push(one);
            }
            cases.push(p);
        }
        for i in 0..2 {
            let mut p = proof.clone();
            p.stage1_evals[i] += one;
            cases.push(p);
        }
        let mut p = proof.clone();
        p.stage2_evals[0] += one;
        cases.push(p);
        let mut p = proof.clone();
        p.stage1_evals.push(one);
        cases.push(p);
        let mut p = proof.clone();
        p.stage2_evals.clear();
        cases.push(p);
        // swap the stages' round polynomials
        let mut p = proof.clone();
        p.stage1.round_polys.swap(0, 1);
        cases.push(p);
        for (i, c) in cases.iter().enumerate() {
            assert!(verify(c).is_err(), "{rel:?} case {i} accepted");
        }
        // A different statement (point) with the same proof.
        let mut other = point.clone();
        other[0] += one;
        assert!(verify_conv(rel, s, other, claim, &proof, &mut transcript()).is_err());
        // Wrong shape.
        let s2 = ConvShape::new(2, 3, 4, 8, 8, 5).unwrap();
        assert!(verify_conv(rel, s2, point.clone(), claim, &proof, &mut transcript()).is_err());
        // Byte flips.
        let bytes = proof.to_bytes();
        for _ in 0..64 {
            let mut b = bytes.clone();
            let i = rng.gen_range(0..b.len());
            b[i] ^= 1 << rng.gen_range(0..8);
            match ConvProof::from_bytes(&b) {
                Err(GkrError::Deserialization { .. }) => {}
                Err(e) => panic!("unexpected error {e}"),
                Ok(p) => assert!(verify(&p).is_err(), "{rel:?} flipped byte {i} accepted"),
            }
        }
        assert!(ConvProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(ConvProof::from_bytes(&[bytes.as_slice(), &[0]].concat()).is_err());
    }
}

/// Invalid statements and garbage never panic.
#[test]
fn invalid_statements_are_errors() {
    assert!(ConvShape::new(1, 1, 1, 8, 8, 4).is_err());
    assert!(ConvShape::new(0, 1, 1, 8, 8, 3).is_err());
    let s = small();
    let proof = ConvProof::default();
    for rel in RELATIONS {
        for n in [0, 3, result_vars(rel, &s)] {
            let r = verify_conv(
                rel,
                s,
                vec![F::one(); n],
                F::zero(),
                &proof,
                &mut transcript(),
            );
            assert!(r.is_err());
        }
    }
    let mut bad = s;
    bad.kernel = 4;
    assert!(verify_conv(
        ConvRelation::Forward,
        bad,
        vec![F::one(); s.output_vars()],
        F::zero(),
        &proof,
        &mut transcript()
    )
    .is_err());
    // prover-side shape errors
    assert!(prove_conv(
        ConvRelation::Forward,
        s,
        &[F::one(); 3],
        &[F::one(); 3],
        vec![F::one(); s.output_vars()],
        &mut transcript()
    )
    .is_err());
}
