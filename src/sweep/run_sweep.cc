// The loop every rank runs: rank 0 plans and builds the coordinator, every
// rank builds a worker over its children, then messages are pumped until the
// coordinator has written the final tables and told every rank the exit code.
#include "sweep/run_sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "aggregate/analysis.h"
#include "io/hash.h"
#include "layout/results_root.h"
#include "layout/run_paths.h"
#include "notebook/log.h"
#include "notebook/readme.h"
#include "notebook/registry.h"
#include "sweep/coordinator.h"
#include "sweep/executor.h"
#include "sweep/guards.h"
#include "sweep/plan.h"
#include "sweep/preflight.h"
#include "sweep/resources.h"
#include "sweep/scheduler.h"
#include "sweep/search_driver.h"
#include "sweep/spec.h"
#include "sweep/worker.h"
#include "util/cores.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"

namespace regal::sweep {
namespace {

// Every rank's runs stop and end within this after an abort: TERM, then KILL.
constexpr auto kAbortGrace = std::chrono::seconds(30);

// Whether rank 0 only coordinates: as asked, else from kCoordinatorOnlyRanks ranks.
bool coordinator_only(const SweepOptions& options, int ranks) {
  return options.coordinator_only.value_or(ranks >= kCoordinatorOnlyRanks);
}

// The exit code an exception stands for, and the line the rank that met it prints.
int report(const std::exception& error, int rank) {
  if (dynamic_cast<const InputError*>(&error) != nullptr) {
    say_line(std::string("error: ") + error.what());
    return exit_code::kBadInput;
  }
  if (dynamic_cast<const DiskFullError*>(&error) != nullptr) {
    say_line("sweep: rank " + std::to_string(rank) + ": " + error.what() + "; free space and run the same command again");
    return exit_code::kResumable;
  }
  say_line("sweep: rank " + std::to_string(rank) + ": internal error: " + error.what());
  return exit_code::kRunFailed;
}

// Stops this rank's runs (they checkpoint and end preempted) and waits for
// them, at most kAbortGrace before killing the rest.
void stop_runs(Executor& executor) {
  executor.signal_all(SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kAbortGrace;
  while (executor.running() > 0) {
    executor.reap();
    if (std::chrono::steady_clock::now() > deadline) {
      executor.signal_all(SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      executor.reap();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// This rank's resources, from the launcher's environment and the machine
// (none on a rank 0 that only coordinates). `say`: log them (not for --check,
// nor before the checks have passed).
RankResources resources_here(const std::vector<PlannedRun>& runs, const SweepOptions& options, int rank, int ranks, bool say) {
  const int local_ranks = local_ranks_here(ranks);
  // A sweep whose runs all ask for the CPU uses the cores even on a GPU node
  // (and never asks the CUDA driver).
  const bool wants_gpu = sweep::wants_gpu(runs);
  const std::size_t cores = std::thread::hardware_concurrency(), bound = bound_core_count();
  RankResources resources = rank_resources_here(ranks, wants_gpu, options.slots, options.threads);
  if (rank == 0 && coordinator_only(options, ranks)) {
    resources.slots = 0;
    if (say) {
      spdlog::info("rank 0 only schedules and reduces ({}); the other {} rank(s) run", options.coordinator_only
                   ? std::string("--coordinator-only") : std::to_string(ranks) + " ranks; --coordinator-only=no runs here too", ranks - 1);
    }
    return resources;
  }
  if (!say) return resources;
  if (bound < cores / static_cast<std::size_t>(std::max(local_ranks, 1)) && !env_count("SLURM_CPUS_PER_TASK")) {
    spdlog::warn("this rank is bound to {} of the node's {} cores, and its children inherit that binding; "
                 "mpirun --bind-to none lets them use the node", bound, cores);
  }
  const std::string where = resources.device != "cpu" ? resources.device : wants_gpu ? "cpu (no GPU visible)" : "cpu";
  spdlog::info("{} child(ren) at once, {} thread(s) each, on {}", resources.slots, resources.threads, where);
  return resources;
}

// A [[compare]] arm that no planned run can fill would cost the comparison
// only at the end of the sweep; refuse it now, naming the spec.
void check_comparisons(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const std::filesystem::path& file) {
  if (spec.comparisons.empty()) return;
  std::vector<aggregate::RunRecord> records;
  records.reserve(runs.size());
  for (const auto& run : runs) {
    aggregate::RunRecord record;
    record.run_id = run.run_id;
    record.axes = run.axes;
    records.push_back(std::move(record));
  }
  std::vector<aggregate::Comparison> comparisons;
  for (const auto& entry : spec.comparisons) comparisons.push_back(aggregate::comparison_from_json(entry));
  try {
    aggregate::validate_selectors(comparisons, records);
  } catch (const InputError& error) {
    throw InputError(file.string() + ": [[compare]] " + error.what());
  }
}

// A table writer for a search's trial phases: trials are not the sweep's
// runs (their state goes to search/<cell>/trials.csv between phases).
class NoTables final : public TableWriter {
 public:
  void write(const std::vector<aggregate::RunRecord>&, const std::vector<std::size_t>&) override {}
  void finish(const std::vector<aggregate::RunRecord>&) override {}
  std::string location() const override { return "search/"; }
};

// The thermal guard of this rank: its GPU's sensor when its runs use one,
// else the CPU's; said once when there is none.
std::unique_ptr<ThermalGuard> thermal_guard(const RankResources& resources, const SweepOptions& options, bool say) {
  auto guard = std::make_unique<ThermalGuard>(find_sensor(gpu_index(resources.device)), options.thermal);
  if (!guard->active()) {
    if (say) spdlog::info("no temperature sensor here (nvidia-smi, /sys/class/hwmon, /sys/class/thermal): the thermal guard is off");
  } else {
    spdlog::debug("thermal guard: {}, pause at {} °C, stop at {} °C ({})", guard->describe(), guard->limits().pause,
                  guard->limits().abort, guard->limits().from);
  }
  return guard;
}

std::string describe_guard(const ThermalGuard& guard) {
  if (!guard.active()) return "no temperature sensor: off";
  return guard.describe() + ": pause at " + celsius(guard.limits().pause) + ", stop at " + celsius(guard.limits().abort) + " (" +
         guard.limits().from + ")";
}

// One row of the experiment log for an attempt that ended on this rank.
void log_attempt(const SweepOptions& options, const std::string& sweep, const layout::RunPaths& paths, const PlannedRun& run,
                 const RunResult& result, std::optional<double> hottest, int rank) {
  try {
    nlohmann::json axes = nlohmann::json::object();
    for (const auto& [axis, value] : run.axes) axes[axis] = value;
    notebook::LogRow row = notebook::log_row_from_run(paths, sweep, axes, result.seconds, rank);
    if (hottest && (!row.max_temperature || *hottest > *row.max_temperature)) row.max_temperature = hottest;
    notebook::append_log_row(options.results, row);
  } catch (const std::exception& error) {
    spdlog::warn("run {}: its row could not be added to the experiment log: {}", result.run_id, error.what());
  }
}

// The sweep's registry entry and README, at its start (`finished` false) and end.
void note_sweep(const SweepOptions& options, const SweepSpec& spec, bool finished) {
  try {
    notebook::note_folder({options.results, spec.name, "sweep", spec.description, options.spec.string(), spec.text,
                           io::sha256_hex(spec.text), notebook::launcher_prefix() + notebook::shell_join(options.command_line),
                           notebook::aggregate_beside(options.command_line.empty() ? "" : options.command_line[0])},
                          finished);
  } catch (const DiskFullError&) {
    throw;
  } catch (const std::exception& error) {
    spdlog::warn("the registry or the README of {} could not be updated: {}", spec.name, error.what());
  }
}

// Pumps messages for one set of runs until rank 0's coordinator has told
// every rank the exit code, and returns it. Messages for a coordinator that
// this rank does not have yet (rank 0, between phases: other ranks' next
// phase starts early) are kept in `carry` for the next call.
int pump(Transport& transport, const std::vector<PlannedRun>& runs, const RankResources& resources, Executor& executor,
         const SweepOptions& options, const layout::RunPaths& sweep_paths, std::unique_ptr<Coordinator> coordinator,
         std::vector<Message>& carry, ThermalGuard* thermal) {
  std::map<std::string, const PlannedRun*> plan;
  for (const auto& run : runs) plan[run.run_id] = &run;
  Worker::Settings settings;
  settings.attempt = static_cast<int>(env_count("SLURM_RESTART_COUNT").value_or(0));
  settings.retry_failed = options.retry_failed;
  settings.run_timeout = options.run_timeout;
  settings.thermal = thermal;
  settings.keep_checkpoints = options.keep_checkpoints;
  settings.on_ended = [&](const PlannedRun& run, const RunResult& result, std::optional<double> hottest) {
    log_attempt(options, sweep_paths.sweep_name(), sweep_paths.run(run.run_id), run, result, hottest, transport.rank());
  };
  Worker worker(transport, plan, resources, executor,
                [&](const std::string& id) { return sweep_paths.run(id).run_dir(); }, options.stop_requested, settings);
  std::vector<Message> early;
  early.swap(carry);
  std::size_t next_early = 0;
  auto next = [&]() -> std::optional<Message> {
    if (next_early < early.size()) return early[next_early++];
    return transport.poll();
  };
  while (true) {
    worker.step();
    bool idle = true;
    while (auto message = next()) {
      idle = false;
      if (message->tag == kExit || message->tag == kAbort) {
        if (message->tag == kAbort) stop_runs(executor);
        carry.insert(carry.end(), early.begin() + static_cast<std::ptrdiff_t>(next_early), early.end());
        return std::stoi(message->payload);
      }
      if (message->tag == kAssign || message->tag == kStop) {
        worker.handle(*message);
      } else if (coordinator) {
        coordinator->handle(*message);
      } else {
        carry.push_back(*message);
      }
    }
    if (coordinator) coordinator->poll();
    if (coordinator && coordinator->finished()) {
      coordinator->finish();
      const int code = coordinator->exit_code();
      for (int rank = 0; rank < transport.size(); ++rank) transport.send(rank, kExit, std::to_string(code));
      coordinator.reset();
      continue;
    }
    if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int run_sweep(Transport& transport, const SweepOptions& options) {
  const bool root = transport.rank() == 0;
  const SweepSpec spec = parse_spec(options.spec);  // every rank: a bad spec fails alike everywhere
  const layout::RunPaths sweep_paths(options.results, spec.name, "");
  std::vector<SearchCell> cells;
  std::vector<PlannedRun> runs;  // a search: every cell's first rung (for sizes, resources and the spec check)
  if (spec.search) {
    if (options.share) throw InputError("--share does not go with a [search] spec: its phases depend on each other");
    cells = search_cells(spec);
    for (const auto& cell : cells) {
      for (std::size_t trial = 0; trial < search::rungs(*spec.search).at(0).trials; ++trial) {
        runs.push_back(trial_run(spec, cell, trial, 0));
      }
    }
  } else {
    try {
      runs = expand(spec);
      check_comparisons(spec, runs, options.spec);
    } catch (const InputError& error) {
      // --check says what it could not check; the languages are checked here.
      if (!options.check) throw;
      if (root) std::cout << describe_checks({{"languages", false, error.what()}});
      return exit_code::kBadInput;
    }
  }
  if (options.dry_run) {
    if (root) std::cout << (spec.search ? search_dry_run_text(spec, cells) : dry_run_text(spec, runs, sweep_paths, options.list_runs));
    return exit_code::kDone;
  }
  if (coordinator_only(options, transport.size()) && transport.size() < 2) {
    throw InputError("--coordinator-only needs at least 2 ranks (rank 0 would run nothing): mpirun -n N with N >= 2");
  }
  // Everything that would stop the sweep later, checked before anything is
  // written (rank 0; the others learn the outcome from its abort).
  auto preflight_checks = [&](const RankResources& resources, const ThermalGuard& guard) {
    PreflightInput input;
    input.results = options.results;
    input.sweep_dir = sweep_paths.sweep_dir();
    input.runs = &runs;
    // A rank 0 that only coordinates has no slots: size the node by a worker's.
    const std::size_t slots = resources.slots > 0 ? resources.slots
                                                  : resources_here(runs, options, 1, transport.size(), false).slots;
    input.children_per_node = slots * static_cast<std::size_t>(local_ranks_here(transport.size()));
    input.memory_per_run = options.memory_per_run;
    input.report = options.report;
    input.disk = options.disk_check;
    input.thermal = describe_guard(guard);
    input.run_binary = options.self;
    return preflight(input);
  };
  if (options.check) {
    const RankResources resources = resources_here(runs, options, transport.rank(), transport.size(), false);
    const auto guard = thermal_guard(resources, options, false);
    const std::vector<Check> checks = preflight_checks(resources, *guard);
    if (root) std::cout << describe_checks(checks);
    const bool ok = std::all_of(checks.begin(), checks.end(), [](const Check& check) { return check.ok; });
    return ok ? exit_code::kDone : exit_code::kBadInput;
  }

  SteadyClock clock;
  SweepFolder folder(sweep_paths);
  NoTables no_tables;
  ProcessExecutor executor(options.self);
  std::vector<Message> carry;
  try {
    const RankResources quiet = resources_here(runs, options, transport.rank(), transport.size(), false);
    const std::unique_ptr<ThermalGuard> quiet_guard = thermal_guard(quiet, options, false);
    if (root) require_checks(preflight_checks(quiet, *quiet_guard));
    // Checked: now say what this rank runs on.
    const RankResources resources = resources_here(runs, options, transport.rank(), transport.size(), true);
    const std::unique_ptr<ThermalGuard> guard = thermal_guard(resources, options, root);
    if (root) {
      // A report without figures would be silent damage: no drawing tools, no start (or --no-report).
      if (options.report) folder.set_report(aggregate::plot::require_tools("--no-report"), options.run_figures);
      layout::prepare_results_root(options.results);
      check_spec_change(spec, runs, sweep_paths, options.allow_spec_change);
      write_plan(spec, spec.search ? std::vector<PlannedRun>{} : runs, sweep_paths);
      note_sweep(options, spec, false);
    }
    // The registry's and the README's end of the sweep.
    auto ended = [&](int code) {
      if (root) note_sweep(options, spec, true);
      return code;
    };
    // One set of runs over every rank; rank 0 coordinates and writes `tables`.
    auto execute = [&](const std::vector<PlannedRun>& phase, TableWriter& tables, const std::string& what,
                       AshaSearch* asha = nullptr) {
      std::unique_ptr<Scheduler> scheduler;
      std::unique_ptr<Coordinator> coordinator;
      if (root) {
        StartingPoint start = starting_point(spec, phase, sweep_paths, options.retry_failed, options.share);
        spdlog::info("{}: {} runs, {} to run, {} already done or failed (--retry-failed reruns failed ones); {} rank(s){}", what,
                     phase.size(), start.todo.size(), start.skipped, transport.size(),
                     options.share ? ", share " + std::to_string(options.share->first) + "/" + std::to_string(options.share->second) : "");
        scheduler = std::make_unique<Scheduler>(std::move(start.todo));
        coordinator = std::make_unique<Coordinator>(transport, *scheduler, std::move(start.records), tables, folder, clock);
        coordinator->set_table_interval(options.table_interval);
        if (options.share) coordinator->set_share(std::move(start.mine));
        if (asha) {
          // Promotions are decided on rank 0 as results arrive; every
          // assignment carries its experiment.
          for (const auto& run : phase) coordinator->carry_experiment(run.run_id, run.experiment.to_json().dump());
          coordinator->set_expander([&, asha](const aggregate::RunRecord& finished) {
            std::vector<Coordinator::NewRun> added;
            for (auto& run : asha->on_finished(finished.run_id, finished.state, finished.metrics)) {
              aggregate::RunRecord record;
              record.sweep = spec.name;
              record.run_id = run.run_id;
              record.axes = run.axes;
              record.run_dir = sweep_paths.run(run.run_id).run_dir();
              added.push_back({std::move(record), run.cost, run.experiment.to_json()});
            }
            return added;
          });
        }
      }
      return pump(transport, phase, resources, executor, options, sweep_paths, std::move(coordinator), carry, guard.get());
    };
    if (!spec.search) return ended(execute(runs, folder, "sweep " + spec.name));

    // A search: trial phases while some cell has trials to run (each rank
    // reads the same folders and computes the same phase), then the chosen
    // configurations with the final seeds.
    int trials_code = exit_code::kDone;
    SearchState state;
    if (spec.search->method == search::Method::kAsha) {
      // One phase; rank 0 adds promotions as results arrive.
      AshaSearch asha(spec, cells, sweep_paths);
      std::vector<PlannedRun> phase = asha.known_runs();
      if (root) {
        for (auto& run : asha.catch_up()) phase.push_back(std::move(run));
        write_search_outputs(spec, cells, asha.state(), sweep_paths);
      }
      const int code = execute(phase, no_tables, "search " + spec.name + " (asha)", &asha);
      if (code != exit_code::kDone && code != exit_code::kRunFailed) return ended(code);
      trials_code = code;
      state = asha.state();
    } else {
      state = search_state(spec, cells, sweep_paths);
    }
    for (int phase = 1; spec.search->method != search::Method::kAsha && state.searching(); ++phase) {
      if (root) {
        write_search_outputs(spec, cells, state, sweep_paths);
        copy_continuations(state, sweep_paths);
      }
      const int code = execute(state.trial_phase(), no_tables, "search " + spec.name + ", phase " + std::to_string(phase));
      if (code != exit_code::kDone && code != exit_code::kRunFailed) return ended(code);  // stopped: the same command continues
      trials_code = std::max(trials_code, code);
      state = search_state(spec, cells, sweep_paths);
    }
    const std::vector<PlannedRun> finals = final_phase(spec, cells, state);
    if (root) {
      write_search_outputs(spec, cells, state, sweep_paths);
      write_plan(spec, finals, sweep_paths);
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!state.cells[i].chosen) spdlog::warn("search cell {}: every trial failed; nothing to train with the final seeds", cells[i].id);
      }
    }
    const int code = execute(finals, folder, "search " + spec.name + ": the chosen configurations");
    return ended(code == exit_code::kDone ? trials_code : code);
  } catch (const std::exception& error) {
    // Met here alone: say it once, end every other rank with the same code.
    const int code = report(error, transport.rank());
    for (int rank = 0; rank < transport.size(); ++rank) {
      if (rank != transport.rank()) transport.send(rank, kAbort, std::to_string(code));
    }
    stop_runs(executor);
    return code;
  }
}

}  // namespace regal::sweep
