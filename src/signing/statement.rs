//! The in-toto Statement v1 model_signing signs (predicate type
//! `https://model_signing/signature/v1.0`): the predicate lists how the
//! directory was serialized and every resource (a file, or a shard
//! `path:start:end`) with its digest; the subject digest is the SHA-256 of
//! the resources' raw digests, concatenated in the order listed.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::check;
use super::SigningError;

/// The statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of model_signing 1.x.
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// The paths model_signing leaves out by default (`--ignore-git-paths`).
pub const DEFAULT_IGNORE: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

/// An in-toto statement, as model_signing writes it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Statement {
    /// [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// One subject: the model's name and the digest of its resources.
    pub subject: Vec<Subject>,
    /// [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The serialization and the resources.
    pub predicate: Predicate,
}

/// The statement's subject.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The model directory's name.
    pub name: String,
    /// `sha256` → the digest of the resources' digests, hex.
    pub digest: BTreeMap<String, String>,
}

/// The model_signing predicate. Fields other than these two are ignored,
/// as predicate v1.0 tells verifiers to.
#[derive(Debug, Serialize, Deserialize)]
pub struct Predicate {
    /// How the directory was cut into resources.
    pub serialization: Serialization,
    /// Every resource, sorted as model_signing sorts them.
    pub resources: Vec<Resource>,
}

/// The serialization parameters.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Serialization {
    /// `files` or `shards`.
    pub method: String,
    /// `sha256` (model_signing can also use `blake2` and `blake3`).
    pub hash_type: String,
    /// The shard size in bytes (`shards` only). A float: model_signing
    /// writes the predicate as a protobuf Struct, whose numbers are doubles
    /// (`300.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_size: Option<f64>,
    /// Whether symbolic links were followed.
    pub allow_symlinks: bool,
    /// Paths (relative to the directory) left out of the signature.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_paths: Vec<String>,
}

/// One resource descriptor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// `path`, or `path:start:end` for a shard.
    pub name: String,
    /// `sha256`.
    pub algorithm: String,
    /// Hex.
    pub digest: String,
}

/// How resources map to the directory's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// One resource per file.
    Files,
    /// One resource per `shard_size` bytes of each file.
    Shards(u64),
}

impl Method {
    /// The name model_signing gives it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Files => "files",
            Method::Shards(_) => "shards",
        }
    }
}

/// One signed resource, validated.
#[derive(Debug, Clone)]
pub struct Item {
    /// The name as signed.
    pub name: String,
    /// The file, relative to the directory (safe to join to it).
    pub path: String,
    /// The byte range `[start, end)` of a shard.
    pub range: Option<(u64, u64)>,
    /// The signed SHA-256.
    pub digest: [u8; 32],
}

/// A statement whose signature verified and whose every field was checked.
#[derive(Debug)]
pub struct Signed {
    /// The subject's name.
    pub model: String,
    /// The subject's digest, hex.
    pub subject_sha256: String,
    /// Files or shards.
    pub method: Method,
    /// Whether symbolic links were followed when signing.
    pub allow_symlinks: bool,
    /// Paths left out of the signature.
    pub ignore_paths: Vec<String>,
    /// The resources, as listed.
    pub items: Vec<Item>,
}

fn expect(field: &'static str, found: &str, expected: &str) -> Result<(), SigningError> {
    if found == expected {
        Ok(())
    } else {
        Err(SigningError::Unexpected {
            field,
            found: found.to_owned(),
            expected: expected.to_owned(),
        })
    }
}

