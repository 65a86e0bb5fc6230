//! SPARK: the evaluation `M̃_γ(r_x, r_y) = (Ã + γ·B̃ + γ²·C̃)(r_x, r_y)` of the decider's R1CS
//! matrices proven against **preprocessed commitments** to their sparse representation, so that
//! the Spartan verifier ([`crate::spartan`]) no longer makes its `O(nnz)` pass: with a
//! [`SparkKey`] its work is logarithmic in the circuit (Setty, *Spartan*, §7, "SPARK"; the
//! memory-checking argument here is logUp, Haböck 2022, instead of offline memory checking).
//!
//! # Preprocessing
//!
//! The entries of the remapped `A, B, C` ([`SpartanKey::column`]) are merged by position into
//! one list of `N` entries `k ↦ (row_k, col_k, a_k, b_k, c_k)`, padded with `(0, 0, 0, 0, 0)` to
//! `2^n`. With `2^s` rows and `2^c` columns (`c = w + 1`), the key commits (HyperKZG, same SRS)
//!
//! ```text
//! row, col, val_A, val_B, val_C   (n variables: the entry columns)
//! cnt_row (s variables),  cnt_col (c variables)   cnt_row[i] = #{k : row_k = i}, likewise cnt_col
//! ```
//!
//! and its digest binds the layout and the seven commitments. Anyone can recompute the key from
//! the shape (it is deterministic); the verifier only needs the commitments.
//!
//! # Protocol (after Spartan's sumcheck #2, `r_x ∈ F^s`, `r_y ∈ F^c`, `γ`, claim `v`)
//!
//! ```text
//! absorb  spark_key      the key digest
//! absorb  spark_statement  r_x ‖ r_y ‖ [γ, v]
//! P: E_r[k] = eq(r_x, row_k),  E_c[k] = eq(r_y, col_k);  absorb spark_cm_e  [C_Er, C_Ec]
//! squeeze spark_alpha α, spark_beta β
//! d_r = α − row − β·E_r,   d_c = α − col − β·E_c − β²                  (entry side)
//! t_r(i) = α − i − β·eq(r_x, i),   t_c(j) = α − j − β·eq(r_y, j) − β²   (table side)
//! P: H = 1/d_r + 1/d_c,  T_r = cnt_row/t_r,  T_c = cnt_col/t_c;  absorb spark_cm_inv [C_H, C_Tr, C_Tc]
//! absorb  spark_sums  [S_r, S_c] = [Σ T_r, Σ T_c]
//! squeeze spark_tau_e τ_e ∈ F^n, spark_tau_r τ_r ∈ F^s, spark_tau_c τ_c ∈ F^c
//! one batched sumcheck (the engine's batching; degree 4):
//!   I1  Σ_k val_γ·E_r·E_c = v                    val_γ = val_A + γ·val_B + γ²·val_C
//!   I2  Σ_k eq(τ_e, k)·(H·d_r·d_c − d_r − d_c) = 0
//!   I3  Σ_k H = S_r + S_c
//!   I4  Σ_i eq(τ_r, i)·(T_r·t_r − cnt_row) = 0       I6  Σ_i T_r = S_r
//!   I5  Σ_j eq(τ_c, j)·(T_c·t_c − cnt_col) = 0       I7  Σ_j T_c = S_c
//!   final evaluations at σ (n variables) and its suffixes σ_r, σ_c:
//!   [val_γ, E_r, E_c], [H, d_r, d_c], [H], [T_r, t_r, cnt_row], [T_c, t_c, cnt_col], [T_r], [T_c]
//! pcs::batch same-point opening at σ of val_γ, row, col, E_r, E_c, H against
//!   C_A + γ·C_B + γ²·C_C, C_row, C_col, C_Er, C_Ec, C_H, where
//!   row(σ) = α − d_r(σ) − β·E_r(σ),  col(σ) = α − d_c(σ) − β·E_c(σ) − β²
//! pcs::batch multi-point opening of T_r, cnt_row at σ_r and T_c, cnt_col at σ_c
//! ```
//!
//! The verifier computes `t_r(σ_r) = α − ĩ(σ_r) − β·eq(r_x, σ_r)` (with `ĩ(σ) = Σ_j 2^j·σ_j`,
//! the MLE of the index) and likewise `t_c(σ_c)`, and checks them against the prover's.
//!
//! **Soundness.** `E_r, E_c` are committed before `α, β`. I2 (τ_e drawn after `C_H`) gives
//! `H·d_r·d_c = d_r + d_c` on the whole cube except with probability `O(n/|F|)`; every `d_r(k)`,
//! `d_c(k)` is non-zero except with probability `2^{n+1}/|F|` over `α` (they are fixed before
//! it), so `H = 1/d_r + 1/d_c`; likewise `T_r = cnt_row/t_r`, `T_c = cnt_col/t_c`. I3, I6, I7
//! give the logUp identity
//!
//! ```text
//! Σ_k 1/(α − (row_k + β·E_r[k])) + 1/(α − (col_k + β·E_c[k] + β²))
//!     = Σ_i cnt_row[i]/(α − (i + β·eq(r_x, i))) + Σ_j cnt_col[j]/(α − (j + β·eq(r_y, j) + β²)),
//! ```
//!
//! which, over random `α` and `β` (the map `(a, b, t) ↦ a + β·b + β²·t` is injective on the
//! fixed tuples except with probability `O(N²/|F|)`), makes the multiset
//! `{(row_k, E_r[k], 0)} ∪ {(col_k, E_c[k], 1)}` equal the table multiset with multiplicities
//! `cnt` (all `< p`). The tag `β²` keeps row lookups from matching column entries. Since
//! `cnt_row[i]` is exactly the number of entries with `row_k = i`, every `E_r[k]` is
//! `eq(r_x, row_k)`, and every `E_c[k]` is `eq(r_y, col_k)`. Then I1 is
//! `Σ_k val_γ(k)·eq(r_x, row_k)·eq(r_y, col_k) = M̃_γ(r_x, r_y)`, and the openings bind every
//! final evaluation to the committed polynomials (HyperKZG binding; `val_γ` by homomorphism).
//!
//! # Costs
//!
//! Verifier: one batched sumcheck of `max(n, s, c)` rounds, `O(n + s + c)` field operations, two
//! HyperKZG verifications. Prover: five commitments (three of `2^n` full field elements), two
//! openings on `n` and `max(s, c)` variables, `O(2^n)` field operations; key: seven commitments
//! (the index and count columns are small integers). Proof: five points, two sums, the sumcheck,
//! twelve evaluations and the two openings.

