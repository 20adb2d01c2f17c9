//! The Model Openness Tool's records, both ways: a report written as a
//! `model.yaml` record ([`export`]), and a record read as a manifest's
//! components ([`import`]). Component names are the MOF 1.0 names the tool
//! uses; each maps to one manifest kind.

use super::record::{MotComponent, MotFramework, MotRecord, MotRelease};
use crate::manifest::{Manifest, Status};
use crate::report::evaluate::{self, Pick};

/// A MOF component: the tool's name, a description, and the manifest kind
/// (the final parameters are the released model's weights).
pub struct MofComponent {
    /// The name in MOT records.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Which manifest component it is.
    pub pick: Pick,
}

const fn c(name: &'static str, description: &'static str, pick: Pick) -> MofComponent {
    MofComponent {
        name,
        description,
        pick,
    }
}

/// The 17 components of MOF 1.0, in the order the tool lists them.
pub const COMPONENTS: &[MofComponent] = &[
    c(
        "Model architecture",
        "Code defining the model's architecture",
        Pick::Kind("architecture"),
    ),
    c(
        "Data preprocessing code",
        "Code that cleans, filters and prepares the training data",
        Pick::Kind("data_preprocessing_code"),
    ),
    c(
        "Training code",
        "Code that trains the model",
        Pick::Kind("training_code"),
    ),
    c(
        "Inference code",
        "Code that runs the model",
        Pick::Kind("inference_code"),
    ),
    c(
        "Evaluation code",
        "Code that evaluates the model",
        Pick::Kind("evaluation_code"),
    ),
    c(
        "Supporting libraries and tools",
        "Libraries and tools used to develop the model",
        Pick::Kind("supporting_libraries"),
    ),
    c(
        "Model parameters (Final)",
        "The trained model's weights",
        Pick::ModelWeights,
    ),
    c(
        "Model parameters (Intermediate)",
        "Checkpoints saved during training",
        Pick::Kind("intermediate_weights"),
    ),
    c(
        "Datasets",
        "The data the model was trained on",
        Pick::Kind("training_data"),
    ),
    c(
        "Evaluation data",
        "The data the model was evaluated on",
        Pick::Kind("evaluation_data"),
    ),
    c(
        "Model metadata",
        "Training configuration, optimizer states and other metadata",
        Pick::Kind("model_metadata"),
    ),
    c(
        "Sample model outputs",
        "Examples of what the model produces",
        Pick::Kind("sample_outputs"),
    ),
    c(
        "Model card",
        "The model's uses, limits and performance",
        Pick::Kind("model_card"),
    ),
    c(
        "Data card",
        "Documentation of the training data",
        Pick::Kind("data_card"),
    ),
    c(
        "Technical report",
        "A report on the model's capabilities and use",
        Pick::Kind("technical_report"),
    ),
    c(
        "Research paper",
        "A paper on how the model was made",
        Pick::Kind("paper"),
    ),
    c(
        "Evaluation results",
        "The results of evaluating the model",
        Pick::Kind("evaluation_results"),
    ),
];

/// The component a record's name stands for (case-insensitive).
pub fn component(name: &str) -> Option<&'static MofComponent> {
    COMPONENTS
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
}

/// The license word MOT records use for a component without one.
pub const UNLICENSED: &str = "unlicensed";

/// The release written as a Model Openness Tool record: every component
/// released in full or in part, with its license (`unlicensed` when none).
pub fn export(m: &Manifest) -> MotRecord {
    let mut components = Vec::new();
    for c in COMPONENTS {
        let kind = c.pick.resolve(m);
        let Some(found) = evaluate::find(m, kind) else {
            continue;
        };
        if !matches!(found.status, Status::Released | Status::Partial) {
            continue;
        }
        let url = found
            .source
            .split([';', ' '])
            .find(|s| s.starts_with("https://") || s.starts_with("http://"));
        components.push(MotComponent {
            name: c.name.to_string(),
            description: Some(c.description.to_string()),
            license: Some(found.license.clone().unwrap_or_else(|| UNLICENSED.into())),
            license_path: None,
            component_path: url.map(str::to_string),
        });
    }
    let rel = &m.release;
    let license_of = |kind: &str| {
        evaluate::find(m, kind)
            .and_then(|c| c.license.clone())
            .map(|name| serde_json::json!({ "name": name, "path": serde_json::Value::Null }))
    };
    let mut license = serde_json::Map::new();
    let weights = Pick::ModelWeights.resolve(m);
    for (key, kind) in [("distribution", weights), ("code", "inference_code")] {
        if let Some(v) = license_of(kind) {
            license.insert(key.to_string(), v);
        }
    }
    MotRecord {
        framework: MotFramework {
            name: "Model Openness Framework".into(),
            version: "1.0".into(),
            date: "2024-12-15".into(),
        },
        release: MotRelease {
            name: rel.name.clone(),
            version: None,
            // The schema's `date` format wants a whole ISO date.
            date: Some(rel.date.clone()).filter(|d| is_iso_date(d)),
            kind: Some("language".into()),
            architecture: architecture(m),
            treatment: rel.treatment.clone(),
            origin: None,
            producer: rel.publisher.clone(),
            contact: None,
            repository: m
                .sources
                .github
                .as_ref()
                .map(|g| format!("https://github.com/{}", g.repo)),
            huggingface: m
                .sources
                .huggingface
                .as_ref()
                .map(|h| format!("https://huggingface.co/{}", h.repo)),
            license,
            components,
        },
    }
}

