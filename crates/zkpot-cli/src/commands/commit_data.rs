//! `zkpot commit-data`: load, shuffle (public seed), quantize and commit a dataset (`C_D`).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use nn_layers::data::{self, Dataset};
use nn_layers::proof::{commit_dataset, dataset_vector, prove_dataset_wellformed};
use nn_layers::{FixedConfig, TrainConfig};
use pcs::{HyperKzg, Srs};

use crate::commands::{check_srs_size, load_srs, model_by_name, required_sizes};
use crate::error::{CliError, Result};
use crate::formats::{self, DataFile, Point, DATA_MAGIC};

/// Default number of synthetic samples.
pub const DEFAULT_SYNTHETIC_SAMPLES: usize = 512;
/// Seed of the synthetic generators (the data are public test data).
pub const SYNTHETIC_SEED: u64 = 7;
/// Default public shuffle seed.
pub const DEFAULT_SHUFFLE_SEED: u64 = 1;
/// Default learning-rate shift (used to report the SRS size training will need).
pub const DEFAULT_LR_SHIFT: u32 = 8;

/// Where the samples come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatasetSpec {
    /// The seeded synthetic MNIST-shaped generator (no download).
    SyntheticMnist,
    /// The seeded synthetic CIFAR-10-shaped generator (no download).
    SyntheticCifar,
    /// MNIST IDX files `train-images-idx3-ubyte`, `train-labels-idx1-ubyte` in a directory.
    Mnist(PathBuf),
    /// CIFAR-10 binary batches `data_batch_{1..5}.bin` in a directory (`cifar-10-batches-bin`).
    Cifar10(PathBuf),
}

impl FromStr for DatasetSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "synthetic-mnist" => return Ok(Self::SyntheticMnist),
            "synthetic-cifar" | "synthetic-cifar10" => return Ok(Self::SyntheticCifar),
            _ => {}
        }
        if let Some(d) = s.strip_prefix("mnist:") {
            return Ok(Self::Mnist(PathBuf::from(d)));
        }
        if let Some(d) = s.strip_prefix("cifar10:") {
            return Ok(Self::Cifar10(PathBuf::from(d)));
        }
        Err(format!(
            "unknown dataset `{s}` (expected synthetic-mnist, synthetic-cifar, mnist:DIR or cifar10:DIR)"
        ))
    }
}

impl DatasetSpec {
    /// The default model for this kind of data (`mlp` for MNIST; `lenet5` for CIFAR-10, whose
    /// row layout `vgg11` shares).
    pub fn default_model(&self) -> &'static str {
        match self {
            Self::SyntheticMnist | Self::Mnist(_) => "mlp",
            Self::SyntheticCifar | Self::Cifar10(_) => "lenet5",
        }
    }

    /// Load the raw samples; `samples` sizes the synthetic sets.
    pub fn load(&self, samples: Option<usize>) -> Result<(Dataset, String)> {
        let n = samples.unwrap_or(DEFAULT_SYNTHETIC_SAMPLES);
        let bad = |p: &PathBuf, e: nn_layers::NnError| CliError::bad_input(p, e.to_string());
        match self {
            Self::SyntheticMnist => {
                let (img, lab) = data::synthetic_mnist_files(n, SYNTHETIC_SEED);
                let ds = data::parse_mnist(&img, &lab)?;
                Ok((
                    ds,
                    format!("synthetic-mnist (n={n}, generator seed {SYNTHETIC_SEED})"),
                ))
            }
            Self::SyntheticCifar => {
                let bytes = data::synthetic_cifar10_file(n, SYNTHETIC_SEED);
                let ds = data::parse_cifar10(&bytes)?;
                Ok((
                    ds,
                    format!("synthetic-cifar (n={n}, generator seed {SYNTHETIC_SEED})"),
                ))
            }
            Self::Mnist(d) => Ok((
                data::load_mnist_dir(d).map_err(|e| bad(d, e))?,
                format!("mnist:{}", d.display()),
            )),
            Self::Cifar10(d) => Ok((
                data::load_cifar10_dir(d).map_err(|e| bad(d, e))?,
                format!("cifar10:{}", d.display()),
            )),
        }
    }
}

/// Options of `zkpot commit-data`.
#[derive(Clone, Debug)]
pub struct CommitDataOptions {
    /// The data.
    pub dataset: DatasetSpec,
    /// Synthetic: how many samples to generate; real data: at most this many. The committed
    /// count is the largest power of two not above it.
    pub samples: Option<usize>,
    /// Public shuffle seed.
    pub shuffle_seed: u64,
    /// The SRS file.
    pub srs: PathBuf,
    /// Model whose row layout to use (default: [`DatasetSpec::default_model`]).
    pub model: Option<String>,
    /// Output DATA file.
    pub out: PathBuf,
}

/// Run `commit-data`, loading the SRS from `opts.srs`.
pub fn run(opts: &CommitDataOptions, quiet: bool) -> Result<DataFile> {
    let srs = load_srs(&opts.srs)?;
    run_with_srs(opts, &srs, quiet)
}

