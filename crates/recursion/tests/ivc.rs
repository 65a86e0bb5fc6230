//! The IVC (Nova + CycleFold over BN254/Grumpkin): honest runs of 1, 2 and 4 steps verify;
//! tampered states (z_i, U_i, a commitment, the CycleFold running instance, skipped or replayed
//! steps) are rejected; the in-circuit CycleFold NIFS verifier derives the native challenge and
//! folded instance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;

use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::{self, CycleFoldStatement, Grumpkin, NUM_IO};
use recursion::cyclefold_gadget::{self, CycleFoldInstanceVar, GrumpkinVar};
use recursion::ivc::{
    synthesize_augmented, verify, AugmentedInputs, CycleFoldProof, Ivc, IvcParams, IvcState,
    StepCircuit, StepOutput,
};
use recursion::nifs;
use recursion::r1cs::{R1csInstance, RelaxedR1csInstance, RelaxedR1csWitness};
use recursion::Error;
use std::sync::Arc;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Run `f` on a one-thread rayon pool (arkworks' `is_satisfied` is much faster there).
fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

/// `z_{i+1} = z_i^3 + z_i + 5`.
#[derive(Clone, Debug)]
struct Cubic;

impl StepCircuit for Cubic {
    fn arity(&self) -> usize {
        1
    }

    fn generate_constraints(
        &self,
        _cs: ConstraintSystemRef<Fr>,
        _i: &FpVar<Fr>,
        z: &[FpVar<Fr>],
    ) -> Result<StepOutput, Error> {
        let z = &z[0];
        Ok(StepOutput::state(vec![
            z * z * z + z + FpVar::constant(Fr::from(5u64)),
        ]))
    }
}

fn cubic_native(z: Fr) -> Fr {
    z * z * z + z + Fr::from(5u64)
}

fn cubic_params() -> &'static IvcParams<Cubic> {
    static P: OnceLock<IvcParams<Cubic>> = OnceLock::new();
    P.get_or_init(|| IvcParams::setup(Cubic).unwrap())
}

/// States after 1..=n steps of the cubic from z_0 = 3.
fn cubic_run(n: usize) -> Vec<IvcState> {
    let mut ivc = Ivc::new(cubic_params().clone(), vec![Fr::from(3u64)]).unwrap();
    let mut r = rng(7);
    let mut states = Vec::new();
    for _ in 0..n {
        ivc.prove_step(&mut r).unwrap();
        states.push(ivc.state().clone());
    }
    states
}

fn cubic_states() -> &'static Vec<IvcState> {
    static S: OnceLock<Vec<IvcState>> = OnceLock::new();
    S.get_or_init(|| cubic_run(4))
}

#[test]
fn cubic_steps_verify() {
    let params = cubic_params();
    eprintln!(
        "augmented circuit: {} constraints, {} witnesses",
        params.primary().shape().num_constraints(),
        params.primary().shape().num_witness()
    );
    let mut z = Fr::from(3u64);
    for (k, st) in cubic_states().iter().enumerate() {
        z = cubic_native(z);
        assert_eq!(st.i, k as u64 + 1);
        assert_eq!(st.z_i, vec![z]);
        verify(params, st).unwrap();
    }
}

/// A realistic step: verifies a fixed batched sumcheck proof (two zero-checks) in-circuit and
/// adds the transcript's final challenge to the state: `z_{i+1} = z_i + after`.
#[derive(Clone)]
struct SumcheckStep {
    batch: Arc<common::Batch>,
}

impl std::fmt::Debug for SumcheckStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SumcheckStep")
    }
}

impl StepCircuit for SumcheckStep {
    fn arity(&self) -> usize {
        1
    }

    fn generate_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        _i: &FpVar<Fr>,
        z: &[FpVar<Fr>],
    ) -> Result<StepOutput, Error> {
        let out = self.batch.synthesize(cs, common::Tamper::None)?;
        Ok(StepOutput::state(vec![&z[0] + &out.after]))
    }
}

