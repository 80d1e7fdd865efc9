#pragma once
// A sweep on every rank: rank 0 plans (spec.toml, plan.json, plan_full.json),
// coordinates (the Scheduler behind a Transport) and reduces (the tables after
// every finished run, sweep.h5 at the end); every rank, rank 0 included, runs
// K children at once. See docs/spec.md. The roles live in plan.h,
// coordinator.h, worker.h and resources.h; this is the loop that joins them.
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

// Runs the sweep on this rank. Returns the sweep's exit code, the same on
// every rank: 0 every run done, 1 some run failed, 3 stopped by a signal
// with runs left (they resume on the next start). Bad input throws InputError.
int run_sweep(Transport& transport, const SweepOptions& options);

}  // namespace regal::sweep
