//! Plots the flat-size / flat-time table of a folded-training measurement (the markdown written by
//! `cargo run --release -p recursion --example folded_training -- --out FILE.md`): two SVG charts
//! next to it, `FILE-size.svg` (final proof size against iterations) and `FILE-verify.svg`
//! (verification time, all cores and one core).
//!
//! `cargo run -p zkpot-cli --example fold_plot -- FILE.md`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zkpot_cli::svg::lines;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: fold_plot RESULTS.md");
    let text = std::fs::read_to_string(&path).expect("read the results");
    // Rows of the checkpoint table: | iterations | bytes | decider s | verify ms | verify ms (1 core) |
    let mut rows: Vec<(String, f64, f64, f64)> = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("| iterations | final proof") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 5 {
            break;
        }
        let num = |i: usize| cells[i].parse::<f64>().expect("a number");
        rows.push((cells[0].to_string(), num(1) / 1000.0, num(3), num(4)));
    }
    assert!(!rows.is_empty(), "no checkpoint table in {path}");
    let cats: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let stem = path.trim_end_matches(".md");
    let size = lines(
        "final proof size vs iterations",
        "KB",
        &cats,
        &[("final proof", rows.iter().map(|r| r.1).collect())],
    );
    std::fs::write(format!("{stem}-size.svg"), size).expect("write");
    let time = lines(
        "verification time vs iterations",
        "ms",
        &cats,
        &[
            ("all cores", rows.iter().map(|r| r.2).collect()),
            ("one core", rows.iter().map(|r| r.3).collect()),
        ],
    );
    std::fs::write(format!("{stem}-verify.svg"), time).expect("write");
    println!("wrote {stem}-size.svg and {stem}-verify.svg");
}
