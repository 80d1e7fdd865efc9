#include "sweep/runner.h"

#include <spdlog/spdlog.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "aggregate/collect.h"
#include "aggregate/tables.h"
#include "experiment/pipeline.h"
#include "experiment/provenance.h"
#include "experiment/run_paths.h"
#include "io/atomic_file.h"
#include "sweep/executor.h"
#include "sweep/scheduler.h"
#include "sweep/spec.h"
#include "train/session.h"
#include "util/error.h"

namespace regal::sweep {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kExit = 7;  // coordinator -> every rank, after the tables: the exit code

std::optional<std::size_t> env_count(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoul(value));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  return std::to_string(s / 3600) + "h" + std::to_string((s % 3600) / 60) + "m";
}

nlohmann::json plan_json(const SweepSpec& spec, const std::vector<PlannedRun>& runs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& run : runs) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& [key, value] : run.axes) axes.push_back({key, value});
    list.push_back({{"run_id", run.run_id}, {"axes", axes}, {"cost", run.cost}});
  }
  return {{"sweep", spec.name}, {"description", spec.description}, {"runs", list}};
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

// A stored spec that differs: refuse with what changes, or keep it aside.
void check_spec_change(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const experiment::RunPaths& paths,
                       bool allow) {
  std::ifstream in(paths.spec_toml());
  if (!in) return;
  std::stringstream stored;
  stored << in.rdbuf();
  if (stored.str() == spec.text) return;
  std::set<std::string> before, after;
  const nlohmann::json old_plan = read_json(paths.plan_json());
  if (old_plan.is_object()) {
    for (const auto& run : old_plan["runs"]) before.insert(run["run_id"].get<std::string>());
  }
  for (const auto& run : runs) after.insert(run.run_id);
  std::size_t added = 0, removed = 0;
  for (const auto& id : after) added += before.count(id) ? 0U : 1U;
  for (const auto& id : before) removed += after.count(id) ? 0U : 1U;
  const std::string summary = std::to_string(added) + " run(s) added, " + std::to_string(removed) + " removed, " +
                              std::to_string(after.size() - added) + " kept";
  if (!allow) {
    throw InputError(spec.file.string() + " differs from " + paths.spec_toml().string() + " (" + summary +
                     "); pass --allow-spec-change to go on (done runs are reused)");
  }
  std::string stamp = experiment::utc_now();
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  fs::rename(paths.spec_toml(), paths.archived_spec_toml(stamp));
  spdlog::info("spec changed ({}); the old one is kept as spec.{}.toml", summary, stamp);
}

void print_dry_run(const SweepSpec& spec, const std::vector<PlannedRun>& runs, const experiment::RunPaths& sweep_paths) {
  std::vector<aggregate::RunRecord> records;
  for (const auto& run : runs) {
    const experiment::RunPaths paths = sweep_paths.run(run.run_id);
    records.push_back(aggregate::read_run(paths.run_dir(), spec.name, run.axes));
    records.back().status = fs::exists(paths.status_json()) ? records.back().status : "new";
  }
  std::cout << "sweep " << spec.name << ": " << runs.size() << " runs into " << sweep_paths.sweep_dir().string() << "\n\n"
            << aggregate::to_terminal(aggregate::runs_table(records, {})) << "\nwould write "
            << sweep_paths.spec_toml().string() << ", " << sweep_paths.plan_json().string() << ", "
            << sweep_paths.plan_full_json().string() << ",\n  a run folder per run (docs/results.md), and "
            << sweep_paths.aggregate_dir().string() << "/{runs,summary}.{csv,json}, sweep.h5\n";
}

class Worker {
 public:
  Worker(Transport& transport, const std::map<std::string, const PlannedRun*>& plan, const SweepOptions& options,
         const experiment::RunPaths& sweep_paths, RankResources resources)
      : transport_(transport), plan_(plan), options_(options), sweep_paths_(sweep_paths),
        resources_(std::move(resources)), executor_(options.self) {}

