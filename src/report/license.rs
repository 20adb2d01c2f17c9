//! Which licenses are open, and for what. Every framework in
//! [`super::evaluate`] judges licenses through [`judge`], so they agree.
//!
//! - *OSI-approved*: the SPDX License List's `isOsiApproved` flag, read
//!   through the `spdx` crate. Expressions are parsed by it too: `A OR B`
//!   is as open as the better choice, `A AND B` as the worse part,
//!   `A WITH exception` as `A`.
//! - *Open content*: licenses for data, documents and other works that grant
//!   the same freedoms without being software licenses (Creative Commons
//!   BY / BY-SA / CC0, the Linux Foundation's CDLA, Open Data Commons). The
//!   Model Openness Framework accepts these for data, documentation and
//!   parameters; OSI reviews software licenses only.
//! - *Not open*: on the SPDX list, but neither of the above (BSD-4-Clause,
//!   CC-BY-NC-4.0, …).
//! - *Custom*: a publisher's own license (not an SPDX id), which the
//!   manifest describes in a `[[license]]` table with the terms that decide
//!   it. OSI has approved none of these.
//! - *Unknown*: neither an SPDX expression nor a license the manifest
//!   describes.
//!
//! Hand-written on purpose: only the list of open content ids, which no
//! registry keeps.

use serde::Serialize;
use spdx::{Expression, LicenseReq, ParseMode};

use crate::manifest::LicenseTerms;

/// How open a license is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicenseClass {
    /// OSI-approved, per the SPDX License List.
    OsiApproved,
    /// An open license for data, documents or models that is not a software
    /// license (CC-BY-4.0, CDLA-Permissive-2.0, …).
    OpenContent,
    /// On the SPDX License List, but neither OSI-approved nor open content.
    NotOpen,
    /// The publisher's own license, described by the manifest.
    Custom,
    /// Not an SPDX expression and not described by the manifest.
    Unknown,
}

impl LicenseClass {
    /// Words for tables.
    pub fn label(self) -> &'static str {
        match self {
            LicenseClass::OsiApproved => "OSI-approved",
            LicenseClass::OpenContent => "open content license",
            LicenseClass::NotOpen => "on the SPDX list, not OSI-approved or open content",
            LicenseClass::Custom => "the publisher's own license, not OSI-approved",
            LicenseClass::Unknown => "not an SPDX license, terms not described",
        }
    }

    /// Open at all (for some kind of work).
    pub fn is_open(self) -> bool {
        matches!(self, LicenseClass::OsiApproved | LicenseClass::OpenContent)
    }
}

/// SPDX ids of open content and open data licenses.
const OPEN_CONTENT: &[&str] = &[
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-1.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "ODC-By-1.0",
    "ODbL-1.0",
    "PDDL-1.0",
];

fn osi(req: &LicenseReq) -> bool {
    req.license.id().is_some_and(|id| id.is_osi_approved())
}

fn open(req: &LicenseReq) -> bool {
    osi(req)
        || req
            .license
            .id()
            .is_some_and(|id| OPEN_CONTENT.contains(&id.name))
}

/// Parses an SPDX expression: strictly, then leniently (`Apache 2.0`,
/// `GPL-2.0+`), as publishers and raters write them.
pub fn parse(license: &str) -> Option<Expression> {
    Expression::parse(license)
        .or_else(|_| Expression::parse_mode(license, ParseMode::LAX))
        .ok()
}

/// Classifies an SPDX expression; anything that is not one is
/// [`LicenseClass::Unknown`] (see [`judge`] for custom licenses).
pub fn classify(license: &str) -> LicenseClass {
    let Some(expr) = parse(license.trim()) else {
        return LicenseClass::Unknown;
    };
    if expr.evaluate(osi) {
        LicenseClass::OsiApproved
    } else if expr.evaluate(open) {
        LicenseClass::OpenContent
    } else if expr.requirements().all(|r| r.req.license.id().is_some()) {
        LicenseClass::NotOpen
    } else {
        // A `LicenseRef-` the expression cannot judge.
        LicenseClass::Unknown
    }
}

