//! Fiat–Shamir transcripts: one trait, two implementations with identical call structure.
//!
//! - [`MerlinTranscript`] (STROBE/Keccak via `merlin`) for proofs only ever verified natively.
//! - [`PoseidonTranscript`], a Poseidon duplex sponge over `F` (arkworks' `PoseidonSponge`,
//!   reimplemented on a fixed-size state without allocation), for proofs that the
//!   recursion verifies in-circuit. Its absorb encoding is field-native so an R1CS gadget can
//!   replay it on the same parameters ([`poseidon_config`]): arkworks' `PoseidonSpongeVar`, or the
//!   recursion crate's `poseidon_gadget`, which keeps its matrices sparse.
//!
//! Every call names a static label. Encoding of one call in the Poseidon sponge (injective):
//!
//! ```text
//! header(label, n) = le(label)·2^32 + n          (label ≤ 27 bytes, n < 2^32)
//! append_field(s)  : header(label, n), x_1, ..., x_n
//! append_g1        : header(label, 4), x_lo, x_hi, y_lo, y_hi   (128-bit limbs of Fq coords;
//!                    the point at infinity as four zeros — no G1 point has y = 0)
//! append_bytes     : header(label, len), ⌈len/31⌉ elements of 31 little-endian bytes each
//! challenge        : header(label, 0), then squeeze one full field element
//! ```
//!
//! Merlin frames each message with its label and length itself; fields are 32-byte canonical
//! little-endian encodings, points their 32-byte compressed encodings, and a challenge is 64
//! bytes reduced mod p (bias < 2^-250).

use ark_bn254::G1Affine;
use ark_crypto_primitives::sponge::poseidon::{find_poseidon_ark_and_mds, PoseidonConfig};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_serialize::CanonicalSerialize;
use std::sync::OnceLock;

use crate::field::F;
use crate::poseidon::{Fast, Reference, WIDTH};

/// Longest label the Poseidon encoding accepts (bytes).
pub const MAX_LABEL_LEN: usize = 27;

/// A Fiat–Shamir transcript. Prover and verifier make the same calls in the same order.
pub trait Transcript: Sized {
    /// A fresh transcript separated by `domain`.
    fn new(domain: &'static [u8]) -> Self;
    /// Absorb one field element.
    fn append_field(&mut self, label: &'static [u8], x: &F) {
        self.append_fields(label, std::slice::from_ref(x));
    }
    /// Absorb a sequence of field elements (its length is bound too).
    fn append_fields(&mut self, label: &'static [u8], xs: &[F]);
    /// Absorb a BN254 G1 point in its canonical encoding.
    fn append_g1(&mut self, label: &'static [u8], p: &G1Affine);
    /// Absorb raw bytes (its length is bound too).
    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]);
    /// Absorb an unsigned integer (as one field element).
    fn append_u64(&mut self, label: &'static [u8], v: u64) {
        self.append_field(label, &F::from(v));
    }
    /// Squeeze one uniformly distributed challenge.
    fn challenge(&mut self, label: &'static [u8]) -> F;
    /// Squeeze `n` challenges under one label.
    fn challenges(&mut self, label: &'static [u8], n: usize) -> Vec<F> {
        (0..n).map(|_| self.challenge(label)).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Merlin

/// A transcript over `merlin` (native verification only).
#[derive(Clone)]
pub struct MerlinTranscript {
    inner: merlin::Transcript,
}

impl std::fmt::Debug for MerlinTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MerlinTranscript")
    }
}

impl Transcript for MerlinTranscript {
    fn new(domain: &'static [u8]) -> Self {
        Self {
            inner: merlin::Transcript::new(domain),
        }
    }

    fn append_fields(&mut self, label: &'static [u8], xs: &[F]) {
        let mut buf = Vec::with_capacity(8 + 32 * xs.len());
        buf.extend_from_slice(&(xs.len() as u64).to_le_bytes());
        for x in xs {
            buf.extend_from_slice(&x.into_bigint().to_bytes_le());
        }
        self.inner.append_message(label, &buf);
    }

    fn append_g1(&mut self, label: &'static [u8], p: &G1Affine) {
        let mut buf = Vec::with_capacity(32);
        // Serializing an affine point into a Vec cannot fail.
        let _ = p.serialize_compressed(&mut buf);
        self.inner.append_message(label, &buf);
    }

    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        self.inner.append_message(label, bytes);
    }

    fn challenge(&mut self, label: &'static [u8]) -> F {
        let mut buf = [0u8; 64];
        self.inner.challenge_bytes(label, &mut buf);
        F::from_le_bytes_mod_order(&buf)
    }
}

// ---------------------------------------------------------------------------------------------
// Poseidon

/// Poseidon parameters for the transcript: width 3 (rate 2, capacity 1), α = 5, 8 full and 57
/// partial rounds (the standard 128-bit choice for BN254 at t = 3), constants from the Grain LFSR
/// as arkworks generates them. The in-circuit sponge must use exactly this configuration.
pub fn poseidon_config() -> &'static PoseidonConfig<F> {
    static CONFIG: OnceLock<PoseidonConfig<F>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let (rate, full, partial, alpha) = (2usize, 8u64, 57u64, 5u64);
        let (ark, mds) =
            find_poseidon_ark_and_mds::<F>(F::MODULUS_BIT_SIZE as u64, rate, full, partial, 0);
        PoseidonConfig::new(full as usize, partial as usize, alpha, mds, ark, rate, 1)
    })
}

