#!/usr/bin/env bash
# Installs every Debian package regal's build, tests, benchmarks and demo need.
# A fast no-op when everything is present: it asks dpkg first and touches apt
# only for what is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries (find_package targets)
  libtorch-dev libopenblas0-openmp libopenblas-openmp-dev
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools
  libboost-program-options-dev libboost-dev
  libspdlog-dev libfmt-dev
  libtomlplusplus-dev nlohmann-json3-dev libssl-dev
  # tests and benchmarks; clang and libFuzzer for the fuzz targets
  libgtest-dev libgmock-dev libbenchmark-dev libre2-dev clang libclang-rt-14-dev
  python3-torch python3-h5py python3-numpy
  # a one-node SLURM cluster for the SLURM tests
  slurm-wlm slurm-client munge
  # figures and the report: gnuplot (PNG through cairo, SVG), Graphviz for the
  # automata, the fonts they draw with; a headless browser and PIL to test the report
  gnuplot-nox graphviz fonts-dejavu-core
  chromium python3-pil
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# LibTorch must load OpenBLAS's OpenMP variant: the pthread variant ignores
# torch's thread count and oversubscribes the cores. Debian ranks pthread first
# when both are present, so pin the alternatives to the OpenMP build.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target=/usr/lib/$arch/openblas-openmp/$alt
  name=$alt-$arch
  [ -e "$target" ] || continue
  query=$(update-alternatives --query "$name" 2>/dev/null || true)
  value=$(awk '/^Value:/{print $2}' <<<"$query")
  mode=$(awk '/^Status:/{print $2}' <<<"$query")
  # Pin in manual mode so a later install of the pthread variant cannot take over.
  if [ "$value" != "$target" ] || [ "$mode" != "manual" ]; then
    "${sudo_cmd[@]}" update-alternatives --set "$name" "$target" >/dev/null
  fi
done
