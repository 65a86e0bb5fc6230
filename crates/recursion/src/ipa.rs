//! A non-hiding Bulletproofs inner-product argument (Bünz–Bootle–Boneh–Poelstra–Wuille–Maxwell,
//! *Bulletproofs*, §3, protocols 1–2) over a [`FoldingCurve`] `C` with scalar field `S`: the
//! opening of a Pedersen commitment against a public linear form, with a proof of `2k` points and
//! one scalar. Used with Grumpkin (`S = Fq`) by a decider that is not zero-knowledge.
//!
//! # Statement
//!
//! Public: generators `G_0..G_{N-1}` (`N = 2^k`) and a point `U_0` ([`IpaKey`]), a commitment
//! `P`, a vector `b ∈ S^N` and a value `v ∈ S`. Witness: `a ∈ S^N` with
//!
//! ```text
//! P = Σ_i a_i·G_i        and        <a, b> = v.
//! ```
//!
//! There is no blinding term (a hiding commitment `P + r·H` has `r·H` removed by the caller) and
//! the argument reveals information about `a`: it is **not zero-knowledge**. Vectors shorter than
//! `N` are zero-padded, which changes neither `P` nor `<a, b>`.
//!
//! # Protocol
//!
//! ```text
//! absorb  ipa_commitment  P                    (C::append_point)
//! absorb  ipa_value       [v]                  (C::append_scalars)
//! squeeze ipa_u           ξ                    (C::challenge_scalar; ξ = 0 is an error)
//! U = ξ·U_0,   P' = P + v·U
//! round j = 1..k  (vectors of length n halve: lo = first n/2 entries, hi = last n/2)
//!     L_j = <a_lo, G_hi> + <a_lo, b_hi>·U
//!     R_j = <a_hi, G_lo> + <a_hi, b_lo>·U
//!     absorb  ipa_l  L_j
//!     absorb  ipa_r  R_j
//!     squeeze ipa_x  x_j                        (x_j = 0 is an error)
//!     a ← a_lo·x_j + a_hi·x_j⁻¹,   b ← b_lo·x_j⁻¹ + b_hi·x_j,   G ← G_lo·x_j⁻¹ + G_hi·x_j
//! send a (the single remaining entry)
//! ```
//!
//! One round maps a witness of `P'_{j-1} = <a, G> + <a, b>·U` to one of
//! `P'_j = P'_{j-1} + x_j²·L_j + x_j⁻²·R_j`: expanding `<a', G'>` and `<a', b'>` gives the old
//! terms plus `x_j²` times the `lo × hi` cross terms (`L_j`) and `x_j⁻²` times the `hi × lo`
//! ones (`R_j`). After `k` rounds the verifier checks the length-one relation directly.
//!
//! **Verifier.** It checks `|L| = |R| = k` and that `P` and every `L_j, R_j` is a point of the
//! group ([`FoldingCurve::is_valid_point`]; the identity is a valid point, an honest `L_j` can be
//! it), replays the transcript, and unrolls the folds: the final generator is
//! `G_final = Σ_i s_i·G_i` with
//!
//! ```text
//! s_i = Π_{j=1..k} x_j^{±1}     (+1 if bit j of i, counted from the most significant, round 1,
//!                                is set — G_i sits in the hi half of round j — else −1),
//! ```
//!
//! computed in `O(N)` by doubling (`s ← (s·x_j⁻¹, s·x_j)` interleaved), and likewise
//! `b_final = <s, b>`. It accepts iff
//!
//! ```text
//! P' + Σ_j (x_j²·L_j + x_j⁻²·R_j) = a·G_final + (a·b_final)·U,
//! ```
//!
//! evaluated as one MSM of `N + 2k + 2` points that must vanish: scalars `−a·s_i` on `G_i`,
//! `x_j²` on `L_j`, `x_j⁻²` on `R_j`, `1` on `P` and `ξ·(v − a·b_final)` on `U_0`. The `x_j⁻¹`
//! come from one batch inversion.
//!
//! **Soundness.** Knowledge-sound under discrete log in the group, in the random-oracle model for
//! the transcript, provided nobody knows a relation between `G_0..G_{N-1}, U_0` (they are hashed
//! to the curve, see [`IpaKey::for_pedersen`]). The challenge `ξ` binds `v`: a `P` with a hidden
//! `δ·U_0` component satisfies the final relation only if `δ = ξ·(<a, b> − v)`, fixed before `ξ`.
//! Challenges are squeezed in `Fr` and mapped into `S` by [`FoldingCurve::challenge_scalar`]
//! (injective for Grumpkin, whose `S = Fq` is larger than `Fr`).
//!
//! **What the caller binds.** The transcript schedule above absorbs `P` and `v` only: the key
//! (e.g. [`IpaKey::digest`]) and `b` must already be fixed by the transcript state the caller
//! hands in (in a decider, `b` is derived from earlier challenges).
//!
//! # Prover: rescaled folds
//!
//! The prover folds with one field multiplication per vector entry and one scalar multiplication
//! per generator of the hi half, by carrying `μ_j = Π_{t ≤ j} x_t` and rescaled vectors
//! `ã = a/μ`, `b̃ = μ·b`, `G̃ = μ·G` (all equal to the true ones before round 1):
//!
//! ```text
//! ã ← ã_lo + x_j⁻²·ã_hi,    b̃ ← b̃_lo + x_j²·b̃_hi,    G̃ ← G̃_lo + x_j²·G̃_hi,    μ ← μ·x_j
//! L_j = <ã_lo, G̃_hi> + <ã_lo, b̃_hi>·U,    R_j = <ã_hi, G̃_lo> + <ã_hi, b̃_lo>·U,    a = μ_k·ã
//! ```
//!
//! (the factors `μ` cancel in every product, so `L_j`, `R_j` and the final `a` are exactly those
//! of the protocol). Cost: `≈ N` scalar multiplications to fold the generators (`N/2` in round
//! 1, halving), MSMs of `N/2 + N/4 + …` points each for the `L_j` and the `R_j`, `O(N)` field
//! operations; the folds run in parallel with `rayon`. Verifier: the transcript (`2k + 2`
//! absorbs), `O(N)` field operations for `s` and `b_final`, one MSM of `N + 2k + 2` points.

