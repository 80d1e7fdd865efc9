// The training loop. On a GPU the host only queues work: the step never reads
// a value back (loss and correct counts accumulate in device tensors, gradient
// clipping keeps its norm on the device, batches are copied from pinned host
// memory without blocking). The host waits for the device at evaluation and
// checkpoint points only, which is also where the training clock is read, so
// `seconds` is device time, not queueing time. On the CPU the same code gives
// bit-identical results to reading every step back: the sums are the same
// float64 operations in the same order.
#include "train/trainer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "data/batches.h"
#include "eval/evaluate.h"
#include "io/atomic_file.h"
#include "io/checked_file.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/rng.h"

namespace regal::train {
namespace {

using Clock = std::chrono::steady_clock;

// torch's default generator of a device (dropout draws from the one of the
// device it runs on). The handle is const; a copy shares the generator.
at::Generator default_generator(const torch::Device& device) { return torch::globalContext().defaultGenerator(device); }
at::Generator cpu_generator() { return default_generator(torch::kCPU); }

void set_generator_state(at::Generator generator, const torch::Tensor& state) {
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

void seed_generator(at::Generator generator, std::uint64_t seed) {
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_current_seed(seed);
}

// The training window's running sums (loss × strings, correct predictions),
// kept on the training device so that a step never waits for it.
class WindowSums {
 public:
  WindowSums(double loss, double correct, const torch::Device& device)
      : loss_(torch::full({}, loss, torch::TensorOptions().dtype(torch::kFloat64).device(device))),
        correct_(torch::full({}, correct, torch::TensorOptions().dtype(torch::kFloat64).device(device))) {}
  void add(const torch::Tensor& mean_loss, double strings, const torch::Tensor& logits, const torch::Tensor& labels) {
    loss_.add_(mean_loss.detach().to(torch::kFloat64) * strings);
    correct_.add_(logits.detach().argmax(1).eq(labels).sum());
  }
  // Waits for the device.
  double loss() const { return loss_.item<double>(); }
  double correct() const { return correct_.item<double>(); }
  void reset() {
    loss_.zero_();
    correct_.zero_();
  }

 private:
  torch::Tensor loss_, correct_;
};

// Everything besides model and optimiser that a checkpoint restores.
struct LoopState {
  std::size_t step = 0;
  data::TrainingBatches::Position position;
  double best_val_acc = -1;
  std::size_t best_step = 0;
  std::size_t evaluations_without_improvement = 0;
  double seconds = 0;                 // training wall time before this process
  double window_loss = 0, window_correct = 0, window_strings = 0;  // since the last evaluation
  double window_seconds = 0;
  std::size_t total_strings = 0;
  std::vector<HistoryRow> history;
};

torch::Tensor scalar(double value) { return torch::tensor({value}, torch::kFloat64); }
double read_scalar(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.item<double>();
}

// The checkpoint is serialised in memory and written through io, with its
// SHA-256 beside it: a full disk is an ordinary error, and damage is found
// when the checkpoint is loaded again.
void save_checkpoint(const std::filesystem::path& path, model::ClassifierImpl& model, torch::optim::AdamW& optimizer,
                     const LoopState& state, const torch::Device& device) {
  {
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
    model.save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("step", scalar(static_cast<double>(state.step)));
    archive.write("epoch", scalar(static_cast<double>(state.position.epoch)));
    archive.write("batch", scalar(static_cast<double>(state.position.batch)));
    archive.write("best_val_acc", scalar(state.best_val_acc));
    archive.write("best_step", scalar(static_cast<double>(state.best_step)));
    archive.write("evaluations_without_improvement", scalar(static_cast<double>(state.evaluations_without_improvement)));
    archive.write("seconds", scalar(state.seconds));
    archive.write("window", torch::tensor({state.window_loss, state.window_correct, state.window_strings,
                                           state.window_seconds, static_cast<double>(state.total_strings)},
                                          torch::kFloat64));
    archive.write("cpu_generator", cpu_generator().get_state());
    if (device.is_cuda()) archive.write("cuda_generator", default_generator(device).get_state());
    nlohmann::json history = nlohmann::json::array();
    for (const auto& row : state.history) history.push_back(row.to_json());
    archive.write("history", c10::IValue(history.dump()));
    std::ostringstream bytes;
    archive.save_to(bytes);
    io::write_file_with_digest(path, bytes.str());
  }
}

LoopState load_checkpoint(const std::filesystem::path& path, model::ClassifierImpl& model,
                          torch::optim::AdamW* optimizer, const torch::Device& device) {
  torch::serialize::InputArchive archive, model_archive;
  std::istringstream bytes(io::read_file_checked(path));  // IoError when damaged
  try {
    archive.load_from(bytes, device);
  } catch (const c10::Error& e) {
    throw IoError("cannot read checkpoint " + path.string() + ": " + e.what_without_backtrace());
  }
  archive.read("model", model_archive);
  model.load(model_archive);
  LoopState state;
  if (optimizer == nullptr) return state;
  torch::serialize::InputArchive optimizer_archive;
  archive.read("optimizer", optimizer_archive);
  optimizer->load(optimizer_archive);
  state.step = static_cast<std::size_t>(read_scalar(archive, "step"));
  state.position.epoch = static_cast<std::uint64_t>(read_scalar(archive, "epoch"));
  state.position.batch = static_cast<std::uint64_t>(read_scalar(archive, "batch"));
  state.best_val_acc = read_scalar(archive, "best_val_acc");
  state.best_step = static_cast<std::size_t>(read_scalar(archive, "best_step"));
  state.evaluations_without_improvement = static_cast<std::size_t>(read_scalar(archive, "evaluations_without_improvement"));
  state.seconds = read_scalar(archive, "seconds");
  torch::Tensor window;
  archive.read("window", window);
  window = window.cpu();
  const auto w = window.accessor<double, 1>();
  state.window_loss = w[0];
  state.window_correct = w[1];
  state.window_strings = w[2];
  state.window_seconds = w[3];
  state.total_strings = static_cast<std::size_t>(w[4]);
  torch::Tensor generator;
  archive.read("cpu_generator", generator);
  set_generator_state(cpu_generator(), generator.cpu());
  // A checkpoint written on the CPU has no CUDA stream: the CUDA generator
  // then keeps the seed the run started with.
  if (device.is_cuda() && archive.try_read("cuda_generator", generator)) set_generator_state(default_generator(device), generator.cpu());
  c10::IValue history;
  archive.read("history", history);
  for (const auto& row : nlohmann::json::parse(history.toStringRef())) state.history.push_back(HistoryRow::from_json(row));
  return state;
}

void write_history(const std::filesystem::path& path, const std::vector<HistoryRow>& history) {
  if (path.empty()) return;
  std::string text;
  for (const auto& row : history) text += row.to_json().dump() + "\n";
  io::write_file_atomic(path, text);
}

}  // namespace

HistoryRow HistoryRow::from_json(const nlohmann::json& j) {
  return {j.at("step").get<std::size_t>(), j.at("lr").get<double>(), j.at("train_loss").get<double>(),
          j.at("train_acc").get<double>(), j.at("val_loss").get<double>(), j.at("val_acc").get<double>(),
          j.at("elapsed_seconds").get<double>(), j.at("strings_per_second").get<double>()};
}

nlohmann::json HistoryRow::to_json() const {
  return {{"step", step},         {"lr", lr},           {"train_loss", train_loss},           {"train_acc", train_acc},
          {"val_loss", val_loss}, {"val_acc", val_acc}, {"elapsed_seconds", elapsed_seconds}, {"strings_per_second", strings_per_second}};
}

void configure_threads(std::size_t threads) {
  torch::set_num_threads(static_cast<int>(std::max<std::size_t>(threads, 1)));
  static bool interop_set = false;
  if (!interop_set) {
    interop_set = true;
    try {
      torch::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already started by earlier parallel work in this process: harmless.
    }
  }
}

void seed_model_init(std::uint64_t seed) {
  const std::uint64_t init_seed = derive_seed(seed, "model_init");
  torch::manual_seed(init_seed);
}

void load_weights(model::ClassifierImpl& model, const std::filesystem::path& checkpoint, const torch::Device& device) {
  load_checkpoint(checkpoint, model, nullptr, device);
}

void clip_gradient_norm(const std::vector<torch::Tensor>& parameters, double max_norm) {
  std::vector<torch::Tensor> grads, norms;
  for (const auto& parameter : parameters) {
    if (!parameter.grad().defined()) continue;
    grads.push_back(parameter.grad());
    norms.push_back(grads.back().norm(2));
  }
  if (grads.empty()) return;
  const torch::Tensor total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);
  const torch::Tensor coefficient = torch::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
  for (auto& grad : grads) grad.mul_(coefficient);
}

void configure_determinism(bool deterministic) {
  // cuBLAS reads its workspace setting when a handle is made: before any CUDA work.
  if (deterministic) ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
  torch::globalContext().setDeterministicAlgorithms(deterministic, /*warn_only=*/false);
  torch::globalContext().setDeterministicCuDNN(deterministic);
  torch::globalContext().setBenchmarkCuDNN(false);
}

TrainResult train(model::ClassifierImpl& model, const data::Corpus& corpus, const TrainConfig& config,
                  const TrainOptions& options) {
  config.validate();
  const data::Split* train_split = corpus.find("train");
  const data::Split* val_split = corpus.find("val");
  if (!options.online && (train_split == nullptr || train_split->size() == 0)) {
    throw InputError("the corpus has no training strings");
  }
  configure_determinism(config.deterministic);

  torch::optim::AdamW optimizer(model.parameters(), torch::optim::AdamWOptions(config.lr)
                                                        .betas({config.beta1, config.beta2})
                                                        .weight_decay(config.weight_decay));
  // Epochs over the train split, or a fresh batch per step (online).
  std::optional<data::TrainingBatches> batches;
  if (!options.online) batches.emplace(*train_split, config.batch_size, derive_seed(options.seed, "batches"));
  data::Split online_split("train");
  data::Batch online_batch;
  const std::filesystem::path last = options.checkpoint_dir.empty() ? "" : options.checkpoint_dir / "last.pt";
  const std::filesystem::path best = options.checkpoint_dir.empty() ? "" : options.checkpoint_dir / "best.pt";

  TrainResult result;
  LoopState state;
  bool resumed = false;
  if (options.resume && !last.empty() && std::filesystem::exists(last)) {
    try {
      state = load_checkpoint(last, model, &optimizer, options.device);
      if (batches) batches->seek(state.position);
      resumed = true;
      result.resumed = true;
      result.resumed_from = state.step;
      spdlog::info("resuming from {} at step {}", last.string(), state.step);
    } catch (const IoError& e) {
      spdlog::warn("{}; training starts again from step 0", e.what());
      state = LoopState();
    }
  }
  if (!resumed) {
    // Dropout draws from the generator of its device: give it a stream of its own.
    seed_generator(cpu_generator(), derive_seed(options.seed, "dropout"));
    if (options.device.is_cuda()) seed_generator(default_generator(options.device), derive_seed(options.seed, "dropout"));
  }

  WindowSums sums(state.window_loss, state.window_correct, options.device);
  auto segment_start = Clock::now();
  // Waits for the device, then brings the window sums and the training clock
  // up to date. Only evaluation and checkpoints need this.
  auto settle = [&] {
    state.window_loss = sums.loss();
    state.window_correct = sums.correct();
    const auto now = Clock::now();
    const double seconds = std::chrono::duration<double>(now - segment_start).count();
    state.seconds += seconds;
    state.window_seconds += seconds;
    segment_start = now;
  };

  auto evaluate_val = [&](double lr) {
    settle();
    HistoryRow row;
    row.step = state.step;
    row.lr = lr;
    row.train_loss = state.window_strings > 0 ? state.window_loss / state.window_strings : 0;
    row.train_acc = state.window_strings > 0 ? state.window_correct / state.window_strings : 0;
    row.strings_per_second = state.window_seconds > 0 ? state.window_strings / state.window_seconds : 0;
    row.elapsed_seconds = state.seconds;
    if (val_split != nullptr && val_split->size() > 0) {
      const auto metrics = eval::split_metrics(
          "val",
          eval::predict(model, *val_split, options.device, options.eval_batch_size, false,
                        {options.prefix_dfa.get(), options.next.get()}),
          corpus.num_classes());
      row.val_loss = metrics.loss;
      row.val_acc = metrics.accuracy;
    }
    model.train();
    state.window_loss = state.window_correct = state.window_strings = state.window_seconds = 0;
    sums.reset();
    state.history.push_back(row);
    segment_start = Clock::now();  // evaluation is not training time
    return row;
  };
  auto checkpoint = [&](const std::filesystem::path& path) {
    settle();
    save_checkpoint(path, model, optimizer, state, options.device);
    segment_start = Clock::now();  // nor is writing checkpoints
  };

  model.train();
  const std::vector<torch::Tensor> parameters = model.parameters();
  bool stop = false;
  while (state.step < config.steps && !stop) {
    const double lr = learning_rate(config, state.step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);

    const data::Split* source = train_split;
    const data::Batch* next = nullptr;
    if (options.online) {
      options.online->batch(state.step, config.batch_size, online_split);
      online_batch.length = online_split.size() == 0 ? 0 : online_split.length(0);
      online_batch.indices.resize(online_split.size());
      for (std::size_t i = 0; i < online_batch.indices.size(); ++i) online_batch.indices[i] = static_cast<std::uint32_t>(i);
      source = &online_split;
      next = &online_batch;
    } else {
      next = &batches->next();
    }
    const data::Batch& batch = *next;
    const auto [tokens, labels] = eval::batch_tensors(*source, batch, options.device);
    optimizer.zero_grad();
    torch::Tensor logits, loss, next_logits;  // next_logits [B, T, m] with next-symbol outputs
    const eval::NextSymbols* next_symbols = options.next.get();
    if (next_symbols != nullptr && next_symbols->is_target()) {
      next_logits = model.forward_next(tokens);
      logits = next_symbols->end_logits(next_logits.select(1, -1));  // the whole string: its last end entries
    } else if (options.prefix_dfa) {
      torch::Tensor per_position;  // [B, T, k]
      if (next_symbols != nullptr) std::tie(per_position, next_logits) = model.forward_positions_and_next(tokens);
      else per_position = model.forward_positions(tokens);
      const torch::Tensor targets = eval::prefix_labels(*source, batch, *options.prefix_dfa, options.device);
      loss = torch::nn::functional::cross_entropy(
          per_position.reshape({-1, per_position.size(2)}), targets.reshape({-1}),
          torch::nn::functional::CrossEntropyFuncOptions().ignore_index(eval::kIgnoredLabel));
      logits = per_position.select(1, -1);  // the whole string: its last position
    } else {
      if (next_symbols != nullptr) std::tie(logits, next_logits) = model.forward_string_and_next(tokens);
      else logits = model.forward(tokens);
      loss = torch::cross_entropy_loss(logits, labels);
    }
    if (next_logits.defined()) {
      const torch::Tensor next_loss = eval::next_symbol_loss(
          next_logits, eval::next_symbol_targets(*source, batch, *next_symbols, options.device));
      loss = loss.defined() ? loss + options.aux_weight * next_loss : next_loss;
    }
    loss.backward();
    if (config.clip > 0) clip_gradient_norm(parameters, config.clip);
    optimizer.step();

    sums.add(loss, static_cast<double>(batch.indices.size()), logits, labels);
    state.window_strings += static_cast<double>(batch.indices.size());
    state.total_strings += batch.indices.size();
    ++state.step;
    if (batches) state.position = batches->position();
    heartbeat();

    const bool last_step = state.step == config.steps;
    if (state.step % config.eval_every == 0 || last_step) {
      const HistoryRow row = evaluate_val(lr);
      spdlog::info("step {:>6}  lr {:.2e}  train_loss {:.4f}  train_acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.0f} strings/s",
                   row.step, row.lr, row.train_loss, row.train_acc, row.val_loss, row.val_acc, row.strings_per_second);
      if (row.val_acc > state.best_val_acc) {
        state.best_val_acc = row.val_acc;
        state.best_step = state.step;
        state.evaluations_without_improvement = 0;
        if (!best.empty()) checkpoint(best);
      } else if (config.patience > 0 && ++state.evaluations_without_improvement >= config.patience) {
        result.stopped_early = true;
        stop = true;
        spdlog::info("early stop at step {}: val_acc has not improved for {} evaluations", state.step, config.patience);
      }
      write_history(options.history_path, state.history);
      segment_start = Clock::now();
    }
    const bool interrupted = options.on_step && !options.on_step(state.step);
    if (!last.empty() && (state.step % config.checkpoint_every == 0 || last_step || stop || interrupted)) {
      checkpoint(last);
    }
    if (interrupted) {
      result.interrupted = true;
      break;
    }
  }
  settle();
  result.steps = state.step;
  result.best_val_acc = state.best_val_acc;
  result.best_step = state.best_step;
  result.seconds = state.seconds;
  result.strings_per_second = state.seconds > 0 ? static_cast<double>(state.total_strings) / state.seconds : 0;
  result.history = state.history;
  return result;
}

}  // namespace regal::train
