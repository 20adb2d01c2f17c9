//! `weightcheck synth DIR`: writes a synthetic Grok-style release — the
//! full-size layout of a manifest's architecture as sparse files (real
//! headers and trailers, holes for payloads), or the small demo release
//! with random weights — and its manifest. For benchmarks, tests and
//! trying a loader on the real layout without 318 GB.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use weightcheck::env::Env;
use weightcheck::synth::{self, Content};

use super::{ReleaseArgs, EXIT_OK};
use weightcheck::units::thousands;

/// Arguments of `weightcheck synth`.
#[derive(Debug, Args)]
pub struct Synth {
    /// Directory to write the release into (created if needed).
    dir: PathBuf,
    #[command(flatten)]
    release: ReleaseArgs,
    /// Write the small 12-layer demo release with random weights instead of
    /// the manifest's full-size sparse layout.
    #[arg(long)]
    small: bool,
    /// Seed for --small.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

impl Synth {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let dir = env.resolve(&self.dir);
        std::fs::create_dir_all(&dir)?;
        let (id, arch, content) = if self.small {
            (
                "grok-demo".to_string(),
                synth::small_grok_architecture(),
                Content::Random(self.seed),
            )
        } else {
            // Writing a layout is not a verdict, so a default is harmless here.
            let m = match self.release.selector(env, None) {
                Some(sel) => sel.load()?,
                None => weightcheck::manifest::Manifest::embedded("grok-1")?,
            };
            let arch = m
                .architecture
                .ok_or_else(|| anyhow::anyhow!("manifest {} has no architecture", m.release.id))?;
            (m.release.id, arch, Content::Holes)
        };
        let written = synth::write_grok_release(&dir, &arch, content)?;
        let manifest = dir.join(format!("{id}.synth.toml"));
        std::fs::write(&manifest, synth::manifest_toml(&id, &arch, &written)?)?;
        let bytes: u64 = written.iter().map(|w| w.size).sum();
        writeln!(
            env.out,
            "wrote {} shards, {} bytes{}, to {}\nmanifest: {}",
            written.len(),
            thousands(bytes),
            if self.small {
                ""
            } else {
                " (sparse: payloads are holes)"
            },
            dir.display(),
            manifest.display()
        )?;
        Ok(EXIT_OK)
    }
}
