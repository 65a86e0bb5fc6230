//! A small step-like circuit for the folding tests and the `nifs_costs` example.
//!
//! Public inputs `x = (i, s_in, s_out)`, witnesses `a, b`: `muls` multiply-adds
//! `acc ← acc·a + b` starting from `s_in`, then `hashes` rounds of the Poseidon transcript gadget
//! `acc ← H(i, acc)` (absorb `[i, acc]`, squeeze), and finally `s_out = acc` — the ingredients of
//! a real step verifier (products, a Poseidon transcript, public state in and out).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::rand::Rng;
use ark_std::UniformRand;
use recursion::{extract_assignment, PoseidonTranscriptVar, R1csShape};
use sumcheck::{PoseidonTranscript, Transcript, F};

/// The circuit's parameters (they fix its shape).
#[derive(Clone, Copy, Debug)]
pub struct StepCircuit {
    pub muls: usize,
    pub hashes: usize,
    pub domain: &'static [u8],
}

/// One step's inputs.
#[derive(Clone, Copy, Debug)]
pub struct StepValues {
    pub i: F,
    pub s_in: F,
    pub a: F,
    pub b: F,
}

impl StepValues {
    pub fn random<R: Rng>(i: u64, rng: &mut R) -> Self {
        Self {
            i: F::from(i),
            s_in: F::rand(rng),
            a: F::rand(rng),
            b: F::rand(rng),
        }
    }
}

impl StepCircuit {
    pub const SMALL: Self = Self {
        muls: 4,
        hashes: 2,
        domain: b"nifs-test-step",
    };

    /// `s_out`, computed natively.
    pub fn output(&self, v: &StepValues) -> F {
        let mut acc = v.s_in;
        for _ in 0..self.muls {
            acc = acc * v.a + v.b;
        }
        let mut t = PoseidonTranscript::new(self.domain);
        for _ in 0..self.hashes {
            t.append_fields(b"step_state", &[v.i, acc]);
            acc = t.challenge(b"step_out");
        }
        acc
    }

    /// Lays the circuit out in `cs` (values absent in setup mode).
    pub fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        v: Option<&StepValues>,
    ) -> Result<(), recursion::Error> {
        let get =
            |f: fn(&StepValues) -> F| move || v.map(f).ok_or(SynthesisError::AssignmentMissing);
        let i = FpVar::new_input(cs.clone(), get(|v| v.i))?;
        let s_in = FpVar::new_input(cs.clone(), get(|v| v.s_in))?;
        let out = v.map(|v| self.output(v));
        let s_out = FpVar::new_input(cs.clone(), || out.ok_or(SynthesisError::AssignmentMissing))?;
        let a = FpVar::new_witness(cs.clone(), get(|v| v.a))?;
        let b = FpVar::new_witness(cs.clone(), get(|v| v.b))?;
        let mut acc = s_in;
        for _ in 0..self.muls {
            acc = &acc * &a + &b;
        }
        let mut t = PoseidonTranscriptVar::new(cs, self.domain)?;
        for _ in 0..self.hashes {
            t.append_fields(b"step_state", &[i.clone(), acc])?;
            acc = t.challenge(b"step_out")?;
        }
        acc.enforce_equal(&s_out)?;
        Ok(())
    }

    /// The shape, from a setup-mode synthesis.
    pub fn shape(&self) -> R1csShape {
        let cs = ConstraintSystem::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        self.synthesize(cs.clone(), None).unwrap();
        R1csShape::from_constraint_system(&cs).unwrap()
    }

    /// A proving-mode constraint system with `v` assigned.
    pub fn prove_cs(&self, v: &StepValues) -> ConstraintSystemRef<F> {
        let cs = ConstraintSystem::new_ref();
        self.synthesize(cs.clone(), Some(v)).unwrap();
        cs
    }

    /// `(x, W)` of one step (the constraint system is checked to be satisfied).
    pub fn assignment(&self, v: &StepValues) -> (Vec<F>, Vec<F>) {
        let cs = self.prove_cs(v);
        assert!(cs.is_satisfied().unwrap());
        extract_assignment(&cs).unwrap()
    }
}
