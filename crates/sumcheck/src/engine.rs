//! The sumcheck engine: instance traits, the proof type and the batching driver.
//!
//! # Batching
//!
//! `m` instances with claims `c_i = Σ_{x ∈ {0,1}^{n_i}} g_i(x)`, degrees `d_i`, are proven in one
//! sumcheck of `N = max_i n_i` rounds and degree `D = max_i d_i` (at least 1):
//!
//! 1. absorb `[c_0, ..., c_{m-1}]` (`sc_input_claims`); if `m > 1`, squeeze batching
//!    coefficients `α_0, ..., α_{m-1}` (`sc_batch_coeffs`), else `α_0 = 1`;
//! 2. **alignment**: instance `i` is inactive in the first `o_i = N - n_i` rounds. Its claim is
//!    scaled to `2^{o_i}·c_i` and its round polynomial there is the constant `claim/2`, so after
//!    `o_i` rounds its claim is `c_i` again. It then binds the **last** `n_i` challenges: it ends
//!    on the point `r[o_i..N]` (its `x_0` is `r_{o_i}`), see [`instance_point`];
//! 3. round `j`: `p_j = Σ_i α_i·p_{i,j}` is sent without its linear coefficient
//!    (`sc_round_poly`, `D` elements), and `r_j` squeezed (`sc_round_challenge`). The verifier
//!    recovers the linear coefficient from `p_j(0) + p_j(1) = claim_j` and sets
//!    `claim_{j+1} = p_j(r_j)`;
//! 4. after the last round each instance's final evaluations are absorbed (`sc_final_evals`,
//!    one call per instance), and the verifier checks
//!    `claim_N = Σ_i α_i·expected_output_claim_i(r[o_i..], final_evals_i)`.

use ark_ff::{Field, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use crate::error::Error;
use crate::field::F;
use crate::transcript::Transcript;
use crate::unipoly::{half, CompressedUniPoly, UniPoly};

/// Transcript label: the instances' input claims.
pub const LABEL_INPUT_CLAIMS: &[u8] = b"sc_input_claims";
/// Transcript label: the batching coefficients.
pub const LABEL_BATCH_COEFFS: &[u8] = b"sc_batch_coeffs";
/// Transcript label: a compressed round polynomial.
pub const LABEL_ROUND_POLY: &[u8] = b"sc_round_poly";
/// Transcript label: a round challenge.
pub const LABEL_ROUND_CHALLENGE: &[u8] = b"sc_round_challenge";
/// Transcript label: one instance's final evaluations.
pub const LABEL_FINAL_EVALS: &[u8] = b"sc_final_evals";

/// The prover side of one sumcheck instance `Σ_{x ∈ {0,1}^n} g(x) = claim`.
pub trait SumcheckInstanceProver {
    /// Number of variables `n` (rounds this instance is active).
    fn num_rounds(&self) -> usize;
    /// Degree bound of `g` in each variable.
    fn degree(&self) -> usize;
    /// The claimed sum.
    fn input_claim(&self) -> F;
    /// The round polynomial `s(X) = Σ_{x'} g(r_0, ..., r_{round-1}, X, x')` for `round`
    /// (0-based, counted in this instance's own rounds). `previous_claim = s(0) + s(1)` lets an
    /// implementation derive one evaluation instead of computing it. Degree `≤ degree()`.
    fn round_polynomial(&mut self, round: usize, previous_claim: F) -> UniPoly;
    /// Bind the current variable to the challenge `r`.
    fn bind(&mut self, r: F);
    /// After the last round: the values the verifier needs to compute the final claim itself
    /// (the underlying polynomials at the random point, never predicates such as `eq`).
    fn final_evaluations(&self) -> Vec<F>;
}

/// The verifier side of one sumcheck instance.
pub trait SumcheckInstanceVerifier {
    /// Number of variables `n`.
    fn num_rounds(&self) -> usize;
    /// Degree bound of `g` in each variable.
    fn degree(&self) -> usize;
    /// The claimed sum.
    fn input_claim(&self) -> F;
    /// `g(r)` computed from the prover's `final_evals` and predicates the verifier evaluates
    /// itself. `r` is this instance's point (`n` entries, `r[0]` bound first). Must return an
    /// error, not panic, when `final_evals` has the wrong shape.
    fn expected_output_claim(&self, r: &[F], final_evals: &[F]) -> Result<F, Error>;
}

/// A (batched) sumcheck proof: one compressed round polynomial per round.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SumcheckProof {
    /// Round `j`'s polynomial without its linear coefficient.
    pub round_polys: Vec<CompressedUniPoly>,
}

