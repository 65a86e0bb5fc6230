//! Measures the constant-size proof of a training run (`training_proof`): proves `T` SGD
//! iterations of a zoo model (`mlp` on synthetic MNIST; `lenet5` or `vgg11/D`, VGG-11 with every
//! width divided by `D`, on synthetic CIFAR-10), folds each into the IVC, and at each
//! checkpoint makes the final proof (decider + accumulator opening) and verifies it. Prints, per
//! iteration, the step prover's time and the recursion's (native claims, the four accumulator
//! folds, the IVC step: NIFS, CycleFold folds, synthesis, witness commitment), and per
//! checkpoint the final proof's size, the decider's time and the verifier's time (median of 3,
//! with every core and on one core). `--spark` puts the decider in SPARK mode
//! (`recursion::spark`; the SRS must then hold `2^n` powers for the matrices' merged entries).
//!
//! `cargo run --release -p recursion --example folded_training -- [--model mlp] [--samples 1024]
//!  [--batch 16] [--lr-shift 10] [--iterations 16] [--checkpoints 1,2,4,8,16] [--log-srs 21]
//!  [--spark] [--out FILE]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use nn_layers::data::{
    parse_cifar10, parse_mnist, synthetic_cifar10_file, synthetic_mnist_files, QuantizedDataset,
};
use nn_layers::proof::{commit_dataset, commit_model, dataset_vector, prove_step, StepStatement};
use nn_layers::{zoo, FixedConfig, Params, TrainConfig};
use pcs::{HyperKzg, Srs};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::training_proof::{verify, DeciderMode, TrainingKeys, TrainingProver};
use recursion::training_step::{model_vectors, StepVectors};

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}: bad value {v}"))
        })
        .unwrap_or(default)
}

