#pragma once
// The coordinator (rank 0): turns the workers' messages into Scheduler
// events, sends the decisions back, keeps every run's record, and has the
// tables rewritten every few seconds while results come in. Its clock and its table writer are
// interfaces, so tests (and a simulation of many ranks) drive the real
// coordinator with fakes.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aggregate/live_tables.h"
#include "aggregate/plot.h"
#include "aggregate/tables.h"
#include "layout/run_paths.h"
#include "sweep/scheduler.h"
#include "sweep/transport.h"

namespace regal::sweep {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual double seconds() const = 0;  // monotonic, from any origin
};

class SteadyClock final : public Clock {
 public:
  double seconds() const override;
};

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // While the sweep runs: runs and summary tables as they stand. `changed`:
  // the records changed since the last write (records past its count are
  // new); a coordinator's first write names every record.
  virtual void write(const std::vector<aggregate::RunRecord>& records, const std::vector<std::size_t>& changed) = 0;
  // At the end: the final tables, sweep.h5, the summary on stdout.
  virtual void finish(const std::vector<aggregate::RunRecord>& records) = 0;
  // Where the tables go, for the closing line.
  virtual std::string location() const = 0;
};

// The run folders as the coordinator looks at them besides the messages.
class RunFolders {
 public:
  virtual ~RunFolders() = default;
  // A run's record as its folder says now (another array task or sweep ran it).
  virtual aggregate::RunRecord reread(const aggregate::RunRecord& record) = 0;
  // Whether another process holds the run's folder (its lock).
  virtual bool held(const std::string& run_id) = 0;
};

// A sweep folder: its tables (aggregate/{runs,summary}.{csv,json}, sweep.h5)
// and its run folders.
class SweepFolder final : public TableWriter, public RunFolders {
 public:
  explicit SweepFolder(layout::RunPaths sweep_paths) : sweep_paths_(std::move(sweep_paths)) {}
  // At the end, also the report (report/) drawn with these tools, and each
  // done run's figures when `run_figures`.
  void set_report(aggregate::plot::Tools tools, bool run_figures) {
    report_tools_ = std::move(tools);
    run_figures_ = run_figures;
  }
  void write(const std::vector<aggregate::RunRecord>& records, const std::vector<std::size_t>& changed) override;
  void finish(const std::vector<aggregate::RunRecord>& records) override;
  std::string location() const override { return sweep_paths_.aggregate_dir().string(); }
  aggregate::RunRecord reread(const aggregate::RunRecord& record) override;
  bool held(const std::string& run_id) override;

 private:
  layout::RunPaths sweep_paths_;
  aggregate::LiveTables live_{aggregate::default_metrics()};
  std::optional<aggregate::plot::Tools> report_tools_;
  bool run_figures_ = true;
};

class Coordinator {
 public:
  Coordinator(Transport& transport, Scheduler& scheduler, std::vector<aggregate::RunRecord> records, TableWriter& tables,
              RunFolders& folders, const Clock& clock);
  // With a share, runs outside `mine` belong to other array tasks: their
  // folders are read again before the final tables, so the last task to end
  // writes complete tables.
  void set_share(std::set<std::string> mine) { mine_ = std::move(mine); }
  // Runs decided as results arrive (an asynchronous search): called with each
  // finished run's record before its slot is released; the runs it returns
  // join the sweep, and their assignments carry the experiment, since no
  // other rank can derive them.
  struct NewRun {
    aggregate::RunRecord record;
    double cost = 0;
    nlohmann::json experiment;
  };
  void set_expander(std::function<std::vector<NewRun>(const aggregate::RunRecord&)> expander) {
    expander_ = std::move(expander);
  }
  // This run's assignment carries its experiment (other ranks may not know it).
  void carry_experiment(const std::string& run_id, std::string experiment_json) {
    experiments_[run_id] = std::move(experiment_json);
  }

  // The tables are rewritten at most every `seconds` (0: after every
  // result) and at least ten writes' time apart (a write of 100,000 runs
  // takes seconds), at once when a stop arrives, and completely at the end.
  void set_table_interval(double seconds) { table_interval_ = seconds; }

  void handle(const Message& message);
  // Between messages: writes the tables when the interval has passed since
  // results came in, and looks (at most once a second) whether runs held by
  // other processes have been released, and takes their results.
  void poll();
  // Every rank has said done.
  bool finished() const { return static_cast<int>(done_ranks_.size()) == transport_.size(); }
  // The final tables and the closing line.
  void finish();
  // Over the whole sweep, runs skipped this time included: 1 if any failed,
  // 3 if any is left to resume (or the disk filled up), else 0.
  int exit_code() const;
  const std::vector<aggregate::RunRecord>& records() const { return records_; }

 private:
  std::vector<Decision> on_result(int rank, const nlohmann::json& message);
  void send(const std::vector<Decision>& decisions);
  std::vector<Decision> write_tables();  // a full disk drains the sweep
  std::vector<Decision> tables_due();    // write_tables() once the interval has passed since the last

  Transport& transport_;
  Scheduler& scheduler_;
  std::vector<aggregate::RunRecord> records_;
  std::map<std::string, std::size_t> index_;
  TableWriter& tables_;
  RunFolders& folders_;
  const Clock& clock_;
  double start_ = 0, last_poll_ = 0;
  static constexpr double kWriteShare = 10;  // the interval is at least this many writes' time
  double table_interval_ = 0, last_write_ = 0, last_write_seconds_ = 0;
  bool tables_stale_ = false;  // results arrived since the last write
  std::vector<std::size_t> changed_;  // the records changed since the last write
  bool stop_written_ = false;  // the tables were written when the first drain arrived
  std::string disk_full_;  // the first full-disk error: no new run starts
  std::set<int> done_ranks_;
  std::set<int> hot_ranks_;  // ranks that stopped runs for heat
  std::set<std::string> mine_;
  std::size_t finished_ = 0;
  std::function<std::vector<NewRun>(const aggregate::RunRecord&)> expander_;
  std::map<std::string, std::string> experiments_;  // run id -> experiment JSON, for runs the expander added
};

}  // namespace regal::sweep
