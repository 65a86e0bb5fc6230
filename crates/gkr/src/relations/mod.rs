//! Relation helpers for step protocols: the zkReLU masked product, rescale identities and
//! hypercube sums. The matmul relation is [`sumcheck::MatmulProver`] / [`sumcheck::MatmulVerifier`].
//!
//! | relation | how it is reduced |
//! |---|---|
//! | `a = y ⊙ (1 − s)` (zkReLU forward, and `g = h ⊙ (1 − s)` backward with the same `s`) | a claim `ã(p) = v` is the eq-weighted sumcheck `Σ_x eq(p, x)·y(x)·(1 − s(x)) = v` ([`masked_product_prover`]) ending on claims `ỹ(r)`, `s̃(r)` |
//! | rescale `z + 2^(s−1) = 2^s·q + ρ` | linear in the MLEs: at any point, `z̃ = 2^s·q̃ + ρ̃ − 2^(s−1)` ([`rescale_input`]) |
//! | `Σ_{x ∈ {0,1}^n} f(x)` | `2^n·f̃(½, …, ½)` ([`half_point`]) |

pub mod conv;
pub mod pool;

use std::sync::Arc;

use ark_ff::{Field, One};
use sumcheck::{Combiner, MultilinearPoly, ZeroCheckProver, ZeroCheckVerifier, F};

/// `2^k`.
pub fn pow2(k: u32) -> F {
    F::from(2u64).pow([u64::from(k)])
}

/// `(½, …, ½)` with `n` coordinates: `Σ_{x ∈ {0,1}^n} f(x) = 2^n·f̃(½, …, ½)` for multilinear `f`.
pub fn half_point(n: usize) -> Vec<F> {
    let half = F::from(2u64).inverse().unwrap_or_else(F::one);
    vec![half; n]
}

/// `z̃ = 2^s·q̃ + ρ̃ − 2^(s−1)`: the pre-rescale value implied by quotient and remainder
/// evaluations at one point (`s ≥ 1`).
pub fn rescale_input(shift: u32, quotient: F, remainder: F) -> F {
    pow2(shift) * quotient + remainder - pow2(shift.saturating_sub(1))
}

/// The zkReLU combination `g(y, s) = y·(1 − s)` (degree 2).
pub fn masked_combiner() -> Combiner {
    Combiner::Custom {
        degree: 2,
        f: Arc::new(|v: &[F]| match v {
            [y, s] => *y * (F::one() - s),
            _ => F::from(0u64),
        }),
    }
}

/// Prover of `ã(point) = Σ_x eq(point, x)·y(x)·(1 − s(x))`; the claim is computed.
pub fn masked_product_prover(
    point: Vec<F>,
    y: MultilinearPoly,
    s: MultilinearPoly,
) -> Result<ZeroCheckProver, sumcheck::Error> {
    ZeroCheckProver::new(point, vec![y, s], masked_combiner())
}

/// Verifier of the same relation with the claimed value `claim`; its final evaluations are
/// `[ỹ(r), s̃(r)]`.
pub fn masked_product_verifier(point: Vec<F>, claim: F) -> ZeroCheckVerifier {
    ZeroCheckVerifier::new(point, 2, masked_combiner(), claim)
}
