//! `MatmulVerifierVar` and the multi-eval / merge-reduction gadget against their native twins
//! (`sumcheck::MatmulVerifier` through `verify_batched`, `sumcheck::verify_multi_eval`): same
//! challenges, points, claims and transcript state for honest proofs (satisfied constraint
//! system), an unsatisfied system for tampered ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use recursion::multi_eval_gadget::{
    verify_merge_reduction, verify_multi_eval as verify_multi_eval_var, EvalClaimVar,
    MultiEvalProofVar,
};
use recursion::sumcheck_gadget::alloc_witness_vec;
use recursion::{
    verify_batched as verify_batched_var, MatmulVerifierVar, PoseidonTranscriptVar,
    SumcheckInstanceVerifierVar, SumcheckProofVar,
};
use sumcheck::{
    instance_point, prove_batched, prove_multi_eval, verify_batched, verify_multi_eval, EvalClaim,
    MatmulDims, MatmulProver, MatmulVerifier, MultiEvalProof, MultilinearPoly, PoseidonTranscript,
    SumcheckInstanceProver, SumcheckInstanceVerifier, SumcheckProof, Transcript, F,
};

const DOMAIN: &[u8] = b"matmul-multi-eval-test";

fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn rand_vec(n: usize, rng: &mut ChaCha20Rng) -> Vec<F> {
    (0..n).map(|_| F::rand(rng)).collect()
}

fn rand_poly(n: usize, rng: &mut ChaCha20Rng) -> MultilinearPoly {
    MultilinearPoly::new(rand_vec(1 << n, rng)).unwrap()
}

fn witnesses(cs: &ConstraintSystemRef<F>, xs: &[F]) -> Vec<FpVar<F>> {
    xs.iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
        .collect()
}

fn values(xs: &[FpVar<F>]) -> Vec<F> {
    xs.iter().map(|x| x.value().unwrap()).collect()
}

// ---------------------------------------------------------------------------------------------
// Matmul

/// A batch of matmul reductions `C_i = A_i·B_i` proven natively.
struct MatmulBatch {
    dims: Vec<MatmulDims>,
    points: Vec<Vec<F>>,
    claims: Vec<F>,
    proof: SumcheckProof,
    r: Vec<F>,
    finals: Vec<Vec<F>>,
}

impl MatmulBatch {
    fn new(dims: &[MatmulDims], seed: u64) -> Self {
        let mut rng = rng(seed);
        let mut provers = Vec::new();
        let mut points = Vec::new();
        for d in dims {
            let a = rand_poly(d.log_m + d.log_n, &mut rng);
            let b = rand_poly(d.log_n + d.log_p, &mut rng);
            let r_c = rand_vec(d.c_vars(), &mut rng);
            points.push(r_c.clone());
            provers.push(MatmulProver::new(&a, &b, *d, r_c).unwrap());
        }
        let claims = provers.iter().map(|p| p.params().claim).collect();
        let mut t = PoseidonTranscript::new(DOMAIN);
        let mut refs: Vec<&mut dyn SumcheckInstanceProver> = provers
            .iter_mut()
            .map(|p| p as &mut dyn SumcheckInstanceProver)
            .collect();
        let (proof, r, finals) = prove_batched(&mut refs, &mut t);
        Self {
            dims: dims.to_vec(),
            points,
            claims,
            proof,
            r,
            finals,
        }
    }

    /// Native verification: `(accepted, r, a points, b points, a challenge drawn after)`.
    fn native(&self, proof: &SumcheckProof, finals: &[Vec<F>]) -> (bool, Vec<Vec<F>>, F) {
        let vs: Vec<MatmulVerifier> = self
            .dims
            .iter()
            .zip(&self.points)
            .zip(&self.claims)
            .map(|((d, p), c)| MatmulVerifier::new(*d, p.clone(), *c))
            .collect();
        let refs: Vec<&dyn SumcheckInstanceVerifier> = vs
            .iter()
            .map(|v| v as &dyn SumcheckInstanceVerifier)
            .collect();
        let mut t = PoseidonTranscript::new(DOMAIN);
        let res = verify_batched(&refs, proof, finals, &mut t);
        let ok = res.is_ok();
        let r = res.unwrap_or_else(|_| self.r.clone());
        let mut pts = Vec::new();
        for v in &vs {
            let rk = instance_point(&r, v.num_rounds()).unwrap();
            pts.push(v.a_point(rk).unwrap());
            pts.push(v.b_point(rk).unwrap());
        }
        (ok, pts, t.challenge(b"after"))
    }

