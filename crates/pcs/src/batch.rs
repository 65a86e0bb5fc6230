//! Aggregation of opening claims for any additively homomorphic scheme.
//!
//! **Same point** ([`batch_open`] / [`batch_verify`]): polynomials `P_k` on `n_k ≤ n` variables,
//! one point `r ∈ F^n`, claimed values `v_k = P_k(r_0..r_{n_k−1})`. After absorbing every
//! commitment, size and value, draw `γ`; the zero-padded polynomials satisfy
//! `pad(P_k)(r) = v_k·Π_{j ≥ n_k}(1 − r_j)`, so one opening of `Σ γ^k pad(P_k)` against
//! `Σ γ^k C_k` (homomorphism; padding does not change a commitment) at `r` with value
//! `Σ γ^k v_k Π_{j≥n_k}(1 − r_j)` proves all of them.
//!
//! **Different points** ([`multi_point_open`] / [`multi_point_verify`]): claims `P_{k(i)}(z_i) = y_i`
//! on polynomials of possibly different sizes are first lifted to the largest size (a claim on
//! `P_k` at `z` is a claim on `pad(P_k)` at `(z, 0, …, 0)`), then reduced to evaluations of every
//! polynomial at one new point `r` by the eq-weighted sumcheck of
//! [`sumcheck::prove_multi_eval`], and those are proven by one same-point batch opening.

use std::borrow::Cow;

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sumcheck::{prove_multi_eval, verify_multi_eval, EvalClaim, MultiEvalProof};
use sumcheck::{MultilinearPoly, Transcript, F};

use crate::traits::AdditivelyHomomorphic;
use crate::Error;

const L_COUNT: &[u8] = b"batch/count";
const L_COMMITMENT: &[u8] = b"batch/commitment";
const L_SIZES: &[u8] = b"batch/num-vars";
const L_POINT: &[u8] = b"batch/point";
const L_VALUES: &[u8] = b"batch/values";
const L_GAMMA: &[u8] = b"batch/gamma";

/// Verifier side of the same-point batch: absorb the claims, draw `γ`, and return the combined
/// commitment and value (to be checked with one opening at `point`, or folded into an
/// accumulator).
pub fn batch_reduce<P: AdditivelyHomomorphic, T: Transcript>(
    commitments: &[P::Commitment],
    num_vars: &[usize],
    point: &[F],
    values: &[F],
    transcript: &mut T,
) -> Result<(P::Commitment, F), Error> {
    reduce_inner::<P, T>(commitments, num_vars, point, values, transcript).map(|(c, v, _)| (c, v))
}

/// [`batch_reduce`], also returning the weights `γ^k`.
fn reduce_inner<P: AdditivelyHomomorphic, T: Transcript>(
    commitments: &[P::Commitment],
    num_vars: &[usize],
    point: &[F],
    values: &[F],
    transcript: &mut T,
) -> Result<(P::Commitment, F, Vec<F>), Error> {
    let k = commitments.len();
    for (what, len) in [("num_vars", num_vars.len()), ("values", values.len())] {
        if len != k {
            return Err(Error::LengthMismatch {
                what,
                expected: k,
                actual: len,
            });
        }
    }
    if let Some(&bad) = num_vars.iter().find(|&&m| m > point.len()) {
        return Err(Error::PointDimension {
            expected: bad,
            actual: point.len(),
        });
    }
    transcript.append_u64(L_COUNT, k as u64);
    for (c, m) in commitments.iter().zip(num_vars) {
        P::absorb_commitment(transcript, L_COMMITMENT, c);
        transcript.append_u64(L_SIZES, *m as u64);
    }
    transcript.append_fields(L_POINT, point);
    transcript.append_fields(L_VALUES, values);
    let gamma = transcript.challenge(L_GAMMA);
    let gammas = sumcheck::field::powers(gamma, k);
    // suffix[m] = Π_{j ≥ m} (1 − r_j).
    let mut suffix = vec![F::one(); point.len() + 1];
    for j in (0..point.len()).rev() {
        suffix[j] = suffix[j + 1] * (F::one() - point[j]);
    }
    let value = values
        .iter()
        .zip(num_vars)
        .zip(&gammas)
        .map(|((v, m), g)| *g * v * suffix[*m])
        .sum();
    let commitment = P::combine(commitments, &gammas)?;
    Ok((commitment, value, gammas))
}

