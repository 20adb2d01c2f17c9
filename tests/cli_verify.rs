//! `weightcheck verify` end to end, in-process: on the full-size sparse
//! Grok-1 layout and on a scaled-down release with every kind of damage.

mod common;

use common::{assert_output, run};
use snapbox::str;
use weightcheck::manifest::Manifest;
use weightcheck::synth::{self, Content};

#[test]
fn full_size_sparse_grok1_verifies_structurally() {
    let dir = tempfile::tempdir().unwrap();
    let arch = Manifest::embedded("grok-1").unwrap().architecture.unwrap();
    let written = synth::write_grok_release(dir.path(), &arch, Content::Holes).unwrap();
    assert_eq!(written.len(), 770);
    let manifest = Manifest::embedded("grok-1").unwrap();
    for (w, f) in written.iter().zip(&manifest.files) {
        assert_eq!((w.path.as_str(), w.size), (f.path.as_str(), f.size));
    }
    let (code, out, err) = run(
        [
            "verify",
            dir.path().to_str().unwrap(),
            "--release",
            "grok-1",
            "--no-hash",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: Grok-1 (xAI, 2024-03-17) in [ROOT]
  looked: [ROOT]: 770 of 770 release files present


files: 770/770 present, 0 missing, 0 extra, 0 wrong size
structure: 770/770 structurally correct
digests: 0 match, 0 differ, 18 not checked (--no-hash), 752 not published in the manifest

claim                                                         claimed         computed  verdict
314B parameters                                       314,000,000,000  315,684,820,992  approximately (+0.54%)
    how: sum of the logical elements of all 770 tensors as stored
    source: GitHub README.md (Model Specifications) and Hugging Face RELEASE card
25% of the weights active on a given token (of 314B)   78,500,000,000   83,756,587,008  confirmed
    how: 6,447,175,680 non-expert (embedding and final norm counted once; attention, norms, routers)
         + 2/8 of 309,237,645,312 expert parameters (num_selected_experts = 2, from the
         architecture)
    source: xAI, "Open Release of Grok-1" (x.ai/blog/grok-os, 17 March 2024)
Mixture of 8 Experts (MoE)                                          8                8  confirmed
    how: first axis of moe/linear/w
    source: GitHub README.md
2 experts used per token                                            2                -  not verifiable here
    why: experts per token is a runtime setting of the router (run.py's num_selected_experts); no
         weight fixes it
    source: GitHub README.md
64 layers                                                          64               64  confirmed
    how: distinct decoder layers among the readable shards
    source: GitHub README.md
48 attention heads for queries                                     48               48  confirmed
    how: multi_head_attention/query/w output width 6,144 / key_size 128
    source: GitHub README.md
8 attention heads for keys/values                                   8                8  confirmed
    how: multi_head_attention/key/w output width 1,024 / key_size 128
    source: GitHub README.md
Embedding size: 6,144                                           6,144            6,144  confirmed
    how: second axis of the embedding matrix
    source: GitHub README.md
SentencePiece tokenizer with 131,072 tokens                   131,072          131,072  confirmed
    how: rows of the embedding matrix (no tokenizer.model given)
    source: GitHub README.md
Maximum sequence length (context): 8,192 tokens                 8,192                -  not verifiable here
    why: rotary position embeddings have no learned table, so the weights do not bound the context;
         it is run.py's sequence_len
    source: GitHub README.md

note: 770 of 770 files were checked by shape only. Every transformer layer has the same shapes, so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the same architecture; only content hashes can (SHA-256s from the manifest, skipped here by --no-hash, or the torrent's piece hashes with --torrent).

result: STRUCTURE OK — nothing wrong found, but the content of 770 of 770 files was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: ckpt-0/tensor00000_000, ckpt-0/tensor00001_000, ckpt-0/tensor00002_000, ckpt-0/tensor00003_000, ckpt-0/tensor00004_000 and 765 more
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        dir.path(),
    );
    assert_output(&err, str![], dir.path());
}