use ark_ff::{batch_inversion, Field, One};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::transcript::MAX_LABEL_LEN;
use sumcheck::Transcript;

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::pedersen::{GeneratorIndex, PedersenKey};

/// Label of the commitment `P`.
pub const LABEL_COMMITMENT: &[u8] = b"ipa_commitment";
/// Label of the claimed value `v`.
pub const LABEL_VALUE: &[u8] = b"ipa_value";
/// Label of the challenge `ξ` that scales `U_0`.
pub const LABEL_U: &[u8] = b"ipa_u";
/// Label of each `L_j`.
pub const LABEL_L: &[u8] = b"ipa_l";
/// Label of each `R_j`.
pub const LABEL_R: &[u8] = b"ipa_r";
/// Label of each round challenge `x_j`.
pub const LABEL_X: &[u8] = b"ipa_x";

/// Prefix of the label `U_0` is hashed from ([`IpaKey::for_pedersen`]).
pub const U_LABEL_PREFIX: &[u8] = b"zkpot-ipa-u/";

/// Domain tag of [`IpaKey::digest`].
const DIGEST_DOMAIN: &[u8] = b"zkpot-ipa-key-v1";

/// Folds of vectors shorter than this run sequentially.
const PAR_MIN_LEN: usize = 1 << 8;

// Every label fits the Poseidon header (checked at compile time).
const _: () = {
    assert!(LABEL_COMMITMENT.len() <= MAX_LABEL_LEN);
    assert!(LABEL_VALUE.len() <= MAX_LABEL_LEN);
    assert!(LABEL_U.len() <= MAX_LABEL_LEN);
    assert!(LABEL_L.len() <= MAX_LABEL_LEN);
    assert!(LABEL_R.len() <= MAX_LABEL_LEN);
    assert!(LABEL_X.len() <= MAX_LABEL_LEN);
};

