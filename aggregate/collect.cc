// Reading run folders back into records (the `aggregate` tool, the reducer),
// and sweep.h5, which gathers every run's curves. Only run folders are read:
// plan.json for the axes, status.json, metrics.json and metrics.h5.
#include "aggregate/collect.h"

#include <algorithm>
#include <map>
#include <set>

#include "io/atomic_file.h"
#include "io/hdf5.h"
#include "io/json_file.h"
#include "layout/experiment_keys.h"
#include "layout/metrics_h5.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "util/error.h"
#include "util/json_fields.h"

namespace regal::aggregate {
namespace fs = std::filesystem;
RunRecord read_run(const fs::path& run_dir, const std::string& sweep,
                   std::vector<std::pair<std::string, nlohmann::json>> axes) {
  const layout::RunPaths paths = layout::RunPaths::from_run_dir(run_dir);
  RunRecord record;
  record.sweep = sweep;
  record.run_id = paths.run_id();
  record.run_dir = paths.run_dir();
  record.axes = std::move(axes);
  const auto status = layout::read_status(paths);
  record.state = status ? status->state : layout::RunState::kPending;
  if (record.state == layout::RunState::kFailed) record.error = (status->stage.empty() ? "?" : status->stage) + ": " + status->error;
  if (record.state == layout::RunState::kDone) {
    // A done run is trusted only when what it vouches for checks out.
    if (const auto damage = layout::check_artifacts(paths, *status)) {
      record.state = layout::RunState::kCorrupt;
      record.error = *damage;
      return record;
    }
    const auto metrics = io::read_json_file(paths.metrics_json());
    if (metrics && metrics->is_object()) record.metrics = *metrics;
    if (const auto env = io::read_json_file(paths.env_json()); env && env->is_object()) {
      record.git_commit = env->value("git_commit", "");
      record.git_dirty = env->value("git_dirty", false);
      record.git_changes = env->value("git_changes", "");
    }
  }
  return record;
}

std::vector<RunRecord> collect_sweep(const fs::path& sweep_dir) {
  const layout::RunPaths sweep_paths = layout::RunPaths::from_sweep_dir(sweep_dir);
  const std::string name = sweep_paths.sweep_name();
  std::vector<RunRecord> records;
  const nlohmann::json plan = io::read_json_file(sweep_paths.plan_json()).value_or(nullptr);
  if (plan.is_object() && plan.contains("runs")) {
    for (const auto& run : plan["runs"]) {
      std::vector<std::pair<std::string, nlohmann::json>> axes;
      for (const auto& axis : run["axes"]) axes.emplace_back(axis[0].get<std::string>(), axis[1]);
      records.push_back(read_run(sweep_paths.run(run["run_id"].get<std::string>()).run_dir(), name, std::move(axes)));
    }
    return records;
  }
  if (!fs::is_directory(sweep_paths.runs_dir())) {
    throw InputError(sweep_dir.string() + ": no runs/ folder: not a regal results folder");
  }
  const std::vector<fs::path> run_dirs = sweep_paths.run_dirs();
  // Axes: the settings that differ between runs (labels and machine settings aside).
  std::vector<std::map<std::string, nlohmann::json>> settings;
  std::set<std::string> varying;
  for (const auto& dir : run_dirs) {
    const nlohmann::json experiment =
        io::read_json_file(layout::RunPaths::from_run_dir(dir).experiment_json()).value_or(nlohmann::json::object());
    std::map<std::string, nlohmann::json> flat;
    for (auto& [key, value] : flatten_json(experiment)) flat[key] = std::move(value);
    for (const char* key : layout::kNotAxes) flat.erase(key);
    settings.push_back(std::move(flat));
  }
  for (const auto& flat : settings) {
    for (const auto& [key, value] : flat) {
      if (settings.front().count(key) == 0 || settings.front().at(key) != value) varying.insert(key);
    }
  }
  for (std::size_t i = 0; i < run_dirs.size(); ++i) {
    std::vector<std::pair<std::string, nlohmann::json>> axes;
    for (const auto& key : varying) axes.emplace_back(key, settings[i].count(key) ? settings[i][key] : nullptr);
    records.push_back(read_run(run_dirs[i], name, std::move(axes)));
  }
  if (records.empty()) throw InputError(sweep_dir.string() + ": no runs yet");
  return records;
}

std::vector<std::string> write_sweep_h5(const fs::path& path, const fs::path& sweep_dir, const std::vector<RunRecord>& records) {
  const layout::RunPaths sweep_paths = layout::RunPaths::from_sweep_dir(sweep_dir);
  std::vector<std::string> warnings;
  io::produce_file_atomic(path, [&](const fs::path& tmp) {
    io::h5::File out = io::h5::File::create(tmp);
    const io::h5::Group runs = out.create_group("runs");
    for (const auto& record : records) {
      const layout::RunPaths paths = sweep_paths.run(record.run_id);
      const io::h5::Group run = runs.create_group(record.run_id);
      run.set_attribute("status", layout::to_string(record.state));
      nlohmann::json axes = nlohmann::json::object();
      for (const auto& [key, value] : record.axes) axes[key] = value;
      run.set_attribute("axes", axes.dump());
      if (record.state != layout::RunState::kDone || !fs::exists(paths.metrics_h5())) continue;
      try {
        layout::write_curves(run, layout::read_curves(paths.metrics_h5()));
      } catch (const IoError& error) {
        // One unreadable file costs that run's curves, never the whole file.
        run.set_attribute("error", error.what());
        warnings.push_back("run " + record.run_id + ": its curves are left out of sweep.h5: " + error.what());
      }
    }
    out.close();
  });
  return warnings;
}

}  // namespace regal::aggregate
