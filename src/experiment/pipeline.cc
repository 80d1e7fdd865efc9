#include "experiment/pipeline.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>

#include "data/cache.h"
#include "fsm/fsm.h"
#include "io/atomic_file.h"
#include "io/hdf5.h"
#include "train/session.h"
#include "util/error.h"

namespace regal::experiment {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

class Preempted : public std::runtime_error {
 public:
  Preempted() : std::runtime_error("stopped by a signal") {}
};

// Adds run.log as a second sink of the default logger for the run's lifetime.
class RunLog {
 public:
  explicit RunLog(const fs::path& path) {
    fs::create_directories(path.parent_path());
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string(), /*truncate=*/false);
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~RunLog() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

 private:
  spdlog::sink_ptr sink_;
};

void write_json(const fs::path& path, const nlohmann::json& json) { io::write_file_atomic(path, json.dump(2) + "\n"); }

fsm::Dfa compile_language(const Experiment& e) {
  const auto alphabet = fsm::Alphabet::parse(e.language.alphabet).take_or_throw("language.alphabet");
  return fsm::compile_regex(e.language.regex, alphabet).take_or_throw("language '" + e.language.name + "'");
}

void write_metrics_h5(const fs::path& path, const std::string& id, const Experiment& e,
                      const std::vector<train::HistoryRow>& history, const eval::Summary& summary,
                      const nlohmann::json& metrics) {
  io::produce_file_atomic(path, [&](const fs::path& tmp) {
    io::h5::File file = io::h5::File::create(tmp);
    file.set_attribute("run_id", id);
    file.set_attribute("experiment", e.to_json().dump());
    const io::h5::Group history_group = file.create_group("history");
    std::vector<std::uint64_t> steps;
    std::map<std::string, std::vector<double>> columns;
    for (const auto& row : history) {
      steps.push_back(row.step);
      columns["lr"].push_back(row.lr);
      columns["train_loss"].push_back(row.train_loss);
      columns["train_acc"].push_back(row.train_acc);
      columns["val_loss"].push_back(row.val_loss);
      columns["val_acc"].push_back(row.val_acc);
      columns["elapsed_seconds"].push_back(row.elapsed_seconds);
      columns["strings_per_second"].push_back(row.strings_per_second);
    }
    history_group.write("step", steps);
    for (const auto& [name, values] : columns) history_group.write(name, values);
    const io::h5::Group eval_group = file.create_group("eval");
    for (const auto& [name, split] : summary.splits) {
      const io::h5::Group g = eval_group.create_group(name);
      std::vector<std::uint64_t> lengths, counts;
      std::vector<double> accuracy, loss;
      for (const auto& m : split.per_length) {
        lengths.push_back(m.length);
        counts.push_back(m.n);
        accuracy.push_back(m.accuracy);
        loss.push_back(m.loss);
      }
      g.write("length", lengths);
      g.write("n", counts);
      g.write("accuracy", accuracy);
      g.write("loss", loss);
    }
    const io::h5::Group summary_group = file.create_group("summary");
    for (const auto& [key, value] : metrics.items()) {
      if (value.is_number_integer()) summary_group.set_attribute(key, value.get<std::int64_t>());
      else if (value.is_number()) summary_group.set_attribute(key, value.get<double>());
      else if (value.is_boolean()) summary_group.set_attribute(key, std::int64_t{value.get<bool>() ? 1 : 0});
      else if (value.is_string()) summary_group.set_attribute(key, value.get<std::string>());
    }
    file.close();
  });
}

}  // namespace

void check_runnable(const Experiment& experiment) {
  experiment.validate();
  compile_language(experiment);  // budget errors surface here, before any file
}

nlohmann::json read_status(const RunPaths& paths) {
  std::ifstream in(paths.status_json());
  if (!in) return nullptr;
  const nlohmann::json status = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return status.is_discarded() ? nlohmann::json(nullptr) : status;
}

