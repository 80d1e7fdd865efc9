// A sweep's files before any run: the stored spec compared with the given one
// (refused unless allowed, with what it adds and removes), spec.toml,
// plan.json and plan_full.json, the dry-run table, and the starting point:
// every run's folder read once to decide what is left to execute.
#include "sweep/plan.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aggregate/collect.h"
#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "sweep/guards.h"
#include "io/json_file.h"
#include "layout/status.h"
#include "util/error.h"
#include "util/text.h"

namespace regal::sweep {
namespace fs = std::filesystem;
using layout::RunState;

nlohmann::json plan_json(const SweepSpec& spec, const std::vector<PlannedRun>& runs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& run : runs) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& [key, value] : run.axes) axes.push_back({key, value});
    list.push_back({{"run_id", run.run_id}, {"axes", axes}, {"cost", run.cost}});
  }
  nlohmann::json plan = {{"sweep", spec.name}, {"description", spec.description}, {"runs", list}};
  if (!spec.comparisons.empty()) plan["compare"] = spec.comparisons;
  if (!spec.fits.empty()) plan["fit"] = spec.fits;
  return plan;
}

void check_spec_change(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                       bool allow) {
  std::ifstream in(paths.spec_toml());
  if (!in) return;
  std::stringstream stored;
  stored << in.rdbuf();
  if (stored.str() == spec.text) return;
  std::set<std::string> before, after;
  if (const auto old_plan = io::read_json_file(paths.plan_json()); old_plan && old_plan->contains("runs")) {
    for (const auto& run : (*old_plan)["runs"]) before.insert(run["run_id"].get<std::string>());
  }
  for (const auto& run : runs) after.insert(run.run_id);
  std::size_t added = 0, removed = 0;
  for (const auto& id : after) added += before.count(id) ? 0U : 1U;
  for (const auto& id : before) removed += after.count(id) ? 0U : 1U;
  const std::string summary = std::to_string(added) + " run(s) added, " + std::to_string(removed) + " removed, " +
                              std::to_string(after.size() - added) + " kept";
  if (!allow) {
    throw InputError(spec.file.string() + " differs from " + paths.spec_toml().string() + " (" + summary +
                     "); pass --allow-spec-change to go on (done runs are reused)");
  }
  std::string stamp = utc_now();
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  fs::rename(paths.spec_toml(), paths.archived_spec_toml(stamp));
  spdlog::info("spec changed ({}); the old one is kept as spec.{}.toml", summary, stamp);
}

void write_plan(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths) {
  fs::create_directories(paths.sweep_dir());
  io::write_file_atomic(paths.spec_toml(), spec.text);
  io::write_json_file(paths.plan_json(), plan_json(spec, runs));
  nlohmann::json full = nlohmann::json::array();
  for (const auto& run : runs) full.push_back({{"run_id", run.run_id}, {"experiment", run.experiment.to_json()}});
  io::write_json_file(paths.plan_full_json(), nlohmann::json{{"sweep", spec.name}, {"runs", full}});
}

std::string dry_run_text(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths) {
  std::vector<aggregate::RunRecord> records;
  std::vector<bool> is_new;
  for (const auto& run : runs) {
    const layout::RunPaths run_paths = paths.run(run.run_id);
    records.push_back(aggregate::read_run(run_paths.run_dir(), spec.name, run.axes));
    is_new.push_back(!fs::exists(run_paths.status_json()));
  }
  aggregate::Table table = aggregate::runs_table(records, {});
  const auto status = static_cast<std::size_t>(std::find(table.columns.begin(), table.columns.end(), "status") - table.columns.begin());
  table.columns.pop_back();  // error: nothing has run yet
  table.columns.insert(table.columns.end(), {"strings", "params", "memory"});
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    if (is_new[i]) table.rows[i][status] = "new";
    table.rows[i].pop_back();
    const RunEstimate estimate = estimate_run(runs[i].experiment);
    char strings[32], params[32];
    std::snprintf(strings, sizeof strings, "%.3g", estimate.strings);
    std::snprintf(params, sizeof params, "%.3g", estimate.parameters);
    table.rows[i].insert(table.rows[i].end(), {strings, params, human_bytes(estimate.memory_bytes)});
  }
  std::ostringstream out;
  out << "sweep " << spec.name << ": " << runs.size() << " runs into " << paths.sweep_dir().string() << "\n\n"
      << aggregate::to_terminal(table) << "\nwould write " << paths.spec_toml().string() << ", "
      << paths.plan_json().string() << ", " << paths.plan_full_json().string()
      << ",\n  a run folder per run (docs/results.md), and " << paths.aggregate_dir().string()
      << "/{runs,summary}.{csv,json}, sweep.h5\n";
  return out.str();
}

namespace {

// A run done before status.json vouched for its artifacts is trusted, and
// gets the record now, unless some process holds it.
void backfill_artifacts(const layout::RunPaths& paths) {
  auto status = layout::read_status(paths);
  if (!status || !status->artifacts.empty()) return;
  const auto lock = io::FileLock::try_lock(paths.lock_file());
  if (!lock) return;
  status->artifacts = layout::describe_artifacts(paths);
  layout::write_status(paths, *status);
}

}  // namespace

StartingPoint starting_point(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                             bool retry_failed, const std::optional<std::pair<std::size_t, std::size_t>>& share) {
  StartingPoint start;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const PlannedRun& run = runs[i];
    aggregate::RunRecord record = aggregate::read_run(paths.run(run.run_id).run_dir(), spec.name, run.axes);
    if (share && i % share->second != share->first) {
      start.records.push_back(std::move(record));  // another array task runs it; its folder is read again at the end
      continue;
    }
    start.mine.insert(run.run_id);
    if (record.state == RunState::kCorrupt) {
      spdlog::warn("run {} was done, but {}: it runs again", run.run_id, record.error);
    }
    if (record.state == RunState::kDone) backfill_artifacts(paths.run(run.run_id));
    const bool skip = record.state == RunState::kDone || (record.state == RunState::kFailed && !retry_failed);
    if (skip) {
      ++start.skipped;
    } else {
      record.state = RunState::kPending;
      record.metrics = nlohmann::json::object();
      record.error.clear();
      start.todo.push_back({run.run_id, run.cost});
    }
    start.records.push_back(std::move(record));
  }
  return start;
}

}  // namespace regal::sweep