  void step() {
    if (!draining_ && options_.stop_requested && options_.stop_requested()) {
      draining_ = true;
      spdlog::warn("stop signal: checkpointing {} running run(s); no new runs start", executor_.running());
      executor_.signal_all(SIGTERM);
      transport_.send(0, kDrain, "");
    }
    while (!draining_ && executor_.running() + outstanding_ + stopped_ < resources_.slots) {
      transport_.send(0, kRequest, "");
      ++outstanding_;
    }
    for (const auto& exit : executor_.reap()) transport_.send(0, kResult, finish_child(exit));
    if (!done_sent_ && executor_.running() == 0 && outstanding_ == 0 && (stopped_ == resources_.slots || draining_)) {
      transport_.send(0, kDone, "");
      done_sent_ = true;
    }
  }

  void handle(const Message& message) {
    if (message.tag == kStop) {
      --outstanding_;
      ++stopped_;
      return;
    }
    if (message.tag != kAssign) return;
    --outstanding_;
    const PlannedRun& run = *plan_.at(message.payload);
    const experiment::RunPaths paths = sweep_paths_.run(run.run_id);
    if (draining_) {  // assigned before our drain arrived: hand it back as preempted
      nlohmann::json result = {{"run_id", run.run_id}, {"status", "preempted"}, {"stage", ""}, {"error", "not started"}};
      transport_.send(0, kResult, result.dump());
      return;
    }
    fs::create_directories(paths.run_dir());
    io::write_file_atomic(paths.experiment_json(), run.experiment.to_json().dump(2) + "\n");
    const bool wants_gpu = run.experiment.device != "cpu";
    ChildSpec spec{run.run_id, paths.run_dir(), wants_gpu ? resources_.device : "cpu", resources_.threads,
                   transport_.rank(), static_cast<int>(env_count("SLURM_RESTART_COUNT").value_or(0))};
    executor_.start(spec);
  }

  bool finished() const { return done_sent_; }

 private:
  Transport& transport_;
  const std::map<std::string, const PlannedRun*>& plan_;
  const SweepOptions& options_;
  const experiment::RunPaths& sweep_paths_;
  RankResources resources_;
  Executor executor_;
  std::size_t outstanding_ = 0, stopped_ = 0;
  bool draining_ = false, done_sent_ = false;
};

class Coordinator {
 public:
  // With a share, runs outside `mine` belong to other array tasks: their
  // folders are read again before the final tables, so the last task to end
  // writes complete tables.
  void set_share(std::set<std::string> mine) { mine_ = std::move(mine); }

  Coordinator(Transport& transport, Scheduler& scheduler, std::vector<aggregate::RunRecord> records,
              const experiment::RunPaths& sweep_paths)
      : transport_(transport), scheduler_(scheduler), records_(std::move(records)), sweep_paths_(sweep_paths),
        start_(Clock::now()) {
    for (std::size_t i = 0; i < records_.size(); ++i) index_[records_[i].run_id] = i;
    write_tables();
  }

  void handle(const Message& message) {
    std::vector<Decision> decisions;
    if (message.tag == kRequest) decisions = scheduler_.on_request(message.from);
    if (message.tag == kDrain) decisions = scheduler_.on_drain();
    if (message.tag == kDone) done_ranks_.insert(message.from);
    if (message.tag == kResult) decisions = on_result(message.from, nlohmann::json::parse(message.payload));
    scheduler_.check_invariants();
    for (const auto& decision : decisions) {
      transport_.send(decision.rank, decision.kind == Decision::Kind::kAssign ? kAssign : kStop, decision.run_id);
    }
  }

  bool finished() const { return static_cast<int>(done_ranks_.size()) == transport_.size(); }

  // Over the whole sweep, runs skipped this time included: 1 if any failed,
  // 3 if any is left to resume, else 0.
  int exit_code() const {
    bool failed = false, unfinished = false;
    for (const auto& record : records_) {
      if (!mine_.empty() && !mine_.count(record.run_id)) continue;  // other array tasks answer for theirs
      failed = failed || record.status == "failed";
      unfinished = unfinished || (record.status != "done" && record.status != "failed");
    }
    return failed ? 1 : unfinished ? 3 : 0;
  }

  void finish() {
    if (!mine_.empty()) {
      for (auto& record : records_) {
        if (mine_.count(record.run_id)) continue;
        record = aggregate::read_run(sweep_paths_.run(record.run_id).run_dir(), record.sweep, record.axes);
      }
    }
    write_tables();
    aggregate::write_sweep_h5(sweep_paths_.sweep_h5(), sweep_paths_.sweep_dir(), records_);
    const auto summary = aggregate::compact_summary(records_, aggregate::display_metrics(), std::nullopt);
    std::cout << "\n" << aggregate::to_terminal(summary) << std::flush;
    std::map<std::string, std::size_t> counts;
    for (const auto& record : records_) ++counts[record.status];
    spdlog::info("{} runs: {} done, {} failed, {} preempted, {} not run ({} ran now); tables in {}", records_.size(),
                 counts["done"], counts["failed"], counts["preempted"], counts["pending"], finished_,
                 sweep_paths_.aggregate_dir().string());
  }

