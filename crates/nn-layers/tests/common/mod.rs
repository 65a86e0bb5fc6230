//! f64 reference implementation of the same network math (for tolerance and gradient checks).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use nn_layers::{FixedConfig, LayerSpec, Model, Params};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn rand_vec(r: &mut ChaCha20Rng, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    (0..n).map(|_| r.gen_range(lo..hi)).collect()
}

pub fn quant(f: &FixedConfig, x: &[f64]) -> Vec<i64> {
    x.iter().map(|&v| f.quantize(v).unwrap()).collect()
}

pub fn deq(f: &FixedConfig, x: &[i64]) -> Vec<f64> {
    x.iter().map(|&v| f.dequantize(v)).collect()
}

/// z[n][o] = Σ_i a[n][i] W[i][o] + b[o]
pub fn dense_fwd(a: &[f64], w: &[f64], b: &[f64], n: usize, inp: usize, out: usize) -> Vec<f64> {
    let mut z = vec![0.0; n * out];
    for s in 0..n {
        for o in 0..out {
            let mut acc = b[o];
            for i in 0..inp {
                acc += a[s * inp + i] * w[i * out + o];
            }
            z[s * out + o] = acc;
        }
    }
    z
}

pub fn dense_bwd_input(g: &[f64], w: &[f64], n: usize, inp: usize, out: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * inp];
    for s in 0..n {
        for i in 0..inp {
            h[s * inp + i] = (0..out).map(|o| g[s * out + o] * w[i * out + o]).sum();
        }
    }
    h
}

pub fn dense_wgrad(a: &[f64], g: &[f64], n: usize, inp: usize, out: usize) -> Vec<f64> {
    let mut dw = vec![0.0; inp * out];
    for i in 0..inp {
        for o in 0..out {
            dw[i * out + o] = (0..n).map(|s| a[s * inp + i] * g[s * out + o]).sum();
        }
    }
    dw
}

fn at(x: &[f64], _c: usize, h: usize, w: usize, ci: usize, y: isize, xx: isize) -> f64 {
    if y < 0 || xx < 0 || y >= h as isize || xx >= w as isize {
        0.0
    } else {
        x[(ci * h + y as usize) * w + xx as usize]
    }
}

/// Direct-definition conv: z[n][o][y][x] = Σ a[n][c][y+i-p][x+j-p] W[o][c][i][j] + b[o].
#[allow(clippy::too_many_arguments)]
pub fn conv_fwd(
    a: &[f64],
    wt: &[f64],
    b: &[f64],
    n: usize,
    c: usize,
    o: usize,
    h: usize,
    w: usize,
    k: usize,
) -> Vec<f64> {
    let p = ((k - 1) / 2) as isize;
    let mut z = vec![0.0; n * o * h * w];
    for s in 0..n {
        let img = &a[s * c * h * w..(s + 1) * c * h * w];
        for oc in 0..o {
            for y in 0..h {
                for x in 0..w {
                    let mut acc = b[oc];
                    for ci in 0..c {
                        for i in 0..k {
                            for j in 0..k {
                                let v = at(
                                    img,
                                    c,
                                    h,
                                    w,
                                    ci,
                                    y as isize + i as isize - p,
                                    x as isize + j as isize - p,
                                );
                                acc += v * wt[((oc * c + ci) * k + i) * k + j];
                            }
                        }
                    }
                    z[((s * o + oc) * h + y) * w + x] = acc;
                }
            }
        }
    }
    z
}

/// h[n][c][y][x] = Σ_{o,i,j} g[n][o][y-i+p][x-j+p] W[o][c][i][j].
#[allow(clippy::too_many_arguments)]
pub fn conv_bwd_input(
    g: &[f64],
    wt: &[f64],
    n: usize,
    c: usize,
    o: usize,
    h: usize,
    w: usize,
    k: usize,
) -> Vec<f64> {
    let p = ((k - 1) / 2) as isize;
    let mut out = vec![0.0; n * c * h * w];
    for s in 0..n {
        let gi = &g[s * o * h * w..(s + 1) * o * h * w];
        for ci in 0..c {
            for y in 0..h {
                for x in 0..w {
                    let mut acc = 0.0;
                    for oc in 0..o {
                        for i in 0..k {
                            for j in 0..k {
                                let v = at(
                                    gi,
                                    o,
                                    h,
                                    w,
                                    oc,
                                    y as isize - i as isize + p,
                                    x as isize - j as isize + p,
                                );
                                acc += v * wt[((oc * c + ci) * k + i) * k + j];
                            }
                        }
                    }
                    out[((s * c + ci) * h + y) * w + x] = acc;
                }
            }
        }
    }
    out
}

