//! The optimized product prover against a textbook one: identical proof bytes, challenges and
//! final evaluations, for every degree and for sizes on both sides of the engine's
//! segmentation and compaction thresholds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sumcheck::*;

/// Round polynomial by interpolation at `t = 0, 1, ..., k` from the evaluation tables, folded
/// with plain arkworks arithmetic after each challenge.
struct NaiveProduct {
    tables: Vec<Vec<F>>,
    claim: F,
}

impl SumcheckInstanceProver for NaiveProduct {
    fn num_rounds(&self) -> usize {
        self.tables[0].len().trailing_zeros() as usize
    }
    fn degree(&self) -> usize {
        self.tables.len()
    }
    fn input_claim(&self) -> F {
        self.claim
    }
    fn round_polynomial(&mut self, _round: usize, _previous_claim: F) -> UniPoly {
        let k = self.tables.len();
        let half = self.tables[0].len() / 2;
        let evals: Vec<F> = (0..=k as u64)
            .map(|t| {
                let t = F::from(t);
                (0..half)
                    .map(|x| {
                        self.tables
                            .iter()
                            .map(|p| p[2 * x] + t * (p[2 * x + 1] - p[2 * x]))
                            .product::<F>()
                    })
                    .sum()
            })
            .collect();
        UniPoly::from_evals(&evals)
    }
    fn bind(&mut self, r: F) {
        for p in &mut self.tables {
            *p = (0..p.len() / 2)
                .map(|x| p[2 * x] + r * (p[2 * x + 1] - p[2 * x]))
                .collect();
        }
    }
    fn final_evaluations(&self) -> Vec<F> {
        self.tables.iter().map(|p| p[0]).collect()
    }
}

#[test]
fn product_prover_matches_textbook_prover_bit_for_bit() {
    let mut rng = rng(21);
    for k in 1..=4usize {
        let sizes: &[usize] = if k <= 2 {
            &[1, 2, 3, 5, 12, 13, 15, 16]
        } else {
            &[1, 2, 4, 13, 15]
        };
        for &n in sizes {
            let polys: Vec<_> = (0..k).map(|_| rand_poly(n, &mut rng)).collect();
            let mut fast = ProductProver::new(polys.clone()).unwrap();
            let mut naive = NaiveProduct {
                tables: polys.iter().map(|p| p.evals().to_vec()).collect(),
                claim: fast.input_claim(),
            };
            let brute: F = (0..1usize << n)
                .map(|x| polys.iter().map(|p| p.evals()[x]).product::<F>())
                .sum();
            assert_eq!(fast.input_claim(), brute, "k={k} n={n}");
            let (pf, rf, ef) = prove_batched(&mut [&mut fast], &mut MerlinTranscript::new(b"ref"));
            let (pn, rn, en) = prove_batched(&mut [&mut naive], &mut MerlinTranscript::new(b"ref"));
            assert_eq!(pf.to_bytes(), pn.to_bytes(), "proof bytes, k={k} n={n}");
            assert_eq!(
                (rf, ef),
                (rn, en),
                "challenges / final evaluations, k={k} n={n}"
            );
        }
    }
}
