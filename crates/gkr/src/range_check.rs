//! Range checks: logUp lookups of 16-bit limbs, proven with the GKR fractional sumcheck
//! ([`crate::fractional`]); no inverse is ever committed.
//!
//! # Statement
//!
//! Public: [`RangeCheckParams`], a list of witness segments (each a power-of-two vector that the
//! caller has committed, named by a caller-chosen polynomial id) and the ids of the multiplicity
//! vectors. Two tables of `2^16` entries, indexed by `j ∈ [0, 2^16)`:
//!
//! | table | entry `T_j` | MLE at `r ∈ F^16` (the verifier computes it) | looked up by |
//! |---|---|---|---|
//! | [`Table::Range`] | `j` | `Σ_k 2^k·r_k` | [`SegmentKind::Limbs`], [`SegmentKind::ScaledLimbs`] |
//! | [`Table::Sign`] | `j + β·(j >> 15)` | `Σ_k 2^k·r_k + β·r_15` | [`SegmentKind::LimbsWithTopBit`], [`SegmentKind::LimbsWithSignBit`] |
//!
//! Witness entries (the looked-up value `f_i` of entry `i` of a segment `w`):
//! `Limbs`: `f_i = w_i`; `ScaledLimbs { shift }`: `f_i = 2^shift·w_i` (paired with a `Limbs`
//! segment on the same vector it proves `w_i < 2^(16 - shift)`); `LimbsWithTopBit`:
//! `f_i = w_i + β·b_i` with the committed bit column `b` (proves `w_i < 2^16` and
//! `b_i = w_i >> 15`); `LimbsWithSignBit`: `f_i = w_i + β·(1 − s_i)` with the committed sign
//! column `s` (proves `s_i = 1 − (w_i >> 15)`).
//!
//! # Protocol
//!
//! The caller has committed every segment and the multiplicity vectors `m` (range table) and
//! `m'` (sign table), **and absorbed those commitments into the transcript before calling
//! [`RangeCheckProver::prove`] / [`RangeCheckVerifier::verify`]** — the challenges below are
//! only sound if drawn after that.
//!
//! 1. absorb the shape [`rc_params`](LABEL_PARAMS); squeeze `α` [`rc_alpha`](LABEL_ALPHA) and,
//!    if a segment uses the sign table, `β` [`rc_beta`](LABEL_BETA);
//! 2. one fraction tree per segment, leaves `(1, α − f_i)` (unit numerators: not stored, not
//!    sent), then one per used table, leaves `(−m_j, α − T_j)` (tree order = segment order, then
//!    range table, then sign table);
//! 3. the fractional GKR ([`crate::fractional`]) on all trees at once. The verifier checks, per
//!    table, that the roots of the table's tree and of its segments' trees sum to `0/Q` with
//!    `Q ≠ 0` (logUp: `Σ_i 1/(α − f_i) = Σ_j m_j/(α − T_j)`);
//! 4. for each two-column segment the prover sends `w(ρ)`, `b(ρ)` at the segment's leaf
//!    point [`rc_top_bit_open`](LABEL_TOP_BIT_OPENINGS);
//! 5. leaf checks and output claims (verifier): a segment's leaf claim `(P, Q)` at `ρ` must
//!    have `P = 1`, and gives `w(ρ) = α − Q` (`Limbs`), `w(ρ) = (α − Q)/2^shift`
//!    (`ScaledLimbs`), or `w(ρ) + β·b(ρ) = α − Q` (`LimbsWithTopBit`; `w(ρ) + β·(1 − s(ρ))` for
//!    `LimbsWithSignBit`) checked with the sent values;
//!    a table's leaf claim must have `Q = α − T(ρ)` and gives `m(ρ) = −P`.
//!
//! The output is a list of [`EvalClaim`]s on the caller's polynomial ids (segments in order —
//! the limb claim, then the bit-column claim for two-column segments — then `m`, then `m'`), which
//! the caller must reduce and open against the commitments. Segments with the same number of
//! variables get claims at the same point.

