#pragma once
// The training loop: AdamW with warm-up and cosine decay, gradient clipping,
// one-length batches, validation every eval_every steps, early stopping,
// checkpoints last.pt and best.pt, logs/history.jsonl.
//
// A checkpoint holds the model, the optimiser state, the step, the batch
// iterator's position, torch's CPU generator (dropout), the best validation
// score, the running training sums and the history so far: resuming from
// last.pt continues exactly where the run stopped, and on CPU with the same
// thread count the final weights equal those of an uninterrupted run bit for bit
// (on a GPU too with train.deterministic; docs/reproducibility.md).
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/corpus.h"
#include "data/online.h"
#include "model/classifier.h"
#include "train/config.h"
#include "train/history.h"

namespace regal::eval {
class NextSymbols;
}

namespace regal::train {

struct TrainOptions {
  std::uint64_t seed = 0;                    // the run's seed: batch order and dropout derive from it
  torch::Device device = torch::kCPU;        // where to train
  std::filesystem::path checkpoint_dir;      // last.pt and best.pt go here; empty: no checkpoints
  std::filesystem::path history_path;        // history.jsonl, rewritten atomically at each evaluation; empty: none
  bool resume = true;                        // continue from checkpoint_dir/last.pt when it exists
  std::size_t eval_batch_size = 512;         // strings per validation batch
  // Called after every step with the number of steps done; returning false
  // stops training at once after writing last.pt (preemption).
  std::function<bool(std::size_t)> on_step;
  // Online training data: when set, step s trains on online->batch(s), not on
  // the corpus's train split (data.train_mode = online).
  std::shared_ptr<const data::OnlineBatches> online;
  // Per-prefix targets (train.target = prefix): every position is labelled
  // with its prefix's class by this automaton, and the loss is the mean over
  // the labelled positions of model.forward_positions.
  std::shared_ptr<const fsm::Dfa> prefix_dfa;
  // Next-symbol outputs (FLaRe): with next->is_target() (train.target =
  // next_symbols) the loss is their mean binary cross-entropy alone;
  // otherwise it is added to the string or prefix loss times aux_weight.
  std::shared_ptr<const eval::NextSymbols> next;
  double aux_weight = 0;
};

// Trains `model` (already on options.device) on the corpus's train split (or
// online batches), validating on val. Requires a non-empty train split
// unless training is online.
TrainResult train(model::ClassifierImpl& model, const data::Corpus& corpus, const TrainConfig& config,
                  const TrainOptions& options);

// Loads the model weights of a checkpoint (last.pt or best.pt) into `model`.
void load_weights(model::ClassifierImpl& model, const std::filesystem::path& checkpoint, const torch::Device& device);

// torch::set_num_threads(threads) with interop threads 1 (set once per process).
void configure_threads(std::size_t threads);

// Scales the gradients so that their global L2 norm is at most max_norm:
// torch::nn::utils::clip_grad_norm_'s arithmetic without its final read of the
// norm to the host, which would make every GPU step wait for the device.
void clip_gradient_norm(const std::vector<torch::Tensor>& parameters, double max_norm);

// train.deterministic: deterministic algorithms only (an error for an op that
// has none), cuDNN without autotuning, and the cuBLAS workspace setting that
// makes its GEMMs reproducible. Process-wide; train() calls it.
void configure_determinism(bool deterministic);

// Seeds torch's default generators for model initialisation from the run's seed.
void seed_model_init(std::uint64_t seed);

}  // namespace regal::train
