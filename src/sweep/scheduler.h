#pragma once
// The scheduling core: a plain class driven by events (a rank asks for work,
// a run finishes, a rank is lost, a stop is requested) that returns
// decisions. It does no I/O, so tests drive it directly or through the
// in-memory transport, and check_invariants() holds after every event:
// every run is in exactly one state and none is handed out twice. Every
// event costs O(log n) in the sweep's runs (a 100,000-run sweep asks it for
// a decision many times a second), the check after it O(1); audit()
// recounts everything, for tests.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layout/run_state.h"

namespace regal::sweep {

using layout::RunState;

struct Decision {
  enum class Kind { kAssign, kStop } kind;  // run this / this slot gets no more work
  int rank = 0;                             // to whom
  std::string run_id;                       // for kAssign
};

class Scheduler {
 public:
  struct Run {
    std::string id;
    double cost = 0;  // expected work; larger first
  };
  // `runs` to execute (already-done runs are not given). Longest expected first.
  explicit Scheduler(std::vector<Run> runs);

  // A rank has a free slot and asks for one run. Returns an assignment of the
  // longest pending run, a stop when nothing can come any more, or nothing
  // (the request is held until a run is requeued or the sweep ends).
  std::vector<Decision> on_request(int rank);
  // A run ended on `rank` with `outcome` (done, failed, preempted or thermal_abort).
  std::vector<Decision> on_finished(int rank, const std::string& run_id, RunState outcome);
  // `rank` hands back a run it was given and did not start (it pauses or
  // stops for heat): the run goes back to the queue for another rank.
  std::vector<Decision> on_returned(int rank, const std::string& run_id);
  // A run `rank` stopped for heat (it checkpointed; that rank starts no more
  // runs): back to the queue, to resume on a cooler rank — unless draining,
  // when it ends thermal_abort like any other run.
  std::vector<Decision> on_stopped_for_heat(int rank, const std::string& run_id);
  // `rank` found the run's folder locked by another process (another sweep,
  // an orphan of a killed rank): the run leaves the rank, which may ask again,
  // and is held elsewhere until on_released.
  std::vector<Decision> on_held_elsewhere(int rank, const std::string& run_id);
  // A run held elsewhere was released with `outcome`: done or failed end it;
  // anything else (preempted, never finished) puts it back in the queue.
  std::vector<Decision> on_released(const std::string& run_id, RunState outcome);
  // A rank is gone: its running runs return to pending for other ranks.
  std::vector<Decision> on_rank_lost(int rank);
  // Stop handing out work (preemption): held requests are released.
  std::vector<Decision> on_drain();
  // A run decided while the sweep runs (an asynchronous search's promotion):
  // pending, in cost order. Call before the event that releases held
  // requests (on_finished), so a waiting slot gets it instead of a stop.
  void add(const Run& run);

  // Nothing running here, and nothing pending or held elsewhere (or a drain:
  // then runs held elsewhere are left to their holders).
  bool finished() const;
  const std::set<std::string>& held_elsewhere() const { return elsewhere_; }
  RunState state(const std::string& run_id) const { return runs_.at(run_id).state; }
  std::size_t count(RunState state) const { return counts_[static_cast<std::size_t>(state)]; }
  std::size_t total() const { return runs_.size(); }
  // The counts agree with the queues, and every assignment is accounted for
  // (O(1)); throws std::logic_error naming the broken invariant.
  void check_invariants() const;
  // The same, and every run's state recounted against the queues (O(n log n)).
  void audit() const;

 private:
  // The queue's order: larger cost first; equal costs in plan order, and a
  // run that comes back (or is added) after those already queued.
  using Place = std::pair<double, std::uint64_t>;  // (-cost, sequence)
  struct Entry {
    RunState state = RunState::kPending;
    double cost = 0;
    std::uint64_t sequence = 0;  // its place among equal costs while pending
  };
  std::vector<Decision> release_held();
  void requeue(const std::string& run_id);
  void enqueue(const std::string& run_id, Entry& entry);
  void set_state(Entry& entry, RunState state);
  std::map<std::string, Entry> runs_;              // every run, exactly one state
  std::set<std::pair<Place, std::string>> pending_;  // longest first
  std::map<std::string, int> running_on_;          // run -> rank
  std::set<std::string> elsewhere_;                // runs another process holds (state kRunning)
  std::deque<int> held_;                           // ranks waiting for work
  std::map<int, bool> lost_;                       // ranks that are gone
  std::array<std::size_t, 7> counts_{};            // runs per state
  std::uint64_t next_sequence_ = 0;
  std::size_t assignments_ = 0, requeues_ = 0;     // for the invariant check
  bool draining_ = false;
};

}  // namespace regal::sweep