use ark_ff::{batch_inversion, AdditiveGroup, One, Zero};
use pcs::batch::{batch_open, batch_reduce, multi_point_open, multi_point_reduce, MultiPointProof};
use pcs::hyperkzg::{Commitment, PairingClaim, Proof as HyperKzgProof, ProverKey, VerifierKey};
use pcs::{AdditivelyHomomorphic, HyperKzg, MultilinearPcs, Scalars};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::instances::zerocheck::{Combiner, ZeroCheckProver, ZeroCheckVerifier};
use sumcheck::mle::{eq_eval, eq_table};
use sumcheck::{
    instance_point, prove_batched, verify_batched, EvalClaim, MultilinearPoly, ProductProver,
    ProductVerifier, SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript,
    F,
};

use crate::error::Error;
use crate::spartan::{log2_ceil, pcs_error, SpartanKey};

/// Domain tag of [`SparkVerifierKey::digest`].
pub const KEY_DIGEST_DOMAIN: &[u8] = b"zkpot-spark-key-v1";
/// Transcript label: the key digest.
pub const LABEL_KEY: &[u8] = b"spark_key";
/// Transcript label: the statement `r_x ‖ r_y ‖ [γ, v]`.
pub const LABEL_STATEMENT: &[u8] = b"spark_statement";
/// Transcript label: `[C_Er, C_Ec]`.
pub const LABEL_COMM_E: &[u8] = b"spark_cm_e";
/// Transcript label: `α`.
pub const LABEL_ALPHA: &[u8] = b"spark_alpha";
/// Transcript label: `β`.
pub const LABEL_BETA: &[u8] = b"spark_beta";
/// Transcript label: `[C_H, C_Tr, C_Tc]`.
pub const LABEL_COMM_INV: &[u8] = b"spark_cm_inv";
/// Transcript label: `[S_r, S_c]`.
pub const LABEL_SUMS: &[u8] = b"spark_sums";
/// Transcript label: `τ_e`.
pub const LABEL_TAU_E: &[u8] = b"spark_tau_e";
/// Transcript label: `τ_r`.
pub const LABEL_TAU_R: &[u8] = b"spark_tau_r";
/// Transcript label: `τ_c`.
pub const LABEL_TAU_C: &[u8] = b"spark_tau_c";
/// Degree of the batched sumcheck (I2: `eq` times a cubic).
pub const DEGREE: usize = 4;
/// Number of evaluations a proof carries ([`SparkEvals`]).
pub const NUM_EVALS: usize = 12;

/// The seven preprocessed commitments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkCommitments {
    /// `row` (`n` variables).
    pub row: Commitment,
    /// `col` (`n` variables).
    pub col: Commitment,
    /// `val_A, val_B, val_C` (`n` variables).
    pub val: [Commitment; 3],
    /// `cnt_row` (`s` variables).
    pub row_counts: Commitment,
    /// `cnt_col` (`c` variables).
    pub col_counts: Commitment,
}

impl SparkCommitments {
    fn all(&self) -> [&Commitment; 7] {
        [
            &self.row,
            &self.col,
            &self.val[0],
            &self.val[1],
            &self.val[2],
            &self.row_counts,
            &self.col_counts,
        ]
    }
}

/// What the verifier needs: the layout and the commitments, bound by a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkVerifierKey {
    entry_vars: usize,
    row_vars: usize,
    col_vars: usize,
    num_entries: usize,
    commitments: SparkCommitments,
    spartan_digest: [u8; 32],
    digest: [u8; 32],
}

