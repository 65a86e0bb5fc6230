//! The succinct decider of the IVC ([`crate::ivc`]): a proof, whose size and verification time do
//! not depend on the number of steps, that an IVC state `(i, z_0, z_i)` is correct.
//!
//! The IVC state holds three instances: the running primary instance `U_i` (relaxed, BN254), the
//! last step's strict instance `u_i`, and the running CycleFold instance `cfU_i` (relaxed,
//! Grumpkin). The non-succinct decider ([`crate::ivc::verify`]) checks all three against their
//! witnesses. This one:
//!
//! ```text
//! 1. u_i.x = [H(pp, i, z_0, z_i, U_i, cfU_i)]                         (the state hash, native)
//! 2. (U', W') = NIFS fold of u_i into U_i with cross term C_T           (Nova's last fold: one
//!                                                                         relaxed instance left)
//! 3. Spartan proof that U' is satisfied (crate::spartan), on the commitments
//!    C_W' − r_W'·H and C_E' − r_E'·H (the blinding factors r_W', r_E' are sent)
//! 4. Spartan-IPA proof that cfU_i is satisfied (crate::spartan_ipa), on the commitments
//!    cfC_W − cfr_W·H and cfC_E − cfr_E·H (the blinding factors cfr_W, cfr_E are sent)
//! ```
//!
//! **Commitments.** Spartan opens `W'` and `E'` with HyperKZG, so the primary folding key must be
//! HyperKZG's bases: [`ivc_params_over_srs`] builds the IVC parameters with
//! [`PedersenKey::from_bases`] over the SRS powers (`Com(v; r) = Σ v_i·τ^i·G + r·H`), so that
//! `C − r·H` is the HyperKZG commitment to `v`. `H` is hashed to the curve, so nobody can write it
//! in the SRS bases: `C` determines `(v, r)` (binding, under the SRS's assumption).
//!
//! **The CycleFold instance** (1,338 constraints over `Fq`, committed on Grumpkin) is proven by
//! Spartan over `Fq` with a Bulletproofs inner-product argument on Grumpkin
//! ([`crate::spartan_ipa`], [`crate::ipa`]): two sumchecks of 11 rounds and a paired IPA of 11
//! rounds, 3,440 B, where its witness in the clear (decider format version 1) was ≈ 280 KB. The
//! verifier's cost is one Grumpkin MSM of `2^11 + 47` points and one pass over the CycleFold
//! matrices.
//!
//! **Zero-knowledge.** None yet: the revealed blinding factors and both Spartan proofs leak
//! evaluations of the witnesses (SPEC §8 plans a zero-knowledge decider).
//!
//! Transcript: one Poseidon transcript with domain [`DECIDER_DOMAIN`] that first absorbs `pp`,
//! `i` and the state hash (so the proof is bound to the statement it decides), then runs the
//! primary Spartan proof and, continuing, the CycleFold one.

use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::RngCore;
use pcs::hyperkzg::{Commitment, PairingClaim, ProverKey, VerifierKey};
use pcs::Srs;
use sumcheck::{PoseidonTranscript, Transcript};

use crate::curve::FoldingCurve;
use crate::cyclefold::Grumpkin;
use crate::error::Error;
use crate::ivc::{state_hash, IvcParams, IvcState, StepCircuit, PRIMARY_KEY_LABEL};
use crate::nifs::{self, NifsProof};
use crate::pedersen::PedersenKey;
use crate::r1cs::{R1csInstance, RelaxedR1csInstance, RelaxedR1csWitness};
use crate::spark::{SparkEntries, SparkKey};
use crate::spartan::{self, SpartanInstance, SpartanKey, SpartanProof};
use crate::spartan_ipa::{
    self, SpartanIpaInstance, SpartanIpaKey, SpartanIpaProof, SpartanIpaWire,
};

