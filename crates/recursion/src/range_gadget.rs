//! The range-check verifier as an R1CS gadget: the in-circuit twin of
//! [`gkr::RangeCheckVerifier::verify`] (logUp over 16-bit limb tables, proven by the GKR
//! fractional sumcheck of [`gkr::fractional`]), transcript operation for transcript operation.
//!
//! # What is checked
//!
//! The statement ([`RangeCheckParams`]: segments, their sizes and kinds, the multiplicity ids) is
//! a circuit constant; the proof ([`RangeCheckProof`]: roots, layer sumchecks, child values,
//! two-column openings) is a witness ([`RangeCheckProofVar`]). Trees: one per segment (leaves
//! `(1, α − f_i)`, unit numerators), then one per used table (leaves `(−m_j, α − T_j)`, range
//! table first); parents `(p_L·q_R + p_R·q_L, q_L·q_R)`.
//!
//! ```text
//! absorb  rc_params        [#segments, (n, tag, shift) per segment]        (constants)
//! squeeze rc_alpha         α
//! squeeze rc_beta          β                       (only if the sign table is used; else β = 0)
//! absorb  frac_roots       [p_0, q_0] per tree
//! for d = 0 .. max_n − 1 (trees with n > d active):
//!   squeeze frac_layer_lambda  λ_d
//!   batched sumcheck, one instance per active tree, degree 3, d rounds:
//!     Σ_x eq(ρ_d, x)·g_λ(child values)(x) = P_t + λ_d·Q_t
//!     g_λ(pL, pR, qL, qR) = pL·qR + pR·qL + λ·qL·qR     (4 child values)
//!     g_λ(qL, qR)         = qL + qR + λ·qL·qR           (last layer of a unit tree, P = 1)
//!   squeeze frac_child_bit     c;  P_t = pL + c·(pR − pL), Q_t = qL + c·(qR − qL),  ρ_{d+1} = (r, c)
//! absorb  rc_top_bit_open  [w(ρ), b(ρ)] per two-column segment
//! ```
//!
//! Constraints (a dishonest proof leaves them unsatisfied, it never makes synthesis fail):
//!
//! * **logUp**, per used table: the roots of the table's tree and of the segments that look it
//!   up sum (parent rule) to `P/Q` with `P = 0` and `Q ≠ 0` (`Q·Q⁻¹ = 1` with `Q⁻¹` a witness);
//! * every layer sumcheck's round checks and final check ([`verify_batched`]), with the
//!   verifier's own `eq(ρ_d, r)`;
//! * leaf checks: a segment's leaf numerator is `1` (by construction for `n ≥ 1`, a constraint
//!   for a tree without variables); a two-column segment's sent `w, b` satisfy
//!   `w + β·t = α − Q` (`t = b`, or `t = 1 − b` for a sign column); a table's leaf denominator is
//!   `Q = α − T(ρ)` with the verifier-computed table MLE `T(ρ) = Σ_k 2^k·ρ_k` (range) or
//!   `Σ_k 2^k·ρ_k + β·ρ_15` (sign).
//!
//! Output ([`RangeCheckOutputVar::claims`]), as the native verifier returns it: per segment in
//! order its limb claim `w(ρ) = α − Q` (`(α − Q)·2^−shift` for `ScaledLimbs`, the sent `w` for a
//! two-column segment, followed by the bit-column claim `b(ρ)`), then `m(ρ) = −P` and
//! `m'(ρ) = −P` of the used tables. These claims still have to be opened against the
//! commitments, which the caller absorbed before (SPEC §6.4's precondition).
//!
//! # Cost
//!
//! The layer sumchecks dominate: a depth-`d` layer is `d` rounds of degree 3 (732 constraints
//! each, transcript included), and the `2^16`-entry table trees always run to depth 16, so any
//! range check costs at least `Σ_{d<16} d` = 120 rounds. Per active tree and layer: the absorb
//! of its 2 or 4 child values, `eq(ρ_d, r)` (`2d − 1`), `g_λ` (2 or 4), the next claims (2).
//! Measured totals are in `docs/recursion.md`.

use ark_ff::{Field, Zero};
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use gkr::fractional::{TreeShape, LABEL_CHILD, LABEL_LAMBDA, LABEL_ROOTS};
use gkr::range_check::{
    LABEL_ALPHA, LABEL_BETA, LABEL_PARAMS, LABEL_TOP_BIT_OPENINGS, LIMB_BITS, TABLE_VARS,
};
use gkr::{RangeCheckParams, RangeCheckProof, SegmentKind, SegmentSpec, Table};
use sumcheck::{EvalClaim, F};