use ark_ff::{AdditiveGroup, Field, One, PrimeField, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sumcheck::field::PAR_THRESHOLD;
use sumcheck::{EvalClaim, MultilinearPoly, Transcript, F};

use crate::error::GkrError;
use crate::fractional::{
    prove_fractional, verify_fractional, Fraction, FractionTree, FractionalProof, LeafClaim,
    TreeShape,
};

/// Bits of a limb.
pub const LIMB_BITS: u32 = 16;
/// Number of variables of each table.
pub const TABLE_VARS: usize = LIMB_BITS as usize;
/// Entries of each table.
pub const TABLE_SIZE: usize = 1 << TABLE_VARS;
/// Most variables a segment may have.
pub const MAX_SEGMENT_VARS: usize = 40;

/// Transcript label: the statement's shape.
pub const LABEL_PARAMS: &[u8] = b"rc_params";
/// Transcript label: the logUp challenge `α`.
pub const LABEL_ALPHA: &[u8] = b"rc_alpha";
/// Transcript label: the column-combining challenge `β` of the sign table.
pub const LABEL_BETA: &[u8] = b"rc_beta";
/// Transcript label: `w(ρ), b(ρ)` of every segment with a top-bit column.
pub const LABEL_TOP_BIT_OPENINGS: &[u8] = b"rc_top_bit_open";

/// What a segment's entries are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// `w_i ∈ [0, 2^16)` (range table).
    Limbs,
    /// `2^shift·w_i ∈ [0, 2^16)` as field elements (range table), `shift ∈ 1..=15`. Together with
    /// a [`SegmentKind::Limbs`] segment on the same vector this proves `w_i ∈ [0, 2^(16-shift))`;
    /// alone it proves nothing useful.
    ScaledLimbs {
        /// The shift `16 - s` for an `s`-bit bound.
        shift: u32,
    },
    /// The pair `(w_i, b_i)` is in `{(j, j >> 15)}` (sign table), where `b` is the committed
    /// polynomial `top_bit_poly`: `w_i ∈ [0, 2^16)` and `b_i` is its top bit.
    LimbsWithTopBit {
        /// The caller's id of the top-bit column.
        top_bit_poly: usize,
    },
    /// As [`SegmentKind::LimbsWithTopBit`], but the committed column is the complement
    /// `s_i = 1 − (w_i >> 15)`: the sign bit of a signed value whose top offset limb is `w`
    /// (`s = 1` iff the value is negative), as ReLU uses it. Looked up as `w_i + β·(1 − s_i)`.
    LimbsWithSignBit {
        /// The caller's id of the sign column.
        sign_poly: usize,
    },
}

impl SegmentKind {
    /// The second column of a two-column lookup: `(poly id, complemented)`.
    fn bit_column(&self) -> Option<(usize, bool)> {
        match *self {
            Self::LimbsWithTopBit { top_bit_poly } => Some((top_bit_poly, false)),
            Self::LimbsWithSignBit { sign_poly } => Some((sign_poly, true)),
            Self::Limbs | Self::ScaledLimbs { .. } => None,
        }
    }
}

/// One witness segment: a committed vector of `2^num_vars` entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SegmentSpec {
    /// The caller's id of the committed polynomial (used in the output claims). Several
    /// segments may name the same polynomial (e.g. `Limbs` and `ScaledLimbs`).
    pub poly: usize,
    /// `log2` of the segment's length.
    pub num_vars: usize,
    /// The lookup.
    pub kind: SegmentKind,
}

impl SegmentSpec {
    /// A segment of 16-bit limbs.
    pub fn limbs(poly: usize, num_vars: usize) -> Self {
        Self {
            poly,
            num_vars,
            kind: SegmentKind::Limbs,
        }
    }

    /// The shifted copy of a segment (see [`SegmentKind::ScaledLimbs`]).
    pub fn scaled(poly: usize, num_vars: usize, shift: u32) -> Self {
        Self {
            poly,
            num_vars,
            kind: SegmentKind::ScaledLimbs { shift },
        }
    }

