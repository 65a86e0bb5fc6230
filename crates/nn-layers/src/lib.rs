//! # nn-layers: the exact integer training step
//!
//! zkpot proves that mini-batch SGD was carried out *bit for bit* as specified (SPEC §5). This
//! crate is that specification in code: pure integer arithmetic, no floats on the normative path.
//!
//! **Semantics.** A real `x` is `round(x·2^F)` (`F` fractional bits, default 16) in an `i64`.
//! Every small tensor (activations, rescaled pre-activations and gradients, weights, update
//! quotients) lies in `[-2^(B-1), 2^(B-1))` (`B = 32` by default); leaving it is a
//! [`NnError::ValueOutOfRange`]. Products are exact and summed in `i128` ([`bits`] bounds every
//! accumulator; `i64` is used only where the actual operands prove it exact). Every division by
//! `2^s` is the rescale `q = floor((z + 2^(s-1)) / 2^s)`, `r = z + 2^(s-1) - q·2^s ∈ [0, 2^s)`.
//! With `k` the learning-rate shift (`lr / batch = 2^-k`), one step is:
//!
//! ```text
//! forward   y_l = rescale(a_{l-1}·W_l + b_l·2^F, F)          (dense / conv2d)
//!           a_l = y_l ⊙ (1 - s_l),  s_l = [y_l < 0]           (zkReLU)
//!           avgpool: rescale(Σ window, 2);  maxpool: Σ e_i x_i with one-hot e
//! loss      g_L = y_L - onehot·2^F
//! backward  h_{l-1} = rescale(g_l·W_lᵀ, F)   (conv: transposed convolution)
//!           g = h ⊙ (1 - s) (same sign bits), pools per selector / rescale(g, 2)
//! gradient  dW_l = a_{l-1}ᵀ·g_l (scale 2^(2F)),  db_l = Σ g_l (scale 2^F)
//! update    W' = W - rescale(dW, F+k).q,  b' = b - rescale(db, k).q
//! ```
//!
//! | module | contents |
//! |---|---|
//! | [`fixed`] | [`FixedConfig`] (F, B), quantization, the normative [`fixed::rescale`] |
//! | [`tensor`] | [`Tensor`] (`i64`, shape + row-major data), [`tensor::WideTensor`] (`i128`) |
//! | [`model`] | [`LayerSpec`], validated [`Model`], shapes, parameter counts, architecture digest |
//! | [`zoo`] | `mlp`, `lenet5`, `vgg11`, VGG-shaped custom builders |
//! | [`bits`] | worst-case accumulator widths per layer and the overflow check |
//! | [`kernels`] | exact matmul / conv / pool kernels (rayon-parallel) |
//! | [`params`] | [`Params`], canonical flat layout, Kaiming init from a seed, safetensors I/O |
//! | [`train`] | [`train_step`] → [`StepTrace`], [`train_step_plain`], [`predict`] |
//! | [`proof`] | the per-iteration proof of a dense network (`mlp`): layouts, commitments, [`proof::prove_step`], [`proof::verify_step`] |
//! | [`aux`] | [`AuxLayout`]: power-of-two aligned segments of the aux vector `C_aux_t` |
//! | [`data`] | MNIST IDX / CIFAR-10 loaders, synthetic generators, shuffle, batch schedule |
//! | [`rng`] | the portable public randomness (ChaCha20, rejection sampling, Fisher–Yates) |
//! | [`error`] | [`NnError`] |
//!
//! The exact formulas, index conventions and layouts are in `docs/training-engine.md`.

pub mod aux;
pub mod bits;
pub mod data;
pub mod error;
pub mod fixed;
pub mod kernels;
pub mod model;
pub mod params;
pub mod proof;
pub mod rng;
pub mod tensor;
pub mod train;
pub mod zoo;

pub use aux::{AuxLayout, Segment};
pub use error::{NnError, Result};
pub use fixed::FixedConfig;
pub use model::{LayerSpec, Model};
pub use params::{LayerParams, ParamLayout, Params};
pub use tensor::Tensor;
pub use train::{
    predict, train_step, train_step_plain, LayerTrace, StepOutput, StepTrace, TrainConfig,
};