impl SparkVerifierKey {
    /// The digest of the (plain) Spartan key it was preprocessed from.
    pub fn spartan_digest(&self) -> [u8; 32] {
        self.spartan_digest
    }
    /// `n`: the entry columns have `2^n` entries.
    pub fn entry_vars(&self) -> usize {
        self.entry_vars
    }
    /// `s`: the rows.
    pub fn row_vars(&self) -> usize {
        self.row_vars
    }
    /// `c`: the columns (`w + 1`).
    pub fn col_vars(&self) -> usize {
        self.col_vars
    }
    /// `N`: the merged non-zero positions of `A, B, C`.
    pub fn num_entries(&self) -> usize {
        self.num_entries
    }
    /// The preprocessed commitments.
    pub fn commitments(&self) -> &SparkCommitments {
        &self.commitments
    }
    /// SHA-256 over [`KEY_DIGEST_DOMAIN`], the Spartan key digest, the layout and the
    /// commitments.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
    /// Rounds of the batched sumcheck.
    pub fn num_rounds(&self) -> usize {
        self.entry_vars.max(self.row_vars).max(self.col_vars)
    }
    /// The HyperKZG key must support this many variables.
    pub fn pcs_num_vars(&self) -> usize {
        self.num_rounds()
    }
}

/// The merged sparse representation of `A, B, C` (before commitments): one entry per non-zero
/// position, padded to a power of two.
#[derive(Clone, Debug)]
pub struct SparkEntries {
    row_vars: usize,
    col_vars: usize,
    num_entries: usize,
    rows: Vec<u32>,
    cols: Vec<u32>,
    vals: [Vec<F>; 3],
    spartan_digest: [u8; 32],
}

impl SparkEntries {
    /// Merge the remapped matrices of `key` by position.
    pub fn new(key: &SpartanKey) -> Result<Self, Error> {
        let shape = key.shape();
        let (row_vars, col_vars) = (key.num_constraint_vars(), key.num_column_vars());
        if row_vars > 32 || col_vars > 32 {
            return Err(Error::Malformed {
                what: "spark: more than 2^32 rows or columns",
            });
        }
        let mats = [shape.a(), shape.b(), shape.c()];
        let per_row: Vec<Vec<(u32, [F; 3])>> = (0..shape.num_constraints())
            .into_par_iter()
            .map(|i| {
                let mut cells: Vec<(u32, usize, F)> = Vec::new();
                for (m, mat) in mats.iter().enumerate() {
                    for &(j, v) in mat.row(i) {
                        cells.push((key.column(j) as u32, m, v));
                    }
                }
                cells.sort_unstable_by_key(|c| c.0);
                let mut out: Vec<(u32, [F; 3])> = Vec::with_capacity(cells.len());
                for (col, m, v) in cells {
                    match out.last_mut() {
                        Some(last) if last.0 == col => last.1[m] += v,
                        _ => {
                            let mut vals = [F::zero(); 3];
                            vals[m] = v;
                            out.push((col, vals));
                        }
                    }
                }
                out
            })
            .collect();
        let num_entries: usize = per_row.iter().map(Vec::len).sum();
        let len = 1usize << log2_ceil(num_entries);
        let mut rows = vec![0u32; len];
        let mut cols = vec![0u32; len];
        let mut vals = [
            vec![F::zero(); len],
            vec![F::zero(); len],
            vec![F::zero(); len],
        ];
        let mut k = 0;
        for (i, cells) in per_row.into_iter().enumerate() {
            for (col, v) in cells {
                rows[k] = i as u32;
                cols[k] = col;
                for (dst, x) in vals.iter_mut().zip(v) {
                    dst[k] = x;
                }
                k += 1;
            }
        }
        Ok(Self {
            row_vars,
            col_vars,
            num_entries,
            rows,
            cols,
            vals,
            spartan_digest: key.digest(),
        })
    }

    /// `n`.
    pub fn entry_vars(&self) -> usize {
        log2_ceil(self.rows.len())
    }

    /// `N`.
    pub fn num_entries(&self) -> usize {
        self.num_entries
    }

    /// The number of variables the HyperKZG key must support to commit and open.
    pub fn pcs_num_vars(&self) -> usize {
        self.entry_vars().max(self.row_vars).max(self.col_vars)
    }

    fn counts(indices: &[u32], vars: usize) -> Vec<i64> {
        let mut c = vec![0i64; 1usize << vars];
        for &i in indices {
            c[i as usize] += 1;
        }
        c
    }

