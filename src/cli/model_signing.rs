//! `verify DIR --model-signing BUNDLE --public-key PEM`: an OpenSSF
//! model_signing signature and every byte it signs, in one command. Exit 0
//! VERIFIED, 1 FAILED (a bad signature, a mismatch, a missing or unsigned
//! file), 3 STRUCTURE OK (every signed byte matched, but an empty file a
//! shards signature cannot list is there), 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};

use weightcheck::env::Env;
use weightcheck::hash::engine::CacheMode;
use weightcheck::printer::{self, progress::Bar};
use weightcheck::signing::certificate::Anchors;
use weightcheck::signing::dsse::PublicKey;
use weightcheck::signing::{Hashing, SigningError, Trust};

/// A PEM public key is a few hundred bytes; anything far larger is not one.
const MAX_KEY_BYTES: u64 = 64 << 10;

/// Who must have signed, as given on the command line.
pub enum Signer {
    /// `--public-key PEM`.
    Key(PathBuf),
    /// `--certificate-chain PEM…`.
    Roots(Vec<PathBuf>),
}

/// Runs the check and prints its report.
pub fn verify(
    env: &mut Env,
    dir: &Path,
    bundle: &Path,
    signer: Signer,
    cache: CacheMode,
    json: bool,
) -> anyhow::Result<i32> {
    let trust = match signer {
        Signer::Key(key) => {
            let pem = weightcheck::paths::read_text_limited(&key, MAX_KEY_BYTES)?;
            Trust::Key(PublicKey::from_pem(&pem)?)
        }
        Signer::Roots(files) => Trust::Certificates(Anchors::read(&files)?),
    };
    let bar = Bar::new(env, "hashing");
    let progress = |p| bar.update(p);
    let hashing = Hashing {
        cache,
        stop: Some(weightcheck::hash::interrupt::on_ctrl_c()),
        progress: &progress,
    };
    let report = weightcheck::signing::verify(dir, bundle, &trust, &hashing);
    bar.finish();
    // The library's own errors (an interruption, an unreadable file) keep
    // their exit codes.
    let report = report.map_err(|e| match e {
        SigningError::Read(inner) => anyhow::Error::from(inner),
        other => other.into(),
    })?;
    if json {
        serde_json::to_writer_pretty(&mut env.out, &report)?;
        writeln!(env.out)?;
    } else {
        printer::signing::report(&mut env.out, &report, env.quiet)?;
    }
    Ok(report.exit_code)
}