fn is_iso_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The schema's architecture word for the families weightcheck knows.
fn architecture(m: &Manifest) -> Option<String> {
    let family = m.architecture.as_ref()?.family.as_str();
    let word = match family {
        "grok1" | "mixtral" | "llama" | "gpt2" => "transformer decoder",
        "t5" => "transformer encoder-decoder",
        "bert" => "transformer encoder",
        _ => return None,
    };
    Some(word.to_string())
}

/// A manifest seeded from a record, as TOML: a `[release]` and one
/// `[[component]]` per MOF component — released when the record lists it,
/// unknown when it does not (a record's silence is not evidence of
/// absence). The final parameters are fine-tuned weights when the record's
/// treatment says fine-tuned.
pub fn import(record: &MotRecord, origin: &str) -> String {
    let r = &record.release;
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let id: String = r
        .name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let id = if id.trim_matches('-').is_empty() {
        "imported".to_string()
    } else {
        id
    };
    let mut o = format!(
        "# Seeded by `weightcheck manifest import-mot` from {origin}.\n\
         # Check each component against the release itself, and add its\n\
         # files, architecture and claims.\n\n\
         [release]\nid = {}\nname = {}\npublisher = {}\ndate = {}\n",
        q(&id),
        q(&r.name),
        q(if r.producer.is_empty() {
            "unknown"
        } else {
            &r.producer
        }),
        q(r.date.as_deref().unwrap_or("unknown")),
    );
    if let Some(t) = r.treatment.as_deref().filter(|t| !t.is_empty()) {
        o.push_str(&format!("treatment = {}\n", q(t)));
    }
    let fine_tuned = r
        .treatment
        .as_deref()
        .is_some_and(|t| t.contains("fine-tuned"));
    let distribution = r
        .license
        .get("distribution")
        .and_then(|d| d.get("name"))
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty());
    for c in COMPONENTS {
        let kind = match c.pick {
            Pick::ModelWeights if fine_tuned => "finetuned_weights",
            Pick::ModelWeights => "base_weights",
            Pick::Kind(k) | Pick::Either(k, _) => k,
        };
        let listed = r
            .components
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(c.name));
        o.push_str(&format!("\n[[component]]\nkind = {}\n", q(kind)));
        let Some(listed) = listed else {
            o.push_str(&format!(
                "status = \"unknown\"\nsource = {}\nevidence = \"not listed in the record\"\n",
                q(origin)
            ));
            continue;
        };
        o.push_str("status = \"released\"\n");
        let own = listed
            .license
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case(UNLICENSED));
        let (license, evidence) = match (own, listed.license.as_deref(), c.pick) {
            (Some(l), _, _) => (Some(l), "listed in the record".to_string()),
            (None, None, Pick::ModelWeights) if distribution.is_some() => (
                distribution,
                "listed in the record, under its distribution license".to_string(),
            ),
            (None, Some(_), _) => (None, "listed in the record as unlicensed".to_string()),
            (None, None, _) => (None, "listed in the record without a license".to_string()),
        };
        if let Some(l) = license {
            o.push_str(&format!("license = {}\n", q(l)));
        }
        let source = listed.component_path.as_deref().filter(|p| !p.is_empty());
        o.push_str(&format!(
            "source = {}\nevidence = {}\n",
            q(source.unwrap_or(origin)),
            q(&evidence)
        ));
    }
    o
}
