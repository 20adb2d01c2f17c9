//! A Hugging Face model folder as people hold one: a sentence-transformers
//! style BERT (`BertModel`, bare tensor names, an `embeddings.position_ids`
//! buffer) written by the real `safetensors` package, with its config,
//! tokenizer and module files beside it.

mod common;

use std::path::Path;
use std::process::Command;

/// Writes the folder with the pinned Python (safetensors + numpy) and
/// returns what Python's own safetensors reader counts: (parameters
/// without the buffer, buffer elements).
fn write_folder(dir: &Path) -> (u64, u64) {
    let script = r##"
import json, os, sys
import numpy as np
from safetensors.numpy import save_file, load_file
d = sys.argv[1]
h, i, v, p, layers = 8, 16, 30, 16, 2
rng = np.random.default_rng(0)
t = {}
def w(name, *shape):
    t[name] = rng.standard_normal(shape).astype(np.float32)
w("embeddings.word_embeddings.weight", v, h)
w("embeddings.position_embeddings.weight", p, h)
w("embeddings.token_type_embeddings.weight", 2, h)
w("embeddings.LayerNorm.weight", h); w("embeddings.LayerNorm.bias", h)
t["embeddings.position_ids"] = np.arange(p, dtype=np.int64).reshape(1, p)
for l in range(layers):
    b = f"encoder.layer.{l}"
    for part in ("query", "key", "value"):
        w(f"{b}.attention.self.{part}.weight", h, h); w(f"{b}.attention.self.{part}.bias", h)
    w(f"{b}.attention.output.dense.weight", h, h); w(f"{b}.attention.output.dense.bias", h)
    w(f"{b}.attention.output.LayerNorm.weight", h); w(f"{b}.attention.output.LayerNorm.bias", h)
    w(f"{b}.intermediate.dense.weight", i, h); w(f"{b}.intermediate.dense.bias", i)
    w(f"{b}.output.dense.weight", h, i); w(f"{b}.output.dense.bias", h)
    w(f"{b}.output.LayerNorm.weight", h); w(f"{b}.output.LayerNorm.bias", h)
w("pooler.dense.weight", h, h); w("pooler.dense.bias", h)
save_file(t, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
json.dump({"architectures": ["BertModel"], "model_type": "bert", "hidden_size": h,
           "num_hidden_layers": layers, "num_attention_heads": 2, "intermediate_size": i,
           "vocab_size": v, "max_position_embeddings": p, "type_vocab_size": 2,
           "torch_dtype": "float32"}, open(os.path.join(d, "config.json"), "w"))
json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}],
          open(os.path.join(d, "modules.json"), "w"))
json.dump({"version": "1.0", "model": {"type": "WordPiece"}}, open(os.path.join(d, "tokenizer.json"), "w"))
open(os.path.join(d, "README.md"), "w").write("# tiny\n")
back = load_file(os.path.join(d, "model.safetensors"))
params = sum(a.size for k, a in back.items() if k != "embeddings.position_ids")
print(params, back["embeddings.position_ids"].size)
"##;
    let out = Command::new(common::python())
        .args(["-c", script])
        .arg(dir)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut n = text
        .split_whitespace()
        .map(|w| w.parse::<u64>().expect("count"));
    (n.next().expect("params"), n.next().expect("buffers"))
}

#[test]
fn inspect_lists_tensors_and_passes_over_the_other_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("model");
    std::fs::create_dir(&d).expect("mkdir");
    let (params, buffers) = write_folder(&d);
    let (code, out, err) = common::run(["inspect", "model"], tmp.path());
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    // Parameters and buffer elements as the reference reader (Python
    // safetensors) counts them.
    assert_eq!((params, buffers), (1_672, 16));
    let summary: Vec<&str> = out.lines().rev().take(4).collect();
    assert_eq!(
        summary,
        [
            "not tensor files: README.md, config.json, modules.json, tokenizer.json",
            "  float32                 6,688 bytes",
            "  int64                     128 bytes",
            "1 files, 40 tensors, 1,672 parameters (and 16 buffer elements), 10,744 bytes on disk",
        ]
    );

    // Named, a config is not a tensor file: an error, not a crash.
    let (code, _, err) = common::run(["inspect", "model/config.json"], tmp.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("config.json: not a tensor file weightcheck recognises"),
        "{err}"
    );
}

#[test]
fn verify_with_no_flags_checks_the_folder_against_its_config() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("model");
    std::fs::create_dir(&d).expect("mkdir");
    write_folder(&d);
    let (code, out, err) = common::run(["verify", "model"], tmp.path());
    common::assert_output(&err, snapbox::str![], tmp.path());
    assert_eq!(code, 3, "{out}");
    common::assert_output(
        &out,
        snapbox::str![[r#"
...
result: STRUCTURE OK[..]
...
"#]],
        tmp.path(),
    );
    assert!(out.contains("config.json"), "{out}");
    assert!(!out.contains("FAILED"), "{out}");
}
