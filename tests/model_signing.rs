//! `verify DIR --model-signing BUNDLE --public-key PEM` and `manifest export
//! --model-signing DIR` against bundles made by the real OpenSSF
//! model_signing 1.1.1 (its key method, files and shards serializations).
//! The package's Python must be there: a missing one fails these tests.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{run, run_python_signing as python, EXIT_MISMATCH, EXIT_OK, EXIT_STRUCTURE_ONLY};

const KEYGEN: &str = "\
import sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization as s
k = ec.generate_private_key(ec.SECP256R1())
open(sys.argv[1], 'wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))
open(sys.argv[2], 'wb').write(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))
";

// The CLI of model_signing 1.1.1 has no shard option; its API does.
const SIGN_SHARDS: &str = "\
import sys
from model_signing import hashing, signing
h = hashing.Config().use_shard_serialization(shard_size=int(sys.argv[4]))
signing.Config().use_elliptic_key_signer(private_key=sys.argv[2]).set_hashing_config(h).sign(sys.argv[1], sys.argv[3])
";

/// model_signing's API verify of a shards signature. Its CLI assumes the
/// files serialization, and 1.1.1 cannot take the shard size from the
/// signature it wrote (the JSON number `300.0` is a float to Python's
/// `range`: TypeError), so the size is given again.
const VERIFY_SHARDS: &str = "\
import sys
from model_signing import hashing, verifying
h = hashing.Config().use_shard_serialization(shard_size=int(sys.argv[4]))
verifying.Config().use_elliptic_key_verifier(public_key=sys.argv[3]).set_hashing_config(h).verify(sys.argv[1], sys.argv[2])
";

/// `model_signing sign key DIR`, its CLI with the defaults.
fn sign_key(dir: &Path, key: &Path, bundle: &Path) {
    python(&[
        "-m",
        "model_signing",
        "sign",
        "key",
        s(dir),
        "--private_key",
        s(key),
        "--signature",
        s(bundle),
    ]);
}

struct Signed {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    bundle: PathBuf,
    public: PathBuf,
    root: PathBuf,
}

/// A model directory whose names sort differently by string and by path
/// component (`a/b`, `a-b`, `a.b`), with git files model_signing ignores,
/// signed by model_signing (`shard_size` set: the shards serialization).
fn signed_model(shard_size: Option<u32>) -> Signed {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let dir = root.join("model");
    for (name, content) in [
        ("a/b", &b"first file"[..]),
        ("a-b", b"second"),
        ("a.b", b""),
        ("weights/model.bin", &[7u8; 1000][..]),
        (".gitignore", b"*.tmp\n"),
        (".git/HEAD", b"ref: refs/heads/main\n"),
    ] {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    let (key, public, bundle) = (
        root.join("key.pem"),
        root.join("pub.pem"),
        root.join("model.sig"),
    );
    python(&["-c", KEYGEN, s(&key), s(&public)]);
    match shard_size {
        None => sign_key(&dir, &key, &bundle),
        Some(size) => python(&[
            "-c",
            SIGN_SHARDS,
            s(&dir),
            s(&key),
            s(&bundle),
            &size.to_string(),
        ]),
    }
    Signed {
        _tmp: tmp,
        dir,
        bundle,
        public,
        root,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

impl Signed {
    /// `verify DIR --model-signing BUNDLE --public-key PEM`.
    fn args(&self) -> [&str; 6] {
        [
            "verify",
            s(&self.dir),
            "--model-signing",
            s(&self.bundle),
            "--public-key",
            s(&self.public),
        ]
    }

    fn verify(&self) -> (i32, String, String) {
        run(self.args(), &self.root)
    }

    /// Rewrites the bundle's JSON.
    fn edit_bundle(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut bundle: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&self.bundle).expect("read")).expect("JSON");
        edit(&mut bundle);
        std::fs::write(&self.bundle, serde_json::to_vec(&bundle).expect("JSON")).expect("write");
    }

    /// The signed statement, as model_signing wrote it.
    fn statement(&self) -> serde_json::Value {
        let bundle: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&self.bundle).expect("read")).expect("JSON");
        let payload = bundle["dsseEnvelope"]["payload"].as_str().expect("payload");
        serde_json::from_slice(&STANDARD.decode(payload).expect("base64")).expect("statement")
    }
}

fn assert_failed(out: &(i32, String, String), reason: &str) {
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    assert!(out.1.contains("result: FAILED"), "{out:?}");
    assert!(out.1.contains(reason), "{reason:?} not in {out:?}");
}

