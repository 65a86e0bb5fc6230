//! The crate's error type.

use std::path::PathBuf;

/// Every way an operation of this crate can fail. Nothing in this crate panics on bad input: a
/// malformed file, an inconsistent shape or an honest computation that leaves the value bound all
/// end up here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NnError {
    /// Fixed-point parameters outside the supported range (`1 <= F < B <= 62`, `F + k <= 62`).
    #[error("invalid fixed-point configuration: frac_bits={frac_bits}, value_bits={value_bits}, lr_shift={lr_shift}")]
    InvalidFixedConfig {
        /// Fractional bits `F`.
        frac_bits: u32,
        /// Value bits `B`.
        value_bits: u32,
        /// Learning-rate shift `k` (0 where not applicable).
        lr_shift: u32,
    },
    /// A layer list that does not describe a valid network.
    #[error("invalid architecture at layer {layer}: {reason}")]
    InvalidArchitecture {
        /// Index of the offending layer (`usize::MAX` for the model as a whole).
        layer: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A tensor or buffer has the wrong length or shape.
    #[error("shape mismatch for {what}: expected {expected:?}, got {actual:?}")]
    ShapeMismatch {
        /// Which tensor.
        what: String,
        /// Expected shape (or `[len]`).
        expected: Vec<usize>,
        /// Actual shape (or `[len]`).
        actual: Vec<usize>,
    },
    /// An honest computation produced a value outside `[-2^(bits-1), 2^(bits-1))`.
    #[error("value out of range in {tensor}[{index}]: {value} does not fit in {bits} signed bits")]
    ValueOutOfRange {
        /// Name of the tensor (the aux-segment name where there is one).
        tensor: String,
        /// Flat index of the value.
        index: usize,
        /// The offending value.
        value: i128,
        /// The bound `B`.
        bits: u32,
    },
    /// The worst-case accumulator width of some layer exceeds what `i128` holds safely.
    #[error("layer {layer}: worst-case accumulator needs {bits} bits (limit {limit})")]
    AccumulatorTooWide {
        /// Layer index.
        layer: usize,
        /// Worst-case signed bit width.
        bits: u32,
        /// The limit.
        limit: u32,
    },
    /// A size that must be a power of two is not.
    #[error("{what} must be a nonzero power of two, got {value}")]
    NotPowerOfTwo {
        /// Which size.
        what: &'static str,
        /// Its value.
        value: usize,
    },
    /// The batch is larger than the dataset.
    #[error("batch size {batch} exceeds dataset size {samples}")]
    BatchTooLarge {
        /// Batch size.
        batch: usize,
        /// Number of samples.
        samples: usize,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} at index {index} is not below the number of classes {num_classes}")]
    LabelOutOfRange {
        /// Position of the label.
        index: usize,
        /// The label.
        label: usize,
        /// Number of classes.
        num_classes: usize,
    },
    /// A dataset has no samples (or fewer than needed).
    #[error("dataset is empty")]
    EmptyDataset,
    /// Reading or writing a file failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file does not start with the expected magic number.
    #[error("bad magic in {what}: expected {expected:#010x}, found {found:#010x}")]
    BadMagic {
        /// Which file kind.
        what: &'static str,
        /// Expected magic.
        expected: u32,
        /// Found magic.
        found: u32,
    },
    /// A file is shorter or longer than its header says.
    #[error("{what}: expected {expected} bytes, found {actual}")]
    InvalidLength {
        /// Which file kind.
        what: &'static str,
        /// Expected length in bytes.
        expected: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// Image and label files disagree on the number of samples.
    #[error("image file has {images} samples but label file has {labels}")]
    CountMismatch {
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// Image dimensions differ from what the loader expects.
    #[error("unexpected image dimensions {actual:?}, expected {expected:?}")]
    UnexpectedDimensions {
        /// Expected dims.
        expected: Vec<usize>,
        /// Found dims.
        actual: Vec<usize>,
    },
    /// The safetensors container could not be parsed or written.
    #[error("safetensors: {0}")]
    SafeTensors(#[from] safetensors::SafeTensorError),
    /// A parameter tensor is missing from a safetensors file.
    #[error("missing tensor {name}")]
    MissingTensor {
        /// Tensor name.
        name: String,
    },
    /// A tensor in a safetensors file has an unsupported dtype.
    #[error("tensor {name} has unsupported dtype {dtype}")]
    UnsupportedDtype {
        /// Tensor name.
        name: String,
        /// The dtype, as safetensors prints it.
        dtype: String,
    },
    /// A float value is NaN or infinite (or too large to quantize).
    #[error("non-finite or unrepresentable value in {name}[{index}]")]
    NonFiniteValue {
        /// Tensor name.
        name: String,
        /// Flat index.
        index: usize,
    },
    /// The padding of a flattened parameter vector is not zero.
    #[error("nonzero padding at index {index} of the flattened parameter vector")]
    NonZeroPadding {
        /// Index of the first nonzero padding entry.
        index: usize,
    },
    /// Two aux segments share a name.
    #[error("duplicate aux segment {name}")]
    DuplicateSegment {
        /// Segment name.
        name: String,
    },
    /// An aux segment has length zero.
    #[error("aux segment {name} is empty")]
    EmptySegment {
        /// Segment name.
        name: String,
    },
    /// An aux segment was not supplied (or is unknown) when assembling the aux vector.
    #[error("aux segment {name} missing or unknown")]
    UnknownSegment {
        /// Segment name.
        name: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, NnError>;
