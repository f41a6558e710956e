#!/usr/bin/env bash
# Installs the Debian 12 packages netsurv needs to build, test and analyse.
# Runs apt-get only when something is missing; needs root (or sudo) then.
set -euo pipefail
packages=(build-essential dpkg-dev cmake pkg-config libdeflate-dev libhdf5-dev hdf5-tools libyaml-dev
          libcmocka-dev python3-numpy python3-h5py python3-matplotlib r-base-core r-cran-hdf5r
          python3-yaml python3-pandas python3-setuptools python3-pip python3-venv chromium libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
          clang libclang-rt-dev)  # clang + libFuzzer: scripts/fuzz.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-debian: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup-debian: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
