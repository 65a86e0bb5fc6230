//! # recursion
//!
//! Recursion for zkpot (SPEC §8): the verifier of one training iteration's proof as an R1CS over
//! `F = ark_bn254::Fr`, to be folded Nova-style with CycleFold over BN254/Grumpkin. This crate
//! holds the first building blocks of that step circuit, the in-circuit twins of the native
//! verifiers in `sumcheck`; every gadget derives the same challenges and claims as its native
//! counterpart, and a test checks it.
//!
//! The step proof lives over `F`, so these gadgets need no non-native arithmetic:
//!
//! * the **Fiat–Shamir transcript**: a Poseidon duplex sponge (width 3, α = 5, 8 + 57 rounds)
//!   absorbing `header(label, n) = le(label)·2^32 + n` before every call's `n` elements and
//!   squeezing one element per challenge;
//! * the **batched sumcheck**: for `m` instances with claims `c_i` batched by `α_i`, round `j`
//!   sends `p_j` without its linear coefficient, the verifier recovers it from
//!   `p_j(0) + p_j(1) = claim_j`, sets `claim_{j+1} = p_j(r_j)` (Horner, no division) and finally
//!   enforces `claim_N = Σ_i α_i·g_i(r[o_i..])`, `g_i` computed from the final evaluations
//!   (product `Π_j P_j(r)`, or `eq(τ, r)·g(P(r))` for a zero-check).
//!
//! Beside the gadgets, the folding core (Nova, Kothapalli–Setty–Tzialla; CycleFold,
//! Kothapalli–Setty), generic over the curve: BN254 G1 for step circuits over `Fr`, Grumpkin for
//! CycleFold circuits over `Fq`:
//!
//! * **relaxed R1CS**: `(A z)∘(B z) = u·(C z) + E` with `z = (u, x, W)`, committed as
//!   `(C_W, C_E, u, x)` with Pedersen commitments (generators hashed to the curve);
//! * **NIFS**: the prover commits the cross term
//!   `T = A z_1∘B z_2 + A z_2∘B z_1 − u_1·C z_2 − u_2·C z_1`, the Poseidon transcript binds the
//!   parameters digest, both instances and `C_T` and yields a 128-bit `r`, and both sides fold
//!   `U = U_1 + r·U_2` (`C_E = C_E1 + r·C_T + r²·C_E2`);
//! * **in-circuit NIFS verifier** over `Fr`: the same transcript, `r` as 128 bits, `u` and `x`
//!   folded natively, and each `P_1 + r·P_2` on BN254 G1 handed to a **CycleFold** circuit over
//!   `Fq` (coordinates native there) whose public inputs are exactly the limbs and `r` the primary
//!   circuit used; CycleFold instances fold on Grumpkin with the same NIFS.
//!
//! | module | contents |
//! |---|---|
//! | [`transcript`] | [`PoseidonTranscriptVar`] (fields, constant and variable bytes, G1 limbs, challenges), [`G1LimbsVar`] |
//! | [`poseidon_gadget`] | [`poseidon_gadget::PoseidonSpongeGadget`]: the Poseidon duplex sponge in-circuit, its state materialized every 4 partial rounds (271 constraints and ≈ 1.9k matrix entries per permutation) |
//! | [`sumcheck_gadget`] | [`SumcheckProofVar`], [`verify_rounds`], [`verify_batched`], product, matmul and zero-check verifiers, `eq` in-circuit |
//! | [`multi_eval_gadget`] | the twin of `sumcheck::verify_multi_eval` and of the reduction half of `gkr::step::verify_merge` (claim lifting, `γ`, the eq-weighted sumcheck), ending on the evaluation claims at the common point |
//! | [`r1cs`] | [`R1csShape`] (extracted from an arkworks `ConstraintSystem`), strict and relaxed instances and witnesses, satisfiability, cross term |
//! | [`pedersen`] | [`PedersenKey`]: hash-to-curve generators, `Com(v; r)` by MSM |
//! | [`curve`] | [`FoldingCurve`]: BN254 G1 and Grumpkin — hash to curve, point validity, transcript encodings |
//! | [`nifs`] | [`NifsParams`], [`nifs::prove`] / [`nifs::verify`] (and `_strict`), the folding transcript |
//! | [`nifs_gadget`] | [`nifs_gadget::verify_strict`]: the in-circuit twin of `nifs::verify_strict`, returning the folded instance and its two CycleFold statements |
//! | [`cyclefold`] | the CycleFold circuit over `Fq` (`P_out = P_1 + r·P_2`), [`cyclefold::CycleFoldStatement`] and its primary-side [`cyclefold::CycleFoldStatementVar`], folding parameters over Grumpkin |
//! | [`cyclefold_gadget`] | the in-circuit verifier (over `Fr`) of a CycleFold fold on Grumpkin: native Grumpkin point arithmetic, `Fq` scalars emulated, the Grumpkin folding transcript replayed |
//! | [`ivc`] | Nova + CycleFold IVC: [`ivc::StepCircuit`], the augmented circuit, [`ivc::Ivc`] (prover), [`ivc::verify`] (non-succinct decider), the state hash |
//! | [`pool_gadget`] | the in-circuit twins of `gkr::relations::pool`'s verifier: `χ̃` and the avg-pool claims, the max-pool forward (booleanity + selection batch, one-hot and difference claims) and backward sumchecks |
//! | [`range_gadget`] | the in-circuit twin of `gkr`'s range-check verifier: logUp roots, the fractional-GKR layers, leaf checks with the table MLEs, output claims |
//! | [`conv_gadget`] | the in-circuit twin of `gkr::relations::conv::verify_conv` (stage-1 product sumcheck, stage-2 pixel sumcheck against the shift predicate, whose 24-state automaton runs in-circuit), ending on the claims on the two operands |
//! | [`step_gadget`] | the in-circuit verifier of one step proof up to the PCS opening (dense `Dense (Relu Dense)*` models here, conv nets dispatched to [`net_gadget`]): statement, layer groups, matmul and zkReLU sumchecks, limb compositions, range check, merge reduction; ends on the four evaluation claims at the merge point |
//! | [`net_gadget`] | the in-circuit twin of the conv-network step verifier (`Conv2d`, `Dense`, `Relu`, `AvgPool2`, `MaxPool2`, `Flatten`): the protocol's driver layer by layer over [`conv_gadget`], [`pool_gadget`] and the matmul/masked-product sumchecks, sharing the opening, range check and merge with [`step_gadget`] |
//! | [`training_step`] | the IVC step circuit of training: `verify_step`, then the iteration's four PCS claims folded into the accumulator; state `(t, C_D, C_W_t, C_acc, r_acc, v_acc)`; the native folds ([`training_step::accumulate_step`]) and the accumulator opening |
//! | [`training_proof`] | the constant-size proof of a training run: [`training_proof::TrainingKeys`], [`training_proof::TrainingProver`] (fold each iteration, prove), [`training_proof::verify`], the `ZKPOTFLD` encoding |
//! | [`decider`] | the succinct decider of the IVC: Nova's last fold, Spartan on the folded primary instance (primary key over the HyperKZG SRS), Spartan-IPA on the CycleFold instance |
//! | [`accumulator`] | claim folding (SPEC §8): native prover/verifier of the sumcheck merging `w_t(r_t) = v_t` into `acc(r_acc) = v_acc`, its in-circuit verifier with the CycleFold statement `(C_acc, C_t, ρ, C_acc')` |
//! | [`spartan`] | the succinct decider: a Spartan-style argument (two sumchecks, one multi-point HyperKZG opening of `W` and `E`) that a committed relaxed R1CS instance is satisfied: [`spartan::SpartanKey`], [`spartan::prove`], [`spartan::verify`] |
//! | [`spark`] | SPARK: the Spartan matrix evaluation `M̃_γ(r_x, r_y)` proven against preprocessed commitments to the merged sparse entries (committed lookups, logUp with committed inverses, one batched sumcheck, two openings): [`spark::SparkKey`], [`spark::prove`], [`spark::verify`]; the decider's SPARK mode |
//! | [`ipa`] | a non-hiding Bulletproofs inner-product argument over a [`FoldingCurve`] (opening a Pedersen commitment against a public vector, `2k` points and a scalar), also several statements in lockstep with one final MSM: [`ipa::IpaKey`], [`ipa::prove`], [`ipa::verify`], [`ipa::prove_many`], [`ipa::verify_many`] |
//! | [`spartan_ipa`] | Spartan over a [`FoldingCurve`]'s scalar field with Pedersen commitments opened by [`ipa`]: the succinct proof of the CycleFold instance ([`spartan_ipa::SpartanIpaKey`], [`spartan_ipa::prove`], [`spartan_ipa::verify`]) |
//! | [`error`] | the crate's [`Error`] |
//!
//! Not built yet (issue 8): zero-knowledge of the decider (`docs/recursion.md`).

