//! Which licenses are open, and for what. One small table, so every
//! framework in [`super::evaluate`] judges licenses the same way.
//!
//! - *OSI-approved*: on the Open Source Initiative's list of approved
//!   licenses (opensource.org/licenses). The OSAID 1.0 requires these for
//!   code, and "OSI-approved terms" for parameters and data information.
//! - *Open content*: licenses for data, documents and other works that grant
//!   the same freedoms without being software licenses (Creative Commons
//!   BY / BY-SA / CC0, the Linux Foundation's CDLA, Open Data Commons). The
//!   Model Openness Framework accepts these for data, documentation and
//!   parameters, and OSI's FAQ counts them as open terms for non-code.
//! - Anything else — a publisher's own "community" license, a non-commercial
//!   Creative Commons variant, a license we do not know — is not open.

use serde::Serialize;

/// How open a license is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicenseClass {
    /// On OSI's list of approved licenses.
    OsiApproved,
    /// An open license for data, documents or models that is not a software
    /// license (CC-BY-4.0, CDLA-Permissive-2.0, …).
    OpenContent,
    /// A named license that restricts use, users or fields of endeavour.
    Restricted,
    /// Not a license weightcheck knows: treated as not open.
    Unknown,
}

impl LicenseClass {
    /// Words for tables.
    pub fn label(self) -> &'static str {
        match self {
            LicenseClass::OsiApproved => "OSI-approved",
            LicenseClass::OpenContent => "open content license",
            LicenseClass::Restricted => "restrictive, not OSI-approved",
            LicenseClass::Unknown => "not a known open license",
        }
    }

    /// Open at all (for some kind of work).
    pub fn is_open(self) -> bool {
        matches!(self, LicenseClass::OsiApproved | LicenseClass::OpenContent)
    }
}

/// SPDX ids of OSI-approved licenses (a prefix ends in `-`: `GPL-` covers
/// `GPL-2.0-only`, `GPL-3.0-or-later`, …).
const OSI_APPROVED: &[&str] = &[
    "Apache-2.0",
    "MIT",
    "MIT-0",
    "BSD-",
    "0BSD",
    "GPL-",
    "LGPL-",
    "AGPL-3.0",
    "MPL-2.0",
    "EPL-",
    "ISC",
    "Zlib",
    "BSL-1.0",
    "Unlicense",
    "Artistic-2.0",
    "EUPL-1.2",
    "CDDL-1.0",
    "OSL-3.0",
    "AFL-3.0",
    "UPL-1.0",
    "NCSA",
    "PostgreSQL",
    "Python-2.0",
];

/// SPDX ids of open content and open data licenses (not OSI-approved, since
/// OSI reviews software licenses only).
const OPEN_CONTENT: &[&str] = &[
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-3.0",
    "CC-BY-SA-3.0",
    "CC0-1.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "ODC-By-1.0",
    "ODbL-1.0",
    "PDDL-1.0",
];

/// Licenses known to restrict use. Matched case-insensitively on a prefix,
/// since publishers name them inconsistently ("Llama 2 Community License
/// Agreement", "LLAMA 2 COMMUNITY LICENSE").
const RESTRICTED: &[&str] = &[
    "Grok 2 Community License",
    "Llama 2 Community License",
    "Llama 3 Community License",
    "Gemma Terms of Use",
    "OpenRAIL",
    "CreativeML OpenRAIL",
    "CC-BY-NC",
    "CC-BY-ND",
    "Mistral Research License",
];

/// Classifies a license id or name. SPDX expressions with `OR` are open if
/// any alternative is; with `AND`, only as open as the least open part.
pub fn classify(license: &str) -> LicenseClass {
    let license = license.trim().trim_start_matches('(').trim_end_matches(')');
    if let Some((a, b)) = license.split_once(" OR ") {
        return best(classify(a), classify(b));
    }
    if let Some((a, b)) = license.split_once(" AND ") {
        return worst(classify(a), classify(b));
    }
    let id = license.trim();
    let matches = |pattern: &&str| {
        if pattern.ends_with('-') {
            id.starts_with(pattern)
        } else {
            id == *pattern
        }
    };
    if OSI_APPROVED.iter().any(matches) {
        LicenseClass::OsiApproved
    } else if OPEN_CONTENT.iter().any(matches) {
        LicenseClass::OpenContent
    } else if RESTRICTED
        .iter()
        .any(|r| id.to_ascii_lowercase().starts_with(&r.to_ascii_lowercase()))
    {
        LicenseClass::Restricted
    } else {
        LicenseClass::Unknown
    }
}

fn rank(c: LicenseClass) -> u8 {
    match c {
        LicenseClass::OsiApproved => 3,
        LicenseClass::OpenContent => 2,
        LicenseClass::Restricted => 1,
        LicenseClass::Unknown => 0,
    }
}

fn best(a: LicenseClass, b: LicenseClass) -> LicenseClass {
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}

fn worst(a: LicenseClass, b: LicenseClass) -> LicenseClass {
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_licenses_of_the_mission_releases() {
        assert_eq!(classify("Apache-2.0"), LicenseClass::OsiApproved);
        assert_eq!(classify("MIT"), LicenseClass::OsiApproved);
        assert_eq!(classify("BSD-3-Clause"), LicenseClass::OsiApproved);
        assert_eq!(classify("GPL-3.0-or-later"), LicenseClass::OsiApproved);
        assert_eq!(classify("CC-BY-4.0"), LicenseClass::OpenContent);
        assert_eq!(
            classify("Grok 2 Community License Agreement"),
            LicenseClass::Restricted
        );
        assert_eq!(classify("CC-BY-NC-4.0"), LicenseClass::Restricted);
        assert_eq!(classify("proprietary"), LicenseClass::Unknown);
        assert_eq!(classify("MIT OR Apache-2.0"), LicenseClass::OsiApproved);
        assert_eq!(
            classify("Apache-2.0 AND CC-BY-NC-4.0"),
            LicenseClass::Restricted
        );
        // A prefix entry must not match a longer unrelated id.
        assert_eq!(classify("MITx"), LicenseClass::Unknown);
    }
}
