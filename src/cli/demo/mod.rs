//! `weightcheck demo`: the main job on a fresh machine, with no download.
//! Builds a scaled-down Grok-style release with weightcheck's own
//! byte-exact pickle writer, then inspects it, verifies it against its
//! manifest, checks the claims, fetches it over BitTorrent, gives the
//! release's openness report, then damages a copy three ways and shows
//! each damage caught, printing each step.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use weightcheck::env::Env;
use weightcheck::manifest::Manifest;
use weightcheck::synth::{self, Content};
use weightcheck::verify::{self, Located};

use super::{EXIT_MISMATCH, EXIT_OK};

mod damage;
mod torrent_leg;

/// Arguments of `weightcheck demo`.
#[derive(Debug, Args)]
pub struct Demo {
    /// Build the demo release here and keep it (default: a temporary
    /// directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seed for the synthetic weights.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Claims a publisher might make about the demo release, checked like Grok-1's.
const DEMO_CLAIMS: &str = r#"
[[claim]]
quantity = "total_parameters"
value = 3.4e6
precision = 1e5
text = "3.4M parameters"
source = "demo release card"

[[claim]]
quantity = "active_parameters"
value = 1.8e6
precision = 1e5
text = "1.8M active parameters"
source = "demo release card"

[[claim]]
quantity = "layers"
value = 12
text = "12 layers"
source = "demo release card"

[[claim]]
quantity = "query_heads"
value = 4
text = "4 query heads"
source = "demo release card"

[[claim]]
quantity = "kv_heads"
value = 2
text = "2 key/value heads"
source = "demo release card"

[[claim]]
quantity = "context_length"
value = 256
text = "256-token context"
source = "demo release card"
"#;

/// What the demo release ships, declared like a real release's components.
const DEMO_COMPONENTS: &str = r#"
[[component]]
kind = "base_weights"
status = "released"
license = "Apache-2.0"
source = "ckpt-0/ in the demo directory"
evidence = "pseudo-random weights in Grok-1's file layout, written by weightcheck"

[[component]]
kind = "architecture"
status = "not_released"
source = "the [architecture] table of the demo manifest"
evidence = "hyperparameters only (Grok-1's, scaled down to 12 layers); no model code"

[[component]]
kind = "training_code"
status = "not_released"
source = "demo release card"
evidence = "the weights are random: nothing was trained"

[[component]]
kind = "training_data"
status = "not_released"
source = "demo release card"
evidence = "the weights are random: there was no training data"
"#;

impl Demo {
    /// Runs the demo.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let temp;
        let root = match &self.dir {
            Some(d) => env.resolve(d),
            None => {
                temp = tempfile::Builder::new()
                    .prefix("weightcheck-demo-")
                    .tempdir()?;
                temp.path().to_path_buf()
            }
        };
        std::fs::create_dir_all(&root)?;
        let arch = synth::small_grok_architecture();
        writeln!(env.out, "== 1/7 build: a Grok-1-style release at 12 layers, written by weightcheck's pickle writer")?;
        let written = synth::write_grok_release(&root, &arch, Content::Random(self.seed))?;
        let bytes: u64 = written.iter().map(|w| w.size).sum();
        let manifest_text =
            synth::manifest_toml("grok-demo", &arch, &written)? + DEMO_CLAIMS + DEMO_COMPONENTS;
        let manifest_path = root.join("grok-demo.toml");
        std::fs::write(&manifest_path, &manifest_text)?;
        writeln!(
            env.out,
            "   {} shards, {} bytes in {}\n   manifest with sizes and SHA-256s: {}\n",
            written.len(),
            weightcheck::units::thousands(bytes),
            root.join("ckpt-0").display(),
            manifest_path.display()
        )?;