std::string describe_plan(const Experiment& e, const RunPaths& paths, const PipelineOptions& options) {
  std::string out = "run " + paths.run_id() + " (" + e.name + ") into " + paths.run_dir().string() + "\n";
  const nlohmann::json status = read_status(paths);
  if (!status.is_null()) out += "  status on disk: " + status.value("status", "?") + "\n";
  auto stage = [&](const std::string& name, const std::string& settings, const std::vector<fs::path>& files) {
    out += "=== " + name + " ===  " + settings + "\n";
    for (const auto& f : files) out += "    writes " + f.string() + "\n";
  };
  stage("fsm", "regex " + e.language.regex + " over " + e.language.alphabet,
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
  stage("eval", "tau " + nlohmann::json(e.eval.tau).dump(), {});
  stage("write", "", {paths.metrics_json(), paths.metrics_h5(), paths.env_json()});
  if (options.until) out += "stops after " + *options.until + "\n";
  return out;
}

RunOutcome run_experiment(const Experiment& e, const RunPaths& paths, const PipelineOptions& options) {
  check_runnable(e);
  const std::string id = paths.run_id();
  const nlohmann::json previous = read_status(paths);
  if (!previous.is_null() && previous.value("status", "") == "done" && !options.force_train) {
    spdlog::info("run {} is already done ({}); --force-train runs it again", id, paths.run_dir().string());
    RunOutcome outcome;
    outcome.status = RunStatus::kAlreadyDone;
    std::ifstream in(paths.metrics_json());
    outcome.metrics = nlohmann::json::parse(in, nullptr, false);
    return outcome;
  }
  if (options.force_train) {
    fs::remove_all(paths.checkpoint_dir());
    fs::remove(paths.history_jsonl());
  }
  fs::create_directories(paths.run_dir());
  const RunLog log(paths.run_log());
  const int attempt = previous.is_null() ? options.context.attempt : previous.value("attempt", 0) + 1;

  nlohmann::json status = {{"run_id", id},          {"status", "running"},      {"stage", "fsm"},
                           {"started", utc_now()},  {"host", host_name()},      {"pid", ::getpid()},
                           {"rank", options.context.rank}, {"attempt", std::max(attempt, options.context.attempt)}};
  if (!previous.is_null() && previous.contains("started")) status["first_started"] = previous.value("first_started", previous["started"]);
  write_json(paths.experiment_json(), e.to_json());
  write_json(paths.status_json(), status);

  // Fault injection for tests: REGAL_FAIL_STAGE=<stage>[:kill] makes that stage
  // throw (or the process die by SIGKILL), for every run or only REGAL_FAIL_RUN.
  std::string inject = std::getenv("REGAL_FAIL_STAGE") ? std::getenv("REGAL_FAIL_STAGE") : "";
  const char* only_run = std::getenv("REGAL_FAIL_RUN");
  if (only_run != nullptr && id != only_run) inject.clear();
  const bool kill_on_inject = inject.size() > 5 && inject.substr(inject.size() - 5) == ":kill";
  if (kill_on_inject) inject.resize(inject.size() - 5);
  std::string stage;
  auto begin = [&](const std::string& name) {
    if (options.stop_requested && options.stop_requested()) throw Preempted();
    stage = name;
    status["stage"] = name;
    write_json(paths.status_json(), status);
    spdlog::info("=== {} ===", name);
    if (!inject.empty() && name == inject) {
      if (kill_on_inject) std::raise(SIGKILL);
      throw std::runtime_error("injected failure (REGAL_FAIL_STAGE=" + name + ")");
    }
    return Clock::now();
  };
  auto done = [&](Clock::time_point start) {
    spdlog::info("... done in {:.1f}s", std::chrono::duration<double>(Clock::now() - start).count());
    return options.until && *options.until == stage;
  };
  auto finish = [&](const std::string& state, RunOutcome outcome) {
    status["status"] = state;
    status["ended"] = utc_now();
    write_json(paths.status_json(), status);
    return outcome;
  };

  RunOutcome outcome;
  try {
    auto start = begin("fsm");
    const fsm::Dfa dfa = compile_language(e);
    write_json(paths.fsm_json(), fsm::to_json(dfa, e.language.regex));
    io::write_file_atomic(paths.fsm_dot(), fsm::to_dot(dfa, e.language.regex));
    spdlog::info("minimal DFA: {} states, {} accepting, hash {}", dfa.num_states(), dfa.num_accepting(),
                 fsm::content_hash(dfa).substr(0, 16));
    if (done(start)) return finish("pending", {RunStatus::kPartial, stage, "", nullptr});

    start = begin("data");
    const data::Language language{e.language.name, e.language.regex, dfa};
    const data::CachedCorpus cached = data::load_or_generate(language, e.data, e.seed, paths.corpus_cache());
    write_json(paths.telemetry_json(), cached.telemetry);
    for (const auto& split : cached.corpus.splits) spdlog::info("  {:<14} {:>7} strings", split.name, split.size());
    if (done(start)) return finish("pending", {RunStatus::kPartial, stage, "", nullptr});

    start = begin("model");
    train::SessionOptions session_options;
    session_options.seed = e.seed;
    session_options.device = e.device;
    session_options.threads = e.threads;
    session_options.checkpoint_dir = paths.checkpoint_dir();
    session_options.history_path = paths.history_jsonl();
    session_options.on_step = [&](std::size_t) { return !(options.stop_requested && options.stop_requested()); };
    train::Session session(e.model, static_cast<std::size_t>(dfa.num_symbols()), e.data.L_test_max, session_options);
    spdlog::info("{}: {} parameters (d_model {}), device {}", session.resolved().arch, session.parameters(),
                 session.resolved().d_model, session.device());
    done(start);

    start = begin("train");
    const train::TrainResult trained = session.train(cached.corpus, e.train);
    if (trained.interrupted) throw Preempted();
    spdlog::info("trained {} steps in {:.1f}s ({:.0f} strings/s); best val_acc {:.4f} at step {}", trained.steps,
                 trained.seconds, trained.strings_per_second, trained.best_val_acc, trained.best_step);
    if (done(start)) return finish("pending", {RunStatus::kPartial, stage, "", nullptr});

    start = begin("eval");
    const eval::Summary summary = session.evaluate(cached.corpus, e.eval.tau);
    for (const auto& [name, m] : summary.splits) {
      spdlog::info("  {:<14} acc {:.4f}  worst {:.4f} at length {}", name, m.accuracy, m.worst_accuracy, m.worst_length);
    }
    if (done(start)) return finish("pending", {RunStatus::kPartial, stage, "", nullptr});

    start = begin("write");
    nlohmann::json metrics = summary.flat_json();
    metrics["run_id"] = id;
    metrics["parameters"] = session.parameters();
    metrics["d_model"] = session.resolved().d_model;
    metrics["steps"] = trained.steps;
    metrics["best_step"] = trained.best_step;
    metrics["best_val_acc"] = trained.best_val_acc;
    metrics["stopped_early"] = trained.stopped_early;
    metrics["train_seconds"] = trained.seconds;
    metrics["strings_per_second"] = trained.strings_per_second;
    write_json(paths.metrics_json(), metrics);
    write_metrics_h5(paths.metrics_h5(), id, e, trained.history, summary, metrics);
    RunContext context = options.context;
    context.threads = e.threads;
    context.device = session.device();
    nlohmann::json env = environment(context);
    env["started"] = status["started"];
    env["ended"] = utc_now();
    write_json(paths.env_json(), env);
    done(start);
    outcome.status = RunStatus::kDone;
    outcome.metrics = metrics;
    return finish("done", outcome);
  } catch (const Preempted&) {
    spdlog::warn("run {} preempted during {}; the next start resumes from its checkpoint", id, stage);
    status["error"] = "preempted";
    return finish("preempted", {RunStatus::kPreempted, stage, "preempted", nullptr});
  } catch (const std::exception& error) {
    spdlog::error("run {} failed in stage {}: {}", id, stage, error.what());
    status["error"] = error.what();
    return finish("failed", {RunStatus::kFailed, stage, error.what(), nullptr});
  }
}

}  // namespace regal::experiment
