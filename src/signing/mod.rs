//! OpenSSF model_signing (sigstore/model-transparency) signatures: a
//! Sigstore bundle whose DSSE envelope signs an in-toto statement listing
//! every file (or file shard) of a model directory with its SHA-256.
//!
//! [`verify`] checks the envelope's signature with a public key and then
//! every signed resource against the directory; [`statement::for_directory`]
//! writes the statement model_signing would sign for a directory, so a
//! publisher can sign weightcheck's result with model_signing itself.

pub mod bundle;
pub mod check;
pub mod dsse;
pub mod statement;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::verdict::{FileVerdict, Outcome, Tally};

pub use check::Finding;

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
    /// The bundle identifies its signer by certificate, not by key.
    #[error("the bundle carries a certificate; only public-key bundles are checked so far")]
    CertificateBundle,
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
    #[error("the envelope's signature does not verify with the given public key")]
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
            SigningError::Read(_) | SigningError::PublicKey(_) | SigningError::Directory { .. }
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

/// Checks `dir` against the model_signing bundle at `bundle_path`, signed
/// by the key in `public_key_pem`. Problems with the bundle's content are
/// a FAILED report; only unreadable inputs are errors.
pub fn verify(
    dir: &Path,
    bundle_path: &Path,
    public_key_pem: &str,
) -> Result<Report, SigningError> {
    let key = dsse::PublicKey::from_pem(public_key_pem)?;
    let raw = crate::paths::read_limited(bundle_path, bundle::MAX_BYTES)?;
    let signed = match open(&raw, &key) {
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
    let files = check::check(dir, &signed, bundle_inside.as_deref())?;
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
        signature_failure: None,
        model: Some(signed.model.clone()),
        subject_sha256: Some(signed.subject_sha256.clone()),
        method: Some(signed.method.name().to_owned()),
        files,
        tally,
    })
}

/// The signed statement of a bundle, once its signature verified.
fn open(raw: &[u8], key: &dsse::PublicKey) -> Result<statement::Signed, SigningError> {
    let bundle = bundle::parse(raw)?;
    let payload = dsse::open(&bundle, key)?;
    statement::Signed::parse(&payload)
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
        signature_failure: Some(why.to_string()),
        model: None,
        subject_sha256: None,
        method: None,
        files: Vec::new(),
        tally,
    }
}