#[test]
fn a_files_bundle_of_model_signing_verifies() {
    let m = signed_model(None);
    // model_signing itself accepts it.
    python(&[
        "-m",
        "model_signing",
        "verify",
        "key",
        s(&m.dir),
        "--signature",
        s(&m.bundle),
        "--public_key",
        s(&m.public),
    ]);
    let out = m.verify();
    assert_eq!(out.0, EXIT_OK, "{out:?}");
    assert!(
        out.1
            .contains("signature: verified (model model, files serialization"),
        "{out:?}"
    );
    assert!(
        out.1.contains(
            "result: VERIFIED — the signature and every byte of the 4 signed resources matched"
        ),
        "{out:?}"
    );
}

#[test]
fn a_shards_bundle_of_model_signing_verifies_and_names_the_bad_shard() {
    let m = signed_model(Some(300));
    // model_signing signs no shard of an empty file, and its own verify
    // accepts the directory with the empty file there.
    python(&[
        "-c",
        VERIFY_SHARDS,
        s(&m.dir),
        s(&m.bundle),
        s(&m.public),
        "300",
    ]);
    // weightcheck neither passes nor fails it: the file's presence is unsigned.
    let out = m.verify();
    assert_eq!(out.0, EXIT_STRUCTURE_ONLY, "{out:?}");
    assert!(
        out.1.contains(
            "not_checked   a.b — empty, and a shards signature lists no empty file: its presence is not signed"
        ),
        "{out:?}"
    );
    assert!(
        out.1.contains("result: STRUCTURE OK — every signed byte matched, but 1 file is there that the signature does not cover (above)"),
        "{out:?}"
    );
    std::fs::remove_file(m.dir.join("a.b")).expect("remove");
    let out = m.verify();
    assert_eq!(out.0, EXIT_OK, "{out:?}");
    assert!(out.1.contains("shards serialization"), "{out:?}");
    assert!(
        out.1.contains("ok            weights/model.bin:900:1000"),
        "{out:?}"
    );
    let path = m.dir.join("weights/model.bin");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[350] ^= 1;
    std::fs::write(&path, bytes).expect("write");
    let out = m.verify();
    assert_failed(&out, "hash_mismatch weights/model.bin:300:600");
    assert!(
        out.1.contains("ok            weights/model.bin:0:300"),
        "{out:?}"
    );
}

#[test]
fn a_flipped_byte_fails_naming_the_file() {
    let m = signed_model(None);
    std::fs::write(m.dir.join("a-b"), b"secoNd").expect("write");
    assert_failed(&m.verify(), "hash_mismatch a-b — SHA-256 ");
}

#[test]
fn a_missing_file_fails() {
    let m = signed_model(None);
    std::fs::remove_file(m.dir.join("a/b")).expect("remove");
    assert_failed(
        &m.verify(),
        "missing       a/b — signed, not in the directory",
    );
}

#[test]
fn an_unsigned_file_fails_but_ignored_paths_do_not() {
    let m = signed_model(None);
    std::fs::write(m.dir.join(".git/config"), b"[core]\n").expect("write");
    assert_eq!(m.verify().0, EXIT_OK);
    std::fs::write(m.dir.join("extra.bin"), b"x").expect("write");
    let out = m.verify();
    assert_failed(&out, "extra         extra.bin — not signed");
    assert!(!out.1.contains(".git"), "{out:?}");
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    let m = signed_model(None);
    m.edit_bundle(|b| {
        let payload = b["dsseEnvelope"]["payload"].as_str().expect("payload");
        let text = String::from_utf8(STANDARD.decode(payload).expect("base64")).expect("UTF-8");
        let changed = text.replacen("\"name\": \"a-b\"", "\"name\": \"a-c\"", 1);
        assert_ne!(text, changed);
        b["dsseEnvelope"]["payload"] = STANDARD.encode(changed).into();
    });
    let out = m.verify();
    assert_failed(
        &out,
        "signature: FAILED — the envelope's signature does not verify with the signer's key",
    );
    assert!(out.1.contains("no file was checked"), "{out:?}");
}

#[test]
fn a_tampered_signature_fails() {
    let m = signed_model(None);
    m.edit_bundle(|b| {
        let sig = b["dsseEnvelope"]["signatures"][0]["sig"]
            .as_str()
            .expect("sig");
        let mut der = STANDARD.decode(sig).expect("base64");
        // The last byte is inside the DER's s integer: still DER, wrong value.
        *der.last_mut().expect("bytes") ^= 1;
        b["dsseEnvelope"]["signatures"][0]["sig"] = STANDARD.encode(der).into();
    });
    assert_failed(&m.verify(), "the envelope's signature does not verify");
}