/// The public parameters of the argument: `N = 2^k` generators `G_i` and the point `U_0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpaKey<C: FoldingCurve> {
    generators: Vec<C::Affine>,
    u0: C::Affine,
    num_vars: usize,
    digest: [u8; 32],
}

impl<C: FoldingCurve> IpaKey<C> {
    /// The key for commitments made with `key`, on `N = 2^num_vars` generators:
    ///
    /// * `G_i` is the key's `i`-th generator for `i < min(|key|, N)`, and for `|key| ≤ i < N` the
    ///   generator a longer key with the same label would have, `C::hash_to_curve(label,
    ///   Vector(i))` ([`crate::pedersen`]); so a commitment `key.commit(a, 0)` with `|a| ≤ N` is
    ///   `Σ a_i·G_i`. (For a key built [`PedersenKey::from_bases`], the first `|key|` generators
    ///   are its bases and the rest are hashed: binding then also rests on the bases' own
    ///   assumption, e.g. an unknown SRS trapdoor.)
    /// * `U_0 = C::hash_to_curve(U_LABEL_PREFIX ‖ label, Blinding)`: hashed under another label
    ///   than the key's `G_i` and `H`, so in the random-oracle model it is independent of them
    ///   (labels starting with [`U_LABEL_PREFIX`] are reserved for this).
    ///
    /// The digest is SHA-256 over `"zkpot-ipa-key-v1" ‖ C::PEDERSEN_DOMAIN ‖ key digest ‖
    /// u64(num_vars)`. Errors if `2^num_vars` does not fit in `usize` or hashing to the curve
    /// fails.
    pub fn for_pedersen(key: &PedersenKey<C>, num_vars: usize) -> Result<Self, Error> {
        if num_vars >= usize::BITS as usize - 1 {
            return Err(Error::Malformed {
                what: "IPA key: 2^num_vars generators do not fit in usize",
            });
        }
        let n = 1usize << num_vars;
        let label = key.label();
        let prefix = &key.generators()[..key.len().min(n)];
        let extension = (prefix.len() as u64..n as u64)
            .into_par_iter()
            .map(|i| C::hash_to_curve(label, GeneratorIndex::Vector(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut generators = prefix.to_vec();
        generators.extend(extension);
        let u0 = C::hash_to_curve(&[U_LABEL_PREFIX, label].concat(), GeneratorIndex::Blinding)?;
        let mut h = Sha256::new();
        h.update(DIGEST_DOMAIN);
        h.update(C::PEDERSEN_DOMAIN);
        h.update(key.digest());
        h.update((num_vars as u64).to_le_bytes());
        Ok(Self {
            generators,
            u0,
            num_vars,
            digest: h.finalize().into(),
        })
    }

    /// The number of rounds `k` (`N = 2^k`).
    pub fn num_vars(&self) -> usize {
        self.num_vars
    }

    /// The number of generators `N = 2^k`.
    pub fn len(&self) -> usize {
        self.generators.len()
    }

    /// Always `false`: a key has at least one generator.
    pub fn is_empty(&self) -> bool {
        self.generators.is_empty()
    }

    /// The generators `G_0..G_{N-1}`.
    pub fn generators(&self) -> &[C::Affine] {
        &self.generators
    }

    /// The point `U_0` the inner product is committed on.
    pub fn u0(&self) -> &C::Affine {
        &self.u0
    }

    /// SHA-256 digest naming the key (see [`Self::for_pedersen`]).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
}

/// An inner-product proof: the round messages `L_j`, `R_j` (`j = 1..k`) and the final scalar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpaProof<C: FoldingCurve> {
    /// `L_1..L_k`.
    pub l: Vec<C::Affine>,
    /// `R_1..R_k`.
    pub r: Vec<C::Affine>,
    /// The folded witness `a` (length one).
    pub a: C::ScalarField,
}

/// `v` zero-padded to `n`; errors if it is longer.
fn padded<S: Field>(v: &[S], n: usize) -> Result<Vec<S>, Error> {
    if v.len() > n {
        return Err(Error::KeyTooShort {
            needed: v.len(),
            available: n,
        });
    }
    let mut out = v.to_vec();
    out.resize(n, S::zero());
    Ok(out)
}

fn inner_product<S: Field>(a: &[S], b: &[S]) -> S {
    a.par_iter()
        .with_min_len(PAR_MIN_LEN)
        .zip(b)
        .map(|(x, y)| *x * y)
        .sum()
}

/// `lo + c·hi` entrywise.
fn fold_scalars<S: Field>(lo: &[S], hi: &[S], c: S) -> Vec<S> {
    lo.par_iter()
        .with_min_len(PAR_MIN_LEN)
        .zip(hi)
        .map(|(l, h)| *l + c * h)
        .collect()
}

/// `lo + c·hi` entrywise on points (one scalar multiplication each, one batch normalization).
fn fold_points<C: FoldingCurve>(
    lo: &[C::Affine],
    hi: &[C::Affine],
    c: C::ScalarField,
) -> Vec<C::Affine> {
    let folded: Vec<C> = lo
        .par_iter()
        .with_min_len(16)
        .zip(hi)
        .map(|(l, h)| *h * c + *l)
        .collect();
    C::normalize_batch(&folded)
}

/// Absorbs `P` and `v` and returns `ξ` (module docs).
fn absorb_statement<C: FoldingCurve, T: Transcript>(
    t: &mut T,
    comm: &C::Affine,
    v: &C::ScalarField,
) -> Result<C::ScalarField, Error> {
    C::append_point(t, LABEL_COMMITMENT, comm);
    C::append_scalars(t, LABEL_VALUE, std::slice::from_ref(v))?;
    nonzero(C::challenge_scalar(t, LABEL_U))
}

/// Absorbs `L_j`, `R_j` and returns `x_j` (module docs).
fn round_challenge<C: FoldingCurve, T: Transcript>(
    t: &mut T,
    l: &C::Affine,
    r: &C::Affine,
) -> Result<C::ScalarField, Error> {
    C::append_point(t, LABEL_L, l);
    C::append_point(t, LABEL_R, r);
    nonzero(C::challenge_scalar(t, LABEL_X))
}

fn nonzero<S: Field>(x: S) -> Result<S, Error> {
    if x.is_zero() {
        Err(Error::Malformed {
            what: "zero inner-product challenge",
        })
    } else {
        Ok(x)
    }
}

/// The IPA prover: a proof that `comm = Σ a_i·G_i` opens to `<a, b>` (absorbed as `v`). `a` and
/// `b` may be shorter than `N` (zero-padded) but not longer. It does not check that `comm` is
/// the commitment to `a` (a proof for a wrong `comm` does not verify).
pub fn prove<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    comm: &C::Affine,
    a: &[C::ScalarField],
    b: &[C::ScalarField],
    t: &mut T,
) -> Result<IpaProof<C>, Error> {
    let n = key.len();
    // The rescaled ã, b̃, G̃ of the module docs (equal to a, b, G before round 1).
    let mut a = padded(a, n)?;
    let mut b = padded(b, n)?;
    let v = inner_product(&a, &b);
    let xi = absorb_statement::<C, T>(t, comm, &v)?;
    let u = key.u0 * xi;
    let mut g = key.generators.clone();
    let mut mu = C::ScalarField::one();
    let mut l = Vec::with_capacity(key.num_vars);
    let mut r = Vec::with_capacity(key.num_vars);
    while a.len() > 1 {
        let half = a.len() / 2;
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let (g_lo, g_hi) = g.split_at(half);
        let l_j = C::msm_unchecked(g_hi, a_lo) + u * inner_product(a_lo, b_hi);
        let r_j = C::msm_unchecked(g_lo, a_hi) + u * inner_product(a_hi, b_lo);
        let (l_j, r_j) = (l_j.into_affine(), r_j.into_affine());
        let x = round_challenge::<C, T>(t, &l_j, &r_j)?;
        let x2 = x.square();
        let x2_inv = x2.inverse().ok_or(Error::Malformed {
            what: "zero inner-product challenge",
        })?;
        let next_a = fold_scalars(a_lo, a_hi, x2_inv);
        let next_b = fold_scalars(b_lo, b_hi, x2);
        if half > 1 {
            g = fold_points::<C>(g_lo, g_hi, x2);
        }
        a = next_a;
        b = next_b;
        mu *= x;
        l.push(l_j);
        r.push(r_j);
    }
    Ok(IpaProof { l, r, a: mu * a[0] })
}

/// `s_i = Π_j x_j^{±1}` for `i < 2^k` (module docs), by doubling: after round `j` the prefix of
/// length `2^j` holds the coefficients of the first `j` rounds.
fn fold_coefficients<S: Field>(x: &[S], x_inv: &[S]) -> Vec<S> {
    let mut s = vec![S::zero(); 1 << x.len()];
    s[0] = S::one();
    for (j, (x, x_inv)) in x.iter().zip(x_inv).enumerate() {
        for i in (0..1usize << j).rev() {
            let c = s[i];
            s[2 * i] = c * x_inv;
            s[2 * i + 1] = c * x;
        }
    }
    s
}

/// Errors unless `p` is a point of the group.
fn check_point<C: FoldingCurve>(p: &C::Affine, what: &'static str) -> Result<(), Error> {
    if C::is_valid_point(p) {
        Ok(())
    } else {
        Err(Error::InvalidPoint { what })
    }
}

/// The IPA verifier: accepts iff `proof` shows that `comm` opens to some `a` with `<a, b> = v`
/// (module docs). `b` may be shorter than `N` (zero-padded). Never panics on a malformed proof:
/// wrong lengths ([`Error::ProofShape`]), points off the curve ([`Error::InvalidPoint`]), a
/// zero challenge ([`Error::Malformed`]); a well-formed proof that fails the final equation is
/// [`Error::Rejected`].
pub fn verify<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    comm: &C::Affine,
    b: &[C::ScalarField],
    v: &C::ScalarField,
    proof: &IpaProof<C>,
    t: &mut T,
) -> Result<(), Error> {
    let (n, k) = (key.len(), key.num_vars);
    if b.len() > n {
        return Err(Error::KeyTooShort {
            needed: b.len(),
            available: n,
        });
    }
    for (what, actual) in [("IPA L_j", proof.l.len()), ("IPA R_j", proof.r.len())] {
        if actual != k {
            return Err(Error::ProofShape {
                what,
                expected: k,
                actual,
            });
        }
    }
    check_point::<C>(comm, "IPA commitment P")?;
    for (l, r) in proof.l.iter().zip(&proof.r) {
        check_point::<C>(l, "IPA L_j")?;
        check_point::<C>(r, "IPA R_j")?;
    }

    let xi = absorb_statement::<C, T>(t, comm, v)?;
    let x = proof
        .l
        .iter()
        .zip(&proof.r)
        .map(|(l, r)| round_challenge::<C, T>(t, l, r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut x_inv = x.clone();
    batch_inversion(&mut x_inv);

    let s = fold_coefficients(&x, &x_inv);
    let b_final = inner_product(&s[..b.len()], b);
    let a = proof.a;

    // P + ξ·v·U_0 + Σ_j (x_j²·L_j + x_j⁻²·R_j) − a·Σ_i s_i·G_i − ξ·a·b_final·U_0 = 0.
    let mut bases = Vec::with_capacity(n + 2 * k + 2);
    bases.extend_from_slice(&key.generators);
    bases.extend_from_slice(&proof.l);
    bases.extend_from_slice(&proof.r);
    bases.push(*comm);
    bases.push(key.u0);
    let mut scalars: Vec<C::ScalarField> = s
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .map(|s| -(a * s))
        .collect();
    scalars.extend(x.iter().map(|x| x.square()));
    scalars.extend(x_inv.iter().map(|x| x.square()));
    scalars.push(C::ScalarField::one());
    scalars.push(xi * (*v - a * b_final));
    if C::msm_unchecked(&bases, &scalars).is_zero() {
        Ok(())
    } else {
        Err(Error::Rejected {
            what: "inner-product argument: final equation",
        })
    }
}
