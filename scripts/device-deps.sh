#!/usr/bin/env bash
# On the development machine: downloads the Debian packages that the GPU
# machine lacks (it has PyTorch with CUDA, CMake, ninja, nvcc and a compiler,
# but no MPI, HDF5, Boost, spdlog, toml++, JSON or GoogleTest, and no network)
# into .device/debs, which travels with the working tree (git-ignored).
# scripts/device-build.sh unpacks them there. Prints their total size: what
# travels must stay under the device tool's 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.device/debs

packages=(
  # build: headers, CMake configs, link-time libraries
  libopenmpi-dev libhdf5-dev libboost1.74-dev libboost-program-options1.74-dev libboost-program-options-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev libgtest-dev libgmock-dev googletest
  libbenchmark-dev libre2-dev libaec-dev libssl-dev
  # run time: Open MPI with its launcher, HDF5 and the libraries they load
  openmpi-bin openmpi-common libopenmpi3 libpmix2 libhwloc15 libevent-2.1-7 libevent-core-2.1-7
  libevent-pthreads-2.1-7 libfabric1 libucx0 libibverbs1 librdmacm1 libnl-3-200 libnl-route-3-200
  libpsm-infinipath1 libpsm2-2 libnuma1 libltdl7 libmunge2 libpciaccess0 libudev1 libgfortran5
  libhdf5-103-1 libhdf5-cpp-103-1 libhdf5-hl-100 libhdf5-hl-cpp-100 libsz2 libaec0
  libboost-program-options1.74.0 libspdlog1.10 libfmt9 libtomlplusplus3 libre2-9 libbenchmark1debian
  # libhdf5-103-1 links libcurl-gnutls (the ROS3 driver): it and what it loads
  libcurl3-gnutls libgnutls30 libnettle8 libhogweed6 libidn2-0 libunistring2 libtasn1-6 libp11-kit0 libffi8
  libssh2-1 librtmp1 libpsl5 libnghttp2-14 libbrotli1 libldap-2.5-0 libsasl2-2 libsasl2-modules-db
  libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1
)

mkdir -p "$dest"
rm -f "$dest"/*.deb
(cd "$dest" && apt-get download -q "${packages[@]}" >/dev/null)
echo "device-deps: $(ls "$dest"/*.deb | wc -l) packages, $(du -sh "$dest" | cut -f1) in $dest"
