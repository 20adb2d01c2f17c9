#!/usr/bin/env python3
"""Regenerates the [[file]] and [[sources.github.file]] tables of
manifests/grok-1.toml from the sourced facts in ../shared/facts/grok-1/.

Everything above the marker line in manifests/grok-1.toml is hand-written
(release, architecture, claims, components); this script rewrites what
follows the marker. Run from the repository root:

    python3 scripts/gen-grok1-manifest.py ../shared/facts/grok-1
"""
import csv
import os
import sys

facts = sys.argv[1] if len(sys.argv) > 1 else "../shared/facts/grok-1"
here = os.path.dirname(os.path.abspath(__file__))
MARKER = "# ---- generated below: do not edit by hand ----"
target = os.path.join(here, "..", "manifests", "grok-1.toml")
head = open(target).read().split(MARKER)[0]
out = [head.rstrip("\n"), "", MARKER, ""]

with open(os.path.join(facts, "github-tree-at-7050ed2.tsv")) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        out.append("[[sources.github.file]]")
        out.append(f'path = "{row["path"]}"')
        out.append(f'size = {row["bytes"]}')
        out.append(f'git_sha1 = "{row["git_blob_sha1"]}"')
        out.append(f'sha256 = "{row["sha256"]}"')
        out.append("")

with open(os.path.join(facts, "ckpt-0.tsv")) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        out.append("[[file]]")
        out.append(f'path = "{row["file"]}"')
        out.append(f'size = {row["file_bytes"]}')
        if row["hf_lfs_sha256"]:
            out.append(f'sha256 = "{row["hf_lfs_sha256"]}"')
            out.append('sha256_source = "Hugging Face LFS pointer, xai-org/grok-1"')
        out.append("")

open(target, "w").write("\n".join(out))
