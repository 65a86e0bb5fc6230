//! `PoseidonSpongeGadget` against arkworks' native `PoseidonSponge` with the transcript's
//! configuration: the same outputs for every absorb/squeeze schedule (partial and full rate,
//! squeezes across the rate, absorbs after squeezes, empty calls), a satisfied constraint
//! system, constants that stay free, the pinned size of a permutation, and no unconstrained
//! witness: changing any single witness value (a materialized state element included) breaks
//! the relation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
use ark_ff::One;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::poseidon_gadget::PoseidonSpongeGadget;
use recursion::{extract_assignment, R1csShape};
use sumcheck::transcript::poseidon_config;
use sumcheck::F;

/// One call of a schedule: absorb these many fresh values, or squeeze these many.
#[derive(Clone, Copy, Debug)]
enum Call {
    Absorb(usize),
    Squeeze(usize),
}

/// Runs `calls` natively and in a fresh constraint system; returns the system and checks that
/// every squeezed value agrees.
fn run(calls: &[Call], seed: u64, constant: bool) -> ConstraintSystemRef<F> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let cs = ConstraintSystem::<F>::new_ref();
    let mut native = PoseidonSponge::<F>::new(poseidon_config());
    let mut gadget = PoseidonSpongeGadget::new(cs.clone());
    for (k, call) in calls.iter().enumerate() {
        match *call {
            Call::Absorb(n) => {
                let xs: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
                native.absorb(&xs);
                let vars: Vec<FpVar<F>> = xs
                    .iter()
                    .map(|x| {
                        if constant {
                            FpVar::constant(*x)
                        } else {
                            FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap()
                        }
                    })
                    .collect();
                gadget.absorb(&vars).unwrap();
            }
            Call::Squeeze(n) => {
                let want: Vec<F> = native.squeeze_native_field_elements(n);
                let got: Vec<F> = gadget
                    .squeeze(n)
                    .unwrap()
                    .iter()
                    .map(|v| v.value().unwrap())
                    .collect();
                assert_eq!(got, want, "call {k} of {calls:?}");
            }
        }
    }
    assert!(cs.is_satisfied().unwrap(), "{calls:?}");
    cs
}

fn schedules() -> Vec<Vec<Call>> {
    use Call::*;
    vec![
        vec![Absorb(1), Squeeze(1)],
        vec![Absorb(2), Squeeze(1)],
        vec![Absorb(3), Squeeze(1), Absorb(1), Squeeze(1)],
        vec![Absorb(5), Squeeze(3)],
        vec![Absorb(2), Squeeze(2), Squeeze(1), Squeeze(4)],
        vec![Squeeze(1), Absorb(2), Absorb(2), Squeeze(2)],
        vec![
            Absorb(4),
            Absorb(0),
            Squeeze(0),
            Squeeze(2),
            Absorb(7),
            Squeeze(5),
        ],
        vec![
            Absorb(1),
            Squeeze(1),
            Absorb(2),
            Squeeze(1),
            Absorb(3),
            Squeeze(1),
        ],
    ]
}

#[test]
fn matches_the_native_sponge_on_every_schedule() {
    for (i, calls) in schedules().iter().enumerate() {
        run(calls, i as u64, false);
        // Constants throughout: the same outputs and not a single constraint.
        let cs = run(calls, i as u64, true);
        assert_eq!(cs.num_constraints(), 0, "{calls:?} on constants");
    }
}

#[test]
fn one_permutation_is_271_constraints() {
    // 3·(8·3 + 57) S-box products and 2·14 materializations.
    assert_eq!(3 * (8 * 3 + 57) + 2 * (57 / 4), 271);
    // The first permutation after absorbing one variable: the capacity element and the other
    // rate element are still constants, so two S-boxes of the first full round are free.
    let one = run(&[Call::Absorb(1), Call::Squeeze(1)], 9, false);
    assert_eq!(one.num_constraints(), 271 - 2 * 3);
    // The second one runs on a state that is variable throughout.
    let calls = [
        Call::Absorb(1),
        Call::Squeeze(1),
        Call::Absorb(1),
        Call::Squeeze(1),
    ];
    let two = run(&calls, 9, false);
    assert_eq!(two.num_constraints() - one.num_constraints(), 271);
}

#[test]
fn no_witness_is_free() {
    let cs = run(
        &[
            Call::Absorb(3),
            Call::Squeeze(2),
            Call::Absorb(1),
            Call::Squeeze(1),
        ],
        11,
        false,
    );
    let shape = R1csShape::from_constraint_system(&cs).unwrap();
    let (x, w) = extract_assignment(&cs).unwrap();
    shape.check_relation(&x, &w).unwrap();
    for i in 0..w.len() {
        let mut bad = w.clone();
        bad[i] += F::one();
        assert!(
            shape.check_relation(&x, &bad).is_err(),
            "witness {i} of {} is unconstrained",
            w.len()
        );
    }
}
