//! Peak memory (and wall time) of one plain or traced training step.
//!
//! `cargo run --release -p nn-layers --example step_memory -- <mlp|lenet5|vgg11> [batch] [--trace]`
//!
//! Runs one step in a fresh process and prints the resident-set high-water mark (`VmHWM` from
//! `/proc/self/status`, Linux only) before and after the step.

use nn_layers::{train_step, train_step_plain, zoo, FixedConfig, Params, TrainConfig};
use std::time::Instant;

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map_or("mlp", String::as_str);
    let batch: usize = args.get(1).and_then(|b| b.parse().ok()).unwrap_or(16);
    let trace = args.iter().any(|a| a == "--trace");
    let model = zoo::by_name(name)?;
    let fixed = FixedConfig::default();
    let cfg = TrainConfig { fixed, lr_shift: 8 };
    let params = Params::init_kaiming(&model, &fixed, 1)?;
    let inputs: Vec<i64> = (0..model.input_len() * batch)
        .map(|i| ((i as i64 * 2654435761) % 65537).abs())
        .collect();
    let labels: Vec<u8> = (0..batch).map(|i| (i % 10) as u8).collect();
    let before = vm_hwm_kib().unwrap_or(0);
    let t = Instant::now();
    let loss = if trace {
        train_step(&model, &params, &inputs, &labels, &cfg)?.loss
    } else {
        train_step_plain(&model, &params, &inputs, &labels, &cfg)?.loss
    };
    let dt = t.elapsed();
    let after = vm_hwm_kib().unwrap_or(0);
    println!(
        "model={name} batch={batch} mode={} step_s={:.3} loss={loss:.4} vm_hwm_before_mib={:.1} vm_hwm_after_mib={:.1}",
        if trace { "trace" } else { "plain" },
        dt.as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    Ok(())
}
