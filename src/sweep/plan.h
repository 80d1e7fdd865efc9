#pragma once
// A sweep's plan on disk and where it starts from: spec.toml, plan.json and
// plan_full.json (rank 0 writes them), the refusal of a changed spec, the
// dry-run table, and which runs are left to execute.
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregate/tables.h"
#include "layout/run_paths.h"
#include "sweep/scheduler.h"
#include "sweep/spec.h"

namespace regal::sweep {

// plan.json: run ids with their axis values and expected cost (write_plan
// writes the same bytes without building it).
nlohmann::json plan_json(const SweepSpec& spec, const std::vector<PlannedRun>& runs);

// A stored spec.toml that differs from `spec`: InputError saying how many
// runs it adds, removes and keeps, unless `allow` or the runs are exactly the
// stored plan's (not a search); then the old one is kept as
// spec.<time>.toml. Nothing happens when there is no stored spec.
void check_spec_change(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                       bool allow);

// Writes spec.toml, plan.json and plan_full.json, each atomically.
void write_plan(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths);

// Above this many runs --dry-run summarises unless asked to list every run.
inline constexpr std::size_t kDryRunListLimit = 1000;

// What --dry-run prints: every run with its state on disk ("new" when it has
// no folder yet) and what would be written. Above kDryRunListLimit runs,
// unless `list_runs`: a summary instead of the list (the values of each axis
// with their counts, the states on disk, the estimates' totals and ranges).
std::string dry_run_text(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                         bool list_runs = false);

struct StartingPoint {
  std::vector<aggregate::RunRecord> records;  // every run of the plan, as its folder says
  std::vector<Scheduler::Run> todo;           // the runs to execute now, with their costs
  std::set<std::string> mine;                 // with a share: the runs this array task answers for
  std::size_t skipped = 0;                    // done runs, and failed ones without retry_failed
};

// Reads every run's folder and decides what runs now: not done, and not
// failed unless `retry_failed`; with a share (i, n) only plan entries with
// index % n == i.
StartingPoint starting_point(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                             bool retry_failed, const std::optional<std::pair<std::size_t, std::size_t>>& share);

}  // namespace regal::sweep
