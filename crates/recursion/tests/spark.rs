//! SPARK (`recursion::spark`): the matrix evaluation `M̃_γ(r_x, r_y)` of Spartan proven against
//! preprocessed commitments, standalone and inside Spartan's SPARK mode.
//!
//! Shapes: hand-built R1CS (one constraint, a single merged entry, no entry at all, `A, B, C`
//! sharing positions, empty rows, exactly `2^3` and `2^3 + 1` merged entries), a random
//! satisfiable R1CS with at least three rounds in every sumcheck, and the step-like test circuit.
//!
//! - Honest proofs verify (Poseidon and Merlin), and `SparkKey::evaluate` is the dense
//!   evaluation of the Spartan key.
//! - A reference prover written from the module docs reproduces `spark::prove` exactly; its
//!   cheating variants (a lied lookup, wrong counts) are rejected.
//! - Every tampered proof element, every wrong statement and every malformed shape is an error,
//!   never a panic.
//! - In SPARK mode, Spartan proofs of strict and folded instances verify, modes do not mix, the
//!   wire format round-trips and is strict, and random byte flips never verify.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/step_circuit.rs"]
mod step_circuit;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use ark_bn254::{Fq, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One, UniformRand, Zero};
use pcs::batch::{batch_open, multi_point_open};
use pcs::hyperkzg::{Commitment, Proof as HyperKzgProof, ProverKey, VerifierKey};
use pcs::{AdditivelyHomomorphic, HyperKzg, MultilinearPcs, Scalars, Srs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::spark::{self, SparkEvals, SparkKey, SparkProof};
use recursion::spartan::{self, SpartanInstance, SpartanKey, SpartanProof};
use recursion::{nifs, Error, R1csShape, R1csWitness, RelaxedR1csWitness, SparseMatrix};
use step_circuit::{StepCircuit, StepValues};
use sumcheck::mle::eq_table;
use sumcheck::{
    instance_point, prove_batched, Combiner, EvalClaim, MerlinTranscript, MultilinearPoly,
    PoseidonTranscript, ProductProver, SumcheckInstanceProver, SumcheckProof, Transcript, UniPoly,
    ZeroCheckProver, F,
};

const DOMAIN: &[u8] = b"spark-test";
const SRS_LOG_SIZE: usize = 14;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn keys() -> &'static (ProverKey, VerifierKey) {
    static KEYS: OnceLock<(ProverKey, VerifierKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let srs = Srs::dev_setup_u64(7, SRS_LOG_SIZE).unwrap();
        HyperKzg::keys(&srs, SRS_LOG_SIZE).unwrap()
    })
}

fn random_point(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

// ---------------------------------------------------------------------------------------------
// Shapes

/// `(row, column of z = (u, x, W), value)`.
type Entry = (usize, usize, u64);

/// A shape of `m` constraints, `ℓ` public inputs and `|W|` witnesses from its entries.
fn build_shape(m: usize, num_io: usize, num_witness: usize, mats: [&[Entry]; 3]) -> R1csShape {
    let n = 1 + num_io + num_witness;
    let rows = |entries: &[Entry]| {
        let mut rows = vec![Vec::new(); m];
        for &(i, j, v) in entries {
            rows[i].push((F::from(v), j));
        }
        rows
    };
    R1csShape::new(
        num_io,
        num_witness,
        SparseMatrix::from_rows("A", &rows(mats[0]), n).unwrap(),
        SparseMatrix::from_rows("B", &rows(mats[1]), n).unwrap(),
        SparseMatrix::from_rows("C", &rows(mats[2]), n).unwrap(),
    )
    .unwrap()
}

/// The rows of `mat` in `from_rows`' input format.
fn rows_of(mat: &SparseMatrix<F>) -> Vec<Vec<(F, usize)>> {
    (0..mat.num_rows())
        .map(|i| mat.row(i).iter().map(|&(j, v)| (v, j)).collect())
        .collect()
}

/// The hand-built shapes and the number `N` of merged non-zero positions each has.
fn hand_built_shapes() -> Vec<(&'static str, R1csShape, usize)> {
    vec![
        (
            // s = 0: one row, no row variable.
            "one constraint",
            build_shape(
                1,
                1,
                1,
                [&[(0, 0, 2), (0, 1, 3)], &[(0, 2, 5)], &[(0, 2, 7)]],
            ),
            3,
        ),
        (
            // n = 0: the entry columns are constants.
            "single merged entry",
            build_shape(1, 0, 1, [&[(0, 1, 1)], &[(0, 1, 2)], &[(0, 1, 3)]]),
            1,
        ),
        (
            // M = 0: one padding entry only.
            "no entries",
            build_shape(2, 0, 1, [&[], &[], &[]]),
            0,
        ),
        (
            // s = 1; A and B share (0, 2), (1, 3); C shares (0, 2) with both, (1, 4) with A.
            "A, B, C share positions",
            build_shape(
                2,
                1,
                3,
                [
                    &[(0, 0, 1), (0, 2, 2), (1, 3, 3), (1, 4, 4)],
                    &[(0, 2, 5), (0, 3, 6), (1, 3, 7)],
                    &[(0, 2, 8), (1, 1, 9), (1, 4, 10)],
                ],
            ),
            6,
        ),
        (
            // Rows 1, 2, 4, 6 empty; row 5 has only C.
            "empty rows",
            build_shape(
                7,
                0,
                4,
                [
                    &[(0, 1, 1), (3, 4, 2)],
                    &[(0, 2, 1), (3, 0, 3)],
                    &[(0, 3, 1), (3, 1, 5), (5, 2, 4)],
                ],
            ),
            7,
        ),
        (
            "2^3 entries",
            build_shape(
                4,
                1,
                3,
                [
                    &[(0, 0, 1), (1, 1, 2), (2, 2, 3), (3, 3, 4)],
                    &[(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5)],
                    &[],
                ],
            ),
            8,
        ),
        (
            "2^3 + 1 entries",
            build_shape(
                4,
                1,
                3,
                [
                    &[(0, 0, 1), (1, 1, 2), (2, 2, 3), (3, 3, 4)],
                    &[(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5)],
                    &[(3, 0, 9)],
                ],
            ),
            9,
        ),
    ]
}

/// A random R1CS (as in `tests/spartan.rs`): `z = (u, x, f, t)` with `free` free witnesses `f`
/// and one output `t_i` per constraint; row `i` is `(A_i z)·(B_i z) = c_i·t_i + d_i·u` with
/// `A_i, B_i` over the columns before `t_i`, so any `(x, f)` extends to a satisfying assignment.
struct Tiny {
    shape: R1csShape,
    c: Vec<F>,
    d: Vec<F>,
}

impl Tiny {
    fn new(m: usize, num_io: usize, free: usize, seed: u64) -> Self {
        let mut rng = rng(seed);
        let n = 1 + num_io + free + m;
        let mut rows = [Vec::new(), Vec::new(), Vec::new()];
        let (mut c, mut d) = (Vec::new(), Vec::new());
        for i in 0..m {
            let before = 1 + num_io + free + i;
            for rows in rows.iter_mut().take(2) {
                let row: Vec<(F, usize)> = (0..3)
                    .map(|_| (F::rand(&mut rng), rng.gen_range(0..before)))
                    .collect();
                rows.push(row);
            }
            let (ci, di) = (F::from(rng.gen_range(1..100u64)), F::rand(&mut rng));
            rows[2].push(vec![(ci, before), (di, 0)]);
            c.push(ci);
            d.push(di);
        }
        let [a, b, cm] = rows;
        let shape = R1csShape::new(
            num_io,
            free + m,
            SparseMatrix::from_rows("A", &a, n).unwrap(),
            SparseMatrix::from_rows("B", &b, n).unwrap(),
            SparseMatrix::from_rows("C", &cm, n).unwrap(),
        )
        .unwrap();
        Self { shape, c, d }
    }

    /// A satisfying strict assignment `(x, W)` with random `x` and free witnesses.
    fn assignment(&self, rng: &mut ChaCha20Rng) -> (Vec<F>, Vec<F>) {
        let s = &self.shape;
        let m = s.num_constraints();
        let free = s.num_witness() - m;
        let x: Vec<F> = (0..s.num_io()).map(|_| F::rand(rng)).collect();
        let mut z = vec![F::one()];
        z.extend_from_slice(&x);
        z.extend((0..free).map(|_| F::rand(rng)));
        for i in 0..m {
            let dot = |row: &[(usize, F)]| -> F { row.iter().map(|&(j, v)| v * z[j]).sum() };
            let ab = dot(s.a().row(i)) * dot(s.b().row(i));
            let t = (ab - self.d[i]) * self.c[i].inverse().unwrap();
            z.push(t);
        }
        let w = z[1 + s.num_io()..].to_vec();
        s.check_relation(&x, &w).unwrap();
        (x, w)
    }
}

/// At least three rounds in every sumcheck: `s = 4`, `c = 5`.
fn medium_tiny() -> &'static Tiny {
    static TINY: OnceLock<Tiny> = OnceLock::new();
    TINY.get_or_init(|| Tiny::new(13, 3, 6, 99))
}

