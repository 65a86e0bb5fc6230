//! Nova's non-interactive folding scheme (NIFS) for committed relaxed R1CS
//! (Kothapalli–Setty–Tzialla, *Nova*, §4–5), native prover and verifier, generic over the
//! [`FoldingCurve`] `C` the commitments live in (BN254 G1 for step circuits over `Fr`, Grumpkin
//! for CycleFold circuits over `Fq`; the type parameters default to BN254).
//!
//! **Folding.** Given two committed relaxed instances over the same shape, `U_1 = (C_W1, C_E1,
//! u_1, x_1)` and `U_2 = (C_W2, C_E2, u_2, x_2)`, with witnesses `(W_i, r_Wi, E_i, r_Ei)` and
//! `z_i = (u_i, x_i, W_i)`, the prover sends the commitment to the cross term
//!
//! ```text
//! T   = A z_1 ∘ B z_2 + A z_2 ∘ B z_1 − u_1·C z_2 − u_2·C z_1
//! C_T = Com(T; r_T)                                 (r_T uniform if the key is hiding, else 0)
//! ```
//!
//! draws `r` from the transcript, and both sides fold (the verifier only the instances):
//!
//! ```text
//! C_W = C_W1 + r·C_W2        C_E = C_E1 + r·C_T + r²·C_E2        u = u_1 + r·u_2        x = x_1 + r·x_2
//! W   = W_1 + r·W_2          E   = E_1 + r·T + r²·E_2
//! r_W = r_W1 + r·r_W2        r_E = r_E1 + r·r_T + r²·r_E2
//! ```
//!
//! With `z = z_1 + r·z_2`, `A z ∘ B z − u·C z = (A z_1∘B z_1 − u_1 C z_1) + r·T + r²·(A z_2∘B z_2
//! − u_2 C z_2) = E_1 + r·T + r²·E_2 = E`, and the commitments fold by homomorphism, so the
//! folded pair satisfies the relation iff (except with probability ≈ 2/2^128 over `r`) both
//! inputs do. A strict instance `(C_W, x)` enters as `(C_W, O, 1, x)` with `E = 0, r_E = 0`
//! ([`prove_strict`], [`verify_strict`]): then `C_E2 = O` and the `r²` terms vanish.
//!
//! **Transcript.** A fresh [`PoseidonTranscript`] over `Fr` per fold, for both curves (the
//! in-circuit twin [`crate::nifs_gadget`] replays the BN254 one with
//! [`crate::PoseidonTranscriptVar`]), binding the parameters, both instances in full and `C_T`.
//! Points and scalars are absorbed in the curve's encoding ([`crate::curve`]: BN254 points as
//! four 128-bit limbs and `Fr` scalars as they are; Grumpkin points as their two `Fr`
//! coordinates and `Fq` scalars as two 128-bit limbs each):
//!
//! ```text
//! new(C::NIFS_DOMAIN)                                  "zkpot-nova-nifs" / "zkpot-cyclefold-nifs"
//! absorb  nifs_params         [pp]                       pp = NifsParams::digest (shape + key)
//! absorb  nifs_acc_cmw        C_W1
//! absorb  nifs_acc_cme        C_E1
//! absorb  nifs_acc_u          [u_1]
//! absorb  nifs_acc_x          x_1
//! absorb  nifs_inc_cmw        C_W2
//! absorb  nifs_inc_cme        C_E2  (O for a strict instance)
//! absorb  nifs_inc_u          [u_2] (1 for a strict instance)
//! absorb  nifs_inc_x          x_2
//! absorb  nifs_cross_term     C_T
//! squeeze nifs_r              r = low 128 bits of the challenge
//! ```
//!
//! `r` is truncated to [`CHALLENGE_BITS`] = 128 bits: the folding's soundness error is then
//! ≈ 2^-127, and the scalar multiplications `r·C_W2`, `r·C_T` that CycleFold proves in-circuit
//! take 128 scalar bits instead of 254 (the choice of Nova and sonobe). As an integer below
//! `2^128` it is the same number in `Fr` and `Fq`, which is how the Grumpkin folds use it.
//!
//! `pp` ([`NifsParams::digest`]) is the first 31 bytes (little-endian, so `< p`) of SHA-256 over
//! `C::NIFS_DOMAIN ‖ "params" ‖ shape digest ‖ key digest ‖ u32(CHALLENGE_BITS)`, one `Fr` element
//! so that the in-circuit verifier can take it as a variable (a circuit cannot hold its own
//! digest as a constant).
//!
//! **Costs per fold.** Prover: `T` (six sparse matrix–vector products over the shape), one MSM
//! of `m = |E|` points for `C_T`, vector updates; plus, outside the fold, one MSM of `|W|` points
//! to commit the new step's witness. Verifier: the transcript (a few Poseidon permutations) and
//! two or three scalar multiplications in the group.

