#!/usr/bin/env bash
# The one command to run convlab's benchmarks on a GPU machine:
#
#   bench/run_gpu_bench.sh BUILD_DIR [--skip-kernel] [--skip-train] [--skip-pytorch] [--airbench CIFAR_DIR]
#                          [-- KERNEL_BENCH_ARGS...]
#
# Builds convlab_kernel_bench and convlab_train_bench in BUILD_DIR when
# missing, then runs the kernel benchmark on the CPU and CUDA, the
# training-step benchmark and the PyTorch baseline, and writes them together
# to bench/results/<device>-<date>.json (the log beside it, .log). With
# --airbench CIFAR_DIR (the CIFAR-10 .bin files) it also trains airbench94 on
# the GPU, convlab (bench/airbench_convlab.py, needs BUILD_DIR/convlab) and
# PyTorch (bench/pytorch_airbench.py) one seed each, into
# bench/results/airbench-<device>-<date>.json.
# Environment: CUDNN_ROOT (a cuDNN install with include/ and lib/) when cuDNN
# is not inside the CUDA toolkit; PYTHON (default python3).
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
BUILD=$1; shift
SKIP_KERNEL=0 SKIP_TRAIN=0 SKIP_PYTORCH=0 AIRBENCH_DATA=""
KERNEL_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-kernel) SKIP_KERNEL=1 ;;
    --skip-train) SKIP_TRAIN=1 ;;
    --skip-pytorch) SKIP_PYTORCH=1 ;;
    --airbench) shift; AIRBENCH_DATA=${1:?--airbench needs the CIFAR-10 folder} ;;
    --) shift; KERNEL_ARGS=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "run_gpu_bench.sh: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
export PATH=/usr/local/cuda/bin:$PATH

if ! command -v nvidia-smi > /dev/null || ! nvidia-smi > /dev/null 2>&1; then
  echo "run_gpu_bench.sh: no GPU here (nvidia-smi failed); run it on a GPU machine" >&2
  exit 1
fi
DEVICE=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1 | tr -cs 'A-Za-z0-9' '-' | sed 's/-$//')
DATE=$(date -u +%Y%m%dT%H%MZ)
OUTDIR=$ROOT/bench/results
mkdir -p "$OUTDIR"
BASE=$OUTDIR/$DEVICE-$DATE
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LOG=$BASE.log
: > "$LOG"
echo "device $DEVICE, $DATE, results in $BASE.json" | tee -a "$LOG"

# cuDNN may live outside the toolkit (e.g. a Python wheel's nvidia/cudnn
# folder): CUDNN_ROOT, or the wheel's folder, is a hint to CMake and joins
# the library path.
if [ -z "${CUDNN_ROOT:-}" ] && [ ! -e /usr/local/cuda/include/cudnn.h ]; then
  CUDNN_ROOT=$("$PYTHON" -c 'import nvidia.cudnn as c; print(list(c.__path__)[0])' 2>/dev/null || true)
fi
if [ -n "${CUDNN_ROOT:-}" ]; then
  export LD_LIBRARY_PATH=$CUDNN_ROOT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

# Build what is missing.
if [ ! -x "$BUILD/bench/convlab_kernel_bench" ] || [ ! -x "$BUILD/bench/convlab_train_bench" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${CUDNN_ROOT:+-DCUDNN_ROOT="$CUDNN_ROOT"} 2>&1 | tee -a "$LOG"
  cmake --build "$BUILD" -j "$(nproc)" --target convlab_kernel_bench convlab_train_bench 2>&1 | tee -a "$LOG"
fi

MISSING=$(ldd "$BUILD/bench/convlab_kernel_bench" | grep "not found" || true)
if [ -n "$MISSING" ]; then
  echo "run_gpu_bench.sh: convlab_kernel_bench misses shared libraries:" >&2
  echo "$MISSING" >&2
  exit 1
fi

PARTS=()
if [ $SKIP_KERNEL = 0 ]; then
  echo "== kernel benchmark" | tee -a "$LOG"
  "$BUILD/bench/convlab_kernel_bench" --device all --cpu-groups seed,tlc,fc --json "$TMP/kernel_bench.json" \
      ${KERNEL_ARGS[@]+"${KERNEL_ARGS[@]}"} 2>&1 | tee -a "$LOG"
  PARTS+=("kernel_bench=$TMP/kernel_bench.json")
fi
if [ $SKIP_TRAIN = 0 ] && [ -x "$BUILD/bench/convlab_train_bench" ]; then
  echo "== training-step benchmark" | tee -a "$LOG"
  "$BUILD/bench/convlab_train_bench" --best-config "$ROOT/configs/best.json" --precisions fp32,tf32,bf16 \
      --json "$TMP/train_bench.json" 2>&1 | tee -a "$LOG"
  PARTS+=("train_bench=$TMP/train_bench.json")
fi
if [ $SKIP_PYTORCH = 0 ]; then
  echo "== PyTorch baseline" | tee -a "$LOG"
  if "$PYTHON" "$ROOT/bench/pytorch_baseline.py" --json "$TMP/pytorch_baseline.json" 2>&1 | tee -a "$LOG"; then
    PARTS+=("pytorch_baseline=$TMP/pytorch_baseline.json")
  else
    echo "PyTorch baseline failed (see $LOG)" | tee -a "$LOG"
  fi
  # The same in convlab's reduced precisions (eager and CUDA graphs; torch.compile only in float32).
  for PREC in tf32 bf16; do
    if "$PYTHON" "$ROOT/bench/pytorch_baseline.py" --precision $PREC --modes eager,cuda_graph \
        --json "$TMP/pytorch_baseline_$PREC.json" 2>&1 | tee -a "$LOG"; then
      PARTS+=("pytorch_baseline_$PREC=$TMP/pytorch_baseline_$PREC.json")
    else
      echo "PyTorch baseline ($PREC) failed (see $LOG)" | tee -a "$LOG"
    fi
  done
fi

if [ -n "$AIRBENCH_DATA" ]; then
  echo "== airbench94 on the GPU: convlab, then PyTorch" | tee -a "$LOG"
  AB=$OUTDIR/airbench-$DEVICE-$DATE.json
  [ -x "$BUILD/convlab" ] || cmake --build "$BUILD" -j "$(nproc)" --target convlab_cli 2>&1 | tee -a "$LOG"
  CONVLAB_CIFAR10_DIR=$AIRBENCH_DATA "$PYTHON" "$ROOT/bench/pytorch_airbench.py" --device cuda --seeds 0 \
      --json "$AB" 2>&1 | tee -a "$LOG" || echo "PyTorch airbench failed (see $LOG)" | tee -a "$LOG"
  CONVLAB_CIFAR10_DIR=$AIRBENCH_DATA "$PYTHON" "$ROOT/bench/airbench_convlab.py" --convlab "$BUILD/convlab" \
      --config airbench94 --device cuda --seeds 0 --json "$AB" 2>&1 | tee -a "$LOG" \
      || echo "convlab airbench failed (see $LOG)" | tee -a "$LOG"
fi

"$PYTHON" - "$BASE.json" "$DEVICE" "$DATE" "${PARTS[@]}" <<'PY'
import json, sys
out, device, date, parts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
doc = {"schema": "convlab-gpu-bench/1", "device": device, "date": date}
for p in parts:
    key, path = p.split("=", 1)
    try:
        with open(path) as f:
            doc[key] = json.load(f)
    except (OSError, ValueError) as e:
        doc[key] = {"error": str(e)}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
print("wrote", out)
PY
