// Pre-LN transformer classifier.
//
// Every row of a batch has one length, so attention needs no padding mask; a
// causal model (per-prefix targets) masks later positions. With CLS or end
// pooling only one row of the last block feeds the head, so the last
// block computes queries, the output projection and the MLP for that row
// alone (keys and values still cover every position): the logits and their
// gradients are exactly those of the full computation, at a fraction of the
// last block's cost.
#include "model/transformer.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace regal::model {
namespace {

namespace F = torch::nn::functional;

// Evaluation computes attention in groups of strings of at most this many bytes of scores.
constexpr double kScoreBytes = 4.0 * 1024 * 1024;

// rotate_half: (x1, x2) -> (-x2, x1) over the two halves of the last dimension.
torch::Tensor rotate_half(const torch::Tensor& x) {
  const auto halves = x.chunk(2, -1);
  return torch::cat({-halves[1], halves[0]}, -1);
}

}  // namespace

TransformerBlockImpl::TransformerBlockImpl(std::int64_t d_model, std::int64_t n_heads, std::int64_t d_ff,
                                           double dropout)
    : n_heads_(n_heads) {
  norm_attention_ = register_module("norm_attention", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d_model})));
  qkv_ = register_module("qkv", torch::nn::Linear(d_model, 3 * d_model));
  out_ = register_module("out", torch::nn::Linear(d_model, d_model));
  norm_mlp_ = register_module("norm_mlp", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d_model})));
  up_ = register_module("up", torch::nn::Linear(d_model, d_ff));
  down_ = register_module("down", torch::nn::Linear(d_ff, d_model));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                            const torch::Tensor& bias, const torch::Tensor& mask, std::int64_t only_row) {
  const std::int64_t batch = x.size(0), length = x.size(1), width = x.size(2);
  const std::int64_t head_width = width / n_heads_;
  // [B, T, 3D] -> three [B, H, T, Dh] views.
  const auto qkv = qkv_(norm_attention_(x)).view({batch, length, 3, n_heads_, head_width}).permute({2, 0, 3, 1, 4});
  torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  if (cos.defined()) {
    q = q * cos + rotate_half(q) * sin;
    k = k * cos + rotate_half(k) * sin;
  }
  torch::Tensor residual = x;
  std::int64_t first = 0;  // the first query row computed
  if (only_row >= 0) {
    q = q.narrow(2, only_row, 1);
    residual = x.narrow(1, only_row, 1);
    first = only_row;
  }
  // The scores [B, H, T, T] are the largest tensor of a long string's pass:
  // scaled, biased and masked in place (no autograd use needs the unscaled
  // product), so each of those steps is not another pass through fresh
  // memory. A power-of-two scale (head width 4, 16, 64, 256) goes on the
  // queries instead, T x Dh products rather than T x T, and exactly so:
  // scaling by a power of two commutes with every rounding of the product.
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_width));
  int exponent = 0;
  const bool exact_on_queries = std::frexp(scale, &exponent) == 0.5;
  if (exact_on_queries) q = q * scale;
  const torch::Tensor keys = k.transpose(-2, -1);
  // Without gradients (evaluation), the strings go through attention in
  // groups whose scores stay within kScoreBytes: a group's scores stay in
  // cache and come from the heap, not from fresh pages, however long the
  // strings. Each string's numbers are those of the whole batch.
  const std::int64_t rows = q.size(2);
  std::int64_t group = batch;
  if (!torch::GradMode::is_enabled()) {
    const double string_bytes = 4.0 * static_cast<double>(n_heads_ * rows * length);
    group = std::clamp<std::int64_t>(static_cast<std::int64_t>(kScoreBytes / string_bytes), 1, batch);
  }
  std::vector<torch::Tensor> contexts;
  for (std::int64_t begin = 0; begin < batch; begin += group) {
    const std::int64_t n = std::min(group, batch - begin);
    auto part = [&](const torch::Tensor& t) { return n == batch ? t : t.narrow(0, begin, n); };
    torch::Tensor scores = torch::matmul(part(q), part(keys));
    if (!exact_on_queries) scores.mul_(scale);
    if (bias.defined()) scores.add_(bias.narrow(1, first, rows));
    if (mask.defined()) scores.masked_fill_(mask.narrow(0, first, rows), -INFINITY);
    contexts.push_back(torch::matmul(dropout_(torch::softmax(scores, -1)), part(v)));  // [n, H, rows, Dh]
  }
  const torch::Tensor context = (contexts.size() == 1 ? contexts[0] : torch::cat(contexts, 0))
                                    .transpose(1, 2)
                                    .reshape({batch, rows, width});
  const torch::Tensor h = residual + dropout_(out_(context));
  return h + dropout_(down_(F::gelu(up_(norm_mlp_(h)))));
}

