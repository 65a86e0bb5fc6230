//! Shared test fixture: a batch of product / eq-weighted / zero-check instances proven natively
//! with the Poseidon transcript, verified natively, and verified in-circuit with any tampering.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use ark_ff::{Field, One, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_std::UniformRand;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use recursion::sumcheck_gadget::{alloc_witness_vec, batch_shape};
use recursion::{
    draw_tau, verify_batched as verify_batched_var, BatchedSumcheckVar, CombinerVar, InstanceShape,
    PoseidonTranscriptVar, ProductVerifierVar, SumcheckInstanceVerifierVar, SumcheckProofVar,
    ZeroCheckVerifierVar,
};
use sumcheck::engine::LABEL_BATCH_COEFFS;
use sumcheck::instances::zerocheck::draw_tau as draw_tau_native;
use sumcheck::*;

pub mod counts;

pub const DOMAIN: &[u8] = b"recursion-test";

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn rand_vec(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

pub fn rand_poly(n: usize, rng: &mut ChaCha20Rng) -> MultilinearPoly {
    MultilinearPoly::new(rand_vec(1 << n, rng)).unwrap()
}

/// The custom combination `g(a, b, c) = a·b - c + 3·a·c²` (degree 3), native and in-circuit.
pub fn custom_native() -> Combiner {
    Combiner::Custom {
        degree: 3,
        f: Arc::new(|v: &[F]| v[0] * v[1] - v[2] + F::from(3u64) * v[0] * v[2] * v[2]),
    }
}

pub fn custom_var() -> CombinerVar {
    CombinerVar::Custom {
        degree: 3,
        f: Arc::new(|v: &[FpVar<F>]| {
            let c2 = &v[2] * &v[2];
            Ok(&v[0] * &v[1] - &v[2] + (&v[0] * c2) * F::from(3u64))
        }),
    }
}

/// One instance of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Σ_x Π_{j<k} P_j(x)`, random `P_j`.
    Product { k: usize },
    /// A genuine zero-check of `P_1···P_k` (each point has a vanishing factor), claim the constant
    /// `0` in-circuit.
    ZeroCheck { k: usize },
    /// `Σ_x eq(τ, x)·P_1···P_k`, random `P_j` (claim ≠ 0).
    EqProduct { k: usize },
    /// `Σ_x eq(τ, x)·g(P_1, P_2, P_3)` with [`custom_native`], random `P_j`.
    EqCustom,
}

impl Kind {
    pub fn is_eq(self) -> bool {
        !matches!(self, Kind::Product { .. })
    }
    pub fn num_polys(self) -> usize {
        match self {
            Kind::Product { k } | Kind::ZeroCheck { k } | Kind::EqProduct { k } => k,
            Kind::EqCustom => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub kind: Kind,
    pub num_vars: usize,
}

pub fn spec(kind: Kind, num_vars: usize) -> Spec {
    Spec { kind, num_vars }
}

/// Something to corrupt before verifying (natively and in-circuit alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// Add 1 to coefficient `idx` of round `round`'s compressed polynomial.
    RoundCoeff {
        round: usize,
        idx: usize,
    },
    /// Add 1 to instance `instance`'s claimed sum.
    ClaimedSum {
        instance: usize,
    },
    /// Add 1 to final evaluation `idx` of instance `instance`.
    FinalEval {
        instance: usize,
        idx: usize,
    },
}

/// A proven batch.
pub struct Batch {
    pub specs: Vec<Spec>,
    pub seed: u64,
    pub polys: Vec<Vec<MultilinearPoly>>,
    pub claims: Vec<F>,
    pub proof: SumcheckProof,
    pub r: Vec<F>,
    pub final_evals: Vec<Vec<F>>,
}

fn as_dyn<'a>(
    b: &'a mut Box<dyn SumcheckInstanceProver>,
) -> &'a mut (dyn SumcheckInstanceProver + 'a) {
    &mut **b
}

fn native_combiner(kind: Kind) -> Combiner {
    match kind {
        Kind::EqCustom => custom_native(),
        _ => Combiner::Product,
    }
}

