#pragma once
// A sweep on every rank: rank 0 plans (spec.toml, plan.json, plan_full.json),
// coordinates (the Scheduler behind a Transport) and reduces (the tables after
// every finished run, sweep.h5 at the end); every rank, rank 0 included, runs
// K children at once. See docs/spec.md.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sweep/transport.h"

namespace regal::sweep {

struct SweepOptions {
  std::filesystem::path spec;              // the spec file
  std::filesystem::path results = "results";
  std::filesystem::path self;              // this binary, for the children
  bool dry_run = false;                    // print the plan; write nothing
  bool retry_failed = false;               // run failed runs again
  bool allow_spec_change = false;          // accept a changed spec (old kept as spec.<time>.toml)
  std::optional<std::size_t> slots;        // children per rank (--runs-per-gpu)
  std::optional<std::size_t> threads;      // torch threads per child
  std::optional<std::pair<std::size_t, std::size_t>> share;  // (i, n): run plan entries with index % n == i (job arrays)
  std::vector<std::string> command_line;   // for provenance
  std::function<bool()> stop_requested;    // a stop signal arrived (SIGTERM, the preemption signal)
};

// Per-rank resources: GPU binding by local rank, children per rank, threads
// per child. Pure, for tests: reads the given environment values. `cores` is
// the node's, `bound_cores` those this rank may run on (its CPU binding).
struct RankResources {
  std::string device;       // for runs whose experiment asks for cuda/auto: "cuda:N" or "cpu"
  std::size_t slots = 1;    // children at once
  std::size_t threads = 1;  // torch threads per child
};
// Children per GPU by default (split among the ranks sharing it): on an H100
// a 64-run sweep of small models ran 2.5x faster at 8 than at 2
// (bench/README.md).
inline constexpr std::size_t kDefaultRunsPerGpu = 8;
RankResources rank_resources(int local_rank, int local_ranks, std::size_t cores, std::size_t bound_cores, std::size_t gpus,
                             std::optional<std::size_t> cpus_per_task, std::optional<std::size_t> slots,
                             std::optional<std::size_t> threads);

// Runs the sweep on this rank. Returns the sweep's exit code, the same on
// every rank: 0 every run done, 1 some run failed, 3 stopped by a signal
// with runs left (they resume on the next start). Bad input throws InputError.
int run_sweep(Transport& transport, const SweepOptions& options);

}  // namespace regal::sweep
