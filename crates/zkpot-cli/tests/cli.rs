//! End-to-end tests of the `zkpot` binary: the full flow verifies; tampered, replayed, missing,
//! reordered, truncated and garbage inputs are rejected with the right exit code and never a
//! panic; an interrupted proven run resumes without losing or re-proving an iteration.
//!
//! Proofs are the expensive part, so the tests share one SRS, one dataset and one honest run
//! (a small dense network `mlp:16` on 16 synthetic MNIST-shaped rows, batch 2, 2 iterations).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use zkpot_cli::commands::verify::{self, VerifyOptions};
use zkpot_cli::formats::{self, IterationFile, ITERATION_MAGIC};

#[path = "support/binary.rs"]
mod binary;

use binary::{bin, expect_code, s, setup_and_commit, text, zkpot};

const MODEL: &str = "mlp:16";

struct Fixture {
    root: PathBuf,
    srs: PathBuf,
    data: PathBuf,
    /// An honest run of 2 proven iterations.
    run: PathBuf,
}

fn train_args<'a>(
    f: &'a Fixture,
    out: &'a str,
    iterations: &'a str,
    seed: &'a str,
) -> Vec<&'a str> {
    vec![
        "train",
        "--model",
        MODEL,
        "--data",
        s(&f.data),
        "--srs",
        s(&f.srs),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        iterations,
        "--commit",
        "--out",
        out,
        "--init-seed",
        seed,
    ]
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // Remove the directories of earlier test processes that are gone.
        if let Ok(entries) = std::fs::read_dir(&base) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Some(pid) = name.strip_prefix("zkpot-cli-") {
                    if !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let root = base.join(format!("zkpot-cli-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let srs = root.join("srs.bin");
        let data = root.join("data.zkd");
        let run = root.join("run-a");
        setup_and_commit(&srs, &data, "18", "16", MODEL);
        let f = Fixture {
            root,
            srs,
            data,
            run,
        };
        let o = zkpot(&train_args(&f, s(&f.run), "2", "1"));
        expect_code(&o, 0);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("iteration    1"),
            "{}",
            text(&o)
        );
        f
    })
}

/// A fresh copy of the honest run.
fn copy_run(name: &str) -> PathBuf {
    let f = fixture();
    let dst = f.root.join(name);
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(dst.join("proofs")).unwrap();
    for entry in ["statement", "checkpoint"] {
        std::fs::copy(f.run.join(entry), dst.join(entry)).unwrap();
    }
    for t in 0..2 {
        let p = format!("proofs/iter-{t:06}.proof");
        std::fs::copy(f.run.join(&p), dst.join(&p)).unwrap();
    }
    dst
}

fn proof(run: &Path, t: u64) -> PathBuf {
    formats::proof_path(run, t)
}

fn verify_run(run: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["verify", s(run)];
    args.extend_from_slice(extra);
    zkpot(&args)
}

/// In-process verification (same code path as the binary, without re-spawning).
fn accepted_in_process(run: &Path) -> bool {
    let r = verify::run(&VerifyOptions {
        run: run.to_path_buf(),
        ..Default::default()
    })
    .expect("a readable run");
    r.accepted
}

fn final_commitment(run: &Path) -> String {
    let o = verify_run(run, &["--json"]);
    expect_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let key = "\"final_model_commitment\":\"";
    let i = out.find(key).expect("json field") + key.len();
    out[i..i + 64].to_string()
}

#[test]
fn full_flow_verifies() {
    let f = fixture();
    let o = verify_run(&f.run, &[]);
    expect_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("ACCEPTED: 2 iterations"), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("INSECURE development SRS"));

    let o = verify_run(&f.run, &["--json"]);
    expect_code(&o, 0);
    let json = String::from_utf8_lossy(&o.stdout);
    assert!(
        json.starts_with("{\"accepted\":true,\"exit_code\":0"),
        "{json}"
    );
    assert!(json.contains("\"iterations\":2"), "{json}");

    let c = final_commitment(&f.run);
    expect_code(&verify_run(&f.run, &["--model-commitment", &c]), 0);
    // The published commitment is the one in the last proof.
    let o = zkpot(&["inspect", s(&f.run)]);
    expect_code(&o, 0);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&c),
        "{}",
        text(&o)
    );
    for p in [
        f.srs.clone(),
        f.data.clone(),
        f.run.join("statement"),
        f.run.join("checkpoint"),
        proof(&f.run, 0),
        f.run.join("model.safetensors"),
    ] {
        let o = zkpot(&["inspect", s(&p)]);
        expect_code(&o, 0);
    }
}

