//! Model-level tests: zoo parameter counts, bit growth, aux layout, digest, parameter layout,
//! trace invariants, plain/trace agreement, learning, and full-size steps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use nn_layers::aux::aux_segments;
use nn_layers::bits::{
    bit_growth, max_accumulator_bits, ACCUMULATOR_LIMIT_BITS, FIELD_BUDGET_BITS,
};
use nn_layers::data::{parse_mnist, synthetic_mnist_files, QuantizedDataset};
use nn_layers::fixed::rescale;
use nn_layers::kernels;
use nn_layers::{
    train_step, train_step_plain, zoo, AuxLayout, FixedConfig, LayerSpec, LayerTrace, Model,
    NnError, ParamLayout, Params, TrainConfig,
};
use std::time::Instant;

const F: FixedConfig = FixedConfig {
    frac_bits: 16,
    value_bits: 32,
};

#[test]
fn zoo_parameter_counts() {
    let mlp = zoo::mlp();
    assert_eq!(mlp.num_params(), 109_386);
    assert_eq!(
        mlp.num_params(),
        (784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)
    );
    let lenet = zoo::lenet5();
    let lenet_by_hand = (3 * 6 * 25 + 6) // conv1: 456
        + (6 * 16 * 25 + 16) // conv2: 2416
        + (16 * 8 * 8 * 120 + 120) // dense 1024->120: 123000
        + (120 * 84 + 84) // 10164
        + (84 * 10 + 10); // 850
    assert_eq!(lenet_by_hand, 136_886);
    assert_eq!(lenet.num_params(), lenet_by_hand);
    assert_eq!(lenet.output_shape(5), &[16, 8, 8]);
    let vgg = zoo::vgg11();
    let conv = |i: usize, o: usize| i * o * 9 + o;
    let vgg_by_hand = conv(3, 64)
        + conv(64, 128)
        + conv(128, 256)
        + conv(256, 256)
        + conv(256, 512)
        + conv(512, 512)
        + conv(512, 512)
        + conv(512, 512)
        + (512 * 10 + 10);
    assert_eq!(vgg_by_hand, 9_225_610);
    assert_eq!(vgg.num_params(), vgg_by_hand);
    assert_eq!(
        vgg.layers
            .iter()
            .filter(|l| **l == LayerSpec::MaxPool2)
            .count(),
        5
    );
    let s = vgg.summary();
    assert!(s.contains("total parameters: 9225610"), "{s}");
    for m in zoo::all() {
        assert_eq!(m.num_classes(), 10);
        let counts = m.param_counts();
        assert_eq!(
            counts.iter().map(|c| c.weights + c.biases).sum::<usize>(),
            m.num_params()
        );
    }
}

#[test]
fn bit_growth_within_i128_and_field_budget() {
    for m in zoo::all()
        .into_iter()
        .chain([zoo::vgg11_narrow(16).unwrap()])
    {
        for batch in [1usize, 16, 256] {
            let max = max_accumulator_bits(&m, &F, batch, 10);
            assert!(
                max <= ACCUMULATOR_LIMIT_BITS,
                "{} batch {batch}: {max} bits",
                m.name
            );
            assert!(
                max + 100 < FIELD_BUDGET_BITS,
                "{}: {max} bits leaves no margin",
                m.name
            );
            for g in bit_growth(&m, &F, batch, 10) {
                let spec = m.layers[g.layer];
                if spec.has_params() {
                    // forward: 2(B-1) + ceil(log2 fan_in) + 1 (+1 for bias and rounding)
                    let fan_in = spec.fan_in();
                    let formula = 62 + (fan_in as f64).log2().ceil() as u32 + 1;
                    let fwd = g.forward_bits.unwrap();
                    assert!(
                        fwd <= formula + 1 && fwd >= formula - 1,
                        "{fwd} vs {formula}"
                    );
                }
            }
        }
    }
    // VGG-11 at batch 16: the widest accumulator is a conv weight gradient (16·1024·2^62).
    assert_eq!(max_accumulator_bits(&zoo::vgg11(), &F, 16, 8), 78);
}

