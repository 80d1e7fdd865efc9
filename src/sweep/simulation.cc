// The simulated sweep (simulation.h): a discrete-event loop over virtual
// time. Events are a run's end on a rank, a message's arrival at a worker,
// and the coordinator's turn (it takes one message at a time, in arrival
// order, once it is free). What the real code does at each event is what the
// sweep does; only time is simulated.
#include "sweep/simulation.h"

#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <random>

#include "sweep/coordinator.h"
#include "sweep/executor.h"
#include "sweep/scheduler.h"
#include "sweep/worker.h"

namespace regal::sweep::sim {
namespace {

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

const char* tag_name(int tag) {
  switch (tag) {
    case kRequest: return "request";
    case kResult: return "result";
    case kDrain: return "drain";
    case kDone: return "done";
    case kAssign: return "assign";
    case kStop: return "stop";
    case kExit: return "exit";
    case kAbort: return "abort";
    case kHeld: return "held";
    case kReturn: return "return";
    default: return "?";
  }
}

class VirtualClock final : public Clock {
 public:
  double seconds() const override { return now; }
  double now = 0;
};

struct Event {
  double time = 0;
  std::uint64_t order = 0;  // ties: in the order they were made
  enum class Kind { kRunEnd, kDeliver, kCoordinator, kTick } kind = Kind::kTick;
  int rank = 0;
  Message message;  // kDeliver
  bool operator>(const Event& other) const { return time != other.time ? time > other.time : order > other.order; }
};

class Engine;

// One rank's endpoint: sends go to the engine, stamped with the sender's time.
class SimTransport final : public Transport {
 public:
  SimTransport(Engine& engine, int rank, int size) : engine_(engine), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int to, int tag, const std::string& payload) override;
  std::optional<Message> poll() override { return std::nullopt; }  // the engine delivers

 private:
  Engine& engine_;
  int rank_, size_;
};

// Runs end when the engine says so; the outcome of each attempt is drawn from the settings.
class SimExecutor final : public Executor {
 public:
  SimExecutor(Engine& engine, int rank) : engine_(engine), rank_(rank) {}
  StartOutcome start(const ChildSpec& spec) override;
  std::vector<RunResult> reap() override {
    std::vector<RunResult> ended;
    ended.swap(ended_);
    return ended;
  }
  void signal_all(int) override {}
  std::size_t running() const override { return running_.size(); }
  void stop_for_heat(const std::string&, double) override {}
  void end(const std::string& run_id);

 private:
  Engine& engine_;
  int rank_;
  std::map<std::string, RunResult> running_;
  std::vector<RunResult> ended_;
};

// The tables as an in-memory sink: it tells the engine each write happened.
class SinkTables final : public TableWriter {
 public:
  explicit SinkTables(Engine& engine) : engine_(engine) {}
  void write(const std::vector<aggregate::RunRecord>& records, const std::vector<std::size_t>& changed) override;
  void finish(const std::vector<aggregate::RunRecord>& records) override { final_records = records; }
  std::string location() const override { return "memory"; }
  std::vector<aggregate::RunRecord> final_records;

 private:
  Engine& engine_;
  bool first_ = true;
};

class NoFolders final : public RunFolders {
 public:
  aggregate::RunRecord reread(const aggregate::RunRecord& record) override { return record; }
  bool held(const std::string&) override { return false; }
};

class Engine {
 public:
  explicit Engine(const Settings& settings) : settings_(settings), rng_(settings.seed) {}

  Figures run();

