#pragma once
// How a rank executes runs: an Executor starts runs and reports the ones that
// ended. The real one (ProcessExecutor) runs each in a child process of its
// rank (posix_spawn of this binary with --run-dir), so a crash, abort or
// out-of-memory kill fails that run only; tests give the worker a fake.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
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
};

// How a run ended, as the worker reports it to the coordinator.
struct RunResult {
  std::string run_id;
  layout::RunState state = layout::RunState::kFailed;  // done, failed or preempted
  std::string stage;                                   // the stage it ended in
  std::string error;                                   // failed: why
  double seconds = 0;                                  // wall time of the child
  nlohmann::json metrics = nlohmann::json::object();   // metrics.json when done

  nlohmann::json to_json() const;
  static RunResult from_json(const nlohmann::json& json);
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void start(const ChildSpec& spec) = 0;   // throws IoError when it cannot start
  virtual std::vector<RunResult> reap() = 0;       // runs that ended, without blocking
  virtual void signal_all(int signal) = 0;         // forward to every running run
  virtual std::size_t running() const = 0;
};

// Each run in a child process; its stdout and stderr go to logs/stdio.log.
class ProcessExecutor : public Executor {
 public:
  explicit ProcessExecutor(std::filesystem::path self);  // the sweep binary
  void start(const ChildSpec& spec) override;
  std::vector<RunResult> reap() override;
  void signal_all(int signal) override;
  std::size_t running() const override { return children_.size(); }

 private:
  struct Child {
    ChildSpec spec;
    std::chrono::steady_clock::time_point started;
  };
  std::filesystem::path self_;
  std::map<pid_t, Child> children_;
};

// The run's result after its child ended with `exit_code` (or died of
// `signal`): status.json as the child left it, repaired to failed (naming the
// signal or exit code) when the child died before writing a final status.
RunResult finish_child(const std::filesystem::path& run_dir, const std::string& run_id, int exit_code, int signal,
                       double seconds);

}  // namespace regal::sweep
