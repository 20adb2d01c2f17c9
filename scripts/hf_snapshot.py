"""hf_snapshot.py REPO CACHE_DIR [REVISION]: download REPO into the Hugging
Face cache CACHE_DIR with the real huggingface_hub (`snapshot_download`),
from the Hub HF_ENDPOINT names, and print the snapshot's path.

For tests/cli_hf.rs and scripts/bench-hf-verify.sh, whose Hub is a loopback
server (tests/common/hub_server.rs): HF_ENDPOINT must be set, and Xet,
telemetry, progress bars and any stored token are turned off here, before
huggingface_hub reads its environment, so the files come over plain HTTP
from that server and nothing else is contacted.
"""

import os
import sys

if not os.environ.get("HF_ENDPOINT"):
    sys.exit("hf_snapshot.py: set HF_ENDPOINT (the loopback Hub server)")
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HF_HUB_OFFLINE", None)

from huggingface_hub import snapshot_download  # noqa: E402

repo, cache_dir = sys.argv[1], sys.argv[2]
revision = sys.argv[3] if len(sys.argv) > 3 else "main"
print(snapshot_download(repo, revision=revision, cache_dir=cache_dir))
