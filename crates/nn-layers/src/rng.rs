//! The public, portable randomness used for initialization, shuffling and synthetic data.
//!
//! A `u64` seed `s` becomes the ChaCha20 key `s.to_le_bytes() ‖ 0^24` (`ChaCha20Rng::from_seed`,
//! whose output stream is value-stable in `rand_chacha` 0.3). Integers below a bound `n` are drawn
//! by rejection: take `x = next_u64()` until `x < n·floor((2^64-1)/n)`, return `x mod n`. This
//! definition does not depend on `rand`'s (version-dependent) range sampling.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The generator type.
pub type Rng = ChaCha20Rng;

/// ChaCha20 keyed by the seed's little-endian bytes followed by 24 zero bytes.
pub fn rng_from_seed(seed: u64) -> Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    ChaCha20Rng::from_seed(key)
}

/// Unbiased integer in `[0, n)` by rejection sampling (`n >= 1`; returns 0 for `n = 0`).
pub fn uniform_below(rng: &mut Rng, n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let zone = (u64::MAX / n) * n; // n·floor((2^64-1)/n) <= 2^64 - 1
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// Fisher–Yates permutation of `0..n` from a public seed: for `i = n-1` down to `1`, swap
/// position `i` with `j = uniform_below(i + 1)`.
pub fn shuffle_permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut rng = rng_from_seed(seed);
    for i in (1..n).rev() {
        let j = uniform_below(&mut rng, (i + 1) as u64) as usize;
        perm.swap(i, j);
    }
    perm
}
