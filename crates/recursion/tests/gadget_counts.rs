//! Golden constraint counts of the range-check and claim-folding gadgets (circuit-size fixture:
//! an unintended change of either circuit shows up here). `examples/gadget_counts.rs` prints the
//! tables recorded in `docs/recursion.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/gadget_counts.rs"]
mod gadget_counts;

use gadget_counts::{fold, range_check};
use gkr::{SegmentSpec, SignedLimbs};

/// One Poseidon permutation on a variable state.
const PERMUTATION: usize = 271;
/// One degree-2 sumcheck round, transcript included (`docs/recursion.md`).
const ROUND_DEGREE_2: usize = 544;

#[test]
fn range_check_counts() {
    assert_eq!(range_check(vec![SegmentSpec::limbs(0, 0)]), 121_595);
    let four = range_check(vec![SegmentSpec::limbs(0, 4)]);
    assert_eq!(four, 126_796);
    // One more segment of 2^4 limbs next to it.
    let two = range_check(vec![SegmentSpec::limbs(0, 4), SegmentSpec::limbs(1, 4)]);
    assert_eq!(two - four, 4_926);
    // Signed 32-bit values with their top-bit column: the sign table's tree comes in.
    let scheme = SignedLimbs::default();
    assert_eq!(
        range_check(scheme.segments(&[0, 1], Some(2), 4).unwrap()),
        153_544
    );
}

#[test]
fn fold_counts() {
    let ten = fold(10);
    // Three points as witness limbs: two canonical coordinates each, 513 constraints per
    // coordinate (`transcript::enforce_limbs_below_modulus`).
    assert_eq!(ten.limbs, 3 * 2 * 513);
    assert_eq!(ten.verify, 12_080);
    // Each variable: one degree-2 round, two more absorbed claim coordinates (one
    // permutation), two more factors in each eq.
    let eleven = fold(11);
    assert_eq!(eleven.verify - ten.verify, ROUND_DEGREE_2 + PERMUTATION + 4);
}
