// Sizing a rank. On a CPU node, one single-threaded child per core: small
// models use cores best side by side, and one thread makes results
// independent of the launch layout. On a GPU node, several children per GPU:
// a small model's step is bound by the host launching kernels.
#include "sweep/resources.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "util/cores.h"

namespace regal::sweep {

RankResources rank_resources(int local_rank, int local_ranks, std::size_t cores, std::size_t bound_cores, std::size_t gpus,
                             std::optional<std::size_t> cpus_per_task, std::optional<std::size_t> slots,
                             std::optional<std::size_t> threads) {
  RankResources resources;
  const auto ranks = static_cast<std::size_t>(std::max(local_ranks, 1));
  const std::size_t share = cpus_per_task.value_or(cores / ranks);
  const std::size_t cpus = std::max<std::size_t>(1, std::min(share, bound_cores));
  if (gpus > 0) {
    resources.device = "cuda:" + std::to_string(static_cast<std::size_t>(local_rank) % gpus);
    // Up to kDefaultRunsPerGpu children per GPU, split among the ranks that
    // share it, at most one per core.
    const std::size_t ranks_per_gpu = (ranks + gpus - 1) / gpus;
    const std::size_t per_rank = std::max<std::size_t>(1, kDefaultRunsPerGpu / ranks_per_gpu);
    resources.slots = slots.value_or(std::min(per_rank, cpus));
  } else {
    resources.device = "cpu";
    resources.slots = slots.value_or(std::max<std::size_t>(1, cpus / threads.value_or(1)));
  }
  resources.threads = threads.value_or(std::max<std::size_t>(1, cpus / resources.slots));
  return resources;
}

int local_ranks_here(int ranks) {
  return static_cast<int>(
      env_count("OMPI_COMM_WORLD_LOCAL_SIZE").value_or(env_count("SLURM_NTASKS_PER_NODE").value_or(static_cast<std::size_t>(ranks))));
}

RankResources rank_resources_here(int ranks, bool wants_gpu, std::optional<std::size_t> slots,
                                  std::optional<std::size_t> threads) {
  const int local_rank = static_cast<int>(env_count("OMPI_COMM_WORLD_LOCAL_RANK").value_or(env_count("SLURM_LOCALID").value_or(0)));
  const std::size_t gpus = wants_gpu ? visible_gpu_count() : 0;
  return rank_resources(local_rank, local_ranks_here(ranks), std::thread::hardware_concurrency(), bound_core_count(), gpus,
                        env_count("SLURM_CPUS_PER_TASK"), slots, threads);
}

std::size_t visible_gpu_count() {
  // The CUDA driver API by its C signatures: cuInit(flags), cuDeviceGetCount(&n).
  void* cuda = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (cuda == nullptr) return 0;
  const auto init = reinterpret_cast<int (*)(unsigned)>(::dlsym(cuda, "cuInit"));
  const auto count = reinterpret_cast<int (*)(int*)>(::dlsym(cuda, "cuDeviceGetCount"));
  int devices = 0;
  if (init == nullptr || count == nullptr || init(0) != 0 || count(&devices) != 0) devices = 0;
  return static_cast<std::size_t>(std::max(devices, 0));
}

double default_run_timeout(double cost) { return std::max(1800.0, cost / 1e7); }

std::optional<std::size_t> env_count(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoul(value));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace regal::sweep