    /// In-circuit: `(satisfied, a/b points, challenge after, constraints)`.
    fn circuit(&self, proof: &SumcheckProof, finals: &[Vec<F>]) -> (bool, Vec<Vec<F>>, F, usize) {
        let cs = ConstraintSystem::<F>::new_ref();
        let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
        let vs: Vec<MatmulVerifierVar> = self
            .dims
            .iter()
            .zip(&self.points)
            .zip(&self.claims)
            .map(|((d, p), c)| {
                let claim = FpVar::new_witness(cs.clone(), || Ok(*c)).unwrap();
                MatmulVerifierVar::new(*d, witnesses(&cs, p), claim).unwrap()
            })
            .collect();
        let refs: Vec<&dyn SumcheckInstanceVerifierVar> = vs
            .iter()
            .map(|v| v as &dyn SumcheckInstanceVerifierVar)
            .collect();
        let (rounds, degree) = (proof.round_polys.len(), 2);
        let pv = SumcheckProofVar::new_witness(cs.clone(), rounds, degree, || Ok(proof.clone()))
            .unwrap();
        let fv: Vec<Vec<FpVar<F>>> = finals
            .iter()
            .map(|e| alloc_witness_vec(cs.clone(), e.len(), || Ok(e.clone())).unwrap())
            .collect();
        let out = verify_batched_var(&refs, &pv, &fv, &mut t).unwrap();
        let mut pts = Vec::new();
        for (i, v) in vs.iter().enumerate() {
            let rk = out.instance_point(i).unwrap();
            pts.push(values(&v.a_point(rk).unwrap()));
            pts.push(values(&v.b_point(rk).unwrap()));
        }
        let after = t.challenge(b"after").unwrap().value().unwrap();
        let sat = cs.is_satisfied().unwrap();
        (sat, pts, after, cs.num_constraints())
    }
}

fn dims(log_m: usize, log_n: usize, log_p: usize) -> MatmulDims {
    MatmulDims {
        log_m,
        log_n,
        log_p,
    }
}

/// The three matmuls of one dense layer (forward, backward, weight gradient) at batch 2^1,
/// 16 → 8, plus a degenerate `log_n = 0` one.
fn layer_batch() -> Vec<MatmulDims> {
    vec![dims(1, 4, 3), dims(1, 3, 4), dims(4, 1, 3), dims(2, 0, 1)]
}

#[test]
fn matmul_matches_native() {
    in_pool(|| {
        for (seed, ds) in [
            (1, vec![dims(1, 3, 2)]),
            (2, vec![dims(0, 1, 0)]),
            (3, layer_batch()),
        ] {
            let b = MatmulBatch::new(&ds, seed);
            let (ok, pts, after) = b.native(&b.proof, &b.finals);
            assert!(ok);
            let (sat, cpts, cafter, _) = b.circuit(&b.proof, &b.finals);
            assert!(sat, "honest matmul batch unsatisfied");
            assert_eq!(pts, cpts);
            assert_eq!(after, cafter);
        }
    });
}

#[test]
fn matmul_tampering_is_rejected() {
    in_pool(|| {
        let b = MatmulBatch::new(&layer_batch(), 9);
        for round in [0, b.proof.round_polys.len() - 1] {
            for idx in 0..2 {
                let mut p = b.proof.clone();
                p.round_polys[round].coeffs_except_linear[idx] += F::from(1u64);
                assert!(!b.native(&p, &b.finals).0);
                assert!(!b.circuit(&p, &b.finals).0, "round {round} coeff {idx}");
            }
        }
        for inst in 0..b.finals.len() {
            for idx in 0..2 {
                let mut f = b.finals.clone();
                f[inst][idx] += F::from(1u64);
                assert!(!b.native(&b.proof, &f).0);
                assert!(!b.circuit(&b.proof, &f).0, "final {inst}/{idx}");
            }
        }
    });
}