/// Rate of [`poseidon_config`] (the capacity is the first state element).
const RATE: usize = 2;

/// [`poseidon_config`]'s permutation: its fast form, or the reference form should the fast one
/// not exist for the configuration (it does; a test checks).
struct Permutation {
    reference: Reference,
    fast: Option<Fast>,
}

fn permutation() -> &'static Permutation {
    static PERMUTATION: OnceLock<Permutation> = OnceLock::new();
    PERMUTATION.get_or_init(|| {
        let reference = Reference::from_config(poseidon_config());
        let fast = Fast::new(&reference);
        Permutation { reference, fast }
    })
}

impl Permutation {
    fn permute(&self, s: &mut [F; WIDTH]) {
        match &self.fast {
            Some(fast) => fast.permute(s),
            None => self.reference.permute(s),
        }
    }
}

/// Where the duplex sponge stands: the next rate position to absorb into or squeeze from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SpongeMode {
    Absorbing(usize),
    Squeezing(usize),
}

/// The duplex sponge of arkworks' `PoseidonSponge` over [`poseidon_config`], call for call (the
/// schedule below; tests compare the two on random call sequences), on a fixed-size state:
///
/// ```text
/// absorb(xs), xs ≠ ∅:  Absorbing{i}: if i = rate { permute; i = 0 }   Squeezing{_}: i = 0
///                      add xs into the rate from i, permuting each time it is full; Absorbing{i'}
/// squeeze():           Absorbing{_}: permute; j = 0    Squeezing{j}: if j = rate { permute; j = 0 }
///                      read s[capacity + j]; Squeezing{j + 1}
/// ```
#[derive(Clone, Debug)]
pub(crate) struct PoseidonDuplex {
    state: [F; WIDTH],
    mode: SpongeMode,
}

impl PoseidonDuplex {
    pub(crate) fn new() -> Self {
        Self {
            state: [F::zero(); WIDTH],
            mode: SpongeMode::Absorbing(0),
        }
    }

    fn permute(&mut self) {
        permutation().permute(&mut self.state);
    }

    pub(crate) fn absorb(&mut self, xs: &[F]) {
        if xs.is_empty() {
            return;
        }
        let mut i = match self.mode {
            SpongeMode::Absorbing(i) if i == RATE => {
                self.permute();
                0
            }
            SpongeMode::Absorbing(i) => i,
            SpongeMode::Squeezing(_) => 0,
        };
        for x in xs {
            if i == RATE {
                self.permute();
                i = 0;
            }
            self.state[WIDTH - RATE + i] += x;
            i += 1;
        }
        self.mode = SpongeMode::Absorbing(i);
    }

    pub(crate) fn squeeze(&mut self) -> F {
        let j = match self.mode {
            SpongeMode::Absorbing(_) => {
                self.permute();
                0
            }
            SpongeMode::Squeezing(j) if j == RATE => {
                self.permute();
                0
            }
            SpongeMode::Squeezing(j) => j,
        };
        self.mode = SpongeMode::Squeezing(j + 1);
        self.state[WIDTH - RATE + j]
    }
}

/// A Poseidon duplex-sponge transcript over `F` (what the recursion replays in-circuit).
#[derive(Clone)]
pub struct PoseidonTranscript {
    sponge: PoseidonDuplex,
}

impl std::fmt::Debug for PoseidonTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoseidonTranscript")
    }
}