fn s(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn median3(mut f: impl FnMut() -> Duration) -> Duration {
    let mut v = [f(), f(), f()];
    v.sort();
    v[1]
}

fn main() {
    let model_name: String = arg("--model", "mlp".to_string());
    let samples: usize = arg("--samples", 1024);
    let batch: usize = arg("--batch", 16);
    let iterations: u64 = arg("--iterations", 16);
    let checkpoints: String = arg("--checkpoints", "1,2,4,8,16".to_string());
    let log_srs: usize = arg("--log-srs", 21);
    let lr_shift: u32 = arg("--lr-shift", 10);
    let out: String = arg("--out", String::new());
    let mode = if std::env::args().any(|a| a == "--spark") {
        DeciderMode::Spark
    } else {
        DeciderMode::Plain
    };
    let checkpoints: Vec<u64> = checkpoints
        .split(',')
        .map(|c| c.parse().expect("--checkpoints: numbers"))
        .collect();

    let model = match model_name.strip_prefix("vgg11/") {
        Some(d) => zoo::vgg11_narrow(d.parse().expect("vgg11/D: a number")).unwrap(),
        None => zoo::by_name(&model_name).unwrap(),
    };
    let cfg = TrainConfig::new(FixedConfig::default(), lr_shift).unwrap();
    let raw = if model.input_shape == [3, 32, 32] {
        parse_cifar10(&synthetic_cifar10_file(samples, 1)).unwrap()
    } else {
        let (img, lab) = synthetic_mnist_files(samples, 1);
        parse_mnist(&img, &lab).unwrap()
    };
    let ds = QuantizedDataset::prepare(&raw, &cfg.fixed, 1, None).unwrap();
    let mut report = String::new();
    let mut say = |line: String| {
        println!("{line}");
        let _ = writeln!(report, "{line}");
    };
    say(format!(
        "# folded training proof: `{model_name}`, {} rows, batch {batch}, {iterations} iterations; rayon threads {}\n",
        ds.len(),
        rayon::current_num_threads()
    ));

    let t = Instant::now();
    let srs = Srs::dev_setup_u64(1, log_srs).unwrap();
    let (pk, _) = HyperKzg::keys(&srs, log_srs).unwrap();
    let (layout, values) = dataset_vector(&ds, &model).unwrap();
    let data = commit_dataset(&pk, &layout, &values).unwrap();
    let mut params = Params::init_kaiming(&model, &cfg.fixed, 1).unwrap();
    let c0 = commit_model(&pk, &model, &params).unwrap();
    let srs_digest = srs.digest();
    let statement = |t: u64, c| StepStatement::new(&srs_digest, &model, &cfg, batch, &data, t, c);
    say(format!(
        "dev SRS 2^{log_srs}, dataset commitment: {} s",
        s(t.elapsed())
    ));
    let t = Instant::now();
    let keys = TrainingKeys::setup_with(&srs, &model, &cfg, &statement(0, c0), mode).unwrap();
    let shape = keys.params().primary().shape();
    say(format!(
        "keys ({mode:?} decider; augmented circuit {} constraints, {} non-zero matrix entries (A {}, B {}, C {}), accumulator on {} variables): {} s\n",
        keys.num_constraints(),
        shape.a().nnz() + shape.b().nnz() + shape.c().nnz(),
        shape.a().nnz(),
        shape.b().nnz(),
        shape.c().nnz(),
        keys.params().step().acc_vars(),
        s(t.elapsed())
    ));
    if let Some(n) = keys.spark_entries() {
        say(format!("SPARK: {n} merged non-zero entries\n"));
    }

    let mut prover = TrainingProver::new(&keys, &data.commitment, &c0).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    say("| iteration | step proof (s) | native claims (s) | accumulator folds (s) | IVC step (s) | recursion total (s) |".into());
    say("|---|---|---|---|---|---|".into());
    let mut finals = Vec::new();
    for it in 0..iterations {
        let c_w = commit_model(&pk, &model, &params).unwrap();
        let st = statement(it, c_w);
        let t = Instant::now();
        let proven = prove_step(&pk, &model, &cfg, &st, &params, &ds, &values).unwrap();
        let step_time = t.elapsed();
        let models = model_vectors(&model, &params, &proven).unwrap();
        let vectors = StepVectors::of(&values, &models, &proven);
        let ft = prover
            .fold_iteration(&st, &proven, vectors, &mut rng)
            .unwrap();
        say(format!(
            "| {it} | {} | {} | {} | {} | {} |",
            s(step_time),
            s(ft.claims),
            s(ft.accumulate),
            s(ft.ivc_step),
            s(ft.claims + ft.accumulate + ft.ivc_step)
        ));
        params = proven.updated;
        let done = it + 1;
        if checkpoints.contains(&done) {
            let t = Instant::now();
            let proof = prover.prove(&mut rng).unwrap();
            let prove_time = t.elapsed();
            let bytes = proof.to_bytes().unwrap().len();
            let c_t = proven.new_model_commitment;
            let check = || {
                let t = Instant::now();
                verify(&keys, &data.commitment, &c0, &c_t, &proof).unwrap();
                t.elapsed()
            };
            let all = median3(check);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            let one = pool.install(|| median3(check));
            say(format!(
                "checkpoint: {done} iterations, final proof {bytes} bytes, decider + opening {} s, verify {:.0} ms (all cores) / {:.0} ms (one core)",
                s(prove_time),
                all.as_secs_f64() * 1e3,
                one.as_secs_f64() * 1e3
            ));
            finals.push((done, bytes, prove_time, all, one));
        }
    }
    say("\n| iterations | final proof (bytes) | decider + opening (s) | verify (ms, all cores) | verify (ms, one core) |".into());
    say("|---|---|---|---|---|".into());
    for (done, bytes, p, all, one) in finals {
        say(format!(
            "| {done} | {bytes} | {} | {:.0} | {:.0} |",
            s(p),
            all.as_secs_f64() * 1e3,
            one.as_secs_f64() * 1e3
        ));
    }
    if !out.is_empty() {
        std::fs::write(&out, report).unwrap();
    }
}
