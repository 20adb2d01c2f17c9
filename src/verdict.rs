//! The one vocabulary for what was found about a file, shared by `verify`,
//! `hash` (and so `torrent`/`seed`) and their printers. A verdict is a
//! finding, worst first when several apply; whether a run as a whole passed
//! is decided from these, never from printed words.

use std::fmt;

use serde::Serialize;

/// What was found about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileVerdict {
    /// Present, and everything checked about it matched.
    Ok,
    /// Listed by the release (manifest or torrent), not on disk.
    Missing,
    /// On disk where the release lists files, but not part of it.
    Extra,
    /// On disk, but its size is not the listed size.
    WrongSize,
    /// Its bytes could not be decoded as the format it must have.
    Undecodable,
    /// Decoded, but not the tensor(s) the architecture puts there.
    BadStructure,
    /// Its content differs from a published digest (SHA-256, or a torrent
    /// piece holding its bytes).
    HashMismatch,
    /// It could not be read (permissions, I/O error, not a regular file).
    Unreadable,
    /// Its content was not checked: not part of the digests asked for, or
    /// the run stopped before reaching it.
    NotChecked,
}

impl FileVerdict {
    /// The verdict's name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FileVerdict::Ok => "ok",
            FileVerdict::Missing => "missing",
            FileVerdict::Extra => "extra",
            FileVerdict::WrongSize => "wrong_size",
            FileVerdict::Undecodable => "undecodable",
            FileVerdict::BadStructure => "bad_structure",
            FileVerdict::HashMismatch => "hash_mismatch",
            FileVerdict::Unreadable => "unreadable",
            FileVerdict::NotChecked => "not_checked",
        }
    }

    /// Whether this is a problem with the data (as opposed to a file that
    /// is fine, or one that simply was not checked).
    pub fn is_failure(self) -> bool {
        !matches!(self, FileVerdict::Ok | FileVerdict::NotChecked)
    }
}

impl fmt::Display for FileVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What a run established about a release as a whole: the one rule every
/// command and every printer uses. `VERIFIED` is a promise that every byte
/// of every file was checked against a digest someone published (or a
/// trusted copy pinned); anything less says exactly what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Every expected file present, nothing wrong found, and the content
    /// of every file matched a published or pinned digest.
    Verified,
    /// Nothing wrong found, but some files' content was not checked
    /// against any digest (`--no-hash`, or none published).
    StructureOk,
    /// A mismatch, a missing or extra file, a wrong size, an undecodable
    /// file, bad structure, an inconsistent shard index, aliasing tensors,
    /// or a file that could not be read or changed while being read.
    Failed,
    /// No file of the release was there to check.
    NothingChecked,
}

/// The counts the rule looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Files of the release that were present and looked at.
    pub present: usize,
    /// Problems found: failing file verdicts plus findings no single file
    /// explains (a tensor missing from every shard, an index entry, a bad
    /// torrent piece).
    pub failures: usize,
    /// Present files whose content no digest checked.
    pub content_unchecked: usize,
}

impl Outcome {
    /// Applies the rule.
    pub fn judge(t: &Tally) -> Outcome {
        if t.failures > 0 {
            Outcome::Failed
        } else if t.present == 0 {
            Outcome::NothingChecked
        } else if t.content_unchecked > 0 {
            Outcome::StructureOk
        } else {
            Outcome::Verified
        }
    }

    /// The result word printed by every command and report.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Verified => "VERIFIED",
            Outcome::StructureOk => "STRUCTURE OK",
            Outcome::Failed => "FAILED",
            Outcome::NothingChecked => "NOTHING CHECKED",
        }
    }

    /// The process exit code: 0 VERIFIED, or STRUCTURE OK when structure
    /// was all that was asked for (`--no-hash`); 1 FAILED; 3 STRUCTURE OK
    /// otherwise, and NOTHING CHECKED. (2 is a usage or I/O error and 130
    /// an interruption; neither comes from a verdict.)
    pub fn exit_code(self, structure_only_asked: bool) -> i32 {
        match self {
            Outcome::Verified => 0,
            Outcome::StructureOk if structure_only_asked => 0,
            Outcome::Failed => 1,
            Outcome::StructureOk | Outcome::NothingChecked => 3,
        }
    }

    /// Whether the content was proven (the only outcome a report may mark
    /// green).
    pub fn is_verified(self) -> bool {
        self == Outcome::Verified
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule, row by row: what was found → the result word and exit code
    /// (without and with `--no-hash`).
    #[test]
    fn the_verdict_rule() {
        let rows: &[(&str, Tally, &str, i32, i32)] = &[
            (
                "every file present and content-checked",
                Tally {
                    present: 770,
                    failures: 0,
                    content_unchecked: 0,
                },
                "VERIFIED",
                0,
                0,
            ),
            (
                "structure only, some files without a digest",
                Tally {
                    present: 770,
                    failures: 0,
                    content_unchecked: 752,
                },
                "STRUCTURE OK",
                3,
                0,
            ),
            (
                "structure only, every file unhashed",
                Tally {
                    present: 3,
                    failures: 0,
                    content_unchecked: 3,
                },
                "STRUCTURE OK",
                3,
                0,
            ),
            (
                "one mismatch among verified files",
                Tally {
                    present: 770,
                    failures: 1,
                    content_unchecked: 0,
                },
                "FAILED",
                1,
                1,
            ),
            (
                "a failure outranks unchecked content",
                Tally {
                    present: 770,
                    failures: 2,
                    content_unchecked: 752,
                },
                "FAILED",
                1,
                1,
            ),
            (
                "every file missing",
                Tally {
                    present: 0,
                    failures: 770,
                    content_unchecked: 0,
                },
                "FAILED",
                1,
                1,
            ),
            (
                "an empty directory, names-only manifest",
                Tally {
                    present: 0,
                    failures: 0,
                    content_unchecked: 0,
                },
                "NOTHING CHECKED",
                3,
                3,
            ),
        ];
        for (what, tally, word, code, code_no_hash) in rows {
            let o = Outcome::judge(tally);
            assert_eq!(
                (o.word(), o.exit_code(false), o.exit_code(true)),
                (*word, *code, *code_no_hash),
                "{what}"
            );
        }
    }

    #[test]
    fn failing_file_verdicts() {
        let failing: Vec<&str> = [
            FileVerdict::Ok,
            FileVerdict::Missing,
            FileVerdict::Extra,
            FileVerdict::WrongSize,
            FileVerdict::Undecodable,
            FileVerdict::BadStructure,
            FileVerdict::HashMismatch,
            FileVerdict::Unreadable,
            FileVerdict::NotChecked,
        ]
        .into_iter()
        .filter(|v| v.is_failure())
        .map(FileVerdict::as_str)
        .collect();
        assert_eq!(
            failing,
            [
                "missing",
                "extra",
                "wrong_size",
                "undecodable",
                "bad_structure",
                "hash_mismatch",
                "unreadable"
            ]
        );
    }
}