    /// Commit the columns: the [`SparkKey`].
    pub fn commit(self, pk: &ProverKey) -> Result<SparkKey, Error> {
        if pk.max_vars() < self.pcs_num_vars() {
            return Err(Error::Pcs {
                what: "spark key",
                reason: format!(
                    "the HyperKZG key supports {} variables, SPARK needs {}",
                    pk.max_vars(),
                    self.pcs_num_vars()
                ),
            });
        }
        let small = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<i64>>();
        let commit_small = |v: &[i64]| HyperKzg::commit_i64(pk, v).map_err(pcs_error("spark key"));
        let commit_field = |v: &[F]| {
            HyperKzg::commit_scalars(pk, Scalars::Field(v)).map_err(pcs_error("spark key"))
        };
        let row_counts = Self::counts(&self.rows, self.row_vars);
        let col_counts = Self::counts(&self.cols, self.col_vars);
        let commitments = SparkCommitments {
            row: commit_small(&small(&self.rows))?,
            col: commit_small(&small(&self.cols))?,
            val: [
                commit_field(&self.vals[0])?,
                commit_field(&self.vals[1])?,
                commit_field(&self.vals[2])?,
            ],
            row_counts: commit_small(&row_counts)?,
            col_counts: commit_small(&col_counts)?,
        };
        let entry_vars = self.entry_vars();
        let mut h = Sha256::new();
        h.update(KEY_DIGEST_DOMAIN);
        h.update(self.spartan_digest);
        for v in [entry_vars, self.row_vars, self.col_vars, self.num_entries] {
            h.update((v as u64).to_le_bytes());
        }
        h.update(pk.srs_digest());
        for c in commitments.all() {
            h.update(crate::spartan::g1_bytes(&c.0));
        }
        let vk = SparkVerifierKey {
            entry_vars,
            row_vars: self.row_vars,
            col_vars: self.col_vars,
            num_entries: self.num_entries,
            commitments,
            spartan_digest: self.spartan_digest,
            digest: h.finalize().into(),
        };
        let to_field = |c: Vec<i64>| c.into_iter().map(|x| F::from(x as u64)).collect();
        Ok(SparkKey {
            vk,
            row_counts: to_field(row_counts),
            col_counts: to_field(col_counts),
            entries: self,
        })
    }
}

/// The prover's key: the entries, the counts and the [`SparkVerifierKey`].
#[derive(Clone, Debug)]
pub struct SparkKey {
    vk: SparkVerifierKey,
    entries: SparkEntries,
    row_counts: Vec<F>,
    col_counts: Vec<F>,
}

impl SparkKey {
    /// Preprocess `key`'s matrices and commit them ([`SparkEntries::new`], then
    /// [`SparkEntries::commit`]).
    pub fn new(key: &SpartanKey, pk: &ProverKey) -> Result<Self, Error> {
        SparkEntries::new(key)?.commit(pk)
    }

    /// The verifier's part.
    pub fn verifier_key(&self) -> &SparkVerifierKey {
        &self.vk
    }

    /// `M̃_γ(r_x, r_y)` by one pass over the entries (the value the proof is about).
    pub fn evaluate(&self, r_x: &[F], r_y: &[F], gamma: F) -> Result<F, Error> {
        Error::check_len("spark r_x", self.vk.row_vars, r_x.len())?;
        Error::check_len("spark r_y", self.vk.col_vars, r_y.len())?;
        let (eq_x, eq_y) = rayon::join(|| eq_table(r_x), || eq_table(r_y));
        let e = &self.entries;
        Ok((0..e.rows.len())
            .into_par_iter()
            .map(|k| {
                let v = e.vals[0][k] + gamma * (e.vals[1][k] + gamma * e.vals[2][k]);
                v * eq_x[e.rows[k] as usize] * eq_y[e.cols[k] as usize]
            })
            .sum())
    }
}

/// The final evaluations a proof carries (those of I1, I2, I4, I5; I3, I6, I7 repeat `h`,
/// `t_row`, `t_col`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SparkEvals {
    /// `val_γ(σ)`.
    pub val: F,
    /// `E_r(σ)`.
    pub e_row: F,
    /// `E_c(σ)`.
    pub e_col: F,
    /// `H(σ)`.
    pub h: F,
    /// `d_r(σ)`.
    pub d_row: F,
    /// `d_c(σ)`.
    pub d_col: F,
    /// `T_r(σ_r)`.
    pub t_row: F,
    /// `t_r(σ_r)` (checked against the verifier's own).
    pub den_row: F,
    /// `cnt_row(σ_r)`.
    pub cnt_row: F,
    /// `T_c(σ_c)`.
    pub t_col: F,
    /// `t_c(σ_c)` (checked against the verifier's own).
    pub den_col: F,
    /// `cnt_col(σ_c)`.
    pub cnt_col: F,
}

impl SparkEvals {
    /// In wire order.
    pub fn to_array(&self) -> [F; NUM_EVALS] {
        [
            self.val,
            self.e_row,
            self.e_col,
            self.h,
            self.d_row,
            self.d_col,
            self.t_row,
            self.den_row,
            self.cnt_row,
            self.t_col,
            self.den_col,
            self.cnt_col,
        ]
    }

    /// From wire order.
    pub fn from_array(a: [F; NUM_EVALS]) -> Self {
        let [val, e_row, e_col, h, d_row, d_col, t_row, den_row, cnt_row, t_col, den_col, cnt_col] =
            a;
        Self {
            val,
            e_row,
            e_col,
            h,
            d_row,
            d_col,
            t_row,
            den_row,
            cnt_row,
            t_col,
            den_col,
            cnt_col,
        }
    }

    /// The final evaluations of I1..I7, as the engine absorbs them.
    fn per_instance(&self) -> Vec<Vec<F>> {
        vec![
            vec![self.val, self.e_row, self.e_col],
            vec![self.h, self.d_row, self.d_col],
            vec![self.h],
            vec![self.t_row, self.den_row, self.cnt_row],
            vec![self.t_col, self.den_col, self.cnt_col],
            vec![self.t_row],
            vec![self.t_col],
        ]
    }
}

