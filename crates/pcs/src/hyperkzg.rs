//! HyperKZG: a multilinear commitment from univariate KZG by Gemini folding.
//!
//! The `2^n` evaluations `a_i` of `P` (index `Σ x_j 2^j`) are the coefficients of
//! `f_0(X) = Σ a_i X^i`; the commitment is `[f_0(τ)]_1`. Write `f_j(X) = E_j(X²) + X·O_j(X²)`:
//! `E_j` holds the coefficients with low bit 0, `O_j` those with low bit 1, so
//! `f_{j+1} = (1 − r_j)·E_j + r_j·O_j` is `P` with `x_0..x_j` bound to `r_0..r_j` (low bit first,
//! exactly [`MultilinearPoly::fix_first_variable`]), and `f_n = P(r)`.
//!
//! Proof of `P(r) = v` (`n ≥ 1`):
//! 1. commit `f_1, …, f_{n-1}`; challenge `β`;
//! 2. send `f_j(β), f_j(−β), f_j(β²)` for `j < n`; the verifier checks, with `f_n(β²) := v`,
//!    `2β·f_{j+1}(β²) = β(1 − r_j)(f_j(β) + f_j(−β)) + r_j(f_j(β) − f_j(−β))`;
//! 3. challenge `q`, `B = Σ q^j f_j`, whose values `y_k = B(u_k)` at `u = (β, −β, β²)` follow from
//!    the sent evaluations. The three evaluations are proven together (Shplonk-style, one
//!    polynomial at three points): with `Z(X) = Π_k (X − u_k)` and `I` the quadratic through the
//!    `(u_k, y_k)`, the prover sends `W = [Q]_1`, `Q = (B − I)/Z`; challenge `z`; then
//!    `W' = [(B(X) − I(z) − Z(z)·Q(X))/(X − z)]_1` (the linearization vanishes at `z`);
//! 4. with `C_B = Σ q^j C_j`, one pairing-product check `e(L, H) = e(R, τH)`,
//!    `L = C_B − I(z)·G − Z(z)·W + z·W'`, `R = W'`.
//!
//! If some `y_k ≠ B(u_k)`, `Z` does not divide `B − I`, so `B − I − Z·Q` is a nonzero polynomial
//! of degree `< 2^n` for every `Q` the prover commits to, and it vanishes at the later random `z`
//! with probability `≤ 2^n/|F|`.
//!
//! [`HyperKzg::reduce_to_pairing`] stops before the pairing and returns `(L, R)` — what
//! [`crate::accumulator::Accumulator`] folds.

use std::sync::Arc;

use ark_bn254::{Bn254, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sumcheck::{MultilinearPoly, Transcript, F};

use crate::msm::{default_backend, MsmBackend, Scalars};
use crate::srs::Srs;
use crate::traits::{AdditivelyHomomorphic, MultilinearPcs};
use crate::Error;

/// The HyperKZG scheme over BN254.
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperKzg;

/// Prover key: the first `2^max_vars` powers `τ^i·G1` (shared, not copied) and an MSM backend.
#[derive(Clone)]
pub struct ProverKey {
    powers: Arc<Vec<G1Affine>>,
    max_vars: usize,
    backend: Arc<dyn MsmBackend>,
    srs_digest: [u8; 32],
    insecure_dev: bool,
}

impl std::fmt::Debug for ProverKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProverKey")
            .field("max_vars", &self.max_vars)
            .field("backend", &self.backend.name())
            .field("insecure_dev", &self.insecure_dev)
            .field("srs_digest", &crate::srs::hex(&self.srs_digest))
            .finish_non_exhaustive()
    }
}

impl ProverKey {
    /// Largest number of variables supported.
    pub fn max_vars(&self) -> usize {
        self.max_vars
    }
    /// Digest of the SRS the key was trimmed from.
    pub fn srs_digest(&self) -> [u8; 32] {
        self.srs_digest
    }
    /// True when the SRS is an insecure development setup.
    pub fn is_insecure_dev(&self) -> bool {
        self.insecure_dev
    }
    /// Use another MSM backend (e.g. a GPU one).
    pub fn with_backend(mut self, backend: Arc<dyn MsmBackend>) -> Self {
        self.backend = backend;
        self
    }
    /// The MSM backend in use.
    pub fn backend(&self) -> &dyn MsmBackend {
        self.backend.as_ref()
    }
    fn bases(&self) -> &[G1Affine] {
        &self.powers[..1usize << self.max_vars]
    }
}

