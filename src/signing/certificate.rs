//! Certificate-signed bundles (`model_signing sign certificate`): the
//! bundle carries the signing certificate and, after it, the chain its
//! signer chose to include. The envelope is checked with the signing
//! certificate's key only once that certificate chains, signature by
//! signature, to a self-signed root among the certificates the user gave.
//!
//! This follows what model_signing's own verify asks of OpenSSL, and no
//! more is believed: validity is judged at the signing certificate's start
//! (model_signing sets that time, since the bundle holds no timestamp), CA
//! certificates must say they are CAs, an unknown critical extension
//! refuses the chain, and the signing certificate must allow digital
//! signatures or code signing. Only ECDSA P-256 with SHA-256 is checked;
//! anything else is refused with its name, never passed.
//!
//! Written here rather than taken from a crate because no maintained Rust
//! crate validates an X.509 path offline without also bringing a TLS stack
//! (webpki's profile is for TLS server names); x509-cert parses, p256 checks
//! the signatures.

use std::path::PathBuf;
use std::time::SystemTime;

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use x509_cert::der::oid::db::rfc5280::ID_KP_CODE_SIGNING;
use x509_cert::der::oid::db::rfc5912::ECDSA_WITH_SHA_256;
use x509_cert::der::oid::db::rfc5912::{
    ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_CE_SUBJECT_ALT_NAME,
};
use x509_cert::der::{Decode, DecodePem, Encode};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use x509_cert::Certificate;

use super::SigningError;

/// Longest chain followed, signing certificate and root included: deep
/// enough for any real PKI, and a bound on a bundle built to loop.
const MAX_DEPTH: usize = 10;
/// Most certificates read from a bundle or from the given roots.
const MAX_CERTIFICATES: usize = 1000;
/// A system's whole CA bundle is about 200 KB.
const MAX_ROOTS_BYTES: u64 = 16 << 20;

/// The certificates the user trusts (`--certificate-chain`).
#[derive(Debug)]
pub struct Anchors {
    certs: Vec<Certificate>,
}

impl Anchors {
    /// Reads every certificate of each PEM file (one or more per file).
    pub fn read(files: &[PathBuf]) -> Result<Anchors, SigningError> {
        let mut certs = Vec::new();
        for path in files {
            let pem = crate::paths::read_limited(path, MAX_ROOTS_BYTES)?;
            let found = Anchors::from_pem(&pem).map_err(|why| SigningError::Anchors {
                path: path.clone(),
                why,
            })?;
            certs.extend(found.certs);
        }
        if certs.len() > MAX_CERTIFICATES {
            return Err(SigningError::Anchors {
                path: files.last().cloned().unwrap_or_default(),
                why: format!("more than {MAX_CERTIFICATES} certificates given"),
            });
        }
        Ok(Anchors { certs })
    }