/// A SPARK proof (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkProof {
    /// `C_Er`.
    pub comm_e_row: Commitment,
    /// `C_Ec`.
    pub comm_e_col: Commitment,
    /// `C_H`.
    pub comm_h: Commitment,
    /// `C_Tr`.
    pub comm_t_row: Commitment,
    /// `C_Tc`.
    pub comm_t_col: Commitment,
    /// `S_r = Σ T_r`.
    pub sum_row: F,
    /// `S_c = Σ T_c`.
    pub sum_col: F,
    /// The batched sumcheck (I1..I7).
    pub sumcheck: SumcheckProof,
    /// Its final evaluations.
    pub evals: SparkEvals,
    /// Same-point opening at `σ` of `val_γ, row, col, E_r, E_c, H`.
    pub entry_opening: HyperKzgProof,
    /// Multi-point opening of `T_r, cnt_row` at `σ_r` and `T_c, cnt_col` at `σ_c`.
    pub table_opening: MultiPointProof<HyperKzgProof>,
}

impl SparkProof {
    /// The five proof commitments in wire order.
    pub fn commitments(&self) -> [&Commitment; 5] {
        [
            &self.comm_e_row,
            &self.comm_e_col,
            &self.comm_h,
            &self.comm_t_row,
            &self.comm_t_col,
        ]
    }
}

/// `g(h, d_r, d_c) = h·d_r·d_c − d_r − d_c` (I2).
fn entry_combiner() -> Combiner {
    Combiner::Custom {
        degree: 3,
        f: std::sync::Arc::new(|v: &[F]| match v {
            [h, dr, dc] => *h * dr * dc - dr - dc,
            _ => F::zero(),
        }),
    }
}

/// `g(T, t, cnt) = T·t − cnt` (I4, I5).
fn table_combiner() -> Combiner {
    Combiner::Custom {
        degree: 2,
        f: std::sync::Arc::new(|v: &[F]| match v {
            [t, d, c] => *t * d - c,
            _ => F::zero(),
        }),
    }
}

/// `ĩ(σ) = Σ_j 2^j·σ_j`: the MLE of the index.
fn index_mle(point: &[F]) -> F {
    point
        .iter()
        .rev()
        .fold(F::zero(), |acc, x| acc.double() + x)
}

/// `1/v` for every entry (in parallel chunks); an error if one is zero.
fn invert_all(mut v: Vec<F>) -> Result<Vec<F>, Error> {
    if v.par_iter().any(|x| x.is_zero()) {
        return Err(Error::Malformed {
            what: "spark: a logUp denominator is zero (probability ≤ 2^{n+1}/|F| over α)",
        });
    }
    v.par_chunks_mut(1 << 12).for_each(batch_inversion);
    Ok(v)
}

struct Challenges {
    alpha: F,
    beta: F,
}

impl Challenges {
    /// `α − i − β·e − β²·tag`.
    fn den(&self, i: F, e: F, tag: F) -> F {
        self.alpha - i - self.beta * (e + self.beta * tag)
    }
}

/// Absorb the key digest and the statement. Inside Spartan `r_x, r_y, γ` are challenges and
/// `v` a final evaluation already absorbed, but standalone the statement must be bound before
/// `α, β, τ`: a prover choosing `γ` or `r_x` after them could otherwise satisfy the final checks
/// with a false `v`.
fn absorb_statement<T: Transcript>(
    transcript: &mut T,
    vk: &SparkVerifierKey,
    r_x: &[F],
    r_y: &[F],
    gamma: F,
    v: F,
) {
    transcript.append_bytes(LABEL_KEY, &vk.digest);
    let statement: Vec<F> = r_x.iter().chain(r_y).chain([&gamma, &v]).copied().collect();
    transcript.append_fields(LABEL_STATEMENT, &statement);
}

fn absorb_inverse_commitments<T: Transcript>(
    transcript: &mut T,
    c_h: &Commitment,
    c_tr: &Commitment,
    c_tc: &Commitment,
    sums: [F; 2],
) {
    for c in [c_h, c_tr, c_tc] {
        transcript.append_g1(LABEL_COMM_INV, &c.0);
    }
    transcript.append_fields(LABEL_SUMS, &sums);
}

