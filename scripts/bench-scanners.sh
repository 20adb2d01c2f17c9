#!/usr/bin/env bash
# bench-scanners.sh: the same hostile pickle/PyTorch set (scripts/scanner_set.py:
# malicious files mal-*, benign controls ok-*) through weightcheck and the
# scanners people use, pinned from PyPI: picklescan, modelscan, fickling.
# Per file and tool: FLAG (reported as dangerous), pass (reported clean),
# err (could not scan: error, skipped or unsupported). For weightcheck,
# `inspect FILE`: FLAG when it refuses naming the offending global (the
# scanners FLAG when they report a dangerous import), refused
# when it refuses for another reason (not a format it reads), pass when it
# reads the file. Then the totals per tool.
#   scripts/bench-scanners.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cargo build --release --quiet
wc="$repo/target/release/weightcheck"
py1=$(scripts/setup-python.sh | tail -1)
py2=$(WEIGHTCHECK_VENV="$repo/.venv-numpy2" WEIGHTCHECK_PINS="numpy==2.2.6" scripts/setup-python.sh | tail -1)
scan=$(WEIGHTCHECK_VENV="$repo/.venv-scanners" \
  WEIGHTCHECK_PINS="picklescan==1.0.5 modelscan==0.8.8 fickling==0.1.12 typing_extensions==4.15.0 numpy==1.26.4" \
  scripts/setup-python.sh | tail -1)
bin=$(dirname "$scan")
work="${1:-$(mktemp -d)}"
set_dir="$work/set"
rm -rf "$set_dir"
"$py1" scripts/scanner_set.py "$set_dir" >/dev/null
"$py2" scripts/scanner_set.py "$set_dir.np2" >/dev/null
mv "$set_dir.np2"/ok-numpy2-* "$set_dir"/
rm -rf "$set_dir.np2"

verdict() { # exit code of a scanner -> FLAG / pass / err
  case "$1" in 0) echo pass ;; 1) echo FLAG ;; *) echo err ;; esac
}
printf '%-40s %-12s %-10s %-10s %-10s\n' file weightcheck picklescan modelscan fickling
declare -A flagged clean errs
for f in "$set_dir"/*; do
  name=$(basename "$f")
  code=0; "$wc" inspect "$f" >/dev/null 2>"$work/err.txt" || code=$?
  if [ "$code" = 0 ]; then w=pass
  elif grep -q "unknown global" "$work/err.txt"; then w=FLAG
  else w=refused; fi
  code=0; "$bin/picklescan" -p "$f" >/dev/null 2>&1 || code=$?; p=$(verdict "$code")
  code=0; "$bin/modelscan" -p "$f" >/dev/null 2>&1 || code=$?; m=$(verdict "$code")
  code=0; "$bin/fickling" --check-safety "$f" >/dev/null 2>&1 || code=$?; k=$(verdict "$code")
  printf '%-40s %-12s %-10s %-10s %-10s\n' "$name" "$w" "$p" "$m" "$k"
  for t in "weightcheck:$w" "picklescan:$p" "modelscan:$m" "fickling:$k"; do
    tool=${t%%:*}; v=${t#*:}
    key="$tool ${name%%-*}"
    case "$v" in
      FLAG) flagged[$key]=$(( ${flagged[$key]:-0} + 1 )) ;;
      pass) clean[$key]=$(( ${clean[$key]:-0} + 1 )) ;;
      *) errs[$key]=$(( ${errs[$key]:-0} + 1 )) ;;
    esac
  done
done
mal=$(ls "$set_dir" | grep -c '^mal-')
ok=$(ls "$set_dir" | grep -c '^ok-')
echo
echo "totals: $mal malicious, $ok benign"
for tool in weightcheck picklescan modelscan fickling; do
  printf '%-12s malicious: %2d flagged, %2d refused or errored, %2d passed as clean | benign: %2d read clean, %2d flagged, %2d refused or errored\n' \
    "$tool" "${flagged[$tool mal]:-0}" "${errs[$tool mal]:-0}" "${clean[$tool mal]:-0}" \
    "${clean[$tool ok]:-0}" "${flagged[$tool ok]:-0}" "${errs[$tool ok]:-0}"
done
