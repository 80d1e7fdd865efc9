// Pre-flight checks: each one says what it found, and the failures what to
// do. The disk estimate is an upper bound from the settings (checkpoints at
// float32 with two AdamW moments, corpora counted once per cache key).
#include "sweep/preflight.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "aggregate/plot.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "model/config.h"
#include "sweep/guards.h"
#include "sweep/resources.h"
#include "util/error.h"

namespace regal::sweep {
namespace fs = std::filesystem;
namespace {

constexpr double kRunFiles = 1.5 * 1024 * 1024;  // metrics, history, logs, status, figures of one run
constexpr double kMargin = 1.25;                   // on top of the estimate
constexpr double kSlack = 256.0 * 1024 * 1024;     // and this much left free

// The folder that exists nearest to `path` (itself or an ancestor).
fs::path existing_ancestor(fs::path path) {
  std::error_code error;
  if (path.empty()) path = ".";
  path = fs::absolute(path, error);
  while (!fs::exists(path, error) && path.has_parent_path() && path.parent_path() != path) path = path.parent_path();
  return path;
}

Check check_results_root(const fs::path& root) {
  Check check{"results root", true, ""};
  std::error_code error;
  if (fs::exists(root, error) && !fs::is_directory(root, error)) {
    return {check.name, false, "--results " + root.string() + " is a file, not a folder"};
  }
  const fs::path existing = existing_ancestor(root);
  if (!fs::is_directory(existing, error)) {
    return {check.name, false, "--results " + root.string() + ": " + existing.string() + " is a file, so it cannot be created"};
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    return {check.name, false, "--results " + root.string() + ": cannot write in " + existing.string() + " (" + std::strerror(errno) + ")"};
  }
  check.detail = root.string() + (fs::exists(root, error) ? " exists and is writable" : " can be created in " + existing.string());
  return check;
}

Check check_disk(const fs::path& root, const std::vector<const PlannedRun*>& runs, std::size_t done) {
  Check check{"disk space", true, ""};
  double need = 0;
  std::size_t todo = 0;
  std::set<std::string> corpora;
  for (const PlannedRun* run : runs) {
    const DiskEstimate estimate = estimate_disk(run->experiment);
    need += estimate.run_bytes;
    ++todo;
    const auto& e = run->experiment;
    nlohmann::json language = e.language.to_json();
    language.erase("name");  // a label: the same task under two names is one corpus
    const std::string corpus_key = language.dump() + '\n' + e.data.to_json().dump() + '\n' + std::to_string(e.seed);
    if (corpora.insert(corpus_key).second) need += estimate.corpus_bytes;
  }
  const fs::path existing = existing_ancestor(root);
  struct statvfs stats {};
  if (::statvfs(existing.c_str(), &stats) != 0) {
    check.detail = "cannot read the free space of " + existing.string() + " (" + std::strerror(errno) + "); not checked";
    return check;
  }
  const double free_bytes = static_cast<double>(stats.f_bavail) * static_cast<double>(stats.f_frsize);
  const double wanted = need * kMargin + kSlack;
  const std::string figures = std::to_string(todo) + " run(s) to do (" + std::to_string(done) + " done) need about " + human_bytes(need) + " (" +
                              std::to_string(corpora.size()) + " corpora, checkpoints, metrics); " + human_bytes(free_bytes) +
                              " free at " + existing.string();
  if (free_bytes < wanted) {
    return {check.name, false, figures + ", less than that plus 25% and " + human_bytes(kSlack) +
                                   ": free space, or point --results elsewhere"};
  }
  check.detail = figures;
  return check;
}

}  // namespace

DiskEstimate estimate_disk(const experiment::Experiment& e) {
  DiskEstimate estimate;
  const RunEstimate run = estimate_run(e);
  const double checkpoint = run.parameters * 4.0 * 3.0 + 64.0 * 1024;  // weights, AdamW's two moments, the header
  estimate.run_bytes = 2 * checkpoint + kRunFiles;
  // On disk: one byte per symbol, an offset and a label per string, HDF5's overhead.
  estimate.corpus_bytes = run.symbols + run.strings * 9.0 + 64.0 * 1024;
  return estimate;
}

std::vector<Check> preflight(const PreflightInput& input) {
  std::vector<Check> checks;
  checks.push_back(check_results_root(input.results));
  // Runs still to do: those whose folders are not done.
  std::vector<const PlannedRun*> todo;
  std::vector<std::pair<std::string, const experiment::Experiment*>> sizes;
  std::set<std::string> languages;
  bool cuda = false;
  std::string cuda_run;
  for (const auto& run : *input.runs) {
    languages.insert(run.experiment.language.to_json().dump());
    sizes.emplace_back(run.run_id, &run.experiment);
    if (run.experiment.device.rfind("cuda", 0) == 0 && !cuda) {
      cuda = true;
      cuda_run = run.run_id;
    }
  }
  const layout::RunPaths sweep_paths = layout::RunPaths::from_sweep_dir(input.sweep_dir);
  for (const auto& run : *input.runs) {
    const auto status = layout::read_status(sweep_paths.run(run.run_id));
    if (!status || status->state != layout::RunState::kDone) todo.push_back(&run);
  }
  Check memory{"memory per run", true, ""};
  try {
    double largest = 0;
    for (const auto& [id, experiment] : sizes) largest = std::max(largest, estimate_run(*experiment).memory_bytes);
    if (input.memory_per_run) {
      check_run_sizes(sizes, *input.memory_per_run, "--memory-per-run");
      memory.detail = "the largest run needs about " + human_bytes(largest) + "; --memory-per-run " + human_bytes(*input.memory_per_run);
    } else if (const auto limit = memory_per_child(input.children_per_node)) {
      check_run_sizes(sizes, *limit, "the memory this node has free, over " + std::to_string(input.children_per_node) + " run(s) at once");
      memory.detail = "the largest run needs about " + human_bytes(largest) + "; one of " + std::to_string(input.children_per_node) +
                      " run(s) at once may use " + human_bytes(*limit);
    } else {
      memory.detail = "the node's free memory cannot be read; not checked";
    }
  } catch (const InputError& error) {
    memory.ok = false;
    memory.detail = error.what();
  }
  checks.push_back(memory);
  if (input.disk) {
    checks.push_back(check_disk(input.results, todo, input.runs->size() - todo.size()));
  } else {
    checks.push_back({"disk space", true, "not checked (--no-disk-check)"});
  }

  Check gpu{"GPU", true, ""};
  if (cuda) {
    const std::size_t gpus = visible_gpu_count();
    if (gpus == 0) {
      gpu.ok = false;
      gpu.detail = "run " + cuda_run + " asks for device cuda, and no GPU is visible here" +
                   (std::getenv("CUDA_VISIBLE_DEVICES") ? std::string(" (CUDA_VISIBLE_DEVICES=") + std::getenv("CUDA_VISIBLE_DEVICES") + ")" : "") +
                   ": run on a GPU node, or set device = \"auto\" or \"cpu\"";
    } else {
      gpu.detail = std::to_string(gpus) + " visible";
    }
  } else {
    gpu.detail = "no run asks for cuda";
  }
  checks.push_back(gpu);

  Check tools{"report tools", true, ""};
  if (input.report) {
    try {
      const aggregate::plot::Tools found = aggregate::plot::require_tools("--no-report");
      tools.detail = "gnuplot and dot found";
    } catch (const InputError& error) {
      tools.ok = false;
      tools.detail = error.what();
    }
  } else {
    tools.detail = "no report (--no-report)";
  }
  checks.push_back(tools);

  checks.push_back({"languages", true, std::to_string(languages.size()) + " language(s) compile within their state budget"});
  if (!input.thermal.empty()) checks.push_back({"thermal guard", true, input.thermal});
  if (!input.run_binary.empty()) {
    const bool runnable = ::access(input.run_binary.c_str(), X_OK) == 0;
    checks.push_back({"run binary", runnable,
                      runnable ? input.run_binary.string()
                               : input.run_binary.string() + " is missing or not executable: build it beside sweep "
                                                             "(it executes every run)"});
  }
  return checks;
}

std::string describe_checks(const std::vector<Check>& checks) {
  std::size_t width = 0;
  for (const auto& check : checks) width = std::max(width, check.name.size());
  std::string out;
  for (const auto& check : checks) {
    out += std::string(check.ok ? "ok    " : "FAIL  ") + check.name + std::string(width + 2 - check.name.size(), ' ') + check.detail + "\n";
  }
  return out;
}

void require_checks(const std::vector<Check>& checks) {
  for (const auto& check : checks) {
    if (!check.ok) throw InputError(check.detail);
  }
}

}  // namespace regal::sweep