/// Prove `M̃_γ(r_x, r_y) = v`. `v` must be the true value (checked: a wrong `v` is
/// [`Error::Malformed`], as no proof of it exists).
pub fn prove<T: Transcript>(
    key: &SparkKey,
    pk: &ProverKey,
    r_x: &[F],
    r_y: &[F],
    gamma: F,
    v: F,
    transcript: &mut T,
) -> Result<SparkProof, Error> {
    let vk = &key.vk;
    let e = &key.entries;
    Error::check_len("spark r_x", vk.row_vars, r_x.len())?;
    Error::check_len("spark r_y", vk.col_vars, r_y.len())?;
    if pk.max_vars() < vk.pcs_num_vars() {
        return Err(Error::Pcs {
            what: "spark prover key",
            reason: format!(
                "the HyperKZG key supports {} variables, SPARK needs {}",
                pk.max_vars(),
                vk.pcs_num_vars()
            ),
        });
    }
    let commit = |v: &[F]| -> Result<Commitment, Error> {
        HyperKzg::commit_scalars(pk, Scalars::Field(v)).map_err(pcs_error("spark commit"))
    };
    absorb_statement(transcript, vk, r_x, r_y, gamma, v);
    let (eq_x, eq_y) = rayon::join(|| eq_table(r_x), || eq_table(r_y));
    let e_row: Vec<F> = e.rows.par_iter().map(|&i| eq_x[i as usize]).collect();
    let e_col: Vec<F> = e.cols.par_iter().map(|&j| eq_y[j as usize]).collect();
    let (c_er, c_ec) = rayon::join(|| commit(&e_row), || commit(&e_col));
    let (c_er, c_ec) = (c_er?, c_ec?);
    transcript.append_g1(LABEL_COMM_E, &c_er.0);
    transcript.append_g1(LABEL_COMM_E, &c_ec.0);
    let ch = Challenges {
        alpha: transcript.challenge(LABEL_ALPHA),
        beta: transcript.challenge(LABEL_BETA),
    };

    let d_row: Vec<F> = (e.rows.par_iter().zip(&e_row))
        .map(|(&i, x)| ch.den(F::from(i), *x, F::zero()))
        .collect();
    let d_col: Vec<F> = (e.cols.par_iter().zip(&e_col))
        .map(|(&j, x)| ch.den(F::from(j), *x, F::one()))
        .collect();
    let h: Vec<F> = {
        let (ir, ic) = rayon::join(|| invert_all(d_row.clone()), || invert_all(d_col.clone()));
        let (ir, ic) = (ir?, ic?);
        ir.par_iter().zip(&ic).map(|(a, b)| *a + b).collect()
    };
    let table = |eq: &[F], counts: &[F], tag: F| -> Result<(Vec<F>, Vec<F>), Error> {
        let den: Vec<F> = eq
            .par_iter()
            .enumerate()
            .map(|(i, x)| ch.den(F::from(i as u64), *x, tag))
            .collect();
        let inv = invert_all(den.clone())?;
        Ok((
            den,
            inv.par_iter().zip(counts).map(|(a, c)| *a * c).collect(),
        ))
    };
    let (den_r, t_r) = table(&eq_x, &key.row_counts, F::zero())?;
    let (den_c, t_c) = table(&eq_y, &key.col_counts, F::one())?;
    let (sum_row, sum_col): (F, F) = (t_r.par_iter().sum(), t_c.par_iter().sum());
    let (c_h, c_tr, c_tc) = (commit(&h)?, commit(&t_r)?, commit(&t_c)?);
    absorb_inverse_commitments(transcript, &c_h, &c_tr, &c_tc, [sum_row, sum_col]);
    let n = vk.entry_vars;
    let tau_e = transcript.challenges(LABEL_TAU_E, n);
    let tau_r = transcript.challenges(LABEL_TAU_R, vk.row_vars);
    let tau_c = transcript.challenges(LABEL_TAU_C, vk.col_vars);

    let val: Vec<F> = (0..e.rows.len())
        .into_par_iter()
        .map(|k| e.vals[0][k] + gamma * (e.vals[1][k] + gamma * e.vals[2][k]))
        .collect();
    let mle = |v: Vec<F>| MultilinearPoly::new(v).map_err(Error::from);
    let (val_p, e_row_p, e_col_p, h_p) = (mle(val)?, mle(e_row)?, mle(e_col)?, mle(h)?);
    let (t_r_p, t_c_p) = (mle(t_r)?, mle(t_c)?);
    let cnt_r_p = mle(key.row_counts.clone())?;
    let cnt_c_p = mle(key.col_counts.clone())?;

    let mut i1 = ProductProver::new(vec![val_p.clone(), e_row_p.clone(), e_col_p.clone()])?;
    if i1.input_claim() != v {
        return Err(Error::Malformed {
            what: "spark: the claimed matrix evaluation is not M(r_x, r_y)",
        });
    }
    let mut i2 = ZeroCheckProver::new(
        tau_e,
        vec![h_p.clone(), mle(d_row)?, mle(d_col)?],
        entry_combiner(),
    )?;
    let mut i3 = ProductProver::new(vec![h_p.clone()])?;
    let mut i4 = ZeroCheckProver::new(
        tau_r,
        vec![t_r_p.clone(), mle(den_r)?, cnt_r_p.clone()],
        table_combiner(),
    )?;
    let mut i5 = ZeroCheckProver::new(
        tau_c,
        vec![t_c_p.clone(), mle(den_c)?, cnt_c_p.clone()],
        table_combiner(),
    )?;
    let mut i6 = ProductProver::new(vec![t_r_p.clone()])?;
    let mut i7 = ProductProver::new(vec![t_c_p.clone()])?;
    let (sumcheck, r, finals) = {
        let mut instances: [&mut dyn SumcheckInstanceProver; 7] = [
            &mut i1, &mut i2, &mut i3, &mut i4, &mut i5, &mut i6, &mut i7,
        ];
        prove_batched(&mut instances, transcript)
    };
    drop((i1, i2, i3, i4, i5, i6, i7));
    let get = |i: usize, j: usize| -> Result<F, Error> {
        finals
            .get(i)
            .and_then(|v| v.get(j))
            .copied()
            .ok_or(Error::Malformed {
                what: "spark: the sumcheck returned the wrong final evaluations",
            })
    };
    let evals = SparkEvals {
        val: get(0, 0)?,
        e_row: get(0, 1)?,
        e_col: get(0, 2)?,
        h: get(1, 0)?,
        d_row: get(1, 1)?,
        d_col: get(1, 2)?,
        t_row: get(3, 0)?,
        den_row: get(3, 1)?,
        cnt_row: get(3, 2)?,
        t_col: get(4, 0)?,
        den_col: get(4, 1)?,
        cnt_col: get(4, 2)?,
    };

    let points = Points::new(vk, &r)?;
    let row_p = mle(e.rows.par_iter().map(|&x| F::from(x)).collect())?;
    let col_p = mle(e.cols.par_iter().map(|&x| F::from(x)).collect())?;
    let c_val = HyperKzg::combine(&vk.commitments.val, &[F::one(), gamma, gamma * gamma])
        .map_err(pcs_error("spark val commitment"))?;
    let (entry_opening, _) = batch_open::<HyperKzg, T>(
        pk,
        &[&val_p, &row_p, &col_p, &e_row_p, &e_col_p, &h_p],
        &[
            c_val,
            vk.commitments.row,
            vk.commitments.col,
            c_er,
            c_ec,
            c_h,
        ],
        points.entry,
        transcript,
    )
    .map_err(pcs_error("spark entry opening"))?;
    let table_opening = multi_point_open::<HyperKzg, T>(
        pk,
        &[&t_r_p, &cnt_r_p, &t_c_p, &cnt_c_p],
        &[
            c_tr,
            vk.commitments.row_counts,
            c_tc,
            vk.commitments.col_counts,
        ],
        &table_claims(&points, &evals),
        transcript,
    )
    .map_err(pcs_error("spark table opening"))?;
    Ok(SparkProof {
        comm_e_row: c_er,
        comm_e_col: c_ec,
        comm_h: c_h,
        comm_t_row: c_tr,
        comm_t_col: c_tc,
        sum_row,
        sum_col,
        sumcheck,
        evals,
        entry_opening,
        table_opening,
    })
}

