#pragma once
// Runs execute in child processes of their rank (posix_spawn of this binary
// with --run-dir), so a crash, abort or out-of-memory kill fails that run
// only. The child's stdout and stderr go to the run's logs/stdio.log.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace regal::sweep {

struct ChildSpec {
  std::string run_id;
  std::filesystem::path run_dir;  // holds experiment.json
  std::string device;             // passed to the child
  std::size_t threads = 1;        // passed to the child
  int rank = 0;
  int attempt = 0;
};

struct ChildExit {
  std::string run_id;
  std::filesystem::path run_dir;
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the killing signal, or 0
  double seconds = 0;
};

class Executor {
 public:
  explicit Executor(std::filesystem::path self);  // the sweep binary
  void start(const ChildSpec& spec);               // throws IoError when spawning fails
  std::vector<ChildExit> reap();                   // children that ended, without blocking
  void signal_all(int signal);                     // forward to every running child
  std::size_t running() const { return children_.size(); }

 private:
  struct Child {
    ChildSpec spec;
    std::chrono::steady_clock::time_point started;
  };
  std::filesystem::path self_;
  std::map<pid_t, Child> children_;
};

// The run's final record after its child ended: status.json as the child left
// it, repaired to "failed" (with the signal or exit code) when the child died
// before writing a final status. Returns the result message's JSON.
std::string finish_child(const ChildExit& exit);

}  // namespace regal::sweep
