//! The Poseidon duplex sponge over `F = ark_bn254::Fr` as an R1CS gadget: the in-circuit twin
//! of the native sponge of [`sumcheck::transcript::PoseidonTranscript`] (arkworks'
//! `PoseidonSponge` with [`sumcheck::transcript::poseidon_config`]: width 3, rate 2, capacity 1,
//! α = 5, 8 full and 57 partial rounds), written out so that the permutation controls the size
//! of its linear combinations.
//!
//! # Why not arkworks' `PoseidonSpongeVar`
//!
//! The round constants and the MDS matrix are linear, so a gadget applies them to symbolic
//! linear combinations at no constraint. In a partial round only `s_0` goes through the S-box
//! (a fresh variable); `s_1` and `s_2` stay linear combinations of all the S-box outputs so
//! far and grow by one term per round. Every S-box input is such a combination, and it is
//! inlined into the matrices each time it is used (`x·x`, then `x⁴·x`): one permutation of
//! `PoseidonSpongeVar` is 243 constraints but ≈ 6.7k non-zero matrix entries. Those entries
//! are what the folding prover (cross term, synthesis) and the decider's verifier (the
//! `O(nnz)` evaluation of `Ã, B̃, C̃`) pay for: 36.6M of them in the `mlp` augmented circuit.
//!
//! With materialization every 4 rounds a permutation is 271 constraints and ≈ 1.9k entries (the
//! `mlp` circuit: 1,684,942 constraints, 12.3M entries; its verifier 1.17 → 0.67 s on one core,
//! key derivation 26.7 → 6.6 s, `docs/benchmarks.md`). Every 2, 3 or 6 rounds gives 592, 552,
//! 516 constraints and 3,827, 3,823, 4,147 entries for two permutations (536 and 3,895 every 4;
//! arkworks 480 and 13,461).
//!
//! Here, every [`MATERIALIZE_EVERY`] partial rounds, `s_1` and `s_2` are replaced by fresh
//! witnesses `m_i` with the constraint `(s_i − m_i)·1 = 0`: two more constraints, after which
//! the state is again three short combinations. The permutation computes the same function (each
//! materialized value is constrained equal to the combination it replaces), so the sponge's
//! outputs are the native ones; a test checks them against the native sponge.
//!
//! # Duplex schedule (arkworks' `PoseidonSponge`, replicated call for call)
//!
//! ```text
//! absorb(xs):  Absorbing{i}: if i = rate { permute; i = 0 }; add xs into the rate from i,
//!                            permuting each time the rate fills;  Absorbing{i'}
//!              Squeezing{_}: add xs into the rate from 0 (no permutation first), as above
//! squeeze(n):  Absorbing{_}: permute; read the rate from 0;  Squeezing{j'}
//!              Squeezing{j}: if j = rate { permute; j = 0 }; read from j
//!              (reading past the rate permutes and continues from 0)
//! ```
//!
//! The state starts at zero (constants): absorbing and permuting constants stays constant and
//! costs nothing, and a constant is never materialized.

use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use sumcheck::transcript::poseidon_config;
use sumcheck::F;

/// Partial rounds between two materializations of `s_1, s_2` (module docs).
pub const MATERIALIZE_EVERY: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Absorbing(usize),
    Squeezing(usize),
}

/// The Poseidon duplex sponge in a constraint system (module docs).
#[derive(Clone)]
pub struct PoseidonSpongeGadget {
    cs: ConstraintSystemRef<F>,
    config: &'static PoseidonConfig<F>,
    state: Vec<FpVar<F>>,
    mode: Mode,
}

impl std::fmt::Debug for PoseidonSpongeGadget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoseidonSpongeGadget")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// `x` itself if it is a constant, else a fresh witness constrained equal to it.
fn materialize(x: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    match x {
        FpVar::Constant(_) => Ok(x.clone()),
        FpVar::Var(v) => {
            let m = FpVar::new_witness(v.cs.clone(), || x.value())?;
            m.enforce_equal(x)?;
            Ok(m)
        }
    }
}