    /// The certificates of one PEM text. Each `CERTIFICATE` block is cut
    /// out here and decoded by x509-cert: its own `load_pem_chain` panics
    /// on an empty input (x509-cert 0.2.5, found by the fuzz target).
    pub fn from_pem(pem: &[u8]) -> Result<Anchors, String> {
        const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
        const END: &[u8] = b"-----END CERTIFICATE-----";
        let mut certs = Vec::new();
        let mut rest = pem;
        while let Some(start) = find(rest, BEGIN) {
            let Some(len) = find(&rest[start..], END) else {
                return Err("a certificate's BEGIN line has no END line".to_owned());
            };
            let block = &rest[start..start + len + END.len()];
            let cert = Certificate::from_pem(block)
                .map_err(|e| format!("certificate {} is not PEM X.509: {e}", certs.len() + 1))?;
            certs.push(cert);
            if certs.len() > MAX_CERTIFICATES {
                return Err(format!("more than {MAX_CERTIFICATES} certificates"));
            }
            rest = &rest[start + len + END.len()..];
        }
        if certs.is_empty() {
            return Err("no certificate in it".to_owned());
        }
        Ok(Anchors { certs })
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Who signed, as the verified chain says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signer {
    /// The signing certificate's subject (`CN=…`).
    pub subject: String,
    /// Every certificate above it, up to and including the root.
    pub issuers: Vec<String>,
}

/// The signing certificate's key, once the chain from it to a given root
/// holds; `chain_der` is the bundle's list, signing certificate first.
pub fn signer_key(
    chain_der: &[Vec<u8>],
    anchors: &Anchors,
) -> Result<(VerifyingKey, Signer), SigningError> {
    if chain_der.len() > MAX_CERTIFICATES {
        return Err(bad(
            0,
            format!("the bundle lists {} certificates", chain_der.len()),
        ));
    }
    let bundled = chain_der
        .iter()
        .enumerate()
        .map(|(i, der)| {
            Certificate::from_der(der).map_err(|e| bad(i, format!("not DER X.509: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let Some(leaf) = bundled.first() else {
        return Err(bad(0, "the bundle's certificate chain is empty".to_owned()));
    };
    let at = leaf.tbs_certificate.validity.not_before.to_system_time();
    let key = p256_key(leaf).map_err(|why| bad(0, why))?;
    if !may_sign(leaf).map_err(|why| bad(0, why))? {
        return Err(bad(
            0,
            "its key usage allows neither digital signatures nor code signing".to_owned(),
        ));
    }
    let mut signer = Signer {
        subject: leaf.tbs_certificate.subject.to_string(),
        issuers: Vec::new(),
    };
    let mut current = leaf;
    let mut cas_below = 0u8;
    for _ in 0..MAX_DEPTH {
        check_at(current, at)?;
        let self_signed = current.tbs_certificate.issuer == current.tbs_certificate.subject
            && signed_by(current, current).is_ok();
        if self_signed && anchors.certs.iter().any(|a| a == current) {
            return Ok((key, signer));
        }
        let mut why_not = Vec::new();
        let issuer = anchors
            .certs
            .iter()
            .chain(&bundled[1..])
            .filter(|c| {
                *c != current && c.tbs_certificate.subject == current.tbs_certificate.issuer
            })
            .find(
                |c| match can_issue(c, cas_below).and_then(|()| signed_by(current, c)) {
                    Ok(()) => true,
                    Err(why) => {
                        why_not.push(why);
                        false
                    }
                },
            );
        let Some(issuer) = issuer else {
            let name = &current.tbs_certificate.subject;
            let wanted = &current.tbs_certificate.issuer;
            let detail = if why_not.is_empty() {
                "no certificate given or in the bundle is its issuer".to_owned()
            } else {
                why_not.join("; ")
            };
            return Err(SigningError::Untrusted(format!(
                "{name} (issued by {wanted}) does not chain to a given root: {detail}"
            )));
        };
        if current != leaf {
            cas_below = cas_below.saturating_add(1);
        }
        signer
            .issuers
            .push(issuer.tbs_certificate.subject.to_string());
        current = issuer;
    }
    Err(SigningError::Untrusted(format!(
        "no root within {MAX_DEPTH} certificates"
    )))
}

fn bad(index: usize, why: String) -> SigningError {
    SigningError::Certificate { index, why }
}

/// The certificate's key as a P-256 ECDSA key.
fn p256_key(cert: &Certificate) -> Result<VerifyingKey, String> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    VerifyingKey::from_public_key_der(&spki).map_err(|_| {
        format!(
            "its key ({}) is not an ECDSA P-256 key, the only kind checked",
            cert.tbs_certificate.subject_public_key_info.algorithm.oid
        )
    })
}

/// Whether `signed`'s signature verifies with `issuer`'s key.
fn signed_by(signed: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let name = &signed.tbs_certificate.subject;
    if signed.signature_algorithm.oid != ECDSA_WITH_SHA_256 {
        return Err(format!(
            "{name} is signed with {}, not ECDSA with SHA-256 (the only algorithm checked)",
            signed.signature_algorithm.oid
        ));
    }
    let key = p256_key(issuer)?;
    let tbs = signed.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let sig = signed
        .signature
        .as_bytes()
        .and_then(|der| Signature::from_der(der).ok())
        .ok_or_else(|| format!("{name}'s signature is not a DER ECDSA signature"))?;
    key.verify(&tbs, &sig).map_err(|_| {
        format!(
            "{name}'s signature does not verify with the key of {}",
            issuer.tbs_certificate.subject
        )
    })
}

/// Valid at `at`, with no critical extension this check does not know.
fn check_at(cert: &Certificate, at: SystemTime) -> Result<(), SigningError> {
    let name = &cert.tbs_certificate.subject;
    let validity = &cert.tbs_certificate.validity;
    if at < validity.not_before.to_system_time() || at > validity.not_after.to_system_time() {
        return Err(SigningError::Untrusted(format!(
            "{name} was not valid when the signing certificate began ({} to {})",
            validity.not_before, validity.not_after
        )));
    }
    let known = [
        ID_CE_BASIC_CONSTRAINTS,
        ID_CE_KEY_USAGE,
        ID_CE_EXT_KEY_USAGE,
        ID_CE_SUBJECT_ALT_NAME,
    ];
    for ext in cert.tbs_certificate.extensions.iter().flatten() {
        if ext.critical && !known.contains(&ext.extn_id) {
            return Err(SigningError::Untrusted(format!(
                "{name} has a critical extension {} that is not checked here",
                ext.extn_id
            )));
        }
    }
    Ok(())
}

/// The certificate's extension of type `E`, decoded, if it has one.
fn extension<'a, E: Decode<'a>>(
    cert: &'a Certificate,
    oid: x509_cert::der::oid::ObjectIdentifier,
) -> Result<Option<E>, String> {
    let Some(ext) = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid)
    else {
        return Ok(None);
    };
    E::from_der(ext.extn_value.as_bytes())
        .map(Some)
        .map_err(|e| {
            format!(
                "{}'s extension {oid} does not decode: {e}",
                cert.tbs_certificate.subject
            )
        })
}

/// Whether `ca` may issue a certificate with `cas_below` CA certificates
/// under it (the signing certificate not counted).
fn can_issue(ca: &Certificate, cas_below: u8) -> Result<(), String> {
    let name = &ca.tbs_certificate.subject;
    let basic: Option<BasicConstraints> = extension(ca, ID_CE_BASIC_CONSTRAINTS)?;
    let Some(basic) = basic.filter(|b| b.ca) else {
        return Err(format!(
            "{name} is not a CA certificate (basic constraints)"
        ));
    };
    if basic.path_len_constraint.is_some_and(|n| cas_below > n) {
        return Err(format!("{name}'s path length constraint is exceeded"));
    }
    let usage: Option<KeyUsage> = extension(ca, ID_CE_KEY_USAGE)?;
    if usage.is_some_and(|u| !u.key_cert_sign()) {
        return Err(format!(
            "{name}'s key usage does not allow signing certificates"
        ));
    }
    Ok(())
}

/// model_signing's rule for the signing certificate: digital signatures in
/// its key usage, or code signing in its extended key usage.
fn may_sign(cert: &Certificate) -> Result<bool, String> {
    let usage: Option<KeyUsage> = extension(cert, ID_CE_KEY_USAGE)?;
    if usage.is_some_and(|u| u.digital_signature()) {
        return Ok(true);
    }
    let extended: Option<ExtendedKeyUsage> = extension(cert, ID_CE_EXT_KEY_USAGE)?;
    Ok(extended.is_some_and(|e| e.0.contains(&ID_KP_CODE_SIGNING)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_certificates_is_refused_not_a_panic() {
        assert_eq!(Anchors::from_pem(b"").unwrap_err(), "no certificate in it");
        assert_eq!(
            Anchors::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap_err(),
            "a certificate's BEGIN line has no END line"
        );
        let bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(Anchors::from_pem(bad)
            .unwrap_err()
            .starts_with("certificate 1 is not PEM X.509: "));
    }

    #[test]
    fn an_empty_bundle_chain_is_refused() {
        let anchors = Anchors { certs: Vec::new() };
        let err = signer_key(&[], &anchors).unwrap_err();
        assert!(err
            .to_string()
            .contains("the bundle's certificate chain is empty"));
    }
}