/// The field element `le(label)·2^32 + n` that opens every absorb (see the module docs).
pub fn poseidon_header(label: &'static [u8], n: usize) -> F {
    assert!(
        label.len() <= MAX_LABEL_LEN,
        "transcript label longer than {MAX_LABEL_LEN} bytes: {:?}",
        String::from_utf8_lossy(label)
    );
    assert!(n < (1usize << 32), "absorb length must be below 2^32");
    let mut bytes = [0u8; 32];
    bytes[..4].copy_from_slice(&(n as u32).to_le_bytes());
    bytes[4..4 + label.len()].copy_from_slice(label);
    F::from_le_bytes_mod_order(&bytes)
}

/// The four field elements (128-bit limbs of x then y) a G1 point is absorbed as.
pub fn g1_to_limbs(p: &G1Affine) -> [F; 4] {
    match p.xy() {
        None => [F::zero(); 4],
        Some((x, y)) => {
            let split = |c: ark_bn254::Fq| -> (F, F) {
                let bytes = c.into_bigint().to_bytes_le();
                (
                    F::from_le_bytes_mod_order(&bytes[..16]),
                    F::from_le_bytes_mod_order(&bytes[16..]),
                )
            };
            let (xl, xh) = split(x);
            let (yl, yh) = split(y);
            [xl, xh, yl, yh]
        }
    }
}

/// Bytes packed 31 to a field element, little-endian (the last chunk may be shorter).
pub fn bytes_to_fields(bytes: &[u8]) -> Vec<F> {
    bytes.chunks(31).map(F::from_le_bytes_mod_order).collect()
}

impl PoseidonTranscript {
    fn absorb_slice(&mut self, xs: &[F]) {
        // Element by element, as arkworks' PoseidonSponge and the gadget absorb a slice.
        self.sponge.absorb(xs);
    }
}

impl Transcript for PoseidonTranscript {
    fn new(domain: &'static [u8]) -> Self {
        let mut t = Self {
            sponge: PoseidonDuplex::new(),
        };
        t.append_bytes(b"zkpot-poseidon-transcript", domain);
        t
    }

    fn append_fields(&mut self, label: &'static [u8], xs: &[F]) {
        let mut buf = Vec::with_capacity(1 + xs.len());
        buf.push(poseidon_header(label, xs.len()));
        buf.extend_from_slice(xs);
        self.absorb_slice(&buf);
    }

    fn append_g1(&mut self, label: &'static [u8], p: &G1Affine) {
        let limbs = g1_to_limbs(p);
        let buf = [
            poseidon_header(label, 4),
            limbs[0],
            limbs[1],
            limbs[2],
            limbs[3],
        ];
        self.absorb_slice(&buf);
    }

    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        let mut buf = vec![poseidon_header(label, bytes.len())];
        buf.extend(bytes_to_fields(bytes));
        self.absorb_slice(&buf);
    }

    fn challenge(&mut self, label: &'static [u8]) -> F {
        self.absorb_slice(&[poseidon_header(label, 0)]);
        self.sponge.squeeze()
    }
}

// ---------------------------------------------------------------------------------------------
// Recording wrapper (absorb-site snapshots)

