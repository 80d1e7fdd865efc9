#include "sweep/worker.h"

#include <spdlog/spdlog.h>

#include <csignal>

namespace regal::sweep {

Worker::Worker(Transport& transport, const std::map<std::string, const PlannedRun*>& plan, RankResources resources,
               Executor& executor, std::function<std::filesystem::path(const std::string&)> run_dir_of,
               std::function<bool()> stop_requested, int attempt)
    : transport_(transport), plan_(plan), resources_(std::move(resources)), executor_(executor),
      run_dir_of_(std::move(run_dir_of)), stop_requested_(std::move(stop_requested)), attempt_(attempt) {}

void Worker::step() {
  if (!draining_ && stop_requested_ && stop_requested_()) {
    draining_ = true;
    spdlog::warn("stop signal: checkpointing {} running run(s); no new runs start", executor_.running());
    executor_.signal_all(SIGTERM);
    transport_.send(0, kDrain, "");
  }
  while (!draining_ && executor_.running() + outstanding_ + stopped_ < resources_.slots) {
    transport_.send(0, kRequest, "");
    ++outstanding_;
  }
  for (const auto& result : executor_.reap()) transport_.send(0, kResult, result.to_json().dump());
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
  const PlannedRun& run = *plan_.at(message.payload);
  if (draining_) {  // assigned before our drain arrived: hand it back as preempted
    RunResult result;
    result.run_id = run.run_id;
    result.state = layout::RunState::kPreempted;
    result.error = "not started";
    transport_.send(0, kResult, result.to_json().dump());
    return;
  }
  const bool wants_gpu = run.experiment.device != "cpu";
  executor_.start({run.run_id, run_dir_of_(run.run_id), run.experiment.to_json(), wants_gpu ? resources_.device : "cpu",
                   resources_.threads, transport_.rank(), attempt_});
}

}  // namespace regal::sweep
