#include "experiment/run_paths.h"

namespace regal::experiment {

namespace {

// Absolute, normalised, without a trailing separator.
std::filesystem::path clean(const std::filesystem::path& dir) {
  const std::filesystem::path normal = std::filesystem::absolute(dir).lexically_normal();
  return normal.filename().empty() ? normal.parent_path() : normal;
}

}  // namespace

RunPaths RunPaths::from_run_dir(const std::filesystem::path& run_dir) {
  const std::filesystem::path dir = clean(run_dir);
  return from_sweep_dir(dir.parent_path().parent_path()).run(dir.filename().string());
}

RunPaths RunPaths::from_sweep_dir(const std::filesystem::path& sweep_dir) {
  const std::filesystem::path dir = clean(sweep_dir);
  return RunPaths(dir.parent_path(), dir.filename().string(), "");
}

}  // namespace regal::experiment