/// Domain of the decider's transcript.
pub const DECIDER_DOMAIN: &[u8] = b"zkpot-ivc-decider";
/// Label of the decided statement `(pp, i, H(state))`.
pub const LABEL_STATEMENT: &[u8] = b"decider_statement";
/// Magic bytes and version of [`DeciderProof::to_bytes`].
pub const DECIDER_MAGIC: &[u8; 8] = b"ZKPOTDCD";
/// Format version of [`DeciderProof::to_bytes`].
pub const DECIDER_VERSION: u32 = 3;

/// IVC parameters whose primary folding key is the SRS's bases (module docs), so that the
/// decider can open `W` and `E` with HyperKZG. The SRS must have at least `max(|W|, m)` powers
/// of the augmented circuit.
pub fn ivc_params_over_srs<S: StepCircuit>(step: S, srs: &Srs) -> Result<IvcParams<S>, Error> {
    IvcParams::setup_with(step, |n| {
        PedersenKey::from_bases(PRIMARY_KEY_LABEL, srs.g1_powers(), srs.digest(), n, true)
    })
}

/// The decider's preprocessed key: the Spartan key of the augmented circuit and the Spartan-IPA
/// key of the CycleFold circuit.
#[derive(Clone, Debug)]
pub struct DeciderKey {
    spartan: SpartanKey,
    cyclefold: SpartanIpaKey<Grumpkin>,
}

impl DeciderKey {
    /// Preprocesses the augmented circuit and the CycleFold circuit of `params`.
    pub fn new<S: StepCircuit>(params: &IvcParams<S>) -> Result<Self, Error> {
        let cf = params.cyclefold();
        Ok(Self {
            spartan: SpartanKey::new(params.primary().shape_arc())?,
            cyclefold: SpartanIpaKey::new(cf.shape_arc(), cf.key())?,
        })
    }

    /// The number of variables the HyperKZG key must support.
    pub fn pcs_num_vars(&self) -> usize {
        self.spartan.pcs_num_vars()
    }

    /// The merged sparse entries of the augmented circuit's matrices, to be committed into a
    /// [`SparkKey`] ([`SparkEntries::commit`]) for [`Self::with_spark`].
    pub fn spark_entries(&self) -> Result<SparkEntries, Error> {
        SparkEntries::new(&self.spartan)
    }

    /// The key in SPARK mode ([`SpartanKey::with_spark`]): the decider's verifier no longer
    /// makes a pass over the augmented circuit's matrices.
    pub fn with_spark(mut self, spark: SparkKey) -> Result<Self, Error> {
        self.spartan = self.spartan.with_spark(spark)?;
        Ok(self)
    }

    /// In SPARK mode, the number of merged non-zero entries of the matrices.
    pub fn spark_entries_count(&self) -> Option<usize> {
        self.spartan.spark().map(|k| k.verifier_key().num_entries())
    }

    /// Whether the key is in SPARK mode.
    pub fn is_spark(&self) -> bool {
        self.spartan.spark().is_some()
    }
}

/// The decider's proof (module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct DeciderProof {
    /// `U_i`.
    pub acc: RelaxedR1csInstance,
    /// `u_i`.
    pub inc: R1csInstance,
    /// `C_T` of the last fold.
    pub comm_t: G1Affine,
    /// `r_W'` of the folded witness.
    pub blind_w: Fr,
    /// `r_E'` of the folded witness.
    pub blind_e: Fr,
    /// The Spartan proof for `U'`.
    pub spartan: SpartanProof,
    /// `cfU_i`.
    pub cf_acc: RelaxedR1csInstance<Grumpkin>,
    /// `cfr_W` of `cfW_i`.
    pub cf_blind_w: Fq,
    /// `cfr_E` of `cfW_i`.
    pub cf_blind_e: Fq,
    /// The Spartan-IPA proof for `cfU_i`.
    pub cf_spartan: SpartanIpaProof<Grumpkin>,
}

fn statement_transcript(pp: Fr, i: u64, hash: Fr) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(DECIDER_DOMAIN);
    t.append_fields(LABEL_STATEMENT, &[pp, Fr::from(i), hash]);
    t
}

