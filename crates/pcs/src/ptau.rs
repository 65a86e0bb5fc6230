//! Loader for snarkjs powers-of-tau (`.ptau`) files over BN254.
//!
//! Layout (all integers little-endian), as written by snarkjs `powersoftau`:
//!
//! ```text
//! magic "ptau" (4 bytes) | version u32 (1) | number of sections u32
//! then each section:  id u32 | size u64 | `size` bytes of data
//!   1  header:   n8q u32 (= 32) | q (n8q bytes, LE) | power u32 | ceremonyPower u32
//!   2  tauG1:    2·2^power − 1 points τ^i·G1, each x | y (n8q bytes each, LE, Montgomery form)
//!   3  tauG2:    2^power points τ^i·G2, each x.c0 | x.c1 | y.c0 | y.c1 (Montgomery form)
//!   4  alphaTauG1, 5 betaTauG1, 6 betaG2, 7 contributions: ignored here
//! ```
//!
//! "Montgomery form" means the stored integer is `x·2^256 mod q`. The loader checks the field
//! modulus, that the file has enough powers, that every loaded coordinate is reduced, every point
//! is on the curve (G1 has cofactor 1) and the G2 points lie in the prime-order subgroup; it then
//! runs [`Srs::check_consistency`] (generators and one random-combination pairing check).
//! Only the first `2^log_size` G1 powers and the first two G2 points are read.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

use crate::srs::{Srs, MAX_LOG_SIZE};
use crate::Error;

/// Magic bytes of a `.ptau` file.
pub const PTAU_MAGIC: &[u8; 4] = b"ptau";
const N8Q: usize = 32;

/// `2^-256 mod q`: converts a Montgomery-form integer to the value it represents.
fn mont_r_inv() -> Fq {
    // 2 is invertible mod q, so the inverse exists.
    Fq::from(2u64).pow([256u64]).inverse().unwrap_or_default()
}

/// Decode one Montgomery-form coordinate; `None` if not reduced mod q.
fn decode_fq(bytes: &[u8], r_inv: &Fq) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (l, c) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        *l = u64::from_le_bytes(w);
    }
    let v = Fq::from_bigint(ark_ff::BigInt::new(limbs))?;
    Some(v * r_inv)
}

/// Encode a coordinate as `.ptau` stores it: `x·2^256 mod q`, 32 bytes little-endian.
pub fn encode_fq_montgomery(x: &Fq) -> [u8; N8Q] {
    let r = Fq::from(2u64).pow([256u64]);
    let m = *x * r;
    let mut out = [0u8; N8Q];
    out.copy_from_slice(&m.into_bigint().to_bytes_le());
    out
}

/// Load `2^log_size` powers from a `.ptau` file on disk.
pub fn load_ptau_file(path: &Path, log_size: usize) -> Result<Srs, Error> {
    let file = std::fs::File::open(path).map_err(Error::io("opening .ptau file"))?;
    load_ptau(std::io::BufReader::with_capacity(1 << 20, file), log_size)
}

struct Section {
    offset: u64,
    size: u64,
}

fn rd<R: Read>(r: &mut R, buf: &mut [u8], what: &'static str) -> Result<(), Error> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::PtauTruncated { what }
        } else {
            Error::Io {
                context: "reading .ptau file",
                source: e,
            }
        }
    })
}

fn rd_u32<R: Read>(r: &mut R, what: &'static str) -> Result<u32, Error> {
    let mut b = [0u8; 4];
    rd(r, &mut b, what)?;
    Ok(u32::from_le_bytes(b))
}

fn rd_u64<R: Read>(r: &mut R, what: &'static str) -> Result<u64, Error> {
    let mut b = [0u8; 8];
    rd(r, &mut b, what)?;
    Ok(u64::from_le_bytes(b))
}