use std::sync::Arc;

use ark_bn254::G1Projective;
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_std::rand::RngCore;
use ark_std::UniformRand;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::transcript::MAX_LABEL_LEN;
use sumcheck::{PoseidonTranscript, Transcript, F};

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::pedersen::PedersenKey;
use crate::r1cs::{R1csInstance, R1csShape, R1csWitness, RelaxedR1csInstance, RelaxedR1csWitness};

/// Domain separator of the BN254 folding transcript
/// (`<G1Projective as FoldingCurve>::NIFS_DOMAIN`).
pub const NIFS_DOMAIN: &[u8] = <G1Projective as FoldingCurve>::NIFS_DOMAIN;

/// Bits of the folding challenge `r`.
pub const CHALLENGE_BITS: u32 = 128;

/// Label of the parameters digest.
pub const LABEL_PARAMS: &[u8] = b"nifs_params";
/// Labels of the running (accumulator) instance `U_1`: `C_W`, `C_E`, `u`, `x`.
pub const LABELS_ACC: [&[u8]; 4] = [
    b"nifs_acc_cmw",
    b"nifs_acc_cme",
    b"nifs_acc_u",
    b"nifs_acc_x",
];
/// Labels of the incoming instance `U_2`: `C_W`, `C_E`, `u`, `x`.
pub const LABELS_INC: [&[u8]; 4] = [
    b"nifs_inc_cmw",
    b"nifs_inc_cme",
    b"nifs_inc_u",
    b"nifs_inc_x",
];
/// Label of the cross-term commitment.
pub const LABEL_CROSS_TERM: &[u8] = b"nifs_cross_term";
/// Label of the folding challenge.
pub const LABEL_CHALLENGE: &[u8] = b"nifs_r";

// Every label fits the Poseidon header (checked at compile time).
const _: () = {
    assert!(LABEL_PARAMS.len() <= MAX_LABEL_LEN);
    assert!(LABEL_CROSS_TERM.len() <= MAX_LABEL_LEN);
    assert!(LABEL_CHALLENGE.len() <= MAX_LABEL_LEN);
    let mut i = 0;
    while i < 4 {
        assert!(LABELS_ACC[i].len() <= MAX_LABEL_LEN);
        assert!(LABELS_INC[i].len() <= MAX_LABEL_LEN);
        i += 1;
    }
};

/// The folding parameters shared by prover and verifier: the circuit's shape (over `C`'s scalar
/// field), the commitment key over `C` (at least `max(|W|, m)` generators) and their digest `pp`
/// (an `Fr` element: the transcript is over `Fr` for both curves).
#[derive(Clone, Debug)]
pub struct NifsParams<C: FoldingCurve = G1Projective> {
    // Shared: parameters are cloned into every IVC prover and decider key, and the augmented
    // circuit's shape and key are large (tens of millions of matrix entries, 2^21 generators).
    shape: Arc<R1csShape<C::ScalarField>>,
    key: Arc<PedersenKey<C>>,
    digest: F,
}

impl<C: FoldingCurve> NifsParams<C> {
    /// Parameters from a shape and a key long enough for `W` and `E`.
    pub fn new(shape: R1csShape<C::ScalarField>, key: PedersenKey<C>) -> Result<Self, Error> {
        let needed = shape.num_witness().max(shape.num_constraints());
        if key.len() < needed {
            return Err(Error::KeyTooShort {
                needed,
                available: key.len(),
            });
        }
        let mut h = Sha256::new();
        h.update(C::NIFS_DOMAIN);
        h.update(b"params");
        h.update(shape.digest());
        h.update(key.digest());
        h.update(CHALLENGE_BITS.to_le_bytes());
        let bytes: [u8; 32] = h.finalize().into();
        let digest = F::from_le_bytes_mod_order(&bytes[..31]);
        Ok(Self {
            shape: Arc::new(shape),
            key: Arc::new(key),
            digest,
        })
    }

