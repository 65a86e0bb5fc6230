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
//! # Several statements on one key: [`prove_many`], [`verify_many`]
//!
//! `m ≥ 1` statements `(P_t, b_t, v_t)`, `t = 1..m`, over the same key (the Spartan-IPA decider
//! opens `W` and `E` with `m = 2`) run in lockstep on shared challenges, so that the verifier
//! folds the generators once and checks everything in **one** MSM:
//!
//! ```text
//! absorb  ipa_commitment P_t,  ipa_value [v_t]         for t = 1..m, in order
//! squeeze ipa_u  ξ                                    one U = ξ·U_0 for all statements
//! round j = 1..k:
//!     absorb ipa_l L_{t,j}, ipa_r R_{t,j}              for t = 1..m, in order
//!     squeeze ipa_x x_j                                one challenge; every a_t, b_t and the
//!                                                      shared G fold with it as above
//! if m > 1:
//!     absorb  ipa_final [a_1, …, a_m]
//!     squeeze ipa_rho ρ                                (ρ = 0 is an error)
//! ```
//!
//! For `m = 1` this is exactly the single protocol above ([`prove`] and [`verify`] are the
//! one-statement case). Every statement ends on the same `G_final = Σ_i s_i·G_i` (same `x_j`),
//! with its own `b_{t,final} = <s, b_t>`. Writing `D_t` for statement `t`'s final equation moved
//! to one side,
//!
//! ```text
//! D_t = P_t + ξ·v_t·U_0 + Σ_j (x_j²·L_{t,j} + x_j⁻²·R_{t,j}) − a_t·G_final − ξ·a_t·b_{t,final}·U_0,
//! ```
//!
//! the verifier accepts iff `Σ_t ρ^{t−1}·D_t = 0`, one MSM of `N + m·(2k + 1) + 1` points
//! (`N + 4k + 3` for a pair): `−(Σ_t ρ^{t−1}·a_t)·s_i` on `G_i`, `ρ^{t−1}·x_j^{±2}` on
//! `L_{t,j}`, `R_{t,j}`, `ρ^{t−1}` on `P_t` and `ξ·Σ_t ρ^{t−1}·(v_t − a_t·b_{t,final})` on `U_0`.
//! The `N` generators are fixed, so the key keeps their window shifts and that part of the MSM
//! is one bucket pass (`crate::fixed_base`); the `m·(2k + 1) + 1` others are variable-base.
//!
//! **Why it is sound.** Each statement taken alone is the single protocol: its challenges are
//! random-oracle outputs squeezed after its own `L_{t,j}, R_{t,j}` (the other statements'
//! messages are only more transcript), so the single argument's extractor applies to it, and it
//! needs `D_t = 0`. Every `D_t` is fixed before `ρ` (all of `P_t, v_t, L, R, a_t` are absorbed
//! and `b_t` is bound by the caller); in a group of prime order, `D_t = d_t·H` for a generator
//! `H`, and if some `d_t ≠ 0` then `Σ_t ρ^{t−1}·d_t` is a non-zero polynomial of degree `≤ m − 1`
//! in `ρ`, which is uniform on a set of `|Fr|` values: it vanishes with probability
//! `≤ (m − 1)/|Fr|`. **One `U` for all statements** is enough: `ξ` is squeezed after every
//! `(P_t, v_t)`, so for each `t` a hidden `δ_t·U_0` in `P_t` passes only if
//! `δ_t = ξ·(<a_t, b_t> − v_t)`, as in the single case; a `U` per statement would only add
//! `m − 1` points to the MSM. The proof is `m` [`IpaProof`]s (the same data as `m` separate
//! arguments: `2k` points and a scalar each), each valid only within its batch, in its place.
//!
//! # Prover: rescaled folds
//!
//! The prover folds with one field multiplication per vector entry and one scalar multiplication
//! per generator of the hi half, by carrying `μ_j = Π_{i ≤ j} x_i` and rescaled vectors
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
//! operations; the folds run in parallel with `rayon`. With `m` statements the generators fold
//! once for all (`≈ N` scalar multiplications in total), the `L`, `R` MSMs and the vector folds
//! are per statement. Verifier: the transcript (`m·(2k + 2)` absorbs, and the `m` final scalars
//! if `m > 1`), `O(N)` field operations for `s` and each `b_{t,final}`, one MSM of
//! `N + m·(2k + 1) + 1` points (the `N` on precomputed tables).

