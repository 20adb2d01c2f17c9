//! OpenSSF model_signing (sigstore/model-transparency) signatures: a
//! Sigstore bundle whose DSSE envelope signs an in-toto statement listing
//! every file (or file shard) of a model directory with its SHA-256.
//!
//! [`verify`] checks the envelope's signature with a public key and then
//! every signed resource against the directory; [`statement::for_directory`]
//! writes the statement model_signing would sign for a directory, so a
//! publisher can sign weightcheck's result with model_signing itself.

pub mod bundle;
pub mod certificate;
pub mod check;
pub mod dsse;
pub mod statement;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::verdict::{FileVerdict, Outcome, Tally};

pub use check::{Finding, Hashing};

/// Why a bundle, its statement or a directory could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// A file could not be read (the bundle, the key, a model file).
    #[error(transparent)]
    Read(#[from] crate::Error),
    /// The `--public-key` file is not a PEM P-256 public key.
    #[error("the public key is not a PEM-encoded ECDSA P-256 key: {0}")]
    PublicKey(String),
    /// The bundle is not JSON of the expected shape.
    #[error("the bundle is not a Sigstore bundle as model_signing writes it: {0}")]
    BundleJson(#[source] serde_json::Error),
    /// The bundle's media type is not Sigstore bundle v0.3.
    #[error("the bundle's media type is {0:?}, not {media}", media = bundle::MEDIA_TYPE)]
    MediaType(String),
    /// The bundle is Sigstore keyless-signed (a Fulcio certificate and a
    /// transparency-log entry), which cannot be checked offline.
    #[error("the bundle is Sigstore-signed (a short-lived certificate and a transparency-log entry); checking that needs Sigstore's trust root and log, which weightcheck does not reach: use model_signing verify sigstore")]
    KeylessBundle,
    /// The bundle is signed another way than the trust given.
    #[error("{0}")]
    TrustMismatch(&'static str),
    /// A `--certificate-chain` file holds no usable root.
    #[error("{path}: {why}")]
    Anchors {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A certificate of the bundle cannot be used.
    #[error("the bundle's certificate {index} (0 is the signing one): {why}")]
    Certificate {
        /// Its position in the bundle's chain.
        index: usize,
        /// What is wrong with it.
        why: String,
    },
    /// The signing certificate does not chain to a root given.
    #[error("the signing certificate is not trusted: {0}")]
    Untrusted(String),
    /// The bundle names a different public key than the one given.
    #[error(
        "the bundle was signed for another public key (its hint {bundle}, the given key's {given})"
    )]
    KeyMismatch {
        /// The hint the bundle carries.
        bundle: String,
        /// The hint of the given key.
        given: String,
    },
    /// A base64 field of the envelope does not decode.
    #[error("the envelope's {0} is not base64")]
    Base64(&'static str),
    /// The envelope's payload is not an in-toto statement.
    #[error("the envelope's payload type is {0:?}, not {expected}", expected = dsse::PAYLOAD_TYPE)]
    PayloadType(String),
    /// model_signing writes exactly one signature per envelope.
    #[error("the envelope holds {0} signatures, not one")]
    SignatureCount(usize),
    /// The signature is not a DER-encoded ECDSA signature.
    #[error("the envelope's signature is not a DER-encoded ECDSA signature")]
    SignatureEncoding,
    /// The signature does not verify: the envelope was changed, or another key signed it.
    #[error("the envelope's signature does not verify with the signer's key")]
    BadSignature,
    /// The signed payload is not a statement of the expected shape.
    #[error("the signed payload is not an in-toto statement as model_signing writes it: {0}")]
    StatementJson(#[source] serde_json::Error),
    /// A field of the statement has a value model_signing never writes.
    #[error("the statement's {field} is {found:?}, not {expected:?}")]
    Unexpected {
        /// Which field.
        field: &'static str,
        /// What the statement says.
        found: String,
        /// What model_signing writes.
        expected: String,
    },
    /// The statement has other than one subject.
    #[error("the statement has {0} subjects, not one")]
    SubjectCount(usize),
    /// The subject digest is not the digest of the resources listed.
    #[error("the statement's subject digest {stated} is not the SHA-256 of its resources' digests ({computed})")]
    SubjectDigest {
        /// The digest the subject states.
        stated: String,
        /// The digest of the listed resources.
        computed: String,
    },
    /// A resource entry cannot be used.
    #[error("the statement's resource {name:?}: {why}")]
    Resource {
        /// The resource's name, as in the statement.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The directory holds something no statement can describe.
    #[error("{path}: {why}")]
    Directory {
        /// The offending path.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

impl SigningError {
    /// Whether this is about the inputs given (unreadable files, a bad key
    /// or directory) rather than about what the bundle proves.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            SigningError::Read(_)
                | SigningError::PublicKey(_)
                | SigningError::Anchors { .. }
                | SigningError::Directory { .. }
        )
    }
}

/// What `verify --model-signing` established.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The verdict, under the one rule of [`Outcome::judge`].
    pub outcome: Outcome,
    /// The process exit code the verdict implies.
    pub exit_code: i32,
    /// Whether the envelope's signature verified.
    pub signature_verified: bool,
    /// Who signed, for a certificate-signed bundle whose chain verified.
    pub signer: Option<certificate::Signer>,
    /// Why the bundle proves nothing, when it does not.
    pub signature_failure: Option<String>,
    /// The statement's subject (model) name, once the signature verified.
    pub model: Option<String>,
    /// The statement's subject digest, once the signature verified.
    pub subject_sha256: Option<String>,
    /// The serialization method (`files` or `shards`).
    pub method: Option<String>,
    /// Every signed resource and every unsigned file, by name.
    pub files: Vec<Finding>,
    /// The counts the verdict was judged from.
    pub tally: Tally,
}

/// What the signer must be proven to be.
#[derive(Debug)]
pub enum Trust {
    /// Signed with this public key (`model_signing sign key`).
    Key(dsse::PublicKey),
    /// Signed with a certificate that chains to one of these roots
    /// (`model_signing sign certificate`).
    Certificates(certificate::Anchors),
}

/// Checks `dir` against the model_signing bundle at `bundle_path`, whose
/// signer must be the one `trust` names. Problems with the bundle's
/// content are a FAILED report; only unreadable inputs are errors.
pub fn verify(
    dir: &Path,
    bundle_path: &Path,
    trust: &Trust,
    hashing: &Hashing,
) -> Result<Report, SigningError> {
    let raw = crate::paths::read_limited(bundle_path, bundle::MAX_BYTES)?;
    let (signed, signer) = match open(&raw, trust) {
        Ok(signed) => signed,
        Err(e) if e.is_input_error() => return Err(e),
        Err(e) => return Ok(refused(e)),
    };
    // model_signing's CLI leaves its own signature out of what it hashes.
    let bundle_inside = bundle_path
        .strip_prefix(dir)
        .ok()
        .and_then(|p| p.to_str())
        .map(str::to_owned);
    let files = check::check(dir, &signed, bundle_inside.as_deref(), hashing)?;
    let tally = Tally {
        present: files
            .iter()
            .filter(|f| !matches!(f.verdict, FileVerdict::Missing | FileVerdict::Extra))
            .count(),
        failures: files.iter().filter(|f| f.verdict.is_failure()).count(),
        content_unchecked: files
            .iter()
            .filter(|f| f.verdict == FileVerdict::NotChecked)
            .count(),
    };
    let outcome = Outcome::judge(&tally);
    Ok(Report {
        outcome,
        exit_code: outcome.exit_code(false),
        signature_verified: true,
        signer,
        signature_failure: None,
        model: Some(signed.model.clone()),
        subject_sha256: Some(signed.subject_sha256.clone()),
        method: Some(signed.method.name().to_owned()),
        files,
        tally,
    })
}

/// The signed statement of a bundle, once its signature verified, and the
/// signer's certificate chain when it has one.
fn open(
    raw: &[u8],
    trust: &Trust,
) -> Result<(statement::Signed, Option<certificate::Signer>), SigningError> {
    let bundle = bundle::parse(raw)?;
    let chain = bundle.verification_material.x509_certificate_chain.as_ref();
    let (payload, signer) = match (trust, chain) {
        (Trust::Key(_), Some(_)) => {
            return Err(SigningError::TrustMismatch(
                "the bundle is signed with a certificate: give --certificate-chain with the roots to trust, not --public-key",
            ))
        }
        (Trust::Certificates(_), None) => {
            return Err(SigningError::TrustMismatch(
                "the bundle is signed with a bare key, not a certificate: give --public-key",
            ))
        }
        (Trust::Key(key), None) => (dsse::open_with_key(&bundle, key)?, None),
        (Trust::Certificates(anchors), Some(chain)) => {
            let der = chain.der()?;
            let (key, signer) = certificate::signer_key(&der, anchors)?;
            (dsse::open(&bundle, &key)?, Some(signer))
        }
    };
    Ok((statement::Signed::parse(&payload)?, signer))
}

/// The report of a bundle that proves nothing: no file is looked at, since
/// its list of digests cannot be trusted.
fn refused(why: SigningError) -> Report {
    let tally = Tally {
        present: 0,
        failures: 1,
        content_unchecked: 0,
    };
    let outcome = Outcome::judge(&tally);
    Report {
        outcome,
        exit_code: outcome.exit_code(false),
        signature_verified: false,
        signer: None,
        signature_failure: Some(why.to_string()),
        model: None,
        subject_sha256: None,
        method: None,
        files: Vec::new(),
        tally,
    }
}
