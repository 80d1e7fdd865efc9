// One run's pipeline as a small class with one function per stage. Each
// stage announces itself, checks for a stop, records itself in status.json,
// and writes its artifacts before the next begins; the class keeps what the
// later stages need (the automaton, the corpus, the model session, the
// training result, the scores).
#include "experiment/pipeline.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "data/cache.h"
#include "data/online.h"
#include "fsm/fsm.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "layout/metrics_h5.h"
#include "layout/status.h"
#include "train/session.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/rng.h"
#include "util/text.h"

namespace regal::experiment {
namespace fs = std::filesystem;
using layout::RunState;
namespace {

using Clock = std::chrono::steady_clock;

// Adds run.log as a second sink of the default logger for the run's lifetime.
class RunLog {
 public:
  explicit RunLog(const fs::path& path) {
    fs::create_directories(path.parent_path());
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string(), /*truncate=*/false);
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    spdlog::default_logger()->sinks().push_back(sink_);
    // Written through as it happens, so `tail -f logs/run.log` follows a run.
    previous_flush_ = spdlog::default_logger()->flush_level();
    spdlog::default_logger()->flush_on(spdlog::level::info);
  }
  ~RunLog() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    spdlog::default_logger()->flush_on(previous_flush_);
  }
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

 private:
  spdlog::sink_ptr sink_;
  spdlog::level::level_enum previous_flush_ = spdlog::level::off;
};

fsm::Task compile_language(const Experiment& e) { return compile_task(e.language); }

// metrics.h5's curves from the training history and the per-length scores.
layout::RunCurves curves_of(const std::vector<train::HistoryRow>& history, const eval::Summary& summary) {
  layout::RunCurves curves;
  for (const auto& row : history) {
    curves.step.push_back(row.step);
    curves.history["lr"].push_back(row.lr);
    curves.history["train_loss"].push_back(row.train_loss);
    curves.history["train_acc"].push_back(row.train_acc);
    curves.history["val_loss"].push_back(row.val_loss);
    curves.history["val_acc"].push_back(row.val_acc);
    curves.history["elapsed_seconds"].push_back(row.elapsed_seconds);
    curves.history["strings_per_second"].push_back(row.strings_per_second);
  }
  for (const auto& [name, split] : summary.splits) {
    layout::SplitScores& scores = curves.eval[name];
    for (const auto& m : split.per_length) {
      scores.length.push_back(m.length);
      scores.n.push_back(m.n);
      scores.accepted.push_back(m.accepted);
      scores.majority.push_back(m.majority);
      scores.accuracy.push_back(m.accuracy);
      scores.loss.push_back(m.loss);
    }
    for (const auto& row : split.confusion) scores.confusion.insert(scores.confusion.end(), row.begin(), row.end());
    scores.classes = summary.classes.empty() ? std::vector<std::string>{"rejected", "accepted"} : summary.classes;
  }
  return curves;
}

// Fault injection for tests: REGAL_FAIL_STAGE=<stage>[:kill|:hang] makes that
// stage throw (or the process die by SIGKILL, or hang without a heartbeat),
// for every run or only REGAL_FAIL_RUN.
struct InjectedFault {
  std::string stage;
  std::string mode;  // "", "kill" or "hang"

  static InjectedFault from_environment(const std::string& run_id) {
    InjectedFault fault;
    fault.stage = std::getenv("REGAL_FAIL_STAGE") ? std::getenv("REGAL_FAIL_STAGE") : "";
    const char* only_run = std::getenv("REGAL_FAIL_RUN");
    if (only_run != nullptr && run_id != only_run) fault.stage.clear();
    if (const auto colon = fault.stage.find(':'); colon != std::string::npos) {
      fault.mode = fault.stage.substr(colon + 1);
      fault.stage.resize(colon);
    }
    return fault;
  }
  void trigger_at(const std::string& stage_name) const {
    if (stage.empty() || stage_name != stage) return;
    if (mode == "kill") std::raise(SIGKILL);
    if (mode == "hang") {
      for (;;) ::pause();  // deaf to stop requests, silent: only a timeout's KILL ends it
    }
    throw std::runtime_error("injected failure (REGAL_FAIL_STAGE=" + stage_name + ")");
  }
};