/// The statement's prefix: what the transcript holds before the sumcheck.
fn native_prefix(t: &mut PoseidonTranscript, specs: &[Spec], seed: u64) -> Vec<Vec<F>> {
    t.append_u64(b"statement", seed);
    specs
        .iter()
        .map(|s| {
            if s.kind.is_eq() {
                draw_tau_native(t, s.num_vars)
            } else {
                Vec::new()
            }
        })
        .collect()
}

impl Batch {
    pub fn new(specs: &[Spec], seed: u64) -> Self {
        let mut rng = rng(seed);
        let polys: Vec<Vec<MultilinearPoly>> = specs
            .iter()
            .map(|s| {
                let k = s.kind.num_polys();
                let mut ps: Vec<Vec<F>> = (0..k)
                    .map(|_| rand_vec(1 << s.num_vars, &mut rng))
                    .collect();
                if let Kind::ZeroCheck { .. } = s.kind {
                    // Each point gets a vanishing factor.
                    let zeros: Vec<usize> = (0..1usize << s.num_vars)
                        .map(|_| rng.gen_range(0..k))
                        .collect();
                    for (x, j) in zeros.into_iter().enumerate() {
                        ps[j][x] = F::zero();
                    }
                }
                ps.into_iter()
                    .map(|e| MultilinearPoly::new(e).unwrap())
                    .collect()
            })
            .collect();
        let mut t = PoseidonTranscript::new(DOMAIN);
        let taus = native_prefix(&mut t, specs, seed);
        let mut provers: Vec<Box<dyn SumcheckInstanceProver>> = specs
            .iter()
            .zip(&polys)
            .zip(&taus)
            .map(|((s, ps), tau)| -> Box<dyn SumcheckInstanceProver> {
                if s.kind.is_eq() {
                    Box::new(
                        ZeroCheckProver::new(tau.clone(), ps.clone(), native_combiner(s.kind))
                            .unwrap(),
                    )
                } else {
                    Box::new(ProductProver::new(ps.clone()).unwrap())
                }
            })
            .collect();
        let claims: Vec<F> = provers.iter().map(|p| p.input_claim()).collect();
        for (s, c) in specs.iter().zip(&claims) {
            if let Kind::ZeroCheck { .. } = s.kind {
                assert!(c.is_zero(), "zero-check fixture is not a zero-check");
            }
        }
        let mut refs: Vec<&mut dyn SumcheckInstanceProver> =
            provers.iter_mut().map(as_dyn).collect();
        let (proof, r, final_evals) = prove_batched(&mut refs, &mut t);
        Self {
            specs: specs.to_vec(),
            seed,
            polys,
            claims,
            proof,
            r,
            final_evals,
        }
    }

    /// The (possibly tampered) proof, claims and final evaluations.
    pub fn tampered(&self, tamper: Tamper) -> (SumcheckProof, Vec<F>, Vec<Vec<F>>) {
        let mut proof = self.proof.clone();
        let mut claims = self.claims.clone();
        let mut evals = self.final_evals.clone();
        match tamper {
            Tamper::None => {}
            Tamper::RoundCoeff { round, idx } => {
                proof.round_polys[round].coeffs_except_linear[idx] += F::one();
            }
            Tamper::ClaimedSum { instance } => claims[instance] += F::one(),
            Tamper::FinalEval { instance, idx } => evals[instance][idx] += F::one(),
        }
        (proof, claims, evals)
    }

