//! Datasets: MNIST IDX and CIFAR-10 binary loaders, synthetic generators writing the same
//! formats, the public shuffle, and the batch schedule of SPEC §4.
//!
//! Samples are quantized to `round(pixel/255 · 2^F)` ([`FixedConfig::quantize_pixel`]). After the
//! public shuffle the dataset is **truncated** to the largest power of two `N <= count` (never
//! padded: padding would add fake samples); iteration `t` uses rows
//! `[(t·B) mod N, (t·B) mod N + B)`, which never wraps because `B | N`.

use crate::error::{NnError, Result};
use crate::fixed::FixedConfig;
use crate::rng::{rng_from_seed, shuffle_permutation, uniform_below};
use crate::tensor::Tensor;
use crate::train::one_hot;
use rand::RngCore;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Magic of an IDX image file (`idx3-ubyte`, unsigned bytes, 3 dims).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic of an IDX label file (`idx1-ubyte`).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;
/// Bytes per CIFAR-10 record: 1 label + 3·32·32 pixels (CHW).
pub const CIFAR_RECORD: usize = 1 + 3 * 32 * 32;
/// Number of classes of both datasets.
pub const NUM_CLASSES: usize = 10;

/// Raw 8-bit samples and labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Per-sample shape: `[784]` for MNIST (28×28 row-major), `[3, 32, 32]` for CIFAR-10.
    pub sample_shape: Vec<usize>,
    /// `len · sample_len` pixels.
    pub pixels: Vec<u8>,
    /// One label per sample.
    pub labels: Vec<u8>,
    /// Number of classes.
    pub num_classes: usize,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Values per sample.
    pub fn sample_len(&self) -> usize {
        self.sample_shape.iter().product()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| NnError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| NnError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn be_u32(bytes: &[u8], at: usize, what: &'static str) -> Result<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(NnError::InvalidLength {
            what,
            expected: at + 4,
            actual: bytes.len(),
        })
}

fn check_labels(labels: &[u8], num_classes: usize) -> Result<()> {
    match labels.iter().position(|&l| l as usize >= num_classes) {
        Some(index) => Err(NnError::LabelOutOfRange {
            index,
            label: labels[index] as usize,
            num_classes,
        }),
        None => Ok(()),
    }
}

/// Parses MNIST from the contents of an `idx3-ubyte` image file and an `idx1-ubyte` label file.
pub fn parse_mnist(images: &[u8], labels: &[u8]) -> Result<Dataset> {
    let magic = be_u32(images, 0, "idx3 image header")?;
    if magic != IDX_IMAGES_MAGIC {
        return Err(NnError::BadMagic {
            what: "idx3 image file",
            expected: IDX_IMAGES_MAGIC,
            found: magic,
        });
    }
    let count = be_u32(images, 4, "idx3 image header")? as usize;
    let rows = be_u32(images, 8, "idx3 image header")? as usize;
    let cols = be_u32(images, 12, "idx3 image header")? as usize;
    if rows != 28 || cols != 28 {
        return Err(NnError::UnexpectedDimensions {
            expected: vec![28, 28],
            actual: vec![rows, cols],
        });
    }
    let expected = 16 + count * rows * cols;
    if images.len() != expected {
        return Err(NnError::InvalidLength {
            what: "idx3 image file",
            expected,
            actual: images.len(),
        });
    }
    let lmagic = be_u32(labels, 0, "idx1 label header")?;
    if lmagic != IDX_LABELS_MAGIC {
        return Err(NnError::BadMagic {
            what: "idx1 label file",
            expected: IDX_LABELS_MAGIC,
            found: lmagic,
        });
    }
    let lcount = be_u32(labels, 4, "idx1 label header")? as usize;
    if labels.len() != 8 + lcount {
        return Err(NnError::InvalidLength {
            what: "idx1 label file",
            expected: 8 + lcount,
            actual: labels.len(),
        });
    }
    if lcount != count {
        return Err(NnError::CountMismatch {
            images: count,
            labels: lcount,
        });
    }
    let labels = labels[8..].to_vec();
    check_labels(&labels, NUM_CLASSES)?;
    Ok(Dataset {
        sample_shape: vec![rows * cols],
        pixels: images[16..].to_vec(),
        labels,
        num_classes: NUM_CLASSES,
    })
}

/// Loads MNIST from an image and a label file.
pub fn load_mnist(images: &Path, labels: &Path) -> Result<Dataset> {
    parse_mnist(&read_file(images)?, &read_file(labels)?)
}

/// Loads MNIST from `dir/train-images-idx3-ubyte` and `dir/train-labels-idx1-ubyte`.
pub fn load_mnist_dir(dir: &Path) -> Result<Dataset> {
    load_mnist(
        &dir.join("train-images-idx3-ubyte"),
        &dir.join("train-labels-idx1-ubyte"),
    )
}