    /// A segment of limbs with their top-bit column.
    pub fn with_top_bit(poly: usize, top_bit_poly: usize, num_vars: usize) -> Self {
        Self {
            poly,
            num_vars,
            kind: SegmentKind::LimbsWithTopBit { top_bit_poly },
        }
    }

    /// A segment of limbs with its sign column `1 − top bit`.
    pub fn with_sign_bit(poly: usize, sign_poly: usize, num_vars: usize) -> Self {
        Self {
            poly,
            num_vars,
            kind: SegmentKind::LimbsWithSignBit { sign_poly },
        }
    }

    fn table(&self) -> Table {
        match self.kind.bit_column() {
            None => Table::Range,
            Some(_) => Table::Sign,
        }
    }

    /// `(kind tag, shift)` for the transcript.
    fn tag(&self) -> (u64, u64) {
        match self.kind {
            SegmentKind::Limbs => (0, 0),
            SegmentKind::ScaledLimbs { shift } => (1, u64::from(shift)),
            SegmentKind::LimbsWithTopBit { .. } => (2, 0),
            SegmentKind::LimbsWithSignBit { .. } => (3, 0),
        }
    }
}

/// The two lookup tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// `{j : j ∈ [0, 2^16)}`.
    Range,
    /// `{(j, j >> 15) : j ∈ [0, 2^16)}`, one column `j + β·(j >> 15)`.
    Sign,
}

impl Table {
    fn group(self) -> usize {
        match self {
            Self::Range => 0,
            Self::Sign => 1,
        }
    }
}

/// The public statement shared by prover and verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeCheckParams {
    segments: Vec<SegmentSpec>,
    range_multiplicity_poly: usize,
    sign_multiplicity_poly: usize,
}

impl RangeCheckParams {
    /// Check and wrap a statement. `range_multiplicity_poly` / `sign_multiplicity_poly` are the
    /// caller's ids of `m` / `m'`; an id is only used if some segment looks up that table.
    pub fn new(
        segments: Vec<SegmentSpec>,
        range_multiplicity_poly: usize,
        sign_multiplicity_poly: usize,
    ) -> Result<Self, GkrError> {
        if segments.is_empty() {
            return Err(GkrError::InvalidParams {
                what: "a range check needs at least one segment",
            });
        }
        for s in &segments {
            if s.num_vars > MAX_SEGMENT_VARS {
                return Err(GkrError::InvalidParams {
                    what: "segment has more than MAX_SEGMENT_VARS variables",
                });
            }
            if let SegmentKind::ScaledLimbs { shift } = s.kind {
                if !(1..LIMB_BITS).contains(&shift) {
                    return Err(GkrError::InvalidParams {
                        what: "ScaledLimbs shift must be in 1..=15",
                    });
                }
            }
        }
        // One polynomial id, one size.
        let mut sizes: Vec<(usize, usize)> = Vec::new();
        let mut add = |id: usize, n: usize| -> Result<(), GkrError> {
            match sizes.iter().find(|(i, _)| *i == id) {
                Some((_, m)) if *m != n => Err(GkrError::InvalidParams {
                    what: "one polynomial id is used with two different sizes",
                }),
                Some(_) => Ok(()),
                None => {
                    sizes.push((id, n));
                    Ok(())
                }
            }
        };
        for s in &segments {
            add(s.poly, s.num_vars)?;
            if let Some((bit_poly, _)) = s.kind.bit_column() {
                if bit_poly == s.poly {
                    return Err(GkrError::InvalidParams {
                        what: "top-bit / sign column must be a polynomial of its own",
                    });
                }
                add(bit_poly, s.num_vars)?;
            }
        }
        let me = Self {
            segments,
            range_multiplicity_poly,
            sign_multiplicity_poly,
        };
        for t in [Table::Range, Table::Sign] {
            if me.uses_table(t) {
                add(me.multiplicity_poly(t), TABLE_VARS)?;
            }
        }
        Ok(me)
    }

    /// The segments, in order.
    pub fn segments(&self) -> &[SegmentSpec] {
        &self.segments
    }