#[test]
fn flipped_byte_in_any_proof_file_is_rejected() {
    let run = copy_run("flip");
    for t in 0..2 {
        let path = proof(&run, t);
        let orig = std::fs::read(&path).unwrap();
        let n = orig.len();
        let mut positions = vec![
            0,
            7,
            8,
            12,
            20,
            44,
            45,
            46,
            60,
            n / 3,
            n / 2,
            2 * n / 3,
            n - 33,
            n - 1,
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ t;
        for _ in 0..6 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            positions.push((x % n as u64) as usize);
        }
        for &i in &positions {
            let mut bad = orig.clone();
            bad[i] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                !accepted_in_process(&run),
                "iteration {t}: flipped byte {i} of {n} accepted"
            );
        }
        // And through the binary: exit 1.
        let mut bad = orig.clone();
        bad[n / 2] ^= 0x80;
        std::fs::write(&path, &bad).unwrap();
        expect_code(&verify_run(&run, &[]), 1);
        std::fs::write(&path, &orig).unwrap();
    }
    expect_code(&verify_run(&run, &[]), 0);
}

#[test]
fn proof_copied_from_another_iteration_is_rejected() {
    let run = copy_run("replay-iter");
    // Plain copy: the file names its iteration.
    std::fs::copy(proof(&run, 0), proof(&run, 1)).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("iteration 1"),
        "{}",
        text(&o)
    );
    // Re-wrapped as iteration 1: the step proof itself must fail for iteration 1's statement.
    let bytes = std::fs::read(proof(&run, 0)).unwrap();
    let mut f: IterationFile = formats::decode(&ITERATION_MAGIC, &bytes).unwrap();
    f.iteration = 1;
    std::fs::write(
        proof(&run, 1),
        formats::encode(&ITERATION_MAGIC, &f).unwrap(),
    )
    .unwrap();
    expect_code(&verify_run(&run, &[]), 1);
    // Duplicated iteration appended at the end.
    let run = copy_run("replay-dup");
    std::fs::copy(proof(&run, 1), proof(&run, 2)).unwrap();
    expect_code(&verify_run(&run, &[]), 1);
}

#[test]
fn proof_from_another_run_is_rejected() {
    let f = fixture();
    let other = f.root.join("run-b");
    let _ = std::fs::remove_dir_all(&other);
    expect_code(&zkpot(&train_args(f, s(&other), "1", "2")), 0);
    expect_code(&verify_run(&other, &[]), 0);

    let run = copy_run("replay-run");
    std::fs::copy(proof(&other, 0), proof(&run, 0)).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("another run"),
        "{}",
        text(&o)
    );
    // Re-wrapped with this run's id: the step proof fails against this run's C_W_0.
    let mine: IterationFile =
        formats::decode(&ITERATION_MAGIC, &std::fs::read(proof(&f.run, 0)).unwrap()).unwrap();
    let mut theirs: IterationFile =
        formats::decode(&ITERATION_MAGIC, &std::fs::read(proof(&other, 0)).unwrap()).unwrap();
    theirs.run_id = mine.run_id;
    std::fs::write(
        proof(&run, 0),
        formats::encode(&ITERATION_MAGIC, &theirs).unwrap(),
    )
    .unwrap();
    expect_code(&verify_run(&run, &[]), 1);
    // The other run's statement with this run's proofs.
    let run = copy_run("replay-statement");
    std::fs::copy(other.join("statement"), run.join("statement")).unwrap();
    expect_code(&verify_run(&run, &[]), 1);
}