#[test]
fn sumcheck_step_verifies() {
    use common::Kind::ZeroCheck;
    let batch = common::Batch::new(
        &[
            common::spec(ZeroCheck { k: 2 }, 4),
            common::spec(ZeroCheck { k: 3 }, 3),
        ],
        21,
    );
    let after = batch.verify_native(common::Tamper::None).after;
    let step = SumcheckStep {
        batch: Arc::new(batch),
    };
    let params = IvcParams::setup(step).unwrap();
    let mut ivc = Ivc::new(params, vec![Fr::from(1u64)]).unwrap();
    let mut r = rng(3);
    for k in 1..=2u64 {
        ivc.prove_step(&mut r).unwrap();
        assert_eq!(ivc.state().z_i, vec![Fr::from(1u64) + after * Fr::from(k)]);
        verify(ivc.params(), ivc.state()).unwrap();
    }
}

/// The base case takes the running CycleFold instance as the zero one: a base step that
/// starts from any other `cfU_0` leaves the augmented circuit unsatisfied (step 0's own
/// CycleFold statements are folded into `cfU_1`, so it must start from `cfU_⊥`).
#[test]
fn base_case_starts_from_the_zero_cyclefold_instance() {
    let params = cubic_params();
    let shape = params.primary().shape();
    let inputs = |cf_acc: RelaxedR1csInstance<Grumpkin>| AugmentedInputs {
        pp: params.primary().digest(),
        i: 0,
        z_0: vec![Fr::from(3u64)],
        z_i: vec![Fr::from(3u64)],
        acc: RelaxedR1csInstance::zero(shape),
        inc: R1csInstance {
            comm_w: G1Affine::zero(),
            x: vec![Fr::zero(); shape.num_io()],
        },
        comm_t: G1Affine::zero(),
        cf_acc,
        cf_proofs: vec![
            CycleFoldProof {
                comm_w: ark_grumpkin::Affine::generator(),
                comm_t: ark_grumpkin::Affine::generator(),
            };
            2
        ],
    };
    let satisfied = |cf_acc| {
        in_pool(|| {
            let cs = ConstraintSystem::new_ref();
            synthesize_augmented(
                cs.clone(),
                &Cubic,
                params.cyclefold().digest(),
                Some(&inputs(cf_acc)),
            )
            .unwrap();
            cs.is_satisfied().unwrap()
        })
    };
    let zero = RelaxedR1csInstance::<Grumpkin>::zero(params.cyclefold().shape());
    assert!(satisfied(zero.clone()));
    let mut other = zero;
    other.u = Fq::from(1u64);
    assert!(!satisfied(other));
}

#[test]
fn zero_steps_and_wrong_lengths_are_errors() {
    let params = cubic_params();
    let ivc = Ivc::new(params.clone(), vec![Fr::from(3u64)]).unwrap();
    assert!(verify(params, ivc.state()).is_err());
    assert!(matches!(
        Ivc::new(params.clone(), vec![]),
        Err(Error::LengthMismatch { .. })
    ));
    let mut st = cubic_states()[0].clone();
    st.z_i.push(Fr::from(1u64));
    assert!(matches!(
        verify(params, &st),
        Err(Error::LengthMismatch { .. })
    ));
}

fn rejected(st: &IvcState) {
    assert!(verify(cubic_params(), st).is_err());
}