class Pipeline {
 public:
  Pipeline(const Experiment& e, const layout::RunPaths& paths, const PipelineOptions& options,
           const std::optional<layout::RunStatus>& previous)
      : e_(e), paths_(paths), options_(options), fault_(InjectedFault::from_environment(paths.run_id())),
        previous_(previous) {
    status_.run_id = paths.run_id();
    status_.state = RunState::kRunning;
    status_.stage = "fsm";
    status_.started = utc_now();
    status_.host = host_name();
    status_.pid = ::getpid();
    status_.rank = options.context.rank;
    const int attempt = previous ? previous->attempt + 1 : options.context.attempt;
    status_.attempt = std::max(attempt, options.context.attempt);
    if (previous && !previous->started.empty()) {
      status_.first_started = previous->first_started.empty() ? previous->started : previous->first_started;
    }
  }

  // The evaluation again, from best.pt, of a done run: the automaton, the
  // corpus (cached) and the model are rebuilt, training is read back from
  // metrics.json and history.jsonl. status.json stays done throughout; a
  // failure leaves the earlier metrics in place.
  RunOutcome reevaluate() {
    const layout::RunStatus before = *previous_;
    try {
      const auto old_metrics = io::read_json_file(paths_.metrics_json());
      if (!old_metrics || !old_metrics->is_object()) throw std::runtime_error("metrics.json is missing or unreadable");
      for (const auto& [name, body] : std::vector<std::pair<std::string, std::function<void()>>>{
               {"fsm", [&] { fsm_stage(); }},   {"data", [&] { data_stage(); }},
               {"model", [&] { model_stage(); }}, {"restore", [&] { restore_training(*old_metrics); }},
               {"eval", [&] { eval_stage(); }},  {"write", [&] { write_stage(); }}}) {
        progress_point();
        stage_ = name;
        spdlog::info("=== {} (re-evaluation) ===", name);
        body();
      }
      status_ = before;
      status_.reevaluated.push_back(utc_now());
      status_.artifacts = layout::describe_artifacts(paths_);
      layout::write_status(paths_, status_);
      spdlog::info("run {} re-evaluated from {}.pt", paths_.run_id(), e_.eval.checkpoint);
      return {Outcome::kDone, "", "", metrics_};
    } catch (const StopRequested&) {
      layout::write_status(paths_, before);
      return {Outcome::kPreempted, stage_, "preempted", nullptr};
    } catch (const std::exception& error) {
      spdlog::error("run {}: re-evaluation failed in {}: {}", paths_.run_id(), stage_, error.what());
      layout::write_status(paths_, before);
      return {Outcome::kFailed, stage_, error.what(), nullptr};
    }
  }

  RunOutcome run() {
    try {
      io::write_json_file(paths_.experiment_json(), e_.to_json());
      layout::write_status(paths_, status_);
      // Each stage returns true when the run stops after it (--until).
      if (stage("fsm", [&] { fsm_stage(); })) return finish(RunState::kPending, {Outcome::kPartial, stage_, "", nullptr});
      if (stage("data", [&] { data_stage(); })) return finish(RunState::kPending, {Outcome::kPartial, stage_, "", nullptr});
      stage("model", [&] { model_stage(); });
      if (stage("train", [&] { train_stage(); })) return finish(RunState::kPending, {Outcome::kPartial, stage_, "", nullptr});
      if (stage("eval", [&] { eval_stage(); })) return finish(RunState::kPending, {Outcome::kPartial, stage_, "", nullptr});
      stage("write", [&] { write_stage(); });
      RunOutcome done = finish(RunState::kDone, {Outcome::kDone, "", "", metrics_});
      if (done.outcome == Outcome::kDone) drop_checkpoints();
      return done;
    } catch (const StopRequested&) {
      spdlog::warn("run {} preempted during {}; the next start resumes from its checkpoint", paths_.run_id(), stage_);
      status_.error = "preempted";
      return finish(RunState::kPreempted, {Outcome::kPreempted, stage_, "preempted", nullptr});
    } catch (const DiskFullError& error) {
      spdlog::error("run {} stopped during {}: {}; free space and run the same command again", paths_.run_id(), stage_,
                    error.what());
      status_.error = std::string("disk full: ") + error.what();
      return finish(RunState::kPreempted, {Outcome::kPreempted, stage_, status_.error, nullptr});
    } catch (const std::exception& error) {
      spdlog::error("run {} failed in stage {}: {}", paths_.run_id(), stage_, error.what());
      status_.error = error.what();
      return finish(RunState::kFailed, {Outcome::kFailed, stage_, error.what(), nullptr});
    }
  }

