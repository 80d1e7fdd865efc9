// The torch edge of evaluation. Batches are built on the host (pinned memory
// when the model is on a GPU, so the copy does not block) and every batch's
// per-string outputs stay on the device until the split is done: one copy
// back per split, not one synchronisation per batch.
#include "eval/evaluate.h"

#include "data/batches.h"
#include "util/progress.h"

namespace regal::eval {

std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device) {
  const auto rows = static_cast<std::int64_t>(batch.indices.size());
  const auto length = static_cast<std::int64_t>(batch.length);
  const auto host = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(device.is_cuda());
  torch::Tensor tokens = torch::empty({rows, length}, host);
  torch::Tensor labels = torch::empty({rows}, host);
  auto* token_data = tokens.data_ptr<std::int64_t>();
  auto* label_data = labels.data_ptr<std::int64_t>();
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::uint32_t i = batch.indices[static_cast<std::size_t>(row)];
    const std::uint8_t* symbols = split.string(i);
    for (std::int64_t t = 0; t < length; ++t) token_data[row * length + t] = symbols[t];
    label_data[row] = split.labels[i];
  }
  if (device.is_cpu()) return {tokens, labels};
  return {tokens.to(device, /*non_blocking=*/true), labels.to(device, /*non_blocking=*/true)};
}

torch::Tensor prefix_labels(const data::Split& split, const data::Batch& batch, const fsm::Dfa& dfa,
                            const torch::Device& device) {
  const auto rows = static_cast<std::int64_t>(batch.indices.size());
  const auto length = static_cast<std::int64_t>(batch.length);
  const auto host = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(device.is_cuda());
  torch::Tensor labels = torch::empty({rows, length}, host);
  auto* out = labels.data_ptr<std::int64_t>();
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::uint8_t* symbols = split.string(batch.indices[static_cast<std::size_t>(row)]);
    fsm::StateId q = dfa.start();
    for (std::int64_t t = 0; t < length; ++t) {
      q = dfa.next(q, symbols[t]);
      const std::uint8_t label = dfa.label(q);
      out[row * length + t] = label == fsm::kNoClass ? kIgnoredLabel : label;
    }
  }
  return device.is_cpu() ? labels : labels.to(device, /*non_blocking=*/true);
}

std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable, const fsm::Dfa* prefix_dfa,
                                std::optional<double>* positions) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::vector<data::Batch> batches = data::evaluation_batches(split, batch_size);
  // Per batch, on the device: [B, 2] of (p_accept, loss) for a recogniser,
  // [B, 3] of (confidence, loss, predicted class) for a k-class task.
  std::vector<torch::Tensor> outputs;
  std::int64_t classes = 2;
  torch::Tensor position_hits = torch::zeros({2}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  outputs.reserve(batches.size());
  for (const data::Batch& batch : batches) {
    if (stoppable) progress_point();
    else heartbeat();
    const auto [tokens, labels] = batch_tensors(split, batch, device);
    torch::Tensor logits;
    if (prefix_dfa != nullptr) {
      const torch::Tensor per_position = model.forward_positions(tokens);  // [B, T, k]
      const torch::Tensor targets = prefix_labels(split, batch, *prefix_dfa, device);
      const torch::Tensor labelled = targets.ne(kIgnoredLabel);
      position_hits[0] += per_position.argmax(2).eq(targets).logical_and(labelled).sum().to(torch::kFloat64);
      position_hits[1] += labelled.sum().to(torch::kFloat64);
      logits = per_position.select(1, -1);
    } else {
      logits = model.forward(tokens);
    }
    const torch::Tensor log_probs = torch::log_softmax(logits, 1);
    const torch::Tensor losses = -log_probs.gather(1, labels.unsqueeze(1)).squeeze(1);
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
  for (const data::Batch& batch : batches) {
    for (const std::uint32_t index : batch.indices) {
      const auto length = static_cast<std::uint32_t>(batch.length);
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
