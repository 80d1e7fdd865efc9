// The coordinator's event handling (coordinator.h): requests, results, drains
// and done messages become Scheduler events whose decisions go back over the
// transport; every result updates its record and prints a progress line with
// an ETA; the tables are rewritten at most every few seconds (an interval) and
// completely at the end.
#include "sweep/coordinator.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "aggregate/analysis.h"
#include "aggregate/collect.h"
#include "aggregate/report.h"
#include "io/file_lock.h"
#include "sweep/executor.h"
#include "util/error.h"
#include "util/exit_codes.h"

namespace regal::sweep {
namespace {

using layout::RunState;

std::string duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  return std::to_string(s / 3600) + "h" + std::to_string((s % 3600) / 60) + "m";
}

}  // namespace

double SteadyClock::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void SweepFolder::write(const std::vector<aggregate::RunRecord>& records, const std::vector<std::size_t>& changed) {
  // Mid-sweep: the tables without their bootstrap columns, which the end
  // fills; only the rows that changed are rendered again.
  live_.update(records, changed);
  live_.write(sweep_paths_.aggregate_dir());
}

void SweepFolder::finish(const std::vector<aggregate::RunRecord>& records) {
  for (const auto& warning : aggregate::provenance_warnings(records)) spdlog::warn("{}", warning);
  std::vector<aggregate::FitSpec> fits = aggregate::declared_fits(sweep_paths_.sweep_dir());
  try {
    aggregate::validate(fits, records);
  } catch (const InputError& error) {
    spdlog::warn("fits left out: {}", error.what());
    fits.clear();
  }
  try {
    aggregate::write_analysis(sweep_paths_.aggregate_dir(), records, aggregate::declared_comparisons(sweep_paths_.sweep_dir()),
                              aggregate::StatsOptions{}, fits);
  } catch (const InputError& error) {
    // A declared comparison that these runs cannot answer (its arm failed, say) costs the comparison, not the tables.
    spdlog::warn("comparisons left out: {}", error.what());
    aggregate::write_analysis(sweep_paths_.aggregate_dir(), records, {}, aggregate::StatsOptions{}, fits);
  }
  for (const auto& warning : aggregate::write_sweep_h5(sweep_paths_.sweep_h5(), sweep_paths_.sweep_dir(), records)) {
    spdlog::warn("{}", warning);
  }
  const auto summary = aggregate::compact_summary(records, aggregate::display_metrics(), std::nullopt);
  std::cout << "\n" << aggregate::to_terminal(summary) << std::flush;
  if (!report_tools_) return;
  try {
    aggregate::ReportOptions options;
    options.run_figures = run_figures_;
    std::vector<aggregate::Comparison> comparisons;
    try {
      comparisons = aggregate::declared_comparisons(sweep_paths_.sweep_dir());
    } catch (const InputError&) {
    }
    const auto report = aggregate::write_report(sweep_paths_.sweep_dir(), sweep_paths_.report_dir(), records, comparisons,
                                                fits, options, *report_tools_);
    for (const auto& warning : report.warnings) spdlog::warn("report: {}", warning);
    spdlog::info("report: {}{}", report.html.string(), report.partial ? " (partial: some runs are not finished)" : "");
  } catch (const DiskFullError&) {
    throw;
  } catch (const std::exception& error) {
    // The tables are written; a report that cannot be is worth a warning, not the sweep.
    spdlog::warn("report not written: {}; build it with aggregate {} --report", error.what(), sweep_paths_.sweep_dir().string());
  }
}

aggregate::RunRecord SweepFolder::reread(const aggregate::RunRecord& record) {
  return aggregate::read_run(sweep_paths_.run(record.run_id).run_dir(), record.sweep, record.axes);
}

bool SweepFolder::held(const std::string& run_id) { return io::FileLock::is_locked(sweep_paths_.run(run_id).lock_file()); }

Coordinator::Coordinator(Transport& transport, Scheduler& scheduler, std::vector<aggregate::RunRecord> records,
                         TableWriter& tables, RunFolders& folders, const Clock& clock)
    : transport_(transport), scheduler_(scheduler), records_(std::move(records)), tables_(tables), folders_(folders),
      clock_(clock), start_(clock.seconds()), last_poll_(start_) {
  std::vector<std::size_t> every(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    index_[records_[i].run_id] = i;
    every[i] = i;
  }
  tables_.write(records_, every);  // the writer may have seen another coordinator's records
  last_write_ = clock_.seconds();
}

