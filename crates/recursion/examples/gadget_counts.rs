//! Prints the constraint counts of the in-circuit range-check verifier and of one accumulator
//! fold (recorded in `docs/recursion.md`).
//!
//! `cargo run --release -p recursion --example gadget_counts`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/gadget_counts.rs"]
mod gadget_counts;

use gadget_counts::{fold, range_check};
use gkr::{SegmentSpec, SignedLimbs};

fn main() {
    println!("## Range check: one `Limbs` segment of 2^n limbs\n");
    println!("| n | constraints |");
    println!("|---|---|");
    for n in [0, 4, 8, 12, 16, 20] {
        println!("| {n} | {} |", range_check(vec![SegmentSpec::limbs(0, n)]));
    }

    println!(
        "\n## Range check: marginal cost of one more `Limbs` segment of 2^n (base: one of 2^12)\n"
    );
    println!("| n | constraints |");
    println!("|---|---|");
    let base = range_check(vec![SegmentSpec::limbs(0, 12)]);
    for n in [0, 4, 8, 12, 16, 20] {
        let c = range_check(vec![SegmentSpec::limbs(0, 12), SegmentSpec::limbs(1, n)]);
        println!("| {n} | {} |", c - base);
    }

    println!("\n## Range check: signed 32-bit values on 2^n entries (two limb segments)\n");
    println!("| n | limbs only | with top-bit column (sign table) | sign table |");
    println!("|---|---|---|---|");
    let scheme = SignedLimbs::default();
    for n in [4, 8, 12, 16] {
        let plain = range_check(scheme.segments(&[0, 1], None, n).unwrap());
        let signed = range_check(scheme.segments(&[0, 1], Some(2), n).unwrap());
        println!("| {n} | {plain} | {signed} | {} |", signed - plain);
    }

    println!("\n## Accumulator fold on n variables\n");
    println!("| n | C_acc, C_t, C_acc' limbs | verify | total |");
    println!("|---|---|---|---|");
    for n in [10, 16, 20] {
        let c = fold(n);
        println!("| {n} | {} | {} | {} |", c.limbs, c.verify, c.total());
    }
}
