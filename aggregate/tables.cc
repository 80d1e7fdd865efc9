// The comparison tables shared by the reducer and `aggregate`: runs (one row
// per run, in plan order) and summary (grouped by every axis but the seed:
// n, mean, std, Student-t 95% interval, min, max). Everything is a pure
// function of the records, numbers are printed with fixed rules (%.6g, whole
// numbers without a point), so the same runs give byte-identical files
// whichever process writes them.
#include "aggregate/tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "io/atomic_file.h"
#include "stats/bootstrap.h"
#include "stats/descriptive.h"
#include "stats/tests.h"
#include "util/csv.h"
#include "util/rng.h"

namespace regal::aggregate {
bool has_multiple_sweeps(const std::vector<RunRecord>& records) {
  for (const auto& r : records) {
    if (r.sweep != records.front().sweep) return true;
  }
  return false;
}

std::vector<std::string> axis_names(const std::vector<RunRecord>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) {
    for (const auto& [name, value] : r.axes) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

const nlohmann::json* axis_value(const RunRecord& r, const std::string& name) {
  for (const auto& [key, value] : r.axes) {
    if (key == name) return &value;
  }
  return nullptr;
}

RecordGroups group_records(const std::vector<RunRecord>& records, const std::vector<std::string>& keys, bool done_only) {
  RecordGroups out;
  for (const auto& r : records) {
    if (done_only && r.state != layout::RunState::kDone) continue;
    std::vector<std::string> key;
    for (const auto& k : keys) key.push_back(axis_text(r, k));
    if (!out.members.count(key)) out.order.push_back(key);
    out.members[key].push_back(&r);
  }
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

const std::vector<std::string>& default_metrics() {
  static const std::vector<std::string> metrics = {
      "acc_test_id",     "acc_test_len_ood", "acc_test_edge_ood", "acc_test_border", "ood_gap_len",
      "ood_gap_edge",    "ood_gap_border",   "horizon",           "worst_len_test_len_ood",
      "parameters",      "train_seconds"};
  return metrics;
}

const std::vector<std::string>& display_metrics() {
  static const std::vector<std::string> metrics = {"acc_test_id", "acc_test_len_ood", "acc_test_edge_ood",
                                                   "acc_test_border", "horizon"};
  return metrics;
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return format_number(value.get<double>());
  return value.dump();
}

std::vector<std::string> runs_columns(bool sweeps, const std::vector<std::string>& axes,
                                      const std::vector<std::string>& metrics) {
  std::vector<std::string> columns;
  if (sweeps) columns.push_back("sweep");
  columns.insert(columns.end(), {"run_id", "status"});
  columns.insert(columns.end(), axes.begin(), axes.end());
  columns.insert(columns.end(), metrics.begin(), metrics.end());
  columns.push_back("error");
  return columns;
}

std::vector<std::string> runs_row(const RunRecord& r, bool sweeps, const std::vector<std::string>& axes,
                                  const std::vector<std::string>& metrics) {
  std::vector<std::string> row;
  row.reserve(axes.size() + metrics.size() + 4);
  if (sweeps) row.push_back(r.sweep);
  row.push_back(r.run_id);
  row.push_back(layout::to_string(r.state));
  for (const auto& axis : axes) {
    const nlohmann::json* value = axis_value(r, axis);
    row.push_back(value == nullptr ? "" : cell(*value));
  }
  for (const auto& metric : metrics) {
    const auto found = r.metrics.find(metric);
    row.push_back(found == r.metrics.end() ? "" : cell(*found));
  }
  row.push_back(r.error);
  return row;
}

Table runs_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics) {
  const bool sweeps = has_multiple_sweeps(records);
  const std::vector<std::string> axes = axis_names(records);
  Table table;
  table.columns = runs_columns(sweeps, axes, metrics);
  table.rows.reserve(records.size());
  for (const auto& r : records) table.rows.push_back(runs_row(r, sweeps, axes, metrics));
  return table;
}

nlohmann::json StatsOptions::to_json() const {
  return {{"bootstrap_seed", seed},   {"summary_resamples", summary_resamples},
          {"compare_resamples", compare_resamples}, {"confidence", confidence},
          {"alpha", alpha},          {"effect", effect}, {"power", power},
          {"interval_rule", "t below " + std::to_string(stats::kBootstrapMinSeeds) + " runs, bootstrap from there"}};
}

std::vector<std::string> group_keys(const std::vector<RunRecord>& records,
                                    const std::optional<std::vector<std::string>>& group_by) {
  std::vector<std::string> keys;
  if (has_multiple_sweeps(records)) keys.push_back("sweep");
  if (group_by) {
    keys.insert(keys.end(), group_by->begin(), group_by->end());
  } else {
    for (const auto& axis : axis_names(records)) {
      if (axis != "seed") keys.push_back(axis);
    }
  }
  return keys;
}

std::string axis_text(const RunRecord& record, const std::string& axis) {
  if (axis == "sweep") return record.sweep;
  const nlohmann::json* value = axis_value(record, axis);
  return value == nullptr ? "" : cell(*value);
}

namespace {

// Done runs' values of a metric, sorted: every statistic, the bootstrap's
// resamples included, is then a function of the values alone, not of the
// order in which the runs are listed.
std::vector<double> values_of(const std::vector<const RunRecord*>& members, const std::string& metric) {
  std::vector<double> values;
  for (const auto* r : members) {
    if (r->state == layout::RunState::kDone && r->metrics.contains(metric) && r->metrics[metric].is_number()) {
      values.push_back(r->metrics[metric].get<double>());
    }
  }
  std::sort(values.begin(), values.end());
  return values;
}

// What mixes among the done runs' builds: "N commits", "N builds" (a commit
// built with different uncommitted changes, or with and without), "dirty
// tree" (uncommitted changes of unknown content: runs from before regal
// recorded them). One build, clean or dirty, mixes nothing.
std::string provenance_of(const std::vector<const RunRecord*>& members) {
  std::set<std::string> commits;
  std::set<std::pair<std::string, std::string>> builds;  // (commit, changes)
  bool unknown_changes = false;
  for (const auto* r : members) {
    if (r->state != layout::RunState::kDone || r->git_commit.empty()) continue;
    commits.insert(r->git_commit);
    const bool unknown = r->git_dirty && r->git_changes.empty();
    builds.insert({r->git_commit, unknown ? "?" : r->git_dirty ? r->git_changes : ""});
    unknown_changes = unknown_changes || unknown;
  }
  std::vector<std::string> parts;
  if (commits.size() > 1) parts.push_back(std::to_string(commits.size()) + " commits");
  if (builds.size() > commits.size()) parts.push_back(std::to_string(builds.size()) + " builds");
  if (unknown_changes) parts.push_back("dirty tree");
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

}  // namespace

std::vector<std::string> provenance_warnings(const std::vector<RunRecord>& records) {
  std::vector<const RunRecord*> all;
  for (const auto& r : records) all.push_back(&r);
  const std::string mix = provenance_of(all);
  if (mix.empty()) return {};
  return {"the runs come from builds that differ (" + mix + "); results may move between them (the summary's provenance column says which groups)"};
}

std::vector<std::string> chance_splits(const std::vector<std::string>& metrics) {
  std::vector<std::string> splits;
  for (const auto& m : metrics) {
    if (m.rfind("acc_test_", 0) == 0) splits.push_back(m.substr(4));
  }
  return splits;
}

std::vector<std::string> summary_columns(const std::vector<std::string>& keys, const std::vector<std::string>& metrics) {
  std::vector<std::string> columns = keys;
  columns.insert(columns.end(), {"n", "runs", "interval", "provenance"});
  for (const auto& m : metrics) {
    for (const char* stat : {"_mean", "_std", "_ci95", "_min", "_max", "_median", "_iqm", "_boot_lo", "_boot_hi"}) {
      columns.push_back(m + stat);
    }
  }
  for (const auto& split : chance_splits(metrics)) {
    columns.push_back("chance_" + split);
    columns.push_back("above_chance_" + split);
  }
  return columns;
}

SummaryRow summary_row(const std::vector<std::string>& key, const std::vector<const RunRecord*>& members,
                       const std::vector<std::string>& metrics, const StatsOptions& options) {
  SummaryRow out;
  std::vector<std::string>& row = out.cells;
  row = key;
  std::size_t done = 0;
  for (const auto* r : members) done += r->state == layout::RunState::kDone ? 1U : 0U;
  row.push_back(std::to_string(done));
  row.push_back(std::to_string(members.size()));
  row.push_back(done < stats::kBootstrapMinSeeds ? "t" : "bootstrap");
  row.push_back(provenance_of(members));
  std::string stream;  // the group's name, for its bootstrap streams
  for (const auto& k : key) stream += k + "\x1f";
  for (const auto& m : metrics) {
    const std::vector<double> values = values_of(members, m);
    if (values.empty()) {
      row.insert(row.end(), 9, "");
      continue;
    }
    const stats::Summary s = stats::summarize(values);
    for (const double v : {s.mean, s.std, s.t_half_width, s.min, s.max, s.median, s.iqm}) row.push_back(format_number(v));
    if (options.summary_resamples > 0 && values.size() > 1) {
      const auto boot = stats::bootstrap_interval(values, stats::Statistic::kMean, options.summary_resamples,
                                                  options.confidence, derive_seed(options.seed, stream + m));
      row.push_back(format_number(boot.lo));
      row.push_back(format_number(boot.hi));
    } else {
      row.insert(row.end(), 2, "");
    }
  }
  const std::vector<std::string> splits = chance_splits(metrics);
  if (splits.empty()) return out;
  std::vector<const RunRecord*> ordered = members;  // by run id: order-free sums
  std::sort(ordered.begin(), ordered.end(), [](const RunRecord* x, const RunRecord* y) { return x->run_id < y->run_id; });
  for (const auto& split : splits) {
    std::vector<double> chance, margin;
    for (const auto* r : ordered) {
      const auto& m = r->metrics;
      if (r->state != layout::RunState::kDone || !m.contains("chance_" + split) || !m["chance_" + split].is_number() ||
          !m.contains("acc_" + split) || !m["acc_" + split].is_number()) {
        continue;
      }
      chance.push_back(m["chance_" + split].get<double>());
      margin.push_back(m["acc_" + split].get<double>() - chance.back());
    }
    row.push_back(format_number(stats::mean(chance)));
    row.push_back("");  // filled once the whole family is known
    out.above_p.push_back(margin.size() > 1 ? stats::paired_t_greater(margin) : NAN);
  }
  return out;
}

std::size_t above_chance_column(std::size_t columns, std::size_t splits, std::size_t k) {
  return columns - 2 * splits + 2 * k + 1;
}

Table summary_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                    const std::optional<std::vector<std::string>>& group_by, const StatsOptions& options) {
  const std::vector<std::string> keys = group_keys(records, group_by);
  auto [order, groups] = group_records(records, keys);
  const std::size_t splits = chance_splits(metrics).size();
  Table table;
  table.columns = summary_columns(keys, metrics);
  std::vector<double> above_p;  // per (row, split), Holm-adjusted across the table
  for (const auto& key : order) {
    SummaryRow row = summary_row(key, groups[key], metrics, options);
    above_p.insert(above_p.end(), row.above_p.begin(), row.above_p.end());
    table.rows.push_back(std::move(row.cells));
  }
  const std::vector<double> adjusted = stats::holm(above_p);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t k = 0; k < splits; ++k) {
      table.rows[r][above_chance_column(table.columns.size(), splits, k)] = format_number(adjusted[r * splits + k]);
    }
  }
  return table;
}

