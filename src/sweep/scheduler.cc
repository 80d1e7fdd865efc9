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
  for (const auto& run : runs) {
    if (!state_.emplace(run.id, RunState::kPending).second) throw std::logic_error("run " + run.id + " given twice");
    pending_.push_back(run.id);
    cost_[run.id] = run.cost;
  }
}

std::vector<Decision> Scheduler::on_request(int rank) {
  if (lost_[rank]) return {};
  if (!draining_ && !pending_.empty()) {
    const std::string id = pending_.front();
    pending_.pop_front();
    state_[id] = RunState::kRunning;
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
  state_[run_id] = outcome;
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
    state_[run_id] = outcome;
  } else {
    requeue(run_id);
  }
  return release_held();
}

void Scheduler::requeue(const std::string& id) {
  state_[id] = RunState::kPending;
  ++requeues_;
  // Back in cost order.
  const auto position = std::find_if(pending_.begin(), pending_.end(),
                                     [&](const std::string& other) { return cost_[other] < cost_[id]; });
  pending_.insert(position, id);
}

void Scheduler::add(const Run& run) {
  if (!state_.emplace(run.id, RunState::kPending).second) throw std::logic_error("run " + run.id + " given twice");
  cost_[run.id] = run.cost;
  const auto position = std::find_if(pending_.begin(), pending_.end(),
                                     [&](const std::string& other) { return cost_[other] < run.cost; });
  pending_.insert(position, run.id);
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

std::size_t Scheduler::count(RunState state) const {
  std::size_t n = 0;
  for (const auto& [id, s] : state_) n += s == state ? 1 : 0;
  return n;
}

void Scheduler::check_invariants() const {
  std::size_t pending = 0, running = 0;
  for (const auto& [id, s] : state_) {
    const bool queued = std::find(pending_.begin(), pending_.end(), id) != pending_.end();
    const bool on_rank = running_on_.count(id) > 0, held = elsewhere_.count(id) > 0;
    if ((s == RunState::kPending) != queued) throw std::logic_error("run " + id + ": pending iff queued");
    if ((s == RunState::kRunning) != (on_rank || held)) throw std::logic_error("run " + id + ": running iff on a rank or held");
    if (on_rank && held) throw std::logic_error("run " + id + ": both on a rank and held elsewhere");
    pending += queued;
    running += on_rank || held;
  }
  if (pending != pending_.size()) throw std::logic_error("a run is queued twice");
  // Every assignment is accounted for: running (here or held elsewhere),
  // finished, or requeued (rank loss, released unfinished).
  const std::size_t ended = count(RunState::kDone) + count(RunState::kFailed) + count(RunState::kPreempted) +
                            count(RunState::kThermalAbort);
  if (assignments_ != running + ended + requeues_) throw std::logic_error("a run was handed out twice");
}

}  // namespace regal::sweep
