//! R1CS and relaxed R1CS over a prime field `F`, extracted from an arkworks constraint system:
//! `F = ark_bn254::Fr` for step circuits (committed over BN254 G1), `F = ark_bn254::Fq` for
//! CycleFold circuits (committed over Grumpkin). Shapes and witnesses are generic over `F`,
//! committed instances over the [`FoldingCurve`] `C` whose scalar field is `F`; the type
//! parameters default to the BN254 side.
//!
//! **R1CS.** A shape is three sparse matrices `A, B, C ∈ F^{m×n}` with `n = 1 + ℓ + |W|`
//! columns. An instance `x ∈ F^ℓ` (the public inputs) with witness `W ∈ F^{|W|}` satisfies it iff,
//! with `z = (1, x, W)`,
//!
//! ```text
//! (A z) ∘ (B z) = C z            (∘: entry-wise product, m equations)
//! ```
//!
//! **Relaxed R1CS** (Kothapalli–Setty–Tzialla, Nova §4) adds a scalar `u` and an error vector
//! `E ∈ F^m`; with `z = (u, x, W)`,
//!
//! ```text
//! (A z) ∘ (B z) = u·(C z) + E
//! ```
//!
//! A strict instance is the relaxed one with `u = 1, E = 0`. Relaxed instances are closed under
//! random linear combinations up to a cross term, which is what [`crate::nifs`] folds.
//!
//! **Ordering of `z`.** `z = (u, x, W)`: column 0 is `u` (the constant `1` of a strict instance),
//! columns `1..=ℓ` the public inputs, then the witness — exactly arkworks' column order (its
//! constant variable, then instance variables, then witness variables), so the matrices are used
//! as `ConstraintSystem::to_matrices` returns them. Nova's paper writes `z = (W, x, u)`; that is
//! a permutation of the columns and changes nothing.
//!
//! **Committed instances.** With a [`PedersenKey`] over `C` (`Com(v; r) = Σ v_i·G_i + r·H`):
//!
//! | | instance | witness |
//! |---|---|---|
//! | strict ([`R1csInstance`], [`R1csWitness`]) | `(C_W, x)` | `(W, r_W)`, `C_W = Com(W; r_W)` |
//! | relaxed ([`RelaxedR1csInstance`], [`RelaxedR1csWitness`]) | `(C_W, C_E, u, x)` | `(W, r_W, E, r_E)`, `C_E = Com(E; r_E)` |
//!
//! **Extraction.** [`R1csShape::from_constraint_system`] finalizes the constraint system
//! (inlining its symbolic linear combinations) and reads the matrices of the `R1CS` predicate;
//! any other predicate with constraints is an error. [`extract_assignment`] reads `x` and `W`
//! (the leading constant `1` is checked and dropped). Matrix rows are canonicalized (sorted by
//! column, duplicates merged, zeros dropped).
//!
//! **Digest.** [`R1csShape::digest`] is SHA-256 over
//! `SHAPE_DIGEST_DOMAIN ‖ u64(|p|) ‖ le(p) ‖ u64(m) ‖ u64(ℓ) ‖ u64(|W|)` (`p` the modulus of `F`
//! as little-endian bytes, so equal matrices over different fields differ) followed, for `A`,
//! `B`, `C` in turn, by `u64(nnz)` and for every row `u64(len) ‖ (u64(col) ‖ le(value))*`
//! (integers little-endian, values canonical little-endian). The folding transcript binds it.

use ark_bn254::{Fr, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, One, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError, R1CS_PREDICATE_LABEL};
use ark_std::rand::RngCore;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::pedersen::PedersenKey;

/// Domain tag of [`R1csShape::digest`].
pub const SHAPE_DIGEST_DOMAIN: &[u8] = b"zkpot-r1cs-shape-v1";

/// A sparse matrix over `F` in compressed-row form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseMatrix<F: PrimeField = Fr> {
    num_cols: usize,
    /// `row_ptr[i]..row_ptr[i + 1]` indexes row `i` in `entries`; `num_rows + 1` elements.
    row_ptr: Vec<usize>,
    /// `(column, value)`, sorted by column within a row, no zero values, no repeated column.
    entries: Vec<(usize, F)>,
}

