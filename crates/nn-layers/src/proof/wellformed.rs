//! One-time well-formedness proofs of the dataset commitment `C_D` and of a private initial
//! model commitment `C_W_0` (protocol: `docs/protocol.md`, "Well-formedness of `C_D` and
//! `C_W_0`").
//!
//! The step proofs hold over padded index sets; they are sound only if the padding of the
//! dataset and of the initial model is zero, the labels are one-hot and the values are in range.
//! These proofs establish exactly that, once per run:
//!
//! * [`prove_dataset_wellformed`] / [`verify_dataset_wellformed`]: every padding entry of the
//!   dataset vector ([`DatasetLayout`]) is zero, every label entry is 0 or 1 with exactly one 1
//!   per row, and every input entry lies in `[0, 2^F]`;
//! * [`prove_model_wellformed`] / [`verify_model_wellformed`]: every padding entry of the model
//!   vector ([`model_layout`]) is zero (padded weight rows and columns, padded bias entries, the
//!   unused tail) and every entry lies in `[−2^(B−1), 2^(B−1))`.
//!
//! Both use a Poseidon transcript, an auxiliary commitment to the range-check limbs and
//! multiplicities (absorbed before any challenge), and one merged batched HyperKZG opening of
//! all claims on the target commitment and the auxiliary commitment.

use std::sync::Arc;

use ark_bn254::G1Affine;
use ark_ff::{Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use gkr::limbs::{SignedLimbs, UnsignedLimbs};
use gkr::range_check::{
    Multiplicities, RangeCheckParams, RangeCheckProof, RangeCheckProver, RangeCheckVerifier,
    SegmentKind, SegmentWitness, TABLE_SIZE,
};
use gkr::relations::{half_point, pow2};
use gkr::step::{index_bits, prove_merge, verify_merge, ClaimBook, MergeProof, VerifyError};
use pcs::hyperkzg::{Commitment, ProverKey, VerifierKey};
use pcs::HyperKzg;
use sumcheck::field::from_i64;
use sumcheck::instances::zerocheck::draw_tau;
use sumcheck::{
    prove_batched, verify_batched, Combiner, EvalClaim, MultilinearPoly, PoseidonTranscript,
    SumcheckInstanceVerifier, SumcheckProof, Transcript, ZeroCheckProver, ZeroCheckVerifier, F,
};

use crate::aux::AuxLayout;
use crate::fixed::FixedConfig;
use crate::model::Model;
use crate::params::Params;
use crate::proof::layout::{
    bias_name, model_layout, model_vector, weight_name, DataCommitment, DatasetLayout, WeightShape,
};
use crate::proof::ProofError;

type PResult<T> = Result<T, ProofError>;

/// Transcript domain of dataset well-formedness proofs.
pub const DATASET_DOMAIN: &[u8] = b"zkpot-wellformed-data-v1";
/// Transcript domain of model well-formedness proofs.
pub const MODEL_DOMAIN: &[u8] = b"zkpot-wellformed-model-v1";
/// Magic of a serialized [`DatasetWellFormedProof`].
pub const DATASET_PROOF_MAGIC: [u8; 8] = *b"ZKPOTWFD";
/// Magic of a serialized [`ModelWellFormedProof`].
pub const MODEL_PROOF_MAGIC: [u8; 8] = *b"ZKPOTWFM";
/// Format version of both proofs.
pub const WELLFORMED_VERSION: u32 = 2;

const L_SHAPE: &[u8] = b"wf_shape";
const L_DIGEST: &[u8] = b"wf_model_digest";
const L_TARGET: &[u8] = b"wf_commitment";
const L_AUX: &[u8] = b"wf_aux_commitment";
const L_PAD: &[u8] = b"wf_pad";
const L_ROW: &[u8] = b"wf_row";

const TARGET: usize = 0;
const AUX: usize = 1;
const MULT: &str = "mult";

/// Proof that a dataset commitment is well formed (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct DatasetWellFormedProof {
    /// Commitment to the range-check limbs of the inputs and of `2^F − input`, and the
    /// multiplicities.
    pub aux: G1Affine,
    /// The label booleanity zero-check.
    pub booleanity: SumcheckProof,
    /// Its final evaluation `[L̃(r)]`.
    pub booleanity_evals: Vec<Vec<F>>,
    /// Range check of the limbs.
    pub range: RangeCheckProof,
    /// All claims merged and opened at one point.
    pub merge: MergeProof,
}