fn step_shape() -> &'static R1csShape {
    static SHAPE: OnceLock<R1csShape> = OnceLock::new();
    SHAPE.get_or_init(|| StepCircuit::SMALL.shape())
}

// ---------------------------------------------------------------------------------------------
// Reference preprocessing

/// The merged entries, rebuilt from the module docs: row by row, by remapped column, padded
/// with `(0, 0, 0, 0, 0)` to a power of two; the counts include the padding.
struct Entries {
    num_entries: usize,
    rows: Vec<usize>,
    cols: Vec<usize>,
    vals: [Vec<F>; 3],
    row_counts: Vec<F>,
    col_counts: Vec<F>,
}

impl Entries {
    fn new(key: &SpartanKey) -> Self {
        let shape = key.shape();
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        let mut vals = [Vec::new(), Vec::new(), Vec::new()];
        for i in 0..shape.num_constraints() {
            let mut cells: BTreeMap<usize, [F; 3]> = BTreeMap::new();
            for (t, mat) in [shape.a(), shape.b(), shape.c()].into_iter().enumerate() {
                for &(j, v) in mat.row(i) {
                    cells.entry(key.column(j)).or_insert([F::zero(); 3])[t] += v;
                }
            }
            for (col, v) in cells {
                rows.push(i);
                cols.push(col);
                for (dst, x) in vals.iter_mut().zip(v) {
                    dst.push(x);
                }
            }
        }
        let num_entries = rows.len();
        let len = num_entries.max(1).next_power_of_two();
        rows.resize(len, 0);
        cols.resize(len, 0);
        for v in &mut vals {
            v.resize(len, F::zero());
        }
        let counts = |idx: &[usize], vars: usize| {
            let mut c = vec![F::zero(); 1 << vars];
            for &i in idx {
                c[i] += F::one();
            }
            c
        };
        let row_counts = counts(&rows, key.num_constraint_vars());
        let col_counts = counts(&cols, key.num_column_vars());
        Self {
            num_entries,
            rows,
            cols,
            vals,
            row_counts,
            col_counts,
        }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    /// `val_γ = val_A + γ·val_B + γ²·val_C`.
    fn val(&self, gamma: F) -> Vec<F> {
        (0..self.len())
            .map(|k| self.vals[0][k] + gamma * (self.vals[1][k] + gamma * self.vals[2][k]))
            .collect()
    }
}

fn commit(v: &[F]) -> Commitment {
    HyperKzg::commit_scalars(&keys().0, Scalars::Field(v)).unwrap()
}

fn mle(v: Vec<F>) -> MultilinearPoly {
    MultilinearPoly::new(v).unwrap()
}

fn field(i: usize) -> F {
    F::from(i as u64)
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A claim `M̃_γ(r_x, r_y) = v`.
#[derive(Clone, Debug, PartialEq)]
struct Statement {
    r_x: Vec<F>,
    r_y: Vec<F>,
    gamma: F,
    v: F,
}

/// The value of `M̃_γ(r_x, r_y)` by the plain Spartan key's pass.
fn matrix_value(key: &SpartanKey, r_x: &[F], r_y: &[F], gamma: F) -> F {
    let [a, b, c] = key.evaluate_matrices(r_x, r_y).unwrap();
    a + gamma * (b + gamma * c)
}

/// A shape preprocessed for SPARK, a true statement and its honest proof.
struct Fixture {
    name: &'static str,
    key: SpartanKey,
    sk: SparkKey,
    entries: Entries,
    st: Statement,
    proof: SparkProof,
}

impl Fixture {
    fn new(name: &'static str, shape: R1csShape, seed: u64) -> Self {
        let key = SpartanKey::new(shape).unwrap();
        let sk = SparkKey::new(&key, &keys().0).unwrap();
        let entries = Entries::new(&key);
        let mut fx = Self {
            name,
            st: Statement {
                r_x: Vec::new(),
                r_y: Vec::new(),
                gamma: F::zero(),
                v: F::zero(),
            },
            proof: empty_proof(),
            key,
            sk,
            entries,
        };
        fx.st = fx.statement(seed);
        fx.proof = fx.prove::<PoseidonTranscript>(&fx.st).unwrap();
        fx
    }

    /// A random true statement.
    fn statement(&self, seed: u64) -> Statement {
        let mut rng = rng(seed);
        let r_x = random_point(self.key.num_constraint_vars(), &mut rng);
        let r_y = random_point(self.key.num_column_vars(), &mut rng);
        let gamma = F::rand(&mut rng);
        let v = matrix_value(&self.key, &r_x, &r_y, gamma);
        Statement { r_x, r_y, gamma, v }
    }

    fn prove<T: Transcript>(&self, st: &Statement) -> Result<SparkProof, Error> {
        let mut t = T::new(DOMAIN);
        spark::prove(
            &self.sk,
            &keys().0,
            &st.r_x,
            &st.r_y,
            st.gamma,
            st.v,
            &mut t,
        )
    }

    fn verify_with<T: Transcript>(&self, st: &Statement, proof: &SparkProof) -> Result<(), Error> {
        let mut t = T::new(DOMAIN);
        let vk = self.sk.verifier_key();
        spark::verify(
            vk,
            &keys().1,
            &st.r_x,
            &st.r_y,
            st.gamma,
            st.v,
            proof,
            &mut t,
        )
    }

    fn verify(&self, st: &Statement, proof: &SparkProof) -> Result<(), Error> {
        self.verify_with::<PoseidonTranscript>(st, proof)
    }
}

fn empty_proof() -> SparkProof {
    let empty_kzg = || HyperKzgProof {
        folds: Vec::new(),
        evals_pos: Vec::new(),
        evals_neg: Vec::new(),
        evals_sq: Vec::new(),
        quotients: Vec::new(),
    };
    SparkProof {
        comm_e_row: Commitment::default(),
        comm_e_col: Commitment::default(),
        comm_h: Commitment::default(),
        comm_t_row: Commitment::default(),
        comm_t_col: Commitment::default(),
        sum_row: F::zero(),
        sum_col: F::zero(),
        sumcheck: SumcheckProof::default(),
        evals: SparkEvals::from_array([F::zero(); spark::NUM_EVALS]),
        entry_opening: empty_kzg(),
        table_opening: pcs::batch::MultiPointProof {
            reduction: sumcheck::MultiEvalProof {
                sumcheck: SumcheckProof::default(),
                evals: Vec::new(),
            },
            opening: empty_kzg(),
        },
    }
}

/// Every fixture: the hand-built shapes, the medium random shape and the step circuit.
fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut out: Vec<Fixture> = hand_built_shapes()
            .into_iter()
            .enumerate()
            .map(|(i, (name, shape, _))| Fixture::new(name, shape, 10 + i as u64))
            .collect();
        out.push(Fixture::new(
            "medium random",
            medium_tiny().shape.clone(),
            30,
        ));
        out.push(Fixture::new("step circuit", step_shape().clone(), 31));
        out
    })
}

fn fixture(name: &str) -> &'static Fixture {
    fixtures().iter().find(|f| f.name == name).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. Honest proofs

