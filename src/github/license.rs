//! Which license a license file holds, read from its text.
//!
//! GitHub's own detection (the license API's SPDX id) is one opinion; the
//! text is the license itself, so it is read too. Each known license is
//! recognized by phrases that only its text contains, after folding case
//! and whitespace so re-wrapped copies still match. For Apache-2.0, whose
//! full text is long and often trimmed to the short notice, the nine
//! section headings must all be there for the file to count as the license
//! rather than a reference to it.

use serde::Serialize;

/// What a license text was recognized as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextLicense {
    /// SPDX id (`Apache-2.0`), or `None` when the text matches no known license.
    pub spdx: Option<String>,
    /// Whether the full text is there (for Apache-2.0: all nine sections),
    /// rather than a notice pointing at it.
    pub complete: bool,
    /// Why it was recognized or not.
    pub evidence: String,
}

struct Known {
    spdx: &'static str,
    all_of: &'static [&'static str],
    none_of: &'static [&'static str],
}

// Order matters: more specific texts first (LGPL and AGPL also say "GNU
// General Public License"; BSD-3 contains BSD-2's clauses).
const KNOWN: &[Known] = &[
    Known {
        spdx: "Apache-2.0",
        all_of: &["apache license", "version 2.0, january 2004"],
        none_of: &[],
    },
    Known {
        spdx: "AGPL-3.0",
        all_of: &[
            "gnu affero general public license",
            "version 3, 19 november 2007",
        ],
        none_of: &[],
    },
    Known {
        spdx: "LGPL-3.0",
        all_of: &[
            "gnu lesser general public license",
            "version 3, 29 june 2007",
        ],
        none_of: &[],
    },
    Known {
        spdx: "GPL-3.0",
        all_of: &["gnu general public license", "version 3, 29 june 2007"],
        none_of: &[],
    },
    Known {
        spdx: "GPL-2.0",
        all_of: &["gnu general public license", "version 2, june 1991"],
        none_of: &[],
    },
    Known {
        spdx: "MPL-2.0",
        all_of: &["mozilla public license version 2.0"],
        none_of: &[],
    },
    Known {
        spdx: "MIT",
        all_of: &[
            "permission is hereby granted, free of charge, to any person obtaining a copy",
            "the above copyright notice and this permission notice shall be included",
        ],
        none_of: &[],
    },
    Known {
        spdx: "BSD-3-Clause",
        all_of: &[
            "redistribution and use in source and binary forms",
            "neither the name of",
        ],
        none_of: &[],
    },
    Known {
        spdx: "BSD-2-Clause",
        all_of: &["redistribution and use in source and binary forms"],
        none_of: &["neither the name of"],
    },
    Known {
        spdx: "Unlicense",
        all_of: &["this is free and unencumbered software released into the public domain"],
        none_of: &[],
    },
    Known {
        spdx: "CC-BY-4.0",
        all_of: &["creative commons attribution 4.0 international public license"],
        none_of: &["noncommercial", "sharealike", "noderivatives"],
    },
];

const APACHE_SECTIONS: &[&str] = &[
    "1. definitions.",
    "2. grant of copyright license.",
    "3. grant of patent license.",
    "4. redistribution.",
    "5. submission of contributions.",
    "6. trademarks.",
    "7. disclaimer of warranty.",
    "8. limitation of liability.",
    "9. accepting warranty or additional liability.",
];

/// Lowercases and collapses every run of whitespace to one space.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Recognizes the license in `text`.
pub fn identify_license_text(text: &str) -> TextLicense {
    let t = fold(text);
    for k in KNOWN {
        if k.all_of.iter().all(|p| t.contains(p)) && !k.none_of.iter().any(|p| t.contains(p)) {
            if k.spdx == "Apache-2.0" {
                let missing: Vec<&str> = APACHE_SECTIONS
                    .iter()
                    .copied()
                    .filter(|s| !t.contains(s))
                    .collect();
                let complete = missing.is_empty();
                let evidence = if complete {
                    "Apache License 2.0 header and all 9 sections of its terms".to_string()
                } else {
                    format!(
                        "Apache License 2.0 header, but {} of 9 sections missing (first: {:?})",
                        missing.len(),
                        missing[0]
                    )
                };
                return TextLicense {
                    spdx: Some(k.spdx.to_string()),
                    complete,
                    evidence,
                };
            }
            return TextLicense {
                spdx: Some(k.spdx.to_string()),
                complete: true,
                evidence: format!("text contains {:?}", k.all_of[0]),
            };
        }
    }
    if t.contains("licensed under the apache license, version 2.0") {
        return TextLicense {
            spdx: Some("Apache-2.0".to_string()),
            complete: false,
            evidence: "only the Apache-2.0 notice, not the license terms".to_string(),
        };
    }
    TextLicense {
        spdx: None,
        complete: false,
        evidence: "matches none of the known license texts".to_string(),
    }
}

/// Whether a root-level file name is a conventional license file name.
pub fn is_license_file_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or("");
    matches!(stem, "LICENSE" | "LICENCE" | "COPYING" | "LICENSE-APACHE")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LICENSE_TXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/grok-1/LICENSE.txt");

    #[test]
    fn recognizes_the_real_grok_license() {
        let text = std::fs::read_to_string(LICENSE_TXT).expect("tests/data/grok-1/LICENSE.txt");
        let id = identify_license_text(&text);
        assert_eq!(id.spdx.as_deref(), Some("Apache-2.0"));
        assert!(id.complete, "{}", id.evidence);
        // Re-wrapped and re-cased copies still match.
        let rewrapped = text.replace('\n', " ").to_uppercase();
        assert!(identify_license_text(&rewrapped).complete);
    }

    #[test]
    fn trimmed_apache_is_incomplete() {
        let text = std::fs::read_to_string(LICENSE_TXT).expect("LICENSE.txt");
        let cut = text.replace("6. Trademarks.", "6. Brands.");
        let id = identify_license_text(&cut);
        assert_eq!(id.spdx.as_deref(), Some("Apache-2.0"));
        assert!(!id.complete);
        assert!(id.evidence.contains("6. trademarks."), "{}", id.evidence);
        let notice = "Licensed under the Apache License, Version 2.0 (the \"License\");";
        assert!(!identify_license_text(notice).complete);
    }

    #[test]
    fn other_licenses() {
        let mit = "Permission is hereby granted, free of charge, to any person obtaining a copy\nof this software ... The above copyright notice and this permission notice shall be included in all copies";
        assert_eq!(identify_license_text(mit).spdx.as_deref(), Some("MIT"));
        let bsd2 = "Redistribution and use in source and binary forms, with or without";
        assert_eq!(
            identify_license_text(bsd2).spdx.as_deref(),
            Some("BSD-2-Clause")
        );
        assert_eq!(identify_license_text("All rights reserved.").spdx, None);
        assert!(is_license_file_name("LICENSE.txt"));
        assert!(is_license_file_name("COPYING"));
        assert!(!is_license_file_name("README.md"));
    }
}