#[test]
fn another_key_fails() {
    let m = signed_model(None);
    let (key, public) = (m.root.join("other.pem"), m.root.join("other.pub.pem"));
    python(&["-c", KEYGEN, s(&key), s(&public)]);
    let args = [
        "verify",
        s(&m.dir),
        "--model-signing",
        s(&m.bundle),
        "--public-key",
        s(&public),
    ];
    assert_failed(
        &run(args, &m.root),
        "the bundle was signed for another public key",
    );
}

#[test]
fn the_exported_statement_is_the_one_model_signing_signs() {
    let m = signed_model(None);
    let out_path = m.root.join("statement.json");
    let out = run(
        [
            "manifest",
            "export",
            "--model-signing",
            s(&m.dir),
            "-o",
            s(&out_path),
        ],
        &m.root,
    );
    assert_eq!(out.0, EXIT_OK, "{out:?}");
    let ours: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("read")).expect("JSON");
    let theirs = m.statement();
    assert_eq!(ours["subject"], theirs["subject"]);
    assert_eq!(
        ours["predicate"]["resources"],
        theirs["predicate"]["resources"]
    );
    assert_eq!(ours["predicateType"], theirs["predicateType"]);
    // Path components order: a/b, a-b, a.b (string order would put a/b last).
    let names: Vec<_> = ours["predicate"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["a/b", "a-b", "a.b", "weights/model.bin"]);
}

// Re-signs a bundle's payload after an edit, as a hostile publisher could:
// the signature holds, so only weightcheck's own checks stand in the way.
const RESIGN: &str = "\
import sys, json, base64
from cryptography.hazmat.primitives import hashes, serialization as s
from cryptography.hazmat.primitives.asymmetric import ec
bundle = json.load(open(sys.argv[1]))
env = bundle['dsseEnvelope']
payload = base64.b64decode(env['payload']).replace(sys.argv[3].encode(), sys.argv[4].encode())
t = env['payloadType']
pae = b'DSSEv1 %d %s %d %s' % (len(t), t.encode(), len(payload), payload)
key = s.load_pem_private_key(open(sys.argv[2], 'rb').read(), None)
env['payload'] = base64.b64encode(payload).decode()
env['signatures'][0]['sig'] = base64.b64encode(key.sign(pae, ec.ECDSA(hashes.SHA256()))).decode()
json.dump(bundle, open(sys.argv[1], 'w'))
";

#[test]
fn a_signed_name_outside_the_directory_is_refused() {
    let m = signed_model(None);
    std::fs::write(m.root.join("outside"), b"second").expect("write");
    let key = m.root.join("key.pem");
    python(&[
        "-c",
        RESIGN,
        s(&m.bundle),
        s(&key),
        "\"name\": \"a-b\"",
        "\"name\": \"../outside\"",
    ]);
    assert_failed(
        &m.verify(),
        "the statement's resource \"../outside\": not a path inside the directory",
    );
}

#[test]
fn the_bundle_inside_the_directory_is_not_an_unsigned_file() {
    let m = signed_model(None);
    let inside = m.dir.join("model.sig");
    std::fs::rename(&m.bundle, &inside).expect("move");
    let args = [
        "verify",
        s(&m.dir),
        "--model-signing",
        s(&inside),
        "--public-key",
        s(&m.public),
    ];
    let out = run(args, &m.root);
    assert_eq!(out.0, EXIT_OK, "{out:?}");
}

#[test]
fn json_reports_the_signature_and_each_finding() {
    let m = signed_model(None);
    std::fs::write(m.dir.join("a-b"), b"secoNd").expect("write");
    let args = [
        "verify",
        s(&m.dir),
        "--model-signing",
        s(&m.bundle),
        "--public-key",
        s(&m.public),
        "--json",
    ];
    let out = run(args, &m.root);
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.1).expect("JSON");
    assert_eq!(report["outcome"], "failed");
    assert_eq!(report["signature_verified"], true);
    assert_eq!(report["method"], "files");
    let bad: Vec<_> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["verdict"] != "ok")
        .map(|f| {
            (
                f["name"].as_str().expect("name"),
                f["verdict"].as_str().expect("verdict"),
            )
        })
        .collect();
    assert_eq!(bad, [("a-b", "hash_mismatch")]);
}

