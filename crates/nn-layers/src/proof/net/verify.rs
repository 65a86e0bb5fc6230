//! The conv-network verifier's [`StepParty`]: reads the prover's values and sumchecks in the
//! order of [`protocol::run`]; never panics on proof data.

use ark_bn254::G1Affine;
use gkr::relations::conv::{verify_conv, ConvClaim, ConvProof, ConvRelation, ConvShape};
use gkr::relations::masked_product_verifier;
use gkr::relations::pool::{
    verify_max_pool, verify_max_pool_backward, MaxPoolBackwardProof, MaxPoolProof, PoolClaim,
    PoolShape,
};
use gkr::step::{ClaimBook, EvalReader, StepProof, VerifyError};
use pcs::hyperkzg::VerifierKey;
use sumcheck::{verify_batched, MatmulDims, MatmulVerifier, SumcheckProof, Transcript, F};

use crate::model::Model;
use crate::proof::layout::LimbLayout;
use crate::proof::net::protocol::{self, layer_err, StepParty, Val, L_EVALS, L_POOL_Y};
use crate::proof::net::NetLayout;
use crate::proof::prover::{open_step, AUX, DATA, MODEL, NEW_MODEL};
use crate::proof::verifier::verify_range_and_merge;
use crate::proof::{params_digest, StepStatement};
use crate::train::TrainConfig;

fn st(what: &'static str) -> VerifyError {
    VerifyError::Statement { what }
}

fn malformed(what: &'static str) -> VerifyError {
    VerifyError::malformed(what)
}

struct VerifierParty<'a, T: Transcript> {
    tr: &'a mut T,
    lay: &'a NetLayout,
    proof: &'a StepProof,
    reader: EvalReader<'a>,
    book: ClaimBook,
    next_sumcheck: usize,
}

impl<'a, T: Transcript> VerifierParty<'a, T> {
    /// The next sumcheck of the proof and its final evaluations.
    fn sumcheck(&mut self) -> Result<(&'a SumcheckProof, &'a [Vec<F>]), VerifyError> {
        let i = self.next_sumcheck;
        let proof: &'a StepProof = self.proof;
        let sc = proof
            .sumchecks
            .get(i)
            .ok_or(malformed("too few sumchecks"))?;
        let ev = proof
            .sumcheck_evals
            .get(i)
            .ok_or(malformed("too few sumcheck evaluations"))?;
        self.next_sumcheck += 1;
        Ok((sc, ev.as_slice()))
    }

    fn recv(&mut self, n: usize) -> Result<&'a [F], VerifyError> {
        self.reader.recv(self.tr, L_EVALS, n)
    }

    fn aux_index(&self, name: &str) -> Result<usize, VerifyError> {
        self.lay
            .segment_named(name)
            .map(|(_, s)| s.index())
            .map_err(|_| st("aux segment"))
    }
}