pub mod accumulator;
pub mod conv_gadget;
pub mod curve;
pub mod cyclefold;
pub mod cyclefold_gadget;
pub mod decider;
pub mod error;
mod fixed_base;
pub mod ipa;
pub mod ivc;
pub mod multi_eval_gadget;
pub mod net_gadget;
pub mod nifs;
pub mod nifs_gadget;
pub mod pedersen;
pub mod pool_gadget;
pub mod poseidon_gadget;
pub mod r1cs;
pub mod range_gadget;
pub mod spark;
pub mod spartan;
pub mod spartan_ipa;
pub mod step_gadget;
pub mod sumcheck_gadget;
pub mod training_proof;
pub mod training_step;
pub mod transcript;

pub use curve::FoldingCurve;
pub use error::Error;
pub use nifs::{NifsParams, NifsProof};
pub use pedersen::PedersenKey;
pub use r1cs::{
    extract_assignment, R1csInstance, R1csShape, R1csWitness, RelaxedR1csInstance,
    RelaxedR1csWitness, SparseMatrix,
};
pub use sumcheck_gadget::{
    draw_tau, eq_eval, verify_batched, verify_rounds, BatchedSumcheckVar, CombinerVar,
    InstanceShape, MatmulVerifierVar, ProductVerifierVar, SumcheckInstanceVerifierVar,
    SumcheckProofVar, SumcheckRoundsVar, ZeroCheckVerifierVar,
};
pub use transcript::{G1LimbsVar, PoseidonTranscriptVar};