TransformerClassifierImpl::TransformerClassifierImpl(const ModelConfig& config, std::size_t num_symbols,
                                                     std::size_t max_length, std::size_t num_classes, bool causal,
                                                     std::size_t next_outputs)
    : config_(config),
      cls_token_(config.pool == "cls" ? static_cast<std::int64_t>(num_symbols) : -1),
      end_token_(config.reads_end() ? static_cast<std::int64_t>(num_symbols) : -1) {
  const auto d = static_cast<std::int64_t>(config.d_model);
  const std::int64_t extra = cls_token_ >= 0 || end_token_ >= 0 ? 1 : 0;
  const std::int64_t vocabulary = static_cast<std::int64_t>(num_symbols) + extra;
  embedding_ = register_module("embedding", torch::nn::Embedding(vocabulary, d));
  if (config.pos == "learned") {
    const std::int64_t rows = static_cast<std::int64_t>(max_length) + extra;
    positions_ = register_module("positions", torch::nn::Embedding(rows, d));
  }
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (std::size_t i = 0; i < config.n_layers; ++i) {
    blocks_->push_back(TransformerBlock(d, static_cast<std::int64_t>(config.n_heads),
                                        static_cast<std::int64_t>(config.ff_width()), config.dropout));
  }
  norm_final_ = register_module("norm_final", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  head_ = register_module("head", torch::nn::Linear(d, static_cast<std::int64_t>(num_classes)));
  add_next_head(d, static_cast<std::int64_t>(next_outputs));
  causal_ = causal;
}

TransformerClassifierImpl::Tables TransformerClassifierImpl::tables(std::int64_t length, const torch::Device& device) {
  const std::string key = std::to_string(length) + "@" + device.str();
  auto found = tables_.find(key);
  if (found != tables_.end()) return found->second;
  Tables tables;
  const auto d = static_cast<std::int64_t>(config_.d_model);
  const auto heads = static_cast<std::int64_t>(config_.n_heads);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const torch::Tensor position = torch::arange(length, options).unsqueeze(1);  // [T, 1]
  auto inverse_frequencies = [&](std::int64_t width) {
    return torch::exp(torch::arange(0, width, 2, options) * (-std::log(10000.0) / static_cast<double>(width)));
  };
  if (config_.pos == "sinusoidal") {
    const torch::Tensor angles = position * inverse_frequencies(d);  // [T, D/2]
    tables.sinusoid = torch::stack({torch::sin(angles), torch::cos(angles)}, -1).reshape({length, d});
  } else if (config_.pos == "rope") {
    const torch::Tensor angles = position * inverse_frequencies(d / heads);  // [T, Dh/2]
    const torch::Tensor doubled = torch::cat({angles, angles}, -1);          // [T, Dh]
    tables.cos = torch::cos(doubled);
    tables.sin = torch::sin(doubled);
  } else if (config_.pos == "alibi") {
    // Slopes 2^(-8h/H) (Press et al. 2022); symmetric distance for an encoder.
    const torch::Tensor slopes = torch::pow(2.0, -8.0 * torch::arange(1, heads + 1, options) / static_cast<double>(heads));
    const torch::Tensor distance = (position - position.transpose(0, 1)).abs();  // [T, T]
    tables.bias = -slopes.view({heads, 1, 1}) * distance.unsqueeze(0);          // [H, T, T]
  }
  if (causal_) tables.mask = torch::ones({length, length}, options.dtype(torch::kBool)).triu(1);
  // Kept for the next batch of this length unless large: alibi's [H, T, T]
  // for every test length to 500 would hold 670 MB; rebuilding one costs
  // far less than the attention it biases.
  const std::int64_t elements = (tables.bias.defined() ? tables.bias.numel() : 0) + (tables.mask.defined() ? tables.mask.numel() : 0);
  if (elements > (std::int64_t{1} << 18)) return tables;
  return tables_.emplace(key, std::move(tables)).first->second;
}

torch::Tensor TransformerClassifierImpl::readout_ids(const torch::Tensor& tokens) const {
  if (cls_token_ >= 0) return with_token(tokens, cls_token_, /*in_front=*/true);
  if (end_token_ >= 0) return with_token(tokens, end_token_, /*in_front=*/false);
  return tokens;
}

torch::Tensor TransformerClassifierImpl::forward(const torch::Tensor& tokens) {
  const torch::Tensor ids = readout_ids(tokens);
  // The last block computes only the row read out: CLS (in front; not when
  // causal, where CLS would see nothing but itself) or the end token (behind).
  std::int64_t only_row = -1;
  if (!full_last_block_ && cls_token_ >= 0 && !causal_) only_row = 0;
  if (!full_last_block_ && end_token_ >= 0) only_row = ids.size(1) - 1;
  const torch::Tensor x = encode(ids, only_row);
  torch::Tensor pooled;
  if (only_row >= 0 || cls_token_ >= 0) pooled = x.select(1, 0);  // the one row computed, or CLS in front
  else if (end_token_ >= 0) pooled = x.select(1, -1);
  else pooled = x.mean(1);
  return head_(pooled);
}

torch::Tensor TransformerClassifierImpl::encode(const torch::Tensor& ids, std::int64_t only_row) {
  const std::int64_t length = ids.size(1);
  const Tables table = tables(length, ids.device());
  torch::Tensor x = embedding_(ids);
  if (table.sinusoid.defined()) x = x + table.sinusoid;
  if (positions_) x = x + positions_->weight.narrow(0, 0, length);
  const std::size_t last = blocks_->size() - 1;
  for (std::size_t i = 0; i < blocks_->size(); ++i) {
    x = blocks_[i]->as<TransformerBlock>()->forward(x, table.cos, table.sin, table.bias, table.mask,
                                                    i == last ? only_row : -1);
  }
  return norm_final_(x);
}

torch::Tensor TransformerClassifierImpl::hidden_positions(const torch::Tensor& tokens) {
  // The string's positions: after a CLS in front, before an end token behind.
  if (cls_token_ < 0) return encode(tokens, -1);
  return encode(with_token(tokens, cls_token_, /*in_front=*/true), -1).narrow(1, 1, tokens.size(1));
}

torch::Tensor TransformerClassifierImpl::forward_positions(const torch::Tensor& tokens) {
  return head_(hidden_positions(tokens));
}

std::pair<torch::Tensor, torch::Tensor> TransformerClassifierImpl::forward_string_and_next(const torch::Tensor& tokens) {
  // Every row of every block (the next-symbol head reads them all); the
  // string read out as forward() reads it.
  const torch::Tensor x = encode(readout_ids(tokens), -1);
  const torch::Tensor pooled = cls_token_ >= 0 ? x.select(1, 0) : end_token_ >= 0 ? x.select(1, -1) : x.mean(1);
  const torch::Tensor positions = x.narrow(1, cls_token_ >= 0 ? 1 : 0, tokens.size(1));
  return {head_(pooled), next_head_(positions)};
}

}  // namespace regal::model
