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
#include <functional>
#include <map>
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

namespace {

// plan.json's entry for one run.
nlohmann::json plan_entry(const PlannedRun& run) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& [key, value] : run.axes) axes.push_back({key, value});
  return {{"run_id", run.run_id}, {"axes", axes}, {"cost", run.cost}};
}

// plan.json without its runs.
nlohmann::json plan_head(const SweepSpec& spec) {
  nlohmann::json plan = {{"sweep", spec.name}, {"description", spec.description}};
  if (!spec.comparisons.empty()) plan["compare"] = spec.comparisons;
  if (!spec.fits.empty()) plan["fit"] = spec.fits;
  return plan;
}

// `text` (a dump(2)) as it stands `spaces` deep inside an enclosing dump(2).
std::string indented(const std::string& text, std::size_t spaces) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    out += c;
    if (c == '\n') out.append(spaces, ' ');
  }
  return out;
}

// Writes `head` with `key` set to an array of `count` entries, entry(i) each,
// byte for byte as io::write_json_file would (dump(2), keys in order), without
// holding the whole document: a 100,000-run plan_full.json is ~200 MB of text
// and several times that as a JSON tree.
void write_json_with_array(const fs::path& path, nlohmann::json head, const std::string& key, std::size_t count,
                           const std::function<nlohmann::json(std::size_t)>& entry) {
  head[key] = nullptr;  // its place among the keys
  io::write_file_atomic_in_parts(path, [&](const std::function<void(std::string_view)>& put) {
    put("{");
    bool first = true;
    for (const auto& [name, value] : head.items()) {
      put(first ? "\n  " : ",\n  ");
      first = false;
      put(nlohmann::json(name).dump());
      put(": ");
      if (name != key) {
        put(indented(value.dump(2), 2));
        continue;
      }
      if (count == 0) {
        put("[]");
        continue;
      }
      put("[");
      for (std::size_t i = 0; i < count; ++i) {
        put(i == 0 ? "\n    " : ",\n    ");
        put(indented(entry(i).dump(2), 4));
      }
      put("\n  ]");
    }
    put("\n}\n");
  });
}

}  // namespace

nlohmann::json plan_json(const SweepSpec& spec, const std::vector<PlannedRun>& runs) {
  nlohmann::json plan = plan_head(spec);
  plan["runs"] = nlohmann::json::array();
  for (const auto& run : runs) plan["runs"].push_back(plan_entry(run));
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
  // An edit that leaves every run as it was (a comment, the description, a
  // [[compare]] or [[fit]] added) goes on by itself. A search's later rungs
  // depend on the whole [search] table, so its edits always need the flag.
  const bool same_runs = !spec.search && added == 0 && removed == 0;
  if (!allow && !same_runs) {
    throw InputError(spec.file.string() + " differs from " + paths.spec_toml().string() + " (" + summary +
                     "); pass --allow-spec-change to go on (done runs are reused)");
  }
  std::string stamp = utc_now();
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  // Never over an older archive made in the same second.
  std::string name = stamp;
  for (int n = 2; fs::exists(paths.archived_spec_toml(name)); ++n) name = stamp + "-" + std::to_string(n);
  fs::rename(paths.spec_toml(), paths.archived_spec_toml(name));
  if (same_runs) {
    spdlog::info("spec changed but none of its {} runs did; the old one is kept as spec.{}.toml", after.size(), name);
  } else {
    spdlog::info("spec changed ({}); the old one is kept as spec.{}.toml", summary, name);
  }
}

void write_plan(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths) {
  fs::create_directories(paths.sweep_dir());
  io::write_file_atomic(paths.spec_toml(), spec.text);
  write_json_with_array(paths.plan_json(), plan_head(spec), "runs", runs.size(),
                        [&](std::size_t i) { return plan_entry(runs[i]); });
  write_json_with_array(paths.plan_full_json(), {{"sweep", spec.name}}, "runs", runs.size(), [&](std::size_t i) {
    return nlohmann::json{{"run_id", runs[i].run_id}, {"experiment", runs[i].experiment.to_json()}};
  });
}

