#include "model/recurrent.h"

namespace regal::model {

RecurrentClassifierImpl::RecurrentClassifierImpl(const ModelConfig& config, std::size_t num_symbols,
                                                 std::size_t num_classes)
    : arch_(config.arch), end_token_(config.reads_end() ? static_cast<std::int64_t>(num_symbols) : -1) {
  const auto d = static_cast<std::int64_t>(config.d_model);
  const auto layers = static_cast<std::int64_t>(config.n_layers);
  const std::int64_t vocabulary = static_cast<std::int64_t>(num_symbols) + (end_token_ >= 0 ? 1 : 0);
  embedding_ = register_module("embedding", torch::nn::Embedding(vocabulary, d));
  if (arch_ == "lstm") {
    lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(d, d).num_layers(layers).batch_first(true)));
  } else if (arch_ == "gru") {
    gru_ = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(d, d).num_layers(layers).batch_first(true)));
  } else {
    rnn_ = register_module("rnn", torch::nn::RNN(torch::nn::RNNOptions(d, d).num_layers(layers).batch_first(true)));
  }
  head_ = register_module("head", torch::nn::Linear(d, static_cast<std::int64_t>(num_classes)));
}

torch::Tensor RecurrentClassifierImpl::forward(const torch::Tensor& tokens) {
  const torch::Tensor x = embedding_(
      end_token_ < 0 ? tokens : torch::cat({tokens, torch::full({tokens.size(0), 1}, end_token_, tokens.options())}, 1));
  torch::Tensor final_states;  // [layers, B, D]
  if (lstm_) {
    final_states = std::get<0>(std::get<1>(lstm_->forward(x)));
  } else if (gru_) {
    final_states = std::get<1>(gru_->forward(x));
  } else {
    final_states = std::get<1>(rnn_->forward(x));
  }
  return head_(final_states[-1]);
}

torch::Tensor RecurrentClassifierImpl::forward_positions(const torch::Tensor& tokens) {
  const torch::Tensor x = embedding_(tokens);  // the end token reads nothing a prefix needs
  torch::Tensor outputs;  // [B, T, D], the last layer at every step
  if (lstm_) {
    outputs = std::get<0>(lstm_->forward(x));
  } else if (gru_) {
    outputs = std::get<0>(gru_->forward(x));
  } else {
    outputs = std::get<0>(rnn_->forward(x));
  }
  return head_(outputs);
}

}  // namespace regal::model
