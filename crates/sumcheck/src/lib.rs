//! # sumcheck
//!
//! Field helpers, multilinear polynomials, eq tables, Fiat–Shamir transcripts and the sumcheck
//! engine that every zkpot relation is built from.
//!
//! The sumcheck protocol proves `Σ_{x ∈ {0,1}^n} g(x) = c` for a polynomial `g` of degree `≤ d`
//! in each variable. In round `j` the prover sends
//! `s_j(X) = Σ_{x' ∈ {0,1}^{n-j-1}} g(r_0, ..., r_{j-1}, X, x')`, the verifier checks
//! `s_j(0) + s_j(1) = c_j` (implied by the compressed encoding) and draws `r_j`, with
//! `c_{j+1} = s_j(r_j)`; at the end it checks `c_n = g(r)` from evaluations it can trust (its own
//! predicates, and claims on committed polynomials that are opened later). Variables are bound
//! low to high: `r_0` binds `x_0`, the least significant bit of the hypercube index. Several
//! instances are batched with random coefficients; shorter instances bind the last challenges
//! ([`engine`]).
//!
//! | module | contents |
//! |---|---|
//! | [`field`] | `F = ark_bn254::Fr`, signed embeddings, batch inversion |
//! | [`mle`] | multilinear polynomials in evaluation form (low bit = `x_0`, bound first), eq tables |
//! | [`transcript`] | the [`Transcript`] trait, Merlin and Poseidon implementations, recording wrapper |
//! | [`unipoly`] | round polynomials (coefficients) and their compressed form |
//! | [`engine`] | prover/verifier instance traits, [`SumcheckProof`], [`prove_batched`], [`verify_batched`] |
//! | [`instances`] | product (`k ≤ 4`), eq-weighted/zero-check, Thaler matmul, multi-claim reduction |
//! | [`backend`] | [`backend::RoundBackend`]: product and eq-weighted provers on another engine (GPU), CPU fallback |
//! | [`error`] | the crate's [`Error`] |

pub mod backend;
mod core;
pub mod engine;
pub mod error;
pub mod field;
mod field_ops;
pub mod instances;
pub mod mle;
mod poseidon;
pub mod transcript;
pub mod unipoly;

pub use engine::{
    instance_point, prove_batched, verify_batched, SumcheckInstanceProver,
    SumcheckInstanceVerifier, SumcheckProof,
};
pub use error::Error;
pub use field::F;
pub use instances::matmul::{MatmulDims, MatmulProver, MatmulVerifier};
pub use instances::multi_eval::{prove_multi_eval, verify_multi_eval, EvalClaim, MultiEvalProof};
pub use instances::product::{ProductProver, ProductVerifier};
pub use instances::zerocheck::{Combiner, ZeroCheckProver, ZeroCheckVerifier};
pub use mle::{eq_eval, eq_table, MultilinearPoly};
pub use transcript::{MerlinTranscript, PoseidonTranscript, Transcript};
pub use unipoly::{CompressedUniPoly, UniPoly};
