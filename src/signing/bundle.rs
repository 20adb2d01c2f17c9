//! The Sigstore bundle (v0.3, JSON) model_signing writes. It is untrusted
//! input: read with a size limit, parsed strictly (unknown fields refused
//! where model_signing writes none), and nothing in it is believed before
//! its signature verifies.

use serde::Deserialize;

use super::SigningError;

/// The media type of the bundles model_signing writes and accepts.
pub const MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The largest bundle read: a million shards' resources, base64-encoded,
/// stay well under it.
pub const MAX_BYTES: u64 = 512 << 20;

/// A Sigstore bundle holding a DSSE envelope.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bundle {
    /// The bundle format's version.
    pub media_type: String,
    /// Who signed: a public key's hint, or a certificate.
    pub verification_material: VerificationMaterial,
    /// The signed statement.
    pub dsse_envelope: Envelope,
}

/// The signer's identity as the bundle states it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerificationMaterial {
    /// Present in key-signed bundles.
    pub public_key: Option<PublicKeyId>,
    /// Present in Sigstore keyless bundles (refused: needs the network).
    pub certificate: Option<serde_json::Value>,
    /// Present in certificate-signed bundles: the signing certificate
    /// first, then the chain its signer included.
    pub x509_certificate_chain: Option<CertificateChain>,
    /// Transparency-log entries; key-signed bundles have none.
    #[serde(default)]
    pub tlog_entries: Vec<serde_json::Value>,
    /// Timestamps; key-signed bundles have none.
    pub timestamp_verification_data: Option<serde_json::Value>,
}

/// The certificates of a certificate-signed bundle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateChain {
    /// Signing certificate first.
    pub certificates: Vec<RawCertificate>,
}

/// One certificate, as Sigstore bundles hold it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawCertificate {
    /// The DER encoding, base64.
    pub raw_bytes: String,
}

impl CertificateChain {
    /// Every certificate's DER bytes.
    pub fn der(&self) -> Result<Vec<Vec<u8>>, SigningError> {
        use base64::Engine;
        self.certificates
            .iter()
            .map(|c| {
                base64::engine::general_purpose::STANDARD
                    .decode(&c.raw_bytes)
                    .map_err(|_| SigningError::Base64("certificate"))
            })
            .collect()
    }
}

/// A public key named by hint: the SHA-256 (hex) of its PEM encoding.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyId {
    /// Absent in bundles of model_signing before 1.0.
    pub hint: Option<String>,
}

/// A DSSE envelope.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope {
    /// The statement, base64.
    pub payload: String,
    /// The statement's media type.
    pub payload_type: String,
    /// The signatures over the PAE of type and payload.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSignature {
    /// The DER-encoded ECDSA signature, base64.
    pub sig: String,
    /// model_signing writes an empty key id.
    #[serde(default)]
    pub keyid: Option<String>,
}

/// Parses a bundle and checks its media type.
pub fn parse(raw: &[u8]) -> Result<Bundle, SigningError> {
    let bundle: Bundle = serde_json::from_slice(raw).map_err(SigningError::BundleJson)?;
    if bundle.media_type != MEDIA_TYPE {
        return Err(SigningError::MediaType(bundle.media_type));
    }
    let material = &bundle.verification_material;
    if material.certificate.is_some() || !material.tlog_entries.is_empty() {
        return Err(SigningError::KeylessBundle);
    }
    if material.x509_certificate_chain.is_some() && material.public_key.is_some() {
        return Err(SigningError::TrustMismatch(
            "the bundle names both a public key and a certificate chain",
        ));
    }
    Ok(bundle)
}
