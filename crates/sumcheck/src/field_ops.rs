//! Branch-free BN254 `Fr` arithmetic on Montgomery limbs, for the prover's inner loops.
//!
//! An element `x ∈ F` is stored by arkworks as its Montgomery representative
//! `x̂ = x·R mod p ∈ [0, p)`, `R = 2^256`, in four little-endian 64-bit limbs; this module reads
//! and writes that representation directly (`F::new_unchecked`, `x.0`), so every function is a
//! drop-in replacement for the arkworks operator and gives the identical element.
//!
//! * [`add`], [`sub`], [`fold`]: arkworks reduces a sum or difference with a data-dependent
//!   branch (`if a ≥ p`, `if b > a`) that on random field elements goes either way with
//!   probability ½, so it mispredicts about every other call (≈ 15–20 cycles each). Here the
//!   limb arithmetic is done unconditionally and the result picked with a mask. (arkworks'
//!   Montgomery multiplication is kept: its final subtraction is rarely needed, so its branch
//!   is well predicted, and a branch-free copy measured no faster.)
//! * [`WideAcc`]: delayed reduction for sums of products. `Σ_i x̂_i·ŷ_i` is accumulated as a
//!   plain 576-bit integer `S` (each product is `< p² < 2^508`, so a sum of up to `2^60`
//!   products fits), and reduced once at the end: one Montgomery reduction gives
//!   `S·R⁻¹ ≡ Σ (x_i·y_i)·R`, the representative of `Σ x_i·y_i`. A product added this way costs
//!   the 16 word multiplications of the schoolbook product instead of the 36 (16 + 4 + 16) of a
//!   Montgomery multiplication.

use ark_ff::{BigInt, MontConfig, PrimeField};

use crate::field::F;

/// The modulus `p` as limbs.
const P: [u64; 4] = <F as PrimeField>::MODULUS.0;
/// `−p⁻¹ mod 2^64`.
const INV: u64 = <ark_bn254::FrConfig as MontConfig<4>>::INV;

// `add` needs `2p < 2^256` (no carry out of the top limb).
const _: () = assert!(P[3] < 1 << 63);

#[inline(always)]
fn limbs(x: &F) -> [u64; 4] {
    (x.0).0
}

#[inline(always)]
fn from_limbs(l: [u64; 4]) -> F {
    F::new_unchecked(BigInt(l))
}

/// `a + b + carry`, returns the low word and sets `carry`.
#[inline(always)]
fn adc(a: u64, b: u64, carry: &mut bool) -> u64 {
    let (s, c) = a.carrying_add(b, *carry);
    *carry = c;
    s
}

/// `a − b − borrow`, returns the low word and sets `borrow`.
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: &mut bool) -> u64 {
    let (d, c) = a.borrowing_sub(b, *borrow);
    *borrow = c;
    d
}

/// `a + b·c + carry`, returns the low word and sets `carry` to the high word (no overflow).
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: &mut u64) -> u64 {
    let (lo, hi) = b.carrying_mul_add(c, a, *carry);
    *carry = hi;
    lo
}

/// All ones if `bit`, else zero.
#[inline(always)]
fn mask(bit: bool) -> u64 {
    u64::from(bit).wrapping_neg()
}

/// `x` if `x < p`, else `x − p`, for `x < 2p`; no branch.
#[inline(always)]
fn reduce_once(x: [u64; 4]) -> [u64; 4] {
    let mut borrow = false;
    let t: [u64; 4] = std::array::from_fn(|i| sbb(x[i], P[i], &mut borrow));
    // borrow ⇔ x < p ⇔ keep x.
    let keep = mask(borrow);
    std::array::from_fn(|i| (x[i] & keep) | (t[i] & !keep))
}

/// `a + b`.
#[inline(always)]
pub(crate) fn add(a: F, b: F) -> F {
    let (a, b) = (limbs(&a), limbs(&b));
    let mut carry = false;
    // a + b < 2p < 2^256: no carry out.
    let s: [u64; 4] = std::array::from_fn(|i| adc(a[i], b[i], &mut carry));
    from_limbs(reduce_once(s))
}

/// `a − b`.
#[inline(always)]
pub(crate) fn sub(a: F, b: F) -> F {
    let (a, b) = (limbs(&a), limbs(&b));
    let mut borrow = false;
    let d: [u64; 4] = std::array::from_fn(|i| sbb(a[i], b[i], &mut borrow));
    // borrow ⇔ a < b ⇔ add p back (d wrapped around 2^256).
    let m = mask(borrow);
    let mut carry = false;
    from_limbs(std::array::from_fn(|i| adc(d[i], P[i] & m, &mut carry)))
}

