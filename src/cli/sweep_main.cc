// sweep: run one experiment (--exp NAME, --exp-file FILE) or, with --spec, a
// sweep of them. A thin main() over regal::experiment.
//
// Exit codes: 0 done, 1 a run failed, 2 bad input, 3 preempted (stopped by
// SIGTERM/SIGINT after checkpointing; the next start resumes).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "aggregate/plot.h"
#include "aggregate/run_figures.h"
#include "experiment/pipeline.h"
#include "experiment/registry.h"
#include "io/atomic_file.h"
#include "io/file_lock.h"
#include "io/hash.h"
#include "io/subprocess.h"
#include "layout/results_root.h"
#include "notebook/log.h"
#include "notebook/readme.h"
#include "notebook/registry.h"
#include "sweep/guards.h"
#include "sweep/mpi_transport.h"
#include "sweep/run_sweep.h"
#include "sweep/spec.h"
#include "sweep/thermal.h"
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

void on_signal(int) { request_stop(); }

// SIGTERM and SIGINT always stop (checkpoint, then exit 3); `extra` adds the
// configured preemption signal (SIGUSR1 by default under --spec).
void install_signal_handlers(const std::vector<int>& extra = {}) {
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGTERM, SIGINT}) sigaction(signal, &action, nullptr);
  for (const int signal : extra) sigaction(signal, &action, nullptr);
  // A sweep rank starts its children with these blocked (sweep/executor.cc):
  // now that the handlers are in, let any pending one through.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (const int signal : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&stop_signals, signal);
  sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
}

int parse_signal(const std::string& name) {
  if (name == "USR1" || name == "SIGUSR1") return SIGUSR1;
  if (name == "USR2" || name == "SIGUSR2") return SIGUSR2;
  if (name == "TERM" || name == "SIGTERM") return SIGTERM;
  throw InputError("--signal must be USR1, USR2 or TERM (got '" + name + "')");
}

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

// "8G", "512MiB", "1.5GB", "100000000": bytes (K/M/G/T are powers of 1024).
double parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  std::string unit = text.substr(std::min(used, text.size()));
  for (const char* suffix : {"iB", "B"}) {
    if (unit.size() > std::string(suffix).size() && unit.substr(unit.size() - std::string(suffix).size()) == suffix) {
      unit.resize(unit.size() - std::string(suffix).size());
      break;
    }
  }
  const std::string units = "KMGT";
  double scale = 1;
  if (unit.size() == 1 && units.find(unit[0]) != std::string::npos) {
    scale = std::pow(1024.0, static_cast<double>(units.find(unit[0]) + 1));
  } else if (!unit.empty() && unit != "B") {
    value = -1;
  }
  if (!(value > 0)) throw InputError("--memory-per-run must be a size such as 8G or 512M (got '" + text + "')");
  return value * scale;
}

// --thermal-pause, --thermal-abort (°C) and --thermal-interval (seconds).
sweep::ThermalSettings thermal_settings(const po::variables_map& vm) {
  sweep::ThermalSettings settings;
  auto number = [&](const char* flag, double low, double high) -> std::optional<double> {
    if (!vm.count(flag)) return std::nullopt;
    const std::string text = vm[flag].as<std::string>();
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !(value >= low && value <= high)) {
      throw InputError("--" + std::string(flag) + " must be a number from " + std::to_string(static_cast<int>(low)) + " to " +
                       std::to_string(static_cast<int>(high)) + " (got '" + text + "')");
    }
    return value;
  };
  settings.pause = number("thermal-pause", 20, 150);
  settings.abort = number("thermal-abort", 20, 150);
  if (const auto interval = number("thermal-interval", 0, 3600)) settings.interval = *interval;
  sweep::resolve_limits(nullptr, settings);  // pause below abort, when both are given
  return settings;
}

// Samples the run's sensor while it executes (status.json, metrics.json).
std::unique_ptr<sweep::ThermalSampler> thermal_sampler(const po::variables_map& vm, const std::string& device) {
  return std::make_unique<sweep::ThermalSampler>(sweep::find_sensor(sweep::gpu_index(device)), thermal_settings(vm).interval);
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
  install_signal_handlers({SIGUSR1, SIGUSR2});
  const auto sampler = thermal_sampler(vm, experiment.device);
  pipeline.max_temperature = [&] { return sampler->max(); };
  // The rank's death is a stop: checkpoint and end preempted, releasing the
  // run's lock (the descriptor of --lock-fd, inherited, held until exit).
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (vm.count("parent-pid") && ::getppid() != static_cast<pid_t>(vm["parent-pid"].as<long>())) request_stop();
  if (vm.count("heartbeat-fd")) set_heartbeat_fd(vm["heartbeat-fd"].as<int>());
  return exit_code_of(run_experiment(experiment, paths, pipeline));
}

