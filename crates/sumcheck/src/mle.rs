//! Multilinear polynomials in evaluation form, and eq tables.
//!
//! A polynomial on `n` variables is stored as its `2^n` evaluations on the Boolean hypercube. The
//! index of the point `x = (x_0, ..., x_{n-1}) ∈ {0,1}^n` is `Σ_i x_i·2^i`: **`x_0` is the least
//! significant bit**. A point `r = (r_0, ..., r_{n-1})` lists values in that same order, and
//!
//! ```text
//! P(r) = Σ_x eq(r, x)·P(x),   eq(r, x) = Π_i (r_i·x_i + (1 - r_i)·(1 - x_i)).
//! ```
//!
//! Binding order: [`MultilinearPoly::fix_first_variable`] binds `x_0` (the low bit) and every
//! sumcheck in this crate binds variables low to high, so after round `j` the polynomial is
//! `P(r_0, ..., r_j, x_{j+1}, ...)`. The high variables of a vector are its "block index": a
//! segment of length `2^k` at offset `o·2^k` of a longer vector `V` is `V` with its high
//! variables fixed to the bits of `o` (how batches are read from the dataset, SPEC §4).

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

use crate::field::{F, PAR_THRESHOLD};

/// A multilinear polynomial given by its evaluations on `{0,1}^num_vars` (low bit = `x_0`).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MultilinearPoly {
    num_vars: usize,
    evals: Vec<F>,
}

impl MultilinearPoly {
    /// Wrap `evals`; its length must be a power of two (`1` for a constant).
    pub fn new(evals: Vec<F>) -> Result<Self, crate::Error> {
        if !evals.len().is_power_of_two() {
            return Err(crate::Error::NotPowerOfTwo { len: evals.len() });
        }
        let num_vars = evals.len().trailing_zeros() as usize;
        Ok(Self { num_vars, evals })
    }

    /// Pad `evals` with zeros to the next power of two (at least `2^min_vars`) and wrap it.
    pub fn from_padded(mut evals: Vec<F>, min_vars: usize) -> Self {
        let len = evals.len().max(1).next_power_of_two().max(1 << min_vars);
        evals.resize(len, F::zero());
        let num_vars = len.trailing_zeros() as usize;
        Self { num_vars, evals }
    }

    /// Embed signed integers (`a mod p`) and pad to a power of two.
    pub fn from_i64s(values: &[i64]) -> Self {
        let evals = if values.len() >= PAR_THRESHOLD {
            values
                .par_iter()
                .map(|&v| crate::field::from_i64(v))
                .collect()
        } else {
            values.iter().map(|&v| crate::field::from_i64(v)).collect()
        };
        Self::from_padded(evals, 0)
    }

    /// The zero polynomial on `num_vars` variables.
    pub fn zero(num_vars: usize) -> Self {
        Self {
            num_vars,
            evals: vec![F::zero(); 1 << num_vars],
        }
    }

    /// Number of variables `n`.
    pub fn num_vars(&self) -> usize {
        self.num_vars
    }

    /// Number of evaluations `2^n`.
    pub fn len(&self) -> usize {
        self.evals.len()
    }

    /// Never true: a polynomial has at least one evaluation.
    pub fn is_empty(&self) -> bool {
        self.evals.is_empty()
    }

    /// The evaluations, indexed by `Σ x_i·2^i`.
    pub fn evals(&self) -> &[F] {
        &self.evals
    }

    /// Consume and return the evaluations.
    pub fn into_evals(self) -> Vec<F> {
        self.evals
    }

    /// Bind `x_0 := r` in place: `P'(x_1..) = P(0, x_1..) + r·(P(1, x_1..) - P(0, x_1..))`.
    /// A constant polynomial is left unchanged.
    pub fn fix_first_variable(&mut self, r: F) {
        if self.num_vars == 0 {
            return;
        }
        let half = self.evals.len() / 2;
        let folded: Vec<F> = if half >= PAR_THRESHOLD {
            self.evals
                .par_chunks_exact(2)
                .map(|p| p[0] + r * (p[1] - p[0]))
                .collect()
        } else {
            self.evals
                .chunks_exact(2)
                .map(|p| p[0] + r * (p[1] - p[0]))
                .collect()
        };
        self.evals = folded;
        self.num_vars -= 1;
    }

    /// Bind the low variables `x_0 := r[0], x_1 := r[1], ...` (partial evaluation).
    pub fn fix_low_variables(&self, r: &[F]) -> Self {
        assert!(r.len() <= self.num_vars, "more values than variables");
        let mut out = self.clone();
        for &ri in r {
            out.fix_first_variable(ri);
        }
        out
    }

