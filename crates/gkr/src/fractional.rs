//! GKR for sums of fractions (Papini–Haböck, ePrint 2023/1284): several binary trees of
//! fractions `p/q`, proven layer by layer from the roots to the leaves, without committing to
//! anything but the leaves.
//!
//! # Trees
//!
//! A tree on `n` variables has leaves `(p_n, q_n)`, two vectors of length `2^n`, and layers
//! `(p_k, q_k)` of length `2^k` for `k = n-1, ..., 0`:
//!
//! ```text
//! p_k(x) = p_{k+1}(x, 0)·q_{k+1}(x, 1) + p_{k+1}(x, 1)·q_{k+1}(x, 0)
//! q_k(x) = q_{k+1}(x, 0)·q_{k+1}(x, 1)
//! ```
//!
//! **The child bit is the highest variable** of the child layer: entry `i` of layer `k` has the
//! children `i` ("left", `x_k = 0`) and `i + 2^k` ("right", `x_k = 1`) of layer `k + 1`. The two
//! children vectors are the two contiguous halves of the child layer (no shuffling, streaming
//! access while building), and the point of a layer claim is the point of the previous sumcheck
//! with the child challenge appended as the last coordinate, so the claim on the leaves is a
//! plain multilinear claim `p̃_n(ρ), q̃_n(ρ)` with `ρ_0` on the index's low bit.
//! If every `q` leaf is non-zero, `p_0/q_0 = Σ_i p_n(i)/q_n(i)`, and `q_0 = Π_i q_n(i)`.
//!
//! A tree may have **unit numerators** (`p_n ≡ 1`, the witness side of a lookup): then `p_n` is
//! never materialized, `p_{n-1} = qL + qR`, and the last layer's sumcheck runs on
//! `qL + qR + λ·qL·qR` over two polynomials only (half the work of the largest layer); its
//! child values are `[qL, qR]` and the leaf claim has `p = 1` by construction.
//!
//! # Protocol (labels in brackets)
//!
//! 1. The prover sends every root `(p_0, q_0)`, absorbed [`frac_roots`](LABEL_ROOTS).
//! 2. For depth `d = 0, 1, ..., max_n - 1` the trees with `n > d` hold claims `P_t = p̃_d(ρ_d)`,
//!    `Q_t = q̃_d(ρ_d)` at a point `ρ_d ∈ F^d` common to all trees. Squeeze `λ_d`
//!    [`frac_layer_lambda`](LABEL_LAMBDA) and run one batched sumcheck (the engine's
//!    [`prove_batched`], one eq-weighted instance per tree, degree 3, `d` rounds):
//!    ```text
//!    Σ_{x ∈ {0,1}^d} eq(ρ_d, x)·[pL·qR + pR·qL + λ_d·qL·qR](x) = P_t + λ_d·Q_t
//!    ```
//!    with `pL = p_{d+1}(·, 0)` etc. The final evaluations of each instance are the four child
//!    values `[pL, pR, qL, qR](r)` (absorbed by the engine); the verifier checks them against the
//!    reduced claim with its own `eq(ρ_d, r)`. Squeeze `c` [`frac_child_bit`](LABEL_CHILD); the
//!    new claims are `P_t = pL + c·(pR - pL)`, `Q_t = qL + c·(qR - qL)` at `ρ_{d+1} = (r, c)`.
//! 3. A tree with `n` variables leaves the loop after depth `n - 1` with its leaf claim at
//!    `ρ_n`; a tree with `n = 0` is its own leaf (claim = root, empty point).
//!
//! What the roots must satisfy (sum to zero, non-zero denominators) and what the leaf claims
//! mean is the caller's business ([`crate::range_check`]).

use std::sync::Arc;

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sumcheck::field::PAR_THRESHOLD;
use sumcheck::instances::zerocheck::{Combiner, CombinerFn, ZeroCheckProver, ZeroCheckVerifier};
use sumcheck::{
    prove_batched, verify_batched, MultilinearPoly, SumcheckInstanceProver,
    SumcheckInstanceVerifier, SumcheckProof, Transcript, F,
};

use crate::error::GkrError;

/// Transcript label: all tree roots `(p_0, q_0)`, flattened.
pub const LABEL_ROOTS: &[u8] = b"frac_roots";
/// Transcript label: the per-layer challenge `λ` combining the `p` and `q` claims.
pub const LABEL_LAMBDA: &[u8] = b"frac_layer_lambda";
/// Transcript label: the challenge on the child bit.
pub const LABEL_CHILD: &[u8] = b"frac_child_bit";

