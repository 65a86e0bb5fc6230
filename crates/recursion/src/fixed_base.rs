//! Multi-scalar multiplication over fixed bases, with precomputed window shifts.
//!
//! For bases `G_0..G_{n−1}` known in advance (the IPA's generators), the table holds
//! `T_{i,j} = 2^{c·j}·G_i` for `W` windows of `c` bits. A scalar `s_i` is recoded in signed
//! digits `d_{i,j} ∈ (−2^{c−1}, 2^{c−1}]` with `s_i = Σ_j d_{i,j}·2^{c·j}` (`c·W ≥ bits + 1`, so the
//! last window absorbs the final carry), hence
//!
//! ```text
//! Σ_i s_i·G_i = Σ_i Σ_j d_{i,j}·T_{i,j} = Σ_{k=1}^{2^{c−1}} k·B_k,   B_k = Σ_{d_{i,j} = ±k} ±T_{i,j}
//! ```
//!
//! one pass of `n·W` bucket additions and `2·2^{c−1}` for the running sums, where a
//! variable-base Pippenger needs `W` passes, each with its own running sums and `c` doublings.
//! For the 2^11 generators of the CycleFold decider this is about half the additions.

use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField};
use rayon::prelude::*;

/// Precomputed window shifts of fixed bases (module docs).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct FixedBaseMsm<C: CurveGroup> {
    /// Bits per window, `c`.
    window: usize,
    /// Windows per scalar, `W`.
    windows: usize,
    /// `table[i·W + j] = 2^{c·j}·G_i`.
    table: Vec<C::Affine>,
}

/// Scalars per parallel chunk (each chunk keeps its own buckets).
const CHUNK_MIN: usize = 256;

impl<C: CurveGroup> std::fmt::Debug for FixedBaseMsm<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FixedBaseMsm {{ bases: {}, window: {}, windows: {} }}",
            self.len(),
            self.window,
            self.windows
        )
    }
}

impl<C: CurveGroup> FixedBaseMsm<C> {
    /// The table for `bases`, with the window that minimizes the additions for `bases.len()`.
    pub(crate) fn new(bases: &[C::Affine]) -> Self {
        let bits = C::ScalarField::MODULUS_BIT_SIZE as usize;
        let n = bases.len().max(1);
        // n·W mixed additions, and two full additions (≈ 3 mixed ones) per bucket.
        let window = (4..=16)
            .min_by_key(|&c| n * (bits + 1).div_ceil(c) + 3 * (1usize << (c - 1)))
            .unwrap_or(8);
        let windows = (bits + 1).div_ceil(window);
        let shifts: Vec<C> = bases
            .par_iter()
            .flat_map_iter(|g| {
                let mut p: C = (*g).into();
                (0..windows).map(move |j| {
                    if j > 0 {
                        for _ in 0..window {
                            p.double_in_place();
                        }
                    }
                    p
                })
            })
            .collect();
        Self {
            window,
            windows,
            table: C::normalize_batch(&shifts),
        }
    }

    /// The number of bases.
    pub(crate) fn len(&self) -> usize {
        self.table.len() / self.windows.max(1)
    }

    /// `Σ_i scalars[i]·G_i` over the first `scalars.len()` bases (at most [`Self::len`]).
    pub(crate) fn msm(&self, scalars: &[C::ScalarField]) -> C {
        let scalars = &scalars[..scalars.len().min(self.len())];
        let chunk = scalars
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(CHUNK_MIN);
        scalars
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.chunk_msm(k * chunk, part))
            .reduce(C::zero, |a, b| a + b)
    }

    fn chunk_msm(&self, first: usize, scalars: &[C::ScalarField]) -> C {
        let half = 1usize << (self.window - 1);
        let mut buckets = vec![C::ZERO_BUCKET; half];
        let mut digits = vec![0i64; self.windows];
        for (i, s) in scalars.iter().enumerate() {
            signed_digits(&s.into_bigint(), self.window, &mut digits);
            let row = &self.table[(first + i) * self.windows..][..self.windows];
            for (d, t) in digits.iter().zip(row) {
                match d.signum() {
                    1 => buckets[(*d - 1) as usize] += t,
                    -1 => buckets[(-*d - 1) as usize] -= t,
                    _ => {}
                }
            }
        }
        // Σ_k k·B_k by running sums from the top bucket down.
        let mut running = C::ZERO_BUCKET;
        let mut total = C::ZERO_BUCKET;
        for b in buckets.iter().rev() {
            running += b;
            total += &running;
        }
        total.into()
    }
}