#[test]
fn wrong_model_commitment_is_rejected() {
    let f = fixture();
    let c2 = final_commitment(&f.run);
    // C_W_1: in the chain, but not final.
    let it: IterationFile =
        formats::decode(&ITERATION_MAGIC, &std::fs::read(proof(&f.run, 0)).unwrap()).unwrap();
    let p = nn_layers::proof::StepProof::from_bytes(&it.proof).unwrap();
    let c1 = formats::Point(p.new_model).to_hex();
    assert_ne!(c1, c2);
    let o = verify_run(&f.run, &["--model-commitment", &c1]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("C_W_1"),
        "{}",
        text(&o)
    );
    // The generator: a valid point outside the chain.
    use ark_ec::AffineRepr;
    let g = formats::Point(ark_bn254::G1Affine::generator()).to_hex();
    expect_code(&verify_run(&f.run, &["--model-commitment", &g]), 1);
    // Not a point at all: bad usage.
    expect_code(&verify_run(&f.run, &["--model-commitment", "abcd"]), 2);
    expect_code(
        &verify_run(&f.run, &["--model-commitment", &"ff".repeat(32)]),
        2,
    );
}

#[test]
fn missing_and_reordered_iterations_are_rejected() {
    let f = fixture();
    let c2 = final_commitment(&f.run);
    let run = copy_run("missing-first");
    std::fs::remove_file(proof(&run, 0)).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("missing"),
        "{}",
        text(&o)
    );

    // Dropping the last proof leaves a valid shorter chain: the claim catches it.
    let run = copy_run("missing-last");
    std::fs::remove_file(proof(&run, 1)).unwrap();
    expect_code(&verify_run(&run, &["--model-commitment", &c2]), 1);

    let run = copy_run("no-proofs");
    std::fs::remove_file(proof(&run, 0)).unwrap();
    std::fs::remove_file(proof(&run, 1)).unwrap();
    expect_code(&verify_run(&run, &[]), 1);

    let run = copy_run("reordered");
    let (a, b) = (proof(&run, 0), proof(&run, 1));
    let tmp = run.join("proofs/tmp");
    std::fs::rename(&a, &tmp).unwrap();
    std::fs::rename(&b, &a).unwrap();
    std::fs::rename(&tmp, &b).unwrap();
    expect_code(&verify_run(&run, &[]), 1);

    // Gap: 0 and 2 present, 1 missing.
    let run = copy_run("gap");
    std::fs::rename(proof(&run, 1), proof(&run, 2)).unwrap();
    expect_code(&verify_run(&run, &[]), 1);
}

#[test]
fn truncated_or_garbage_files_give_a_clean_error() {
    let f = fixture();
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();

    let run = copy_run("truncated-proof");
    let p = proof(&run, 1);
    let orig = std::fs::read(&p).unwrap();
    for cut in [0, 5, 12, 40, orig.len() / 2, orig.len() - 1] {
        std::fs::write(&p, &orig[..cut]).unwrap();
        assert!(!accepted_in_process(&run), "truncated to {cut} accepted");
    }
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    std::fs::write(&p, &garbage).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("REJECTED"),
        "{}",
        text(&o)
    );

    // Statement: unreadable input, exit 2 with a message.
    let run = copy_run("bad-statement");
    let st = std::fs::read(run.join("statement")).unwrap();
    for bad in [st[..st.len() / 2].to_vec(), garbage.clone(), Vec::new()] {
        std::fs::write(run.join("statement"), &bad).unwrap();
        let o = verify_run(&run, &[]);
        expect_code(&o, 2);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("error:"),
            "{}",
            text(&o)
        );
        let o = verify_run(&run, &["--json"]);
        expect_code(&o, 2);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("\"exit_code\":2"),
            "{}",
            text(&o)
        );
    }
    // Any single flipped byte of the statement: rejected (1) or unreadable (2), never accepted.
    let run = copy_run("flip-statement");
    let n = st.len();
    for i in (0..n).step_by((n / 24).max(1)).chain([n - 1]) {
        let mut bad = st.clone();
        bad[i] ^= 0x04;
        std::fs::write(run.join("statement"), &bad).unwrap();
        let r = verify::run(&VerifyOptions {
            run: run.clone(),
            ..Default::default()
        });
        assert!(
            !matches!(r, Ok(ref r) if r.accepted),
            "statement byte {i} flipped: accepted"
        );
    }
    // A tampered but well-formed statement (other seed for W_0) is a rejection.
    let run = copy_run("tampered-statement");
    let mut stmt: formats::RunStatement = formats::decode(
        &formats::STATEMENT_MAGIC,
        &std::fs::read(run.join("statement")).unwrap(),
    )
    .unwrap();
    stmt.init = formats::InitKind::Seed(99);
    std::fs::write(
        run.join("statement"),
        formats::encode(&formats::STATEMENT_MAGIC, &stmt).unwrap(),
    )
    .unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("seed-99"),
        "{}",
        text(&o)
    );

    // Not a run, missing SRS, garbage SRS, garbage files for inspect / train.
    expect_code(&verify_run(&f.root.join("nowhere"), &[]), 2);
    let empty = f.root.join("empty-run");
    std::fs::create_dir_all(&empty).unwrap();
    expect_code(&verify_run(&empty, &[]), 2);
    let junk = f.root.join("junk.bin");
    std::fs::write(&junk, &garbage).unwrap();
    expect_code(&verify_run(&f.run, &["--srs", s(&junk)]), 2);
    let o = zkpot(&["inspect", s(&junk)]);
    expect_code(&o, 2);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a zkpot file"),
        "{}",
        text(&o)
    );
    let srs = std::fs::read(&f.srs).unwrap();
    let short_srs = f.root.join("short-srs.bin");
    std::fs::write(&short_srs, &srs[..srs.len() / 2]).unwrap();
    expect_code(&verify_run(&f.run, &["--srs", s(&short_srs)]), 2);
    let o = zkpot(&[
        "train",
        "--model",
        MODEL,
        "--data",
        s(&junk),
        "--srs",
        s(&f.srs),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--commit",
        "--out",
        s(&f.root.join("never")),
    ]);
    expect_code(&o, 2);
    let data = std::fs::read(&f.data).unwrap();
    let short_data = f.root.join("short-data.zkd");
    std::fs::write(&short_data, &data[..data.len() - 10]).unwrap();
    expect_code(&zkpot(&["inspect", s(&short_data)]), 2);
}

