// Children of a rank: the run folder's lock taken before anything is written
// and handed to the child, posix_spawn of regal-run --run-dir (stop
// signals blocked until the child has installed its handlers, output to the
// run's stdio.log, heartbeats on a pipe), the timeout of a silent child, and
// the repair of a run whose child died without a word.
#include "sweep/executor.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "io/json_file.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/text.h"

extern char** environ;

namespace regal::sweep {
namespace fs = std::filesystem;
using layout::RunState;
namespace {

constexpr double kKillGraceSeconds = 10;  // after a timeout's TERM, before KILL

// What the coordinator's record of a done run needs from its folder.
void read_done_run(const layout::RunPaths& paths, RunResult& result) {
  result.metrics = io::read_json_file(paths.metrics_json()).value_or(nlohmann::json::object());
  if (const auto env = io::read_json_file(paths.env_json()); env && env->is_object()) {
    result.git_commit = env->value("git_commit", "");
    result.git_dirty = env->value("git_dirty", false);
    result.git_changes = env->value("git_changes", "");
  }
}

}  // namespace

nlohmann::json RunResult::to_json() const {
  nlohmann::json json = {{"run_id", run_id}, {"status", layout::to_string(state)}, {"stage", stage},
                         {"error", error},   {"seconds", seconds}};
  if (state == RunState::kDone) json["metrics"] = metrics;
  if (disk_full) json["disk_full"] = true;
  if (!git_commit.empty()) {
    json["git"] = {{"commit", git_commit}, {"dirty", git_dirty}};
    if (!git_changes.empty()) json["git"]["changes"] = git_changes;
  }
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
  result.disk_full = json.value("disk_full", false);
  if (json.contains("git")) {
    result.git_commit = json["git"].value("commit", "");
    result.git_dirty = json["git"].value("dirty", false);
    result.git_changes = json["git"].value("changes", "");
  }
  return result;
}

ProcessExecutor::ProcessExecutor(fs::path self) : self_(std::move(self)) {}

ProcessExecutor::~ProcessExecutor() {
  for (const auto& [pid, child] : children_) {
    if (child.heartbeat_fd >= 0) ::close(child.heartbeat_fd);
  }
}

StartOutcome ProcessExecutor::start(const ChildSpec& spec) {
  const layout::RunPaths paths = layout::RunPaths::from_run_dir(spec.run_dir);
  io::create_folders(paths.run_dir());
  std::optional<io::FileLock> lock = io::FileLock::try_lock(paths.lock_file());
  if (!lock) return {StartOutcome::Kind::kHeldElsewhere, {}};
  // Under the lock, the folder says what happened since the plan was read:
  // another sweep may have finished the run meanwhile.
  if (const auto status = layout::read_status(paths)) {
    const bool done = status->state == RunState::kDone && !layout::check_artifacts(paths, *status);
    const bool failed = status->state == RunState::kFailed && !spec.retry_failed;
    if (done || failed) {
      RunResult result{spec.run_id, status->state, status->stage, status->error, 0, nlohmann::json::object(), false, "", false, ""};
      if (done) read_done_run(paths, result);
      return {StartOutcome::Kind::kFinished, result};
    }
  }
  io::create_folders(paths.stdio_log().parent_path());
  io::write_json_file(paths.experiment_json(), spec.experiment);

  int heartbeat[2] = {-1, -1};
  if (::pipe2(heartbeat, O_CLOEXEC) != 0) throw IoError(std::string("cannot make a heartbeat pipe: ") + std::strerror(errno));
  ::fcntl(heartbeat[0], F_SETFL, O_NONBLOCK);
  const std::string log = paths.stdio_log().string();
  std::vector<std::string> args = {self_.string(), "--run-dir", spec.run_dir.string(), "--device", spec.device,
                                   "--threads", std::to_string(spec.threads), "--rank", std::to_string(spec.rank),
                                   "--attempt", std::to_string(spec.attempt), "--lock-fd", std::to_string(lock->fd()),
                                   "--heartbeat-fd", std::to_string(heartbeat[1]), "--parent-pid", std::to_string(::getpid()),
                                   "--thermal-interval", std::to_string(spec.thermal_interval),
                                   "--keep-checkpoints", spec.keep_checkpoints};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The lock and the pipe's write end pass to the child under the same
  // numbers (dup2 onto themselves clears close-on-exec for the child only).
  posix_spawn_file_actions_adddup2(&actions, heartbeat[1], heartbeat[1]);
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
  ::close(heartbeat[1]);
  // Our descriptor of the lock closes here; the child's keeps the lock.
  if (error != 0) {
    ::close(heartbeat[0]);
    throw IoError("cannot start a child for run " + spec.run_id + ": " + std::strerror(error));
  }
  const auto now = Clock::now();
  children_[pid] = {spec, now, now, heartbeat[0], std::nullopt, "", 0};
  return {StartOutcome::Kind::kStarted, {}};
}

// Drains the child's heartbeats; stops it when it has been silent too long.
void ProcessExecutor::watch(pid_t pid, Child& child, Clock::time_point now) {
  char beats[256];
  while (::read(child.heartbeat_fd, beats, sizeof beats) > 0) child.last_beat = now;
  if (child.spec.timeout_seconds <= 0) return;
  const double silent = std::chrono::duration<double>(now - child.last_beat).count();
  if (!child.stopped && silent > child.spec.timeout_seconds) {
    ::kill(pid, SIGTERM);
    child.stopped = now;
  } else if (child.stopped && std::chrono::duration<double>(now - *child.stopped).count() >
                                    std::min(kKillGraceSeconds, child.spec.timeout_seconds)) {
    ::kill(pid, SIGKILL);
  }
}

std::vector<RunResult> ProcessExecutor::reap() {
  std::vector<RunResult> ended;
  const auto now = Clock::now();
  for (auto& [pid, child] : children_) watch(pid, child, now);
  while (!children_.empty()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    const auto child = children_.find(pid);
    if (child == children_.end()) continue;
    const double seconds = std::chrono::duration<double>(now - child->second.started).count();
    const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    const double silent = child->second.stopped
                              ? std::chrono::duration<double>(*child->second.stopped - child->second.last_beat).count()
                              : 0;
    ::close(child->second.heartbeat_fd);
    ended.push_back(finish_child(child->second.spec.run_dir, child->second.spec.run_id, exit_code, signal, seconds, silent,
                                 child->second.heat, child->second.heat_celsius));
    children_.erase(child);
  }
  return ended;
}

void ProcessExecutor::signal_all(int signal) {
  for (const auto& [pid, child] : children_) kill(pid, signal);
}

void ProcessExecutor::stop_for_heat(const std::string& reason, double celsius) {
  for (auto& [pid, child] : children_) {
    child.heat = reason;
    child.heat_celsius = celsius;
    kill(pid, SIGTERM);
  }
}

RunResult finish_child(const fs::path& run_dir, const std::string& run_id, int exit_code, int signal, double seconds,
                       double timed_out, const std::string& heat, double heat_celsius) {
  const layout::RunPaths paths = layout::RunPaths::from_run_dir(run_dir);
  layout::RunStatus status = layout::read_status(paths).value_or(layout::RunStatus{});
  if (status.run_id.empty()) {
    status.run_id = run_id;
    status.stage = "start";
  }
  const bool final = status.state == RunState::kDone || status.state == RunState::kFailed || status.state == RunState::kPreempted;
  // The guard stopped it and it did not end done or failed on its own.
  const bool for_heat = !heat.empty() && timed_out <= 0 && status.state != RunState::kDone && status.state != RunState::kFailed;
  if (timed_out > 0) {
    status.state = RunState::kFailed;
    status.error = "timed out: no progress for " + std::to_string(static_cast<long>(timed_out)) + " s (in stage " +
                   (status.stage.empty() ? "start" : status.stage) + ")";
  } else if (!final && exit_code == exit_code::kResumable) {
    // It stopped as asked, or ran out of disk, without being able to say so.
    status.state = RunState::kPreempted;
    status.error = "disk full: it stopped before it could record its end";
  } else if (!final || signal != 0) {
    // The child died without recording an end: record it for it.
    status.state = RunState::kFailed;
    status.error = signal != 0 ? "child process killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")"
                               : "child process exited with code " + std::to_string(exit_code) + " without a final status";
  }
  if (for_heat) {
    // Stopped by the thermal guard: resumable like preempted, told apart.
    status.state = RunState::kThermalAbort;
    status.error = heat;
    // The child may not have sampled the reading that stopped it.
    status.max_temperature = std::max(status.max_temperature.value_or(heat_celsius), heat_celsius);
  }
  if (timed_out > 0 || !final || signal != 0 || for_heat) {
    status.ended = utc_now();
    try {
      layout::write_status(paths, status);
    } catch (const DiskFullError&) {
      // The result still reaches the coordinator; the next start finds the run not done.
    }
  }
  RunResult result{run_id, status.state, status.stage, status.error, seconds, nlohmann::json::object(), false, "", false, ""};
  result.disk_full = status.state == RunState::kPreempted && status.error.rfind("disk full", 0) == 0;
  if (status.state == RunState::kDone) read_done_run(paths, result);
  return result;
}

}  // namespace regal::sweep