#[test]
fn preprocessing_matches_the_reference_entries() {
    let expected: Vec<(&str, usize)> = hand_built_shapes()
        .into_iter()
        .map(|(name, _, n)| (name, n))
        .collect();
    for fx in fixtures() {
        let vk = fx.sk.verifier_key();
        let e = &fx.entries;
        if let Some((_, n)) = expected.iter().find(|(name, _)| *name == fx.name) {
            assert_eq!(vk.num_entries(), *n, "{}", fx.name);
        }
        assert_eq!(vk.num_entries(), e.num_entries, "{}", fx.name);
        assert_eq!(1 << vk.entry_vars(), e.len(), "{}", fx.name);
        assert_eq!(vk.row_vars(), fx.key.num_constraint_vars(), "{}", fx.name);
        assert_eq!(vk.col_vars(), fx.key.num_column_vars(), "{}", fx.name);
        assert_eq!(vk.spartan_digest(), fx.key.digest(), "{}", fx.name);
        assert_eq!(
            vk.num_rounds(),
            vk.entry_vars().max(vk.row_vars()).max(vk.col_vars())
        );
        // The commitments are those of the reference columns.
        let as_field = |v: &[usize]| v.iter().map(|&i| field(i)).collect::<Vec<F>>();
        let c = vk.commitments();
        assert_eq!(c.row, commit(&as_field(&e.rows)), "{}: row", fx.name);
        assert_eq!(c.col, commit(&as_field(&e.cols)), "{}: col", fx.name);
        for (t, v) in e.vals.iter().enumerate() {
            assert_eq!(c.val[t], commit(v), "{}: val {t}", fx.name);
        }
        assert_eq!(c.row_counts, commit(&e.row_counts), "{}: cnt_row", fx.name);
        assert_eq!(c.col_counts, commit(&e.col_counts), "{}: cnt_col", fx.name);
        // Deterministic.
        let again = SparkKey::new(&fx.key, &keys().0).unwrap();
        assert_eq!(again.verifier_key(), vk, "{}", fx.name);
    }
    // The edge cases are what they claim to be.
    let vk = |name| fixture(name).sk.verifier_key();
    assert_eq!(vk("one constraint").row_vars(), 0);
    assert_eq!(vk("single merged entry").entry_vars(), 0);
    assert_eq!(vk("no entries").entry_vars(), 0);
    assert_eq!(vk("A, B, C share positions").row_vars(), 1);
    assert_eq!(vk("2^3 entries").entry_vars(), 3);
    assert_eq!(vk("2^3 + 1 entries").entry_vars(), 4);
    let medium = vk("medium random");
    assert!(medium.entry_vars() >= 3 && medium.row_vars() >= 3 && medium.col_vars() >= 3);
}

#[test]
fn spark_evaluation_is_the_spartan_evaluation() {
    let mut rng = rng(1);
    for fx in fixtures() {
        for _ in 0..3 {
            let r_x = random_point(fx.key.num_constraint_vars(), &mut rng);
            let r_y = random_point(fx.key.num_column_vars(), &mut rng);
            let gamma = F::rand(&mut rng);
            assert_eq!(
                fx.sk.evaluate(&r_x, &r_y, gamma).unwrap(),
                matrix_value(&fx.key, &r_x, &r_y, gamma),
                "{}",
                fx.name
            );
        }
    }
}

#[test]
fn honest_standalone_proofs_verify() {
    for fx in fixtures() {
        fx.verify(&fx.st, &fx.proof)
            .unwrap_or_else(|e| panic!("{}: {e}", fx.name));
        // Deterministic.
        assert_eq!(
            fx.prove::<PoseidonTranscript>(&fx.st).unwrap(),
            fx.proof,
            "{}",
            fx.name
        );
        // Any transcript works if both sides use it.
        let merlin = fx.prove::<MerlinTranscript>(&fx.st).unwrap();
        fx.verify_with::<MerlinTranscript>(&fx.st, &merlin)
            .unwrap_or_else(|e| panic!("{} (merlin): {e}", fx.name));
        assert!(
            fx.verify_with::<MerlinTranscript>(&fx.st, &fx.proof)
                .is_err(),
            "{}",
            fx.name
        );
        assert!(fx.verify(&fx.st, &merlin).is_err(), "{}", fx.name);
        // Shapes of the honest proof.
        let vk = fx.sk.verifier_key();
        assert_eq!(fx.proof.sumcheck.round_polys.len(), vk.num_rounds());
        assert_eq!(
            fx.proof.table_opening.reduction.evals.len(),
            4,
            "{}",
            fx.name
        );
    }
}