impl<F: PrimeField> SparseMatrix<F> {
    /// A matrix from rows of `(value, column)` pairs (arkworks' `Matrix` layout). `name` names
    /// the matrix in errors. Rows are canonicalized: sorted by column, repeated columns summed,
    /// zero values dropped.
    pub fn from_rows(
        name: &'static str,
        rows: &[Vec<(F, usize)>],
        num_cols: usize,
    ) -> Result<Self, Error> {
        let mut row_ptr = Vec::with_capacity(rows.len() + 1);
        let mut entries = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        row_ptr.push(0);
        let mut row_buf: Vec<(usize, F)> = Vec::new();
        let mut merged: Vec<(usize, F)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            row_buf.clear();
            for &(value, col) in row {
                if col >= num_cols {
                    return Err(Error::ColumnOutOfRange {
                        matrix: name,
                        row: i,
                        col,
                        num_cols,
                    });
                }
                row_buf.push((col, value));
            }
            row_buf.sort_by_key(|&(col, _)| col);
            for (col, value) in row_buf.drain(..) {
                match merged.last_mut() {
                    Some(last) if last.0 == col => last.1 += value,
                    _ => merged.push((col, value)),
                }
            }
            entries.extend(merged.drain(..).filter(|(_, value)| !value.is_zero()));
            row_ptr.push(entries.len());
        }
        Ok(Self {
            num_cols,
            row_ptr,
            entries,
        })
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_ptr.len().saturating_sub(1)
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.num_cols
    }

    /// Number of non-zero entries.
    pub fn nnz(&self) -> usize {
        self.entries.len()
    }

    /// Row `i` as `(column, value)` pairs (empty past the last row).
    pub fn row(&self, i: usize) -> &[(usize, F)] {
        match (self.row_ptr.get(i), self.row_ptr.get(i + 1)) {
            (Some(&s), Some(&e)) => &self.entries[s..e],
            _ => &[],
        }
    }

    /// `M·z` (rows in parallel).
    pub fn mul_vec(&self, z: &[F]) -> Result<Vec<F>, Error> {
        if z.len() != self.num_cols {
            return Err(Error::LengthMismatch {
                what: "z",
                expected: self.num_cols,
                actual: z.len(),
            });
        }
        Ok((0..self.num_rows())
            .into_par_iter()
            .map(|i| {
                self.row(i)
                    .iter()
                    .fold(F::zero(), |acc, &(col, value)| acc + value * z[col])
            })
            .collect())
    }

    fn absorb_into(&self, h: &mut Sha256) {
        h.update((self.entries.len() as u64).to_le_bytes());
        for i in 0..self.num_rows() {
            let row = self.row(i);
            h.update((row.len() as u64).to_le_bytes());
            for &(col, value) in row {
                h.update((col as u64).to_le_bytes());
                h.update(value.into_bigint().to_bytes_le());
            }
        }
    }
}

/// An R1CS shape `(A, B, C)` with `ℓ` public inputs and `|W|` witness variables
/// (see the module docs for the column order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csShape<F: PrimeField = Fr> {
    num_io: usize,
    num_witness: usize,
    a: SparseMatrix<F>,
    b: SparseMatrix<F>,
    c: SparseMatrix<F>,
    digest: [u8; 32],
}

impl<F: PrimeField> R1csShape<F> {
    /// A shape from its matrices, which must all have `m` rows and `1 + num_io + num_witness`
    /// columns.
    pub fn new(
        num_io: usize,
        num_witness: usize,
        a: SparseMatrix<F>,
        b: SparseMatrix<F>,
        c: SparseMatrix<F>,
    ) -> Result<Self, Error> {
        let num_vars = 1 + num_io + num_witness;
        let m = a.num_rows();
        for (what, mat) in [
            ("columns of A", &a),
            ("columns of B", &b),
            ("columns of C", &c),
        ] {
            if mat.num_cols() != num_vars {
                return Err(Error::LengthMismatch {
                    what,
                    expected: num_vars,
                    actual: mat.num_cols(),
                });
            }
        }
        for (what, mat) in [("rows of B", &b), ("rows of C", &c)] {
            if mat.num_rows() != m {
                return Err(Error::LengthMismatch {
                    what,
                    expected: m,
                    actual: mat.num_rows(),
                });
            }
        }
        let mut h = Sha256::new();
        h.update(SHAPE_DIGEST_DOMAIN);
        let modulus = F::MODULUS.to_bytes_le();
        h.update((modulus.len() as u64).to_le_bytes());
        h.update(&modulus);
        for n in [m, num_io, num_witness] {
            h.update((n as u64).to_le_bytes());
        }
        for mat in [&a, &b, &c] {
            mat.absorb_into(&mut h);
        }
        Ok(Self {
            num_io,
            num_witness,
            a,
            b,
            c,
            digest: h.finalize().into(),
        })
    }