/// Degree of the layer combination `pL·qR + pR·qL + λ·qL·qR` (the sumcheck has degree 3 with eq).
const LAYER_COMBINER_DEGREE: usize = 2;

/// A fraction `p/q` (not reduced; `q` may be zero in a dishonest proof).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Fraction {
    /// Numerator.
    pub p: F,
    /// Denominator.
    pub q: F,
}

impl Fraction {
    /// `0/1`.
    pub fn zero() -> Self {
        Self {
            p: F::zero(),
            q: F::one(),
        }
    }
}

impl std::ops::Add for Fraction {
    type Output = Self;

    /// `p_a/q_a + p_b/q_b = (p_a·q_b + p_b·q_a)/(q_a·q_b)`, the tree's parent rule.
    fn add(self, other: Self) -> Self {
        Self {
            p: self.p * other.q + other.p * self.q,
            q: self.q * other.q,
        }
    }
}

/// The proof of one layer: the batched sumcheck and, per tree still active at that depth, the
/// child values at the sumcheck's point: `[pL, pR, qL, qR]`, or `[qL, qR]` for the last layer of
/// a tree with unit numerators.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct LayerProof {
    /// The batched degree-3 sumcheck (one instance per active tree).
    pub sumcheck: SumcheckProof,
    /// The child values of each active tree, in tree order.
    pub child_evals: Vec<Vec<F>>,
}

/// The proof of the fractional sumcheck over several trees.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FractionalProof {
    /// One root per tree.
    pub roots: Vec<Fraction>,
    /// One layer proof per depth `0..max_n`.
    pub layers: Vec<LayerProof>,
}

/// The claim a tree's leaves end on: `p̃_n(point) = p`, `q̃_n(point) = q`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafClaim {
    /// The point (`n` coordinates, low bit first).
    pub point: Vec<F>,
    /// Claimed `p̃_n(point)` (`1` for a tree with unit numerators and `n ≥ 1`).
    pub p: F,
    /// Claimed `q̃_n(point)`.
    pub q: F,
}

/// The public shape of a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TreeShape {
    /// Variables of the leaves (`2^num_vars` leaves).
    pub num_vars: usize,
    /// Every leaf numerator is `1` (witness leaves of a lookup). Then the leaf numerators are
    /// neither stored nor sent: the last layer's sumcheck runs on `qL, qR` only, with
    /// `p_{n-1} = qL + qR`, and the leaf claim has `p = 1` by construction.
    pub unit_numerators: bool,
}

impl TreeShape {
    /// Number of child values the layer at `depth` sends for this tree.
    fn child_values(&self, depth: usize) -> usize {
        if self.unit_numerators && depth + 1 == self.num_vars {
            2
        } else {
            4
        }
    }
}

/// A fraction tree held by the prover: every layer from the root to the leaves.
#[derive(Clone, Debug)]
pub struct FractionTree {
    shape: TreeShape,
    /// `layers[k] = (p_k, q_k)`, `2^k` entries each; `layers[n]` are the leaves (with unit
    /// numerators and `n ≥ 1`, `p_n` is left empty).
    layers: Vec<(Vec<F>, Vec<F>)>,
}

impl FractionTree {
    /// Build the tree over the leaves `(p, q)` (equal power-of-two lengths).
    pub fn new(p: Vec<F>, q: Vec<F>) -> Result<Self, GkrError> {
        if p.len() != q.len() || !p.len().is_power_of_two() {
            return Err(GkrError::InvalidParams {
                what: "fraction tree leaves must be two vectors of one power-of-two length",
            });
        }
        let num_vars = p.len().trailing_zeros() as usize;
        let mut layers = Vec::with_capacity(num_vars + 1);
        layers.push((p, q));
        Ok(Self::finish(
            TreeShape {
                num_vars,
                unit_numerators: false,
            },
            layers,
        ))
    }