namespace {

std::string what_would_be_written(const layout::RunPaths& paths) {
  return "would write " + paths.spec_toml().string() + ", " + paths.plan_json().string() + ", " +
         paths.plan_full_json().string() + ",\n  a run folder per run (docs/results.md), and " +
         paths.aggregate_dir().string() + "/{runs,summary}.{csv,json}, sweep.h5\n";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

// A large plan in a screenful: each axis's values with their counts, the
// states on disk, and the estimates over every run.
std::string dry_run_summary(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths) {
  constexpr std::size_t kValuesShown = 12;
  std::vector<std::string> axes;
  std::map<std::string, std::vector<std::pair<std::string, std::size_t>>> values;  // axis -> (value, count) in first-seen order
  std::map<std::string, std::map<std::string, std::size_t>> where;
  std::map<std::string, std::size_t> states;
  RunEstimate total, low, high;
  low.parameters = low.memory_bytes = 1e300;
  const bool fresh = !fs::exists(paths.runs_dir());  // nothing on disk to look at
  for (const auto& run : runs) {
    for (const auto& [axis, value] : run.axes) {
      if (!values.count(axis)) axes.push_back(axis);
      const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      auto& seen = where[axis];
      const auto found = seen.find(text);
      if (found == seen.end()) {
        seen.emplace(text, values[axis].size());
        values[axis].push_back({text, 1});
      } else {
        ++values[axis][found->second].second;
      }
    }
    if (fresh) {
      ++states["new"];
    } else {
      const layout::RunPaths run_paths = paths.run(run.run_id);
      ++states[fs::exists(run_paths.status_json())
                   ? layout::to_string(aggregate::read_run(run_paths.run_dir(), spec.name, run.axes).state)
                   : "new"];
    }
    const RunEstimate estimate = estimate_run(run.experiment);
    total.strings += estimate.strings;
    total.parameters += estimate.parameters;
    total.memory_bytes += estimate.memory_bytes;
    low.parameters = std::min(low.parameters, estimate.parameters);
    high.parameters = std::max(high.parameters, estimate.parameters);
    low.memory_bytes = std::min(low.memory_bytes, estimate.memory_bytes);
    high.memory_bytes = std::max(high.memory_bytes, estimate.memory_bytes);
  }
  std::ostringstream out;
  out << "sweep " << spec.name << ": " << runs.size() << " runs into " << paths.sweep_dir().string() << "\n"
      << "(more than " << kDryRunListLimit << " runs: a summary; --list-runs lists every run)\n\naxes, in plan order:\n";
  std::size_t width = 0;
  for (const auto& axis : axes) width = std::max(width, axis.size());
  for (const auto& axis : axes) {
    const auto& list = values[axis];
    out << "  " << axis << std::string(width - axis.size(), ' ') << "  " << list.size() << " value(s): ";
    for (std::size_t i = 0; i < list.size() && i < kValuesShown; ++i) {
      out << (i ? ", " : "") << list[i].first << " (" << list[i].second << ")";
    }
    if (list.size() > kValuesShown) out << ", ... and " << list.size() - kValuesShown << " more";
    out << "\n";
  }
  out << "\nstate on disk:";
  for (const auto& [state, count] : states) out << " " << count << " " << state << ";";
  out << "\n";
  if (!runs.empty()) {
    out << "estimates over every run: " << number(total.strings) << " corpus strings; " << number(low.parameters) << " to "
        << number(high.parameters) << " parameters a run; " << human_bytes(low.memory_bytes) << " to "
        << human_bytes(high.memory_bytes) << " of memory a run\n";
  }
  out << "\n" << what_would_be_written(paths);
  return out.str();
}

}  // namespace

std::string dry_run_text(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const layout::RunPaths& paths,
                         bool list_runs) {
  if (runs.size() > kDryRunListLimit && !list_runs) return dry_run_summary(spec, runs, paths);
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
      << aggregate::to_terminal(table) << "\n" << what_would_be_written(paths);
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