#[test]
fn interrupted_training_resumes_and_verifies() {
    let f = fixture();
    let run = f.root.join("run-c");
    let _ = std::fs::remove_dir_all(&run);
    let args = train_args(f, s(&run), "2", "1");
    let mut child = bin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !proof(&run, 0).exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "no proof after 10 minutes"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("training ended before its first proof: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Kill it in the middle of iteration 1 (a real interruption: SIGKILL, no cleanup).
    child.kill().unwrap();
    child.wait().unwrap();
    let ck_after_first = std::fs::read(run.join("checkpoint")).unwrap();
    let ck_next =
        formats::decode::<formats::Checkpoint>(&formats::CHECKPOINT_MAGIC, &ck_after_first)
            .unwrap()
            .next_iteration;
    // Usually killed while proving iteration 1 (checkpoint at 1); rarely between writing proof 0
    // and its checkpoint (checkpoint at 0: the resume below recovers iteration 0).
    let interrupted_early = !proof(&run, 1).exists() && ck_next == 1;
    eprintln!(
        "interrupted with checkpoint at {ck_next}, proof 1 present: {}",
        proof(&run, 1).exists()
    );

    // Without --resume the run directory is protected.
    expect_code(&zkpot(&args), 2);
    let mut resume = args.clone();
    resume.push("--resume");
    let o = zkpot(&resume);
    expect_code(&o, 0);
    expect_code(&verify_run(&run, &[]), 0);
    assert_eq!(formats::list_proofs(&run).unwrap(), vec![0, 1]);
    // Deterministic: the same commitments as the uninterrupted run.
    assert_eq!(final_commitment(&run), final_commitment(&f.run));

    // A crash between writing proof 1 and the checkpoint: the checkpoint is one step behind.
    if interrupted_early {
        std::fs::write(run.join("checkpoint"), &ck_after_first).unwrap();
        let before = std::fs::read(proof(&run, 1)).unwrap();
        let o = zkpot(&resume);
        expect_code(&o, 0);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("recovered iteration 1"),
            "{}",
            text(&o)
        );
        assert_eq!(
            std::fs::read(proof(&run, 1)).unwrap(),
            before,
            "proof 1 was re-proven"
        );
        expect_code(&verify_run(&run, &[]), 0);
    }
    // Resume with nothing left to do is a no-op that succeeds.
    expect_code(&zkpot(&resume), 0);
    // A checkpoint that does not match the proofs is refused.
    std::fs::write(
        run.join("checkpoint"),
        std::fs::read(fixture().root.join("run-a/checkpoint")).unwrap(),
    )
    .unwrap();
    let mut stale = formats::decode::<formats::Checkpoint>(
        &formats::CHECKPOINT_MAGIC,
        &std::fs::read(run.join("checkpoint")).unwrap(),
    )
    .unwrap();
    stale.next_iteration = 0;
    std::fs::write(
        run.join("checkpoint"),
        formats::encode(&formats::CHECKPOINT_MAGIC, &stale).unwrap(),
    )
    .unwrap();
    let mut more = train_args(f, s(&run), "3", "1");
    more.push("--resume");
    expect_code(&zkpot(&more), 2);
}

