//! Sizes of the CycleFold circuit and of the in-circuit NIFS verifier, and timings of folding
//! CycleFold instances on Grumpkin (key derivation, shape extraction, per fold: synthesis and
//! assignment, `C_W` (MSM of `|W|` Grumpkin points), cross term, `C_T` (MSM of `m` points),
//! transcript and vector folds, the verifier, and the final relaxed check).
//!
//! `cargo run --release -p recursion --example cyclefold_costs [-- folds]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::groups::CurveVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::cyclefold::{self, CycleFoldStatement, G1Var};
use recursion::nifs;
use recursion::nifs_gadget::{self, R1csInstanceVar, RelaxedR1csInstanceVar};
use recursion::{G1LimbsVar, RelaxedR1csInstance, RelaxedR1csWitness};

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn none<T>() -> Result<T, SynthesisError> {
    Err(SynthesisError::AssignmentMissing)
}

fn setup_cs<F: ark_ff::PrimeField>() -> ark_relations::gr1cs::ConstraintSystemRef<F> {
    let cs = ConstraintSystem::<F>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    cs
}

/// Constraints of the in-circuit NIFS verifier for `num_io` public inputs: `(with the
/// allocation of its 4 input points, without)`.
fn gadget_constraints(num_io: usize) -> (usize, usize) {
    let cs = setup_cs::<Fr>();
    let pp = FpVar::new_input(cs.clone(), none::<Fr>).unwrap();
    let acc =
        RelaxedR1csInstanceVar::new_variable(cs.clone(), num_io, None, AllocationMode::Witness)
            .unwrap();
    let inc =
        R1csInstanceVar::new_variable(cs.clone(), num_io, None, AllocationMode::Witness).unwrap();
    let comm_t = G1LimbsVar::new_witness(cs.clone(), none::<G1Affine>).unwrap();
    let inputs = cs.num_constraints();
    nifs_gadget::verify_strict(&pp, &acc, &inc, &comm_t).unwrap();
    (cs.num_constraints(), cs.num_constraints() - inputs)
}

fn main() {
    let folds: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("folds: a number"))
        .unwrap_or(4);
    println!("rayon threads: {}\n", rayon::current_num_threads());

    // --- sizes
    let shape = cyclefold::shape().unwrap();
    let nnz = shape.a().nnz() + shape.b().nnz() + shape.c().nnz();
    println!(
        "CycleFold circuit: m = {}, |x| = {}, |W| = {}, nnz(A,B,C) = {nnz}",
        shape.num_constraints(),
        shape.num_io(),
        shape.num_witness()
    );
    let cs = setup_cs::<Fq>();
    let lo = FpVar::new_input(cs.clone(), none::<Fq>).unwrap();
    let hi = FpVar::new_input(cs.clone(), none::<Fq>).unwrap();
    let _ = cyclefold::enforce_canonical_limbs(&lo, &hi).unwrap();
    println!(
        "  canonical coordinate (two limbs): {}",
        cs.num_constraints()
    );
    let cs = setup_cs::<Fq>();
    let p = G1Var::new_variable_omit_on_curve_check(
        cs.clone(),
        none::<G1Projective>,
        AllocationMode::Witness,
    )
    .unwrap();
    let bits: Vec<Boolean<Fq>> = (0..128)
        .map(|_| Boolean::new_witness(cs.clone(), none::<bool>).unwrap())
        .collect();
    let c0 = cs.num_constraints();
    let rp = p.scalar_mul_le(bits.iter()).unwrap();
    let c1 = cs.num_constraints();
    let sum = &p + &rp;
    let c2 = cs.num_constraints();
    let _ = sum.to_affine().unwrap();
    let c3 = cs.num_constraints();
    println!(
        "  scalar mul (128 bits): {}, complete addition: {}, to affine: {}, bits of r: 128 + 1",
        c1 - c0,
        c2 - c1,
        c3 - c2
    );
    for num_io in [3, 4, 8, 16] {
        let (with, without) = gadget_constraints(num_io);
        println!("NIFS verifier gadget, ℓ = {num_io}: {with} (without allocating its 4 input points: {without})");
    }

    // --- folding on Grumpkin
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    let t = Instant::now();
    let shape = cyclefold::shape().unwrap();
    let t_shape = t.elapsed();
    let t = Instant::now();
    let params = cyclefold::CycleFoldParams::setup(shape, b"cyclefold-costs-key", true).unwrap();
    let t_key = t.elapsed();
    let statement = |rng: &mut ChaCha20Rng| {
        let p1 = G1Projective::rand(rng).into_affine();
        let p2 = G1Projective::rand(rng).into_affine();
        CycleFoldStatement::new(p1, p2, rng.gen()).unwrap()
    };
    // Start from one instance embedded as relaxed, so every fold has a non-trivial cross term.
    let (u0, w0) = cyclefold::commit_statement(&params, &statement(&mut rng), &mut rng).unwrap();
    let mut acc = RelaxedR1csInstance::from_strict(&u0);
    let mut acc_w = RelaxedR1csWitness::from_strict(params.shape(), &w0);
    let (mut t_synth, mut t_cw, mut t_cross, mut t_ct, mut t_fold, mut t_prove, mut t_verify) =
        Default::default();
    for _ in 0..folds {
        let st = statement(&mut rng);
        let t = Instant::now();
        let (x, w) = cyclefold::assignment(&st).unwrap();
        t_synth += t.elapsed();
        let t = Instant::now();
        let (u, w) = params.commit_witness(x, w, &mut rng).unwrap();
        t_cw += t.elapsed();

        let inc = RelaxedR1csInstance::from_strict(&u);
        let inc_w = RelaxedR1csWitness::from_strict(params.shape(), &w);
        let t0 = Instant::now();
        let z1 = params.shape().z(acc.u, &acc.x, &acc_w.w).unwrap();
        let z2 = params.shape().z(inc.u, &inc.x, &inc_w.w).unwrap();
        let cross = params.shape().cross_term(&z1, &z2).unwrap();
        t_cross += t0.elapsed();
        let t = Instant::now();
        let r_t = Fq::rand(&mut rng);
        let comm_t = params.key().commit(&cross, &r_t).unwrap();
        t_ct += t.elapsed();
        let t = Instant::now();
        let r = nifs::challenge(&params, &acc, &inc, &comm_t).unwrap();
        let folded = nifs::fold_instances(&acc, &inc, &comm_t, r).unwrap();
        let folded_w = nifs::fold_witnesses(&acc_w, &inc_w, &cross, r_t, r).unwrap();
        t_fold += t.elapsed();
        t_prove += t0.elapsed();
        let t = Instant::now();
        let verified = nifs::verify_strict(&params, &acc, &u, &nifs::NifsProof { comm_t }).unwrap();
        t_verify += t.elapsed();
        assert_eq!(verified, folded);
        (acc, acc_w) = (folded, folded_w);
    }
    let t = Instant::now();
    params.is_satisfied_relaxed(&acc, &acc_w).unwrap();
    let t_check = t.elapsed();
    let per = |d: Duration| ms(d / folds);
    println!("\nGrumpkin folds (ms; per fold = mean of {folds}):\n");
    println!("| key derivation | shape extraction | synthesis + assignment | C_W: MSM \\|W\\| | cross term | C_T: MSM m | fold witness | prover fold total | verifier fold | relaxed check |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        ms(t_key),
        ms(t_shape),
        per(t_synth),
        per(t_cw),
        per(t_cross),
        per(t_ct),
        per(t_fold),
        per(t_prove),
        per(t_verify),
        ms(t_check)
    );
}