/// Judges a license as the manifest names it: an SPDX expression by the
/// SPDX list, a custom license by the manifest's description of it.
pub fn judge(license: &str, described: &[LicenseTerms]) -> LicenseClass {
    match classify(license) {
        LicenseClass::Unknown if terms_of(license, described).is_some() => LicenseClass::Custom,
        class => class,
    }
}

/// The manifest's description of a custom license, by name
/// (case-insensitive: publishers spell them inconsistently).
pub fn terms_of<'a>(license: &str, described: &'a [LicenseTerms]) -> Option<&'a LicenseTerms> {
    let license = license.trim();
    described
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(license))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_licenses_of_the_seed_releases() {
        assert_eq!(classify("Apache-2.0"), LicenseClass::OsiApproved);
        assert_eq!(classify("MIT"), LicenseClass::OsiApproved);
        assert_eq!(classify("BSD-3-Clause"), LicenseClass::OsiApproved);
        assert_eq!(classify("GPL-3.0-or-later"), LicenseClass::OsiApproved);
        assert_eq!(classify("CC-BY-4.0"), LicenseClass::OpenContent);
        assert_eq!(classify("CC-BY-NC-4.0"), LicenseClass::NotOpen);
        assert_eq!(
            classify("Grok 2 Community License Agreement"),
            LicenseClass::Unknown
        );
        assert_eq!(classify("proprietary"), LicenseClass::Unknown);
        assert_eq!(classify("MITx"), LicenseClass::Unknown);
        assert_eq!(classify("unlicensed"), LicenseClass::Unknown);
        // Publishers' and raters' spellings.
        assert_eq!(classify("Apache 2.0"), LicenseClass::OsiApproved);
    }

    /// The prefix rules this replaced marked these OSI-approved.
    #[test]
    fn licenses_osi_has_not_approved_are_not_marked_approved() {
        for id in [
            "BSD-3-Clause-No-Nuclear-License",
            "BSD-4-Clause",
            "GPL-1.0-only",
            "BSD-Protection",
            "CC-BY-NC-SA-4.0",
        ] {
            assert_ne!(classify(id), LicenseClass::OsiApproved, "{id}");
        }
    }

    #[test]
    fn expressions_are_parsed_not_split() {
        assert_eq!(classify("MIT OR Apache-2.0"), LicenseClass::OsiApproved);
        assert_eq!(
            classify("Apache-2.0 AND CC-BY-NC-4.0"),
            LicenseClass::NotOpen
        );
        // `(A OR B) AND C` is open only if C is and one of A, B is.
        assert_eq!(
            classify("(CC-BY-NC-4.0 OR MIT) AND Apache-2.0"),
            LicenseClass::OsiApproved
        );
        assert_eq!(
            classify("(MIT OR Apache-2.0) AND CC-BY-NC-4.0"),
            LicenseClass::NotOpen
        );
        assert_eq!(
            classify("(MIT OR Apache-2.0) AND CC-BY-4.0"),
            LicenseClass::OpenContent
        );
        assert_eq!(
            classify("Apache-2.0 WITH LLVM-exception"),
            LicenseClass::OsiApproved
        );
    }

    /// Every id on the SPDX License List: OSI-approved here exactly when
    /// the list says so.
    #[test]
    fn agrees_with_the_whole_spdx_list() {
        let mut approved = 0;
        for lic in spdx::identifiers::LICENSES {
            let flag = spdx::license_id(lic.name).is_some_and(|id| id.is_osi_approved());
            let class = classify(lic.name);
            assert_eq!(class == LicenseClass::OsiApproved, flag, "{}", lic.name);
            if !flag {
                assert!(
                    matches!(class, LicenseClass::OpenContent | LicenseClass::NotOpen),
                    "{}: {class:?}",
                    lic.name
                );
            }
            approved += usize::from(flag);
        }
        assert!(approved > 100, "{approved} OSI-approved ids");
    }

    #[test]
    fn a_described_custom_license_is_custom() {
        let terms = LicenseTerms {
            name: "Grok 2 Community License Agreement".to_string(),
            ..LicenseTerms::default()
        };
        assert_eq!(
            judge("grok 2 community license agreement", &[terms]),
            LicenseClass::Custom
        );
        assert_eq!(judge("Some Other License", &[]), LicenseClass::Unknown);
    }
}
