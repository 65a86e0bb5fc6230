//! Absorb-site snapshot: the range check's Fiat–Shamir schedule through `RecordingTranscript`,
//! compared with `tests/snapshots/<name>.txt`. Regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test -p gkr --test snapshots` (missing files are written on first run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gkr::*;
use sumcheck::transcript::RecordingTranscript;
use sumcheck::{MerlinTranscript, F};

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

#[test]
fn range_check_schedule() {
    // Every segment kind, a one-entry segment, and both tables.
    let mut rng = rng(21);
    let a: Vec<F> = (0..4u64).map(|i| F::from(i * 1000)).collect();
    let b = random_limbs(2, &mut rng);
    let t: Vec<F> = b
        .iter()
        .map(|x| F::from(u64::from(x.to_string().parse::<u64>().unwrap() >= 1 << 15)))
        .collect();
    let c = random_limbs(1, &mut rng);
    let d = random_limbs(2, &mut rng);
    let sd: Vec<F> = d
        .iter()
        .map(|x| F::from(u64::from(x.to_string().parse::<u64>().unwrap() < 1 << 15)))
        .collect();
    let params = RangeCheckParams::new(
        vec![
            SegmentSpec::limbs(0, 2),
            SegmentSpec::scaled(0, 2, 4),
            SegmentSpec::with_top_bit(1, 2, 1),
            SegmentSpec::limbs(3, 0),
            SegmentSpec::with_sign_bit(4, 5, 1),
        ],
        M_RANGE,
        M_SIGN,
    )
    .unwrap();
    let segs = [
        SegmentWitness::new(&a),
        SegmentWitness::new(&a),
        SegmentWitness::with_top_bits(&b, &t),
        SegmentWitness::new(&c),
        SegmentWitness::with_top_bits(&d, &sd),
    ];
    let m = compute_multiplicities(&params, &segs).unwrap();
    let mut p: Rec = transcript();
    let (proof, _) = RangeCheckProver::new(&params)
        .prove(&segs, &m, &mut p)
        .unwrap();
    let mut v: Rec = transcript();
    RangeCheckVerifier::new(&params)
        .verify(&proof, &mut v)
        .unwrap();
    assert_eq!(
        p.render(),
        v.render(),
        "prover and verifier transcripts differ"
    );
    check("range_check", p.render());
}
