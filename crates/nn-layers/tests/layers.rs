//! Layer-level tests: the rescale rule, exact kernels against direct definitions, integer layers
//! against an f64 reference within justified tolerances, pools, and finite-difference gradient
//! checks of the whole integer step on tiny networks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_arguments)]

mod common;

use common::*;
use nn_layers::fixed::{rescale, rescale_checked};
use nn_layers::kernels;
use nn_layers::{train_step, FixedConfig, LayerSpec, Model, NnError, Params, TrainConfig};
use rand::Rng;

const F: FixedConfig = FixedConfig {
    frac_bits: 16,
    value_bits: 32,
};

#[test]
fn rescale_rule_properties() {
    let mut r = rng(1);
    for _ in 0..20_000 {
        let s: u32 = r.gen_range(1..=45);
        let z: i128 = match r.gen_range(0..4) {
            0 => r.gen_range(-(1i128 << 80)..(1i128 << 80)),
            1 => r.gen_range(-1000..1000),
            // exact halves: (2m+1)·2^(s-1)
            2 => (2 * r.gen_range(-(1i128 << 30)..(1i128 << 30)) + 1) << (s - 1),
            _ => r.gen_range(-(1i128 << 40)..(1i128 << 40)) << s,
        };
        let (q, rem) = rescale(z, s);
        let half = 1i128 << (s - 1);
        assert_eq!(z + half, q * (1i128 << s) + rem as i128, "z={z} s={s}");
        assert!(rem >= 0 && (rem as i128) < (1i128 << s));
        // floor division toward -inf of z + half
        assert_eq!(q, (z + half).div_euclid(1i128 << s));
    }
    // exact halves round up, for negative z too
    assert_eq!(rescale(-(1 << 15), 16).0, 0); // -0.5 -> 0
    assert_eq!(rescale(1 << 15, 16).0, 1); // 0.5 -> 1
    assert_eq!(rescale(-3 << 15, 16).0, -1); // -1.5 -> -1
    assert_eq!(rescale(-(1 << 15) - 1, 16), (-1, (1 << 16) - 1)); // just below -0.5 -> -1
                                                                  // agrees with floor(x + 1/2) on doubles where exact
    for z in -5000i128..5000 {
        let want = ((z as f64) / 16.0 + 0.5).floor() as i128;
        assert_eq!(rescale(z, 4).0, want);
    }
}

#[test]
fn rescale_checked_reports_out_of_range() {
    let f = F;
    let big = (f.max_value() as i128 + 1) << 16;
    let z = vec![0i128, 5 << 16, big, -big];
    match rescale_checked(&z, 16, &f, "t") {
        Err(NnError::ValueOutOfRange {
            tensor,
            index,
            value,
            bits,
        }) => {
            assert_eq!((tensor.as_str(), index, bits), ("t", 2, 32));
            assert_eq!(value, f.max_value() as i128 + 1);
        }
        other => panic!("expected out of range, got {other:?}"),
    }
    // the most negative value is allowed, one less is not
    let lo = (f.min_value() as i128) << 16;
    assert!(rescale_checked(&[lo], 16, &f, "t").is_ok());
    assert!(rescale_checked(&[lo - (1 << 16)], 16, &f, "t").is_err());
}

fn naive_abt(a: &[i64], b: &[i64], m: usize, n: usize, k: usize) -> Vec<i128> {
    let mut out = vec![0i128; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k)
                .map(|t| a[i * k + t] as i128 * b[j * k + t] as i128)
                .sum();
        }
    }
    out
}