#[test]
fn unsupported_requests_are_clean_errors() {
    let f = fixture();
    let out = f.root.join("never-lenet");
    let o = zkpot(&[
        "train",
        "--model",
        "lenet5",
        "--data",
        s(&f.data),
        "--srs",
        s(&f.srs),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--commit",
        "--out",
        s(&out),
    ]);
    // lenet5 takes 3×32×32 images: the MNIST-shaped DATA file is refused.
    expect_code(&o, 2);
    assert!(!out.exists(), "{}", text(&o));
    // Unknown model, bad batch, clap usage errors.
    let o = zkpot(&[
        "train",
        "--model",
        "resnet",
        "--data",
        s(&f.data),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--out",
        s(&out),
    ]);
    expect_code(&o, 2);
    let o = zkpot(&[
        "train",
        "--model",
        MODEL,
        "--data",
        s(&f.data),
        "--srs",
        s(&f.srs),
        "--batch",
        "3",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--commit",
        "--out",
        s(&out),
    ]);
    expect_code(&o, 2);
    expect_code(&zkpot(&["verify"]), 2);
    expect_code(&zkpot(&["frobnicate"]), 2);
}

#[test]
fn srs_too_small_names_the_needed_log_size() {
    let f = fixture();
    let small = f.root.join("srs-small.bin");
    expect_code(&zkpot(&["setup", "--log-size", "8", "--out", s(&small)]), 0);
    let o = zkpot(&[
        "commit-data",
        "--dataset",
        "synthetic-mnist",
        "--samples",
        "16",
        "--srs",
        s(&small),
        "--out",
        s(&f.root.join("never.zkd")),
    ]);
    expect_code(&o, 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("zkpot setup --log-size 18"), "{err}");
    // Training with an SRS smaller than the aux vector: DATA from another SRS is refused first.
    let o = zkpot(&[
        "train",
        "--model",
        MODEL,
        "--data",
        s(&f.data),
        "--srs",
        s(&small),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--commit",
        "--out",
        s(&f.root.join("never-2")),
    ]);
    expect_code(&o, 2);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another SRS"),
        "{}",
        text(&o)
    );
}

#[test]
fn plain_training_of_a_convolutional_model_resumes() {
    let f = fixture();
    let data = f.root.join("cifar.zkd");
    let o = zkpot(&[
        "commit-data",
        "--dataset",
        "synthetic-cifar",
        "--samples",
        "8",
        "--srs",
        s(&f.srs),
        "--out",
        s(&data),
    ]);
    expect_code(&o, 0);
    let run = f.root.join("run-plain");
    let _ = std::fs::remove_dir_all(&run);
    let args = |n: &'static str| {
        vec![
            "train".to_string(),
            "--model".into(),
            "lenet5".into(),
            "--data".into(),
            s(&data).into(),
            "--batch".into(),
            "2".into(),
            "--lr-shift".into(),
            "6".into(),
            "--iterations".into(),
            n.into(),
            "--out".into(),
            s(&run).into(),
        ]
    };
    let o = bin().args(args("1")).output().unwrap();
    expect_code(&o, 0);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("plain training"),
        "{}",
        text(&o)
    );
    let mut again = args("2");
    expect_code(&bin().args(&again).output().unwrap(), 2);
    again.push("--resume".into());
    expect_code(&bin().args(&again).output().unwrap(), 0);
    assert!(run.join("model.safetensors").exists());
    let o = zkpot(&["inspect", s(&run)]);
    expect_code(&o, 0);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("next iteration 2"),
        "{}",
        text(&o)
    );
}

