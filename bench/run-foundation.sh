#!/usr/bin/env bash
# usage: bench/run-foundation.sh [BUILD_DIR=_build] [WORK=/tmp/lacuna-bench]
# Makes the 500 × 512×512 CT workload with ../shared/bench/make-workload.sh when it is missing
# (that script needs python3-pydicom and python3-numpy), builds bench-foundation and prints its
# figures: indexing speed and peak memory, time to the first image, decode + window per slice.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
work=${2:-/tmp/lacuna-bench}
shared=$top/../shared/bench
if [ ! -d "$work/large" ]; then
  [ -x "$shared/make-workload.sh" ] || { echo "no $shared/make-workload.sh: pass WORK with a large/ series"; exit 1; }
  "$shared/make-workload.sh" "$work" 500
fi
ninja -C "$build" bench/bench-foundation
"$build/bench/bench-foundation" "$work/large"