 private:
  // Runs one stage between its banner and its timing line; true when the run
  // stops after it.
  template <class Body>
  bool stage(const std::string& name, Body&& body) {
    progress_point();  // StopRequested when a stop arrived
    stage_ = name;
    status_.stage = name;
    layout::write_status(paths_, status_);
    spdlog::info("=== {} ===", name);
    fault_.trigger_at(name);
    const auto start = Clock::now();
    body();
    spdlog::info("... done in {:.1f}s", std::chrono::duration<double>(Clock::now() - start).count());
    return options_.until && *options_.until == name;
  }

  RunOutcome finish(RunState state, RunOutcome outcome) {
    status_.state = state;
    status_.ended = utc_now();
    if (options_.max_temperature) status_.max_temperature = options_.max_temperature();
    try {
      layout::write_status(paths_, status_);
    } catch (const DiskFullError& error) {
      // Nothing more can be recorded; the exit code (3) says resumable, and
      // the next start finds this run not done.
      spdlog::error("run {}: cannot record its end ({}): {}", paths_.run_id(), layout::to_string(state), error.what());
      if (outcome.outcome != Outcome::kPreempted) outcome = {Outcome::kPreempted, stage_, std::string("disk full: ") + error.what(), nullptr};
    }
    spdlog::info("run {} ended: {}", paths_.run_id(), layout::to_string(state));
    return outcome;
  }

  void fsm_stage() {
    task_ = compile_language(e_);
    io::write_json_file(paths_.fsm_json(), fsm::to_json(*task_));
    io::write_file_atomic(paths_.fsm_dot(), fsm::to_dot(*task_));
    if (task_->is_recogniser()) {
      spdlog::info("minimal DFA: {} states, {} accepting, hash {}", task_->dfa.num_states(), task_->dfa.num_accepting(),
                   fsm::content_hash(task_->dfa).substr(0, 16));
    } else {
      spdlog::info("minimal DFA: {} states, {} classes ({}), hash {}", task_->dfa.num_states(), task_->num_classes(),
                   fmt::join(task_->classes, ", "), fsm::content_hash(task_->dfa).substr(0, 16));
    }
  }

  void data_stage() {
    const data::Language language = data::Language::of(e_.language.name, *task_);
    corpus_ = data::load_or_generate(language, e_.data, e_.seed, paths_.corpus_cache());
    io::write_json_file(paths_.telemetry_json(), corpus_->telemetry);
    if (e_.train.shuffle_labels) {  // a control arm: what can be learned without the language
      for (auto& split : corpus_->corpus.splits) {
        if (split.name == "train" || split.name == "val") data::shuffle_labels(split, derive_seed(e_.seed, "shuffle_labels_" + split.name));
      }
      spdlog::info("train and val labels shuffled within each length (train.shuffle_labels)");
    }
    for (const auto& split : corpus_->corpus.splits) spdlog::info("  {:<14} {:>7} strings", split.name, split.size());
  }

  void model_stage() {
    train::SessionOptions session_options;
    session_options.seed = e_.seed;
    session_options.device = e_.device;
    session_options.threads = e_.threads;
    session_options.checkpoint_dir = paths_.checkpoint_dir();
    session_options.history_path = paths_.history_jsonl();
    session_options.on_step = [](std::size_t) { return !regal::stop_requested(); };
    session_options.num_classes = task_->num_classes();
    if (e_.train.target == "prefix") session_options.prefix_dfa = std::make_shared<const fsm::Dfa>(task_->dfa);
    if (e_.train.next_symbols()) {
      session_options.next_dfa = std::make_shared<const fsm::Dfa>(task_->dfa);
      session_options.aux_weight = e_.train.aux_weight;
    }
    if (e_.data.train_mode == data::TrainMode::kOnline) {
      session_options.online = std::make_shared<data::OnlineBatches>(data::Language::of(e_.language.name, *task_), e_.data,
                                                                     corpus_->corpus.held_out,
                                                                     data::corpus_seed(e_.data, e_.seed));
      spdlog::info("online training data: a fresh batch of one length in {}..{} every step", e_.data.L_min, e_.data.L_max);
    }
    session_ = std::make_unique<train::Session>(e_.model, static_cast<std::size_t>(task_->dfa.num_symbols()), e_.data.L_test_max,
                                                session_options);
    spdlog::info("{}: {} parameters (d_model {}), device {}", session_->resolved().arch, session_->parameters(),
                 session_->resolved().d_model, session_->device());
  }

  void train_stage() {
    trained_ = session_->train(corpus_->corpus, e_.train);
    if (trained_.interrupted) throw StopRequested();
    spdlog::info("trained {} steps in {:.1f}s ({:.0f} strings/s); best val_acc {:.4f} at step {}", trained_.steps,
                 trained_.seconds, trained_.strings_per_second, trained_.best_val_acc, trained_.best_step);
  }