use ark_ff::{batch_inversion, Field, One, Zero};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::transcript::MAX_LABEL_LEN;
use sumcheck::Transcript;

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::fixed_base::FixedBaseMsm;
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
/// Label of the final scalars `[a_1, …, a_m]` of a batch of `m > 1` statements.
pub const LABEL_FINAL: &[u8] = b"ipa_final";
/// Label of the weight `ρ` combining the final equations of a batch of `m > 1` statements.
pub const LABEL_RHO: &[u8] = b"ipa_rho";

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
    assert!(LABEL_FINAL.len() <= MAX_LABEL_LEN);
    assert!(LABEL_RHO.len() <= MAX_LABEL_LEN);
};

/// The public parameters of the argument: `N = 2^k` generators `G_i` and the point `U_0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpaKey<C: FoldingCurve> {
    generators: Vec<C::Affine>,
    /// The generators' window shifts, for the verifier's MSM.
    fixed: FixedBaseMsm<C>,
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
            fixed: FixedBaseMsm::new(&generators),
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

/// One statement of a batch as the prover sees it: `comm = Σ a_i·G_i`, opened against `b`
/// (`a`, `b` at most `N` long, zero-padded).
#[derive(Clone, Copy, Debug)]
pub struct IpaOpening<'a, C: FoldingCurve> {
    /// The commitment `P`.
    pub comm: C::Affine,
    /// The witness `a`.
    pub a: &'a [C::ScalarField],
    /// The public vector `b`.
    pub b: &'a [C::ScalarField],
}

/// One statement of a batch as the verifier sees it: `comm` opens to some `a` with
/// `<a, b> = v` (`b` at most `N` long, zero-padded).
#[derive(Clone, Copy, Debug)]
pub struct IpaClaim<'a, C: FoldingCurve> {
    /// The commitment `P`.
    pub comm: C::Affine,
    /// The public vector `b`.
    pub b: &'a [C::ScalarField],
    /// The claimed value `v`.
    pub v: C::ScalarField,
}

/// Absorbs every `(P_t, v_t)` and returns `ξ` (module docs).
fn absorb_statements<'a, C: FoldingCurve, T: Transcript>(
    t: &mut T,
    statements: impl IntoIterator<Item = (&'a C::Affine, &'a C::ScalarField)>,
) -> Result<C::ScalarField, Error> {
    for (comm, v) in statements {
        C::append_point(t, LABEL_COMMITMENT, comm);
        C::append_scalars(t, LABEL_VALUE, std::slice::from_ref(v))?;
    }
    nonzero(C::challenge_scalar(t, LABEL_U))
}

/// Absorbs every statement's `(L_{t,j}, R_{t,j})` and returns `x_j` (module docs).
fn round_challenge<'a, C: FoldingCurve, T: Transcript>(
    t: &mut T,
    messages: impl IntoIterator<Item = (&'a C::Affine, &'a C::Affine)>,
) -> Result<C::ScalarField, Error> {
    for (l, r) in messages {
        C::append_point(t, LABEL_L, l);
        C::append_point(t, LABEL_R, r);
    }
    nonzero(C::challenge_scalar(t, LABEL_X))
}

/// Absorbs the final scalars of a batch and returns `ρ` (module docs; only for `m > 1`).
fn combination_weight<C: FoldingCurve, T: Transcript>(
    t: &mut T,
    finals: &[C::ScalarField],
) -> Result<C::ScalarField, Error> {
    C::append_scalars(t, LABEL_FINAL, finals)?;
    nonzero(C::challenge_scalar(t, LABEL_RHO))
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

const NO_STATEMENT: Error = Error::Malformed {
    what: "inner-product argument without a statement",
};

/// The IPA prover: a proof that `comm = Σ a_i·G_i` opens to `<a, b>` (absorbed as `v`). `a` and
/// `b` may be shorter than `N` (zero-padded) but not longer. It does not check that `comm` is
/// the commitment to `a` (a proof for a wrong `comm` does not verify). The one-statement case
/// of [`prove_many`].
pub fn prove<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    comm: &C::Affine,
    a: &[C::ScalarField],
    b: &[C::ScalarField],
    t: &mut T,
) -> Result<IpaProof<C>, Error> {
    let opening = IpaOpening { comm: *comm, a, b };
    prove_many(key, &[opening], t)?.pop().ok_or(NO_STATEMENT)
}

