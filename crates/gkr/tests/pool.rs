//! Pools (`gkr::relations::pool`): brute-force claims, and negative tests (two selector ones, a
//! selector on a non-maximum, a wrong avg-pool remainder, tampered and byte-flipped proofs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_ff::{BigInteger, One, PrimeField, UniformRand, Zero};
use gkr::relations::pool::*;
use gkr::{GkrError, UnsignedLimbs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sumcheck::field::from_i64;
use sumcheck::mle::index_to_point;
use sumcheck::{MerlinTranscript, MultilinearPoly, Transcript, F};

fn transcript() -> MerlinTranscript {
    let mut t = MerlinTranscript::new(b"pool-test");
    t.append_bytes(b"commitments", b"c");
    t
}

fn fe(v: &[i64]) -> Vec<F> {
    v.iter().map(|x| from_i64(*x)).collect()
}

fn mle_i(v: &[i64], point: &[F]) -> F {
    MultilinearPoly::new(fe(v)).unwrap().evaluate(point)
}

fn rand_point(rng: &mut ChaCha20Rng, n: usize) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

/// Random input (small range so windows have ties), zero on padding.
fn rand_input(s: &PoolShape, rng: &mut ChaCha20Rng) -> Vec<i64> {
    let mut x = vec![0i64; 1 << s.input_vars()];
    for b in 0..s.batch as usize {
        for c in 0..s.channels as usize {
            for y in 0..s.height as usize {
                for xx in 0..s.width as usize {
                    x[s.input_index(b, c, y, xx)] = rng.gen_range(-20..20);
                }
            }
        }
    }
    x
}

/// A stand-in for the PCS opening of a claim against the committed tensor.
fn open(tensor: &[i64], claim: &PoolClaim) -> Result<(), &'static str> {
    if mle_i(tensor, &claim.point) == claim.value {
        Ok(())
    } else {
        Err("opening does not match the commitment")
    }
}

fn shapes() -> Vec<PoolShape> {
    vec![
        PoolShape::new(2, 3, 8, 8).unwrap(),
        PoolShape::new(1, 2, 6, 10).unwrap(),
        PoolShape::new(1, 1, 2, 2).unwrap(),
    ]
}

#[test]
fn less_than_mle_matches_brute_force() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for len in 0..5usize {
        for n in 0..=(1u64 << len) + 1 {
            let table: Vec<F> = (0..1u64 << len)
                .map(|v| if v < n { F::one() } else { F::zero() })
                .collect();
            let r = rand_point(&mut rng, len);
            let want = MultilinearPoly::new(table).unwrap().evaluate(&r);
            assert_eq!(less_than_mle(n, &r), want, "n={n} len={len}");
        }
    }
}

#[test]
fn avg_pool_forward_and_backward_claims() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for s in shapes() {
        let x = rand_input(&s, &mut rng);
        let (y, r) = avg_pool_forward_witness(&s, &x);
        let p = rand_point(&mut rng, s.output_vars());
        let (ye, re) = (mle_i(&y, &p), mle_i(&r, &p));
        let xp = avg_pool_input_point(&s, &p).unwrap();
        check_avg_pool_forward(&s, &p, ye, re, mle_i(&x, &xp)).unwrap();
        let c = avg_pool_forward_input_claim(&s, &p, ye, re).unwrap();
        open(&x, &c).unwrap();
        assert!(r.iter().all(|v| (0..4).contains(v)));

        // backward: g_in[window t] = q
        let g_out: Vec<i64> = y.iter().map(|v| v * 3 - 1).collect();
        let g_out = {
            // zero on padding
            let mut g = vec![0i64; g_out.len()];
            for b in 0..s.batch as usize {
                for ch in 0..s.channels as usize {
                    for i in 0..s.height as usize / 2 {
                        for j in 0..s.width as usize / 2 {
                            let k = s.output_index(b, ch, i, j);
                            g[k] = g_out[k] + 7;
                        }
                    }
                }
            }
            g
        };
        let (q, rho) = avg_pool_backward_witness(&s, &g_out);
        let mut g_in = vec![0i64; x.len()];
        for b in 0..s.batch as usize {
            for ch in 0..s.channels as usize {
                for yy in 0..s.height as usize {
                    for xx in 0..s.width as usize {
                        g_in[s.input_index(b, ch, yy, xx)] =
                            q[s.output_index(b, ch, yy / 2, xx / 2)];
                    }
                }
            }
        }
        let r_in = rand_point(&mut rng, s.input_vars());
        let qc = avg_pool_backward_quotient_claim(&s, &r_in, mle_i(&g_in, &r_in)).unwrap();
        open(&q, &qc).unwrap();
        let gc =
            avg_pool_backward_output_grad_claim(&s, &qc.point, qc.value, mle_i(&rho, &qc.point))
                .unwrap();
        open(&g_out, &gc).unwrap();
    }
}

