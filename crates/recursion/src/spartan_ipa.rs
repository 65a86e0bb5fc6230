//! Spartan over a [`FoldingCurve`]'s scalar field with Pedersen commitments opened by an
//! inner-product argument ([`crate::ipa`]): the succinct proof that the IVC's running
//! **CycleFold** instance (relaxed R1CS over `Fq`, committed on Grumpkin) is satisfied, which the
//! decider used to check by sending its witness in the clear (≈ 280 KB).
//!
//! # Statement
//!
//! Public: the shape `(A, B, C) ∈ S^{m×n}` (`S = C::ScalarField`, `n = 1 + ℓ + |W|`, columns
//! `z = (u, x, W)` as in [`crate::r1cs`]) and the instance `(P_W, P_E, u, x)` where
//! `P_W = Σ W_i·G_i`, `P_E = Σ E_i·G_i` are the instance's commitments **without** their blinding
//! terms (the decider subtracts `r·H`). Witness: `W`, `E` with
//!
//! ```text
//! (A z)∘(B z) = u·(C z) + E,    z = (u, x, W).
//! ```
//!
//! # Protocol
//!
//! Multilinear extensions index their table most-significant bit first: the first sumcheck
//! variable is the top bit of a row or column index. `s = ⌈log₂ m⌉`, `c = ⌈log₂ n⌉` (rows and
//! columns zero-padded), `eq(a, b) = Π (a_j·b_j + (1 − a_j)(1 − b_j))`.
//!
//! ```text
//! absorb  spartan_ipa_key   bytes: the key digest (shape digest, IPA key digest, s, c)
//! absorb  spartan_ipa_cm_w  P_W      absorb spartan_ipa_cm_e  P_E
//! absorb  spartan_ipa_u     [u]      absorb spartan_ipa_x     x
//! squeeze spartan_ipa_tau   τ ∈ S^s (one challenge per coordinate)
//! sumcheck #1 (degree 3, s rounds, claim 0):
//!     Σ_x eq(τ, x)·(Az(x)·Bz(x) − u·Cz(x) − E(x)) = 0
//!     round j sends p_j(0), p_j(2), p_j(3)  (p_j(1) = claim − p_j(0)); challenge r_j
//! absorb  spartan_ipa_outer_evals  [v_A, v_B, v_C, v_E] = [Ãz(r_x), B̃z(r_x), C̃z(r_x), Ẽ(r_x)]
//! squeeze spartan_ipa_gamma  γ
//! sumcheck #2 (degree 2, c rounds, claim v_A + γ·v_B + γ²·v_C):
//!     Σ_y M_γ(r_x, y)·z̃(y),   M_γ = Ã + γ·B̃ + γ²·C̃
//!     round j sends p_j(0), p_j(2)
//! absorb  spartan_ipa_w_eval  v_W = Σ_i W_i·eq(r_y, 1 + ℓ + i)
//! paired IPA (ipa::prove_many, m = 2, shared challenges), statements in this order:
//!     ⟨W, (eq(r_y, 1 + ℓ + i))_i⟩ = v_W against P_W,   ⟨E, (eq(r_x, i))_i⟩ = v_E against P_E
//! ```
//!
//! The verifier checks sumcheck #1's final claim `eq(τ, r_x)·(v_A·v_B − u·v_C − v_E)`, computes
//! `M_γ(r_x, r_y)` itself from the sparse matrices (`O(nnz)`, the CycleFold circuit is small) and
//! `z̃(r_y) = u·eq(r_y, 0) + Σ_j x_j·eq(r_y, 1 + j) + v_W`, checks sumcheck #2's final claim
//! `M_γ(r_x, r_y)·z̃(r_y)`, and verifies the paired inner-product argument: both openings fold
//! on the same challenges, so their final checks share `G_final` and are combined by a random
//! weight into one MSM ([`crate::ipa`], "Several statements"). No column remapping is
//! needed (unlike [`crate::spartan`], whose HyperKZG opens `W̃` only at a point): the IPA proves
//! an inner product with any public vector, here the slice of the eq table where `W` sits.
//!
//! Transcript: the project's Poseidon transcript over `Fr`; points and scalars enter it by
//! [`FoldingCurve::append_point`] / [`FoldingCurve::append_scalars`] (Grumpkin points as their
//! `Fr` coordinates, `Fq` scalars as two 128-bit limbs) and challenges are
//! [`FoldingCurve::challenge_scalar`].
//!
//! **Soundness.** As for [`crate::spartan`]: a violated row makes `Σ_x eq(τ, x)·g(x)` a non-zero
//! polynomial in `τ` (vanishing with probability `≤ s/|S|`), sumcheck #1 then ends on a false
//! `(v_A, v_B, v_C, v_E)` except with probability `3s/|S|`; a false `v_E` fails the IPA on `P_E`
//! (binding of Pedersen under discrete log on the curve); a false `v_A, v_B, v_C` makes sumcheck
//! #2's claim false except with probability `2/|S|`, which ends on a false `v_W` except with
//! probability `2c/|S|`, failing the IPA on `P_W`.
//!
//! **Not zero-knowledge** (nor is the IPA): the decider is not yet zero-knowledge (SPEC §8).
//!
//! # Costs (CycleFold circuit: m = 1,338, |W| = 1,331, s = c = 11)
//!
//! Proof: `3s + 4 + 2c + 1` scalars and the paired IPA: `2k` points and one scalar per opening
//! (`k = ⌈log₂ max(m, |W|)⌉`), 3,440 bytes in all. Verifier: two eq tables, one pass over the
//! matrices, one MSM of `2^k + 4k + 3` points for both openings (it was two of `2^k + 2k + 2`
//! before the openings were paired: ≈ 112 → 66 ms on one core at `k = 13`; 24.5 ms at `k = 11`,
//! see `docs/recursion.md`).

