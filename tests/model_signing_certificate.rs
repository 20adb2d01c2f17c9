//! `verify DIR --model-signing BUNDLE --certificate-chain ROOTS` against
//! bundles written by the real model_signing 1.1.1 (`sign certificate`),
//! with certificates made by Python's `cryptography` (the library
//! model_signing itself uses). Offline: the chain is checked against the
//! roots given, as model_signing's `verify certificate` does.

mod common;

use std::path::{Path, PathBuf};

use common::{run, run_python_signing as python, EXIT_MISMATCH, EXIT_OK};

/// A root CA, an intermediate CA and a signing certificate, all P-256.
/// argv: OUT, then flags: `inter-not-ca` (the intermediate lacks CA basic
/// constraints), `leaf-no-usage` (the signing certificate allows neither
/// digital signatures nor code signing).
const PKI: &str = "\
import datetime, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization as s
from cryptography.hazmat.primitives.asymmetric import ec
out, flags = sys.argv[1], sys.argv[2:]
start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def usage(sign, certs): return x509.KeyUsage(sign, False, False, False, False, certs, certs, False, False)
def cert(subject, key, issuer, issuer_key, ca, sign):
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(usage(sign, ca), critical=True))
    return b.sign(issuer_key, hashes.SHA256())
k = {n: ec.generate_private_key(ec.SECP256R1()) for n in ['root', 'inter', 'leaf']}
root = cert('test root', k['root'], 'test root', k['root'], True, False)
inter = cert('test intermediate', k['inter'], 'test root', k['root'], 'inter-not-ca' not in flags, False)
leaf = cert('test signer', k['leaf'], 'test intermediate', k['inter'], False, 'leaf-no-usage' not in flags)
for n, c in [('root', root), ('inter', inter), ('leaf', leaf)]:
    open(f'{out}/{n}.pem', 'wb').write(c.public_bytes(s.Encoding.PEM))
open(f'{out}/leaf.key', 'wb').write(k['leaf'].private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))
";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A model directory signed with `model_signing sign certificate`, the
/// bundle holding the signing certificate and the intermediate.
struct Signed {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: PathBuf,
    bundle: PathBuf,
}

fn signed_model(flags: &[&str]) -> Signed {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let dir = root.join("model");
    std::fs::create_dir_all(dir.join("weights")).expect("mkdir");
    std::fs::write(dir.join("config.json"), b"{}").expect("write");
    std::fs::write(dir.join("weights/model.bin"), [7u8; 1000]).expect("write");
    let mut pki = vec!["-c", PKI, s(&root)];
    pki.extend_from_slice(flags);
    python(&pki);
    let bundle = root.join("model.sig");
    python(&[
        "-m",
        "model_signing",
        "sign",
        "certificate",
        s(&dir),
        "--private_key",
        s(&root.join("leaf.key")),
        "--signing_certificate",
        s(&root.join("leaf.pem")),
        "--certificate_chain",
        s(&root.join("inter.pem")),
        "--signature",
        s(&bundle),
    ]);
    Signed {
        _tmp: tmp,
        root,
        dir,
        bundle,
    }
}

impl Signed {
    fn verify(&self, trust: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "verify".to_owned(),
            s(&self.dir).to_owned(),
            "--model-signing".to_owned(),
            s(&self.bundle).to_owned(),
        ];
        args.extend(trust.iter().map(|a| (*a).to_owned()));
        run(args, &self.root)
    }
}

fn assert_refused(out: &(i32, String, String), reason: &str) {
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    assert!(
        out.1.contains(&format!("signature: FAILED — {reason}")),
        "{out:?}"
    );
    assert!(
        out.1
            .contains("result: FAILED — the bundle proves nothing (above); no file was checked"),
        "{out:?}"
    );
}

