#pragma once
// Recurrent classifiers: embedding, n_layers of LSTM, GRU or tanh RNN of width
// d_model, the last layer's final hidden state into a linear head.
#include "model/classifier.h"

namespace regal::model {

class RecurrentClassifierImpl : public ClassifierImpl {
 public:
  RecurrentClassifierImpl(const ModelConfig& config, std::size_t num_symbols);
  torch::Tensor forward(const torch::Tensor& tokens) override;

 private:
  std::string arch_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  torch::nn::Linear head_{nullptr};
};

}  // namespace regal::model
