//! The Poseidon permutation of the transcript's sponge ([`crate::transcript::poseidon_config`]),
//! computed two ways that give the same function.
//!
//! [`Reference`] is arkworks' round function as written: for each round `r`,
//!
//! ```text
//! s ← s + c_r;   S-box x ↦ x^5 on every element (full rounds) or on s_0 (partial rounds);   s ← M·s
//! ```
//!
//! [`Fast`] is the equivalent form of the Poseidon paper's appendix B, for the partial rounds:
//!
//! 1. **Constants.** In a partial round only `s_0` meets the S-box, so the part `(0, c_1, c_2)`
//!    of its constant passes the S-box unchanged and can be pushed through `M` into the next
//!    round: with `c'_r = c_r + v_r` (`v` starts at 0), the round adds the scalar `c'_r[0]` and
//!    `v_{r+1} = M·(0, c'_r[1], c'_r[2])`; the last `v` joins the first full round after.
//! 2. **Matrices.** A round's matrix `N` factors as `N = M''·M'` with `M' = diag(1, Â)`
//!    (`Â` the lower-right block of `N`) and `M'' = [[N_00, bᵀ], [w, I]]`, `w` the first column
//!    below the diagonal and `bᵀ = (N_01, N_02)·Â⁻¹`. `M'` fixes `s_0` and mixes the rest, so it
//!    commutes with the S-box on `s_0` and with a constant added to `s_0`: it moves into the
//!    previous round's matrix (`N_{r−1} = M'_r·M`, the last full round before the partial ones
//!    taking `M'_1·M`). Applying `M''` costs 5 multiplications instead of 9.
//!
//! Matrix–vector products use `Σ a_i·b_i` with one modular reduction (`sum_of_products`).
//! Tests compare the two forms on random states; the transcript's tests compare the sponge with
//! arkworks' `PoseidonSponge`.

use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_ff::{Field, Zero};

use crate::field::F;

/// Sponge width `t = rate + capacity`.
pub(crate) const WIDTH: usize = 3;

type Row = [F; WIDTH];
type Matrix = [Row; WIDTH];

fn sbox(x: &mut F) {
    let x4 = x.square().square();
    *x *= x4;
}

fn mat_vec(m: &Matrix, s: &Row) -> Row {
    [
        F::sum_of_products(&m[0], s),
        F::sum_of_products(&m[1], s),
        F::sum_of_products(&m[2], s),
    ]
}

