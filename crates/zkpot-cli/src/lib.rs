//! # zkpot-cli: the `zkpot` command line and the library API it wraps
//!
//! A run proves mini-batch SGD iteration by iteration (SPEC §6–§7):
//!
//! ```text
//! setup        SRS (powers of tau: dev seed or .ptau)
//! commit-data  D (shuffled with a public seed) → C_D          rows laid out for the model
//! train        W_0 → C_W_0 (seeded or private start); per iteration t:
//!              π_t proves W_{t+1} = SGD(W_t, batch_t ⊂ D) and publishes C_W_{t+1}
//! verify       C_W_0 (recomputed from the seed) → π_0 → C_W_1 → … → π_{n-1} → C_W_n = claim
//! ```
//!
//! | module | contents |
//! |---|---|
//! | [`formats`] | versioned, atomically written files: DATA, run statement, iteration proofs, checkpoint |
//! | [`commands`] | one module per command (`setup`, `commit_data`, `train`, `verify`, `inspect`, `bench`, `demo`) |
//! | [`svg`] | hand-written SVG charts for the benchmark report |
//! | [`error`] | [`CliError`] and the exit codes (0 ok, 1 rejected, 2 bad usage / unreadable input) |
//!
//! The binary (`src/main.rs`) only parses arguments and maps errors to exit codes; see
//! `docs/cli.md` for the commands and the file formats.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod commands;
pub mod error;
pub mod formats;
pub mod svg;

pub use error::{CliError, Result, EXIT_OK, EXIT_REJECTED, EXIT_USAGE};
