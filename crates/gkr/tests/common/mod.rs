//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use gkr::*;
use rand::{Rng, SeedableRng};
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

pub fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(seed)
}

/// A transcript in the state the caller hands over: statement and commitments absorbed.
pub fn transcript<T: Transcript>() -> T {
    let mut t = T::new(b"gkr-range-check-test");
    t.append_bytes(b"test_commitments", b"commitments to limbs and m");
    t
}

pub fn merlin() -> MerlinTranscript {
    transcript()
}

/// Random 16-bit limbs as field elements.
pub fn random_limbs(n: usize, rng: &mut impl Rng) -> Vec<F> {
    (0..n).map(|_| F::from(rng.gen::<u16>())).collect()
}

/// Every claim must be a true evaluation of the polynomial with its id.
pub fn assert_claims_true(polys: &HashMap<usize, Vec<F>>, claims: &[EvalClaim]) {
    for c in claims {
        let v = polys
            .get(&c.poly)
            .unwrap_or_else(|| panic!("claim on unknown poly {}", c.poly));
        let p = MultilinearPoly::new(v.clone()).unwrap();
        assert_eq!(p.evaluate(&c.point), c.value, "claim on poly {}", c.poly);
    }
}

/// Prove with the real prover, verify; return the proof, and the verifier's result.
pub fn prove_and_verify(
    params: &RangeCheckParams,
    segments: &[SegmentWitness<'_>],
    m: &Multiplicities,
) -> (
    RangeCheckProof,
    Vec<EvalClaim>,
    Result<Vec<EvalClaim>, GkrError>,
) {
    let mut pt = merlin();
    let (proof, pclaims) = RangeCheckProver::new(params)
        .prove(segments, m, &mut pt)
        .unwrap();
    let mut vt = merlin();
    let res = RangeCheckVerifier::new(params).verify(&proof, &mut vt);
    (proof, pclaims, res)
}

/// Honest run: multiplicities, proof, verification, claims true. Returns the claims.
pub fn honest_roundtrip(
    params: &RangeCheckParams,
    segments: &[SegmentWitness<'_>],
    polys: &HashMap<usize, Vec<F>>,
) -> Vec<EvalClaim> {
    let m = compute_multiplicities(params, segments).unwrap();
    let (proof, pclaims, res) = prove_and_verify(params, segments, &m);
    let vclaims = res.unwrap();
    assert_eq!(pclaims, vclaims);
    let mut polys = polys.clone();
    for t in [Table::Range, Table::Sign] {
        if params.uses_table(t) {
            polys.insert(params.multiplicity_poly(t), m.get(t).to_vec());
        }
    }
    assert_claims_true(&polys, &vclaims);
    // Wire format round trip.
    let bytes = proof.to_bytes();
    assert_eq!(RangeCheckProof::from_bytes(&bytes).unwrap(), proof);
    vclaims
}

/// Ids used by the tests for the multiplicity vectors.
pub const M_RANGE: usize = 1000;
pub const M_SIGN: usize = 1001;
