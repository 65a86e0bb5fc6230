//! Structured reference string: powers of τ in G1, and `G2`, `τ·G2`.
//!
//! Sources: [`Srs::dev_setup`] (τ from a seed — **insecure**, flagged as such everywhere) and
//! [`crate::ptau::load_ptau`] (a snarkjs powers-of-tau file). Either can be stored in the versioned
//! file format below and loaded back with [`Srs::load`].
//!
//! ```text
//! SRS file, version 1 (all integers little-endian):
//!   magic      8 bytes  "ZKPOTSRS"
//!   version    u32      1
//!   flags      u32      bit 0: insecure development setup (τ derivable from a seed)
//!   log_size   u32      the file holds 2^log_size powers τ^i·G1
//!   G2, τ·G2   2 × 128 bytes, arkworks uncompressed
//!   τ^i·G1     2^log_size × 64 bytes, arkworks uncompressed, i = 0, 1, ...
//!   digest     32 bytes [`Srs::digest`] (integrity check on load)
//! ```
//!
//! The digest is `SHA-256("zkpot-srs-v1" ‖ le32(log_size) ‖ G2 ‖ τ·G2 ‖ τ^0·G1 ‖ ...)` over the
//! same uncompressed encodings (the insecure flag is metadata, not part of it). Transcripts absorb
//! it (as 32 bytes, or as the field element [`Srs::digest_field`]) as part of every statement.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use ark_bn254::{Bn254, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, PrimeField, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sumcheck::F;

use crate::Error;

/// Magic bytes of the SRS file format.
pub const SRS_MAGIC: &[u8; 8] = b"ZKPOTSRS";
/// Current SRS file format version.
pub const SRS_VERSION: u32 = 1;
/// Largest supported log size (2^28 powers, as in the largest public ceremonies).
pub const MAX_LOG_SIZE: usize = 28;
const FLAG_INSECURE: u32 = 1;
const G1_BYTES: usize = 64;
const G2_BYTES: usize = 128;

/// Powers of τ: `τ^i·G1` for `i < 2^log_size`, plus `G2` and `τ·G2`.
#[derive(Clone)]
pub struct Srs {
    insecure_dev: bool,
    g1_powers: Arc<Vec<G1Affine>>,
    g2: G2Affine,
    tau_g2: G2Affine,
    digest: [u8; 32],
}

impl std::fmt::Debug for Srs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Srs")
            .field("log_size", &self.log_size())
            .field("insecure_dev", &self.insecure_dev)
            .field("digest", &hex(&self.digest))
            .finish_non_exhaustive()
    }
}

