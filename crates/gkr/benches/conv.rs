//! Criterion benches of the convolution relations (see `docs/conv.md`).
//!
//! `cargo bench -p gkr --bench conv`. One VGG-11-like layer slice: batch 1, 64→64 channels,
//! 32×32, k = 3. "plain" is the integer convolution (the reference `i128` loop, and a flat
//! `i64` loop over the same padded layouts); "prove"/"verify" run both stages (prover from the
//! field tensors, Merlin transcript) for the forward relation, the input gradient and the
//! weight gradient.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use ark_ff::UniformRand;
use criterion::{criterion_group, criterion_main, Criterion};
use gkr::relations::conv::*;
use rand::{Rng, SeedableRng};
use sumcheck::field::from_i64;
use sumcheck::{MerlinTranscript, Transcript, F};

fn transcript() -> MerlinTranscript {
    let mut t = MerlinTranscript::new(b"bench");
    t.append_bytes(b"commitments", b"c");
    t
}

/// Plain forward convolution, `i64` accumulation, same layouts.
fn plain_forward(s: &ConvShape, a: &[i64], w: &[i64], z: &mut [i64]) {
    let (c_in, c_out, h, wd, k) = (
        s.in_channels as usize,
        s.out_channels as usize,
        s.height as usize,
        s.width as usize,
        s.kernel as usize,
    );
    let p = k / 2;
    for o in 0..c_out {
        for c in 0..c_in {
            for dy in 0..k {
                for dx in 0..k {
                    let wv = w[s.weight_index(o, c, dy, dx)];
                    for y in 0..h {
                        let Some(yi) = (y + dy).checked_sub(p).filter(|v| *v < h) else {
                            continue;
                        };
                        let zrow = s.output_index(0, o, y, 0);
                        let arow = s.input_index(0, c, yi, 0);
                        for x in 0..wd {
                            if let Some(xi) = (x + dx).checked_sub(p).filter(|v| *v < wd) {
                                z[zrow + x] += wv * a[arow + xi];
                            }
                        }
                    }
                }
            }
        }
    }
}

fn bench_conv(c: &mut Criterion) {
    let s = ConvShape::new(1, 64, 64, 32, 32, 3).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let a: Vec<i64> = (0..1usize << s.input_vars())
        .map(|_| rng.gen_range(-(1 << 17)..1 << 17))
        .collect();
    let mut w: Vec<i64> = vec![0; 1 << s.weight_vars()];
    for o in 0..64 {
        for ci in 0..64 {
            for dy in 0..3 {
                for dx in 0..3 {
                    w[s.weight_index(o, ci, dy, dx)] = rng.gen_range(-(1 << 14)..1 << 14);
                }
            }
        }
    }
    let g: Vec<i64> = (0..1usize << s.output_vars())
        .map(|_| rng.gen_range(-(1 << 17)..1 << 17))
        .collect();
    let (af, wf, gf): (Vec<F>, Vec<F>, Vec<F>) = (
        a.iter().map(|v| from_i64(*v)).collect(),
        w.iter().map(|v| from_i64(*v)).collect(),
        g.iter().map(|v| from_i64(*v)).collect(),
    );
    let mut grp = c.benchmark_group("conv_64x64_32x32_k3");
    grp.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(300));
    grp.bench_function("plain_i64_forward", |b| {
        b.iter(|| {
            let mut z = vec![0i64; 1 << s.output_vars()];
            plain_forward(&s, black_box(&a), black_box(&w), &mut z);
            z
        })
    });
    for (name, rel, first, second, vars) in [
        ("forward", ConvRelation::Forward, &wf, &af, s.output_vars()),
        (
            "input_grad",
            ConvRelation::InputGrad,
            &wf,
            &gf,
            s.input_vars(),
        ),
        (
            "weight_grad",
            ConvRelation::WeightGrad,
            &gf,
            &af,
            s.weight_vars(),
        ),
    ] {
        let point: Vec<F> = (0..vars).map(|_| F::rand(&mut rng)).collect();
        grp.bench_function(format!("prove_{name}"), |b| {
            b.iter(|| prove_conv(rel, s, first, second, point.clone(), &mut transcript()).unwrap())
        });
        let (proof, claim, _) =
            prove_conv(rel, s, first, second, point.clone(), &mut transcript()).unwrap();
        println!("{name}: proof {} bytes", proof.to_bytes().len());
        grp.bench_function(format!("verify_{name}"), |b| {
            b.iter(|| verify_conv(rel, s, point.clone(), claim, &proof, &mut transcript()).unwrap())
        });
    }
    grp.finish();
}

criterion_group!(benches, bench_conv);
criterion_main!(benches);