  void restore_training(const nlohmann::json& metrics) {
    trained_.steps = metrics.value("steps", std::size_t{0});
    trained_.best_step = metrics.value("best_step", std::size_t{0});
    trained_.best_val_acc = metrics.value("best_val_acc", -1.0);
    trained_.stopped_early = metrics.value("stopped_early", false);
    trained_.seconds = metrics.value("train_seconds", 0.0);
    trained_.strings_per_second = metrics.value("strings_per_second", 0.0);
    std::ifstream history(paths_.history_jsonl());
    for (std::string line; std::getline(history, line);) {
      if (!line.empty()) trained_.history.push_back(train::HistoryRow::from_json(nlohmann::json::parse(line)));
    }
  }

  void eval_stage() {
    const auto start = Clock::now();
    summary_ = session_->evaluate(corpus_->corpus, e_.eval.tau, e_.eval.checkpoint);
    eval_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    spdlog::info("  evaluated in {:.1f} s{}", eval_seconds_,
                 trained_.seconds > 0 ? fmt::format(" ({:.0f}% of training's {:.1f} s)", 100 * eval_seconds_ / trained_.seconds, trained_.seconds)
                                      : std::string());
    for (const auto& [name, m] : summary_.splits) {
      spdlog::info("  {:<14} acc {:.4f}  worst {:.4f} at length {}", name, m.accuracy, m.worst_accuracy, m.worst_length);
    }
  }

  void write_stage() {
    metrics_ = summary_.flat_json();
    metrics_["run_id"] = paths_.run_id();
    metrics_["parameters"] = session_->parameters();
    metrics_["d_model"] = session_->resolved().d_model;
    metrics_["steps"] = trained_.steps;
    metrics_["best_step"] = trained_.best_step;
    metrics_["best_val_acc"] = trained_.best_val_acc;
    metrics_["stopped_early"] = trained_.stopped_early;
    metrics_["train_seconds"] = trained_.seconds;
    metrics_["strings_per_second"] = trained_.strings_per_second;
    metrics_["eval_seconds"] = eval_seconds_;
    if (options_.max_temperature) {
      if (const auto hottest = options_.max_temperature()) metrics_["max_temperature"] = *hottest;
    }
    io::write_json_file(paths_.metrics_json(), metrics_);
    layout::write_metrics_h5(paths_.metrics_h5(), paths_.run_id(), e_.to_json(), curves_of(trained_.history, summary_), metrics_);
    RunContext context = options_.context;
    context.threads = e_.threads;
    context.device = session_->device();
    nlohmann::json env = environment(context);
    env["started"] = status_.started;
    env["ended"] = utc_now();
    if (corpus_) {
      env["corpus"] = {{"cache_key", corpus_->provenance.cache_key},
                       {"md5", corpus_->telemetry.value("corpus_md5", "")},
                       {"sha256", corpus_->telemetry.value("corpus_sha256", "")}};
    }
    io::write_json_file(paths_.env_json(), env);
    status_.artifacts = layout::describe_artifacts(paths_);  // what status.json vouches for
    for (const char* name : {"best", "last"}) {
      if (!layout::keeps_checkpoint(options_.keep_checkpoints, name)) status_.artifacts.erase(std::string("checkpoints/") + name + ".pt");
    }
  }

  // After status.json says done without them: the checkpoints not kept go
  // (a crash before this leaves them, unvouched, never a done run missing one).
  void drop_checkpoints() {
    for (const auto& [name, path] : {std::pair{"best", paths_.best_checkpoint()}, std::pair{"last", paths_.last_checkpoint()}}) {
      if (layout::keeps_checkpoint(options_.keep_checkpoints, name)) continue;
      for (const std::filesystem::path& file : {path, std::filesystem::path(path.string() + ".sha256")}) {
        std::error_code error;
        if (std::filesystem::remove(file, error)) spdlog::info("removed {} (--keep-checkpoints {})", file.string(), options_.keep_checkpoints);
        if (error) spdlog::warn("could not remove {}: {}", file.string(), error.message());
      }
    }
  }