/// Lower-case hex of a byte string (for digests in logs).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Srs {
    /// Assemble an SRS from its parts. `g1_powers.len()` must be a power of two. No consistency
    /// check (see [`Srs::check_consistency`]).
    pub fn from_parts(
        g1_powers: Vec<G1Affine>,
        g2: G2Affine,
        tau_g2: G2Affine,
        insecure_dev: bool,
    ) -> Result<Self, Error> {
        if !g1_powers.len().is_power_of_two() {
            return Err(Error::SrsFormat {
                reason: "number of G1 powers is not a power of two",
            });
        }
        let log_size = g1_powers.len().trailing_zeros() as usize;
        if log_size > MAX_LOG_SIZE {
            return Err(Error::LogSizeOutOfRange {
                log_size,
                max: MAX_LOG_SIZE,
            });
        }
        let digest = compute_digest(&g1_powers, &g2, &tau_g2);
        Ok(Self {
            insecure_dev,
            g1_powers: Arc::new(g1_powers),
            g2,
            tau_g2,
            digest,
        })
    }

    /// **Insecure** development setup: τ is drawn from ChaCha20 seeded with `seed`, so anyone who
    /// knows the seed can forge openings. The result is flagged ([`Srs::is_insecure_dev`]).
    pub fn dev_setup(seed: [u8; 32], log_size: usize) -> Result<Self, Error> {
        if log_size > MAX_LOG_SIZE {
            return Err(Error::LogSizeOutOfRange {
                log_size,
                max: MAX_LOG_SIZE,
            });
        }
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        let tau = loop {
            let t = F::rand(&mut rng);
            if !t.is_zero() {
                break t;
            }
        };
        let g1_powers = g1_powers_chunked(tau, 1usize << log_size, DEV_SETUP_CHUNK);
        let g2 = G2Projective::generator();
        let tau_g2 = (g2 * tau).into_affine();
        Self::from_parts(g1_powers, g2.into_affine(), tau_g2, true)
    }

    /// [`Srs::dev_setup`] with the seed given as a `u64` (little-endian in the first 8 bytes).
    pub fn dev_setup_u64(seed: u64, log_size: usize) -> Result<Self, Error> {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_le_bytes());
        Self::dev_setup(s, log_size)
    }

    /// True when this SRS came from a seed: every command using it must print a warning.
    pub fn is_insecure_dev(&self) -> bool {
        self.insecure_dev
    }

    /// log2 of the number of G1 powers.
    pub fn log_size(&self) -> usize {
        self.g1_powers.len().trailing_zeros() as usize
    }

    /// `τ^i·G1`, `i < 2^log_size`.
    pub fn g1_powers(&self) -> &[G1Affine] {
        &self.g1_powers
    }

    /// Shared handle on the G1 powers (keys hold this instead of copying).
    pub fn g1_powers_arc(&self) -> Arc<Vec<G1Affine>> {
        self.g1_powers.clone()
    }

    /// The G2 generator.
    pub fn g2(&self) -> G2Affine {
        self.g2
    }

    /// `τ·G2`.
    pub fn tau_g2(&self) -> G2Affine {
        self.tau_g2
    }

    /// SHA-256 digest of the canonical encoding (see the module docs).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The digest as a field element (first 31 bytes, little-endian), for field-native transcripts.
    pub fn digest_field(&self) -> F {
        digest_to_field(&self.digest)
    }

    /// A copy truncated to `2^log_size` powers (the digest is recomputed for the truncated SRS).
    pub fn truncate(&self, log_size: usize) -> Result<Self, Error> {
        if log_size > self.log_size() {
            return Err(Error::SrsTooSmall {
                needed: log_size,
                available: self.log_size(),
            });
        }
        Self::from_parts(
            self.g1_powers[..1 << log_size].to_vec(),
            self.g2,
            self.tau_g2,
            self.insecure_dev,
        )
    }

    /// Check that the points are powers of one τ against the standard generators: `τ^0·G1 = G1`,
    /// `G2` is the generator, and, with random 64-bit weights `ρ_i` drawn from `seed`,
    /// `e(Σ ρ_i·τ^{i+1}G1, G2) = e(Σ ρ_i·τ^i G1, τ·G2)` (error probability ≤ 2^-63).
    /// Costs two small-scalar MSMs of the SRS size.
    pub fn check_consistency(&self, seed: u64) -> Result<(), Error> {
        if self.g1_powers.first() != Some(&G1Affine::generator()) {
            return Err(Error::SrsInconsistent {
                reason: "first G1 power is not the generator",
            });
        }
        if self.g2 != G2Affine::generator() {
            return Err(Error::SrsInconsistent {
                reason: "G2 is not the generator",
            });
        }
        if self.tau_g2.is_zero() {
            return Err(Error::SrsInconsistent {
                reason: "tau·G2 is the identity",
            });
        }
        let n = self.g1_powers.len();
        let (lhs, rhs) = if n == 1 {
            // Only τ^0: nothing links the G1 side to τ.
            return Ok(());
        } else {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
            let rho: Vec<u64> = (0..n - 1).map(|_| rng.gen()).collect();
            let shifted = G1Projective::msm_u64(&self.g1_powers[1..], &rho);
            let base = G1Projective::msm_u64(&self.g1_powers[..n - 1], &rho);
            (shifted, base)
        };
        let check = Bn254::multi_pairing(
            [lhs.into_affine(), (-rhs).into_affine()],
            [self.g2, self.tau_g2],
        );
        if check.is_zero() {
            Ok(())
        } else {
            Err(Error::SrsInconsistent {
                reason: "G1 powers are not consecutive powers of the tau in tau·G2",
            })
        }
    }

    /// Write in the versioned file format.
    pub fn write_to<W: Write>(&self, mut w: W) -> Result<(), Error> {
        let io = Error::io("writing SRS");
        let flags = if self.insecure_dev { FLAG_INSECURE } else { 0 };
        let mut head = Vec::with_capacity(20 + 2 * G2_BYTES);
        head.extend_from_slice(SRS_MAGIC);
        head.extend_from_slice(&SRS_VERSION.to_le_bytes());
        head.extend_from_slice(&flags.to_le_bytes());
        head.extend_from_slice(&(self.log_size() as u32).to_le_bytes());
        head.extend_from_slice(&g2_bytes(&self.g2));
        head.extend_from_slice(&g2_bytes(&self.tau_g2));
        w.write_all(&head).map_err(io)?;
        for chunk in self.g1_powers.chunks(1 << 14) {
            let buf = g1_chunk_bytes(chunk);
            w.write_all(&buf).map_err(Error::io("writing SRS"))?;
        }
        w.write_all(&self.digest)
            .map_err(Error::io("writing SRS"))?;
        Ok(())
    }

    /// Read the versioned file format; every point is validated and the digest checked.
    pub fn read_from<R: Read>(mut r: R) -> Result<Self, Error> {
        let mut head = [0u8; 20];
        read_exact(&mut r, &mut head, "header")?;
        if &head[..8] != SRS_MAGIC {
            return Err(Error::SrsFormat {
                reason: "wrong magic bytes",
            });
        }
        let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        if word(8) != SRS_VERSION {
            return Err(Error::SrsFormat {
                reason: "unsupported format version",
            });
        }
        let flags = word(12);
        if flags & !FLAG_INSECURE != 0 {
            return Err(Error::SrsFormat {
                reason: "unknown flags",
            });
        }
        let log_size = word(16) as usize;
        if log_size > MAX_LOG_SIZE {
            return Err(Error::LogSizeOutOfRange {
                log_size,
                max: MAX_LOG_SIZE,
            });
        }
        let mut g2s = [0u8; 2 * G2_BYTES];
        read_exact(&mut r, &mut g2s, "G2 points")?;
        let g2 = parse_g2(&g2s[..G2_BYTES])?;
        let tau_g2 = parse_g2(&g2s[G2_BYTES..])?;
        let n = 1usize << log_size;
        let mut g1_powers = Vec::with_capacity(n);
        let step = 1usize << 14;
        let mut buf = vec![0u8; step.min(n) * G1_BYTES];
        let mut done = 0;
        while done < n {
            let m = step.min(n - done);
            let bytes = &mut buf[..m * G1_BYTES];
            read_exact(&mut r, bytes, "G1 powers")?;
            let pts: Result<Vec<G1Affine>, Error> = bytes
                .par_chunks(G1_BYTES)
                .map(|c| {
                    G1Affine::deserialize_with_mode(c, Compress::No, Validate::Yes).map_err(
                        |source| Error::Deserialize {
                            what: "SRS G1 point",
                            source,
                        },
                    )
                })
                .collect();
            g1_powers.extend(pts?);
            done += m;
        }
        let mut stored = [0u8; 32];
        read_exact(&mut r, &mut stored, "digest")?;
        let srs = Self::from_parts(g1_powers, g2, tau_g2, flags & FLAG_INSECURE != 0)?;
        if srs.digest != stored {
            return Err(Error::SrsFormat {
                reason: "digest mismatch (corrupted file)",
            });
        }
        Ok(srs)
    }

    /// Write to `path` atomically (temporary file in the same directory, then rename).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(Error::io("creating SRS temp file"))?;
        let mut w = std::io::BufWriter::new(file);
        self.write_to(&mut w)?;
        let file = w.into_inner().map_err(|e| Error::Io {
            context: "flushing SRS file",
            source: e.into_error(),
        })?;
        file.sync_all().map_err(Error::io("syncing SRS file"))?;
        std::fs::rename(&tmp, path).map_err(Error::io("renaming SRS file"))?;
        Ok(())
    }

    /// Load a file written by [`Srs::save`].
    pub fn load(path: &Path) -> Result<Self, Error> {
        let file = std::fs::File::open(path).map_err(Error::io("opening SRS file"))?;
        Self::read_from(std::io::BufReader::with_capacity(1 << 20, file))
    }
}

