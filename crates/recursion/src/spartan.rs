//! The succinct decider: a Spartan-style argument (Setty, CRYPTO 2020) that a committed relaxed
//! R1CS instance over `F = ark_bn254::Fr` is satisfied, with `W` and `E` committed by HyperKZG.
//!
//! # Statement
//!
//! Public: the shape `(A, B, C) ∈ F^{m×n}` (preprocessed into a [`SpartanKey`]) and the
//! instance `(C_W, C_E, u, x)` ([`SpartanInstance`]). Witness: `W ∈ F^{|W|}`, `E ∈ F^m` with
//! `C_W = Com(W)`, `C_E = Com(E)` (plain HyperKZG commitments, [`commit_witness`]) and
//!
//! ```text
//! (A z)∘(B z) = u·(C z) + E,    z = (u, x, W)          (the column order of `r1cs`)
//! ```
//!
//! # Layout
//!
//! `m` is padded to `2^s` (zero rows; `E` zero-padded), and the columns are **remapped** so that
//! `W` is a power-of-two block of its own: with `2^w ≥ max(|W|, 1 + ℓ)`,
//!
//! ```text
//! z' = (W, 0…0 | u, x_1, …, x_ℓ, 0…0) ∈ F^{2^{w+1}},   column j of z ↦ column col(j) of z':
//! col(0) = 2^w,  col(j) = 2^w + j (1 ≤ j ≤ ℓ),  col(1 + ℓ + k) = k (W_k),
//! ```
//!
//! so that, `y_w` being the top (last bound) variable,
//!
//! ```text
//! z̃'(r_y) = (1 − r_y[w])·W̃(r_y[..w]) + r_y[w]·(u·eq(r_y[..w], 0) + Σ_j x_j·eq(r_y[..w], j)).
//! ```
//!
//! `W̃` is the MLE of `W` zero-padded to `2^w`, whose commitment is `C_W` itself (zero-padding
//! does not change a HyperKZG commitment); `Ã, B̃, C̃` below are the MLEs of the remapped
//! `2^s × 2^{w+1}` matrices.
//!
//! # Protocol
//!
//! ```text
//! absorb  spartan_key    bytes: the key digest (SHA-256 of the shape digest and the layout)
//! absorb  spartan_srs    bytes: the SRS digest of the HyperKZG key
//! absorb  spartan_cm_w   C_W         absorb spartan_cm_e  C_E
//! absorb  spartan_u      [u]         absorb spartan_x     x
//! squeeze spartan_tau    τ ∈ F^s
//! sumcheck #1 (degree 3, s rounds, claim 0):
//!     Σ_x eq(τ, x)·(Az(x)·Bz(x) − u·Cz(x) − E(x)) = 0
//!     final evaluations [v_A, v_B, v_C, v_E] = [Ãz(r_x), B̃z(r_x), C̃z(r_x), Ẽ(r_x)]
//! squeeze spartan_gamma  γ
//! sumcheck #2 (degree 2, w + 1 rounds):
//!     Σ_y (Ã + γ·B̃ + γ²·C̃)(r_x, y)·z̃'(y) = v_A + γ·v_B + γ²·v_C
//!     final evaluation [W̃(r_y[..w])]
//! pcs::batch::multi_point_open of W̃(r_y[..w]) against C_W and Ẽ(r_x) = v_E against C_E
//! ```
//!
//! (the sumcheck labels are the engine's: `sc_input_claims`, `sc_round_poly`,
//! `sc_round_challenge`, `sc_final_evals`; then the multi-point labels of `pcs::batch`, the
//! multi-eval labels of `sumcheck`, and HyperKZG's). Every message is absorbed before the
//! challenge that depends on it. The verifier checks sumcheck #1's final claim
//! `eq(τ, r_x)·(v_A·v_B − u·v_C − v_E)`, computes `Ã(r_x, r_y), B̃(r_x, r_y), C̃(r_x, r_y)` itself
//! ([`SpartanKey::evaluate_matrices`]) and `z̃'(r_y)` from `W̃(r_y[..w])`, `u` and `x`, checks
//! sumcheck #2's final claim `(Ã + γB̃ + γ²C̃)·z̃'`, and verifies the PCS proof.
//!
//! **Soundness.** If the relation fails at some row, `Σ_x eq(τ, x)·g(x)` is a non-zero
//! multilinear polynomial in `τ` and vanishes with probability `≤ s/|F|`; sumcheck #1 then
//! reduces to a false claim on `(v_A, v_B, v_C, v_E)` except with probability `3s/|F|`. A false
//! `v_E` fails the opening of `C_E`; false `v_A, v_B, v_C` make the claim of sumcheck #2 false
//! except with probability `2/|F|` over `γ`, which then ends on a false `W̃(r_y[..w])`
//! (probability `2(w + 1)/|F|` otherwise), and that fails the opening of `C_W` (HyperKZG binding).
//!
//! **PCS: one multi-point opening instead of two openings.** The two claims are at different
//! points (`r_y[..w]` and `r_x`), so [`pcs::batch::multi_point_open`] reduces them by a
//! degree-2 sumcheck of `n = max(w, s)` rounds plus two evaluations, then opens one combination
//! on `n` variables. A HyperKZG proof on `n` variables is `128·n + 32` bytes (`n − 1` folds, `3n`
//! evaluations, two quotients), so two openings cost `128·(w + s) + 64` bytes against
//! `192·n + 96` here: about 25% smaller at `w ≈ s`, with one pairing check instead of two and
//! half the prover's opening MSMs.
//!
//! **Not zero-knowledge**: the commitments are not hiding and the proof reveals evaluations of
//! `W` and `E` at random points (the decider proves satisfiability, it does not hide `W`).
//! It runs natively at the end of the IVC, so it has no in-circuit twin.
//!
//! # Verifier cost
//!
//! This is the **non-preprocessed** verifier: it evaluates `Ã, B̃, C̃` at `(r_x, r_y)` by one pass
//! over the sparse matrices with the eq tables of `r_x` and `r_y` (`O(nnz + m + n)` field
//! operations). That is constant in the number of folded IVC steps (the shape is the step
//! circuit's) but linear in the circuit. In **SPARK mode** ([`SpartanKey::with_spark`]) the
//! prover sends `M̃_γ(r_x, r_y)` as a second final evaluation of sumcheck #2 and proves it with
//! [`crate::spark`] against commitments preprocessed from the matrices; the verifier's work is
//! then logarithmic. The rest of the verifier is `O(s + w)` field operations, the transcript
//! and one pairing check (two more in SPARK mode).
//!
//! On the training IVC's augmented circuit for `mlp` the pass is one field multiplication per
//! entry and bound by those multiplications, not by memory: with arkworks' Poseidon gadget
//! (1,542,506 constraints, 36.6M entries, only ≈ 10% of `A`'s and 3% of `B`'s ±1) it took
//! ≈ 0.9 s on one core, and splitting the eq tables into halves (cache-resident) and skipping
//! the products by ±1 gained nothing measurable (not kept). With
//! [`crate::poseidon_gadget`] (1,684,942 constraints, 12.3M entries) the whole verifier takes
//! ≈ 0.7 s on one core.
//!
//! Measured (`examples/spartan_costs.rs`, release, 2 shared cores): at `m` = 62,267 constraints
//! (`s = w = 16`, 1.7M non-zero entries) the prover takes ≈ 0.46 s, ≈ 0.4 s of it the HyperKZG
//! multi-point opening; the verifier ≈ 30 ms, of which ≈ 21 ms is the matrix evaluation; the proof is 6,416
//! bytes (4,160 at `s = w = 10`).
//!
//! # Wire format
//!
//! [`SpartanProof::to_bytes`] writes arkworks' compressed canonical encoding of the fields in
//! order (vectors as a `u64` little-endian length and their elements, field elements as 32
//! little-endian bytes, G1 points as their 32-byte compressed `x` with the two top bits as
//! flags: `0x80` for the larger `y`, `0x40` for the point at infinity, which must have `x = 0`).
//! This is byte for byte what arkworks' `serialize_compressed` writes for the same fields in
//! the same order, then one flag byte: 0 in plain mode, 1 followed by the SPARK part
//! (`M̃_γ(r_x, r_y)`, the five commitments, the two sums, the sumcheck, the twelve
//! evaluations and the two openings) in SPARK mode; the codec is written out here so that the
//! module does not need `ark-serialize`. [`SpartanProof::from_bytes`] is strict (canonical field elements, points on
//! the curve, exact lengths, no trailing bytes), so decoding is injective: a changed encoding
//! never decodes to the same proof.