/// Proof that a model commitment is well formed (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ModelWellFormedProof {
    /// Commitment to the signed limbs of the model vector and the multiplicities.
    pub aux: G1Affine,
    /// Range check of the limbs.
    pub range: RangeCheckProof,
    /// All claims merged and opened at one point.
    pub merge: MergeProof,
}

fn to_bytes_impl<T: CanonicalSerialize>(magic: &[u8; 8], v: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + v.compressed_size());
    out.extend_from_slice(magic);
    out.extend_from_slice(&WELLFORMED_VERSION.to_le_bytes());
    // Writing into a Vec cannot fail.
    let _ = v.serialize_compressed(&mut out);
    out
}

fn from_bytes_impl<T: CanonicalDeserialize>(
    magic: &[u8; 8],
    bytes: &[u8],
) -> Result<T, VerifyError> {
    let rest = bytes.strip_prefix(&magic[..]).ok_or_else(|| {
        VerifyError::malformed("not a well-formedness proof of this kind (magic)")
    })?;
    let (version, mut reader) = match rest {
        [a, b, c, d, tail @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]), tail),
        _ => return Err(VerifyError::malformed("truncated header")),
    };
    if version != WELLFORMED_VERSION {
        return Err(VerifyError::malformed(format!(
            "well-formedness proof version {version}, this build reads {WELLFORMED_VERSION}"
        )));
    }
    let v = T::deserialize_compressed(&mut reader)
        .map_err(|e| VerifyError::malformed(e.to_string()))?;
    if !reader.is_empty() {
        return Err(VerifyError::malformed("trailing bytes after the proof"));
    }
    Ok(v)
}

impl DatasetWellFormedProof {
    /// `magic ‖ version (u32 LE) ‖ compressed canonical encoding`.
    pub fn to_bytes(&self) -> Vec<u8> {
        to_bytes_impl(&DATASET_PROOF_MAGIC, self)
    }
    /// Decode [`Self::to_bytes`]; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        from_bytes_impl(&DATASET_PROOF_MAGIC, bytes)
    }
}

impl ModelWellFormedProof {
    /// `magic ‖ version (u32 LE) ‖ compressed canonical encoding`.
    pub fn to_bytes(&self) -> Vec<u8> {
        to_bytes_impl(&MODEL_PROOF_MAGIC, self)
    }
    /// Decode [`Self::to_bytes`]; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        from_bytes_impl(&MODEL_PROOF_MAGIC, bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

/// Decompose `[start, end)` into maximal aligned power-of-two blocks `(log size, block index)`.
pub fn aligned_blocks(start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        let mut m = if pos == 0 {
            usize::BITS as usize - 1
        } else {
            pos.trailing_zeros() as usize
        };
        while m > 0 && (1usize << m.min(63)) > end - pos {
            m -= 1;
        }
        out.push((m, pos >> m));
        pos += 1 << m;
    }
    out
}

fn booleanity() -> Combiner {
    Combiner::Custom {
        degree: 2,
        f: Arc::new(|v: &[F]| match v {
            [e] => *e * (F::one() - e),
            _ => F::zero(),
        }),
    }
}

fn unsupported(what: &'static str) -> ProofError {
    ProofError::Unsupported { what }
}

fn claim_err(_: VerifyError) -> ProofError {
    unsupported("well-formedness claim bookkeeping")
}

