//! The Poseidon transcript against the arkworks in-circuit sponge (`PoseidonSpongeVar` over a
//! `gr1cs` constraint system): the exact field-element stream `PoseidonTranscript` absorbs
//! (headers via `poseidon_header`, `g1_to_limbs`, `bytes_to_fields`) is replayed through the
//! gadget, which must squeeze the same challenges while the constraint system stays satisfied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ark_bn254::G1Affine;
use ark_crypto_primitives::sponge::constraints::CryptographicSpongeVar;
use ark_crypto_primitives::sponge::poseidon::constraints::PoseidonSpongeVar;
use ark_ec::{AffineRepr, CurveGroup};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use common::*;
use sumcheck::transcript::{bytes_to_fields, g1_to_limbs, poseidon_config, poseidon_header};
use sumcheck::*;

/// One step of the sponge stream.
#[derive(Debug, Clone)]
enum Op {
    Absorb(Vec<F>),
    Squeeze(F),
}

/// A `PoseidonTranscript` that also writes down the field-element stream it feeds the sponge,
/// re-derived from the documented encoding (not read from the transcript's internals).
struct Tee {
    inner: PoseidonTranscript,
    ops: Vec<Op>,
}

impl Transcript for Tee {
    fn new(domain: &'static [u8]) -> Self {
        let mut first = vec![poseidon_header(b"zkpot-poseidon-transcript", domain.len())];
        first.extend(bytes_to_fields(domain));
        Self {
            inner: PoseidonTranscript::new(domain),
            ops: vec![Op::Absorb(first)],
        }
    }
    fn append_fields(&mut self, label: &'static [u8], xs: &[F]) {
        let mut v = vec![poseidon_header(label, xs.len())];
        v.extend_from_slice(xs);
        self.ops.push(Op::Absorb(v));
        self.inner.append_fields(label, xs);
    }
    fn append_g1(&mut self, label: &'static [u8], p: &G1Affine) {
        let mut v = vec![poseidon_header(label, 4)];
        v.extend(g1_to_limbs(p));
        self.ops.push(Op::Absorb(v));
        self.inner.append_g1(label, p);
    }
    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        let mut v = vec![poseidon_header(label, bytes.len())];
        v.extend(bytes_to_fields(bytes));
        self.ops.push(Op::Absorb(v));
        self.inner.append_bytes(label, bytes);
    }
    fn challenge(&mut self, label: &'static [u8]) -> F {
        self.ops.push(Op::Absorb(vec![poseidon_header(label, 0)]));
        let c = self.inner.challenge(label);
        self.ops.push(Op::Squeeze(c));
        c
    }
}

fn replay_in_circuit(ops: &[Op]) {
    let cs = ConstraintSystem::<F>::new_ref();
    let mut sponge = PoseidonSpongeVar::<F>::new(cs.clone(), poseidon_config());
    let mut squeezes = 0;
    for op in ops {
        match op {
            Op::Absorb(v) => {
                let vars: Vec<FpVar<F>> = v
                    .iter()
                    .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                    .collect();
                sponge.absorb(&vars).unwrap();
            }
            Op::Squeeze(c) => {
                let out = sponge.squeeze_field_elements(1).unwrap();
                assert_eq!(
                    out[0].value().unwrap(),
                    *c,
                    "challenge {squeezes} differs in-circuit"
                );
                squeezes += 1;
            }
        }
    }
    assert!(squeezes > 0);
    assert!(cs.is_satisfied().unwrap(), "constraint system unsatisfied");
}

#[test]
fn raw_calls_match_gadget() {
    let mut t = Tee::new(b"gadget");
    t.append_u64(b"u", 7);
    t.append_fields(b"v", &[F::from(1u64), F::from(2u64), F::from(3u64)]);
    t.append_fields(b"empty", &[]);
    let g = (G1Affine::generator() * F::from(5u64)).into_affine();
    t.append_g1(b"g", &g);
    t.append_g1(b"inf", &G1Affine::zero());
    t.append_bytes(b"b", &[0xabu8; 70]);
    let _ = t.challenge(b"c0");
    let _ = t.challenges(b"c1", 3);
    t.append_field(b"w", &F::from(9u64));
    let _ = t.challenge(b"c2");
    replay_in_circuit(&t.ops);
}

#[test]
fn sumcheck_protocols_match_gadget() {
    // Batched sumcheck over three instance kinds.
    let fx = Fixture::new(4, 8);
    let mut t = Tee::new(b"gadget");
    let (proof, _, evals) = fx.prove(&mut t);
    let mut v = Tee::new(b"gadget");
    fx.verify(&proof, &evals, &mut v).unwrap();
    replay_in_circuit(&t.ops);
    replay_in_circuit(&v.ops);
    // Multi-eval.
    let mut rng = rng(9);
    let polys: Vec<_> = (0..2).map(|_| rand_poly(3, &mut rng)).collect();
    let claims: Vec<EvalClaim> = (0..3)
        .map(|j| {
            let point = rand_point(3, &mut rng);
            EvalClaim {
                poly: j % 2,
                value: brute_eval(&polys[j % 2], &point),
                point,
            }
        })
        .collect();
    let refs: Vec<_> = polys.iter().collect();
    let mut t = Tee::new(b"gadget");
    let _ = prove_multi_eval(&refs, &claims, &mut t);
    replay_in_circuit(&t.ops);
}

#[test]
fn both_transcripts_deterministic() {
    let fx = Fixture::new(5, 1);
    let run_m = || fx.prove(&mut MerlinTranscript::new(b"d"));
    let run_p = || fx.prove(&mut PoseidonTranscript::new(b"d"));
    assert_eq!(run_m(), run_m());
    assert_eq!(run_p(), run_p());
    assert_ne!(run_m().1, run_p().1);
}
