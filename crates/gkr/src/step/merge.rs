//! The final merge: every claim on every committed polynomial becomes one evaluation of each
//! polynomial at one common point `r`, and all of them are proven by one batched opening.
//!
//! Protocol (identical on the wire to [`sumcheck::prove_multi_eval`] followed by
//! [`pcs::batch::batch_open`]): claims on polynomials with fewer than `n = max num_vars`
//! variables are lifted to `n` (`P(z) = pad(P)(z, 0, …, 0)`); the eq-weighted sumcheck
//! `Σ_x Σ_j γ^j·eq(point_j, x)·pad(P_{poly_j})(x) = Σ_j γ^j·value_j` ends on `r` with the values
//! `pad(P_k)(r)`, which the verifier checks itself against the weights and then against the
//! commitments with one same-point batch opening at `r`.
//!
//! The prover builds each weight table block-wise: a claim whose trailing coordinates are
//! Boolean (a segment claim, a lifted claim) has an eq table supported on one block, so it costs
//! the block's size, not `2^n`. A polynomial on `m_k < n` variables is never padded for the
//! sumcheck: its weights and `pad(P_k)` both live on the first `2^{m_k}` entries, so it runs its
//! own product sumcheck for the first `m_k` rounds and then contributes the closed form
//! `c·(1 − X)²` per round (`c` = weight × value at index 0, both scaled by `1 − r_j` on binding).
//! The round polynomials are the same as with padding (same sums), so the proof and the
//! transcript are unchanged. The verifier is [`sumcheck::verify_multi_eval`] and
//! [`pcs::batch::batch_verify`], unchanged.

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use pcs::hyperkzg::{self, Commitment};
use pcs::HyperKzg;
use sumcheck::backend::{product_prover, BoxedProver};
use sumcheck::instances::multi_eval::{LABEL_CLAIM, LABEL_GAMMA, LABEL_SHAPE};
use sumcheck::mle::eq_table_scaled;
use sumcheck::{
    prove_batched, verify_multi_eval, EvalClaim, MultiEvalProof, MultilinearPoly,
    SumcheckInstanceProver, Transcript, UniPoly, F,
};

use crate::step::claims::ClaimBook;
use crate::step::error::VerifyError;

/// The merge proof: the reduction to one point and the batched opening there.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MergeProof {
    /// The eq-weighted sumcheck and `pad(P_k)(r)` for every polynomial.
    pub reduction: MultiEvalProof,
    /// One HyperKZG opening of `Σ_k γ'^k·pad(P_k)` at `r`.
    pub opening: hyperkzg::Proof,
}

fn lift(book: &ClaimBook) -> (usize, Vec<EvalClaim>) {
    let n = book.num_vars().iter().copied().max().unwrap_or(0);
    let lifted = book
        .claims()
        .iter()
        .map(|c| {
            let mut point = c.point.clone();
            point.resize(n, F::zero());
            EvalClaim {
                poly: c.poly,
                point,
                value: c.value,
            }
        })
        .collect();
    (n, lifted)
}

fn absorb_claims<T: Transcript>(t: &mut T, num_polys: usize, n: usize, claims: &[EvalClaim]) -> F {
    t.append_fields(
        LABEL_SHAPE,
        &[
            F::from(num_polys as u64),
            F::from(n as u64),
            F::from(claims.len() as u64),
        ],
    );
    for c in claims {
        let mut buf = Vec::with_capacity(c.point.len() + 2);
        buf.push(F::from(c.poly as u64));
        buf.extend_from_slice(&c.point);
        buf.push(c.value);
        t.append_fields(LABEL_CLAIM, &buf);
    }
    t.challenge(LABEL_GAMMA)
}

/// Add `scale·eq(point, ·)` into `w` (length `2^point.len()`), touching only the block on which
/// it is nonzero (trailing Boolean coordinates fix the block).
fn add_eq_blockwise(w: &mut [F], point: &[F], scale: F) {
    let mut m = point.len();
    let mut block = 0usize;
    while m > 0 {
        let c = point[m - 1];
        if c.is_zero() {
            m -= 1;
        } else if c.is_one() {
            block |= 1 << (m - 1);
            m -= 1;
        } else {
            break;
        }
    }
    // `block` holds the bits of the trailing coordinates at their positions; the block starts
    // there.
    let t = eq_table_scaled(&point[..m], scale);
    let start = block;
    for (o, x) in w[start..start + t.len()].iter_mut().zip(&t) {
        *o += x;
    }
}

struct Part {
    poly: usize,
    /// Product sumcheck of (weights, `P_k`) on the first `2^{m_k}` entries (on the installed
    /// round backend, or the CPU).
    prover: BoxedProver,
    /// `m_k`.
    rounds: usize,
    running: F,
    last: Option<UniPoly>,
    /// After `m_k` rounds: the weight and the value at index 0 (times `Π (1 − r_j)`).
    tail: Option<(F, F)>,
}

