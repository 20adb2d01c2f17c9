#!/usr/bin/env bash
# setup-python.sh: the Python that writes reference Grok-1 shards
# (scripts/grok_fixture.py) for the tests that compare weightcheck's Rust
# writer with the real one, and that judges Model Openness Tool records
# (scripts/validate_mot.py: jsonschema, PyYAML); with other pins, the test
# command's other venvs (.venv-numpy2: numpy 2.x; .venv-gguf: gguf, for
# tests/gguf.rs; .venv-hub: huggingface_hub, which builds the Hugging Face
# cache for tests/cli_hf.rs and scripts/bench-hf-verify.sh).
#
# Creates (idempotently) a virtualenv at $WEIGHTCHECK_VENV (default
# <repo>/.venv) with the pinned packages below, skipping pip when they are
# already there at those versions, and prints the venv's python path last.
# The base interpreter is $WEIGHTCHECK_BASE_PYTHON, else python3.11, else
# python3 (the reference is CPython 3.11).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${WEIGHTCHECK_VENV:-$repo/.venv}"
# WEIGHTCHECK_PINS overrides the pins (the numpy 2.x venv of the test
# command: WEIGHTCHECK_VENV=.venv-numpy2 WEIGHTCHECK_PINS=numpy==2.2.6).
read -r -a pins <<<"${WEIGHTCHECK_PINS:-numpy==1.26.4 ml_dtypes==0.4.0 safetensors==0.4.5 jsonschema==4.23.0 PyYAML==6.0.2}"

base="${WEIGHTCHECK_BASE_PYTHON:-}"
if [ -z "$base" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then
      base="$candidate"
      break
    fi
  done
fi
[ -n "$base" ] || { echo "setup-python: no python3 found" >&2; exit 1; }

py="$venv/bin/python"
if [ ! -x "$py" ]; then
  echo "setup-python: creating $venv with $("$base" --version 2>&1)" >&2
  "$base" -m venv "$venv"
fi

# Are all pins installed at exactly those versions?
have_pins() {
  "$py" - "${pins[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
}

if ! have_pins; then
  echo "setup-python: installing ${pins[*]}" >&2
  "$py" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
  have_pins || { echo "setup-python: pins still not satisfied after pip" >&2; exit 1; }
fi

echo "$py"
