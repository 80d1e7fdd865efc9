#pragma once
// Comparison tables, shared by the sweep's reducer and the `aggregate` tool so
// that both produce the same bytes from the same runs.
//
// runs.*:    one row per run: sweep, run_id, status, every axis, metrics.
// summary.*: grouped by every axis except the seed: n, runs, which interval
//            leads, provenance, and per metric mean, std, 95% CI (Student t),
//            min, max, median, IQM and the bootstrap interval of the mean;
//            per test split the chance line and whether the runs beat it
//            (docs/statistics.md).
#include <cstdint>
#include <filesystem>
#include <map>
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
  std::string git_commit;                                // env.json: the source it was built from
  bool git_dirty = false;                                // env.json: with uncommitted changes
  std::string git_changes;                               // env.json: which ones (a hash; "" when unknown)
  std::filesystem::path run_dir;                         // its folder (empty for records built in memory)
};

// Settings of the statistics; the bootstrap seed and resamples are recorded
// in aggregate/stats.json so anyone can recompute.
struct StatsOptions {
  std::size_t summary_resamples = 2000;    // 0: no bootstrap columns (the reducer's tables mid-sweep)
  std::size_t compare_resamples = 10000;
  double confidence = 0.95;
  std::uint64_t seed = 20211206;           // base of every bootstrap stream (rliable's paper day)
  double alpha = 0.05;                     // tests, Holm family-wise
  double effect = 0.01;                    // the smallest difference that matters (ties, power)
  double power = 0.8;                      // power target for seeds needed
  nlohmann::json to_json() const;
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
// Columns: the group keys, n (done runs), runs (all runs of the group),
// interval ("t" below stats::kBootstrapMinSeeds runs, else "bootstrap": the
// one to read first), provenance ("" or what mixes: commits, builds of one
// commit with different uncommitted changes, a dirty tree of unknown changes),
// then for each metric <m>_mean, _std, _ci95, _min, _max, _median, _iqm,
// _boot_lo, _boot_hi; then for each acc_<split> among the metrics
// chance_<split> and above_chance_<split> (a one-sided paired t over runs,
// Holm-adjusted across the table).
Table summary_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                    const std::optional<std::vector<std::string>>& group_by, const StatsOptions& options = {});

// Lines to warn with when a summary mixes builds: more than one commit, builds
// with different uncommitted changes, or uncommitted changes not recorded.
std::vector<std::string> provenance_warnings(const std::vector<RunRecord>& records);

// For reading in a terminal: the group keys, n, and per metric one cell
// "mean ± ci95" (just the mean for a single run); metrics empty in every group
// are left out.
Table compact_summary(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                      const std::optional<std::vector<std::string>>& group_by, const StatsOptions& options = {});

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

// The number as the tables print it: whole numbers without a point, else 6
// significant digits; NaN as "".
std::string format_number(double value);

// Records grouped by their values of `keys`, groups in first-seen order
// (done runs only when `done_only`).
struct RecordGroups {
  std::vector<std::vector<std::string>> order;
  std::map<std::vector<std::string>, std::vector<const RunRecord*>> members;
};
RecordGroups group_records(const std::vector<RunRecord>& records, const std::vector<std::string>& keys,
                           bool done_only = false);

// The group keys of a summary (every axis but seed, "sweep" first when mixed).
std::vector<std::string> group_keys(const std::vector<RunRecord>& records,
                                    const std::optional<std::vector<std::string>>& group_by);
// A record's value of an axis as the tables print it ("" when absent).
std::string axis_text(const RunRecord& record, const std::string& axis);
// A record's value of an axis (nullptr when absent).
const nlohmann::json* axis_value(const RunRecord& record, const std::string& axis);
// Every axis of the records, in first-seen order.
std::vector<std::string> axis_names(const std::vector<RunRecord>& records);

// Renders rows as `to_json(table).dump(2)` does, byte for byte, a row at a
// time and without building JSON objects: keys in byte order (a repeated
// column: its last cell), an empty cell null, a cell that parses whole as a
// number (run_id aside) a number, else a string.
class JsonRows {
 public:
  explicit JsonRows(const std::vector<std::string>& columns);
  // A cell's value as JSON text.
  std::string value(std::size_t column, const std::string& text) const;
  // A row as an element of the indented array (no separator).
  std::string row(const std::vector<std::string>& cells) const;
  // The same from every column's value().
  std::string row_of_values(const std::vector<std::string>& values) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::size_t> order_;  // the columns as the object lists them
  std::vector<std::string> keys_;   // `    "name": ` of each, after the first with ",\n" before it
};

// to_json(table).dump(2) + "\n", byte for byte.
std::string json_text(const Table& table);

// The pieces of the tables, for a reducer that keeps rows between writes
// (live_tables.h): the same functions build runs_table and summary_table.
bool has_multiple_sweeps(const std::vector<RunRecord>& records);
std::vector<std::string> runs_columns(bool sweeps, const std::vector<std::string>& axes,
                                      const std::vector<std::string>& metrics);
std::vector<std::string> runs_row(const RunRecord& record, bool sweeps, const std::vector<std::string>& axes,
                                  const std::vector<std::string>& metrics);
// The test splits whose accuracy is among the metrics (each gets a chance line).
std::vector<std::string> chance_splits(const std::vector<std::string>& metrics);
std::vector<std::string> summary_columns(const std::vector<std::string>& keys, const std::vector<std::string>& metrics);
// One group's row with its above_chance cells empty, and the p-values that
// fill them once Holm has adjusted them across the table (one per split).
struct SummaryRow {
  std::vector<std::string> cells;
  std::vector<double> above_p;
};
SummaryRow summary_row(const std::vector<std::string>& key, const std::vector<const RunRecord*>& members,
                       const std::vector<std::string>& metrics, const StatsOptions& options);
// The column of above_chance_<k-th split> in a summary of `columns` columns.
std::size_t above_chance_column(std::size_t columns, std::size_t splits, std::size_t k);

// Writes runs.csv, runs.json, summary.csv, summary.json and stats.json into
// `dir`, each atomically.
void write_tables(const std::string& dir, const std::vector<RunRecord>& records,
                  const std::vector<std::string>& metrics, const std::optional<std::vector<std::string>>& group_by,
                  const StatsOptions& options = {});

}  // namespace regal::aggregate