#[test]
fn prover_rejects_a_wrong_value_and_bad_inputs() {
    let fx = fixture("medium random");
    let mut st = fx.st.clone();
    st.v += F::one();
    assert!(matches!(
        fx.prove::<PoseidonTranscript>(&st),
        Err(Error::Malformed { .. })
    ));
    let mut st = fx.st.clone();
    st.r_x.pop();
    assert!(fx.prove::<PoseidonTranscript>(&st).is_err());
    let mut st = fx.st.clone();
    st.r_y.push(F::one());
    assert!(fx.prove::<PoseidonTranscript>(&st).is_err());
    // A HyperKZG key too small for the columns.
    let srs = Srs::dev_setup_u64(7, 3).unwrap();
    let (small_pk, small_vk) = HyperKzg::keys(&srs, 3).unwrap();
    assert!(SparkKey::new(&fx.key, &small_pk).is_err());
    let mut t = PoseidonTranscript::new(DOMAIN);
    let st = &fx.st;
    assert!(spark::prove(&fx.sk, &small_pk, &st.r_x, &st.r_y, st.gamma, st.v, &mut t).is_err());
    // ... and a verifier key too small for the proof.
    let mut t = PoseidonTranscript::new(DOMAIN);
    let vk = fx.sk.verifier_key();
    assert!(
        spark::verify(vk, &small_vk, &st.r_x, &st.r_y, st.gamma, st.v, &fx.proof, &mut t).is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Tampered proofs

fn shift(p: &mut G1Affine) {
    *p = (*p + G1Affine::generator()).into_affine();
}

fn commitment_mut(p: &mut SparkProof, i: usize) -> &mut Commitment {
    match i {
        0 => &mut p.comm_e_row,
        1 => &mut p.comm_e_col,
        2 => &mut p.comm_h,
        3 => &mut p.comm_t_row,
        _ => &mut p.comm_t_col,
    }
}

/// Every coefficient of every round bumped, and the first and last rounds swapped.
fn tampered_sumchecks(sc: &SumcheckProof) -> Vec<(String, SumcheckProof)> {
    let mut out = Vec::new();
    for (j, round) in sc.round_polys.iter().enumerate() {
        for i in 0..round.coeffs_except_linear.len() {
            let mut p = sc.clone();
            p.round_polys[j].coeffs_except_linear[i] += F::one();
            out.push((format!("round {j} coefficient {i}"), p));
        }
    }
    if sc.round_polys.len() >= 2 {
        let mut p = sc.clone();
        let last = p.round_polys.len() - 1;
        p.round_polys.swap(0, last);
        out.push(("first and last rounds swapped".into(), p));
    }
    out
}

/// Every fold, evaluation and quotient changed.
fn tampered_openings(op: &HyperKzgProof) -> Vec<(String, HyperKzgProof)> {
    let mut out = Vec::new();
    for i in 0..op.folds.len() {
        let mut p = op.clone();
        shift(&mut p.folds[i]);
        out.push((format!("fold {i}"), p));
    }
    for (name, get) in [
        (
            "evals_pos",
            (|p: &mut HyperKzgProof| &mut p.evals_pos) as fn(&mut HyperKzgProof) -> &mut Vec<F>,
        ),
        ("evals_neg", |p| &mut p.evals_neg),
        ("evals_sq", |p| &mut p.evals_sq),
    ] {
        for i in 0..get(&mut op.clone()).len() {
            let mut p = op.clone();
            get(&mut p)[i] += F::one();
            out.push((format!("{name} {i}"), p));
        }
    }
    for i in 0..op.quotients.len() {
        let mut p = op.clone();
        shift(&mut p.quotients[i]);
        out.push((format!("quotient {i}"), p));
    }
    out
}

/// Every element of the proof changed, one at a time.
fn tampered_proofs(proof: &SparkProof) -> Vec<(String, SparkProof)> {
    let mut out = Vec::new();
    for i in 0..5 {
        let mut p = proof.clone();
        shift(&mut commitment_mut(&mut p, i).0);
        out.push((format!("commitment {i}"), p));
    }
    let mut p = proof.clone();
    std::mem::swap(&mut p.comm_e_row, &mut p.comm_e_col);
    out.push(("C_Er and C_Ec swapped".into(), p));
    let mut p = proof.clone();
    std::mem::swap(&mut p.comm_t_row, &mut p.comm_t_col);
    out.push(("C_Tr and C_Tc swapped".into(), p));
    let mut p = proof.clone();
    p.sum_row += F::one();
    out.push(("sum_row".into(), p));
    let mut p = proof.clone();
    p.sum_col += F::one();
    out.push(("sum_col".into(), p));
    // Moving mass between the two sums keeps I3's claim.
    let mut p = proof.clone();
    p.sum_row += F::one();
    p.sum_col -= F::one();
    out.push(("sum_row + 1, sum_col − 1".into(), p));
    for (name, sc) in tampered_sumchecks(&proof.sumcheck) {
        let mut p = proof.clone();
        p.sumcheck = sc;
        out.push((format!("sumcheck {name}"), p));
    }
    for i in 0..spark::NUM_EVALS {
        let mut a = proof.evals.to_array();
        a[i] += F::one();
        let mut p = proof.clone();
        p.evals = SparkEvals::from_array(a);
        out.push((format!("eval {i}"), p));
    }
    for (name, op) in tampered_openings(&proof.entry_opening) {
        let mut p = proof.clone();
        p.entry_opening = op;
        out.push((format!("entry opening {name}"), p));
    }
    for (name, sc) in tampered_sumchecks(&proof.table_opening.reduction.sumcheck) {
        let mut p = proof.clone();
        p.table_opening.reduction.sumcheck = sc;
        out.push((format!("table reduction {name}"), p));
    }
    for i in 0..proof.table_opening.reduction.evals.len() {
        let mut p = proof.clone();
        p.table_opening.reduction.evals[i] += F::one();
        out.push((format!("table reduction eval {i}"), p));
    }
    for (name, op) in tampered_openings(&proof.table_opening.opening) {
        let mut p = proof.clone();
        p.table_opening.opening = op;
        out.push((format!("table opening {name}"), p));
    }
    out
}

#[test]
fn every_tampered_element_is_rejected() {
    let mut total = 0;
    for fx in fixtures() {
        let cases = tampered_proofs(&fx.proof);
        for (name, p) in &cases {
            assert_ne!(p, &fx.proof, "{}: {name} changed nothing", fx.name);
            assert!(
                fx.verify(&fx.st, p).is_err(),
                "{}: tampered {name} accepted",
                fx.name
            );
        }
        total += cases.len();
    }
    println!("{total} tampered proofs rejected");
    assert!(total > 300);
}

/// Statements that differ from `st` in one place.
fn other_statements(st: &Statement) -> Vec<(String, Statement)> {
    let mut out = Vec::new();
    let mut s = st.clone();
    s.v += F::one();
    out.push(("v + 1".into(), s));
    let mut s = st.clone();
    s.v = -s.v;
    out.push(("−v".into(), s));
    let mut s = st.clone();
    s.gamma += F::one();
    out.push(("γ + 1".into(), s));
    for i in 0..st.r_x.len() {
        let mut s = st.clone();
        s.r_x[i] += F::one();
        out.push((format!("r_x[{i}] + 1"), s));
    }
    for i in 0..st.r_y.len() {
        let mut s = st.clone();
        s.r_y[i] += F::one();
        out.push((format!("r_y[{i}] + 1"), s));
    }
    out
}

#[test]
fn wrong_statements_are_rejected() {
    let mut total = 0;
    for fx in fixtures() {
        for (name, st) in other_statements(&fx.st) {
            // A moved point must fail (the table denominators bind the proof to it); another
            // γ or v only when the statement is false ("no entries" is 0 for every γ).
            if matrix_value(&fx.key, &st.r_x, &st.r_y, st.gamma) == st.v
                && st.r_x == fx.st.r_x
                && st.r_y == fx.st.r_y
            {
                continue;
            }
            assert!(
                fx.verify(&st, &fx.proof).is_err(),
                "{}: {name} accepted",
                fx.name
            );
            total += 1;
        }
        // Replay: the proof of another true statement.
        let other = fx.statement(777);
        assert!(fx.verify(&other, &fx.proof).is_err(), "{}: replay", fx.name);
        // A desynchronized transcript.
        let mut t = PoseidonTranscript::new(DOMAIN);
        t.append_fields(b"extra", &[F::one()]);
        let (st, vk) = (&fx.st, fx.sk.verifier_key());
        let res = spark::verify(
            vk,
            &keys().1,
            &st.r_x,
            &st.r_y,
            st.gamma,
            st.v,
            &fx.proof,
            &mut t,
        );
        assert!(res.is_err(), "{}: extra absorb", fx.name);
        let mut t = PoseidonTranscript::new(b"another-domain");
        let res = spark::verify(
            vk,
            &keys().1,
            &st.r_x,
            &st.r_y,
            st.gamma,
            st.v,
            &fx.proof,
            &mut t,
        );
        assert!(res.is_err(), "{}: another domain", fx.name);
    }
    println!("{total} wrong statements rejected");
}

#[test]
fn proofs_are_bound_to_their_shape() {
    // The medium shape with one value changed: same layout, other commitments.
    let fx = fixture("medium random");
    let shape = fx.key.shape();
    let mut a = rows_of(shape.a());
    a[0][0].0 += F::one();
    let n = shape.num_vars();
    let twin = R1csShape::new(
        shape.num_io(),
        shape.num_witness(),
        SparseMatrix::from_rows("A", &a, n).unwrap(),
        SparseMatrix::from_rows("B", &rows_of(shape.b()), n).unwrap(),
        SparseMatrix::from_rows("C", &rows_of(shape.c()), n).unwrap(),
    )
    .unwrap();
    let twin_key = SpartanKey::new(twin).unwrap();
    let twin_sk = SparkKey::new(&twin_key, &keys().0).unwrap();
    let (vk, twin_vk) = (fx.sk.verifier_key(), twin_sk.verifier_key());
    assert_eq!(
        (twin_vk.entry_vars(), twin_vk.row_vars(), twin_vk.col_vars()),
        (vk.entry_vars(), vk.row_vars(), vk.col_vars())
    );
    assert_ne!(twin_vk.digest(), vk.digest());
    let st = &fx.st;
    let twin_v = matrix_value(&twin_key, &st.r_x, &st.r_y, st.gamma);
    assert_ne!(twin_v, st.v);
    for v in [st.v, twin_v] {
        let mut t = PoseidonTranscript::new(DOMAIN);
        let res = spark::verify(
            twin_vk,
            &keys().1,
            &st.r_x,
            &st.r_y,
            st.gamma,
            v,
            &fx.proof,
            &mut t,
        );
        assert!(res.is_err());
    }
    // Every other fixture's key (other layouts: shape errors or failed checks).
    for other in fixtures() {
        for fx in fixtures() {
            if std::ptr::eq(other, fx) {
                continue;
            }
            let mut t = PoseidonTranscript::new(DOMAIN);
            let (st, vk) = (&fx.st, other.sk.verifier_key());
            let res = spark::verify(
                vk,
                &keys().1,
                &st.r_x,
                &st.r_y,
                st.gamma,
                st.v,
                &fx.proof,
                &mut t,
            );
            assert!(res.is_err(), "{} proof, {} key", fx.name, other.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Malformed proofs

fn off_curve() -> G1Affine {
    let p = G1Affine::new_unchecked(Fq::from(1u64), Fq::from(1u64));
    assert!(!p.is_on_curve());
    p
}

/// Proofs and statements of the wrong shape, with the error kinds they must give.
fn malformed_cases(fx: &Fixture) -> Vec<(String, Statement, SparkProof)> {
    let (st, proof) = (&fx.st, &fx.proof);
    let mut out = Vec::new();
    let mut push_st = |name: &str, f: &dyn Fn(&mut Statement)| {
        let mut s = st.clone();
        f(&mut s);
        out.push((name.to_string(), s, proof.clone()));
    };
    push_st("r_x too long", &|s| s.r_x.push(F::one()));
    push_st("r_y too long", &|s| s.r_y.push(F::one()));
    push_st("r_y too short", &|s| {
        s.r_y.pop();
    });
    push_st("r_x too short", &|s| {
        s.r_x.pop();
    });
    let mut push = |name: &str, f: &dyn Fn(&mut SparkProof)| {
        let mut p = proof.clone();
        f(&mut p);
        out.push((name.to_string(), st.clone(), p));
    };
    push("sumcheck: a round missing", &|p| {
        p.sumcheck.round_polys.pop();
    });
    push("sumcheck: an extra round", &|p| {
        let r = p.sumcheck.round_polys[0].clone();
        p.sumcheck.round_polys.push(r);
    });
    push("sumcheck: no round", &|p| p.sumcheck.round_polys.clear());
    push("sumcheck: 3 coefficients in round 0", &|p| {
        p.sumcheck.round_polys[0].coeffs_except_linear.pop();
    });
    push("sumcheck: 5 coefficients in the last round", &|p| {
        let last = p.sumcheck.round_polys.len() - 1;
        p.sumcheck.round_polys[last]
            .coeffs_except_linear
            .push(F::one());
    });
    push("sumcheck: 0 coefficients in round 1", &|p| {
        p.sumcheck.round_polys[1].coeffs_except_linear.clear();
    });
    type Part = fn(&mut SparkProof) -> &mut HyperKzgProof;
    type Edit = fn(&mut HyperKzgProof);
    let parts: [(&str, Part); 2] = [
        ("entry opening", |p| &mut p.entry_opening),
        ("table opening", |p| &mut p.table_opening.opening),
    ];
    for (what, get) in parts {
        let cases: [(&str, Edit); 10] = [
            ("a fold missing", |o| {
                o.folds.pop();
            }),
            ("an extra fold", |o| o.folds.push(G1Affine::generator())),
            ("an evals_pos missing", |o| {
                o.evals_pos.pop();
            }),
            ("an extra evals_neg", |o| o.evals_neg.push(F::one())),
            ("an evals_sq missing", |o| {
                o.evals_sq.pop();
            }),
            ("a quotient missing", |o| {
                o.quotients.pop();
            }),
            ("an extra quotient", |o| {
                o.quotients.push(G1Affine::generator())
            }),
            ("a fold off the curve", |o| o.folds[0] = off_curve()),
            ("the first quotient off the curve", |o| {
                o.quotients[0] = off_curve()
            }),
            ("the last quotient off the curve", |o| {
                o.quotients[1] = off_curve()
            }),
        ];
        for (name, f) in cases {
            push(&format!("{what}: {name}"), &|p| f(get(p)));
        }
    }
    push("table reduction: 3 evals", &|p| {
        p.table_opening.reduction.evals.pop();
    });
    push("table reduction: 5 evals", &|p| {
        p.table_opening.reduction.evals.push(F::one());
    });
    push("table reduction: a round missing", &|p| {
        p.table_opening.reduction.sumcheck.round_polys.pop();
    });
    push("table reduction: an extra round", &|p| {
        let r = p.table_opening.reduction.sumcheck.round_polys[0].clone();
        p.table_opening.reduction.sumcheck.round_polys.push(r);
    });
    push("table reduction: 3 coefficients in a round", &|p| {
        p.table_opening.reduction.sumcheck.round_polys[1]
            .coeffs_except_linear
            .push(F::one());
    });
    for i in 0..5 {
        push(&format!("commitment {i} off the curve"), &|p| {
            commitment_mut(p, i).0 = off_curve();
        });
    }
    push("the empty proof", &|p| *p = empty_proof());
    out
}

#[test]
fn malformed_proofs_are_clean_errors() {
    let fx = fixture("medium random");
    let cases = malformed_cases(fx);
    for (name, st, p) in &cases {
        match fx.verify(st, p) {
            Err(
                Error::ProofShape { .. }
                | Error::InvalidPoint { .. }
                | Error::LengthMismatch { .. },
            ) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
    println!("{} malformed proofs rejected", cases.len());
    // Degenerate shapes (no row variable, no entry variable): missing and extra parts.
    for name in ["one constraint", "single merged entry", "no entries"] {
        let fx = fixture(name);
        let mut p = fx.proof.clone();
        p.entry_opening.folds.push(G1Affine::generator());
        assert!(fx.verify(&fx.st, &p).is_err(), "{name}: extra fold");
        let mut p = fx.proof.clone();
        p.entry_opening.evals_pos.push(F::one());
        assert!(fx.verify(&fx.st, &p).is_err(), "{name}: extra eval");
        let mut p = fx.proof.clone();
        p.entry_opening.quotients.push(G1Affine::generator());
        assert!(fx.verify(&fx.st, &p).is_err(), "{name}: extra quotient");
        let mut p = fx.proof.clone();
        p.sumcheck.round_polys.pop();
        assert!(fx.verify(&fx.st, &p).is_err(), "{name}: a round missing");
        let mut p = fx.proof.clone();
        p.table_opening.reduction.sumcheck.round_polys.clear();
        assert!(fx.verify(&fx.st, &p).is_err(), "{name}: no table round");
        assert!(fx.verify(&fx.st, &empty_proof()).is_err(), "{name}: empty");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. A reference prover, honest and cheating

/// How the reference prover departs from the protocol.
#[derive(Clone, Copy, Debug)]
enum Cheat {
    Honest,
    /// Claim `v + δ`: add `δ/(val_γ[k]·E_c[k])` to `E_r[k]` so that I1's sum is `v + δ`; the rest
    /// (`d_r`, `H`, the sumcheck, the openings) is computed honestly from the lied `E_r`.
    LieAboutLookup {
        entry: usize,
        delta: u64,
    },
    /// Honest `E_r`, but `T_r = cnt'/t_r` with one count moved from row 0 to row 1. With
    /// `everywhere`, the prover's `cnt_row` is `cnt'` too (I4 vanishes; the opening of
    /// `cnt_row` against the key cannot hold).
    WrongRowCounts {
        everywhere: bool,
    },
    /// Prove `M̃_γ(r_x, r_y) = v` honestly up to the sumcheck, then (knowing `σ`) claim the same
    /// `v` for the other root `γ'` of `val_A(σ) + γ'·val_B(σ) + γ'²·val_C(σ) = val_γ(σ)`.
    AdaptiveGamma,
    /// Commit `E_r` for `r_x`, then (knowing `α, β`; `s = 1`) claim the statement for the other
    /// `r_x'` with `Σ_i cnt_row[i]/t_r(i)` unchanged.
    AdaptiveRowPoint,
}

/// An instance announcing `claim` (what the verifier will use) and otherwise running `inner`:
/// the cheater keeps its transcript in step with the verifier's.
struct Claimed<P> {
    inner: P,
    claim: F,
}

impl<P: SumcheckInstanceProver> SumcheckInstanceProver for Claimed<P> {
    fn num_rounds(&self) -> usize {
        self.inner.num_rounds()
    }
    fn degree(&self) -> usize {
        self.inner.degree()
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly {
        self.inner.round_polynomial(round, previous_claim)
    }
    fn bind(&mut self, r: F) {
        self.inner.bind(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.inner.final_evaluations()
    }
}

fn custom(degree: usize, f: fn(&[F]) -> F) -> Combiner {
    Combiner::Custom {
        degree,
        f: Arc::new(f),
    }
}

/// `H·d_r·d_c − d_r − d_c` (I2).
fn entry_combiner() -> Combiner {
    custom(3, |v| match v {
        [h, dr, dc] => *h * dr * dc - dr - dc,
        _ => F::zero(),
    })
}

/// `T·t − cnt` (I4, I5).
fn table_combiner() -> Combiner {
    custom(2, |v| match v {
        [t, d, c] => *t * d - c,
        _ => F::zero(),
    })
}

/// The SPARK prover as the module docs state it, in the order of `spark::prove`. Returns the
/// proof and the statement it claims.
fn reference_prove<T: Transcript>(
    fx: &Fixture,
    st: &Statement,
    cheat: Cheat,
    t: &mut T,
) -> (SparkProof, Statement) {
    let pk = &keys().0;
    let vk = fx.sk.verifier_key();
    let comms = vk.commitments();
    let ent = &fx.entries;
    let (n, s, c) = (vk.entry_vars(), vk.row_vars(), vk.col_vars());
    let mut claimed = st.clone();
    let val = ent.val(st.gamma);

    let (eq_x, eq_y) = (eq_table(&st.r_x), eq_table(&st.r_y));
    let mut e_row: Vec<F> = ent.rows.iter().map(|&i| eq_x[i]).collect();
    let e_col: Vec<F> = ent.cols.iter().map(|&j| eq_y[j]).collect();
    if let Cheat::LieAboutLookup { entry, delta } = cheat {
        let delta = F::from(delta);
        e_row[entry] += delta * (val[entry] * e_col[entry]).inverse().unwrap();
        claimed.v += delta;
    }
    // The key and the statement the prover claims at this point (the adaptive cheats change it
    // later, after the challenges).
    t.append_bytes(spark::LABEL_KEY, &vk.digest());
    let statement: Vec<F> = claimed
        .r_x
        .iter()
        .chain(&claimed.r_y)
        .chain([&claimed.gamma, &claimed.v])
        .copied()
        .collect();
    t.append_fields(spark::LABEL_STATEMENT, &statement);
    let (c_er, c_ec) = (commit(&e_row), commit(&e_col));
    t.append_g1(spark::LABEL_COMM_E, &c_er.0);
    t.append_g1(spark::LABEL_COMM_E, &c_ec.0);
    let alpha = t.challenge(spark::LABEL_ALPHA);
    let beta = t.challenge(spark::LABEL_BETA);
    let den = |i: F, e: F, tag: F| alpha - i - beta * (e + beta * tag);

    let d_row: Vec<F> = (ent.rows.iter().zip(&e_row))
        .map(|(&i, e)| den(field(i), *e, F::zero()))
        .collect();
    let d_col: Vec<F> = (ent.cols.iter().zip(&e_col))
        .map(|(&j, e)| den(field(j), *e, F::one()))
        .collect();
    let h: Vec<F> = (d_row.iter().zip(&d_col))
        .map(|(a, b)| a.inverse().unwrap() + b.inverse().unwrap())
        .collect();
    if let Cheat::AdaptiveRowPoint = cheat {
        claimed.r_x = vec![other_row_point(ent, st.r_x[0], alpha, beta)];
    }
    let eq_x_claimed = eq_table(&claimed.r_x);
    let den_r: Vec<F> = (0..1 << s)
        .map(|i| den(field(i), eq_x_claimed[i], F::zero()))
        .collect();
    let den_c: Vec<F> = (0..1 << c)
        .map(|j| den(field(j), eq_y[j], F::one()))
        .collect();
    let mut cnt_row = ent.row_counts.clone();
    let mut t_counts = cnt_row.clone();
    if let Cheat::WrongRowCounts { everywhere } = cheat {
        t_counts[0] -= F::one();
        t_counts[1] += F::one();
        if everywhere {
            cnt_row.clone_from(&t_counts);
        }
    }
    let ratio = |num: &[F], den: &[F]| -> Vec<F> {
        num.iter()
            .zip(den)
            .map(|(a, b)| *a * b.inverse().unwrap())
            .collect()
    };
    let t_r = ratio(&t_counts, &den_r);
    let t_c = ratio(&ent.col_counts, &den_c);
    let (sum_row, sum_col): (F, F) = (t_r.iter().sum(), t_c.iter().sum());
    let (c_h, c_tr, c_tc) = (commit(&h), commit(&t_r), commit(&t_c));
    for cm in [&c_h, &c_tr, &c_tc] {
        t.append_g1(spark::LABEL_COMM_INV, &cm.0);
    }
    t.append_fields(spark::LABEL_SUMS, &[sum_row, sum_col]);
    let tau_e = t.challenges(spark::LABEL_TAU_E, n);
    let tau_r = t.challenges(spark::LABEL_TAU_R, s);
    let tau_c = t.challenges(spark::LABEL_TAU_C, c);

    let (val_p, e_row_p, e_col_p, h_p) = (mle(val), mle(e_row), mle(e_col), mle(h));
    let (t_r_p, t_c_p) = (mle(t_r), mle(t_c));
    let (cnt_r_p, cnt_c_p) = (mle(cnt_row), mle(ent.col_counts.clone()));
    let product = |polys: Vec<&MultilinearPoly>, claim: F| Claimed {
        inner: ProductProver::new(polys.into_iter().cloned().collect()).unwrap(),
        claim,
    };
    let zero_check = |tau: Vec<F>, polys: Vec<MultilinearPoly>, combiner: Combiner| Claimed {
        inner: ZeroCheckProver::new(tau, polys, combiner).unwrap(),
        claim: F::zero(),
    };
    let mut i1 = product(vec![&val_p, &e_row_p, &e_col_p], claimed.v);
    let mut i2 = zero_check(
        tau_e,
        vec![h_p.clone(), mle(d_row), mle(d_col)],
        entry_combiner(),
    );
    let mut i3 = product(vec![&h_p], sum_row + sum_col);
    let mut i4 = zero_check(
        tau_r,
        vec![t_r_p.clone(), mle(den_r), cnt_r_p.clone()],
        table_combiner(),
    );
    let mut i5 = zero_check(
        tau_c,
        vec![t_c_p.clone(), mle(den_c), cnt_c_p.clone()],
        table_combiner(),
    );
    let mut i6 = product(vec![&t_r_p], sum_row);
    let mut i7 = product(vec![&t_c_p], sum_col);
    let (sumcheck, r, finals) = {
        let mut instances: [&mut dyn SumcheckInstanceProver; 7] = [
            &mut i1, &mut i2, &mut i3, &mut i4, &mut i5, &mut i6, &mut i7,
        ];
        prove_batched(&mut instances, t)
    };
    let evals = SparkEvals::from_array([
        finals[0][0],
        finals[0][1],
        finals[0][2],
        finals[1][0],
        finals[1][1],
        finals[1][2],
        finals[3][0],
        finals[3][1],
        finals[3][2],
        finals[4][0],
        finals[4][1],
        finals[4][2],
    ]);
    let entry_point = instance_point(&r, n).unwrap();
    let (row_point, col_point) = (
        instance_point(&r, s).unwrap(),
        instance_point(&r, c).unwrap(),
    );

    let mut val_opened = val_p;
    if let Cheat::AdaptiveGamma = cheat {
        let [a, b, cc] = ent.vals.clone().map(|v| mle(v).evaluate(entry_point));
        let other = -b * cc.inverse().unwrap() - st.gamma;
        assert_ne!(other, st.gamma);
        assert_eq!(a + other * (b + other * cc), evals.val);
        claimed.gamma = other;
        val_opened = mle(ent.val(other));
    }
    let g = claimed.gamma;
    let c_val = HyperKzg::combine(&comms.val, &[F::one(), g, g * g]).unwrap();
    let as_field = |v: &[usize]| mle(v.iter().map(|&i| field(i)).collect());
    let (row_p, col_p) = (as_field(&ent.rows), as_field(&ent.cols));
    let (entry_opening, _) = batch_open::<HyperKzg, T>(
        pk,
        &[&val_opened, &row_p, &col_p, &e_row_p, &e_col_p, &h_p],
        &[c_val, comms.row, comms.col, c_er, c_ec, c_h],
        entry_point,
        t,
    )
    .unwrap();
    let claim = |poly: usize, point: &[F], value: F| EvalClaim {
        poly,
        point: point.to_vec(),
        value,
    };
    let table_opening = multi_point_open::<HyperKzg, T>(
        pk,
        &[&t_r_p, &cnt_r_p, &t_c_p, &cnt_c_p],
        &[c_tr, comms.row_counts, c_tc, comms.col_counts],
        &[
            claim(0, row_point, evals.t_row),
            claim(1, row_point, evals.cnt_row),
            claim(2, col_point, evals.t_col),
            claim(3, col_point, evals.cnt_col),
        ],
        t,
    )
    .unwrap();
    let proof = SparkProof {
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
    };
    (proof, claimed)
}

/// For `s = 1`: the other `x` with `Σ_i cnt_i/(α − i − β·eq(x, i)) = Σ_i cnt_i/t_r(r_x, i)`
/// (the equation is quadratic in `x` and `r_x` is one root).
fn other_row_point(ent: &Entries, r: F, alpha: F, beta: F) -> F {
    let [c0, c1] = [ent.row_counts[0], ent.row_counts[1]];
    // t_r(x, 0) = (α − β) + β·x,  t_r(x, 1) = (α − 1) − β·x.
    let (a0, b0, a1, b1) = (alpha - beta, beta, alpha - F::one(), -beta);
    let k = c0 * (a0 + b0 * r).inverse().unwrap() + c1 * (a1 + b1 * r).inverse().unwrap();
    // P(x) = k·(a0 + b0 x)(a1 + b1 x) − c0·(a1 + b1 x) − c1·(a0 + b0 x).
    let p = |x: F| k * (a0 + b0 * x) * (a1 + b1 * x) - c0 * (a1 + b1 * x) - c1 * (a0 + b0 * x);
    assert!(p(r).is_zero());
    let quad = k * b0 * b1;
    let lin = k * (a0 * b1 + a1 * b0) - c0 * b1 - c1 * b0;
    let other = -lin * quad.inverse().unwrap() - r;
    assert!(p(other).is_zero());
    assert_ne!(other, r);
    other
}

fn reference(fx: &Fixture, st: &Statement, cheat: Cheat) -> (SparkProof, Statement) {
    let mut t = PoseidonTranscript::new(DOMAIN);
    reference_prove(fx, st, cheat, &mut t)
}

#[test]
fn reference_prover_reproduces_spark_prove() {
    for fx in fixtures() {
        let (proof, claimed) = reference(fx, &fx.st, Cheat::Honest);
        assert_eq!(claimed, fx.st);
        assert_eq!(proof, fx.proof, "{}", fx.name);
    }
    let fx = fixture("medium random");
    let mut t = MerlinTranscript::new(DOMAIN);
    let (proof, _) = reference_prove(fx, &fx.st, Cheat::Honest, &mut t);
    assert_eq!(proof, fx.prove::<MerlinTranscript>(&fx.st).unwrap());
}

#[test]
fn cheating_provers_are_rejected() {
    for name in ["medium random", "A, B, C share positions", "step circuit"] {
        let fx = fixture(name);
        for cheat in [
            Cheat::LieAboutLookup { entry: 0, delta: 1 },
            Cheat::LieAboutLookup {
                entry: fx.entries.num_entries - 1,
                delta: 12345,
            },
            Cheat::WrongRowCounts { everywhere: false },
            Cheat::WrongRowCounts { everywhere: true },
        ] {
            let (proof, claimed) = reference(fx, &fx.st, cheat);
            assert_ne!(proof, fx.proof);
            if let Cheat::LieAboutLookup { .. } = cheat {
                assert_ne!(
                    claimed.v,
                    matrix_value(&fx.key, &fx.st.r_x, &fx.st.r_y, fx.st.gamma)
                );
            }
            assert!(
                fx.verify(&claimed, &proof).is_err(),
                "{name}: {cheat:?} accepted"
            );
            assert!(
                fx.verify(&fx.st, &proof).is_err(),
                "{name}: {cheat:?} accepted for the true statement"
            );
        }
    }
}

/// A prover that picks `γ` after `σ` (the other root of `a + γb + γ²c = val_γ₀(σ)`) satisfies
/// every final check of a false statement; the verifier rejects it because the statement is
/// absorbed before `α, β, τ` (`LABEL_STATEMENT`). Inside Spartan `r_x, r_y, γ` are challenges.
#[test]
fn adaptive_gamma_is_rejected() {
    for name in ["medium random", "step circuit"] {
        let fx = fixture(name);
        let (proof, claimed) = reference(fx, &fx.st, Cheat::AdaptiveGamma);
        assert_ne!(
            claimed.v,
            matrix_value(&fx.key, &claimed.r_x, &claimed.r_y, claimed.gamma),
            "the claimed statement is false"
        );
        assert!(
            fx.verify(&claimed, &proof).is_err(),
            "{name}: a false statement with an adaptively chosen γ accepted"
        );
    }
}

/// As above for `r_x`: with `s = 1`, the prover solves a quadratic after `α, β`.
#[test]
fn adaptive_row_point_is_rejected() {
    let fx = fixture("A, B, C share positions");
    let (proof, claimed) = reference(fx, &fx.st, Cheat::AdaptiveRowPoint);
    assert_ne!(claimed.r_x, fx.st.r_x);
    assert_ne!(
        claimed.v,
        matrix_value(&fx.key, &claimed.r_x, &claimed.r_y, claimed.gamma),
        "the claimed statement is false"
    );
    assert!(
        fx.verify(&claimed, &proof).is_err(),
        "a false statement with an adaptively chosen r_x accepted"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Spartan in SPARK mode

/// An instance with its witness, the plain key and the SPARK-mode key of its shape.
struct ModeCase {
    plain: SpartanKey,
    spark: SpartanKey,
    inst: SpartanInstance,
    w: Vec<F>,
    e: Vec<F>,
}

impl ModeCase {
    fn new(shape: &R1csShape, u: F, x: Vec<F>, w: Vec<F>, e: Vec<F>) -> Self {
        shape.check_relaxed_relation(u, &x, &w, &e).unwrap();
        let plain = SpartanKey::new(shape.clone()).unwrap();
        let sk = SparkKey::new(&plain, &keys().0).unwrap();
        let spark = plain.clone().with_spark(sk).unwrap();
        assert_ne!(spark.digest(), plain.digest());
        let inst = SpartanInstance::commit(&spark, &keys().0, u, x, &w, &e).unwrap();
        Self {
            plain,
            spark,
            inst,
            w,
            e,
        }
    }

    fn strict(shape: &R1csShape, (x, w): (Vec<F>, Vec<F>)) -> Self {
        let e = vec![F::zero(); shape.num_constraints()];
        Self::new(shape, F::one(), x, w, e)
    }

    /// Two strict assignments folded with the NIFS helpers: `u = 1 + r`, `E = r·T`.
    fn folded(shape: &R1csShape, a: (Vec<F>, Vec<F>), b: (Vec<F>, Vec<F>), r: F) -> Self {
        let z1 = shape.z(F::one(), &a.0, &a.1).unwrap();
        let z2 = shape.z(F::one(), &b.0, &b.1).unwrap();
        let t = shape.cross_term(&z1, &z2).unwrap();
        let strict =
            |w: Vec<F>| RelaxedR1csWitness::from_strict(shape, &R1csWitness { w, r_w: F::zero() });
        let folded = nifs::fold_witnesses(&strict(a.1), &strict(b.1), &t, F::zero(), r).unwrap();
        let x: Vec<F> = a.0.iter().zip(&b.0).map(|(p, q)| *p + r * q).collect();
        Self::new(shape, F::one() + r, x, folded.w, folded.e)
    }

    fn prove_with<T: Transcript>(&self, key: &SpartanKey) -> SpartanProof {
        let mut t = T::new(spartan::SPARTAN_DOMAIN);
        spartan::prove(key, &keys().0, &self.inst, &self.w, &self.e, &mut t).unwrap()
    }

    fn prove(&self) -> SpartanProof {
        self.prove_with::<PoseidonTranscript>(&self.spark)
    }

    fn verify_with<T: Transcript>(
        &self,
        key: &SpartanKey,
        proof: &SpartanProof,
    ) -> Result<(), Error> {
        let mut t = T::new(spartan::SPARTAN_DOMAIN);
        spartan::verify(key, &keys().1, &self.inst, proof, &mut t)
    }

    fn verify(&self, proof: &SpartanProof) -> Result<(), Error> {
        self.verify_with::<PoseidonTranscript>(&self.spark, proof)
    }
}

/// Strict and folded cases on small random shapes (`m = 1` included) and the step circuit.
fn mode_cases() -> &'static [(String, ModeCase)] {
    static CASES: OnceLock<Vec<(String, ModeCase)>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut r = rng(5);
        let mut out = Vec::new();
        for (k, (m, l, free)) in [(1, 0, 1), (5, 1, 2), (13, 3, 6)].into_iter().enumerate() {
            let tiny = Tiny::new(m, l, free, 50 + k as u64);
            let name = format!("m={m} l={l}");
            let strict = ModeCase::strict(&tiny.shape, tiny.assignment(&mut r));
            out.push((format!("{name} strict"), strict));
            let (a, b) = (tiny.assignment(&mut r), tiny.assignment(&mut r));
            let folded = ModeCase::folded(&tiny.shape, a, b, F::rand(&mut r));
            out.push((format!("{name} folded"), folded));
        }
        let step = |i| StepCircuit::SMALL.assignment(&StepValues::random(i, &mut rng(i)));
        out.push((
            "step strict".into(),
            ModeCase::strict(step_shape(), step(1)),
        ));
        let folded = ModeCase::folded(step_shape(), step(2), step(3), F::from(7u64));
        out.push(("step folded".into(), folded));
        out
    })
}

fn mode_case(name: &str) -> &'static ModeCase {
    &mode_cases().iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn spartan_spark_mode_verifies() {
    for (name, case) in mode_cases() {
        assert_eq!(case.spark.pcs_num_vars(), {
            let sk = case.spark.spark().unwrap().verifier_key();
            case.plain.pcs_num_vars().max(sk.pcs_num_vars())
        });
        let proof = case.prove();
        let part = proof.spark.as_ref().expect("a SPARK part");
        case.verify(&proof)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), proof.size_in_bytes(), "{name}");
        assert_eq!(SpartanProof::from_bytes(&bytes).unwrap(), proof, "{name}");
        // The plain mode still works on the same instance.
        let plain = case.prove_with::<PoseidonTranscript>(&case.plain);
        assert!(plain.spark.is_none());
        case.verify_with::<PoseidonTranscript>(&case.plain, &plain)
            .unwrap_or_else(|e| panic!("{name} (plain): {e}"));
        // The SPARK part is a proof of the matrix evaluation at the decider's point; it is
        // what the plain verifier computes itself.
        assert!(plain.size_in_bytes() < proof.size_in_bytes());
        assert_ne!(part.matrix_eval, F::zero(), "{name}");
        // Merlin.
        let merlin = case.prove_with::<MerlinTranscript>(&case.spark);
        case.verify_with::<MerlinTranscript>(&case.spark, &merlin)
            .unwrap_or_else(|e| panic!("{name} (merlin): {e}"));
        assert!(case.verify(&merlin).is_err(), "{name}");
    }
}

#[test]
fn spartan_modes_do_not_mix() {
    let case = mode_case("m=5 l=1 folded");
    let spark_proof = case.prove();
    let plain_proof = case.prove_with::<PoseidonTranscript>(&case.plain);
    assert!(case
        .verify_with::<PoseidonTranscript>(&case.plain, &spark_proof)
        .is_err());
    assert!(case
        .verify_with::<PoseidonTranscript>(&case.spark, &plain_proof)
        .is_err());
    // A SPARK proof stripped of its part, and a plain proof given one.
    let mut stripped = spark_proof.clone();
    stripped.spark = None;
    assert!(case.verify(&stripped).is_err());
    assert!(case
        .verify_with::<PoseidonTranscript>(&case.plain, &stripped)
        .is_err());
    let mut grafted = plain_proof.clone();
    grafted.spark.clone_from(&spark_proof.spark);
    assert!(case.verify(&grafted).is_err());
    assert!(case
        .verify_with::<PoseidonTranscript>(&case.plain, &grafted)
        .is_err());
}

#[test]
fn with_spark_needs_a_key_of_its_own_shape() {
    let a = mode_case("m=5 l=1 strict");
    let b = mode_case("m=13 l=3 strict");
    let other = b.spark.spark().unwrap().clone();
    assert!(matches!(
        a.plain.clone().with_spark(other),
        Err(Error::Malformed { .. })
    ));
    // A SPARK key of the same shape preprocessed from another Spartan key, e.g. a key that is
    // already in SPARK mode.
    let own = a.spark.spark().unwrap().clone();
    assert!(a.spark.clone().with_spark(own.clone()).is_err());
    assert!(a.plain.clone().with_spark(own).is_ok());
    // A SPARK-mode proof against a SPARK key of another shape with the same layout.
    let shape = a.plain.shape();
    let n = shape.num_vars();
    let mut c = rows_of(shape.c());
    c[0][0].0 += F::one();
    let twin = R1csShape::new(
        shape.num_io(),
        shape.num_witness(),
        SparseMatrix::from_rows("A", &rows_of(shape.a()), n).unwrap(),
        SparseMatrix::from_rows("B", &rows_of(shape.b()), n).unwrap(),
        SparseMatrix::from_rows("C", &c, n).unwrap(),
    )
    .unwrap();
    let twin_plain = SpartanKey::new(twin).unwrap();
    let twin_sk = SparkKey::new(&twin_plain, &keys().0).unwrap();
    let twin_key = twin_plain.with_spark(twin_sk).unwrap();
    assert!(a
        .verify_with::<PoseidonTranscript>(&twin_key, &a.prove())
        .is_err());
}

#[test]
fn spartan_spark_tampering_is_rejected() {
    let case = mode_case("m=13 l=3 folded");
    let proof = case.prove();
    let mut p = proof.clone();
    p.spark.as_mut().unwrap().matrix_eval += F::one();
    assert!(case.verify(&p).is_err(), "matrix_eval");
    let mut p = proof.clone();
    p.spark.as_mut().unwrap().matrix_eval = F::zero();
    assert!(case.verify(&p).is_err(), "matrix_eval = 0");
    // Every element of the SPARK part.
    let tampered = tampered_proofs(&proof.spark.as_ref().unwrap().proof);
    for (name, sp) in &tampered {
        let mut p = proof.clone();
        p.spark.as_mut().unwrap().proof = sp.clone();
        assert!(case.verify(&p).is_err(), "{name}");
    }
    // The SPARK part of another proof (another instance of the same shape).
    let other = mode_case("m=13 l=3 strict").prove();
    let mut p = proof.clone();
    p.spark.clone_from(&other.spark);
    assert!(case.verify(&p).is_err(), "replayed SPARK part");
    println!("{} tampered SPARK parts rejected", tampered.len() + 3);
}

#[test]
fn spartan_spark_encoding_is_strict() {
    let case = mode_case("m=5 l=1 folded");
    let proof = case.prove();
    let bytes = proof.to_bytes();
    for len in 0..bytes.len() {
        assert!(
            SpartanProof::from_bytes(&bytes[..len]).is_err(),
            "truncated to {len}"
        );
    }
    for extra in [&[0u8][..], &[1], &[0; 32]] {
        let mut long = bytes.clone();
        long.extend_from_slice(extra);
        assert!(
            SpartanProof::from_bytes(&long).is_err(),
            "trailing {extra:?}"
        );
    }
    // The flag byte follows the plain encoding.
    let mut plain = proof.clone();
    plain.spark = None;
    let flag = plain.size_in_bytes() - 1;
    assert_eq!(bytes[flag], 1);
    let mut expected_plain = bytes[..flag].to_vec();
    expected_plain.push(0);
    assert_eq!(plain.to_bytes(), expected_plain);
    for bad in [2u8, 3, 0x80, 0xff] {
        let mut b = bytes.clone();
        b[flag] = bad;
        assert!(
            matches!(SpartanProof::from_bytes(&b), Err(Error::Malformed { .. })),
            "flag {bad}"
        );
    }
    // Flag 0 with the SPARK part behind it: trailing bytes; flag 1 with nothing: truncated.
    let mut b = bytes.clone();
    b[flag] = 0;
    assert!(SpartanProof::from_bytes(&b).is_err());
    let mut b = plain.to_bytes();
    b[flag] = 1;
    assert!(SpartanProof::from_bytes(&b).is_err());
    // A commitment of the SPARK part with an `x` that is no point's abscissa.
    let x = (1u64..)
        .find(|&x| G1Affine::get_ys_from_x_unchecked(Fq::from(x)).is_none())
        .unwrap();
    let first_commitment = flag + 1 + 32;
    let mut b = bytes.clone();
    b[first_commitment..first_commitment + 32].fill(0);
    b[first_commitment..first_commitment + 8].copy_from_slice(&x.to_le_bytes());
    assert!(matches!(
        SpartanProof::from_bytes(&b),
        Err(Error::InvalidPoint { .. })
    ));
}

#[test]
fn spartan_spark_byte_flips_never_verify() {
    let case = mode_case("m=5 l=1 folded");
    let proof = case.prove();
    let bytes = proof.to_bytes();
    let mut rng = rng(9);
    let (mut decoded, mut spark_region) = (0, 0);
    let spark_start = {
        let mut plain = proof.clone();
        plain.spark = None;
        plain.size_in_bytes()
    };
    for _ in 0..200 {
        let mut b = bytes.clone();
        // Three flips in four land in the SPARK part.
        let pos = if rng.gen_bool(0.75) {
            rng.gen_range(spark_start - 1..b.len())
        } else {
            rng.gen_range(0..b.len())
        };
        spark_region += usize::from(pos >= spark_start);
        b[pos] ^= rng.gen_range(1..=255u8);
        if let Ok(p) = SpartanProof::from_bytes(&b) {
            decoded += 1;
            assert_ne!(p, proof, "byte {pos}: decoding is not injective");
            assert!(case.verify(&p).is_err(), "byte {pos} flipped: accepted");
        }
    }
    println!("{decoded} of 200 flipped encodings decoded ({spark_region} in the SPARK part), none verified");
    assert!(decoded > 50);
}
