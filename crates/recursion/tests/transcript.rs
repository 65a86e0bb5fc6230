//! `PoseidonTranscriptVar` against the native `PoseidonTranscript`: random sequences of every
//! operation squeeze identical challenges natively and in-circuit, the constraint system is
//! satisfied, and its shape does not depend on the values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_bn254::G1Affine;
use ark_ec::{AffineRepr, CurveGroup};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::uint8::UInt8;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::{Error, G1LimbsVar, PoseidonTranscriptVar};
use sumcheck::transcript::{g1_to_limbs, MAX_LABEL_LEN};
use sumcheck::{PoseidonTranscript, Transcript, F};

const LABELS: [&[u8]; 5] = [
    b"",
    b"a",
    b"sc_round_poly",
    b"zc_tau",
    b"twenty-seven-bytes-long-lbl",
];

/// One transcript call, with its data.
#[derive(Clone, Debug)]
enum Op {
    /// Field elements, allocated as witnesses (`true`) or constants.
    Fields(&'static [u8], Vec<F>, bool),
    U64(&'static [u8], u64),
    /// A point, allocated as witness limbs (`true`) or constants.
    G1(&'static [u8], G1Affine, bool),
    /// Bytes known at circuit-building time.
    Bytes(&'static [u8], Vec<u8>),
    /// Bytes held in `UInt8` witnesses.
    BytesVar(&'static [u8], Vec<u8>),
    Challenge(&'static [u8]),
    Challenges(&'static [u8], usize),
}

fn random_ops(rng: &mut ChaCha20Rng, len: usize) -> Vec<Op> {
    let label = |rng: &mut ChaCha20Rng| LABELS[rng.gen_range(0..LABELS.len())];
    (0..len)
        .map(|_| match rng.gen_range(0..8) {
            0 | 1 => {
                let n = rng.gen_range(0..6);
                Op::Fields(
                    label(rng),
                    (0..n).map(|_| F::rand(rng)).collect(),
                    rng.gen(),
                )
            }
            2 => Op::U64(label(rng), rng.gen()),
            3 => {
                let p = if rng.gen_range(0..4) == 0 {
                    G1Affine::zero()
                } else {
                    (G1Affine::generator() * F::rand(rng)).into_affine()
                };
                Op::G1(label(rng), p, rng.gen())
            }
            4 => {
                let n = rng.gen_range(0..70);
                Op::Bytes(label(rng), (0..n).map(|_| rng.gen()).collect())
            }
            5 => {
                let n = rng.gen_range(0..70);
                Op::BytesVar(label(rng), (0..n).map(|_| rng.gen()).collect())
            }
            6 => Op::Challenge(label(rng)),
            _ => Op::Challenges(label(rng), rng.gen_range(0..4)),
        })
        .collect()
}

fn run_native(ops: &[Op]) -> Vec<F> {
    let mut t = PoseidonTranscript::new(b"transcript-test");
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Fields(l, xs, _) => t.append_fields(l, xs),
            Op::U64(l, v) => t.append_u64(l, *v),
            Op::G1(l, p, _) => t.append_g1(l, p),
            Op::Bytes(l, b) | Op::BytesVar(l, b) => t.append_bytes(l, b),
            Op::Challenge(l) => out.push(t.challenge(l)),
            Op::Challenges(l, n) => out.extend(t.challenges(l, *n)),
        }
    }
    out.push(t.challenge(b"end"));
    out
}

fn run_circuit(cs: ConstraintSystemRef<F>, ops: &[Op]) -> Result<Vec<FpVar<F>>, Error> {
    let setup = cs.is_in_setup_mode();
    let val = |x: F| {
        move || {
            if setup {
                Err(SynthesisError::AssignmentMissing)
            } else {
                Ok(x)
            }
        }
    };
    let mut t = PoseidonTranscriptVar::new(cs.clone(), b"transcript-test")?;
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Fields(l, xs, witness) => {
                let vars = xs
                    .iter()
                    .map(|x| {
                        if *witness {
                            FpVar::new_witness(cs.clone(), val(*x))
                        } else {
                            FpVar::new_constant(cs.clone(), *x)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                t.append_fields(l, &vars)?;
            }
            Op::U64(l, v) => t.append_u64(l, *v)?,
            Op::G1(l, p, witness) => {
                let var = if *witness {
                    G1LimbsVar::new_witness(cs.clone(), || {
                        if setup {
                            Err(SynthesisError::AssignmentMissing)
                        } else {
                            Ok(*p)
                        }
                    })?
                } else {
                    G1LimbsVar::new_constant(cs.clone(), *p)?
                };
                t.append_g1(l, &var)?;
            }
            Op::Bytes(l, b) => t.append_bytes(l, b)?,
            Op::BytesVar(l, b) => {
                let vars = b
                    .iter()
                    .map(|x| {
                        UInt8::new_witness(cs.clone(), || {
                            if setup {
                                Err(SynthesisError::AssignmentMissing)
                            } else {
                                Ok(*x)
                            }
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                t.append_bytes_var(l, &vars)?;
            }
            Op::Challenge(l) => out.push(t.challenge(l)?),
            Op::Challenges(l, n) => out.extend(t.challenges(l, *n)?),
        }
    }
    out.push(t.challenge(b"end")?);
    Ok(out)
}

#[test]
fn random_sequences_match_native() {
    for seed in 0..12u64 {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ops = random_ops(&mut rng, 24);
        let native = run_native(&ops);
        let cs = ConstraintSystem::<F>::new_ref();
        let vars = run_circuit(cs.clone(), &ops).unwrap();
        let got: Vec<F> = vars.iter().map(|v| v.value().unwrap()).collect();
        assert_eq!(got, native, "seed {seed}: challenges differ for {ops:?}");
        assert!(cs.is_satisfied().unwrap(), "seed {seed}: unsatisfied");
        // The same circuit without any value has the same shape.
        let setup = ConstraintSystem::<F>::new_ref();
        setup.set_mode(SynthesisMode::Setup);
        let _ = run_circuit(setup.clone(), &ops).unwrap();
        assert_eq!(setup.num_constraints(), cs.num_constraints(), "seed {seed}");
    }
}

#[test]
fn constants_only_cost_nothing() {
    // Domain separation, constant fields, bytes and points: every permutation runs on constants.
    let cs = ConstraintSystem::<F>::new_ref();
    let ops = vec![
        Op::U64(b"n", 5),
        Op::Fields(b"c", vec![F::from(1u64), F::from(2u64)], false),
        Op::Bytes(b"digest", vec![7u8; 40]),
        Op::G1(b"g", G1Affine::generator(), false),
        Op::Challenges(b"x", 3),
    ];
    let vars = run_circuit(cs.clone(), &ops).unwrap();
    assert!(vars.iter().all(|v| v.is_constant()));
    assert_eq!(cs.num_constraints(), 0);
    let got: Vec<F> = vars.iter().map(|v| v.value().unwrap()).collect();
    assert_eq!(got, run_native(&ops));
}

#[test]
fn g1_limbs_are_canonical_limbs_of_the_point() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let p = (G1Affine::generator() * F::rand(&mut rng)).into_affine();
    let cs = ConstraintSystem::<F>::new_ref();
    let var = G1LimbsVar::new_witness(cs.clone(), || Ok(p)).unwrap();
    assert_eq!(var.value().unwrap(), g1_to_limbs(&p));
    // 2 coordinates × (limbs of 128 and 126 bits, a borrow bit, and the two range checks of
    // `Q − c`: 129 + 127 + 1 + 129 + 127).
    assert_eq!(cs.num_constraints(), 2 * 513);
    assert!(cs.is_satisfied().unwrap());
    let inf = G1LimbsVar::new_witness(cs.clone(), || Ok(G1Affine::zero())).unwrap();
    assert_eq!(inf.value().unwrap(), [F::from(0u64); 4]);
    assert!(cs.is_satisfied().unwrap());
}

#[test]
fn unencodable_calls_are_errors() {
    let cs = ConstraintSystem::<F>::new_ref();
    let mut t = PoseidonTranscriptVar::new(cs, b"t").unwrap();
    let long: &'static [u8] = b"a label of twenty-eight byte";
    assert_eq!(long.len(), MAX_LABEL_LEN + 1);
    assert_eq!(
        t.challenge(long).unwrap_err(),
        Error::LabelTooLong {
            len: 28,
            max: MAX_LABEL_LEN
        }
    );
    assert!(matches!(
        t.append_fields(long, &[]),
        Err(Error::LabelTooLong { .. })
    ));
    // The transcript is still usable with valid calls.
    assert!(t.challenge(b"ok").is_ok());
}