    /// Build the tree over the leaves `(1, q_i)` (power-of-two length).
    pub fn with_unit_numerators(q: Vec<F>) -> Result<Self, GkrError> {
        if !q.len().is_power_of_two() {
            return Err(GkrError::InvalidParams {
                what: "fraction tree leaves must have power-of-two length",
            });
        }
        let num_vars = q.len().trailing_zeros() as usize;
        let shape = TreeShape {
            num_vars,
            unit_numerators: true,
        };
        let mut layers = Vec::with_capacity(num_vars + 1);
        if num_vars == 0 {
            layers.push((vec![F::one()], q));
        } else {
            let next = unit_parent_layer(&q);
            layers.push((Vec::new(), q));
            layers.push(next);
        }
        Ok(Self::finish(shape, layers))
    }

    /// `layers` holds the leaves (and maybe more layers), bottom first: add the rest, reverse.
    fn finish(shape: TreeShape, mut layers: Vec<(Vec<F>, Vec<F>)>) -> Self {
        while let Some((p, q)) = layers.last().filter(|(_, q)| q.len() > 1) {
            let next = parent_layer(p, q);
            layers.push(next);
        }
        layers.reverse();
        Self { shape, layers }
    }

    /// The tree's public shape.
    pub fn shape(&self) -> TreeShape {
        self.shape
    }

    /// The root `(p_0, q_0)`.
    pub fn root(&self) -> Fraction {
        self.layers
            .first()
            .and_then(|(p, q)| Some((*p.first()?, *q.first()?)))
            .map_or_else(Fraction::zero, |(p, q)| Fraction { p, q })
    }
}

/// Run `f` over `0..n`, in parallel when large, collecting pairs.
fn map_pairs(n: usize, f: impl Fn(usize) -> (F, F) + Sync + Send) -> (Vec<F>, Vec<F>) {
    if n >= PAR_THRESHOLD {
        (0..n).into_par_iter().map(f).unzip()
    } else {
        (0..n).map(f).unzip()
    }
}

/// One layer up: pair entry `i` with entry `i + half`.
fn parent_layer(p: &[F], q: &[F]) -> (Vec<F>, Vec<F>) {
    let half = q.len() / 2;
    let (pl, pr) = p.split_at(half);
    let (ql, qr) = q.split_at(half);
    map_pairs(half, |i| (pl[i] * qr[i] + pr[i] * ql[i], ql[i] * qr[i]))
}

/// One layer up from leaves with unit numerators: `(qL + qR, qL·qR)`.
fn unit_parent_layer(q: &[F]) -> (Vec<F>, Vec<F>) {
    let half = q.len() / 2;
    let (ql, qr) = q.split_at(half);
    map_pairs(half, |i| (ql[i] + qr[i], ql[i] * qr[i]))
}

/// `g(pL, pR, qL, qR) = pL·qR + pR·qL + λ·qL·qR`, or, for unit numerators,
/// `g(qL, qR) = qL + qR + λ·qL·qR`.
fn layer_combiner(lambda: F, unit: bool) -> Combiner {
    let f: CombinerFn = if unit {
        Arc::new(move |v: &[F]| match v {
            [ql, qr] => *ql + qr + lambda * ql * qr,
            // Unreachable: the zero-check verifier checks the number of final evaluations.
            _ => F::zero(),
        })
    } else {
        Arc::new(move |v: &[F]| match v {
            [pl, pr, ql, qr] => *pl * qr + *pr * ql + lambda * ql * qr,
            _ => F::zero(),
        })
    };
    Combiner::Custom {
        degree: LAYER_COMBINER_DEGREE,
        f,
    }
}

fn absorb_roots<T: Transcript>(transcript: &mut T, roots: &[Fraction]) {
    let flat: Vec<F> = roots.iter().flat_map(|f| [f.p, f.q]).collect();
    transcript.append_fields(LABEL_ROOTS, &flat);
}

/// Fold the child values at the child challenge `c`; `None` for a wrong number of values.
fn child_claim(evals: &[F], c: F) -> Option<Fraction> {
    match evals {
        [pl, pr, ql, qr] => Some(Fraction {
            p: *pl + c * (*pr - pl),
            q: *ql + c * (*qr - ql),
        }),
        [ql, qr] => Some(Fraction {
            p: F::one(),
            q: *ql + c * (*qr - ql),
        }),
        _ => None,
    }
}

/// Leaf claims of the trees without variables (their root is their leaf).
fn initial_leaves(shapes: &[TreeShape], roots: &[Fraction]) -> Vec<Option<LeafClaim>> {
    shapes
        .iter()
        .zip(roots)
        .map(|(s, r)| {
            (s.num_vars == 0).then(|| LeafClaim {
                point: Vec::new(),
                p: r.p,
                q: r.q,
            })
        })
        .collect()
}