impl<T: Transcript> StepParty for VerifierParty<'_, T> {
    fn challenges(&mut self, label: &'static [u8], n: usize) -> Vec<F> {
        self.tr.challenges(label, n)
    }

    fn limbs(&mut self, stem: &str, point: &[F]) -> Result<F, VerifyError> {
        let t = self.lay.tensor(stem).ok_or(st("limb tensor"))?;
        let (kind, n) = (t.kind, t.limbs);
        let names: Vec<String> = (0..n).map(|k| t.limb_name(k)).collect();
        let vals = self.recv(n)?;
        for (name, v) in names.iter().zip(vals) {
            let idx = self.aux_index(name)?;
            self.book.add_segment(AUX, point, idx, *v)?;
        }
        self.lay
            .schemes
            .compose(kind, vals)
            .map_err(|_| malformed("limb composition"))
    }

    fn column(&mut self, name: &str, point: &[F]) -> Result<F, VerifyError> {
        let v = *self.recv(1)?.first().ok_or(malformed("column value"))?;
        let idx = self.aux_index(name)?;
        self.book.add_segment(AUX, point, idx, v)?;
        Ok(v)
    }

    fn model(&mut self, next: bool, name: &str, point: &[F]) -> Result<F, VerifyError> {
        let v = *self.recv(1)?.first().ok_or(malformed("model value"))?;
        let s = self.lay.model.segment(name).ok_or(st("model segment"))?;
        let poly = if next { NEW_MODEL } else { MODEL };
        self.book.add_segment(poly, point, s.index(), v)?;
        Ok(v)
    }

    fn data(&mut self, point: Vec<F>) -> Result<F, VerifyError> {
        let v = *self.recv(1)?.first().ok_or(malformed("data value"))?;
        self.book.add(DATA, point, v)?;
        Ok(v)
    }

    fn claim_column(&mut self, name: &str, point: &[F], value: F) -> Result<(), VerifyError> {
        let idx = self.aux_index(name)?;
        self.book.add_segment(AUX, point, idx, value)
    }

    fn claim_model(&mut self, name: &str, point: &[F], value: F) -> Result<(), VerifyError> {
        let s = self.lay.model.segment(name).ok_or(st("model segment"))?;
        self.book.add_segment(MODEL, point, s.index(), value)
    }

    fn check(&self, what: &str, expected: F, actual: F) -> Result<(), VerifyError> {
        if expected == actual {
            Ok(())
        } else {
            Err(VerifyError::relation(what, expected, actual))
        }
    }

    fn conv(
        &mut self,
        relation: ConvRelation,
        shape: ConvShape,
        _operands: (Val, Val),
        point: Vec<F>,
        claim: F,
    ) -> Result<[ConvClaim; 2], VerifyError> {
        let (s1, e1) = self.sumcheck()?;
        let (s2, e2) = self.sumcheck()?;
        let (Some(e1), Some(e2), 1, 1) = (e1.first(), e2.first(), e1.len(), e2.len()) else {
            return Err(malformed("conv evaluations"));
        };
        let proof = ConvProof {
            stage1: s1.clone(),
            stage1_evals: e1.clone(),
            stage2: s2.clone(),
            stage2_evals: e2.clone(),
        };
        verify_conv(relation, shape, point, claim, &proof, self.tr)
            .map_err(layer_err(protocol::conv_name(relation)))
    }

    fn matmul(
        &mut self,
        dims: MatmulDims,
        _a: (Val, bool),
        _b: (Val, bool),
        point: Vec<F>,
        claim: F,
    ) -> Result<(Vec<F>, F, F), VerifyError> {
        let (sc, ev) = self.sumcheck()?;
        let v = MatmulVerifier::new(dims, point, claim);
        let r = verify_batched(&[&v], sc, ev, self.tr).map_err(|source| VerifyError::Sumcheck {
            phase: "matmul",
            source,
        })?;
        match ev {
            [fe] => match fe.as_slice() {
                [a, b] => Ok((r, *a, *b)),
                _ => Err(malformed("matmul evaluations")),
            },
            _ => Err(malformed("matmul evaluations")),
        }
    }

    fn masked(
        &mut self,
        _x: Val,
        _sign: Val,
        point: Vec<F>,
        claim: F,
    ) -> Result<(Vec<F>, F, F), VerifyError> {
        let (sc, ev) = self.sumcheck()?;
        let v = masked_product_verifier(point, claim);
        let r = verify_batched(&[&v], sc, ev, self.tr).map_err(|source| VerifyError::Sumcheck {
            phase: "relu",
            source,
        })?;
        match ev {
            [fe] => match fe.as_slice() {
                [x, s] => Ok((r, *x, *s)),
                _ => Err(malformed("relu evaluations")),
            },
            _ => Err(malformed("relu evaluations")),
        }
    }

    fn max_pool(
        &mut self,
        shape: &PoolShape,
        _x: Val,
        _sel: Val,
        point: Vec<F>,
        y_claim: F,
    ) -> Result<Vec<PoolClaim>, VerifyError> {
        let (sc, ev) = self.sumcheck()?;
        let [b, s, y] = ev else {
            return Err(malformed("max-pool evaluations"));
        };
        let [y_at_r] = y.as_slice() else {
            return Err(malformed("max-pool output evaluation"));
        };
        let proof = MaxPoolProof {
            sumcheck: sc.clone(),
            bool_evals: b.clone(),
            select_evals: s.clone(),
            y_at_r: *y_at_r,
        };
        let claims = verify_max_pool(shape, point, y_claim, &proof, self.tr)
            .map_err(layer_err("max pool"))?;
        self.tr.append_fields(L_POOL_Y, &[proof.y_at_r]);
        Ok(claims)
    }

    fn max_pool_backward(
        &mut self,
        shape: &PoolShape,
        _sel: Val,
        _g_out: Val,
        point: Vec<F>,
        claim: F,
    ) -> Result<[PoolClaim; 2], VerifyError> {
        let (sc, ev) = self.sumcheck()?;
        let [e] = ev else {
            return Err(malformed("max-pool backward evaluations"));
        };
        let proof = MaxPoolBackwardProof {
            sumcheck: sc.clone(),
            evals: e.clone(),
        };
        verify_max_pool_backward(shape, &point, claim, &proof, self.tr)
            .map_err(layer_err("max pool backward"))
    }
}

/// Verify a conv-network step proof; returns `C_W_{t+1}`.
pub(crate) fn verify_net_step<T: Transcript>(
    vk: &VerifierKey,
    model: &Model,
    cfg: &TrainConfig,
    statement: &StepStatement,
    proof: &StepProof,
    tr: &mut T,
) -> Result<G1Affine, VerifyError> {
    let lay = NetLayout::new(model, cfg, statement.batch_size, statement.dataset_rows)
        .map_err(|_| st("model, configuration or batch not supported"))?;
    let digest = params_digest(
        &vk.srs_digest,
        model,
        cfg,
        statement.batch_size,
        statement.dataset_rows,
    );
    if digest != statement.params_digest {
        return Err(st("parameters digest"));
    }
    let book = open_step(
        tr,
        statement,
        (&proof.new_model, &proof.aux),
        lay.data.num_vars(),
        &lay.model,
        lay.aux.num_vars() as usize,
    )?;
    let mut party = VerifierParty {
        tr: &mut *tr,
        lay: &lay,
        proof,
        reader: EvalReader::new(&proof.evals),
        book,
        next_sumcheck: 0,
    };
    protocol::run(
        &mut party,
        &lay,
        statement.iteration,
        cfg.fixed.frac_bits,
        cfg.lr_shift,
    )?;
    party.reader.finish()?;
    if party.next_sumcheck != proof.sumchecks.len()
        || proof.sumcheck_evals.len() != proof.sumchecks.len()
    {
        return Err(malformed("more sumchecks than the protocol reads"));
    }
    let VerifierParty { book, .. } = party;
    verify_range_and_merge(vk, &lay, statement, proof, book, tr)?;
    Ok(proof.new_model)
}
