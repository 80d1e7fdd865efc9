#include "experiment/run_paths.h"

namespace regal::experiment {

RunPaths RunPaths::from_run_dir(const std::filesystem::path& run_dir) {
  const std::filesystem::path dir = std::filesystem::absolute(run_dir).lexically_normal();
  const std::filesystem::path clean = dir.filename().empty() ? dir.parent_path() : dir;
  const std::filesystem::path sweep_dir = clean.parent_path().parent_path();
  return RunPaths(sweep_dir.parent_path(), sweep_dir.filename().string(), clean.filename().string());
}

}  // namespace regal::experiment
