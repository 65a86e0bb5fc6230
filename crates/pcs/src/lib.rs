//! # pcs
//!
//! Multilinear polynomial commitments over BN254 (HyperKZG), their SRS, MSM backends, and the
//! aggregation of opening claims.
//!
//! A multilinear `P` on `n` variables is its evaluation vector `a ∈ F^{2^n}` (index `Σ x_i 2^i`,
//! `x_0` the low bit). Its commitment is the KZG commitment `C = Σ a_i·τ^i·G1` of
//! `f(X) = Σ a_i X^i` — one G1 point, additively homomorphic, and unchanged by zero-padding. An
//! opening of `P(r) = v` folds `f` low bit first (Gemini), `f_{j+1} = (1 − r_j)E_j + r_j O_j`
//! where `f_j(X) = E_j(X²) + X·O_j(X²)`, commits the `n − 1` folds, and proves their evaluations
//! at `β, −β, β²` with two quotients (Shplonk-style: one for the three points, one linearization
//! quotient) checked in one pairing-product equation
//! `e(L, H) = e(R, τH)`. Claims on many polynomials at one point combine by a random linear
//! combination; claims at different points reduce to one point by sumcheck; and `(L, R)` pairs
//! from many proofs accumulate with random weights into one final pairing check.
//!
//! | module | contents |
//! |---|---|
//! | [`traits`] | [`MultilinearPcs`] (trim, commit, open, verify) and [`AdditivelyHomomorphic`] |
//! | [`hyperkzg`] | the HyperKZG scheme: keys, [`hyperkzg::Commitment`], [`hyperkzg::Proof`], the pairing reduction |
//! | [`trivial`] | [`TrivialPcs`]: commitment = evaluation vector, for tests of protocols |
//! | [`batch`] | same-point batch opening, different-point reduction (sumcheck) |
//! | [`accumulator`] | [`Accumulator`]: fold opening claims, decide with one pairing |
//! | [`msm`] | [`MsmBackend`], [`CpuMsm`] (batch-affine signed-digit Pippenger), small-scalar fast path, [`Scalars`] |
//! | [`ntt`] | [`ntt::NttBackend`], [`ntt::CpuNtt`]: radix-2 NTT over `F` (arkworks reference) |
//! | [`srs`] | [`Srs`]: insecure dev setup, versioned file format, digest |
//! | [`ptau`] | snarkjs `.ptau` loader |
//! | [`error`] | [`Error`] |

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod accumulator;
pub mod batch;
pub mod error;
pub mod hyperkzg;
pub mod msm;
pub mod ntt;
pub mod ptau;
pub mod srs;
pub mod traits;
pub mod trivial;

pub use accumulator::{Accumulator, OpeningClaim};
pub use error::Error;
pub use hyperkzg::HyperKzg;
pub use msm::{default_backend, CpuMsm, MsmBackend, Scalars, SmallScalars};
pub use srs::Srs;
pub use traits::{AdditivelyHomomorphic, MultilinearPcs};
pub use trivial::TrivialPcs;
