//! Prover-sent evaluations: the prover appends groups of field elements (each absorbed into the
//! transcript under its label when sent); the verifier reads the same groups in the same order,
//! absorbing them identically, and rejects a proof whose groups have the wrong sizes.

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sumcheck::{Transcript, F};

use crate::step::error::VerifyError;

/// The groups of evaluations of a proof, in the order they were sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct EvalGroups {
    /// One vector per [`EvalWriter::send`].
    pub groups: Vec<Vec<F>>,
}

/// Prover side: record and absorb.
#[derive(Debug, Default)]
pub struct EvalWriter {
    groups: Vec<Vec<F>>,
}

impl EvalWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Send `values`: absorb them under `label` and keep them for the proof.
    pub fn send<T: Transcript>(
        &mut self,
        transcript: &mut T,
        label: &'static [u8],
        values: Vec<F>,
    ) {
        transcript.append_fields(label, &values);
        self.groups.push(values);
    }

    /// The recorded groups.
    pub fn finish(self) -> EvalGroups {
        EvalGroups {
            groups: self.groups,
        }
    }
}

/// Verifier side: read, check the size, absorb.
#[derive(Debug)]
pub struct EvalReader<'a> {
    groups: &'a [Vec<F>],
    pos: usize,
}

impl<'a> EvalReader<'a> {
    /// Read from `groups`.
    pub fn new(groups: &'a EvalGroups) -> Self {
        Self {
            groups: &groups.groups,
            pos: 0,
        }
    }

    /// Read the next group, which must have `n` values, and absorb it under `label`.
    pub fn recv<T: Transcript>(
        &mut self,
        transcript: &mut T,
        label: &'static [u8],
        n: usize,
    ) -> Result<&'a [F], VerifyError> {
        let group_name = leak_free_name(label);
        let g = self.groups.get(self.pos).ok_or(VerifyError::EvalShape {
            group: group_name,
            expected: n,
            actual: 0,
        })?;
        if g.len() != n {
            return Err(VerifyError::EvalShape {
                group: group_name,
                expected: n,
                actual: g.len(),
            });
        }
        transcript.append_fields(label, g);
        self.pos += 1;
        Ok(g)
    }

    /// Every group must have been read.
    pub fn finish(&self) -> Result<(), VerifyError> {
        if self.pos != self.groups.len() {
            return Err(VerifyError::malformed(format!(
                "{} evaluation groups, the protocol reads {}",
                self.groups.len(),
                self.pos
            )));
        }
        Ok(())
    }
}

/// Labels are static ASCII byte strings; show them as text where possible.
fn leak_free_name(label: &'static [u8]) -> &'static str {
    match std::str::from_utf8(label) {
        Ok(s) => s,
        Err(_) => "?",
    }
}
