#pragma once
// What one rank may use: its GPU (by local rank), how many run children at
// once, and torch threads per child. rank_resources() is pure (tests drive it
// with any machine); the probes below read this machine.
#include <cstddef>
#include <optional>
#include <string>

namespace regal::sweep {

struct RankResources {
  std::string device;       // for runs whose experiment asks for cuda/auto: "cuda:N" or "cpu"
  std::size_t slots = 1;    // children at once
  std::size_t threads = 1;  // torch threads per child
};

// Children per GPU by default (split among the ranks sharing it): on an H100
// a 64-run sweep of small models ran 2.5x faster at 8 than at 2
// (bench/README.md).
inline constexpr std::size_t kDefaultRunsPerGpu = 8;

// `cores` is the node's, `bound_cores` those this rank may run on (its CPU
// binding), `gpus` those visible to it (0: the runs go to the CPU).
// `cpus_per_task` is SLURM_CPUS_PER_TASK; `slots` and `threads` the
// --runs-per-gpu and --threads flags.
RankResources rank_resources(int local_rank, int local_ranks, std::size_t cores, std::size_t bound_cores, std::size_t gpus,
                             std::optional<std::size_t> cpus_per_task, std::optional<std::size_t> slots,
                             std::optional<std::size_t> threads);

// The ranks on this node: Open MPI's or SLURM's count, else `ranks`.
int local_ranks_here(int ranks);

// rank_resources for this process, from the launcher's environment (local
// rank and ranks per node from Open MPI or SLURM, SLURM_CPUS_PER_TASK) and
// the machine (its cores, this rank's binding, the visible GPUs when
// `wants_gpu`; without it the CUDA driver is not asked).
RankResources rank_resources_here(int ranks, bool wants_gpu, std::optional<std::size_t> slots,
                                  std::optional<std::size_t> threads);

// CUDA devices this process can see (CUDA_VISIBLE_DEVICES respected), asked of
// the driver directly so that no CUDA context is made here; 0 without a driver.
std::size_t visible_gpu_count();

// How long a run may stay silent (no heartbeat) before it is stopped as hung,
// by default: 30 minutes, or the time the whole run would take at a very
// pessimistic 1e7 cost units per second (spec.h's estimated_cost) when that
// is longer. Heartbeats come at least once a step, an evaluation batch or a
// sampled string, so only a hung run stays silent that long.
double default_run_timeout(double cost);

// A whole number from the environment; nullopt when unset or not a number.
std::optional<std::size_t> env_count(const char* name);

}  // namespace regal::sweep