  // From the transports: a message leaves `from` now.
  void post(int from, int to, int tag, const std::string& payload) {
    if (payload.size() > figures_.largest_message) {
      figures_.largest_message = payload.size();
      figures_.largest_message_tag = tag_name(tag);
    }
    ++figures_.messages;
    Message message{from, tag, payload};
    const bool to_coordinator = to == 0 && tag != kAssign && tag != kStop && tag != kExit && tag != kAbort;
    // What the coordinator sends leaves when its turn ends (only workers write to it).
    const double sent = from == 0 && in_coordinator_ && !to_coordinator ? kPendingStamp : clock_.now;
    if (to_coordinator) {
      inbox_.push_back({sent + settings_.latency, std::move(message)});
      wake_coordinator();
    } else {
      if (tag == kAssign || tag == kStop) ++figures_.decisions;
      if (tag == kStop && scheduler_->count(RunState::kPending) > 0) ++figures_.stops_while_pending;
      push({sent == kPendingStamp ? 0 : sent + settings_.latency, 0, Event::Kind::kDeliver, to, std::move(message)},
           sent == kPendingStamp);
    }
  }
  // From an executor: `run_id` on `rank` ends `after` seconds from now.
  void schedule_end(int rank, const std::string& run_id, double after) {
    Event event{clock_.now + after, 0, Event::Kind::kRunEnd, rank, {rank, 0, run_id}};
    push(std::move(event), false);
  }
  // From the sink: the coordinator wrote the tables.
  void tables_written(std::size_t records, std::size_t changed) {
    const double cost = settings_.write_fixed_seconds + settings_.write_seconds_per_record * static_cast<double>(records) +
                        settings_.write_seconds_per_change * static_cast<double>(changed);
    write_cost_ += cost;
    clock_.now += cost;  // the coordinator sees the write take its time
    ++figures_.table_writes;
    figures_.write_seconds += cost;
    waiting_rows_.swap(written_rows_);
  }
  // What an attempt of `run_id` does: how long it takes and how it ends.
  RunResult attempt(const std::string& run_id, double* seconds);
  void slot_started(int rank) {
    auto& idle = idle_since_[rank];
    if (!idle.empty()) {
      const double gap = clock_.now - idle.front();
      idle.pop_front();
      gaps_ += gap;
      figures_.longest_gap = std::max(figures_.longest_gap, gap);
    }
  }
  void slot_freed(int rank, double busy) {
    idle_since_[rank].push_back(clock_.now);
    figures_.busy_slot_seconds += busy;
  }

 private:
  static constexpr double kPendingStamp = -1;  // sent by the coordinator: stamped when its turn ends

  void push(Event event, bool unstamped) {
    event.order = order_++;
    if (unstamped) {
      outgoing_.push_back(std::move(event));
      return;
    }
    events_.push(std::move(event));
  }
  void wake_coordinator() {
    if (coordinator_scheduled_ || inbox_.empty()) return;
    coordinator_scheduled_ = true;
    push({std::max(coordinator_free_, inbox_.front().first), 0, Event::Kind::kCoordinator, 0, {}}, false);
  }
  void coordinator_turn();
  // Runs `work` as the coordinator, from now: it is busy for the CPU time
  // the work took plus the modelled writes (which advance the clock as they
  // happen); what it sent leaves when it is free again. Returns the CPU time.
  template <class Work>
  double coordinator_works(Work&& work) {
    const double start = clock_.now;
    write_cost_ = 0;
    in_coordinator_ = true;
    const double cpu_start = thread_cpu_seconds();
    work();
    const double cpu = thread_cpu_seconds() - cpu_start;
    in_coordinator_ = false;
    figures_.coordinator_cpu += cpu;
    const double service = cpu + write_cost_;
    coordinator_busy_ += service;
    coordinator_free_ = start + service;
    clock_.now = start;  // the event loop's time; the coordinator's own is coordinator_free_
    for (const double written : written_rows_) row_latencies_.push_back(coordinator_free_ - written);
    written_rows_.clear();
    for (auto& event : outgoing_) {
      event.time = coordinator_free_ + settings_.latency;
      events_.push(std::move(event));
    }
    outgoing_.clear();
    return cpu;
  }
  void step_worker(int rank) { workers_[static_cast<std::size_t>(rank)]->step(); }

  const Settings settings_;
  std::mt19937_64 rng_;
  VirtualClock clock_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t order_ = 0;
  std::deque<std::pair<double, Message>> inbox_;  // the coordinator's, by arrival
  std::size_t handled_ = 0;                       // messages the coordinator took
  std::vector<Event> outgoing_;                   // the coordinator's sends during its turn
  bool in_coordinator_ = false, coordinator_scheduled_ = false;
  double coordinator_free_ = 0, write_cost_ = 0, coordinator_busy_ = 0;
  std::vector<double> waiting_rows_, written_rows_;  // arrival times of results not yet in / just put in the tables
  std::vector<double> row_latencies_;
  std::map<int, std::deque<double>> idle_since_;
  double gaps_ = 0;
  std::map<std::string, double> expected_;        // run -> expected seconds (its cost)
  std::map<std::string, int> executions_;

