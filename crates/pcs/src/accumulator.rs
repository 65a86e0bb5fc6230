//! Accumulation of HyperKZG opening claims, decided with one pairing check.
//!
//! Every opening reduces (before its pairing) to a [`PairingClaim`] `(L, R)` with
//! `valid ⇔ e(L, H) = e(R, τH)`. For claims `(L_i, R_i)` and a Fiat–Shamir weight `ρ_i` drawn
//! after absorbing `(L_i, R_i)`, `acc_L = Σ ρ_i L_i`, `acc_R = Σ ρ_i R_i` satisfies the same
//! equation iff (except with probability ~ #claims/|F|) every claim does. The fold step is two
//! scalar multiplications plus the transcript work; [`Accumulator::decide`] is one pairing
//! product. The same fold will be replayed inside the recursion circuit.
//!
//! Transcript discipline: [`Accumulator::fold`] replays the opening's transcript and then draws
//! `ρ` on the same transcript, so the prover must make the same calls — it uses
//! [`Accumulator::open_and_fold`], which keeps an identical accumulator on its side.

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::{MultilinearPoly, Transcript, F};

use crate::hyperkzg::{Commitment, HyperKzg, PairingClaim, Proof, ProverKey, VerifierKey};
use crate::Error;
use crate::MultilinearPcs;

const L_ACC_LHS: &[u8] = b"acc/lhs";
const L_ACC_RHS: &[u8] = b"acc/rhs";
const L_ACC_RHO: &[u8] = b"acc/rho";

/// A claim `P(point) = value` on the polynomial committed in `commitment`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct OpeningClaim {
    /// The commitment.
    pub commitment: Commitment,
    /// The point (its length is the number of variables the claim reads the polynomial on).
    pub point: Vec<F>,
    /// The claimed value.
    pub value: F,
}

/// A running accumulator of pairing claims.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Accumulator {
    /// `Σ ρ_i L_i`.
    pub lhs: G1Affine,
    /// `Σ ρ_i R_i`.
    pub rhs: G1Affine,
    /// Number of claims folded.
    pub count: u64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Accumulator {
    /// The empty accumulator (decides successfully).
    pub fn new() -> Self {
        Self {
            lhs: G1Affine::zero(),
            rhs: G1Affine::zero(),
            count: 0,
        }
    }

    /// Verify everything of `proof` except the pairing, and fold the resulting pair. On error the
    /// accumulator is unchanged.
    pub fn fold<T: Transcript>(
        &mut self,
        vk: &VerifierKey,
        claim: &OpeningClaim,
        proof: &Proof,
        transcript: &mut T,
    ) -> Result<(), Error> {
        let pair = HyperKzg::reduce_to_pairing(
            vk,
            &claim.commitment,
            &claim.point,
            &claim.value,
            proof,
            transcript,
        )?;
        self.fold_pair(&pair, transcript);
        Ok(())
    }

    /// Prover side of [`Accumulator::fold`]: open `poly` at `point` on `transcript` and fold the
    /// resulting claim, so that the prover's transcript and accumulator stay equal to the
    /// verifier's (who calls [`Accumulator::fold`] with the same transcript state). Returns the
    /// claim and its proof.
    pub fn open_and_fold<T: Transcript + Clone>(
        &mut self,
        pk: &ProverKey,
        vk: &VerifierKey,
        poly: &MultilinearPoly,
        commitment: &Commitment,
        point: &[F],
        transcript: &mut T,
    ) -> Result<(OpeningClaim, Proof), Error> {
        let before = transcript.clone();
        let (proof, value) = HyperKzg::open(pk, poly, commitment, point, transcript)?;
        let claim = OpeningClaim {
            commitment: *commitment,
            point: point.to_vec(),
            value,
        };
        // Replay the verifier's reduction on the pre-opening state (O(n) work).
        let mut replay = before;
        self.fold(vk, &claim, &proof, &mut replay)?;
        *transcript = replay;
        Ok((claim, proof))
    }

    /// The fold step proper: absorb `(L, R)`, draw `ρ`, add `ρ·(L, R)`.
    pub fn fold_pair<T: Transcript>(&mut self, pair: &PairingClaim, transcript: &mut T) {
        transcript.append_g1(L_ACC_LHS, &pair.lhs);
        transcript.append_g1(L_ACC_RHS, &pair.rhs);
        let rho = transcript.challenge(L_ACC_RHO);
        let lhs: G1Projective = self.lhs + pair.lhs * rho;
        let rhs: G1Projective = self.rhs + pair.rhs * rho;
        let [lhs, rhs] = G1Projective::normalize_batch(&[lhs, rhs])
            .try_into()
            .unwrap_or([G1Affine::zero(); 2]);
        self.lhs = lhs;
        self.rhs = rhs;
        self.count += 1;
    }

    /// Fold another accumulator in (its pair is one more claim).
    pub fn merge<T: Transcript>(&mut self, other: &Accumulator, transcript: &mut T) {
        let pair = PairingClaim {
            lhs: other.lhs,
            rhs: other.rhs,
        };
        let count = self.count + other.count;
        self.fold_pair(&pair, transcript);
        self.count = count;
    }

    /// The accumulated pair.
    pub fn pair(&self) -> PairingClaim {
        PairingClaim {
            lhs: self.lhs,
            rhs: self.rhs,
        }
    }

    /// Decide all folded claims with one pairing-product check.
    pub fn decide(&self, vk: &VerifierKey) -> Result<(), Error> {
        self.pair().check(vk)
    }
}
