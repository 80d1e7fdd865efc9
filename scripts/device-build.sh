#!/usr/bin/env bash
# On the GPU machine: builds regal against the machine's own PyTorch (LibTorch
# 2.x with CUDA, found from the Python package) and the Debian packages that
# scripts/device-deps.sh put in .device/debs. Same sources as the CPU build
# here; nothing GPU-specific is needed to build or test on a machine without one.
#   scripts/device-build.sh [BUILD_DIR]      (default build-cuda)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/device-env.sh
build=${1:-build-cuda}
prefix=$REGAL_DEVICE_PREFIX
usr=$prefix/usr
arch=x86_64-linux-gnu

if [ ! -f "$prefix/.unpacked" ]; then
  ls .device/debs/*.deb >/dev/null 2>&1 || { echo "device-build: no .device/debs; run scripts/device-deps.sh on the development machine" >&2; exit 2; }
  rm -rf "$prefix" && mkdir -p "$prefix"
  for deb in .device/debs/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
  # Debian's alternatives (mpirun, mpicxx) are made by maintainer scripts, not shipped.
  for tool in mpirun mpiexec mpicxx mpicc; do ln -sf "$tool.openmpi" "$usr/bin/$tool"; done
  # A library the machine already has stays the machine's: drop our copy of its
  # soname link so the loader falls through to the system one.
  system_sonames=$(ldconfig -p | awk '{print $1}' | sort -u)
  kept=0 dropped=0
  for lib in "$usr/lib/$arch"/lib*.so.*; do
    name=$(basename "$lib")
    [ -L "$lib" ] || continue
    if grep -qxF "$name" <<<"$system_sonames"; then rm -f "$lib"; dropped=$((dropped + 1)); else kept=$((kept + 1)); fi
  done
  echo "device-build: unpacked $(ls .device/debs/*.deb | wc -l) packages; $kept libraries ours, $dropped the machine's"
  touch "$prefix/.unpacked"
fi

torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_version=$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')
# LibTorch from 2.12 on requires C++20; the code stays valid C++17 for Debian's 1.13.
std=17
if python3 - "$torch_version" <<'PY'
import sys
major, minor = (int(x) for x in sys.argv[1].split(".")[:2])
sys.exit(0 if (major, minor) >= (2, 12) else 1)
PY
then std=20; fi
cuda_args=()
if command -v nvcc >/dev/null; then cuda_args+=(-DCMAKE_CUDA_COMPILER="$(command -v nvcc)"); fi
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}

mkdir -p "$build"
# LibTorch's wheel carries its own fmt headers (a newer major): searched first,
# they would shadow the fmt that Debian's spdlog was built with. -I comes
# before every -isystem, so the unpacked Debian headers win.
echo "device-build: torch $torch_version (C++$std), $(g++ --version | head -1), $(cmake --version | head -1)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$usr" \
  -DMPI_CXX_COMPILER="$usr/bin/mpicxx" -DMPIEXEC_EXECUTABLE="$usr/bin/mpiexec" \
  -DHDF5_ROOT="$usr/lib/$arch/hdf5/serial;$usr/include/hdf5/serial" \
  -DCMAKE_CXX_FLAGS="-I$usr/include" \
  -DREGAL_CXX_STANDARD=$std -DREGAL_WERROR=OFF -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  "${cuda_args[@]}" >"$build/configure.log" 2>&1 || { tail -60 "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
