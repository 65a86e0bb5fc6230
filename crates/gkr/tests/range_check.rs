//! Honest range-check proofs verify and their output claims are true evaluations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::*;
use gkr::*;
use rand::Rng;
use sumcheck::{field::from_i64, MultilinearPoly, PoseidonTranscript, F};

#[test]
fn one_segment_all_sizes() {
    let mut rng = rng(1);
    for n in 0..=16usize {
        let limbs = random_limbs(1 << n, &mut rng);
        let params =
            RangeCheckParams::new(vec![SegmentSpec::limbs(0, n)], M_RANGE, M_SIGN).unwrap();
        let polys = HashMap::from([(0, limbs.clone())]);
        let claims = honest_roundtrip(&params, &[SegmentWitness::new(&limbs)], &polys);
        assert_eq!(claims.len(), 2);
        assert_eq!(claims[0].point.len(), n);
        assert_eq!(claims[1].poly, M_RANGE);
    }
}

#[test]
fn several_segments_of_different_sizes() {
    let mut rng = rng(2);
    let sizes = [3usize, 0, 7, 5, 7, 1, 12];
    let data: Vec<Vec<F>> = sizes
        .iter()
        .map(|&n| random_limbs(1 << n, &mut rng))
        .collect();
    let specs = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| SegmentSpec::limbs(i, n))
        .collect();
    let params = RangeCheckParams::new(specs, M_RANGE, M_SIGN).unwrap();
    let segments: Vec<_> = data.iter().map(|d| SegmentWitness::new(d)).collect();
    let polys: HashMap<_, _> = data.iter().cloned().enumerate().collect();
    let claims = honest_roundtrip(&params, &segments, &polys);
    assert_eq!(claims.len(), sizes.len() + 1);
    // Segments of one size share a point.
    assert_eq!(claims[2].point, claims[4].point);
}

#[test]
fn extreme_limbs_and_repeated_entries() {
    // All zeros, all 0xffff, and a mix: multiplicities far from uniform.
    for fill in [
        vec![0u64; 64],
        vec![0xffff; 64],
        (0..64).map(|i| (i % 3) * 0x7fff).collect(),
    ] {
        let limbs: Vec<F> = fill.into_iter().map(F::from).collect();
        let params =
            RangeCheckParams::new(vec![SegmentSpec::limbs(0, 6)], M_RANGE, M_SIGN).unwrap();
        let polys = HashMap::from([(0, limbs.clone())]);
        honest_roundtrip(&params, &[SegmentWitness::new(&limbs)], &polys);
    }
}

fn random_signed(n: usize, bits: u32, rng: &mut impl Rng) -> Vec<i64> {
    let half = 1i64 << (bits - 1);
    let mut v: Vec<i64> = (0..n).map(|_| rng.gen_range(-half..half)).collect();
    // The extremes and the neighbours of zero.
    for (i, x) in [-half, half - 1, -1, 0, 1].into_iter().enumerate() {
        if i < n {
            v[i] = x;
        }
    }
    v
}

#[test]
fn signed_values_via_limbs() {
    let mut rng = rng(3);
    for bits in [16u32, 32, 48] {
        let scheme = SignedLimbs::new(bits).unwrap();
        let n = 6;
        let values = random_signed(1 << n, bits, &mut rng);
        let limbs = scheme.decompose_all(&values).unwrap();
        let ids: Vec<usize> = (0..scheme.num_limbs()).map(|k| 10 + k).collect();
        let params =
            RangeCheckParams::new(scheme.segments(&ids, None, n).unwrap(), M_RANGE, M_SIGN)
                .unwrap();
        let polys: HashMap<_, _> = ids.iter().copied().zip(limbs.iter().cloned()).collect();
        let claims = honest_roundtrip(&params, &scheme.witness_segments(&limbs, None), &polys);
        // Limb claims → value claim at the same point, true for the value vector.
        let value = scheme
            .value_claim(&claims[..scheme.num_limbs()], 99)
            .unwrap();
        let v = MultilinearPoly::new(values.iter().map(|&x| from_i64(x)).collect()).unwrap();
        assert_eq!(v.evaluate(&value.point), value.value);
    }
}