#[test]
fn a_subject_digest_that_is_not_the_resources_is_refused() {
    let m = signed_model(None);
    let stated = m.statement()["subject"][0]["digest"]["sha256"]
        .as_str()
        .expect("digest")
        .to_owned();
    let key = m.root.join("key.pem");
    python(&[
        "-c",
        RESIGN,
        s(&m.bundle),
        s(&key),
        &stated,
        &"0".repeat(64),
    ]);
    assert_failed(&m.verify(), "is not the SHA-256 of its resources' digests");
}

#[test]
fn a_signed_file_replaced_by_a_symlink_fails() {
    let m = signed_model(None);
    let path = m.dir.join("a-b");
    std::fs::rename(&path, m.root.join("real")).expect("move");
    std::os::unix::fs::symlink(m.root.join("real"), &path).expect("symlink");
    assert_failed(
        &m.verify(),
        "unreadable    a-b — a symbolic link, which the signature does not allow",
    );
}

#[test]
fn the_verification_cache_remembers_but_never_hides_a_change() {
    let m = signed_model(None);
    let cache = m.root.join("xdg-cache");
    let args = m.args();
    let first = common::run_bin(args, &m.root, &cache);
    assert_eq!(first.0, EXIT_OK, "{first:?}");
    assert!(
        std::fs::read_dir(cache.join("weightcheck"))
            .expect("a cache directory")
            .next()
            .is_some(),
        "the digests were recorded"
    );
    std::fs::write(m.dir.join("a-b"), b"secoNd").expect("write");
    let second = common::run_bin(args, &m.root, &cache);
    assert_failed(&second, "hash_mismatch a-b — SHA-256 ");
    let uncached = common::run_bin(args.iter().copied().chain(["--no-cache"]), &m.root, &cache);
    assert_failed(&uncached, "hash_mismatch a-b — SHA-256 ");
}

#[test]
fn ctrl_c_stops_hashing_with_130_and_the_next_run_continues() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let dir = root.join("big");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // Sparse: no disk, but seconds of hashing (one file, one stream).
    let f = std::fs::File::create(dir.join("w.bin")).expect("create");
    f.set_len(4 << 30).expect("set_len");
    drop(f);
    let (key, public, bundle) = (
        root.join("key.pem"),
        root.join("pub.pem"),
        root.join("big.sig"),
    );
    python(&["-c", KEYGEN, s(&key), s(&public)]);
    sign_key(&dir, &key, &bundle);
    let cache = root.join("xdg-cache");
    let args = [
        "verify",
        s(&dir),
        "--model-signing",
        s(&bundle),
        "--public-key",
        s(&public),
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(args)
        .env("XDG_CACHE_HOME", &cache)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn weightcheck");
    std::thread::sleep(std::time::Duration::from_millis(400));
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: hashing stopped after ")
            && stderr.contains("run the same command again to continue"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("VERIFIED"));
    let again = common::run_bin(args, root, &cache);
    assert_eq!(again.0, EXIT_OK, "{again:?}");
    assert!(again.1.contains("ok            w.bin"), "{again:?}");
}

#[test]
fn a_bundle_over_the_size_limit_is_refused_unread() {
    let m = signed_model(None);
    let f = std::fs::File::create(&m.bundle).expect("create");
    f.set_len(600 << 20).expect("set_len"); // sparse: no disk, no memory
    drop(f);
    let out = m.verify();
    assert_eq!(out.0, common::EXIT_ERROR, "{out:?}");
    assert!(out.2.contains("model.sig"), "{out:?}");
}

#[test]
fn a_second_signature_is_refused() {
    let m = signed_model(None);
    m.edit_bundle(|b| {
        let sigs = b["dsseEnvelope"]["signatures"]
            .as_array_mut()
            .expect("signatures");
        let first = sigs[0].clone();
        sigs.push(first);
    });
    assert_failed(&m.verify(), "the envelope holds 2 signatures, not one");
}

#[test]
fn quiet_lists_only_what_is_wrong() {
    let m = signed_model(None);
    std::fs::write(m.dir.join("a-b"), b"secoNd").expect("write");
    let out = run(["-q"].into_iter().chain(m.args()), &m.root);
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    let lines: Vec<&str> = out.1.lines().collect();
    assert_eq!(lines.len(), 3, "{out:?}");
    assert!(lines[0].starts_with("signature: verified"), "{out:?}");
    assert!(
        lines[1].starts_with("hash_mismatch a-b — SHA-256 "),
        "{out:?}"
    );
    assert_eq!(lines[2], "result: FAILED — 1 problem found (above)");
}