/// Limbs of `v` (low first): the low limbs are `v mod 2^16` chunks, the top limb takes whatever
/// remains (out of the table for an out-of-range `v`, which the range check then rejects).
fn raw_limbs(v: i128, num_limbs: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(num_limbs);
    let mut rest = v;
    for k in 0..num_limbs {
        if k + 1 == num_limbs {
            out.push(rest.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
        } else {
            out.push(rest.rem_euclid(1 << 16) as i64);
            rest = rest.div_euclid(1 << 16);
        }
    }
    out
}

/// Multiplicities counting only in-table lookups (an honest witness is fully counted; a
/// dishonest one keeps its out-of-table entries, which logUp then rejects).
fn lenient_multiplicities(params: &RangeCheckParams, cols: &[Vec<i64>]) -> Vec<i64> {
    let mut range = vec![0i64; TABLE_SIZE];
    for spec in params.segments() {
        let Some(w) = cols.get(spec.poly) else {
            continue;
        };
        let shift = match spec.kind {
            SegmentKind::Limbs => 0,
            SegmentKind::ScaledLimbs { shift } => shift,
            _ => continue,
        };
        for &v in w {
            if (0..TABLE_SIZE as i64).contains(&v) {
                let s = (v as u64) << shift;
                if s < TABLE_SIZE as u64 {
                    range[s as usize] += 1;
                }
            }
        }
    }
    range
}

/// The auxiliary vector: named limb segments plus the range multiplicities.
struct AuxWitness {
    vector: Vec<i64>,
    /// Per aux segment position, its values (`Vec::new()` for unused).
    cols: Vec<Vec<i64>>,
}

fn build_aux(
    layout: AuxLayout,
    named: Vec<(String, Vec<i64>)>,
    params: &RangeCheckParams,
) -> PResult<AuxWitness> {
    let mut cols: Vec<Vec<i64>> = vec![Vec::new(); layout.segments.len()];
    for (name, v) in named {
        let (i, _) = seg_pos(&layout, &name).ok_or(unsupported("aux segment"))?;
        cols[i] = v;
    }
    let m = lenient_multiplicities(params, &cols);
    let (mi, _) = seg_pos(&layout, MULT).ok_or(unsupported("aux segment"))?;
    cols[mi] = m;
    let mut vector = vec![0i64; layout.total_len];
    for (s, c) in layout.segments.iter().zip(&cols) {
        if c.len() > s.padded_len {
            return Err(unsupported("aux segment overflow"));
        }
        vector[s.offset..s.offset + c.len()].copy_from_slice(c);
    }
    Ok(AuxWitness { vector, cols })
}

fn seg_pos<'a>(layout: &'a AuxLayout, name: &str) -> Option<(usize, &'a crate::aux::Segment)> {
    layout
        .segments
        .iter()
        .enumerate()
        .find(|(_, s)| s.name == name)
}

/// Run the range check for the aux witness; returns the proof and the output claims (on aux
/// segment positions).
fn prove_range<T: Transcript>(
    params: &RangeCheckParams,
    aux: &AuxWitness,
    tr: &mut T,
) -> PResult<(RangeCheckProof, Vec<EvalClaim>)> {
    let fcols: Vec<Vec<F>> = aux
        .cols
        .iter()
        .map(|c| c.iter().map(|&v| from_i64(v)).collect())
        .collect();
    let segs: Vec<SegmentWitness<'_>> = params
        .segments()
        .iter()
        .map(|s| SegmentWitness::new(fcols.get(s.poly).map_or(&[][..], Vec::as_slice)))
        .collect();
    let mi = params.multiplicity_poly(gkr::range_check::Table::Range);
    let m = Multiplicities {
        range: fcols.get(mi).cloned().unwrap_or_default(),
        sign: Vec::new(),
    };
    Ok(RangeCheckProver::new(params).prove(&segs, &m, tr)?)
}

/// Record the range-check output claims (aux segment positions) on the aux polynomial.
fn book_range_claims(
    book: &mut ClaimBook,
    layout: &AuxLayout,
    claims: &[EvalClaim],
) -> Result<(), VerifyError> {
    for c in claims {
        let s = layout
            .segments
            .get(c.poly)
            .ok_or_else(|| VerifyError::malformed("range-check claim on an unknown segment"))?;
        book.add_segment(AUX, &c.point, s.index(), c.value)?;
    }
    Ok(())
}

