//! The commands, as library functions (the binary only parses arguments and maps exit codes).

pub mod bench;
pub mod commit_data;
pub mod demo;
pub mod fold;
pub mod inspect;
pub mod setup;
pub mod train;
pub mod verify;

use std::path::Path;

use nn_layers::proof::{model_layout, StepLayout};
use nn_layers::{LayerSpec, Model, TrainConfig};
use pcs::Srs;

use crate::error::{CliError, Result};

/// The warning every command prints when it uses a development SRS.
pub const INSECURE_WARNING: &str =
    "WARNING: INSECURE development SRS (tau is derivable from a public seed): \
anyone can forge proofs against it; use `zkpot setup --ptau FILE` for real runs";

/// Print [`INSECURE_WARNING`] to stderr when `insecure`.
pub fn warn_if_insecure(insecure: bool) {
    if insecure {
        eprintln!("{INSECURE_WARNING}");
    }
}

/// Load an SRS file (exit 2 on any problem) and warn when it is a development SRS.
pub fn load_srs(path: &Path) -> Result<Srs> {
    let srs = Srs::load(path).map_err(|e| CliError::bad_input(path, e.to_string()))?;
    warn_if_insecure(srs.is_insecure_dev());
    Ok(srs)
}

/// Look a model up by name (exit 2 for unknown names): the zoo's `mlp`, `lenet5`, `vgg11`, or a
/// custom dense network `mlp:H1,H2,...` on MNIST-shaped data (784 inputs, hidden widths `H_i`
/// each followed by ReLU, 10 classes), e.g. `mlp:16` for quick experiments and tests, or
/// `vgg11/D`: VGG-11 with every width divided by `D` (2..=64), on CIFAR-shaped data.
pub fn model_by_name(name: &str) -> Result<Model> {
    let unknown = || {
        CliError::usage(format!(
            "unknown model `{name}` (expected mlp, lenet5, vgg11, vgg11/D with D in 2..=64, or \
             mlp:H1,H2,... with hidden widths 1..=4096)"
        ))
    };
    if let Some(d) = name.strip_prefix("vgg11/") {
        let d = d
            .parse::<usize>()
            .ok()
            .filter(|d| (2..=64).contains(d))
            .ok_or_else(unknown)?;
        return nn_layers::zoo::vgg11_narrow(d).map_err(|_| unknown());
    }
    if let Some(spec) = name.strip_prefix("mlp:") {
        let widths: Option<Vec<usize>> = spec
            .split(',')
            .map(|w| {
                w.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&w| (1..=4096).contains(&w))
            })
            .collect();
        let widths = widths
            .filter(|w| !w.is_empty() && w.len() <= 8)
            .ok_or_else(unknown)?;
        let mut layers = Vec::new();
        let mut prev = 784;
        for w in widths {
            layers.push(LayerSpec::Dense {
                inputs: prev,
                outputs: w,
            });
            layers.push(LayerSpec::Relu);
            prev = w;
        }
        layers.push(LayerSpec::Dense {
            inputs: prev,
            outputs: 10,
        });
        return Model::new(name, vec![784], layers).map_err(|_| unknown());
    }
    nn_layers::zoo::by_name(name).map_err(|_| unknown())
}

/// Whether this build can prove training steps of `model`: `Dense (Relu Dense)*` networks, and
/// convolutional networks of `Conv2d`/`Dense`/`Relu`/`AvgPool2`/`MaxPool2`/`Flatten` with
/// power-of-two image sides (`lenet5`, `vgg11`).
pub fn provable(model: &Model) -> Result<()> {
    let unsupported = |e: nn_layers::proof::ProofError| CliError::Unsupported {
        what: format!("model `{}`: {e}", model.name),
    };
    if nn_layers::proof::net::is_conv_net(model) {
        let cfg = TrainConfig::new(nn_layers::FixedConfig::default(), 8)?;
        nn_layers::proof::net::NetLayout::new(model, &cfg, 1, 1).map_err(unsupported)?;
        return Ok(());
    }
    nn_layers::proof::layout::dense_layers(model).map_err(unsupported)?;
    Ok(())
}

/// The compute backend switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Backend {
    /// GPU when a CUDA device opens, else CPU.
    #[default]
    Auto,
    /// CPU.
    Cpu,
    /// GPU, or an error (exit 2) when none opens.
    Gpu,
}

impl Backend {
    /// The flag value: `auto`, `cpu` or `gpu`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Gpu => "gpu",
        }
    }
}

/// Resolve the backend and install the GPU backends when it resolves to a device (see
/// `gpu::select`). `gpu` without a usable device is an error (exit 2). Idempotent.
pub fn check_backend(b: Backend) -> Result<gpu::Selection> {
    let choice = match b {
        Backend::Auto => gpu::BackendChoice::Auto,
        Backend::Cpu => gpu::BackendChoice::Cpu,
        Backend::Gpu => gpu::BackendChoice::Gpu,
    };
    gpu::install(choice).map_err(|e| CliError::Unsupported {
        what: format!("--backend gpu: no usable GPU ({e}); use --backend cpu or auto"),
    })
}

/// log2 of the committed vector sizes of a proven run (the SRS must have at least `max()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequiredSizes {
    /// Dataset vector.
    pub data: usize,
    /// Model vector (`None` for models this build cannot prove).
    pub model: Option<usize>,
    /// Aux vector at the given batch size (`None` when unknown).
    pub aux: Option<usize>,
    /// The auxiliary vector of the dataset's well-formedness proof.
    pub data_wellformed: Option<usize>,
}

impl RequiredSizes {
    /// The largest of the sizes.
    pub fn max(&self) -> usize {
        self.data
            .max(self.model.unwrap_or(0))
            .max(self.aux.unwrap_or(0))
            .max(self.data_wellformed.unwrap_or(0))
    }
}

fn log2(n: usize) -> usize {
    n.next_power_of_two().trailing_zeros() as usize
}

/// Sizes for `model` over `rows` dataset rows, with the aux vector when `batch` is given.
pub fn required_sizes(
    model: &Model,
    cfg: &TrainConfig,
    rows: usize,
    batch: Option<usize>,
) -> Result<RequiredSizes> {
    let layout = nn_layers::proof::DatasetLayout::new(model, rows)?;
    let data = layout.num_vars();
    // Every DATA file carries its well-formedness proof, whatever the model.
    let data_wellformed = Some(nn_layers::proof::dataset_wellformed_vars(
        &layout, &cfg.fixed,
    )?);
    if provable(model).is_err() {
        return Ok(RequiredSizes {
            data,
            model: None,
            aux: None,
            data_wellformed,
        });
    }
    let m = log2(model_layout(model)?.total_len);
    let aux = match batch {
        Some(b) if nn_layers::proof::net::is_conv_net(model) => Some(log2(
            nn_layers::proof::net::NetLayout::new(model, cfg, b, rows)?
                .aux
                .total_len,
        )),
        Some(b) => Some(log2(StepLayout::new(model, cfg, b, rows)?.aux.total_len)),
        None => None,
    };
    Ok(RequiredSizes {
        data,
        model: Some(m),
        aux,
        data_wellformed,
    })
}

/// Error unless the SRS has `needed` powers.
pub fn check_srs_size(srs: &Srs, needed: usize, what: &str) -> Result<()> {
    if srs.log_size() < needed {
        return Err(CliError::SrsTooSmall {
            what: what.to_string(),
            needed,
            available: srs.log_size(),
        });
    }
    Ok(())
}

/// Milliseconds of a duration, as f64.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Human-readable byte count.
pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.2} MiB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