void Coordinator::handle(const Message& message) {
  std::vector<Decision> decisions;
  if (message.tag == kRequest) decisions = scheduler_.on_request(message.from);
  if (message.tag == kDrain) {
    decisions = scheduler_.on_drain();
    // A stop: the tables as they stand now, whatever the interval (once: every
    // rank says it, and 1,000 writes of a large sweep would take an hour).
    const bool first = !stop_written_;
    stop_written_ = true;
    for (auto& decision : first ? write_tables() : tables_due()) decisions.push_back(std::move(decision));
  }
  if (message.tag == kDone) done_ranks_.insert(message.from);
  if (message.tag == kResult) decisions = on_result(message.from, nlohmann::json::parse(message.payload));
  if (message.tag == kReturn) decisions = scheduler_.on_returned(message.from, message.payload);
  if (message.tag == kHeld) {
    spdlog::warn("run {} is being executed by another process (its folder is locked); waiting for it", message.payload);
    decisions = scheduler_.on_held_elsewhere(message.from, message.payload);
  }
  send(decisions);
}

void Coordinator::send(const std::vector<Decision>& decisions) {
  scheduler_.check_invariants();
  for (const auto& decision : decisions) {
    const auto experiment = experiments_.find(decision.run_id);
    const std::string payload = experiment == experiments_.end() ? decision.run_id : decision.run_id + "\n" + experiment->second;
    transport_.send(decision.rank, decision.kind == Decision::Kind::kAssign ? kAssign : kStop, payload);
  }
}

void Coordinator::poll() {
  send(tables_due());
  if (scheduler_.held_elsewhere().empty() || clock_.seconds() - last_poll_ < 1.0) return;
  last_poll_ = clock_.seconds();
  const std::set<std::string> held = scheduler_.held_elsewhere();
  for (const auto& id : held) {
    if (folders_.held(id)) continue;
    aggregate::RunRecord& record = records_[index_.at(id)];
    record = folders_.reread(record);
    changed_.push_back(index_.at(id));
    spdlog::info("run {} was released by the other process: {}", id, layout::to_string(record.state));
    if (layout::is_final(record.state)) ++finished_;
    tables_stale_ = true;
    send(scheduler_.on_released(id, record.state));
    send(tables_due());
  }
}

int Coordinator::exit_code() const {
  bool failed = false, unfinished = false, heat = false;
  for (const auto& record : records_) {
    if (!mine_.empty() && !mine_.count(record.run_id)) continue;  // other array tasks answer for theirs
    heat = heat || record.state == RunState::kThermalAbort;
  }
  // Heat first: the job must not requeue onto the same hot node (docs/slurm.md).
  if (heat) return exit_code::kStoppedForHeat;
  if (!disk_full_.empty()) return exit_code::kResumable;
  for (const auto& record : records_) {
    if (!mine_.empty() && !mine_.count(record.run_id)) continue;
    failed = failed || record.state == RunState::kFailed;
    unfinished = unfinished || !layout::is_final(record.state);
  }
  return failed ? exit_code::kRunFailed : unfinished ? exit_code::kResumable : exit_code::kDone;
}

void Coordinator::finish() {
  if (!mine_.empty()) {
    for (auto& record : records_) {
      if (!mine_.count(record.run_id)) record = folders_.reread(record);
    }
  }
  try {
    tables_.finish(records_);
  } catch (const DiskFullError& error) {
    if (disk_full_.empty()) disk_full_ = error.what();
  }
  std::map<RunState, std::size_t> counts;
  for (const auto& record : records_) ++counts[record.state];
  spdlog::info("{} runs: {} done, {} failed, {} preempted, {}{} not run ({} ran now); tables in {}", records_.size(),
               counts[RunState::kDone], counts[RunState::kFailed], counts[RunState::kPreempted],
               counts[RunState::kThermalAbort] > 0 ? std::to_string(counts[RunState::kThermalAbort]) + " stopped for heat, " : "",
               counts[RunState::kPending] + counts[RunState::kRunning] + counts[RunState::kCorrupt], finished_,
               tables_.location());
  if (!disk_full_.empty()) {
    spdlog::error("the results folder ran out of space ({}); free some and run the same command again to finish", disk_full_);
  }
  if (!hot_ranks_.empty() && counts[RunState::kThermalAbort] == 0) {
    std::string ranks;
    for (const int rank : hot_ranks_) ranks += (ranks.empty() ? "" : ", ") + std::to_string(rank);
    spdlog::warn("rank(s) {} stopped runs for heat; other ranks resumed them (experiment_log.csv has the thermal_abort "
                 "attempts): check that node's cooling", ranks);
  }
}

