#pragma once
// Sequence classifiers: tokens [B, L] (int64 symbol indices; every row has the
// same length, there is no padding) -> logits [B, k], one per class (a
// recogniser's two: rejected, accepted).
#include <torch/torch.h>

#include <memory>
#include <string>

#include "model/config.h"

namespace regal::model {

class ClassifierImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& tokens) = 0;
  // Logits after every symbol: [B, T, k], row t reads the prefix ending at t
  // (per-prefix targets). Causal: a transformer built causal attends to no
  // later position; recurrent models are causal by construction.
  virtual torch::Tensor forward_positions(const torch::Tensor& tokens) = 0;

  // Evaluation over strings of mixed lengths. A model whose output at a
  // position reads nothing after it (recurrent models) takes rows padded on
  // the right: forward_padded(tokens [B, T], lengths [B] int64) gives each
  // row's logits [B, k] at its own length, as forward() gives the row alone,
  // and forward_positions' rows are exact up to each row's length.
  virtual bool reads_padded() const { return false; }
  virtual torch::Tensor forward_padded(const torch::Tensor& tokens, const torch::Tensor& lengths);
};
using Classifier = std::shared_ptr<ClassifierImpl>;

// Builds the model of a resolved config (budget already applied, see
// resolve_budget) for `num_symbols` symbols and strings up to `max_length`.
// Initialisation draws from torch's default generator: seed it first.
// `causal`: transformers attend only to earlier positions (per-prefix targets).
Classifier build_classifier(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes = 2, bool causal = false);

// Trainable parameters of a built model.
std::size_t count_parameters(const torch::nn::Module& model);

// "cpu", "cuda" or "auto" (cuda when available). Throws InputError for cuda
// without a usable device, or for anything else.
torch::Device resolve_device(const std::string& spec);

}  // namespace regal::model