/// Prove the layers of `trees` (consumed: each layer is handed to its sumcheck instance). Returns
/// the proof and one leaf claim per tree (in order). Prover-side; an inconsistent input gives an
/// error, never a panic.
pub fn prove_fractional<T: Transcript>(
    mut trees: Vec<FractionTree>,
    transcript: &mut T,
) -> Result<(FractionalProof, Vec<LeafClaim>), GkrError> {
    let roots: Vec<Fraction> = trees.iter().map(FractionTree::root).collect();
    absorb_roots(transcript, &roots);
    let shapes: Vec<TreeShape> = trees.iter().map(FractionTree::shape).collect();
    let max_vars = shapes.iter().map(|s| s.num_vars).max().unwrap_or(0);

    let mut claims = roots.clone();
    let mut leaves = initial_leaves(&shapes, &roots);
    let mut point: Vec<F> = Vec::new();
    let mut layers = Vec::with_capacity(max_vars);
    for depth in 0..max_vars {
        let lambda = transcript.challenge(LABEL_LAMBDA);
        let active: Vec<usize> = (0..trees.len())
            .filter(|&t| shapes[t].num_vars > depth)
            .collect();
        let mut provers = Vec::with_capacity(active.len());
        for &t in &active {
            let (mut p, mut q) = trees[t]
                .layers
                .get_mut(depth + 1)
                .map(std::mem::take)
                .ok_or(GkrError::InvalidParams {
                    what: "fraction tree is missing a layer",
                })?;
            let half = q.len() / 2;
            let qr = q.split_off(half);
            let unit = shapes[t].child_values(depth) == 2;
            let vecs = if unit {
                vec![q, qr]
            } else {
                let pr = p.split_off(half);
                vec![p, pr, q, qr]
            };
            let polys = vecs
                .into_iter()
                .map(MultilinearPoly::new)
                .collect::<Result<Vec<_>, _>>()?;
            provers.push(ZeroCheckProver::new(
                point.clone(),
                polys,
                layer_combiner(lambda, unit),
            )?);
        }
        let mut refs: Vec<&mut dyn SumcheckInstanceProver> = provers
            .iter_mut()
            .map(|p| p as &mut dyn SumcheckInstanceProver)
            .collect();
        let (sumcheck, r, child_evals) = prove_batched(&mut refs, transcript);
        drop(refs);
        drop(provers);
        let c = transcript.challenge(LABEL_CHILD);
        point = r;
        point.push(c);
        for (&t, evals) in active.iter().zip(&child_evals) {
            claims[t] = child_claim(evals, c).ok_or(GkrError::InvalidParams {
                what: "layer instance returned the wrong number of child values",
            })?;
            if shapes[t].num_vars == depth + 1 {
                leaves[t] = Some(LeafClaim {
                    point: point.clone(),
                    p: claims[t].p,
                    q: claims[t].q,
                });
            }
        }
        layers.push(LayerProof {
            sumcheck,
            child_evals,
        });
    }
    let leaves = leaves
        .into_iter()
        .map(|l| {
            l.ok_or(GkrError::InvalidParams {
                what: "a tree ended without a leaf claim",
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((FractionalProof { roots, layers }, leaves))
}

/// Verify the layers of trees of the given shapes, down to one leaf claim per tree (in order).
/// The roots are only absorbed here: the caller checks what they must satisfy (`proof.roots`,
/// whose length this function checks), and what the leaf claims must satisfy.
///
/// Never panics on any `proof`.
pub fn verify_fractional<T: Transcript>(
    shapes: &[TreeShape],
    proof: &FractionalProof,
    transcript: &mut T,
) -> Result<Vec<LeafClaim>, GkrError> {
    if proof.roots.len() != shapes.len() {
        return Err(GkrError::ProofShape {
            what: "fraction tree roots",
            expected: shapes.len(),
            actual: proof.roots.len(),
        });
    }
    let max_vars = shapes.iter().map(|s| s.num_vars).max().unwrap_or(0);
    if proof.layers.len() != max_vars {
        return Err(GkrError::ProofShape {
            what: "GKR layers",
            expected: max_vars,
            actual: proof.layers.len(),
        });
    }
    absorb_roots(transcript, &proof.roots);

    let mut claims = proof.roots.clone();
    let mut leaves = initial_leaves(shapes, &proof.roots);
    let mut point: Vec<F> = Vec::new();
    for (depth, layer) in proof.layers.iter().enumerate() {
        let lambda = transcript.challenge(LABEL_LAMBDA);
        let active: Vec<usize> = (0..shapes.len())
            .filter(|&t| shapes[t].num_vars > depth)
            .collect();
        if layer.child_evals.len() != active.len() {
            return Err(GkrError::ProofShape {
                what: "child values of a GKR layer",
                expected: active.len(),
                actual: layer.child_evals.len(),
            });
        }
        for (&t, evals) in active.iter().zip(&layer.child_evals) {
            let expected = shapes[t].child_values(depth);
            if evals.len() != expected {
                return Err(GkrError::ProofShape {
                    what: "child values of one tree",
                    expected,
                    actual: evals.len(),
                });
            }
        }
        let verifiers: Vec<ZeroCheckVerifier> = active
            .iter()
            .map(|&t| {
                let k = shapes[t].child_values(depth);
                ZeroCheckVerifier::new(
                    point.clone(),
                    k,
                    layer_combiner(lambda, k == 2),
                    claims[t].p + lambda * claims[t].q,
                )
            })
            .collect();
        let refs: Vec<&dyn SumcheckInstanceVerifier> = verifiers
            .iter()
            .map(|v| v as &dyn SumcheckInstanceVerifier)
            .collect();
        let r = verify_batched(&refs, &layer.sumcheck, &layer.child_evals, transcript)
            .map_err(|source| GkrError::LayerSumcheck { depth, source })?;
        if r.len() != depth {
            return Err(GkrError::ProofShape {
                what: "sumcheck rounds of a GKR layer",
                expected: depth,
                actual: r.len(),
            });
        }
        let c = transcript.challenge(LABEL_CHILD);
        point = r;
        point.push(c);
        for (&t, evals) in active.iter().zip(&layer.child_evals) {
            claims[t] = child_claim(evals, c).ok_or(GkrError::ProofShape {
                what: "child values of one tree",
                expected: 4,
                actual: evals.len(),
            })?;
            if shapes[t].num_vars == depth + 1 {
                leaves[t] = Some(LeafClaim {
                    point: point.clone(),
                    p: claims[t].p,
                    q: claims[t].q,
                });
            }
        }
    }
    leaves
        .into_iter()
        .map(|l| {
            l.ok_or(GkrError::ProofShape {
                what: "a tree ended without a leaf claim",
                expected: 1,
                actual: 0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;
    use sumcheck::MerlinTranscript;

    #[test]
    fn tree_root_is_the_sum_and_leaf_claims_are_evaluations() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let sizes = [
            (0usize, false),
            (3, false),
            (1, true),
            (5, false),
            (3, true),
            (0, true),
        ];
        let mut trees = Vec::new();
        let mut leaves = Vec::new();
        let mut shapes = Vec::new();
        for &(n, unit) in &sizes {
            let p: Vec<F> = (0..1 << n)
                .map(|_| if unit { F::one() } else { F::rand(&mut rng) })
                .collect();
            let q: Vec<F> = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
            let sum = p.iter().zip(&q).fold(Fraction::zero(), |acc, (p, q)| {
                acc + Fraction { p: *p, q: *q }
            });
            let tree = if unit {
                FractionTree::with_unit_numerators(q.clone()).unwrap()
            } else {
                FractionTree::new(p.clone(), q.clone()).unwrap()
            };
            shapes.push(tree.shape());
            // Same value (the tree adds in a different order; compare as field fractions).
            let root = tree.root();
            assert_eq!(root.p * sum.q, sum.p * root.q);
            trees.push(tree);
            leaves.push((p, q));
        }
        let mut pt = MerlinTranscript::new(b"frac-test");
        let (proof, claims) = prove_fractional(trees, &mut pt).unwrap();
        let mut vt = MerlinTranscript::new(b"frac-test");
        let vclaims = verify_fractional(&shapes, &proof, &mut vt).unwrap();
        assert_eq!(claims, vclaims);
        for ((p, q), c) in leaves.into_iter().zip(&claims) {
            let p = MultilinearPoly::new(p).unwrap();
            let q = MultilinearPoly::new(q).unwrap();
            assert_eq!(p.evaluate(&c.point), c.p);
            assert_eq!(q.evaluate(&c.point), c.q);
        }
    }
}
