//! `weightcheck fetch`: download a release (or some of its files) over
//! BitTorrent, then prove what arrived — every piece against the torrent,
//! and, with a manifest, every file's SHA-256 and tensor structure.
//! `--metadata-only` fetches just the torrent's metadata from peers, checks
//! it against the magnet link and saves it as a .torrent.
//!
//! Exit 0 every selected file verified (or metadata saved), 1 a file
//! incomplete or contradicting the manifest, 2 usage, network or I/O error,
//! or interrupted (the state is kept: the same command resumes).

use std::io::Write;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::env::Env;
use crate::fetch::check::{CheckReport, FileState};
use crate::fetch::disk::human;
use crate::fetch::download::{Observer, Plan, Progress};
use crate::fetch::{self, metadata, FetchOptions, NetOptions, PortRange, Source, Stop};
use crate::manifest::Manifest;
use crate::torrent::{Magnet, Metainfo};

use super::inspect::thousands;
use super::{EXIT_ERROR, EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck fetch`.
#[derive(Debug, Args)]
pub struct Fetch {
    /// A built-in release (`grok-1`): its magnet link, and its manifest to
    /// verify against.
    release: Option<String>,
    /// Fetch this magnet link.
    #[arg(long, value_name = "URI", conflicts_with_all = ["release", "torrent"])]
    magnet: Option<String>,
    /// Fetch the torrent described by this .torrent file.
    #[arg(long, value_name = "FILE", conflicts_with = "release")]
    torrent: Option<PathBuf>,
    /// Hold the fetched files against this manifest (default: the
    /// release's; with --magnet or --torrent, the built-in manifest with the
    /// same info-hash, if any). Without a release, its magnet is fetched.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Directory to download into; the torrent's top directory is created
    /// in it, resume state goes to DIR/.weightcheck/.
    #[arg(long, value_name = "DIR", required_unless_present = "metadata_only")]
    dest: Option<PathBuf>,
    /// Fetch only the files matching GLOB (repeatable): `*` and `?` stop at
    /// `/`, `**` does not, `[0-4]` is a class. Matched against paths inside
    /// the torrent, with or without its name in front.
    #[arg(long, value_name = "GLOB")]
    only: Vec<String>,
    /// Fetch only the metadata from peers (BEP 9), check it against the
    /// magnet's info-hash, save it as a .torrent and list its files.
    #[arg(long, conflicts_with_all = ["only", "no_verify", "torrent"])]
    metadata_only: bool,
    /// Where --metadata-only saves the .torrent (default: NAME.torrent in
    /// --dest or the current directory).
    #[arg(long, value_name = "FILE", requires = "metadata_only")]
    out: Option<PathBuf>,
    /// Do not check the fetched files (the result is then unproven).
    #[arg(long)]
    no_verify: bool,
    /// Stop after SECS; the state is kept and the same command resumes.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Print JSON (the whole report) instead of text.
    #[arg(long)]
    json: bool,
    /// List only files that are not verified (and unselected files on disk).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Network options shared by `fetch` and `seed`.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Do not look for peers on the DHT.
    #[arg(long)]
    pub no_dht: bool,
    /// Do not announce to trackers.
    #[arg(long)]
    pub no_trackers: bool,
    /// Also look for peers on the local network (BEP 14 multicast).
    #[arg(long)]
    pub lsd: bool,
    /// Port, or FIRST-LAST range, to accept peers on; 0 lets the system
    /// choose [default: 6881-6889].
    #[arg(long, value_name = "PORT")]
    pub port: Option<PortRange>,
    /// Address to accept peers on [default: every interface].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// Connect to this peer (repeatable).
    #[arg(long = "peer", value_name = "HOST:PORT")]
    pub peers: Vec<String>,
    /// Upload cap in bytes per second (suffixes K, M, G: binary).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_upload_rate: Option<NonZeroU32>,
    /// Download cap in bytes per second (suffixes K, M, G: binary).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_download_rate: Option<NonZeroU32>,
}

impl NetArgs {
    /// The library's network options.
    pub fn options(&self) -> anyhow::Result<NetOptions> {
        let mut net = NetOptions {
            dht: !self.no_dht,
            lsd: self.lsd,
            trackers: !self.no_trackers,
            upload_limit: self.max_upload_rate,
            download_limit: self.max_download_rate,
            ..NetOptions::default()
        };
        if let Some(p) = self.port {
            net.port = p;
        }
        if let Some(b) = self.bind {
            net.bind = b;
        }
        for p in &self.peers {
            net.peers.push(fetch::net::parse_peer(p)?);
        }
        Ok(net)
    }

    /// What the session will use to find peers, for the user.
    pub fn describe(&self) -> String {
        let on_off = |b: bool| if b { "on" } else { "off" };
        format!(
            "DHT {}, trackers {}, local discovery {}, {} explicit peer(s)",
            on_off(!self.no_dht),
            on_off(!self.no_trackers),
            on_off(self.lsd),
            self.peers.len()
        )
    }
}

/// `2M` → 2 MiB/s.
fn parse_rate(s: &str) -> Result<NonZeroU32, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a rate (e.g. 500K, 10M)"))?;
    let bytes = (n * mult as f64).round();
    if !(1.0..=u32::MAX as f64).contains(&bytes) {
        return Err(format!("{s:?} must be between 1 byte/s and 4 GiB/s"));
    }
    NonZeroU32::new(bytes as u32).ok_or_else(|| format!("{s:?} is zero"))
}

impl Fetch {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let net = self.net.options()?;
        let (source, manifest, label) = self.source(env)?;
        if self.metadata_only {
            let Source::Magnet(m) = source else {
                bail!("--metadata-only needs a magnet link (a release, --magnet or --manifest)");
            };
            return self.metadata_only(env, &m, manifest.as_ref(), &net);
        }
        let Some(dest) = &self.dest else {
            bail!("--dest DIR is required");
        };
        let opts = FetchOptions {
            dest: env.resolve(dest),
            only: self.only.clone(),
            net,
            manifest: manifest.clone(),
            verify: !self.no_verify,
        };
        if !self.json {
            writeln!(env.out, "weightcheck fetch: {label}")?;
            writeln!(env.out, "  peers: {}", self.net.describe())?;
            env.out.flush()?;
        }
        let hash_bar = LazyBar::new(env.err_is_tty && !self.json);
        let rt = fetch::runtime()?;
        let timeout = self.timeout.map(Duration::from_secs);
        let json = self.json;
        let err_is_tty = env.err_is_tty;
        let result = {
            let mut show = Show {
                out: &mut env.out,
                quiet: json,
                bar: None,
                tty: err_is_tty,
            };
            let r = rt.block_on(async {
                let stop = Stop::on_ctrl_c(timeout);
                fetch::fetch(source, &opts, &mut show, &|p| hash_bar.update(p), stop).await
            });
            show.finish_bar();
            r
        };
        hash_bar.finish();
        rt.shutdown_timeout(Duration::from_secs(2));
        let report = result?;
        if self.json {
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
        } else {
            print_outcome(&mut env.out, &report, self.quiet)?;
        }
        Ok(if report.interrupted {
            EXIT_ERROR
        } else if report.check.is_none() || report.passed() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }

    /// What to fetch, the manifest to hold it against, and a label.
    fn source(&self, env: &Env) -> anyhow::Result<(Source, Option<Manifest>, String)> {
        let file_manifest = match &self.manifest {
            Some(p) => Some(Manifest::from_file(&env.resolve(p))?),
            None => None,
        };
        if let Some(uri) = &self.magnet {
            let m = Magnet::parse(uri)?;
            let manifest = file_manifest.or_else(|| embedded_for(&m.info_hash_hex()));
            let label = format!("magnet {}{}", m.info_hash_hex(), for_release(&manifest));
            return Ok((Source::Magnet(m), manifest, label));
        }
        if let Some(path) = &self.torrent {
            let path = env.resolve(path);
            // Parsed (and its paths sanitised) before anything else sees it.
            let meta = Metainfo::from_file(&path)?;
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let manifest = file_manifest.or_else(|| embedded_for(&meta.info_hash_hex()));
            let label = format!("{}{}", path.display(), for_release(&manifest));
            return Ok((Source::Torrent(bytes), manifest, label));
        }
        let manifest = match (&self.release, file_manifest) {
            (_, Some(m)) => m,
            (Some(id), None) => Manifest::embedded(id)?,
            (None, None) => bail!(
                "say what to fetch: a release (`weightcheck fetch grok-1`), --magnet URI, \
                 --torrent FILE or --manifest FILE"
            ),
        };
        let Some(t) = &manifest.sources.torrent else {
            bail!(
                "the manifest of {} has no BitTorrent source; use --magnet or --torrent",
                manifest.release.id
            );
        };
        let m = Magnet::parse(&t.magnet)?;
        if !t.info_hash.eq_ignore_ascii_case(&m.info_hash_hex()) {
            bail!(
                "the manifest's magnet ({}) and info_hash ({}) disagree",
                m.info_hash_hex(),
                t.info_hash
            );
        }
        let label = format!(
            "{} ({}, {}), magnet {}",
            manifest.release.name,
            manifest.release.publisher,
            manifest.release.date,
            m.info_hash_hex()
        );
        Ok((Source::Magnet(m), Some(manifest), label))
    }

    fn metadata_only(
        &self,
        env: &mut Env,
        m: &Magnet,
        manifest: Option<&Manifest>,
        net: &NetOptions,
    ) -> anyhow::Result<i32> {
        if !self.json {
            writeln!(
                env.out,
                "weightcheck fetch --metadata-only: magnet {}{}",
                m.info_hash_hex(),
                manifest
                    .map(|x| format!(" ({})", x.release.name))
                    .unwrap_or_default()
            )?;
            writeln!(env.out, "  peers: {}", self.net.describe())?;
            env.out.flush()?;
        }
        let rt = fetch::runtime()?;
        let timeout = self.timeout.map(Duration::from_secs);
        let fetched = rt.block_on(async {
            let mut stop = Stop::on_ctrl_c(timeout);
            metadata::fetch(m, net, &mut stop).await
        });
        rt.shutdown_timeout(Duration::from_secs(2));
        let Some(fetched) = fetched? else {
            writeln!(env.err, "weightcheck: stopped before the metadata arrived")?;
            return Ok(EXIT_ERROR);
        };
        let meta = &fetched.metainfo;
        let out = match &self.out {
            Some(p) => env.resolve(p),
            None => {
                let dir = self
                    .dest
                    .as_ref()
                    .map_or_else(|| env.cwd.clone(), |d| env.resolve(d));
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                dir.join(format!("{}.torrent", meta.name))
            }
        };
        std::fs::write(&out, &fetched.bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        if self.json {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                info_hash: String,
                saved: &'a Path,
                torrent: &'a Metainfo,
            }
            serde_json::to_writer_pretty(
                &mut env.out,
                &Out {
                    info_hash: meta.info_hash_hex(),
                    saved: &out,
                    torrent: meta,
                },
            )?;
            writeln!(env.out)?;
            return Ok(EXIT_OK);
        }
        writeln!(
            env.out,
            "metadata: {:?} from peers; its SHA-1 is the magnet's info-hash {}",
            meta.name,
            meta.info_hash_hex()
        )?;
        writeln!(
            env.out,
            "  piece length {} bytes, {} pieces, {} files, {} bytes",
            thousands(meta.piece_length),
            thousands(meta.pieces.len() as u64),
            meta.files.len(),
            thousands(meta.total_length())
        )?;
        writeln!(env.out, "  saved: {}", out.display())?;
        writeln!(env.out)?;
        print_file_list(&mut env.out, meta)?;
        if let Some(man) = manifest {
            writeln!(env.out)?;
            compare_layout(&mut env.out, meta, man)?;
        }
        writeln!(
            env.out,
            "\npin this layout in a manifest: weightcheck manifest pin-torrent {} --manifest FILE",
            out.display()
        )?;
        Ok(EXIT_OK)
    }
}

/// The built-in manifest whose torrent has this info-hash.
fn embedded_for(info_hash: &str) -> Option<Manifest> {
    crate::manifest::EMBEDDED
        .iter()
        .filter_map(|(id, _)| Manifest::embedded(id).ok())
        .find(|m| {
            m.sources
                .torrent
                .as_ref()
                .is_some_and(|t| t.info_hash.eq_ignore_ascii_case(info_hash))
        })
}

fn for_release(m: &Option<Manifest>) -> String {
    m.as_ref()
        .map(|m| format!(" — held against the {} manifest", m.release.id))
        .unwrap_or_default()
}

/// Prints a torrent's files: size and path.
pub fn print_file_list(out: &mut dyn Write, meta: &Metainfo) -> std::io::Result<()> {
    let w = meta
        .files
        .iter()
        .map(|f| thousands(f.length).len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{:>w$}  path", "size")?;
    for f in &meta.files {
        writeln!(out, "{:>w$}  {}", thousands(f.length), f.relative_path())?;
    }
    Ok(())
}

/// How a torrent's files line up with a manifest's.
pub fn compare_layout(
    out: &mut dyn Write,
    meta: &Metainfo,
    man: &Manifest,
) -> anyhow::Result<bool> {
    let map = match fetch::check::map_manifest(meta, man) {
        Ok(m) => m,
        Err(e) => {
            writeln!(out, "manifest {}: {e}", man.release.id)?;
            return Ok(false);
        }
    };
    let mut wrong = Vec::new();
    let mut matched = 0;
    for (i, k) in map.of_torrent_file.iter().enumerate() {
        if let Some(k) = k {
            matched += 1;
            if man.files[*k].size != meta.files[i].length {
                wrong.push(format!(
                    "{}: torrent {} bytes, manifest {}",
                    man.files[*k].path,
                    thousands(meta.files[i].length),
                    thousands(man.files[*k].size)
                ));
            }
        }
    }
    writeln!(
        out,
        "manifest {}: {matched} of its {} files are in the torrent{}, {} with another size",
        man.release.id,
        man.files.len(),
        if map.prefix.is_empty() {
            String::new()
        } else {
            format!(" under {}/", map.prefix)
        },
        wrong.len()
    )?;
    for w in &wrong {
        writeln!(out, "  - {w}")?;
    }
    let extra: Vec<String> = map
        .of_torrent_file
        .iter()
        .enumerate()
        .filter(|(_, k)| k.is_none())
        .map(|(i, _)| {
            format!(
                "{} ({} bytes)",
                meta.files[i].relative_path(),
                thousands(meta.files[i].length)
            )
        })
        .collect();
    if !extra.is_empty() {
        writeln!(
            out,
            "  {} torrent file(s) the manifest does not list: {}",
            extra.len(),
            extra.join(", ")
        )?;
    }
    if !map.not_in_torrent.is_empty() {
        writeln!(
            out,
            "  {} manifest file(s) not in the torrent, e.g. {}",
            map.not_in_torrent.len(),
            map.not_in_torrent[0]
        )?;
    }
    Ok(wrong.is_empty() && map.not_in_torrent.is_empty())
}

/// The checking bar, drawn only once checking starts (and only on a
/// terminal); shared with the hashing threads.
struct LazyBar {
    tty: bool,
    bar: std::sync::OnceLock<ProgressBar>,
}

impl LazyBar {
    fn new(tty: bool) -> Self {
        LazyBar {
            tty,
            bar: std::sync::OnceLock::new(),
        }
    }

    fn update(&self, p: crate::hash::engine::Progress) {
        if !self.tty {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "checking [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
    }

    fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}

/// Prints the fetch as it goes.
struct Show<'a> {
    out: &'a mut Box<dyn Write + Send>,
    quiet: bool,
    tty: bool,
    bar: Option<ProgressBar>,
}

impl Show<'_> {
    fn finish_bar(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Observer for Show<'_> {
    fn metadata(&mut self, meta: &Metainfo, from_peers: bool) {
        if self.quiet {
            return;
        }
        let _ = writeln!(
            self.out,
            "  metadata: {:?}{}: {} files, {} bytes, piece length {}, info-hash {}",
            meta.name,
            if from_peers {
                " from peers, checked against the magnet"
            } else {
                ""
            },
            meta.files.len(),
            thousands(meta.total_length()),
            thousands(meta.piece_length),
            meta.info_hash_hex()
        );
        let _ = self.out.flush();
    }

    fn plan(&mut self, meta: &Metainfo, plan: &Plan) {
        if self.quiet {
            return;
        }
        let s = &plan.space;
        let _ = writeln!(
            self.out,
            "  selected: {} of {} files, {} bytes in {} pieces\n  disk: {} to write \
             ({} of it in neighbouring files that share pieces), {} free\n  into: {}",
            plan.selected.len(),
            meta.files.len(),
            thousands(plan.selected_bytes),
            thousands(plan.selected_pieces as u64),
            human(s.needed),
            human(s.boundary),
            human(s.available),
            plan.content_root.display()
        );
        let _ = self.out.flush();
        if self.tty {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {msg}")
                    .map(|s| s.progress_chars("=> "))
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix("fetching");
            self.bar = Some(bar);
        }
    }

    fn progress(&mut self, p: &Progress) {
        let Some(bar) = &self.bar else {
            return;
        };
        bar.set_length(p.total_bytes);
        bar.set_position(p.have_bytes);
        if p.checking {
            bar.set_prefix("checking existing data");
            bar.set_message(String::new());
            return;
        }
        bar.set_prefix("fetching");
        let eta = p
            .eta
            .map(|d| format!(" · ETA {}", indicatif::HumanDuration(d)))
            .unwrap_or_default();
        bar.set_message(format!(
            "{}/s · {} peers · {} pieces this run of {}{eta}",
            human(p.bytes_per_second),
            p.peers,
            p.pieces_done,
            p.pieces_total
        ));
    }

    fn verifying(&mut self) {
        self.finish_bar();
        if !self.quiet {
            let _ = writeln!(
                self.out,
                "  checking: every piece against the torrent's SHA-1s, and selected files \
                 against the manifest where there is one"
            );
            let _ = self.out.flush();
        }
    }
}

fn print_outcome(out: &mut dyn Write, r: &fetch::FetchReport, quiet: bool) -> anyhow::Result<()> {
    if r.plan.is_some() {
        let rate = if r.transfer_seconds > 0.0 {
            format!(
                " ({}/s)",
                human((r.downloaded_bytes as f64 / r.transfer_seconds) as u64)
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "  transfer: {} bytes in {:.1} s{rate}; {} bytes were already there",
            thousands(r.downloaded_bytes),
            r.transfer_seconds,
            thousands(r.resumed_bytes)
        )?;
    }
    if let Some(c) = &r.check {
        writeln!(out)?;
        print_check(out, c, quiet)?;
    }
    for n in &r.notes {
        writeln!(out, "\nnote: {n}")?;
    }
    writeln!(out)?;
    let verdict = if r.interrupted {
        "INTERRUPTED (state kept: run the same command to resume)"
    } else if let Some(c) = &r.check {
        let k = c.counts();
        if c.passed() {
            "VERIFIED"
        } else if k.mismatched > 0 {
            "MISMATCH"
        } else {
            "INCOMPLETE"
        }
    } else {
        "DOWNLOADED, NOT VERIFIED"
    };
    writeln!(out, "result: {verdict}")?;
    Ok(())
}

/// Prints a post-fetch check: every selected file (with `quiet`, only
/// those not verified), and every unselected one that has bytes on disk.
pub fn print_check(out: &mut dyn Write, c: &CheckReport, quiet: bool) -> std::io::Result<()> {
    let shown: Vec<_> = c
        .files
        .iter()
        .filter(|f| match f.state {
            FileState::NotSelected => false,
            FileState::Verified { .. } => !quiet,
            _ => true,
        })
        .collect();
    let w = shown.iter().map(|f| f.path.len()).max().unwrap_or(4).max(4);
    let sw = shown
        .iter()
        .map(|f| thousands(f.length).len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{:<w$}  {:>sw$}  verdict", "file", "size")?;
    for f in &shown {
        writeln!(
            out,
            "{:<w$}  {:>sw$}  {}",
            f.path,
            thousands(f.length),
            f.state.label()
        )?;
        match &f.state {
            FileState::Incomplete { detail, .. } => writeln!(out, "{:<w$}    - {detail}", "")?,
            FileState::Mismatch { problems } => {
                for p in problems {
                    writeln!(out, "{:<w$}    - {p}", "")?;
                }
            }
            FileState::PartialNotSelected { on_disk } => writeln!(
                out,
                "{:<w$}    - {} bytes on disk from pieces shared with selected files; not fetched, not verified",
                "",
                thousands(*on_disk)
            )?,
            _ => {}
        }
    }
    let k = c.counts();
    writeln!(out)?;
    writeln!(
        out,
        "pieces: {} of {} pass ({} bytes read{})",
        thousands(c.pieces_passed as u64),
        thousands(c.pieces as u64),
        thousands(c.bytes_hashed),
        if c.bytes_cached > 0 {
            format!(", {} from the cache", thousands(c.bytes_cached))
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "files: {} selected: {} verified, {} incomplete, {} mismatched; \
         {} unselected file(s) partly on disk (not fetched), {} complete though not selected",
        k.selected,
        k.verified,
        k.incomplete,
        k.mismatched,
        k.partial_not_selected,
        k.complete_not_selected
    )?;
    for n in &c.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

/// The demo's torrent leg: `root/ckpt-0` is made into a torrent, seeded
/// and fetched over BitTorrent on 127.0.0.1 (DHT, trackers and local
/// discovery off), and the copy is checked against `manifest`. Returns
/// whether the copy verified.
pub fn demo_torrent_leg(
    out: &mut dyn Write,
    root: &Path,
    manifest: &Manifest,
) -> anyhow::Result<bool> {
    use crate::torrent::create::{create, CreateOptions};
    writeln!(
        out,
        "== torrent: the release seeded and fetched over BitTorrent on 127.0.0.1 (librqbit), then verified\n"
    )?;
    let content = root.join("ckpt-0");
    let created = create(
        &content,
        &CreateOptions {
            name: None,
            piece_length: 32 << 10,
            trackers: Vec::new(),
            private: false,
        },
        &|_| {},
    )?;
    let meta = created.metainfo.clone();
    writeln!(
        out,
        "   torrent: {:?}, {} files, {} bytes in {} pieces of {} KiB (same info-hash as mktorrent's: {})",
        meta.name,
        meta.files.len(),
        thousands(meta.total_length()),
        meta.pieces.len(),
        meta.piece_length >> 10,
        meta.info_hash_hex()
    )?;
    let seeded = fetch::seed::verify_local(&content, &meta, &|_| {})?;
    if !seeded.all_ok() {
        writeln!(out, "   the seeder's copy does not verify")?;
        return Ok(false);
    }
    let dest = tempfile::Builder::new()
        .prefix("weightcheck-demo-fetch-")
        .tempdir()?;
    let net = NetOptions::loopback();
    let rt = fetch::runtime()?;
    let result = rt.block_on(async {
        let (stop_seed, seed_stop) = Stop::new();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let seeder = {
            let (content, bytes, meta, net) = (
                content.clone(),
                created.bytes.clone(),
                meta.clone(),
                net.clone(),
            );
            tokio::spawn(async move {
                let mut tx = Some(tx);
                let mut ready = |s: &fetch::seed::Seeding| {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(s.listen);
                    }
                };
                fetch::seed::serve(&content, bytes, &meta, &net, &mut ready, seed_stop).await
            })
        };
        let addr = tokio::time::timeout(Duration::from_secs(20), rx)
            .await
            .context("the seeder did not start within 20 s")?
            .context("the seeder stopped before it was ready")?
            .context("the seeder has no listen address")?;
        let opts = FetchOptions {
            dest: dest.path().to_path_buf(),
            only: Vec::new(),
            net: NetOptions {
                peers: vec![addr],
                ..net.clone()
            },
            manifest: Some(manifest.clone()),
            verify: true,
        };
        let (_h, stop) = Stop::new();
        let fetched = tokio::time::timeout(
            Duration::from_secs(60),
            fetch::fetch(
                Source::Torrent(created.bytes.clone()),
                &opts,
                &mut fetch::download::Quiet,
                &|_| {},
                stop,
            ),
        )
        .await
        .context("the fetch did not finish within 60 s")?;
        stop_seed.stop();
        let summary = seeder.await.context("the seeder panicked")??;
        anyhow::Ok((addr, fetched?, summary))
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    let (addr, report, summary) = result?;
    writeln!(
        out,
        "   seeder: every piece verified, then served on {addr}; uploaded {} bytes",
        thousands(summary.uploaded_bytes)
    )?;
    writeln!(
        out,
        "   fetch: {} bytes in {:.1} s into {} (temporary)",
        thousands(report.downloaded_bytes),
        report.transfer_seconds,
        dest.path().display()
    )?;
    let Some(check) = &report.check else {
        writeln!(out, "   the fetch was not checked")?;
        return Ok(false);
    };
    let k = check.counts();
    writeln!(
        out,
        "   check: {}/{} pieces pass; {}/{} files verified by piece hashes, SHA-256 and structure\n",
        check.pieces_passed, check.pieces, k.verified, k.selected
    )?;
    if !report.passed() {
        print_check(out, check, true)?;
    }
    Ok(report.passed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("1").map(NonZeroU32::get), Ok(1));
        assert_eq!(parse_rate("2K").map(NonZeroU32::get), Ok(2048));
        assert_eq!(parse_rate("1.5M").map(NonZeroU32::get), Ok(1_572_864));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("5G").is_err());
        assert!(parse_rate("fast").is_err());
    }
}
