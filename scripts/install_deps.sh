#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages convlab's build, tests and main job need,
# when some are missing (as root, or through sudo); does nothing when all are
# there. The CUDA toolkit is not among them: with nvcc on PATH convlab builds
# its kernels too, without it the CPU code only.
#   scripts/install_deps.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(cmake g++ make libgtest-dev nlohmann-json3-dev libopenblas-dev libcli11-dev libstb-dev gnuplot-nox
          python3-pil openmpi-bin libopenmpi-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_deps.sh: missing ${missing[*]}, and there is no apt-get to install them with" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install_deps.sh: missing ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "install_deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