        writeln!(
            env.out,
            "== 2/7 inspect: tensors read from pickle opcodes, payloads never loaded\n"
        )?;
        writeln!(
            env.out,
            "   {:>3}  {:<19}  {:<10}  {:<8}  scales",
            "#", "tensor", "shape", "dtype"
        )?;
        let files = weightcheck::paths::tensor_files(&[root.join("ckpt-0")])?;
        let entries = weightcheck::inventory::decode_all(&files, false);
        let errors = weightcheck::printer::inspect::errors(&entries);
        for r in weightcheck::printer::inspect::rows(&entries).take(16) {
            let row = format!(
                "   {:>3}  {:<19}  {:<10}  {:<8}  {}",
                r.index.unwrap_or(0),
                r.kind,
                weightcheck::formats::tensor::shape_str(r.shape),
                r.dtype,
                r.scales_shape
                    .map(weightcheck::formats::tensor::shape_str)
                    .unwrap_or_default()
            );
            writeln!(env.out, "{}", row.trim_end())?;
        }
        let totals = weightcheck::inventory::totals(&entries);
        writeln!(
            env.out,
            "   … {} tensors, {} parameters, {} undecodable\n",
            totals.tensors,
            weightcheck::units::thousands(totals.parameters),
            errors.len()
        )?;

        writeln!(
            env.out,
            "== 3/7 verify: file set, sizes, structure against the architecture, SHA-256\n"
        )?;
        let manifest = Manifest::from_toml(&manifest_text, "demo manifest")?;
        let located = Located::at(&root, &manifest)?;
        let mut opts = verify::Options::default();
        opts.check_hashes = true;
        let report = verify::verify(&manifest, &located, &opts)?;
        let s = &report.summary;
        writeln!(
            env.out,
            "   {}/{} present, {}/{} structurally correct, {} SHA-256 match, {} differ\n",
            s.present, s.expected, s.structure_ok, s.expected, s.hash_matched, s.hash_mismatched
        )?;

        writeln!(
            env.out,
            "== 4/7 claims: the release card against the weights\n"
        )?;
        weightcheck::printer::verify::claims(&mut env.out, &report)?;
        writeln!(env.out)?;

        let ok = report.verified() && errors.is_empty();
        let ok = torrent_leg::run(&mut env.out, &root, &manifest)? && ok;

        writeln!(
            env.out,
            "== 6/7 report: what the release released, against OSAID 1.0, MOF and the EOSAI index\n"
        )?;
        let inventory = weightcheck::report::Inventory::take(&manifest, &located)?;
        let evidence = weightcheck::report::Evidence::from_parts(report, inventory);
        let full = weightcheck::report::build(&manifest, Some(&evidence));
        let text = weightcheck::printer::report::report(&full, weightcheck::printer::Format::Text)?;
        let indented: String = text
            .lines()
            .map(|line| match line {
                "" => "\n".to_string(),
                line => format!("   {line}\n"),
            })
            .collect();
        write!(env.out, "{}", weightcheck::printer::width::wrap(&indented))?;
        if self.dir.is_some() {
            let html_path = root.join("report.html");
            let html =
                weightcheck::printer::report::report(&full, weightcheck::printer::Format::Html)?;
            std::fs::write(&html_path, html)?;
            writeln!(env.out, "\n   HTML report: {}\n", html_path.display())?;
        } else {
            writeln!(
                env.out,
                "\n   (demo --dir DIR keeps the release, and this report as HTML)\n"
            )?;
        }

        writeln!(
            env.out,
            "== 7/7 damage: a copy of the release damaged three ways, verified the same way\n"
        )?;
        let caught = damage::run(&mut env.out, &root, &manifest)?;
        writeln!(
            env.out,
            "demo result: {}",
            match (ok, caught) {
                (true, true) => "VERIFIED (the intact release), and every damage caught",
                (false, _) => "FAILED (the intact release did not verify)",
                (true, false) => "FAILED (a damage went unnoticed)",
            }
        )?;
        Ok(if ok && caught { EXIT_OK } else { EXIT_MISMATCH })
    }
}