/// Verifier key: `G`, `H`, `τ·H`, the supported size and the SRS digest.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct VerifierKey {
    /// The G1 generator (`τ^0·G1`).
    pub g: G1Affine,
    /// The G2 generator.
    pub h: G2Affine,
    /// `τ·G2`.
    pub tau_h: G2Affine,
    /// Largest number of variables supported.
    pub max_vars: u32,
    /// Digest of the SRS.
    pub srs_digest: [u8; 32],
    /// True when the SRS is an insecure development setup (every command should warn).
    pub insecure_dev: bool,
}

impl VerifierKey {
    /// True when the SRS is an insecure development setup.
    pub fn is_insecure_dev(&self) -> bool {
        self.insecure_dev
    }
}

/// A HyperKZG commitment: one G1 point.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, CanonicalSerialize, CanonicalDeserialize,
)]
pub struct Commitment(pub G1Affine);

/// An opening proof. For `n` variables: `n − 1` folded commitments, `n` evaluations at each of
/// `β, −β, β²`, two quotients `W, W'` (all empty when `n = 0`).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Proof {
    /// Commitments to `f_1, …, f_{n-1}`.
    pub folds: Vec<G1Affine>,
    /// `f_j(β)`.
    pub evals_pos: Vec<F>,
    /// `f_j(−β)`.
    pub evals_neg: Vec<F>,
    /// `f_j(β²)`.
    pub evals_sq: Vec<F>,
    /// `W = [(B − I)/Z]_1` (the three points at once) and `W' = [(B − I(z) − Z(z)·Q)/(X − z)]_1`.
    pub quotients: Vec<G1Affine>,
}

/// What an opening reduces to before the pairing: valid iff `e(lhs, H) = e(rhs, τ·H)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PairingClaim {
    /// The `H` side.
    pub lhs: G1Affine,
    /// The `τ·H` side.
    pub rhs: G1Affine,
}

const L_BATCH_LHS: &[u8] = b"hyperkzg/batch-lhs";
const L_BATCH_RHS: &[u8] = b"hyperkzg/batch-rhs";
const L_BATCH_RHO: &[u8] = b"hyperkzg/batch-rho";

impl PairingClaim {
    /// Decide several claims with one pairing product: absorb every `(L_i, R_i)`, draw `ρ`, and
    /// check `e(Σ ρ^i L_i, H) = e(Σ ρ^i R_i, τH)`. If some claim is false, `Σ ρ^i δ_i` (with
    /// `δ_i = log L_i − τ·log R_i`) is a nonzero polynomial in `ρ` of degree `< #claims`, so the
    /// check passes with probability `< #claims/|F|`. An empty list is accepted; one claim is
    /// checked as it is.
    pub fn check_all<T: Transcript>(
        vk: &VerifierKey,
        claims: &[PairingClaim],
        transcript: &mut T,
    ) -> Result<(), Error> {
        match claims {
            [] => Ok(()),
            [one] => one.check(vk),
            _ => {
                for c in claims {
                    transcript.append_g1(L_BATCH_LHS, &c.lhs);
                    transcript.append_g1(L_BATCH_RHS, &c.rhs);
                }
                let rho = transcript.challenge(L_BATCH_RHO);
                let weights = sumcheck::field::powers(rho, claims.len());
                let lhs: Vec<G1Affine> = claims.iter().map(|c| c.lhs).collect();
                let rhs: Vec<G1Affine> = claims.iter().map(|c| c.rhs).collect();
                PairingClaim {
                    lhs: G1Projective::msm_unchecked(&lhs, &weights).into_affine(),
                    rhs: G1Projective::msm_unchecked(&rhs, &weights).into_affine(),
                }
                .check(vk)
            }
        }
    }