    /// Bind the high variables: `r[0]` goes to `x_{n-k}`, ..., `r[k-1]` to `x_{n-1}` (`k = r.len()`).
    /// The result is `Σ_{y ∈ {0,1}^k} eq(r, y)·P(·, y)`: a weighted sum of `2^k` blocks.
    pub fn fix_high_variables(&self, r: &[F]) -> Self {
        assert!(r.len() <= self.num_vars, "more values than variables");
        let block = 1usize << (self.num_vars - r.len());
        let weights = eq_table(r);
        let evals: Vec<F> = (0..block)
            .into_par_iter()
            .with_min_len(PAR_THRESHOLD)
            .map(|i| {
                weights
                    .iter()
                    .enumerate()
                    .map(|(y, w)| *w * self.evals[y * block + i])
                    .sum()
            })
            .collect();
        Self {
            num_vars: self.num_vars - r.len(),
            evals,
        }
    }

    /// Evaluate at `point` (length must equal `num_vars`). Prover-side; see [`Self::try_evaluate`].
    pub fn evaluate(&self, point: &[F]) -> F {
        assert_eq!(point.len(), self.num_vars, "point has the wrong dimension");
        evaluate_evals(&self.evals, point)
    }

    /// Evaluate at `point`, or `None` if the dimension is wrong.
    pub fn try_evaluate(&self, point: &[F]) -> Option<F> {
        (point.len() == self.num_vars).then(|| evaluate_evals(&self.evals, point))
    }

    /// Lift to `num_vars` variables by adding high variables on which it is zero-padded: the new
    /// polynomial is `P(x_low)·Π_{high}(1 - x_j)` (the vector padded with zeros).
    pub fn pad_to_vars(&self, num_vars: usize) -> Self {
        assert!(num_vars >= self.num_vars);
        let mut evals = self.evals.clone();
        evals.resize(1 << num_vars, F::zero());
        Self { num_vars, evals }
    }
}

/// Evaluate the multilinear extension of `evals` (length `2^point.len()`) at `point` by folding
/// low to high. `O(2^n)` field multiplications.
pub fn evaluate_evals(evals: &[F], point: &[F]) -> F {
    debug_assert_eq!(evals.len(), 1 << point.len());
    if point.is_empty() {
        return evals[0];
    }
    // Fold the first variable straight from the borrowed slice, then in place.
    let r0 = point[0];
    let mut buf: Vec<F> = if evals.len() >= 2 * PAR_THRESHOLD {
        evals
            .par_chunks_exact(2)
            .map(|p| p[0] + r0 * (p[1] - p[0]))
            .collect()
    } else {
        evals
            .chunks_exact(2)
            .map(|p| p[0] + r0 * (p[1] - p[0]))
            .collect()
    };
    for &r in &point[1..] {
        let half = buf.len() / 2;
        for i in 0..half {
            buf[i] = buf[2 * i] + r * (buf[2 * i + 1] - buf[2 * i]);
        }
        buf.truncate(half);
    }
    buf[0]
}

/// The table `eq(r, x)` for all `x ∈ {0,1}^{r.len()}`, indexed by `Σ x_i·2^i`.
/// Built high variable first so each step doubles the table: `2^n` multiplications.
pub fn eq_table(r: &[F]) -> Vec<F> {
    eq_table_scaled(r, F::one())
}

/// `scale · eq(r, x)` for all `x` (saves a pass when the caller wants a weighted table).
pub fn eq_table_scaled(r: &[F], scale: F) -> Vec<F> {
    let n = r.len();
    // Tables up to 2^12 entries: sequential. Larger: the table over the top 12 variables, then
    // one independent block per entry of it (in parallel).
    let top = n.min(PAR_THRESHOLD.trailing_zeros() as usize);
    let mut cur = eq_table_seq(&r[n - top..]);
    for v in &mut cur {
        *v *= scale;
    }
    if top == n {
        return cur;
    }
    let mut out = vec![F::zero(); 1 << n];
    build_eq_steps_par(&cur, &r[..n - top], &mut out);
    out
}

