//! The in-circuit step verifier (`step_gadget`, `net_gadget`) against the native
//! `verify_step_with_transcript`: for a small `Dense Relu Dense` model and a small conv net with
//! both pools, at batch 2, the gadget derives the native merge point, `γ`, the four evaluation
//! claims and the transcript state, and is satisfied; every tampered proof element (native
//! verifier rejects) leaves it unsatisfied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use nn_layers::model::Model;
use nn_layers::proof::{StepProof, StepStatement, VerifierKey, TRANSCRIPT_DOMAIN};
use recursion::step_gadget::{native_step_claims, verify_step, StepStatementVar};
use recursion::{G1LimbsVar, PoseidonTranscriptVar};
use sumcheck::{Transcript, F};

#[path = "support/dense_run.rs"]
mod dense_run;

use dense_run::{cfg, conv_model, model, DenseRun, BATCH};

fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

struct Fixture {
    vk: VerifierKey,
    statement: StepStatement,
    proof: StepProof,
    /// A proof of iteration `1 + rows/B` (the same row block as iteration 1).
    wrapped: (StepStatement, StepProof),
    /// A proof of iteration 1 of [`conv_model`] (and its verifier key).
    conv: (VerifierKey, StepStatement, StepProof),
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let run = DenseRun::new();
        // Iteration 1: a nonzero row block.
        let (statement, out) = run.prove(1, &run.params);
        // Iteration 1 + rows/B: the same row block, wrapped around the dataset.
        let t = 1 + (statement.dataset_rows / BATCH) as u64;
        let (wrapped, wrapped_out) = run.prove(t, &run.params);
        let conv = DenseRun::with_model(conv_model(), dense_run::LOG_SRS);
        let (conv_statement, conv_out) = conv.prove(1, &conv.params);
        Fixture {
            vk: run.vk,
            statement,
            proof: out.proof,
            wrapped: (wrapped, wrapped_out.proof),
            conv: (conv.vk, conv_statement, conv_out.proof),
        }
    })
}

struct CircuitOutcome {
    satisfied: bool,
    r: Vec<F>,
    evals: Vec<F>,
    gamma: F,
    new_model: [F; 4],
    after: F,
    constraints: usize,
}

fn run_circuit(statement: &StepStatement, proof: &StepProof) -> CircuitOutcome {
    run_circuit_at(&model(), statement, proof, F::from(statement.iteration))
}

/// [`run_circuit`] for `model`, with the iteration variable set to `iteration` (which may differ
/// from the statement's, to test that the circuit binds it).
fn run_circuit_at(
    model: &Model,
    statement: &StepStatement,
    proof: &StepProof,
    iteration: F,
) -> CircuitOutcome {
    in_pool(|| {
        let cs = ConstraintSystem::<F>::new_ref();
        let st = StepStatementVar {
            params_digest: statement.params_digest,
            batch_size: statement.batch_size,
            dataset_rows: statement.dataset_rows,
            iteration: FpVar::new_witness(cs.clone(), || Ok(iteration)).unwrap(),
            data_commitment: G1LimbsVar::new_witness(cs.clone(), || Ok(statement.data_commitment))
                .unwrap(),
            model_commitment: G1LimbsVar::new_witness(
                cs.clone(),
                || Ok(statement.model_commitment),
            )
            .unwrap(),
        };
        let mut tr = PoseidonTranscriptVar::new(cs.clone(), TRANSCRIPT_DOMAIN).unwrap();
        let out = verify_step(cs.clone(), model, &cfg(), &st, Some(proof), &mut tr).unwrap();
        let constraints = cs.num_constraints();
        let after = tr.challenge(b"after").unwrap().value().unwrap();
        CircuitOutcome {
            satisfied: cs.is_satisfied().unwrap(),
            r: out.r.iter().map(|x| x.value().unwrap()).collect(),
            evals: out.evals.iter().map(|x| x.value().unwrap()).collect(),
            gamma: out.gamma.value().unwrap(),
            new_model: out.new_model.value().unwrap(),
            after,
            constraints,
        }
    })
}

#[test]
fn honest_step_matches_native_and_is_satisfied() {
    let fx = fixture();
    let mut native =
        native_step_claims(&fx.vk, &model(), &cfg(), &fx.statement, &fx.proof).unwrap();
    let c = run_circuit(&fx.statement, &fx.proof);
    eprintln!(
        "step gadget, 16-8-10 batch {BATCH}: {} constraints, merge point of {} variables",
        c.constraints,
        c.r.len()
    );
    assert!(
        c.satisfied,
        "honest step proof leaves the gadget unsatisfied"
    );
    assert_eq!(c.r, native.r);
    assert_eq!(c.evals, native.evals);
    assert_eq!(c.evals.len(), 4);
    assert_eq!(c.gamma, native.gamma);
    assert_eq!(
        c.new_model,
        sumcheck::transcript::g1_to_limbs(&native.new_model)
    );
    assert_eq!(c.after, native.transcript.challenge(b"after"));
}

