// regal-run: executes runs, the one regal binary that loads LibTorch. `sweep`
// hands it every command line that trains or evaluates (the run folder of a
// sweep's child, --exp/--exp-file, --spec --reevaluate), unchanged, so it
// takes sweep's flags (cli/cli.h); the sweep's ranks, which only schedule
// and reduce, stay small.
#include <spdlog/spdlog.h>

#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>

#include "aggregate/plot.h"
#include "aggregate/run_figures.h"
#include "cli/cli.h"
#include "cli/reevaluate.h"
#include "experiment/pipeline.h"
#include "experiment/registry.h"
#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "io/hash.h"
#include "layout/results_root.h"
#include "notebook/log.h"
#include "notebook/readme.h"
#include "notebook/registry.h"
#include "sweep/guards.h"
#include "util/allocator.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/progress.h"

namespace po = boost::program_options;
using namespace regal;
using namespace regal::experiment;

namespace {

using layout::RunPaths;

int exit_code_of(const RunOutcome& outcome) {
  switch (outcome.outcome) {
    case Outcome::kDone:
    case Outcome::kAlreadyDone:
    case Outcome::kPartial:
      return exit_code::kDone;
    case Outcome::kPreempted:
      return exit_code::kResumable;
    case Outcome::kFailed:
    case Outcome::kNotReevaluated:
      return exit_code::kRunFailed;
  }
  return exit_code::kRunFailed;
}

// A child of a sweep rank: run the experiment.json of one run folder.
int run_child(const po::variables_map& vm, int argc, char** argv) {
  const RunPaths paths = RunPaths::from_run_dir(vm["run-dir"].as<std::string>());
  Experiment experiment = load_experiment_file(paths.experiment_json());
  std::map<std::string, std::string> overrides;
  if (vm.count("device")) overrides["device"] = vm["device"].as<std::string>();
  if (vm.count("threads")) overrides["threads"] = vm["threads"].as<std::string>();
  experiment = with_overrides(experiment, overrides);
  const int rank = vm["rank"].as<int>();
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(rank) + "] [" + paths.run_id() + "] %^%v%$");
  PipelineOptions pipeline;
  pipeline.keep_checkpoints = vm["keep-checkpoints"].as<std::string>();
  pipeline.context.command_line.assign(argv, argv + argc);
  pipeline.context.overrides = overrides;
  pipeline.context.rank = rank;
  pipeline.context.attempt = vm["attempt"].as<int>();
  cli::install_signal_handlers({SIGUSR1, SIGUSR2});
  const auto sampler = cli::thermal_sampler(vm, experiment.device);
  pipeline.max_temperature = [&] { return sampler->max(); };
  // The rank's death is a stop: checkpoint and end preempted, releasing the
  // run's lock (the descriptor of --lock-fd, inherited, held until exit).
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (vm.count("parent-pid") && ::getppid() != static_cast<pid_t>(vm["parent-pid"].as<long>())) request_stop();
  if (vm.count("heartbeat-fd")) set_heartbeat_fd(vm["heartbeat-fd"].as<int>());
  return exit_code_of(run_experiment(experiment, paths, pipeline));
}

// The experiment folder's registry entry and README, at the start and the end of a run.
void note_experiment(const po::variables_map& vm, const Experiment& experiment, const std::filesystem::path& results, int argc,
                     char** argv, bool finished) {
  try {
    notebook::note_folder({results, experiment.name, "experiment", experiment.description,
                           vm.count("exp-file") ? vm["exp-file"].as<std::string>() : "", to_toml(experiment),
                           io::sha256_hex(experiment.to_json().dump()),
                           notebook::shell_join(std::vector<std::string>(argv, argv + argc)), notebook::aggregate_beside(argv[0])},
                          finished);
  } catch (const DiskFullError&) {
    throw;
  } catch (const std::exception& error) {
    spdlog::warn("the registry or the README of {} could not be updated: {}", experiment.name, error.what());
  }
}

