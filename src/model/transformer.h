#pragma once
// A pre-LayerNorm transformer encoder classifier with its attention written
// on tensor ops, so every positional scheme fits: sinusoidal and learned
// (added to the embeddings), rope (rotates queries and keys), alibi (a linear
// distance penalty on the scores), none.
#include <unordered_map>

#include "model/classifier.h"

namespace regal::model {

class TransformerBlockImpl : public torch::nn::Module {
 public:
  TransformerBlockImpl(std::int64_t d_model, std::int64_t n_heads, std::int64_t d_ff, double dropout);
  // x: [B, T, D]. `rotary` is (cos, sin) [T, Dh] or undefined; `bias` is
  // [H, T, T] or undefined; `mask` [T, T] (true: may not attend) or
  // undefined. With `only_row` >= 0, only that row (the CLS or end
  // position) is computed past the keys and values: [B, 1, D].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& bias, const torch::Tensor& mask, std::int64_t only_row);

 private:
  std::int64_t n_heads_;
  torch::nn::LayerNorm norm_attention_{nullptr}, norm_mlp_{nullptr};
  torch::nn::Linear qkv_{nullptr}, out_{nullptr}, up_{nullptr}, down_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(TransformerBlock);

class TransformerClassifierImpl : public ClassifierImpl {
 public:
  TransformerClassifierImpl(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes = 2, bool causal = false, std::size_t next_outputs = 0);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor forward_positions(const torch::Tensor& tokens) override;
  std::pair<torch::Tensor, torch::Tensor> forward_string_and_next(const torch::Tensor& tokens) override;
  // Computes every row of the last block even with CLS or end pooling (the slow
  // reference the shortcut is checked against).
  void set_full_last_block(bool full) { full_last_block_ = full; }

 private:
  // Per-length tables (positions, rotary, alibi, causal mask), built once per
  // length and device, and kept unless large (long test lengths).
  struct Tables {
    torch::Tensor sinusoid, cos, sin, bias, mask;
  };
  // The last block's output (after the final LayerNorm) at every position, [B, T', D].
  torch::Tensor encode(const torch::Tensor& ids, std::int64_t only_row);
  // The tokens with the readout token the pool reads: CLS in front, end behind, or none.
  torch::Tensor readout_ids(const torch::Tensor& tokens) const;
  Tables tables(std::int64_t length, const torch::Device& device);
  torch::Tensor hidden_positions(const torch::Tensor& tokens) override;
  torch::Tensor class_head(const torch::Tensor& hidden) override { return head_(hidden); }

  ModelConfig config_;
  std::int64_t cls_token_;  // index of the CLS token (after the alphabet), -1 without
  std::int64_t end_token_;  // index of the appended end token (after the alphabet), -1 without
  torch::nn::Embedding embedding_{nullptr}, positions_{nullptr};
  torch::nn::ModuleList blocks_;
  torch::nn::LayerNorm norm_final_{nullptr};
  torch::nn::Linear head_{nullptr};
  std::unordered_map<std::string, Tables> tables_;
  bool full_last_block_ = false;
  bool causal_ = false;
};

}  // namespace regal::model