use crate::error::Error;
use crate::sumcheck_gadget::{
    eq_eval, verify_batched, SumcheckInstanceVerifierVar, SumcheckProofVar,
};
use crate::transcript::PoseidonTranscriptVar;

/// Degree of every layer sumcheck: `eq` times the degree-2 combination `g_λ`.
pub const LAYER_DEGREE: usize = 3;

// ---------------------------------------------------------------------------------------------
// The statement's shape (circuit constants), derived from the public `RangeCheckParams` exactly
// as `gkr::range_check` derives it.

/// `(kind tag, shift)` of a segment as `rc_params` absorbs it.
fn segment_tag(s: &SegmentSpec) -> (u64, u64) {
    match s.kind {
        SegmentKind::Limbs => (0, 0),
        SegmentKind::ScaledLimbs { shift } => (1, u64::from(shift)),
        SegmentKind::LimbsWithTopBit { .. } => (2, 0),
        SegmentKind::LimbsWithSignBit { .. } => (3, 0),
    }
}

/// The second column of a two-column segment: `(poly id, complemented)`.
fn bit_column(kind: SegmentKind) -> Option<(usize, bool)> {
    match kind {
        SegmentKind::LimbsWithTopBit { top_bit_poly } => Some((top_bit_poly, false)),
        SegmentKind::LimbsWithSignBit { sign_poly } => Some((sign_poly, true)),
        SegmentKind::Limbs | SegmentKind::ScaledLimbs { .. } => None,
    }
}

/// The table a segment looks up.
fn segment_table(s: &SegmentSpec) -> Table {
    match bit_column(s.kind) {
        None => Table::Range,
        Some(_) => Table::Sign,
    }
}

/// The used tables, in tree order (range, then sign).
pub fn used_tables(params: &RangeCheckParams) -> Vec<Table> {
    [Table::Range, Table::Sign]
        .into_iter()
        .filter(|t| params.uses_table(*t))
        .collect()
}

/// The fraction trees of `params`: one per segment (unit numerators), then one per used table.
pub fn tree_shapes(params: &RangeCheckParams) -> Vec<TreeShape> {
    let mut v: Vec<TreeShape> = params
        .segments()
        .iter()
        .map(|s| TreeShape {
            num_vars: s.num_vars,
            unit_numerators: true,
        })
        .collect();
    v.extend(used_tables(params).iter().map(|_| TreeShape {
        num_vars: TABLE_VARS,
        unit_numerators: false,
    }));
    v
}

/// Number of child values a tree sends at `depth`: 2 for the last layer of a unit tree, else 4.
pub fn child_values(shape: &TreeShape, depth: usize) -> usize {
    if shape.unit_numerators && depth + 1 == shape.num_vars {
        2
    } else {
        4
    }
}

fn num_two_column_segments(params: &RangeCheckParams) -> usize {
    params
        .segments()
        .iter()
        .filter(|s| bit_column(s.kind).is_some())
        .count()
}

fn max_vars(shapes: &[TreeShape]) -> usize {
    shapes.iter().map(|s| s.num_vars).max().unwrap_or(0)
}

/// The trees active at `depth` (those with more than `depth` variables).
fn active_trees(shapes: &[TreeShape], depth: usize) -> Vec<usize> {
    (0..shapes.len())
        .filter(|&t| shapes[t].num_vars > depth)
        .collect()
}