struct MergeInstance<'a> {
    n: usize,
    claim: F,
    parts: Vec<Part>,
    unclaimed: Vec<(usize, &'a MultilinearPoly)>,
    num_polys: usize,
    r: Vec<F>,
}

impl SumcheckInstanceProver for MergeInstance<'_> {
    fn num_rounds(&self) -> usize {
        self.n
    }
    fn degree(&self) -> usize {
        2
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn round_polynomial(&mut self, round: usize, _previous_claim: F) -> UniPoly {
        let mut acc = UniPoly::from_coeffs(vec![F::zero(); 3]);
        for p in &mut self.parts {
            if round < p.rounds {
                let q = p.prover.round_polynomial(round, p.running);
                acc.add_scaled(&q, F::one());
                p.last = Some(q);
            } else if let Some((w, v)) = p.tail {
                // Σ_x w(X, x)·P(X, x) = w·v·(1 − X)²: only index 0 is nonzero.
                let c = w * v;
                acc.add_scaled(&UniPoly::from_coeffs(vec![c, -(c + c), c]), F::one());
            }
        }
        acc
    }
    fn bind(&mut self, r: F) {
        let round = self.r.len();
        for p in &mut self.parts {
            if round < p.rounds {
                if let Some(q) = p.last.take() {
                    p.running = q.evaluate(&r);
                }
                p.prover.bind(r);
                if round + 1 == p.rounds {
                    let f = p.prover.final_evaluations();
                    p.tail = Some((
                        f.first().copied().unwrap_or_default(),
                        f.get(1).copied().unwrap_or_default(),
                    ));
                }
            } else if let Some((w, v)) = &mut p.tail {
                let s = F::one() - r;
                *w *= s;
                *v *= s;
            }
        }
        self.r.push(r);
    }
    fn final_evaluations(&self) -> Vec<F> {
        let mut out = vec![F::zero(); self.num_polys];
        for p in &self.parts {
            let v = match p.tail {
                Some((_, v)) => Some(v),
                None => p.prover.final_evaluations().get(1).copied(),
            };
            if let (Some(o), Some(v)) = (out.get_mut(p.poly), v) {
                *o = v;
            }
        }
        for (i, poly) in &self.unclaimed {
            let m = poly.num_vars();
            let pad: F = self.r.iter().skip(m).map(|r| F::one() - r).product();
            if let (Some(o), Some(v)) = (out.get_mut(*i), poly.try_evaluate(&self.r[..m])) {
                *o = v * pad;
            }
        }
        out
    }
}

/// Prove every claim of `book` on `polys` (committed as `commitments`). Prover-side errors only
/// come from inconsistent inputs.
pub fn prove_merge<T: Transcript>(
    pk: &hyperkzg::ProverKey,
    polys: &[&MultilinearPoly],
    commitments: &[Commitment],
    book: &ClaimBook,
    transcript: &mut T,
) -> Result<MergeProof, pcs::Error> {
    let (n, lifted) = lift(book);
    let k = polys.len();
    if book.num_vars().len() != k || commitments.len() != k {
        return Err(pcs::Error::LengthMismatch {
            what: "merge: polynomials, commitments and claim book",
            expected: k,
            actual: commitments.len(),
        });
    }
    // Polynomial k lives on m_k variables: its own size, or more if a claim's point is longer
    // (then it is padded to that size; coordinates beyond a claim's point are 0 after lifting).
    let mut sizes: Vec<usize> = polys.iter().map(|p| p.num_vars()).collect();
    for c in book.claims() {
        if let Some(m) = sizes.get_mut(c.poly) {
            *m = (*m).max(c.point.len()).min(n);
        }
    }
    let gamma = absorb_claims(transcript, k, n, &lifted);
    let mut weights: Vec<Option<Vec<F>>> = vec![None; k];
    let mut g = F::one();
    let mut claim = F::zero();
    for c in &lifted {
        let m = *sizes.get(c.poly).ok_or(pcs::Error::ClaimIndex {
            claim: 0,
            poly: c.poly,
            num_polys: k,
        })?;
        let w = weights
            .get_mut(c.poly)
            .ok_or(pcs::Error::ClaimIndex {
                claim: 0,
                poly: c.poly,
                num_polys: k,
            })?
            .get_or_insert_with(|| vec![F::zero(); 1usize << m]);
        // The lifted coordinates `m..n` are 0: the eq table lives on the first 2^m entries.
        add_eq_blockwise(w, &c.point[..m], g);
        claim += g * c.value;
        g *= gamma;
    }
    let mut parts = Vec::new();
    let mut unclaimed = Vec::new();
    for (i, (w, p)) in weights.into_iter().zip(polys).enumerate() {
        let m = sizes[i];
        match w {
            Some(w) => {
                let table = if p.num_vars() == m {
                    (*p).clone()
                } else {
                    p.pad_to_vars(m)
                };
                let prover = product_prover(vec![
                    MultilinearPoly::new(w).map_err(|_| pcs::Error::PointDimension {
                        expected: m,
                        actual: 0,
                    })?,
                    table,
                ])
                .map_err(|_| pcs::Error::PointDimension {
                    expected: n,
                    actual: p.num_vars(),
                })?;
                let running = prover.input_claim();
                // A 0-variable part is in its closed form from the start.
                let tail = (m == 0).then(|| {
                    let f = prover.final_evaluations();
                    (
                        f.first().copied().unwrap_or_default(),
                        f.get(1).copied().unwrap_or_default(),
                    )
                });
                parts.push(Part {
                    poly: i,
                    prover,
                    rounds: m,
                    running,
                    last: None,
                    tail,
                });
            }
            None => unclaimed.push((i, *p)),
        }
    }
    let mut inst = MergeInstance {
        n,
        claim,
        parts,
        unclaimed,
        num_polys: k,
        r: Vec::with_capacity(n),
    };
    let (sumcheck, r, mut finals) = prove_batched(&mut [&mut inst], transcript);
    let evals = finals.pop().unwrap_or_default();
    drop(inst);
    // The batch opening absorbs every size as `n` (the verifier's view): open the zero-padded
    // vectors (implicitly, without copies).
    let (opening, _) = pcs::batch::batch_open_declared::<HyperKzg, T>(
        pk,
        polys,
        &vec![n; k],
        commitments,
        &r,
        transcript,
    )?;
    Ok(MergeProof {
        reduction: MultiEvalProof { sumcheck, evals },
        opening,
    })
}