/// Finish an eq table: `cur` holds the table over the high variables already processed, `rest`
/// the remaining (low) coordinates; the result (`cur.len()·2^rest.len()` entries) goes to `out`.
/// Splits `out` into independent blocks, one per entry of `cur`: block `y` is
/// `cur[y]·eq(rest, ·)`, which is where the low variables of the final index live.
fn build_eq_steps_par(cur: &[F], rest: &[F], out: &mut [F]) {
    let low = eq_table_seq(rest);
    let block = low.len();
    out.par_chunks_mut(block)
        .zip(cur.par_iter())
        .for_each(|(dst, w)| {
            for (d, l) in dst.iter_mut().zip(&low) {
                *d = *w * l;
            }
        });
}

/// Sequential eq table (the building block of [`eq_table_scaled`]).
fn eq_table_seq(r: &[F]) -> Vec<F> {
    let n = r.len();
    let mut table = vec![F::zero(); 1 << n];
    table[0] = F::one();
    let mut size = 1usize;
    for &ri in r.iter().rev() {
        for j in (0..size).rev() {
            let v = table[j];
            let one = v * ri;
            table[2 * j + 1] = one;
            table[2 * j] = v - one;
        }
        size *= 2;
    }
    table
}

/// `eq(a, b) = Π (a_i·b_i + (1 - a_i)(1 - b_i))`; `None` if the dimensions differ.
pub fn eq_eval(a: &[F], b: &[F]) -> Option<F> {
    if a.len() != b.len() {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let xy = *x * y;
                xy + xy - x - y + F::one()
            })
            .product(),
    )
}

/// The bits of `index` as field elements, low bit first, `n` of them (a hypercube point).
pub fn index_to_point(index: usize, n: usize) -> Vec<F> {
    (0..n)
        .map(|i| {
            if (index >> i) & 1 == 1 {
                F::one()
            } else {
                F::zero()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }

    fn random_poly(n: usize, rng: &mut impl rand::RngCore) -> MultilinearPoly {
        MultilinearPoly::new((0..1 << n).map(|_| F::rand(rng)).collect()).unwrap()
    }

    #[test]
    fn evaluation_on_hypercube_is_lookup() {
        let mut rng = rng();
        let p = random_poly(5, &mut rng);
        for i in 0..32 {
            assert_eq!(p.evaluate(&index_to_point(i, 5)), p.evals()[i]);
        }
    }

    #[test]
    fn eq_table_matches_eq_eval() {
        let mut rng = rng();
        for n in 0..7 {
            let r: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            let t = eq_table(&r);
            for (i, v) in t.iter().enumerate() {
                assert_eq!(*v, eq_eval(&r, &index_to_point(i, n)).unwrap());
            }
        }
    }

    #[test]
    fn evaluate_equals_eq_weighted_sum() {
        let mut rng = rng();
        for n in [0, 1, 3, 8, 13] {
            let p = random_poly(n, &mut rng);
            let r: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            let brute: F = eq_table(&r)
                .iter()
                .zip(p.evals())
                .map(|(e, v)| *e * v)
                .sum();
            assert_eq!(p.evaluate(&r), brute);
        }
    }

    #[test]
    fn fixing_low_then_high_is_evaluation() {
        let mut rng = rng();
        let p = random_poly(14, &mut rng);
        let r: Vec<F> = (0..14).map(|_| F::rand(&mut rng)).collect();
        let low = p.fix_low_variables(&r[..6]);
        assert_eq!(low.evaluate(&r[6..]), p.evaluate(&r));
        let high = p.fix_high_variables(&r[9..]);
        assert_eq!(high.evaluate(&r[..9]), p.evaluate(&r));
    }

    #[test]
    fn block_is_fixed_high_variables() {
        // A segment of length 2^3 at block 5 of a 2^6 vector = high variables fixed to bits of 5.
        let mut rng = rng();
        let p = random_poly(6, &mut rng);
        let block = p.fix_high_variables(&index_to_point(5, 3));
        assert_eq!(block.evals(), &p.evals()[5 * 8..6 * 8]);
    }

    #[test]
    fn padding_and_shapes() {
        assert!(MultilinearPoly::new(vec![F::zero(); 3]).is_err());
        let p = MultilinearPoly::from_i64s(&[1, -2, 3]);
        assert_eq!(p.num_vars(), 2);
        assert_eq!(p.evals()[1], -F::from(2u64));
        assert_eq!(p.evals()[3], F::zero());
        let q = p.pad_to_vars(4);
        let mut rng = rng();
        let r: Vec<F> = (0..4).map(|_| F::rand(&mut rng)).collect();
        let expect = p.evaluate(&r[..2]) * (F::one() - r[2]) * (F::one() - r[3]);
        assert_eq!(q.evaluate(&r), expect);
        assert_eq!(p.try_evaluate(&r), None);
    }
}