/// Check a native proof against the shape the verifier derives from `params` (the native
/// verifier's `ProofShape` checks, plus the round count and degree of each layer sumcheck).
fn check_proof_shape(params: &RangeCheckParams, proof: &RangeCheckProof) -> Result<(), Error> {
    let shapes = tree_shapes(params);
    let frac = &proof.fractional;
    if frac.roots.len() != shapes.len() {
        return Err(Error::ProofShape {
            what: "fraction tree roots",
            expected: shapes.len(),
            actual: frac.roots.len(),
        });
    }
    let depth_max = max_vars(&shapes);
    if frac.layers.len() != depth_max {
        return Err(Error::ProofShape {
            what: "GKR layers",
            expected: depth_max,
            actual: frac.layers.len(),
        });
    }
    for (depth, layer) in frac.layers.iter().enumerate() {
        let active = active_trees(&shapes, depth);
        if layer.child_evals.len() != active.len() {
            return Err(Error::ProofShape {
                what: "child values of a GKR layer",
                expected: active.len(),
                actual: layer.child_evals.len(),
            });
        }
        for (&t, evals) in active.iter().zip(&layer.child_evals) {
            let expected = child_values(&shapes[t], depth);
            if evals.len() != expected {
                return Err(Error::ProofShape {
                    what: "child values of one tree",
                    expected,
                    actual: evals.len(),
                });
            }
        }
    }
    let two_col = num_two_column_segments(params);
    if proof.top_bit_openings.len() != two_col {
        return Err(Error::ProofShape {
            what: "top-bit openings",
            expected: two_col,
            actual: proof.top_bit_openings.len(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Variables.

/// A fraction `p/q` in the circuit.
#[derive(Clone, Debug)]
pub struct FractionVar {
    /// Numerator.
    pub p: FpVar<F>,
    /// Denominator.
    pub q: FpVar<F>,
}

impl FractionVar {
    /// `0/1`.
    pub fn zero() -> Self {
        Self {
            p: FpVar::zero(),
            q: FpVar::one(),
        }
    }

    /// The parent rule `(p_a·q_b + p_b·q_a, q_a·q_b)` (3 constraints for variable inputs).
    pub fn add(&self, other: &Self) -> Self {
        Self {
            p: &self.p * &other.q + &other.p * &self.q,
            q: &self.q * &other.q,
        }
    }
}

/// The claim `poly(point) = value` in the circuit (the twin of [`EvalClaim`]).
#[derive(Clone, Debug)]
pub struct EvalClaimVar {
    /// The caller's polynomial id (a circuit constant).
    pub poly: usize,
    /// The point (`x_0` first).
    pub point: Vec<FpVar<F>>,
    /// The claimed value.
    pub value: FpVar<F>,
}

impl EvalClaimVar {
    /// The assigned claim.
    pub fn value(&self) -> Result<EvalClaim, SynthesisError> {
        Ok(EvalClaim {
            poly: self.poly,
            point: self
                .point
                .iter()
                .map(|x| x.value())
                .collect::<Result<_, _>>()?,
            value: self.value.value()?,
        })
    }
}

/// One GKR layer of the proof: the batched sumcheck and the child values of each active tree.
#[derive(Clone, Debug)]
pub struct LayerProofVar {
    /// The batched degree-3 sumcheck (`depth` rounds).
    pub sumcheck: SumcheckProofVar,
    /// `[pL, pR, qL, qR]` (or `[qL, qR]`) per active tree, in tree order.
    pub child_evals: Vec<Vec<FpVar<F>>>,
}

/// A [`RangeCheckProof`] in the circuit, laid out by the shape of its [`RangeCheckParams`].
#[derive(Clone, Debug)]
pub struct RangeCheckProofVar {
    /// One root per tree.
    pub roots: Vec<FractionVar>,
    /// One layer per depth `0..max_n`.
    pub layers: Vec<LayerProofVar>,
    /// `[w(ρ), b(ρ)]` per two-column segment.
    pub top_bit_openings: Vec<[FpVar<F>; 2]>,
}

type ProofValue = Result<RangeCheckProof, SynthesisError>;

/// Read one field element of the proof (or pass the missing-value error on).
fn read(
    value: &ProofValue,
    sel: impl FnOnce(&RangeCheckProof) -> Option<F>,
) -> Result<F, SynthesisError> {
    match value {
        Ok(p) => sel(p).ok_or(SynthesisError::AssignmentMissing),
        Err(e) => Err(*e),
    }
}

impl RangeCheckProofVar {
    /// Allocate a range-check proof for `params` in `mode`.
    ///
    /// `f` is called once, eagerly. When it yields a proof, its shape is checked against
    /// `params` (roots, layers, child values per tree and layer, round count and degree of each
    /// layer sumcheck, two-column openings) and a mismatch is an [`Error`], as in the native
    /// verifier. When it yields an error (no witness, e.g. in setup mode) the variables are
    /// allocated without values. A proof is a witness (or an input), never a constant:
    /// `AllocationMode::Constant` is an error (arkworks does not check an equality between two
    /// constants, so a constant proof would not be verified).
    pub fn new_variable(
        cs: ConstraintSystemRef<F>,
        params: &RangeCheckParams,
        f: impl FnOnce() -> ProofValue,
        mode: AllocationMode,
    ) -> Result<Self, Error> {
        if mode == AllocationMode::Constant {
            return Err(Error::Malformed {
                what: "a range-check proof cannot be allocated as constants",
            });
        }
        let value = f();
        if let Ok(proof) = &value {
            check_proof_shape(params, proof)?;
        }
        let alloc = |sel: &dyn Fn(&RangeCheckProof) -> Option<F>| -> Result<FpVar<F>, Error> {
            Ok(FpVar::new_variable(cs.clone(), || read(&value, sel), mode)?)
        };
        let shapes = tree_shapes(params);
        let mut roots = Vec::with_capacity(shapes.len());
        for t in 0..shapes.len() {
            roots.push(FractionVar {
                p: alloc(&|pr| pr.fractional.roots.get(t).map(|r| r.p))?,
                q: alloc(&|pr| pr.fractional.roots.get(t).map(|r| r.q))?,
            });
        }
        let mut layers = Vec::with_capacity(max_vars(&shapes));
        for depth in 0..max_vars(&shapes) {
            let sumcheck = SumcheckProofVar::new_variable(
                cs.clone(),
                depth,
                LAYER_DEGREE,
                || match &value {
                    Ok(p) => p
                        .fractional
                        .layers
                        .get(depth)
                        .map(|l| l.sumcheck.clone())
                        .ok_or(SynthesisError::AssignmentMissing),
                    Err(e) => Err(*e),
                },
                mode,
            )?;
            let mut child_evals = Vec::new();
            for (slot, &t) in active_trees(&shapes, depth).iter().enumerate() {
                let k = child_values(&shapes[t], depth);
                let mut evals = Vec::with_capacity(k);
                for i in 0..k {
                    evals.push(alloc(&|pr| {
                        pr.fractional
                            .layers
                            .get(depth)?
                            .child_evals
                            .get(slot)?
                            .get(i)
                            .copied()
                    })?);
                }
                child_evals.push(evals);
            }
            layers.push(LayerProofVar {
                sumcheck,
                child_evals,
            });
        }
        let mut top_bit_openings = Vec::new();
        for s in 0..num_two_column_segments(params) {
            top_bit_openings.push([
                alloc(&|pr| pr.top_bit_openings.get(s).map(|o| o[0]))?,
                alloc(&|pr| pr.top_bit_openings.get(s).map(|o| o[1]))?,
            ]);
        }
        Ok(Self {
            roots,
            layers,
            top_bit_openings,
        })
    }

    /// Allocate a proof as a witness (see [`Self::new_variable`]).
    pub fn new_witness(
        cs: ConstraintSystemRef<F>,
        params: &RangeCheckParams,
        f: impl FnOnce() -> ProofValue,
    ) -> Result<Self, Error> {
        Self::new_variable(cs, params, f, AllocationMode::Witness)
    }
}

// ---------------------------------------------------------------------------------------------
// The fractional GKR.

/// The claim a tree's leaves end on, in the circuit (the twin of [`gkr::LeafClaim`]).
#[derive(Clone, Debug)]
pub struct LeafClaimVar {
    /// The point (`n` coordinates, low bit first).
    pub point: Vec<FpVar<F>>,
    /// `p̃_n(point)` (the constant `1` for a unit tree with `n ≥ 1`).
    pub p: FpVar<F>,
    /// `q̃_n(point)`.
    pub q: FpVar<F>,
}

/// One tree's instance of a layer sumcheck:
/// `Σ_x eq(ρ_d, x)·g_λ(children)(x) = P + λ·Q`.
struct LayerInstanceVar<'a> {
    tau: &'a [FpVar<F>],
    lambda: &'a FpVar<F>,
    /// Two child values `[qL, qR]` (last layer of a unit tree) instead of four.
    unit: bool,
    claim: FpVar<F>,
}

impl SumcheckInstanceVerifierVar for LayerInstanceVar<'_> {
    fn num_rounds(&self) -> usize {
        self.tau.len()
    }
    fn degree(&self) -> usize {
        LAYER_DEGREE
    }
    fn input_claim(&self) -> FpVar<F> {
        self.claim.clone()
    }
    fn expected_output_claim(
        &self,
        r: &[FpVar<F>],
        final_evals: &[FpVar<F>],
    ) -> Result<FpVar<F>, Error> {
        let g = match (self.unit, final_evals) {
            (true, [ql, qr]) => ql + qr + self.lambda * (ql * qr),
            (false, [pl, pr, ql, qr]) => pl * qr + pr * ql + self.lambda * (ql * qr),
            _ => {
                return Err(Error::WrongNumberOfFinalEvals {
                    instance: 0,
                    expected: if self.unit { 2 } else { 4 },
                    actual: final_evals.len(),
                })
            }
        };
        Ok(eq_eval(self.tau, r)? * g)
    }
}

/// Fold the child values at the child challenge `c`.
fn child_claim(evals: &[FpVar<F>], c: &FpVar<F>) -> Result<FractionVar, Error> {
    match evals {
        [pl, pr, ql, qr] => Ok(FractionVar {
            p: pl + c * (pr - pl),
            q: ql + c * (qr - ql),
        }),
        [ql, qr] => Ok(FractionVar {
            p: FpVar::one(),
            q: ql + c * (qr - ql),
        }),
        _ => Err(Error::ProofShape {
            what: "child values of one tree",
            expected: 4,
            actual: evals.len(),
        }),
    }
}

/// The fractional GKR verifier in-circuit (the twin of [`gkr::fractional::verify_fractional`]):
/// absorb the roots, run every layer, return one leaf claim per tree (in order). The roots are
/// only absorbed here; what they must satisfy is the caller's business.
pub fn verify_fractional(
    shapes: &[TreeShape],
    roots: &[FractionVar],
    layers: &[LayerProofVar],
    transcript: &mut PoseidonTranscriptVar,
) -> Result<Vec<LeafClaimVar>, Error> {
    if roots.len() != shapes.len() {
        return Err(Error::ProofShape {
            what: "fraction tree roots",
            expected: shapes.len(),
            actual: roots.len(),
        });
    }
    let depth_max = max_vars(shapes);
    if layers.len() != depth_max {
        return Err(Error::ProofShape {
            what: "GKR layers",
            expected: depth_max,
            actual: layers.len(),
        });
    }
    let flat: Vec<FpVar<F>> = roots
        .iter()
        .flat_map(|r| [r.p.clone(), r.q.clone()])
        .collect();
    transcript.append_fields(LABEL_ROOTS, &flat)?;

    let mut claims: Vec<FractionVar> = roots.to_vec();
    let mut leaves: Vec<Option<LeafClaimVar>> = shapes
        .iter()
        .zip(roots)
        .map(|(s, r)| {
            (s.num_vars == 0).then(|| LeafClaimVar {
                point: Vec::new(),
                p: r.p.clone(),
                q: r.q.clone(),
            })
        })
        .collect();
    let mut point: Vec<FpVar<F>> = Vec::new();
    for (depth, layer) in layers.iter().enumerate() {
        let lambda = transcript.challenge(LABEL_LAMBDA)?;
        let active = active_trees(shapes, depth);
        if layer.child_evals.len() != active.len() {
            return Err(Error::ProofShape {
                what: "child values of a GKR layer",
                expected: active.len(),
                actual: layer.child_evals.len(),
            });
        }
        let mut instances = Vec::with_capacity(active.len());
        for (&t, evals) in active.iter().zip(&layer.child_evals) {
            let expected = child_values(&shapes[t], depth);
            if evals.len() != expected {
                return Err(Error::ProofShape {
                    what: "child values of one tree",
                    expected,
                    actual: evals.len(),
                });
            }
            instances.push(LayerInstanceVar {
                tau: &point,
                lambda: &lambda,
                unit: expected == 2,
                claim: &claims[t].p + &lambda * &claims[t].q,
            });
        }
        let refs: Vec<&dyn SumcheckInstanceVerifierVar> = instances
            .iter()
            .map(|i| i as &dyn SumcheckInstanceVerifierVar)
            .collect();
        let out = verify_batched(&refs, &layer.sumcheck, &layer.child_evals, transcript)?;
        let mut r = out.rounds.r;
        drop(instances);
        if r.len() != depth {
            return Err(Error::ProofShape {
                what: "sumcheck rounds of a GKR layer",
                expected: depth,
                actual: r.len(),
            });
        }
        let c = transcript.challenge(LABEL_CHILD)?;
        r.push(c.clone());
        point = r;
        for (&t, evals) in active.iter().zip(&layer.child_evals) {
            claims[t] = child_claim(evals, &c)?;
            if shapes[t].num_vars == depth + 1 {
                leaves[t] = Some(LeafClaimVar {
                    point: point.clone(),
                    p: claims[t].p.clone(),
                    q: claims[t].q.clone(),
                });
            }
        }
    }
    leaves
        .into_iter()
        .map(|l| {
            l.ok_or(Error::ProofShape {
                what: "a tree ended without a leaf claim",
                expected: 1,
                actual: 0,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The range-check verifier.

/// What [`RangeCheckVerifierVar::verify`] derives.
#[derive(Clone, Debug)]
pub struct RangeCheckOutputVar {
    /// The logUp challenge `α`.
    pub alpha: FpVar<F>,
    /// The column-combining challenge `β` (the constant `0` when the sign table is unused).
    pub beta: FpVar<F>,
    /// The claims on the caller's polynomials, in the native verifier's order (module docs).
    pub claims: Vec<EvalClaimVar>,
}

/// The in-circuit range-check verifier of one statement (the twin of
/// [`gkr::RangeCheckVerifier`]).
#[derive(Clone, Copy, Debug)]
pub struct RangeCheckVerifierVar<'p> {
    params: &'p RangeCheckParams,
}

/// `Σ_k 2^k·r_k`: the identity table's MLE (linear, no constraint).
fn identity_table_mle(r: &[FpVar<F>]) -> FpVar<F> {
    r.iter()
        .rev()
        .fold(FpVar::zero(), |acc, x| acc * F::from(2u64) + x)
}

/// Enforce `x ≠ 0` by an inverse witness: `x·x⁻¹ = 1` (1 constraint). A zero `x` in a dishonest
/// proof leaves the constraint unsatisfied instead of failing synthesis.
fn enforce_nonzero(x: &FpVar<F>) -> Result<(), Error> {
    if let FpVar::Constant(c) = x {
        return if c.is_zero() {
            Err(SynthesisError::Unsatisfiable.into())
        } else {
            Ok(())
        };
    }
    let inv = FpVar::new_witness(x.cs(), || Ok(x.value()?.inverse().unwrap_or_else(F::zero)))?;
    x.mul_equals(&inv, &FpVar::one())?;
    Ok(())
}

impl<'p> RangeCheckVerifierVar<'p> {
    /// The verifier of `params`.
    pub fn new(params: &'p RangeCheckParams) -> Self {
        Self { params }
    }

    /// Absorb the statement's shape (constants) and squeeze `α` and, if the sign table is used,
    /// `β` (else `β = 0`).
    fn challenges(
        &self,
        transcript: &mut PoseidonTranscriptVar,
    ) -> Result<(FpVar<F>, FpVar<F>), Error> {
        let segments = self.params.segments();
        let mut shape = Vec::with_capacity(1 + 3 * segments.len());
        shape.push(FpVar::constant(F::from(segments.len() as u64)));
        for s in segments {
            let (tag, shift) = segment_tag(s);
            shape.extend(
                [s.num_vars as u64, tag, shift]
                    .into_iter()
                    .map(|x| FpVar::constant(F::from(x))),
            );
        }
        transcript.append_fields(LABEL_PARAMS, &shape)?;
        let alpha = transcript.challenge(LABEL_ALPHA)?;
        let beta = if self.params.uses_table(Table::Sign) {
            transcript.challenge(LABEL_BETA)?
        } else {
            FpVar::zero()
        };
        Ok((alpha, beta))
    }

    /// Verify `proof` in-circuit and return the claims on the segments and multiplicity vectors
    /// (order: module docs). The transcript must already hold the commitments to every segment,
    /// bit column and multiplicity vector. A dishonest proof leaves the constraint system
    /// unsatisfied; only shape mismatches are errors.
    pub fn verify(
        &self,
        proof: &RangeCheckProofVar,
        transcript: &mut PoseidonTranscriptVar,
    ) -> Result<RangeCheckOutputVar, Error> {
        let params = self.params;
        let segments = params.segments();
        let (alpha, beta) = self.challenges(transcript)?;
        let shapes = tree_shapes(params);
        if proof.roots.len() != shapes.len() {
            return Err(Error::ProofShape {
                what: "fraction tree roots",
                expected: shapes.len(),
                actual: proof.roots.len(),
            });
        }
        let two_col = num_two_column_segments(params);
        if proof.top_bit_openings.len() != two_col {
            return Err(Error::ProofShape {
                what: "top-bit openings",
                expected: two_col,
                actual: proof.top_bit_openings.len(),
            });
        }

        // logUp: per table, the roots of its segments and of its own tree sum to 0/Q, Q ≠ 0.
        let tables = used_tables(params);
        for (k, &table) in tables.iter().enumerate() {
            let table_root = proof.roots.get(segments.len() + k);
            let sum = segments
                .iter()
                .zip(&proof.roots)
                .filter(|(s, _)| segment_table(s) == table)
                .map(|(_, r)| r)
                .chain(table_root)
                .fold(FractionVar::zero(), |a, b| a.add(b));
            enforce_nonzero(&sum.q)?;
            sum.p.enforce_equal(&FpVar::zero())?;
        }

        let leaves = verify_fractional(&shapes, &proof.roots, &proof.layers, transcript)?;
        let flat: Vec<FpVar<F>> = proof.top_bit_openings.iter().flatten().cloned().collect();
        transcript.append_fields(LABEL_TOP_BIT_OPENINGS, &flat)?;
        let claims = self.output_claims(&alpha, &beta, &leaves, &proof.top_bit_openings)?;
        Ok(RangeCheckOutputVar {
            alpha,
            beta,
            claims,
        })
    }

    /// The leaf checks and the output claims (the twin of the native `output_claims`).
    fn output_claims(
        &self,
        alpha: &FpVar<F>,
        beta: &FpVar<F>,
        leaves: &[LeafClaimVar],
        top_bit_openings: &[[FpVar<F>; 2]],
    ) -> Result<Vec<EvalClaimVar>, Error> {
        let params = self.params;
        let segments = params.segments();
        let tables = used_tables(params);
        if leaves.len() != segments.len() + tables.len() {
            return Err(Error::ProofShape {
                what: "leaf claims",
                expected: segments.len() + tables.len(),
                actual: leaves.len(),
            });
        }
        let mut openings = top_bit_openings.iter();
        let mut claims = Vec::with_capacity(leaves.len() + top_bit_openings.len());
        for (spec, leaf) in segments.iter().zip(leaves) {
            // The constant 1 for a unit tree with variables; a constraint for one without.
            leaf.p.enforce_equal(&FpVar::one())?;
            let f = alpha - &leaf.q;
            let claim = |poly: usize, value: FpVar<F>| EvalClaimVar {
                poly,
                point: leaf.point.clone(),
                value,
            };
            match spec.kind {
                SegmentKind::Limbs => claims.push(claim(spec.poly, f)),
                SegmentKind::ScaledLimbs { shift } => {
                    let inv = F::from(1u64 << shift).inverse().ok_or(Error::Malformed {
                        what: "ScaledLimbs shift",
                    })?;
                    claims.push(claim(spec.poly, f * inv));
                }
                SegmentKind::LimbsWithTopBit { .. } | SegmentKind::LimbsWithSignBit { .. } => {
                    let [w, b] = openings.next().ok_or(Error::ProofShape {
                        what: "top-bit openings",
                        expected: num_two_column_segments(params),
                        actual: top_bit_openings.len(),
                    })?;
                    let (bit_poly, complemented) =
                        bit_column(spec.kind).ok_or(Error::Malformed {
                            what: "two-column segment without a bit column",
                        })?;
                    let top = if complemented {
                        FpVar::one() - b
                    } else {
                        b.clone()
                    };
                    // w + β·t = α − Q  ⇔  β·t = α − Q − w (1 constraint).
                    beta.mul_equals(&top, &(&f - w))?;
                    claims.push(claim(spec.poly, w.clone()));
                    claims.push(claim(bit_poly, b.clone()));
                }
            }
        }
        for (&table, leaf) in tables.iter().zip(&leaves[segments.len()..]) {
            if leaf.point.len() != TABLE_VARS {
                return Err(Error::ProofShape {
                    what: "table leaf point",
                    expected: TABLE_VARS,
                    actual: leaf.point.len(),
                });
            }
            let id = identity_table_mle(&leaf.point);
            let t = match table {
                Table::Range => id,
                Table::Sign => id + beta * &leaf.point[(LIMB_BITS - 1) as usize],
            };
            leaf.q.enforce_equal(&(alpha - t))?;
            claims.push(EvalClaimVar {
                poly: params.multiplicity_poly(table),
                point: leaf.point.clone(),
                value: FpVar::zero() - &leaf.p,
            });
        }
        Ok(claims)
    }
}