#[test]
fn matmul_exact_in_both_accumulator_paths() {
    let mut r = rng(2);
    for &(m, n, k) in &[
        (3, 5, 7),
        (4, 9, 1),
        (1, 1, 33),
        (6, 4, 64),
        (37, 7, 600),
        (70, 9, 257),
    ] {
        // small values -> f64 path; medium -> i64 path; extreme values -> i128 path
        for &lim in &[1000i64, 1 << 28, F.max_value()] {
            let a: Vec<i64> = (0..m * k).map(|_| r.gen_range(-lim..=lim)).collect();
            let mut b: Vec<i64> = (0..n * k).map(|_| r.gen_range(-lim..=lim)).collect();
            b[0] = F.min_value();
            assert_eq!(
                kernels::matmul_abt(&a, &b, m, n, k),
                naive_abt(&a, &b, m, n, k)
            );
        }
    }
    use kernels::AccPath;
    assert_eq!(AccPath::choose(1 << 20, 1 << 20, 1 << 12), AccPath::F64);
    assert_eq!(AccPath::choose(1 << 20, 1 << 20, 1 << 13), AccPath::I64);
    assert_eq!(AccPath::choose(1 << 31, 1 << 31, 2), AccPath::I128);
    // exactness at the f64 boundary: partial sums just below 2^53
    let a = vec![(1i64 << 26) - 1; 8];
    let b = vec![(1i64 << 24) - 1; 8];
    assert_eq!(
        AccPath::choose((1 << 26) - 1, (1 << 24) - 1, 8),
        AccPath::F64
    );
    assert_eq!(
        kernels::matmul_abt(&a, &b, 1, 1, 8),
        naive_abt(&a, &b, 1, 1, 8)
    );
    // all-extreme operands: the sum needs ~2(B-1)+log2(k) bits, beyond i64
    let k = 64;
    let a = vec![F.min_value(); k];
    let b = vec![F.min_value(); k];
    assert_eq!(kernels::matmul_abt(&a, &b, 1, 1, k)[0], (k as i128) << 62);
}

fn ints(r: &mut rand_chacha::ChaCha20Rng, n: usize, lim: i64) -> Vec<i64> {
    (0..n).map(|_| r.gen_range(-lim..=lim)).collect()
}

