#include "aggregate/live_tables.h"

#include <string_view>

#include "io/atomic_file.h"
#include "stats/tests.h"
#include "util/csv.h"

namespace regal::aggregate {

LiveTables::LiveTables(std::vector<std::string> metrics) : metrics_(std::move(metrics)) {
  options_.summary_resamples = 0;  // mid-sweep: no bootstrap columns (the end fills them)
}

std::vector<std::string> LiveTables::key_of(const RunRecord& record) const {
  std::vector<std::string> key;
  key.reserve(keys_.size());
  for (const auto& k : keys_) key.push_back(axis_text(record, k));
  return key;
}

void LiveTables::render_run(const RunRecord& record, std::size_t index) {
  const std::vector<std::string> row = runs_row(record, sweeps_, axes_, metrics_);
  if (index == run_csv_.size()) {
    run_csv_.emplace_back();
    run_json_.emplace_back();
  }
  run_csv_[index] = csv_line(row);
  run_json_[index] = runs_json_->row(row);
  ++rendered_;
}

std::size_t LiveTables::add_to_group(const RunRecord& record, std::size_t index) {
  std::vector<std::string> key = key_of(record);
  auto found = group_index_.find(key);
  if (found == group_index_.end()) {
    found = group_index_.emplace(key, groups_.size()).first;
    groups_.push_back(Group{std::move(key), {}, {}, {}, {}, {}, {}});
  }
  groups_[found->second].members.push_back(index);
  group_of_.push_back(found->second);
  return found->second;
}

void LiveTables::summarise(const std::vector<RunRecord>& records, Group& group) const {
  std::vector<const RunRecord*> members;
  members.reserve(group.members.size());
  for (const std::size_t i : group.members) members.push_back(&records[i]);
  SummaryRow row = summary_row(group.key, members, metrics_, options_);
  group.cells = std::move(row.cells);
  group.above_p = std::move(row.above_p);
  group.values.assign(group.cells.size(), std::string());
  for (std::size_t c = 0; c < group.cells.size(); ++c) group.values[c] = summary_json_->value(c, group.cells[c]);
}

void LiveTables::adjust(std::vector<char>& dirty) {
  const std::size_t splits = chance_splits(metrics_).size();
  if (splits > 0) {
    std::vector<double> p;
    p.reserve(groups_.size() * splits);
    for (const auto& group : groups_) p.insert(p.end(), group.above_p.begin(), group.above_p.end());
    const std::vector<double> adjusted = stats::holm(p);
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      Group& group = groups_[g];
      for (std::size_t k = 0; k < splits; ++k) {
        const std::size_t column = above_chance_column(summary_columns_.size(), splits, k);
        std::string text = format_number(adjusted[g * splits + k]);
        if (text == group.cells[column]) continue;
        group.values[column] = summary_json_->value(column, text);
        group.cells[column] = std::move(text);
        dirty[g] = 1;
      }
    }
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (!dirty[g]) continue;
    groups_[g].csv = csv_line(groups_[g].cells);
    groups_[g].json = summary_json_->row_of_values(groups_[g].values);
    ++rendered_;
  }
}

void LiveTables::rebuild(const std::vector<RunRecord>& records, bool sweeps, std::vector<std::string> axes) {
  sweeps_ = sweeps;
  axes_ = std::move(axes);
  keys_ = group_keys(records, std::nullopt);
  runs_columns_ = runs_columns(sweeps_, axes_, metrics_);
  summary_columns_ = summary_columns(keys_, metrics_);
  runs_json_ = std::make_unique<JsonRows>(runs_columns_);
  summary_json_ = std::make_unique<JsonRows>(summary_columns_);
  run_csv_.clear();
  run_json_.clear();
  group_of_.clear();
  group_index_.clear();
  groups_.clear();
  run_csv_.reserve(records.size());
  run_json_.reserve(records.size());
  group_of_.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    render_run(records[i], i);
    add_to_group(records[i], i);
  }
  for (auto& group : groups_) summarise(records, group);
  std::vector<char> dirty(groups_.size(), 1);
  adjust(dirty);
}

void LiveTables::update(const std::vector<RunRecord>& records, const std::vector<std::size_t>& changed) {
  rendered_ = 0;
  const bool sweeps = has_multiple_sweeps(records);
  std::vector<std::string> axes = axis_names(records);
  if (runs_json_ == nullptr || sweeps != sweeps_ || axes != axes_ || records.size() < run_csv_.size()) {
    rebuild(records, sweeps, std::move(axes));
    return;
  }
  const std::size_t known = run_csv_.size();
  std::vector<char> dirty(groups_.size(), 0);
  for (const std::size_t i : changed) {
    if (i >= known) continue;  // new: below
    if (key_of(records[i]) != groups_[group_of_[i]].key) {
      rebuild(records, sweeps, std::move(axes));  // its row moves to another group
      return;
    }
    render_run(records[i], i);
    dirty[group_of_[i]] = 1;
  }
  for (std::size_t i = known; i < records.size(); ++i) {
    render_run(records[i], i);
    const std::size_t g = add_to_group(records[i], i);
    dirty.resize(groups_.size(), 0);
    dirty[g] = 1;
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (dirty[g]) summarise(records, groups_[g]);
  }
  adjust(dirty);
}

namespace {

// `row(i)` for i < n: CSV lines under a header, or the elements of an indented JSON array.
template <class Row>
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& columns, std::size_t n, Row row) {
  io::write_file_atomic_in_parts(path, [&](const std::function<void(std::string_view)>& put) {
    put(csv_line(columns));
    for (std::size_t i = 0; i < n; ++i) put(row(i));
  });
}

template <class Row>
void write_json(const std::filesystem::path& path, std::size_t n, Row row) {
  io::write_file_atomic_in_parts(path, [&](const std::function<void(std::string_view)>& put) {
    if (n == 0) {
      put("[]\n");
      return;
    }
    put("[\n");
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) put(",\n");
      put(row(i));
    }
    put("\n]\n");
  });
}

}  // namespace

void LiveTables::write(const std::filesystem::path& dir) const {
  write_csv(dir / "runs.csv", runs_columns_, run_csv_.size(), [&](std::size_t i) -> const std::string& { return run_csv_[i]; });
  write_json(dir / "runs.json", run_json_.size(), [&](std::size_t i) -> const std::string& { return run_json_[i]; });
  write_csv(dir / "summary.csv", summary_columns_, groups_.size(),
            [&](std::size_t g) -> const std::string& { return groups_[g].csv; });
  write_json(dir / "summary.json", groups_.size(), [&](std::size_t g) -> const std::string& { return groups_[g].json; });
  io::write_file_atomic(dir / "stats.json", options_.to_json().dump(2) + "\n");
}

}  // namespace regal::aggregate