/// Parses CIFAR-10 binary records (`data_batch_*.bin`): 1 label byte + 3072 CHW pixel bytes.
pub fn parse_cifar10(bytes: &[u8]) -> Result<Dataset> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(CIFAR_RECORD) {
        return Err(NnError::InvalidLength {
            what: "cifar-10 batch file (multiple of 3073 bytes)",
            expected: (bytes.len() / CIFAR_RECORD).max(1) * CIFAR_RECORD,
            actual: bytes.len(),
        });
    }
    let n = bytes.len() / CIFAR_RECORD;
    let mut pixels = Vec::with_capacity(n * (CIFAR_RECORD - 1));
    let mut labels = Vec::with_capacity(n);
    for rec in bytes.chunks_exact(CIFAR_RECORD) {
        labels.push(rec[0]);
        pixels.extend_from_slice(&rec[1..]);
    }
    check_labels(&labels, NUM_CLASSES)?;
    Ok(Dataset {
        sample_shape: vec![3, 32, 32],
        pixels,
        labels,
        num_classes: NUM_CLASSES,
    })
}

/// Loads and concatenates CIFAR-10 batch files, in the given order.
pub fn load_cifar10(files: &[PathBuf]) -> Result<Dataset> {
    let mut all: Option<Dataset> = None;
    for f in files {
        let d = parse_cifar10(&read_file(f)?)?;
        match all.as_mut() {
            None => all = Some(d),
            Some(a) => {
                a.pixels.extend_from_slice(&d.pixels);
                a.labels.extend_from_slice(&d.labels);
            }
        }
    }
    all.ok_or(NnError::EmptyDataset)
}

/// Loads `dir/data_batch_1.bin` … `data_batch_5.bin` (those present, at least one).
pub fn load_cifar10_dir(dir: &Path) -> Result<Dataset> {
    let files: Vec<PathBuf> = (1..=5)
        .map(|i| dir.join(format!("data_batch_{i}.bin")))
        .filter(|p| p.exists())
        .collect();
    load_cifar10(&files)
}

/// Synthetic data: class-dependent prototype images plus seeded noise, separable enough for the
/// MLP to learn. Prototype of class `c`: a grid of 4×4 blocks, each independently "on" (≈200)
/// or "off" (≈30) per channel; a sample adds uniform noise in `[-noise, noise]` per pixel and
/// clamps to `[0, 255]`. Labels are uniform in `0..10`.
fn synthetic(n: usize, seed: u64, shape: [usize; 3], noise: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = rng_from_seed(seed);
    let [c, h, w] = shape;
    let (bh, bw) = (h.div_ceil(4), w.div_ceil(4));
    let protos: Vec<Vec<u8>> = (0..NUM_CLASSES)
        .map(|_| {
            let blocks: Vec<bool> = (0..c * bh * bw).map(|_| rng.next_u32() & 1 == 1).collect();
            let mut img = vec![0u8; c * h * w];
            for ch in 0..c {
                for y in 0..h {
                    for x in 0..w {
                        let on = blocks[(ch * bh + y / 4) * bw + x / 4];
                        img[(ch * h + y) * w + x] = if on { 200 } else { 30 };
                    }
                }
            }
            img
        })
        .collect();
    let mut pixels = Vec::with_capacity(n * c * h * w);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let label = uniform_below(&mut rng, NUM_CLASSES as u64) as usize;
        labels.push(label as u8);
        for &p in &protos[label] {
            let d = uniform_below(&mut rng, 2 * noise + 1) as i64 - noise as i64;
            pixels.push((p as i64 + d).clamp(0, 255) as u8);
        }
    }
    (pixels, labels)
}

/// Contents of synthetic MNIST files `(idx3 images, idx1 labels)` with `n` samples.
pub fn synthetic_mnist_files(n: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let (pixels, labels) = synthetic(n, seed, [1, 28, 28], 50);
    let mut img = Vec::with_capacity(16 + pixels.len());
    for v in [IDX_IMAGES_MAGIC, n as u32, 28, 28] {
        img.extend_from_slice(&v.to_be_bytes());
    }
    img.extend_from_slice(&pixels);
    let mut lab = Vec::with_capacity(8 + n);
    for v in [IDX_LABELS_MAGIC, n as u32] {
        lab.extend_from_slice(&v.to_be_bytes());
    }
    lab.extend_from_slice(&labels);
    (img, lab)
}

/// Writes synthetic MNIST as `dir/train-images-idx3-ubyte` and `dir/train-labels-idx1-ubyte`.
pub fn write_synthetic_mnist(dir: &Path, n: usize, seed: u64) -> Result<(PathBuf, PathBuf)> {
    let (img, lab) = synthetic_mnist_files(n, seed);
    let (pi, pl) = (
        dir.join("train-images-idx3-ubyte"),
        dir.join("train-labels-idx1-ubyte"),
    );
    write_file(&pi, &img)?;
    write_file(&pl, &lab)?;
    Ok((pi, pl))
}