/// `C − r·H` (`C` itself for `r = 0`).
fn unblind<C: FoldingCurve>(
    key: &PedersenKey<C>,
    c: &C::Affine,
    r: &C::ScalarField,
) -> Result<C::Affine, Error> {
    if r.is_zero() {
        return Ok(*c);
    }
    let h = key.blinding().ok_or(Error::NotHiding)?;
    Ok((c.into_group() - *h * *r).into_affine())
}

fn unblinded(key: &PedersenKey, c: &G1Affine, r: &Fr) -> Result<Commitment, Error> {
    Ok(Commitment(unblind(key, c, r)?))
}

/// The CycleFold instance `cfU` with its blinding terms removed.
fn cyclefold_instance(
    key: &PedersenKey<Grumpkin>,
    cf: &RelaxedR1csInstance<Grumpkin>,
    r_w: &Fq,
    r_e: &Fq,
) -> Result<SpartanIpaInstance<Grumpkin>, Error> {
    Ok(SpartanIpaInstance {
        comm_w: unblind(key, &cf.comm_w, r_w)?,
        comm_e: unblind(key, &cf.comm_e, r_e)?,
        u: cf.u,
        x: cf.x.clone(),
    })
}

/// Proves `state` (at least one step) with `key` and the HyperKZG prover key `pk` of the SRS
/// `params` was built over ([`ivc_params_over_srs`]).
pub fn prove<S: StepCircuit, R: RngCore + ?Sized>(
    params: &IvcParams<S>,
    key: &DeciderKey,
    pk: &ProverKey,
    state: &IvcState,
    rng: &mut R,
) -> Result<DeciderProof, Error> {
    if state.i == 0 {
        return Err(Error::Malformed {
            what: "an IVC state of zero steps proves nothing",
        });
    }
    let primary = params.primary();
    let (fold, folded, folded_w) = nifs::prove_strict(
        primary,
        &state.acc,
        &state.acc_w,
        &state.inc,
        &state.inc_w,
        rng,
    )?;
    let inst = SpartanInstance {
        comm_w: unblinded(primary.key(), &folded.comm_w, &folded_w.r_w)?,
        comm_e: unblinded(primary.key(), &folded.comm_e, &folded_w.r_e)?,
        u: folded.u,
        x: folded.x.clone(),
    };
    let hash = state_hash(
        primary.digest(),
        state.i,
        &state.z_0,
        &state.z_i,
        &state.acc,
        &state.cf_acc,
    );
    let mut t = statement_transcript(primary.digest(), state.i, hash);
    let proof = spartan::prove(&key.spartan, pk, &inst, &folded_w.w, &folded_w.e, &mut t)?;
    let cf_w = &state.cf_acc_w;
    let cf_inst = cyclefold_instance(
        params.cyclefold().key(),
        &state.cf_acc,
        &cf_w.r_w,
        &cf_w.r_e,
    )?;
    let cf_spartan = spartan_ipa::prove(&key.cyclefold, &cf_inst, &cf_w.w, &cf_w.e, &mut t)?;
    Ok(DeciderProof {
        acc: state.acc.clone(),
        inc: state.inc.clone(),
        comm_t: fold.comm_t,
        blind_w: folded_w.r_w,
        blind_e: folded_w.r_e,
        spartan: proof,
        cf_acc: state.cf_acc.clone(),
        cf_blind_w: cf_w.r_w,
        cf_blind_e: cf_w.r_e,
        cf_spartan,
    })
}

/// Accepts `proof` as `i ≥ 1` correct steps of `params`' step circuit from `z_0` to `z_i`, or
/// says why not. Never panics on a malformed proof.
pub fn verify<S: StepCircuit>(
    params: &IvcParams<S>,
    key: &DeciderKey,
    vk: &VerifierKey,
    i: u64,
    z_0: &[Fr],
    z_i: &[Fr],
    proof: &DeciderProof,
) -> Result<(), Error> {
    verify_deferred(params, key, vk, i, z_0, z_i, proof)?.check(vk)
}