impl Signed {
    /// Parses and checks a verified payload.
    pub fn parse(payload: &[u8]) -> Result<Signed, SigningError> {
        let s: Statement = serde_json::from_slice(payload).map_err(SigningError::StatementJson)?;
        expect("_type", &s.statement_type, STATEMENT_TYPE)?;
        expect("predicateType", &s.predicate_type, PREDICATE_TYPE)?;
        let [subject] = s.subject.as_slice() else {
            return Err(SigningError::SubjectCount(s.subject.len()));
        };
        let ser = &s.predicate.serialization;
        expect("serialization hash_type", &ser.hash_type, "sha256")?;
        // Whole, positive and exact in a double: no larger shard is real.
        let shard_size = ser
            .shard_size
            .filter(|s| s.fract() == 0.0 && *s >= 1.0 && *s <= 2f64.powi(53))
            .map(|s| s as u64);
        let method = match (ser.method.as_str(), ser.shard_size, shard_size) {
            ("files", None, _) => Method::Files,
            ("shards", Some(_), Some(size)) => Method::Shards(size),
            _ => {
                return Err(SigningError::Unexpected {
                    field: "serialization method",
                    found: format!("{} (shard_size {:?})", ser.method, ser.shard_size),
                    expected: "files, or shards with a positive shard_size".to_owned(),
                });
            }
        };
        // Shards are named after their size, though each digest is a plain
        // SHA-256 of the shard's bytes.
        let algorithm = match method {
            Method::Files => "sha256".to_owned(),
            Method::Shards(size) => format!("sha256-sharded-{size}"),
        };
        let mut items = Vec::with_capacity(s.predicate.resources.len());
        let mut seen = HashSet::new();
        for r in &s.predicate.resources {
            let bad = |why| SigningError::Resource {
                name: r.name.clone(),
                why,
            };
            expect("resource algorithm", &r.algorithm, &algorithm)?;
            let mut digest = [0u8; 32];
            hex::decode_to_slice(&r.digest, &mut digest).map_err(|_| bad("not a hex SHA-256"))?;
            let (path, range) =
                split_name(&r.name, method).ok_or_else(|| bad("not a valid name"))?;
            if !crate::paths::is_safe_relative(path) {
                return Err(bad("not a path inside the directory"));
            }
            if !seen.insert(r.name.as_str()) {
                return Err(bad("listed twice"));
            }
            items.push(Item {
                name: r.name.clone(),
                path: path.to_owned(),
                range,
                digest,
            });
        }
        let computed = subject_digest(items.iter().map(|i| &i.digest));
        let stated = subject.digest.get("sha256").cloned().unwrap_or_default();
        if stated != computed {
            return Err(SigningError::SubjectDigest { stated, computed });
        }
        Ok(Signed {
            model: subject.name.clone(),
            subject_sha256: computed,
            method,
            allow_symlinks: ser.allow_symlinks,
            ignore_paths: ser.ignore_paths.clone(),
            items,
        })
    }
}

/// A resource name's path and, for shards, its byte range.
fn split_name(name: &str, method: Method) -> Option<(&str, Option<(u64, u64)>)> {
    match method {
        Method::Files => Some((name, None)),
        Method::Shards(_) => {
            let mut parts = name.split(':');
            let (path, start, end) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let (start, end) = (start.parse().ok()?, end.parse().ok()?);
            (start <= end).then_some((path, Some((start, end))))
        }
    }
}

/// The SHA-256 of the digests, concatenated in order, hex.
pub fn subject_digest<'a>(digests: impl Iterator<Item = &'a [u8; 32]>) -> String {
    let mut h = Sha256::new();
    for d in digests {
        h.update(d);
    }
    hex::encode(h.finalize())
}

/// model_signing's order: by path component by component (Python's
/// `PurePosixPath` ordering, so `a/b` sorts before `a.b`), then by range.
pub fn sort_key(path: &str, range: Option<(u64, u64)>) -> (Vec<&str>, Option<(u64, u64)>) {
    (path.split('/').collect(), range)
}