use std::sync::Arc;

use ark_ff::{Field, PrimeField, Zero};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::Transcript;

use crate::curve::FoldingCurve;
use crate::error::Error;
use crate::ipa::{self, IpaClaim, IpaKey, IpaOpening, IpaProof};
use crate::pedersen::PedersenKey;
use crate::r1cs::R1csShape;
use crate::spartan::log2_ceil;

/// Label of the key digest.
pub const LABEL_KEY: &[u8] = b"spartan_ipa_key";
/// Label of `P_W`.
pub const LABEL_CM_W: &[u8] = b"spartan_ipa_cm_w";
/// Label of `P_E`.
pub const LABEL_CM_E: &[u8] = b"spartan_ipa_cm_e";
/// Label of `u`.
pub const LABEL_U: &[u8] = b"spartan_ipa_u";
/// Label of `x`.
pub const LABEL_X: &[u8] = b"spartan_ipa_x";
/// Label of `τ`.
pub const LABEL_TAU: &[u8] = b"spartan_ipa_tau";
/// Label of a sumcheck round message.
pub const LABEL_ROUND: &[u8] = b"spartan_ipa_round";
/// Label of a sumcheck round challenge.
pub const LABEL_CHALLENGE: &[u8] = b"spartan_ipa_challenge";
/// Label of `[v_A, v_B, v_C, v_E]`.
pub const LABEL_OUTER_EVALS: &[u8] = b"spartan_ipa_outer_evals";
/// Label of `γ`.
pub const LABEL_GAMMA: &[u8] = b"spartan_ipa_gamma";
/// Label of `v_W`.
pub const LABEL_W_EVAL: &[u8] = b"spartan_ipa_w_eval";

const KEY_DOMAIN: &[u8] = b"zkpot-spartan-ipa-key-v1";

/// The preprocessed statement: the shape, the IPA generators and the digest the transcript binds.
#[derive(Clone, Debug)]
pub struct SpartanIpaKey<C: FoldingCurve> {
    shape: Arc<R1csShape<C::ScalarField>>,
    ipa: IpaKey<C>,
    digest: [u8; 32],
}

