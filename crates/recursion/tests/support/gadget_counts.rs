//! Constraint counts of the range-check and claim-folding gadgets, measured on circuits
//! synthesized in setup mode (shapes only, no witness). Shared by `tests/gadget_counts.rs` and
//! `examples/gadget_counts.rs`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ark_bn254::G1Affine;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use gkr::{RangeCheckParams, RangeCheckProof, SegmentSpec};
use recursion::accumulator::{
    self, AccumulatorClaim, AccumulatorClaimVar, FoldProof, FoldProofVar,
};
use recursion::range_gadget::{RangeCheckProofVar, RangeCheckVerifierVar};
use recursion::{G1LimbsVar, PoseidonTranscriptVar};
use sumcheck::F;

fn none<T>() -> Result<T, SynthesisError> {
    Err(SynthesisError::AssignmentMissing)
}

/// A setup-mode constraint system and a transcript whose state is variable (as after absorbing
/// the statement's commitments).
fn setup() -> (ConstraintSystemRef<F>, PoseidonTranscriptVar) {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let mut t = PoseidonTranscriptVar::new(cs.clone(), b"counts").unwrap();
    let seed = FpVar::new_input(cs.clone(), none::<F>).unwrap();
    t.append_field(b"statement", &seed).unwrap();
    (cs, t)
}

/// Constraints of the in-circuit range-check verifier of `segments` (proof as witnesses; the
/// allocation of the proof costs nothing).
pub fn range_check(segments: Vec<SegmentSpec>) -> usize {
    let params = RangeCheckParams::new(segments, 1000, 1001).unwrap();
    let (cs, mut t) = setup();
    let c0 = cs.num_constraints();
    let proof =
        RangeCheckProofVar::new_witness(cs.clone(), &params, none::<RangeCheckProof>).unwrap();
    assert_eq!(cs.num_constraints(), c0);
    RangeCheckVerifierVar::new(&params)
        .verify(&proof, &mut t)
        .unwrap();
    cs.num_constraints() - c0
}

/// Constraints of one accumulator fold on `n` variables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FoldCounts {
    /// Allocating `C_acc`, `C_t` and `C_acc'` as witness limbs (128-bit range checks).
    pub limbs: usize,
    /// [`accumulator::verify_gadget`]: transcript, sumcheck, `eq`s, `ρ`'s bits, `v'`.
    pub verify: usize,
}

impl FoldCounts {
    pub fn total(&self) -> usize {
        self.limbs + self.verify
    }
}

pub fn fold(n: usize) -> FoldCounts {
    let (cs, mut t) = setup();
    let c0 = cs.num_constraints();
    let acc = AccumulatorClaimVar::new_witness(cs.clone(), n, none::<AccumulatorClaim>).unwrap();
    let new = AccumulatorClaimVar::new_witness(cs.clone(), n, none::<AccumulatorClaim>).unwrap();
    let proof = FoldProofVar::new_witness(cs.clone(), n, none::<FoldProof>).unwrap();
    let c_out = G1LimbsVar::new_witness(cs.clone(), none::<G1Affine>).unwrap();
    let c1 = cs.num_constraints();
    accumulator::verify_gadget(&acc, &new, &proof, c_out, &mut t).unwrap();
    FoldCounts {
        limbs: c1 - c0,
        verify: cs.num_constraints() - c1,
    }
}