/// Writes the signed base-`2^c` digits of `s` into `out` (`out.len()` windows, enough that the
/// last one takes the final carry): `s = Σ_j out[j]·2^{c·j}`, `out[j] ∈ (−2^{c−1}, 2^{c−1}]`.
fn signed_digits<B: BigInteger>(s: &B, c: usize, out: &mut [i64]) {
    let limbs = s.as_ref();
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    for (j, d) in out.iter_mut().enumerate() {
        let start = j * c;
        // The window's bits, read across limb boundaries.
        let (limb, off) = (start / 64, start % 64);
        let mut raw = limbs.get(limb).map_or(0, |l| l >> off);
        if off + c > 64 {
            raw |= limbs.get(limb + 1).map_or(0, |l| l << (64 - off));
        }
        let coef = (raw & ((1u64 << c) - 1)) as i64 + carry;
        if coef > half {
            *d = coef - (1i64 << c);
            carry = 1;
        } else {
            *d = coef;
            carry = 0;
        }
    }
    debug_assert_eq!(carry, 0, "too few windows for the final carry");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{PrimeGroup, VariableBaseMSM};
    use ark_ff::{One, UniformRand, Zero};
    use ark_grumpkin::{Fr as GrumpkinScalar, Projective as GrumpkinPoint};
    use rand::SeedableRng;

    #[test]
    fn digits_recompose_the_scalar() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let bits = GrumpkinScalar::MODULUS_BIT_SIZE as usize;
        let mut scalars = vec![
            GrumpkinScalar::zero(),
            GrumpkinScalar::one(),
            -GrumpkinScalar::one(),
        ];
        scalars.extend((0..50).map(|_| GrumpkinScalar::rand(&mut rng)));
        for c in [2, 5, 8, 11, 12, 13, 16] {
            let windows = (bits + 1).div_ceil(c);
            let mut digits = vec![0i64; windows];
            for s in &scalars {
                signed_digits(&s.into_bigint(), c, &mut digits);
                let base = GrumpkinScalar::from(1u64 << c);
                let back = digits.iter().rev().fold(GrumpkinScalar::zero(), |acc, d| {
                    acc * base + GrumpkinScalar::from(*d)
                });
                assert_eq!(back, *s, "c = {c}");
                let half = 1i64 << (c - 1);
                assert!(digits.iter().all(|d| -half < *d && *d <= half));
            }
        }
    }

    #[test]
    fn equals_variable_base_msm() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        for n in [1usize, 3, 64, 600] {
            let bases: Vec<_> = (0..n)
                .map(|_| GrumpkinPoint::rand(&mut rng).into_affine())
                .collect();
            let fixed = FixedBaseMsm::<GrumpkinPoint>::new(&bases);
            assert_eq!(fixed.len(), n);
            let mut scalars: Vec<GrumpkinScalar> =
                (0..n).map(|_| GrumpkinScalar::rand(&mut rng)).collect();
            scalars[0] = -GrumpkinScalar::one();
            let expected = GrumpkinPoint::msm_unchecked(&bases, &scalars);
            assert_eq!(fixed.msm(&scalars), expected, "n = {n}");
            // A prefix of the scalars uses the first bases only.
            let k = n.div_ceil(2);
            let prefix = GrumpkinPoint::msm_unchecked(&bases[..k], &scalars[..k]);
            assert_eq!(fixed.msm(&scalars[..k]), prefix, "prefix of n = {n}");
        }
        let g = GrumpkinPoint::generator().into_affine();
        let fixed = FixedBaseMsm::<GrumpkinPoint>::new(&[g]);
        assert!(fixed.msm(&[GrumpkinScalar::zero()]).is_zero());
    }
}