impl<C: FoldingCurve> SpartanIpaKey<C> {
    /// The key for `shape` whose commitments are made with `pedersen` (its generators, extended
    /// by the same label to `2^k`, `k = ⌈log₂ max(m, |W|)⌉`, are the IPA's).
    pub fn new(
        shape: Arc<R1csShape<C::ScalarField>>,
        pedersen: &PedersenKey<C>,
    ) -> Result<Self, Error> {
        let k = log2_ceil(shape.num_constraints().max(shape.num_witness()));
        let ipa = IpaKey::for_pedersen(pedersen, k)?;
        let mut h = Sha256::new();
        h.update(KEY_DOMAIN);
        h.update(shape.digest());
        h.update(ipa.digest());
        h.update((k as u64).to_le_bytes());
        let digest = h.finalize().into();
        Ok(Self { shape, ipa, digest })
    }

    /// The shape.
    pub fn shape(&self) -> &R1csShape<C::ScalarField> {
        &self.shape
    }

    /// SHA-256 naming the key (absorbed first).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// `s = ⌈log₂ m⌉`, the rounds of sumcheck #1.
    pub fn num_row_vars(&self) -> usize {
        log2_ceil(self.shape.num_constraints())
    }

    /// `c = ⌈log₂ n⌉`, the rounds of sumcheck #2.
    pub fn num_col_vars(&self) -> usize {
        log2_ceil(self.shape.num_vars())
    }
}

/// The instance: commitments without blinding and the relaxed scalars.
#[derive(Clone, Debug, PartialEq)]
pub struct SpartanIpaInstance<C: FoldingCurve> {
    /// `P_W = Σ W_i·G_i`.
    pub comm_w: C::Affine,
    /// `P_E = Σ E_i·G_i`.
    pub comm_e: C::Affine,
    /// `u`.
    pub u: C::ScalarField,
    /// `x`.
    pub x: Vec<C::ScalarField>,
}

/// The proof (module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct SpartanIpaProof<C: FoldingCurve> {
    /// Sumcheck #1: `[p_j(0), p_j(2), p_j(3)]` per round.
    pub outer: Vec<[C::ScalarField; 3]>,
    /// `[v_A, v_B, v_C, v_E]`.
    pub outer_evals: [C::ScalarField; 4],
    /// Sumcheck #2: `[p_j(0), p_j(2)]` per round.
    pub inner: Vec<[C::ScalarField; 2]>,
    /// `v_W`.
    pub w_eval: C::ScalarField,
    /// The paired IPA's proof of `⟨W, eq(r_y, 1 + ℓ + ·)⟩ = v_W` (valid only with `open_e`:
    /// both share their challenges, [`ipa::verify_many`]).
    pub open_w: IpaProof<C>,
    /// The paired IPA's proof of `⟨E, eq(r_x, ·)⟩ = v_E` (valid only with `open_w`).
    pub open_e: IpaProof<C>,
}

/// `eq(τ, i)` for every `i < 2^|τ|`, `τ_0` on the top bit of `i`.
pub fn eq_table<S: Field>(tau: &[S]) -> Vec<S> {
    let mut t = Vec::with_capacity(1 << tau.len());
    t.push(S::one());
    for &tj in tau {
        let mut next = Vec::with_capacity(t.len() * 2);
        for &v in &t {
            let hi = v * tj;
            next.push(v - hi);
            next.push(hi);
        }
        t = next;
    }
    t
}

/// `eq(a, b)` for two points of the same dimension.
fn eq_eval<S: Field>(a: &[S], b: &[S]) -> S {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| x * y + (S::one() - x) * (S::one() - y))
        .product()
}

