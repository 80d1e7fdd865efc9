// sweep --spec S --reevaluate (reevaluate.h): the plan, each rank's or
// child's share of its runs evaluated again in turn, the shares gathered on
// rank 0 (MPI messages) or in the parent (each child's one line of JSON on
// its stdout), then the tables and the report. A stop reaches every child.
#include "cli/reevaluate.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "experiment/pipeline.h"
#include "io/file_lock.h"
#include "io/subprocess.h"
#include "layout/run_paths.h"
#include "sweep/mpi_transport.h"
#include "sweep/resources.h"
#include "sweep/spec.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/progress.h"

extern char** environ;

namespace regal::cli {
namespace {

namespace fs = std::filesystem;
using experiment::Outcome;

// What a share of a re-evaluation came to.
struct Reevaluated {
  std::size_t redone = 0;
  std::vector<std::string> skipped, failed;
  bool stopped = false;
  nlohmann::json to_json() const { return {{"redone", redone}, {"skipped", skipped}, {"failed", failed}, {"stopped", stopped}}; }
  void add(const nlohmann::json& json) {
    redone += json.at("redone").get<std::size_t>();
    for (const auto& line : json.at("skipped")) skipped.push_back(line.get<std::string>());
    for (const auto& line : json.at("failed")) failed.push_back(line.get<std::string>());
    stopped = stopped || json.at("stopped").get<bool>();
  }
};

struct Plan {
  std::vector<sweep::PlannedRun> runs;
  layout::RunPaths sweep_paths;
};

Plan plan_of(const sweep::SweepOptions& options) {
  const sweep::SweepSpec spec = sweep::parse_spec(options.spec);
  Plan plan{sweep::expand(spec), layout::RunPaths(options.results, spec.name, "")};
  if (!fs::exists(plan.sweep_paths.sweep_dir())) {
    throw InputError("--reevaluate: " + plan.sweep_paths.sweep_dir().string() + " does not exist: the sweep has not run");
  }
  return plan;
}

// Share `index` of `shares`: every shares-th run of the plan from the
// index-th on, one after another, recorded as run by MPI rank `rank`. A run
// that asks for a GPU goes to `device`; each keeps its own torch threads (1
// by default: small models gain nothing from more, bench/README.md) unless
// --threads.
Reevaluated reevaluate_share(const Plan& plan, const sweep::SweepOptions& options, int index, int shares,
                             const std::string& device, int rank) {
  Reevaluated share;
  for (std::size_t i = static_cast<std::size_t>(index); i < plan.runs.size(); i += static_cast<std::size_t>(shares)) {
    const sweep::PlannedRun& run = plan.runs[i];
    if (stop_requested()) {
      share.stopped = true;
      break;
    }
    const layout::RunPaths paths = plan.sweep_paths.run(run.run_id);
    const std::optional<io::FileLock> lock =
        fs::exists(paths.run_dir()) ? io::FileLock::try_lock(paths.lock_file()) : std::nullopt;
    if (fs::exists(paths.run_dir()) && !lock) {
      share.skipped.push_back(run.run_id + ": running elsewhere (" + paths.lock_file().string() + " is locked)");
      continue;
    }
    std::map<std::string, std::string> overrides;
    if (options.threads) overrides["threads"] = std::to_string(*options.threads);
    if (run.experiment.device != "cpu") overrides["device"] = device;
    experiment::PipelineOptions pipeline;
    pipeline.reevaluate = true;
    pipeline.context.command_line = options.command_line;
    pipeline.context.overrides = overrides;
    pipeline.context.rank = rank;
    try {
      const experiment::RunOutcome outcome = run_experiment(with_overrides(run.experiment, overrides), paths, pipeline);
      if (outcome.outcome == Outcome::kDone) ++share.redone;
      else if (outcome.outcome == Outcome::kNotReevaluated) share.skipped.push_back(run.run_id + ": " + outcome.error);
      else if (outcome.outcome == Outcome::kPreempted) share.stopped = true;
      else share.failed.push_back(run.run_id + ": " + outcome.error);
    } catch (const std::exception& error) {  // this run, not the others' wait
      share.failed.push_back(run.run_id + ": " + error.what());
    }
  }
  return share;
}

// One process: `shares` children of this binary, each with --share-of k/K
// on the same command line, gathered from their stdout. A stop signal here
// is passed on to them (they checkpoint nothing: a re-evaluation is redone).
Reevaluated in_children(int argc, char** argv, int shares) {
  const std::string self = fs::canonical("/proc/self/exe").string();
  struct Child {
    pid_t pid = 0;
    int out = -1;
    std::string text;
  };
  std::vector<Child> children(static_cast<std::size_t>(shares));
  for (int k = 0; k < shares; ++k) {
    Child& child = children[static_cast<std::size_t>(k)];
    std::vector<std::string> args(argv, argv + argc);
    args.insert(args.end(), {"--share-of", std::to_string(k) + "/" + std::to_string(shares), "--parent-pid",
                             std::to_string(::getpid())});
    std::vector<char*> c_args;
    for (auto& arg : args) c_args.push_back(arg.data());
    c_args.push_back(nullptr);
    int pipe[2];
    if (::pipe2(pipe, O_CLOEXEC) != 0) throw IoError(std::string("cannot make a pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO);
    const int error = posix_spawn(&child.pid, self.c_str(), &actions, nullptr, c_args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe[1]);
    if (error != 0) {
      ::close(pipe[0]);
      for (const auto& started : children) {
        if (started.pid > 0) ::kill(started.pid, SIGTERM);
      }
      throw IoError("cannot start " + self + " for a share of the re-evaluation: " + std::strerror(error));
    }
    child.out = pipe[0];
  }
  bool passed_on = false;
  for (std::size_t open = children.size(); open > 0;) {
    if (stop_requested() && !passed_on) {
      for (const auto& child : children) ::kill(child.pid, SIGTERM);
      passed_on = true;
    }
    std::vector<pollfd> fds;
    for (const auto& child : children) fds.push_back({child.out, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (children[i].out < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(children[i].out, buffer, sizeof buffer);
      if (got > 0) {
        children[i].text.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(children[i].out);
        children[i].out = -1;
        --open;
      }
    }
    // poll() ignores negative descriptors: a closed child's entry stays quiet.
  }
  Reevaluated all;
  for (std::size_t k = 0; k < children.size(); ++k) {
    int status = 0;
    while (::waitpid(children[k].pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string share = "share " + std::to_string(k) + "/" + std::to_string(shares);
    try {
      const std::string& text = children[k].text;
      const std::size_t line = text.rfind('\n', text.size() >= 2 ? text.size() - 2 : 0);
      all.add(nlohmann::json::parse(text.substr(line == std::string::npos ? 0 : line + 1)));
    } catch (const std::exception&) {
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      all.failed.push_back(share + ": its process ended with status " + std::to_string(code) + " before reporting");
    }
  }
  return all;
}

// After every share: what was re-evaluated and what not, then the tables (and
// the report) again, as `aggregate` builds them offline.
int report_reevaluation(const Reevaluated& all, const Plan& plan, bool report) {
  spdlog::info("re-evaluated {} of {} runs from their best.pt", all.redone, plan.runs.size());
  for (const auto& line : all.skipped) spdlog::warn("not re-evaluated: {}", line);
  for (const auto& line : all.failed) spdlog::error("re-evaluation failed: {}", line);
  const fs::path beside = fs::canonical("/proc/self/exe").parent_path() / "aggregate";
  const std::string aggregate = fs::exists(beside) ? beside.string() : "aggregate";
  const std::string folder = plan.sweep_paths.sweep_dir().string();
  std::vector<std::vector<std::string>> commands{{aggregate, folder}};
  if (report) commands.push_back({aggregate, folder, "--report"});
  for (const auto& command : commands) {
    const io::ProgramResult result = io::run_program(command);
    if (result.exit_code != 0) {
      spdlog::error("{} failed (exit {}): {}", command.back(), result.exit_code, result.output);
      return exit_code::kRunFailed;
    }
    if (command.size() == 2) std::cout << result.output;
  }
  if (all.stopped || stop_requested()) return exit_code::kResumable;
  return all.failed.empty() && all.skipped.empty() ? exit_code::kDone : exit_code::kRunFailed;
}

// Every rank of an mpirun/srun (or one process): its share, gathered on rank
// 0, which reports and tells every rank the exit code.
int reevaluate_ranks(const sweep::SweepOptions& options, sweep::MpiTransport& transport, int argc, char** argv) {
  const int rank = transport.rank(), size = transport.size();
  const Plan plan = plan_of(options);
  const sweep::RankResources here = sweep::rank_resources_here(size, sweep::wants_gpu(plan.runs), std::nullopt, options.threads);
  Reevaluated all;
  if (size == 1) {
    // One process: a child per core (per GPU slot), at most one per run.
    const int shares = static_cast<int>(std::min(here.slots, plan.runs.size()));
    if (shares > 1) {
      spdlog::info("re-evaluating {} runs in {} processes", plan.runs.size(), shares);
      all = in_children(argc, argv, shares);
    } else {
      all = reevaluate_share(plan, options, 0, 1, here.device, 0);
    }
    return report_reevaluation(all, plan, options.report);
  }
  if (rank == 0) spdlog::info("re-evaluating {} runs on {} ranks", plan.runs.size(), size);
  all = reevaluate_share(plan, options, rank, size, here.device, rank);
  auto wait_for = [&](int tag) {
    for (;;) {
      if (auto message = transport.poll(); message && message->tag == tag) return *message;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  if (rank != 0) {
    transport.send(0, sweep::kResult, all.to_json().dump());
    return std::stoi(wait_for(sweep::kExit).payload);
  }
  for (int others = 1; others < size; ++others) all.add(nlohmann::json::parse(wait_for(sweep::kResult).payload));
  // The other ranks wait for the code, whatever happens here.
  auto tell_others = [&](int code) {
    for (int other = 1; other < size; ++other) transport.send(other, sweep::kExit, std::to_string(code));
  };
  int code = exit_code::kRunFailed;
  try {
    code = report_reevaluation(all, plan, options.report);
  } catch (...) {
    tell_others(exit_code::kRunFailed);
    throw;
  }
  tell_others(code);
  return code;
}

}  // namespace

int reevaluate(const boost::program_options::variables_map& vm, int argc, char** argv) {
  const sweep::SweepOptions options = sweep_options(vm, argc, argv);
  const int preemption = parse_signal(vm["signal"].as<std::string>());
  if (!fs::exists(options.spec)) throw InputError("no such spec file: " + options.spec.string());
  if (vm.count("share-of")) {
    // A child of a one-process re-evaluation: its share, one line of JSON on stdout.
    const std::string text = vm["share-of"].as<std::string>();
    const std::size_t slash = text.find('/');
    const int index = std::stoi(text.substr(0, slash)), shares = std::stoi(text.substr(slash + 1));
    spdlog::set_pattern("[%H:%M:%S] [share " + text + "] %^%v%$");
    install_signal_handlers({preemption});
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // the parent's death is a stop, even before this line
    if (vm.count("parent-pid") && ::getppid() != static_cast<pid_t>(vm["parent-pid"].as<long>())) request_stop();
    try {
      const Plan plan = plan_of(options);
      // The children share the visible GPUs in turn.
      const std::size_t gpus = sweep::wants_gpu(plan.runs) ? sweep::visible_gpu_count() : 0;
      const std::string device = gpus > 0 ? "cuda:" + std::to_string(static_cast<std::size_t>(index) % gpus) : "cpu";
      std::cout << reevaluate_share(plan, options, index, shares, device, 0).to_json().dump() << std::endl;
      return exit_code::kDone;
    } catch (const InputError&) {
      return exit_code::kBadInput;  // the parent planned the same and said why
    }
  }
  sweep::MpiTransport transport(&argc, &argv);
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(transport.rank()) + "] %^%v%$");
  install_signal_handlers({preemption});
  try {
    return reevaluate_ranks(options, transport, argc, argv);
  } catch (const InputError& e) {  // the same on every rank (the same spec and folders): said once
    if (transport.rank() == 0) say_line(std::string("error: ") + e.what());
    return exit_code::kBadInput;
  }
}

}  // namespace regal::cli
