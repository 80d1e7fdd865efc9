#include "aggregate/collect.h"

#include <fstream>
#include <map>
#include <set>

#include "experiment/run_paths.h"
#include "io/atomic_file.h"
#include "io/hdf5.h"
#include "util/error.h"

namespace regal::aggregate {
namespace fs = std::filesystem;
namespace {

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

void flatten(const nlohmann::json& json, const std::string& prefix, std::map<std::string, nlohmann::json>& out) {
  for (const auto& [key, value] : json.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      flatten(value, path, out);
    } else {
      out[path] = value;
    }
  }
}

}  // namespace

RunRecord read_run(const fs::path& run_dir, const std::string& sweep,
                   std::vector<std::pair<std::string, nlohmann::json>> axes) {
  const experiment::RunPaths paths = experiment::RunPaths::from_run_dir(run_dir);
  RunRecord record;
  record.sweep = sweep;
  record.run_id = paths.run_id();
  record.axes = std::move(axes);
  const nlohmann::json status = read_json(paths.status_json());
  record.status = status.is_object() ? status.value("status", "pending") : "pending";
  if (record.status == "failed") record.error = status.value("stage", "?") + ": " + status.value("error", "");
  if (record.status == "done") {
    const nlohmann::json metrics = read_json(paths.metrics_json());
    if (metrics.is_object()) record.metrics = metrics;
  }
  return record;
}

std::vector<RunRecord> collect_sweep(const fs::path& sweep_dir) {
  const experiment::RunPaths sweep_paths = experiment::RunPaths::from_sweep_dir(sweep_dir);
  const std::string name = sweep_paths.sweep_name();
  std::vector<RunRecord> records;
  const nlohmann::json plan = read_json(sweep_paths.plan_json());
  if (plan.is_object() && plan.contains("runs")) {
    for (const auto& run : plan["runs"]) {
      std::vector<std::pair<std::string, nlohmann::json>> axes;
      for (const auto& axis : run["axes"]) axes.emplace_back(axis[0].get<std::string>(), axis[1]);
      records.push_back(read_run(sweep_paths.run(run["run_id"].get<std::string>()).run_dir(), name, std::move(axes)));
    }
    return records;
  }
  const fs::path runs_dir = sweep_paths.runs_dir();
  if (!fs::is_directory(runs_dir)) throw InputError(sweep_dir.string() + ": no runs/ folder: not a regal results folder");
  std::vector<fs::path> run_dirs;
  for (const auto& entry : fs::directory_iterator(runs_dir)) {
    if (entry.is_directory()) run_dirs.push_back(entry.path());
  }
  std::sort(run_dirs.begin(), run_dirs.end());
  // Axes: the settings that differ between runs (labels and machine settings aside).
  std::vector<std::map<std::string, nlohmann::json>> settings;
  std::set<std::string> varying;
  for (const auto& dir : run_dirs) {
    std::map<std::string, nlohmann::json> flat;
    flatten(read_json(experiment::RunPaths::from_run_dir(dir).experiment_json()), "", flat);
    for (const char* label : {"name", "description", "device", "threads", "language.regex", "language.alphabet"}) {
      flat.erase(label);
    }
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

void write_sweep_h5(const fs::path& path, const fs::path& sweep_dir, const std::vector<RunRecord>& records) {
  const experiment::RunPaths sweep_paths = experiment::RunPaths::from_sweep_dir(sweep_dir);
  io::produce_file_atomic(path, [&](const fs::path& tmp) {
    io::h5::File out = io::h5::File::create(tmp);
    const io::h5::Group runs = out.create_group("runs");
    for (const auto& record : records) {
      const experiment::RunPaths paths = sweep_paths.run(record.run_id);
      const io::h5::Group run = runs.create_group(record.run_id);
      run.set_attribute("status", record.status);
      nlohmann::json axes = nlohmann::json::object();
      for (const auto& [key, value] : record.axes) axes[key] = value;
      run.set_attribute("axes", axes.dump());
      if (record.status != "done" || !fs::exists(paths.metrics_h5())) continue;
      const io::h5::File in = io::h5::File::open(paths.metrics_h5());
      const io::h5::Group history_in = in.open_group("history");
      const io::h5::Group history_out = run.create_group("history");
      for (const auto& field : history_in.children()) {
        if (field == "step") {
          history_out.write(field, history_in.read<std::uint64_t>(field));
        } else {
          history_out.write(field, history_in.read<double>(field));
        }
      }
      const io::h5::Group eval_in = in.open_group("eval");
      const io::h5::Group eval_out = run.create_group("eval");
      for (const auto& split : eval_in.children()) {
        const io::h5::Group from = eval_in.open_group(split);
        const io::h5::Group to = eval_out.create_group(split);
        to.write("length", from.read<std::uint64_t>("length"));
        to.write("n", from.read<std::uint64_t>("n"));
        to.write("accuracy", from.read<double>("accuracy"));
        to.write("loss", from.read<double>("loss"));
      }
    }
    out.close();
  });
}

}  // namespace regal::aggregate
