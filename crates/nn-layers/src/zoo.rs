//! The model zoo: `mlp`, `lenet5`, `vgg11`, and builders for custom (e.g. reduced-width) nets.

use crate::error::{NnError, Result};
use crate::model::{LayerSpec, Model};

/// One entry of a VGG-style configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VggItem {
    /// 3×3 same conv to this many channels, followed by ReLU.
    Conv(usize),
    /// 2×2 max pool.
    MaxPool,
}

/// The standard VGG-11 configuration ("A"): 64 M 128 M 256 256 M 512 512 M 512 512 M.
pub const VGG11_CONFIG: [VggItem; 13] = [
    VggItem::Conv(64),
    VggItem::MaxPool,
    VggItem::Conv(128),
    VggItem::MaxPool,
    VggItem::Conv(256),
    VggItem::Conv(256),
    VggItem::MaxPool,
    VggItem::Conv(512),
    VggItem::Conv(512),
    VggItem::MaxPool,
    VggItem::Conv(512),
    VggItem::Conv(512),
    VggItem::MaxPool,
];

fn dense(inputs: usize, outputs: usize) -> LayerSpec {
    LayerSpec::Dense { inputs, outputs }
}

fn conv(in_channels: usize, out_channels: usize, kernel: usize) -> LayerSpec {
    LayerSpec::Conv2d {
        in_channels,
        out_channels,
        kernel,
    }
}

/// MLP 784-128-64-10 for MNIST (input `[784]`, the 28×28 image row-major).
/// Parameters: 100,480 + 8,256 + 650 = 109,386.
pub fn mlp() -> Model {
    build(
        "mlp",
        vec![784],
        vec![
            dense(784, 128),
            LayerSpec::Relu,
            dense(128, 64),
            LayerSpec::Relu,
            dense(64, 10),
        ],
    )
}

/// LeNet-5 (CIFAR-10 variant, same padding): conv5×5(3→6)+ReLU, avgpool, conv5×5(6→16)+ReLU,
/// avgpool, flatten (1024), dense 120+ReLU, dense 84+ReLU, dense 10.
pub fn lenet5() -> Model {
    build(
        "lenet5",
        vec![3, 32, 32],
        vec![
            conv(3, 6, 5),
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            conv(6, 16, 5),
            LayerSpec::Relu,
            LayerSpec::AvgPool2,
            LayerSpec::Flatten,
            dense(1024, 120),
            LayerSpec::Relu,
            dense(120, 84),
            LayerSpec::Relu,
            dense(84, 10),
        ],
    )
}

/// VGG-11 for CIFAR-10 without batch norm: 8 3×3 convs (+ReLU), 5 max pools, flatten (512),
/// dense 512→10. 9,225,610 parameters.
pub fn vgg11() -> Model {
    build("vgg11", vec![3, 32, 32], vgg_layers(3, &VGG11_CONFIG, 10))
}

/// VGG-11 with every width divided by `divisor` (at least 1 channel): a VGG-shaped net small
/// enough for tests (e.g. `divisor = 16` gives widths 4, 8, 16, 16, 32, 32, 32, 32).
pub fn vgg11_narrow(divisor: usize) -> Result<Model> {
    let d = divisor.max(1);
    let cfg: Vec<VggItem> = VGG11_CONFIG
        .iter()
        .map(|it| match *it {
            VggItem::Conv(w) => VggItem::Conv((w / d).max(1)),
            VggItem::MaxPool => VggItem::MaxPool,
        })
        .collect();
    vgg(&format!("vgg11/{d}"), [3, 32, 32], &cfg, 10)
}

/// A VGG-shaped network: `cfg` convs (3×3, +ReLU) and max pools on a `[C, H, W]` input, then
/// flatten and one dense layer to `num_classes`.
pub fn vgg(name: &str, input: [usize; 3], cfg: &[VggItem], num_classes: usize) -> Result<Model> {
    let mut layers = vgg_layers(input[0], cfg, num_classes);
    // Fix the dense width from the actual spatial size after the pools.
    let pools = cfg.iter().filter(|it| **it == VggItem::MaxPool).count() as u32;
    let (h, w) = (input[1] >> pools, input[2] >> pools);
    if let Some(LayerSpec::Dense { inputs, .. }) = layers.last_mut() {
        *inputs *= h * w;
    }
    Model::new(name, input.to_vec(), layers)
}

/// Layer list of a VGG configuration assuming a 1×1 spatial size at the end (dense input = the
/// last width; [`vgg`] corrects it for other sizes).
fn vgg_layers(in_channels: usize, cfg: &[VggItem], num_classes: usize) -> Vec<LayerSpec> {
    let mut layers = Vec::new();
    let mut c = in_channels;
    for it in cfg {
        match *it {
            VggItem::Conv(out) => {
                layers.push(conv(c, out, 3));
                layers.push(LayerSpec::Relu);
                c = out;
            }
            VggItem::MaxPool => layers.push(LayerSpec::MaxPool2),
        }
    }
    layers.push(LayerSpec::Flatten);
    layers.push(dense(c, num_classes));
    layers
}

/// Looks a zoo model up by name (`mlp`, `lenet5`, `vgg11`).
pub fn by_name(name: &str) -> Result<Model> {
    match name {
        "mlp" => Ok(mlp()),
        "lenet5" => Ok(lenet5()),
        "vgg11" => Ok(vgg11()),
        _ => Err(NnError::InvalidArchitecture {
            layer: usize::MAX,
            reason: "unknown zoo model (expected mlp, lenet5 or vgg11)",
        }),
    }
}

/// The three zoo models.
pub fn all() -> Vec<Model> {
    vec![mlp(), lenet5(), vgg11()]
}

/// Builds a constant zoo architecture. These layer lists are fixed at compile time and validated by
/// the tests, so a failure here is a programming error, not an input error.
#[allow(clippy::expect_used)]
fn build(name: &str, input: Vec<usize>, layers: Vec<LayerSpec>) -> Model {
    Model::new(name, input, layers).expect("zoo architectures are valid")
}
