#pragma once
// The reducer's tables while a sweep runs: the same bytes as write_tables
// without the bootstrap columns, kept between writes so that a write costs
// the rows that changed, not the whole sweep. Each run's row (CSV and JSON)
// is rendered when its record changes; each summary group's row when one of
// its runs changes, or when the Holm adjustment across the table moves its
// above_chance cells. A write concatenates the rows into the files.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aggregate/tables.h"

namespace regal::aggregate {

class LiveTables {
 public:
  explicit LiveTables(std::vector<std::string> metrics);

  // The records as they stand. `changed`: the indices of records changed
  // since the last call; records past the last call's count are new. The
  // first call renders everything, as does a change of the tables' shape
  // (an axis or a sweep appears, a run moves to another group).
  void update(const std::vector<RunRecord>& records, const std::vector<std::size_t>& changed);
  // runs.csv, runs.json, summary.csv, summary.json and stats.json into `dir`, each atomically.
  void write(const std::filesystem::path& dir) const;

  // Rows rendered by the last update (runs + summary groups), for tests and benchmarks.
  std::size_t rendered() const { return rendered_; }

 private:
  struct Group {
    std::vector<std::string> key;
    std::vector<std::size_t> members;  // record indices, in record order
    std::vector<std::string> cells;    // the summary row
    std::vector<double> above_p;       // per split, before Holm
    std::vector<std::string> values;   // each cell as JSON
    std::string csv, json;
  };
  void rebuild(const std::vector<RunRecord>& records, bool sweeps, std::vector<std::string> axes);
  void render_run(const RunRecord& record, std::size_t index);
  std::size_t add_to_group(const RunRecord& record, std::size_t index);
  void summarise(const std::vector<RunRecord>& records, Group& group) const;
  void adjust(std::vector<char>& dirty);  // Holm across the table, then the dirty rows' text
  std::vector<std::string> key_of(const RunRecord& record) const;

  std::vector<std::string> metrics_;
  StatsOptions options_;
  bool sweeps_ = false;
  std::vector<std::string> axes_, keys_;
  std::vector<std::string> runs_columns_, summary_columns_;
  std::unique_ptr<JsonRows> runs_json_, summary_json_;
  std::vector<std::string> run_csv_, run_json_;  // per record
  std::vector<std::size_t> group_of_;            // per record
  std::map<std::vector<std::string>, std::size_t> group_index_;
  std::vector<Group> groups_;                    // first-seen order
  std::size_t rendered_ = 0;
};

}  // namespace regal::aggregate
