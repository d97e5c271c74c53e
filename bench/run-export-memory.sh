#!/usr/bin/env bash
# usage: bench/run-export-memory.sh [BUILD_DIR=_build] [N...=1000 3000]
# Peak memory (RSS) of `lacuna-cli clean` over N small files, for each N given, and what
# each file adds (the slope between the smallest and the largest N). Prints figures and
# asserts nothing. The files (128×128 CT slices, ~39 KB each) are made with
# ../shared/bench/gen-workload.py (python3-pydicom, python3-numpy) under $WORK
# (/tmp/lacuna-bench-memory), and removed afterwards unless KEEP=1.
# Environment: KEY (key file; one is made when absent), JOBS (2), OPTIONS (extra options of
# clean; default "--redact 8,8,192,40", which runs the OCR verification on every file).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 3000)
work=${WORK:-/tmp/lacuna-bench-memory}
gen=$top/../shared/bench/gen-workload.py
jobs=${JOBS:-2}
options=${OPTIONS:---redact 8,8,192,40}
cli=$build/src/cli/lacuna-cli

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }
[ -f "$gen" ] || { echo "no $gen: cannot make the files"; exit 1; }
ninja -C "$build" src/cli/lacuna-cli > /dev/null
mkdir -p "$work"
key=${KEY:-$work/bench.key}
if [ ! -f "$key" ]; then
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key"
  chmod 600 "$key"
fi

first_n= first_kb= last_n= last_kb=
for n in "${sizes[@]}"; do
  in=$work/in-$n
  out=$work/out-$n
  [ -d "$in" ] || /usr/bin/python3 "$gen" "$in" "$n" small > /dev/null
  rm -rf "$out" "$out".report.json "$out".report.html
  # shellcheck disable=SC2086
  /usr/bin/time -o "$work/time-$n" -f '%M %e %U %S' \
    "$cli" clean --key-file "$key" --jobs "$jobs" $options "$in" -o "$out" > /dev/null 2>&1 ||
    echo "  (clean exited with status $? for N=$n)"
  read -r kb wall user sys < "$work/time-$n"
  printf 'N=%-6s peak RSS %7.1f MB   wall %7.1f s   CPU %7.1f s user %6.1f s sys   load %s\n' \
    "$n" "$(echo "$kb / 1024" | bc -l)" "$wall" "$user" "$sys" "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -z "$first_n" ]; then first_n=$n first_kb=$kb; fi
  last_n=$n last_kb=$kb
  rm -rf "$out" "$out".report.json "$out".report.html
  [ "${KEEP:-0}" = 1 ] || rm -rf "$in"
done
if [ "$last_n" != "$first_n" ]; then
  printf 'per file: %.2f KB (between N=%s and N=%s)\n' \
    "$(echo "($last_kb - $first_kb) / ($last_n - $first_n)" | bc -l)" "$first_n" "$last_n"
fi