#[test]
fn tampered_states_are_rejected() {
    let states = cubic_states();
    for st in [&states[1], &states[3]] {
        // z_i, z_0, i (skipping a step, or claiming fewer).
        let mut t = st.clone();
        t.z_i[0] += Fr::from(1u64);
        assert!(matches!(
            verify(cubic_params(), &t),
            Err(Error::IvcStateHashMismatch)
        ));
        let mut t = st.clone();
        t.z_0[0] += Fr::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.i += 1;
        rejected(&t);
        let mut t = st.clone();
        t.i -= 1;
        rejected(&t);

        // U_i: u, x, a commitment; its witness.
        let mut t = st.clone();
        t.acc.u += Fr::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.acc.x[0] += Fr::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.acc.comm_w = (t.acc.comm_w + G1Affine::generator()).into_affine();
        rejected(&t);
        let mut t = st.clone();
        t.acc.comm_e = (t.acc.comm_e + G1Affine::generator()).into_affine();
        rejected(&t);
        let mut t = st.clone();
        t.acc_w.w[5] += Fr::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.acc_w.e[5] += Fr::from(1u64);
        rejected(&t);

        // u_i: its commitment, its public input (even set to the hash of a tampered state),
        // its witness.
        let mut t = st.clone();
        t.inc.comm_w = (t.inc.comm_w + G1Affine::generator()).into_affine();
        rejected(&t);
        let mut t = st.clone();
        t.inc_w.w[7] += Fr::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.z_i[0] += Fr::from(1u64);
        t.inc.x[0] = recursion::ivc::state_hash(
            cubic_params().primary().digest(),
            t.i,
            &t.z_0,
            &t.z_i,
            &t.acc,
            &t.cf_acc,
        );
        assert!(matches!(
            verify(cubic_params(), &t),
            Err(Error::UnsatisfiedConstraint { .. })
        ));

        // The CycleFold running instance and its witness.
        let mut t = st.clone();
        t.cf_acc.u += Fq::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.cf_acc.x[12] += Fq::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.cf_acc.comm_e = (t.cf_acc.comm_e + ark_grumpkin::Affine::generator()).into_affine();
        rejected(&t);
        let mut t = st.clone();
        t.cf_acc_w.w[3] += Fq::from(1u64);
        rejected(&t);
        let mut t = st.clone();
        t.cf_acc_w.e[3] += Fq::from(1u64);
        rejected(&t);
    }
}

#[test]
fn mixed_and_replayed_steps_are_rejected() {
    let s = cubic_states();
    // The incoming instance of step 3 with the running instances of step 2, and vice versa.
    let mut t = s[1].clone();
    t.inc = s[2].inc.clone();
    t.inc_w = s[2].inc_w.clone();
    rejected(&t);
    let mut t = s[2].clone();
    t.acc = s[1].acc.clone();
    t.acc_w = s[1].acc_w.clone();
    rejected(&t);
    let mut t = s[2].clone();
    t.cf_acc = s[1].cf_acc.clone();
    t.cf_acc_w = s[1].cf_acc_w.clone();
    rejected(&t);
    // Step 3's state relabelled as step 4 with step 4's z (a replayed step).
    let mut t = s[2].clone();
    t.i = 4;
    t.z_i = s[3].z_i.clone();
    rejected(&t);
}

/// A CycleFold running instance after folding `n` random statements, with its witness.
fn cf_running(
    params: &cyclefold::CycleFoldParams,
    n: usize,
    r: &mut ChaCha20Rng,
) -> (RelaxedR1csInstance<Grumpkin>, RelaxedR1csWitness<Fq>) {
    let mut acc = RelaxedR1csInstance::zero(params.shape());
    let mut acc_w = RelaxedR1csWitness::zero(params.shape());
    for _ in 0..n {
        let st = random_statement(r);
        let (u, w) = cyclefold::commit_statement(params, &st, r).unwrap();
        let (_, a, aw) = nifs::prove_strict(params, &acc, &acc_w, &u, &w, r).unwrap();
        acc = a;
        acc_w = aw;
    }
    (acc, acc_w)
}

fn random_statement(r: &mut ChaCha20Rng) -> CycleFoldStatement {
    let p1 = (G1Affine::generator() * Fr::rand(r)).into_affine();
    let p2 = (G1Affine::generator() * Fr::rand(r)).into_affine();
    let s = u128::from_le_bytes(
        Fr::rand(r).into_bigint().0[0]
            .to_le_bytes()
            .repeat(2)
            .try_into()
            .unwrap(),
    );
    CycleFoldStatement::new(p1, p2, s).unwrap()
}

