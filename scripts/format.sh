#!/usr/bin/env bash
# Formats convlab's C++ and CUDA sources with clang-format 14 (the style in
# .clang-format; other versions format differently).
#   scripts/format.sh           format every tracked .h, .cpp, .cu and .cuh file in place
#   scripts/format.sh --check   change nothing; list the files that are not formatted and fail
set -euo pipefail
cd "$(dirname "$0")/.."

find_clang_format() {
  for c in "${CLANG_FORMAT:-}" clang-format-14 clang-format; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
    if "$c" --version | grep -q 'version 14\.'; then echo "$c"; return 0; fi
  done
  return 1
}
if ! cf=$(find_clang_format); then
  echo "format.sh: clang-format 14 not found (apt-get install clang-format on Debian 12, or set CLANG_FORMAT)" >&2
  exit 2
fi

mapfile -t files < <(git ls-files '*.h' '*.cpp' '*.cu' '*.cuh' | grep -v '^tests/fuzz/corpus/')
if [ "${1:-}" = --check ]; then
  bad=()
  for f in "${files[@]}"; do
    "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'not formatted: %s\n' "${bad[@]}" >&2
    echo "format.sh: ${#bad[@]} of ${#files[@]} files are not formatted; run scripts/format.sh" >&2
    exit 1
  fi
  echo "format.sh: all ${#files[@]} files are formatted"
else
  "$cf" -i "${files[@]}"
fi