 private:
  std::vector<Decision> on_result(int rank, const nlohmann::json& result) {
    const std::string id = result["run_id"].get<std::string>();
    const std::string status = result["status"].get<std::string>();
    const RunState state = status == "done" ? RunState::kDone : status == "preempted" ? RunState::kPreempted : RunState::kFailed;
    auto decisions = scheduler_.on_finished(rank, id, state);
    aggregate::RunRecord& record = records_[index_.at(id)];
    record.status = status;
    record.metrics = result.value("metrics", nlohmann::json::object());
    record.error = status == "failed" ? result.value("stage", "") + ": " + result.value("error", "") : "";
    ++finished_;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::size_t total = scheduler_.total();
    const double eta = elapsed / static_cast<double>(finished_) * static_cast<double>(total - finished_);
    const std::string progress = "[" + std::to_string(finished_) + "/" + std::to_string(total) + "] " + id + " ";
    const std::string timing = " (" + duration(result.value("seconds", 0.0)) + ", ETA " + duration(eta) + ")";
    if (state == RunState::kDone) {
      const auto& m = record.metrics;
      const std::string acc = m.contains("acc_test_len_ood") ? aggregate::cell(m["acc_test_len_ood"]) : "?";
      spdlog::info("{}done acc_len_ood={}{}", progress, acc, timing);
    } else if (state == RunState::kFailed) {
      spdlog::error("{}failed in {}: {}{}", progress, result.value("stage", "?"), result.value("error", ""), timing);
    } else {
      spdlog::warn("{}preempted{}", progress, timing);
    }
    write_tables();
    return decisions;
  }

  void write_tables() {
    aggregate::write_tables(sweep_paths_.aggregate_dir().string(), records_, aggregate::default_metrics(), std::nullopt);
  }

  Transport& transport_;
  Scheduler& scheduler_;
  std::vector<aggregate::RunRecord> records_;
  std::map<std::string, std::size_t> index_;
  const experiment::RunPaths& sweep_paths_;
  std::set<int> done_ranks_;
  std::set<std::string> mine_;
  std::size_t finished_ = 0;
  Clock::time_point start_;
};

}  // namespace

RankResources rank_resources(int local_rank, int local_ranks, std::size_t cores, std::size_t bound_cores, std::size_t gpus,
                             std::optional<std::size_t> cpus_per_task, std::optional<std::size_t> slots,
                             std::optional<std::size_t> threads) {
  RankResources resources;
  const std::size_t share = cpus_per_task.value_or(cores / static_cast<std::size_t>(std::max(local_ranks, 1)));
  const std::size_t cpus = std::max<std::size_t>(1, std::min(share, bound_cores));
  if (gpus > 0) {
    resources.device = "cuda:" + std::to_string(static_cast<std::size_t>(local_rank) % gpus);
    // A small model's step is bound by the host launching kernels, so runs
    // side by side fill a GPU: up to kDefaultRunsPerGpu children per GPU,
    // split among the ranks that share it, at most one per core.
    const std::size_t ranks_per_gpu = (static_cast<std::size_t>(std::max(local_ranks, 1)) + gpus - 1) / gpus;
    const std::size_t per_rank = std::max<std::size_t>(1, kDefaultRunsPerGpu / ranks_per_gpu);
    resources.slots = slots.value_or(std::min(per_rank, cpus));
  } else {
    resources.device = "cpu";
    // On CPU, small models use cores best as single-threaded runs side by side,
    // and a thread count of one makes results independent of the launch layout.
    resources.slots = slots.value_or(std::max<std::size_t>(1, cpus / threads.value_or(1)));
  }
  resources.threads = threads.value_or(std::max<std::size_t>(1, cpus / resources.slots));
  return resources;
}

// Cores this process may run on (its CPU binding); the machine's when unknown.
std::size_t bound_core_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return std::thread::hardware_concurrency();
  return static_cast<std::size_t>(CPU_COUNT(&set));
}