#[test]
fn matmul_shape_errors() {
    let cs = ConstraintSystem::<F>::new_ref();
    let r = witnesses(&cs, &[F::from(1u64); 3]);
    assert!(MatmulVerifierVar::new(dims(1, 2, 1), r.clone(), r[0].clone()).is_err());
    let v = MatmulVerifierVar::new(dims(1, 2, 2), r.clone(), r[0].clone()).unwrap();
    assert!(v.a_point(&r).is_err());
    assert!(v.expected_output_claim(&r[..2], &r).is_err());
}

// ---------------------------------------------------------------------------------------------
// Multi-eval and the merge reduction

struct MultiEvalCase {
    /// Variables of each polynomial (all equal for a plain multi-eval).
    sizes: Vec<usize>,
    /// Claims on the unpadded polynomials.
    claims: Vec<EvalClaim>,
    proof: MultiEvalProof,
    r: Vec<F>,
}

impl MultiEvalCase {
    /// Polynomials of `sizes` variables, `per_poly` random claims on each polynomial `i` with
    /// `i % 3 != 2` (so some are unclaimed), proven as the merge does (padded, lifted claims).
    fn new(sizes: &[usize], per_poly: usize, seed: u64) -> Self {
        let mut rng = rng(seed);
        let polys: Vec<MultilinearPoly> = sizes.iter().map(|&m| rand_poly(m, &mut rng)).collect();
        let mut claims = Vec::new();
        for (i, p) in polys.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
            for _ in 0..per_poly {
                let z = rand_vec(sizes[i], &mut rng);
                claims.push(EvalClaim {
                    poly: i,
                    value: p.evaluate(&z),
                    point: z,
                });
            }
        }
        let n = *sizes.iter().max().unwrap();
        let padded: Vec<MultilinearPoly> = polys.iter().map(|p| p.pad_to_vars(n)).collect();
        let refs: Vec<&MultilinearPoly> = padded.iter().collect();
        let lifted = lift(&claims, n);
        let mut t = PoseidonTranscript::new(DOMAIN);
        let (proof, r) = prove_multi_eval(&refs, &lifted, &mut t);
        Self {
            sizes: sizes.to_vec(),
            claims,
            proof,
            r,
        }
    }

    fn n(&self) -> usize {
        *self.sizes.iter().max().unwrap()
    }

    fn native(&self, claims: &[EvalClaim], proof: &MultiEvalProof) -> (bool, F) {
        let mut t = PoseidonTranscript::new(DOMAIN);
        let lifted = lift(claims, self.n());
        let res = verify_multi_eval(self.sizes.len(), self.n(), &lifted, proof, &mut t);
        if let Ok(r) = &res {
            assert_eq!(r, &self.r);
        }
        (res.is_ok(), t.challenge(b"after"))
    }

    /// In-circuit (`merge`: through [`verify_merge_reduction`], else the plain
    /// [`verify_multi_eval_var`] on pre-lifted claims): `(satisfied, r, evals, after, constraints)`.
    fn circuit(
        &self,
        claims: &[EvalClaim],
        proof: &MultiEvalProof,
        merge: bool,
    ) -> (bool, Vec<F>, Vec<F>, F, usize) {
        let cs = ConstraintSystem::<F>::new_ref();
        let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
        let cl = if merge {
            claims.to_vec()
        } else {
            lift(claims, self.n())
        };
        let cv: Vec<EvalClaimVar> = cl
            .iter()
            .map(|c| EvalClaimVar {
                poly: c.poly,
                point: witnesses(&cs, &c.point),
                value: FpVar::new_witness(cs.clone(), || Ok(c.value)).unwrap(),
            })
            .collect();
        let pv = MultiEvalProofVar::new_witness(cs.clone(), self.sizes.len(), self.n(), || {
            Ok(proof.clone())
        })
        .unwrap();
        let out = if merge {
            verify_merge_reduction(&self.sizes, &cv, &pv, &mut t).unwrap()
        } else {
            verify_multi_eval_var(self.sizes.len(), self.n(), &cv, &pv, &mut t).unwrap()
        };
        let after = t.challenge(b"after").unwrap().value().unwrap();
        (
            cs.is_satisfied().unwrap(),
            values(&out.r),
            values(&out.evals),
            after,
            cs.num_constraints(),
        )
    }
}