    /// The R1CS of a synthesized arkworks constraint system (setup or proving mode, with matrix
    /// construction on, which is the default). Finalizes `cs` (inlines its symbolic linear
    /// combinations, as any arkworks prover does before reading the matrices; the assignment is
    /// untouched and [`extract_assignment`] may be called before or after).
    pub fn from_constraint_system(cs: &ConstraintSystemRef<F>) -> Result<Self, Error> {
        if cs.is_none() {
            return Err(SynthesisError::MissingCS.into());
        }
        if !cs.should_construct_matrices() {
            return Err(Error::MatricesNotConstructed);
        }
        cs.finalize();
        for (label, num_constraints) in cs.get_all_predicates_num_constraints() {
            if label != R1CS_PREDICATE_LABEL && num_constraints > 0 {
                return Err(Error::UnsupportedPredicate {
                    label,
                    num_constraints,
                });
            }
        }
        let mut matrices = cs.to_matrices()?;
        let r1cs = matrices
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or(Error::Malformed {
                what: "the constraint system has no R1CS predicate",
            })?;
        let [a, b, c]: [Vec<Vec<(F, usize)>>; 3] =
            r1cs.try_into().map_err(|_| Error::Malformed {
                what: "the R1CS predicate does not have three matrices",
            })?;
        let num_io = cs
            .num_instance_variables()
            .checked_sub(1)
            .ok_or(Error::Malformed {
                what: "the constraint system has no constant variable",
            })?;
        let num_witness = cs.num_witness_variables();
        let num_vars = 1 + num_io + num_witness;
        Self::new(
            num_io,
            num_witness,
            SparseMatrix::from_rows("A", &a, num_vars)?,
            SparseMatrix::from_rows("B", &b, num_vars)?,
            SparseMatrix::from_rows("C", &c, num_vars)?,
        )
    }

    /// Number of constraints `m` (the length of `E`).
    pub fn num_constraints(&self) -> usize {
        self.a.num_rows()
    }

    /// Number of public inputs `ℓ` (the length of `x`, without the constant).
    pub fn num_io(&self) -> usize {
        self.num_io
    }

    /// Number of witness variables `|W|`.
    pub fn num_witness(&self) -> usize {
        self.num_witness
    }

    /// Length of `z = (u, x, W)`: `1 + ℓ + |W|`.
    pub fn num_vars(&self) -> usize {
        1 + self.num_io + self.num_witness
    }

    /// The matrix `A`.
    pub fn a(&self) -> &SparseMatrix<F> {
        &self.a
    }

    /// The matrix `B`.
    pub fn b(&self) -> &SparseMatrix<F> {
        &self.b
    }

    /// The matrix `C`.
    pub fn c(&self) -> &SparseMatrix<F> {
        &self.c
    }

    /// SHA-256 digest of the shape (see the module docs).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// `z = (u, x, W)`, with the lengths checked.
    pub fn z(&self, u: F, x: &[F], w: &[F]) -> Result<Vec<F>, Error> {
        Error::check_len("x", self.num_io, x.len())?;
        Error::check_len("W", self.num_witness, w.len())?;
        let mut z = Vec::with_capacity(self.num_vars());
        z.push(u);
        z.extend_from_slice(x);
        z.extend_from_slice(w);
        Ok(z)
    }

    /// `[A z, B z, C z]`.
    pub fn multiply(&self, z: &[F]) -> Result<[Vec<F>; 3], Error> {
        let (az, (bz, cz)) = rayon::join(
            || self.a.mul_vec(z),
            || rayon::join(|| self.b.mul_vec(z), || self.c.mul_vec(z)),
        );
        Ok([az?, bz?, cz?])
    }

