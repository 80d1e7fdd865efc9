#pragma once
// metrics.h5, a run's curves and per-length scores (schema in docs/results.md):
//
//   /            attributes run_id, experiment (JSON)
//   /history/    one dataset per column: step (uint64), then lr, train_loss,
//                train_acc, val_loss, val_acc, elapsed_seconds,
//                strings_per_second (float64), one entry per evaluation
//   /eval/<split>/  length, n, accepted (uint64), accuracy, loss (float64), per
//                length (accepted: strings of the language among the n; files
//                written before it was added lack it)
//   /summary     attributes: every scalar of metrics.json
//
// The run's pipeline writes it, sweep.h5 copies /history and /eval of every
// run; both go through here.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/hdf5.h"

namespace regal::layout {

// The float64 history columns, in the order they are written.
inline constexpr const char* kHistoryColumns[] = {"lr", "train_loss", "train_acc", "val_loss", "val_acc",
                                                  "elapsed_seconds", "strings_per_second"};

struct SplitScores {
  std::vector<std::uint64_t> length, n;  // per evaluated length: the length, strings evaluated
  std::vector<double> accuracy, loss;    // per length
  std::vector<std::uint64_t> accepted;   // per length: strings labelled accepted (empty in older files)
  std::vector<std::uint64_t> majority;   // per length: strings of the most frequent class (empty in older files)
  std::vector<std::uint64_t> confusion;  // k x k row-major, [true class][predicted class] (empty in older files)
  std::vector<std::string> classes;      // the k class names, by index (with confusion)
};

struct RunCurves {
  std::vector<std::uint64_t> step;                     // /history/step
  std::map<std::string, std::vector<double>> history;  // /history/<column>, kHistoryColumns
  std::map<std::string, SplitScores> eval;             // /eval/<split>
};

// Writes metrics.h5 atomically. `summary` is metrics.json: its numbers,
// booleans (as 0/1) and strings become attributes of /summary.
void write_metrics_h5(const std::filesystem::path& path, const std::string& run_id, const nlohmann::json& experiment,
                      const RunCurves& curves, const nlohmann::json& summary);

// /history and /eval of a metrics.h5. Throws IoError when it cannot be read.
RunCurves read_curves(const std::filesystem::path& path);

// Writes curves as /history and /eval under `group` (sweep.h5's per-run groups).
void write_curves(const io::h5::Group& group, const RunCurves& curves);

}  // namespace regal::layout
