#pragma once
// Recurrent classifiers: embedding, n_layers of LSTM, GRU or tanh RNN of width
// d_model, the last layer's final hidden state into a linear head (with pool
// = end, the state after an extra end token appended to the string).
#include "model/classifier.h"

namespace regal::model {

class RecurrentClassifierImpl : public ClassifierImpl {
 public:
  RecurrentClassifierImpl(const ModelConfig& config, std::size_t num_symbols, std::size_t num_classes = 2,
                          std::size_t next_outputs = 0);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor forward_positions(const torch::Tensor& tokens) override;
  std::pair<torch::Tensor, torch::Tensor> forward_string_and_next(const torch::Tensor& tokens) override;
  bool reads_padded() const override { return true; }
  torch::Tensor forward_padded(const torch::Tensor& tokens, const torch::Tensor& lengths) override;

 private:
  torch::Tensor last_layer(const torch::Tensor& x);  // [B, T, D] -> the last layer's output at every step
  torch::Tensor hidden_positions(const torch::Tensor& tokens) override { return last_layer(embedding_(tokens)); }
  torch::Tensor class_head(const torch::Tensor& hidden) override { return head_(hidden); }

  std::string arch_;
  std::int64_t end_token_;  // the appended readout token (pool = end), -1 without
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  torch::nn::Linear head_{nullptr};
};

}  // namespace regal::model
