//! Prints the constraint counts of the in-circuit batched sumcheck verifier (Poseidon transcript
//! included): per round by degree, per instance by kind, and a few whole batches.
//!
//! `cargo run -p recursion --example constraint_counts`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/counts.rs"]
mod counts;

use counts::{measure, per_round, Inst};

fn main() {
    println!("## Per round (single instance; transcript + round evaluation)\n");
    println!("| degree D | constraints per round |");
    println!("|---|---|");
    for d in 1..=5 {
        println!("| {d} | {} |", per_round(d));
    }

    println!("\n## Single instances, 8 variables\n");
    println!("| instance | degree | tau | rounds | final absorb | final check | total |");
    println!("|---|---|---|---|---|---|---|");
    let kinds = [
        ("product k=2", Inst::Product { k: 2, n: 8 }, 2),
        ("product k=3", Inst::Product { k: 3, n: 8 }, 3),
        ("zero-check k=2", Inst::ZeroCheck { k: 2, n: 8 }, 3),
        ("zero-check k=3", Inst::ZeroCheck { k: 3, n: 8 }, 4),
    ];
    for (name, inst, d) in kinds {
        let b = measure(&[inst]);
        println!(
            "| {name} | {d} | {} | {} | {} | {} | {} |",
            b.tau,
            b.rounds,
            b.final_absorb,
            b.final_check,
            b.total()
        );
    }

    println!("\n## Marginal cost of one more instance in a batch (base: product k=2, n=8)\n");
    println!("| added instance | tau | rounds | final absorb | final check | total |");
    println!("|---|---|---|---|---|---|");
    let base = Inst::Product { k: 2, n: 8 };
    let b0 = measure(&[base, base]);
    for (name, inst) in [
        ("product k=2, n=8", Inst::Product { k: 2, n: 8 }),
        ("product k=2, n=3", Inst::Product { k: 2, n: 3 }),
        ("zero-check k=2, n=8", Inst::ZeroCheck { k: 2, n: 8 }),
        ("zero-check k=2, n=3", Inst::ZeroCheck { k: 2, n: 3 }),
    ] {
        let b = measure(&[base, base, inst]);
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            b.tau - b0.tau,
            b.rounds - b0.rounds,
            b.final_absorb - b0.final_absorb,
            b.final_check - b0.final_check,
            b.total() - b0.total()
        );
    }

    println!("\n## Whole batches\n");
    println!("| batch | N | D | total |");
    println!("|---|---|---|---|");
    let batches: [(&str, Vec<Inst>); 3] = [
        (
            "product k=2 n=3, product k=3 n=5",
            vec![Inst::Product { k: 2, n: 3 }, Inst::Product { k: 3, n: 5 }],
        ),
        (
            "product k=2 n=3, zero-check k=3 n=8, product k=3 n=1, zero-check k=2 n=5",
            vec![
                Inst::Product { k: 2, n: 3 },
                Inst::ZeroCheck { k: 3, n: 8 },
                Inst::Product { k: 3, n: 1 },
                Inst::ZeroCheck { k: 2, n: 5 },
            ],
        ),
        (
            "zero-check k=2 n=20 (a 2^20 layer)",
            vec![Inst::ZeroCheck { k: 2, n: 20 }],
        ),
    ];
    for (name, insts) in batches {
        let n = insts
            .iter()
            .map(|i| match *i {
                Inst::Product { n, .. } | Inst::ZeroCheck { n, .. } => n,
            })
            .max()
            .unwrap_or(0);
        let d = insts
            .iter()
            .map(|i| match *i {
                Inst::Product { k, .. } => k,
                Inst::ZeroCheck { k, .. } => k + 1,
            })
            .max()
            .unwrap_or(1);
        println!("| {name} | {n} | {d} | {} |", measure(&insts).total());
    }
}