    /// Checks `(A z)∘(B z) = u·(C z) + E` for `z = (u, x, W)`; the first failing row is the
    /// error.
    pub fn check_relaxed_relation(&self, u: F, x: &[F], w: &[F], e: &[F]) -> Result<(), Error> {
        Error::check_len("E", self.num_constraints(), e.len())?;
        let z = self.z(u, x, w)?;
        let [az, bz, cz] = self.multiply(&z)?;
        let bad = (0..self.num_constraints())
            .into_par_iter()
            .find_first(|&i| az[i] * bz[i] != u * cz[i] + e[i]);
        match bad {
            Some(row) => Err(Error::UnsatisfiedConstraint { row }),
            None => Ok(()),
        }
    }

    /// Checks `(A z)∘(B z) = C z` for `z = (1, x, W)`.
    pub fn check_relation(&self, x: &[F], w: &[F]) -> Result<(), Error> {
        let z = self.z(F::one(), x, w)?;
        let [az, bz, cz] = self.multiply(&z)?;
        let bad = (0..self.num_constraints())
            .into_par_iter()
            .find_first(|&i| az[i] * bz[i] != cz[i]);
        match bad {
            Some(row) => Err(Error::UnsatisfiedConstraint { row }),
            None => Ok(()),
        }
    }

    /// Nova's cross term of `z_1 = (u_1, x_1, W_1)` and `z_2 = (u_2, x_2, W_2)`:
    /// `T = A z_1 ∘ B z_2 + A z_2 ∘ B z_1 − u_1·C z_2 − u_2·C z_1`.
    pub fn cross_term(&self, z1: &[F], z2: &[F]) -> Result<Vec<F>, Error> {
        for (what, z) in [("z_1", z1), ("z_2", z2)] {
            if z.len() != self.num_vars() {
                return Err(Error::LengthMismatch {
                    what,
                    expected: self.num_vars(),
                    actual: z.len(),
                });
            }
        }
        let (u1, u2) = (z1[0], z2[0]);
        let (m1, m2) = rayon::join(|| self.multiply(z1), || self.multiply(z2));
        let ([az1, bz1, cz1], [az2, bz2, cz2]) = (m1?, m2?);
        Ok((0..self.num_constraints())
            .into_par_iter()
            .map(|i| az1[i] * bz2[i] + az2[i] * bz1[i] - u1 * cz2[i] - u2 * cz1[i])
            .collect())
    }

    /// Commits `W` (blinded by a fresh `r_W` if the key is hiding) and returns the strict
    /// instance `(C_W, x)` with its witness. Does not check the relation
    /// ([`Self::is_satisfied`] does).
    pub fn commit_witness<C, R>(
        &self,
        key: &PedersenKey<C>,
        x: Vec<F>,
        w: Vec<F>,
        rng: &mut R,
    ) -> Result<(R1csInstance<C>, R1csWitness<F>), Error>
    where
        C: FoldingCurve<ScalarField = F>,
        R: RngCore + ?Sized,
    {
        Error::check_len("x", self.num_io, x.len())?;
        Error::check_len("W", self.num_witness, w.len())?;
        let r_w = if key.is_hiding() {
            F::rand(rng)
        } else {
            F::zero()
        };
        let comm_w = key.commit(&w, &r_w)?;
        Ok((R1csInstance { comm_w, x }, R1csWitness { w, r_w }))
    }

    /// Checks a committed strict instance: `C_W = Com(W; r_W)` and `(A z)∘(B z) = C z`.
    pub fn is_satisfied<C: FoldingCurve<ScalarField = F>>(
        &self,
        key: &PedersenKey<C>,
        instance: &R1csInstance<C>,
        witness: &R1csWitness<F>,
    ) -> Result<(), Error> {
        self.check_relation(&instance.x, &witness.w)?;
        if key.commit(&witness.w, &witness.r_w)? != instance.comm_w {
            return Err(Error::CommitmentMismatch { what: "W" });
        }
        Ok(())
    }