/// `e + r·(o − e)`: the multilinear fold of the pair `(e, o)` at `r` (arkworks' Montgomery
/// multiplication, whose final subtraction is rarely needed and so well predicted).
#[inline(always)]
pub(crate) fn fold(e: F, o: F, r: F) -> F {
    add(e, r * sub(o, e))
}

/// The 512-bit integer product `â·b̂` of two representatives.
#[inline(always)]
fn mul_wide(a: &[u64; 4], b: &[u64; 4]) -> [u64; 8] {
    let mut t = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0;
        for j in 0..4 {
            t[i + j] = mac(t[i + j], a[i], b[j], &mut carry);
        }
        t[i + 4] = carry;
    }
    t
}

/// An unreduced sum of products `Σ_i a_i·b_i` (see the module docs); [`WideAcc::reduce`] turns
/// it into the field element. Holds at most `2^60` terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WideAcc([u64; 9]);

impl WideAcc {
    /// `self += a·b`.
    #[inline(always)]
    pub(crate) fn add_product(&mut self, a: F, b: F) {
        let t = mul_wide(&limbs(&a), &limbs(&b));
        let mut carry = false;
        for (s, x) in self.0.iter_mut().zip(t) {
            *s = adc(*s, x, &mut carry);
        }
        self.0[8] += u64::from(carry);
    }

    /// `self += a` (as the product `a·1`, i.e. the integer `â·R`: `â` shifted by four limbs).
    #[inline(always)]
    pub(crate) fn add_element(&mut self, a: F) {
        let a = limbs(&a);
        let mut carry = false;
        for (s, x) in self.0[4..8].iter_mut().zip(a) {
            *s = adc(*s, x, &mut carry);
        }
        self.0[8] += u64::from(carry);
    }

    /// `self += other`.
    #[inline]
    pub(crate) fn merge(mut self, other: Self) -> Self {
        let mut carry = false;
        for (s, x) in self.0.iter_mut().zip(other.0) {
            *s = adc(*s, x, &mut carry);
        }
        self
    }

