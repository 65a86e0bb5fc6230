//! Dishonest provers and tampered proofs are rejected with an error, never a panic.
//!
//! Dishonest witnesses go through the real prover ([`RangeCheckProver::prove`] checks shapes
//! only, so a bad witness yields a proof, which the verifier must reject).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_ff::{One, Zero};
use common::*;
use gkr::*;
use rand::Rng;
use sumcheck::{MerlinTranscript, Transcript, F};

/// Honest multiplicities for a witness given as integers (table index per entry), any table.
fn counts(indices: &[usize]) -> Vec<F> {
    let mut m = vec![0u64; 1 << 16];
    for &j in indices {
        m[j] += 1;
    }
    m.into_iter().map(F::from).collect()
}

fn verify(params: &RangeCheckParams, proof: &RangeCheckProof) -> Result<Vec<EvalClaim>, GkrError> {
    RangeCheckVerifier::new(params).verify(proof, &mut merlin())
}

fn prove(
    params: &RangeCheckParams,
    segments: &[SegmentWitness<'_>],
    m: &Multiplicities,
) -> RangeCheckProof {
    RangeCheckProver::new(params)
        .prove(segments, m, &mut merlin())
        .unwrap()
        .0
}

fn limbs_segment(n: usize) -> RangeCheckParams {
    RangeCheckParams::new(vec![SegmentSpec::limbs(0, n)], M_RANGE, M_SIGN).unwrap()
}

// ---------------------------------------------------------------- dishonest witnesses

#[test]
fn limb_equal_to_two_to_the_sixteen() {
    let mut rng = rng(11);
    let mut limbs = random_limbs(16, &mut rng);
    limbs[5] = F::from(1u64 << 16);
    let params = limbs_segment(4);
    // Multiplicities as if the bad entry were its value mod 2^16 (= 0), or 0xffff, or missing.
    let mut idx: Vec<usize> = limbs
        .iter()
        .map(|x| {
            let s = x.to_string().parse::<u64>().unwrap();
            (s & 0xffff) as usize
        })
        .collect();
    for variant in 0..3 {
        let m_range = match variant {
            0 => counts(&idx),
            1 => {
                idx[5] = 0xffff;
                counts(&idx)
            }
            _ => {
                let mut i = idx.clone();
                i.remove(5);
                counts(&i)
            }
        };
        let m = Multiplicities {
            range: m_range,
            sign: vec![],
        };
        let proof = prove(&params, &[SegmentWitness::new(&limbs)], &m);
        assert!(
            matches!(
                verify(&params, &proof),
                Err(GkrError::LookupSumNonZero { group: 0, .. })
            ),
            "variant {variant}"
        );
    }
}

/// The value `−2^31 − 1` (out of range by one) has offset form `v + 2^31 = −1 = p − 1`: limbs
/// `lo = 0xffff`, `hi = p − 1` satisfy the linear relation exactly, but `hi` is a field wrap
/// posing as a limb. Rejected whatever multiplicities the prover picks, with or without the
/// top-bit column.
#[test]
fn field_wrap_p_minus_one_posing_as_limb() {
    let scheme = SignedLimbs::default();
    let n = 3;
    let mut values: Vec<i64> = (0..8).map(|i| i * 1000 - 3000).collect();
    values[0] = -1;
    let mut limbs = scheme.decompose_all(&values).unwrap();
    let mut top = scheme.top_bits(&values).unwrap();
    // Entry 0 becomes the out-of-range value −2^31 − 1 via a wrapped hi limb.
    limbs[0][0] = F::from(0xffffu64);
    limbs[1][0] = -F::one();
    let forged = scheme.compose(&[limbs[0][0], limbs[1][0]]).unwrap();
    assert_eq!(forged, -F::from((1u64 << 31) + 1));
    for with_top in [false, true] {
        let params = RangeCheckParams::new(
            scheme.segments(&[0, 1], with_top.then_some(2), n).unwrap(),
            M_RANGE,
            M_SIGN,
        )
        .unwrap();
        let lo: Vec<usize> = (0..8).map(|i| idx_of(&limbs[0][i])).collect();
        for (wrap_as, bit) in [(0xffffusize, F::one()), (0, F::zero()), (0x7fff, F::zero())] {
            top[0] = bit;
            let hi: Vec<usize> = (0..8)
                .map(|i| {
                    if i == 0 {
                        wrap_as
                    } else {
                        idx_of(&limbs[1][i])
                    }
                })
                .collect();
            let m = if with_top {
                Multiplicities {
                    range: counts(&lo),
                    sign: counts(&hi),
                }
            } else {
                Multiplicities {
                    range: counts(&[lo.clone(), hi].concat()),
                    sign: vec![],
                }
            };
            let segs = scheme.witness_segments(&limbs, with_top.then_some(&top[..]));
            let proof = prove(&params, &segs, &m);
            assert!(
                matches!(
                    verify(&params, &proof),
                    Err(GkrError::LookupSumNonZero { .. })
                ),
                "with_top {with_top}, wrap_as {wrap_as}"
            );
        }
    }
}

fn idx_of(x: &F) -> usize {
    x.to_string().parse::<usize>().unwrap()
}

#[test]
fn multiplicities_of_another_witness() {
    let mut rng = rng(12);
    let params = limbs_segment(6);
    let limbs = random_limbs(64, &mut rng);
    let other = random_limbs(64, &mut rng);
    let seg = [SegmentWitness::new(&limbs)];
    let m_other = compute_multiplicities(&params, &[SegmentWitness::new(&other)]).unwrap();
    let proof = prove(&params, &seg, &m_other);
    assert!(matches!(
        verify(&params, &proof),
        Err(GkrError::LookupSumNonZero { .. })
    ));
    // One count moved from one entry to another.
    let mut m = compute_multiplicities(&params, &seg).unwrap();
    let j = idx_of(&limbs[0]);
    m.range[j] -= F::one();
    m.range[(j + 1) % (1 << 16)] += F::one();
    let proof = prove(&params, &seg, &m);
    assert!(verify(&params, &proof).is_err());
}

#[test]
fn wrong_sign_bit() {
    let scheme = SignedLimbs::default();
    let values: Vec<i64> = vec![-5, 7, -1 << 31, (1 << 31) - 1, 0, -1, 100, -100];
    let limbs = scheme.decompose_all(&values).unwrap();
    let honest_top = scheme.top_bits(&values).unwrap();
    let params = RangeCheckParams::new(
        scheme.segments(&[0, 1], Some(2), 3).unwrap(),
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    let honest =
        compute_multiplicities(&params, &scheme.witness_segments(&limbs, Some(&honest_top)))
            .unwrap();
    let forgeries: Vec<Vec<F>> = vec![
        // One bit flipped: −5 claims to be non-negative.
        {
            let mut t = honest_top.clone();
            t[0] = F::one() - t[0];
            t
        },
        // Two bits swapped between a negative and a positive value (same multiset of bits).
        {
            let mut t = honest_top.clone();
            t.swap(0, 1);
            t
        },
        // A non-boolean bit.
        {
            let mut t = honest_top.clone();
            t[4] = F::from(2u64);
            t
        },
    ];
    for (k, top) in forgeries.iter().enumerate() {
        let segs = scheme.witness_segments(&limbs, Some(top));
        let proof = prove(&params, &segs, &honest);
        assert!(
            matches!(
                verify(&params, &proof),
                Err(GkrError::LookupSumNonZero { group: 1, .. })
            ),
            "forgery {k}"
        );
    }
}

#[test]
fn wrong_sign_in_a_relu_sign_column() {
    let scheme = SignedLimbs::default();
    let values: Vec<i64> = vec![-5, 7, -1 << 31, (1 << 31) - 1, 0, -1, 100, -100];
    let limbs = scheme.decompose_all(&values).unwrap();
    let signs = scheme.signs(&values).unwrap();
    let params = RangeCheckParams::new(
        scheme.segments_with_sign(&[0, 1], 2, 3).unwrap(),
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    let honest =
        compute_multiplicities(&params, &scheme.witness_segments(&limbs, Some(&signs))).unwrap();
    // ReLU would zero 7 if its sign claimed "negative".
    for i in [1usize, 0] {
        let mut s = signs.clone();
        s[i] = F::one() - s[i];
        let proof = prove(&params, &scheme.witness_segments(&limbs, Some(&s)), &honest);
        assert!(matches!(
            verify(&params, &proof),
            Err(GkrError::LookupSumNonZero { group: 1, .. })
        ));
    }
    // The top-bit column passed as the sign column.
    let top = scheme.top_bits(&values).unwrap();
    let proof = prove(
        &params,
        &scheme.witness_segments(&limbs, Some(&top)),
        &honest,
    );
    assert!(verify(&params, &proof).is_err());
}

#[test]
fn remainder_above_its_bound() {
    // 8-bit remainders: 256 is a valid 16-bit limb but fails the shifted lookup.
    let scheme = UnsignedLimbs::new(8).unwrap();
    let mut values = vec![F::from(3u64); 8];
    values[2] = F::from(256u64);
    let limbs = vec![values];
    let params = RangeCheckParams::new(scheme.segments(&[0], 3).unwrap(), M_RANGE, M_SIGN).unwrap();
    let mut idx: Vec<usize> = limbs[0].iter().map(idx_of).collect();
    let shifted: Vec<usize> = idx.iter().map(|v| (v << 8) & 0xffff).collect();
    idx.extend(shifted);
    let m = Multiplicities {
        range: counts(&idx),
        sign: vec![],
    };
    let proof = prove(&params, &scheme.witness_segments(&limbs), &m);
    assert!(verify(&params, &proof).is_err());
}

// ---------------------------------------------------------------- tampered proofs

/// Seven trees: limbs (8), their 12-bit shifted copy (8), limbs with top bit (4), one limb (1),
/// limbs with sign bit (2), and both tables.
fn fixture() -> (RangeCheckParams, RangeCheckProof) {
    let mut rng = rng(13);
    let a: Vec<F> = (0..8)
        .map(|_| F::from(rng.gen_range(0u64..1 << 12)))
        .collect();
    let b = random_limbs(4, &mut rng);
    let t: Vec<F> = b
        .iter()
        .map(|x| F::from((idx_of(x) >> 15) as u64))
        .collect();
    let c = random_limbs(1, &mut rng);
    let d = random_limbs(2, &mut rng);
    let sd: Vec<F> = d
        .iter()
        .map(|x| F::from(u64::from(x.to_string().parse::<u64>().unwrap() < 1 << 15)))
        .collect();
    let params = RangeCheckParams::new(
        vec![
            SegmentSpec::limbs(0, 3),
            SegmentSpec::scaled(0, 3, 4),
            SegmentSpec::with_top_bit(1, 2, 2),
            SegmentSpec::limbs(3, 0),
            SegmentSpec::with_sign_bit(4, 5, 1),
        ],
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    let segs = [
        SegmentWitness::new(&a),
        SegmentWitness::new(&a),
        SegmentWitness::with_top_bits(&b, &t),
        SegmentWitness::new(&c),
        SegmentWitness::with_top_bits(&d, &sd),
    ];
    let m = compute_multiplicities(&params, &segs).unwrap();
    let proof = prove(&params, &segs, &m);
    verify(&params, &proof).unwrap();
    (params, proof)
}

fn assert_rejected(params: &RangeCheckParams, proof: &RangeCheckProof, what: &str) {
    assert!(verify(params, proof).is_err(), "accepted: {what}");
}

#[test]
fn tampered_round_polynomials() {
    let (params, proof) = fixture();
    let mut checked = 0;
    for (d, layer) in proof.fractional.layers.iter().enumerate() {
        for (j, poly) in layer.sumcheck.round_polys.iter().enumerate() {
            for k in 0..poly.coeffs_except_linear.len() {
                let mut bad = proof.clone();
                bad.fractional.layers[d].sumcheck.round_polys[j].coeffs_except_linear[k] +=
                    F::one();
                assert_rejected(&params, &bad, &format!("layer {d} round {j} coeff {k}"));
                checked += 1;
            }
        }
        // Wrong number of coefficients and of rounds.
        if let Some(p) = layer.sumcheck.round_polys.first() {
            let mut bad = proof.clone();
            bad.fractional.layers[d].sumcheck.round_polys[0]
                .coeffs_except_linear
                .push(F::zero());
            assert_rejected(&params, &bad, "extra coefficient");
            let mut bad = proof.clone();
            bad.fractional.layers[d]
                .sumcheck
                .round_polys
                .push(p.clone());
            assert_rejected(&params, &bad, "extra round");
            let mut bad = proof.clone();
            bad.fractional.layers[d].sumcheck.round_polys.pop();
            assert_rejected(&params, &bad, "missing round");
        }
    }
    assert!(checked > 300);
}

#[test]
fn tampered_child_values() {
    let (params, proof) = fixture();
    for (d, layer) in proof.fractional.layers.iter().enumerate() {
        for t in 0..layer.child_evals.len() {
            for k in 0..layer.child_evals[t].len() {
                let mut bad = proof.clone();
                bad.fractional.layers[d].child_evals[t][k] += F::one();
                assert_rejected(&params, &bad, &format!("layer {d} tree {t} value {k}"));
            }
            // Two values where four are due and vice versa (a unit-numerator layer).
            let mut bad = proof.clone();
            let e = &mut bad.fractional.layers[d].child_evals[t];
            if e.len() == 4 {
                e.truncate(2);
            } else {
                e.extend([F::one(), F::one()]);
            }
            assert_rejected(&params, &bad, &format!("layer {d} tree {t} arity"));
        }
        let mut bad = proof.clone();
        bad.fractional.layers[d].child_evals.pop();
        assert_rejected(&params, &bad, "missing child values");
        let mut bad = proof.clone();
        bad.fractional.layers[d]
            .child_evals
            .push(vec![F::zero(); 4]);
        assert_rejected(&params, &bad, "extra child values");
    }
}

#[test]
fn tampered_roots_and_openings() {
    let (params, proof) = fixture();
    for t in 0..proof.fractional.roots.len() {
        for zero in [false, true] {
            let mut bad = proof.clone();
            let r = &mut bad.fractional.roots[t];
            if zero {
                r.q = F::zero();
            } else {
                r.p += F::one();
            }
            assert_rejected(&params, &bad, &format!("root {t}"));
            let mut bad = proof.clone();
            bad.fractional.roots[t].q += F::one();
            assert_rejected(&params, &bad, &format!("root q {t}"));
        }
    }
    // Roots scaled consistently (p·s / q·s is the same fraction): the sum check passes, the
    // layer sumcheck does not.
    let mut bad = proof.clone();
    let s = F::from(3u64);
    bad.fractional.roots[0].p *= s;
    bad.fractional.roots[0].q *= s;
    assert_rejected(&params, &bad, "scaled root");
    let mut bad = proof.clone();
    bad.fractional.roots.pop();
    assert_rejected(&params, &bad, "missing root");
    for i in 0..proof.top_bit_openings.len() {
        for k in 0..2 {
            let mut bad = proof.clone();
            bad.top_bit_openings[i][k] += F::one();
            assert_rejected(&params, &bad, &format!("top-bit opening {i}.{k}"));
        }
    }
    let mut bad = proof.clone();
    bad.top_bit_openings.push([F::zero(); 2]);
    assert_rejected(&params, &bad, "extra opening");
}

#[test]
fn swapped_and_missing_layers() {
    let (params, proof) = fixture();
    let n = proof.fractional.layers.len();
    for d in 0..n - 1 {
        let mut bad = proof.clone();
        bad.fractional.layers.swap(d, d + 1);
        assert_rejected(&params, &bad, &format!("swap {d}"));
    }
    let mut bad = proof.clone();
    bad.fractional.layers.pop();
    assert_rejected(&params, &bad, "missing last layer");
    let mut bad = proof.clone();
    bad.fractional.layers.remove(0);
    assert_rejected(&params, &bad, "missing first layer");
    let mut bad = proof.clone();
    let last = bad.fractional.layers[n - 1].clone();
    bad.fractional.layers.push(last);
    assert_rejected(&params, &bad, "extra layer");
    assert_rejected(&params, &RangeCheckProof::default(), "empty proof");
}

#[test]
fn desynchronized_transcript_and_replay() {
    let (params, proof) = fixture();
    // Different commitments absorbed before α (a wrong α).
    let mut t = MerlinTranscript::new(b"gkr-range-check-test");
    t.append_bytes(b"test_commitments", b"other commitments");
    assert!(RangeCheckVerifier::new(&params)
        .verify(&proof, &mut t)
        .is_err());
    // One extra absorb.
    let mut t = merlin();
    t.append_u64(b"extra", 1);
    assert!(RangeCheckVerifier::new(&params)
        .verify(&proof, &mut t)
        .is_err());
    // Replay against another statement of the same shape but different kind.
    let other = RangeCheckParams::new(
        vec![
            SegmentSpec::limbs(0, 3),
            SegmentSpec::scaled(0, 3, 5),
            SegmentSpec::with_top_bit(1, 2, 2),
            SegmentSpec::limbs(3, 0),
            SegmentSpec::with_top_bit(4, 5, 1),
        ],
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    assert_rejected(&other, &proof, "replay under another statement");
}

#[test]
fn byte_flips_of_the_serialized_proof() {
    let (params, proof) = fixture();
    let bytes = proof.to_bytes();
    let mut rng = rng(14);
    let mut positions: Vec<usize> = (0..64).chain(bytes.len() - 64..bytes.len()).collect();
    positions.extend((0..400).map(|_| rng.gen_range(0..bytes.len())));
    let mut decoded = 0;
    for pos in positions {
        let mut bad = bytes.clone();
        bad[pos] ^= 1 << rng.gen_range(0..8);
        if let Ok(p) = RangeCheckProof::from_bytes(&bad) {
            assert_rejected(&params, &p, &format!("byte {pos}"));
            decoded += 1;
        }
    }
    // Most flips land in field elements and still decode: the verifier itself rejects them.
    assert!(decoded > 100, "only {decoded} flipped proofs decoded");
    for cut in [0, 1, 8, bytes.len() / 2, bytes.len() - 1] {
        assert!(RangeCheckProof::from_bytes(&bytes[..cut]).is_err());
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(RangeCheckProof::from_bytes(&long).is_err());
    // Random garbage never panics.
    for len in [0usize, 8, 64, 1000] {
        let junk: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        if let Ok(p) = RangeCheckProof::from_bytes(&junk) {
            assert_rejected(&params, &p, "junk");
        }
    }
}