fn cf_params() -> &'static cyclefold::CycleFoldParams {
    cubic_params().cyclefold()
}

#[test]
fn cyclefold_gadget_matches_native() {
    let params = cf_params();
    let mut r = rng(11);
    for n in [0, 1, 3] {
        let (acc, acc_w) = cf_running(params, n, &mut r);
        let st = random_statement(&mut r);
        let (u, w) = cyclefold::commit_statement(params, &st, &mut r).unwrap();
        let (proof, folded, folded_w) =
            nifs::prove_strict(params, &acc, &acc_w, &u, &w, &mut r).unwrap();
        params.is_satisfied_relaxed(&folded, &folded_w).unwrap();
        let expected_r = nifs::challenge_u128(
            params,
            &acc,
            &RelaxedR1csInstance::from_strict(&u),
            &proof.comm_t,
        )
        .unwrap();

        let run = |comm_t: ark_grumpkin::Affine| {
            in_pool(|| {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let pp = FpVar::new_witness(cs.clone(), || Ok(params.digest())).unwrap();
                let acc_var =
                    CycleFoldInstanceVar::new_witness(cs.clone(), NUM_IO, Some(&acc)).unwrap();
                let enc = acc_var.encode().unwrap();
                let cw =
                    GrumpkinVar::new_witness(cs.clone(), || Ok(u.comm_w.into_group())).unwrap();
                let ct = GrumpkinVar::new_witness(cs.clone(), || Ok(comm_t.into_group())).unwrap();
                let x: Vec<FpVar<Fr>> = st
                    .primary_limbs()
                    .iter()
                    .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).unwrap())
                    .collect();
                let out =
                    cyclefold_gadget::verify_strict(&pp, &acc_var, &enc, &cw, &x, &ct).unwrap();
                let sat = cs.is_satisfied().unwrap();
                (
                    out.r.value().unwrap(),
                    out.folded.value().unwrap(),
                    sat,
                    cs.num_constraints(),
                )
            })
        };
        let (r_var, folded_var, sat, m) = run(proof.comm_t);
        assert!(sat);
        assert_eq!(r_var, Fr::from(expected_r));
        assert_eq!(folded_var, folded);
        assert_eq!(
            nifs::verify_strict(params, &acc, &u, &proof).unwrap(),
            folded_var
        );
        eprintln!("CycleFold fold verifier after {n} folds: {m} constraints");

        // A tampered cross term: another r, a folded instance the witness does not satisfy.
        let bad_t = (proof.comm_t + ark_grumpkin::Affine::generator()).into_affine();
        let (r_bad, folded_bad, sat_bad, _) = run(bad_t);
        assert!(sat_bad);
        assert_ne!(r_bad, r_var);
        assert!(params.is_satisfied_relaxed(&folded_bad, &folded_w).is_err());
    }
}

/// Per-step prover and verifier times of the cubic step (release; `--ignored --nocapture`).
#[test]
#[ignore]
fn timings() {
    let t0 = std::time::Instant::now();
    let params = IvcParams::setup(Cubic).unwrap();
    eprintln!(
        "setup: {:?}; augmented circuit: {} constraints, {} witness variables; CycleFold circuit: {}",
        t0.elapsed(),
        params.primary().shape().num_constraints(),
        params.primary().shape().num_witness(),
        params.cyclefold().shape().num_constraints()
    );
    let mut ivc = Ivc::new(params, vec![Fr::from(3u64)]).unwrap();
    let mut r = rng(1);
    for _ in 0..6 {
        let t = std::time::Instant::now();
        ivc.prove_step(&mut r).unwrap();
        let tp = t.elapsed();
        let t = std::time::Instant::now();
        verify(ivc.params(), ivc.state()).unwrap();
        eprintln!(
            "step {}: prove {:?}, verify {:?}",
            ivc.state().i,
            tp,
            t.elapsed()
        );
    }
}