/// Fixes the top variable of every table to `r` (tables halve).
fn bind_top<S: Field>(tables: &mut [&mut Vec<S>], r: S) {
    for t in tables.iter_mut() {
        let half = t.len() / 2;
        let (lo, hi) = t.split_at_mut(half);
        lo.par_iter_mut()
            .zip(hi.par_iter())
            .for_each(|(l, h)| *l += r * (*h - *l));
        t.truncate(half);
    }
}

/// `p(r)` for the polynomial with `p(i) = evals[i]`, `i = 0..evals.len()` (Lagrange on the
/// integer nodes; the denominators `Π_{j≠i} (i − j)` are small non-zero integers, inverted in one
/// batch).
fn interpolate<S: Field>(evals: &[S], r: S) -> S {
    let d = evals.len();
    let node = |i: usize| S::from(i as u64);
    let mut dens: Vec<S> = (0..d)
        .map(|i| {
            (0..d)
                .filter(|&j| j != i)
                .map(|j| node(i) - node(j))
                .product()
        })
        .collect();
    ark_ff::batch_inversion(&mut dens);
    evals
        .iter()
        .zip(&dens)
        .enumerate()
        .map(|(i, (&e, &inv))| {
            let num: S = (0..d).filter(|&j| j != i).map(|j| r - node(j)).product();
            e * num * inv
        })
        .sum()
}

fn pad<S: Field>(mut v: Vec<S>, len: usize) -> Vec<S> {
    v.resize(len, S::zero());
    v
}

/// `Σ_i eq_rows[i]·Σ_{(j, a)} a·eq_cols[j]` over the rows of `A + γB + γ²C`.
fn eval_matrices<S: PrimeField>(shape: &R1csShape<S>, gamma: S, rows: &[S], cols: &[S]) -> S {
    let weights = [S::one(), gamma, gamma * gamma];
    [shape.a(), shape.b(), shape.c()]
        .iter()
        .zip(weights)
        .map(|(m, w)| {
            let v: S = (0..m.num_rows())
                .into_par_iter()
                .map(|i| {
                    let row: S = m.row(i).iter().map(|&(j, a)| a * cols[j]).sum();
                    row * rows[i]
                })
                .sum();
            v * w
        })
        .sum()
}

/// `M_γ(r_x, y)` for every column `y` (padded to `2^c`).
fn bind_rows<S: PrimeField>(shape: &R1csShape<S>, gamma: S, rows: &[S], len: usize) -> Vec<S> {
    let mut out = vec![S::zero(); len];
    let weights = [S::one(), gamma, gamma * gamma];
    for (m, w) in [shape.a(), shape.b(), shape.c()].iter().zip(weights) {
        for (i, &ri) in rows.iter().enumerate().take(m.num_rows()) {
            let wr = w * ri;
            for &(j, a) in m.row(i) {
                out[j] += a * wr;
            }
        }
    }
    out
}

fn absorb_statement<C: FoldingCurve, T: Transcript>(
    t: &mut T,
    key: &SpartanIpaKey<C>,
    inst: &SpartanIpaInstance<C>,
) -> Result<(), Error> {
    t.append_bytes(LABEL_KEY, &key.digest);
    C::append_point(t, LABEL_CM_W, &inst.comm_w);
    C::append_point(t, LABEL_CM_E, &inst.comm_e);
    C::append_scalars(t, LABEL_U, std::slice::from_ref(&inst.u))?;
    C::append_scalars(t, LABEL_X, &inst.x)
}

fn challenges<C: FoldingCurve, T: Transcript>(
    t: &mut T,
    label: &'static [u8],
    n: usize,
) -> Vec<C::ScalarField> {
    (0..n).map(|_| C::challenge_scalar(t, label)).collect()
}

/// The public vector the IPA on `W` pairs with: `eq(r_y, 1 + ℓ + i)` for `i < |W|`.
fn w_slice<S: Field>(col_eq: &[S], num_io: usize, num_witness: usize) -> &[S] {
    &col_eq[1 + num_io..1 + num_io + num_witness]
}