use std::sync::Arc;

use ark_bn254::{Fq, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, One, PrimeField, Zero};
use pcs::batch::{multi_point_open, multi_point_reduce, MultiPointProof};
use pcs::hyperkzg::{Commitment, PairingClaim, Proof as HyperKzgProof, ProverKey, VerifierKey};
use pcs::{HyperKzg, MultilinearPcs, Scalars};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::instances::zerocheck::{Combiner, ZeroCheckProver, ZeroCheckVerifier};
use sumcheck::mle::eq_table;
use sumcheck::unipoly::CompressedUniPoly;
use sumcheck::{
    prove_batched, verify_batched, EvalClaim, MultilinearPoly, ProductProver,
    SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript, UniPoly, F,
};

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::r1cs::{R1csShape, SparseMatrix};
use crate::spark::{self, SparkEvals, SparkKey, SparkProof};

/// A transcript domain for the decider (callers create the transcript).
pub const SPARTAN_DOMAIN: &[u8] = b"zkpot-spartan-decider";
/// Domain tag of [`SpartanKey::digest`].
pub const KEY_DIGEST_DOMAIN: &[u8] = b"zkpot-spartan-key-v1";
/// Transcript label: the key digest.
pub const LABEL_KEY: &[u8] = b"spartan_key";
/// Transcript label: the SRS digest of the HyperKZG key.
pub const LABEL_SRS: &[u8] = b"spartan_srs";
/// Transcript label: `C_W`.
pub const LABEL_COMM_W: &[u8] = b"spartan_cm_w";
/// Transcript label: `C_E`.
pub const LABEL_COMM_E: &[u8] = b"spartan_cm_e";
/// Transcript label: `u`.
pub const LABEL_U: &[u8] = b"spartan_u";
/// Transcript label: `x`.
pub const LABEL_X: &[u8] = b"spartan_x";
/// Transcript label: the zero-check point `τ`.
pub const LABEL_TAU: &[u8] = b"spartan_tau";
/// Transcript label: `γ`, combining the three matrices.
pub const LABEL_GAMMA: &[u8] = b"spartan_gamma";
/// Degree of sumcheck #1 (`eq` times a quadratic).
pub const OUTER_DEGREE: usize = 3;
/// Degree of sumcheck #2 (matrix row times `z'`).
pub const INNER_DEGREE: usize = 2;
/// Degree of the multi-point reduction's sumcheck (`pcs::batch`).
pub const REDUCTION_DEGREE: usize = 2;

/// `⌈log2(max(n, 1))⌉`.
/// `⌈log₂ n⌉` (0 for `n ≤ 1`): the variables of a table of `n` entries padded to a power of two.
pub(crate) fn log2_ceil(n: usize) -> usize {
    n.max(1).next_power_of_two().trailing_zeros() as usize
}

/// The preprocessed shape: the R1CS, its padded sizes and column layout (module docs), and a
/// digest binding both.
#[derive(Clone)]
pub struct SpartanKey {
    shape: Arc<R1csShape<F>>,
    /// `s`: `m` padded to `2^s`.
    constraint_vars: usize,
    /// `w`: `2^w ≥ max(|W|, 1 + ℓ)`.
    witness_vars: usize,
    digest: [u8; 32],
    /// The SPARK preprocessing ([`SpartanKey::with_spark`]): the verifier then checks the
    /// prover's `M̃_γ(r_x, r_y)` with [`crate::spark`] instead of its `O(nnz)` pass.
    spark: Option<Arc<SparkKey>>,
}

impl std::fmt::Debug for SpartanKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpartanKey")
            .field("num_constraints", &self.shape.num_constraints())
            .field("num_io", &self.shape.num_io())
            .field("num_witness", &self.shape.num_witness())
            .field("constraint_vars", &self.constraint_vars)
            .field("witness_vars", &self.witness_vars)
            .field(
                "spark",
                &self.spark.as_ref().map(|k| k.verifier_key().num_entries()),
            )
            .finish_non_exhaustive()
    }
}

