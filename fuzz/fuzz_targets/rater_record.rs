//! A rater's record (Model Openness Tool or European Open Source AI Index
//! YAML) on arbitrary text, then, for a MOT record, the manifest seeded
//! from it, which must always parse.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use weightcheck::manifest::Manifest;
use weightcheck::report::raters::{mot, record};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(record::Record::Mot(rec)) = record::parse(text, Path::new("fuzz")) {
            let seeded = mot::import(&rec, "fuzz");
            Manifest::from_toml(&seeded, "fuzz").expect("an imported record is a manifest");
            let _ = mot::export(&Manifest::from_toml(&seeded, "fuzz").unwrap());
        }
    }
});