fn as_f(x: &[i64]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

fn as_i(x: &[f64]) -> Vec<i128> {
    x.iter().map(|&v| v as i128).collect()
}

/// Conv kernels equal the direct index formulas exactly (integers, evaluated in f64 where every
/// sum is below 2^53 and hence exact).
#[test]
fn conv_kernels_match_index_formulas() {
    let mut r = rng(3);
    for &(n, c, o, h, w, k) in &[
        (2, 3, 4, 5, 6, 3),
        (1, 2, 3, 4, 4, 5),
        (2, 1, 2, 3, 3, 1),
        (1, 2, 2, 2, 2, 3),
    ] {
        let a = ints(&mut r, n * c * h * w, 1 << 16);
        let wt = ints(&mut r, o * c * k * k, 1 << 16);
        let g = ints(&mut r, n * o * h * w, 1 << 16);
        let zero = vec![0.0; o];
        assert_eq!(
            kernels::conv2d_forward(&a, n, c, h, w, &wt, o, k),
            as_i(&conv_fwd(&as_f(&a), &as_f(&wt), &zero, n, c, o, h, w, k))
        );
        assert_eq!(
            kernels::conv2d_backward_input(&g, n, o, h, w, &wt, c, k),
            as_i(&conv_bwd_input(&as_f(&g), &as_f(&wt), n, c, o, h, w, k))
        );
        assert_eq!(
            kernels::conv2d_weight_grad(&a, &g, n, c, o, h, w, k),
            as_i(&conv_wgrad(&as_f(&a), &as_f(&g), n, c, o, h, w, k))
        );
    }
}

/// Bilinearity across accumulator paths: scaling both operands by 2^14 moves the conv kernels
/// from the f64 path to the i64/i128 paths and must scale every output by exactly 2^28.
#[test]
fn conv_kernels_agree_across_accumulator_paths() {
    let mut r = rng(31);
    let (n, c, o, h, w, k) = (2, 8, 5, 6, 6, 3);
    let a = ints(&mut r, n * c * h * w, 1 << 16);
    let wt = ints(&mut r, o * c * k * k, 1 << 16);
    let g = ints(&mut r, n * o * h * w, 1 << 16);
    let up = |x: &[i64]| x.iter().map(|v| v << 14).collect::<Vec<i64>>();
    let scaled = |x: Vec<i128>| x.into_iter().map(|v| v << 28).collect::<Vec<i128>>();
    assert_eq!(
        kernels::conv2d_forward(&up(&a), n, c, h, w, &up(&wt), o, k),
        scaled(kernels::conv2d_forward(&a, n, c, h, w, &wt, o, k))
    );
    assert_eq!(
        kernels::conv2d_backward_input(&up(&g), n, o, h, w, &up(&wt), c, k),
        scaled(kernels::conv2d_backward_input(&g, n, o, h, w, &wt, c, k))
    );
    assert_eq!(
        kernels::conv2d_weight_grad(&up(&a), &up(&g), n, c, o, h, w, k),
        scaled(kernels::conv2d_weight_grad(&a, &g, n, c, o, h, w, k))
    );
}

#[test]
fn dense_kernels_match_index_formulas() {
    let mut r = rng(4);
    let (n, i, o) = (3, 7, 5);
    let a = ints(&mut r, n * i, 1 << 16);
    let w = ints(&mut r, i * o, 1 << 16);
    let g = ints(&mut r, n * o, 1 << 16);
    assert_eq!(
        kernels::dense_forward(&a, n, i, &w, o),
        as_i(&dense_fwd(&as_f(&a), &as_f(&w), &vec![0.0; o], n, i, o))
    );
    assert_eq!(
        kernels::dense_backward_input(&g, n, o, &w, i),
        as_i(&dense_bwd_input(&as_f(&g), &as_f(&w), n, i, o))
    );
    assert_eq!(
        kernels::dense_weight_grad(&a, &g, n, i, o),
        as_i(&dense_wgrad(&as_f(&a), &as_f(&g), n, i, o))
    );
}

/// Tolerance for comparing a rescaled integer sum of `terms` products `x·w` (each operand with
/// magnitude <= 1 quantized with error <= 2^-(F+1)) against the exact real sum:
/// quantization contributes `|x̂ŵ - xw| <= (|x| + |ŵ|)·2^-(F+1) <= 2^-F` per term, the bias
/// `2^-(F+1)`, and the final rescale `2^-(F+1)`: total `(terms + 1)·2^-F`.
fn tol(terms: usize) -> f64 {
    (terms as f64 + 1.0) / 65536.0
}

#[test]
fn dense_layer_vs_f64_reference() {
    let mut r = rng(5);
    let (n, i, o) = (4, 50, 12);
    let x = rand_vec(&mut r, n * i, -1.0, 1.0);
    let w = rand_vec(&mut r, i * o, -1.0, 1.0);
    let b = rand_vec(&mut r, o, -1.0, 1.0);
    let g = rand_vec(&mut r, n * o, -1.0, 1.0);
    let (xq, wq, bq, gq) = (quant(&F, &x), quant(&F, &w), quant(&F, &b), quant(&F, &g));
    // forward: y = rescale(x·W + b·2^F, F)
    let mut z = kernels::dense_forward(&xq, n, i, &wq, o);
    for (idx, v) in z.iter_mut().enumerate() {
        *v += (bq[idx % o] as i128) << 16;
    }
    let (y, _) = rescale_checked(&z, 16, &F, "y").unwrap();
    let yref = dense_fwd(&x, &w, &b, n, i, o);
    for (a, e) in y.iter().zip(&yref) {
        assert!((F.dequantize(*a) - e).abs() <= tol(i), "{a} vs {e}");
    }
    // backward input: h = rescale(g·Wᵀ, F)
    let (h, _) = rescale_checked(
        &kernels::dense_backward_input(&gq, n, o, &wq, i),
        16,
        &F,
        "h",
    )
    .unwrap();
    for (a, e) in h.iter().zip(dense_bwd_input(&g, &w, n, i, o)) {
        assert!((F.dequantize(*a) - e).abs() <= tol(o));
    }
    // weight gradient at scale 2^(2F), no rescale: tolerance n·2^-F (+ rounding of nothing)
    let dw = kernels::dense_weight_grad(&xq, &gq, n, i, o);
    for (a, e) in dw.iter().zip(dense_wgrad(&x, &g, n, i, o)) {
        assert!((*a as f64 / 2f64.powi(32) - e).abs() <= tol(n));
    }
}

#[test]
fn conv_layer_vs_f64_reference() {
    let mut r = rng(6);
    let (n, c, o, h, w, k) = (2, 3, 4, 6, 6, 3);
    let x = rand_vec(&mut r, n * c * h * w, -1.0, 1.0);
    let wt = rand_vec(&mut r, o * c * k * k, -1.0, 1.0);
    let g = rand_vec(&mut r, n * o * h * w, -1.0, 1.0);
    let (xq, wq, gq) = (quant(&F, &x), quant(&F, &wt), quant(&F, &g));
    let (y, _) = rescale_checked(
        &kernels::conv2d_forward(&xq, n, c, h, w, &wq, o, k),
        16,
        &F,
        "y",
    )
    .unwrap();
    for (a, e) in y
        .iter()
        .zip(conv_fwd(&x, &wt, &vec![0.0; o], n, c, o, h, w, k))
    {
        assert!((F.dequantize(*a) - e).abs() <= tol(c * k * k));
    }
    let (hh, _) = rescale_checked(
        &kernels::conv2d_backward_input(&gq, n, o, h, w, &wq, c, k),
        16,
        &F,
        "h",
    )
    .unwrap();
    for (a, e) in hh.iter().zip(conv_bwd_input(&g, &wt, n, c, o, h, w, k)) {
        assert!((F.dequantize(*a) - e).abs() <= tol(o * k * k));
    }
    let dw = kernels::conv2d_weight_grad(&xq, &gq, n, c, o, h, w, k);
    for (a, e) in dw.iter().zip(conv_wgrad(&x, &g, n, c, o, h, w, k)) {
        assert!((*a as f64 / 2f64.powi(32) - e).abs() <= tol(n * h * w));
    }
}

#[test]
fn maxpool_tie_breaking_and_routing() {
    // one plane 2x4: two windows
    // window 0: all equal -> first; window 1: max 7 at (0,1) and (1,1) -> (0,1) = index 1
    let x = vec![3, 3, 1, 7, 3, 3, -2, 7];
    let (y, sel) = kernels::maxpool_forward(&x, 1, 2, 4);
    assert_eq!(y, vec![3, 7]);
    assert_eq!(sel, vec![1, 0, 0, 0, 0, 1, 0, 0]);
    // negative values, tie at (1,0),(1,1) -> index 2
    let x = vec![-9, -8, -5, -5];
    let (y, sel) = kernels::maxpool_forward(&x, 1, 2, 2);
    assert_eq!((y, sel), (vec![-5], vec![0, 0, 1, 0]));
    // backward routes to the selected input only
    let (_, sel) = kernels::maxpool_forward(&[3, 3, 1, 7, 3, 3, -2, 7], 1, 2, 4);
    let g = kernels::maxpool_backward(&[10, -20], &sel, 1, 2, 4);
    assert_eq!(g, vec![10, 0, 0, -20, 0, 0, 0, 0]);
}

#[test]
fn avgpool_rounds_half_up_with_remainders() {
    // sums: 2 (0.5 -> 1), -2 (-0.5 -> 0), -6 (-1.5 -> -1), 5 (1.25 -> 1)
    let x = vec![1, 1, -1, -1, 0, 0, 0, 0, -3, -3, 2, 3, 0, 0, 0, 0];
    let sums = kernels::pool_sums(&x, 1, 4, 4);
    assert_eq!(sums, vec![2, -2, -6, 5]);
    let (q, r) = rescale_checked(&sums, 2, &F, "p").unwrap();
    assert_eq!(q, vec![1, 0, -1, 1]);
    assert_eq!(r, vec![0, 0, 0, 3]);
    assert_eq!(
        kernels::pool_broadcast(&[1, 2, 3, 4], 1, 4, 4),
        vec![1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]
    );
}

#[test]
fn relu_sign_convention_shared_by_both_passes() {
    // model: dense(2,3) -> relu -> dense(3,2); pick weights so the pre-activations are -1, 0, 1.
    let m = Model::new(
        "t",
        vec![2],
        vec![
            LayerSpec::Dense {
                inputs: 2,
                outputs: 3,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 3,
                outputs: 2,
            },
        ],
    )
    .unwrap();
    let mut p = Params::zeros(&m);
    let one = F.one();
    let l0 = p.layers[0].as_mut().unwrap();
    l0.weight.data = vec![-one, 0, one, 0, 0, 0]; // [in][out]: y = (-x0, 0, x0)
    let l2 = p.layers[2].as_mut().unwrap();
    l2.weight.data = vec![one, one, one, one, one, one];
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 4,
    };
    let t = train_step(&m, &p, &[one, 0], &[0], &cfg).unwrap();
    let nn_layers::LayerTrace::Relu(relu) = &t.layers[1] else {
        panic!()
    };
    assert_eq!(relu.sign.data, vec![1, 0, 0]); // y = 0 has sign 0
    assert_eq!(relu.output.data, vec![0, 0, one]);
    let h = t.output_grad(1).unwrap();
    let g = relu.input_grad.as_ref().unwrap();
    for j in 0..3 {
        assert_eq!(g.data[j], h.data[j] * (1 - relu.sign.data[j]));
    }
}