Table compact_summary(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                      const std::optional<std::vector<std::string>>& group_by, const StatsOptions& options) {
  StatsOptions quick = options;
  quick.summary_resamples = 0;  // the terminal shows mean ± t interval
  const Table full = summary_table(records, metrics, group_by, quick);
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(full.columns.begin(), full.columns.end(), name) - full.columns.begin());
  };
  const std::vector<std::string> keys = group_keys(records, group_by);
  Table table;
  table.columns = keys;
  table.columns.push_back("n");
  std::vector<std::string> shown;
  for (const auto& m : metrics) {
    bool any = false;
    for (const auto& row : full.rows) any = any || !row[column(m + "_mean")].empty();
    if (any) shown.push_back(m);
  }
  table.columns.insert(table.columns.end(), shown.begin(), shown.end());
  for (const auto& row : full.rows) {
    std::vector<std::string> out(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keys.size()));
    out.push_back(row[column("n")]);
    for (const auto& m : shown) {
      const std::string& mean = row[column(m + "_mean")];
      const std::string& ci = row[column(m + "_ci95")];
      out.push_back(mean.empty() ? "" : ci.empty() ? mean : mean + " ± " + ci);
    }
    table.rows.push_back(std::move(out));
  }
  return table;
}

std::string to_csv(const Table& table) {
  std::string out = csv_line(table.columns);
  for (const auto& row : table.rows) out += csv_line(row);
  return out;
}

