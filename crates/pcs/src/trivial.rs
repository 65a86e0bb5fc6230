//! A trivial, non-succinct test backend: the commitment is the evaluation vector itself (trailing
//! zeros trimmed, so a polynomial and its zero-padding commit equally) and the verifier
//! re-evaluates. Useful to test protocols built on [`MultilinearPcs`] without an SRS.

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::{MultilinearPoly, Transcript, F};

use crate::msm::Scalars;
use crate::traits::{AdditivelyHomomorphic, MultilinearPcs};
use crate::Error;

/// The trivial scheme. `Setup` is the largest number of variables allowed.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrivialPcs;

/// The "commitment": the evaluation vector without trailing zeros.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct TrivialCommitment(pub Vec<F>);

impl TrivialCommitment {
    fn from_evals(mut v: Vec<F>) -> Self {
        while v.last().is_some_and(|x| x.is_zero()) {
            v.pop();
        }
        Self(v)
    }
}

impl MultilinearPcs for TrivialPcs {
    type Setup = usize;
    type ProverKey = usize;
    type VerifierKey = usize;
    type Commitment = TrivialCommitment;
    type Proof = ();

    fn trim(setup: &usize, max_vars: usize) -> Result<(usize, usize), Error> {
        if max_vars > *setup {
            return Err(Error::SrsTooSmall {
                needed: max_vars,
                available: *setup,
            });
        }
        Ok((max_vars, max_vars))
    }

    fn commit_scalars(pk: &usize, scalars: Scalars<'_>) -> Result<TrivialCommitment, Error> {
        let needed = scalars.len().max(1).next_power_of_two().trailing_zeros() as usize;
        if needed > *pk {
            return Err(Error::SrsTooSmall {
                needed,
                available: *pk,
            });
        }
        let v = match scalars {
            Scalars::Field(f) => f.to_vec(),
            Scalars::Small(s) => s.to_field(),
        };
        Ok(TrivialCommitment::from_evals(v))
    }

    fn absorb_commitment<T: Transcript>(t: &mut T, label: &'static [u8], c: &TrivialCommitment) {
        t.append_fields(label, &c.0);
    }

    fn open<T: Transcript>(
        pk: &usize,
        poly: &MultilinearPoly,
        commitment: &TrivialCommitment,
        point: &[F],
        transcript: &mut T,
    ) -> Result<((), F), Error> {
        if point.len() < poly.num_vars() || point.len() > *pk {
            return Err(Error::PointDimension {
                expected: poly.num_vars(),
                actual: point.len(),
            });
        }
        let value = evaluate_padded(poly.evals(), point)?;
        absorb_claim(transcript, commitment, point, &value);
        Ok(((), value))
    }

    fn verify<T: Transcript>(
        vk: &usize,
        commitment: &TrivialCommitment,
        point: &[F],
        value: &F,
        _proof: &(),
        transcript: &mut T,
    ) -> Result<(), Error> {
        if point.len() > *vk {
            return Err(Error::SrsTooSmall {
                needed: point.len(),
                available: *vk,
            });
        }
        absorb_claim(transcript, commitment, point, value);
        if evaluate_padded(&commitment.0, point)? == *value {
            Ok(())
        } else {
            Err(Error::OpeningMismatch)
        }
    }
}

impl AdditivelyHomomorphic for TrivialPcs {
    fn combine(cs: &[TrivialCommitment], coeffs: &[F]) -> Result<TrivialCommitment, Error> {
        if cs.len() != coeffs.len() {
            return Err(Error::LengthMismatch {
                what: "coefficients",
                expected: cs.len(),
                actual: coeffs.len(),
            });
        }
        let len = cs.iter().map(|c| c.0.len()).max().unwrap_or(0);
        let mut out = vec![F::zero(); len];
        for (c, k) in cs.iter().zip(coeffs) {
            for (o, x) in out.iter_mut().zip(&c.0) {
                *o += *k * x;
            }
        }
        Ok(TrivialCommitment::from_evals(out))
    }
}

fn absorb_claim<T: Transcript>(t: &mut T, c: &TrivialCommitment, point: &[F], value: &F) {
    t.append_fields(b"trivial/commitment", &c.0);
    t.append_fields(b"trivial/point", point);
    t.append_field(b"trivial/value", value);
}

/// Value at `point` of the vector `v` zero-padded to `2^point.len()` entries.
fn evaluate_padded(v: &[F], point: &[F]) -> Result<F, Error> {
    let n = point.len();
    if n >= usize::BITS as usize || v.len() > 1usize << n {
        return Err(Error::PointDimension {
            expected: v.len().next_power_of_two().trailing_zeros() as usize,
            actual: n,
        });
    }
    let k = v.len().max(1).next_power_of_two().trailing_zeros() as usize;
    let mut evals = v.to_vec();
    evals.resize(1 << k, F::zero());
    let low = sumcheck::mle::evaluate_evals(&evals, &point[..k]);
    let high: F = point[k..].iter().map(|r| F::one() - r).product();
    Ok(low * high)
}