impl SpartanKey {
    /// Preprocess a shape (owned or shared).
    pub fn new(shape: impl Into<Arc<R1csShape<F>>>) -> Result<Self, Error> {
        let shape: Arc<R1csShape<F>> = shape.into();
        // The transcript's headers carry lengths below 2^32 (x is absorbed in one call).
        if u32::try_from(shape.num_io()).is_err() {
            return Err(Error::AbsorbTooLong {
                len: shape.num_io(),
            });
        }
        let constraint_vars = log2_ceil(shape.num_constraints());
        // num_io < 2^32: no overflow.
        let witness_vars = log2_ceil(shape.num_witness().max(shape.num_io() + 1));
        let mut h = Sha256::new();
        h.update(KEY_DIGEST_DOMAIN);
        h.update(shape.digest());
        h.update((constraint_vars as u64).to_le_bytes());
        h.update((witness_vars as u64).to_le_bytes());
        Ok(Self {
            shape,
            constraint_vars,
            witness_vars,
            digest: h.finalize().into(),
            spark: None,
        })
    }

    /// The key in SPARK mode: proofs carry `M̃_γ(r_x, r_y)` and a [`crate::spark`] proof of it,
    /// and the verifier's work no longer grows with the matrices. `spark` must have been
    /// preprocessed from this key ([`SparkKey::new`]). The digest changes with the mode:
    /// SHA-256 over the plain digest, `"spark"` and the SPARK key digest.
    pub fn with_spark(mut self, spark: SparkKey) -> Result<Self, Error> {
        if spark.verifier_key().spartan_digest() != self.digest {
            return Err(Error::Malformed {
                what: "spark key preprocessed from another Spartan key",
            });
        }
        let mut h = Sha256::new();
        h.update(self.digest);
        h.update(b"spark");
        h.update(spark.verifier_key().digest());
        self.digest = h.finalize().into();
        self.spark = Some(Arc::new(spark));
        Ok(self)
    }

    /// The SPARK preprocessing, if the key is in SPARK mode.
    pub fn spark(&self) -> Option<&SparkKey> {
        self.spark.as_deref()
    }

    /// The R1CS shape.
    pub fn shape(&self) -> &R1csShape<F> {
        &self.shape
    }

    /// `s`: the number of variables of `E` and of the rows (`m` padded to `2^s`); the rounds of
    /// sumcheck #1.
    pub fn num_constraint_vars(&self) -> usize {
        self.constraint_vars
    }

    /// `w`: the number of variables of `W` (`2^w ≥ max(|W|, 1 + ℓ)`).
    pub fn num_witness_vars(&self) -> usize {
        self.witness_vars
    }

    /// `w + 1`: the number of variables of `z'` and of the columns; the rounds of sumcheck #2.
    pub fn num_column_vars(&self) -> usize {
        self.witness_vars + 1
    }

    /// `max(w, s)` (and SPARK's sizes in SPARK mode): the HyperKZG key must support this many
    /// variables.
    pub fn pcs_num_vars(&self) -> usize {
        let own = self.witness_vars.max(self.constraint_vars);
        self.spark
            .as_ref()
            .map_or(own, |k| own.max(k.verifier_key().pcs_num_vars()))
    }

    /// SHA-256 over [`KEY_DIGEST_DOMAIN`], the shape digest, `u64(s)` and `u64(w)`.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The column of `z'` that column `j` of `z = (u, x, W)` moves to (module docs).
    pub fn column(&self, j: usize) -> usize {
        let io = 1 + self.shape.num_io();
        if j < io {
            (1usize << self.witness_vars) + j
        } else {
            j - io
        }
    }

    /// `z' = (W, 0…0, u, x, 0…0)` of length `2^{w+1}`.
    pub fn padded_z(&self, u: F, x: &[F], w: &[F]) -> Result<Vec<F>, Error> {
        Error::check_len("x", self.shape.num_io(), x.len())?;
        Error::check_len("W", self.shape.num_witness(), w.len())?;
        let half = 1usize << self.witness_vars;
        let mut z = vec![F::zero(); 2 * half];
        z[..w.len()].copy_from_slice(w);
        z[half] = u;
        z[half + 1..half + 1 + x.len()].copy_from_slice(x);
        Ok(z)
    }