/// Check a [`MergeProof`] against the claims of `book` and the commitments.
pub fn verify_merge<T: Transcript>(
    vk: &hyperkzg::VerifierKey,
    commitments: &[Commitment],
    book: &ClaimBook,
    proof: &MergeProof,
    transcript: &mut T,
) -> Result<(), VerifyError> {
    let k = commitments.len();
    if book.num_vars().len() != k {
        return Err(VerifyError::malformed(
            "merge: one commitment per polynomial",
        ));
    }
    let (n, lifted) = lift(book);
    let r = verify_multi_eval(k, n, &lifted, &proof.reduction, transcript).map_err(|source| {
        VerifyError::Sumcheck {
            phase: "merge",
            source,
        }
    })?;
    let sizes = vec![n; k];
    pcs::batch::batch_verify::<HyperKzg, T>(
        vk,
        commitments,
        &sizes,
        &r,
        &proof.reduction.evals,
        &proof.opening,
        transcript,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_std::UniformRand;
    use pcs::{MultilinearPcs, Srs};
    use rand::SeedableRng;
    use sumcheck::{prove_multi_eval, MerlinTranscript};

    /// The sized-part prover produces exactly the padded multi-eval sumcheck, and verifies.
    #[test]
    fn merge_matches_padded_multi_eval() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let srs = Srs::dev_setup_u64(3, 7).unwrap();
        let (pk, vk) = HyperKzg::keys(&srs, 7).unwrap();
        let sizes = [7usize, 3, 5, 0, 4];
        let polys: Vec<MultilinearPoly> = sizes
            .iter()
            .map(|&m| {
                MultilinearPoly::new((0..1usize << m).map(|_| F::rand(&mut rng)).collect()).unwrap()
            })
            .collect();
        let refs: Vec<&MultilinearPoly> = polys.iter().collect();
        let comms: Vec<Commitment> = polys
            .iter()
            .map(|p| HyperKzg::commit(&pk, p).unwrap())
            .collect();
        let mut book = ClaimBook::new(sizes.to_vec());
        for (k, p) in polys.iter().enumerate().filter(|(k, _)| *k != 4) {
            let m = sizes[k];
            let z: Vec<F> = (0..m).map(|_| F::rand(&mut rng)).collect();
            book.add(k, z.clone(), p.evaluate(&z)).unwrap();
            if m >= 2 {
                // A segment claim (trailing Boolean coordinates).
                let local: Vec<F> = (0..m - 2).map(|_| F::rand(&mut rng)).collect();
                let mut point = local.clone();
                point.extend(crate::step::claims::index_bits(2, 2));
                book.add_segment(k, &local, 2, p.evaluate(&point)).unwrap();
            }
        }
        let mut t = MerlinTranscript::new(b"merge-test");
        let proof = prove_merge(&pk, &refs, &comms, &book, &mut t).unwrap();
        let (n, lifted) = lift(&book);
        let padded: Vec<MultilinearPoly> = polys.iter().map(|p| p.pad_to_vars(n)).collect();
        let prefs: Vec<&MultilinearPoly> = padded.iter().collect();
        let mut t2 = MerlinTranscript::new(b"merge-test");
        let (reference, _) = prove_multi_eval(&prefs, &lifted, &mut t2);
        assert_eq!(proof.reduction, reference);
        let mut t = MerlinTranscript::new(b"merge-test");
        verify_merge(&vk, &comms, &book, &proof, &mut t).unwrap();
    }
}
