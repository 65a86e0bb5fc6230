//! # sumcheck
//!
//! Field helpers, multilinear polynomials, eq tables, Fiat–Shamir transcripts and the sumcheck
//! engine that every zkpot relation is built from.
//!
//! | module | contents |
//! |---|---|
//! | [`field`] | `F = ark_bn254::Fr`, signed embeddings, batch inversion |
//! | [`mle`] | multilinear polynomials in evaluation form (low bit = `x_0`, bound first), eq tables |
//! | [`transcript`] | the [`Transcript`] trait, Merlin and Poseidon implementations, recording wrapper |

pub mod error;
pub mod field;
pub mod mle;
pub mod transcript;

pub use error::Error;
pub use field::F;
pub use mle::{eq_eval, eq_table, MultilinearPoly};
pub use transcript::{MerlinTranscript, PoseidonTranscript, Transcript};