    /// Run the pairing check.
    pub fn check(&self, vk: &VerifierKey) -> Result<(), Error> {
        let out = Bn254::multi_pairing(
            [self.lhs, (-self.rhs.into_group()).into_affine()],
            [vk.h, vk.tau_h],
        );
        if out.is_zero() {
            Ok(())
        } else {
            Err(Error::PairingCheckFailed)
        }
    }
}

const L_COMMITMENT: &[u8] = b"hyperkzg/commitment";
const L_POINT: &[u8] = b"hyperkzg/point";
const L_VALUE: &[u8] = b"hyperkzg/value";
const L_FOLD: &[u8] = b"hyperkzg/fold";
const L_BETA: &[u8] = b"hyperkzg/beta";
const L_EVALS_POS: &[u8] = b"hyperkzg/evals-pos";
const L_EVALS_NEG: &[u8] = b"hyperkzg/evals-neg";
const L_EVALS_SQ: &[u8] = b"hyperkzg/evals-sq";
const L_Q: &[u8] = b"hyperkzg/q";
const L_QUOTIENT: &[u8] = b"hyperkzg/quotient";
const L_Z: &[u8] = b"hyperkzg/z";
const L_LIN_QUOTIENT: &[u8] = b"hyperkzg/lin-quotient";

/// Number of quotient points in a proof on `n ≥ 1` variables.
const NUM_QUOTIENTS: usize = 2;

fn absorb_claim<T: Transcript>(t: &mut T, c: &Commitment, point: &[F], value: &F) {
    t.append_g1(L_COMMITMENT, &c.0);
    t.append_fields(L_POINT, point);
    t.append_field(L_VALUE, value);
}

fn draw_beta<T: Transcript>(t: &mut T) -> Result<F, Error> {
    let beta = t.challenge(L_BETA);
    // The three points β, −β, β² must be distinct and β invertible.
    if beta.is_zero() || beta == F::one() || beta == -F::one() {
        return Err(Error::DegenerateChallenge { label: "beta" });
    }
    Ok(beta)
}

/// Evaluate `Σ c_i X^i` at `u` (chunked Horner, parallel).
fn eval_univariate(coeffs: &[F], u: F) -> F {
    const CHUNK: usize = 1 << 12;
    if coeffs.len() <= CHUNK {
        return coeffs.iter().rev().fold(F::zero(), |acc, c| acc * u + c);
    }
    let step = u.pow([CHUNK as u64]);
    let parts: Vec<F> = coeffs
        .par_chunks(CHUNK)
        .map(|c| c.iter().rev().fold(F::zero(), |acc, x| acc * u + x))
        .collect();
    parts.iter().rev().fold(F::zero(), |acc, p| acc * step + p)
}

/// Quotient `(B(X) − B(u))/(X − u)` by synthetic division (length `len − 1`).
fn divide_by_linear(coeffs: &[F], u: F) -> Vec<F> {
    let m = coeffs.len();
    if m < 2 {
        return Vec::new();
    }
    let mut q = vec![F::zero(); m - 1];
    let mut acc = F::zero();
    for i in (1..m).rev() {
        acc = acc * u + coeffs[i];
        q[i - 1] = acc;
    }
    q
}

/// `(I(z), Z(z))` for the quadratic `I` through `(u_k, y_k)` and `Z = Π_k (X − u_k)`; `None` when
/// two points coincide (excluded by [`draw_beta`]).
fn interpolate_at(us: &[F; 3], ys: &[F; 3], z: F) -> Option<(F, F)> {
    let diff = [z - us[0], z - us[1], z - us[2]];
    let vanishing = diff[0] * diff[1] * diff[2];
    let mut iz = F::zero();
    for k in 0..3 {
        let (a, b) = ((k + 1) % 3, (k + 2) % 3);
        let denom = (us[k] - us[a]) * (us[k] - us[b]);
        iz += ys[k] * diff[a] * diff[b] * denom.inverse()?;
    }
    Some((iz, vanishing))
}

fn fold(v: &[F], r: F) -> Vec<F> {
    if v.len() >= 1 << 13 {
        v.par_chunks_exact(2)
            .map(|p| p[0] + r * (p[1] - p[0]))
            .collect()
    } else {
        v.chunks_exact(2)
            .map(|p| p[0] + r * (p[1] - p[0]))
            .collect()
    }
}

