#pragma once
// The worker: every rank's half of the protocol (transport.h). It asks the
// coordinator for a run whenever a slot is free, starts assigned runs on its
// Executor (reporting a run whose folder another process holds, or that
// finished meanwhile), reports each result, and on a stop signal drains: it
// forwards the signal to its runs, asks for nothing more, and says done once
// every run has ended. With a thermal guard: while hot it asks for nothing
// and hands back what it is given; when too hot its runs stop as
// thermal_abort and the rank retires (the other ranks go on).
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "sweep/executor.h"
#include "sweep/resources.h"
#include "sweep/spec.h"
#include "sweep/thermal.h"
#include "sweep/transport.h"

namespace regal::sweep {

class Worker {
 public:
  struct Settings {
    int attempt = 0;                              // SLURM_RESTART_COUNT
    bool retry_failed = false;                    // --retry-failed
    std::optional<double> run_timeout;            // --run-timeout; nullopt: derived per run; 0: none
    ThermalGuard* thermal = nullptr;              // sampled at every step; null: no guard
    std::string keep_checkpoints = "both";        // --keep-checkpoints, for the children
    // Each attempt this rank ran, once it has ended, with the hottest reading
    // the guard took while it ran (the experiment log's row).
    std::function<void(const PlannedRun&, const RunResult&, std::optional<double>)> on_ended;
  };
  // `run_dir_of` says where a run's folder is; `stop_requested` is polled at
  // every step (a stop signal arrived).
  Worker(Transport& transport, const std::map<std::string, const PlannedRun*>& plan, RankResources resources,
         Executor& executor, std::function<std::filesystem::path(const std::string&)> run_dir_of,
         std::function<bool()> stop_requested, Settings settings);

  // Requests for free slots, results of ended runs, the drain on a stop.
  void step();
  // An assignment or a stop from the coordinator.
  void handle(const Message& message);
  // Every slot has stopped and no run is left: kDone was sent.
  bool finished() const { return done_sent_; }

 private:
  Transport& transport_;
  const std::map<std::string, const PlannedRun*>& plan_;
  std::map<std::string, PlannedRun> carried_;  // runs whose assignment carried their experiment
  RankResources resources_;
  Executor& executor_;
  std::function<std::filesystem::path(const std::string&)> run_dir_of_;
  std::function<bool()> stop_requested_;
  Settings settings_;
  std::size_t outstanding_ = 0, stopped_ = 0;  // requests not yet answered; slots told to stop
  bool draining_ = false, done_sent_ = false;
  bool paused_ = false, heat_stopped_ = false;  // the thermal guard's pause and abort
  std::map<std::string, std::optional<double>> running_max_;  // run -> the hottest reading while it ran
  void watch_temperature();
  const PlannedRun& planned(const std::string& id) const { return plan_.count(id) ? *plan_.at(id) : carried_.at(id); }
};

}  // namespace regal::sweep