impl SumcheckProof {
    /// Compressed canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decode [`Self::to_bytes`]; garbage, non-canonical field elements and trailing bytes are
    /// errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut reader = bytes;
        let proof = Self::deserialize_compressed(&mut reader)?;
        if !reader.is_empty() {
            return Err(Error::Malformed {
                what: "trailing bytes after sumcheck proof",
            });
        }
        Ok(proof)
    }
}

/// The sub-point of the batched challenges `r` that an instance with `num_rounds` variables ends
/// on: the last `num_rounds` entries (see the module docs). `None` if it has more rounds than `r`.
pub fn instance_point(r: &[F], num_rounds: usize) -> Option<&[F]> {
    r.len().checked_sub(num_rounds).map(|o| &r[o..])
}

/// Run the batched sumcheck for `instances` (at least one).
///
/// Returns the proof, the challenges `r` (length `max_i n_i`; instance `i` ends on
/// [`instance_point`]`(r, n_i)`) and each instance's final evaluations (also absorbed).
///
/// # Panics
/// If `instances` is empty.
pub fn prove_batched<T: Transcript>(
    instances: &mut [&mut dyn SumcheckInstanceProver],
    transcript: &mut T,
) -> (SumcheckProof, Vec<F>, Vec<Vec<F>>) {
    assert!(
        !instances.is_empty(),
        "prove_batched needs at least one instance"
    );
    let claims: Vec<F> = instances.iter().map(|i| i.input_claim()).collect();
    transcript.append_fields(LABEL_INPUT_CLAIMS, &claims);
    let alphas = batching_coefficients(transcript, instances.len());
    let num_rounds = instances.iter().map(|i| i.num_rounds()).max().unwrap_or(0);
    let degree = instances
        .iter()
        .map(|i| i.degree())
        .max()
        .unwrap_or(1)
        .max(1);
    let half = half();

    // Per-instance running claims, scaled by 2^{offset} for the inactive prefix.
    let mut running: Vec<F> = instances
        .iter()
        .zip(&claims)
        .map(|(i, c)| pow2k_scale(*c, num_rounds - i.num_rounds()))
        .collect();

    let mut round_polys = Vec::with_capacity(num_rounds);
    let mut r = Vec::with_capacity(num_rounds);
    for round in 0..num_rounds {
        let polys: Vec<UniPoly> = instances
            .iter_mut()
            .zip(&running)
            .map(|(inst, claim)| {
                let offset = num_rounds - inst.num_rounds();
                if round < offset {
                    UniPoly::constant(*claim * half)
                } else {
                    inst.round_polynomial(round - offset, *claim)
                }
            })
            .collect();
        let mut combined = UniPoly::from_coeffs(vec![F::zero(); degree + 1]);
        for (p, a) in polys.iter().zip(&alphas) {
            combined.add_scaled(p, *a);
        }
        debug_assert_eq!(
            combined.degree(),
            degree,
            "an instance exceeded its degree bound"
        );
        let compressed = combined.compress();
        transcript.append_fields(LABEL_ROUND_POLY, &compressed.coeffs_except_linear);
        let rj = transcript.challenge(LABEL_ROUND_CHALLENGE);
        for ((inst, claim), p) in instances.iter_mut().zip(running.iter_mut()).zip(&polys) {
            *claim = p.evaluate(&rj);
            if round >= num_rounds - inst.num_rounds() {
                inst.bind(rj);
            }
        }
        round_polys.push(compressed);
        r.push(rj);
    }

    let final_evals: Vec<Vec<F>> = instances.iter().map(|i| i.final_evaluations()).collect();
    for evals in &final_evals {
        transcript.append_fields(LABEL_FINAL_EVALS, evals);
    }
    (SumcheckProof { round_polys }, r, final_evals)
}

