#!/usr/bin/env bash
# Materialise the CIFAR-10 binary files convlab reads (data_batch_1..5.bin,
# test_batch.bin, batches.meta.txt) from the datasets folder's JPEG archive.
#
#   scripts/make_cifar10.sh DATASETS_DIR [OUT_DIR]     (OUT_DIR defaults to data/cifar10)
#
# DATASETS_DIR holds cifar10/cifar10-jpeg.tar.gz and cifar10/to_cifar_bin.py.
# Needs Python 3 with Pillow (Debian: apt-get install python3-pil).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 DATASETS_DIR [OUT_DIR]" >&2
  exit 2
fi
src="$1/cifar10"
out="${2:-data/cifar10}"
for f in "$src/cifar10-jpeg.tar.gz" "$src/to_cifar_bin.py"; do
  [ -f "$f" ] || { echo "make_cifar10: $f not found" >&2; exit 1; }
done
if [ -f "$out/data_batch_5.bin" ] && [ -f "$out/test_batch.bin" ] && [ -f "$out/batches.meta.txt" ]; then
  echo "make_cifar10: $out already holds the CIFAR-10 binary files"
  exit 0
fi
# The first python3 that can import Pillow (a pyenv python3 may lack it; Debian's has python3-pil).
py=""
for cand in python3 /usr/bin/python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "import PIL" >/dev/null 2>&1; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "make_cifar10: no python3 with Pillow found (Debian/Ubuntu: apt-get install python3-pil)" >&2
  exit 1
fi
mkdir -p "$out"
"$py" "$src/to_cifar_bin.py" "$src/cifar10-jpeg.tar.gz" "$out"