/// Proves that `inst` is satisfied by `(w, e)` (module docs); refuses a witness that does not
/// satisfy the relation (its first failing row is the error). The commitments are not
/// recomputed: a witness that does not open them gives a proof that does not verify. The
/// caller's transcript must be in the same state as the verifier's.
pub fn prove<C: FoldingCurve, T: Transcript>(
    key: &SpartanIpaKey<C>,
    inst: &SpartanIpaInstance<C>,
    w: &[C::ScalarField],
    e: &[C::ScalarField],
    t: &mut T,
) -> Result<SpartanIpaProof<C>, Error> {
    key.shape().check_relaxed_relation(inst.u, &inst.x, w, e)?;
    prove_unchecked(key, inst, w, e, t)
}

/// [`prove`] without the relation check: runs the honest prover's algorithm on whatever it is
/// given. For soundness tests (a dishonest prover's best effort on a false instance).
pub fn prove_unchecked<C: FoldingCurve, T: Transcript>(
    key: &SpartanIpaKey<C>,
    inst: &SpartanIpaInstance<C>,
    w: &[C::ScalarField],
    e: &[C::ScalarField],
    t: &mut T,
) -> Result<SpartanIpaProof<C>, Error> {
    let shape = key.shape();
    Error::check_len("x", shape.num_io(), inst.x.len())?;
    Error::check_len("W", shape.num_witness(), w.len())?;
    Error::check_len("E", shape.num_constraints(), e.len())?;
    let (s, c) = (key.num_row_vars(), key.num_col_vars());
    absorb_statement(t, key, inst)?;
    let tau = challenges::<C, T>(t, LABEL_TAU, s);

    // Sumcheck #1.
    let z = shape.z(inst.u, &inst.x, w)?;
    let [az, bz, cz] = shape.multiply(&z)?;
    let rows = 1usize << s;
    let (mut az, mut bz, mut cz) = (pad(az, rows), pad(bz, rows), pad(cz, rows));
    let mut ee = pad(e.to_vec(), rows);
    let mut eq = eq_table(&tau);
    let u = inst.u;
    let mut outer = Vec::with_capacity(s);
    let mut r_x = Vec::with_capacity(s);
    for _ in 0..s {
        let half = eq.len() / 2;
        let at =
            |v: &[C::ScalarField], i: usize, k: C::ScalarField| v[i] + k * (v[i + half] - v[i]);
        let evals: Vec<C::ScalarField> = [0u64, 2, 3]
            .iter()
            .map(|&k| {
                let k = C::ScalarField::from(k);
                (0..half)
                    .into_par_iter()
                    .map(|i| {
                        at(&eq, i, k)
                            * (at(&az, i, k) * at(&bz, i, k) - u * at(&cz, i, k) - at(&ee, i, k))
                    })
                    .sum()
            })
            .collect();
        let msg = [evals[0], evals[1], evals[2]];
        C::append_scalars(t, LABEL_ROUND, &msg)?;
        let r = C::challenge_scalar(t, LABEL_CHALLENGE);
        bind_top(&mut [&mut eq, &mut az, &mut bz, &mut cz, &mut ee], r);
        outer.push(msg);
        r_x.push(r);
    }
    let outer_evals = [az[0], bz[0], cz[0], ee[0]];
    C::append_scalars(t, LABEL_OUTER_EVALS, &outer_evals)?;
    let gamma = C::challenge_scalar(t, LABEL_GAMMA);

    // Sumcheck #2.
    let cols = 1usize << c;
    let row_eq = eq_table(&r_x);
    let mut mg = bind_rows(shape, gamma, &row_eq, cols);
    let mut zz = pad(z, cols);
    let mut inner = Vec::with_capacity(c);
    let mut r_y = Vec::with_capacity(c);
    for _ in 0..c {
        let half = mg.len() / 2;
        let at =
            |v: &[C::ScalarField], i: usize, k: C::ScalarField| v[i] + k * (v[i + half] - v[i]);
        let two = C::ScalarField::from(2u64);
        let (e0, e2) = (0..half)
            .into_par_iter()
            .map(|i| (mg[i] * zz[i], at(&mg, i, two) * at(&zz, i, two)))
            .reduce(
                || (C::ScalarField::zero(), C::ScalarField::zero()),
                |a, b| (a.0 + b.0, a.1 + b.1),
            );
        let msg = [e0, e2];
        C::append_scalars(t, LABEL_ROUND, &msg)?;
        let r = C::challenge_scalar(t, LABEL_CHALLENGE);
        bind_top(&mut [&mut mg, &mut zz], r);
        inner.push(msg);
        r_y.push(r);
    }
    let col_eq = eq_table(&r_y);
    let b_w = w_slice(&col_eq, shape.num_io(), shape.num_witness());
    let w_eval: C::ScalarField = w.par_iter().zip(b_w).map(|(a, b)| *a * b).sum();
    C::append_scalars(t, LABEL_W_EVAL, std::slice::from_ref(&w_eval))?;
    let openings = [
        IpaOpening {
            comm: inst.comm_w,
            a: w,
            b: b_w,
        },
        IpaOpening {
            comm: inst.comm_e,
            a: e,
            b: &row_eq[..e.len()],
        },
    ];
    let mut proofs = ipa::prove_many(&key.ipa, &openings, t)?.into_iter();
    let (Some(open_w), Some(open_e)) = (proofs.next(), proofs.next()) else {
        return Err(Error::Malformed {
            what: "paired IPA: two proofs expected",
        });
    };
    Ok(SpartanIpaProof {
        outer,
        outer_evals,
        inner,
        w_eval,
        open_w,
        open_e,
    })
}