int run_sweep(Transport& transport, const SweepOptions& options) {
  const bool root = transport.rank() == 0;
  const SweepSpec spec = parse_spec(options.spec);
  const std::vector<PlannedRun> runs = expand(spec);
  const experiment::RunPaths sweep_paths(options.results, spec.name, "");
  if (options.dry_run) {
    if (root) print_dry_run(spec, runs, sweep_paths);
    return 0;
  }
  std::map<std::string, const PlannedRun*> plan;
  for (const auto& run : runs) plan[run.run_id] = &run;

  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Coordinator> coordinator;
  if (root) {
    check_spec_change(spec, runs, sweep_paths, options.allow_spec_change);
    fs::create_directories(sweep_paths.sweep_dir());
    io::write_file_atomic(sweep_paths.spec_toml(), spec.text);
    io::write_file_atomic(sweep_paths.plan_json(), plan_json(spec, runs).dump(2) + "\n");
    nlohmann::json full = nlohmann::json::array();
    for (const auto& run : runs) full.push_back({{"run_id", run.run_id}, {"experiment", run.experiment.to_json()}});
    io::write_file_atomic(sweep_paths.plan_full_json(), nlohmann::json{{"sweep", spec.name}, {"runs", full}}.dump(2) + "\n");
    std::vector<Scheduler::Run> todo;
    std::vector<aggregate::RunRecord> records;
    std::set<std::string> mine;  // with a share: the runs this array task answers for
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const PlannedRun& run = runs[i];
      aggregate::RunRecord record = aggregate::read_run(sweep_paths.run(run.run_id).run_dir(), spec.name, run.axes);
      if (options.share && i % options.share->second != options.share->first) {
        records.push_back(std::move(record));  // another array task runs it; its folder is read again at the end
        continue;
      }
      mine.insert(run.run_id);
      const bool skip = record.status == "done" || (record.status == "failed" && !options.retry_failed);
      if (skip) {
        ++skipped;
      } else {
        record.status = "pending";
        record.metrics = nlohmann::json::object();
        record.error.clear();
        todo.push_back({run.run_id, run.cost});
      }
      records.push_back(std::move(record));
    }
    spdlog::info("sweep {}: {} runs, {} to run, {} already done or failed (--retry-failed reruns failed ones); {} rank(s){}",
                 spec.name, runs.size(), todo.size(), skipped, transport.size(),
                 options.share ? ", share " + std::to_string(options.share->first) + "/" + std::to_string(options.share->second) : "");
    scheduler = std::make_unique<Scheduler>(std::move(todo));
    coordinator = std::make_unique<Coordinator>(transport, *scheduler, std::move(records), sweep_paths);
    if (options.share) coordinator->set_share(std::move(mine));
  }

  const int local_rank = static_cast<int>(env_count("OMPI_COMM_WORLD_LOCAL_RANK").value_or(env_count("SLURM_LOCALID").value_or(0)));
  const int local_ranks = static_cast<int>(env_count("OMPI_COMM_WORLD_LOCAL_SIZE")
                                               .value_or(env_count("SLURM_NTASKS_PER_NODE").value_or(
                                                   static_cast<std::size_t>(transport.size()))));
  // A sweep whose runs all ask for the CPU uses the cores even on a GPU node
  // (and never initialises CUDA in this process).
  const bool wants_gpu = std::any_of(runs.begin(), runs.end(), [](const PlannedRun& run) { return run.experiment.device != "cpu"; });
  const std::size_t cores = std::thread::hardware_concurrency(), bound = bound_core_count();
  const RankResources resources =
      rank_resources(local_rank, local_ranks, cores, bound, wants_gpu ? train::cuda_device_count() : 0,
                     env_count("SLURM_CPUS_PER_TASK"), options.slots, options.threads);
  if (bound < cores / static_cast<std::size_t>(std::max(local_ranks, 1)) && !env_count("SLURM_CPUS_PER_TASK")) {
    spdlog::warn("this rank is bound to {} of the node's {} cores, and its children inherit that binding; "
                 "mpirun --bind-to none lets them use the node", bound, cores);
  }
  spdlog::info("{} child(ren) at once, {} thread(s) each, device {}", resources.slots, resources.threads, resources.device);
  Worker worker(transport, plan, options, sweep_paths, resources);

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
