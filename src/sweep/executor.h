#pragma once
// How a rank executes runs: an Executor starts runs and reports the ones that
// ended. The real one (ProcessExecutor) runs each in a child process of its
// rank (posix_spawn of regal-run --run-dir), so a crash, abort or
// out-of-memory kill fails that run only; tests give the worker a fake.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layout/run_state.h"

namespace regal::sweep {

struct ChildSpec {
  std::string run_id;
  std::filesystem::path run_dir;  // experiment.json is written here before the start
  nlohmann::json experiment;      // the resolved experiment
  std::string device;             // passed to the child
  std::size_t threads = 1;        // passed to the child
  int rank = 0;
  int attempt = 0;
  bool retry_failed = false;      // a run that failed meanwhile is run again
  double timeout_seconds = 0;     // silence (no heartbeat) after which the run is stopped; 0: never
  double thermal_interval = 5;    // seconds between the child's temperature samples
  std::string keep_checkpoints = "both";  // passed to the child: which checkpoints a done run keeps
};

// How a run ended, as the worker reports it to the coordinator.
struct RunResult {
  std::string run_id;
  layout::RunState state = layout::RunState::kFailed;  // done, failed, preempted or thermal_abort
  std::string stage;                                   // the stage it ended in
  std::string error;                                   // failed: why
  double seconds = 0;                                  // wall time of the child
  nlohmann::json metrics = nlohmann::json::object();   // metrics.json when done
  bool disk_full = false;                              // it stopped because a write found no space
  std::string git_commit;                              // done: env.json's build provenance
  bool git_dirty = false;
  std::string git_changes;                             // with git_dirty: which uncommitted changes

  nlohmann::json to_json() const;
  static RunResult from_json(const nlohmann::json& json);
};

// What start() did with a run.
struct StartOutcome {
  enum class Kind {
    kStarted,        // it runs now
    kHeldElsewhere,  // its folder is locked by another process: not started, not marked
    kFinished,       // it finished meanwhile (another sweep): `result` says how
  } kind = Kind::kStarted;
  RunResult result;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual StartOutcome start(const ChildSpec& spec) = 0;  // throws IoError when it cannot start
  virtual std::vector<RunResult> reap() = 0;       // runs that ended, without blocking
  virtual void signal_all(int signal) = 0;         // forward to every running run
  virtual std::size_t running() const = 0;
  // The thermal guard's abort: every running run checkpoints and stops, and
  // ends as thermal_abort (`reason` its error, `celsius` among its readings)
  // instead of preempted.
  virtual void stop_for_heat(const std::string& reason, double celsius) = 0;
};

// Each run in a child process. Before anything of the run is written, the
// rank takes the run folder's lock and hands it to the child, which holds it
// to its end; a folder locked by someone else is reported, not run. The
// child's stdout and stderr go to logs/stdio.log; its heartbeats come back on
// a pipe, and a child silent for longer than its timeout is stopped (TERM,
// then KILL) and its run fails as timed out.
class ProcessExecutor : public Executor {
 public:
  explicit ProcessExecutor(std::filesystem::path self);  // regal-run, which executes a run folder
  ~ProcessExecutor() override;
  StartOutcome start(const ChildSpec& spec) override;
  std::vector<RunResult> reap() override;
  void signal_all(int signal) override;
  std::size_t running() const override { return children_.size(); }
  void stop_for_heat(const std::string& reason, double celsius) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Child {
    ChildSpec spec;
    Clock::time_point started, last_beat;
    int heartbeat_fd = -1;                // read end, non-blocking
    std::optional<Clock::time_point> stopped;  // when the timeout's TERM went out
    std::string heat;                     // stopped for heat: why
    double heat_celsius = 0;              // and the reading that stopped it
  };
  void watch(pid_t pid, Child& child, Clock::time_point now);
  std::filesystem::path self_;
  std::map<pid_t, Child> children_;
};

// The run's result after its child ended with `exit_code` (or died of
// `signal`): status.json as the child left it, repaired when the child died
// before writing a final status: preempted when it exited 3 (a stop or a full
// disk it could not record), else failed naming the signal or exit code.
// `timed_out` (seconds of silence, 0 for none) makes it failed "timed out";
// `heat` (the thermal guard's reason, "" for none) turns a stop into
// thermal_abort, and `heat_celsius` joins its max_temperature.
RunResult finish_child(const std::filesystem::path& run_dir, const std::string& run_id, int exit_code, int signal,
                       double seconds, double timed_out = 0, const std::string& heat = "", double heat_celsius = 0);

}  // namespace regal::sweep