/// `x⁵` in three multiplications.
fn quintic(x: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

impl PoseidonSpongeGadget {
    /// A fresh sponge (state zero, absorbing from position 0) in `cs`.
    pub fn new(cs: ConstraintSystemRef<F>) -> Self {
        let config = poseidon_config();
        Self {
            cs,
            config,
            state: vec![FpVar::zero(); config.rate + config.capacity],
            mode: Mode::Absorbing(0),
        }
    }

    /// The constraint system the sponge lives in.
    pub fn cs(&self) -> ConstraintSystemRef<F> {
        self.cs.clone()
    }

    fn add_round_constants(&mut self, round: usize) {
        for (s, c) in self.state.iter_mut().zip(&self.config.ark[round]) {
            *s += *c;
        }
    }

    fn mix(&mut self) {
        let mds = &self.config.mds;
        let next: Vec<FpVar<F>> = mds
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.state)
                    .fold(FpVar::zero(), |acc, (m, s)| acc + s * *m)
            })
            .collect();
        self.state = next;
    }

    fn permute(&mut self) -> Result<(), SynthesisError> {
        let (full, partial) = (self.config.full_rounds, self.config.partial_rounds);
        let alpha = self.config.alpha;
        if alpha != 5 {
            // The transcript's configuration has α = 5; anything else is a programming error
            // caught by the native-equality test, reported rather than mis-proven.
            return Err(SynthesisError::Unsatisfiable);
        }
        for round in 0..full + partial {
            self.add_round_constants(round);
            let is_partial = round >= full / 2 && round < full / 2 + partial;
            if is_partial {
                self.state[0] = quintic(&self.state[0])?;
            } else {
                for s in self.state.iter_mut() {
                    *s = quintic(s)?;
                }
            }
            self.mix();
            let k = round.wrapping_sub(full / 2);
            if is_partial && (k + 1) % MATERIALIZE_EVERY == 0 && k + 1 < partial {
                for i in 1..self.state.len() {
                    self.state[i] = materialize(&self.state[i])?;
                }
            }
        }
        Ok(())
    }

    fn absorb_from(&mut self, mut at: usize, mut xs: &[FpVar<F>]) -> Result<(), SynthesisError> {
        let (rate, cap) = (self.config.rate, self.config.capacity);
        loop {
            let take = (rate - at).min(xs.len());
            for (i, x) in xs[..take].iter().enumerate() {
                self.state[cap + at + i] += x;
            }
            if at + xs.len() <= rate {
                self.mode = Mode::Absorbing(at + xs.len());
                return Ok(());
            }
            self.permute()?;
            xs = &xs[take..];
            at = 0;
        }
    }

    /// Absorbs `xs` (nothing for an empty slice).
    pub fn absorb(&mut self, xs: &[FpVar<F>]) -> Result<(), SynthesisError> {
        if xs.is_empty() {
            return Ok(());
        }
        match self.mode {
            Mode::Absorbing(i) => {
                let mut i = i;
                if i == self.config.rate {
                    self.permute()?;
                    i = 0;
                }
                self.absorb_from(i, xs)
            }
            Mode::Squeezing(_) => self.absorb_from(0, xs),
        }
    }

    /// Squeezes `n` field elements.
    pub fn squeeze(&mut self, n: usize) -> Result<Vec<FpVar<F>>, SynthesisError> {
        let (rate, cap) = (self.config.rate, self.config.capacity);
        let mut at = match self.mode {
            Mode::Absorbing(_) => {
                self.permute()?;
                0
            }
            Mode::Squeezing(j) if j == rate => {
                self.permute()?;
                0
            }
            Mode::Squeezing(j) => j,
        };
        let mut out = Vec::with_capacity(n);
        loop {
            let take = (rate - at).min(n - out.len());
            out.extend_from_slice(&self.state[cap + at..cap + at + take]);
            if out.len() == n {
                self.mode = Mode::Squeezing(at + take);
                return Ok(out);
            }
            self.permute()?;
            at = 0;
        }
    }
}
