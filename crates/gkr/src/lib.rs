//! # gkr
//!
//! Relation protocols over committed vectors and (later) the per-iteration step framework.
//!
//! **Range checks** (SPEC §6.4): every witness entry `f_i` (a 16-bit limb of a committed vector)
//! must lie in a table `T = [0, 2^16)`. With the multiplicities `m_j` committed next to the
//! witness and `α` drawn after both commitments, logUp states
//!
//! ```text
//! Σ_i 1/(α − f_i)  −  Σ_j m_j/(α − T_j)  =  0,
//! ```
//!
//! which holds for a random `α` only if every `f_i` is a table entry. The sum is proven by the
//! GKR fractional sumcheck (Papini–Haböck): binary trees of fractions, leaves `(1, α − f_i)` and
//! `(−m_j, α − T_j)`, parents `(p_L·q_R + p_R·q_L, q_L·q_R)`; the verifier checks the roots sum to
//! `0/Q` with `Q ≠ 0`, then one degree-3 sumcheck per layer
//! `Σ_x eq(ρ, x)·[p_L·q_R + p_R·q_L + λ·q_L·q_R](x) = p̃(ρ) + λ·q̃(ρ)` moves the claim from a layer
//! to its children, down to plain MLE claims on the witness (`f(ρ) = α − q̃_leaf(ρ)`) and on `m`
//! (`m(ρ) = −p̃_leaf(ρ)`, with `q̃_leaf(ρ) = α − Σ_k 2^k·ρ_k` checked by the verifier). No inverse
//! is committed. Signs come from a two-column lookup `(limb, limb >> 15)` folded into one column
//! with a second challenge `β`.
//!
//! | module | contents |
//! |---|---|
//! | [`fractional`] | fraction trees and the layer-by-layer GKR for sums of fractions (any number of trees, batched per depth) |
//! | [`range_check`] | [`RangeCheckParams`], [`RangeCheckProver`], [`RangeCheckVerifier`], multiplicities, the proof |
//! | [`limbs`] | signed (`B ∈ {16, 32, 48}`) and unsigned (`s ≤ 32`) limb schemes, sign bits, limb-to-value claims |
//! | [`error`] | the crate's [`GkrError`] |

pub mod error;
pub mod fractional;
pub mod limbs;
pub mod range_check;
pub mod relations;
pub mod step;

pub use error::GkrError;
pub use fractional::{Fraction, FractionalProof, LayerProof, LeafClaim};
pub use limbs::{sign_from_top_bit, SignedLimbs, UnsignedLimbs};
pub use range_check::{
    compute_multiplicities, Multiplicities, RangeCheckParams, RangeCheckProof, RangeCheckProver,
    RangeCheckVerifier, SegmentKind, SegmentSpec, SegmentWitness, Table,
};
pub use sumcheck::EvalClaim;