    /// Parameters with a freshly derived key of exactly `max(|W|, m)` generators.
    pub fn setup(
        shape: R1csShape<C::ScalarField>,
        key_label: &[u8],
        hiding: bool,
    ) -> Result<Self, Error> {
        let n = shape.num_witness().max(shape.num_constraints());
        let key = PedersenKey::new(key_label, n, hiding)?;
        Self::new(shape, key)
    }

    /// The shape.
    pub fn shape(&self) -> &R1csShape<C::ScalarField> {
        &self.shape
    }

    /// The shape, shared (no copy).
    pub fn shape_arc(&self) -> Arc<R1csShape<C::ScalarField>> {
        Arc::clone(&self.shape)
    }

    /// The commitment key.
    pub fn key(&self) -> &PedersenKey<C> {
        &self.key
    }

    /// The parameters digest `pp` the transcript absorbs.
    pub fn digest(&self) -> F {
        self.digest
    }

    /// Commits a step's witness: the strict instance `(C_W, x)` and its witness (one MSM of
    /// `|W|` points).
    pub fn commit_witness<R: RngCore + ?Sized>(
        &self,
        x: Vec<C::ScalarField>,
        w: Vec<C::ScalarField>,
        rng: &mut R,
    ) -> Result<(R1csInstance<C>, R1csWitness<C::ScalarField>), Error> {
        self.shape.commit_witness(&self.key, x, w, rng)
    }

    /// [`R1csShape::is_satisfied`] with this key.
    pub fn is_satisfied(
        &self,
        u: &R1csInstance<C>,
        w: &R1csWitness<C::ScalarField>,
    ) -> Result<(), Error> {
        self.shape.is_satisfied(&self.key, u, w)
    }

    /// [`R1csShape::is_satisfied_relaxed`] with this key.
    pub fn is_satisfied_relaxed(
        &self,
        u: &RelaxedR1csInstance<C>,
        w: &RelaxedR1csWitness<C::ScalarField>,
    ) -> Result<(), Error> {
        self.shape.is_satisfied_relaxed(&self.key, u, w)
    }
}

/// The prover's message: the commitment to the cross term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NifsProof<C: FoldingCurve = G1Projective> {
    /// `C_T = Com(T; r_T)`.
    pub comm_t: C::Affine,
}

fn absorb_instance<C: FoldingCurve>(
    t: &mut PoseidonTranscript,
    labels: &[&'static [u8]; 4],
    u: &RelaxedR1csInstance<C>,
) -> Result<(), Error> {
    let [l_cmw, l_cme, l_u, l_x] = *labels;
    C::append_point(t, l_cmw, &u.comm_w);
    C::append_point(t, l_cme, &u.comm_e);
    C::append_scalars(t, l_u, std::slice::from_ref(&u.u))?;
    C::append_scalars(t, l_x, &u.x)
}

/// The folding challenge `r` (128 bits) for `(pp, U_1, U_2, C_T)`, by the transcript schedule of
/// the module docs, as an element of `C`'s scalar field.
pub fn challenge<C: FoldingCurve>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    inc: &RelaxedR1csInstance<C>,
    comm_t: &C::Affine,
) -> Result<C::ScalarField, Error> {
    Ok(C::ScalarField::from(challenge_u128(
        params, acc, inc, comm_t,
    )?))
}

/// [`challenge`] as the integer `r < 2^128` (the same number in `Fr` and `Fq`; its bits are what
/// CycleFold multiplies by).
pub fn challenge_u128<C: FoldingCurve>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    inc: &RelaxedR1csInstance<C>,
    comm_t: &C::Affine,
) -> Result<u128, Error> {
    let mut t = PoseidonTranscript::new(C::NIFS_DOMAIN);
    t.append_field(LABEL_PARAMS, &params.digest);
    absorb_instance(&mut t, &LABELS_ACC, acc)?;
    absorb_instance(&mut t, &LABELS_INC, inc)?;
    C::append_point(&mut t, LABEL_CROSS_TERM, comm_t);
    let full = t.challenge(LABEL_CHALLENGE);
    Ok(challenge_to_u128(&full))
}