/// Contents of a synthetic CIFAR-10 batch file with `n` records.
pub fn synthetic_cifar10_file(n: usize, seed: u64) -> Vec<u8> {
    let (pixels, labels) = synthetic(n, seed, [3, 32, 32], 60);
    let mut out = Vec::with_capacity(n * CIFAR_RECORD);
    for (i, &l) in labels.iter().enumerate() {
        out.push(l);
        out.extend_from_slice(&pixels[i * 3072..(i + 1) * 3072]);
    }
    out
}

/// Writes a synthetic CIFAR-10 batch as `dir/data_batch_1.bin`.
pub fn write_synthetic_cifar10(dir: &Path, n: usize, seed: u64) -> Result<PathBuf> {
    let p = dir.join("data_batch_1.bin");
    write_file(&p, &synthetic_cifar10_file(n, seed))?;
    Ok(p)
}

/// A shuffled, quantized dataset of `len = 2^m` rows, ready for the batch schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedDataset {
    /// Per-sample shape.
    pub sample_shape: Vec<usize>,
    /// `len · sample_len` values at scale `2^F`, rows in committed order.
    pub inputs: Vec<i64>,
    /// Labels in committed order.
    pub labels: Vec<u8>,
    /// Number of classes.
    pub num_classes: usize,
}

/// One mini-batch (borrowed rows of a [`QuantizedDataset`]).
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    /// Rows used.
    pub rows: (usize, usize),
    /// Inputs, `batch · sample_len` values.
    pub inputs: &'a [i64],
    /// Labels.
    pub labels: &'a [u8],
}

impl QuantizedDataset {
    /// Quantizes, shuffles with the public `shuffle_seed` (row `i` of the result is sample
    /// `perm[i]`, [`shuffle_permutation`]) and truncates to the largest power of two not above
    /// `min(count, max_samples)`.
    pub fn prepare(
        data: &Dataset,
        fixed: &FixedConfig,
        shuffle_seed: u64,
        max_samples: Option<usize>,
    ) -> Result<Self> {
        let avail = max_samples.map_or(data.len(), |m| m.min(data.len()));
        if avail == 0 {
            return Err(NnError::EmptyDataset);
        }
        let n = 1usize << (usize::BITS - 1 - avail.leading_zeros());
        let sl = data.sample_len();
        if data.pixels.len() != data.len() * sl {
            return Err(NnError::ShapeMismatch {
                what: "dataset pixels".into(),
                expected: vec![data.len() * sl],
                actual: vec![data.pixels.len()],
            });
        }
        let perm = shuffle_permutation(data.len(), shuffle_seed);
        let mut inputs = Vec::with_capacity(n * sl);
        let mut labels = Vec::with_capacity(n);
        for &src in &perm[..n] {
            inputs.extend(
                data.pixels[src * sl..(src + 1) * sl]
                    .iter()
                    .map(|&p| fixed.quantize_pixel(p)),
            );
            labels.push(data.labels[src]);
        }
        Ok(Self {
            sample_shape: data.sample_shape.clone(),
            inputs,
            labels,
            num_classes: data.num_classes,
        })
    }

    /// Number of rows (a power of two).
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Values per sample.
    pub fn sample_len(&self) -> usize {
        self.sample_shape.iter().product()
    }

    /// The batch of iteration `t` (SPEC §4).
    pub fn batch(&self, t: u64, batch: usize) -> Result<Batch<'_>> {
        let r = batch_rows(t, batch, self.len())?;
        let sl = self.sample_len();
        Ok(Batch {
            rows: (r.start, r.end),
            inputs: &self.inputs[r.start * sl..r.end * sl],
            labels: &self.labels[r.clone()],
        })
    }

    /// One-hot labels of all rows at scale `2^F`, shape `[len, classes]`.
    pub fn one_hot(&self, fixed: &FixedConfig) -> Result<Tensor> {
        one_hot(&self.labels, self.num_classes, fixed)
    }
}

/// Rows `[(t·B) mod N, (t·B) mod N + B)` of iteration `t`; `B` and `N` must be powers of two
/// with `B <= N`.
pub fn batch_rows(t: u64, batch: usize, n: usize) -> Result<Range<usize>> {
    if !batch.is_power_of_two() {
        return Err(NnError::NotPowerOfTwo {
            what: "batch size",
            value: batch,
        });
    }
    if !n.is_power_of_two() {
        return Err(NnError::NotPowerOfTwo {
            what: "dataset size",
            value: n,
        });
    }
    if batch > n {
        return Err(NnError::BatchTooLarge { batch, samples: n });
    }
    let start = ((t as u128 * batch as u128) % n as u128) as usize;
    Ok(start..start + batch)
}