#[test]
fn private_start_is_proven_well_formed() {
    use zkpot_cli::formats::{RunStatement, STATEMENT_FILE, STATEMENT_MAGIC};
    let f = fixture();
    // A private start: the honest run's final model, imported from safetensors.
    let init = f.run.join(formats::MODEL_FILE);
    let run = f.root.join("run-private");
    let _ = std::fs::remove_dir_all(&run);
    let mut args = train_args(f, s(&run), "1", "1");
    // Replace the trailing `--init-seed 1` by `--init FILE`.
    args.truncate(args.len() - 2);
    args.extend(["--init", s(&init)]);
    let o = zkpot(&args);
    expect_code(&o, 0);
    let o = verify_run(&run, &[]);
    expect_code(&o, 0);

    // Without its well-formedness proof, or with the dataset's proof in its place, the private
    // start is rejected before any iteration is looked at.
    let path = run.join(STATEMENT_FILE);
    let honest: RunStatement = formats::load(&STATEMENT_MAGIC, &path).unwrap();
    let mut st = honest.clone();
    st.model_wellformed = None;
    formats::save(&STATEMENT_MAGIC, &path, &st).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(text(&o).contains("well-formedness"), "{}", text(&o));
    let mut st = honest.clone();
    st.model_wellformed = Some(honest.data_wellformed.clone());
    formats::save(&STATEMENT_MAGIC, &path, &st).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    // A dataset proof with a flipped byte is rejected too.
    let mut st = honest.clone();
    let mid = st.data_wellformed.len() / 2;
    st.data_wellformed[mid] ^= 1;
    formats::save(&STATEMENT_MAGIC, &path, &st).unwrap();
    let o = verify_run(&run, &[]);
    expect_code(&o, 1);
    assert!(text(&o).contains("dataset"), "{}", text(&o));
}

#[test]
fn lenet5_train_commit_and_verify() {
    // A convolutional network through the whole CLI: setup, commit-data, train --commit, verify.
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("zkpot-cli-lenet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (srs, data, run) = (root.join("srs"), root.join("data"), root.join("run"));
    expect_code(&zkpot(&["setup", "--log-size", "21", "--out", s(&srs)]), 0);
    let o = zkpot(&[
        "commit-data",
        "--dataset",
        "synthetic-cifar10",
        "--samples",
        "4",
        "--srs",
        s(&srs),
        "--model",
        "lenet5",
        "--out",
        s(&data),
    ]);
    expect_code(&o, 0);
    let o = zkpot(&[
        "train",
        "--model",
        "lenet5",
        "--data",
        s(&data),
        "--srs",
        s(&srs),
        "--batch",
        "2",
        "--lr-shift",
        "8",
        "--iterations",
        "1",
        "--commit",
        "--out",
        s(&run),
    ]);
    expect_code(&o, 0);
    let o = verify_run(&run, &[]);
    expect_code(&o, 0);
    assert!(accepted_in_process(&run));
    let _ = std::fs::remove_dir_all(&root);
}

/// `--backend gpu`: where a GPU opens, a proven run on it verifies on the CPU and publishes the
/// same model commitments as the CPU run; elsewhere it is a clean error (exit 2) that writes
/// nothing.
#[test]
fn train_with_backend_gpu() {
    let f = fixture();
    let out = f.root.join("gpu-run");
    let mut args = train_args(f, s(&out), "2", "1");
    args.extend(["--backend", "gpu"]);
    let o = zkpot(&args);
    match gpu::Device::cuda() {
        Ok(dev) => {
            expect_code(&o, 0);
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("backend: gpu"),
                "{}",
                text(&o)
            );
            expect_code(&verify_run(&out, &[]), 0);
            assert_eq!(
                final_commitment(&out),
                final_commitment(&f.run),
                "on {}",
                dev.description()
            );
        }
        Err(e) => {
            eprintln!("notice: GPU run skipped (no GPU: {e}); checking the clean error instead");
            expect_code(&o, 2);
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("no usable GPU"),
                "{}",
                text(&o)
            );
            assert!(!out.exists());
        }
    }
}