#[test]
fn aux_layout_alignment_for_zoo_models() {
    for m in zoo::all()
        .into_iter()
        .chain([zoo::vgg11_narrow(16).unwrap()])
    {
        for batch in [2usize, 16] {
            let layout = AuxLayout::for_step(&m, batch).unwrap();
            assert!(layout.total_len.is_power_of_two());
            let mut end = 0;
            let mut prev = usize::MAX;
            for s in &layout.segments {
                assert!(s.padded_len.is_power_of_two() && s.padded_len >= s.len);
                assert_eq!(s.offset % s.padded_len, 0, "{} misaligned", s.name);
                assert_eq!(s.offset, end, "segments are packed");
                assert!(s.padded_len <= prev, "descending sizes");
                assert_eq!(s.index() << s.log_len(), s.offset);
                prev = s.padded_len;
                end = s.offset + s.padded_len;
            }
            assert!(end <= layout.total_len);
            assert_eq!(layout.segments.len(), aux_segments(&m, batch).len());
        }
    }
    // generic constructor: extra segments (e.g. lookup multiplicities), errors
    let l = AuxLayout::new([("a", 3usize), ("b", 8), ("c", 1), ("m", 65536)]).unwrap();
    let names: Vec<_> = l
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.offset))
        .collect();
    assert_eq!(
        names,
        vec![("m", 0), ("b", 65536), ("a", 65544), ("c", 65548)]
    );
    assert_eq!(l.total_len, 131072);
    assert!(matches!(
        AuxLayout::new([("a", 1usize), ("a", 2)]),
        Err(NnError::DuplicateSegment { .. })
    ));
    assert!(matches!(
        AuxLayout::new([("a", 0usize)]),
        Err(NnError::EmptySegment { .. })
    ));
}

#[test]
fn architecture_digest() {
    let d = zoo::mlp().digest(&F);
    assert_eq!(d, zoo::mlp().digest(&F));
    assert_ne!(d, zoo::lenet5().digest(&F));
    assert_ne!(d, zoo::mlp().digest(&FixedConfig::new(15, 32).unwrap()));
    assert_ne!(d, zoo::mlp().digest(&FixedConfig::new(16, 31).unwrap()));
    let mut renamed = zoo::mlp();
    renamed.name = "other".into();
    assert_eq!(
        renamed.digest(&F),
        d,
        "the display name is not part of the digest"
    );
    assert_eq!(zoo::mlp().digest_hex(&F).len(), 64);
}

#[test]
fn invalid_architectures_are_rejected() {
    let bad = |input: Vec<usize>, layers: Vec<LayerSpec>| Model::new("x", input, layers).is_err();
    assert!(bad(vec![4], vec![LayerSpec::Relu]));
    assert!(bad(
        vec![4],
        vec![LayerSpec::Dense {
            inputs: 5,
            outputs: 2
        }]
    ));
    assert!(bad(
        vec![1, 5, 5],
        vec![
            LayerSpec::MaxPool2,
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 4,
                outputs: 2
            }
        ]
    ));
    assert!(bad(
        vec![1, 4, 4],
        vec![
            LayerSpec::Conv2d {
                in_channels: 1,
                out_channels: 2,
                kernel: 2
            },
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 32,
                outputs: 2
            }
        ]
    ));
    assert!(bad(
        vec![1, 4, 4],
        vec![LayerSpec::Conv2d {
            in_channels: 1,
            out_channels: 2,
            kernel: 3
        }]
    ));
    assert!(zoo::by_name("resnet").is_err());
    // serde round trip re-validates
    let m = zoo::lenet5();
    let spec: nn_layers::model::ModelSpec = m.clone().into();
    assert_eq!(Model::try_from(spec).unwrap(), m);
}

#[test]
fn canonical_parameter_layout_round_trip() {
    for m in [zoo::mlp(), zoo::lenet5()] {
        let p = Params::init_kaiming(&m, &F, 5).unwrap();
        let flat = p.flatten(&m).unwrap();
        let layout = ParamLayout::of(&m);
        assert_eq!(layout.len, m.num_params());
        assert_eq!(flat.len(), layout.padded_len);
        assert!(flat.len().is_power_of_two());
        assert_eq!(Params::unflatten(&m, &flat).unwrap(), p);
        // layer order, weight then bias, row-major
        let first = &layout.entries[0];
        assert_eq!(
            &flat[first.offset..first.offset + first.len],
            &p.layers[0].as_ref().unwrap().weight.data[..]
        );
        let mut bad = flat.clone();
        *bad.last_mut().unwrap() = 1;
        assert!(matches!(
            Params::unflatten(&m, &bad),
            Err(NnError::NonZeroPadding { .. })
        ));
        assert!(Params::unflatten(&m, &flat[1..]).is_err());
    }
}

fn small_vgg() -> Model {
    zoo::vgg11_narrow(16).unwrap()
}