#[test]
fn avg_pool_wrong_remainder_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let s = PoolShape::new(2, 3, 8, 8).unwrap();
    let x = rand_input(&s, &mut rng);
    let (y, r) = avg_pool_forward_witness(&s, &x);
    let k = s.output_index(1, 2, 3, 1);
    let p = rand_point(&mut rng, s.output_vars());
    let xe = mle_i(&x, &avg_pool_input_point(&s, &p).unwrap());
    // A remainder off by one breaks the identity.
    let mut r1 = r.clone();
    r1[k] = (r1[k] + 1) % 4;
    assert!(check_avg_pool_forward(&s, &p, mle_i(&y, &p), mle_i(&r1, &p), xe).is_err());
    let c = avg_pool_forward_input_claim(&s, &p, mle_i(&y, &p), mle_i(&r1, &p)).unwrap();
    assert!(open(&x, &c).is_err());
    // A remainder moved out of [0, 4) with the quotient compensating keeps the identity, and
    // fails the 2-bit range-check obligation.
    let (mut y2, mut r2) = (y.clone(), r.clone());
    y2[k] -= 1;
    r2[k] += 4;
    check_avg_pool_forward(&s, &p, mle_i(&y2, &p), mle_i(&r2, &p), xe).unwrap();
    let limbs = UnsignedLimbs::new(2).unwrap();
    assert!(matches!(
        limbs.decompose(r2[k] as u64),
        Err(GkrError::ValueOutOfRange { .. })
    ));
    // Wrong point dimension: an error, not a panic.
    assert!(check_avg_pool_forward(&s, &p[1..], F::zero(), F::zero(), F::zero()).is_err());
}

fn in_range_u32(v: F) -> bool {
    let bytes = v.into_bigint().to_bytes_le();
    bytes[4..].iter().all(|b| *b == 0)
}

#[test]
fn max_pool_honest() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for s in shapes() {
        let x = rand_input(&s, &mut rng);
        let w = max_pool_witness(&s, &x);
        let p = rand_point(&mut rng, s.output_vars());
        let (proof, y_claim, claims) =
            prove_max_pool(&s, &fe(&x), &fe(&w.sel), p.clone(), &mut transcript()).unwrap();
        assert_eq!(y_claim, mle_i(&w.y, &p));
        let out = verify_max_pool(&s, p, y_claim, &proof, &mut transcript()).unwrap();
        assert_eq!(out, claims);
        for c in &claims {
            let t = match c.tensor {
                PoolTensor::Input => &x,
                PoolTensor::Selector => &w.sel,
                PoolTensor::Diff => &w.diff,
                PoolTensor::Output => &w.y,
                other => panic!("unexpected {other:?}"),
            };
            open(t, c).unwrap();
        }
        assert!(w.diff.iter().all(|d| in_range_u32(from_i64(*d))));
        assert_eq!(MaxPoolProof::from_bytes(&proof.to_bytes()).unwrap(), proof);

        // backward
        let g_out: Vec<i64> = w.y.iter().map(|v| 2 * v + 1).collect();
        let mut g_in = vec![0i64; x.len()];
        for b in 0..s.batch as usize {
            for ch in 0..s.channels as usize {
                for i in 0..s.height as usize / 2 {
                    for j in 0..s.width as usize / 2 {
                        for t in 0..4 {
                            g_in[s.input_index(b, ch, 2 * i + t / 2, 2 * j + t % 2)] = w.sel
                                [s.window_index(b, ch, i, j, t)]
                                * g_out[s.output_index(b, ch, i, j)];
                        }
                    }
                }
            }
        }
        let r_in = rand_point(&mut rng, s.input_vars());
        let (bp, claim, bc) =
            prove_max_pool_backward(&s, &fe(&w.sel), &fe(&g_out), &r_in, &mut transcript())
                .unwrap();
        assert_eq!(claim, mle_i(&g_in, &r_in));
        let out = verify_max_pool_backward(&s, &r_in, claim, &bp, &mut transcript()).unwrap();
        assert_eq!(out, bc);
        open(&w.sel, &bc[0]).unwrap();
        open(&g_out, &bc[1]).unwrap();
        // a wrong g_in entry
        let mut bad = g_in.clone();
        bad[s.input_index(0, 0, 1, 0)] += 1;
        assert!(
            verify_max_pool_backward(&s, &r_in, mle_i(&bad, &r_in), &bp, &mut transcript())
                .is_err()
        );
        let bytes = bp.to_bytes();
        for _ in 0..32 {
            let mut b = bytes.clone();
            let i = rng.gen_range(0..b.len());
            b[i] ^= 1 << rng.gen_range(0..8);
            if let Ok(p2) = MaxPoolBackwardProof::from_bytes(&b) {
                assert!(
                    verify_max_pool_backward(&s, &r_in, claim, &p2, &mut transcript()).is_err()
                );
            }
        }
    }
}