/// The low [`CHALLENGE_BITS`] bits of a squeezed field element.
pub fn truncate_challenge(full: &F) -> F {
    F::from(challenge_to_u128(full))
}

/// The low [`CHALLENGE_BITS`] bits of a squeezed field element, as an integer.
pub fn challenge_to_u128(full: &F) -> u128 {
    let bytes = full.into_bigint().to_bytes_le();
    let mut low = [0u8; 16];
    for (dst, src) in low.iter_mut().zip(&bytes) {
        *dst = *src;
    }
    u128::from_le_bytes(low)
}

fn fold_vec<S: PrimeField>(a: &[S], b: &[S], r: S) -> Vec<S> {
    a.par_iter().zip(b).map(|(a, b)| *a + r * b).collect()
}

/// Folds two relaxed instances with `C_T` and `r` (the verifier's side of the fold; two or
/// three scalar multiplications).
pub fn fold_instances<C: FoldingCurve>(
    acc: &RelaxedR1csInstance<C>,
    inc: &RelaxedR1csInstance<C>,
    comm_t: &C::Affine,
    r: C::ScalarField,
) -> Result<RelaxedR1csInstance<C>, Error> {
    if acc.x.len() != inc.x.len() {
        return Err(Error::LengthMismatch {
            what: "x of the incoming instance",
            expected: acc.x.len(),
            actual: inc.x.len(),
        });
    }
    let comm_w = acc.comm_w.into_group() + inc.comm_w * r;
    let mut comm_e = acc.comm_e.into_group() + *comm_t * r;
    if !inc.comm_e.is_zero() {
        comm_e += inc.comm_e * (r * r);
    }
    let [comm_w, comm_e]: [C::Affine; 2] = C::normalize_batch(&[comm_w, comm_e])
        .try_into()
        .map_err(|_| Error::Malformed {
            what: "normalization returned the wrong number of points",
        })?;
    Ok(RelaxedR1csInstance {
        comm_w,
        comm_e,
        u: acc.u + r * inc.u,
        x: fold_vec(&acc.x, &inc.x, r),
    })
}

/// Folds two relaxed witnesses with the cross term `T`, its blinding `r_T` and `r` (the
/// prover's side of the fold).
pub fn fold_witnesses<S: PrimeField>(
    acc: &RelaxedR1csWitness<S>,
    inc: &RelaxedR1csWitness<S>,
    t: &[S],
    r_t: S,
    r: S,
) -> Result<RelaxedR1csWitness<S>, Error> {
    let m = acc.e.len();
    for (what, len) in [("E of the incoming witness", inc.e.len()), ("T", t.len())] {
        if len != m {
            return Err(Error::LengthMismatch {
                what,
                expected: m,
                actual: len,
            });
        }
    }
    if inc.w.len() != acc.w.len() {
        return Err(Error::LengthMismatch {
            what: "W of the incoming witness",
            expected: acc.w.len(),
            actual: inc.w.len(),
        });
    }
    let r2 = r * r;
    let e = acc
        .e
        .par_iter()
        .zip(t)
        .zip(&inc.e)
        .map(|((e1, t), e2)| *e1 + r * t + r2 * e2)
        .collect();
    Ok(RelaxedR1csWitness {
        w: fold_vec(&acc.w, &inc.w, r),
        r_w: acc.r_w + r * inc.r_w,
        e,
        r_e: acc.r_e + r * r_t + r2 * inc.r_e,
    })
}

