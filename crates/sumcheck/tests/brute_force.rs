//! Every instance against brute force, over several sizes (2^0 .. 2^16) and degrees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_ff::{One, Zero};
use common::*;
use sumcheck::instances::matmul::MatmulDims;
use sumcheck::instances::zerocheck::draw_tau;
use sumcheck::*;

/// Prove one instance, check its round-0 polynomial and final evaluations against brute force,
/// and verify.
fn run_single<P: SumcheckInstanceProver, V: SumcheckInstanceVerifier>(
    prover: &mut P,
    verifier: &V,
) -> (Vec<F>, Vec<F>) {
    let mut pt = MerlinTranscript::new(b"brute");
    let (proof, r, evals) =
        prove_batched(&mut [prover as &mut dyn SumcheckInstanceProver], &mut pt);
    let mut vt = MerlinTranscript::new(b"brute");
    let vr = verify_batched(
        &[verifier as &dyn SumcheckInstanceVerifier],
        &proof,
        &evals,
        &mut vt,
    )
    .unwrap();
    assert_eq!(r, vr);
    assert_eq!(
        pt.challenge(b"end"),
        vt.challenge(b"end"),
        "transcripts diverged"
    );
    (r, evals.into_iter().next().unwrap())
}

#[test]
fn product_matches_brute_force() {
    let mut rng = rng(1);
    for k in 1..=4usize {
        let sizes: &[usize] = match k {
            1 | 2 => &[0, 1, 2, 3, 6, 11, 16],
            _ => &[0, 1, 4, 9, 14],
        };
        for &n in sizes {
            let polys: Vec<_> = (0..k).map(|_| rand_poly(n, &mut rng)).collect();
            let brute: F = (0..1usize << n)
                .map(|x| polys.iter().map(|p| p.evals()[x]).product::<F>())
                .sum();
            let mut prover = ProductProver::new(polys.clone()).unwrap();
            assert_eq!(prover.input_claim(), brute, "k={k} n={n}");
            if n > 0 {
                // Round 0 polynomial at t = 0..=k by brute force.
                let s = prover.round_polynomial(0, brute);
                for t in 0..=k as u64 {
                    let tf = F::from(t);
                    let want: F = (0..1usize << (n - 1))
                        .map(|x| {
                            polys
                                .iter()
                                .map(|p| {
                                    p.evals()[2 * x]
                                        + tf * (p.evals()[2 * x + 1] - p.evals()[2 * x])
                                })
                                .product::<F>()
                        })
                        .sum();
                    assert_eq!(s.evaluate(&tf), want, "k={k} n={n} t={t}");
                }
                prover = ProductProver::new(polys.clone()).unwrap();
            }
            let verifier = ProductVerifier::new(n, k, brute);
            let (r, evals) = run_single(&mut prover, &verifier);
            for (p, e) in polys.iter().zip(&evals) {
                assert_eq!(brute_eval(p, &r), *e);
            }
        }
    }
}

#[test]
fn zerocheck_matches_brute_force() {
    let mut rng = rng(2);
    for n in [0usize, 1, 2, 5, 10, 13, 16] {
        for (k, combiner) in [
            (1usize, Combiner::Product),
            (2, Combiner::Product),
            (3, Combiner::Product),
            (3, custom_combiner()),
        ] {
            if n == 16 && k != 2 {
                continue;
            }
            let polys: Vec<_> = (0..k).map(|_| rand_poly(n, &mut rng)).collect();
            let tau = rand_point(n, &mut rng);
            let eq = eq_table(&tau);
            let brute: F = (0..1usize << n)
                .map(|x| {
                    eq[x] * combiner.apply(&polys.iter().map(|p| p.evals()[x]).collect::<Vec<_>>())
                })
                .sum();
            let mut prover =
                ZeroCheckProver::new(tau.clone(), polys.clone(), combiner.clone()).unwrap();
            assert_eq!(prover.input_claim(), brute, "n={n} k={k}");
            let verifier = ZeroCheckVerifier::new(tau, k, combiner, brute);
            let (r, evals) = run_single(&mut prover, &verifier);
            for (p, e) in polys.iter().zip(&evals) {
                assert_eq!(brute_eval(p, &r), *e);
            }
        }
    }
}

#[test]
fn zerocheck_accepts_zero_and_rejects_nonzero() {
    let mut rng = rng(3);
    for n in [1usize, 4, 12] {
        let a = rand_poly(n, &mut rng);
        let b = rand_poly(n, &mut rng);
        let mut c: Vec<F> = a
            .evals()
            .iter()
            .zip(b.evals())
            .map(|(x, y)| *x * y)
            .collect();
        let g = Combiner::Custom {
            degree: 2,
            f: std::sync::Arc::new(|v: &[F]| v[0] * v[1] - v[2]),
        };
        for bad in [false, true] {
            if bad {
                c[(1 << n) - 1] += F::one();
            }
            let polys = vec![
                a.clone(),
                b.clone(),
                MultilinearPoly::new(c.clone()).unwrap(),
            ];
            let mut pt = MerlinTranscript::new(b"zc");
            pt.append_u64(b"statement", n as u64);
            let tau = draw_tau(&mut pt, n);
            let mut prover = ZeroCheckProver::new(tau.clone(), polys, g.clone()).unwrap();
            assert_eq!(prover.input_claim().is_zero(), !bad);
            let (proof, _, evals) = prove_batched(&mut [&mut prover], &mut pt);
            let mut vt = MerlinTranscript::new(b"zc");
            vt.append_u64(b"statement", n as u64);
            let vtau = draw_tau(&mut vt, n);
            let verifier = ZeroCheckVerifier::zero_check(vtau, 3, g.clone());
            let res = verify_batched(&[&verifier], &proof, &evals, &mut vt);
            assert_eq!(res.is_ok(), !bad, "n={n} bad={bad}: {res:?}");
        }
    }
}