    /// Checks a committed relaxed instance: `C_W = Com(W; r_W)`, `C_E = Com(E; r_E)` and
    /// `(A z)∘(B z) = u·(C z) + E`.
    pub fn is_satisfied_relaxed<C: FoldingCurve<ScalarField = F>>(
        &self,
        key: &PedersenKey<C>,
        instance: &RelaxedR1csInstance<C>,
        witness: &RelaxedR1csWitness<F>,
    ) -> Result<(), Error> {
        self.check_relaxed_relation(instance.u, &instance.x, &witness.w, &witness.e)?;
        if key.commit(&witness.w, &witness.r_w)? != instance.comm_w {
            return Err(Error::CommitmentMismatch { what: "W" });
        }
        if key.commit(&witness.e, &witness.r_e)? != instance.comm_e {
            return Err(Error::CommitmentMismatch { what: "E" });
        }
        Ok(())
    }
}

/// The public inputs `x` (without the leading constant, which is checked to be `1`) and the
/// witness `W` assigned in a constraint system synthesized in proving mode.
pub fn extract_assignment<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
) -> Result<(Vec<F>, Vec<F>), Error> {
    let instance = cs.instance_assignment()?;
    let w = cs.witness_assignment()?;
    match instance.split_first() {
        Some((one, x)) if one.is_one() => Ok((x.to_vec(), w)),
        Some(_) => Err(Error::Malformed {
            what: "the constant variable is not assigned 1",
        }),
        None => Err(Error::Malformed {
            what: "the constraint system has no constant variable",
        }),
    }
}

/// A committed strict R1CS instance `(C_W, x)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csInstance<C: FoldingCurve = G1Projective> {
    /// `C_W = Com(W; r_W)`.
    pub comm_w: C::Affine,
    /// The public inputs.
    pub x: Vec<C::ScalarField>,
}

/// The witness `(W, r_W)` of an [`R1csInstance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csWitness<F: PrimeField = Fr> {
    /// The witness variables.
    pub w: Vec<F>,
    /// The blinding factor of `C_W` (zero with a non-hiding key).
    pub r_w: F,
}

/// A committed relaxed R1CS instance `(C_W, C_E, u, x)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaxedR1csInstance<C: FoldingCurve = G1Projective> {
    /// `C_W = Com(W; r_W)`.
    pub comm_w: C::Affine,
    /// `C_E = Com(E; r_E)`.
    pub comm_e: C::Affine,
    /// The relaxation scalar.
    pub u: C::ScalarField,
    /// The (folded) public inputs.
    pub x: Vec<C::ScalarField>,
}

impl<C: FoldingCurve> RelaxedR1csInstance<C> {
    /// The all-zero instance (`C_W = C_E = O`, `u = 0`, `x = 0`), satisfied by
    /// [`RelaxedR1csWitness::zero`]: the running instance before the first fold.
    pub fn zero(shape: &R1csShape<C::ScalarField>) -> Self {
        Self {
            comm_w: C::Affine::zero(),
            comm_e: C::Affine::zero(),
            u: C::ScalarField::zero(),
            x: vec![C::ScalarField::zero(); shape.num_io()],
        }
    }

    /// A strict instance as a relaxed one: `u = 1`, `C_E = Com(0; 0) = O`.
    pub fn from_strict(instance: &R1csInstance<C>) -> Self {
        Self {
            comm_w: instance.comm_w,
            comm_e: C::Affine::zero(),
            u: C::ScalarField::one(),
            x: instance.x.clone(),
        }
    }
}

/// The witness `(W, r_W, E, r_E)` of a [`RelaxedR1csInstance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaxedR1csWitness<F: PrimeField = Fr> {
    /// The witness variables.
    pub w: Vec<F>,
    /// The blinding factor of `C_W`.
    pub r_w: F,
    /// The error vector (`m` entries).
    pub e: Vec<F>,
    /// The blinding factor of `C_E`.
    pub r_e: F,
}

impl<F: PrimeField> RelaxedR1csWitness<F> {
    /// The all-zero witness of [`RelaxedR1csInstance::zero`].
    pub fn zero(shape: &R1csShape<F>) -> Self {
        Self {
            w: vec![F::zero(); shape.num_witness()],
            r_w: F::zero(),
            e: vec![F::zero(); shape.num_constraints()],
            r_e: F::zero(),
        }
    }

    /// A strict witness as a relaxed one: `E = 0^m`, `r_E = 0`.
    pub fn from_strict(shape: &R1csShape<F>, witness: &R1csWitness<F>) -> Self {
        Self {
            w: witness.w.clone(),
            r_w: witness.r_w,
            e: vec![F::zero(); shape.num_constraints()],
            r_e: F::zero(),
        }
    }
}
