// registry.json: read, rebuilt from the folders, updated under the root's lock.
#include "notebook/registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "io/hash.h"
#include "layout/results_root.h"
#include "layout/run_paths.h"
#include "layout/run_state.h"
#include "layout/status.h"
#include "util/error.h"
#include "util/text.h"

namespace regal::notebook {
namespace fs = std::filesystem;
namespace {

constexpr int kVersion = 1;

std::string text_of(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void sort_newest_first(std::vector<RegistryEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const RegistryEntry& a, const RegistryEntry& b) {
    const std::string& at = a.last_started.empty() ? a.created : a.last_started;
    const std::string& bt = b.last_started.empty() ? b.created : b.last_started;
    if (at != bt) return at > bt;
    return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
  });
}

// The registry's entries; nullopt when the file is missing; IoError when it
// does not parse as a registry.
std::optional<std::vector<RegistryEntry>> load(const fs::path& file) {
  const std::optional<std::string> text = io::read_file(file);
  if (!text) return std::nullopt;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*text);
  } catch (const std::exception& error) {
    throw IoError(file.string() + " is not JSON: " + error.what());
  }
  if (!json.is_object() || !json.contains("entries") || !json["entries"].is_array()) {
    throw IoError(file.string() + " is not a registry (no \"entries\" list)");
  }
  std::vector<RegistryEntry> entries;
  for (const auto& entry : json["entries"]) {
    if (!entry.is_object() || text_of(entry, "name").empty()) throw IoError(file.string() + ": an entry without a name");
    entries.push_back(RegistryEntry::from_json(entry));
  }
  return entries;
}

std::string render(std::vector<RegistryEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const RegistryEntry& a, const RegistryEntry& b) { return std::tie(a.kind, a.name) < std::tie(b.kind, b.name); });
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : entries) list.push_back(entry.to_json());
  return nlohmann::json{{"version", kVersion}, {"entries", list}}.dump(2) + "\n";
}

// The earliest start and latest end among a folder's runs.
void times_of(const fs::path& dir, RegistryEntry& entry) {
  for (const auto& run_dir : layout::RunPaths::from_sweep_dir(dir).run_dirs()) {
    const auto status = layout::read_status(layout::RunPaths::from_run_dir(run_dir));
    if (!status) continue;
    const std::string started = status->first_started.empty() ? status->started : status->first_started;
    if (!started.empty() && (entry.created.empty() || started < entry.created)) entry.created = started;
    if (!status->started.empty() && status->started > entry.last_started) entry.last_started = status->started;
    if (!status->ended.empty() && status->ended > entry.last_finished) entry.last_finished = status->ended;
  }
}

}  // namespace

nlohmann::json RegistryEntry::to_json() const {
  return {{"name", name},
          {"kind", kind},
          {"spec_hash", spec_hash},
          {"spec_path", spec_path},
          {"created", created},
          {"last_started", last_started},
          {"last_finished", last_finished},
          {"runs", runs},
          {"command_line", command_line},
          {"host", host}};
}

RegistryEntry RegistryEntry::from_json(const nlohmann::json& json) {
  RegistryEntry entry;
  entry.name = text_of(json, "name");
  entry.kind = text_of(json, "kind");
  entry.spec_hash = text_of(json, "spec_hash");
  entry.spec_path = text_of(json, "spec_path");
  entry.created = text_of(json, "created");
  entry.last_started = text_of(json, "last_started");
  entry.last_finished = text_of(json, "last_finished");
  entry.command_line = text_of(json, "command_line");
  entry.host = text_of(json, "host");
  if (const auto runs = json.find("runs"); runs != json.end() && runs->is_object()) {
    for (const auto& [state, count] : runs->items()) {
      if (count.is_number_unsigned()) entry.runs[state] = count.get<std::size_t>();
    }
  }
  return entry;
}

std::map<std::string, std::size_t> count_run_states(const fs::path& sweep_dir) {
  std::map<std::string, std::size_t> counts;
  for (const auto& run_dir : layout::RunPaths::from_sweep_dir(sweep_dir).run_dirs()) {
    const auto status = layout::read_status(layout::RunPaths::from_run_dir(run_dir));
    ++counts[status ? layout::to_string(status->state) : "pending"];
  }
  return counts;
}

std::string describe_counts(const std::map<std::string, std::size_t>& runs) {
  std::string out;
  for (const char* state : {"done", "failed", "preempted", "thermal_abort", "running", "pending", "corrupt"}) {
    const auto it = runs.find(state);
    if (it == runs.end() || it->second == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + state;
  }
  return out.empty() ? "no runs" : out;
}

std::vector<RegistryEntry> scan_results_root(const fs::path& root) {
  std::vector<RegistryEntry> entries;
  std::error_code error;
  std::vector<fs::path> dirs;
  for (const auto& item : fs::directory_iterator(root, error)) {
    if (item.is_directory() && item.path().filename().string().rfind('.', 0) != 0) dirs.push_back(item.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    const layout::RunPaths paths = layout::RunPaths::from_sweep_dir(dir);
    RegistryEntry entry;
    entry.name = dir.filename().string();
    if (fs::exists(paths.spec_toml())) {
      entry.kind = "sweep";
      entry.spec_hash = io::sha256_hex(io::read_file(paths.spec_toml()).value_or(""));
    } else if (fs::is_directory(paths.runs_dir())) {
      entry.kind = "experiment";
    } else {
      continue;
    }
    times_of(dir, entry);
    entry.runs = count_run_states(dir);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<RegistryEntry> read_registry(const fs::path& root) {
  std::vector<RegistryEntry> entries = load(layout::registry_json(root)).value_or(std::vector<RegistryEntry>{});
  if (!fs::exists(layout::registry_json(root))) entries = scan_results_root(root);
  sort_newest_first(entries);
  return entries;
}

RegistryEntry update_registry(const fs::path& root, const std::string& kind, const std::string& name,
                              const std::function<void(RegistryEntry&)>& change) {
  const fs::path file = layout::registry_json(root);
  const io::FileLock lock = io::FileLock::lock(layout::registry_lock(root));
  std::vector<RegistryEntry> entries;
  try {
    if (auto loaded = load(file)) {
      entries = std::move(*loaded);
    } else {
      entries = scan_results_root(root);
      if (!entries.empty()) spdlog::info("{} was missing: rebuilt from {} folder(s) under {}", file.string(), entries.size(), root.string());
    }
  } catch (const IoError& error) {
    std::string stamp = utc_now();
    std::replace(stamp.begin(), stamp.end(), ':', '-');
    const fs::path kept = file.string() + ".bad-" + stamp;
    std::error_code ignored;
    fs::rename(file, kept, ignored);
    spdlog::warn("{}; kept as {} and rebuilt from the folders", error.what(), kept.string());
    entries = scan_results_root(root);
  }
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const RegistryEntry& entry) { return entry.kind == kind && entry.name == name; });
  if (it == entries.end()) {
    RegistryEntry entry;
    entry.kind = kind;
    entry.name = name;
    entry.created = utc_now();
    entries.push_back(std::move(entry));
    it = entries.end() - 1;
  }
  change(*it);
  if (it->created.empty()) it->created = utc_now();
  const RegistryEntry written = *it;
  io::write_file_atomic(file, render(std::move(entries)));
  return written;
}

std::string shell_join(const std::vector<std::string>& arguments) {
  std::string out;
  for (const auto& argument : arguments) {
    if (!out.empty()) out += ' ';
    const bool plain = !argument.empty() && argument.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += argument;
      continue;
    }
    out += '\'';
    for (const char c : argument) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace regal::notebook