fn lift(claims: &[EvalClaim], n: usize) -> Vec<EvalClaim> {
    claims
        .iter()
        .map(|c| {
            let mut point = c.point.clone();
            point.resize(n, F::from(0u64));
            EvalClaim {
                poly: c.poly,
                point,
                value: c.value,
            }
        })
        .collect()
}

#[test]
fn multi_eval_matches_native() {
    in_pool(|| {
        for (seed, sizes, per) in [
            (1u64, vec![4usize, 4, 4, 4], 2usize),
            (2, vec![1], 1),
            (3, vec![6, 3, 5, 0, 4], 2),
            (4, vec![3, 5], 3),
        ] {
            let c = MultiEvalCase::new(&sizes, per, seed);
            let (ok, after) = c.native(&c.claims, &c.proof);
            assert!(ok);
            for merge in [false, true] {
                let (sat, r, evals, cafter, _) = c.circuit(&c.claims, &c.proof, merge);
                assert!(
                    sat,
                    "honest multi-eval unsatisfied (sizes {sizes:?}, merge {merge})"
                );
                assert_eq!(r, c.r);
                assert_eq!(evals, c.proof.evals);
                assert_eq!(after, cafter);
            }
        }
    });
}

#[test]
fn multi_eval_tampering_is_rejected() {
    in_pool(|| {
        let c = MultiEvalCase::new(&[6, 3, 5, 0, 4], 2, 5);
        let mut cases: Vec<(Vec<EvalClaim>, MultiEvalProof, &str)> = Vec::new();
        let mut cl = c.claims.clone();
        cl[1].value += F::from(1u64);
        cases.push((cl, c.proof.clone(), "claim value"));
        let mut cl = c.claims.clone();
        cl[2].point[0] += F::from(1u64);
        cases.push((cl, c.proof.clone(), "claim point"));
        for round in [0, c.n() - 1] {
            for idx in 0..2 {
                let mut p = c.proof.clone();
                p.sumcheck.round_polys[round].coeffs_except_linear[idx] += F::from(1u64);
                cases.push((c.claims.clone(), p, "round coefficient"));
            }
        }
        for i in [0, 1, 4] {
            let mut p = c.proof.clone();
            p.evals[i] += F::from(1u64);
            cases.push((c.claims.clone(), p, "evaluation"));
        }
        for (claims, proof, what) in &cases {
            assert!(!c.native(claims, proof).0, "native accepts tampered {what}");
            for merge in [false, true] {
                assert!(
                    !c.circuit(claims, proof, merge).0,
                    "circuit accepts tampered {what}"
                );
            }
        }
        // The evaluation of an unclaimed polynomial is not constrained by the reduction (only
        // the opening binds it), natively and in-circuit alike.
        let mut p = c.proof.clone();
        p.evals[2] += F::from(1u64);
        assert!(c.native(&c.claims, &p).0);
        assert!(c.circuit(&c.claims, &p, true).0);
    });
}

#[test]
fn multi_eval_shape_errors() {
    let c = MultiEvalCase::new(&[3, 2], 1, 6);
    let cs = ConstraintSystem::<F>::new_ref();
    let mut t = PoseidonTranscriptVar::new(cs.clone(), DOMAIN).unwrap();
    let pv = MultiEvalProofVar::new_witness(cs.clone(), 2, 3, || Ok(c.proof.clone())).unwrap();
    let bad = EvalClaimVar {
        poly: 1,
        point: witnesses(&cs, &[F::from(1u64); 3]),
        value: FpVar::new_witness(cs.clone(), || Ok(F::from(1u64))).unwrap(),
    };
    // A point of the wrong size for its polynomial, an index out of range.
    assert!(verify_merge_reduction(&[3, 2], std::slice::from_ref(&bad), &pv, &mut t).is_err());
    let oob = EvalClaimVar { poly: 2, ..bad };
    assert!(verify_multi_eval_var(2, 3, &[oob], &pv, &mut t).is_err());
    // A proof of the wrong shape.
    assert!(MultiEvalProofVar::new_witness(cs, 3, 3, || Ok(c.proof.clone())).is_err());
}