/// The statement model_signing's key method would sign for `dir` with its
/// defaults (files serialization, SHA-256, git paths ignored, no symlinks):
/// same resources, same order, same subject digest.
pub fn for_directory(dir: &Path) -> Result<Statement, SigningError> {
    let ignore: Vec<String> = DEFAULT_IGNORE.iter().map(|s| s.to_string()).collect();
    let mut files = check::hash_files(dir, &ignore)?;
    files.sort_by(|a, b| sort_key(&a.0, None).cmp(&sort_key(&b.0, None)));
    let subject = subject_digest(files.iter().map(|f| &f.1));
    // model_signing names the model after the directory as given, or as
    // resolved when that has no name (`.`, `..`).
    let name = match dir.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => dir
            .canonicalize()
            .map_err(|e| crate::Error::io(dir, e))?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    Ok(Statement {
        statement_type: STATEMENT_TYPE.to_owned(),
        subject: vec![Subject {
            name,
            digest: BTreeMap::from([("sha256".to_owned(), subject)]),
        }],
        predicate_type: PREDICATE_TYPE.to_owned(),
        predicate: Predicate {
            serialization: Serialization {
                method: "files".to_owned(),
                hash_type: "sha256".to_owned(),
                shard_size: None,
                allow_symlinks: false,
                ignore_paths: ignore,
            },
            resources: files
                .into_iter()
                .map(|(name, digest)| Resource {
                    name,
                    algorithm: "sha256".to_owned(),
                    digest: hex::encode(digest),
                })
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement over `resources` (name, digest hex) with the right
    /// subject digest, as JSON.
    fn payload(method: &str, shard_size: Option<f64>, resources: &[(&str, &str)]) -> Vec<u8> {
        let algorithm = match shard_size {
            Some(n) => format!("sha256-sharded-{n}"),
            None => "sha256".to_owned(),
        };
        let digests: Vec<[u8; 32]> = resources
            .iter()
            .map(|(_, d)| {
                let mut out = [0u8; 32];
                let _ = hex::decode_to_slice(d, &mut out);
                out
            })
            .collect();
        let statement = Statement {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject: vec![Subject {
                name: "m".to_owned(),
                digest: BTreeMap::from([("sha256".to_owned(), subject_digest(digests.iter()))]),
            }],
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate: Predicate {
                serialization: Serialization {
                    method: method.to_owned(),
                    hash_type: "sha256".to_owned(),
                    shard_size,
                    allow_symlinks: false,
                    ignore_paths: Vec::new(),
                },
                resources: resources
                    .iter()
                    .map(|(name, digest)| Resource {
                        name: (*name).to_owned(),
                        algorithm: algorithm.clone(),
                        digest: (*digest).to_owned(),
                    })
                    .collect(),
            },
        };
        serde_json::to_vec(&statement).expect("JSON")
    }

    fn refused(payload: &[u8]) -> String {
        match Signed::parse(payload) {
            Ok(s) => panic!("accepted: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    const D: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn a_well_formed_statement_parses() {
        let s = Signed::parse(&payload(
            "shards",
            Some(300.0),
            &[("w:0:300", D), ("w:300:310", D)],
        ))
        .expect("parses");
        assert_eq!(s.method, Method::Shards(300));
        assert_eq!(s.items[1].range, Some((300, 310)));
    }

    #[test]
    fn hostile_resources_are_refused_by_name() {
        for (method, size, name, digest, why) in [
            (
                "files",
                None,
                "/etc/passwd",
                D,
                "not a path inside the directory",
            ),
            (
                "files",
                None,
                "a/../../b",
                D,
                "not a path inside the directory",
            ),
            ("files", None, "", D, "not a path inside the directory"),
            ("files", None, "a", "zz", "not a hex SHA-256"),
            ("files", None, "a", &D[..62], "not a hex SHA-256"),
            ("shards", Some(4.0), "a:8:4", D, "not a valid name"),
            ("shards", Some(4.0), "a:0:x", D, "not a valid name"),
            ("shards", Some(4.0), "a:0:4:8", D, "not a valid name"),
            (
                "shards",
                Some(4.0),
                "a:0:99999999999999999999999",
                D,
                "not a valid name",
            ),
        ] {
            let err = refused(&payload(method, size, &[(name, digest)]));
            assert!(err.ends_with(why), "{name}: {err}");
        }
        let twice = refused(&payload("files", None, &[("a", D), ("a", D)]));
        assert!(twice.ends_with("listed twice"), "{twice}");
    }

    #[test]
    fn impossible_serializations_are_refused() {
        for size in [
            0.0,
            -300.0,
            2.5,
            f64::from(u32::MAX) * f64::from(u32::MAX) * 4.0,
        ] {
            let err = refused(&payload("shards", Some(size), &[]));
            assert!(err.contains("serialization method"), "{size}: {err}");
        }
        assert!(refused(&payload("files", Some(300.0), &[])).contains("serialization method"));
        assert!(refused(&payload("files-v2", None, &[])).contains("serialization method"));
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(1 << 20), "]".repeat(1 << 20));
        assert!(refused(deep.as_bytes()).contains("not an in-toto statement"));
    }
}