// sweep --spec S --reevaluate: every done run of the plan evaluated again from
// its best.pt (in this process, one run after another), then the tables and
// the report rebuilt by the aggregate beside this binary.
int reevaluate_spec(const sweep::SweepOptions& options, bool report) {
  const sweep::SweepSpec spec = sweep::parse_spec(options.spec);
  const std::vector<sweep::PlannedRun> runs = sweep::expand(spec);
  const layout::RunPaths sweep_paths(options.results, spec.name, "");
  if (!std::filesystem::exists(sweep_paths.sweep_dir())) {
    throw InputError("--reevaluate: " + sweep_paths.sweep_dir().string() + " does not exist: the sweep has not run");
  }
  std::size_t redone = 0;
  std::vector<std::string> skipped, failed;
  for (const sweep::PlannedRun& run : runs) {
    if (regal::stop_requested()) break;
    const layout::RunPaths paths = sweep_paths.run(run.run_id);
    const std::optional<io::FileLock> lock =
        std::filesystem::exists(paths.run_dir()) ? io::FileLock::try_lock(paths.lock_file()) : std::nullopt;
    if (std::filesystem::exists(paths.run_dir()) && !lock) {
      skipped.push_back(run.run_id + ": running elsewhere (" + paths.lock_file().string() + " is locked)");
      continue;
    }
    PipelineOptions pipeline;
    pipeline.reevaluate = true;
    pipeline.context.command_line = options.command_line;
    const RunOutcome outcome = run_experiment(run.experiment, paths, pipeline);
    if (outcome.outcome == Outcome::kDone) ++redone;
    else if (outcome.outcome == Outcome::kNotReevaluated) skipped.push_back(run.run_id + ": " + outcome.error);
    else failed.push_back(run.run_id + ": " + outcome.error);
  }
  spdlog::info("re-evaluated {} of {} runs from their best.pt", redone, runs.size());
  for (const auto& line : skipped) spdlog::warn("not re-evaluated: {}", line);
  for (const auto& line : failed) spdlog::error("re-evaluation failed: {}", line);
  // The tables (and the report) again, as `aggregate` builds them offline.
  const std::filesystem::path beside = std::filesystem::canonical("/proc/self/exe").parent_path() / "aggregate";
  const std::string aggregate = std::filesystem::exists(beside) ? beside.string() : "aggregate";
  std::vector<std::vector<std::string>> commands{{aggregate, sweep_paths.sweep_dir().string()}};
  if (report) commands.push_back({aggregate, sweep_paths.sweep_dir().string(), "--report"});
  for (const auto& command : commands) {
    const io::ProgramResult result = io::run_program(command);
    if (result.exit_code != 0) {
      spdlog::error("{} failed (exit {}): {}", command.back(), result.exit_code, result.output);
      return exit_code::kRunFailed;
    }
    if (command.size() == 2) std::cout << result.output;
  }
  if (regal::stop_requested()) return exit_code::kResumable;
  return failed.empty() && skipped.empty() ? exit_code::kDone : exit_code::kRunFailed;
}

