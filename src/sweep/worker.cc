#include "sweep/worker.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>

#include "sweep/resources.h"
#include "util/error.h"

namespace regal::sweep {

Worker::Worker(Transport& transport, const std::map<std::string, const PlannedRun*>& plan, RankResources resources,
               Executor& executor, std::function<std::filesystem::path(const std::string&)> run_dir_of,
               std::function<bool()> stop_requested, Settings settings)
    : transport_(transport), plan_(plan), resources_(std::move(resources)), executor_(executor),
      run_dir_of_(std::move(run_dir_of)), stop_requested_(std::move(stop_requested)), settings_(settings) {}

void Worker::watch_temperature() {
  if (settings_.thermal == nullptr || heat_stopped_) return;
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  const ThermalLevel level = settings_.thermal->check(now);
  const std::optional<double> reading = settings_.thermal->last();
  if (reading) {
    for (auto& [id, hottest] : running_max_) hottest = std::max(hottest.value_or(*reading), *reading);
  }
  const ThermalLimits& limits = settings_.thermal->limits();
  auto where = [&] { return "rank " + std::to_string(transport_.rank()) + ", " + settings_.thermal->describe(); };
  if (level == ThermalLevel::kAbort) {
    heat_stopped_ = true;
    draining_ = true;
    const std::string reason = "stopped for heat: " + celsius(*reading) + " at or above " + celsius(limits.abort) + " (" + where() + ")";
    spdlog::error("{}; checkpointing {} run(s); this rank starts no more runs (exit code 4: see docs/slurm.md)", reason,
                  executor_.running());
    executor_.stop_for_heat(reason, *reading);
  } else if (level == ThermalLevel::kPause && !paused_) {
    paused_ = true;
    spdlog::warn("{} at or above {} ({}): no new run starts here until below {}", celsius(*reading), celsius(limits.pause),
                 where(), celsius(settings_.thermal->resume_below()));
  } else if (level == ThermalLevel::kOk && paused_) {
    paused_ = false;
    spdlog::info("cooled to {} ({}): runs start again", celsius(*reading), where());
  }
}

void Worker::step() {
  watch_temperature();
  if (!draining_ && stop_requested_ && stop_requested_()) {
    draining_ = true;
    spdlog::warn("stop signal: checkpointing {} running run(s); no new runs start", executor_.running());
    executor_.signal_all(SIGTERM);
    transport_.send(0, kDrain, "");
  }
  while (!draining_ && !paused_ && executor_.running() + outstanding_ + stopped_ < resources_.slots) {
    transport_.send(0, kRequest, "");
    ++outstanding_;
  }
  for (const auto& result : executor_.reap()) {
    const auto hottest = running_max_.find(result.run_id);
    if (settings_.on_ended && hottest != running_max_.end()) settings_.on_ended(planned(result.run_id), result, hottest->second);
    if (hottest != running_max_.end()) running_max_.erase(hottest);
    transport_.send(0, kResult, result.to_json().dump());
  }
  if (!done_sent_ && executor_.running() == 0 && outstanding_ == 0 && (stopped_ == resources_.slots || draining_)) {
    transport_.send(0, kDone, "");
    done_sent_ = true;
  }
}

void Worker::handle(const Message& message) {
  if (message.tag == kStop) {
    --outstanding_;
    ++stopped_;
    return;
  }
  if (message.tag != kAssign) return;
  --outstanding_;
  // "<run id>" for a planned run; "<run id>\n<experiment JSON>" for one
  // decided while the sweep runs (an asynchronous search's promotion).
  const auto newline = message.payload.find('\n');
  const std::string id = message.payload.substr(0, newline);
  if (newline != std::string::npos && !plan_.count(id)) {
    PlannedRun carried;
    carried.run_id = id;
    carried.experiment = experiment::Experiment::from_json(nlohmann::json::parse(message.payload.substr(newline + 1)));
    carried_[id] = std::move(carried);
  }
  const PlannedRun& run = planned(id);
  if (paused_ || heat_stopped_) {  // too hot here: another rank takes it
    transport_.send(0, kReturn, run.run_id);
    return;
  }
  if (draining_) {  // assigned before our drain arrived: hand it back as preempted
    RunResult result;
    result.run_id = run.run_id;
    result.state = layout::RunState::kPreempted;
    result.error = "not started";
    transport_.send(0, kResult, result.to_json().dump());
    return;
  }
  const bool wants_gpu = run.experiment.device != "cpu";
  ChildSpec spec{run.run_id, run_dir_of_(run.run_id), run.experiment.to_json(), wants_gpu ? resources_.device : "cpu",
                 resources_.threads, transport_.rank(), settings_.attempt, settings_.retry_failed,
                 settings_.run_timeout.value_or(default_run_timeout(run.cost)),
                 settings_.thermal ? settings_.thermal->interval() : 5.0, settings_.keep_checkpoints};
  StartOutcome started;
  try {
    started = executor_.start(spec);
  } catch (const DiskFullError& error) {
    // Not even its folder could be prepared: the run waits for the next start.
    started.kind = StartOutcome::Kind::kFinished;
    started.result.run_id = run.run_id;
    started.result.state = layout::RunState::kPreempted;
    started.result.error = std::string("disk full: ") + error.what();
    started.result.disk_full = true;
  }
  if (started.kind == StartOutcome::Kind::kStarted) running_max_[run.run_id] = settings_.thermal ? settings_.thermal->last() : std::nullopt;
  if (started.kind == StartOutcome::Kind::kHeldElsewhere) transport_.send(0, kHeld, run.run_id);
  if (started.kind == StartOutcome::Kind::kFinished) transport_.send(0, kResult, started.result.to_json().dump());
}

}  // namespace regal::sweep