    /// `[Ã(r_x, r_y), B̃(r_x, r_y), C̃(r_x, r_y)]` for the remapped, padded matrices: one pass
    /// over the non-zero entries with the eq tables of `r_x` (`2^s` entries) and `r_y`
    /// (`2^{w+1}`); `O(nnz + 2^s + 2^{w+1})`. The verifier's circuit-linear step.
    pub fn evaluate_matrices(&self, r_x: &[F], r_y: &[F]) -> Result<[F; 3], Error> {
        if r_x.len() != self.constraint_vars {
            return Err(Error::DimensionMismatch {
                expected: self.constraint_vars,
                actual: r_x.len(),
            });
        }
        if r_y.len() != self.num_column_vars() {
            return Err(Error::DimensionMismatch {
                expected: self.num_column_vars(),
                actual: r_y.len(),
            });
        }
        let (eq_x, eq_y) = rayon::join(|| eq_table(r_x), || eq_table(r_y));
        let row_dot = |mat: &SparseMatrix<F>, i: usize| -> F {
            mat.row(i)
                .iter()
                .map(|&(j, v)| v * eq_y[self.column(j)])
                .sum()
        };
        let shape = &self.shape;
        let add = |a: [F; 3], b: [F; 3]| [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
        Ok((0..shape.num_constraints())
            .into_par_iter()
            .with_min_len(1 << 10)
            .map(|i| {
                let e = eq_x[i];
                [
                    e * row_dot(shape.a(), i),
                    e * row_dot(shape.b(), i),
                    e * row_dot(shape.c(), i),
                ]
            })
            .reduce(|| [F::zero(); 3], add))
    }

    /// The table `M(y) = Σ_i eq_x[i]·(c_A·A'[i][y] + c_B·B'[i][y] + c_C·C'[i][y])` over the
    /// `2^{w+1}` columns of `z'` (the prover's bound rows for sumcheck #2). Rows are split into
    /// one chunk per thread, each scattering into its own dense table.
    fn bound_rows(&self, eq_x: &[F], coeffs: [F; 3]) -> Vec<F> {
        let n = 1usize << self.num_column_vars();
        let m = self.shape.num_constraints();
        let chunks = rayon::current_num_threads()
            .max(1)
            .min(m.div_ceil(1 << 12).max(1));
        let chunk_len = m.div_ceil(chunks).max(1);
        let mats = [self.shape.a(), self.shape.b(), self.shape.c()];
        (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut acc = vec![F::zero(); n];
                let (start, end) = (c * chunk_len, ((c + 1) * chunk_len).min(m));
                for (i, ex) in (start..end).zip(&eq_x[start..end]) {
                    for (mat, coeff) in mats.iter().zip(coeffs) {
                        let s = coeff * ex;
                        for &(j, v) in mat.row(i) {
                            acc[self.column(j)] += s * v;
                        }
                    }
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            })
            .unwrap_or_else(|| vec![F::zero(); n])
    }

    /// `u·eq(r[..w], 0) + Σ_j x_j·eq(r[..w], j)` (the `(u, x)` block of `z̃'` without its
    /// `r[w]` factor), with an eq table over the low `⌈log2(1 + ℓ)⌉` coordinates only:
    /// `O(ℓ + w)`. `r` has `w` coordinates and `x` has `ℓ` entries (checked by the callers).
    fn io_eval(&self, u: F, x: &[F], r: &[F]) -> F {
        let b = log2_ceil(1 + x.len()).min(r.len());
        let (low, high) = r.split_at(b);
        let table = eq_table(low);
        let high: F = high.iter().map(|ri| F::one() - ri).product();
        let sum = table.first().map_or(F::zero(), |t| *t * u)
            + x.iter()
                .zip(table.iter().skip(1))
                .map(|(xj, t)| *xj * t)
                .sum::<F>();
        high * sum
    }
}

pub(crate) fn pcs_error(what: &'static str) -> impl Fn(pcs::Error) -> Error {
    move |e| Error::Pcs {
        what,
        reason: e.to_string(),
    }
}

/// The decider's statement: a committed relaxed R1CS instance `(C_W, C_E, u, x)` with HyperKZG
/// commitments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpartanInstance {
    /// `C_W = Com(W)`.
    pub comm_w: Commitment,
    /// `C_E = Com(E)`.
    pub comm_e: Commitment,
    /// The relaxation scalar.
    pub u: F,
    /// The public inputs (`ℓ` entries).
    pub x: Vec<F>,
}

impl SpartanInstance {
    /// Commit `W` and `E` ([`commit_witness`]) and wrap the instance.
    pub fn commit(
        key: &SpartanKey,
        pk: &ProverKey,
        u: F,
        x: Vec<F>,
        w: &[F],
        e: &[F],
    ) -> Result<Self, Error> {
        Error::check_len("x", key.shape().num_io(), x.len())?;
        let (comm_w, comm_e) = commit_witness(key, pk, w, e)?;
        Ok(Self {
            comm_w,
            comm_e,
            u,
            x,
        })
    }
}

/// `(C_W, C_E)` in the layout the key expects: `W` (`|W|` entries) and `E` (`m` entries) as
/// HyperKZG commitments to their vectors, which are also the commitments to the zero-padded
/// `2^w` and `2^s` entries the decider opens.
pub fn commit_witness(
    key: &SpartanKey,
    pk: &ProverKey,
    w: &[F],
    e: &[F],
) -> Result<(Commitment, Commitment), Error> {
    Error::check_len("W", key.shape().num_witness(), w.len())?;
    Error::check_len("E", key.shape().num_constraints(), e.len())?;
    let (cw, ce) = rayon::join(
        || HyperKzg::commit_scalars(pk, Scalars::Field(w)),
        || HyperKzg::commit_scalars(pk, Scalars::Field(e)),
    );
    Ok((
        cw.map_err(pcs_error("commit W"))?,
        ce.map_err(pcs_error("commit E"))?,
    ))
}

/// A decider proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpartanProof {
    /// Sumcheck #1 (`s` rounds, degree 3).
    pub outer: SumcheckProof,
    /// `[v_A, v_B, v_C, v_E] = [Ãz(r_x), B̃z(r_x), C̃z(r_x), Ẽ(r_x)]`.
    pub outer_evals: [F; 4],
    /// Sumcheck #2 (`w + 1` rounds, degree 2).
    pub inner: SumcheckProof,
    /// `W̃(r_y[..w])`.
    pub w_eval: F,
    /// The HyperKZG openings of `W̃(r_y[..w])` and `Ẽ(r_x)` (multi-point reduction and one
    /// opening).
    pub opening: MultiPointProof<HyperKzgProof>,
    /// In SPARK mode: `M̃_γ(r_x, r_y)` (a final evaluation of sumcheck #2) and its proof.
    pub spark: Option<SparkPart>,
}

/// The SPARK part of a [`SpartanProof`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkPart {
    /// `M̃_γ(r_x, r_y)`, sent as sumcheck #2's second final evaluation.
    pub matrix_eval: F,
    /// The proof of it against the key's preprocessed commitments.
    pub proof: SparkProof,
}

/// The combination `g(a, b, c, e) = a·b − u·c − e` of sumcheck #1.
fn outer_combiner(u: F) -> Combiner {
    Combiner::Custom {
        degree: 2,
        f: Arc::new(move |v: &[F]| match v {
            [a, b, c, e] => *a * b - u * c - e,
            _ => F::zero(),
        }),
    }
}

/// Absorb the statement (key, SRS, instance).
fn absorb_statement<T: Transcript>(
    transcript: &mut T,
    key: &SpartanKey,
    srs_digest: &[u8; 32],
    inst: &SpartanInstance,
) {
    transcript.append_bytes(LABEL_KEY, &key.digest);
    transcript.append_bytes(LABEL_SRS, srs_digest);
    transcript.append_g1(LABEL_COMM_W, &inst.comm_w.0);
    transcript.append_g1(LABEL_COMM_E, &inst.comm_e.0);
    transcript.append_field(LABEL_U, &inst.u);
    transcript.append_fields(LABEL_X, &inst.x);
}

/// Sumcheck #2's prover: the product `M·z'` whose final evaluation is `W̃(r_y[..w])` instead of
/// the two factors.
struct InnerProver<'a> {
    product: ProductProver,
    w_poly: &'a MultilinearPoly,
    r: Vec<F>,
    /// SPARK mode: also send the bound rows `M̃_γ(r_x, r_y)`.
    send_matrix_eval: bool,
}

