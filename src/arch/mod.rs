//! Architecture families: from published hyperparameters alone, the tensors
//! a checkpoint must hold — names, shapes, dtypes, storage — and, where the
//! format has no names (Grok-1's shards), the file order.
//!
//! Families whose checkpoints carry names (safetensors, PyTorch state
//! dicts) are matched by name with [`check_by_name`]; their hyperparameters
//! come from a manifest or straight from the release's own config file
//! ([`architecture_from_config`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::formats::{DType, StoredAs, TensorRecord};
use crate::manifest::Architecture;
use crate::{Error, Result};

pub mod bert;
pub mod gguf_names;
pub mod gpt2;
pub mod grok1;
pub mod llama;
pub mod mixtral;
pub mod t5;

/// One tensor an architecture implies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedTensor {
    /// Parameter path (`transformer/decoder_layer_0/moe/linear/w`).
    pub name: String,
    /// Storage kind.
    pub stored_as: StoredAs,
    /// Logical shape.
    pub shape: Vec<u64>,
    /// Stored element type.
    pub dtype: DType,
    /// Scales shape and dtype for quantized weights.
    pub scales: Option<(Vec<u64>, DType)>,
    /// Which transformer layer it belongs to, if any.
    pub layer: Option<u64>,
    /// Whether it is a mixture-of-experts expert weight (counted per
    /// selected expert in active parameters).
    pub expert: bool,
}

impl ExpectedTensor {
    /// Number of logical elements.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }

    /// A plain array (the common case for named checkpoints).
    pub fn array(
        name: impl Into<String>,
        shape: Vec<u64>,
        dtype: DType,
        layer: Option<u64>,
    ) -> Self {
        ExpectedTensor {
            name: name.into(),
            stored_as: StoredAs::Array,
            shape,
            dtype,
            scales: None,
            layer,
            expert: false,
        }
    }
}

/// The tensors of a checkpoint, in the order its files hold them.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Family name.
    pub family: String,
    /// Tensors in file order (for `by_name` families, in model order).
    pub tensors: Vec<ExpectedTensor>,
    /// Whether tensors are matched by name ([`check_by_name`]) rather than
    /// by position (Grok-1's unnamed shards).
    pub by_name: bool,
    /// Tensors a checkpoint may hold besides `tensors` (copies of tied
    /// embeddings that `torch.save` keeps and safetensors drops, rotary
    /// buffers of older writers). Checked for shape when present.
    pub optional: Vec<ExpectedTensor>,
    /// Whether the configuration fixed the element type. When it did not
    /// (Mistral's params.json has no dtype), expected dtypes are
    /// placeholders and dtypes are not compared.
    pub dtype_pinned: bool,
    /// For a mixture of experts, how many experts a layer has and how many
    /// the router uses per token (for active-parameter claims).
    pub moe: Option<Moe>,
}

/// A mixture-of-experts layer's experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Moe {
    /// Experts per layer.
    pub experts: u64,
    /// Experts the router selects per token.
    pub per_token: u64,
}

/// The architecture families a manifest's `family` may name.
pub const FAMILIES: &[&str] = &[
    "grok1", "mixtral", "llama", "mistral", "qwen2", "gemma", "t5", "bert", "gpt2",
];

