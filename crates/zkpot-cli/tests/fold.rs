//! `train --commit --fold` and `verify` of the folded proof (`RUN/final.proof`) through the
//! binary: a folded run verifies by its one proof (and per iteration with `--each`); a wrong
//! claimed final commitment, a damaged or foreign final proof, and folding requests that cannot
//! be served are rejected or refused with the right exit codes, never a panic.
//!
//! One run of `mlp:16` on 16 synthetic rows, batch 2, 2 iterations, over a 2^21 development SRS
//! (the augmented circuit needs about 2^20.5 generators). Each `verify` of a folded run first
//! synthesizes the augmented circuit (its keys), so the test keeps their number small.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use zkpot_cli::formats::{self, FoldedFile, FINAL_PROOF_FILE, FOLDED_MAGIC, FOLD_STATE_FILE};

#[path = "support/binary.rs"]
mod binary;

use binary::{expect_code, s, setup_and_commit, zkpot};

const MODEL: &str = "mlp:16";

fn train(srs: &Path, data: &Path, run: &Path, iterations: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--model",
        MODEL,
        "--data",
        s(data),
        "--srs",
        s(srs),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        iterations,
        "--commit",
        "--out",
        s(run),
    ];
    args.extend_from_slice(extra);
    zkpot(&args)
}

#[test]
fn folded_run_verifies_by_one_proof_and_rejects_tampering() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("zkpot-fold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (srs, data, run) = (
        root.join("srs.bin"),
        root.join("data.zkd"),
        root.join("run"),
    );
    setup_and_commit(&srs, &data, "21", "16", MODEL);

    // --fold needs --commit (clap), and a run folded from the start to be resumed with it.
    let o = zkpot(&[
        "train",
        "--model",
        MODEL,
        "--data",
        s(&data),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--fold",
        "--out",
        s(&root.join("plain")),
    ]);
    expect_code(&o, 2);

    // One iteration, folded; then resumed to two (the prover state resumes).
    let text = expect_code(&train(&srs, &data, &run, "1", &["--fold"]), 0);
    assert!(text.contains("final proof of 1 iterations"), "{text}");
    // Resuming a folded run without --fold is refused (its final proof would go stale).
    expect_code(&train(&srs, &data, &run, "2", &["--resume"]), 2);
    let text = expect_code(&train(&srs, &data, &run, "2", &["--resume", "--fold"]), 0);
    assert!(text.contains("final proof of 2 iterations"), "{text}");
    assert!(run.join(FOLD_STATE_FILE).exists());

    let text = expect_code(&zkpot(&["verify", s(&run), "--timing-runs", "2"]), 0);
    assert!(text.contains("folded proof of 2 iterations"), "{text}");
    assert!(text.contains("verified 2 more times: median"), "{text}");
    assert!(text.contains("ACCEPTED: 2 iterations"), "{text}");
    let file: FoldedFile = formats::load(&FOLDED_MAGIC, &run.join(FINAL_PROOF_FILE)).unwrap();
    assert_eq!(file.iterations, 2);
    let c2 = file.final_model_commitment.to_hex();
    assert!(text.contains(&c2), "{text}");

    // Per iteration (debugging): the chain ends at the same commitment.
    let text = expect_code(&zkpot(&["verify", s(&run), "--each"]), 0);
    assert!(text.contains("iteration    1:"), "{text}");
    assert!(text.contains(&c2), "{text}");

    // A claimed final commitment other than the proof's: rejected (C_W_1, from the chain).
    let log = std::fs::read_to_string(run.join("train-log.tsv")).unwrap();
    let c1 = log
        .lines()
        .nth(1)
        .and_then(|l| l.split('\t').nth(4))
        .unwrap()
        .to_string();
    assert_ne!(c1, c2);
    let text = expect_code(&zkpot(&["verify", s(&run), "--model-commitment", &c1]), 1);
    assert!(text.contains("REJECTED"), "{text}");

    // A damaged final proof (one byte flipped, 2,000 bytes from the end): rejected, exit 1.
    let path = run.join(FINAL_PROOF_FILE);
    let honest = std::fs::read(&path).unwrap();
    let mut bad = honest.clone();
    let at = bad.len() - 2000;
    bad[at] ^= 0x10;
    std::fs::write(&path, &bad).unwrap();
    let text = expect_code(&zkpot(&["verify", s(&run), "--json"]), 1);
    assert!(text.contains("\"accepted\":false"), "{text}");
    // A final proof whose file claims another run: rejected before any key is derived.
    let mut foreign = file.clone();
    foreign.run_id[0] ^= 1;
    formats::save(&FOLDED_MAGIC, &path, &foreign).unwrap();
    expect_code(&zkpot(&["verify", s(&run)]), 1);
    // Garbage: rejected, never a panic.
    std::fs::write(&path, b"ZKPOTFIN garbage").unwrap();
    expect_code(&zkpot(&["verify", s(&run)]), 1);
    std::fs::write(&path, &honest).unwrap();

    let _ = std::fs::remove_dir_all(&root);
}
