#pragma once
// The experiment log: results/experiment_log.csv, one row per finished run
// attempt (done, failed, preempted, thermal_abort), appended and never
// rewritten (docs/notebook.md). Each row is one write(2) on a file opened
// for appending, under the registry's lock, so rows from concurrent ranks and
// sweeps never interleave. A file whose header is not this schema's (an older
// regal) is left alone: rows go to a file beside it named after the schema.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layout/run_paths.h"

namespace regal::notebook {

// The columns, in order.
const std::vector<std::string>& log_columns();

struct LogRow {
  std::string timestamp;        // UTC of the attempt's end
  std::string sweep;            // the sweep's name ("" for `sweep --exp`)
  std::string experiment;       // the experiment's name
  std::string run_id;
  nlohmann::json axes = nlohmann::json::object();  // the sweep's axis values of this run
  std::string status;           // done | failed | preempted | thermal_abort
  int attempt = 0;
  double duration_seconds = 0;
  std::optional<double> best_val_loss, best_val_acc, acc_test_id, acc_test_len_ood;
  nlohmann::json hyperparameters = nlohmann::json::object();  // model.* and train.*
  std::string error;
  std::optional<double> max_temperature;
  std::string corpus_md5, corpus_sha256;
  std::string host;
  int rank = 0;

  std::vector<std::string> fields() const;
};

// A row from what the run folder says after an attempt: status.json (state,
// error, attempt, host, the hottest reading), metrics.json, logs/history.jsonl
// (the lowest validation loss), experiment.json (hyperparameters) and
// data/telemetry.json (the corpus hashes). Missing files leave fields empty.
LogRow log_row_from_run(const layout::RunPaths& paths, const std::string& sweep, const nlohmann::json& axes,
                        double duration_seconds, int rank);

// Appends one row to the root's log under the lock; writes the header first
// when the file is new. Returns the file the row went to.
std::filesystem::path append_log_row(const std::filesystem::path& root, const LogRow& row);

// The file rows of this schema go to (the log, or the one beside an older log).
std::filesystem::path current_log_file(const std::filesystem::path& root);

// Every row of the root's log as column -> value; an empty list when there is
// none. Throws InputError naming the file when it does not parse.
std::vector<std::vector<std::string>> read_log(const std::filesystem::path& root);

}  // namespace regal::notebook
