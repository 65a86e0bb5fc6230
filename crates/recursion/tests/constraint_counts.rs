//! Golden constraint counts of the in-circuit sumcheck verifier (circuit-size fixture: an
//! unintended change of the circuit shows up here). `examples/constraint_counts.rs` prints the
//! full table recorded in `docs/recursion.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::counts::{measure, per_round, Inst};

/// Constraints of one Poseidon permutation (width 3, α = 5, 8 full + 57 partial rounds) once
/// its state is variable: `3·(8·3 + 57)` S-box multiplications and `2·14` materializations
/// (`recursion::poseidon_gadget`).
const PERMUTATION: usize = 271;

#[test]
fn per_round_counts() {
    let got: Vec<usize> = (1..=5).map(per_round).collect();
    assert_eq!(got, [543, 544, 816, 817, 1089]);
    // ⌈(D + 2)/2⌉ permutations (D + 1 absorbed elements, the challenge header, one squeeze)
    // plus D multiplications for the Horner evaluation.
    for d in 1..=5 {
        assert_eq!(per_round(d), PERMUTATION * ((d + 3) / 2) + d, "degree {d}");
    }
    // Every round after the first costs the same.
    let rounds = |n| measure(&[Inst::Product { k: 3, n }]).rounds;
    assert_eq!(rounds(5) - rounds(4), rounds(12) - rounds(11));
}

#[test]
fn per_instance_counts() {
    let p2 = measure(&[Inst::Product { k: 2, n: 8 }]);
    assert_eq!((p2.rounds, p2.final_absorb, p2.final_check), (4888, 271, 2));
    let z3 = measure(&[Inst::ZeroCheck { k: 3, n: 8 }]);
    assert_eq!(
        (z3.tau, z3.rounds, z3.final_absorb, z3.final_check),
        (2433, 6807, 271, 19)
    );
    // Final check of a zero-check on n variables: eq (2n - 1), the product of k evaluations
    // (k - 1), eq·g (1), the final equality (1).
    assert_eq!(z3.final_check, (2 * 8 - 1) + 2 + 1 + 1);
    let batch = measure(&[
        Inst::Product { k: 2, n: 3 },
        Inst::ZeroCheck { k: 3, n: 8 },
        Inst::Product { k: 3, n: 1 },
        Inst::ZeroCheck { k: 2, n: 5 },
    ]);
    assert_eq!(batch.total(), 13615);
}