impl SumcheckInstanceProver for InnerProver<'_> {
    fn num_rounds(&self) -> usize {
        self.product.num_rounds()
    }
    fn degree(&self) -> usize {
        INNER_DEGREE
    }
    fn input_claim(&self) -> F {
        self.product.input_claim()
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        self.product.round_polynomial(round, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.product.bind(r);
        self.r.push(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        let w = self.w_poly.num_vars();
        let value = self
            .r
            .get(..w)
            .and_then(|p| self.w_poly.try_evaluate(p))
            .unwrap_or_else(F::zero);
        if self.send_matrix_eval {
            let rows = self
                .product
                .final_evaluations()
                .first()
                .copied()
                .unwrap_or_else(F::zero);
            vec![value, rows]
        } else {
            vec![value]
        }
    }
}

/// Sumcheck #2's verifier: expected claim `(Ã + γB̃ + γ²C̃)(r_x, r_y)·z̃'(r_y)`.
struct InnerVerifier<'a> {
    key: &'a SpartanKey,
    r_x: &'a [F],
    gamma: F,
    claim: F,
    u: F,
    x: &'a [F],
    /// SPARK mode: the matrix evaluation comes from the prover (proven afterwards).
    spark: bool,
}

impl SumcheckInstanceVerifier for InnerVerifier<'_> {
    fn num_rounds(&self) -> usize {
        self.key.num_column_vars()
    }
    fn degree(&self) -> usize {
        INNER_DEGREE
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn expected_output_claim(&self, r_y: &[F], final_evals: &[F]) -> Result<F, sumcheck::Error> {
        let (w_eval, matrix_eval) =
            match (self.spark, final_evals) {
                (false, [w]) => (w, None),
                (true, [w, m]) => (w, Some(*m)),
                _ => return Err(sumcheck::Error::Malformed {
                    what: "spartan: final evaluations W(r_y) (and M(r_x, r_y) with SPARK) expected",
                }),
            };
        let w = self.key.num_witness_vars();
        let (Some(low), Some(top)) = (r_y.get(..w), r_y.get(w)) else {
            return Err(sumcheck::Error::Malformed {
                what: "spartan: column point of the wrong dimension",
            });
        };
        let row = match matrix_eval {
            Some(m) => m,
            None => {
                let [a, b, c] = self.key.evaluate_matrices(self.r_x, r_y).map_err(|_| {
                    sumcheck::Error::Malformed {
                        what: "spartan: matrix evaluation point of the wrong dimension",
                    }
                })?;
                a + self.gamma * (b + self.gamma * c)
            }
        };
        let z = (F::one() - top) * w_eval + *top * self.key.io_eval(self.u, self.x, low);
        Ok(row * z)
    }
}

/// Prove that `(W, E)` satisfies the relaxed instance `inst` (whose commitments must be
/// [`commit_witness`]`(W, E)`; they are not recomputed here, a mismatch gives a proof the
/// verifier rejects). Checks the lengths and the relation first: an unsatisfied row is
/// [`Error::UnsatisfiedConstraint`].
pub fn prove<T: Transcript>(
    key: &SpartanKey,
    pk: &ProverKey,
    inst: &SpartanInstance,
    w: &[F],
    e: &[F],
    transcript: &mut T,
) -> Result<SpartanProof, Error> {
    let shape = key.shape();
    Error::check_len("x", shape.num_io(), inst.x.len())?;
    Error::check_len("W", shape.num_witness(), w.len())?;
    Error::check_len("E", shape.num_constraints(), e.len())?;
    if pk.max_vars() < key.pcs_num_vars() {
        return Err(Error::Pcs {
            what: "prover key",
            reason: format!(
                "the HyperKZG key supports {} variables, the decider needs {}",
                pk.max_vars(),
                key.pcs_num_vars()
            ),
        });
    }
    let (s, wv) = (key.num_constraint_vars(), key.num_witness_vars());
    let u = inst.u;
    let z = shape.z(u, &inst.x, w)?;
    let [az, bz, cz] = shape.multiply(&z)?;
    drop(z);
    let bad = (0..shape.num_constraints())
        .into_par_iter()
        .find_first(|&i| az[i] * bz[i] != u * cz[i] + e[i]);
    if let Some(row) = bad {
        return Err(Error::UnsatisfiedConstraint { row });
    }

    absorb_statement(transcript, key, &pk.srs_digest(), inst);
    let tau = transcript.challenges(LABEL_TAU, s);
    let e_poly = MultilinearPoly::from_padded(e.to_vec(), s);
    let polys = vec![
        MultilinearPoly::from_padded(az, s),
        MultilinearPoly::from_padded(bz, s),
        MultilinearPoly::from_padded(cz, s),
        e_poly.clone(),
    ];
    let mut outer = ZeroCheckProver::new(tau, polys, outer_combiner(u))?;
    let (outer_proof, r_x, outer_evals) = prove_batched(&mut [&mut outer], transcript);
    drop(outer);
    let outer_evals: [F; 4] = outer_evals
        .first()
        .and_then(|v| <[F; 4]>::try_from(v.as_slice()).ok())
        .ok_or(Error::Malformed {
            what: "sumcheck #1 returned the wrong final evaluations",
        })?;

    let gamma = transcript.challenge(LABEL_GAMMA);
    let rows = key.bound_rows(&eq_table(&r_x), [F::one(), gamma, gamma * gamma]);
    let z_prime = key.padded_z(u, &inst.x, w)?;
    let w_poly = MultilinearPoly::from_padded(w.to_vec(), wv);
    let product = ProductProver::new(vec![
        MultilinearPoly::new(rows)?,
        MultilinearPoly::new(z_prime)?,
    ])?;
    let mut inner = InnerProver {
        product,
        w_poly: &w_poly,
        r: Vec::with_capacity(wv + 1),
        send_matrix_eval: key.spark.is_some(),
    };
    let (inner_proof, r_y, inner_evals) = prove_batched(&mut [&mut inner], transcript);
    drop(inner);
    let w_eval = inner_evals
        .first()
        .and_then(|v| v.first())
        .copied()
        .ok_or(Error::Malformed {
            what: "sumcheck #2 returned no final evaluation",
        })?;
    let spark =
        match key.spark() {
            None => None,
            Some(spark_key) => {
                let matrix_eval = inner_evals.first().and_then(|v| v.get(1)).copied().ok_or(
                    Error::Malformed {
                        what: "sumcheck #2 returned no matrix evaluation",
                    },
                )?;
                let proof =
                    spark::prove(spark_key, pk, &r_x, &r_y, gamma, matrix_eval, transcript)?;
                Some(SparkPart { matrix_eval, proof })
            }
        };

    let claims = [
        EvalClaim {
            poly: 0,
            point: r_y[..wv].to_vec(),
            value: w_eval,
        },
        EvalClaim {
            poly: 1,
            point: r_x,
            value: outer_evals[3],
        },
    ];
    let opening = multi_point_open::<HyperKzg, T>(
        pk,
        &[&w_poly, &e_poly],
        &[inst.comm_w, inst.comm_e],
        &claims,
        transcript,
    )
    .map_err(pcs_error("open W and E"))?;
    Ok(SpartanProof {
        outer: outer_proof,
        outer_evals,
        inner: inner_proof,
        w_eval,
        opening,
        spark,
    })
}