/// Derives the expected layout of a published architecture.
pub fn expected(arch: &Architecture) -> Result<Layout> {
    let named = |tensors, optional, dtype_pinned| Layout {
        family: arch.family.clone(),
        tensors,
        by_name: true,
        optional,
        dtype_pinned,
        moe: None,
    };
    Ok(match arch.family.as_str() {
        "grok1" => {
            let c = grok1::Config::from_arch(arch)?;
            Layout {
                family: arch.family.clone(),
                tensors: grok1::expected(&c)?,
                by_name: false,
                optional: Vec::new(),
                dtype_pinned: true,
                moe: Some(Moe {
                    experts: c.num_experts,
                    per_token: c.num_selected_experts,
                }),
            }
        }
        "mixtral" => {
            let c = mixtral::Config::from_arch(arch)?;
            let (t, o) = mixtral::expected(&c);
            Layout {
                moe: Some(Moe {
                    experts: c.num_experts,
                    per_token: c.experts_per_tok,
                }),
                ..named(t, o, c.base.dtype.is_some())
            }
        }
        "llama" | "mistral" | "qwen2" | "gemma" => {
            let c = llama::Config::from_arch(arch)?;
            let (t, o) = llama::expected(&c);
            named(t, o, c.dtype.is_some())
        }
        "t5" => {
            let c = t5::Config::from_arch(arch)?;
            let (t, o) = t5::expected(&c);
            named(t, o, c.dtype.is_some())
        }
        "bert" => {
            let c = bert::Config::from_arch(arch)?;
            let (t, o) = bert::expected(&c);
            named(t, o, c.dtype.is_some())
        }
        "gpt2" => {
            let c = gpt2::Config::from_arch(arch)?;
            let (t, o) = gpt2::expected(&c);
            named(t, o, c.dtype.is_some())
        }
        other => {
            return Err(Error::Architecture(format!(
                "unknown architecture family {other:?} (known: {})",
                FAMILIES.join(", ")
            )))
        }
    })
}

/// Reads hyperparameters by their publishers' names: several spellings may
/// be given (Mistral's `dim`, Hugging Face's `hidden_size`), and a dotted
/// name reaches into a table (`moe.num_experts`).
pub(crate) struct Params<'a>(pub &'a Architecture);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&toml::Value> {
        let mut parts = name.split('.');
        let mut v = self.0.params.get(parts.next()?)?;
        for p in parts {
            v = v.as_table()?.get(p)?;
        }
        Some(v)
    }

    fn find<'n>(&self, names: &[&'n str]) -> Option<(&'n str, &toml::Value)> {
        names.iter().find_map(|n| self.get(n).map(|v| (*n, v)))
    }

    /// The first of `names` present, as a non-negative integer.
    pub fn int_opt(&self, names: &[&str]) -> Result<Option<u64>> {
        match self.find(names) {
            None => Ok(None),
            Some((_, toml::Value::Integer(v))) if *v >= 0 => Ok(Some(*v as u64)),
            Some((n, other)) => Err(Error::Architecture(format!(
                "{} parameter {n} must be a non-negative integer, found {other}",
                self.0.family
            ))),
        }
    }

    /// The first of `names` present, required.
    pub fn int(&self, names: &[&str]) -> Result<u64> {
        self.int_opt(names)?.ok_or_else(|| {
            Error::Architecture(format!(
                "{} parameter {} is missing",
                self.0.family,
                names.join(" / ")
            ))
        })
    }

    /// A float (integers accepted).
    pub fn float_opt(&self, names: &[&str]) -> Result<Option<f64>> {
        match self.find(names) {
            None => Ok(None),
            Some((_, toml::Value::Float(v))) => Ok(Some(*v)),
            Some((_, toml::Value::Integer(v))) => Ok(Some(*v as f64)),
            Some((n, other)) => Err(Error::Architecture(format!(
                "{} parameter {n} must be a number, found {other}",
                self.0.family
            ))),
        }
    }

    /// A string.
    pub fn str_opt(&self, names: &[&str]) -> Result<Option<&str>> {
        match self.find(names) {
            None => Ok(None),
            Some((_, toml::Value::String(s))) => Ok(Some(s)),
            Some((n, other)) => Err(Error::Architecture(format!(
                "{} parameter {n} must be a string, found {other}",
                self.0.family
            ))),
        }
    }

    /// A boolean.
    pub fn bool_or(&self, names: &[&str], default: bool) -> Result<bool> {
        match self.find(names) {
            None => Ok(default),
            Some((_, toml::Value::Boolean(b))) => Ok(*b),
            Some((n, other)) => Err(Error::Architecture(format!(
                "{} parameter {n} must be true or false, found {other}",
                self.0.family
            ))),
        }
    }

    /// Whether config.json's `architectures` names the class `name`
    /// (`BertModel`, `LlamaForCausalLM`…): the class decides the
    /// tensor-name prefix and the head.
    pub fn architecture_is(&self, name: &str) -> bool {
        match self.0.params.get("architectures") {
            Some(toml::Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(name)),
            _ => false,
        }
    }

    /// Whether any of `names` is present.
    pub fn has(&self, names: &[&str]) -> bool {
        self.find(names).is_some()
    }

    /// The element type: weightcheck's `dtype` or the config's `torch_dtype`.
    pub fn dtype(&self) -> Result<Option<DType>> {
        match self.str_opt(&["dtype", "torch_dtype"])? {
            None => Ok(None),
            Some(name) => DType::from_torch_name(name)
                .or_else(|| DType::from_name(name))
                .map(Some)
                .ok_or_else(|| {
                    Error::Architecture(format!(
                        "{} dtype {name:?} is not a dtype weightcheck knows",
                        self.0.family
                    ))
                }),
        }
    }
}