int run_spec(const po::variables_map& vm, int argc, char** argv) {
  sweep::SweepOptions options;
  options.spec = vm["spec"].as<std::string>();
  options.results = vm["results"].as<std::string>();
  options.self = std::filesystem::canonical("/proc/self/exe");
  options.dry_run = vm.count("dry-run") > 0;
  options.check = vm.count("check") > 0;
  options.disk_check = vm.count("no-disk-check") == 0;
  if (options.dry_run && options.check) throw InputError("--dry-run and --check exclude each other");
  options.thermal = thermal_settings(vm);
  options.retry_failed = vm.count("retry-failed") > 0;
  options.allow_spec_change = vm.count("allow-spec-change") > 0;
  options.report = vm.count("no-report") == 0;
  options.run_figures = vm.count("no-run-figures") == 0;
  if (vm.count("runs-per-gpu")) options.slots = vm["runs-per-gpu"].as<std::size_t>();
  if (vm.count("threads")) options.threads = std::stoul(vm["threads"].as<std::string>());
  if (vm.count("share")) {
    const std::string share = vm["share"].as<std::string>();
    const auto slash = share.find('/');
    std::size_t index = 0, count = 0;
    try {
      index = std::stoul(share.substr(0, slash));
      count = slash == std::string::npos ? 0 : std::stoul(share.substr(slash + 1));
    } catch (const std::exception&) {
    }
    if (count == 0 || index >= count) throw InputError("--share must be I/N with 0 <= I < N (got '" + share + "')");
    options.share = std::make_pair(index, count);
  }
  if (vm.count("memory-per-run")) options.memory_per_run = parse_bytes(vm["memory-per-run"].as<std::string>());
  if (vm.count("run-timeout")) {
    const std::string timeout = vm["run-timeout"].as<std::string>();
    std::size_t used = 0;
    double seconds = -1;
    try {
      seconds = timeout == "none" ? 0 : std::stod(timeout, &used);
    } catch (const std::exception&) {
    }
    if (seconds < 0 || (timeout != "none" && used != timeout.size())) {
      throw InputError("--run-timeout must be seconds or none (got '" + timeout + "')");
    }
    options.run_timeout = seconds;
  }
  options.keep_checkpoints = vm["keep-checkpoints"].as<std::string>();
  keeps_checkpoint(options.keep_checkpoints, "best");  // refuses anything else
  if (vm.count("table-interval")) {
    const std::string text = vm["table-interval"].as<std::string>();
    std::size_t used = 0;
    double seconds = -1;
    try {
      seconds = std::stod(text, &used);
    } catch (const std::exception&) {
    }
    if (!(seconds >= 0) || used != text.size()) throw InputError("--table-interval must be seconds >= 0 (got '" + text + "')");
    options.table_interval = seconds;
  }
  if (vm.count("coordinator-only")) {
    const std::string text = vm["coordinator-only"].as<std::string>();
    if (text != "yes" && text != "no") throw InputError("--coordinator-only must be yes or no (got '" + text + "')");
    options.coordinator_only = text == "yes";
  }
  options.list_runs = vm.count("list-runs") > 0;
  if (options.list_runs && !options.dry_run) throw InputError("--list-runs goes with --dry-run");
  options.command_line.assign(argv, argv + argc);
  options.stop_requested = [] { return regal::stop_requested(); };
  if (vm.count("where")) {
    std::cout << (options.results / sweep::parse_spec(options.spec).name).string() << "\n";
    return exit_code::kDone;
  }
  const int preemption = parse_signal(vm["signal"].as<std::string>());
  if (!std::filesystem::exists(options.spec)) throw InputError("no such spec file: " + options.spec.string());
  sweep::MpiTransport transport(&argc, &argv);
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(transport.rank()) + "] %^%v%$");
  install_signal_handlers({preemption});
  if (vm.count("reevaluate")) {
    if (transport.size() > 1) {
      if (transport.rank() == 0) say_line("error: --reevaluate runs in one process: sweep --spec S --reevaluate, without mpirun or srun");
      return exit_code::kBadInput;
    }
    try {
      return reevaluate_spec(options, options.report);
    } catch (const InputError& e) {
      say_line(std::string("error: ") + e.what());
      return exit_code::kBadInput;
    }
  }
  try {
    return sweep::run_sweep(transport, options);
  } catch (const InputError& e) {
    if (transport.rank() == 0) say_line(std::string("error: ") + e.what());
    return exit_code::kBadInput;
  }
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

void list_experiments() {
  const auto all = named_experiments();
  std::size_t width = 0;
  for (const auto& e : all) width = std::max(width, e.name.size());
  for (const auto& e : all) {
    std::cout << e.name << std::string(width + 2 - e.name.size(), ' ') << e.description << "  ["
              << e.language.describe() << " over " << e.language.alphabet << "]\n";
  }
}

// Flags that mean something in one mode only; given in the other they would
// be silently ignored, so they are refused.
const std::vector<std::string> kExperimentOnlyFlags = {"set", "seed", "device", "steps", "batch-size", "lr", "L-min",
                                                       "L-max", "p-accept", "until", "resume", "force-train"};
const std::vector<std::string> kSweepOnlyFlags = {"retry-failed", "allow-spec-change", "runs-per-gpu", "share",
                                                  "where", "signal", "run-timeout", "no-run-figures", "check", "no-disk-check",
                                                  "thermal-pause", "thermal-abort", "table-interval", "coordinator-only",
                                                  "list-runs"};

void refuse_flags(const po::variables_map& vm, const std::vector<std::string>& flags, const std::string& mode,
                  const std::string& hint) {
  for (const auto& flag : flags) {
    if (vm.count(flag) && !vm[flag].defaulted()) throw InputError("--" + flag + " does nothing " + mode + "; " + hint);
  }
}