/// Replays one sumcheck: `rounds[j]` holds `p_j` at `0, 2, 3, …`; returns the final claim and
/// the challenges.
fn verify_rounds<C: FoldingCurve, T: Transcript, const N: usize>(
    mut claim: C::ScalarField,
    rounds: &[[C::ScalarField; N]],
    t: &mut T,
) -> Result<(C::ScalarField, Vec<C::ScalarField>), Error> {
    let mut point = Vec::with_capacity(rounds.len());
    for msg in rounds {
        C::append_scalars(t, LABEL_ROUND, msg)?;
        let r = C::challenge_scalar(t, LABEL_CHALLENGE);
        let mut evals = Vec::with_capacity(N + 1);
        evals.push(msg[0]);
        evals.push(claim - msg[0]);
        evals.extend_from_slice(&msg[1..]);
        claim = interpolate(&evals, r);
        point.push(r);
    }
    Ok((claim, point))
}

/// Accepts `proof` for `inst` under `key`, or says why not. Never panics on a malformed proof.
pub fn verify<C: FoldingCurve, T: Transcript>(
    key: &SpartanIpaKey<C>,
    inst: &SpartanIpaInstance<C>,
    proof: &SpartanIpaProof<C>,
    t: &mut T,
) -> Result<(), Error> {
    let shape = key.shape();
    Error::check_len("x", shape.num_io(), inst.x.len())?;
    for (p, what) in [(&inst.comm_w, "P_W"), (&inst.comm_e, "P_E")] {
        if !C::is_valid_point(p) {
            return Err(Error::InvalidPoint { what });
        }
    }
    let (s, c) = (key.num_row_vars(), key.num_col_vars());
    Error::check_len("rounds of sumcheck #1", s, proof.outer.len())?;
    Error::check_len("rounds of sumcheck #2", c, proof.inner.len())?;
    absorb_statement(t, key, inst)?;
    let tau = challenges::<C, T>(t, LABEL_TAU, s);

    let (claim, r_x) = verify_rounds::<C, T, 3>(C::ScalarField::zero(), &proof.outer, t)?;
    let [v_a, v_b, v_c, v_e] = proof.outer_evals;
    if claim != eq_eval(&tau, &r_x) * (v_a * v_b - inst.u * v_c - v_e) {
        return Err(Error::Rejected {
            what: "final claim of Spartan's sumcheck #1",
        });
    }
    C::append_scalars(t, LABEL_OUTER_EVALS, &proof.outer_evals)?;
    let gamma = C::challenge_scalar(t, LABEL_GAMMA);

    let (claim, r_y) =
        verify_rounds::<C, T, 2>(v_a + gamma * (v_b + gamma * v_c), &proof.inner, t)?;
    let row_eq = eq_table(&r_x);
    let col_eq = eq_table(&r_y);
    let (io, nw) = (shape.num_io(), shape.num_witness());
    let z_at = inst.u * col_eq[0]
        + inst
            .x
            .iter()
            .zip(&col_eq[1..])
            .map(|(x, e)| *x * e)
            .sum::<C::ScalarField>()
        + proof.w_eval;
    if claim != eval_matrices(shape, gamma, &row_eq, &col_eq) * z_at {
        return Err(Error::Rejected {
            what: "final claim of Spartan's sumcheck #2",
        });
    }
    C::append_scalars(t, LABEL_W_EVAL, std::slice::from_ref(&proof.w_eval))?;
    let claims = [
        IpaClaim {
            comm: inst.comm_w,
            b: w_slice(&col_eq, io, nw),
            v: proof.w_eval,
        },
        IpaClaim {
            comm: inst.comm_e,
            b: &row_eq[..shape.num_constraints()],
            v: v_e,
        },
    ];
    ipa::verify_many(&key.ipa, &claims, &[&proof.open_w, &proof.open_e], t)
}