    /// True iff some segment looks up `table` (only then is its multiplicity vector part of the
    /// statement).
    pub fn uses_table(&self, table: Table) -> bool {
        self.segments.iter().any(|s| s.table() == table)
    }

    /// The caller's id of the multiplicity vector of `table`.
    pub fn multiplicity_poly(&self, table: Table) -> usize {
        match table {
            Table::Range => self.range_multiplicity_poly,
            Table::Sign => self.sign_multiplicity_poly,
        }
    }

    /// The tables used, in tree order.
    fn tables(&self) -> Vec<Table> {
        [Table::Range, Table::Sign]
            .into_iter()
            .filter(|t| self.uses_table(*t))
            .collect()
    }

    /// Shape of each fraction tree: segments (unit numerators), then the used tables.
    fn tree_shapes(&self) -> Vec<TreeShape> {
        let mut v: Vec<TreeShape> = self
            .segments
            .iter()
            .map(|s| TreeShape {
                num_vars: s.num_vars,
                unit_numerators: true,
            })
            .collect();
        v.extend(self.tables().iter().map(|_| TreeShape {
            num_vars: TABLE_VARS,
            unit_numerators: false,
        }));
        v
    }

    fn num_top_bit_segments(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| s.kind.bit_column().is_some())
            .count()
    }

    /// Absorb the shape, squeeze `(α, β)` (`β = 0` when the sign table is unused).
    fn challenges<T: Transcript>(&self, transcript: &mut T) -> (F, F) {
        let mut shape = Vec::with_capacity(1 + 3 * self.segments.len());
        shape.push(F::from(self.segments.len() as u64));
        for s in &self.segments {
            let (tag, shift) = s.tag();
            shape.extend([F::from(s.num_vars as u64), F::from(tag), F::from(shift)]);
        }
        transcript.append_fields(LABEL_PARAMS, &shape);
        let alpha = transcript.challenge(LABEL_ALPHA);
        let beta = if self.uses_table(Table::Sign) {
            transcript.challenge(LABEL_BETA)
        } else {
            F::zero()
        };
        (alpha, beta)
    }
}

/// The prover's view of one segment: slices of the committed vectors.
#[derive(Clone, Copy, Debug)]
pub struct SegmentWitness<'a> {
    /// The segment's entries `w` (`2^num_vars` of them).
    pub limbs: &'a [F],
    /// The bit column `b` (top bit or sign): `Some` exactly for
    /// [`SegmentKind::LimbsWithTopBit`] and [`SegmentKind::LimbsWithSignBit`].
    pub top_bits: Option<&'a [F]>,
}

impl<'a> SegmentWitness<'a> {
    /// A segment without a top-bit column.
    pub fn new(limbs: &'a [F]) -> Self {
        Self {
            limbs,
            top_bits: None,
        }
    }

    /// A segment with its top-bit column.
    pub fn with_top_bits(limbs: &'a [F], top_bits: &'a [F]) -> Self {
        Self {
            limbs,
            top_bits: Some(top_bits),
        }
    }
}

/// The multiplicity vectors (`2^16` entries each; empty for an unused table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multiplicities {
    /// `m_j` = how often `j` is looked up in the range table.
    pub range: Vec<F>,
    /// `m'_j` = how often `(j, j >> 15)` is looked up in the sign table.
    pub sign: Vec<F>,
}

impl Multiplicities {
    /// The vector of `table`.
    pub fn get(&self, table: Table) -> &[F] {
        match table {
            Table::Range => &self.range,
            Table::Sign => &self.sign,
        }
    }
}

/// Read `x` as an integer below `bound`.
fn small(x: &F, bound: u64) -> Option<u64> {
    let b = x.into_bigint().0;
    (b[1..].iter().all(|&l| l == 0) && b[0] < bound).then_some(b[0])
}