/// The NIFS prover: folds `(U_2, W_2)` into the running `(U_1, W_1)`. Returns `C_T` and the
/// folded instance and witness. It does not check that the inputs satisfy the relation (a
/// folded pair of which one input is unsatisfying is itself unsatisfying, except with
/// probability ≈ 2^-127).
#[allow(clippy::type_complexity)]
pub fn prove<C: FoldingCurve, R: RngCore + ?Sized>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    acc_w: &RelaxedR1csWitness<C::ScalarField>,
    inc: &RelaxedR1csInstance<C>,
    inc_w: &RelaxedR1csWitness<C::ScalarField>,
    rng: &mut R,
) -> Result<
    (
        NifsProof<C>,
        RelaxedR1csInstance<C>,
        RelaxedR1csWitness<C::ScalarField>,
    ),
    Error,
> {
    let shape = &params.shape;
    let z1 = shape.z(acc.u, &acc.x, &acc_w.w)?;
    let z2 = shape.z(inc.u, &inc.x, &inc_w.w)?;
    let t = shape.cross_term(&z1, &z2)?;
    let r_t = if params.key.is_hiding() {
        C::ScalarField::rand(rng)
    } else {
        C::ScalarField::zero()
    };
    let comm_t = params.key.commit(&t, &r_t)?;
    let r = challenge(params, acc, inc, &comm_t)?;
    let folded = fold_instances(acc, inc, &comm_t, r)?;
    let folded_w = fold_witnesses(acc_w, inc_w, &t, r_t, r)?;
    Ok((NifsProof { comm_t }, folded, folded_w))
}

/// [`prove`] for a strict incoming instance (embedded with `u = 1, E = 0`).
#[allow(clippy::type_complexity)]
pub fn prove_strict<C: FoldingCurve, R: RngCore + ?Sized>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    acc_w: &RelaxedR1csWitness<C::ScalarField>,
    inc: &R1csInstance<C>,
    inc_w: &R1csWitness<C::ScalarField>,
    rng: &mut R,
) -> Result<
    (
        NifsProof<C>,
        RelaxedR1csInstance<C>,
        RelaxedR1csWitness<C::ScalarField>,
    ),
    Error,
> {
    prove(
        params,
        acc,
        acc_w,
        &RelaxedR1csInstance::from_strict(inc),
        &RelaxedR1csWitness::from_strict(&params.shape, inc_w),
        rng,
    )
}

fn check_instance<C: FoldingCurve>(
    params: &NifsParams<C>,
    u: &RelaxedR1csInstance<C>,
    what: [&'static str; 3],
) -> Result<(), Error> {
    if u.x.len() != params.shape.num_io() {
        return Err(Error::LengthMismatch {
            what: what[0],
            expected: params.shape.num_io(),
            actual: u.x.len(),
        });
    }
    for (p, name) in [(&u.comm_w, what[1]), (&u.comm_e, what[2])] {
        if !C::is_valid_point(p) {
            return Err(Error::InvalidPoint { what: name });
        }
    }
    Ok(())
}

/// The NIFS verifier: the folded instance from `U_1`, `U_2` and `C_T` only. Errors on
/// malformed inputs (wrong number of public inputs, points off the curve); whether the folded
/// instance is satisfiable is for the decider (or [`NifsParams::is_satisfied_relaxed`]) to tell.
pub fn verify<C: FoldingCurve>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    inc: &RelaxedR1csInstance<C>,
    proof: &NifsProof<C>,
) -> Result<RelaxedR1csInstance<C>, Error> {
    check_instance(
        params,
        acc,
        [
            "x of the running instance",
            "C_W of the running instance",
            "C_E of the running instance",
        ],
    )?;
    check_instance(
        params,
        inc,
        [
            "x of the incoming instance",
            "C_W of the incoming instance",
            "C_E of the incoming instance",
        ],
    )?;
    if !C::is_valid_point(&proof.comm_t) {
        return Err(Error::InvalidPoint { what: "C_T" });
    }
    let r = challenge(params, acc, inc, &proof.comm_t)?;
    fold_instances(acc, inc, &proof.comm_t, r)
}

/// [`verify`] for a strict incoming instance.
pub fn verify_strict<C: FoldingCurve>(
    params: &NifsParams<C>,
    acc: &RelaxedR1csInstance<C>,
    inc: &R1csInstance<C>,
    proof: &NifsProof<C>,
) -> Result<RelaxedR1csInstance<C>, Error> {
    verify(params, acc, &RelaxedR1csInstance::from_strict(inc), proof)
}