/// The first 31 bytes of a digest as a field element (little-endian).
pub fn digest_to_field(d: &[u8; 32]) -> F {
    F::from_le_bytes_mod_order(&d[..31])
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &'static str) -> Result<(), Error> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::SrsFormat {
                reason: match what {
                    "header" => "truncated header",
                    "G2 points" => "truncated G2 points",
                    "G1 powers" => "truncated G1 powers",
                    _ => "truncated digest",
                },
            }
        } else {
            Error::Io {
                context: "reading SRS",
                source: e,
            }
        }
    })
}

fn parse_g2(b: &[u8]) -> Result<G2Affine, Error> {
    G2Affine::deserialize_with_mode(b, Compress::No, Validate::Yes).map_err(|source| {
        Error::Deserialize {
            what: "SRS G2 point",
            source,
        }
    })
}

fn g2_bytes(p: &G2Affine) -> Vec<u8> {
    let mut v = Vec::with_capacity(G2_BYTES);
    // Serializing into a Vec cannot fail.
    let _ = p.serialize_uncompressed(&mut v);
    v
}

fn g1_chunk_bytes(pts: &[G1Affine]) -> Vec<u8> {
    let mut buf = vec![0u8; pts.len() * G1_BYTES];
    buf.par_chunks_mut(G1_BYTES)
        .zip(pts.par_iter())
        .for_each(|(out, p)| {
            // A G1 point's uncompressed encoding is exactly 64 bytes.
            let _ = p.serialize_uncompressed(out);
        });
    buf
}