#[test]
fn iteration_is_bound_and_selects_the_row_block() {
    let fx = fixture();
    // The proof of iteration 1 under another iteration: another row block (2), the same block
    // (1 + rows/B), or a value of more than 64 bits with the same low bits (1 + 2^64).
    let blocks = (fx.statement.dataset_rows / BATCH) as u64;
    let two_64 = F::from(u64::MAX) + F::from(1u64);
    for t in [F::from(2u64), F::from(1 + blocks), F::from(1u64) + two_64] {
        assert!(
            !run_circuit_at(&model(), &fx.statement, &fx.proof, t).satisfied,
            "iteration {t} accepted for a proof of iteration 1"
        );
    }
    // An honest proof at iteration 1 + rows/B (wrapped) is accepted, natively and in-circuit.
    let (st, proof) = &fx.wrapped;
    assert_eq!(st.iteration, 1 + blocks);
    let native = native_step_claims(&fx.vk, &model(), &cfg(), st, proof).unwrap();
    let c = run_circuit(st, proof);
    assert!(c.satisfied);
    assert_eq!(c.r, native.r);
    assert_eq!(c.evals, native.evals);
}

#[test]
fn tampered_step_proofs_are_rejected() {
    let fx = fixture();
    let one = F::from(1u64);
    let mut cases: Vec<(&str, StepProof)> = Vec::new();
    let mut p = fx.proof.clone();
    p.evals.groups[0][3] += one;
    cases.push(("layer evaluation group value", p));
    let mut p = fx.proof.clone();
    let last = p.evals.groups.len() - 1;
    p.evals.groups[last][0] += one;
    cases.push(("ReLU limb evaluation", p));
    let mut p = fx.proof.clone();
    p.sumchecks[0].round_polys[0].coeffs_except_linear[1] += one;
    cases.push(("matmul round coefficient", p));
    let mut p = fx.proof.clone();
    p.sumcheck_evals[1][0][1] += one;
    cases.push(("ReLU final evaluation", p));
    let mut p = fx.proof.clone();
    p.range.fractional.layers[3].child_evals[0][1] += one;
    cases.push(("range-check child value", p));
    let mut p = fx.proof.clone();
    p.range.top_bit_openings[0][0] += one;
    cases.push(("range-check top-bit opening", p));
    let mut p = fx.proof.clone();
    p.merge.reduction.evals[3] += one;
    cases.push(("merge evaluation", p));
    for (what, p) in &cases {
        assert!(
            native_step_claims(&fx.vk, &model(), &cfg(), &fx.statement, p).is_err(),
            "native verifier accepts tampered {what}"
        );
        assert!(
            !run_circuit(&fx.statement, p).satisfied,
            "gadget satisfied with tampered {what}"
        );
    }
}

/// Synthesize the gadget without a proof (setup mode) and count its constraints.
fn setup_count(model: &Model, batch: usize, rows: usize, iteration: u64) -> usize {
    use ark_relations::gr1cs::SynthesisMode;
    in_pool(|| {
        let cs = ConstraintSystem::<F>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        let g1 = || {
            G1LimbsVar::new_witness(cs.clone(), || {
                Err::<ark_bn254::G1Affine, _>(
                    ark_relations::gr1cs::SynthesisError::AssignmentMissing,
                )
            })
            .unwrap()
        };
        let st = StepStatementVar {
            params_digest: [0; 32],
            batch_size: batch,
            dataset_rows: rows,
            iteration: FpVar::new_witness(cs.clone(), || Ok(F::from(iteration))).unwrap(),
            data_commitment: g1(),
            model_commitment: g1(),
        };
        let mut tr = PoseidonTranscriptVar::new(cs.clone(), TRANSCRIPT_DOMAIN).unwrap();
        verify_step(cs.clone(), model, &cfg(), &st, None, &mut tr).unwrap();
        cs.num_constraints()
    })
}

#[test]
fn circuit_shape_does_not_depend_on_the_proof() {
    let fx = fixture();
    let with_proof = run_circuit(&fx.statement, &fx.proof).constraints;
    let without = setup_count(
        &model(),
        BATCH,
        fx.statement.dataset_rows,
        fx.statement.iteration,
    );
    assert_eq!(with_proof, without);
    // The count reported in `docs/recursion.md`.
    assert_eq!(without, 623_232);
}

/// The `mlp` count reported in `docs/recursion.md` (setup mode, no proof needed).
#[test]
fn mlp_batch_16_constraint_count() {
    let mlp = nn_layers::zoo::mlp();
    let n = setup_count(&mlp, 16, 1 << 15, 0);
    let layout = nn_layers::proof::layout::StepLayout::new(&mlp, &cfg(), 16, 1 << 15).unwrap();
    eprintln!(
        "step gadget, mlp 784-128-64-10 batch 16 (2^15 rows): {n} constraints; \
         num_vars D {}, W {}, aux {}",
        layout.data.num_vars(),
        layout.model.num_vars(),
        layout.aux.num_vars()
    );
    assert_eq!(n, 1_324_449);
}