/// One call made on a transcript, for absorb-site snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptOp {
    /// `append_fields` with this many elements.
    Fields(&'static [u8], usize),
    /// `append_g1`.
    G1(&'static [u8]),
    /// `append_bytes` with this many bytes.
    Bytes(&'static [u8], usize),
    /// `challenge`.
    Challenge(&'static [u8]),
}

impl std::fmt::Display for TranscriptOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |l: &[u8]| String::from_utf8_lossy(l).into_owned();
        match self {
            Self::Fields(l, n) => write!(f, "absorb fields {} x{n}", s(l)),
            Self::G1(l) => write!(f, "absorb g1 {}", s(l)),
            Self::Bytes(l, n) => write!(f, "absorb bytes {} len{n}", s(l)),
            Self::Challenge(l) => write!(f, "challenge {}", s(l)),
        }
    }
}

/// Wraps a transcript and records every call (label, kind, length). Used by the snapshot tests
/// that pin down each protocol's Fiat–Shamir schedule.
#[derive(Clone, Debug)]
pub struct RecordingTranscript<T: Transcript> {
    inner: T,
    /// The calls so far, in order.
    pub log: Vec<TranscriptOp>,
}

impl<T: Transcript> RecordingTranscript<T> {
    /// The log rendered one call per line (the snapshot format).
    pub fn render(&self) -> String {
        self.log.iter().map(|op| format!("{op}\n")).collect()
    }
}

impl<T: Transcript> Transcript for RecordingTranscript<T> {
    fn new(domain: &'static [u8]) -> Self {
        Self {
            inner: T::new(domain),
            log: Vec::new(),
        }
    }
    fn append_fields(&mut self, label: &'static [u8], xs: &[F]) {
        self.log.push(TranscriptOp::Fields(label, xs.len()));
        self.inner.append_fields(label, xs);
    }
    fn append_g1(&mut self, label: &'static [u8], p: &G1Affine) {
        self.log.push(TranscriptOp::G1(label));
        self.inner.append_g1(label, p);
    }
    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        self.log.push(TranscriptOp::Bytes(label, bytes.len()));
        self.inner.append_bytes(label, bytes);
    }
    fn challenge(&mut self, label: &'static [u8]) -> F {
        self.log.push(TranscriptOp::Challenge(label));
        self.inner.challenge(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
    use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
    use ark_ec::CurveGroup;
    use rand::{Rng, SeedableRng};

    /// The fixed-size duplex against arkworks' `PoseidonSponge` on random call sequences:
    /// absorbs of 0–5 elements and squeezes of 1–4, in every order, including absorbing after
    /// squeezing and squeezing past the rate.
    #[test]
    fn the_fast_permutation_is_used() {
        assert!(permutation().fast.is_some());
    }

    #[test]
    fn duplex_matches_arkworks_sponge() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for _ in 0..200 {
            let mut reference = PoseidonSponge::<F>::new(poseidon_config());
            let mut duplex = PoseidonDuplex::new();
            for _ in 0..rng.gen_range(1..12) {
                if rng.gen_bool(0.5) {
                    let xs: Vec<F> = (0..rng.gen_range(0..6))
                        .map(|_| F::from(rng.gen::<u64>()) * F::from(rng.gen::<u64>()))
                        .collect();
                    reference.absorb(&xs);
                    duplex.absorb(&xs);
                } else {
                    let n = rng.gen_range(1..5);
                    let expected = reference.squeeze_native_field_elements(n);
                    let got: Vec<F> = (0..n).map(|_| duplex.squeeze()).collect();
                    assert_eq!(got, expected);
                }
            }
            assert_eq!(
                duplex.squeeze(),
                reference.squeeze_native_field_elements(1)[0]
            );
        }
    }

    fn exercise<T: Transcript>(seed: u64) -> Vec<F> {
        let mut t = T::new(b"test");
        t.append_u64(b"seed", seed);
        t.append_fields(b"v", &[F::from(3u64), F::from(4u64)]);
        let g = (G1Affine::generator() * F::from(seed + 1)).into_affine();
        t.append_g1(b"g", &g);
        t.append_g1(b"inf", &G1Affine::zero());
        t.append_bytes(b"b", &[1u8; 40]);
        let mut out = vec![t.challenge(b"c0")];
        out.extend(t.challenges(b"c1", 3));
        out
    }

    #[test]
    fn deterministic_and_input_sensitive() {
        assert_eq!(
            exercise::<MerlinTranscript>(1),
            exercise::<MerlinTranscript>(1)
        );
        assert_ne!(
            exercise::<MerlinTranscript>(1),
            exercise::<MerlinTranscript>(2)
        );
        assert_eq!(
            exercise::<PoseidonTranscript>(1),
            exercise::<PoseidonTranscript>(1)
        );
        assert_ne!(
            exercise::<PoseidonTranscript>(1),
            exercise::<PoseidonTranscript>(2)
        );
    }

    #[test]
    fn label_and_length_are_bound() {
        let run = |label: &'static [u8], xs: &[F]| {
            let mut t = PoseidonTranscript::new(b"x");
            t.append_fields(label, xs);
            t.challenge(b"c")
        };
        let a = run(b"a", &[F::from(1u64)]);
        assert_ne!(a, run(b"b", &[F::from(1u64)]));
        assert_ne!(a, run(b"a", &[F::from(1u64), F::zero()]));
    }

    #[test]
    fn recording_wrapper_is_transparent() {
        let plain = exercise::<PoseidonTranscript>(5);
        let mut rec = RecordingTranscript::<PoseidonTranscript>::new(b"test");
        rec.append_u64(b"seed", 5);
        assert_eq!(rec.log, vec![TranscriptOp::Fields(b"seed", 1)]);
        let _ = plain;
    }
}
