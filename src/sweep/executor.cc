// Children of a rank: posix_spawn of this binary with --run-dir, with the stop
// signals blocked until the child has installed its handlers, output to the
// run's stdio.log; and the repair of a run whose child died without a word.
#include "sweep/executor.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "io/json_file.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "util/error.h"
#include "util/text.h"

extern char** environ;

namespace regal::sweep {
namespace fs = std::filesystem;
using layout::RunState;

nlohmann::json RunResult::to_json() const {
  nlohmann::json json = {{"run_id", run_id}, {"status", layout::to_string(state)}, {"stage", stage},
                         {"error", error},   {"seconds", seconds}};
  if (state == RunState::kDone) json["metrics"] = metrics;
  return json;
}

RunResult RunResult::from_json(const nlohmann::json& json) {
  RunResult result;
  result.run_id = json.at("run_id").get<std::string>();
  result.state = layout::parse_run_state(json.value("status", "")).value_or(RunState::kFailed);
  result.stage = json.value("stage", "");
  result.error = json.value("error", "");
  result.seconds = json.value("seconds", 0.0);
  result.metrics = json.value("metrics", nlohmann::json::object());
  return result;
}

ProcessExecutor::ProcessExecutor(fs::path self) : self_(std::move(self)) {}

void ProcessExecutor::start(const ChildSpec& spec) {
  const layout::RunPaths paths = layout::RunPaths::from_run_dir(spec.run_dir);
  fs::create_directories(paths.stdio_log().parent_path());
  io::write_json_file(paths.experiment_json(), spec.experiment);
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

std::vector<RunResult> ProcessExecutor::reap() {
  std::vector<RunResult> ended;
  while (!children_.empty()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    const auto child = children_.find(pid);
    if (child == children_.end()) continue;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - child->second.started).count();
    const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    ended.push_back(finish_child(child->second.spec.run_dir, child->second.spec.run_id, exit_code, signal, seconds));
    children_.erase(child);
  }
  return ended;
}

void ProcessExecutor::signal_all(int signal) {
  for (const auto& [pid, child] : children_) kill(pid, signal);
}

RunResult finish_child(const fs::path& run_dir, const std::string& run_id, int exit_code, int signal, double seconds) {
  const layout::RunPaths paths = layout::RunPaths::from_run_dir(run_dir);
  layout::RunStatus status = layout::read_status(paths).value_or(layout::RunStatus{});
  if (status.run_id.empty()) {
    status.run_id = run_id;
    status.stage = "start";
  }
  const bool final = status.state == RunState::kDone || status.state == RunState::kFailed || status.state == RunState::kPreempted;
  if (!final || signal != 0) {
    // The child died without recording an end: record it for it.
    status.state = RunState::kFailed;
    status.error = signal != 0 ? "child process killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")"
                               : "child process exited with code " + std::to_string(exit_code) + " without a final status";
    status.ended = utc_now();
    layout::write_status(paths, status);
  }
  RunResult result{run_id, status.state, status.stage, status.error, seconds, nlohmann::json::object()};
  if (status.state == RunState::kDone) {
    result.metrics = io::read_json_file(paths.metrics_json()).value_or(nlohmann::json::object());
  }
  return result;
}

}  // namespace regal::sweep
