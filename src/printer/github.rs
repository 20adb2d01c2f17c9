//! `github`'s text report (JSON is the library's report serialised).

use std::io::Write;

use crate::github::{Origin, ParamStatus, Report};

/// `github`'s text: where the files came from, the tree against the
/// manifest, magnet links, license and config parameters.
pub fn text(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let commit_note = |c: &str| {
        if c.eq_ignore_ascii_case(&r.manifest_commit) {
            "the manifest's commit".to_string()
        } else {
            format!("not the manifest's {}", r.manifest_commit)
        }
    };
    match &r.origin {
        Origin::Github {
            repo,
            git_ref,
            commit,
        } => {
            writeln!(out, "repository  {repo} (GitHub API)")?;
            writeln!(
                out,
                "ref         {git_ref} -> {commit} ({})",
                commit_note(commit)
            )?;
        }
        Origin::Local {
            path,
            git,
            git_note,
        } => {
            writeln!(out, "directory   {path}")?;
            match git {
                Some(g) => {
                    match &g.head {
                        Some(h) => writeln!(out, "git HEAD    {h} ({})", commit_note(h))?,
                        None => writeln!(out, "git HEAD    none (no commit yet)")?,
                    }
                    if g.dirty {
                        writeln!(
                            out,
                            "work tree   differs from HEAD ({} {})",
                            g.changes.len(),
                            if g.changes.len() == 1 {
                                "entry"
                            } else {
                                "entries"
                            }
                        )?;
                        for c in g.changes.iter().take(20) {
                            writeln!(out, "              {c}")?;
                        }
                        if g.changes.len() > 20 {
                            writeln!(out, "              … {} more", g.changes.len() - 20)?;
                        }
                    } else {
                        writeln!(out, "work tree   clean")?;
                    }
                }
                None => match git_note {
                    Some(n) => writeln!(out, "git         not read: {n}")?,
                    None => writeln!(out, "git         not a git repository")?,
                },
            }
        }
    }
    writeln!(
        out,
        "manifest    {} ({} at {})",
        r.release, r.manifest_repo, r.manifest_commit
    )?;

    let t = &r.tree;
    writeln!(out)?;
    writeln!(
        out,
        "files: {} match, {} changed, {} missing, {} extra",
        t.matched.len(),
        t.changed.len(),
        t.missing.len(),
        t.extra.len()
    )?;
    for c in &t.changed {
        writeln!(out, "  changed  {}", c.path)?;
        writeln!(
            out,
            "           manifest  {} bytes  git sha1 {}",
            c.expected_size, c.expected_sha1
        )?;
        writeln!(
            out,
            "           found     {} bytes  git sha1 {}",
            c.actual_size, c.actual_sha1
        )?;
    }
    for m in &t.missing {
        writeln!(
            out,
            "  missing  {}  ({} bytes, git sha1 {})",
            m.path, m.size, m.git_sha1
        )?;
    }
    for e in &t.extra {
        writeln!(
            out,
            "  extra    {}  ({} bytes, git sha1 {})",
            e.path, e.size, e.git_sha1
        )?;
    }

    let m = &r.magnets;
    writeln!(out)?;
    match (&m.file, &m.expected_info_hash) {
        (Some(f), Some(h)) => writeln!(
            out,
            "magnet: {} link(s) in {f}; manifest info-hash {h}",
            m.links.len()
        )?,
        (Some(f), None) => writeln!(
            out,
            "magnet: {} link(s) in {f}; the manifest has no torrent",
            m.links.len()
        )?,
        (None, _) => writeln!(out, "magnet: no README")?,
    }
    for l in &m.links {
        let verdict = match (&l.info_hash, &m.expected_info_hash) {
            (Some(h), Some(e)) if h == e => "matches",
            (Some(_), Some(_)) => "DIFFERS",
            (Some(_), None) => "",
            (None, _) => "no valid info-hash",
        };
        writeln!(
            out,
            "  line {:<4} {}  {}  ({} tracker{})",
            l.line,
            l.info_hash.as_deref().unwrap_or("-"),
            verdict,
            l.trackers.len(),
            if l.trackers.len() == 1 { "" } else { "s" }
        )?;
    }

    let lic = &r.license;
    writeln!(out)?;
    writeln!(
        out,
        "license: manifest says {}",
        lic.expected
            .as_deref()
            .unwrap_or("nothing for this repository")
    )?;
    if let Some(a) = &lic.api {
        writeln!(
            out,
            "  GitHub license API  {} ({}) in {}",
            a.spdx_id, a.name, a.path
        )?;
    }
    match (&lic.file, &lic.text) {
        (Some(f), Some(t)) => writeln!(
            out,
            "  text of {f}  {} ({})",
            t.spdx.as_deref().unwrap_or("unrecognized"),
            t.evidence
        )?,
        _ => writeln!(out, "  no license file at the repository root")?,
    }

    let c = &r.config;
    writeln!(out)?;
    let count = |s: ParamStatus| c.params.iter().filter(|p| p.status == s).count();
    match (&c.callee, c.line) {
        (Some(callee), Some(line)) => writeln!(
            out,
            "config: {}:{line} {callee}(...): {} match, {} differ, {} unevaluated, {} only in the manifest, {} only in {}",
            c.file,
            count(ParamStatus::Match),
            count(ParamStatus::Differ),
            count(ParamStatus::Unevaluated),
            count(ParamStatus::OnlyInManifest),
            count(ParamStatus::OnlyInConfig),
            c.file
        )?,
        _ => writeln!(out, "config: no config call read from {}", c.file)?,
    }
    for p in &c.params {
        let label = match p.status {
            ParamStatus::Match => "match",
            ParamStatus::Differ => "DIFFERS",
            ParamStatus::Unevaluated => "UNEVALUATED",
            ParamStatus::OnlyInManifest => "manifest only",
            ParamStatus::OnlyInConfig => "config only",
        };
        let name = p.path.as_deref().unwrap_or(&p.name);
        let mut line = format!("  {label:<13} {name}");
        match (&p.config_value, &p.manifest_value, p.status) {
            (Some(v), Some(_), ParamStatus::Match) => line.push_str(&format!(" = {v}")),
            (Some(v), Some(mv), _) => line.push_str(&format!(" = {v}, manifest {mv}")),
            (Some(v), None, _) => line.push_str(&format!(" = {v}")),
            (None, Some(mv), _) => line.push_str(&format!(", manifest {mv}")),
            (None, None, _) => {}
        }
        if let Some(e) = &p.expr {
            if p.config_value.as_deref() != Some(e.as_str()) {
                line.push_str(&format!("  [{e}]"));
            }
        }
        if let Some(n) = &p.note {
            line.push_str(&format!("  ({n})"));
        }
        writeln!(out, "{line}")?;
    }

    writeln!(out)?;
    let problems = r.problems();
    if problems.is_empty() {
        writeln!(out, "result: OK, the repository matches the manifest")?;
    } else {
        writeln!(
            out,
            "result: {} problem{}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        )?;
        for p in &problems {
            writeln!(out, "  - {p}")?;
        }
    }
    Ok(())
}