fn window_with_distinct_values(s: &PoolShape, x: &mut [i64]) -> (usize, usize, usize, usize) {
    let (b, c, i, j) = (1, 2, 2, 3);
    for t in 0..4 {
        x[s.input_index(b, c, 2 * i + t / 2, 2 * j + t % 2)] = 10 * t as i64 - 5;
    }
    (b, c, i, j)
}

#[test]
fn max_pool_two_ones_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let s = PoolShape::new(2, 3, 8, 8).unwrap();
    let mut x = rand_input(&s, &mut rng);
    let (b, c, i, j) = window_with_distinct_values(&s, &mut x);
    let w = max_pool_witness(&s, &x);
    let mut sel = w.sel.clone();
    sel[s.window_index(b, c, i, j, 0)] = 1; // a second one
    let p = rand_point(&mut rng, s.output_vars());
    let honest_y = mle_i(&w.y, &p);
    let (proof, y_claim, claims) =
        prove_max_pool(&s, &fe(&x), &fe(&sel), p.clone(), &mut transcript()).unwrap();
    assert_ne!(y_claim, honest_y);
    // Against the committed y the selection sumcheck fails...
    assert!(verify_max_pool(&s, p.clone(), honest_y, &proof, &mut transcript()).is_err());
    // ...and even with the prover's own y value, the one-hot claim does not open.
    let out = verify_max_pool(&s, p, y_claim, &proof, &mut transcript()).unwrap();
    assert_eq!(out, claims);
    let onehot = &claims[3];
    assert!(open(&sel, &claims[0]).is_ok());
    assert_eq!(onehot.tensor, PoolTensor::Selector);
    assert!(open(&sel, onehot).is_err());
}

#[test]
fn max_pool_non_binary_selector_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let s = PoolShape::new(2, 3, 8, 8).unwrap();
    let mut x = rand_input(&s, &mut rng);
    let (b, c, i, j) = window_with_distinct_values(&s, &mut x);
    let w = max_pool_witness(&s, &x);
    // Σ e = 1 still holds with (2, −1): only booleanity catches it.
    let mut sel = w.sel.clone();
    sel[s.window_index(b, c, i, j, 3)] = 2;
    sel[s.window_index(b, c, i, j, 2)] = -1;
    let p = rand_point(&mut rng, s.output_vars());
    let (proof, y_claim, claims) =
        prove_max_pool(&s, &fe(&x), &fe(&sel), p.clone(), &mut transcript()).unwrap();
    // The booleanity zero-check's claim is 0 only for a boolean e: the proof fails.
    let res = verify_max_pool(&s, p, y_claim, &proof, &mut transcript());
    assert!(
        res.is_err()
            || claims
                .iter()
                .any(|cl| cl.tensor == PoolTensor::Selector && open(&sel, cl).is_err())
    );
    assert!(res.is_err());
}