fn compute_digest(g1: &[G1Affine], g2: &G2Affine, tau_g2: &G2Affine) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"zkpot-srs-v1");
    h.update((g1.len().trailing_zeros()).to_le_bytes());
    h.update(g2_bytes(g2));
    h.update(g2_bytes(tau_g2));
    for chunk in g1.chunks(1 << 14) {
        h.update(g1_chunk_bytes(chunk));
    }
    h.finalize().into()
}

/// `[1, τ, ..., τ^(n-1)]` computed in parallel chunks.
/// Powers generated per chunk in [`Srs::dev_setup`]: the projective intermediates of one chunk
/// (2^20 · 96 B) instead of the whole SRS, so a 2^27 setup peaks at the affine points (≈ 9.7 GB)
/// rather than ≈ 27 GB.
const DEV_SETUP_CHUNK: usize = 1 << 20;

/// `τ^i·G1` for `i < n`, `chunk` powers at a time (same points for every `chunk`).
fn g1_powers_chunked(tau: F, n: usize, chunk: usize) -> Vec<G1Affine> {
    let table = BatchMulPreprocessing::new(G1Projective::generator(), n);
    let chunk = chunk.clamp(1, n.max(1));
    let base = powers_parallel(tau, chunk);
    let step = tau.pow([chunk as u64]);
    let mut start = F::from(1u64);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = chunk.min(n - out.len());
        let scalars: Vec<F> = base[..len].par_iter().map(|b| *b * start).collect();
        out.extend(table.batch_mul(&scalars));
        start *= step;
    }
    out
}

fn powers_parallel(tau: F, n: usize) -> Vec<F> {
    let chunk = 1usize << 12;
    let mut out = vec![F::from(0u64); n];
    out.par_chunks_mut(chunk).enumerate().for_each(|(k, c)| {
        let mut acc = tau.pow([(k * chunk) as u64]);
        for x in c.iter_mut() {
            *x = acc;
            acc *= tau;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_generation_gives_the_same_points() {
        let tau = F::from(987_654_321u64);
        let n = 1 << 9;
        let whole = g1_powers_chunked(tau, n, n);
        for chunk in [1, 7, 64, 1 << 10] {
            assert_eq!(g1_powers_chunked(tau, n, chunk), whole, "chunk {chunk}");
        }
        let direct: Vec<G1Affine> = powers_parallel(tau, n)
            .iter()
            .map(|p| (G1Projective::generator() * p).into_affine())
            .collect();
        assert_eq!(whole, direct);
    }

    #[test]
    fn dev_setup_is_consistent_and_round_trips() {
        let srs = Srs::dev_setup_u64(1, 5).unwrap();
        assert!(srs.is_insecure_dev());
        assert_eq!(srs.log_size(), 5);
        srs.check_consistency(9).unwrap();
        let mut bytes = Vec::new();
        srs.write_to(&mut bytes).unwrap();
        let back = Srs::read_from(&bytes[..]).unwrap();
        assert_eq!(back.g1_powers(), srs.g1_powers());
        assert_eq!(back.digest(), srs.digest());
        assert!(back.is_insecure_dev());
        // Different seeds, different SRS.
        assert_ne!(Srs::dev_setup_u64(2, 5).unwrap().digest(), srs.digest());
        // Corruption is caught.
        let mut bad = bytes.clone();
        bad[20 + 2 * G2_BYTES + 70] ^= 1;
        assert!(Srs::read_from(&bad[..]).is_err());
        assert!(matches!(
            Srs::read_from(&bytes[..bytes.len() - 1]),
            Err(Error::SrsFormat { .. })
        ));
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(matches!(
            Srs::read_from(&magic[..]),
            Err(Error::SrsFormat { .. })
        ));
    }

    #[test]
    fn inconsistent_srs_is_detected() {
        let srs = Srs::dev_setup_u64(1, 4).unwrap();
        let mut g1 = srs.g1_powers().to_vec();
        g1[3] = (g1[3] + g1[1]).into_affine();
        let bad = Srs::from_parts(g1, srs.g2(), srs.tau_g2(), true).unwrap();
        assert!(matches!(
            bad.check_consistency(1),
            Err(Error::SrsInconsistent { .. })
        ));
    }

    #[test]
    fn save_and_load_file() {
        let srs = Srs::dev_setup_u64(3, 3).unwrap();
        let dir = std::env::temp_dir().join(format!("pcs-srs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("srs.bin");
        srs.save(&path).unwrap();
        let back = Srs::load(&path).unwrap();
        assert_eq!(back.digest(), srs.digest());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
