//! Plain row-major integer tensors.

use serde::{Deserialize, Serialize};

/// A row-major tensor of `i64` values (fixed-point integers, sign bits, selectors, ...).
/// Activations carry the batch as their leading dimension (`[batch][...]`, NCHW for images).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tensor {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values, row-major.
    pub data: Vec<i64>,
}

impl Tensor {
    /// Wraps `data` with `shape` (the caller guarantees `data.len() == product(shape)`).
    pub fn new(shape: Vec<usize>, data: Vec<i64>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Self { shape, data }
    }

    /// An all-zero tensor.
    pub fn zeros(shape: Vec<usize>) -> Self {
        let n = shape.iter().product();
        Self {
            shape,
            data: vec![0; n],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tensor has no entries.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Largest absolute value (0 for an empty tensor).
    pub fn max_abs(&self) -> u64 {
        max_abs(&self.data)
    }
}

/// A row-major tensor of `i128` values: un-rescaled accumulators such as weight gradients at
/// scale `2^(2F)`, which are not "small".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WideTensor {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub data: Vec<i128>,
}

/// Largest absolute value of a slice.
pub fn max_abs(data: &[i64]) -> u64 {
    data.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0)
}
