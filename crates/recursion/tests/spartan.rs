//! The succinct decider (`recursion::spartan`): a Spartan-style argument for committed relaxed
//! R1CS with HyperKZG commitments to `W` and `E`.
//!
//! Shapes: random hand-written R1CS (constraint counts and witness lengths that are not powers
//! of two, `ℓ = 0, 1, 3`, down to one constraint and a single witness variable, where every
//! sumcheck and the opening have zero rounds) and the step-like test circuit (multiply-adds and
//! Poseidon transcript rounds, ≈ 2^10 constraints). Honest strict and folded (genuinely relaxed:
//! `u ≠ 1`, `E ≠ 0`) instances verify; unsatisfying witnesses, wrong statements, every tampered
//! proof element, malformed shapes and random byte flips of the encoding are rejected without a
//! panic; proofs are deterministic; the matrix evaluation and the `z'` layout match a dense
//! reference; the Fiat–Shamir schedule is pinned by a snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/step_circuit.rs"]
mod step_circuit;

use std::sync::OnceLock;

use ark_bn254::{Fq, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One, UniformRand, Zero};
use pcs::hyperkzg::{Commitment, ProverKey, VerifierKey};
use pcs::{HyperKzg, MultilinearPcs, Srs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::nifs;
use recursion::spartan::{
    self, commit_witness, SpartanInstance, SpartanKey, SpartanProof, INNER_DEGREE, OUTER_DEGREE,
};
use recursion::{Error, R1csShape, R1csWitness, RelaxedR1csWitness, SparseMatrix};
use step_circuit::{StepCircuit, StepValues};
use sumcheck::mle::{eq_eval, eq_table, index_to_point};
use sumcheck::transcript::RecordingTranscript;
use sumcheck::{MerlinTranscript, MultilinearPoly, PoseidonTranscript, Transcript, F};

const DOMAIN: &[u8] = spartan::SPARTAN_DOMAIN;
const SRS_LOG_SIZE: usize = 11;

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

// ---------------------------------------------------------------------------------------------
// Circuits

/// A random R1CS: `z = (u, x, f, t)` with `free` free witnesses `f` and one output `t_i` per
/// constraint; row `i` is `(A_i z)·(B_i z) = c_i·t_i + d_i·u` with `A_i, B_i` over the columns
/// before `t_i` (row 0 of `A` dense), so any `(x, f)` extends to a satisfying assignment.
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
            for (k, rows) in rows.iter_mut().take(2).enumerate() {
                let entries = if i == 0 && k == 0 { before } else { 3 };
                let row: Vec<(F, usize)> = (0..entries)
                    .map(|e| {
                        let col = if entries == before {
                            e
                        } else {
                            rng.gen_range(0..before)
                        };
                        (F::rand(&mut rng), col)
                    })
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

/// An instance with its witness: `(u, x, W, E)` and the HyperKZG commitments.
#[derive(Clone)]
struct Case {
    key: SpartanKey,
    inst: SpartanInstance,
    w: Vec<F>,
    e: Vec<F>,
}

impl Case {
    fn new(shape: &R1csShape, u: F, x: Vec<F>, w: Vec<F>, e: Vec<F>) -> Self {
        shape.check_relaxed_relation(u, &x, &w, &e).unwrap();
        let key = SpartanKey::new(shape.clone()).unwrap();
        let inst = SpartanInstance::commit(&key, &keys().0, u, x, &w, &e).unwrap();
        Self { key, inst, w, e }
    }

    /// The strict instance `(1, x, W, 0)`.
    fn strict(shape: &R1csShape, (x, w): (Vec<F>, Vec<F>)) -> Self {
        let e = vec![F::zero(); shape.num_constraints()];
        Self::new(shape, F::one(), x, w, e)
    }

    /// Two strict assignments folded with the NIFS helpers: `u = 1 + r`, `E = r·T` (zero only
    /// when the shape has a single assignment, `m = 1, ℓ = 0, |W| = 1`).
    fn folded(shape: &R1csShape, a: (Vec<F>, Vec<F>), b: (Vec<F>, Vec<F>), r: F) -> Self {
        let z1 = shape.z(F::one(), &a.0, &a.1).unwrap();
        let z2 = shape.z(F::one(), &b.0, &b.1).unwrap();
        let t = shape.cross_term(&z1, &z2).unwrap();
        let strict =
            |w: Vec<F>| RelaxedR1csWitness::from_strict(shape, &R1csWitness { w, r_w: F::zero() });
        let folded = nifs::fold_witnesses(&strict(a.1), &strict(b.1), &t, F::zero(), r).unwrap();
        let x: Vec<F> = a.0.iter().zip(&b.0).map(|(p, q)| *p + r * q).collect();
        let u = F::one() + r;
        Self::new(shape, u, x, folded.w, folded.e)
    }

    fn prove_with<T: Transcript>(&self) -> Result<SpartanProof, Error> {
        let mut t = T::new(DOMAIN);
        spartan::prove(&self.key, &keys().0, &self.inst, &self.w, &self.e, &mut t)
    }

    fn prove(&self) -> SpartanProof {
        self.prove_with::<PoseidonTranscript>().unwrap()
    }

    fn verify_with<T: Transcript>(
        &self,
        inst: &SpartanInstance,
        proof: &SpartanProof,
    ) -> Result<(), Error> {
        let mut t = T::new(DOMAIN);
        spartan::verify(&self.key, &keys().1, inst, proof, &mut t)
    }

    fn verify(&self, proof: &SpartanProof) -> Result<(), Error> {
        self.verify_with::<PoseidonTranscript>(&self.inst, proof)
    }

    fn verify_inst(&self, inst: &SpartanInstance, proof: &SpartanProof) -> Result<(), Error> {
        self.verify_with::<PoseidonTranscript>(inst, proof)
    }

    fn commit_w(&self, w: &[F]) -> Commitment {
        commit_witness(&self.key, &keys().0, w, &self.e).unwrap().0
    }

    fn commit_e(&self, e: &[F]) -> Commitment {
        commit_witness(&self.key, &keys().0, &self.w, e).unwrap().1
    }
}

/// `(m, ℓ, free witnesses)`: constraint counts and witness lengths mostly not powers of two.
const TINY_SHAPES: [(usize, usize, usize); 7] = [
    (1, 0, 0),
    (1, 1, 2),
    (3, 0, 2),
    (5, 1, 2),
    (7, 3, 3),
    (13, 3, 4),
    (16, 1, 16),
];

fn tiny_cases(seed: u64) -> Vec<(String, Case)> {
    let mut out = Vec::new();
    let mut rng = rng(seed);
    for (k, &(m, l, free)) in TINY_SHAPES.iter().enumerate() {
        let tiny = Tiny::new(m, l, free, seed + k as u64);
        let name = format!("m={m} l={l} |W|={}", free + m);
        out.push((
            format!("{name} strict"),
            Case::strict(&tiny.shape, tiny.assignment(&mut rng)),
        ));
        let r = F::rand(&mut rng);
        let a = tiny.assignment(&mut rng);
        let b = tiny.assignment(&mut rng);
        out.push((
            format!("{name} relaxed"),
            Case::folded(&tiny.shape, a, b, r),
        ));
    }
    out
}

/// A relaxed case with at least three rounds in every sumcheck (`s = 4`, `w = 5`, `ℓ = 3`).
fn medium_case() -> Case {
    let tiny = Tiny::new(13, 3, 6, 99);
    let mut rng = rng(99);
    let (a, b) = (tiny.assignment(&mut rng), tiny.assignment(&mut rng));
    let case = Case::folded(&tiny.shape, a, b, F::from(5u64));
    assert!(case.e.iter().all(|v| !v.is_zero()));
    assert_eq!(
        (
            case.key.num_constraint_vars(),
            case.key.num_witness_vars(),
            case.key.pcs_num_vars()
        ),
        (4, 5, 5)
    );
    case
}

fn step_shape() -> &'static R1csShape {
    static SHAPE: OnceLock<R1csShape> = OnceLock::new();
    SHAPE.get_or_init(|| StepCircuit::SMALL.shape())
}

fn step_assignment(i: u64, rng: &mut ChaCha20Rng) -> (Vec<F>, Vec<F>) {
    StepCircuit::SMALL.assignment(&StepValues::random(i, rng))
}

// ---------------------------------------------------------------------------------------------
// Honest proofs

#[test]
fn honest_tiny_strict_and_relaxed_instances_verify() {
    for (name, case) in tiny_cases(1) {
        let proof = case.prove();
        case.verify(&proof)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(proof.size_in_bytes(), proof.to_bytes().len(), "{name}");
        // Any transcript implementation works, as long as both sides use the same.
        let merlin = case.prove_with::<MerlinTranscript>().unwrap();
        case.verify_with::<MerlinTranscript>(&case.inst, &merlin)
            .unwrap_or_else(|e| panic!("{name} (merlin): {e}"));
        assert!(
            case.verify_with::<MerlinTranscript>(&case.inst, &proof)
                .is_err(),
            "{name}: a Poseidon proof verified on a Merlin transcript"
        );
    }
}

#[test]
fn honest_step_circuit_strict_and_relaxed_instances_verify() {
    let shape = step_shape();
    let mut rng = rng(2);
    let strict = Case::strict(shape, step_assignment(0, &mut rng));
    assert_eq!(strict.key.num_constraint_vars(), 11);
    strict.verify(&strict.prove()).unwrap();
    let (a, b) = (step_assignment(1, &mut rng), step_assignment(2, &mut rng));
    let relaxed = Case::folded(shape, a, b, F::rand(&mut rng));
    assert_ne!(relaxed.inst.u, F::one());
    assert!(relaxed.e.iter().any(|v| !v.is_zero()));
    let proof = relaxed.prove();
    relaxed.verify(&proof).unwrap();
    // The proof does not transfer to the strict instance of the same shape.
    assert!(strict.verify(&proof).is_err());
}

#[test]
fn key_layout_sizes() {
    // (m, ℓ, |W|) → (s, w): 2^w ≥ max(|W|, 1 + ℓ).
    for (m, l, nw, s, w) in [
        (1, 0, 1, 0, 0),
        (1, 5, 1, 0, 3),
        (3, 0, 5, 2, 3),
        (5, 3, 7, 3, 3),
        (16, 1, 32, 4, 5),
        (17, 0, 33, 5, 6),
    ] {
        let free = nw - m;
        let key = SpartanKey::new(Tiny::new(m, l, free, 3).shape).unwrap();
        assert_eq!(
            (key.num_constraint_vars(), key.num_witness_vars()),
            (s, w),
            "m={m} l={l} |W|={nw}"
        );
        assert_eq!(key.num_column_vars(), w + 1);
        assert_eq!(key.pcs_num_vars(), s.max(w));
        // z = (u, x, W) → z' = (W, 0…, u, x, 0…).
        assert_eq!(key.column(0), 1 << w);
        for j in 1..=l {
            assert_eq!(key.column(j), (1 << w) + j);
        }
        assert_eq!(key.column(1 + l), 0);
        assert_eq!(key.column(l + nw), nw - 1);
    }
    // The digest binds the shape.
    let k1 = SpartanKey::new(Tiny::new(5, 1, 2, 3).shape).unwrap();
    let k2 = SpartanKey::new(Tiny::new(5, 1, 2, 4).shape).unwrap();
    assert_ne!(k1.digest(), k2.digest());
    assert_eq!(
        k1.digest(),
        SpartanKey::new(Tiny::new(5, 1, 2, 3).shape)
            .unwrap()
            .digest()
    );
}

#[test]
fn commitments_are_to_the_zero_padded_vectors() {
    let case = medium_case();
    let pk = &keys().0;
    let mut w = case.w.clone();
    w.resize(1 << case.key.num_witness_vars(), F::zero());
    let mut e = case.e.clone();
    e.resize(1 << case.key.num_constraint_vars(), F::zero());
    let padded_w = HyperKzg::commit_scalars(pk, pcs::Scalars::Field(&w)).unwrap();
    let padded_e = HyperKzg::commit_scalars(pk, pcs::Scalars::Field(&e)).unwrap();
    assert_eq!((padded_w, padded_e), (case.inst.comm_w, case.inst.comm_e));
    // Wrong lengths are errors.
    assert!(commit_witness(&case.key, pk, &w, &case.e).is_err());
    assert!(commit_witness(&case.key, pk, &case.w, &e).is_err());
}

#[test]
fn matrix_evaluation_and_z_layout_match_a_dense_reference() {
    let case = medium_case();
    let key = &case.key;
    let shape = key.shape();
    let (s, w) = (key.num_constraint_vars(), key.num_witness_vars());
    let mut rng = rng(5);
    let r_x: Vec<F> = (0..s).map(|_| F::rand(&mut rng)).collect();
    let r_y: Vec<F> = (0..=w).map(|_| F::rand(&mut rng)).collect();
    let (eq_x, eq_y) = (eq_table(&r_x), eq_table(&r_y));
    let dense = |mat: &SparseMatrix| -> F {
        let mut acc = F::zero();
        for (i, ex) in eq_x.iter().enumerate() {
            for &(j, v) in mat.row(i) {
                acc += *ex * eq_y[key.column(j)] * v;
            }
        }
        acc
    };
    let expected = [dense(shape.a()), dense(shape.b()), dense(shape.c())];
    assert_eq!(key.evaluate_matrices(&r_x, &r_y).unwrap(), expected);
    assert!(key.evaluate_matrices(&r_x[1..], &r_y).is_err());
    assert!(key.evaluate_matrices(&r_x, &r_y[1..]).is_err());

    // z̃'(r_y) = (1 − r_y[w])·W̃(r_y[..w]) + r_y[w]·(u·eq(r_y[..w], 0) + Σ_j x_j·eq(r_y[..w], j)).
    let inst = &case.inst;
    let z = key.padded_z(inst.u, &inst.x, &case.w).unwrap();
    let z_eval = MultilinearPoly::new(z.clone()).unwrap().evaluate(&r_y);
    let w_eval = MultilinearPoly::from_padded(case.w.clone(), w).evaluate(&r_y[..w]);
    let low = &r_y[..w];
    let io: F = std::iter::once(inst.u)
        .chain(inst.x.iter().copied())
        .enumerate()
        .map(|(k, v)| v * eq_eval(low, &index_to_point(k, w)).unwrap())
        .sum();
    assert_eq!(z_eval, (F::one() - r_y[w]) * w_eval + r_y[w] * io);

    // Σ_y Ã(r_x, y)·z'(y) = (A z)~(r_x): the remapped columns and z' agree with z = (u, x, W).
    let z_orig = shape.z(inst.u, &inst.x, &case.w).unwrap();
    let [az, _, _] = shape.multiply(&z_orig).unwrap();
    let az_eval = MultilinearPoly::from_padded(az, s).evaluate(&r_x);
    let mut row_a = vec![F::zero(); 1 << (w + 1)];
    for (i, ex) in eq_x.iter().enumerate() {
        for &(j, v) in shape.a().row(i) {
            row_a[key.column(j)] += *ex * v;
        }
    }
    let dot: F = row_a.iter().zip(&z).map(|(a, b)| *a * b).sum();
    assert_eq!(dot, az_eval);
}

// ---------------------------------------------------------------------------------------------
// Dishonest provers and wrong statements

/// Prove `(w, e)` for `inst`; if a proof comes out, it must be rejected. The honest proof for
/// the original instance must not verify against `inst` either.
fn assert_unprovable(case: &Case, inst: SpartanInstance, w: Vec<F>, e: Vec<F>, what: &str) {
    let bad = Case {
        key: case.key.clone(),
        inst,
        w,
        e,
    };
    match bad.prove_with::<PoseidonTranscript>() {
        Err(Error::UnsatisfiedConstraint { .. }) => {}
        Err(other) => panic!("{what}: unexpected prover error {other}"),
        Ok(proof) => assert!(bad.verify(&proof).is_err(), "{what}: accepted"),
    }
    let honest = case.prove();
    assert!(
        case.verify_inst(&bad.inst, &honest).is_err(),
        "{what}: the honest proof verified against the bad instance"
    );
}

#[test]
fn unsatisfying_witnesses_are_rejected() {
    let mut rng = rng(6);
    let step = Case::strict(step_shape(), step_assignment(3, &mut rng));
    let mut cases = vec![("medium".to_string(), medium_case()), ("step".into(), step)];
    cases.extend(
        tiny_cases(7)
            .into_iter()
            .filter(|(n, _)| n.contains("relaxed")),
    );
    for (name, case) in cases {
        let nw = case.w.len();
        for k in [0, nw / 2, nw - 1] {
            let mut w = case.w.clone();
            w[k] += F::one();
            let mut inst = case.inst.clone();
            inst.comm_w = case.commit_w(&w);
            assert_unprovable(&case, inst, w, case.e.clone(), &format!("{name}: W[{k}]"));
        }
        let m = case.e.len();
        for k in [0, m - 1] {
            let mut e = case.e.clone();
            e[k] += F::one();
            let mut inst = case.inst.clone();
            inst.comm_e = case.commit_e(&e);
            assert_unprovable(&case, inst, case.w.clone(), e, &format!("{name}: E[{k}]"));
        }
    }
}

#[test]
fn commitments_to_other_vectors_are_rejected() {
    // The prover does not recompute the commitments: a statement whose C_W or C_E is not a
    // commitment to the witness gives a proof, which the opening rejects.
    let case = medium_case();
    let mut rng = rng(8);
    let other_w: Vec<F> = (0..case.w.len()).map(|_| F::rand(&mut rng)).collect();
    let other_e: Vec<F> = (0..case.e.len()).map(|_| F::rand(&mut rng)).collect();
    let mut shifted_w = case.w.clone();
    shifted_w.insert(0, F::zero());
    shifted_w.pop();
    for (what, inst) in [
        ("C_W of another W", {
            let mut i = case.inst.clone();
            i.comm_w = case.commit_w(&other_w);
            i
        }),
        ("C_E of another E", {
            let mut i = case.inst.clone();
            i.comm_e = case.commit_e(&other_e);
            i
        }),
        ("C_W of W shifted by one", {
            let mut i = case.inst.clone();
            i.comm_w = case.commit_w(&shifted_w);
            i
        }),
        ("C_W + G", {
            let mut i = case.inst.clone();
            i.comm_w = Commitment((i.comm_w.0 + G1Affine::generator()).into_affine());
            i
        }),
    ] {
        let bad = Case {
            inst,
            ..case.clone()
        };
        let proof = bad.prove();
        assert!(bad.verify(&proof).is_err(), "{what}: accepted");
    }
}

#[test]
fn changed_statements_are_rejected() {
    let case = medium_case();
    let proof = case.prove();
    case.verify(&proof).unwrap();
    let mut changed: Vec<(String, SpartanInstance)> = Vec::new();
    let mut push = |what: String, f: &dyn Fn(&mut SpartanInstance)| {
        let mut inst = case.inst.clone();
        f(&mut inst);
        changed.push((what, inst));
    };
    push("u + 1".into(), &|i| i.u += F::one());
    push("u = 1".into(), &|i| i.u = F::one());
    for j in 0..case.inst.x.len() {
        push(format!("x[{j}] + 1"), &|i| i.x[j] += F::one());
    }
    push("C_W ↔ C_E".into(), &|i| {
        std::mem::swap(&mut i.comm_w, &mut i.comm_e)
    });
    push("C_E = O".into(), &|i| i.comm_e = Commitment::default());
    push("C_W = C_E".into(), &|i| i.comm_w = i.comm_e);
    for (what, inst) in changed {
        assert!(case.verify_inst(&inst, &proof).is_err(), "{what}: accepted");
    }

    // Another key (same sizes, other matrices), another SRS, another transcript domain.
    let other_shape = Tiny::new(13, 3, 6, 1234).shape;
    let other_key = SpartanKey::new(other_shape).unwrap();
    let mut t = PoseidonTranscript::new(DOMAIN);
    assert!(spartan::verify(&other_key, &keys().1, &case.inst, &proof, &mut t).is_err());
    let srs = Srs::dev_setup_u64(8, 6).unwrap();
    let (_, other_vk) = HyperKzg::keys(&srs, 6).unwrap();
    let mut t = PoseidonTranscript::new(DOMAIN);
    assert!(spartan::verify(&case.key, &other_vk, &case.inst, &proof, &mut t).is_err());
    let mut t = PoseidonTranscript::new(b"another-domain");
    assert!(spartan::verify(&case.key, &keys().1, &case.inst, &proof, &mut t).is_err());
}

// ---------------------------------------------------------------------------------------------
// Tampered proofs

type Tamper = Box<dyn Fn(&mut SpartanProof)>;
/// Picks one of the proof's sumchecks.
type SumcheckOf = fn(&mut SpartanProof) -> &mut sumcheck::SumcheckProof;

fn add_g(p: &mut G1Affine) {
    *p = (*p + G1Affine::generator()).into_affine();
}

/// Every proof element that must be bound: each coefficient of the first, a middle and the
/// last round of the three sumchecks, the claimed evaluations, the HyperKZG proof.
fn tamperings(proof: &SpartanProof) -> Vec<(String, Tamper)> {
    let mut out: Vec<(String, Tamper)> = Vec::new();
    let sumchecks: [(&str, SumcheckOf); 3] = [
        ("sumcheck #1", |p| &mut p.outer),
        ("sumcheck #2", |p| &mut p.inner),
        ("reduction", |p| &mut p.opening.reduction.sumcheck),
    ];
    let mut copy = proof.clone();
    for (name, get) in sumchecks {
        let rounds = get(&mut copy).round_polys.len();
        let coeffs = get(&mut copy).round_polys[0].coeffs_except_linear.len();
        for round in [0, rounds / 2, rounds - 1] {
            for c in 0..coeffs {
                out.push((
                    format!("{name} round {round} coefficient {c}"),
                    Box::new(move |p| {
                        get(p).round_polys[round].coeffs_except_linear[c] += F::one()
                    }),
                ));
            }
        }
        out.push((
            format!("{name}: rounds 0 and 1 swapped"),
            Box::new(move |p| get(p).round_polys.swap(0, 1)),
        ));
    }
    for (k, name) in ["v_A", "v_B", "v_C", "v_E"].into_iter().enumerate() {
        out.push((name.into(), Box::new(move |p| p.outer_evals[k] += F::one())));
    }
    out.push(("W(r_y)".into(), Box::new(|p| p.w_eval += F::one())));
    for k in 0..2 {
        out.push((
            format!("reduction evaluation {k}"),
            Box::new(move |p| p.opening.reduction.evals[k] += F::one()),
        ));
    }
    let n = proof.opening.opening.evals_pos.len();
    for j in [0, n - 1] {
        out.push((
            format!("HyperKZG f_{j}(β)"),
            Box::new(move |p| p.opening.opening.evals_pos[j] += F::one()),
        ));
        out.push((
            format!("HyperKZG f_{j}(−β)"),
            Box::new(move |p| p.opening.opening.evals_neg[j] += F::one()),
        ));
        out.push((
            format!("HyperKZG f_{j}(β²)"),
            Box::new(move |p| p.opening.opening.evals_sq[j] += F::one()),
        ));
    }
    for j in [0, n - 2] {
        out.push((
            format!("HyperKZG fold {j}"),
            Box::new(move |p| add_g(&mut p.opening.opening.folds[j])),
        ));
    }
    for j in 0..2 {
        out.push((
            format!("HyperKZG quotient {j}"),
            Box::new(move |p| add_g(&mut p.opening.opening.quotients[j])),
        ));
    }
    out.push((
        "HyperKZG quotients swapped".into(),
        Box::new(|p| p.opening.opening.quotients.swap(0, 1)),
    ));
    out
}

#[test]
fn every_tampered_proof_element_is_rejected() {
    let case = medium_case();
    let proof = case.prove();
    case.verify(&proof).unwrap();
    let tamperings = tamperings(&proof);
    assert!(tamperings.len() > 40);
    for (what, tamper) in tamperings {
        let mut bad = proof.clone();
        tamper(&mut bad);
        assert_ne!(bad, proof, "{what}: no change");
        assert!(case.verify(&bad).is_err(), "{what}: accepted");
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed proofs and instances

#[test]
fn malformed_proofs_and_instances_are_errors() {
    let case = medium_case();
    let proof = case.prove();
    let off_curve = G1Affine::new_unchecked(Fq::one(), Fq::one());
    assert!(!off_curve.is_on_curve());
    let mut bad: Vec<(&str, Tamper)> = vec![
        (
            "sumcheck #1: a round less",
            Box::new(|p| {
                p.outer.round_polys.pop();
            }),
        ),
        (
            "sumcheck #1: a round more",
            Box::new(|p| {
                let r = p.outer.round_polys[0].clone();
                p.outer.round_polys.push(r);
            }),
        ),
        (
            "sumcheck #1: no rounds",
            Box::new(|p| p.outer.round_polys.clear()),
        ),
        (
            "sumcheck #1: a coefficient less",
            Box::new(|p| {
                p.outer.round_polys[1].coeffs_except_linear.pop();
            }),
        ),
        (
            "sumcheck #1: a coefficient more",
            Box::new(|p| p.outer.round_polys[2].coeffs_except_linear.push(F::one())),
        ),
        (
            "sumcheck #2: a round less",
            Box::new(|p| {
                p.inner.round_polys.pop();
            }),
        ),
        (
            "sumcheck #2: a coefficient more",
            Box::new(|p| p.inner.round_polys[0].coeffs_except_linear.push(F::zero())),
        ),
        (
            "sumcheck #2: sumcheck #1's rounds",
            Box::new(|p| p.inner = p.outer.clone()),
        ),
        (
            "reduction: a round less",
            Box::new(|p| {
                p.opening.reduction.sumcheck.round_polys.pop();
            }),
        ),
        (
            "reduction: an evaluation more",
            Box::new(|p| p.opening.reduction.evals.push(F::one())),
        ),
        (
            "reduction: no evaluations",
            Box::new(|p| p.opening.reduction.evals.clear()),
        ),
        (
            "HyperKZG: a fold less",
            Box::new(|p| {
                p.opening.opening.folds.pop();
            }),
        ),
        (
            "HyperKZG: an evaluation less",
            Box::new(|p| {
                p.opening.opening.evals_sq.pop();
            }),
        ),
        (
            "HyperKZG: an evaluation more",
            Box::new(|p| p.opening.opening.evals_pos.push(F::one())),
        ),
        (
            "HyperKZG: a quotient less",
            Box::new(|p| {
                p.opening.opening.quotients.pop();
            }),
        ),
        (
            "HyperKZG: three quotients",
            Box::new(|p| p.opening.opening.quotients.push(G1Affine::generator())),
        ),
        (
            "HyperKZG: fold off the curve",
            Box::new(move |p| p.opening.opening.folds[0] = off_curve),
        ),
        (
            "HyperKZG: quotient off the curve",
            Box::new(move |p| p.opening.opening.quotients[1] = off_curve),
        ),
    ];
    for (what, tamper) in bad.drain(..) {
        let mut p = proof.clone();
        tamper(&mut p);
        assert!(case.verify(&p).is_err(), "{what}: accepted");
    }

    let mut inst = case.inst.clone();
    inst.x.push(F::one());
    assert!(matches!(
        case.verify_inst(&inst, &proof),
        Err(Error::LengthMismatch { .. })
    ));
    inst.x.truncate(1);
    assert!(case.verify_inst(&inst, &proof).is_err());
    for which in 0..2 {
        let mut inst = case.inst.clone();
        let c = if which == 0 {
            &mut inst.comm_w
        } else {
            &mut inst.comm_e
        };
        c.0 = off_curve;
        assert!(matches!(
            case.verify_inst(&inst, &proof),
            Err(Error::InvalidPoint { .. })
        ));
    }

    // The prover checks its inputs too.
    let pk = &keys().0;
    let mut t = PoseidonTranscript::new(DOMAIN);
    let short = &case.w[1..];
    assert!(spartan::prove(&case.key, pk, &case.inst, short, &case.e, &mut t).is_err());
    assert!(spartan::prove(&case.key, pk, &case.inst, &case.w, &case.e[1..], &mut t).is_err());
    let srs = Srs::dev_setup_u64(9, 3).unwrap();
    let (small_pk, _) = HyperKzg::keys(&srs, 3).unwrap();
    assert!(matches!(
        spartan::prove(&case.key, &small_pk, &case.inst, &case.w, &case.e, &mut t),
        Err(Error::Pcs { .. })
    ));
}

#[test]
fn encoding_round_trips_and_rejects_garbage() {
    let case = medium_case();
    let proof = case.prove();
    let bytes = proof.to_bytes();
    assert_eq!(bytes.len(), proof.size_in_bytes());
    assert_eq!(SpartanProof::from_bytes(&bytes).unwrap(), proof);
    // s = 4, w = 5, n = 5: rounds 4·3 + 6·2 + 5·2 coefficients, 4 + 1 + 2 evaluations,
    // HyperKZG 4 folds, 15 evaluations, 2 quotients; 32 bytes each, plus 8-byte lengths and
    // the SPARK flag byte (0: plain mode).
    let elements = 4 * OUTER_DEGREE + 6 * INNER_DEGREE + 5 * 2 + 4 + 1 + 2 + 4 + 15 + 2;
    let lengths = (1 + 4) + (1 + 6) + (1 + 5) + 1 + 5;
    assert_eq!(bytes.len(), 32 * elements + 8 * lengths + 1);
    assert_eq!(bytes.last(), Some(&0));

    assert!(SpartanProof::from_bytes(&[]).is_err());
    assert!(SpartanProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert!(SpartanProof::from_bytes(&long).is_err());
    // A huge vector length is an error, not an allocation.
    let mut huge = bytes.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(SpartanProof::from_bytes(&huge).is_err());
    huge[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(SpartanProof::from_bytes(&huge).is_err());
    // A non-canonical field element (the modulus itself) in v_A's place.
    let outer_len = 8 + 4 * (8 + 32 * OUTER_DEGREE);
    let mut nc = bytes.clone();
    let modulus: Vec<u8> = {
        use ark_ff::{BigInteger, PrimeField};
        F::MODULUS.to_bytes_le()
    };
    nc[outer_len..outer_len + 32].copy_from_slice(&modulus);
    assert!(SpartanProof::from_bytes(&nc).is_err());
    // Points (the first HyperKZG fold): infinity with x ≠ 0, both flags, an x off the curve.
    let fold_at = 8 + 4 * (8 + 32 * OUTER_DEGREE) // sumcheck #1
        + 4 * 32 // v_A, v_B, v_C, v_E
        + 8 + 6 * (8 + 32 * INNER_DEGREE) // sumcheck #2
        + 32 // W(r_y)
        + 8 + 5 * (8 + 64) // reduction sumcheck
        + 8 + 2 * 32 // reduction evaluations
        + 8; // length of the folds
    let with_point = |x: u8, flags: u8| {
        let mut b = bytes.clone();
        let p = &mut b[fold_at..fold_at + 32];
        p.fill(0);
        p[0] = x;
        p[31] = flags;
        b
    };
    // x = 1, smaller y: the generator (1, 2) — checks the offset.
    let decoded = SpartanProof::from_bytes(&with_point(1, 0)).unwrap();
    assert_eq!(decoded.opening.opening.folds[0], G1Affine::generator());
    assert!(case.verify(&decoded).is_err());
    let decoded = SpartanProof::from_bytes(&with_point(1, 0x80)).unwrap();
    assert_eq!(
        decoded.opening.opening.folds[0],
        (-G1Affine::generator().into_group()).into_affine()
    );
    assert!(
        SpartanProof::from_bytes(&with_point(1, 0x40)).is_err(),
        "infinity, x = 1"
    );
    assert!(
        SpartanProof::from_bytes(&with_point(0, 0xc0)).is_err(),
        "both flags"
    );
    let off = (0u8..=255)
        .find(|&x| G1Affine::get_ys_from_x_unchecked(Fq::from(x)).is_none())
        .unwrap();
    for flags in [0, 0x80] {
        assert!(matches!(
            SpartanProof::from_bytes(&with_point(off, flags)),
            Err(Error::InvalidPoint { .. })
        ));
    }
    // The point at infinity round-trips.
    let mut with_inf = proof.clone();
    with_inf.opening.opening.folds[0] = G1Affine::zero();
    let enc = with_inf.to_bytes();
    assert_eq!(SpartanProof::from_bytes(&enc).unwrap(), with_inf);
    assert!(case.verify(&with_inf).is_err());
}

#[test]
fn random_byte_flips_never_panic_nor_verify() {
    let case = medium_case();
    let proof = case.prove();
    let bytes = proof.to_bytes();
    let mut rng = rng(10);
    let (mut decoded, mut rejected) = (0, 0);
    for _ in 0..300 {
        let mut b = bytes.clone();
        for _ in 0..rng.gen_range(1..=3) {
            let at = rng.gen_range(0..b.len());
            b[at] ^= rng.gen_range(1..=255u8);
        }
        match SpartanProof::from_bytes(&b) {
            Err(_) => rejected += 1,
            Ok(p) => {
                decoded += 1;
                assert_ne!(p, proof, "a changed encoding decoded to the same proof");
                assert_eq!(p.to_bytes(), b, "decoding is not canonical");
                assert!(case.verify(&p).is_err(), "a changed proof verified");
            }
        }
    }
    assert!(
        decoded > 50 && rejected > 20,
        "{decoded} decoded, {rejected} rejected"
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism and the Fiat–Shamir schedule

#[test]
fn proofs_are_deterministic() {
    let case = medium_case();
    let (a, b) = (case.prove(), case.prove());
    assert_eq!(a.to_bytes(), b.to_bytes());
    let step = Case::strict(step_shape(), step_assignment(4, &mut rng(11)));
    assert_eq!(step.prove().to_bytes(), step.prove().to_bytes());
}

#[test]
fn transcript_schedule_snapshot() {
    let tiny = Tiny::new(3, 1, 2, 12);
    let mut rng = rng(12);
    let case = Case::strict(&tiny.shape, tiny.assignment(&mut rng));
    assert_eq!(
        (case.key.num_constraint_vars(), case.key.num_witness_vars()),
        (2, 3)
    );
    let mut t = RecordingTranscript::<PoseidonTranscript>::new(DOMAIN);
    let proof = spartan::prove(&case.key, &keys().0, &case.inst, &case.w, &case.e, &mut t).unwrap();
    let mut v = RecordingTranscript::<PoseidonTranscript>::new(DOMAIN);
    spartan::verify(&case.key, &keys().1, &case.inst, &proof, &mut v).unwrap();
    assert_eq!(t.log, v.log, "prover and verifier schedules differ");
    let expected = "\
absorb bytes spartan_key len32
absorb bytes spartan_srs len32
absorb g1 spartan_cm_w
absorb g1 spartan_cm_e
absorb fields spartan_u x1
absorb fields spartan_x x1
challenge spartan_tau
challenge spartan_tau
absorb fields sc_input_claims x1
absorb fields sc_round_poly x3
challenge sc_round_challenge
absorb fields sc_round_poly x3
challenge sc_round_challenge
absorb fields sc_final_evals x4
challenge spartan_gamma
absorb fields sc_input_claims x1
absorb fields sc_round_poly x2
challenge sc_round_challenge
absorb fields sc_round_poly x2
challenge sc_round_challenge
absorb fields sc_round_poly x2
challenge sc_round_challenge
absorb fields sc_round_poly x2
challenge sc_round_challenge
absorb fields sc_final_evals x1
";
    let rendered = t.render();
    assert!(
        rendered.starts_with(expected),
        "schedule changed:\n{rendered}"
    );
    // Then the multi-point opening (pcs::batch, sumcheck multi-eval, HyperKZG).
    let rest = &rendered[expected.len()..];
    assert!(
        rest.starts_with("absorb fields multipoint/count x1\n"),
        "{rest}"
    );
    assert!(
        rest.ends_with("absorb g1 hyperkzg/lin-quotient\n"),
        "{rest}"
    );
}

// ---------------------------------------------------------------------------------------------
// A reference prover written from the module docs

/// Sumcheck #2's prover for the reference: the product `M·z'`, final evaluation `W̃(r_y[..w])`.
struct RefInner {
    product: sumcheck::ProductProver,
    w_poly: MultilinearPoly,
    r: Vec<F>,
}

impl sumcheck::SumcheckInstanceProver for RefInner {
    fn num_rounds(&self) -> usize {
        self.product.num_rounds()
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.product.input_claim()
    }
    fn round_polynomial(&mut self, round: usize, claim: F) -> sumcheck::UniPoly {
        self.product.round_polynomial(round, claim)
    }
    fn bind(&mut self, r: F) {
        self.product.bind(r);
        self.r.push(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        vec![self.w_poly.evaluate(&self.r[..self.w_poly.num_vars()])]
    }
}

/// The protocol of the module docs, step by step, without the prover's relation check.
fn reference_prove(case: &Case, w: &[F], e: &[F]) -> SpartanProof {
    use sumcheck::instances::zerocheck::{Combiner, ZeroCheckProver};
    let (key, pk, inst) = (&case.key, &keys().0, &case.inst);
    let shape = key.shape();
    let (s, wv) = (key.num_constraint_vars(), key.num_witness_vars());
    let mut t = PoseidonTranscript::new(DOMAIN);
    t.append_bytes(spartan::LABEL_KEY, &key.digest());
    t.append_bytes(spartan::LABEL_SRS, &pk.srs_digest());
    t.append_g1(spartan::LABEL_COMM_W, &inst.comm_w.0);
    t.append_g1(spartan::LABEL_COMM_E, &inst.comm_e.0);
    t.append_field(spartan::LABEL_U, &inst.u);
    t.append_fields(spartan::LABEL_X, &inst.x);
    let tau = t.challenges(spartan::LABEL_TAU, s);
    let u = inst.u;
    let [az, bz, cz] = shape.multiply(&shape.z(u, &inst.x, w).unwrap()).unwrap();
    let pad = |v: Vec<F>| MultilinearPoly::from_padded(v, s);
    let e_poly = pad(e.to_vec());
    let g = Combiner::Custom {
        degree: 2,
        f: std::sync::Arc::new(move |v: &[F]| v[0] * v[1] - u * v[2] - v[3]),
    };
    let mut outer =
        ZeroCheckProver::new(tau, vec![pad(az), pad(bz), pad(cz), e_poly.clone()], g).unwrap();
    let (outer_proof, r_x, outer_evals) = sumcheck::prove_batched(&mut [&mut outer], &mut t);
    let gamma = t.challenge(spartan::LABEL_GAMMA);
    let eq_x = eq_table(&r_x);
    let mut rows = vec![F::zero(); 1 << (wv + 1)];
    for (mat, c) in
        [shape.a(), shape.b(), shape.c()]
            .into_iter()
            .zip([F::one(), gamma, gamma * gamma])
    {
        for (i, ex) in eq_x.iter().enumerate() {
            for &(j, v) in mat.row(i) {
                rows[key.column(j)] += c * ex * v;
            }
        }
    }
    let z = key.padded_z(u, &inst.x, w).unwrap();
    let w_poly = MultilinearPoly::from_padded(w.to_vec(), wv);
    let mut inner = RefInner {
        product: sumcheck::ProductProver::new(vec![
            MultilinearPoly::new(rows).unwrap(),
            MultilinearPoly::new(z).unwrap(),
        ])
        .unwrap(),
        w_poly: w_poly.clone(),
        r: vec![],
    };
    let (inner_proof, r_y, inner_evals) = sumcheck::prove_batched(&mut [&mut inner], &mut t);
    let w_eval = inner_evals[0][0];
    let claims = [
        sumcheck::EvalClaim {
            poly: 0,
            point: r_y[..wv].to_vec(),
            value: w_eval,
        },
        sumcheck::EvalClaim {
            poly: 1,
            point: r_x,
            value: outer_evals[0][3],
        },
    ];
    let opening = pcs::batch::multi_point_open::<HyperKzg, _>(
        pk,
        &[&w_poly, &e_poly],
        &[inst.comm_w, inst.comm_e],
        &claims,
        &mut t,
    )
    .unwrap();
    SpartanProof {
        outer: outer_proof,
        outer_evals: outer_evals[0].clone().try_into().unwrap(),
        inner: inner_proof,
        w_eval,
        opening,
        spark: None,
    }
}

#[test]
fn reference_prover_matches_and_cannot_prove_false_statements() {
    for (name, case) in tiny_cases(13)
        .into_iter()
        .chain([("medium".into(), medium_case())])
    {
        // Honest: byte-identical to `spartan::prove`.
        let reference = reference_prove(&case, &case.w, &case.e);
        assert_eq!(reference, case.prove(), "{name}");
        // An unsatisfying witness (consistent commitments, no relation check): the zero-check's
        // claim is not 0, and the verifier rejects.
        let mut w = case.w.clone();
        let last = w.len() - 1;
        w[last] += F::one();
        let bad = Case {
            inst: SpartanInstance {
                comm_w: case.commit_w(&w),
                ..case.inst.clone()
            },
            w: w.clone(),
            ..case.clone()
        };
        let proof = reference_prove(&bad, &w, &case.e);
        assert!(bad.verify(&proof).is_err(), "{name}: accepted");
        let mut e = case.e.clone();
        e[0] -= F::one();
        let bad = Case {
            inst: SpartanInstance {
                comm_e: case.commit_e(&e),
                ..case.inst.clone()
            },
            e: e.clone(),
            ..case.clone()
        };
        let proof = reference_prove(&bad, &case.w, &e);
        assert!(bad.verify(&proof).is_err(), "{name}: accepted");
    }
}
