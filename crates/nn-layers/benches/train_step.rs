//! Plain fixed-point training-step time (the denominator of the prover-overhead ratio).
//!
//! `cargo bench -p nn-layers --bench train_step`

use criterion::{criterion_group, criterion_main, Criterion};
use nn_layers::{train_step_plain, zoo, FixedConfig, Params, TrainConfig};
use std::hint::black_box;
use std::time::Duration;

const BATCH: usize = 16;

fn bench(c: &mut Criterion) {
    let fixed = FixedConfig::default();
    let cfg = TrainConfig { fixed, lr_shift: 8 };
    let mut group = c.benchmark_group("train_step_plain_b16");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for model in zoo::all() {
        let Ok(params) = Params::init_kaiming(&model, &fixed, 1) else {
            continue;
        };
        let n = model.input_len() * BATCH;
        // Deterministic pseudo-image inputs in [0, 2^F].
        let inputs: Vec<i64> = (0..n)
            .map(|i| ((i as i64 * 2654435761) % 65537).abs())
            .collect();
        let labels: Vec<u8> = (0..BATCH).map(|i| (i % 10) as u8).collect();
        group.bench_function(&model.name, |b| {
            b.iter(|| {
                let out = train_step_plain(&model, &params, &inputs, &labels, &cfg);
                black_box(out.is_ok())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