/// Shuffle with the public seed and keep the first `2^⌊log2 min(samples, len)⌋` rows (exactly
/// `QuantizedDataset::prepare`'s order), as pixels.
pub fn shuffled_rows(
    ds: &Dataset,
    shuffle_seed: u64,
    samples: Option<usize>,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let avail = samples.map_or(ds.len(), |m| m.min(ds.len()));
    if avail == 0 {
        return Err(CliError::usage("the dataset has no samples"));
    }
    let n = 1usize << (usize::BITS - 1 - avail.leading_zeros());
    let sl = ds.sample_len();
    let perm = nn_layers::rng::shuffle_permutation(ds.len(), shuffle_seed);
    let mut pixels = Vec::with_capacity(n * sl);
    let mut labels = Vec::with_capacity(n);
    for &src in &perm[..n] {
        let row = ds
            .pixels
            .get(src * sl..(src + 1) * sl)
            .ok_or_else(|| CliError::usage("dataset pixel buffer shorter than its labels"))?;
        pixels.extend_from_slice(row);
        labels.push(ds.labels[src]);
    }
    Ok((pixels, labels))
}

/// Run `commit-data` with an SRS already in memory.
pub fn run_with_srs(opts: &CommitDataOptions, srs: &Srs, quiet: bool) -> Result<DataFile> {
    let t0 = Instant::now();
    let model_name = opts
        .model
        .clone()
        .unwrap_or_else(|| opts.dataset.default_model().to_string());
    let model = model_by_name(&model_name)?;
    let (ds, source) = opts.dataset.load(opts.samples)?;
    if ds.sample_len() != model.input_len() || ds.num_classes != model.num_classes() {
        return Err(CliError::usage(format!(
            "dataset samples have {} values and {} classes, model `{}` takes {} inputs and {} classes",
            ds.sample_len(),
            ds.num_classes,
            model.name,
            model.input_len(),
            model.num_classes()
        )));
    }
    let (pixels, labels) = shuffled_rows(&ds, opts.shuffle_seed, opts.samples)?;
    let fixed = FixedConfig::default();
    let rows = labels.len();
    let cfg = TrainConfig::new(fixed, DEFAULT_LR_SHIFT)?;
    let sizes = required_sizes(&model, &cfg, rows, None)?;
    let commit_need = sizes
        .data
        .max(sizes.model.unwrap_or(0))
        .max(sizes.data_wellformed.unwrap_or(0));
    check_srs_size(
        srs,
        commit_need,
        &format!("committing {rows} rows (and the `{model_name}` model)"),
    )?;
    let mut file = DataFile {
        source,
        shuffle_seed: opts.shuffle_seed,
        model: model_name.clone(),
        fixed,
        sample_shape: ds.sample_shape.clone(),
        num_classes: ds.num_classes,
        pixels,
        labels,
        layout: nn_layers::proof::DatasetLayout::new(&model, rows)?,
        commitment: Point(ark_bn254::G1Affine::default()),
        srs_digest: srs.digest(),
        srs_insecure: srs.is_insecure_dev(),
        wellformed: Vec::new(),
    };
    let q = file.quantized();
    let (layout, values) = dataset_vector(&q, &model)?;
    let (pk, _) = HyperKzg::keys(srs, commit_need)?;
    let c = commit_dataset(&pk, &layout, &values)?;
    // One-time proof that C_D is well formed (zero padding, one-hot labels, inputs in range):
    // the step proofs' padding argument rests on it, and `verify` checks it once per run.
    file.wellformed = prove_dataset_wellformed(&pk, &c, &values, &fixed)?.to_bytes();
    file.layout = layout;
    file.commitment = Point(c.commitment);
    file.check()
        .map_err(|what| CliError::usage(format!("internal: dataset file inconsistent: {what}")))?;
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
    }
    formats::save(&DATA_MAGIC, &opts.out, &file)?;
    if !quiet {
        println!(
            "wrote {}: {} rows of {} ({} values + {} classes per row, 2^{} entries), shuffle seed {}",
            opts.out.display(),
            rows,
            file.source,
            layout.input_len,
            layout.num_classes,
            layout.num_vars(),
            opts.shuffle_seed
        );
        println!("C_D = {}", file.commitment.to_hex());
        if sizes.model.is_some() {
            for b in [1usize, 16] {
                if b <= rows {
                    let s = required_sizes(&model, &cfg, rows, Some(b))?;
                    println!(
                        "note: `train --commit --model {model_name} --batch {b}` needs an SRS of log-size >= {}",
                        s.max()
                    );
                }
            }
        }
        println!("({:.1} s)", t0.elapsed().as_secs_f64());
    }
    Ok(file)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use nn_layers::data::QuantizedDataset;

    #[test]
    fn shuffled_rows_match_prepare() {
        let (img, lab) = data::synthetic_mnist_files(37, 3);
        let ds = data::parse_mnist(&img, &lab).unwrap();
        let fixed = FixedConfig::default();
        for (seed, max) in [(1, None), (9, Some(20)), (4, Some(1))] {
            let (pixels, labels) = shuffled_rows(&ds, seed, max).unwrap();
            let q = QuantizedDataset::prepare(&ds, &fixed, seed, max).unwrap();
            let inputs: Vec<i64> = pixels.iter().map(|&p| fixed.quantize_pixel(p)).collect();
            assert_eq!(inputs, q.inputs);
            assert_eq!(labels, q.labels);
        }
    }

    #[test]
    fn dataset_specs_parse() {
        assert_eq!("synthetic-mnist".parse(), Ok(DatasetSpec::SyntheticMnist));
        assert_eq!(
            "cifar10:/x/y".parse(),
            Ok(DatasetSpec::Cifar10(PathBuf::from("/x/y")))
        );
        assert!("imagenet".parse::<DatasetSpec>().is_err());
    }
}
