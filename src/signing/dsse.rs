//! DSSE envelopes (secure-systems-lab/dsse protocol v1): the signature is
//! over the pre-authentication encoding (PAE) of payload type and payload,
//! so neither can be swapped without breaking it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};

use super::bundle::Bundle;
use super::SigningError;

/// The payload type of in-toto statements, the only one model_signing signs.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `DSSEv1 <len(type)> <type> <len(payload)> <payload>`, lengths in ASCII
/// decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// An ECDSA P-256 public key (model_signing's key method; signatures use
/// SHA-256 for this curve).
#[derive(Debug)]
pub struct PublicKey {
    key: VerifyingKey,
    hint: String,
}

impl PublicKey {
    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), as
    /// `openssl ec -pubout` writes it.
    pub fn from_pem(pem: &str) -> Result<PublicKey, SigningError> {
        let key = VerifyingKey::from_public_key_pem(pem)
            .map_err(|e| SigningError::PublicKey(e.to_string()))?;
        // The hint model_signing records is the SHA-256 of the key's
        // canonical PEM, not of the file given (which may differ in line
        // endings or comments).
        let canonical = key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| SigningError::PublicKey(e.to_string()))?;
        let hint = hex::encode(Sha256::digest(canonical.as_bytes()));
        Ok(PublicKey { key, hint })
    }

    /// The hint a bundle signed with this key carries.
    pub fn hint(&self) -> &str {
        &self.hint
    }
}

/// The payload of the bundle's envelope, once the key it names is `key`
/// and its one signature verified with it.
pub fn open_with_key(bundle: &Bundle, key: &PublicKey) -> Result<Vec<u8>, SigningError> {
    let hint = bundle
        .verification_material
        .public_key
        .as_ref()
        .and_then(|k| k.hint.as_deref());
    if let Some(hint) = hint.filter(|h| *h != key.hint()) {
        return Err(SigningError::KeyMismatch {
            bundle: hint.to_owned(),
            given: key.hint().to_owned(),
        });
    }
    open(bundle, &key.key)
}

/// The payload of the bundle's envelope, once its one signature verified
/// with `key`.
pub fn open(bundle: &Bundle, key: &VerifyingKey) -> Result<Vec<u8>, SigningError> {
    let envelope = &bundle.dsse_envelope;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(SigningError::PayloadType(envelope.payload_type.clone()));
    }
    let [signature] = envelope.signatures.as_slice() else {
        return Err(SigningError::SignatureCount(envelope.signatures.len()));
    };
    let payload = STANDARD
        .decode(&envelope.payload)
        .map_err(|_| SigningError::Base64("payload"))?;
    let der = STANDARD
        .decode(&signature.sig)
        .map_err(|_| SigningError::Base64("signature"))?;
    let signature = Signature::from_der(&der).map_err(|_| SigningError::SignatureEncoding)?;
    key.verify(&pae(&envelope.payload_type, &payload), &signature)
        .map_err(|_| SigningError::BadSignature)?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_the_dsse_v1_encoding() {
        // The example of the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }
}