#[test]
fn max_pool_selector_on_non_maximum_fails_range_obligation() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let s = PoolShape::new(2, 3, 8, 8).unwrap();
    let mut x = rand_input(&s, &mut rng);
    let (b, c, i, j) = window_with_distinct_values(&s, &mut x);
    let mut w = max_pool_witness(&s, &x);
    // point at t = 1 (value 5) instead of the maximum t = 3 (value 25)
    for t in 0..4 {
        w.sel[s.window_index(b, c, i, j, t)] = i64::from(t == 1);
    }
    let yv = x[s.input_index(b, c, 2 * i, 2 * j + 1)];
    w.y[s.output_index(b, c, i, j)] = yv;
    for t in 0..4 {
        w.diff[s.window_index(b, c, i, j, t)] =
            yv - x[s.input_index(b, c, 2 * i + t / 2, 2 * j + t % 2)];
    }
    let p = rand_point(&mut rng, s.output_vars());
    let (proof, y_claim, claims) =
        prove_max_pool(&s, &fe(&x), &fe(&w.sel), p.clone(), &mut transcript()).unwrap();
    assert_eq!(y_claim, mle_i(&w.y, &p));
    // Every algebraic relation holds: the sumcheck verifies and all claims open...
    let out = verify_max_pool(&s, p, y_claim, &proof, &mut transcript()).unwrap();
    for cl in &out {
        let t = match cl.tensor {
            PoolTensor::Input => &x,
            PoolTensor::Selector => &w.sel,
            PoolTensor::Diff => &w.diff,
            PoolTensor::Output => &w.y,
            other => panic!("unexpected {other:?}"),
        };
        open(t, cl).unwrap();
    }
    assert_eq!(out, claims);
    // ...but the obligation `d ≥ 0` does not: d = 5 − 25 = −20 is the field element p − 20,
    // which has no 32-bit unsigned limb decomposition.
    let d = w.diff[s.window_index(b, c, i, j, 3)];
    assert_eq!(d, -20);
    let df = from_i64(d);
    assert!(!in_range_u32(df));
    let limbs = UnsignedLimbs::new(32).unwrap();
    assert!(w.diff.iter().any(|v| u64::try_from(*v)
        .map_err(|_| ())
        .and_then(|u| limbs.decompose(u).map_err(|_| ()))
        .is_err()));
}

#[test]
fn max_pool_tampered_proofs_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let s = PoolShape::new(2, 3, 8, 8).unwrap();
    let x = rand_input(&s, &mut rng);
    let w = max_pool_witness(&s, &x);
    let p = rand_point(&mut rng, s.output_vars());
    let (proof, y_claim, _) =
        prove_max_pool(&s, &fe(&x), &fe(&w.sel), p.clone(), &mut transcript()).unwrap();
    let verify = |pr: &MaxPoolProof| verify_max_pool(&s, p.clone(), y_claim, pr, &mut transcript());
    let one = F::one();
    let n = proof.sumcheck.round_polys.len();
    let mut cases = Vec::new();
    for round in [0, n / 2, n - 2, n - 1] {
        let mut pr = proof.clone();
        pr.sumcheck.round_polys[round].coeffs_except_linear[1] += one;
        cases.push(pr);
    }
    let mut pr = proof.clone();
    pr.bool_evals[0] += one;
    cases.push(pr);
    for k in 0..2 {
        let mut pr = proof.clone();
        pr.select_evals[k] += one;
        cases.push(pr);
    }
    let mut pr = proof.clone();
    pr.y_at_r += one;
    assert!(
        verify(&pr).is_ok(),
        "y_at_r is an opening claim, checked by the caller"
    );
    let mut pr = proof.clone();
    pr.select_evals.pop();
    cases.push(pr);
    let mut pr = proof.clone();
    pr.sumcheck.round_polys.truncate(n - 1);
    cases.push(pr);
    for (k, c) in cases.iter().enumerate() {
        assert!(verify(c).is_err(), "case {k} accepted");
    }
    assert!(verify_max_pool(&s, p[1..].to_vec(), y_claim, &proof, &mut transcript()).is_err());
    assert!(verify_max_pool(&s, p.clone(), y_claim + one, &proof, &mut transcript()).is_err());
    let bytes = proof.to_bytes();
    for _ in 0..64 {
        let mut b = bytes.clone();
        let i = rng.gen_range(0..b.len());
        b[i] ^= 1 << rng.gen_range(0..8);
        if let Ok(pr) = MaxPoolProof::from_bytes(&b) {
            // Either the verifier rejects, or (a flip inside `y_at_r`) an opening fails.
            if let Ok(cl) = verify(&pr) {
                let c = cl.iter().find(|c| c.tensor == PoolTensor::Output).unwrap();
                assert!(open(&w.y, c).is_err(), "flipped byte {i} accepted");
            }
        }
    }
    assert!(MaxPoolProof::from_bytes(&[bytes.as_slice(), &[1]].concat()).is_err());
    assert!(verify(&MaxPoolProof::default()).is_err());
    // invalid shapes are errors
    assert!(PoolShape::new(1, 1, 3, 4).is_err());
    let mut bad = s;
    bad.height = 0;
    assert!(verify_max_pool(&bad, p, y_claim, &proof, &mut transcript()).is_err());
    let _ = index_to_point(0, 1);
}