/// The instance points: `σ` and its suffixes.
struct Points<'a> {
    entry: &'a [F],
    row: &'a [F],
    col: &'a [F],
}

impl<'a> Points<'a> {
    fn new(vk: &SparkVerifierKey, r: &'a [F]) -> Result<Self, Error> {
        let at = |vars: usize| {
            instance_point(r, vars).ok_or(Error::Malformed {
                what: "spark: sumcheck point of the wrong dimension",
            })
        };
        Ok(Self {
            entry: at(vk.entry_vars)?,
            row: at(vk.row_vars)?,
            col: at(vk.col_vars)?,
        })
    }
}

fn table_claims(points: &Points<'_>, evals: &SparkEvals) -> [EvalClaim; 4] {
    let claim = |poly: usize, point: &[F], value: F| EvalClaim {
        poly,
        point: point.to_vec(),
        value,
    };
    [
        claim(0, points.row, evals.t_row),
        claim(1, points.row, evals.cnt_row),
        claim(2, points.col, evals.t_col),
        claim(3, points.col, evals.cnt_col),
    ]
}

fn valid_point(c: &Commitment) -> bool {
    crate::spartan::valid_point(&c.0)
}

fn check_proof_shape(vk: &SparkVerifierKey, proof: &SparkProof) -> Result<(), Error> {
    if !proof.commitments().into_iter().all(valid_point) {
        return Err(Error::InvalidPoint {
            what: "a SPARK commitment",
        });
    }
    crate::spartan::check_rounds(
        "rounds of the SPARK sumcheck",
        "coefficients per round of the SPARK sumcheck",
        &proof.sumcheck,
        vk.num_rounds(),
        DEGREE,
    )?;
    crate::spartan::check_hyperkzg_shape(&proof.entry_opening, vk.entry_vars)?;
    let red = &proof.table_opening.reduction;
    let table_vars = vk.row_vars.max(vk.col_vars);
    crate::spartan::check_rounds(
        "rounds of the SPARK table reduction",
        "coefficients per round of the SPARK table reduction",
        &red.sumcheck,
        table_vars,
        2,
    )?;
    Error::check_shape(
        "evaluations of the SPARK table reduction",
        4,
        red.evals.len(),
    )?;
    crate::spartan::check_hyperkzg_shape(&proof.table_opening.opening, table_vars)
}

/// Verify that `M̃_γ(r_x, r_y) = v` for the matrices committed in `vk`. Never panics:
/// malformed proofs are errors, and so is every failed check.
#[allow(clippy::too_many_arguments)]
pub fn verify<T: Transcript>(
    vk: &SparkVerifierKey,
    pcs_vk: &VerifierKey,
    r_x: &[F],
    r_y: &[F],
    gamma: F,
    v: F,
    proof: &SparkProof,
    transcript: &mut T,
) -> Result<(), Error> {
    let pairings = verify_deferred(vk, pcs_vk, r_x, r_y, gamma, v, proof, transcript)?;
    PairingClaim::check_all(pcs_vk, &pairings, transcript).map_err(pcs_error("spark openings"))
}