/// Finite-difference check of the integer weight and bias gradients on a tiny model: the
/// integer `dW / 2^(2F)` must match the derivative of `½ Σ (y - onehot)²` (f64 model at the
/// dequantized parameters). Tolerance: each rescale rounds by at most `2^-(F+1) ≈ 7.6e-6`;
/// through a few layers of fan-in <= 27 with unit-scale values this stays below ~1e-3 absolute.
fn finite_difference_check(m: &Model, n: usize, seed: u64) {
    let mut r = rng(seed);
    let cfg = TrainConfig {
        fixed: F,
        lr_shift: 0,
    };
    let mut params = Params::init_kaiming(m, &F, seed).unwrap();
    for l in params.layers.iter_mut().flatten() {
        l.bias.data = quant(&F, &rand_vec(&mut r, l.bias.len(), -0.2, 0.2));
    }
    let x = quant(&F, &rand_vec(&mut r, n * m.input_len(), -1.0, 1.0));
    let labels: Vec<u8> = (0..n)
        .map(|_| r.gen_range(0..m.num_classes() as u8))
        .collect();
    let t = train_step(m, &params, &x, &labels, &cfg).unwrap();
    let xf = deq(&F, &x);
    let base = fparams(&F, &params);
    let eps = 1e-4;
    let mut checked = 0;
    let mut nontrivial = 0;
    for (l, lt) in t.layers.iter().enumerate() {
        let Some(lin) = lt.as_linear() else { continue };
        for which in 0..2 {
            let len = if which == 0 {
                lin.weight_grad.data.len()
            } else {
                lin.bias_grad.data.len()
            };
            for _ in 0..6 {
                let idx = r.gen_range(0..len);
                let fd = {
                    let mut p = base.clone();
                    let v = p[l].as_mut().unwrap();
                    let slot = if which == 0 {
                        &mut v.0[idx]
                    } else {
                        &mut v.1[idx]
                    };
                    *slot += eps;
                    let lp = model_loss(m, &p, &xf, &labels);
                    let v = p[l].as_mut().unwrap();
                    let slot = if which == 0 {
                        &mut v.0[idx]
                    } else {
                        &mut v.1[idx]
                    };
                    *slot -= 2.0 * eps;
                    let lm = model_loss(m, &p, &xf, &labels);
                    (lp - lm) / (2.0 * eps)
                };
                let got = if which == 0 {
                    lin.weight_grad.data[idx] as f64 / 2f64.powi(32)
                } else {
                    lin.bias_grad.data[idx] as f64 / 65536.0
                };
                assert!(
                    (got - fd).abs() <= 1e-3 + 1e-3 * fd.abs(),
                    "layer {l} {} [{idx}]: integer {got} vs finite difference {fd}",
                    if which == 0 { "weight" } else { "bias" }
                );
                checked += 1;
                nontrivial += (fd.abs() > 1e-2) as usize;
            }
        }
    }
    assert!(checked >= 12);
    assert!(
        nontrivial >= checked / 3,
        "too few nonzero gradients: {nontrivial}/{checked}"
    );
}

