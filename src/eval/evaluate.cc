// The torch edge of evaluation. Passes are built on the host (pinned memory
// when the model is on a GPU, so the copy does not block) and every pass's
// per-string outputs stay on the device until the split is done: one copy
// back per split, not one synchronisation per pass.
#include "eval/evaluate.h"

#include "data/batches.h"
#include "util/progress.h"

namespace regal::eval {

namespace {

// The class of every prefix of `symbols` by `dfa` into out[0..length),
// kIgnoredLabel where the prefix is outside the domain.
void write_prefix_labels(const fsm::Dfa& dfa, const std::uint8_t* symbols, std::int64_t length, std::int64_t* out) {
  fsm::StateId q = dfa.start();
  for (std::int64_t t = 0; t < length; ++t) {
    q = dfa.next(q, symbols[t]);
    const std::uint8_t label = dfa.label(q);
    out[t] = label == fsm::kNoClass ? kIgnoredLabel : label;
  }
}

// One forward pass: strings in prediction order, padded on the right to the
// longest (lengths differ only for a model that reads padded rows).
struct Pass {
  std::vector<std::uint32_t> indices;
  std::vector<std::int64_t> lengths;  // ascending
  std::int64_t width() const { return lengths.back(); }
};

Pass pass_of(const data::Batch& batch) {
  return {batch.indices, std::vector<std::int64_t>(batch.indices.size(), static_cast<std::int64_t>(batch.length))};
}

// A padded pass holds at most this many symbols, padding included: its
// activations stay a few MiB however long the strings.
constexpr std::size_t kPassSymbols = std::size_t{1} << 15;

// The passes over a split, in the order of data::evaluation_batches (so
// predictions come out in that order whatever the passes). A model that reads
// padded rows takes consecutive lengths together, up to `batch_size` strings
// and kPassSymbols symbols (10 strings of each length no longer make 10-row
// passes through 500 recurrent steps); any other model takes one length per
// pass, up to `batch_size` strings (a transformer bounds its attention's
// memory itself, model/transformer.cc).
std::vector<Pass> plan_passes(const model::ClassifierImpl& model, const data::Split& split, std::size_t batch_size) {
  std::vector<Pass> passes;
  for (const data::Batch& batch : data::evaluation_batches(split, batch_size)) {
    if (model.reads_padded()) {
      for (const std::uint32_t index : batch.indices) {
        const std::size_t rows = passes.empty() ? 0 : passes.back().indices.size();
        if (passes.empty() || rows + 1 > batch_size || (rows + 1) * batch.length > kPassSymbols) passes.emplace_back();
        Pass& pass = passes.back();
        pass.indices.push_back(index);
        pass.lengths.push_back(static_cast<std::int64_t>(batch.length));
      }
      continue;
    }
    passes.push_back(pass_of(batch));
  }
  return passes;
}

struct PassTensors {
  torch::Tensor tokens;   // [B, width] int64, symbol 0 past each row's length
  torch::Tensor labels;   // [B] int64
  torch::Tensor lengths;  // [B] int64
  torch::Tensor prefix;   // [B, width] int64 per-prefix labels (kIgnoredLabel past the length), with a prefix DFA
};

PassTensors pass_tensors(const data::Split& split, const Pass& pass, const torch::Device& device,
                         const fsm::Dfa* prefix_dfa) {
  const auto rows = static_cast<std::int64_t>(pass.indices.size());
  const std::int64_t width = pass.width();
  const auto host = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(device.is_cuda());
  PassTensors x{torch::zeros({rows, width}, host), torch::empty({rows}, host), torch::empty({rows}, host), {}};
  if (prefix_dfa != nullptr) x.prefix = torch::full({rows, width}, kIgnoredLabel, host);
  auto* tokens = x.tokens.data_ptr<std::int64_t>();
  auto* labels = x.labels.data_ptr<std::int64_t>();
  auto* lengths = x.lengths.data_ptr<std::int64_t>();
  auto* prefix = prefix_dfa != nullptr ? x.prefix.data_ptr<std::int64_t>() : nullptr;
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::uint32_t i = pass.indices[static_cast<std::size_t>(row)];
    const std::int64_t length = pass.lengths[static_cast<std::size_t>(row)];
    const std::uint8_t* symbols = split.string(i);
    for (std::int64_t at = 0; at < length; ++at) tokens[row * width + at] = symbols[at];
    labels[row] = split.labels[i];
    lengths[row] = length;
    if (prefix != nullptr) write_prefix_labels(*prefix_dfa, symbols, length, prefix + row * width);
  }
  if (device.is_cpu()) return x;
  auto move = [&](const torch::Tensor& host_tensor) {
    return host_tensor.defined() ? host_tensor.to(device, /*non_blocking=*/true) : host_tensor;
  };
  return {move(x.tokens), move(x.labels), move(x.lengths), move(x.prefix)};
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device) {
  const PassTensors tensors = pass_tensors(split, pass_of(batch), device, nullptr);
  return {tensors.tokens, tensors.labels};
}

torch::Tensor prefix_labels(const data::Split& split, const data::Batch& batch, const fsm::Dfa& dfa,
                            const torch::Device& device) {
  return pass_tensors(split, pass_of(batch), device, &dfa).prefix;
}

std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable, const fsm::Dfa* prefix_dfa,
                                std::optional<double>* positions) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::vector<Pass> passes = plan_passes(model, split, batch_size);
  // Per pass, on the device: [B, 2] of (p_accept, loss) for a recogniser,
  // [B, 3] of (confidence, loss, predicted class) for a k-class task.
  std::vector<torch::Tensor> outputs;
  std::int64_t classes = 2;
  torch::Tensor position_hits = torch::zeros({2}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  outputs.reserve(passes.size());
  for (const Pass& pass : passes) {
    if (stoppable) progress_point();
    else heartbeat();
    const PassTensors tensors = pass_tensors(split, pass, device, prefix_dfa);
    torch::Tensor logits;
    if (prefix_dfa != nullptr) {
      // Exact up to each row's length (causal); padding positions carry no label.
      const torch::Tensor per_position = model.forward_positions(tensors.tokens);  // [B, T, k]
      const torch::Tensor labelled = tensors.prefix.ne(kIgnoredLabel);
      position_hits[0] += per_position.argmax(2).eq(tensors.prefix).logical_and(labelled).sum().to(torch::kFloat64);
      position_hits[1] += labelled.sum().to(torch::kFloat64);
      const torch::Tensor last = (tensors.lengths - 1).view({-1, 1, 1}).expand({per_position.size(0), 1, per_position.size(2)});
      logits = per_position.gather(1, last).squeeze(1);
    } else if (model.reads_padded()) {
      logits = model.forward_padded(tensors.tokens, tensors.lengths);
    } else {
      logits = model.forward(tensors.tokens);
    }
    const torch::Tensor log_probs = torch::log_softmax(logits, 1);
    const torch::Tensor losses = -log_probs.gather(1, tensors.labels.unsqueeze(1)).squeeze(1);
    classes = log_probs.size(1);
    if (classes == 2) {
      outputs.push_back(torch::stack({log_probs.select(1, 1).exp(), losses}, 1));
    } else {
      const auto [best, argmax] = log_probs.max(1);
      outputs.push_back(torch::stack({best.exp(), losses, argmax.to(torch::kFloat32)}, 1));
    }
  }
  std::vector<Prediction> predictions;
  predictions.reserve(split.size());
  if (positions != nullptr && prefix_dfa != nullptr) {
    const torch::Tensor hits = position_hits.to(torch::kCPU);
    const double labelled = hits[1].item<double>();
    *positions = labelled > 0 ? std::optional<double>(hits[0].item<double>() / labelled) : std::nullopt;
  }
  if (outputs.empty()) return predictions;
  const torch::Tensor host = torch::cat(outputs).to(torch::kCPU).contiguous();
  const float* values = host.data_ptr<float>();
  for (const Pass& pass : passes) {
    for (std::size_t row = 0; row < pass.indices.size(); ++row) {
      const std::uint32_t index = pass.indices[row];
      const auto length = static_cast<std::uint32_t>(pass.lengths[row]);
      if (classes == 2) {
        predictions.push_back({length, split.labels[index], values[0], values[1]});
        values += 2;
      } else {
        predictions.push_back({length, split.labels[index], 0.0f, values[1], static_cast<std::int16_t>(values[2]), values[0]});
        values += 3;
      }
    }
  }
  return predictions;
}

Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau, const fsm::Dfa* prefix_dfa) {
  std::vector<SplitMetrics> splits;
  for (const data::Split& split : corpus.splits) {
    if (split.name == "train" || split.name == "val") continue;
    std::optional<double> positions;
    std::vector<Prediction> predictions =
        predict(model, split, device, batch_size, /*stoppable=*/true, prefix_dfa, &positions);
    if (split.name == "test_border" && split.is_long.size() == split.size()) {
      // MLRegTest's short and long adversarial sets: lengths <= L_max, and longer.
      std::vector<Prediction> short_ones, long_ones;
      const std::vector<data::Batch> batches = data::evaluation_batches(split, batch_size);
      std::size_t at = 0;
      for (const data::Batch& batch : batches) {
        for (const std::uint32_t index : batch.indices) (split.is_long[index] ? long_ones : short_ones).push_back(predictions[at++]);
      }
      splits.push_back(split_metrics("test_border_short", short_ones, corpus.num_classes()));
      splits.push_back(split_metrics("test_border_long", long_ones, corpus.num_classes()));
    }
    splits.push_back(split_metrics(split.name, std::move(predictions), corpus.num_classes()));
    splits.back().position_accuracy = positions;
  }
  Summary summary = summarize(std::move(splits), tau);
  summary.classes = corpus.classes;
  return summary;
}

}  // namespace regal::eval