fn check_shapes(
    params: &RangeCheckParams,
    segments: &[SegmentWitness<'_>],
) -> Result<(), GkrError> {
    if segments.len() != params.segments.len() {
        return Err(GkrError::InvalidParams {
            what: "one witness per segment expected",
        });
    }
    for (i, (spec, w)) in params.segments.iter().zip(segments).enumerate() {
        let n = 1usize << spec.num_vars;
        let shape = |len: usize| GkrError::WitnessShape {
            segment: i,
            expected: n,
            actual: len,
        };
        if w.limbs.len() != n {
            return Err(shape(w.limbs.len()));
        }
        match (spec.kind.bit_column(), w.top_bits) {
            (Some(_), Some(b)) if b.len() != n => return Err(shape(b.len())),
            (Some(_), None) => {
                return Err(GkrError::InvalidParams {
                    what: "a two-column segment needs its bit column",
                })
            }
            (None, Some(_)) => {
                return Err(GkrError::InvalidParams {
                    what: "only two-column segments take a bit column",
                })
            }
            _ => {}
        }
    }
    Ok(())
}

/// The table index an entry looks up, or `None` if it is in no entry of the table.
fn table_index(kind: SegmentKind, w: &F, b: Option<&F>) -> Option<usize> {
    let j = small(w, TABLE_SIZE as u64)?;
    match kind {
        SegmentKind::Limbs => Some(j as usize),
        SegmentKind::ScaledLimbs { shift } => {
            let s = j.checked_shl(shift).filter(|&s| s < TABLE_SIZE as u64)?;
            Some(s as usize)
        }
        SegmentKind::LimbsWithTopBit { .. } => {
            let bit = small(b?, 2)?;
            (bit == j >> (LIMB_BITS - 1)).then_some(j as usize)
        }
        SegmentKind::LimbsWithSignBit { .. } => {
            let sign = small(b?, 2)?;
            (sign == 1 - (j >> (LIMB_BITS - 1))).then_some(j as usize)
        }
    }
}

/// The honest prover's multiplicities for `segments`; an error names the first entry that is in
/// no table entry. Also checks shapes.
pub fn compute_multiplicities(
    params: &RangeCheckParams,
    segments: &[SegmentWitness<'_>],
) -> Result<Multiplicities, GkrError> {
    check_shapes(params, segments)?;
    let mut counts = [vec![0u64; 0], vec![0u64; 0]];
    for t in params.tables() {
        counts[t.group()] = vec![0u64; TABLE_SIZE];
    }
    for (si, (spec, w)) in params.segments.iter().zip(segments).enumerate() {
        let index = |i: usize| {
            table_index(spec.kind, &w.limbs[i], w.top_bits.map(|b| &b[i])).ok_or(
                GkrError::WitnessOutOfRange {
                    segment: si,
                    index: i,
                },
            )
        };
        let n = w.limbs.len();
        let hist = if n >= PAR_THRESHOLD {
            (0..n)
                .into_par_iter()
                .with_min_len(PAR_THRESHOLD)
                .try_fold(
                    || vec![0u64; TABLE_SIZE],
                    |mut h, i| {
                        h[index(i)?] += 1;
                        Ok::<_, GkrError>(h)
                    },
                )
                .try_reduce(
                    || vec![0u64; TABLE_SIZE],
                    |mut a, b| {
                        a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                        Ok(a)
                    },
                )?
        } else {
            let mut h = vec![0u64; TABLE_SIZE];
            for i in 0..n {
                h[index(i)?] += 1;
            }
            h
        };
        let c = &mut counts[spec.table().group()];
        c.iter_mut().zip(&hist).for_each(|(x, y)| *x += y);
    }
    let [range, sign] = counts.map(|c| c.into_iter().map(F::from).collect());
    Ok(Multiplicities { range, sign })
}

/// The proof: the fractional GKR and the two-column openings.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RangeCheckProof {
    /// Roots and layers of the fraction trees.
    pub fractional: FractionalProof,
    /// `[w(ρ), b(ρ)]` for every two-column segment, in segment order.
    pub top_bit_openings: Vec<[F; 2]>,
}

impl RangeCheckProof {
    /// Compressed canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decode [`Self::to_bytes`]; garbage, non-canonical field elements and trailing bytes are
    /// errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, GkrError> {
        let mut reader = bytes;
        let proof = Self::deserialize_compressed(&mut reader)?;
        if !reader.is_empty() {
            return Err(GkrError::Deserialization {
                what: "trailing bytes after range-check proof".into(),
            });
        }
        Ok(proof)
    }
}