nlohmann::json to_json(const Table& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const std::string& text = row[i];
      if (text.empty()) {
        object[table.columns[i]] = nullptr;
        continue;
      }
      char* end = nullptr;
      const double number = std::strtod(text.c_str(), &end);
      const bool numeric = end != nullptr && *end == '\0' && table.columns[i] != "run_id";
      object[table.columns[i]] = numeric ? nlohmann::json(number) : nlohmann::json(text);
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

JsonRows::JsonRows(const std::vector<std::string>& columns) : columns_(columns) {
  // nlohmann's objects are std::maps: keys in byte order, a later cell of a
  // repeated name replacing the earlier one.
  std::map<std::string, std::size_t> last;
  for (std::size_t i = 0; i < columns.size(); ++i) last[columns[i]] = i;
  for (const auto& [name, column] : last) {
    order_.push_back(column);
    keys_.push_back(std::string(keys_.empty() ? "" : ",\n") + "    " + nlohmann::json(name).dump() + ": ");
  }
}

std::string JsonRows::value(std::size_t column, const std::string& text) const {
  if (text.empty()) return "null";
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  const bool numeric = end != nullptr && *end == '\0' && columns_[column] != "run_id";
  return numeric ? nlohmann::json(number).dump() : nlohmann::json(text).dump();
}

std::string JsonRows::row_of_values(const std::vector<std::string>& values) const {
  if (order_.empty()) return "  {}";
  std::string out = "  {\n";
  for (std::size_t i = 0; i < order_.size(); ++i) {
    out += keys_[i];
    out += values[order_[i]];
  }
  out += "\n  }";
  return out;
}

std::string JsonRows::row(const std::vector<std::string>& cells) const {
  std::vector<std::string> values(cells.size());
  for (const std::size_t column : order_) values[column] = value(column, cells[column]);
  return row_of_values(values);
}

std::string json_text(const Table& table) {
  if (table.rows.empty()) return "[]\n";
  const JsonRows rows(table.columns);
  std::string out = "[\n";
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (r > 0) out += ",\n";
    out += rows.row(table.rows[r]);
  }
  out += "\n]\n";
  return out;
}