#[test]
fn matmul_matches_brute_force() {
    let mut rng = rng(4);
    for (lm, ln, lp) in [
        (0, 0, 0),
        (1, 0, 2),
        (0, 3, 0),
        (3, 4, 2),
        (2, 7, 3),
        (5, 5, 5),
        (4, 8, 4),
    ] {
        let d = MatmulDims {
            log_m: lm,
            log_n: ln,
            log_p: lp,
        };
        let a = rand_poly(lm + ln, &mut rng);
        let b = rand_poly(ln + lp, &mut rng);
        let c = MultilinearPoly::new(matmul(a.evals(), b.evals(), d)).unwrap();
        let rc = rand_point(d.c_vars(), &mut rng);
        let claim = brute_eval(&c, &rc);
        let mut prover = MatmulProver::new(&a, &b, d, rc.clone()).unwrap();
        assert_eq!(prover.input_claim(), claim, "{d:?}");
        let verifier = MatmulVerifier::new(d, rc, claim);
        let (rk, evals) = run_single(&mut prover, &verifier);
        assert_eq!(evals[0], brute_eval(&a, &verifier.a_point(&rk).unwrap()));
        assert_eq!(evals[1], brute_eval(&b, &verifier.b_point(&rk).unwrap()));
    }
}

#[test]
fn multi_eval_matches_brute_force() {
    let mut rng = rng(5);
    for n in [0usize, 1, 3, 8, 14, 16] {
        let polys: Vec<_> = (0..4).map(|_| rand_poly(n, &mut rng)).collect();
        // Poly 3 is never referenced; poly 0 has three claims.
        let mut claims = Vec::new();
        for poly in [0usize, 1, 0, 2, 0] {
            let point = rand_point(n, &mut rng);
            claims.push(EvalClaim {
                poly,
                value: brute_eval(&polys[poly], &point),
                point,
            });
        }
        let refs: Vec<&MultilinearPoly> = polys.iter().collect();
        let mut pt = PoseidonTranscript::new(b"me");
        let (proof, r) = prove_multi_eval(&refs, &claims, &mut pt);
        assert_eq!(r.len(), n);
        for (p, e) in polys.iter().zip(&proof.evals) {
            assert_eq!(brute_eval(p, &r), *e);
        }
        let mut vt = PoseidonTranscript::new(b"me");
        assert_eq!(
            verify_multi_eval(4, n, &claims, &proof, &mut vt).unwrap(),
            r
        );
        // A false claim is rejected.
        let mut bad = claims.clone();
        bad[2].value += F::one();
        let (bproof, _) = prove_multi_eval(&refs, &bad, &mut PoseidonTranscript::new(b"me"));
        assert!(
            verify_multi_eval(4, n, &bad, &bproof, &mut PoseidonTranscript::new(b"me")).is_err()
        );
    }
}

#[test]
fn batched_heterogeneous_instances() {
    for (n, seed) in [(2usize, 1u64), (5, 2), (9, 3)] {
        let fx = Fixture::new(n, seed);
        let mut pt = MerlinTranscript::new(b"batch");
        let (proof, r, evals) = fx.prove(&mut pt);
        assert_eq!(r.len(), n);
        let mut vt = MerlinTranscript::new(b"batch");
        assert_eq!(fx.verify(&proof, &evals, &mut vt).unwrap(), r);
        // Alignment: each instance ends on the last n_i challenges.
        let rp = instance_point(&r, n).unwrap();
        for (p, e) in fx.prod.iter().zip(&evals[0]) {
            assert_eq!(brute_eval(p, rp), *e);
        }
        let rz = instance_point(&r, fx.zc_tau.len()).unwrap();
        assert_eq!(rz, &r[2.min(n)..]);
        for (p, e) in fx.zc.iter().zip(&evals[1]) {
            assert_eq!(brute_eval(p, rz), *e);
        }
        let rk = instance_point(&r, fx.mm_dims.log_n).unwrap();
        let (_, _, mv) = fx.verifiers();
        assert_eq!(evals[2][0], brute_eval(&fx.mm_a, &mv.a_point(rk).unwrap()));
        assert_eq!(evals[2][1], brute_eval(&fx.mm_b, &mv.b_point(rk).unwrap()));
    }
}

#[test]
fn batched_with_constant_instance_and_poseidon() {
    let mut rng = rng(6);
    let big = vec![rand_poly(6, &mut rng), rand_poly(6, &mut rng)];
    let konst = vec![rand_poly(0, &mut rng)];
    let mut p1 = ProductProver::new(big.clone()).unwrap();
    let mut p2 = ProductProver::new(konst.clone()).unwrap();
    let (c1, c2) = (p1.input_claim(), p2.input_claim());
    let mut pt = PoseidonTranscript::new(b"b");
    let (proof, r, evals) = prove_batched(&mut [&mut p1, &mut p2], &mut pt);
    let v1 = ProductVerifier::new(6, 2, c1);
    let v2 = ProductVerifier::new(0, 1, c2);
    let mut vt = PoseidonTranscript::new(b"b");
    assert_eq!(
        verify_batched(&[&v1, &v2], &proof, &evals, &mut vt).unwrap(),
        r
    );
    assert_eq!(evals[1], vec![konst[0].evals()[0]]);
}