    /// Native verification of the (tampered) batch. Returns `r`, the batching coefficients, the
    /// reduced claim, each instance's expected output claim and one challenge squeezed after
    /// the sumcheck (to compare transcript states).
    pub fn verify_native(&self, tamper: Tamper) -> NativeOutcome {
        let (proof, claims, evals) = self.tampered(tamper);
        let mut t = PoseidonTranscript::new(DOMAIN);
        let taus = native_prefix(&mut t, &self.specs, self.seed);
        let verifiers: Vec<Box<dyn SumcheckInstanceVerifier>> = self
            .specs
            .iter()
            .zip(&taus)
            .zip(&claims)
            .map(|((s, tau), c)| -> Box<dyn SumcheckInstanceVerifier> {
                if s.kind.is_eq() {
                    Box::new(ZeroCheckVerifier::new(
                        tau.clone(),
                        s.kind.num_polys(),
                        native_combiner(s.kind),
                        *c,
                    ))
                } else {
                    Box::new(ProductVerifier::new(s.num_vars, s.kind.num_polys(), *c))
                }
            })
            .collect();
        let refs: Vec<&dyn SumcheckInstanceVerifier> =
            verifiers.iter().map(|b| b.as_ref()).collect();
        let result = verify_batched(&refs, &proof, &evals, &mut t);
        let after = t.challenge(b"after");

        // Independent replay of the batching coefficients and the reduced claim.
        let mut t2 = PoseidonTranscript::new(DOMAIN);
        let _ = native_prefix(&mut t2, &self.specs, self.seed);
        t2.append_fields(sumcheck::engine::LABEL_INPUT_CLAIMS, &claims);
        let alphas = if claims.len() == 1 {
            vec![F::one()]
        } else {
            t2.challenges(LABEL_BATCH_COEFFS, claims.len())
        };
        let n = self.r.len();
        let mut claim: F = self
            .specs
            .iter()
            .zip(&claims)
            .zip(&alphas)
            .map(|((s, c), a)| *a * c * F::from(2u64).pow([(n - s.num_vars) as u64]))
            .sum();
        let r = match &result {
            Ok(r) => r.clone(),
            Err(_) => self.r.clone(),
        };
        for (poly, rj) in proof.round_polys.iter().zip(&r) {
            claim = poly.eval_from_hint(&claim, rj);
        }
        let expected: Vec<F> = refs
            .iter()
            .zip(&evals)
            .map(|(v, e)| {
                let point = instance_point(&r, v.num_rounds()).unwrap();
                v.expected_output_claim(point, e).unwrap()
            })
            .collect();
        NativeOutcome {
            ok: result.is_ok(),
            r,
            alphas,
            final_claim: claim,
            expected,
            after,
        }
    }

    /// Build the in-circuit verifier for the (tampered) batch in `cs`. In setup mode no value is
    /// provided.
    pub fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        tamper: Tamper,
    ) -> Result<CircuitOutcome, recursion::Error> {
        let setup = cs.is_in_setup_mode();
        let (proof, claims, evals) = self.tampered(tamper);
        let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN)?;
        t.append_u64(b"statement", self.seed)?;
        let mut taus = Vec::new();
        for s in &self.specs {
            taus.push(if s.kind.is_eq() {
                draw_tau(&mut t, s.num_vars)?
            } else {
                Vec::new()
            });
        }
        let value = |x: F| {
            move || {
                if setup {
                    Err(SynthesisError::AssignmentMissing)
                } else {
                    Ok(x)
                }
            }
        };
        let mut verifiers: Vec<Box<dyn SumcheckInstanceVerifierVar>> = Vec::new();
        for ((s, tau), c) in self.specs.iter().zip(taus).zip(&claims) {
            let k = s.kind.num_polys();
            // A genuine zero-check's claim is the constant 0 unless a test tampers with it.
            let claim_var = if matches!(s.kind, Kind::ZeroCheck { .. }) && c.is_zero() {
                FpVar::zero()
            } else {
                FpVar::new_input(cs.clone(), value(*c))?
            };
            verifiers.push(match s.kind {
                Kind::Product { .. } => Box::new(ProductVerifierVar::new(s.num_vars, k, claim_var)),
                Kind::ZeroCheck { .. } | Kind::EqProduct { .. } => Box::new(
                    ZeroCheckVerifierVar::new(tau, k, CombinerVar::Product, claim_var),
                ),
                Kind::EqCustom => {
                    Box::new(ZeroCheckVerifierVar::new(tau, k, custom_var(), claim_var))
                }
            });
        }
        let shapes: Vec<InstanceShape> = verifiers.iter().map(|v| v.shape()).collect();
        let (num_rounds, degree) = batch_shape(&shapes);
        let proof_var = SumcheckProofVar::new_witness(cs.clone(), num_rounds, degree, || {
            if setup {
                Err(SynthesisError::AssignmentMissing)
            } else {
                Ok(proof.clone())
            }
        })?;
        let mut eval_vars = Vec::new();
        for (s, e) in self.specs.iter().zip(&evals) {
            eval_vars.push(alloc_witness_vec(cs.clone(), s.kind.num_polys(), || {
                if setup {
                    Err(SynthesisError::AssignmentMissing)
                } else {
                    Ok(e.clone())
                }
            })?);
        }
        let refs: Vec<&dyn SumcheckInstanceVerifierVar> =
            verifiers.iter().map(|b| b.as_ref()).collect();
        let out = verify_batched_var(&refs, &proof_var, &eval_vars, &mut t)?;
        let after = t.challenge(b"after")?;
        Ok(CircuitOutcome { out, after })
    }

    /// Verify in-circuit in a fresh proving-mode constraint system.
    pub fn verify_circuit(&self, tamper: Tamper) -> (ConstraintSystemRef<F>, CircuitOutcome) {
        let cs = ConstraintSystem::<F>::new_ref();
        let out = self.synthesize(cs.clone(), tamper).unwrap();
        (cs, out)
    }

    /// Constraint count of the verifier circuit, synthesized without any witness value.
    pub fn setup_constraints(&self) -> usize {
        let cs = ConstraintSystem::<F>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        self.synthesize(cs.clone(), Tamper::None).unwrap();
        cs.num_constraints()
    }
}