std::string to_markdown(const Table& table) {
  std::string out = "|";
  for (const auto& c : table.columns) out += " " + c + " |";
  out += "\n|";
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : table.rows) {
    out += "|";
    for (const auto& c : row) out += " " + c + " |";
    out += "\n";
  }
  return out;
}

std::string to_terminal(const Table& table) {
  // Display width: UTF-8 continuation bytes take no column.
  auto columns = [](const std::string& text) {
    std::size_t n = 0;
    for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
    return n;
  };
  std::vector<std::size_t> width(table.columns.size());
  for (std::size_t i = 0; i < table.columns.size(); ++i) width[i] = columns(table.columns[i]);
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], columns(row[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      out += fields[i] + std::string(width[i] - columns(fields[i]) + (i + 1 < fields.size() ? 2 : 0), ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
  return out;
}

void write_tables(const std::string& dir, const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                  const std::optional<std::vector<std::string>>& group_by, const StatsOptions& options) {
  const Table runs = runs_table(records, metrics);
  const Table summary = summary_table(records, metrics, group_by, options);
  io::write_file_atomic(dir + "/runs.csv", to_csv(runs));
  io::write_file_atomic(dir + "/runs.json", json_text(runs));
  io::write_file_atomic(dir + "/summary.csv", to_csv(summary));
  io::write_file_atomic(dir + "/summary.json", json_text(summary));
  io::write_file_atomic(dir + "/stats.json", options.to_json().dump(2) + "\n");
}

}  // namespace regal::aggregate