#[test]
fn a_certificate_bundle_verifies_against_its_root() {
    let m = signed_model(&[]);
    // model_signing's own verify accepts it with the same root.
    python(&[
        "-m",
        "model_signing",
        "verify",
        "certificate",
        s(&m.dir),
        "--signature",
        s(&m.bundle),
        "--certificate_chain",
        s(&m.root.join("root.pem")),
    ]);
    let out = m.verify(&["--certificate-chain", "root.pem"]);
    assert_eq!(out.0, EXIT_OK, "{out:?}");
    assert!(
        out.1.contains(
            "signed by: CN=test signer <- CN=test intermediate <- CN=test root (a root given)"
        ),
        "{out:?}"
    );
    assert!(
        out.1.contains(
            "result: VERIFIED — the signature and every byte of the 2 signed resources matched"
        ),
        "{out:?}"
    );
}

#[test]
fn a_flipped_byte_still_fails_under_a_trusted_certificate() {
    let m = signed_model(&[]);
    let path = m.dir.join("weights/model.bin");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[500] ^= 1;
    std::fs::write(&path, bytes).expect("write");
    let out = m.verify(&["--certificate-chain", "root.pem"]);
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    assert!(out.1.contains("hash_mismatch weights/model.bin"), "{out:?}");
}

#[test]
fn an_intermediate_alone_is_not_a_root() {
    // OpenSSL, under model_signing, also wants the chain to end at a
    // self-signed root ("unable to get issuer certificate").
    let m = signed_model(&[]);
    assert_refused(
        &m.verify(&["--certificate-chain", "inter.pem"]),
        "the signing certificate is not trusted: CN=test intermediate (issued by CN=test root) does not chain to a given root: no certificate given or in the bundle is its issuer",
    );
}

#[test]
fn another_root_is_not_trusted() {
    let m = signed_model(&[]);
    let other = signed_model(&[]);
    let out = m.verify(&["--certificate-chain", s(&other.root.join("root.pem"))]);
    assert_refused(
        &out,
        "the signing certificate is not trusted: CN=test intermediate (issued by CN=test root) does not chain to a given root: CN=test intermediate's signature does not verify with the key of CN=test root",
    );
}

#[test]
fn an_issuer_that_is_not_a_ca_is_refused() {
    let m = signed_model(&["inter-not-ca"]);
    assert_refused(
        &m.verify(&["--certificate-chain", "root.pem"]),
        "the signing certificate is not trusted: CN=test signer (issued by CN=test intermediate) does not chain to a given root: CN=test intermediate is not a CA certificate (basic constraints)",
    );
}

#[test]
fn a_certificate_not_for_signing_is_refused() {
    let m = signed_model(&["leaf-no-usage"]);
    assert_refused(
        &m.verify(&["--certificate-chain", "root.pem"]),
        "the bundle's certificate 0 (0 is the signing one): its key usage allows neither digital signatures nor code signing",
    );
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    let m = signed_model(&[]);
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&m.bundle).expect("read")).expect("JSON");
    let payload = bundle["dsseEnvelope"]["payload"]
        .as_str()
        .expect("payload")
        .replace('A', "B");
    bundle["dsseEnvelope"]["payload"] = payload.into();
    std::fs::write(&m.bundle, serde_json::to_vec(&bundle).expect("JSON")).expect("write");
    assert_refused(
        &m.verify(&["--certificate-chain", "root.pem"]),
        "the envelope's signature does not verify with the signer's key",
    );
}

#[test]
fn the_wrong_kind_of_trust_is_named() {
    let m = signed_model(&[]);
    python(&[
        "-c",
        "import sys\nfrom cryptography import x509\nfrom cryptography.hazmat.primitives import serialization as s\nc = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())\nopen(sys.argv[2], 'wb').write(c.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))",
        s(&m.root.join("leaf.pem")),
        s(&m.root.join("leaf.pub")),
    ]);
    assert_refused(
        &m.verify(&["--public-key", "leaf.pub"]),
        "the bundle is signed with a certificate: give --certificate-chain with the roots to trust, not --public-key",
    );
}

#[test]
fn roots_that_are_not_certificates_are_an_input_error() {
    let m = signed_model(&[]);
    std::fs::write(m.root.join("junk.pem"), b"not a certificate\n").expect("write");
    let out = m.verify(&["--certificate-chain", "junk.pem"]);
    assert_eq!(out.0, common::EXIT_ERROR, "{out:?}");
    assert!(out.2.contains("junk.pem: no certificate in it"), "{out:?}");
}
