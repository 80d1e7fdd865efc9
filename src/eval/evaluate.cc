#include "eval/evaluate.h"

#include "data/batches.h"

namespace regal::eval {

std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device) {
  const auto rows = static_cast<std::int64_t>(batch.indices.size());
  const auto length = static_cast<std::int64_t>(batch.length);
  torch::Tensor tokens = torch::empty({rows, length}, torch::kInt64);
  torch::Tensor labels = torch::empty({rows}, torch::kInt64);
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
                                std::size_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<Prediction> predictions;
  predictions.reserve(split.size());
  for (const data::Batch& batch : data::evaluation_batches(split, batch_size)) {
    const auto [tokens, labels] = batch_tensors(split, batch, device);
    const torch::Tensor logits = model.forward(tokens);
    const torch::Tensor log_probs = torch::log_softmax(logits, 1);
    const torch::Tensor losses = -log_probs.gather(1, labels.unsqueeze(1)).squeeze(1);
    const torch::Tensor p_accept = log_probs.select(1, 1).exp();
    const torch::Tensor host_p = p_accept.to(torch::kCPU).contiguous();
    const torch::Tensor host_loss = losses.to(torch::kCPU).contiguous();
    const float* p = host_p.data_ptr<float>();
    const float* loss = host_loss.data_ptr<float>();
    for (std::size_t row = 0; row < batch.indices.size(); ++row) {
      predictions.push_back({static_cast<std::uint32_t>(batch.length), split.labels[batch.indices[row]], p[row], loss[row]});
    }
  }
  return predictions;
}

Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau) {
  std::vector<SplitMetrics> splits;
  for (const data::Split& split : corpus.splits) {
    if (split.name == "train" || split.name == "val") continue;
    splits.push_back(split_metrics(split.name, predict(model, split, device, batch_size)));
  }
  return summarize(std::move(splits), tau);
}

}  // namespace regal::eval