/// Prove `P_k(point[..n_k]) = v_k` for every `k` with one opening. Returns the proof and the
/// values `v_k` (the caller sends them to the verifier).
pub fn batch_open<P: AdditivelyHomomorphic, T: Transcript>(
    pk: &P::ProverKey,
    polys: &[&MultilinearPoly],
    commitments: &[P::Commitment],
    point: &[F],
    transcript: &mut T,
) -> Result<(P::Proof, Vec<F>), Error> {
    let num_vars: Vec<usize> = polys.iter().map(|p| p.num_vars()).collect();
    batch_open_declared::<P, T>(pk, polys, &num_vars, commitments, point, transcript)
}

/// [`batch_open`] where polynomial `k` is opened as its zero-padding to `declared[k] ≥` its own
/// number of variables (the verifier's view: `batch_verify` with `num_vars = declared`), without
/// materializing the padded vectors: `pad(P)(r) = P(r[..m])·Π_{j ≥ m}(1 − r_j)`.
pub fn batch_open_declared<P: AdditivelyHomomorphic, T: Transcript>(
    pk: &P::ProverKey,
    polys: &[&MultilinearPoly],
    declared: &[usize],
    commitments: &[P::Commitment],
    point: &[F],
    transcript: &mut T,
) -> Result<(P::Proof, Vec<F>), Error> {
    if polys.len() != commitments.len() || polys.len() != declared.len() {
        return Err(Error::LengthMismatch {
            what: "commitments",
            expected: polys.len(),
            actual: commitments.len().min(declared.len()),
        });
    }
    if let Some((p, &m)) = polys
        .iter()
        .zip(declared)
        .find(|(p, &m)| m > point.len() || p.num_vars() > m)
    {
        return Err(Error::PointDimension {
            expected: m.max(p.num_vars()),
            actual: point.len(),
        });
    }
    let values: Vec<F> = polys
        .iter()
        .zip(declared)
        .map(|(p, &m)| {
            let own = p.num_vars();
            let pad: F = point[own..m].iter().map(|r| F::one() - r).product();
            p.evaluate(&point[..own]) * pad
        })
        .collect();
    let (combined_c, _, gammas) =
        reduce_inner::<P, T>(commitments, declared, point, &values, transcript)?;
    let mut combined = vec![F::zero(); 1usize << point.len()];
    for (p, g) in polys.iter().zip(&gammas) {
        combined[..p.len()]
            .par_iter_mut()
            .zip(p.evals().par_iter())
            .for_each(|(o, x)| *o += *g * x);
    }
    let combined = MultilinearPoly::new(combined)?;
    let (proof, _value) = P::open(pk, &combined, &combined_c, point, transcript)?;
    Ok((proof, values))
}

/// Check a same-point batch opening (see [`batch_open`]).
pub fn batch_verify<P: AdditivelyHomomorphic, T: Transcript>(
    vk: &P::VerifierKey,
    commitments: &[P::Commitment],
    num_vars: &[usize],
    point: &[F],
    values: &[F],
    proof: &P::Proof,
    transcript: &mut T,
) -> Result<(), Error> {
    let (c, v) = batch_reduce::<P, T>(commitments, num_vars, point, values, transcript)?;
    P::verify(vk, &c, point, &v, proof, transcript)
}

const L_MP_COUNT: &[u8] = b"multipoint/count";
const L_MP_COMMITMENT: &[u8] = b"multipoint/commitment";

/// Proof that claims at different points hold: the sumcheck reduction to one point `r`, and one
/// same-point batch opening of every polynomial at `r`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MultiPointProof<Pr: CanonicalSerialize + CanonicalDeserialize> {
    /// Reduction of all claims to evaluations at one point (`reduction.evals[k] = pad(P_k)(r)`).
    pub reduction: MultiEvalProof,
    /// Batch opening at `r` of every (padded) polynomial.
    pub opening: Pr,
}