/// HyperKZG pairing claims a verification has left to one final pairing product, with the
/// transcript (bound to the statement and the whole proof) that weighs them
/// ([`PairingClaim::check_all`]). Dropping it unchecked accepts nothing.
#[must_use = "the pairing checks are still to be made"]
#[derive(Debug)]
pub struct PendingPairings {
    claims: Vec<PairingClaim>,
    transcript: PoseidonTranscript,
}

impl PendingPairings {
    /// Adds a claim of another opening under the same verifier key.
    pub fn push(&mut self, claim: PairingClaim) {
        self.claims.push(claim);
    }

    /// Decides every claim with one pairing product.
    pub fn check(mut self, vk: &VerifierKey) -> Result<(), Error> {
        PairingClaim::check_all(vk, &self.claims, &mut self.transcript)
            .map_err(spartan::pcs_error("the decider's pairing check"))
    }
}

/// [`verify`] with its HyperKZG pairing checks left pending (every other check is made), so a
/// caller can decide them together with its own.
pub fn verify_deferred<S: StepCircuit>(
    params: &IvcParams<S>,
    key: &DeciderKey,
    vk: &VerifierKey,
    i: u64,
    z_0: &[Fr],
    z_i: &[Fr],
    proof: &DeciderProof,
) -> Result<PendingPairings, Error> {
    if i == 0 {
        return Err(Error::Malformed {
            what: "an IVC state of zero steps proves nothing",
        });
    }
    crate::ivc::check_states(params.step().arity(), z_0, z_i)?;
    let primary = params.primary();
    let hash = state_hash(primary.digest(), i, z_0, z_i, &proof.acc, &proof.cf_acc);
    if proof.inc.x.as_slice() != [hash] {
        return Err(Error::IvcStateHashMismatch);
    }
    let folded = nifs::verify_strict(
        primary,
        &proof.acc,
        &proof.inc,
        &NifsProof {
            comm_t: proof.comm_t,
        },
    )?;
    let inst = SpartanInstance {
        comm_w: unblinded(primary.key(), &folded.comm_w, &proof.blind_w)?,
        comm_e: unblinded(primary.key(), &folded.comm_e, &proof.blind_e)?,
        u: folded.u,
        x: folded.x,
    };
    let mut t = statement_transcript(primary.digest(), i, hash);
    let claims = spartan::verify_deferred(&key.spartan, vk, &inst, &proof.spartan, &mut t)?;
    let cf_inst = cyclefold_instance(
        params.cyclefold().key(),
        &proof.cf_acc,
        &proof.cf_blind_w,
        &proof.cf_blind_e,
    )?;
    spartan_ipa::verify(&key.cyclefold, &cf_inst, &proof.cf_spartan, &mut t)?;
    Ok(PendingPairings {
        claims,
        transcript: t,
    })
}

/// A relaxed instance as serialized: `(C_W, C_E, u, x)`.
pub(crate) type RelaxedWire<C> = (
    <C as CurveGroup>::Affine,
    <C as CurveGroup>::Affine,
    <C as ark_ec::PrimeGroup>::ScalarField,
    Vec<<C as ark_ec::PrimeGroup>::ScalarField>,
);
/// A relaxed witness as serialized: `(W, r_W, E, r_E)`.
pub(crate) type WitnessWire<F> = (Vec<F>, F, Vec<F>, F);

pub(crate) fn relaxed_to_wire<C: crate::curve::FoldingCurve>(
    u: &RelaxedR1csInstance<C>,
) -> RelaxedWire<C> {
    (u.comm_w, u.comm_e, u.u, u.x.clone())
}

pub(crate) fn relaxed_from_wire<C: crate::curve::FoldingCurve>(
    w: RelaxedWire<C>,
) -> RelaxedR1csInstance<C> {
    RelaxedR1csInstance {
        comm_w: w.0,
        comm_e: w.1,
        u: w.2,
        x: w.3,
    }
}

pub(crate) fn witness_to_wire<F: ark_ff::PrimeField>(w: &RelaxedR1csWitness<F>) -> WitnessWire<F> {
    (w.w.clone(), w.r_w, w.e.clone(), w.r_e)
}

