#pragma once
// A torch-free façade over model, training and evaluation, for callers that
// must not include <torch/torch.h> (experiment/, the sweep). A Session owns
// one built model on one device across the model, train and eval stages.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "data/corpus.h"
#include "data/online.h"
#include "eval/metrics.h"
#include "model/config.h"
#include "train/config.h"
#include "train/history.h"

namespace regal::train {

struct SessionOptions {
  std::uint64_t seed = 0;                   // the run's seed (init, batches, dropout derive from it)
  std::string device = "cpu";               // cpu | cuda | cuda:N | auto
  std::size_t threads = 1;                  // torch intra-op threads (interop 1)
  std::filesystem::path checkpoint_dir;     // last.pt, best.pt
  std::filesystem::path history_path;       // history.jsonl
  std::function<bool(std::size_t)> on_step; // false: checkpoint and stop (preemption)
  std::size_t num_classes = 2;              // outputs of the model: the task's classes
  std::shared_ptr<const data::OnlineBatches> online;  // online training data (data.train_mode = online); else the corpus
  std::shared_ptr<const fsm::Dfa> prefix_dfa;  // per-prefix targets (train.target = prefix): causal model, labels by it
  // Next-symbol outputs (train.target = next_symbols, or train.aux_weight > 0):
  // a causal model with a second head, targets by this automaton.
  std::shared_ptr<const fsm::Dfa> next_dfa;
  double aux_weight = 0;  // > 0: the next-symbol loss's weight beside the string or prefix loss; 0: it is the target
};

// "1.13.1" (+ "cuda 12.1" when built with CUDA).
std::string torch_version();
// How many CUDA devices torch sees (0 without CUDA).
std::size_t cuda_device_count();
// What env.json records of a CUDA device ("cuda:0"): its name, compute
// capability, memory, the driver's version and the CUDA version it supports,
// the CUDA runtime and cuDNN versions LibTorch was built with. Fields that
// cannot be read are null; null for "cpu".
nlohmann::json describe_device(const std::string& device);

class Session {
 public:
  // Resolves the budget and builds the model for `num_symbols` symbols and
  // strings up to `max_length` (learned positions are allocated for it).
  Session(const model::ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
          const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const model::ModelConfig& resolved() const;  // the config with d_model from the budget
  std::size_t parameters() const;               // exact trainable parameters
  std::string device() const;                   // e.g. "cpu", "cuda:0"

  // Trains on the corpus (resuming from last.pt when present).
  TrainResult train(const data::Corpus& corpus, const TrainConfig& config);
  // Evaluates every test split with the weights of `checkpoint` ("best":
  // best.pt, the best validation accuracy; "last": last.pt) when it exists,
  // else the current weights.
  eval::Summary evaluate(const data::Corpus& corpus, double tau, const std::string& checkpoint = "best");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regal::train
