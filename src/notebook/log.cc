// experiment_log.csv: rows built from a run folder, appended under the lock.
#include "notebook/log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "io/hash.h"
#include "io/json_file.h"
#include "layout/results_root.h"
#include "layout/status.h"
#include "notebook/registry.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/text.h"

namespace regal::notebook {
namespace fs = std::filesystem;
namespace {

// The shortest text that reads back to the same double (JSON's spelling),
// whole numbers without a point.
std::string number(const std::optional<double>& value) {
  if (!value) return "";
  if (std::isfinite(*value) && *value == std::floor(*value) && std::abs(*value) < 1e15) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", *value);
    return text;
  }
  return nlohmann::json(*value).dump();
}

std::optional<double> number_in(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string header_line() { return csv_line(log_columns()); }

// The file beside an older log: experiment_log.<schema digest>.csv.
fs::path beside(const fs::path& root) {
  return root / ("experiment_log." + io::sha256_hex(header_line()).substr(0, 8) + ".csv");
}

// The first line of a file, with its line end ("" when empty or missing).
std::string first_line(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return "";
  return line + "\n";
}

}  // namespace

const std::vector<std::string>& log_columns() {
  static const std::vector<std::string> columns = {
      "timestamp",      "sweep",          "experiment",   "run_id",          "axes",
      "status",         "attempt",        "duration_seconds", "best_val_loss", "best_val_acc",
      "acc_test_id",    "acc_test_len_ood", "hyperparameters", "error",        "max_temperature",
      "corpus_md5",     "corpus_sha256",  "host",         "rank"};
  return columns;
}

std::vector<std::string> LogRow::fields() const {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3f", duration_seconds);
  return {timestamp, sweep, experiment, run_id, axes.dump(), status, std::to_string(attempt), duration,
          number(best_val_loss), number(best_val_acc), number(acc_test_id), number(acc_test_len_ood),
          hyperparameters.dump(), error, number(max_temperature), corpus_md5, corpus_sha256, host, std::to_string(rank)};
}

LogRow log_row_from_run(const layout::RunPaths& paths, const std::string& sweep, const nlohmann::json& axes,
                        double duration_seconds, int rank) {
  LogRow row;
  row.sweep = sweep;
  row.run_id = paths.run_id();
  row.axes = axes.is_object() ? axes : nlohmann::json::object();
  row.duration_seconds = duration_seconds;
  row.rank = rank;
  row.host = host_name();
  const auto status = layout::read_status(paths);
  row.status = status ? layout::to_string(status->state) : "failed";
  row.timestamp = status && !status->ended.empty() ? status->ended : utc_now();
  if (status) {
    row.attempt = status->attempt;
    row.error = status->state == layout::RunState::kDone ? "" : status->error;
    if (!status->error.empty() && !status->stage.empty() && status->state == layout::RunState::kFailed) {
      row.error = status->stage + ": " + status->error;
    }
    row.max_temperature = status->max_temperature;
    if (!status->host.empty()) row.host = status->host;
  }
  if (const auto experiment = io::read_json_file(paths.experiment_json()); experiment && experiment->is_object()) {
    // `sweep --exp`: the experiment's name; in a sweep (whose runs carry the
    // sweep's name) its `experiment` axis, else the language.
    row.experiment = experiment->value("name", "");
    if (!sweep.empty()) {
      const auto axis = row.axes.find("experiment");
      row.experiment = axis != row.axes.end() && axis->is_string() ? axis->get<std::string>()
                       : experiment->contains("language") && (*experiment)["language"].is_object()
                           ? (*experiment)["language"].value("name", "")
                           : row.experiment;
    }
    for (const char* section : {"model", "train"}) {
      if (experiment->contains(section)) row.hyperparameters[section] = (*experiment)[section];
    }
  }
  if (status && status->state == layout::RunState::kDone) {
    if (const auto metrics = io::read_json_file(paths.metrics_json()); metrics && metrics->is_object()) {
      row.best_val_acc = number_in(*metrics, "best_val_acc");
      row.acc_test_id = number_in(*metrics, "acc_test_id");
      row.acc_test_len_ood = number_in(*metrics, "acc_test_len_ood");
    }
  }
  // The lowest validation loss of the history (any attempt's evaluations).
  if (std::ifstream history(paths.history_jsonl()); history) {
    for (std::string line; std::getline(history, line);) {
      try {
        const auto loss = number_in(nlohmann::json::parse(line), "val_loss");
        if (loss && (!row.best_val_loss || *loss < *row.best_val_loss)) row.best_val_loss = loss;
      } catch (const std::exception&) {
      }
    }
  }
  if (const auto telemetry = io::read_json_file(paths.telemetry_json()); telemetry && telemetry->is_object()) {
    row.corpus_md5 = telemetry->value("corpus_md5", "");
    row.corpus_sha256 = telemetry->value("corpus_sha256", "");
  }
  return row;
}

fs::path current_log_file(const fs::path& root) {
  const fs::path log = layout::experiment_log_csv(root);
  const std::string first = first_line(log);
  if (first.empty() || first == header_line() || first + "\r\n" == header_line()) return log;
  return beside(root);
}

fs::path append_log_row(const fs::path& root, const LogRow& row) {
  const io::FileLock lock = io::FileLock::lock(layout::registry_lock(root));
  fs::path file = current_log_file(root);
  if (file != layout::experiment_log_csv(root)) {
    static std::set<std::string> warned;  // once per file and process
    if (warned.insert(file.string()).second) {
      spdlog::warn("{} has another header (an older regal's columns): left as it is; new rows go to {}",
                   layout::experiment_log_csv(root).string(), file.string());
    }
  }
  std::error_code error;
  const bool fresh = !fs::exists(file, error) || fs::file_size(file, error) == 0;
  io::append_to_file(file, (fresh ? header_line() : std::string()) + csv_line(row.fields()));
  return file;
}

std::vector<std::vector<std::string>> read_log(const fs::path& root) {
  const fs::path file = current_log_file(root);
  const std::optional<std::string> text = io::read_file(file);
  if (!text) return {};
  std::vector<std::vector<std::string>> records;
  try {
    records = parse_csv(*text);
  } catch (const std::invalid_argument& error) {
    throw InputError(file.string() + ": " + error.what());
  }
  if (records.empty()) return {};
  records.erase(records.begin());  // the header
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() != log_columns().size()) {
      throw InputError(file.string() + ": row " + std::to_string(i + 2) + " has " + std::to_string(records[i].size()) +
                       " fields, not " + std::to_string(log_columns().size()));
    }
  }
  return records;
}

}  // namespace regal::notebook