pub(crate) fn witness_from_wire<F: ark_ff::PrimeField>(w: WitnessWire<F>) -> RelaxedR1csWitness<F> {
    RelaxedR1csWitness {
        w: w.0,
        r_w: w.1,
        e: w.2,
        r_e: w.3,
    }
}

/// Writes `magic ‖ u32 version ‖ arkworks' compressed encoding of value`.
pub(crate) fn encode<T: CanonicalSerialize>(
    magic: &[u8; 8],
    version: u32,
    value: &T,
) -> Result<Vec<u8>, Error> {
    let mut out = magic.to_vec();
    out.extend(version.to_le_bytes());
    value
        .serialize_with_mode(&mut out, Compress::Yes)
        .map_err(|e| Error::Serialization(e.to_string()))?;
    Ok(out)
}

/// Strict inverse of [`encode`]: the magic, the version, a valid encoding (points on their
/// curves, canonical field elements) and no trailing bytes.
pub(crate) fn decode<T: CanonicalDeserialize>(
    magic: &[u8; 8],
    version: u32,
    what: &str,
    bytes: &[u8],
) -> Result<T, Error> {
    let rest = bytes
        .strip_prefix(magic.as_slice())
        .ok_or_else(|| Error::Serialization(format!("not a {what}")))?;
    let (v, mut rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| Error::Serialization(format!("{what}: truncated header")))?;
    let v = u32::from_le_bytes(*v);
    if v != version {
        return Err(Error::Serialization(format!(
            "{what}: format version {v} (expected {version})"
        )));
    }
    let value = T::deserialize_with_mode(&mut rest, Compress::Yes, Validate::Yes)
        .map_err(|e| Error::Serialization(format!("{what}: {e}")))?;
    if !rest.is_empty() {
        return Err(Error::Serialization(format!("{what}: trailing bytes")));
    }
    Ok(value)
}

/// The serialized layout of a [`DeciderProof`] (arkworks' compressed encoding).
#[derive(CanonicalSerialize, CanonicalDeserialize)]
struct Wire {
    acc: RelaxedWire<ark_bn254::G1Projective>,
    inc: (G1Affine, Vec<Fr>),
    comm_t: G1Affine,
    blinds: (Fr, Fr),
    spartan: Vec<u8>,
    cf_acc: RelaxedWire<Grumpkin>,
    cf_blinds: (Fq, Fq),
    cf_spartan: SpartanIpaWire<Grumpkin>,
}

impl DeciderProof {
    /// `DECIDER_MAGIC ‖ u32 version ‖ arkworks' compressed encoding`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let wire = Wire {
            acc: relaxed_to_wire(&self.acc),
            inc: (self.inc.comm_w, self.inc.x.clone()),
            comm_t: self.comm_t,
            blinds: (self.blind_w, self.blind_e),
            spartan: self.spartan.to_bytes(),
            cf_acc: relaxed_to_wire(&self.cf_acc),
            cf_blinds: (self.cf_blind_w, self.cf_blind_e),
            cf_spartan: self.cf_spartan.to_wire(),
        };
        encode(DECIDER_MAGIC, DECIDER_VERSION, &wire)
    }

    /// Strict inverse of [`Self::to_bytes`]: points on their curves and in their groups,
    /// canonical field elements, no trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let wire: Wire = decode(DECIDER_MAGIC, DECIDER_VERSION, "decider proof", bytes)?;
        Ok(Self {
            acc: relaxed_from_wire(wire.acc),
            inc: R1csInstance {
                comm_w: wire.inc.0,
                x: wire.inc.1,
            },
            comm_t: wire.comm_t,
            blind_w: wire.blinds.0,
            blind_e: wire.blinds.1,
            spartan: SpartanProof::from_bytes(&wire.spartan)?,
            cf_acc: relaxed_from_wire(wire.cf_acc),
            cf_blind_w: wire.cf_blinds.0,
            cf_blind_e: wire.cf_blinds.1,
            cf_spartan: SpartanIpaProof::from_wire(wire.cf_spartan),
        })
    }
}