std::vector<Decision> Coordinator::on_result(int rank, const nlohmann::json& message) {
  const RunResult result = RunResult::from_json(message);
  {
    changed_.push_back(index_.at(result.run_id));
    aggregate::RunRecord& finished = records_[index_.at(result.run_id)];
    finished.state = result.state;
    finished.metrics = result.metrics;
    finished.git_commit = result.git_commit;
    finished.git_dirty = result.git_dirty;
    finished.git_changes = result.git_changes;
    finished.error = result.state == RunState::kFailed ? result.stage + ": " + result.error : "";
  }
  if (expander_ && disk_full_.empty() && !result.disk_full && layout::is_final(result.state)) {
    // New runs join before the slot is released, so it gets one of them.
    for (auto& added : expander_(records_[index_.at(result.run_id)])) {
      if (index_.count(added.record.run_id)) continue;
      scheduler_.add({added.record.run_id, added.cost});
      experiments_[added.record.run_id] = added.experiment.dump();
      index_[added.record.run_id] = records_.size();
      records_.push_back(std::move(added.record));
    }
  }
  // A run stopped for heat resumes on a cooler rank (if one is left; else it
  // stays thermal_abort and the sweep's code says so).
  const bool heat = result.state == RunState::kThermalAbort;
  auto decisions = heat ? scheduler_.on_stopped_for_heat(rank, result.run_id)
                        : scheduler_.on_finished(rank, result.run_id, result.state);
  const bool replaced = heat && scheduler_.state(result.run_id) != RunState::kThermalAbort;
  if (heat) hot_ranks_.insert(rank);
  if (result.disk_full && disk_full_.empty()) {
    disk_full_ = result.error;
    spdlog::error("run {}: {}; no new run starts", result.run_id, result.error);
    for (auto& decision : scheduler_.on_drain()) decisions.push_back(std::move(decision));
  }
  const aggregate::RunRecord& record = records_[index_.at(result.run_id)];
  if (!replaced) ++finished_;
  const double elapsed = clock_.seconds() - start_;
  const std::size_t total = scheduler_.total();
  const double eta = elapsed / static_cast<double>(finished_) * static_cast<double>(total - finished_);
  const std::string progress = "[" + std::to_string(finished_) + "/" + std::to_string(total) + "] " + result.run_id + " ";
  const std::string timing = " (" + duration(result.seconds) + (finished_ > 0 ? ", ETA " + duration(eta) : "") + ")";
  if (result.state == RunState::kDone) {
    const auto& m = record.metrics;
    const std::string acc = m.contains("acc_test_len_ood") ? aggregate::cell(m["acc_test_len_ood"]) : "?";
    spdlog::info("{}done acc_len_ood={}{}", progress, acc, timing);
  } else if (result.state == RunState::kFailed) {
    spdlog::error("{}failed in {}: {}{}", progress, result.stage.empty() ? "?" : result.stage, result.error, timing);
  } else if (result.state == RunState::kThermalAbort) {
    spdlog::error("{}{}{}{}", progress, result.error.empty() ? "stopped for heat" : result.error, timing,
                  replaced ? "; back in the queue for a cooler rank" : "");
  } else {
    spdlog::warn("{}preempted{}", progress, timing);
  }
  tables_stale_ = true;
  for (auto& decision : tables_due()) decisions.push_back(std::move(decision));
  return decisions;
}

std::vector<Decision> Coordinator::tables_due() {
  // However long a write takes (~40 us a run), the tables take at most a
  // tenth of the coordinator's time: the interval grows to ten writes' time.
  const double interval = std::max(table_interval_, kWriteShare * last_write_seconds_);
  if (!tables_stale_ || clock_.seconds() - last_write_ < interval) return {};
  return write_tables();
}

std::vector<Decision> Coordinator::write_tables() {
  tables_stale_ = false;
  const double start = clock_.seconds();
  struct Timed {  // the write's time, however it ends
    Coordinator& self;
    double start;
    ~Timed() {
      self.last_write_ = self.clock_.seconds();
      self.last_write_seconds_ = self.last_write_ - start;
    }
  } timed{*this, start};
  const std::vector<std::size_t> changed = std::move(changed_);
  changed_.clear();
  try {
    tables_.write(records_, changed);
  } catch (const DiskFullError& error) {
    if (disk_full_.empty()) {
      disk_full_ = error.what();
      spdlog::error("cannot write the tables: {}; no new run starts", error.what());
      return scheduler_.on_drain();
    }
  }
  return {};
}

}  // namespace regal::sweep