#[test]
fn sign_column() {
    let mut rng = rng(4);
    let scheme = SignedLimbs::default();
    let n = 7;
    let values = random_signed(1 << n, 32, &mut rng);
    let limbs = scheme.decompose_all(&values).unwrap();
    let top = scheme.top_bits(&values).unwrap();
    let ids = [20usize, 21];
    let params =
        RangeCheckParams::new(scheme.segments(&ids, Some(22), n).unwrap(), M_RANGE, M_SIGN)
            .unwrap();
    assert!(params.uses_table(Table::Range) && params.uses_table(Table::Sign));
    let mut polys: HashMap<_, _> = ids.iter().copied().zip(limbs.iter().cloned()).collect();
    polys.insert(22, top.clone());
    let claims = honest_roundtrip(
        &params,
        &scheme.witness_segments(&limbs, Some(&top)),
        &polys,
    );
    // lo limb, hi limb, top bit, m, m'.
    let polys_in_order: Vec<usize> = claims.iter().map(|c| c.poly).collect();
    assert_eq!(polys_in_order, vec![20, 21, 22, M_RANGE, M_SIGN]);
    // The sign bit s = 1 − t is 1 exactly for negative values.
    let s =
        MultilinearPoly::new(values.iter().map(|&v| F::from(u64::from(v < 0))).collect()).unwrap();
    assert_eq!(
        s.evaluate(&claims[2].point),
        sign_from_top_bit(claims[2].value)
    );
    // Sign segments only: the range table is not part of the statement.
    let only =
        RangeCheckParams::new(vec![SegmentSpec::with_top_bit(21, 22, n)], M_RANGE, M_SIGN).unwrap();
    assert!(!only.uses_table(Table::Range));
    let claims = honest_roundtrip(
        &only,
        &[SegmentWitness::with_top_bits(&limbs[1], &top)],
        &polys,
    );
    assert_eq!(claims.len(), 3);
}

