//! The real Grok-1 tokenizer.model (tests/data/grok-1) has 131,072 pieces.

use std::path::PathBuf;

fn tokenizer() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/grok-1/tokenizer.model")
}

#[test]
fn grok1_tokenizer_has_131072_pieces() {
    let v = weightcheck::formats::sentencepiece::read_vocabulary(&tokenizer()).expect("reads");
    assert_eq!(v.pieces, 131_072);
    assert_eq!(v.first, ["[PAD]", "[BOS]", "[EOS]", "[UNK]"]);
}

#[test]
fn truncated_tokenizer_is_an_error_with_offset() {
    let data = std::fs::read(tokenizer()).unwrap();
    // A cut on a field boundary is a valid (smaller) protobuf; a cut inside a
    // field must be an error naming where the field started.
    let results: Vec<_> = (1000..1020)
        .map(|cut| weightcheck::formats::sentencepiece::parse_vocabulary(&data[..cut]))
        .collect();
    assert!(results
        .iter()
        .all(|r| r.as_ref().map_or(true, |v| v.pieces < 100)));
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("some cut fails");
    assert!(
        (err.1.contains("past the end") || err.1.contains("truncated")) && err.0 < 1020,
        "{err:?}"
    );
}
