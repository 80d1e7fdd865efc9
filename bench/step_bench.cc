// One training step of the default models, timed: forward, cross-entropy,
// backward, gradient clipping, AdamW — exactly the trainer's sequence.
// Its Python twin is bench/step_twin.py; bench/compare_step.sh runs both.
//
//   step_bench --arch transformer|lstm [--threads N] [--steps N] [--batch 128]
//              [--length 40] [--full-last-block] [--no-tune-allocator]
// Prints one JSON line: {"impl": "cpp", "arch": ..., "ms_per_step": ...}.
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "model/classifier.h"
#include "model/transformer.h"
#include "train/trainer.h"
#include "util/allocator.h"

using namespace regal;

int main(int argc, char** argv) {
  std::string arch = "transformer";
  std::size_t threads = 1, steps = 30, batch = 128, length = 40;
  bool full_last_block = false, tune = true;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&] { return std::string(argv[++i]); };
    if (flag == "--arch") arch = value();
    else if (flag == "--threads") threads = std::stoul(value());
    else if (flag == "--steps") steps = std::stoul(value());
    else if (flag == "--batch") batch = std::stoul(value());
    else if (flag == "--length") length = std::stoul(value());
    else if (flag == "--full-last-block") full_last_block = true;
    else if (flag == "--no-tune-allocator") tune = false;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (tune) tune_allocator();
  train::configure_threads(threads);
  torch::manual_seed(0);
  model::ModelConfig config;  // the defaults: d_model 64, 2 layers, 4 heads, d_ff 256
  config.arch = arch;
  const auto model = model::build_classifier(config, 2, length);
  if (full_last_block) {
    if (auto* transformer = dynamic_cast<model::TransformerClassifierImpl*>(model.get())) transformer->set_full_last_block(true);
  }
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
  const auto tokens = torch::randint(0, 2, {static_cast<std::int64_t>(batch), static_cast<std::int64_t>(length)}, torch::kInt64);
  const auto labels = torch::randint(0, 2, {static_cast<std::int64_t>(batch)}, torch::kInt64);
  model->train();
  auto step = [&] {
    optimizer.zero_grad();
    const auto logits = model->forward(tokens);
    const auto loss = torch::cross_entropy_loss(logits, labels);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    optimizer.step();
    return loss.item<double>();
  };
  for (int i = 0; i < 5; ++i) step();  // warm up
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < steps; ++i) step();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "{\"impl\": \"cpp\", \"arch\": \"" << arch << "\", \"threads\": " << threads
            << ", \"full_last_block\": " << (full_last_block ? "true" : "false")
            << ", \"tuned_allocator\": " << (tune ? "true" : "false")
            << ", \"parameters\": " << model::count_parameters(*model)
            << ", \"ms_per_step\": " << 1000.0 * seconds / static_cast<double>(steps) << "}" << std::endl;
  return 0;
}
