//! `weightcheck verify DIR --sums LIST` end to end, with lists written by
//! the real coreutils `md5sum` and `sha256sum`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{assert_output, run};
use snapbox::str;

/// A release folder `dir/` and, beside it, `SUMS`: `md5sum` of a.txt and
/// `sha256sum` (binary mode) of sub/w.bin, run by the test.
fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), b"hello\n").unwrap();
    let w: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(dir.join("sub/w.bin"), w).unwrap();
    let tool = |name: &str, args: &[&str]| {
        let out = Command::new(name)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        String::from_utf8(out.stdout).unwrap()
    };
    let list = tool("md5sum", &["a.txt"]) + &tool("sha256sum", &["--binary", "sub/w.bin"]);
    std::fs::write(tmp.path().join("SUMS"), list).unwrap();
    tmp
}

fn verify(tmp: &Path, more: &[&str]) -> (i32, String, String) {
    let mut args = vec!["verify", "dir", "--sums", "SUMS", "--no-cache"];
    args.extend(more);
    run(args, tmp)
}

#[test]
fn a_clean_folder_is_verified_naming_md5_and_sha256() {
    let tmp = fixture();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("SUMS")).unwrap(),
        format!(
            "b1946ac92492d2347c6235b4d2611184  a.txt\n{} *sub/w.bin\n",
            sha256_of(&tmp.path().join("dir/sub/w.bin"))
        )
    );
    let (code, out, err) = verify(tmp.path(), &[]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: [ROOT]/SUMS (checksum list, undated) in [ROOT]/dir
  looked: checksum list: [ROOT]/SUMS (2 files; 1 by MD5, which proves bytes against accidental damage, not against a collision made on purpose)
  looked: [ROOT]/dir: 2 of 2 release files present

file       tensor  verdict        digest
a.txt      -       ok             md5 matches
sub/w.bin  -       ok             sha256 matches

files: 2/2 present, 0 missing, 0 extra, 0 wrong size
structure: 0/2 structurally correct
digests: 2 match (1 by MD5 only), 0 differ, 0 not published in the manifest
hashed 100,006 bytes, 0 bytes from the verification cache

result: VERIFIED — every byte of 2 files matched a published or pinned digest

"#]],
        tmp.path(),
    );
    let (code, out, _) = verify(tmp.path(), &["--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by: Vec<_> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].clone(), f["content_verified_by"].clone()))
        .collect();
    assert_eq!(
        by,
        [
            ("a.txt".into(), serde_json::json!(["md5"])),
            ("sub/w.bin".into(), serde_json::json!(["sha256"])),
        ]
    );
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn a_flipped_byte_fails_naming_the_file_and_both_digests() {
    let tmp = fixture();
    let flip = |rel: &str, at: usize| {
        let p = tmp.path().join("dir").join(rel);
        let mut b = std::fs::read(&p).unwrap();
        b[at] ^= 1;
        std::fs::write(p, b).unwrap();
    };
    flip("a.txt", 0);
    flip("sub/w.bin", 50_000);
    let (code, out, err) = verify(tmp.path(), &[]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: [ROOT]/SUMS (checksum list, undated) in [ROOT]/dir
  looked: checksum list: [ROOT]/SUMS (2 files; 1 by MD5, which proves bytes against accidental damage, not against a collision made on purpose)
  looked: [ROOT]/dir: 2 of 2 release files present

file       tensor  verdict        digest
a.txt      -       hash_mismatch  md5 DIFFERS
             - MD5 differs from the manifest
             expected b1946ac92492d2347c6235b4d2611184
             actual   fbf7d557c3303df41d263fc5535330c5
sub/w.bin  -       hash_mismatch  sha256 DIFFERS
             - SHA-256 differs from the manifest
             expected 96ad0ddabe9c733d4550fde750255a94806811029be67504bd9bd68e556686b9
             actual   fb7756c995c62a8bf168bdda83762403ab5c257125b6ea8cd099cb156d851b6d

files: 2/2 present, 0 missing, 0 extra, 0 wrong size
structure: 0/2 structurally correct
digests: 0 match, 2 differ, 0 not published in the manifest
hashed 100,006 bytes, 0 bytes from the verification cache

result: FAILED — 2 problems found (above)

"#]],
        tmp.path(),
    );
}

#[test]
fn a_missing_file_is_not_verified() {
    let tmp = fixture();
    std::fs::remove_file(tmp.path().join("dir/a.txt")).unwrap();
    let (code, out, err) = verify(tmp.path(), &[]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: [ROOT]/SUMS (checksum list, undated) in [ROOT]/dir
  looked: checksum list: [ROOT]/SUMS (2 files; 1 by MD5, which proves bytes against accidental damage, not against a collision made on purpose)
  looked: [ROOT]/dir: 1 of 2 release files present

file       tensor  verdict        digest
a.txt      -       missing        not checked
             - missing
sub/w.bin  -       ok             sha256 matches

files: 1/2 present, 1 missing, 0 extra, 0 wrong size
structure: 0/2 structurally correct
digests: 1 match, 0 differ, 1 not checked (missing or unreadable), 0 not published in the manifest
hashed 100,000 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        tmp.path(),
    );
}

#[test]
fn an_unsafe_path_and_a_malformed_line_are_refused_by_line() {
    let tmp = fixture();
    let list = std::fs::read_to_string(tmp.path().join("SUMS")).unwrap();
    std::fs::write(
        tmp.path().join("SUMS"),
        format!("{list}b1946ac92492d2347c6235b4d2611184  ../x\n"),
    )
    .unwrap();
    let (code, out, err) = verify(tmp.path(), &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_output(
        &err,
        str![[r#"
weightcheck: error: [ROOT]/SUMS: line 3 (byte 116): unsafe path "../x": names must be relative, without `.`, `..`, empty components or backslashes

"#]],
        tmp.path(),
    );

    std::fs::write(
        tmp.path().join("SUMS"),
        format!("# list\n{list}not a checksum line\n"),
    )
    .unwrap();
    let (code, out, err) = verify(tmp.path(), &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_output(
        &err,
        str![[r#"
weightcheck: error: [ROOT]/SUMS: line 4 (byte 123): digest "not" is not hexadecimal

"#]],
        tmp.path(),
    );
}

#[test]
fn an_md5_contradicting_the_manifest_is_an_error() {
    let tmp = fixture();
    std::fs::write(
        tmp.path().join("SUMS"),
        "b1946ac92492d2347c6235b4d2611184  tokenizer.model\n",
    )
    .unwrap();
    let (code, out, err) = verify(tmp.path(), &["--release", "mixtral-8x7b"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_output(
        &err,
        str![[r#"
weightcheck: error: [ROOT]/SUMS: line 1 (byte 0): MD5 of "tokenizer.model" is b1946ac92492d2347c6235b4d2611184 here, 37974873eb68a7ab30c4912fc36264ae in the manifest mixtral-8x7b

"#]],
        tmp.path(),
    );
}

#[test]
fn a_list_inside_the_folder_is_not_an_extra_but_other_files_are() {
    let tmp = fixture();
    let dir = tmp.path().join("dir");
    std::fs::rename(tmp.path().join("SUMS"), dir.join("checklist.chk")).unwrap();
    let (code, out, err) = run(
        [
            "verify",
            "dir",
            "--sums",
            "dir/checklist.chk",
            "--no-cache",
            "--quiet",
        ],
        tmp.path(),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    std::fs::write(dir.join("extra.txt"), b"x").unwrap();
    let (code, out, err) = run(
        [
            "verify",
            "dir",
            "--sums",
            "dir/checklist.chk",
            "--no-cache",
            "--quiet",
        ],
        tmp.path(),
    );
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: [ROOT]/dir/checklist.chk (checksum list, undated) in [ROOT]/dir
  looked: checksum list: [ROOT]/dir/checklist.chk (2 files; 1 by MD5, which proves bytes against accidental damage, not against a collision made on purpose)
  looked: [ROOT]/dir: 2 of 2 release files present

file       tensor  verdict        digest
extra.txt  -       extra          not published
             - not part of the release

files: 2/2 present, 0 missing, 1 extra, 0 wrong size
structure: 0/2 structurally correct
digests: 2 match (1 by MD5 only), 0 differ, 0 not published in the manifest
hashed 100,006 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        tmp.path(),
    );
}

#[test]
fn hash_writes_lists_that_coreutils_and_verify_read_back() {
    let tmp = fixture();
    // A name coreutils escapes: a newline. (A backslash is refused by the
    // walker: a Windows separator.)
    std::fs::write(tmp.path().join("dir/odd\nname.txt"), b"odd\n").unwrap();
    for (digest, tool) in [("sha256", "sha256sum"), ("md5", "md5sum")] {
        let (code, out, err) = run(["hash", "dir", "--sums", digest, "--no-cache"], tmp.path());
        assert_eq!((code, err.as_str()), (0, ""), "{out}");
        let list = tmp.path().join(format!("{digest}.list"));
        std::fs::write(&list, &out).unwrap();
        // The real tool checks every line against the files.
        let check = Command::new(tool)
            .arg("-c")
            .arg(&list)
            .current_dir(tmp.path().join("dir"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{tool} -c: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&check.stdout)
                .matches(": OK")
                .count(),
            3
        );
        // And the list is a manifest source for verify.
        let (code, out, _) = run(
            [
                "verify",
                "dir",
                "--sums",
                list.to_str().unwrap(),
                "--no-cache",
                "--quiet",
            ],
            tmp.path(),
        );
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("result: VERIFIED — every byte of 3 files matched"),
            "{out}"
        );
    }
    let (code, out, _) = run(["hash", "dir", "--sums", "md5", "--no-cache"], tmp.path());
    assert_eq!(code, 0);
    assert_output(
        &out,
        str![[r#"
b1946ac92492d2347c6235b4d2611184  a.txt
\a1a740e5f7e4a21557f2fc05c502c552  odd\nname.txt
c260642229888763c0fa2a4843f50a36  sub/w.bin

"#]],
        tmp.path(),
    );
}
