#pragma once
// A sweep on every rank: rank 0 plans (spec.toml, plan.json, plan_full.json),
// coordinates (the Scheduler behind a Transport) and reduces (the tables after
// every finished run, sweep.h5 at the end); every rank, rank 0 included, runs
// K children at once, under its thermal guard, and appends each attempt to
// the experiment log; rank 0 checks before anything runs and keeps the
// registry and the sweep's README (docs/notebook.md). See docs/spec.md. The roles live in plan.h,
// coordinator.h, worker.h and resources.h; this is the loop that joins them.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sweep/thermal.h"
#include "sweep/transport.h"

namespace regal::sweep {

// From this many ranks rank 0 only schedules and reduces unless told
// otherwise (--coordinator-only=no): it gives up 1/64 of the job's slots
// or less, and results never wait behind its own runs (bench/README.md).
inline constexpr int kCoordinatorOnlyRanks = 64;

struct SweepOptions {
  std::filesystem::path spec;              // the spec file
  std::filesystem::path results = "results";
  std::filesystem::path self;              // regal-run, for the children
  bool dry_run = false;                    // print the plan; write nothing
  bool check = false;                      // print the pre-flight checks; write nothing (exit 2 when one fails)
  bool disk_check = true;                  // refuse to start when free space looks short (--no-disk-check)
  bool retry_failed = false;               // run failed runs again
  bool allow_spec_change = false;          // accept a changed spec (old kept as spec.<time>.toml)
  bool report = true;                      // write report/ at the end (needs gnuplot and dot)
  bool run_figures = true;                 // with the report: each done run's visualizations/
  std::optional<std::size_t> slots;        // children per rank (--runs-per-gpu)
  std::optional<std::size_t> threads;      // torch threads per child
  std::optional<double> run_timeout;       // seconds a run may stay silent; 0: never; nullopt: derived per run
  std::optional<double> memory_per_run;    // bytes one child may use; nullopt: the node's memory over its children
  std::optional<std::pair<std::size_t, std::size_t>> share;  // (i, n): run plan entries with index % n == i (job arrays)
  ThermalSettings thermal;                 // --thermal-pause, --thermal-abort, --thermal-interval
  std::string keep_checkpoints = "both";   // which checkpoints a done run keeps: both | best | last | none
  double table_interval = 5;               // seconds between rewrites of the tables while runs finish (0: every result)
  std::optional<bool> coordinator_only;    // rank 0 runs nothing; nullopt: when the job has kCoordinatorOnlyRanks ranks or more
  bool list_runs = false;                  // --dry-run: list every run, however many
  std::vector<std::string> command_line;   // for provenance, the registry and the README
  std::function<bool()> stop_requested;    // a stop signal arrived (SIGTERM, the preemption signal)
};

// Runs the sweep on this rank. Returns the sweep's exit code, the same on
// every rank: 0 every run done, 1 some run failed, 3 stopped by a signal or a
// full disk with runs left (they resume on the next start), 4 some rank
// stopped for heat (resumable; not requeued). A bad spec throws
// InputError on every rank. An error that one rank alone meets (a stored spec
// that differs, a results folder that cannot be written, a fault in the
// coordinator) is printed by that rank and ends every rank promptly with the
// same code (2 for bad input).
int run_sweep(Transport& transport, const SweepOptions& options);

}  // namespace regal::sweep
