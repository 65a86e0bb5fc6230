//! Prints every zoo model's layer table, parameter counts, digest, bit growth and aux layout size.
//!
//! `cargo run -p nn-layers --example zoo_summary [batch]`

use nn_layers::bits::{bit_growth, max_accumulator_bits};
use nn_layers::{zoo, AuxLayout, FixedConfig, ParamLayout};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let batch: usize = std::env::args()
        .nth(1)
        .and_then(|b| b.parse().ok())
        .unwrap_or(16);
    let fixed = FixedConfig::default();
    let k = 8;
    for m in zoo::all() {
        print!("{}", m.summary());
        println!("digest (F=16, B=32): {}", m.digest_hex(&fixed));
        let pl = ParamLayout::of(&m);
        println!("param vector: {} (padded {})", pl.len, pl.padded_len);
        let aux = AuxLayout::for_step(&m, batch)?;
        let used: usize = aux.segments.iter().map(|s| s.len).sum();
        println!(
            "aux vector at batch {batch}: {} segments, {used} values, total_len 2^{}",
            aux.segments.len(),
            aux.num_vars()
        );
        println!("| layer | kind | forward | backward | dW | db |");
        println!("|---|---|---|---|---|---|");
        let show = |b: Option<u32>| b.map_or("—".to_string(), |b| b.to_string());
        for g in bit_growth(&m, &fixed, batch, k) {
            if g.max_bits() == 0 {
                continue;
            }
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                g.layer,
                g.kind,
                show(g.forward_bits),
                show(g.backward_bits),
                show(g.weight_grad_bits),
                show(g.bias_grad_bits)
            );
        }
        println!(
            "max accumulator bits (batch {batch}, k = {k}): {}\n",
            max_accumulator_bits(&m, &fixed, batch, k)
        );
    }
    Ok(())
}