/// [`verify`] up to the pairing checks of its two openings, which it returns (to be decided
/// with others by [`PairingClaim::check_all`]); every other check is made.
#[allow(clippy::too_many_arguments)]
pub fn verify_deferred<T: Transcript>(
    vk: &SparkVerifierKey,
    pcs_vk: &VerifierKey,
    r_x: &[F],
    r_y: &[F],
    gamma: F,
    v: F,
    proof: &SparkProof,
    transcript: &mut T,
) -> Result<Vec<PairingClaim>, Error> {
    Error::check_len("spark r_x", vk.row_vars, r_x.len())?;
    Error::check_len("spark r_y", vk.col_vars, r_y.len())?;
    check_proof_shape(vk, proof)?;
    absorb_statement(transcript, vk, r_x, r_y, gamma, v);
    transcript.append_g1(LABEL_COMM_E, &proof.comm_e_row.0);
    transcript.append_g1(LABEL_COMM_E, &proof.comm_e_col.0);
    let ch = Challenges {
        alpha: transcript.challenge(LABEL_ALPHA),
        beta: transcript.challenge(LABEL_BETA),
    };
    absorb_inverse_commitments(
        transcript,
        &proof.comm_h,
        &proof.comm_t_row,
        &proof.comm_t_col,
        [proof.sum_row, proof.sum_col],
    );
    let n = vk.entry_vars;
    let tau_e = transcript.challenges(LABEL_TAU_E, n);
    let tau_r = transcript.challenges(LABEL_TAU_R, vk.row_vars);
    let tau_c = transcript.challenges(LABEL_TAU_C, vk.col_vars);

    let i1 = ProductVerifier::new(n, 3, v);
    let i2 = ZeroCheckVerifier::new(tau_e, 3, entry_combiner(), F::zero());
    let i3 = ProductVerifier::new(n, 1, proof.sum_row + proof.sum_col);
    let i4 = ZeroCheckVerifier::new(tau_r, 3, table_combiner(), F::zero());
    let i5 = ZeroCheckVerifier::new(tau_c, 3, table_combiner(), F::zero());
    let i6 = ProductVerifier::new(vk.row_vars, 1, proof.sum_row);
    let i7 = ProductVerifier::new(vk.col_vars, 1, proof.sum_col);
    let instances: [&dyn SumcheckInstanceVerifier; 7] = [&i1, &i2, &i3, &i4, &i5, &i6, &i7];
    let ev = &proof.evals;
    let r = verify_batched(&instances, &proof.sumcheck, &ev.per_instance(), transcript)?;
    let points = Points::new(vk, &r)?;

    // The table denominators are the verifier's own.
    let den = |point: &[F], r: &[F], tag: F| {
        eq_eval(r, point).map(|eq| ch.den(index_mle(point), eq, tag))
    };
    if den(points.row, r_x, F::zero()) != Some(ev.den_row)
        || den(points.col, r_y, F::one()) != Some(ev.den_col)
    {
        return Err(Error::Malformed {
            what: "spark: a table denominator is not the verifier's",
        });
    }

    let row = ch.alpha - ev.d_row - ch.beta * ev.e_row;
    let col = ch.alpha - ev.d_col - ch.beta * (ev.e_col + ch.beta);
    let c = &vk.commitments;
    let c_val = HyperKzg::combine(&c.val, &[F::one(), gamma, gamma * gamma])
        .map_err(pcs_error("spark val commitment"))?;
    let entry_error = pcs_error("spark entry opening");
    let (c_entry, v_entry) = batch_reduce::<HyperKzg, T>(
        &[
            c_val,
            c.row,
            c.col,
            proof.comm_e_row,
            proof.comm_e_col,
            proof.comm_h,
        ],
        &[n; 6],
        points.entry,
        &[ev.val, row, col, ev.e_row, ev.e_col, ev.h],
        transcript,
    )
    .map_err(&entry_error)?;
    let entry = HyperKzg::reduce_to_pairing(
        pcs_vk,
        &c_entry,
        points.entry,
        &v_entry,
        &proof.entry_opening,
        transcript,
    )
    .map_err(&entry_error)?;
    let table_error = pcs_error("spark table opening");
    let (c_table, r_table, v_table) = multi_point_reduce::<HyperKzg, T>(
        &[
            proof.comm_t_row,
            c.row_counts,
            proof.comm_t_col,
            c.col_counts,
        ],
        &[vk.row_vars, vk.row_vars, vk.col_vars, vk.col_vars],
        &table_claims(&points, ev),
        &proof.table_opening.reduction,
        transcript,
    )
    .map_err(&table_error)?;
    let table = HyperKzg::reduce_to_pairing(
        pcs_vk,
        &c_table,
        &r_table,
        &v_table,
        &proof.table_opening.opening,
        transcript,
    )
    .map_err(&table_error)?;
    Ok(vec![entry, table])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_mle_is_the_index_on_the_cube() {
        for i in 0..16usize {
            let p = sumcheck::mle::index_to_point(i, 4);
            assert_eq!(index_mle(&p), F::from(i as u64));
        }
    }

    #[test]
    fn index_mle_is_multilinear_extension() {
        let table: Vec<F> = (0..8u64).map(F::from).collect();
        let p = [F::from(3u64), F::from(11u64), F::from(7u64)];
        assert_eq!(index_mle(&p), sumcheck::mle::evaluate_evals(&table, &p));
    }
}