/// Most tensors an architecture may imply (Mixtral 8x7B: ~1,000; Grok-1:
/// 770). The list is built in memory, ~200 bytes a tensor.
pub const MAX_EXPECTED_TENSORS: u64 = 200_000;

/// Refuses sizes that would make the expected layout absurdly large (a
/// hostile or mistyped config), before anything is multiplied.
pub(crate) fn check_sizes(family: &str, sizes: &[(&str, u64)]) -> Result<()> {
    for (name, v) in sizes {
        let limit = if name.contains("layers") {
            4096
        } else {
            1 << 24
        };
        if *v > limit {
            return Err(Error::Architecture(format!(
                "implausible {family} hyperparameter {name} = {v} (limit {limit})"
            )));
        }
    }
    Ok(())
}

/// Reads a release's own config file — Hugging Face `config.json` or
/// Mistral's `params.json` — into an architecture, picking the family from
/// `model_type` (or, for params.json, from its shape).
pub fn architecture_from_config(path: &Path) -> Result<Architecture> {
    // Real configs are a few kB; 16 MiB bounds memory for a hostile one.
    let text = crate::paths::read_text_limited(path, 16 << 20)?;
    architecture_from_json(&text, &path.display().to_string())
}

/// `base` (or, without one, a local manifest named after the file) with
/// the architecture read from a `config.json`/`params.json`.
pub fn with_config(
    config: &Path,
    base: Option<crate::manifest::Manifest>,
) -> Result<crate::manifest::Manifest> {
    let arch = architecture_from_config(config)?;
    let mut m =
        base.unwrap_or_else(|| crate::manifest::Manifest::local(&config.display().to_string()));
    m.architecture = Some(arch);
    Ok(m)
}

/// Like [`architecture_from_config`], from the JSON text; `origin` names it.
pub fn architecture_from_json(text: &str, origin: &str) -> Result<Architecture> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::Architecture(format!("{origin}: not JSON: {e}")))?;
    let Some(obj) = json.as_object() else {
        return Err(Error::Architecture(format!(
            "{origin}: config is not a JSON object"
        )));
    };
    let model_type = obj.get("model_type").and_then(|v| v.as_str());
    let family = match model_type {
        Some("mixtral") => "mixtral",
        Some("llama") => "llama",
        Some("mistral") => "mistral",
        Some("qwen2") => "qwen2",
        Some("gemma") => "gemma",
        Some("t5" | "mt5" | "umt5") => "t5",
        Some("bert") => "bert",
        Some("gpt2") => "gpt2",
        Some(other) => {
            return Err(Error::Architecture(format!(
                "{origin}: model_type {other:?} has no architecture family in weightcheck"
            )))
        }
        None if obj.contains_key("moe") && obj.contains_key("dim") => "mixtral",
        None if obj.contains_key("dim") && obj.contains_key("n_layers") => "llama",
        None => {
            return Err(Error::Architecture(format!(
            "{origin}: neither a Hugging Face config (model_type) nor a Mistral/Llama params.json"
        )))
        }
    };
    let mut params = BTreeMap::new();
    for (k, v) in obj {
        if let Some(t) = json_to_toml(v) {
            params.insert(k.clone(), t);
        }
    }
    Ok(Architecture {
        family: family.to_string(),
        source: origin.to_string(),
        params,
    })
}