/// The prover half.
#[derive(Clone, Copy, Debug)]
pub struct RangeCheckProver<'p> {
    params: &'p RangeCheckParams,
}

/// The verifier half.
#[derive(Clone, Copy, Debug)]
pub struct RangeCheckVerifier<'p> {
    params: &'p RangeCheckParams,
}

/// `α − x` for every entry (parallel when large).
fn denominators(n: usize, f: impl Fn(usize) -> F + Sync + Send) -> Vec<F> {
    if n >= PAR_THRESHOLD {
        (0..n).into_par_iter().map(f).collect()
    } else {
        (0..n).map(f).collect()
    }
}

/// `Σ_k 2^k·r_k`: the MLE of the identity table `T_j = j` at `r`.
fn identity_table_mle(r: &[F]) -> F {
    r.iter().rev().fold(F::zero(), |acc, x| acc.double() + x)
}

/// `T(r)` of `table` at its 16-coordinate point.
fn table_mle(table: Table, r: &[F], beta: F) -> Option<F> {
    if r.len() != TABLE_VARS {
        return None;
    }
    let id = identity_table_mle(r);
    Some(match table {
        Table::Range => id,
        Table::Sign => id + beta * r[TABLE_VARS - 1],
    })
}

impl<'p> RangeCheckProver<'p> {
    /// The prover of `params`.
    pub fn new(params: &'p RangeCheckParams) -> Self {
        Self { params }
    }

    /// Prove that every segment's entries are in their table. The transcript must already hold
    /// the commitments to every segment and to the multiplicity vectors.
    ///
    /// `multiplicities` come from [`compute_multiplicities`] (which the caller needed anyway to
    /// commit them). Only shapes are checked here: a witness outside the table, or wrong
    /// multiplicities, yield a proof that the verifier rejects. Returns the proof and the output
    /// claims (identical to what [`RangeCheckVerifier::verify`] returns).
    pub fn prove<T: Transcript>(
        &self,
        segments: &[SegmentWitness<'_>],
        multiplicities: &Multiplicities,
        transcript: &mut T,
    ) -> Result<(RangeCheckProof, Vec<EvalClaim>), GkrError> {
        let params = self.params;
        check_shapes(params, segments)?;
        for t in params.tables() {
            if multiplicities.get(t).len() != TABLE_SIZE {
                return Err(GkrError::InvalidParams {
                    what: "multiplicity vector must have 2^16 entries",
                });
            }
        }
        let (alpha, beta) = params.challenges(transcript);

        // Leaves.
        let mut trees = Vec::with_capacity(params.tree_shapes().len());
        for (spec, w) in params.segments.iter().zip(segments) {
            let n = w.limbs.len();
            let q = match (spec.kind, w.top_bits) {
                (SegmentKind::Limbs, _) => denominators(n, |i| alpha - w.limbs[i]),
                (SegmentKind::ScaledLimbs { shift }, _) => {
                    let s = F::from(1u64 << shift);
                    denominators(n, |i| alpha - s * w.limbs[i])
                }
                (SegmentKind::LimbsWithTopBit { .. }, Some(b)) => {
                    denominators(n, |i| alpha - w.limbs[i] - beta * b[i])
                }
                (SegmentKind::LimbsWithSignBit { .. }, Some(s)) => {
                    // α − w − β·(1 − s)
                    let a = alpha - beta;
                    denominators(n, |i| a - w.limbs[i] + beta * s[i])
                }
                (
                    SegmentKind::LimbsWithTopBit { .. } | SegmentKind::LimbsWithSignBit { .. },
                    None,
                ) => {
                    return Err(GkrError::InvalidParams {
                        what: "a two-column segment needs its bit column",
                    })
                }
            };
            trees.push(FractionTree::with_unit_numerators(q)?);
        }
        for t in params.tables() {
            let m = multiplicities.get(t);
            let p: Vec<F> = m.iter().map(|x| -*x).collect();
            let q = denominators(TABLE_SIZE, |j| {
                let tj = F::from(j as u64);
                match t {
                    Table::Range => alpha - tj,
                    Table::Sign => alpha - tj - beta * F::from((j >> (LIMB_BITS - 1)) as u64),
                }
            });
            trees.push(FractionTree::new(p, q)?);
        }

        let (fractional, leaves) = prove_fractional(trees, transcript)?;

        let mut top_bit_openings = Vec::with_capacity(params.num_top_bit_segments());
        for ((spec, w), leaf) in params.segments.iter().zip(segments).zip(&leaves) {
            if let (Some(_), Some(b)) = (spec.kind.bit_column(), w.top_bits) {
                let l = MultilinearPoly::new(w.limbs.to_vec())?;
                let b = MultilinearPoly::new(b.to_vec())?;
                let (lv, bv) = (l.try_evaluate(&leaf.point), b.try_evaluate(&leaf.point));
                match (lv, bv) {
                    (Some(lv), Some(bv)) => top_bit_openings.push([lv, bv]),
                    _ => {
                        return Err(GkrError::InvalidParams {
                            what: "leaf point of the wrong dimension",
                        })
                    }
                }
            }
        }
        let flat: Vec<F> = top_bit_openings.iter().flatten().copied().collect();
        transcript.append_fields(LABEL_TOP_BIT_OPENINGS, &flat);

        let claims = output_claims(params, alpha, beta, &leaves, &top_bit_openings)?;
        Ok((
            RangeCheckProof {
                fractional,
                top_bit_openings,
            },
            claims,
        ))
    }
}

impl<'p> RangeCheckVerifier<'p> {
    /// The verifier of `params`.
    pub fn new(params: &'p RangeCheckParams) -> Self {
        Self { params }
    }

