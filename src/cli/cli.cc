// The flags and checks `sweep` and `regal-run` share (cli.h).
#include "cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "layout/run_paths.h"
#include "util/error.h"
#include "util/progress.h"

namespace regal::cli {

namespace {

void on_signal(int) { request_stop(); }

}  // namespace

void install_signal_handlers(const std::vector<int>& extra) {
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

std::unique_ptr<sweep::ThermalSampler> thermal_sampler(const po::variables_map& vm, const std::string& device) {
  return std::make_unique<sweep::ThermalSampler>(sweep::find_sensor(sweep::gpu_index(device)), thermal_settings(vm).interval);
}

namespace {

po::options_description visible_flags() {
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
                     "(--spec: every done run of the plan, shared among child processes, one per core, or among "
                     "the ranks under mpirun/srun; runs without best.pt are listed)")
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
  return options;
}

po::variables_map parse_flags(int argc, char** argv, const po::options_description& visible) {
  po::options_description hidden;  // how a sweep rank starts its children
  hidden.add_options()
      ("run-dir", po::value<std::string>(), "")
      ("rank", po::value<int>()->default_value(0), "")
      ("attempt", po::value<int>()->default_value(0), "")
      ("lock-fd", po::value<int>(), "")         // the run folder's lock, inherited: held to the end
      ("heartbeat-fd", po::value<int>(), "")    // a pipe to the rank: progress beats
      ("parent-pid", po::value<long>(), "")     // the rank: its death is a stop
      ("share-of", po::value<std::string>(), "");  // "k/K": a one-process re-evaluation's child (cli/reevaluate.h)
  po::options_description all;
  all.add(visible).add(hidden);
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, all), vm);
  po::notify(vm);
  return vm;
}

}  // namespace

std::optional<po::variables_map> start(int argc, char** argv, const std::string& preface) {
  const po::options_description visible = visible_flags();
  po::variables_map vm = parse_flags(argc, argv, visible);
  if (vm.count("help")) {
    std::cout << preface << visible << "\n";
    return std::nullopt;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("regal"));
  spdlog::set_pattern("[%H:%M:%S] %^%v%$");
  if (vm.count("verbose")) spdlog::set_level(spdlog::level::debug);
  if (vm.count("experiments")) ::setenv("REGAL_EXPERIMENTS", vm["experiments"].as<std::string>().c_str(), /*overwrite=*/1);
  return vm;
}

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

sweep::SweepOptions sweep_options(const po::variables_map& vm, int argc, char** argv) {
  sweep::SweepOptions options;
  options.spec = vm["spec"].as<std::string>();
  options.results = vm["results"].as<std::string>();
  options.self = run_binary();
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
  layout::keeps_checkpoint(options.keep_checkpoints, "best");  // refuses anything else
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
  return options;
}

std::filesystem::path run_binary() {
  return std::filesystem::canonical("/proc/self/exe").parent_path() / "regal-run";
}

}  // namespace regal::cli
