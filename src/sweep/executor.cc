#include "sweep/executor.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "experiment/provenance.h"
#include "experiment/run_paths.h"
#include "io/atomic_file.h"
#include "util/error.h"

extern char** environ;

namespace regal::sweep {
namespace fs = std::filesystem;

Executor::Executor(fs::path self) : self_(std::move(self)) {}

void Executor::start(const ChildSpec& spec) {
  const experiment::RunPaths paths = experiment::RunPaths::from_run_dir(spec.run_dir);
  fs::create_directories(paths.stdio_log().parent_path());
  const std::string log = paths.stdio_log().string();
  std::vector<std::string> args = {self_.string(), "--run-dir", spec.run_dir.string(), "--device", spec.device,
                                   "--threads", std::to_string(spec.threads), "--rank", std::to_string(spec.rank),
                                   "--attempt", std::to_string(spec.attempt)};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child starts with the stop signals blocked and unblocks them once its
  // handlers are installed: a signal sent to the whole job step (scancel
  // --signal reaches grandchildren too) while it is still starting is then
  // delivered to the handler instead of killing it.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t blocked;
  sigemptyset(&blocked);
  for (const int signal : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&blocked, signal);
  posix_spawnattr_setsigmask(&attributes, &blocked);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, self_.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw IoError("cannot start a child for run " + spec.run_id + ": " + std::strerror(error));
  children_[pid] = {spec, std::chrono::steady_clock::now()};
}

std::vector<ChildExit> Executor::reap() {
  std::vector<ChildExit> ended;
  while (!children_.empty()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    const auto child = children_.find(pid);
    if (child == children_.end()) continue;
    ChildExit exit{child->second.spec.run_id, child->second.spec.run_dir, -1, 0,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - child->second.started).count()};
    if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
    ended.push_back(std::move(exit));
    children_.erase(child);
  }
  return ended;
}

void Executor::signal_all(int signal) {
  for (const auto& [pid, child] : children_) kill(pid, signal);
}

std::string finish_child(const ChildExit& exit) {
  const experiment::RunPaths paths = experiment::RunPaths::from_run_dir(exit.run_dir);
  nlohmann::json status = nullptr;
  {
    std::ifstream in(paths.status_json());
    if (in) status = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  }
  if (!status.is_object() || status.is_discarded()) status = {{"run_id", exit.run_id}, {"stage", "start"}};
  const std::string state = status.value("status", "");
  const bool final = state == "done" || state == "failed" || state == "preempted";
  if (!final || exit.signal != 0) {
    // The child died without recording an end: record it for it.
    status["status"] = "failed";
    status["error"] = exit.signal != 0 ? "child process killed by signal " + std::to_string(exit.signal) + " (" +
                                             strsignal(exit.signal) + ")"
                                       : "child process exited with code " + std::to_string(exit.exit_code) +
                                             " without a final status";
    status["ended"] = experiment::utc_now();
    io::write_file_atomic(paths.status_json(), status.dump(2) + "\n");
  }
  nlohmann::json result = {{"run_id", exit.run_id},
                           {"status", status.value("status", "failed")},
                           {"stage", status.value("stage", "")},
                           {"error", status.value("error", "")},
                           {"seconds", exit.seconds}};
  if (result["status"] == "done") {
    std::ifstream in(paths.metrics_json());
    const nlohmann::json metrics = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    result["metrics"] = metrics.is_discarded() ? nlohmann::json::object() : metrics;
  }
  return result.dump();
}

}  // namespace regal::sweep