/// dW[o][c][i][j] = Σ_{n,y,x} g[n][o][y][x] a[n][c][y+i-p][x+j-p].
#[allow(clippy::too_many_arguments)]
pub fn conv_wgrad(
    a: &[f64],
    g: &[f64],
    n: usize,
    c: usize,
    o: usize,
    h: usize,
    w: usize,
    k: usize,
) -> Vec<f64> {
    let p = ((k - 1) / 2) as isize;
    let mut dw = vec![0.0; o * c * k * k];
    for oc in 0..o {
        for ci in 0..c {
            for i in 0..k {
                for j in 0..k {
                    let mut acc = 0.0;
                    for s in 0..n {
                        let img = &a[s * c * h * w..(s + 1) * c * h * w];
                        for y in 0..h {
                            for x in 0..w {
                                acc += g[((s * o + oc) * h + y) * w + x]
                                    * at(
                                        img,
                                        c,
                                        h,
                                        w,
                                        ci,
                                        y as isize + i as isize - p,
                                        x as isize + j as isize - p,
                                    );
                            }
                        }
                    }
                    dw[((oc * c + ci) * k + i) * k + j] = acc;
                }
            }
        }
    }
    dw
}

/// f64 parameters: per layer (weight, bias) in our layouts.
pub type FParams = Vec<Option<(Vec<f64>, Vec<f64>)>>;

pub fn fparams(f: &FixedConfig, p: &Params) -> FParams {
    p.layers
        .iter()
        .map(|l| {
            l.as_ref()
                .map(|l| (deq(f, &l.weight.data), deq(f, &l.bias.data)))
        })
        .collect()
}

/// f64 forward of the whole model; returns the output scores [n][classes].
pub fn model_fwd(m: &Model, p: &FParams, x: &[f64], n: usize) -> Vec<f64> {
    let mut a = x.to_vec();
    for (l, spec) in m.layers.iter().enumerate() {
        let ins = m.layer_input_shape(l).to_vec();
        a = match *spec {
            LayerSpec::Dense { inputs, outputs } => {
                let (w, b) = p[l].as_ref().unwrap();
                dense_fwd(&a, w, b, n, inputs, outputs)
            }
            LayerSpec::Conv2d {
                in_channels,
                out_channels,
                kernel,
            } => {
                let (w, b) = p[l].as_ref().unwrap();
                conv_fwd(
                    &a,
                    w,
                    b,
                    n,
                    in_channels,
                    out_channels,
                    ins[1],
                    ins[2],
                    kernel,
                )
            }
            LayerSpec::Relu => a.iter().map(|&v| v.max(0.0)).collect(),
            LayerSpec::AvgPool2 | LayerSpec::MaxPool2 => {
                let (c, h, w) = (ins[0], ins[1], ins[2]);
                let mut out = vec![0.0; n * c * (h / 2) * (w / 2)];
                for pl in 0..n * c {
                    for y in 0..h / 2 {
                        for x in 0..w / 2 {
                            let v = [
                                a[(pl * h + 2 * y) * w + 2 * x],
                                a[(pl * h + 2 * y) * w + 2 * x + 1],
                                a[(pl * h + 2 * y + 1) * w + 2 * x],
                                a[(pl * h + 2 * y + 1) * w + 2 * x + 1],
                            ];
                            out[(pl * (h / 2) + y) * (w / 2) + x] = if *spec == LayerSpec::MaxPool2
                            {
                                v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                            } else {
                                v.iter().sum::<f64>() / 4.0
                            };
                        }
                    }
                }
                out
            }
            LayerSpec::Flatten => a,
        };
    }
    a
}

/// ½ Σ (y - onehot)² (the loss whose gradient the integer step computes, summed over the batch).
pub fn model_loss(m: &Model, p: &FParams, x: &[f64], labels: &[u8]) -> f64 {
    let n = labels.len();
    let y = model_fwd(m, p, x, n);
    let c = m.num_classes();
    let mut s = 0.0;
    for (i, &l) in labels.iter().enumerate() {
        for j in 0..c {
            let t = if j == l as usize { 1.0 } else { 0.0 };
            let d = y[i * c + j] - t;
            s += 0.5 * d * d;
        }
    }
    s
}