/// An IPA proof as serialized: `(L, R, a)`.
type IpaWire<C> = (
    Vec<<C as ark_ec::CurveGroup>::Affine>,
    Vec<<C as ark_ec::CurveGroup>::Affine>,
    <C as ark_ec::PrimeGroup>::ScalarField,
);

/// A [`SpartanIpaProof`] as serialized (arkworks' compressed encoding of the fields in order;
/// the paired IPA is its two per-opening proofs, `open_w` then `open_e`).
pub(crate) type SpartanIpaWire<C> = (
    (
        Vec<[<C as ark_ec::PrimeGroup>::ScalarField; 3]>,
        [<C as ark_ec::PrimeGroup>::ScalarField; 4],
        Vec<[<C as ark_ec::PrimeGroup>::ScalarField; 2]>,
        <C as ark_ec::PrimeGroup>::ScalarField,
    ),
    (IpaWire<C>, IpaWire<C>),
);

fn ipa_to_wire<C: FoldingCurve>(p: &IpaProof<C>) -> IpaWire<C> {
    (p.l.clone(), p.r.clone(), p.a)
}

fn ipa_from_wire<C: FoldingCurve>(w: IpaWire<C>) -> IpaProof<C> {
    IpaProof {
        l: w.0,
        r: w.1,
        a: w.2,
    }
}

impl<C: FoldingCurve> SpartanIpaProof<C> {
    /// The serialized layout of the proof (lengths are checked by [`verify`]).
    pub(crate) fn to_wire(&self) -> SpartanIpaWire<C> {
        (
            (
                self.outer.clone(),
                self.outer_evals,
                self.inner.clone(),
                self.w_eval,
            ),
            (ipa_to_wire(&self.open_w), ipa_to_wire(&self.open_e)),
        )
    }

    /// The proof's length in the decider's encoding (arkworks compressed).
    pub fn size_in_bytes(&self) -> usize {
        ark_serialize::CanonicalSerialize::compressed_size(&self.to_wire())
    }

    /// Inverse of [`Self::to_wire`].
    pub(crate) fn from_wire(w: SpartanIpaWire<C>) -> Self {
        let ((outer, outer_evals, inner, w_eval), (open_w, open_e)) = w;
        Self {
            outer,
            outer_evals,
            inner,
            w_eval,
            open_w: ipa_from_wire(open_w),
            open_e: ipa_from_wire(open_e),
        }
    }
}
