# Sourced on the GPU machine by scripts/device-build.sh and device-check.sh:
# points the build and the binaries at the Debian packages unpacked under
# .device/prefix (scripts/device-deps.sh fetched them here). Open MPI and PMIx
# are relocated with OPAL_PREFIX and PMIx's component path.
REGAL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REGAL_DEVICE_PREFIX=$REGAL_ROOT/.device/prefix
regal_arch=x86_64-linux-gnu
regal_usr=$REGAL_DEVICE_PREFIX/usr
export REGAL_ROOT REGAL_DEVICE_PREFIX
export OPAL_PREFIX=$regal_usr
export PMIX_MCA_mca_base_component_path=$regal_usr/lib/$regal_arch/pmix2/lib/pmix
export PATH=$regal_usr/bin:$PATH
export LD_LIBRARY_PATH=$regal_usr/lib/$regal_arch/openmpi/lib:$regal_usr/lib/$regal_arch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader   # one node: shared memory, no network probing
export REGAL_PYTHON=${REGAL_PYTHON:-$(command -v python3)}   # the image's Python: torch, h5py, numpy