  std::vector<std::unique_ptr<SimTransport>> transports_;
  std::vector<std::unique_ptr<SimExecutor>> executors_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<SinkTables> tables_;
  NoFolders folders_;
  std::vector<PlannedRun> planned_;
  std::map<std::string, const PlannedRun*> plan_;
  Figures figures_;
};

void SimTransport::send(int to, int tag, const std::string& payload) { engine_.post(rank_, to, tag, payload); }

StartOutcome SimExecutor::start(const ChildSpec& spec) {
  double seconds = 0;
  RunResult result = engine_.attempt(spec.run_id, &seconds);
  result.seconds = seconds;
  running_[spec.run_id] = std::move(result);
  engine_.slot_started(rank_);
  engine_.schedule_end(rank_, spec.run_id, seconds);
  return {};
}

void SimExecutor::end(const std::string& run_id) {
  const auto found = running_.find(run_id);
  engine_.slot_freed(rank_, found->second.seconds);
  ended_.push_back(std::move(found->second));
  running_.erase(found);
}

void SinkTables::write(const std::vector<aggregate::RunRecord>& records, const std::vector<std::size_t>& changed) {
  // The coordinator's first write names every record; the live tables then
  // render them all at once (0.85 s at 100,000 runs, before any run starts),
  // which the model charges as a write with nothing changed.
  engine_.tables_written(records.size(), first_ ? 0 : changed.size());
  first_ = false;
}

RunResult Engine::attempt(const std::string& run_id, double* seconds) {
  ++executions_[run_id];
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double actual = expected_.at(run_id) * std::exp(settings_.noise * normal(rng_));
  const double draw = uniform(rng_);
  RunResult result;
  result.run_id = run_id;
  result.stage = "evaluate";
  if (draw < settings_.fail_share) {
    result.state = RunState::kFailed;
    result.stage = "train";
    result.error = "simulated failure";
    *seconds = actual * uniform(rng_);
  } else if (draw < settings_.fail_share + settings_.preempt_share) {
    result.state = RunState::kPreempted;
    result.stage = "train";
    *seconds = actual / 2;
  } else {
    result.state = RunState::kDone;
    // A done run's metrics, as many and as long as a real metrics.json's.
    // (65 numbers, about 2 KB: a recogniser's, tested on four splits)
    for (const char* split : {"id", "len_ood", "border", "border_short", "border_long"}) {
      for (const char* what : {"acc_pooled_test_", "acc_test_", "auroc_test_", "chance_test_", "ece_test_", "loss_test_",
                               "macro_f1_test_", "n_test_", "worst_acc_test_", "worst_len_test_"}) {
        result.metrics[std::string(what) + split] = uniform(rng_);
      }
    }
    for (const char* what : {"best_step", "best_val_acc", "d_model", "horizon", "ood_gap_border", "ood_gap_edge", "ood_gap_len",
                             "parameters", "steps", "strings_per_second", "tau"}) {
      result.metrics[what] = uniform(rng_) * 1000;
    }
    result.metrics["run_id"] = run_id;
    result.metrics["stopped_early"] = false;
    result.metrics["train_seconds"] = actual * 0.9;
    result.metrics["eval_seconds"] = actual * 0.1;
    result.git_commit = "0123456789abcdef0123456789abcdef01234567";
    *seconds = actual;
  }
  return result;
}

void Engine::coordinator_turn() {
  coordinator_scheduled_ = false;
  if (inbox_.empty()) return;
  auto [arrival, message] = std::move(inbox_.front());
  inbox_.pop_front();
  clock_.now = std::max(clock_.now, arrival);
  if (message.tag == kResult) waiting_rows_.push_back(arrival);
  ++handled_;
  const double cpu = coordinator_works([&] {
    coordinator_->handle(message);
    coordinator_->poll();
  });
  figures_.cpu_per_message_max = std::max(figures_.cpu_per_message_max, cpu);
  if (coordinator_->finished()) {
    coordinator_->finish();
    figures_.makespan = coordinator_free_;
    return;
  }
  wake_coordinator();
}

Figures Engine::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  std::lognormal_distribution<double> expected(std::log(settings_.median_seconds), settings_.sigma);
  planned_.resize(settings_.runs);
  std::vector<Scheduler::Run> todo;
  std::vector<aggregate::RunRecord> records;
  todo.reserve(settings_.runs);
  records.reserve(settings_.runs);
  for (std::size_t i = 0; i < settings_.runs; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%012llx", static_cast<unsigned long long>(i) * 0x9e3779b1ULL % 0xffffffffffffULL);
    PlannedRun& run = planned_[i];
    run.run_id = id;
    run.cost = expected(rng_);
    run.axes = {{"language", "lang" + std::to_string(i % 10)}, {"seed", static_cast<int>(i / 10 % 10)},
                {"train.lr", 1e-3 * static_cast<double>(i / 100 % 10 + 1)}, {"model.d_model", 16 * (i / 1000 % 10 + 1)},
                {"data.L_max", 10 + 2 * (i / 10000 % 10)}};
    expected_[run.run_id] = run.cost;
    plan_[run.run_id] = &run;
    todo.push_back({run.run_id, run.cost});
    aggregate::RunRecord record;
    record.sweep = "sim";
    record.run_id = run.run_id;
    record.axes = run.axes;
    records.push_back(std::move(record));
  }
  const int ranks = settings_.ranks;
  for (int r = 0; r < ranks; ++r) transports_.push_back(std::make_unique<SimTransport>(*this, r, ranks));
  tables_ = std::make_unique<SinkTables>(*this);
  scheduler_ = std::make_unique<Scheduler>(std::move(todo));
  in_coordinator_ = true;
  coordinator_ = std::make_unique<Coordinator>(*transports_[0], *scheduler_, std::move(records), *tables_, folders_, clock_);
  in_coordinator_ = false;
  written_rows_.clear();
  coordinator_->set_table_interval(settings_.table_interval);
  for (int r = 0; r < ranks; ++r) {
    RankResources resources;
    resources.slots = r == 0 && settings_.coordinator_only ? 0 : settings_.slots;
    executors_.push_back(std::make_unique<SimExecutor>(*this, r));
    workers_.push_back(std::make_unique<Worker>(*transports_[static_cast<std::size_t>(r)], plan_, resources, *executors_.back(),
                                                [](const std::string& id) { return std::filesystem::path("/nonexistent") / id; },
                                                [] { return false; }, Worker::Settings{}));
  }
  for (int r = 0; r < ranks; ++r) step_worker(r);
  push({1.0, 0, Event::Kind::kTick, 0, {}}, false);
  while (!events_.empty() && figures_.makespan == 0) {
    Event event = events_.top();
    events_.pop();
    clock_.now = std::max(clock_.now, event.time);
    switch (event.kind) {
      case Event::Kind::kRunEnd:
        executors_[static_cast<std::size_t>(event.rank)]->end(event.message.payload);
        step_worker(event.rank);
        break;
      case Event::Kind::kDeliver:
        if (event.message.tag == kExit || event.message.tag == kAbort) break;
        workers_[static_cast<std::size_t>(event.rank)]->handle(event.message);
        step_worker(event.rank);
        break;
      case Event::Kind::kCoordinator:
        coordinator_turn();
        break;
      case Event::Kind::kTick:
        // The real loop polls the coordinator between messages; here once a
        // virtual second, when it is free.
        if (!coordinator_scheduled_ && clock_.now >= coordinator_free_) coordinator_works([&] { coordinator_->poll(); });
        push({clock_.now + 1.0, 0, Event::Kind::kTick, 0, {}}, false);
        break;
    }
  }
  // Rows that came in with the final tables.
  for (const double arrival : waiting_rows_) row_latencies_.push_back(figures_.makespan - arrival);

