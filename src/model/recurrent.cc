#include "model/recurrent.h"

namespace regal::model {

RecurrentClassifierImpl::RecurrentClassifierImpl(const ModelConfig& config, std::size_t num_symbols,
                                                 std::size_t num_classes, std::size_t next_outputs)
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
  add_next_head(d, static_cast<std::int64_t>(next_outputs));
}

torch::Tensor RecurrentClassifierImpl::forward(const torch::Tensor& tokens) {
  const torch::Tensor x = embedding_(end_token_ < 0 ? tokens : with_token(tokens, end_token_, /*in_front=*/false));
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

torch::Tensor RecurrentClassifierImpl::last_layer(const torch::Tensor& x) {
  if (lstm_) return std::get<0>(lstm_->forward(x));
  if (gru_) return std::get<0>(gru_->forward(x));
  return std::get<0>(rnn_->forward(x));
}

torch::Tensor RecurrentClassifierImpl::forward_positions(const torch::Tensor& tokens) {
  return head_(hidden_positions(tokens));  // the end token reads nothing a prefix needs
}

std::pair<torch::Tensor, torch::Tensor> RecurrentClassifierImpl::forward_string_and_next(const torch::Tensor& tokens) {
  // The last layer's output at the last step is its final state, as forward() reads it.
  const torch::Tensor x = embedding_(end_token_ < 0 ? tokens : with_token(tokens, end_token_, /*in_front=*/false));
  const torch::Tensor outputs = last_layer(x);
  return {head_(outputs.select(1, -1)), next_head_(outputs.narrow(1, 0, tokens.size(1)))};
}

torch::Tensor RecurrentClassifierImpl::forward_padded(const torch::Tensor& tokens, const torch::Tensor& lengths) {
  // The state after each row's last symbol (or after its end token, written
  // at the row's own length); what follows in the row is never read.
  torch::Tensor ids = tokens;
  torch::Tensor read_at = lengths - 1;
  if (end_token_ >= 0) {
    ids = torch::cat({tokens, torch::zeros({tokens.size(0), 1}, tokens.options())}, 1);
    ids.scatter_(1, lengths.unsqueeze(1), end_token_);
    read_at = lengths;
  }
  const torch::Tensor outputs = last_layer(embedding_(ids));  // [B, T', D]
  const torch::Tensor index = read_at.view({-1, 1, 1}).expand({outputs.size(0), 1, outputs.size(2)});
  return head_(outputs.gather(1, index).squeeze(1));
}

}  // namespace regal::model
