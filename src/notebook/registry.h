#pragma once
// The registry: results/registry.json, one entry per sweep and per
// `sweep --exp` experiment under a results root (docs/notebook.md). Every
// update takes the root's lock (fcntl, results/.registry.lock: it works on
// NFS and Lustre), reads the file, changes one entry and renames a complete
// new file into place, so concurrent sweeps never lose each other's entries.
// A missing registry is rebuilt from the folders; a corrupt one is kept as
// registry.json.bad-<time> and rebuilt, with a warning.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::notebook {

struct RegistryEntry {
  std::string name;                             // the sweep's or experiment's folder under the root
  std::string kind;                             // "sweep" | "experiment"
  std::string spec_hash;                        // SHA-256 of the spec's text (of the experiment's JSON)
  std::string spec_path;                        // as given on the command line ("" when rebuilt)
  std::string created;                          // UTC; the earliest start known
  std::string last_started, last_finished;      // UTC ("" when it never finished)
  std::map<std::string, std::size_t> runs;      // state -> count, at the last update
  std::string command_line;                     // the last command, shell-quoted
  std::string host;                             // where it last started

  nlohmann::json to_json() const;
  static RegistryEntry from_json(const nlohmann::json& json);
};

// The entries, newest start first (then by name). A missing registry reads as
// the folders say (nothing is written); a corrupt one throws IoError naming it.
std::vector<RegistryEntry> read_registry(const std::filesystem::path& root);

// Under the lock: the entry (kind, name) is created when new (fields empty,
// `created` now) and passed to `change`; the registry is written atomically.
// Returns the entry as written.
RegistryEntry update_registry(const std::filesystem::path& root, const std::string& kind, const std::string& name,
                              const std::function<void(RegistryEntry&)>& change);

// The entries the folders under `root` imply: a folder with spec.toml is a
// sweep, one with runs/ an experiment; times and counts from status.json.
std::vector<RegistryEntry> scan_results_root(const std::filesystem::path& root);

// Runs by state under a sweep or experiment folder (every run folder's status.json).
std::map<std::string, std::size_t> count_run_states(const std::filesystem::path& sweep_dir);

// "3 done, 1 failed" in the order of the states; "no runs" when empty.
std::string describe_counts(const std::map<std::string, std::size_t>& runs);

// A command line as a shell would take it back: arguments with spaces or
// quotes are single-quoted.
std::string shell_join(const std::vector<std::string>& arguments);

}  // namespace regal::notebook
