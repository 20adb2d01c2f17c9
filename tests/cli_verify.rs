//! `weightcheck verify` end to end, in-process: on the full-size sparse
//! Grok-1 layout and on a scaled-down release with every kind of damage.

mod common;

use common::run;
use weightcheck::manifest::Manifest;
use weightcheck::synth::{self, Content};

#[test]
fn full_size_sparse_grok1_verifies_structurally() {
    let dir = tempfile::tempdir().unwrap();
    let arch = Manifest::embedded("grok-1").unwrap().architecture.unwrap();
    let written = synth::write_grok_release(dir.path(), &arch, Content::Holes).unwrap();
    assert_eq!(written.len(), 770);
    let manifest = Manifest::embedded("grok-1").unwrap();
    for (w, f) in written.iter().zip(&manifest.files) {
        assert_eq!((w.path.as_str(), w.size), (f.path.as_str(), f.size));
    }
    let (code, out, err) = run(
        [
            "verify",
            dir.path().to_str().unwrap(),
            "--release",
            "grok-1",
            "--no-hash",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("structure: 770/770 structurally correct"),
        "{out}"
    );
    assert!(
        out.contains("shapes cannot detect two layers' files swapped"),
        "{out}"
    );
    assert!(out.contains("result: VERIFIED"), "{out}");
}
