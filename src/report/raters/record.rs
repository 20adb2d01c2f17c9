//! Reading the raters' own records: Model Openness Tool `model.yaml` files
//! (lfai/model_openness_tool, checked against its `mof_schema.json`) and
//! European Open Source AI Index records (osai-index.eu's main database).
//! Both are YAML, parsed by `serde_yaml_ng`; a record is small, so a file
//! over [`MAX_RECORD`] is refused before it is parsed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The largest record read (the seed records are 1–3 kB).
pub const MAX_RECORD: u64 = 1 << 20;

/// A Model Openness Tool record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MotRecord {
    /// The framework it applies.
    pub framework: MotFramework,
    /// The release it rates.
    pub release: MotRelease,
}

/// `framework:` of a MOT record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MotFramework {
    /// Always `Model Openness Framework`.
    pub name: String,
    /// The framework's version (`1.0`).
    pub version: String,
    /// The framework version's date.
    pub date: String,
}

/// `release:` of a MOT record. Only `name`, `license`, `producer` and
/// `components` are required by the schema.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MotRelease {
    /// The model's name.
    pub name: String,
    /// Its version (often the parameter count, `314B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the record was made or the model released (ISO date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `language`, `vision`, … (the schema's enum).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `decoder`, `transformer encoder-decoder`, … (the schema's enum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// `pre-trained`, `instruct fine-tuned` or `chat fine-tuned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treatment: Option<String>,
    /// The model it derives from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Who made it.
    pub producer: String,
    /// A contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// A source repository URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// A Hugging Face repository id or URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub huggingface: Option<String>,
    /// Release-wide licenses by type (`distribution`, `code`, `document`,
    /// `data`), each `{name, path}`; often empty.
    #[serde(default)]
    pub license: serde_json::Map<String, serde_json::Value>,
    /// The components the rater found.
    #[serde(default)]
    pub components: Vec<MotComponent>,
}

/// One component of a MOT record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MotComponent {
    /// The MOF's name for it (`Model parameters (Final)`).
    pub name: String,
    /// The MOF's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its license: an SPDX id, or `unlicensed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Where the license is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_path: Option<String>,
    /// Where the component is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_path: Option<String>,
}

/// An Index record: the system and one rating per parameter.
#[derive(Debug, Clone, Serialize)]
pub struct EosaiRecord {
    /// `system.name`.
    pub system: String,
    /// `system.endmodelname`, when given.
    pub end_model: String,
    /// `org.name`.
    pub org: String,
    /// Each parameter's rating, by the record's key, in file order.
    pub ratings: Vec<EosaiRecordRating>,
}

/// One parameter of an Index record.
#[derive(Debug, Clone, Serialize)]
pub struct EosaiRecordRating {
    /// The record's key (`weights_endmodel`).
    pub key: String,
    /// `open`, `partial` or `closed`.
    pub class: String,
    /// The rater's note.
    pub notes: String,
    /// The rater's links.
    pub links: Vec<String>,
}

/// A record of either rater.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "rater", rename_all = "snake_case")]
pub enum Record {
    /// A Model Openness Tool record.
    Mot(Box<MotRecord>),
    /// A European Open Source AI Index record.
    Eosai(EosaiRecord),
}

impl Record {
    /// `mot` or `eosai`, as manifests name the raters.
    pub fn rater(&self) -> &'static str {
        match self {
            Record::Mot(_) => "mot",
            Record::Eosai(_) => "eosai",
        }
    }

    /// The record's name for what it rates.
    pub fn name(&self) -> &str {
        match self {
            Record::Mot(r) => &r.release.name,
            Record::Eosai(r) => &r.system,
        }
    }
}

fn yaml_error(path: &Path, e: &serde_yaml_ng::Error) -> Error {
    let offset = e.location().map_or(0, |l| l.index() as u64);
    Error::format(path, offset, format!("not a rater's record: {e}"))
}

/// Reads a record, telling the two kinds apart by their top-level keys
/// (`framework` and `release` for the MOT, `system` for the Index).
pub fn read(path: &Path) -> Result<Record> {
    let text = crate::paths::read_text_limited(path, MAX_RECORD)?;
    parse(&text, path)
}

/// Parses a record's text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Record> {
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| yaml_error(path, &e))?;
    let has = |key: &str| value.get(key).is_some();
    if has("framework") && has("release") {
        let record: MotRecord =
            serde_yaml_ng::from_value(value).map_err(|e| yaml_error(path, &e))?;
        if record.framework.name != "Model Openness Framework" {
            return Err(Error::format(
                path,
                0,
                format!(
                    "framework {:?} is not the Model Openness Framework",
                    record.framework.name
                ),
            ));
        }
        return Ok(Record::Mot(Box::new(record)));
    }
    if has("system") {
        return eosai(&value, text, path).map(Record::Eosai);
    }
    Err(Error::format(
        path,
        0,
        "neither a Model Openness Tool record (framework, release) nor an Index record (system)",
    ))
}

/// Where a top-level key starts in `text` (the parsed value keeps no
/// positions), for errors.
fn offset_of(text: &str, key: &str) -> u64 {
    let line = format!("\n{key}:");
    if text.starts_with(&line[1..]) {
        return 0;
    }
    text.find(&line).map_or(0, |i| i as u64 + 1)
}

fn eosai(value: &serde_yaml_ng::Value, source: &str, path: &Path) -> Result<EosaiRecord> {
    let text = |v: Option<&serde_yaml_ng::Value>| -> String {
        match v {
            Some(serde_yaml_ng::Value::String(s)) => s.trim().to_string(),
            Some(serde_yaml_ng::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let system = value.get("system");
    let name = text(system.and_then(|s| s.get("name")));
    if name.is_empty() {
        return Err(Error::format(
            path,
            0,
            "an Index record without system.name",
        ));
    }
    let mut ratings = Vec::new();
    if let Some(map) = value.as_mapping() {
        for (key, v) in map {
            let (Some(key), Some(class)) = (key.as_str(), v.get("class")) else {
                continue;
            };
            let class = text(Some(class));
            if !matches!(class.as_str(), "open" | "partial" | "closed") {
                return Err(Error::format(
                    path,
                    offset_of(source, key),
                    format!("{key}: class {class:?} is not open, partial or closed"),
                ));
            }
            let links = match v.get("link") {
                Some(serde_yaml_ng::Value::Sequence(items)) => {
                    items.iter().map(|i| text(Some(i))).collect()
                }
                other => Some(text(other))
                    .filter(|l| !l.is_empty())
                    .into_iter()
                    .collect(),
            };
            ratings.push(EosaiRecordRating {
                key: key.to_string(),
                class,
                notes: text(v.get("notes")),
                links,
            });
        }
    }
    Ok(EosaiRecord {
        system: name,
        end_model: text(system.and_then(|s| s.get("endmodelname"))),
        org: text(value.get("org").and_then(|o| o.get("name"))),
        ratings,
    })
}