fn json_to_toml(v: &serde_json::Value) -> Option<toml::Value> {
    use serde_json::Value as J;
    Some(match v {
        J::Null => return None,
        J::Bool(b) => toml::Value::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        J::String(s) => toml::Value::String(s.clone()),
        J::Array(a) => toml::Value::Array(a.iter().filter_map(json_to_toml).collect()),
        J::Object(o) => toml::Value::Table(
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// What a by-name comparison found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// An expected tensor is absent.
    Missing,
    /// A tensor the architecture does not imply (or one without a name).
    Unexpected,
    /// The same name appears more than once.
    Duplicate,
    /// Shape differs from the architecture's.
    WrongShape,
    /// Element type differs from the configured one.
    WrongDtype,
    /// Storage kind differs (e.g. quantized where a plain array is expected).
    WrongStorage,
    /// A shard index disagrees with its shards.
    Index,
}

/// One disagreement between a checkpoint and its architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The tensor name (`(unnamed)` for records without one).
    pub name: String,
    /// The file it was found in, where it was found at all.
    pub file: Option<PathBuf>,
    /// A sentence for people.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}: {}", file.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Holds named tensors (each with the file it is in) against a layout,
/// matching by name: every expected tensor must be present once, with its
/// shape, storage and (when the config pinned it) dtype; anything else is
/// unexpected. Optional tensors are checked for shape when present. An
/// empty result means the checkpoint is exactly what the architecture implies.
pub fn check_by_name<'a, I>(layout: &Layout, tensors: I) -> Vec<Finding>
where
    I: IntoIterator<Item = (&'a Path, &'a TensorRecord)>,
{
    let mut findings = Vec::new();
    let mut found: HashMap<&str, Vec<(&Path, &TensorRecord)>> = HashMap::new();
    for (file, record) in tensors {
        match record.name.as_deref() {
            Some(name) => found.entry(name).or_default().push((file, record)),
            None => findings.push(Finding {
                kind: FindingKind::Unexpected,
                name: "(unnamed)".into(),
                file: Some(file.to_path_buf()),
                message: "a tensor without a name cannot be matched by name".into(),
            }),
        }
    }
    let finding = |kind, name: &str, file: Option<&Path>, message: String| Finding {
        kind,
        name: name.to_string(),
        file: file.map(Path::to_path_buf),
        message,
    };
    let mut known = std::collections::HashSet::new();
    let required = layout.tensors.iter().map(|t| (t, true));
    let optional = layout.optional.iter().map(|t| (t, false));
    for (want, is_required) in required.chain(optional) {
        let name = want.name.as_str();
        if !known.insert(name) {
            continue;
        }
        let Some(hits) = found.get(name) else {
            if is_required {
                findings.push(finding(
                    FindingKind::Missing,
                    name,
                    None,
                    format!(
                        "{name} is missing (expected {} {})",
                        shape_text(&want.shape),
                        want.dtype
                    ),
                ));
            }
            continue;
        };
        if hits.len() > 1 {
            let files: Vec<String> = hits.iter().map(|(f, _)| f.display().to_string()).collect();
            findings.push(finding(
                FindingKind::Duplicate,
                name,
                Some(hits[0].0),
                format!("{name} appears {} times ({})", hits.len(), files.join(", ")),
            ));
        }
        for (file, got) in hits {
            if got.shape != want.shape {
                findings.push(finding(
                    FindingKind::WrongShape,
                    name,
                    Some(file),
                    format!(
                        "{name} has shape {} but the architecture implies {}",
                        shape_text(&got.shape),
                        shape_text(&want.shape)
                    ),
                ));
            }
            // A GGUF re-release stores what the config calls an array in
            // any ggml type, quantised or not: its shape is what is checked.
            let ggml = matches!(got.stored_as, StoredAs::Ggml(_));
            if got.stored_as != want.stored_as && !(ggml && want.stored_as == StoredAs::Array) {
                findings.push(finding(
                    FindingKind::WrongStorage,
                    name,
                    Some(file),
                    format!(
                        "{name} is stored as {} but {} is expected",
                        got.stored_as.name(),
                        want.stored_as.name()
                    ),
                ));
            }
            if is_required && layout.dtype_pinned && !ggml && got.dtype != want.dtype {
                findings.push(finding(
                    FindingKind::WrongDtype,
                    name,
                    Some(file),
                    format!("{name} is {} but the config says {}", got.dtype, want.dtype),
                ));
            }
        }
    }
    let mut extra: Vec<(&str, &Path)> = found
        .iter()
        .filter(|(name, _)| !known.contains(*name))
        .flat_map(|(name, hits)| hits.iter().map(move |(f, _)| (*name, *f)))
        .collect();
    extra.sort();
    for (name, file) in extra {
        findings.push(finding(
            FindingKind::Unexpected,
            name,
            Some(file),
            format!("{name} is not a tensor of this architecture"),
        ));
    }
    findings
}

fn shape_text(shape: &[u64]) -> String {
    crate::formats::tensor::shape_str(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_json_and_config_json_pick_their_families() {
        let a = architecture_from_json(
            r#"{"dim": 64, "n_layers": 2, "head_dim": 16, "hidden_dim": 128, "n_heads": 4, "n_kv_heads": 2, "norm_eps": 1e-05, "vocab_size": 100, "moe": {"num_experts_per_tok": 2, "num_experts": 4}}"#,
            "params.json",
        )
        .unwrap();
        assert_eq!(a.family, "mixtral");
        let p = Params(&a);
        assert_eq!(p.int(&["num_local_experts", "moe.num_experts"]).unwrap(), 4);
        assert_eq!(p.float_opt(&["norm_eps"]).unwrap(), Some(1e-5));
        let a = architecture_from_json(
            r#"{"model_type": "t5", "d_model": 8, "torch_dtype": "float32", "x": null}"#,
            "c",
        )
        .unwrap();
        assert_eq!(a.family, "t5");
        assert_eq!(Params(&a).dtype().unwrap(), Some(DType::Float32));
        assert!(architecture_from_json(r#"{"model_type": "gpt_neox"}"#, "c").is_err());
    }

    #[test]
    fn by_name_check_reports_each_kind() {
        use crate::formats::pickle::Span;
        let layout = Layout {
            family: "test".into(),
            tensors: vec![
                ExpectedTensor::array("a", vec![2, 3], DType::Bfloat16, None),
                ExpectedTensor::array("b", vec![4], DType::Bfloat16, None),
                ExpectedTensor::array("c", vec![4], DType::Bfloat16, None),
            ],
            by_name: true,
            optional: vec![ExpectedTensor::array("o", vec![1], DType::Float32, None)],
            dtype_pinned: true,
            moe: None,
        };
        let rec = |name: &str, shape: Vec<u64>, dtype| TensorRecord {
            name: Some(name.into()),
            stored_as: StoredAs::Array,
            shape,
            dtype,
            data: Span { offset: 0, len: 0 },
            scales: None,
        };
        let recs = [
            rec("a", vec![3, 2], DType::Bfloat16),
            rec("b", vec![4], DType::Float16),
            rec("z", vec![1], DType::Bfloat16),
            rec("o", vec![1], DType::Bfloat16),
        ];
        let f = Path::new("m.safetensors");
        let findings = check_by_name(&layout, recs.iter().map(|r| (f, r)));
        let kinds: Vec<_> = findings.iter().map(|f| (f.kind, f.name.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (FindingKind::WrongShape, "a"),
                (FindingKind::WrongDtype, "b"),
                (FindingKind::Missing, "c"),
                (FindingKind::Unexpected, "z"),
            ]
        );
        assert!(findings[0]
            .to_string()
            .contains("has shape 3x2 but the architecture implies 2x3"));
    }
}
