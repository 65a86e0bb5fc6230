//! Constraint counts of the in-circuit sumcheck verifier, measured on circuits synthesized in
//! setup mode (shapes only, no witness). Shared by `tests/constraint_counts.rs` and
//! `examples/constraint_counts.rs`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError, SynthesisMode};
use recursion::sumcheck_gadget::{absorb_final_evals, alloc_witness_vec, batch_shape};
use recursion::{
    draw_tau, CombinerVar, InstanceShape, PoseidonTranscriptVar, ProductVerifierVar,
    SumcheckInstanceVerifierVar, SumcheckProofVar, ZeroCheckVerifierVar,
};
use sumcheck::F;

/// An instance of the measured batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inst {
    /// Product of `k` polynomials on `n` variables (degree `k`).
    Product { k: usize, n: usize },
    /// Zero-check of the product of `k` polynomials on `n` variables (degree `k + 1`), `τ` drawn
    /// from the transcript first.
    ZeroCheck { k: usize, n: usize },
}

/// Constraints by phase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Breakdown {
    /// Drawing the zero-check points `τ` (before the sumcheck).
    pub tau: usize,
    /// Claims, batching coefficients and all rounds ([`recursion::verify_rounds`]).
    pub rounds: usize,
    /// Absorbing the final evaluations.
    pub final_absorb: usize,
    /// The instances' expected output claims (`eq`, products) and the final equality.
    pub final_check: usize,
}

impl Breakdown {
    pub fn total(&self) -> usize {
        self.tau + self.rounds + self.final_absorb + self.final_check
    }
}

fn none<T>() -> Result<T, SynthesisError> {
    Err(SynthesisError::AssignmentMissing)
}

/// Synthesize the verifier of `insts` (claims as public inputs) and count its constraints.
pub fn measure(insts: &[Inst]) -> Breakdown {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let mut t = PoseidonTranscriptVar::new(cs.clone(), b"counts").unwrap();
    // A non-constant transcript state, as after absorbing the statement's commitments.
    let seed = FpVar::new_input(cs.clone(), none::<F>).unwrap();
    t.append_field(b"statement", &seed).unwrap();
    let c0 = cs.num_constraints();

    let mut verifiers: Vec<Box<dyn SumcheckInstanceVerifierVar>> = Vec::new();
    for inst in insts {
        let claim = FpVar::new_input(cs.clone(), none::<F>).unwrap();
        verifiers.push(match *inst {
            Inst::Product { k, n } => Box::new(ProductVerifierVar::new(n, k, claim)),
            Inst::ZeroCheck { k, n } => {
                let tau = draw_tau(&mut t, n).unwrap();
                Box::new(ZeroCheckVerifierVar::zero_check(
                    tau,
                    k,
                    CombinerVar::Product,
                ))
            }
        });
    }
    let c1 = cs.num_constraints();

    let shapes: Vec<InstanceShape> = verifiers.iter().map(|v| v.shape()).collect();
    let claims: Vec<FpVar<F>> = verifiers.iter().map(|v| v.input_claim()).collect();
    let (num_rounds, degree) = batch_shape(&shapes);
    let proof = SumcheckProofVar::new_witness(cs.clone(), num_rounds, degree, none).unwrap();
    let evals: Vec<Vec<FpVar<F>>> = insts
        .iter()
        .map(|i| {
            let k = match *i {
                Inst::Product { k, .. } | Inst::ZeroCheck { k, .. } => k,
            };
            alloc_witness_vec(cs.clone(), k, none).unwrap()
        })
        .collect();
    let rounds = recursion::verify_rounds(&shapes, &claims, &proof, &mut t).unwrap();
    let c2 = cs.num_constraints();
    absorb_final_evals(&mut t, &evals).unwrap();
    let c3 = cs.num_constraints();
    let expected: Vec<FpVar<F>> = verifiers
        .iter()
        .zip(&evals)
        .enumerate()
        .map(|(i, (v, e))| {
            v.expected_output_claim(rounds.instance_point(i).unwrap(), e)
                .unwrap()
        })
        .collect();
    rounds.enforce_final_claim(&expected).unwrap();
    let c4 = cs.num_constraints();
    Breakdown {
        tau: c1 - c0,
        rounds: c2 - c1,
        final_absorb: c3 - c2,
        final_check: c4 - c3,
    }
}

/// Constraints per round of a single instance of degree `degree` (a product of `degree`
/// polynomials): the difference between 9 and 8 rounds.
pub fn per_round(degree: usize) -> usize {
    let at = |n| measure(&[Inst::Product { k: degree, n }]).rounds;
    at(9) - at(8)
}
