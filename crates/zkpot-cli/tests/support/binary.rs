//! Running the `zkpot` binary in tests: spawn, paths, output and exit-code checks.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zkpot"))
}

/// `zkpot ARGS`, waited for.
pub fn zkpot(args: &[&str]) -> Output {
    bin().args(args).output().expect("spawn zkpot")
}

/// A path as a `&str` argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Both output streams, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts the exit code and that nothing panicked; returns both output streams.
#[track_caller]
pub fn expect_code(o: &Output, code: i32) -> String {
    let all = text(o);
    assert_eq!(o.status.code(), Some(code), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    all
}

/// `zkpot setup --log-size LOG` into `srs`, then `zkpot commit-data` of `samples` synthetic
/// MNIST-shaped rows for `model` into `data`; both must succeed.
pub fn setup_and_commit(srs: &Path, data: &Path, log: &str, samples: &str, model: &str) {
    expect_code(&zkpot(&["setup", "--log-size", log, "--out", s(srs)]), 0);
    let o = zkpot(&[
        "commit-data",
        "--dataset",
        "synthetic-mnist",
        "--samples",
        samples,
        "--srs",
        s(srs),
        "--model",
        model,
        "--out",
        s(data),
    ]);
    expect_code(&o, 0);
}