// --set key=value and the shortcut flags, in the order given.
std::map<std::string, std::string> collect_overrides(const po::variables_map& vm) {
  std::map<std::string, std::string> overrides;
  if (vm.count("set")) {
    for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) {
      const auto equals = assignment.find('=');
      if (equals == std::string::npos || equals == 0) {
        throw InputError("--set needs key=value (got '" + assignment + "')");
      }
      overrides[assignment.substr(0, equals)] = assignment.substr(equals + 1);
    }
  }
  const std::pair<const char*, const char*> shortcuts[] = {
      {"seed", "seed"},           {"device", "device"},     {"threads", "threads"},     {"steps", "train.steps"},
      {"batch-size", "train.batch_size"}, {"lr", "train.lr"}, {"L-min", "data.L_min"}, {"L-max", "data.L_max"},
      {"p-accept", "data.p_accept"}};
  for (const auto& [flag, key] : shortcuts) {
    if (vm.count(flag)) overrides[key] = vm[flag].as<std::string>();
  }
  return overrides;
}

int run(int argc, char** argv) {
  po::options_description options("sweep: run regal experiments");
  options.add_options()
      ("help,h", "show this help")
      ("exp", po::value<std::string>(), "run the named experiment (see --list)")
      ("exp-file", po::value<std::string>(), "run the experiment in a .toml or experiment.json file")
      ("spec", po::value<std::string>(), "run the sweep of a TOML spec (docs/spec.md) over the MPI ranks")
      ("retry-failed", "with --spec: run failed runs again")
      ("allow-spec-change", "with --spec: accept a spec that differs from the stored one")
      ("runs-per-gpu", po::value<std::size_t>(), "with --spec: children at once per rank (default: 8 per GPU shared by its ranks, at most 1 per core; on CPU 1 per core)")
      ("share", po::value<std::string>(), "with --spec: run only share I/N of the plan (job arrays: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)")
      ("where", "with --spec: print the sweep's results folder and exit")
      ("signal", po::value<std::string>()->default_value("USR1"), "with --spec: preemption signal besides TERM: USR1 | USR2 | TERM")
      ("memory-per-run", po::value<std::string>(), "memory one run may use, e.g. 8G (default: the node's free memory over the runs at once)")
      ("run-timeout", po::value<std::string>(), "with --spec: seconds a run may go without progress before it is stopped as hung, or none (default: 30 min or more for big runs)")
      ("list", "list the named experiments")
      ("describe", po::value<std::string>(), "print the named experiment as TOML")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a setting: key=value (repeatable)")
      ("seed", po::value<std::string>(), "= --set seed=N")
      ("device", po::value<std::string>(), "cpu | cuda | cuda:N | auto")
      ("threads", po::value<std::string>(), "torch threads for the run")
      ("steps", po::value<std::string>(), "= --set train.steps=N")
      ("batch-size", po::value<std::string>(), "= --set train.batch_size=N")
      ("lr", po::value<std::string>(), "= --set train.lr=X")
      ("L-min", po::value<std::string>(), "= --set data.L_min=N")
      ("L-max", po::value<std::string>(), "= --set data.L_max=N")
      ("p-accept", po::value<std::string>(), "= --set data.p_accept=X")
      ("results", po::value<std::string>()->default_value("results"), "results root folder")
      ("experiments", po::value<std::string>(), "folder(s) of experiment .toml files, ':'-separated (default ./sweeps/experiments)")
      ("until", po::value<std::string>(), "stop after a stage: fsm | data | train | eval")
      ("resume", "continue from last.pt (the default when it exists)")
      ("force-train", "run again even if done; drop the run's checkpoints first")
      ("reevaluate", "evaluate done runs again from their best.pt, no training: rewrite their metrics, then the tables "
                     "(--spec: every done run of the plan; runs without best.pt are listed)")
      ("dry-run", "print the plan and every path it would write; write nothing")
      ("check", "with --spec: run the pre-flight checks (results root, disk, memory, GPU, report tools, languages, "
                "thermal sensor), print each, write nothing; exit 2 when one fails")
      ("no-disk-check", "with --spec: start even when free space looks short of the estimate (an upper bound; "
                        "a disk that fills up still stops the sweep resumable, exit 3)")
      ("thermal-pause", po::value<std::string>(), "with --spec: °C at which a rank starts no new run (default: GPU 85, "
                                                  "a CPU its sensor's max, else 85)")
      ("thermal-abort", po::value<std::string>(), "with --spec: °C at which a rank's runs checkpoint and stop as thermal_abort, "
                                                  "exit 4 (default: GPU 95, a CPU its sensor's crit, else 95)")
      ("thermal-interval", po::value<std::string>(), "seconds between temperature samples (default 5)")
      ("no-report", "with --spec: no report/ at the end; with --exp: no visualizations/ (then gnuplot and dot are not needed)")
      ("no-run-figures", "with --spec: the report without each run's visualizations/ (very large sweeps)")
      ("keep-checkpoints", po::value<std::string>()->default_value("both"),
       "which checkpoints a done run keeps: both | best | last | none (the others are removed once it is done; "
       "--reevaluate needs best)")
      ("table-interval", po::value<std::string>(), "with --spec: seconds between rewrites of the tables while runs finish "
                                                   "(default 5; 0: after every result); always at the end and on a stop")
      ("coordinator-only", po::value<std::string>()->implicit_value("yes"),
       "with --spec: rank 0 schedules and reduces and runs nothing: yes | no (default: yes from 64 ranks)")
      ("list-runs", "with --spec --dry-run: list every run (above 1,000 runs the dry run prints a summary)")
      ("verbose,v", "debug logging");
  po::options_description hidden;  // how a sweep rank starts its children
  hidden.add_options()
      ("run-dir", po::value<std::string>(), "")
      ("rank", po::value<int>()->default_value(0), "")
      ("attempt", po::value<int>()->default_value(0), "")
      ("lock-fd", po::value<int>(), "")         // the run folder's lock, inherited: held to the end
      ("heartbeat-fd", po::value<int>(), "")    // a pipe to the rank: progress beats
      ("parent-pid", po::value<long>(), "");    // the rank: its death is a stop
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, all), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return exit_code::kDone;
  }
  // Logs go to stderr: stdout carries only what scripts read (the run folder, tables).
  spdlog::set_default_logger(spdlog::stderr_color_mt("regal"));
  spdlog::set_pattern("[%H:%M:%S] %^%v%$");
  if (vm.count("verbose")) spdlog::set_level(spdlog::level::debug);
  if (vm.count("experiments")) ::setenv("REGAL_EXPERIMENTS", vm["experiments"].as<std::string>().c_str(), /*overwrite=*/1);
  if (vm.count("list")) {
    list_experiments();
    return exit_code::kDone;
  }
  if (vm.count("describe")) {
    std::cout << to_toml(find_experiment(vm["describe"].as<std::string>()));
    return exit_code::kDone;
  }
  if (vm.count("run-dir")) return run_child(vm, argc, argv);
  if (vm.count("spec")) {
    if (vm.count("exp") || vm.count("exp-file")) throw InputError("--spec runs a sweep; drop --exp/--exp-file");
    refuse_flags(vm, kExperimentOnlyFlags, "with --spec", "put settings in the spec's [base] table");
    return run_spec(vm, argc, argv);
  }
  refuse_flags(vm, kSweepOnlyFlags, "without --spec", "they apply to sweeps");
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
  keeps_checkpoint(pipeline.keep_checkpoints, "best");  // refuses anything else
  if (pipeline.reevaluate && (pipeline.force_train || pipeline.until)) {
    throw InputError("--reevaluate evaluates a done run as it is; --force-train and --until do not go with it");
  }
  pipeline.context.command_line.assign(argv, argv + argc);
  pipeline.context.overrides = collect_overrides(vm);

  const Experiment base = vm.count("exp") ? find_experiment(vm["exp"].as<std::string>())
                                          : load_experiment_file(vm["exp-file"].as<std::string>());
  const Experiment experiment = with_overrides(base, pipeline.context.overrides);
  check_runnable(experiment);
  const RunPaths paths(vm["results"].as<std::string>(), experiment.name, run_id(experiment));
  if (vm.count("dry-run")) {
    std::cout << describe_plan(experiment, paths, pipeline);
    return exit_code::kDone;
  }
  const std::optional<double> memory = vm.count("memory-per-run") ? std::optional<double>(parse_bytes(vm["memory-per-run"].as<std::string>()))
                                                                  : sweep::memory_per_child(1);
  if (memory) {
    sweep::check_run_sizes({{paths.run_id(), &experiment}}, *memory,
                           vm.count("memory-per-run") ? "--memory-per-run" : "the memory this machine has free");
  }
  // The run's figures are drawn at its end: refuse before anything runs when they cannot be.
  std::optional<aggregate::plot::Tools> tools;
  if (!vm.count("no-report") && !pipeline.until) tools = aggregate::plot::require_tools("--no-report");
  install_signal_handlers();
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
  const auto sampler = thermal_sampler(vm, experiment.device);
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
