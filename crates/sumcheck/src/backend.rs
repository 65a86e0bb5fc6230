//! Pluggable round engines: where product and eq-weighted product instances run (CPU or GPU).
//!
//! A [`RoundBackend`] builds instance provers for the two shapes that dominate proving time,
//!
//! - `Σ_{x ∈ {0,1}^n} Π_{j<k} P_j(x)` ([`ProductProver`]), and
//! - `Σ_{x ∈ {0,1}^n} eq(τ, x)·Π_{j<k} P_j(x)` ([`ZeroCheckProver`] with [`Combiner::Product`]),
//!
//! with `k = 1..4`. The backend is chosen at run time: the binary installs one process-wide with
//! [`set_round_backend`] (the `gpu` crate's `GpuRounds`), and call sites build their provers with
//! [`product_prover`] / [`eq_product_prover`], which use the installed backend and fall back to
//! the CPU engine. Nothing is installed by default, so the CPU engine is the reference.
//!
//! # Contract
//!
//! A prover returned by a backend is a drop-in replacement for the CPU prover of the same
//! statement: the same `num_rounds`, `degree` and `input_claim`, in every round the same round
//! polynomial (it is determined by the statement and the challenges, so any correct computation
//! gives the same coefficients), and the same `final_evaluations` (`[P_0(r), ..., P_{k-1}(r)]`,
//! never `eq`). Proofs, transcripts and challenges are therefore byte-identical whichever backend
//! ran. A backend may decline any input (too small to be worth it, unsupported shape, device
//! failure while setting up) by returning `None`; it must decline inputs the CPU constructors
//! reject, so that the caller sees the CPU engine's error.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::engine::SumcheckInstanceProver;
use crate::error::Error;
use crate::field::F;
use crate::instances::product::ProductProver;
use crate::instances::zerocheck::{Combiner, ZeroCheckProver};
use crate::mle::MultilinearPoly;

/// An instance prover that can be boxed by a backend: sendable to another thread and printable
/// (so that provers holding one can derive `Debug`). Every `SumcheckInstanceProver + Send +
/// Debug` is one; a `&mut dyn DynInstanceProver` coerces to `&mut dyn SumcheckInstanceProver`
/// for [`prove_batched`](crate::engine::prove_batched).
pub trait DynInstanceProver: SumcheckInstanceProver + Send + fmt::Debug {}

impl<T: SumcheckInstanceProver + Send + fmt::Debug> DynInstanceProver for T {}

/// A boxed instance prover from [`product_prover`], [`eq_product_prover`] or a backend.
pub type BoxedProver = Box<dyn DynInstanceProver>;

/// An engine for product and eq-weighted product sumchecks (see the module docs for the
/// contract).
pub trait RoundBackend: Send + Sync + fmt::Debug {
    /// A short name for logs ("gpu").
    fn name(&self) -> &'static str;
    /// A prover of `Σ_x Π_j P_j(x)` running on this backend, or `None` when it declines (too
    /// small, unsupported, setup failed) so that the caller uses the CPU engine.
    fn product(&self, polys: &[MultilinearPoly]) -> Option<BoxedProver>;
    /// A prover of `Σ_x eq(τ, x)·Π_j P_j(x)` (zero-check with [`Combiner::Product`]), or `None`.
    fn eq_product(&self, tau: &[F], polys: &[MultilinearPoly]) -> Option<BoxedProver>;
}

static ROUND_BACKEND: RwLock<Option<Arc<dyn RoundBackend>>> = RwLock::new(None);

/// Install `backend` for the whole process; returns the one it replaces.
pub fn set_round_backend(backend: Arc<dyn RoundBackend>) -> Option<Arc<dyn RoundBackend>> {
    let mut slot = ROUND_BACKEND.write().unwrap_or_else(|p| p.into_inner());
    slot.replace(backend)
}

/// Remove the installed backend (back to the CPU engine); returns it.
pub fn clear_round_backend() -> Option<Arc<dyn RoundBackend>> {
    let mut slot = ROUND_BACKEND.write().unwrap_or_else(|p| p.into_inner());
    slot.take()
}