pub struct NativeOutcome {
    pub ok: bool,
    pub r: Vec<F>,
    pub alphas: Vec<F>,
    pub final_claim: F,
    pub expected: Vec<F>,
    pub after: F,
}

pub struct CircuitOutcome {
    pub out: BatchedSumcheckVar,
    pub after: FpVar<F>,
}

pub fn values(v: &[FpVar<F>]) -> Vec<F> {
    v.iter().map(|x| x.value().unwrap()).collect()
}

/// Honest batch: the circuit derives exactly the native values and is satisfied.
pub fn assert_matches_native(batch: &Batch) -> usize {
    let native = batch.verify_native(Tamper::None);
    assert!(
        native.ok,
        "native verifier rejects the honest batch {:?}",
        batch.specs
    );
    assert_eq!(native.r, batch.r);
    let (cs, c) = batch.verify_circuit(Tamper::None);
    assert_eq!(values(c.out.r()), native.r, "challenges differ");
    assert_eq!(
        values(&c.out.rounds.alphas),
        native.alphas,
        "batching coefficients differ"
    );
    assert_eq!(
        c.out.rounds.final_claim.value().unwrap(),
        native.final_claim,
        "reduced claim differs"
    );
    assert_eq!(
        values(&c.out.expected_claims),
        native.expected,
        "expected output claims differ"
    );
    for (i, s) in batch.specs.iter().enumerate() {
        let point = values(c.out.instance_point(i).unwrap());
        assert_eq!(
            point.as_slice(),
            instance_point(&native.r, s.num_vars).unwrap()
        );
    }
    assert_eq!(
        c.after.value().unwrap(),
        native.after,
        "transcript states differ after the sumcheck"
    );
    assert!(
        cs.is_satisfied().unwrap(),
        "honest batch unsatisfied: {:?}",
        cs.which_is_unsatisfied()
    );
    let n = cs.num_constraints();
    assert_eq!(
        n,
        batch.setup_constraints(),
        "circuit shape depends on the witness"
    );
    n
}

/// Tampered batch: the native verifier rejects, the circuit still synthesizes, and it is
/// unsatisfied.
pub fn assert_rejected(batch: &Batch, tamper: Tamper) {
    let native = batch.verify_native(tamper);
    assert!(!native.ok, "native verifier accepts {tamper:?}");
    let (cs, _) = batch.verify_circuit(tamper);
    assert!(
        !cs.is_satisfied().unwrap(),
        "circuit accepts {tamper:?} on {:?}",
        batch.specs
    );
}
