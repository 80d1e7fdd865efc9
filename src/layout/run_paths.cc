// RunPaths: where everything of a sweep lives. The only I/O here is deciding
// between a run's flat (older) and sharded folder, and listing run folders.
#include "layout/run_paths.h"

#include <algorithm>
#include <cctype>

#include "util/error.h"

namespace regal::layout {
namespace fs = std::filesystem;
namespace {

// Absolute, normalised, without a trailing separator.
fs::path clean(const fs::path& dir) {
  const fs::path normal = fs::absolute(dir).lexically_normal();
  return normal.filename().empty() ? normal.parent_path() : normal;
}

// A shard folder's name: the run id's first two hex digits.
bool is_shard_name(const std::string& name) {
  return name.size() == 2 && std::isxdigit(static_cast<unsigned char>(name[0])) &&
         std::isxdigit(static_cast<unsigned char>(name[1]));
}

}  // namespace

RunPaths::RunPaths(fs::path root, std::string sweep, std::string run_id)
    : sweep_dir_(std::move(root) / std::move(sweep)), run_id_(std::move(run_id)) {
  if (run_id_.empty()) return;
  const fs::path flat = runs_dir() / run_id_;
  std::error_code error;
  if (run_id_.size() < 2 || fs::is_directory(flat, error)) {
    run_dir_ = flat;
  } else {
    run_dir_ = runs_dir() / run_id_.substr(0, 2) / run_id_;
  }
}

RunPaths RunPaths::from_run_dir(const fs::path& run_dir) {
  const fs::path dir = clean(run_dir);
  const fs::path parent = dir.parent_path();
  const fs::path sweep = parent.filename() == "runs" ? parent.parent_path() : parent.parent_path().parent_path();
  return RunPaths(Exact{}, sweep, dir.filename().string(), dir);
}

RunPaths RunPaths::from_sweep_dir(const fs::path& sweep_dir) {
  const fs::path dir = clean(sweep_dir);
  return RunPaths(Exact{}, dir, "", {});
}

std::vector<fs::path> RunPaths::run_dirs() const {
  std::vector<fs::path> dirs;
  std::error_code error;
  if (!fs::is_directory(runs_dir(), error)) return dirs;
  for (const auto& entry : fs::directory_iterator(runs_dir())) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (!is_shard_name(name)) {
      dirs.push_back(entry.path());
      continue;
    }
    for (const auto& run : fs::directory_iterator(entry.path())) {
      if (run.is_directory()) dirs.push_back(run.path());
    }
  }
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return dirs;
}

bool keeps_checkpoint(const std::string& keep, const std::string& name) {
  if (keep != "both" && keep != "best" && keep != "last" && keep != "none") {
    throw InputError("--keep-checkpoints must be best, last, both or none (got '" + keep + "')");
  }
  return keep == "both" || keep == name;
}

}  // namespace regal::layout