    /// Verify `proof` and return the evaluation claims on the segments and multiplicity vectors
    /// (order: see the module docs) that the caller must open against its commitments. The
    /// transcript must already hold those commitments. Never panics.
    pub fn verify<T: Transcript>(
        &self,
        proof: &RangeCheckProof,
        transcript: &mut T,
    ) -> Result<Vec<EvalClaim>, GkrError> {
        let params = self.params;
        let (alpha, beta) = params.challenges(transcript);
        let shapes = params.tree_shapes();
        let roots = &proof.fractional.roots;
        if roots.len() != shapes.len() {
            return Err(GkrError::ProofShape {
                what: "fraction tree roots",
                expected: shapes.len(),
                actual: roots.len(),
            });
        }
        if proof.top_bit_openings.len() != params.num_top_bit_segments() {
            return Err(GkrError::ProofShape {
                what: "top-bit openings",
                expected: params.num_top_bit_segments(),
                actual: proof.top_bit_openings.len(),
            });
        }
        // logUp: per table, the roots of its segments and of its own tree sum to zero.
        let tables = params.tables();
        for (k, &table) in tables.iter().enumerate() {
            let table_root = roots.get(params.segments.len() + k).copied();
            let sum = params
                .segments
                .iter()
                .zip(roots)
                .filter(|(s, _)| s.table() == table)
                .map(|(_, r)| *r)
                .chain(table_root)
                .fold(Fraction::zero(), |a, b| a + b);
            let group = table.group();
            if sum.q.is_zero() {
                return Err(GkrError::ZeroDenominator { group });
            }
            if !sum.p.is_zero() {
                return Err(GkrError::LookupSumNonZero {
                    group,
                    numerator: sum.p,
                });
            }
        }

        let leaves = verify_fractional(&shapes, &proof.fractional, transcript)?;
        let flat: Vec<F> = proof.top_bit_openings.iter().flatten().copied().collect();
        transcript.append_fields(LABEL_TOP_BIT_OPENINGS, &flat);
        output_claims(params, alpha, beta, &leaves, &proof.top_bit_openings)
    }
}

/// Check the leaf claims the verifier can check itself and turn the others into claims on the
/// caller's polynomials.
fn output_claims(
    params: &RangeCheckParams,
    alpha: F,
    beta: F,
    leaves: &[LeafClaim],
    top_bit_openings: &[[F; 2]],
) -> Result<Vec<EvalClaim>, GkrError> {
    let tables = params.tables();
    if leaves.len() != params.segments.len() + tables.len() {
        return Err(GkrError::ProofShape {
            what: "leaf claims",
            expected: params.segments.len() + tables.len(),
            actual: leaves.len(),
        });
    }
    let mut openings = top_bit_openings.iter();
    let mut claims = Vec::with_capacity(leaves.len() + top_bit_openings.len());
    for (tree, (spec, leaf)) in params.segments.iter().zip(leaves).enumerate() {
        if !leaf.p.is_one() {
            return Err(GkrError::LeafCheckFailed {
                tree,
                what: "witness leaf numerator is not 1",
            });
        }
        let f = alpha - leaf.q;
        let claim = |poly: usize, value: F| EvalClaim {
            poly,
            point: leaf.point.clone(),
            value,
        };
        match spec.kind {
            SegmentKind::Limbs => claims.push(claim(spec.poly, f)),
            SegmentKind::ScaledLimbs { shift } => {
                let inv = F::from(1u64 << shift)
                    .inverse()
                    .ok_or(GkrError::InvalidParams {
                        what: "ScaledLimbs shift",
                    })?;
                claims.push(claim(spec.poly, f * inv));
            }
            SegmentKind::LimbsWithTopBit { .. } | SegmentKind::LimbsWithSignBit { .. } => {
                let [w, b] = *openings.next().ok_or(GkrError::ProofShape {
                    what: "top-bit openings",
                    expected: params.num_top_bit_segments(),
                    actual: top_bit_openings.len(),
                })?;
                let (bit_poly, complemented) =
                    spec.kind.bit_column().ok_or(GkrError::InvalidParams {
                        what: "two-column segment without a bit column",
                    })?;
                let top = if complemented { F::one() - b } else { b };
                if w + beta * top != f {
                    return Err(GkrError::LeafCheckFailed {
                        tree,
                        what: "w(ρ) + β·t(ρ) differs from α − q(ρ)",
                    });
                }
                claims.push(claim(spec.poly, w));
                claims.push(claim(bit_poly, b));
            }
        }
    }
    for (k, (&table, leaf)) in tables
        .iter()
        .zip(&leaves[params.segments.len()..])
        .enumerate()
    {
        let tree = params.segments.len() + k;
        let t = table_mle(table, &leaf.point, beta).ok_or(GkrError::LeafCheckFailed {
            tree,
            what: "table leaf point has the wrong dimension",
        })?;
        if leaf.q != alpha - t {
            return Err(GkrError::LeafCheckFailed {
                tree,
                what: "table denominator differs from α − T(ρ)",
            });
        }
        claims.push(EvalClaim {
            poly: params.multiplicity_poly(table),
            point: leaf.point.clone(),
            value: -leaf.p,
        });
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn table_mles_match_the_tables() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let r: Vec<F> = (0..TABLE_VARS).map(|_| F::rand(&mut rng)).collect();
        let beta = F::rand(&mut rng);
        let range: Vec<F> = (0..TABLE_SIZE as u64).map(F::from).collect();
        let sign: Vec<F> = (0..TABLE_SIZE as u64)
            .map(|j| F::from(j) + beta * F::from(j >> 15))
            .collect();
        let range = MultilinearPoly::new(range).unwrap();
        let sign = MultilinearPoly::new(sign).unwrap();
        assert_eq!(table_mle(Table::Range, &r, beta), Some(range.evaluate(&r)));
        assert_eq!(table_mle(Table::Sign, &r, beta), Some(sign.evaluate(&r)));
        assert_eq!(table_mle(Table::Range, &r[1..], beta), None);
    }

    #[test]
    fn small_reads_only_small_integers() {
        assert_eq!(small(&F::from(5u64), 16), Some(5));
        assert_eq!(small(&F::from(16u64), 16), None);
        assert_eq!(small(&-F::one(), 1 << 16), None);
    }
}
