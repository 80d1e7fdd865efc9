// The pure scheduling core (scheduler.h): longest expected run first, held
// requests released when a run comes back or the sweep ends, lost ranks'
// runs requeued, a drain that stops handing out work. check_invariants()
// recounts every state after each event: each run in exactly one state, no
// run assigned twice without a requeue between.
#include "sweep/scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace regal::sweep {

Scheduler::Scheduler(std::vector<Run> runs) {
  // Stable: equal costs keep the plan's order.
  std::stable_sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.cost > b.cost; });
  for (const auto& run : runs) add(run);
}

void Scheduler::set_state(Entry& entry, RunState state) {
  --counts_[static_cast<std::size_t>(entry.state)];
  ++counts_[static_cast<std::size_t>(state)];
  entry.state = state;
}

void Scheduler::enqueue(const std::string& run_id, Entry& entry) {
  entry.sequence = next_sequence_++;
  pending_.insert({{-entry.cost, entry.sequence}, run_id});
}

std::vector<Decision> Scheduler::on_request(int rank) {
  if (lost_[rank]) return {};
  if (!draining_ && !pending_.empty()) {
    const std::string id = pending_.begin()->second;
    pending_.erase(pending_.begin());
    set_state(runs_.at(id), RunState::kRunning);
    running_on_[id] = rank;
    ++assignments_;
    return {{Decision::Kind::kAssign, rank, id}};
  }
  if (draining_ || (running_on_.empty() && elsewhere_.empty())) return {{Decision::Kind::kStop, rank, ""}};
  held_.push_back(rank);  // a running run may still come back (rank loss, released elsewhere)
  return {};
}

std::vector<Decision> Scheduler::on_finished(int rank, const std::string& run_id, RunState outcome) {
  const auto running = running_on_.find(run_id);
  if (running == running_on_.end() || running->second != rank) {
    throw std::logic_error("rank " + std::to_string(rank) + " reported run " + run_id + " it was not running");
  }
  if (!layout::is_attempt_end(outcome)) throw std::logic_error("a run ends done, failed, preempted or thermal_abort");
  running_on_.erase(running);
  set_state(runs_.at(run_id), outcome);
  return release_held();
}

std::vector<Decision> Scheduler::on_returned(int rank, const std::string& run_id) {
  const auto running = running_on_.find(run_id);
  if (running == running_on_.end() || running->second != rank) {
    throw std::logic_error("rank " + std::to_string(rank) + " returned run " + run_id + " it was not given");
  }
  running_on_.erase(running);
  requeue(run_id);
  return release_held();
}

std::vector<Decision> Scheduler::on_stopped_for_heat(int rank, const std::string& run_id) {
  if (draining_) return on_finished(rank, run_id, RunState::kThermalAbort);
  return on_returned(rank, run_id);
}

std::vector<Decision> Scheduler::on_held_elsewhere(int rank, const std::string& run_id) {
  const auto running = running_on_.find(run_id);
  if (running == running_on_.end() || running->second != rank) {
    throw std::logic_error("rank " + std::to_string(rank) + " reported run " + run_id + " held, which it was not given");
  }
  running_on_.erase(running);
  elsewhere_.insert(run_id);
  return {};
}

std::vector<Decision> Scheduler::on_released(const std::string& run_id, RunState outcome) {
  if (elsewhere_.erase(run_id) == 0) throw std::logic_error("run " + run_id + " was not held elsewhere");
  if (outcome == RunState::kDone || outcome == RunState::kFailed) {
    set_state(runs_.at(run_id), outcome);
  } else {
    requeue(run_id);
  }
  return release_held();
}

void Scheduler::requeue(const std::string& id) {
  Entry& entry = runs_.at(id);
  set_state(entry, RunState::kPending);
  ++requeues_;
  enqueue(id, entry);  // back in cost order, after the runs of its cost already queued
}

void Scheduler::add(const Run& run) {
  const auto [it, added] = runs_.emplace(run.id, Entry{RunState::kPending, run.cost, 0});
  if (!added) throw std::logic_error("run " + run.id + " given twice");
  ++counts_[static_cast<std::size_t>(RunState::kPending)];
  enqueue(run.id, it->second);
}

std::vector<Decision> Scheduler::on_rank_lost(int rank) {
  lost_[rank] = true;
  held_.erase(std::remove(held_.begin(), held_.end(), rank), held_.end());
  std::vector<std::string> orphans;
  for (const auto& [id, on] : running_on_) {
    if (on == rank) orphans.push_back(id);
  }
  for (const auto& id : orphans) {
    running_on_.erase(id);
    requeue(id);
  }
  return release_held();
}

std::vector<Decision> Scheduler::on_drain() {
  draining_ = true;
  return release_held();
}

std::vector<Decision> Scheduler::release_held() {
  std::vector<Decision> decisions;
  std::deque<int> waiting;
  waiting.swap(held_);
  for (const int rank : waiting) {
    for (auto& decision : on_request(rank)) decisions.push_back(std::move(decision));
  }
  return decisions;
}

bool Scheduler::finished() const {
  return running_on_.empty() && (draining_ || (pending_.empty() && elsewhere_.empty()));
}

void Scheduler::check_invariants() const {
  if (count(RunState::kPending) != pending_.size()) throw std::logic_error("a pending run is not queued, or queued twice");
  if (count(RunState::kRunning) != running_on_.size() + elsewhere_.size()) {
    throw std::logic_error("a running run is neither on a rank nor held elsewhere");
  }
  // Every assignment is accounted for: running (here or held elsewhere),
  // finished, or requeued (rank loss, released unfinished).
  const std::size_t ended = count(RunState::kDone) + count(RunState::kFailed) + count(RunState::kPreempted) +
                            count(RunState::kThermalAbort);
  if (assignments_ != count(RunState::kRunning) + ended + requeues_) throw std::logic_error("a run was handed out twice");
}

void Scheduler::audit() const {
  std::array<std::size_t, 7> counts{};
  std::set<std::string> queued;
  for (const auto& [place, id] : pending_) {
    if (!queued.insert(id).second) throw std::logic_error("run " + id + " is queued twice");
    const auto entry = runs_.find(id);
    if (entry == runs_.end()) throw std::logic_error("run " + id + " is queued but unknown");
    if (place != Place{-entry->second.cost, entry->second.sequence}) throw std::logic_error("run " + id + " is out of cost order");
  }
  for (const auto& [id, entry] : runs_) {
    ++counts[static_cast<std::size_t>(entry.state)];
    const bool on_rank = running_on_.count(id) > 0, held = elsewhere_.count(id) > 0;
    if ((entry.state == RunState::kPending) != (queued.count(id) > 0)) throw std::logic_error("run " + id + ": pending iff queued");
    if ((entry.state == RunState::kRunning) != (on_rank || held)) throw std::logic_error("run " + id + ": running iff on a rank or held");
    if (on_rank && held) throw std::logic_error("run " + id + ": both on a rank and held elsewhere");
  }
  if (counts != counts_) throw std::logic_error("the counts per state are off");
  check_invariants();
}

}  // namespace regal::sweep