  figures_.runs = settings_.runs;
  for (const auto& run : planned_) {
    const auto found = executions_.find(run.run_id);
    const int times = found == executions_.end() ? 0 : found->second;
    figures_.executed_once += times == 1 ? 1 : 0;
    figures_.executed_twice_or_more += times > 1 ? 1 : 0;
    figures_.never_executed += times == 0 ? 1 : 0;
  }
  figures_.scheduler_finished = scheduler_->finished();
  figures_.done = scheduler_->count(RunState::kDone);
  figures_.failed = scheduler_->count(RunState::kFailed);
  figures_.preempted = scheduler_->count(RunState::kPreempted);
  figures_.tables_complete = tables_->final_records.size() == settings_.runs;
  for (const auto& record : tables_->final_records) {
    const RunState state = scheduler_->state(record.run_id);
    if (record.state != state || (state == RunState::kDone && record.metrics.empty())) figures_.tables_complete = false;
  }
  const double slots = static_cast<double>(settings_.slots) * (ranks - (settings_.coordinator_only ? 1 : 0));
  figures_.utilisation = figures_.makespan > 0 ? figures_.busy_slot_seconds / (slots * figures_.makespan) : 0;
  figures_.utilisation_while_waiting = figures_.busy_slot_seconds / (figures_.busy_slot_seconds + gaps_);
  figures_.cpu_per_message_mean = figures_.coordinator_cpu / static_cast<double>(std::max<std::size_t>(handled_, 1));
  figures_.busy_share = figures_.makespan > 0 ? coordinator_busy_ / figures_.makespan : 0;
  if (!row_latencies_.empty()) {
    std::sort(row_latencies_.begin(), row_latencies_.end());
    double sum = 0;
    for (const double latency : row_latencies_) sum += latency;
    figures_.row_latency_mean = sum / static_cast<double>(row_latencies_.size());
    figures_.row_latency_p99 = row_latencies_[static_cast<std::size_t>(0.99 * static_cast<double>(row_latencies_.size() - 1))];
    figures_.row_latency_max = row_latencies_.back();
  }
  figures_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return figures_;
}

}  // namespace

Figures simulate(const Settings& settings) {
  // 100,000 progress lines are the real coordinator's cost too, but not one
  // to print here.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  Engine engine(settings);
  Figures figures = engine.run();
  spdlog::set_level(level);
  return figures;
}

}  // namespace regal::sweep::sim
