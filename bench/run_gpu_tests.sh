#!/usr/bin/env bash
# Runs convlab's GPU test suite on a GPU machine, then compute-sanitizer
# memcheck and racecheck over every GPU test (the test_gpu_* binaries whole,
# the GPU tests of every other test binary), and records the outcome:
#
#   bench/run_gpu_tests.sh BUILD_DIR [OUT_DIR]
#
# BUILD_DIR holds a CUDA build (tests built). OUT_DIR (default bench/results)
# receives gpu-tests-<device>-<date>.log and .json (device, date, command,
# ctest and sanitizer summaries). Exit status: non-zero when any test or
# sanitizer run failed.
set -uo pipefail
[ $# -ge 1 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
BUILD=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${2:-$ROOT/bench/results}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
if ! nvidia-smi > /dev/null 2>&1; then
  echo "run_gpu_tests.sh: no GPU here (nvidia-smi failed)" >&2
  exit 1
fi
DEVICE=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
TAG=$(echo "$DEVICE" | tr -cs 'A-Za-z0-9' '-' | sed 's/-$//')
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOG="$OUT/gpu-tests-$TAG-$(date -u +%Y%m%dT%H%MZ).log"
JSON="${LOG%.log}.json"

status=0
echo "== ctest (GPU tests) on $DEVICE, $DATE" | tee "$LOG"
ctest --test-dir "$BUILD" -R "Gpu|Cuda" --output-on-failure -j4 2>&1 | tee -a "$LOG"
ctest_rc=${PIPESTATUS[0]}
[ "$ctest_rc" = 0 ] || status=1
ctest_summary=$(grep -E "tests passed|tests failed" "$LOG" | tail -n 1)

SAN=$(command -v compute-sanitizer || true)
san_json="[]"
if [ -z "$SAN" ]; then
  echo "== compute-sanitizer not found: sanitizer runs skipped" | tee -a "$LOG"
else
  san_json="["
  sep=""
  # sanitize BINARY [GTEST_ARGS...]: memcheck and racecheck over the binary's tests.
  sanitize() {
    local bin=$1 tool rc
    shift
    for tool in memcheck racecheck; do
      echo "== $tool $(basename "$bin")${1:+ $*}" | tee -a "$LOG"
      # Without the caching allocator every tensor is its own exact-size
      # cudaMalloc, so memcheck sees a write past the end of one.
      CONVLAB_NO_CACHING_ALLOCATOR=1 "$SAN" --tool "$tool" --error-exitcode 99 "$bin" --gtest_brief=1 "$@" >> "$LOG" 2>&1
      rc=$?
      [ "$rc" = 0 ] || status=1
      san_json+="$sep{\"binary\": \"$(basename "$bin")\", \"tool\": \"$tool\", \"exit\": $rc}"
      sep=", "
    done
  }
  for bin in "$BUILD"/tests/test_gpu_*; do
    [ -x "$bin" ] || continue
    case "$bin" in *.cmake) continue ;; esac
    sanitize "$bin"
  done
  # The other binaries (each op's tests/test_<op>.cpp, the data pipeline's,
  # the weight averaging's, ...) hold CPU tests too: only their GPU tests run,
  # the ones ctest -R "Gpu|Cuda" picks.
  gpu_filter='*Gpu*:*Cuda*'
  for bin in "$BUILD"/tests/test_*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    case "$(basename "$bin")" in test_gpu_* | *.cmake) continue ;; esac
    [ "$("$bin" --gtest_list_tests --gtest_filter="$gpu_filter" 2>/dev/null | grep -c '^  ')" -gt 0 ] || continue
    sanitize "$bin" --gtest_filter="$gpu_filter"
  done
  san_json+="]"
fi

cat > "$JSON" <<JSON
{
  "device": "$DEVICE",
  "date": "$DATE",
  "command": "bench/run_gpu_tests.sh $1",
  "ctest_exit": $ctest_rc,
  "ctest_summary": "$ctest_summary",
  "sanitizer": $san_json,
  "log": "$(basename "$LOG")"
}
JSON
echo "wrote $JSON"
exit $status