pub(crate) fn valid_point(p: &G1Affine) -> bool {
    <ark_bn254::G1Projective as FoldingCurve>::is_valid_point(p)
}

pub(crate) fn check_rounds(
    what: &'static str,
    what_poly: &'static str,
    proof: &SumcheckProof,
    rounds: usize,
    degree: usize,
) -> Result<(), Error> {
    Error::check_shape(what, rounds, proof.round_polys.len())?;
    for p in &proof.round_polys {
        Error::check_shape(what_poly, degree, p.coeffs_except_linear.len())?;
    }
    Ok(())
}

/// Checks every length of the proof against the key, and that its points are on the curve.
fn check_proof_shape(key: &SpartanKey, proof: &SpartanProof) -> Result<(), Error> {
    check_rounds(
        "rounds of sumcheck #1",
        "coefficients per round of sumcheck #1",
        &proof.outer,
        key.num_constraint_vars(),
        OUTER_DEGREE,
    )?;
    check_rounds(
        "rounds of sumcheck #2",
        "coefficients per round of sumcheck #2",
        &proof.inner,
        key.num_column_vars(),
        INNER_DEGREE,
    )?;
    let n = key.witness_vars.max(key.constraint_vars);
    let red = &proof.opening.reduction;
    check_rounds(
        "rounds of the opening reduction",
        "coefficients per round of the opening reduction",
        &red.sumcheck,
        n,
        REDUCTION_DEGREE,
    )?;
    Error::check_shape("evaluations of the opening reduction", 2, red.evals.len())?;
    check_hyperkzg_shape(&proof.opening.opening, n)?;
    match (key.spark.is_some(), proof.spark.is_some()) {
        (true, false) => Err(malformed(
            "spartan: the key is in SPARK mode, the proof is not",
        )),
        (false, true) => Err(malformed(
            "spartan: the proof is in SPARK mode, the key is not",
        )),
        _ => Ok(()),
    }
}

/// Checks the lengths of a HyperKZG proof on `n` variables and that its points are on the
/// curve.
pub(crate) fn check_hyperkzg_shape(op: &HyperKzgProof, n: usize) -> Result<(), Error> {
    Error::check_shape("HyperKZG folds", n.saturating_sub(1), op.folds.len())?;
    Error::check_shape("HyperKZG evaluations at β", n, op.evals_pos.len())?;
    Error::check_shape("HyperKZG evaluations at −β", n, op.evals_neg.len())?;
    Error::check_shape("HyperKZG evaluations at β²", n, op.evals_sq.len())?;
    Error::check_shape(
        "HyperKZG quotients",
        if n == 0 { 0 } else { 2 },
        op.quotients.len(),
    )?;
    if !op.folds.iter().chain(&op.quotients).all(valid_point) {
        return Err(Error::InvalidPoint {
            what: "a HyperKZG proof point",
        });
    }
    Ok(())
}

/// Verify a decider proof for `inst`. Never panics: malformed instances and proofs (wrong
/// lengths or round counts, points off the curve) are errors, and so is every failed check
/// ([`Error::Sumcheck`] for the two sumchecks and the final claims, [`Error::Pcs`] for the
/// openings).
pub fn verify<T: Transcript>(
    key: &SpartanKey,
    vk: &VerifierKey,
    inst: &SpartanInstance,
    proof: &SpartanProof,
    transcript: &mut T,
) -> Result<(), Error> {
    let pairings = verify_deferred(key, vk, inst, proof, transcript)?;
    PairingClaim::check_all(vk, &pairings, transcript).map_err(pcs_error("decider openings"))
}

/// [`verify`] up to the pairing checks of its openings (one, or three with SPARK), which it
/// returns to be decided with others by [`PairingClaim::check_all`]; every other check is made.
pub fn verify_deferred<T: Transcript>(
    key: &SpartanKey,
    vk: &VerifierKey,
    inst: &SpartanInstance,
    proof: &SpartanProof,
    transcript: &mut T,
) -> Result<Vec<PairingClaim>, Error> {
    Error::check_len("x", key.shape().num_io(), inst.x.len())?;
    if !valid_point(&inst.comm_w.0) {
        return Err(Error::InvalidPoint { what: "C_W" });
    }
    if !valid_point(&inst.comm_e.0) {
        return Err(Error::InvalidPoint { what: "C_E" });
    }
    check_proof_shape(key, proof)?;
    let (s, wv) = (key.num_constraint_vars(), key.num_witness_vars());

    absorb_statement(transcript, key, &vk.srs_digest, inst);
    let tau = transcript.challenges(LABEL_TAU, s);
    let outer = ZeroCheckVerifier::zero_check(tau, 4, outer_combiner(inst.u));
    let r_x = verify_batched(
        &[&outer],
        &proof.outer,
        &[proof.outer_evals.to_vec()],
        transcript,
    )?;

    let gamma = transcript.challenge(LABEL_GAMMA);
    let [v_a, v_b, v_c, v_e] = proof.outer_evals;
    let inner = InnerVerifier {
        key,
        r_x: &r_x,
        gamma,
        claim: v_a + gamma * (v_b + gamma * v_c),
        u: inst.u,
        x: &inst.x,
        spark: proof.spark.is_some(),
    };
    let inner_evals = match &proof.spark {
        None => vec![proof.w_eval],
        Some(part) => vec![proof.w_eval, part.matrix_eval],
    };
    let r_y = verify_batched(&[&inner], &proof.inner, &[inner_evals], transcript)?;
    let mut pairings = Vec::with_capacity(3);
    if let (Some(spark_key), Some(part)) = (key.spark(), &proof.spark) {
        pairings = spark::verify_deferred(
            spark_key.verifier_key(),
            vk,
            &r_x,
            &r_y,
            gamma,
            part.matrix_eval,
            &part.proof,
            transcript,
        )?;
    }
    let w_point = r_y.get(..wv).ok_or(Error::DimensionMismatch {
        expected: wv + 1,
        actual: r_y.len(),
    })?;

    let claims = [
        EvalClaim {
            poly: 0,
            point: w_point.to_vec(),
            value: proof.w_eval,
        },
        EvalClaim {
            poly: 1,
            point: r_x,
            value: v_e,
        },
    ];
    let opening_error = pcs_error("opening of W and E");
    let (c, r, v) = multi_point_reduce::<HyperKzg, T>(
        &[inst.comm_w, inst.comm_e],
        &[wv, s],
        &claims,
        &proof.opening.reduction,
        transcript,
    )
    .map_err(&opening_error)?;
    pairings.push(
        HyperKzg::reduce_to_pairing(vk, &c, &r, &v, &proof.opening.opening, transcript)
            .map_err(&opening_error)?,
    );
    Ok(pairings)
}

