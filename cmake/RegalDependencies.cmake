# Every third-party dependency comes from a Debian package and enters the build
# only as an imported target. scripts/bootstrap.sh installs them all.
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)  # the C API, through io/hdf5.h
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
# Debian's HDF5 is found as variables; wrap them once as a target.
if(NOT TARGET regal_hdf5)
  add_library(regal_hdf5 INTERFACE)
  target_include_directories(regal_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
  target_link_libraries(regal_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  target_compile_definitions(regal_hdf5 INTERFACE ${HDF5_DEFINITIONS})
  add_library(regal::hdf5 ALIAS regal_hdf5)
endif()
if(REGAL_FUZZ)
  return()  # the fuzz targets need none of what follows
endif()
find_package(Torch REQUIRED)
find_package(MPI REQUIRED COMPONENTS CXX)

# Torch's config exposes a list of libraries, not one target: wrap it once.
if(NOT TARGET regal_torch)
  add_library(regal_torch INTERFACE)
  target_link_libraries(regal_torch INTERFACE ${TORCH_LIBRARIES})
  # Torch's flags carry -D_GLIBCXX_USE_CXX11_ABI and friends.
  separate_arguments(_regal_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(regal_torch INTERFACE ${_regal_torch_flags})
  # PyTorch's own builds (the GPU machine's LibTorch) export copies of some
  # libstdc++ symbols, std::filesystem among them (pytorch/pytorch#133437);
  # bound to those, std::filesystem::remove_all jumps to address 0. Naming
  # libstdc++ first among a binary's needed libraries makes the loader bind
  # these symbols to libstdc++ itself. Harmless with Debian's LibTorch.
  target_link_options(regal_torch INTERFACE "LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
  add_library(regal::torch ALIAS regal_torch)
endif()


if(REGAL_BUILD_TESTS)
  find_package(GTest REQUIRED)
  # RE2 is the test oracle only; found by path, so no pkg-config is needed.
  find_path(RE2_INCLUDE_DIR re2/re2.h REQUIRED)
  find_library(RE2_LIBRARY re2 REQUIRED)
  if(NOT TARGET regal_re2)
    add_library(regal_re2 INTERFACE)
    target_include_directories(regal_re2 SYSTEM INTERFACE ${RE2_INCLUDE_DIR})
    target_link_libraries(regal_re2 INTERFACE ${RE2_LIBRARY})
    add_library(regal::re2 ALIAS regal_re2)
  endif()
endif()
if(REGAL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
