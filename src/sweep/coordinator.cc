// The coordinator's event handling (coordinator.h): requests, results, drains
// and done messages become Scheduler events whose decisions go back over the
// transport; every result updates its record, prints a progress line with an
// ETA, and has the tables rewritten.
#include "sweep/coordinator.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "aggregate/collect.h"
#include "sweep/executor.h"
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

void FolderTableWriter::write(const std::vector<aggregate::RunRecord>& records) {
  aggregate::write_tables(sweep_paths_.aggregate_dir().string(), records, aggregate::default_metrics(), std::nullopt);
}

void FolderTableWriter::finish(const std::vector<aggregate::RunRecord>& records) {
  write(records);
  aggregate::write_sweep_h5(sweep_paths_.sweep_h5(), sweep_paths_.sweep_dir(), records);
  const auto summary = aggregate::compact_summary(records, aggregate::display_metrics(), std::nullopt);
  std::cout << "\n" << aggregate::to_terminal(summary) << std::flush;
}

aggregate::RunRecord FolderTableWriter::reread(const aggregate::RunRecord& record) {
  return aggregate::read_run(sweep_paths_.run(record.run_id).run_dir(), record.sweep, record.axes);
}

Coordinator::Coordinator(Transport& transport, Scheduler& scheduler, std::vector<aggregate::RunRecord> records,
                         TableWriter& tables, const Clock& clock)
    : transport_(transport), scheduler_(scheduler), records_(std::move(records)), tables_(tables), clock_(clock),
      start_(clock.seconds()) {
  for (std::size_t i = 0; i < records_.size(); ++i) index_[records_[i].run_id] = i;
  tables_.write(records_);
}

void Coordinator::handle(const Message& message) {
  std::vector<Decision> decisions;
  if (message.tag == kRequest) decisions = scheduler_.on_request(message.from);
  if (message.tag == kDrain) decisions = scheduler_.on_drain();
  if (message.tag == kDone) done_ranks_.insert(message.from);
  if (message.tag == kResult) decisions = on_result(message.from, nlohmann::json::parse(message.payload));
  scheduler_.check_invariants();
  for (const auto& decision : decisions) {
    transport_.send(decision.rank, decision.kind == Decision::Kind::kAssign ? kAssign : kStop, decision.run_id);
  }
}

int Coordinator::exit_code() const {
  bool failed = false, unfinished = false;
  for (const auto& record : records_) {
    if (!mine_.empty() && !mine_.count(record.run_id)) continue;  // other array tasks answer for theirs
    failed = failed || record.state == RunState::kFailed;
    unfinished = unfinished || !layout::is_final(record.state);
  }
  return failed ? exit_code::kRunFailed : unfinished ? exit_code::kResumable : exit_code::kDone;
}

void Coordinator::finish() {
  if (!mine_.empty()) {
    for (auto& record : records_) {
      if (!mine_.count(record.run_id)) record = tables_.reread(record);
    }
  }
  tables_.finish(records_);
  std::map<RunState, std::size_t> counts;
  for (const auto& record : records_) ++counts[record.state];
  spdlog::info("{} runs: {} done, {} failed, {} preempted, {} not run ({} ran now); tables in {}", records_.size(),
               counts[RunState::kDone], counts[RunState::kFailed], counts[RunState::kPreempted],
               counts[RunState::kPending] + counts[RunState::kRunning], finished_, tables_.location());
}

std::vector<Decision> Coordinator::on_result(int rank, const nlohmann::json& message) {
  const RunResult result = RunResult::from_json(message);
  auto decisions = scheduler_.on_finished(rank, result.run_id, result.state);
  aggregate::RunRecord& record = records_[index_.at(result.run_id)];
  record.state = result.state;
  record.metrics = result.metrics;
  record.error = result.state == RunState::kFailed ? result.stage + ": " + result.error : "";
  ++finished_;
  const double elapsed = clock_.seconds() - start_;
  const std::size_t total = scheduler_.total();
  const double eta = elapsed / static_cast<double>(finished_) * static_cast<double>(total - finished_);
  const std::string progress = "[" + std::to_string(finished_) + "/" + std::to_string(total) + "] " + result.run_id + " ";
  const std::string timing = " (" + duration(result.seconds) + ", ETA " + duration(eta) + ")";
  if (result.state == RunState::kDone) {
    const auto& m = record.metrics;
    const std::string acc = m.contains("acc_test_len_ood") ? aggregate::cell(m["acc_test_len_ood"]) : "?";
    spdlog::info("{}done acc_len_ood={}{}", progress, acc, timing);
  } else if (result.state == RunState::kFailed) {
    spdlog::error("{}failed in {}: {}{}", progress, result.stage.empty() ? "?" : result.stage, result.error, timing);
  } else {
    spdlog::warn("{}preempted{}", progress, timing);
  }
  tables_.write(records_);
  return decisions;
}

}  // namespace regal::sweep
