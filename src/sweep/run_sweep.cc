// The loop every rank runs: rank 0 plans and builds the coordinator, every
// rank builds a worker over its children, then messages are pumped until the
// coordinator has written the final tables and told every rank the exit code.
#include "sweep/run_sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "layout/run_paths.h"
#include "sweep/coordinator.h"
#include "sweep/executor.h"
#include "sweep/plan.h"
#include "sweep/resources.h"
#include "sweep/scheduler.h"
#include "sweep/spec.h"
#include "sweep/worker.h"
#include "util/exit_codes.h"

namespace regal::sweep {
namespace {

constexpr int kExit = 7;  // coordinator -> every rank, after the tables: the exit code

// This rank's resources, from the launcher's environment and the machine.
RankResources resources_here(const std::vector<PlannedRun>& runs, const SweepOptions& options, int ranks) {
  const int local_rank = static_cast<int>(env_count("OMPI_COMM_WORLD_LOCAL_RANK").value_or(env_count("SLURM_LOCALID").value_or(0)));
  const int local_ranks = static_cast<int>(
      env_count("OMPI_COMM_WORLD_LOCAL_SIZE").value_or(env_count("SLURM_NTASKS_PER_NODE").value_or(static_cast<std::size_t>(ranks))));
  // A sweep whose runs all ask for the CPU uses the cores even on a GPU node
  // (and never asks the CUDA driver).
  const bool wants_gpu = std::any_of(runs.begin(), runs.end(), [](const PlannedRun& run) { return run.experiment.device != "cpu"; });
  const std::size_t cores = std::thread::hardware_concurrency(), bound = bound_core_count();
  const std::size_t gpus = wants_gpu ? visible_gpu_count() : 0;
  const RankResources resources = rank_resources(local_rank, local_ranks, cores, bound, gpus, env_count("SLURM_CPUS_PER_TASK"),
                                                 options.slots, options.threads);
  if (bound < cores / static_cast<std::size_t>(std::max(local_ranks, 1)) && !env_count("SLURM_CPUS_PER_TASK")) {
    spdlog::warn("this rank is bound to {} of the node's {} cores, and its children inherit that binding; "
                 "mpirun --bind-to none lets them use the node", bound, cores);
  }
  const std::string where = gpus > 0 ? resources.device : wants_gpu ? "cpu (no GPU visible)" : "cpu";
  spdlog::info("{} child(ren) at once, {} thread(s) each, on {}", resources.slots, resources.threads, where);
  return resources;
}

}  // namespace

int run_sweep(Transport& transport, const SweepOptions& options) {
  const bool root = transport.rank() == 0;
  const SweepSpec spec = parse_spec(options.spec);
  const std::vector<PlannedRun> runs = expand(spec);
  const layout::RunPaths sweep_paths(options.results, spec.name, "");
  if (options.dry_run) {
    if (root) std::cout << dry_run_text(spec, runs, sweep_paths);
    return exit_code::kDone;
  }
  std::map<std::string, const PlannedRun*> plan;
  for (const auto& run : runs) plan[run.run_id] = &run;

  SteadyClock clock;
  FolderTableWriter tables(sweep_paths);
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Coordinator> coordinator;
  if (root) {
    check_spec_change(spec, runs, sweep_paths, options.allow_spec_change);
    write_plan(spec, runs, sweep_paths);
    StartingPoint start = starting_point(spec, runs, sweep_paths, options.retry_failed, options.share);
    spdlog::info("sweep {}: {} runs, {} to run, {} already done or failed (--retry-failed reruns failed ones); {} rank(s){}",
                 spec.name, runs.size(), start.todo.size(), start.skipped, transport.size(),
                 options.share ? ", share " + std::to_string(options.share->first) + "/" + std::to_string(options.share->second) : "");
    scheduler = std::make_unique<Scheduler>(std::move(start.todo));
    coordinator = std::make_unique<Coordinator>(transport, *scheduler, std::move(start.records), tables, clock);
    if (options.share) coordinator->set_share(std::move(start.mine));
  }

  ProcessExecutor executor(options.self);
  Worker worker(transport, plan, resources_here(runs, options, transport.size()), executor,
                [&](const std::string& id) { return sweep_paths.run(id).run_dir(); }, options.stop_requested,
                static_cast<int>(env_count("SLURM_RESTART_COUNT").value_or(0)));

  std::optional<int> exit_code;
  while (!exit_code) {
    worker.step();
    bool idle = true;
    while (auto message = transport.poll()) {
      idle = false;
      if (message->tag == kExit) {
        exit_code = std::stoi(message->payload);
      } else if (message->tag == kAssign || message->tag == kStop) {
        worker.handle(*message);
      } else if (coordinator) {
        coordinator->handle(*message);
      }
    }
    if (coordinator && coordinator->finished()) {
      coordinator->finish();
      const int code = coordinator->exit_code();
      for (int rank = 0; rank < transport.size(); ++rank) transport.send(rank, kExit, std::to_string(code));
      coordinator.reset();
      continue;
    }
    if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return *exit_code;
}

}  // namespace regal::sweep