fn add_rows(a: &Row, b: &Row) -> Row {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn mat_mul(a: &Matrix, b: &Matrix) -> Matrix {
    let col = |j: usize| [b[0][j], b[1][j], b[2][j]];
    let cols = [col(0), col(1), col(2)];
    a.map(|row| cols.map(|c| F::sum_of_products(&row, &c)))
}

/// The permutation as arkworks writes it: round constants, S-boxes, the MDS matrix.
#[derive(Clone, Debug)]
pub(crate) struct Reference {
    /// Round constants, one row per round (full, partial, full).
    pub(crate) ark: Vec<Row>,
    /// The MDS matrix.
    pub(crate) mds: Matrix,
    /// Full rounds before (and after) the partial ones.
    pub(crate) full_rounds_half: usize,
    /// Partial rounds.
    pub(crate) partial_rounds: usize,
}

impl Reference {
    /// The permutation of a width-3 arkworks configuration.
    pub(crate) fn from_config(c: &PoseidonConfig<F>) -> Self {
        let row = |v: &[F]| -> Row { [v[0], v[1], v[2]] };
        Self {
            ark: c.ark.iter().map(|r| row(r)).collect(),
            mds: [row(&c.mds[0]), row(&c.mds[1]), row(&c.mds[2])],
            full_rounds_half: c.full_rounds / 2,
            partial_rounds: c.partial_rounds,
        }
    }

    pub(crate) fn permute(&self, s: &mut Row) {
        let partial_end = self.full_rounds_half + self.partial_rounds;
        for (round, c) in self.ark.iter().enumerate() {
            *s = add_rows(s, c);
            if round < self.full_rounds_half || round >= partial_end {
                s.iter_mut().for_each(sbox);
            } else {
                sbox(&mut s[0]);
            }
            *s = mat_vec(&self.mds, s);
        }
    }
}

/// A partial round's sparse matrix `M'' = [[a, bᵀ], [w, I]]`.
#[derive(Clone, Copy, Debug)]
struct Sparse {
    /// `(a, b_1, b_2)`: the first row.
    first_row: Row,
    /// `(w_1, w_2)`: the first column below the diagonal.
    w: [F; 2],
}

impl Sparse {
    /// `N = M''·diag(1, Â)`: returns `M''` and `Â`, or `None` if `Â` is singular.
    fn factor(n: &Matrix) -> Option<(Self, [[F; 2]; 2])> {
        let hat = [[n[1][1], n[1][2]], [n[2][1], n[2][2]]];
        let det_inv = (hat[0][0] * hat[1][1] - hat[0][1] * hat[1][0]).inverse()?;
        let inv = [
            [hat[1][1] * det_inv, -hat[0][1] * det_inv],
            [-hat[1][0] * det_inv, hat[0][0] * det_inv],
        ];
        let b = [
            n[0][1] * inv[0][0] + n[0][2] * inv[1][0],
            n[0][1] * inv[0][1] + n[0][2] * inv[1][1],
        ];
        let sparse = Self {
            first_row: [n[0][0], b[0], b[1]],
            w: [n[1][0], n[2][0]],
        };
        Some((sparse, hat))
    }

    fn apply(&self, s: &mut Row) {
        let s0 = s[0];
        s[0] = F::sum_of_products(&self.first_row, s);
        s[1] += self.w[0] * s0;
        s[2] += self.w[1] * s0;
    }
}

/// The same permutation with scalar constants and sparse matrices in the partial rounds.
#[derive(Clone, Debug)]
pub(crate) struct Fast {
    mds: Matrix,
    /// Constants of the full rounds before the partial ones.
    first_full: Vec<Row>,
    /// Matrix of the last full round before the partial ones: `M'_1·M`.
    pre_partial: Matrix,
    /// `c'_r[0]` per partial round.
    partial_constants: Vec<F>,
    /// `M''_r` per partial round.
    partial_matrices: Vec<Sparse>,
    /// Constants of the full rounds after the partial ones (the first with the pushed `v`).
    last_full: Vec<Row>,
}

impl Fast {
    /// The fast form of `r`, or `None` when it has no full or no partial rounds, or a
    /// factorization meets a singular block (never for an MDS matrix).
    pub(crate) fn new(r: &Reference) -> Option<Self> {
        let (h, p) = (r.full_rounds_half, r.partial_rounds);
        if h == 0 || p == 0 || r.ark.len() != 2 * h + p {
            return None;
        }
        let mut v = [F::zero(); WIDTH];
        let mut partial_constants = Vec::with_capacity(p);
        for c in &r.ark[h..h + p] {
            let c = add_rows(c, &v);
            partial_constants.push(c[0]);
            v = mat_vec(&r.mds, &[F::zero(), c[1], c[2]]);
        }
        let mut last_full = r.ark[h + p..].to_vec();
        last_full[0] = add_rows(&last_full[0], &v);

        // Backwards from the last partial round, whose matrix is M.
        let mut partial_matrices = Vec::with_capacity(p);
        let mut n = r.mds;
        for _ in 0..p {
            let (sparse, hat) = Sparse::factor(&n)?;
            partial_matrices.push(sparse);
            let m_prime = [
                [F::ONE, F::zero(), F::zero()],
                [F::zero(), hat[0][0], hat[0][1]],
                [F::zero(), hat[1][0], hat[1][1]],
            ];
            n = mat_mul(&m_prime, &r.mds);
        }
        partial_matrices.reverse();
        Some(Self {
            mds: r.mds,
            first_full: r.ark[..h].to_vec(),
            pre_partial: n,
            partial_constants,
            partial_matrices,
            last_full,
        })
    }

    pub(crate) fn permute(&self, s: &mut Row) {
        let last_first = self.first_full.len() - 1;
        for (round, c) in self.first_full.iter().enumerate() {
            *s = add_rows(s, c);
            s.iter_mut().for_each(sbox);
            let m = if round == last_first {
                &self.pre_partial
            } else {
                &self.mds
            };
            *s = mat_vec(m, s);
        }
        for (c, m) in self.partial_constants.iter().zip(&self.partial_matrices) {
            s[0] += c;
            sbox(&mut s[0]);
            m.apply(s);
        }
        for c in &self.last_full {
            *s = add_rows(s, c);
            s.iter_mut().for_each(sbox);
            *s = mat_vec(&self.mds, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::poseidon_config;
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    fn reference() -> Reference {
        Reference::from_config(poseidon_config())
    }

    #[test]
    fn fast_form_equals_reference() {
        let r = reference();
        let fast = Fast::new(&r).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let mut states = vec![[F::zero(); WIDTH], [F::ONE, F::zero(), -F::ONE]];
        states.extend((0..100).map(|_| [F::rand(&mut rng), F::rand(&mut rng), F::rand(&mut rng)]));
        for s in states {
            let (mut a, mut b) = (s, s);
            r.permute(&mut a);
            fast.permute(&mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn factorization_recomposes() {
        let r = reference();
        let (sparse, hat) = Sparse::factor(&r.mds).unwrap();
        let m_second = [
            sparse.first_row,
            [sparse.w[0], F::ONE, F::zero()],
            [sparse.w[1], F::zero(), F::ONE],
        ];
        let m_prime = [
            [F::ONE, F::zero(), F::zero()],
            [F::zero(), hat[0][0], hat[0][1]],
            [F::zero(), hat[1][0], hat[1][1]],
        ];
        assert_eq!(mat_mul(&m_second, &m_prime), r.mds);
    }

    #[test]
    fn degenerate_shapes_have_no_fast_form() {
        let mut r = reference();
        r.partial_rounds = 0;
        assert!(Fast::new(&r).is_none());
        let mut r = reference();
        r.mds[1] = [F::zero(); WIDTH];
        r.mds[2] = [F::zero(); WIDTH];
        assert!(Fast::new(&r).is_none());
    }
}
