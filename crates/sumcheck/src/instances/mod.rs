//! Sumcheck instances: each is a prover/verifier pair over shared parameters.
//!
//! | module | relation |
//! |---|---|
//! | [`product`] | `Σ_x Π_{j<k} P_j(x) = c`, `k = 1..4` |
//! | [`zerocheck`] | `Σ_x eq(τ, x)·g(P_1(x), ..., P_k(x)) = c` (`c = 0`: zero-check) |
//! | [`matmul`] | Thaler's matmul: `C̃(r_j, r_i) = Σ_k Ã(k, r_i)·B̃(r_j, k)` |
//! | [`multi_eval`] | many evaluation claims on a few polynomials → one point |

pub mod matmul;
pub mod multi_eval;
pub mod product;
pub mod zerocheck;
