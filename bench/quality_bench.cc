// Quality benchmark: does the learning generalise the way the literature says?
// Parity over {a,b} ((b*ab*a)*b*), train on lengths 1..20, test to 100.
// An LSTM (width 64) should reach >= 0.95 on test_len_ood; transformers with
// each positional scheme are reported alongside. Prints a table and JSON lines.
//
//   quality_bench [--steps N] [--threads N] [--only lstm|transformer]
#include <chrono>
#include <iostream>

#include "data/generate.h"
#include "eval/evaluate.h"
#include "fsm/fsm.h"
#include "model/classifier.h"
#include "train/trainer.h"
#include "util/allocator.h"

using namespace regal;

int main(int argc, char** argv) {
  std::size_t steps = 3000, threads = 1;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--steps") steps = std::stoul(argv[i + 1]);
    if (flag == "--threads") threads = std::stoul(argv[i + 1]);
    if (flag == "--only") only = argv[i + 1];
  }
  tune_allocator();
  train::configure_threads(threads);
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  const data::Language parity{"parity", "(b*ab*a)*b*", fsm::compile_regex("(b*ab*a)*b*", alphabet).take_or_throw()};
  data::DataConfig data_config;  // L 1..20, test to 100, 10000 train
  const data::Corpus corpus = data::generate_corpus(parity, data_config, 0);

  struct Variant {
    std::string name;
    model::ModelConfig config;
  };
  std::vector<Variant> variants;
  model::ModelConfig lstm;
  lstm.arch = "lstm";
  lstm.d_model = 64;
  lstm.n_layers = 1;
  if (only.empty() || only == "lstm") variants.push_back({"lstm-64", lstm});
  for (const std::string pos : {"sinusoidal", "learned", "none", "rope", "alibi"}) {
    model::ModelConfig transformer;
    transformer.pos = pos;
    if (only.empty() || only == "transformer") variants.push_back({"transformer-" + pos, transformer});
  }
  train::TrainConfig train_config;
  train_config.steps = steps;
  train_config.eval_every = steps / 5;
  train_config.lr = 3e-3;

  std::printf("%-24s %8s %8s %10s %8s %8s %9s\n", "model", "params", "val", "test_id", "len_ood", "horizon", "seconds");
  for (const auto& variant : variants) {
    train::seed_model_init(0);
    const auto model = model::build_classifier(variant.config, 2, data_config.L_test_max);
    train::TrainOptions options;
    options.seed = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto result = train::train(*model, corpus, train_config, options);
    const auto summary = eval::evaluate(*model, corpus, torch::kCPU, 512, 0.95);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double len_ood = summary.splits.at("test_len_ood").accuracy;
    std::printf("%-24s %8zu %8.3f %10.3f %8.3f %8zu %9.1f\n", variant.name.c_str(), model::count_parameters(*model),
                result.history.back().val_acc, summary.splits.at("test_id").accuracy, len_ood,
                summary.horizon.value_or(0), seconds);
    nlohmann::json line = summary.flat_json();
    line["model"] = variant.name;
    line["seconds"] = seconds;
    line["steps"] = result.steps;
    std::cout << "json " << line.dump() << std::endl;
  }
  return 0;
}
