#!/usr/bin/env bash
# install-test-deps.sh: install the external tools the test suite and the
# benchmarks compare against (Debian packages), only those that are missing.
# Runs as root without sudo; uses sudo only when not root and it exists.
# The tests never install anything: one whose program is missing fails and
# names this script (tests/common/mod.rs `require`).
#   mktorrent            tests/torrent_mktorrent.rs, verify_damage.rs,
#                        fetch_interop.rs (reference .torrent files)
#   aria2 (aria2c)       tests/fetch_interop.rs (a real peer: seeder, downloader)
#   chromium             tests/report.rs (the HTML report in a headless browser)
#   git                  tests/cli_github.rs (local clones for `github --local`)
#   coreutils (timeout)  tests/fetch_interop.rs (bounds aria2c's run)
#   transmission-* python3-libtorrent b3sum hyperfine: peers in
#                        scripts/bench-verify.sh and other issues' tests
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need mktorrent mktorrent
need git git
need timeout coreutils
need aria2c aria2
need transmission-daemon transmission-daemon
need transmission-remote transmission-cli
need b3sum b3sum
need hyperfine hyperfine
need chromium chromium
/usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1 || want+=(python3-libtorrent)
[ ${#want[@]} -eq 0 ] && exit 0
SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-test-deps: need root to install: ${want[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-test-deps: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${want[@]}" >/dev/null