int run(int argc, char** argv) {
  const std::optional<po::variables_map> flags = cli::start(
      argc, argv,
      "regal-run executes the runs that sweep hands it: a sweep's children, sweep --exp and\n"
      "sweep --spec --reevaluate. Type sweep instead; it takes the same flags:\n\n");
  if (!flags) return exit_code::kDone;  // --help
  const po::variables_map& vm = *flags;
  if (vm.count("run-dir")) return run_child(vm, argc, argv);
  if (vm.count("spec")) {
    if (!vm.count("reevaluate")) throw InputError("regal-run executes runs; a sweep is: sweep --spec " + vm["spec"].as<std::string>());
    return cli::reevaluate(vm, argc, argv);
  }
  cli::refuse_flags(vm, cli::kSweepOnlyFlags, "without --spec", "they apply to sweeps");
  if (vm.count("exp") == vm.count("exp-file")) throw InputError("give one of --exp NAME, --exp-file FILE or --spec FILE (see --help)");
  if (vm.count("resume") && vm.count("force-train")) throw InputError("--resume and --force-train exclude each other");
  PipelineOptions pipeline;
  if (vm.count("until")) {
    const std::string until = vm["until"].as<std::string>();
    if (until != "fsm" && until != "data" && until != "train" && until != "eval") {
      throw InputError("--until must be fsm, data, train or eval (got '" + until + "')");
    }
    pipeline.until = until;
  }
  pipeline.force_train = vm.count("force-train") > 0;
  pipeline.reevaluate = vm.count("reevaluate") > 0;
  pipeline.keep_checkpoints = vm["keep-checkpoints"].as<std::string>();
  layout::keeps_checkpoint(pipeline.keep_checkpoints, "best");  // refuses anything else
  if (pipeline.reevaluate && (pipeline.force_train || pipeline.until)) {
    throw InputError("--reevaluate evaluates a done run as it is; --force-train and --until do not go with it");
  }
  pipeline.context.command_line.assign(argv, argv + argc);
  pipeline.context.overrides = cli::collect_overrides(vm);

  const Experiment base = vm.count("exp") ? find_experiment(vm["exp"].as<std::string>())
                                          : load_experiment_file(vm["exp-file"].as<std::string>());
  const Experiment experiment = with_overrides(base, pipeline.context.overrides);
  check_runnable(experiment);
  const RunPaths paths(vm["results"].as<std::string>(), experiment.name, run_id(experiment));
  if (vm.count("dry-run")) {
    std::cout << describe_plan(experiment, paths, pipeline);
    return exit_code::kDone;
  }
  const std::optional<double> memory = vm.count("memory-per-run") ? std::optional<double>(cli::parse_bytes(vm["memory-per-run"].as<std::string>()))
                                                                  : sweep::memory_per_child(1);
  if (memory) {
    sweep::check_run_sizes({{paths.run_id(), &experiment}}, *memory,
                           vm.count("memory-per-run") ? "--memory-per-run" : "the memory this machine has free");
  }
  // The run's figures are drawn at its end: refuse before anything runs when they cannot be.
  std::optional<aggregate::plot::Tools> tools;
  if (!vm.count("no-report") && !pipeline.until) tools = aggregate::plot::require_tools("--no-report");
  cli::install_signal_handlers();
  layout::prepare_results_root(vm["results"].as<std::string>());
  io::create_folders(paths.run_dir());
  const std::optional<io::FileLock> lock = io::FileLock::try_lock(paths.lock_file());
  if (!lock) {
    std::cerr << "run " << paths.run_id() << " is being executed by another process (" << paths.lock_file().string()
              << " is locked); run the same command when it has ended\n";
    return exit_code::kResumable;
  }
  const std::filesystem::path results = vm["results"].as<std::string>();
  note_experiment(vm, experiment, results, argc, argv, false);
  const auto sampler = cli::thermal_sampler(vm, experiment.device);
  pipeline.max_temperature = [&] { return sampler->max(); };
  const auto started = std::chrono::steady_clock::now();
  const RunOutcome outcome = run_experiment(experiment, paths, pipeline);
  const bool attempt = !pipeline.reevaluate && (outcome.outcome == Outcome::kDone || outcome.outcome == Outcome::kFailed ||
                                                outcome.outcome == Outcome::kPreempted);
  if (attempt) {
    try {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      notebook::append_log_row(results, notebook::log_row_from_run(paths, "", nlohmann::json::object(), seconds, 0));
    } catch (const std::exception& error) {
      spdlog::warn("the run's row could not be added to the experiment log: {}", error.what());
    }
  }
  note_experiment(vm, experiment, results, argc, argv, true);
  if (outcome.outcome == Outcome::kPreempted) {
    std::cerr << "preempted: rerun the same command to resume from " << paths.last_checkpoint().string() << "\n";
  } else if (outcome.outcome == Outcome::kFailed) {
    std::cerr << "failed in stage " << outcome.stage << ": " << outcome.error << "\n";
  } else if (outcome.outcome == Outcome::kNotReevaluated) {
    std::cerr << "not re-evaluated: run " << paths.run_id() << ": " << outcome.error << "\n";
  } else {
    if (tools && outcome.outcome == Outcome::kDone) {
      const auto drawn = aggregate::draw_run_figures({paths.run_dir()}, *tools);
      for (const auto& failure : drawn.failures) spdlog::warn("figure not drawn: {}", failure);
      if (drawn.failures.empty()) spdlog::info("figures: {}", paths.visualizations_dir().string());
    }
    std::cout << paths.run_dir().string() << std::endl;
  }
  return exit_code_of(outcome);
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  return regal::guarded_main("sweep", [&] { return run(argc, argv); });
}
