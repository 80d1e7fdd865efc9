// What a run records of its GPU (env.json's "cuda"). The CUDA driver and NVML
// are opened at run time with dlopen rather than through CUDA headers, so the
// same source builds against a CPU-only LibTorch (Debian's) and a CUDA one;
// the CUDA runtime and cuDNN versions come from LibTorch's CUDA hooks, which
// exist in both. Every probe is optional: what cannot be read is null.
#include <dlfcn.h>

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <array>
#include <string>

#include "train/session.h"

namespace regal::train {
namespace {

// The few CUDA driver API and NVML entry points used, by their C signatures.
using CuInit = int (*)(unsigned);
using CuDeviceGet = int (*)(int*, int);
using CuDeviceGetName = int (*)(char*, int, int);
using CuDeviceTotalMem = int (*)(std::size_t*, int);
using CuDeviceGetAttribute = int (*)(int*, int, int);
using CuDriverGetVersion = int (*)(int*);
using NvmlInit = int (*)();
using NvmlSystemGetDriverVersion = int (*)(char*, unsigned);
constexpr int kComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kComputeCapabilityMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

template <typename Function>
Function symbol(void* library, const char* name) {
  return library == nullptr ? nullptr : reinterpret_cast<Function>(::dlsym(library, name));
}

// "13.0" from the driver API's 13000; 12.4 from 12040.
std::string cuda_version_text(long version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

// cuDNN 9 numbers its versions major*10000 + minor*100 + patch; cuDNN 8, major*1000 + minor*100 + patch.
std::string cudnn_version_text(long version) {
  const long major_unit = version >= 90000 ? 10000 : 1000;
  return std::to_string(version / major_unit) + "." + std::to_string((version % major_unit) / 100) + "." +
         std::to_string(version % 100);
}

}  // namespace

nlohmann::json describe_device(const std::string& device) {
  if (device.rfind("cuda", 0) != 0) return nullptr;
  const int ordinal = device.size() > 5 ? std::stoi(device.substr(5)) : 0;
  nlohmann::json description = {{"device", device}, {"name", nullptr}, {"compute_capability", nullptr},
                                {"memory_gib", nullptr}, {"driver", nullptr}, {"driver_cuda", nullptr},
                                {"cuda_runtime", nullptr}, {"cudnn", nullptr}};
  // The libraries stay loaded: CUDA itself holds libcuda for the process's life.
  void* cuda = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  const auto init = symbol<CuInit>(cuda, "cuInit");
  const auto get = symbol<CuDeviceGet>(cuda, "cuDeviceGet");
  int handle = 0;
  if (init != nullptr && get != nullptr && init(0) == 0 && get(&handle, ordinal) == 0) {
    std::array<char, 256> name{};
    if (const auto get_name = symbol<CuDeviceGetName>(cuda, "cuDeviceGetName");
        get_name != nullptr && get_name(name.data(), static_cast<int>(name.size()), handle) == 0) {
      description["name"] = std::string(name.data());
    }
    std::size_t bytes = 0;
    if (const auto total = symbol<CuDeviceTotalMem>(cuda, "cuDeviceTotalMem_v2"); total != nullptr && total(&bytes, handle) == 0) {
      description["memory_gib"] = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
    }
    int major = 0, minor = 0;
    if (const auto attribute = symbol<CuDeviceGetAttribute>(cuda, "cuDeviceGetAttribute");
        attribute != nullptr && attribute(&major, kComputeCapabilityMajor, handle) == 0 &&
        attribute(&minor, kComputeCapabilityMinor, handle) == 0) {
      description["compute_capability"] = std::to_string(major) + "." + std::to_string(minor);
    }
    int driver_cuda = 0;
    if (const auto version = symbol<CuDriverGetVersion>(cuda, "cuDriverGetVersion"); version != nullptr && version(&driver_cuda) == 0) {
      description["driver_cuda"] = cuda_version_text(driver_cuda);
    }
  }
  void* nvml = ::dlopen("libnvidia-ml.so.1", RTLD_LAZY | RTLD_LOCAL);
  std::array<char, 96> driver{};
  if (const auto nvml_init = symbol<NvmlInit>(nvml, "nvmlInit_v2"); nvml_init != nullptr && nvml_init() == 0) {
    if (const auto version = symbol<NvmlSystemGetDriverVersion>(nvml, "nvmlSystemGetDriverVersion");
        version != nullptr && version(driver.data(), static_cast<unsigned>(driver.size())) == 0) {
      description["driver"] = std::string(driver.data());
    }
  }
  const auto& hooks = at::detail::getCUDAHooks();
  if (hooks.hasCUDA()) {
    description["cuda_runtime"] = cuda_version_text(hooks.versionCUDART());
    if (hooks.hasCuDNN()) description["cudnn"] = cudnn_version_text(hooks.versionCuDNN());
  }
  return description;
}

}  // namespace regal::train
