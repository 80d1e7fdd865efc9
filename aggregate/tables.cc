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

#include "io/atomic_file.h"
#include "stats/distributions.h"

namespace regal::aggregate {
namespace {

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

}  // namespace

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

Table runs_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics) {
  Table table;
  const bool sweeps = has_multiple_sweeps(records);
  const std::vector<std::string> axes = axis_names(records);
  if (sweeps) table.columns.push_back("sweep");
  table.columns.insert(table.columns.end(), {"run_id", "status"});
  table.columns.insert(table.columns.end(), axes.begin(), axes.end());
  table.columns.insert(table.columns.end(), metrics.begin(), metrics.end());
  table.columns.push_back("error");
  for (const auto& r : records) {
    std::vector<std::string> row;
    if (sweeps) row.push_back(r.sweep);
    row.push_back(r.run_id);
    row.push_back(layout::to_string(r.state));
    for (const auto& axis : axes) {
      const nlohmann::json* value = axis_value(r, axis);
      row.push_back(value == nullptr ? "" : cell(*value));
    }
    for (const auto& metric : metrics) row.push_back(r.metrics.contains(metric) ? cell(r.metrics[metric]) : "");
    row.push_back(r.error);
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table summary_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
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
  // Groups in first-seen order.
  std::vector<std::vector<std::string>> group_keys;
  std::map<std::vector<std::string>, std::vector<const RunRecord*>> groups;
  for (const auto& r : records) {
    std::vector<std::string> key;
    for (const auto& k : keys) {
      if (k == "sweep") {
        key.push_back(r.sweep);
        continue;
      }
      const nlohmann::json* value = axis_value(r, k);
      key.push_back(value == nullptr ? "" : cell(*value));
    }
    if (!groups.count(key)) group_keys.push_back(key);
    groups[key].push_back(&r);
  }
  Table table;
  table.columns = keys;
  table.columns.insert(table.columns.end(), {"n", "runs"});
  for (const auto& m : metrics) {
    for (const char* stat : {"_mean", "_std", "_ci95", "_min", "_max"}) table.columns.push_back(m + stat);
  }
  for (const auto& key : group_keys) {
    const auto& members = groups[key];
    std::vector<std::string> row = key;
    std::size_t done = 0;
    for (const auto* r : members) done += r->state == layout::RunState::kDone ? 1U : 0U;
    row.push_back(std::to_string(done));
    row.push_back(std::to_string(members.size()));
    for (const auto& m : metrics) {
      std::vector<double> values;
      for (const auto* r : members) {
        if (r->state == layout::RunState::kDone && r->metrics.contains(m) && r->metrics[m].is_number()) {
          values.push_back(r->metrics[m].get<double>());
        }
      }
      if (values.empty()) {
        row.insert(row.end(), 5, "");
        continue;
      }
      const double n = static_cast<double>(values.size());
      double mean = 0;
      for (const double v : values) mean += v;
      mean /= n;
      double variance = 0;
      for (const double v : values) variance += (v - mean) * (v - mean);
      const double std_dev = values.size() > 1 ? std::sqrt(variance / (n - 1)) : NAN;
      const double ci = values.size() > 1 ? stats::student_t_quantile(0.975, static_cast<double>(values.size() - 1)) * std_dev / std::sqrt(n) : NAN;
      row.push_back(format_number(mean));
      row.push_back(format_number(std_dev));
      row.push_back(format_number(ci));
      row.push_back(format_number(*std::min_element(values.begin(), values.end())));
      row.push_back(format_number(*std::max_element(values.begin(), values.end())));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table compact_summary(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                      const std::optional<std::vector<std::string>>& group_by) {
  const Table full = summary_table(records, metrics, group_by);
  const std::size_t keys = full.columns.size() - 2 - 5 * metrics.size();
  Table table;
  table.columns.assign(full.columns.begin(), full.columns.begin() + static_cast<std::ptrdiff_t>(keys + 1));  // keys, n
  std::vector<std::size_t> shown;
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    bool any = false;
    for (const auto& row : full.rows) any = any || !row[keys + 2 + 5 * m].empty();
    if (any) shown.push_back(m);
  }
  for (const std::size_t m : shown) table.columns.push_back(metrics[m]);
  for (const auto& row : full.rows) {
    std::vector<std::string> out(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keys + 1));
    for (const std::size_t m : shown) {
      const std::string& mean = row[keys + 2 + 5 * m];
      const std::string& ci = row[keys + 2 + 5 * m + 2];
      out.push_back(mean.empty() ? "" : ci.empty() ? mean : mean + " ± " + ci);
    }
    table.rows.push_back(std::move(out));
  }
  return table;
}

std::string to_csv(const Table& table) {
  auto quote = [](const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (const char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + quote(fields[i]);
    out += "\r\n";
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
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
                  const std::optional<std::vector<std::string>>& group_by) {
  const Table runs = runs_table(records, metrics);
  const Table summary = summary_table(records, metrics, group_by);
  io::write_file_atomic(dir + "/runs.csv", to_csv(runs));
  io::write_file_atomic(dir + "/runs.json", to_json(runs).dump(2) + "\n");
  io::write_file_atomic(dir + "/summary.csv", to_csv(summary));
  io::write_file_atomic(dir + "/summary.json", to_json(summary).dump(2) + "\n");
}

}  // namespace regal::aggregate