/// The claims of `claims` on the polynomials `ids`, in that order (first claim per id).
fn claims_of(claims: &[EvalClaim], ids: &[usize]) -> Result<Vec<EvalClaim>, VerifyError> {
    ids.iter()
        .map(|id| {
            claims
                .iter()
                .find(|c| c.poly == *id)
                .cloned()
                .ok_or_else(|| VerifyError::malformed("missing range-check limb claim"))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Dataset.

/// The dataset statement derived from the public layout and `F`.
struct DataShape {
    layout: DatasetLayout,
    frac_bits: u32,
    scheme: UnsignedLimbs,
    aux: AuxLayout,
    range: RangeCheckParams,
    /// Aux positions of the limbs of `x` and of `2^F − x`.
    a_ids: Vec<usize>,
    b_ids: Vec<usize>,
}

fn a_name(k: usize) -> String {
    format!("in.a{k}")
}
fn b_name(k: usize) -> String {
    format!("in.b{k}")
}

impl DataShape {
    fn new(layout: &DatasetLayout, fixed: &FixedConfig) -> PResult<Self> {
        let bad = unsupported("dataset layout not supported by the well-formedness proof");
        if !layout.rows.is_power_of_two()
            || !layout.half.is_power_of_two()
            || layout.input_len == 0
            || layout.input_len > layout.half
            || layout.num_classes == 0
            || layout.num_classes > layout.half
        {
            return Err(bad);
        }
        let scheme = UnsignedLimbs::new(fixed.frac_bits + 1)
            .map_err(|_| unsupported("F + 1 must be at most 32 bits"))?;
        let len = layout.rows * layout.half;
        let k = scheme.num_limbs();
        let mut items: Vec<(String, usize)> = Vec::new();
        for i in 0..k {
            items.push((a_name(i), len));
        }
        for i in 0..k {
            items.push((b_name(i), len));
        }
        items.push((MULT.to_string(), TABLE_SIZE));
        let aux = AuxLayout::new(items)?;
        let pos = |n: String| seg_pos(&aux, &n).map(|(i, _)| i).ok_or(unsupported("aux"));
        let a_ids: Vec<usize> = (0..k).map(|i| pos(a_name(i))).collect::<PResult<_>>()?;
        let b_ids: Vec<usize> = (0..k).map(|i| pos(b_name(i))).collect::<PResult<_>>()?;
        let xv = layout.col_vars() + layout.row_vars();
        let mut segs = scheme.segments(&a_ids, xv)?;
        segs.extend(scheme.segments(&b_ids, xv)?);
        let mi = pos(MULT.to_string())?;
        let range = RangeCheckParams::new(segs, mi, mi)?;
        Ok(Self {
            layout: *layout,
            frac_bits: fixed.frac_bits,
            scheme,
            aux,
            range,
            a_ids,
            b_ids,
        })
    }

    /// Absorb the statement and the two commitments.
    fn absorb<T: Transcript>(&self, tr: &mut T, c_d: &G1Affine, c_aux: &G1Affine) {
        let l = &self.layout;
        tr.append_fields(
            L_SHAPE,
            &[
                F::from(l.rows as u64),
                F::from(l.half as u64),
                F::from(l.input_len as u64),
                F::from(l.num_classes as u64),
                F::from(u64::from(self.frac_bits)),
            ],
        );
        tr.append_g1(L_TARGET, c_d);
        tr.append_g1(L_AUX, c_aux);
    }

    /// `D(col ‖ half ‖ row)`.
    fn point(&self, col: &[F], half: bool, row: &[F]) -> Vec<F> {
        let mut p = col.to_vec();
        p.push(if half { F::one() } else { F::zero() });
        p.extend_from_slice(row);
        p
    }

    /// The padding claims (all with value 0) at the random point `r` (`num_vars` coordinates).
    fn padding_claims(&self, book: &mut ClaimBook, r: &[F]) -> Result<(), VerifyError> {
        let l = &self.layout;
        let cv = l.col_vars();
        let row = r.get(cv + 1..).unwrap_or_default();
        for (start, half) in [(l.input_len, false), (l.num_classes, true)] {
            for (m, idx) in aligned_blocks(start, l.half) {
                let mut col = r.get(..m).unwrap_or_default().to_vec();
                col.extend(index_bits(idx, cv.saturating_sub(m)));
                book.add(TARGET, self.point(&col, half, row), F::zero())?;
            }
        }
        Ok(())
    }
}

/// Prove that the dataset vector `values` committed in `data` is well formed (Poseidon
/// transcript). A malformed vector yields a proof that the verifier rejects.
pub fn prove_dataset_wellformed(
    pk: &ProverKey,
    data: &DataCommitment,
    values: &[i64],
    fixed: &FixedConfig,
) -> PResult<DatasetWellFormedProof> {
    let sh = DataShape::new(&data.layout, fixed)?;
    let l = &sh.layout;
    if values.len() != l.len() {
        return Err(unsupported(
            "dataset vector length does not match its layout",
        ));
    }
    let (p, k) = (l.half, sh.scheme.num_limbs());
    // The input block X(col, row) and the label block L(col, row).
    let mut x = Vec::with_capacity(l.rows * p);
    let mut lab = Vec::with_capacity(l.rows * p);
    for row in values.chunks(2 * p) {
        x.extend_from_slice(row.get(..p).unwrap_or_default());
        lab.extend_from_slice(row.get(p..).unwrap_or_default());
    }
    let top = 1i128 << sh.frac_bits;
    let mut named: Vec<(String, Vec<i64>)> = (0..k)
        .map(|i| (a_name(i), Vec::with_capacity(x.len())))
        .chain((0..k).map(|i| (b_name(i), Vec::with_capacity(x.len()))))
        .collect();
    for &v in &x {
        let a = raw_limbs(i128::from(v), k);
        let b = raw_limbs(top - i128::from(v), k);
        for (i, limb) in a.into_iter().chain(b).enumerate() {
            if let Some((_, col)) = named.get_mut(i) {
                col.push(limb);
            }
        }
    }
    let aux = build_aux(sh.aux.clone(), named, &sh.range)?;
    let c_aux = HyperKzg::commit_i64(pk, &aux.vector)?;

    let mut tr = PoseidonTranscript::new(DATASET_DOMAIN);
    sh.absorb(&mut tr, &data.commitment, &c_aux.0);
    let mut book = ClaimBook::new(vec![l.num_vars(), sh.aux.num_vars() as usize]);

    // Padding.
    let r = tr.challenges(L_PAD, l.num_vars());
    sh.padding_claims(&mut book, &r).map_err(claim_err)?;

    // Label booleanity.
    let (cv, rv) = (l.col_vars(), l.row_vars());
    let tau = draw_tau(&mut tr, cv + rv);
    let mut zc = ZeroCheckProver::new(tau, vec![MultilinearPoly::from_i64s(&lab)], booleanity())?;
    let (booleanity_sc, rb, finals) = prove_batched(&mut [&mut zc], &mut tr);
    let lv = finals
        .first()
        .and_then(|f| f.first())
        .copied()
        .ok_or(unsupported("booleanity evaluation"))?;
    let (rc, rr) = rb.split_at(cv.min(rb.len()));
    book.add(TARGET, sh.point(rc, true, rr), lv)
        .map_err(claim_err)?;

    // One 1 per row: Σ_col L(col, ρ) = 1, i.e. L̃(½…, ρ) = 1/P.
    let rho = tr.challenges(L_ROW, rv);
    book.add(
        TARGET,
        sh.point(&half_point(cv), true, &rho),
        row_sum_value(l),
    )
    .map_err(claim_err)?;

    // Inputs in [0, 2^F].
    let (range, rc_claims) = prove_range(&sh.range, &aux, &mut tr)?;
    book_range_claims(&mut book, &sh.aux, &rc_claims).map_err(claim_err)?;
    let xc = input_claim(&sh, &rc_claims).map_err(claim_err)?;
    book.add(TARGET, xc.0, xc.1).map_err(claim_err)?;

    let dpoly = MultilinearPoly::from_i64s(values);
    let apoly = MultilinearPoly::from_i64s(&aux.vector);
    let merge = prove_merge(
        pk,
        &[&dpoly, &apoly],
        &[Commitment(data.commitment), c_aux],
        &book,
        &mut tr,
    )?;
    Ok(DatasetWellFormedProof {
        aux: c_aux.0,
        booleanity: booleanity_sc,
        booleanity_evals: finals,
        range,
        merge,
    })
}

/// `1/P`: the value of `L̃(½…½, ρ)` when every row sums to 1.
fn row_sum_value(l: &DatasetLayout) -> F {
    F::from(l.half as u64).inverse().unwrap_or_else(F::zero)
}

/// From the range-check claims: the claim `D(r_col ‖ 0 ‖ r_row) = x̃(r)` with
/// `x̃(r) = compose(a limbs)`, after checking `compose(b limbs) = 2^F − x̃(r)`.
fn input_claim(sh: &DataShape, claims: &[EvalClaim]) -> Result<(Vec<F>, F), VerifyError> {
    let a = sh
        .scheme
        .value_claim(&claims_of(claims, &sh.a_ids)?, TARGET)
        .map_err(VerifyError::from)?;
    let b = sh
        .scheme
        .value_claim(&claims_of(claims, &sh.b_ids)?, TARGET)
        .map_err(VerifyError::from)?;
    if a.point != b.point {
        return Err(VerifyError::malformed("input limb claims at two points"));
    }
    let expected = pow2(sh.frac_bits) - a.value;
    if b.value != expected {
        return Err(VerifyError::relation(
            "wellformed.input_upper_bound",
            expected,
            b.value,
        ));
    }
    let cv = sh.layout.col_vars();
    let (rc, rr) = a.point.split_at(cv.min(a.point.len()));
    Ok((sh.point(rc, false, rr), a.value))
}

/// Verify a [`DatasetWellFormedProof`] for `data` at `F = fixed.frac_bits`. Never panics.
pub fn verify_dataset_wellformed(
    vk: &VerifierKey,
    data: &DataCommitment,
    fixed: &FixedConfig,
    proof: &DatasetWellFormedProof,
) -> Result<(), VerifyError> {
    let sh = DataShape::new(&data.layout, fixed).map_err(|_| VerifyError::Statement {
        what: "dataset layout or F not supported",
    })?;
    let l = &sh.layout;
    let mut tr = PoseidonTranscript::new(DATASET_DOMAIN);
    sh.absorb(&mut tr, &data.commitment, &proof.aux);
    let mut book = ClaimBook::new(vec![l.num_vars(), sh.aux.num_vars() as usize]);

    let r = tr.challenges(L_PAD, l.num_vars());
    sh.padding_claims(&mut book, &r)?;

    let (cv, rv) = (l.col_vars(), l.row_vars());
    let tau = draw_tau(&mut tr, cv + rv);
    let zc = ZeroCheckVerifier::zero_check(tau, 1, booleanity());
    if proof.booleanity_evals.len() != 1 || proof.booleanity_evals.first().map(Vec::len) != Some(1)
    {
        return Err(VerifyError::EvalShape {
            group: "wellformed.booleanity",
            expected: 1,
            actual: proof.booleanity_evals.iter().map(Vec::len).sum(),
        });
    }
    let rb = verify_batched(
        &[&zc as &dyn SumcheckInstanceVerifier],
        &proof.booleanity,
        &proof.booleanity_evals,
        &mut tr,
    )
    .map_err(|source| VerifyError::Sumcheck {
        phase: "wellformed.booleanity",
        source,
    })?;
    let lv = proof
        .booleanity_evals
        .first()
        .and_then(|f| f.first())
        .copied()
        .ok_or_else(|| VerifyError::malformed("booleanity evaluation"))?;
    if rb.len() != cv + rv {
        return Err(VerifyError::malformed("booleanity point"));
    }
    let (rc, rr) = rb.split_at(cv);
    book.add(TARGET, sh.point(rc, true, rr), lv)?;

    let rho = tr.challenges(L_ROW, rv);
    book.add(
        TARGET,
        sh.point(&half_point(cv), true, &rho),
        row_sum_value(l),
    )?;

    let rc_claims = RangeCheckVerifier::new(&sh.range).verify(&proof.range, &mut tr)?;
    book_range_claims(&mut book, &sh.aux, &rc_claims)?;
    let (xp, xv) = input_claim(&sh, &rc_claims)?;
    book.add(TARGET, xp, xv)?;

    verify_merge(
        vk,
        &[Commitment(data.commitment), Commitment(proof.aux)],
        &book,
        &proof.merge,
        &mut tr,
    )
}

// ---------------------------------------------------------------------------------------------
// Model.

struct ModelShape {
    layout: AuxLayout,
    digest: [u8; 32],
    fixed: FixedConfig,
    scheme: SignedLimbs,
    aux: AuxLayout,
    range: RangeCheckParams,
    limb_ids: Vec<usize>,
    /// Zero blocks: `(segment index, log segment size, local point builder)` are derived from
    /// these (weight/bias descriptors).
    layers: Vec<(usize, WeightShape)>,
}

fn limb_name(k: usize) -> String {
    format!("w.limb{k}")
}

impl ModelShape {
    fn new(model: &Model, fixed: &FixedConfig) -> PResult<Self> {
        let layout = model_layout(model)?;
        let layers: Vec<(usize, WeightShape)> = model
            .layers
            .iter()
            .enumerate()
            .filter_map(|(l, spec)| WeightShape::of(spec).map(|w| (l, w)))
            .collect();
        let scheme = SignedLimbs::new(fixed.value_bits)
            .map_err(|_| unsupported("B must be 16, 32 or 48"))?;
        let k = scheme.num_limbs();
        let mut items: Vec<(String, usize)> =
            (0..k).map(|i| (limb_name(i), layout.total_len)).collect();
        items.push((MULT.to_string(), TABLE_SIZE));
        let aux = AuxLayout::new(items)?;
        let pos = |n: String| seg_pos(&aux, &n).map(|(i, _)| i).ok_or(unsupported("aux"));
        let limb_ids: Vec<usize> = (0..k).map(|i| pos(limb_name(i))).collect::<PResult<_>>()?;
        let segs = scheme.segments(&limb_ids, None, layout.num_vars() as usize)?;
        let mi = pos(MULT.to_string())?;
        let range = RangeCheckParams::new(segs, mi, mi)?;
        Ok(Self {
            layout,
            digest: model.digest(fixed),
            fixed: *fixed,
            scheme,
            aux,
            range,
            limb_ids,
            layers,
        })
    }

    fn absorb<T: Transcript>(&self, tr: &mut T, c_w: &G1Affine, c_aux: &G1Affine) {
        tr.append_bytes(L_DIGEST, &self.digest);
        tr.append_fields(
            L_SHAPE,
            &[
                F::from(self.layout.total_len as u64),
                F::from(u64::from(self.fixed.frac_bits)),
                F::from(u64::from(self.fixed.value_bits)),
            ],
        );
        tr.append_g1(L_TARGET, c_w);
        tr.append_g1(L_AUX, c_aux);
    }

    /// Padding claims (value 0) at the random point `r` (`num_vars` coordinates).
    fn padding_claims(&self, book: &mut ClaimBook, r: &[F]) -> Result<(), VerifyError> {
        let seg = |name: &str| {
            self.layout
                .segment(name)
                .ok_or_else(|| VerifyError::malformed("model layout segment"))
        };
        let take = |a: usize, b: usize| r.get(a..b).unwrap_or_default().to_vec();
        for (l, ws) in &self.layers {
            // Each padded axis (low variables first): the blocks past its real size, with
            // every other axis at `r`'s coordinates.
            let axes: Vec<(usize, usize)> = match *ws {
                WeightShape::Dense { inputs, outputs } => vec![
                    (outputs, ws.bias_vars()),
                    (inputs, ws.weight_vars() - ws.bias_vars()),
                ],
                WeightShape::Conv {
                    in_channels,
                    out_channels,
                    kernel,
                } => {
                    let kv = kernel.next_power_of_two().trailing_zeros() as usize;
                    let cv = in_channels.next_power_of_two().trailing_zeros() as usize;
                    vec![
                        (kernel, kv),
                        (kernel, kv),
                        (in_channels, cv),
                        (out_channels, ws.bias_vars()),
                    ]
                }
            };
            let w = seg(&weight_name(*l))?;
            let mut lo = 0;
            for &(real, v) in &axes {
                for (m, idx) in aligned_blocks(real, 1 << v) {
                    let mut p = take(0, lo + m);
                    p.extend(index_bits(idx, v.saturating_sub(m)));
                    p.extend(take(lo + v, ws.weight_vars()));
                    book.add_segment(TARGET, &p, w.index(), F::zero())?;
                }
                lo += v;
            }
            let b = seg(&bias_name(*l))?;
            let (outputs, ov) = match *ws {
                WeightShape::Dense { outputs, .. } => (outputs, ws.bias_vars()),
                WeightShape::Conv { out_channels, .. } => (out_channels, ws.bias_vars()),
            };
            for (m, idx) in aligned_blocks(outputs, 1 << ov) {
                let mut p = take(0, m);
                p.extend(index_bits(idx, ov.saturating_sub(m)));
                book.add_segment(TARGET, &p, b.index(), F::zero())?;
            }
        }
        // Everything outside the segments (gaps and the unused tail).
        let mut spans: Vec<(usize, usize)> = self
            .layout
            .segments
            .iter()
            .map(|s| (s.offset, s.offset + s.padded_len))
            .collect();
        spans.sort_unstable();
        let mut pos = 0usize;
        let mut gaps = Vec::new();
        for (a, b) in spans {
            if a > pos {
                gaps.push((pos, a));
            }
            pos = pos.max(b);
        }
        if pos < self.layout.total_len {
            gaps.push((pos, self.layout.total_len));
        }
        for (a, b) in gaps {
            for (m, idx) in aligned_blocks(a, b) {
                book.add_segment(TARGET, &take(0, m), idx, F::zero())?;
            }
        }
        Ok(())
    }

    /// `M(r) = compose(limbs(r))` from the range-check claims.
    fn value_claim(&self, claims: &[EvalClaim]) -> Result<EvalClaim, VerifyError> {
        Ok(self
            .scheme
            .value_claim(&claims_of(claims, &self.limb_ids)?, TARGET)?)
    }
}

/// Prove that `commitment` is the commitment to the model vector of `params` and that it is well
/// formed (Poseidon transcript).
pub fn prove_model_wellformed(
    pk: &ProverKey,
    model: &Model,
    fixed: &FixedConfig,
    params: &Params,
    commitment: &G1Affine,
) -> PResult<ModelWellFormedProof> {
    let (_, v) = model_vector(model, params)?;
    prove_model_wellformed_vector(pk, model, fixed, &v, commitment)
}

/// [`prove_model_wellformed`] for an explicit model vector (possibly malformed: for tests and
/// for provers that hold the vector rather than [`Params`]).
pub fn prove_model_wellformed_vector(
    pk: &ProverKey,
    model: &Model,
    fixed: &FixedConfig,
    values: &[i64],
    commitment: &G1Affine,
) -> PResult<ModelWellFormedProof> {
    let sh = ModelShape::new(model, fixed)?;
    if values.len() != sh.layout.total_len {
        return Err(unsupported("model vector length does not match its layout"));
    }
    let k = sh.scheme.num_limbs();
    let offset = 1i128 << (fixed.value_bits - 1);
    let mut named: Vec<(String, Vec<i64>)> = (0..k)
        .map(|i| (limb_name(i), Vec::with_capacity(values.len())))
        .collect();
    for &v in values {
        for (i, limb) in raw_limbs(i128::from(v) + offset, k).into_iter().enumerate() {
            if let Some((_, col)) = named.get_mut(i) {
                col.push(limb);
            }
        }
    }
    let aux = build_aux(sh.aux.clone(), named, &sh.range)?;
    let c_aux = HyperKzg::commit_i64(pk, &aux.vector)?;

    let mut tr = PoseidonTranscript::new(MODEL_DOMAIN);
    sh.absorb(&mut tr, commitment, &c_aux.0);
    let n = sh.layout.num_vars() as usize;
    let mut book = ClaimBook::new(vec![n, sh.aux.num_vars() as usize]);
    let r = tr.challenges(L_PAD, n);
    sh.padding_claims(&mut book, &r).map_err(claim_err)?;

    let (range, rc_claims) = prove_range(&sh.range, &aux, &mut tr)?;
    book_range_claims(&mut book, &sh.aux, &rc_claims).map_err(claim_err)?;
    let vc = sh.value_claim(&rc_claims).map_err(claim_err)?;
    book.add(TARGET, vc.point, vc.value).map_err(claim_err)?;

    let mpoly = MultilinearPoly::from_i64s(values);
    let apoly = MultilinearPoly::from_i64s(&aux.vector);
    let merge = prove_merge(
        pk,
        &[&mpoly, &apoly],
        &[Commitment(*commitment), c_aux],
        &book,
        &mut tr,
    )?;
    Ok(ModelWellFormedProof {
        aux: c_aux.0,
        range,
        merge,
    })
}

/// Verify a [`ModelWellFormedProof`] for `commitment` (layout [`model_layout`] of `model`,
/// `B = fixed.value_bits`). Never panics.
pub fn verify_model_wellformed(
    vk: &VerifierKey,
    model: &Model,
    fixed: &FixedConfig,
    commitment: &G1Affine,
    proof: &ModelWellFormedProof,
) -> Result<(), VerifyError> {
    let sh = ModelShape::new(model, fixed).map_err(|_| VerifyError::Statement {
        what: "model or B not supported",
    })?;
    let mut tr = PoseidonTranscript::new(MODEL_DOMAIN);
    sh.absorb(&mut tr, commitment, &proof.aux);
    let n = sh.layout.num_vars() as usize;
    let mut book = ClaimBook::new(vec![n, sh.aux.num_vars() as usize]);
    let r = tr.challenges(L_PAD, n);
    sh.padding_claims(&mut book, &r)?;

    let rc_claims = RangeCheckVerifier::new(&sh.range).verify(&proof.range, &mut tr)?;
    book_range_claims(&mut book, &sh.aux, &rc_claims)?;
    let vc = sh.value_claim(&rc_claims)?;
    book.add(TARGET, vc.point, vc.value)?;

    verify_merge(
        vk,
        &[Commitment(*commitment), Commitment(proof.aux)],
        &book,
        &proof.merge,
        &mut tr,
    )
}

/// `log2` of the commitment size [`prove_dataset_wellformed`] needs (its auxiliary vector or the
/// dataset, whichever is larger): the SRS must have at least this many powers.
pub fn dataset_wellformed_vars(layout: &DatasetLayout, fixed: &FixedConfig) -> PResult<usize> {
    let sh = DataShape::new(layout, fixed)?;
    Ok((sh.aux.num_vars() as usize).max(layout.num_vars()))
}

/// `log2` of the commitment size [`prove_model_wellformed`] needs for `model`.
pub fn model_wellformed_vars(model: &Model, fixed: &FixedConfig) -> PResult<usize> {
    let sh = ModelShape::new(model, fixed)?;
    Ok((sh.aux.num_vars() as usize).max(sh.layout.num_vars() as usize))
}

#[cfg(test)]
mod tests {
    use super::aligned_blocks;

    #[test]
    fn blocks_cover_exactly() {
        for (a, b) in [(0, 1), (784, 1024), (10, 16), (3, 13), (5, 5), (0, 64)] {
            let bl = aligned_blocks(a, b);
            let mut pos = a;
            for (m, idx) in bl {
                assert_eq!(idx << m, pos);
                pos += 1 << m;
            }
            assert_eq!(pos, b.max(a));
        }
    }
}