// ---------------------------------------------------------------------------------------------
// Wire format

const FIELD_BYTES: usize = 32;
const LEN_BYTES: usize = 8;
const FLAG_Y_LARGER: u8 = 1 << 7;
const FLAG_INFINITY: u8 = 1 << 6;

fn malformed(what: &'static str) -> Error {
    Error::Malformed { what }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_field(out: &mut Vec<u8>, x: &F) {
    out.extend_from_slice(&x.into_bigint().to_bytes_le());
}

fn put_fields(out: &mut Vec<u8>, xs: &[F]) {
    put_len(out, xs.len());
    xs.iter().for_each(|x| put_field(out, x));
}

fn put_g1(out: &mut Vec<u8>, p: &G1Affine) {
    out.extend_from_slice(&g1_bytes(p));
}

/// A G1 point's 32-byte compressed encoding (module docs).
pub(crate) fn g1_bytes(p: &G1Affine) -> [u8; FIELD_BYTES] {
    let mut bytes = [0u8; FIELD_BYTES];
    match p.xy() {
        None => bytes[FIELD_BYTES - 1] = FLAG_INFINITY,
        Some((x, y)) => {
            bytes.copy_from_slice(&x.into_bigint().to_bytes_le());
            if y > -y {
                bytes[FIELD_BYTES - 1] |= FLAG_Y_LARGER;
            }
        }
    }
    bytes
}

fn put_g1s(out: &mut Vec<u8>, ps: &[G1Affine]) {
    put_len(out, ps.len());
    ps.iter().for_each(|p| put_g1(out, p));
}

fn put_sumcheck(out: &mut Vec<u8>, p: &SumcheckProof) {
    put_len(out, p.round_polys.len());
    for r in &p.round_polys {
        put_fields(out, &r.coeffs_except_linear);
    }
}

fn put_hyperkzg(out: &mut Vec<u8>, op: &HyperKzgProof) {
    put_g1s(out, &op.folds);
    put_fields(out, &op.evals_pos);
    put_fields(out, &op.evals_neg);
    put_fields(out, &op.evals_sq);
    put_g1s(out, &op.quotients);
}

fn hyperkzg_size(op: &HyperKzgProof) -> usize {
    let vec = |n: usize| LEN_BYTES + FIELD_BYTES * n;
    vec(op.folds.len())
        + vec(op.evals_pos.len())
        + vec(op.evals_neg.len())
        + vec(op.evals_sq.len())
        + vec(op.quotients.len())
}

fn sumcheck_size(p: &SumcheckProof) -> usize {
    LEN_BYTES
        + p.round_polys
            .iter()
            .map(|r| LEN_BYTES + FIELD_BYTES * r.coeffs_except_linear.len())
            .sum::<usize>()
}

fn bigint_le(bytes: &[u8; FIELD_BYTES]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    BigInt(limbs)
}

/// A strict reader of the wire format.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(malformed("spartan proof bytes: truncated"))?;
        self.rest = tail;
        Ok(*head)
    }

    /// A vector length whose elements take at least `min_elem` bytes each: bounded by what is
    /// left, so a corrupted length cannot trigger a huge allocation.
    fn len(&mut self, min_elem: usize) -> Result<usize, Error> {
        let n = u64::from_le_bytes(self.take::<LEN_BYTES>()?);
        usize::try_from(n)
            .ok()
            .filter(|n| {
                n.checked_mul(min_elem)
                    .is_some_and(|b| b <= self.rest.len())
            })
            .ok_or(malformed("spartan proof bytes: vector length out of range"))
    }

    fn field(&mut self) -> Result<F, Error> {
        let bytes = self.take::<FIELD_BYTES>()?;
        F::from_bigint(bigint_le(&bytes)).ok_or(malformed(
            "spartan proof bytes: non-canonical field element",
        ))
    }

    fn fields(&mut self) -> Result<Vec<F>, Error> {
        let n = self.len(FIELD_BYTES)?;
        (0..n).map(|_| self.field()).collect()
    }

    fn g1(&mut self) -> Result<G1Affine, Error> {
        let mut bytes = self.take::<FIELD_BYTES>()?;
        let flags = bytes[FIELD_BYTES - 1] & (FLAG_Y_LARGER | FLAG_INFINITY);
        bytes[FIELD_BYTES - 1] &= !(FLAG_Y_LARGER | FLAG_INFINITY);
        let x = Fq::from_bigint(bigint_le(&bytes)).ok_or(malformed(
            "spartan proof bytes: non-canonical point coordinate",
        ))?;
        let invalid = Error::InvalidPoint {
            what: "a G1 point of the encoded proof",
        };
        match flags {
            FLAG_INFINITY if x.is_zero() => Ok(G1Affine::zero()),
            0 | FLAG_Y_LARGER => {
                let (smaller, larger) = G1Affine::get_ys_from_x_unchecked(x).ok_or(invalid)?;
                let y = if flags == FLAG_Y_LARGER {
                    larger
                } else {
                    smaller
                };
                let p = G1Affine::new_unchecked(x, y);
                if valid_point(&p) {
                    Ok(p)
                } else {
                    Err(Error::InvalidPoint {
                        what: "a G1 point of the encoded proof",
                    })
                }
            }
            _ => Err(malformed("spartan proof bytes: invalid point flags")),
        }
    }

    fn g1s(&mut self) -> Result<Vec<G1Affine>, Error> {
        let n = self.len(FIELD_BYTES)?;
        (0..n).map(|_| self.g1()).collect()
    }

    fn hyperkzg(&mut self) -> Result<HyperKzgProof, Error> {
        Ok(HyperKzgProof {
            folds: self.g1s()?,
            evals_pos: self.fields()?,
            evals_neg: self.fields()?,
            evals_sq: self.fields()?,
            quotients: self.g1s()?,
        })
    }

    fn spark_part(&mut self) -> Result<SparkPart, Error> {
        let matrix_eval = self.field()?;
        let mut comms = [Commitment::default(); 5];
        for c in &mut comms {
            *c = Commitment(self.g1()?);
        }
        let [comm_e_row, comm_e_col, comm_h, comm_t_row, comm_t_col] = comms;
        let sum_row = self.field()?;
        let sum_col = self.field()?;
        let sumcheck = self.sumcheck()?;
        let mut evals = [F::zero(); spark::NUM_EVALS];
        for e in &mut evals {
            *e = self.field()?;
        }
        let entry_opening = self.hyperkzg()?;
        let reduction = sumcheck::MultiEvalProof {
            sumcheck: self.sumcheck()?,
            evals: self.fields()?,
        };
        let opening = self.hyperkzg()?;
        Ok(SparkPart {
            matrix_eval,
            proof: SparkProof {
                comm_e_row,
                comm_e_col,
                comm_h,
                comm_t_row,
                comm_t_col,
                sum_row,
                sum_col,
                sumcheck,
                evals: SparkEvals::from_array(evals),
                entry_opening,
                table_opening: MultiPointProof { reduction, opening },
            },
        })
    }

    fn sumcheck(&mut self) -> Result<SumcheckProof, Error> {
        let n = self.len(LEN_BYTES)?;
        let round_polys = (0..n)
            .map(|_| {
                Ok(CompressedUniPoly {
                    coeffs_except_linear: self.fields()?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(SumcheckProof { round_polys })
    }
}

impl SpartanProof {
    /// The wire encoding (module docs): `outer`, `outer_evals`, `inner`, `w_eval`, then the
    /// opening (`reduction.sumcheck`, `reduction.evals`, `folds`, `evals_pos`, `evals_neg`,
    /// `evals_sq`, `quotients`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_in_bytes());
        put_sumcheck(&mut out, &self.outer);
        self.outer_evals.iter().for_each(|x| put_field(&mut out, x));
        put_sumcheck(&mut out, &self.inner);
        put_field(&mut out, &self.w_eval);
        let red = &self.opening.reduction;
        put_sumcheck(&mut out, &red.sumcheck);
        put_fields(&mut out, &red.evals);
        let op = &self.opening.opening;
        put_g1s(&mut out, &op.folds);
        put_fields(&mut out, &op.evals_pos);
        put_fields(&mut out, &op.evals_neg);
        put_fields(&mut out, &op.evals_sq);
        put_g1s(&mut out, &op.quotients);
        match &self.spark {
            None => out.push(0),
            Some(part) => {
                out.push(1);
                put_field(&mut out, &part.matrix_eval);
                let p = &part.proof;
                p.commitments().iter().for_each(|c| put_g1(&mut out, &c.0));
                put_field(&mut out, &p.sum_row);
                put_field(&mut out, &p.sum_col);
                put_sumcheck(&mut out, &p.sumcheck);
                p.evals
                    .to_array()
                    .iter()
                    .for_each(|x| put_field(&mut out, x));
                put_hyperkzg(&mut out, &p.entry_opening);
                put_sumcheck(&mut out, &p.table_opening.reduction.sumcheck);
                put_fields(&mut out, &p.table_opening.reduction.evals);
                put_hyperkzg(&mut out, &p.table_opening.opening);
            }
        }
        out
    }

    /// Decode [`Self::to_bytes`]. Strict: truncated input, trailing bytes, non-canonical field
    /// elements or coordinates, points off the curve and invalid flags are errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader { rest: bytes };
        let outer = r.sumcheck()?;
        let outer_evals = [r.field()?, r.field()?, r.field()?, r.field()?];
        let inner = r.sumcheck()?;
        let w_eval = r.field()?;
        let reduction = sumcheck::MultiEvalProof {
            sumcheck: r.sumcheck()?,
            evals: r.fields()?,
        };
        let opening = r.hyperkzg()?;
        let spark = match r.take::<1>()? {
            [0] => None,
            [1] => Some(r.spark_part()?),
            _ => return Err(malformed("spartan proof bytes: invalid SPARK flag")),
        };
        if !r.rest.is_empty() {
            return Err(malformed("spartan proof bytes: trailing bytes"));
        }
        Ok(Self {
            outer,
            outer_evals,
            inner,
            w_eval,
            opening: MultiPointProof { reduction, opening },
            spark,
        })
    }

    /// Length of [`Self::to_bytes`] in bytes.
    pub fn size_in_bytes(&self) -> usize {
        let red = &self.opening.reduction;
        let vec = |n: usize| LEN_BYTES + FIELD_BYTES * n;
        let spark = self.spark.as_ref().map_or(0, |part| {
            let p = &part.proof;
            let tred = &p.table_opening.reduction;
            FIELD_BYTES * (1 + 5 + 2 + spark::NUM_EVALS)
                + sumcheck_size(&p.sumcheck)
                + hyperkzg_size(&p.entry_opening)
                + sumcheck_size(&tred.sumcheck)
                + vec(tred.evals.len())
                + hyperkzg_size(&p.table_opening.opening)
        });
        sumcheck_size(&self.outer)
            + 4 * FIELD_BYTES
            + sumcheck_size(&self.inner)
            + FIELD_BYTES
            + sumcheck_size(&red.sumcheck)
            + vec(red.evals.len())
            + hyperkzg_size(&self.opening.opening)
            + 1
            + spark
    }
}