/// Verify a batched sumcheck against `instances` and the prover's `final_evals` (one vector per
/// instance). Returns the challenges `r`; instance `i`'s point is [`instance_point`]`(r, n_i)`.
///
/// Never panics: every shape mismatch is an [`Error`].
pub fn verify_batched<T: Transcript>(
    instances: &[&dyn SumcheckInstanceVerifier],
    proof: &SumcheckProof,
    final_evals: &[Vec<F>],
    transcript: &mut T,
) -> Result<Vec<F>, Error> {
    if instances.is_empty() {
        return Err(Error::Malformed {
            what: "no sumcheck instances",
        });
    }
    if final_evals.len() != instances.len() {
        return Err(Error::Malformed {
            what: "one vector of final evaluations per instance expected",
        });
    }
    let claims: Vec<F> = instances.iter().map(|i| i.input_claim()).collect();
    transcript.append_fields(LABEL_INPUT_CLAIMS, &claims);
    let alphas = batching_coefficients(transcript, instances.len());
    let num_rounds = instances.iter().map(|i| i.num_rounds()).max().unwrap_or(0);
    let degree = instances
        .iter()
        .map(|i| i.degree())
        .max()
        .unwrap_or(1)
        .max(1);

    if proof.round_polys.len() != num_rounds {
        return Err(Error::WrongNumberOfRounds {
            expected: num_rounds,
            actual: proof.round_polys.len(),
        });
    }
    let mut claim: F = instances
        .iter()
        .zip(&claims)
        .zip(&alphas)
        .map(|((i, c), a)| pow2k_scale(*c * a, num_rounds - i.num_rounds()))
        .sum();

    let mut r = Vec::with_capacity(num_rounds);
    for (round, poly) in proof.round_polys.iter().enumerate() {
        let len = poly.coeffs_except_linear.len();
        if len > degree {
            return Err(Error::DegreeTooHigh {
                round,
                max: degree,
                actual: len,
            });
        }
        if len < degree {
            return Err(Error::Malformed {
                what: "round polynomial has fewer coefficients than the degree bound",
            });
        }
        transcript.append_fields(LABEL_ROUND_POLY, &poly.coeffs_except_linear);
        let rj = transcript.challenge(LABEL_ROUND_CHALLENGE);
        claim = poly.eval_from_hint(&claim, &rj);
        r.push(rj);
    }

    for evals in final_evals {
        transcript.append_fields(LABEL_FINAL_EVALS, evals);
    }
    let mut expected = F::zero();
    for ((inst, evals), a) in instances.iter().zip(final_evals).zip(&alphas) {
        let point = instance_point(&r, inst.num_rounds()).ok_or(Error::Malformed {
            what: "instance has more rounds than the batch",
        })?;
        expected += *a * inst.expected_output_claim(point, evals)?;
    }
    if expected != claim {
        return Err(Error::FinalClaimMismatch {
            expected,
            actual: claim,
        });
    }
    Ok(r)
}

fn batching_coefficients<T: Transcript>(transcript: &mut T, m: usize) -> Vec<F> {
    if m == 1 {
        vec![F::from(1u64)]
    } else {
        transcript.challenges(LABEL_BATCH_COEFFS, m)
    }
}

/// `c · 2^k`.
fn pow2k_scale(c: F, k: usize) -> F {
    if k == 0 {
        c
    } else {
        c * F::from(2u64).pow([k as u64])
    }
}