/// The installed backend, if any.
pub fn round_backend() -> Option<Arc<dyn RoundBackend>> {
    ROUND_BACKEND
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// A prover of `Σ_x Π_j P_j(x)`: the installed backend's, or else [`ProductProver::new`] (whose
/// errors it returns).
pub fn product_prover(polys: Vec<MultilinearPoly>) -> Result<BoxedProver, Error> {
    if let Some(p) = round_backend().and_then(|b| b.product(&polys)) {
        return Ok(p);
    }
    Ok(Box::new(ProductProver::new(polys)?))
}

/// A prover of `Σ_x eq(τ, x)·Π_j P_j(x)`: the installed backend's, or else
/// [`ZeroCheckProver::new`] with [`Combiner::Product`] (whose errors it returns).
pub fn eq_product_prover(tau: Vec<F>, polys: Vec<MultilinearPoly>) -> Result<BoxedProver, Error> {
    if let Some(p) = round_backend().and_then(|b| b.eq_product(&tau, &polys)) {
        return Ok(p);
    }
    Ok(Box::new(ZeroCheckProver::new(
        tau,
        polys,
        Combiner::Product,
    )?))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ark_std::UniformRand;
    use rand::SeedableRng;

    use super::*;
    use crate::engine::{prove_batched, SumcheckProof};
    use crate::transcript::{MerlinTranscript, Transcript};

    /// Delegates to the CPU provers when `accept`, counting the calls.
    #[derive(Debug)]
    struct Counting {
        accept: bool,
        calls: AtomicUsize,
    }

    impl RoundBackend for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn product(&self, polys: &[MultilinearPoly]) -> Option<BoxedProver> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if !self.accept {
                return None;
            }
            let p = ProductProver::new(polys.to_vec()).ok()?;
            Some(Box::new(p))
        }
        fn eq_product(&self, tau: &[F], polys: &[MultilinearPoly]) -> Option<BoxedProver> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if !self.accept {
                return None;
            }
            let p = ZeroCheckProver::new(tau.to_vec(), polys.to_vec(), Combiner::Product).ok()?;
            Some(Box::new(p))
        }
    }

    type Run = (SumcheckProof, Vec<F>, Vec<Vec<F>>);

    fn prove(p: &mut dyn SumcheckInstanceProver) -> Run {
        prove_batched(&mut [p], &mut MerlinTranscript::new(b"backend-test"))
    }

    fn both(tau: &[F], polys: &[MultilinearPoly]) -> (Run, Run) {
        let mut a = product_prover(polys.to_vec()).expect("valid product");
        let mut b = eq_product_prover(tau.to_vec(), polys.to_vec()).expect("valid eq product");
        (prove(a.as_mut()), prove(b.as_mut()))
    }

    // One test, because the backend is process-wide state.
    #[test]
    fn constructors_use_the_backend_and_fall_back_to_the_cpu() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let n = 5;
        let polys: Vec<MultilinearPoly> = (0..3)
            .map(|_| {
                let evals = (0..1 << n).map(|_| F::rand(&mut rng)).collect();
                MultilinearPoly::new(evals).expect("power of two")
            })
            .collect();
        let tau: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
        let mut cpu_p = ProductProver::new(polys.clone()).expect("valid");
        let mut cpu_z =
            ZeroCheckProver::new(tau.clone(), polys.clone(), Combiner::Product).expect("valid");
        let want = (prove(&mut cpu_p), prove(&mut cpu_z));

        // Nothing installed: the CPU engine.
        assert!(clear_round_backend().is_none());
        assert!(round_backend().is_none());
        assert_eq!(both(&tau, &polys), want);

        // A declining backend is asked, then the CPU engine runs.
        let declining = Arc::new(Counting {
            accept: false,
            calls: AtomicUsize::new(0),
        });
        assert!(set_round_backend(declining.clone()).is_none());
        assert_eq!(round_backend().map(|b| b.name()), Some("counting"));
        assert_eq!(both(&tau, &polys), want);
        assert_eq!(declining.calls.load(Ordering::SeqCst), 2);

        // Invalid input: the CPU engine's error, after the backend declined.
        let bad = vec![polys[0].clone(), MultilinearPoly::zero(n + 1)];
        assert!(matches!(
            product_prover(bad.clone()),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            eq_product_prover(tau.clone(), bad),
            Err(Error::Malformed { .. })
        ));

        // An accepting backend's provers are used.
        let accepting = Arc::new(Counting {
            accept: true,
            calls: AtomicUsize::new(0),
        });
        assert!(set_round_backend(accepting.clone()).is_some());
        assert_eq!(both(&tau, &polys), want);
        assert_eq!(accepting.calls.load(Ordering::SeqCst), 2);
        assert_eq!(declining.calls.load(Ordering::SeqCst), 4);

        assert!(clear_round_backend().is_some());
        assert!(round_backend().is_none());
    }
}