#[test]
fn sign_column_as_committed_by_relu() {
    // The aux layout commits s = 1 iff y < 0; look up (hi, 1 − s) directly.
    let mut rng = rng(8);
    let scheme = SignedLimbs::default();
    let n = 5;
    let values = random_signed(1 << n, 32, &mut rng);
    let limbs = scheme.decompose_all(&values).unwrap();
    let signs = scheme.signs(&values).unwrap();
    let params = RangeCheckParams::new(
        scheme.segments_with_sign(&[40, 41], 42, n).unwrap(),
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    let mut polys: HashMap<_, _> = [40usize, 41]
        .into_iter()
        .zip(limbs.iter().cloned())
        .collect();
    polys.insert(42, signs.clone());
    let claims = honest_roundtrip(
        &params,
        &scheme.witness_segments(&limbs, Some(&signs)),
        &polys,
    );
    let order: Vec<usize> = claims.iter().map(|c| c.poly).collect();
    assert_eq!(order, vec![40, 41, 42, M_RANGE, M_SIGN]);
    // A top-bit column passed as a sign column is not a valid witness.
    let top = scheme.top_bits(&values).unwrap();
    assert!(compute_multiplicities(&params, &scheme.witness_segments(&limbs, Some(&top))).is_err());
}

#[test]
fn unsigned_remainders() {
    let mut rng = rng(5);
    for bits in [1u32, 8, 15, 16, 17, 20, 32] {
        let scheme = UnsignedLimbs::new(bits).unwrap();
        let n = 5;
        let mut values: Vec<u64> = (0..1u64 << n)
            .map(|_| rng.gen_range(0..1u64 << bits))
            .collect();
        values[0] = (1u64 << bits) - 1;
        values[1] = 0;
        let limbs = scheme.decompose_all(&values).unwrap();
        let ids: Vec<usize> = (0..scheme.num_limbs()).map(|k| 30 + k).collect();
        let params =
            RangeCheckParams::new(scheme.segments(&ids, n).unwrap(), M_RANGE, M_SIGN).unwrap();
        let polys: HashMap<_, _> = ids.iter().copied().zip(limbs.iter().cloned()).collect();
        let claims = honest_roundtrip(&params, &scheme.witness_segments(&limbs), &polys);
        let value = scheme
            .value_claim(&claims[..scheme.num_limbs()], 77)
            .unwrap();
        let v = MultilinearPoly::new(values.iter().map(|&x| F::from(x)).collect()).unwrap();
        assert_eq!(v.evaluate(&value.point), value.value);
    }
}

#[test]
fn poseidon_transcript() {
    let mut rng = rng(6);
    let limbs = random_limbs(32, &mut rng);
    let params = RangeCheckParams::new(vec![SegmentSpec::limbs(0, 5)], M_RANGE, M_SIGN).unwrap();
    let segs = [SegmentWitness::new(&limbs)];
    let m = compute_multiplicities(&params, &segs).unwrap();
    let mut pt: PoseidonTranscript = transcript();
    let (proof, pclaims) = RangeCheckProver::new(&params)
        .prove(&segs, &m, &mut pt)
        .unwrap();
    let mut vt: PoseidonTranscript = transcript();
    let vclaims = RangeCheckVerifier::new(&params)
        .verify(&proof, &mut vt)
        .unwrap();
    assert_eq!(pclaims, vclaims);
}

#[test]
fn invalid_statements_and_witnesses_are_errors() {
    assert!(RangeCheckParams::new(vec![], M_RANGE, M_SIGN).is_err());
    assert!(RangeCheckParams::new(vec![SegmentSpec::scaled(0, 2, 0)], M_RANGE, M_SIGN).is_err());
    assert!(RangeCheckParams::new(vec![SegmentSpec::scaled(0, 2, 16)], M_RANGE, M_SIGN).is_err());
    assert!(RangeCheckParams::new(
        vec![SegmentSpec::limbs(0, 2), SegmentSpec::limbs(0, 3)],
        M_RANGE,
        M_SIGN
    )
    .is_err());
    assert!(RangeCheckParams::new(vec![SegmentSpec::limbs(0, 41)], M_RANGE, M_SIGN).is_err());
    // m must not share an id with a 2^2 segment.
    assert!(RangeCheckParams::new(vec![SegmentSpec::limbs(0, 2)], 0, M_SIGN).is_err());
    let params = RangeCheckParams::new(vec![SegmentSpec::limbs(0, 2)], M_RANGE, M_SIGN).unwrap();
    let short = [F::from(1u64); 3];
    assert!(matches!(
        compute_multiplicities(&params, &[SegmentWitness::new(&short)]),
        Err(GkrError::WitnessShape { .. })
    ));
    let bad = [
        F::from(1u64),
        F::from(1u64 << 16),
        F::from(0u64),
        F::from(0u64),
    ];
    assert!(matches!(
        compute_multiplicities(&params, &[SegmentWitness::new(&bad)]),
        Err(GkrError::WitnessOutOfRange {
            segment: 0,
            index: 1
        })
    ));
}

/// 2^20 limbs in four segments (release-scale; run with `--ignored`).
#[test]
#[ignore]
fn large_two_to_the_twenty() {
    let mut rng = rng(7);
    let data: Vec<Vec<F>> = (0..4).map(|_| random_limbs(1 << 18, &mut rng)).collect();
    let specs = (0..4).map(|i| SegmentSpec::limbs(i, 18)).collect();
    let params = RangeCheckParams::new(specs, M_RANGE, M_SIGN).unwrap();
    let segments: Vec<_> = data.iter().map(|d| SegmentWitness::new(d)).collect();
    let polys: HashMap<_, _> = data.iter().cloned().enumerate().collect();
    honest_roundtrip(&params, &segments, &polys);
}