fn run_conv(statement: &StepStatement, proof: &StepProof) -> CircuitOutcome {
    run_circuit_at(
        &conv_model(),
        statement,
        proof,
        F::from(statement.iteration),
    )
}

#[test]
fn honest_conv_step_matches_native_and_is_satisfied() {
    let (vk, statement, proof) = &fixture().conv;
    let mut native = native_step_claims(vk, &conv_model(), &cfg(), statement, proof).unwrap();
    let c = run_conv(statement, proof);
    eprintln!(
        "step gadget, conv net batch {BATCH}: {} constraints, {} sumchecks",
        c.constraints,
        proof.sumchecks.len()
    );
    assert!(
        c.satisfied,
        "honest conv step proof leaves the gadget unsatisfied"
    );
    assert_eq!(c.r, native.r);
    assert_eq!(c.evals, native.evals);
    assert_eq!(c.gamma, native.gamma);
    assert_eq!(
        c.new_model,
        sumcheck::transcript::g1_to_limbs(&native.new_model)
    );
    assert_eq!(c.after, native.transcript.challenge(b"after"));
    // Another iteration (another row block) is not accepted for this proof.
    let other = run_circuit_at(&conv_model(), statement, proof, F::from(2u64));
    assert!(!other.satisfied);
    // The setup-mode circuit has the same shape.
    let without = setup_count(&conv_model(), BATCH, statement.dataset_rows, 1);
    assert_eq!(c.constraints, without);
}

/// Every sumcheck of the conv proof (conv stages, matmul, ReLU, max pool forward and backward)
/// and every evaluation group, tampered one at a time, is rejected natively and in-circuit.
#[test]
fn tampered_conv_step_proofs_are_rejected() {
    let (vk, statement, proof) = &fixture().conv;
    let one = F::from(1u64);
    let mut cases: Vec<(String, StepProof)> = Vec::new();
    for i in 0..proof.sumchecks.len() {
        let mut p = proof.clone();
        p.sumchecks[i].round_polys[0].coeffs_except_linear[0] += one;
        cases.push((format!("sumcheck {i} round coefficient"), p));
        let mut p = proof.clone();
        let last = p.sumcheck_evals[i].len() - 1;
        p.sumcheck_evals[i][last][0] += one;
        cases.push((format!("sumcheck {i} final evaluation"), p));
    }
    // Every third evaluation group and the last (a case costs a full synthesis).
    let groups = proof.evals.groups.len();
    for g in (0..groups).step_by(3).chain([groups - 1]) {
        let mut p = proof.clone();
        p.evals.groups[g][0] += one;
        cases.push((format!("evaluation group {g}"), p));
    }
    let mut p = proof.clone();
    p.merge.reduction.evals[3] += one;
    cases.push(("merge evaluation".into(), p));
    for (what, p) in &cases {
        assert!(
            native_step_claims(vk, &conv_model(), &cfg(), statement, p).is_err(),
            "native verifier accepts tampered {what}"
        );
        assert!(
            !run_conv(statement, p).satisfied,
            "gadget satisfied with tampered {what}"
        );
    }
    eprintln!("{} tampered conv step proofs rejected", cases.len());
}

/// A conv proof with a missing or extra sumcheck or evaluation group is an error, not a panic.
#[test]
fn malformed_conv_step_proofs_are_errors() {
    let (_, statement, proof) = &fixture().conv;
    let mut cases: Vec<StepProof> = Vec::new();
    let mut p = proof.clone();
    p.sumchecks.pop();
    cases.push(p);
    let mut p = proof.clone();
    p.sumcheck_evals.push(Vec::new());
    p.sumchecks.push(p.sumchecks[0].clone());
    cases.push(p);
    let mut p = proof.clone();
    p.evals.groups.pop();
    cases.push(p);
    let mut p = proof.clone();
    p.evals.groups[0].push(F::from(1u64));
    cases.push(p);
    for p in &cases {
        let err = in_pool(|| {
            let cs = ConstraintSystem::<F>::new_ref();
            let st = StepStatementVar {
                params_digest: statement.params_digest,
                batch_size: statement.batch_size,
                dataset_rows: statement.dataset_rows,
                iteration: FpVar::new_witness(cs.clone(), || Ok(F::from(1u64))).unwrap(),
                data_commitment: G1LimbsVar::new_witness(cs.clone(), || {
                    Ok(statement.data_commitment)
                })
                .unwrap(),
                model_commitment: G1LimbsVar::new_witness(cs.clone(), || {
                    Ok(statement.model_commitment)
                })
                .unwrap(),
            };
            let mut tr = PoseidonTranscriptVar::new(cs.clone(), TRANSCRIPT_DOMAIN).unwrap();
            verify_step(cs, &conv_model(), &cfg(), &st, Some(p), &mut tr).is_err()
        });
        assert!(err, "a malformed conv proof synthesized");
    }
}
