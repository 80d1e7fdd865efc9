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

  // Next-symbol outputs (FLaRe's targets: train.target = next_symbols, or
  // train.aux_weight): a second linear head over the same causal states,
  // built when build_classifier is given next_outputs (else these throw).
  // [B, T, m] next-symbol logits after every symbol (padded rows: exact up to each row's length).
  torch::Tensor forward_next(const torch::Tensor& tokens) { return next_head_(hidden_positions(tokens)); }
  // One pass for a string target with next-symbol outputs: ([B, k] as forward(), [B, T, m]).
  virtual std::pair<torch::Tensor, torch::Tensor> forward_string_and_next(const torch::Tensor& tokens) = 0;
  // One pass for a prefix target with them: ([B, T, k] as forward_positions(), [B, T, m]).
  std::pair<torch::Tensor, torch::Tensor> forward_positions_and_next(const torch::Tensor& tokens);

 protected:
  // The causal state after every symbol, [B, T, D]: what forward_positions' head reads.
  virtual torch::Tensor hidden_positions(const torch::Tensor& tokens) = 0;
  virtual torch::Tensor class_head(const torch::Tensor& hidden) = 0;
  // Registers the next-symbol head (after the class head, so models without
  // one initialise as before); no head when `outputs` is 0.
  void add_next_head(std::int64_t d_model, std::int64_t outputs);
  torch::nn::Linear next_head_{nullptr};
};
using Classifier = std::shared_ptr<ClassifierImpl>;

// Builds the model of a resolved config (budget already applied, see
// resolve_budget) for `num_symbols` symbols and strings up to `max_length`.
// Initialisation draws from torch's default generator: seed it first.
// `causal`: transformers attend only to earlier positions (per-prefix and
// next-symbol targets). `next_outputs` > 0 adds the next-symbol head.
Classifier build_classifier(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes = 2, bool causal = false, std::size_t next_outputs = 0);

// tokens [B, T] with one more column holding `token` (a CLS or end token):
// in front, or behind.
torch::Tensor with_token(const torch::Tensor& tokens, std::int64_t token, bool in_front);

// Trainable parameters of a built model.
std::size_t count_parameters(const torch::nn::Module& model);

// "cpu", "cuda" or "auto" (cuda when available). Throws InputError for cuda
// without a usable device, or for anything else.
torch::Device resolve_device(const std::string& spec);

}  // namespace regal::model
