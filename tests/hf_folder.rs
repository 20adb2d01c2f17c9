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
            "1 file, 40 tensors, 1,672 parameters (and 16 buffer elements), 10,744 bytes on disk",
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

/// A GPT-2 folder saved from `GPT2LMHeadModel` by an older transformers:
/// `transformer.`-prefixed names, Conv1D weights, the causal-mask buffers
/// `attn.bias` (bool) and `attn.masked_bias` (a scalar) in every block, and
/// no `lm_head` (tied, dropped by safetensors). Written by the real
/// `safetensors` package; returns Python's (parameters, buffer elements).
fn write_gpt2(dir: &Path) -> (u64, u64) {
    let script = r##"
import json, os, sys
import numpy as np
from safetensors.numpy import save_file, load_file
d = sys.argv[1]
e, layers, pos, v = 8, 2, 16, 30
rng = np.random.default_rng(0)
t = {}
def w(name, *shape):
    t["transformer." + name] = rng.standard_normal(shape).astype(np.float32)
w("wte.weight", v, e); w("wpe.weight", pos, e)
for l in range(layers):
    b = f"h.{l}"
    w(f"{b}.ln_1.weight", e); w(f"{b}.ln_1.bias", e)
    w(f"{b}.attn.c_attn.weight", e, 3 * e); w(f"{b}.attn.c_attn.bias", 3 * e)
    w(f"{b}.attn.c_proj.weight", e, e); w(f"{b}.attn.c_proj.bias", e)
    w(f"{b}.ln_2.weight", e); w(f"{b}.ln_2.bias", e)
    w(f"{b}.mlp.c_fc.weight", e, 4 * e); w(f"{b}.mlp.c_fc.bias", 4 * e)
    w(f"{b}.mlp.c_proj.weight", 4 * e, e); w(f"{b}.mlp.c_proj.bias", e)
    t[f"transformer.{b}.attn.bias"] = np.tril(np.ones((pos, pos), dtype=bool)).reshape(1, 1, pos, pos)
    t[f"transformer.{b}.attn.masked_bias"] = np.array(-1e4, dtype=np.float32)
w("ln_f.weight", e); w("ln_f.bias", e)
save_file(t, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
json.dump({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": e,
           "n_layer": layers, "n_head": 2, "n_positions": pos, "n_ctx": pos, "n_inner": None,
           "vocab_size": v, "torch_dtype": "float32"}, open(os.path.join(d, "config.json"), "w"))
back = load_file(os.path.join(d, "model.safetensors"))
buffers = [k for k in back if k.endswith(".attn.bias") or k.endswith(".attn.masked_bias")]
print(sum(a.size for k, a in back.items() if k not in buffers), sum(back[k].size for k in buffers))
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
fn gpt2_folder_verifies_with_its_buffers_counted_apart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("gpt2");
    std::fs::create_dir(&d).expect("mkdir");
    let (params, buffers) = write_gpt2(&d);
    assert_eq!((params, buffers), (2_128, 514));

    let (code, out, err) = common::run(["verify", "gpt2"], tmp.path());
    assert_eq!((code, err.as_str()), (3, ""), "{out}");
    assert!(out.contains("structure: 1/1 structurally correct"), "{out}");

    // A total-parameters claim is computed without the buffers, and says so.
    let manifest = format!(
        r#"[release]
id = "tiny-gpt2"
name = "tiny GPT-2"
publisher = "test"
date = "2024-01-01"

[architecture]
family = "gpt2"
source = "config.json"
[architecture.params]
architectures = ["GPT2LMHeadModel"]
n_embd = 8
n_layer = 2
n_positions = 16
vocab_size = 30

[[claim]]
quantity = "total_parameters"
value = {params}
text = "{params} parameters"
source = "the Python reader's count"
"#
    );
    std::fs::write(tmp.path().join("tiny.toml"), manifest).expect("write manifest");
    let (code, out, err) = common::run(
        [
            "verify",
            "gpt2",
            "--manifest",
            "tiny.toml",
            "--no-hash",
            "--quiet",
        ],
        tmp.path(),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    common::assert_output(
        &out,
        snapbox::str![[r#"
weightcheck verify: tiny GPT-2 (test, 2024-01-01) in [ROOT]/gpt2
  looked: [ROOT]/gpt2: the manifest lists no files; the tensor files found here are checked


files: 1/1 present, 0 missing, 0 extra, 0 wrong size
structure: 1/1 structurally correct
digests: 0 match, 0 differ, 1 not published in the manifest

claim            claimed  computed  verdict
2128 parameters    2,128     2,128  confirmed
    how: sum of the logical elements of the 28 tensors the architecture implies, as stored; 514
         buffer elements (4 tensors: position ids, masks, rotary frequencies) apart, not parameters
    source: the Python reader's count

note: the manifest publishes no file sizes: the 1 tensor files found were checked by content, not against a file list

note: the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy

result: STRUCTURE OK — nothing wrong found, but the content of 1 of 1 file was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: model.safetensors
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        tmp.path(),
    );
}
