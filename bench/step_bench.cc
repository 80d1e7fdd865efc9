// One training step of the default models, timed: forward, cross-entropy,
// backward, gradient clipping, AdamW — exactly the trainer's sequence, with
// the trainer's own clipping (no host synchronisation inside the step).
// Its Python twin is bench/step_twin.py; bench/compare_step.sh runs both on
// the CPU, scripts/device-check.sh on a GPU.
//
//   step_bench --arch transformer|lstm [--device cpu|cuda] [--threads N] [--steps N]
//              [--batch 128] [--length 40] [--full-last-block] [--no-tune-allocator]
//   step_bench --eval [--arch ...] [--device ...] [--max-length 500] [--per-length 100]
//   [--profile TRACE.json] (a chrome trace of one evaluation, every op)
//   [--repeats 3] (warm evaluations after the first; 0: the cold one only)
//   (both: [--pos sinusoidal|learned|none|rope|alibi] [--pool cls|mean|end])
// Prints one JSON line: {"impl": "cpp", "arch": ..., "ms_per_step": ...}; with
// --eval, the time of the evaluation stage (eval::evaluate: every test split,
// batches of 512) over a parity corpus tested on lengths up to --max-length:
// first_seconds the first (cold) evaluation, seconds the best of --repeats after it.
#include <torch/torch.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "data/generate.h"
#include "eval/evaluate.h"
#include "fsm/fsm.h"
#include "model/classifier.h"
#include "model/transformer.h"
#include "train/trainer.h"
#include "util/allocator.h"

using namespace regal;

namespace {

using Clock = std::chrono::steady_clock;

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

int eval_bench(const model::ModelConfig& config, const torch::Device& device, std::size_t max_length, std::size_t per_length,
               const std::string& profile, int repeats) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  const data::Language parity{"parity", "(b*ab*a)*b*", fsm::compile_regex("(b*ab*a)*b*", alphabet).take_or_throw()};
  data::DataConfig data_config;
  data_config.L_max = 40;
  data_config.L_test_max = max_length;
  data_config.n_train = 1000;
  data_config.n_test_per_length = per_length;
  const data::Corpus corpus = data::generate_corpus(parity, data_config, 1);
  std::size_t strings = 0, symbols = 0;
  std::string per_split;
  for (const auto& split : corpus.splits) {
    if (split.name == "train" || split.name == "val") continue;
    per_split += (per_split.empty() ? "\"" : ", \"") + split.name + "\": " + std::to_string(split.size());
    strings += split.size();
    for (std::size_t i = 0; i < split.size(); ++i) symbols += split.length(i);
  }
  torch::manual_seed(0);
  const auto model = model::build_classifier(config, 2, max_length);
  model->to(device);
  // The first evaluation is what a run's eval stage pays (its process has
  // trained only on short strings); the best of three after it is the warm figure.
  const auto cold_start = Clock::now();
  eval::evaluate(*model, corpus, device, 512, 0.95);
  synchronize(device);
  const double first = std::chrono::duration<double>(Clock::now() - cold_start).count();
  if (!profile.empty()) {
    // One more pass under the legacy profiler: a chrome trace of every op.
    torch::autograd::profiler::RecordProfile guard(profile);
    eval::evaluate(*model, corpus, device, 512, 0.95);
  }
  double best = repeats > 0 ? 1e300 : first;
  for (int repeat = 0; repeat < repeats; ++repeat) {
    const auto start = Clock::now();
    eval::evaluate(*model, corpus, device, 512, 0.95);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::cout << "{\"impl\": \"cpp\", \"mode\": \"eval\", \"arch\": \"" << config.arch << "\", \"device\": \"" << device.str()
            << "\", \"max_length\": " << max_length << ", \"strings\": " << strings << ", \"splits\": {" << per_split << "}, \"symbols\": " << symbols
            << ", \"first_seconds\": " << first << ", \"seconds\": " << best << ", \"strings_per_second\": " << static_cast<double>(strings) / best << "}"
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string arch = "transformer", device_name = "cpu", pos = "sinusoidal", pool = "cls", profile;
  int repeats = 3;
  std::size_t threads = 1, steps = 30, batch = 128, length = 40, max_length = 500, per_length = 100;
  bool full_last_block = false, tune = true, eval_mode = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&] { return std::string(argv[++i]); };
    if (flag == "--arch") arch = value();
    else if (flag == "--device") device_name = value();
    else if (flag == "--threads") threads = std::stoul(value());
    else if (flag == "--steps") steps = std::stoul(value());
    else if (flag == "--batch") batch = std::stoul(value());
    else if (flag == "--length") length = std::stoul(value());
    else if (flag == "--full-last-block") full_last_block = true;
    else if (flag == "--no-tune-allocator") tune = false;
    else if (flag == "--eval") eval_mode = true;
    else if (flag == "--pos") pos = value();
    else if (flag == "--pool") pool = value();
    else if (flag == "--max-length") max_length = std::stoul(value());
    else if (flag == "--per-length") per_length = std::stoul(value());
    else if (flag == "--profile") profile = value();
    else if (flag == "--repeats") repeats = std::stoi(value());
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (tune) tune_allocator();
  train::configure_threads(threads);
  const torch::Device device = model::resolve_device(device_name);
  model::ModelConfig config;  // the defaults: d_model 64, 2 layers, 4 heads, d_ff 256
  config.arch = arch;
  config.pos = pos;
  config.pool = pool;
  if (eval_mode) return eval_bench(config, device, max_length, per_length, profile, repeats);

  torch::manual_seed(0);
  const auto model = model::build_classifier(config, 2, length);
  if (full_last_block) {
    if (auto* transformer = dynamic_cast<model::TransformerClassifierImpl*>(model.get())) transformer->set_full_last_block(true);
  }
  model->to(device);
  const std::vector<torch::Tensor> parameters = model->parameters();
  torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
  const auto tokens = torch::randint(0, 2, {static_cast<std::int64_t>(batch), static_cast<std::int64_t>(length)}, torch::kInt64).to(device);
  const auto labels = torch::randint(0, 2, {static_cast<std::int64_t>(batch)}, torch::kInt64).to(device);
  model->train();
  auto step = [&] {
    optimizer.zero_grad();
    const auto logits = model->forward(tokens);
    const auto loss = torch::cross_entropy_loss(logits, labels);
    loss.backward();
    train::clip_gradient_norm(parameters, 1.0);
    optimizer.step();
  };
  for (int i = 0; i < 5; ++i) step();  // warm up
  synchronize(device);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < steps; ++i) step();
  synchronize(device);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "{\"impl\": \"cpp\", \"arch\": \"" << arch << "\", \"device\": \"" << device.str() << "\", \"threads\": " << threads
            << ", \"batch\": " << batch << ", \"length\": " << length
            << ", \"full_last_block\": " << (full_last_block ? "true" : "false")
            << ", \"tuned_allocator\": " << (tune ? "true" : "false")
            << ", \"parameters\": " << model::count_parameters(*model)
            << ", \"ms_per_step\": " << 1000.0 * seconds / static_cast<double>(steps) << "}" << std::endl;
  return 0;
}
