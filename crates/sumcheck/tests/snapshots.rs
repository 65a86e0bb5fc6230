//! Absorb-site snapshots: every protocol of the crate run through `RecordingTranscript`, the
//! call log compared with `tests/snapshots/<name>.txt`. A change to the Fiat–Shamir schedule
//! shows up as a diff in review. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p sumcheck
//! --test snapshots` (missing files are written on first run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sumcheck::instances::matmul::MatmulDims;
use sumcheck::instances::zerocheck::draw_tau;
use sumcheck::transcript::RecordingTranscript;
use sumcheck::*;

type Rec = RecordingTranscript<MerlinTranscript>;

fn check(name: &str, rendered: String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    if update || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
        eprintln!("wrote snapshot {}", path.display());
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        want, rendered,
        "absorb-site snapshot {name} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"
    );
}

/// Run prover and verifier; both logs must agree and match the snapshot.
fn both(name: &str, prove: impl FnOnce(&mut Rec), verify: impl FnOnce(&mut Rec)) {
    let mut p = Rec::new(b"snapshot");
    prove(&mut p);
    let mut v = Rec::new(b"snapshot");
    verify(&mut v);
    assert_eq!(
        p.render(),
        v.render(),
        "prover and verifier transcripts differ"
    );
    check(name, p.render());
}

#[test]
fn batched_two_instances() {
    let mut rng = rng(1);
    let a: Vec<_> = (0..2).map(|_| rand_poly(4, &mut rng)).collect();
    let b: Vec<_> = (0..3).map(|_| rand_poly(2, &mut rng)).collect();
    let (pa, pb) = (
        ProductProver::new(a.clone()).unwrap(),
        ProductProver::new(b.clone()).unwrap(),
    );
    let (ca, cb) = (pa.input_claim(), pb.input_claim());
    let out = std::cell::RefCell::new(None);
    both(
        "batched_sumcheck",
        |t| {
            let (mut pa, mut pb) = (pa, pb);
            *out.borrow_mut() = Some(prove_batched(&mut [&mut pa, &mut pb], t));
        },
        |t| {
            let (proof, _, evals) = out.borrow_mut().take().unwrap();
            verify_batched(
                &[
                    &ProductVerifier::new(4, 2, ca),
                    &ProductVerifier::new(2, 3, cb),
                ],
                &proof,
                &evals,
                t,
            )
            .unwrap();
        },
    );
}

#[test]
fn zero_check() {
    let mut rng = rng(2);
    let polys: Vec<_> = (0..2).map(|_| rand_poly(3, &mut rng)).collect();
    let out = std::cell::RefCell::new(None);
    let claim = std::cell::Cell::new(F::from(0u64));
    both(
        "zero_check",
        |t| {
            let tau = draw_tau(t, 3);
            let mut p = ZeroCheckProver::new(tau, polys.clone(), Combiner::Product).unwrap();
            claim.set(p.input_claim());
            *out.borrow_mut() = Some(prove_batched(&mut [&mut p], t));
        },
        |t| {
            let tau = draw_tau(t, 3);
            let (proof, _, evals) = out.borrow_mut().take().unwrap();
            let v = ZeroCheckVerifier::new(tau, 2, Combiner::Product, claim.get());
            verify_batched(&[&v], &proof, &evals, t).unwrap();
        },
    );
}

#[test]
fn matmul_reduction() {
    let mut rng = rng(3);
    let d = MatmulDims {
        log_m: 1,
        log_n: 3,
        log_p: 2,
    };
    let a = rand_poly(4, &mut rng);
    let b = rand_poly(5, &mut rng);
    let rc = rand_point(3, &mut rng);
    let out = std::cell::RefCell::new(None);
    let mut p = MatmulProver::new(&a, &b, d, rc.clone()).unwrap();
    let claim = p.input_claim();
    both(
        "matmul",
        |t| *out.borrow_mut() = Some(prove_batched(&mut [&mut p], t)),
        |t| {
            let (proof, _, evals) = out.borrow_mut().take().unwrap();
            verify_batched(
                &[&MatmulVerifier::new(d, rc.clone(), claim)],
                &proof,
                &evals,
                t,
            )
            .unwrap();
        },
    );
}

#[test]
fn multi_eval() {
    let mut rng = rng(4);
    let polys: Vec<_> = (0..2).map(|_| rand_poly(3, &mut rng)).collect();
    let claims: Vec<EvalClaim> = [0usize, 1, 0]
        .iter()
        .map(|&poly| {
            let point = rand_point(3, &mut rng);
            EvalClaim {
                poly,
                value: brute_eval(&polys[poly], &point),
                point,
            }
        })
        .collect();
    let out = std::cell::RefCell::new(None);
    both(
        "multi_eval",
        |t| {
            let refs: Vec<_> = polys.iter().collect();
            *out.borrow_mut() = Some(prove_multi_eval(&refs, &claims, t).0);
        },
        |t| {
            let proof = out.borrow_mut().take().unwrap();
            verify_multi_eval(2, 3, &claims, &proof, t).unwrap();
        },
    );
}
