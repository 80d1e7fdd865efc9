#pragma once
// The results root (`--results`, default results/): checked before anything
// is written into it.
#include <filesystem>

namespace regal::layout {

// Creates the folder when missing. Throws InputError, in one line naming the
// path, when it is a file, cannot be created, or cannot be written.
void prepare_results_root(const std::filesystem::path& root);

// The lab notebook's files at the root (docs/notebook.md): every sweep and
// experiment, the lock that serialises their updates and the log's rows, and
// the append-only log of run attempts.
inline std::filesystem::path registry_json(const std::filesystem::path& root) { return root / "registry.json"; }
inline std::filesystem::path registry_lock(const std::filesystem::path& root) { return root / ".registry.lock"; }
inline std::filesystem::path experiment_log_csv(const std::filesystem::path& root) { return root / "experiment_log.csv"; }

}  // namespace regal::layout