#[test]
fn gradient_check_mlp() {
    let m = Model::new(
        "tiny-mlp",
        vec![6],
        vec![
            LayerSpec::Dense {
                inputs: 6,
                outputs: 5,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 5,
                outputs: 4,
            },
            LayerSpec::Relu,
            LayerSpec::Dense {
                inputs: 4,
                outputs: 3,
            },
        ],
    )
    .unwrap();
    finite_difference_check(&m, 4, 11);
}

#[test]
fn gradient_check_conv_maxpool() {
    let m = Model::new(
        "tiny-conv-max",
        vec![2, 6, 6],
        vec![
            LayerSpec::Conv2d {
                in_channels: 2,
                out_channels: 3,
                kernel: 3,
            },
            LayerSpec::Relu,
            LayerSpec::MaxPool2,
            LayerSpec::Conv2d {
                in_channels: 3,
                out_channels: 2,
                kernel: 3,
            },
            LayerSpec::Relu,
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 18,
                outputs: 4,
            },
        ],
    )
    .unwrap();
    finite_difference_check(&m, 3, 12);
}

#[test]
fn gradient_check_conv_avgpool() {
    let m = Model::new(
        "tiny-conv-avg",
        vec![1, 4, 4],
        vec![
            LayerSpec::Conv2d {
                in_channels: 1,
                out_channels: 3,
                kernel: 5,
            },
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            LayerSpec::Flatten,
            LayerSpec::Dense {
                inputs: 12,
                outputs: 3,
            },
        ],
    )
    .unwrap();
    finite_difference_check(&m, 4, 13);
}
