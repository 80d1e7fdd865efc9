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

std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::vector<data::Batch> batches = data::evaluation_batches(split, batch_size);
  std::vector<torch::Tensor> outputs;  // per batch: [B, 2] of (p_accept, loss), on the device
  outputs.reserve(batches.size());
  for (const data::Batch& batch : batches) {
    if (stoppable) progress_point();
    else heartbeat();
    const auto [tokens, labels] = batch_tensors(split, batch, device);
    const torch::Tensor log_probs = torch::log_softmax(model.forward(tokens), 1);
    const torch::Tensor losses = -log_probs.gather(1, labels.unsqueeze(1)).squeeze(1);
    outputs.push_back(torch::stack({log_probs.select(1, 1).exp(), losses}, 1));
  }
  std::vector<Prediction> predictions;
  predictions.reserve(split.size());
  if (outputs.empty()) return predictions;
  const torch::Tensor host = torch::cat(outputs).to(torch::kCPU).contiguous();
  const float* values = host.data_ptr<float>();
  for (const data::Batch& batch : batches) {
    for (const std::uint32_t index : batch.indices) {
      predictions.push_back({static_cast<std::uint32_t>(batch.length), split.labels[index], values[0], values[1]});
      values += 2;
    }
  }
  return predictions;
}

Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau) {
  std::vector<SplitMetrics> splits;
  for (const data::Split& split : corpus.splits) {
    if (split.name == "train" || split.name == "val") continue;
    splits.push_back(split_metrics(split.name, predict(model, split, device, batch_size, /*stoppable=*/true)));
  }
  return summarize(std::move(splits), tau);
}

}  // namespace regal::eval