impl HyperKzg {
    /// Keys from an SRS for polynomials of up to `max_vars` variables.
    pub fn keys(srs: &Srs, max_vars: usize) -> Result<(ProverKey, VerifierKey), Error> {
        if max_vars > srs.log_size() {
            return Err(Error::SrsTooSmall {
                needed: max_vars,
                available: srs.log_size(),
            });
        }
        let g = srs.g1_powers().first().copied().ok_or(Error::SrsFormat {
            reason: "empty SRS",
        })?;
        let pk = ProverKey {
            powers: srs.g1_powers_arc(),
            max_vars,
            backend: default_backend(),
            srs_digest: srs.digest(),
            insecure_dev: srs.is_insecure_dev(),
        };
        let vk = VerifierKey {
            g,
            h: srs.g2(),
            tau_h: srs.tau_g2(),
            max_vars: max_vars as u32,
            srs_digest: srs.digest(),
            insecure_dev: srs.is_insecure_dev(),
        };
        Ok((pk, vk))
    }

    /// Commit to small signed integers (zero-padded): the fast MSM path.
    pub fn commit_i64(pk: &ProverKey, values: &[i64]) -> Result<Commitment, Error> {
        Self::commit_scalars(pk, Scalars::Small(crate::msm::SmallScalars::I64(values)))
    }

    fn msm_field(pk: &ProverKey, coeffs: &[F]) -> G1Affine {
        pk.backend.msm(&pk.powers, coeffs).into_affine()
    }

    /// Verifier up to the pairing: checks shapes and the folding relations, replays the
    /// transcript, and returns the pair `(L, R)` with `valid ⇔ e(L, H) = e(R, τH)`.
    pub fn reduce_to_pairing<T: Transcript>(
        vk: &VerifierKey,
        commitment: &Commitment,
        point: &[F],
        value: &F,
        proof: &Proof,
        transcript: &mut T,
    ) -> Result<PairingClaim, Error> {
        let n = point.len();
        if n > vk.max_vars as usize {
            return Err(Error::SrsTooSmall {
                needed: n,
                available: vk.max_vars as usize,
            });
        }
        let shape = |what, expected: usize, actual: usize| {
            if expected == actual {
                Ok(())
            } else {
                Err(Error::ProofShape {
                    what,
                    expected,
                    actual,
                })
            }
        };
        shape("folds", n.saturating_sub(1), proof.folds.len())?;
        shape("evals_pos", n, proof.evals_pos.len())?;
        shape("evals_neg", n, proof.evals_neg.len())?;
        shape("evals_sq", n, proof.evals_sq.len())?;
        shape(
            "quotients",
            if n == 0 { 0 } else { NUM_QUOTIENTS },
            proof.quotients.len(),
        )?;
        absorb_claim(transcript, commitment, point, value);
        if n == 0 {
            // A constant: C = v·G.
            let lhs = (commitment.0.into_group() - vk.g * value).into_affine();
            return Ok(PairingClaim {
                lhs,
                rhs: G1Affine::zero(),
            });
        }
        for c in &proof.folds {
            transcript.append_g1(L_FOLD, c);
        }
        let beta = draw_beta(transcript)?;
        transcript.append_fields(L_EVALS_POS, &proof.evals_pos);
        transcript.append_fields(L_EVALS_NEG, &proof.evals_neg);
        transcript.append_fields(L_EVALS_SQ, &proof.evals_sq);
        let q = transcript.challenge(L_Q);
        transcript.append_g1(L_QUOTIENT, &proof.quotients[0]);
        let z = transcript.challenge(L_Z);
        transcript.append_g1(L_LIN_QUOTIENT, &proof.quotients[1]);

        // Folding relations.
        let two_beta = beta.double();
        for (j, r_j) in point.iter().enumerate() {
            let (a, b) = (proof.evals_pos[j], proof.evals_neg[j]);
            let next = proof.evals_sq.get(j + 1).copied().unwrap_or(*value);
            let rhs = beta * (F::one() - r_j) * (a + b) + *r_j * (a - b);
            if two_beta * next != rhs {
                return Err(Error::FoldingCheckFailed { round: j });
            }
        }

        // L = Σ q^j C_j − I(z)·G − Z(z)·W + z·W',  R = W'.
        let us = [beta, -beta, beta.square()];
        let qs = sumcheck::field::powers(q, n);
        let b_at = |evals: &[F]| -> F { evals.iter().zip(&qs).map(|(e, w)| *e * w).sum() };
        let b_u = [
            b_at(&proof.evals_pos),
            b_at(&proof.evals_neg),
            b_at(&proof.evals_sq),
        ];
        let (i_z, z_z) =
            interpolate_at(&us, &b_u, z).ok_or(Error::DegenerateChallenge { label: "beta" })?;
        let mut bases = Vec::with_capacity(n + 3);
        let mut scalars = Vec::with_capacity(n + 3);
        bases.push(commitment.0);
        bases.extend_from_slice(&proof.folds);
        scalars.extend_from_slice(&qs);
        bases.extend_from_slice(&[vk.g, proof.quotients[0], proof.quotients[1]]);
        scalars.extend_from_slice(&[-i_z, -z_z, z]);
        let lhs = G1Projective::msm_unchecked(&bases, &scalars).into_affine();
        Ok(PairingClaim {
            lhs,
            rhs: proof.quotients[1],
        })
    }
}