/// Load `2^log_size` powers of τ from a `.ptau` stream (see the module docs for the checks).
pub fn load_ptau<R: Read + Seek>(mut r: R, log_size: usize) -> Result<Srs, Error> {
    if log_size > MAX_LOG_SIZE {
        return Err(Error::LogSizeOutOfRange {
            log_size,
            max: MAX_LOG_SIZE,
        });
    }
    let seek_err = Error::io("seeking in .ptau file");
    let file_len = r.seek(SeekFrom::End(0)).map_err(seek_err)?;
    r.seek(SeekFrom::Start(0))
        .map_err(Error::io("seeking in .ptau file"))?;
    let mut magic = [0u8; 4];
    rd(&mut r, &mut magic, "magic")?;
    if &magic != PTAU_MAGIC {
        return Err(Error::PtauFormat {
            reason: "wrong magic bytes (not a .ptau file)",
        });
    }
    let version = rd_u32(&mut r, "version")?;
    if version != 1 {
        return Err(Error::PtauFormat {
            reason: "unsupported version",
        });
    }
    let num_sections = rd_u32(&mut r, "section count")?;
    let mut sections: [Option<Section>; 4] = [None, None, None, None];
    let mut pos = 12u64;
    for _ in 0..num_sections {
        let id = rd_u32(&mut r, "section header")?;
        let size = rd_u64(&mut r, "section header")?;
        let offset = pos + 12;
        let end = offset.checked_add(size).ok_or(Error::PtauTruncated {
            what: "section data",
        })?;
        if end > file_len {
            return Err(Error::PtauTruncated {
                what: "section data",
            });
        }
        if (1..=3).contains(&id) {
            if sections[id as usize].is_some() {
                return Err(Error::PtauFormat {
                    reason: "duplicate section",
                });
            }
            sections[id as usize] = Some(Section { offset, size });
        }
        r.seek(SeekFrom::Start(end))
            .map_err(Error::io("seeking in .ptau file"))?;
        pos = end;
    }
    let get = |id: u32| -> Result<&Section, Error> {
        sections
            .get(id as usize)
            .and_then(|s| s.as_ref())
            .ok_or(Error::PtauMissingSection { section: id })
    };

    // Section 1: header.
    let h = get(1)?;
    r.seek(SeekFrom::Start(h.offset))
        .map_err(Error::io("seeking in .ptau file"))?;
    let n8q = rd_u32(&mut r, "header")? as usize;
    if n8q != N8Q || h.size != (4 + N8Q + 8) as u64 {
        return Err(Error::PtauWrongField);
    }
    let mut q = [0u8; N8Q];
    rd(&mut r, &mut q, "header")?;
    if q[..] != Fq::MODULUS.to_bytes_le()[..] {
        return Err(Error::PtauWrongField);
    }
    let power = rd_u32(&mut r, "header")?;
    let _ceremony_power = rd_u32(&mut r, "header")?;
    if power > 30 {
        return Err(Error::PtauFormat {
            reason: "power out of range",
        });
    }
    if (power as usize) < log_size {
        return Err(Error::PtauTooSmall {
            power,
            needed: log_size,
        });
    }
    let r_inv = mont_r_inv();

    // Section 2: τ^i·G1, 2·2^power − 1 points.
    let s2 = get(2)?;
    let g1_count = (2u64 << power) - 1;
    if s2.size != g1_count * 2 * N8Q as u64 {
        return Err(Error::PtauFormat {
            reason: "tauG1 section has the wrong size",
        });
    }
    let n = 1usize << log_size;
    let mut raw = vec![0u8; n * 2 * N8Q];
    r.seek(SeekFrom::Start(s2.offset))
        .map_err(Error::io("seeking in .ptau file"))?;
    rd(&mut r, &mut raw, "tauG1 points")?;
    let g1_powers: Vec<G1Affine> = raw
        .par_chunks(2 * N8Q)
        .enumerate()
        .map(|(index, c)| {
            let bad = |reason| Error::PtauBadPoint {
                section: 2,
                index,
                reason,
            };
            let x = decode_fq(&c[..N8Q], &r_inv).ok_or_else(|| bad("coordinate not reduced"))?;
            let y = decode_fq(&c[N8Q..], &r_inv).ok_or_else(|| bad("coordinate not reduced"))?;
            if x.is_zero() && y.is_zero() {
                return Err(bad("point at infinity"));
            }
            let p = G1Affine::new_unchecked(x, y);
            if !p.is_on_curve() {
                return Err(bad("not on the curve"));
            }
            Ok(p)
        })
        .collect::<Result<_, _>>()?;
    drop(raw);

    // Section 3: τ^i·G2, 2^power points; the first two are G2 and τ·G2.
    let s3 = get(3)?;
    if s3.size != (1u64 << power) * 4 * N8Q as u64 {
        return Err(Error::PtauFormat {
            reason: "tauG2 section has the wrong size",
        });
    }
    r.seek(SeekFrom::Start(s3.offset))
        .map_err(Error::io("seeking in .ptau file"))?;
    let mut g2s = Vec::with_capacity(2);
    for index in 0..2 {
        let mut c = [0u8; 4 * N8Q];
        rd(&mut r, &mut c, "tauG2 points")?;
        let bad = |reason| Error::PtauBadPoint {
            section: 3,
            index,
            reason,
        };
        let mut co = [Fq::from(0u64); 4];
        for (k, slot) in co.iter_mut().enumerate() {
            *slot = decode_fq(&c[k * N8Q..(k + 1) * N8Q], &r_inv)
                .ok_or_else(|| bad("coordinate not reduced"))?;
        }
        let x = Fq2::new(co[0], co[1]);
        let y = Fq2::new(co[2], co[3]);
        if x.is_zero() && y.is_zero() {
            return Err(bad("point at infinity"));
        }
        let p = G2Affine::new_unchecked(x, y);
        if !p.is_on_curve() {
            return Err(bad("not on the curve"));
        }
        if !p.is_in_correct_subgroup_assuming_on_curve() {
            return Err(bad("not in the prime-order subgroup"));
        }
        g2s.push(p);
    }
    let (g2, tau_g2) = match g2s[..] {
        [a, b] => (a, b),
        _ => {
            return Err(Error::PtauTruncated {
                what: "tauG2 points",
            })
        }
    };
    let srs = Srs::from_parts(g1_powers, g2, tau_g2, false)?;
    srs.check_consistency(0x7a6b_706f_7450_7461)?;
    Ok(srs)
}