fn inputs_for(m: &Model, batch: usize, seed: u64) -> (Vec<i64>, Vec<u8>) {
    let mut r = common::rng(seed);
    use rand::Rng;
    let x = (0..batch * m.input_len())
        .map(|_| r.gen_range(0..=F.one()))
        .collect();
    let y = (0..batch).map(|_| r.gen_range(0..10u8)).collect();
    (x, y)
}

/// Every recorded relation of the trace holds: rescale identities with remainders in range,
/// sign bits, one-hot selectors, pools, updates, and the aux vector assembles.
#[test]
fn trace_invariants_small_vgg_and_lenet_shaped() {
    let lenet_small = Model::new(
        "lenet-small",
        vec![3, 8, 8],
        vec![
            LayerSpec::Conv2d {
                in_channels: 3,
                out_channels: 4,
                kernel: 5,
            },
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            LayerSpec::Conv2d {
                in_channels: 4,
                out_channels: 4,
                kernel: 3,
            },
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 16,
                outputs: 8,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 8,
                outputs: 10,
            },
        ],
    )
    .unwrap();
    for m in [small_vgg(), lenet_small] {
        let batch = 2;
        let cfg = TrainConfig {
            fixed: F,
            lr_shift: 6,
        };
        let params = Params::init_kaiming(&m, &F, 3).unwrap();
        let (x, y) = inputs_for(&m, batch, 9);
        let t = train_step(&m, &params, &x, &y, &cfg).unwrap();
        let one = F.one();
        // loss gradient
        for ((g, yl), tg) in t
            .loss_grad
            .data
            .iter()
            .zip(&t.output().data)
            .zip(&t.targets.data)
        {
            assert_eq!(*g, yl - tg);
        }
        for (l, (spec, lt)) in m.layers.iter().zip(&t.layers).enumerate() {
            let a = t.layer_input(l);
            match (spec, lt) {
                (
                    &LayerSpec::Conv2d {
                        in_channels,
                        out_channels,
                        kernel,
                    },
                    LayerTrace::Conv2d(c),
                ) => {
                    let (h, w) = (a.shape[2], a.shape[3]);
                    let p = params.layers[l].as_ref().unwrap();
                    let z = kernels::conv2d_forward(
                        &a.data,
                        batch,
                        in_channels,
                        h,
                        w,
                        &p.weight.data,
                        out_channels,
                        kernel,
                    );
                    for (i, zv) in z.iter().enumerate() {
                        let zb = zv + ((p.bias.data[(i / (h * w)) % out_channels] as i128) << 16);
                        let (q, r) = (
                            c.output.quotient.data[i] as i128,
                            c.output.remainder.data[i] as i128,
                        );
                        assert_eq!(zb + (1 << 15), q * one as i128 + r);
                        assert!((0..one as i128).contains(&r));
                    }
                    let g = t.output_grad(l).unwrap();
                    assert_eq!(
                        c.weight_grad.data,
                        kernels::conv2d_weight_grad(
                            &a.data,
                            &g.data,
                            batch,
                            in_channels,
                            out_channels,
                            h,
                            w,
                            kernel
                        )
                    );
                    match &c.input_grad {
                        None => assert_eq!(l, m.first_param_layer()),
                        Some(hr) => {
                            let raw = kernels::conv2d_backward_input(
                                &g.data,
                                batch,
                                out_channels,
                                h,
                                w,
                                &p.weight.data,
                                in_channels,
                                kernel,
                            );
                            for (i, zv) in raw.iter().enumerate() {
                                assert_eq!(
                                    rescale(*zv, 16),
                                    (hr.quotient.data[i] as i128, hr.remainder.data[i])
                                );
                            }
                        }
                    }
                    // update
                    let new = t.updated.layers[l].as_ref().unwrap();
                    for i in 0..p.weight.len() {
                        let (q, r) = rescale(c.weight_grad.data[i], 16 + 6);
                        assert_eq!(
                            (q as i64, r),
                            (
                                c.weight_update.quotient.data[i],
                                c.weight_update.remainder.data[i]
                            )
                        );
                        assert_eq!(new.weight.data[i], p.weight.data[i] - q as i64);
                    }
                    for i in 0..p.bias.len() {
                        let db: i128 = (0..batch)
                            .map(|n| {
                                g.data[(n * out_channels + i) * h * w
                                    ..(n * out_channels + i + 1) * h * w]
                                    .iter()
                                    .map(|&v| v as i128)
                                    .sum::<i128>()
                            })
                            .sum();
                        assert_eq!(c.bias_grad.data[i], db);
                        let (q, _) = rescale(db, 6);
                        assert_eq!(new.bias.data[i], p.bias.data[i] - q as i64);
                    }
                }
                (LayerSpec::Relu, LayerTrace::Relu(r)) => {
                    for i in 0..a.len() {
                        assert_eq!(r.sign.data[i], (a.data[i] < 0) as i64);
                        assert_eq!(r.output.data[i], a.data[i] * (1 - r.sign.data[i]));
                        if let (Some(gi), Some(go)) = (&r.input_grad, t.output_grad(l)) {
                            assert_eq!(gi.data[i], go.data[i] * (1 - r.sign.data[i]));
                        }
                    }
                }
                (LayerSpec::MaxPool2, LayerTrace::MaxPool2(mp)) => {
                    let (h, w) = (a.shape[2], a.shape[3]);
                    let planes = a.shape[0] * a.shape[1];
                    for pl in 0..planes {
                        for yy in 0..h / 2 {
                            for xx in 0..w / 2 {
                                let o = (pl * (h / 2) + yy) * (w / 2) + xx;
                                let e = &mp.selectors.data[4 * o..4 * o + 4];
                                assert_eq!(e.iter().sum::<i64>(), 1);
                                let win = [
                                    a.data[(pl * h + 2 * yy) * w + 2 * xx],
                                    a.data[(pl * h + 2 * yy) * w + 2 * xx + 1],
                                    a.data[(pl * h + 2 * yy + 1) * w + 2 * xx],
                                    a.data[(pl * h + 2 * yy + 1) * w + 2 * xx + 1],
                                ];
                                let y: i64 = e.iter().zip(&win).map(|(e, x)| e * x).sum();
                                assert_eq!(mp.output.data[o], y);
                                assert!(win.iter().all(|&x| y - x >= 0));
                            }
                        }
                    }
                }
                (LayerSpec::AvgPool2, LayerTrace::AvgPool2(ap)) => {
                    let sums = kernels::pool_sums(
                        &a.data,
                        a.shape[0] * a.shape[1],
                        a.shape[2],
                        a.shape[3],
                    );
                    for (i, s) in sums.iter().enumerate() {
                        assert_eq!(
                            s + 2,
                            4 * ap.output.quotient.data[i] as i128
                                + ap.output.remainder.data[i] as i128
                        );
                    }
                    if let Some(gr) = &ap.grad_rescale {
                        let go = t.output_grad(l).unwrap();
                        for i in 0..go.len() {
                            assert_eq!(
                                rescale(go.data[i] as i128, 2),
                                (gr.quotient.data[i] as i128, gr.remainder.data[i])
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        // aux vector
        let layout = AuxLayout::for_step(&m, batch).unwrap();
        let values = t.aux_values(&m);
        assert_eq!(values.len(), layout.segments.len());
        let aux = layout.assemble(values).unwrap();
        assert_eq!(aux.len(), layout.total_len);
        let seg = layout.segment("l0.conv2d.fwd_q").unwrap();
        assert_eq!(
            &aux[seg.offset..seg.offset + seg.len],
            &t.layers[0].output().data[..]
        );
        // plain step computes the same integers
        let plain = train_step_plain(&m, &params, &x, &y, &cfg).unwrap();
        assert_eq!(plain.updated, t.updated);
        assert_eq!(plain.loss, t.loss);
    }
}

#[test]
fn out_of_range_values_are_clean_errors() {
    let m = zoo::mlp();
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 6,
    };
    let mut p = Params::init_kaiming(&m, &F, 1).unwrap();
    let (x, y) = inputs_for(&m, 2, 1);
    // a weight at the bound times full-scale inputs overflows the pre-activation range
    p.layers[0]
        .as_mut()
        .unwrap()
        .weight
        .data
        .iter_mut()
        .for_each(|w| *w = F.max_value());
    match train_step(&m, &p, &x, &y, &cfg) {
        Err(NnError::ValueOutOfRange { tensor, bits, .. }) => {
            assert_eq!(tensor, "l0.dense.fwd_q");
            assert_eq!(bits, 32);
        }
        other => panic!("expected ValueOutOfRange, got {:?}", other.map(|t| t.loss)),
    }
    let p = Params::init_kaiming(&m, &F, 1).unwrap();
    assert!(matches!(
        train_step(&m, &p, &x, &[0, 10], &cfg),
        Err(NnError::LabelOutOfRange { .. })
    ));
    assert!(matches!(
        train_step(&m, &p, &x[1..], &y, &cfg),
        Err(NnError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        train_step(&m, &p, &x, &y[..1], &cfg),
        Err(NnError::ShapeMismatch { .. })
    ));
    let bad_cfg = TrainConfig {
        fixed: F,
        lr_shift: 60,
    };
    assert!(matches!(
        train_step(&m, &p, &x, &y, &bad_cfg),
        Err(NnError::InvalidFixedConfig { .. })
    ));
    let mut bad_x = x.clone();
    bad_x[3] = 1 << 40;
    assert!(matches!(
        train_step(&m, &p, &bad_x, &y, &cfg),
        Err(NnError::ValueOutOfRange { .. })
    ));
    assert!(matches!(
        train_step(&zoo::lenet5(), &p, &x, &y, &cfg),
        Err(NnError::ShapeMismatch { .. })
    ));
}

#[test]
fn mlp_learns_synthetic_mnist() {
    let (img, lab) = synthetic_mnist_files(256, 7);
    let ds = QuantizedDataset::prepare(&parse_mnist(&img, &lab).unwrap(), &F, 99, None).unwrap();
    let m = zoo::mlp();
    // lr / batch = 2^-9, i.e. lr = 1/64 on the batch-mean loss (k = 7 diverges out of range).
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 9,
    };
    let mut p = Params::init_kaiming(&m, &F, 42).unwrap();
    let mut losses = Vec::new();
    for t in 0..50 {
        let b = ds.batch(t, 8).unwrap();
        let out = train_step_plain(&m, &p, b.inputs, b.labels, &cfg).unwrap();
        losses.push(out.loss);
        p = out.updated;
    }
    let first: f64 = losses[..5].iter().sum::<f64>() / 5.0;
    let last: f64 = losses[45..].iter().sum::<f64>() / 5.0;
    eprintln!("mlp loss: first5 {first:.4} last5 {last:.4}; {losses:.3?}");
    assert!(last < 0.5 * first, "loss did not fall: {first} -> {last}");
    // and it classifies held-in data well
    let all = nn_layers::predict(&m, &p, &ds.inputs[..64 * 784], &F).unwrap();
    let correct = (0..64)
        .filter(|&i| {
            let row = &all.data[i * 10..(i + 1) * 10];
            let arg = (0..10).max_by_key(|&j| row[j]).unwrap();
            arg == ds.labels[i] as usize
        })
        .count();
    assert!(correct >= 48, "accuracy {correct}/64");
}

#[test]
fn lenet5_step_batch_2() {
    let m = zoo::lenet5();
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 8,
    };
    let p = Params::init_kaiming(&m, &F, 1).unwrap();
    let (x, y) = inputs_for(&m, 2, 2);
    let t = train_step(&m, &p, &x, &y, &cfg).unwrap();
    assert_eq!(t.output().shape, vec![2, 10]);
    assert!(t.layers[0].as_linear().unwrap().input_grad.is_none());
    assert_ne!(t.updated, p);
}

#[test]
fn vgg11_step_batch_2() {
    let m = zoo::vgg11();
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 8,
    };
    let t0 = Instant::now();
    let p = Params::init_kaiming(&m, &F, 1).unwrap();
    let (x, y) = inputs_for(&m, 2, 3);
    let t1 = Instant::now();
    let out = train_step_plain(&m, &p, &x, &y, &cfg).unwrap();
    eprintln!(
        "vgg11 init {:?}, step (batch 2) {:?}",
        t1 - t0,
        t1.elapsed()
    );
    assert!(out.loss.is_finite());
    assert_eq!(out.updated.layers.len(), m.layers.len());
    out.updated.check_range(&F).unwrap();
}

/// Golden fixture: the exact integers of one step of a small VGG-shaped net. Any change to the
/// integer semantics (rescale, layer order, init, update) changes this digest and must be
/// deliberate.
#[test]
fn golden_step_digest() {
    use sha2::{Digest, Sha256};
    let m = small_vgg();
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 6,
    };
    let p = Params::init_kaiming(&m, &F, 3).unwrap();
    let (x, y) = inputs_for(&m, 2, 9);
    let t = train_step(&m, &p, &x, &y, &cfg).unwrap();
    let mut h = Sha256::new();
    for v in t.updated.flatten(&m).unwrap() {
        h.update(v.to_le_bytes());
    }
    let layout = AuxLayout::for_step(&m, 2).unwrap();
    for v in layout.assemble(t.aux_values(&m)).unwrap() {
        h.update(v.to_le_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, GOLDEN_STEP);
}

const GOLDEN_STEP: &str = "4f9f72e10eb814cf7809a639fac456f923eaf4cd6c9de787edecdbf5c3c03db4";