impl MultilinearPcs for HyperKzg {
    type Setup = Srs;
    type ProverKey = ProverKey;
    type VerifierKey = VerifierKey;
    type Commitment = Commitment;
    type Proof = Proof;

    fn trim(setup: &Srs, max_vars: usize) -> Result<(ProverKey, VerifierKey), Error> {
        Self::keys(setup, max_vars)
    }

    fn commit_scalars(pk: &ProverKey, scalars: Scalars<'_>) -> Result<Commitment, Error> {
        let len = scalars.len();
        if len > 1usize << pk.max_vars {
            return Err(Error::SrsTooSmall {
                needed: len.next_power_of_two().trailing_zeros() as usize,
                available: pk.max_vars,
            });
        }
        Ok(Commitment(
            pk.backend.msm_auto(pk.bases(), scalars).into_affine(),
        ))
    }

    fn absorb_commitment<T: Transcript>(t: &mut T, label: &'static [u8], c: &Commitment) {
        t.append_g1(label, &c.0);
    }

    fn open<T: Transcript>(
        pk: &ProverKey,
        poly: &MultilinearPoly,
        commitment: &Commitment,
        point: &[F],
        transcript: &mut T,
    ) -> Result<(Proof, F), Error> {
        let n = point.len();
        if n < poly.num_vars() {
            return Err(Error::PointDimension {
                expected: poly.num_vars(),
                actual: n,
            });
        }
        if n > pk.max_vars {
            return Err(Error::SrsTooSmall {
                needed: n,
                available: pk.max_vars,
            });
        }
        let padded;
        let f0: &[F] = if n == poly.num_vars() {
            poly.evals()
        } else {
            padded = poly.pad_to_vars(n);
            padded.evals()
        };
        if n == 0 {
            let value = f0.first().copied().unwrap_or_default();
            absorb_claim(transcript, commitment, point, &value);
            let proof = Proof {
                folds: vec![],
                evals_pos: vec![],
                evals_neg: vec![],
                evals_sq: vec![],
                quotients: vec![],
            };
            return Ok((proof, value));
        }
        // f_1 .. f_{n-1}, and the value f_n.
        let mut folded: Vec<Vec<F>> = Vec::with_capacity(n - 1);
        for (j, r) in point.iter().enumerate().take(n - 1) {
            let prev = if j == 0 { f0 } else { &folded[j - 1] };
            let next = fold(prev, *r);
            folded.push(next);
        }
        let last: &[F] = folded.last().map_or(f0, |v| v);
        let value = last[0] + point[n - 1] * (last[1] - last[0]);
        absorb_claim(transcript, commitment, point, &value);

        let folds: Vec<G1Affine> = folded.iter().map(|f| Self::msm_field(pk, f)).collect();
        for c in &folds {
            transcript.append_g1(L_FOLD, c);
        }
        let beta = draw_beta(transcript)?;
        let all: Vec<&[F]> = std::iter::once(f0)
            .chain(folded.iter().map(|v| v.as_slice()))
            .collect();
        let us = [beta, -beta, beta.square()];
        let evals: Vec<[F; 3]> = all
            .par_iter()
            .map(|f| us.map(|u| eval_univariate(f, u)))
            .collect();
        let evals_pos: Vec<F> = evals.iter().map(|e| e[0]).collect();
        let evals_neg: Vec<F> = evals.iter().map(|e| e[1]).collect();
        let evals_sq: Vec<F> = evals.iter().map(|e| e[2]).collect();
        transcript.append_fields(L_EVALS_POS, &evals_pos);
        transcript.append_fields(L_EVALS_NEG, &evals_neg);
        transcript.append_fields(L_EVALS_SQ, &evals_sq);
        let q = transcript.challenge(L_Q);

        // B = Σ q^j f_j (f_j has 2^{n-j} coefficients).
        let qs = sumcheck::field::powers(q, n);
        let mut b = f0.to_vec();
        for (f, w) in folded.iter().zip(&qs[1..]) {
            b.par_iter_mut()
                .zip(f.par_iter())
                .for_each(|(x, y)| *x += *w * y);
        }
        // Q = (B − I)/Z: successive divisions by the three linear factors (the discarded
        // remainders make up I).
        let mut quot = divide_by_linear(&b, us[0]);
        quot = divide_by_linear(&quot, us[1]);
        quot = divide_by_linear(&quot, us[2]);
        let w = Self::msm_field(pk, &quot);
        transcript.append_g1(L_QUOTIENT, &w);
        let z = transcript.challenge(L_Z);
        let b_u = [0, 1, 2].map(|k| {
            let e = &evals;
            e.iter().zip(&qs).map(|(e, q)| e[k] * q).sum::<F>()
        });
        let (i_z, z_z) =
            interpolate_at(&us, &b_u, z).ok_or(Error::DegenerateChallenge { label: "beta" })?;
        // L_z = B − I(z) − Z(z)·Q, which vanishes at z; W' = [L_z/(X − z)].
        b.par_iter_mut()
            .zip(quot.par_iter())
            .for_each(|(x, y)| *x -= z_z * y);
        b[0] -= i_z;
        drop(quot);
        let lin = divide_by_linear(&b, z);
        drop(b);
        let w_lin = Self::msm_field(pk, &lin);
        transcript.append_g1(L_LIN_QUOTIENT, &w_lin);
        let quotients = vec![w, w_lin];
        Ok((
            Proof {
                folds,
                evals_pos,
                evals_neg,
                evals_sq,
                quotients,
            },
            value,
        ))
    }

