//! `zkpot setup`: a development SRS from a seed, or powers of tau from a snarkjs `.ptau` file.

use std::path::PathBuf;
use std::time::Instant;

use pcs::Srs;

use crate::commands::{warn_if_insecure, INSECURE_WARNING};
use crate::error::{CliError, Result};
use crate::formats::hex;

/// Default seed of development SRSs.
pub const DEFAULT_DEV_SEED: u64 = 0x007a_6b70_6f74;

/// Options of `zkpot setup`.
#[derive(Clone, Debug)]
pub struct SetupOptions {
    /// `2^log_size` powers of tau.
    pub log_size: usize,
    /// A `.ptau` file; `None` makes an insecure development SRS.
    pub ptau: Option<PathBuf>,
    /// Seed of the development SRS.
    pub dev_seed: u64,
    /// Output file.
    pub out: PathBuf,
}

/// Make or import the SRS, check it, write it; returns it.
pub fn run(opts: &SetupOptions, quiet: bool) -> Result<Srs> {
    let t0 = Instant::now();
    let srs = match &opts.ptau {
        Some(p) => {
            let srs = pcs::ptau::load_ptau_file(p, opts.log_size)
                .map_err(|e| CliError::bad_input(p, e.to_string()))?;
            srs.check_consistency(0x5eed)
                .map_err(|e| CliError::bad_input(p, e.to_string()))?;
            srs
        }
        None => {
            if !quiet {
                eprintln!("{INSECURE_WARNING}");
            }
            Srs::dev_setup_u64(opts.dev_seed, opts.log_size)?
        }
    };
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
    }
    srs.save(&opts.out)
        .map_err(|e| CliError::bad_input(&opts.out, e.to_string()))?;
    if !quiet {
        if opts.ptau.is_some() {
            warn_if_insecure(srs.is_insecure_dev());
        }
        println!(
            "wrote {}: 2^{} powers of tau, {}, digest {} ({:.1} s)",
            opts.out.display(),
            srs.log_size(),
            if srs.is_insecure_dev() {
                "INSECURE development SRS"
            } else {
                "from powers of tau"
            },
            hex(&srs.digest()),
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(srs)
}