/// The batched IPA prover (module docs, "Several statements"): one proof per statement, in
/// order, all on the same challenges; `proofs[t]` verifies only with the others, by
/// [`verify_many`] on the same statements in the same order. Errors on an empty batch or a
/// vector longer than `N`. Like [`prove`], it does not check the commitments.
pub fn prove_many<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    openings: &[IpaOpening<'_, C>],
    t: &mut T,
) -> Result<Vec<IpaProof<C>>, Error> {
    if openings.is_empty() {
        return Err(NO_STATEMENT);
    }
    let n = key.len();
    // The rescaled ã, b̃ (per statement) and G̃ (shared) of the module docs.
    let mut a = openings
        .iter()
        .map(|o| padded(o.a, n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut b = openings
        .iter()
        .map(|o| padded(o.b, n))
        .collect::<Result<Vec<_>, _>>()?;
    let v: Vec<C::ScalarField> = a.iter().zip(&b).map(|(a, b)| inner_product(a, b)).collect();
    let xi = absorb_statements::<C, T>(t, openings.iter().map(|o| &o.comm).zip(&v))?;
    let u = key.u0 * xi;
    let mut g = key.generators.clone();
    let mut mu = C::ScalarField::one();
    let mut proofs: Vec<IpaProof<C>> = openings
        .iter()
        .map(|_| IpaProof {
            l: Vec::with_capacity(key.num_vars),
            r: Vec::with_capacity(key.num_vars),
            a: C::ScalarField::zero(),
        })
        .collect();
    let mut len = n;
    while len > 1 {
        let half = len / 2;
        let (g_lo, g_hi) = g.split_at(half);
        // [L_1, R_1, L_2, R_2, …] for this round.
        let messages: Vec<C> = a
            .iter()
            .zip(&b)
            .flat_map(|(a, b)| {
                let (a_lo, a_hi) = a.split_at(half);
                let (b_lo, b_hi) = b.split_at(half);
                [
                    C::msm_unchecked(g_hi, a_lo) + u * inner_product(a_lo, b_hi),
                    C::msm_unchecked(g_lo, a_hi) + u * inner_product(a_hi, b_lo),
                ]
            })
            .collect();
        let messages = C::normalize_batch(&messages);
        let x = round_challenge::<C, T>(t, messages.chunks_exact(2).map(|m| (&m[0], &m[1])))?;
        let x2 = x.square();
        let x2_inv = x2.inverse().ok_or(Error::Malformed {
            what: "zero inner-product challenge",
        })?;
        for ((a, b), (proof, m)) in a
            .iter_mut()
            .zip(b.iter_mut())
            .zip(proofs.iter_mut().zip(messages.chunks_exact(2)))
        {
            let (a_lo, a_hi) = a.split_at(half);
            let (b_lo, b_hi) = b.split_at(half);
            *a = fold_scalars(a_lo, a_hi, x2_inv);
            *b = fold_scalars(b_lo, b_hi, x2);
            proof.l.push(m[0]);
            proof.r.push(m[1]);
        }
        if half > 1 {
            g = fold_points::<C>(g_lo, g_hi, x2);
        }
        mu *= x;
        len = half;
    }
    for (proof, a) in proofs.iter_mut().zip(&a) {
        proof.a = mu * a[0];
    }
    if proofs.len() > 1 {
        // Keeps the caller's transcript in step with the verifier's.
        let finals: Vec<C::ScalarField> = proofs.iter().map(|p| p.a).collect();
        combination_weight::<C, T>(t, &finals)?;
    }
    Ok(proofs)
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
/// [`Error::Rejected`]. The one-statement case of [`verify_many`].
pub fn verify<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    comm: &C::Affine,
    b: &[C::ScalarField],
    v: &C::ScalarField,
    proof: &IpaProof<C>,
    t: &mut T,
) -> Result<(), Error> {
    let claim = IpaClaim {
        comm: *comm,
        b,
        v: *v,
    };
    verify_many(key, &[claim], &[proof], t)
}

/// The batched IPA verifier (module docs, "Several statements"): accepts iff `proofs[t]` (all
/// on shared challenges, as [`prove_many`] makes them) show every `claims[t]`, by one MSM of
/// `N + m·(2k + 1) + 1` points. Never panics: an empty batch ([`Error::Malformed`]), as many
/// proofs as claims and `k` of each `L`, `R` ([`Error::ProofShape`]), `b_t` at most `N` long
/// ([`Error::KeyTooShort`]), points of the group ([`Error::InvalidPoint`]) and non-zero
/// challenges ([`Error::Malformed`]) are checked before the final equation
/// ([`Error::Rejected`]).
pub fn verify_many<C: FoldingCurve, T: Transcript>(
    key: &IpaKey<C>,
    claims: &[IpaClaim<'_, C>],
    proofs: &[&IpaProof<C>],
    t: &mut T,
) -> Result<(), Error> {
    let (n, k, m) = (key.len(), key.num_vars, claims.len());
    if m == 0 {
        return Err(NO_STATEMENT);
    }
    if proofs.len() != m {
        return Err(Error::ProofShape {
            what: "IPA proofs (one per statement)",
            expected: m,
            actual: proofs.len(),
        });
    }
    for claim in claims {
        if claim.b.len() > n {
            return Err(Error::KeyTooShort {
                needed: claim.b.len(),
                available: n,
            });
        }
    }
    for proof in proofs {
        for (what, actual) in [("IPA L_j", proof.l.len()), ("IPA R_j", proof.r.len())] {
            if actual != k {
                return Err(Error::ProofShape {
                    what,
                    expected: k,
                    actual,
                });
            }
        }
    }
    for (claim, proof) in claims.iter().zip(proofs) {
        check_point::<C>(&claim.comm, "IPA commitment P")?;
        for (l, r) in proof.l.iter().zip(&proof.r) {
            check_point::<C>(l, "IPA L_j")?;
            check_point::<C>(r, "IPA R_j")?;
        }
    }

    let xi = absorb_statements::<C, T>(t, claims.iter().map(|c| (&c.comm, &c.v)))?;
    // Round j absorbs (L_{t,j}, R_{t,j}) of every statement (all have k of each, checked above).
    let x = (0..k)
        .map(|j| {
            let messages = proofs
                .iter()
                .filter_map(|p| Some((p.l.get(j)?, p.r.get(j)?)));
            round_challenge::<C, T>(t, messages)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut x_inv = x.clone();
    batch_inversion(&mut x_inv);
    let finals: Vec<C::ScalarField> = proofs.iter().map(|p| p.a).collect();
    let rho = if m > 1 {
        combination_weight::<C, T>(t, &finals)?
    } else {
        C::ScalarField::one()
    };
    // ρ^{t−1} for t = 1..m.
    let weights: Vec<C::ScalarField> =
        std::iter::successors(Some(C::ScalarField::one()), |w| Some(*w * rho))
            .take(m)
            .collect();

    let s = fold_coefficients(&x, &x_inv);
    let x2: Vec<C::ScalarField> = x.iter().map(|x| x.square()).collect();
    let x2_inv: Vec<C::ScalarField> = x_inv.iter().map(|x| x.square()).collect();

    // Σ_t ρ^{t−1}·(P_t + ξ·v_t·U_0 + Σ_j (x_j²·L_{t,j} + x_j⁻²·R_{t,j}) − a_t·G_final
    //              − ξ·a_t·b_{t,final}·U_0) = 0.
    let mut g_coeff = C::ScalarField::zero();
    let mut u_coeff = C::ScalarField::zero();
    let mut bases = Vec::with_capacity(m * (2 * k + 1) + 1);
    let mut scalars = Vec::with_capacity(m * (2 * k + 1) + 1);
    for ((claim, proof), w) in claims.iter().zip(proofs).zip(&weights) {
        // `inner_product` zips: `s` (length N) is cut to `|b_t|`, i.e. `b_t` is zero-padded.
        let b_final = inner_product(&s, claim.b);
        g_coeff += *w * proof.a;
        u_coeff += *w * (claim.v - proof.a * b_final);
        bases.extend_from_slice(&proof.l);
        bases.extend_from_slice(&proof.r);
        bases.push(claim.comm);
        scalars.extend(x2.iter().map(|x| *w * x));
        scalars.extend(x2_inv.iter().map(|x| *w * x));
        scalars.push(*w);
    }
    bases.push(key.u0);
    scalars.push(xi * u_coeff);
    // The generators' part on their precomputed window shifts, the rest variable-base.
    let g_scalars: Vec<C::ScalarField> = s
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .map(|s| -(g_coeff * s))
        .collect();
    let total = key.fixed.msm(&g_scalars) + C::msm_unchecked(&bases, &scalars);
    if total.is_zero() {
        Ok(())
    } else {
        Err(Error::Rejected {
            what: "inner-product argument: final equation",
        })
    }
}