/// Lift claims to `n` variables (a claim on `P_k` at `z` is a claim on `pad(P_k)` at
/// `(z, 0, …, 0)`), checking indices and dimensions.
fn lift_claims(
    num_vars: &[usize],
    claims: &[EvalClaim],
    n: usize,
) -> Result<Vec<EvalClaim>, Error> {
    claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let m = *num_vars.get(c.poly).ok_or(Error::ClaimIndex {
                claim: i,
                poly: c.poly,
                num_polys: num_vars.len(),
            })?;
            if c.point.len() != m {
                return Err(Error::PointDimension {
                    expected: m,
                    actual: c.point.len(),
                });
            }
            let mut point = c.point.clone();
            point.resize(n, F::zero());
            Ok(EvalClaim {
                poly: c.poly,
                point,
                value: c.value,
            })
        })
        .collect()
}

fn absorb_commitments<P: AdditivelyHomomorphic, T: Transcript>(cs: &[P::Commitment], t: &mut T) {
    t.append_u64(L_MP_COUNT, cs.len() as u64);
    for c in cs {
        P::absorb_commitment(t, L_MP_COMMITMENT, c);
    }
}

/// Prove claims `P_{poly}(point) = value` on polynomials of possibly different sizes at
/// different points (each claim's point has as many coordinates as its polynomial variables).
pub fn multi_point_open<P: AdditivelyHomomorphic, T: Transcript>(
    pk: &P::ProverKey,
    polys: &[&MultilinearPoly],
    commitments: &[P::Commitment],
    claims: &[EvalClaim],
    transcript: &mut T,
) -> Result<MultiPointProof<P::Proof>, Error> {
    if polys.len() != commitments.len() {
        return Err(Error::LengthMismatch {
            what: "commitments",
            expected: polys.len(),
            actual: commitments.len(),
        });
    }
    let sizes: Vec<usize> = polys.iter().map(|p| p.num_vars()).collect();
    let n = sizes.iter().copied().max().unwrap_or(0);
    let lifted = lift_claims(&sizes, claims, n)?;
    let padded: Vec<Cow<'_, MultilinearPoly>> = polys
        .iter()
        .map(|p| {
            if p.num_vars() == n {
                Cow::Borrowed(*p)
            } else {
                Cow::Owned(p.pad_to_vars(n))
            }
        })
        .collect();
    let refs: Vec<&MultilinearPoly> = padded.iter().map(|p| p.as_ref()).collect();
    absorb_commitments::<P, T>(commitments, transcript);
    let (reduction, r) = prove_multi_eval(&refs, &lifted, transcript);
    let (opening, _values) = batch_open::<P, T>(pk, &refs, commitments, &r, transcript)?;
    Ok(MultiPointProof { reduction, opening })
}

/// Verifier side of [`multi_point_open`] up to its last opening: checks the reduction and
/// returns the combined commitment, the point `r` and the combined value, which
/// `proof.opening` must open (as [`multi_point_verify`] checks).
pub fn multi_point_reduce<P: AdditivelyHomomorphic, T: Transcript>(
    commitments: &[P::Commitment],
    num_vars: &[usize],
    claims: &[EvalClaim],
    reduction: &MultiEvalProof,
    transcript: &mut T,
) -> Result<(P::Commitment, Vec<F>, F), Error> {
    if num_vars.len() != commitments.len() {
        return Err(Error::LengthMismatch {
            what: "num_vars",
            expected: commitments.len(),
            actual: num_vars.len(),
        });
    }
    let n = num_vars.iter().copied().max().unwrap_or(0);
    let lifted = lift_claims(num_vars, claims, n)?;
    absorb_commitments::<P, T>(commitments, transcript);
    let r = verify_multi_eval(commitments.len(), n, &lifted, reduction, transcript)?;
    let sizes = vec![n; commitments.len()];
    let (c, v) = batch_reduce::<P, T>(commitments, &sizes, &r, &reduction.evals, transcript)?;
    Ok((c, r, v))
}

/// Check a [`multi_point_open`] proof. `num_vars[k]` is the number of variables of polynomial
/// `k`; each claim's point has that many coordinates.
pub fn multi_point_verify<P: AdditivelyHomomorphic, T: Transcript>(
    vk: &P::VerifierKey,
    commitments: &[P::Commitment],
    num_vars: &[usize],
    claims: &[EvalClaim],
    proof: &MultiPointProof<P::Proof>,
    transcript: &mut T,
) -> Result<(), Error> {
    let (c, r, v) =
        multi_point_reduce::<P, T>(commitments, num_vars, claims, &proof.reduction, transcript)?;
    P::verify(vk, &c, &r, &v, &proof.opening, transcript)
}