    /// The field element `Σ a_i·b_i`.
    pub(crate) fn reduce(&self) -> F {
        // Montgomery reduction of the 9-limb S < 2^568: four steps t ← (t + k·p)/2^64 with
        // k = t_0·(−p⁻¹) mod 2^64 leave T = (S + K·p)/R ≡ S·R⁻¹ (mod p), T < 2^313.
        let mut t = self.0;
        for i in 0..4 {
            let k = t[i].wrapping_mul(INV);
            let mut carry = 0;
            for j in 0..4 {
                t[i + j] = mac(t[i + j], k, P[j], &mut carry);
            }
            let mut c = false;
            t[i + 4] = adc(t[i + 4], carry, &mut c);
            for x in &mut t[i + 5..] {
                *x = adc(*x, 0, &mut c);
            }
        }
        // T = lo + t_8·2^256 with lo < 2^256 < 6p; its field element is rep⁻¹(lo mod p) plus
        // rep⁻¹(t_8·R mod p) = F::from(t_8).
        let mut lo = [t[4], t[5], t[6], t[7]];
        while BigInt(lo) >= BigInt(P) {
            let mut borrow = false;
            lo = std::array::from_fn(|i| sbb(lo[i], P[i], &mut borrow));
        }
        from_limbs(lo) + F::from(t[8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{One, Zero};
    use ark_std::UniformRand;
    use rand::SeedableRng;

    fn edge_cases() -> Vec<F> {
        let mut v = vec![
            F::zero(),
            F::one(),
            -F::one(),
            F::from(2u64),
            -F::from(2u64),
        ];
        // Extreme representatives: 1, p − 1, p − 2, and single bits up to 2^252.
        for l in [
            [1u64, 0, 0, 0],
            [P[0] - 1, P[1], P[2], P[3]],
            [P[0] - 2, P[1], P[2], P[3]],
        ] {
            v.push(from_limbs(l));
        }
        for k in [0usize, 63, 64, 127, 191, 200, 252] {
            let mut l = [0u64; 4];
            l[k / 64] = 1 << (k % 64);
            v.push(from_limbs(l));
        }
        v
    }

    #[test]
    fn ops_match_arkworks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let mut xs = edge_cases();
        xs.extend((0..300).map(|_| F::rand(&mut rng)));
        for &a in &xs {
            for &b in &xs {
                assert_eq!(add(a, b), a + b);
                assert_eq!(sub(a, b), a - b);
            }
            for &r in xs.iter().step_by(7) {
                assert_eq!(fold(a, xs[3], r), a + r * (xs[3] - a));
            }
        }
    }

    #[test]
    fn wide_accumulator_matches_arkworks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let edge = edge_cases();
        assert_eq!(WideAcc::default().reduce(), F::zero());
        for &a in &edge {
            for &b in &edge {
                let mut w = WideAcc::default();
                w.add_product(a, b);
                assert_eq!(w.reduce(), a * b);
                let mut w = WideAcc::default();
                w.add_element(a);
                w.add_element(b);
                assert_eq!(w.reduce(), a + b);
            }
        }
        // Long mixed sums split over two accumulators and merged (the 9th limb in use).
        for n in [1usize, 2, 17, 1000, 100_000] {
            let (mut w, mut w2) = (WideAcc::default(), WideAcc::default());
            let mut want = F::zero();
            for i in 0..n {
                let (a, b) = if i % 2 == 0 {
                    (-F::one() - F::from(i as u64), -F::one())
                } else {
                    (F::rand(&mut rng), F::rand(&mut rng))
                };
                want += a * b + a;
                let acc = if i < n / 3 { &mut w } else { &mut w2 };
                acc.add_product(a, b);
                acc.add_element(a);
            }
            assert_eq!(w.merge(w2).reduce(), want, "n = {n}");
        }
        // 2^28 products of the largest representative: S close to 2^536.
        let max = from_limbs([P[0] - 1, P[1], P[2], P[3]]);
        let mut w = WideAcc::default();
        for _ in 0..1 << 12 {
            w.add_product(max, max);
        }
        for _ in 0..16 {
            w = w.merge(w);
        }
        assert_eq!(w.reduce(), max * max * F::from(1u64 << 28));
    }

    /// Throughput against arkworks on 2^15 random inputs (too many for the branch predictor to
    /// learn the outcomes of arkworks' reductions), each operation writing its own output
    /// (independent operations, as in the sumcheck loops): `cargo test --release -p sumcheck
    /// --lib field_ops -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn microbench() {
        use std::hint::black_box;
        use std::time::Instant;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        const N: usize = 1 << 15;
        let xs: Vec<F> = (0..N).map(|_| F::rand(&mut rng)).collect();
        let ys: Vec<F> = (0..N).map(|_| F::rand(&mut rng)).collect();
        let r = F::rand(&mut rng);
        type Op<'a> = &'a dyn Fn(&[F], &[F], &mut [F]);
        let time = |name: &str, f: Op<'_>| {
            let mut out = vec![F::zero(); N];
            let mut best = f64::MAX;
            for _ in 0..30 {
                let t = Instant::now();
                f(black_box(&xs), black_box(&ys), &mut out);
                black_box(&out);
                best = best.min(t.elapsed().as_secs_f64() * 1e9 / N as f64);
            }
            println!("{name:28} {best:6.2} ns");
        };
        fn each(op: impl Fn(F, F) -> F) -> impl Fn(&[F], &[F], &mut [F]) {
            move |x, y, out| {
                for ((o, a), b) in out.iter_mut().zip(x).zip(y) {
                    *o = op(*a, *b);
                }
            }
        }
        time("arkworks a + b", &each(|a, b| a + b));
        time("branch-free add", &each(add));
        time("arkworks a - b", &each(|a, b| a - b));
        time("branch-free sub", &each(sub));
        time("arkworks a * b", &each(|a, b| a * b));
        time("arkworks fold e + r(o - e)", &each(|a, b| a + r * (b - a)));
        time("branch-free fold", &each(|a, b| fold(a, b, r)));
        time("arkworks sum of a * b", &|x, y, out| {
            out[0] = x.iter().zip(y).map(|(a, b)| *a * b).sum();
        });
        time("WideAcc sum of a * b", &|x, y, out| {
            let mut w = WideAcc::default();
            for (a, b) in x.iter().zip(y) {
                w.add_product(*a, *b);
            }
            out[0] = w.reduce();
        });
    }
}
