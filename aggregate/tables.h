#pragma once
// Comparison tables, shared by the sweep's reducer and the `aggregate` tool so
// that both produce the same bytes from the same runs.
//
// runs.*:    one row per run: sweep, run_id, status, every axis, metrics.
// summary.*: grouped by every axis except the seed: n, mean, std, 95% CI
//            (Student t), min, max of each metric over the runs that have it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layout/run_state.h"

namespace regal::aggregate {

struct RunRecord {
  std::string sweep;                                     // sweep name (folder)
  std::string run_id;                                    // 12 hex digits
  layout::RunState state = layout::RunState::kPending;   // from status.json
  std::vector<std::pair<std::string, nlohmann::json>> axes;  // axis name -> value, in plan order
  nlohmann::json metrics = nlohmann::json::object();     // metrics.json (empty unless done)
  std::string error;                                     // failed: "stage: message"
};

// The metrics reported by default, in column order.
const std::vector<std::string>& default_metrics();

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // cells as text; "" for a missing value
};

// One row per record, in the given order. Columns: sweep (when more than one
// sweep is present), run_id, status, the union of axes (first-seen order),
// each metric, error.
Table runs_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics);

// Groups by `group_by` (default: every axis except seed), over done runs.
// Columns: the group keys, n (done runs), runs (all runs of the group), then
// for each metric: <m>_mean, <m>_std, <m>_ci95, <m>_min, <m>_max.
Table summary_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                    const std::optional<std::vector<std::string>>& group_by);

// For reading in a terminal: the group keys, n, and per metric one cell
// "mean ± ci95" (just the mean for a single run); metrics empty in every group
// are left out.
Table compact_summary(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                      const std::optional<std::vector<std::string>>& group_by);

// The metrics a terminal summary shows by default.
const std::vector<std::string>& display_metrics();

// Renderers. CSV is RFC 4180 with a header row; JSON is a list of objects
// (numbers where a cell parses as one); the terminal form aligns columns.
std::string to_csv(const Table& table);
nlohmann::json to_json(const Table& table);
std::string to_markdown(const Table& table);
std::string to_terminal(const Table& table);

// A cell for a JSON value: numbers with up to 6 significant digits after the
// point, strings as they are, null as "".
std::string cell(const nlohmann::json& value);

// Writes runs.csv, runs.json, summary.csv, summary.json into `dir`, each atomically.
void write_tables(const std::string& dir, const std::vector<RunRecord>& records,
                  const std::vector<std::string>& metrics, const std::optional<std::vector<std::string>>& group_by);

}  // namespace regal::aggregate