    fn verify<T: Transcript>(
        vk: &VerifierKey,
        commitment: &Commitment,
        point: &[F],
        value: &F,
        proof: &Proof,
        transcript: &mut T,
    ) -> Result<(), Error> {
        Self::reduce_to_pairing(vk, commitment, point, value, proof, transcript)?.check(vk)
    }
}

impl AdditivelyHomomorphic for HyperKzg {
    fn combine(cs: &[Commitment], coeffs: &[F]) -> Result<Commitment, Error> {
        if cs.len() != coeffs.len() {
            return Err(Error::LengthMismatch {
                what: "coefficients",
                expected: cs.len(),
                actual: coeffs.len(),
            });
        }
        let bases: Vec<G1Affine> = cs.iter().map(|c| c.0).collect();
        Ok(Commitment(
            G1Projective::msm_unchecked(&bases, coeffs).into_affine(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotient_is_exact() {
        let c: Vec<F> = (1..=9u64).map(F::from).collect();
        let u = F::from(7u64);
        let q = divide_by_linear(&c, u);
        let x = F::from(123u64);
        let lhs = eval_univariate(&c, x) - eval_univariate(&c, u);
        assert_eq!(lhs, eval_univariate(&q, x) * (x - u));
        let big: Vec<F> = (0..10_000u64).map(F::from).collect();
        let naive = big.iter().rev().fold(F::zero(), |a, c| a * u + c);
        assert_eq!(eval_univariate(&big, u), naive);
    }
}