  const Experiment& e_;
  const layout::RunPaths& paths_;
  const PipelineOptions& options_;
  const InjectedFault fault_;
  layout::RunStatus status_;
  std::string stage_;
  std::optional<fsm::Task> task_;
  std::optional<data::CachedCorpus> corpus_;
  std::unique_ptr<train::Session> session_;
  train::TrainResult trained_;
  eval::Summary summary_;
  double eval_seconds_ = 0;  // the eval stage's wall time
  nlohmann::json metrics_;
  std::optional<layout::RunStatus> previous_;
};

}  // namespace

void check_runnable(const Experiment& experiment) {
  experiment.validate();
  compile_language(experiment);  // budget errors surface here, before any file
}

std::string describe_plan(const Experiment& e, const layout::RunPaths& paths, const PipelineOptions& options) {
  std::string out = "run " + paths.run_id() + " (" + e.name + ") into " + paths.run_dir().string() + "\n";
  if (const auto status = layout::read_status(paths)) out += "  status on disk: " + std::string(layout::to_string(status->state)) + "\n";
  auto stage = [&](const std::string& name, const std::string& settings, const std::vector<fs::path>& files) {
    out += "=== " + name + " ===  " + settings + "\n";
    for (const auto& f : files) out += "    writes " + f.string() + "\n";
  };
  stage("fsm", (e.language.kind() == "regex" ? "regex " : "") + e.language.describe() + " over " + e.language.alphabet,
        {paths.experiment_json(), paths.status_json(), paths.fsm_json(), paths.fsm_dot()});
  stage("data",
        "L " + std::to_string(e.data.L_min) + ".." + std::to_string(e.data.L_max) + ", tests to " +
            std::to_string(e.data.L_test_max) + ", n_train " + std::to_string(e.data.n_train) + ", negatives " +
            data::negatives_name(e.data.negatives) + ", edge_holdout " + std::to_string(e.data.edge_holdout),
        {paths.corpus_cache() / "<key>" / "corpus.h5", paths.telemetry_json()});
  stage("model", e.model.arch + (e.model.is_transformer() ? " pos " + e.model.pos : "") + ", " +
                     (e.model.params ? "params ~" + std::to_string(static_cast<long>(*e.model.params))
                                     : "d_model " + std::to_string(e.model.d_model)) +
                     ", " + std::to_string(e.model.n_layers) + " layers, device " + e.device,
        {});
  stage("train",
        std::to_string(e.train.steps) + " steps, batch " + std::to_string(e.train.batch_size) + ", lr " +
            nlohmann::json(e.train.lr).dump() + ", seed " + std::to_string(e.seed),
        {paths.last_checkpoint(), paths.best_checkpoint(), paths.history_jsonl(), paths.run_log()});
  stage("eval", "tau " + nlohmann::json(e.eval.tau).dump() + ", weights of " + e.eval.checkpoint + ".pt", {});
  stage("write", "", {paths.metrics_json(), paths.metrics_h5(), paths.env_json()});
  if (options.until) out += "stops after " + *options.until + "\n";
  return out;
}

RunOutcome run_experiment(const Experiment& e, const layout::RunPaths& paths, const PipelineOptions& options) {
  check_runnable(e);
  const std::optional<layout::RunStatus> previous = layout::read_status(paths);
  if (options.reevaluate) {
    if (!previous || previous->state != RunState::kDone) {
      return {Outcome::kNotReevaluated, "", "not done (" + std::string(previous ? layout::to_string(previous->state) : "never run") + ")", nullptr};
    }
    const fs::path weights = e.eval.checkpoint == "last" ? paths.last_checkpoint() : paths.best_checkpoint();
    if (!fs::exists(weights)) {
      return {Outcome::kNotReevaluated, "", "its checkpoint " + weights.string() + " is missing", nullptr};
    }
    const RunLog log(paths.run_log());
    return Pipeline(e, paths, options, previous).reevaluate();
  }
  if (previous && previous->state == RunState::kDone && !options.force_train) {
    const auto damage = layout::check_artifacts(paths, *previous);
    if (!damage) {
      spdlog::info("run {} is already done ({}); --force-train runs it again", paths.run_id(), paths.run_dir().string());
      return {Outcome::kAlreadyDone, "", "", io::read_json_file(paths.metrics_json()).value_or(nullptr)};
    }
    spdlog::warn("run {} said done, but {}: running it again (from last.pt when that checks out)", paths.run_id(), *damage);
  }
  if (options.force_train) {
    fs::remove_all(paths.checkpoint_dir());
    fs::remove(paths.history_jsonl());
  }
  io::create_folders(paths.run_dir());
  const RunLog log(paths.run_log());
  return Pipeline(e, paths, options, previous).run();
}

}  // namespace regal::experiment
