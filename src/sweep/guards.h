#pragma once
// Guards against runs that cannot fit: before any run starts, every run's
// corpus, model and evaluation are estimated from its settings alone, and a
// run whose memory estimate exceeds what one child may use is refused as bad
// input, naming the setting that dominates and the figures.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment.h"

namespace regal::sweep {

struct RunEstimate {
  double strings = 0;        // corpus strings, every split
  double symbols = 0;        // corpus symbols, every split
  double corpus_bytes = 0;   // the corpus in memory while it is built (strings, offsets, labels, distinctness sets)
  double parameters = 0;     // trainable parameters (the model's closed form)
  double model_bytes = 0;    // weights, gradients, AdamW moments and a training step's activations
  double eval_bytes = 0;     // one evaluation batch's activations at the longest test length
  double memory_bytes = 0;   // the largest the child holds at once
  std::string dominant;      // the setting that drives memory_bytes, e.g. "data.n_test_per_length"
};

// Upper-bound estimates from the settings (no corpus is built).
RunEstimate estimate_run(const experiment::Experiment& experiment);

// Memory one child may use: min(the cgroup's limit, MemAvailable) divided by
// the children that run at once on this node; nullopt when neither can be read.
std::optional<double> memory_per_child(std::size_t children_per_node);

// Throws InputError for the first run whose estimate exceeds `limit` bytes:
// "run <id>: data.n_test_per_length = 100000000: about 2.1e+10 strings, 1.9 TiB;
// one run may use 5.6 GiB (...)".
void check_run_sizes(const std::vector<std::pair<std::string, const experiment::Experiment*>>& runs, double limit,
                     const std::string& where_limit);

// "1.5 GiB", "312 MiB", "12 KiB".
std::string human_bytes(double bytes);

}  // namespace regal::sweep
