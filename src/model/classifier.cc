#include "model/classifier.h"

#include "model/recurrent.h"
#include "model/transformer.h"
#include "util/error.h"

#include <stdexcept>

namespace regal::model {

Classifier build_classifier(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes, bool causal, std::size_t next_outputs) {
  config.validate();
  if (config.is_transformer()) {
    return std::make_shared<TransformerClassifierImpl>(config, num_symbols, max_length, num_classes, causal, next_outputs);
  }
  return std::make_shared<RecurrentClassifierImpl>(config, num_symbols, num_classes, next_outputs);
}

torch::Tensor ClassifierImpl::forward_padded(const torch::Tensor& /*tokens*/, const torch::Tensor& /*lengths*/) {
  throw std::logic_error("forward_padded on a model that does not read padded rows");
}

std::pair<torch::Tensor, torch::Tensor> ClassifierImpl::forward_positions_and_next(const torch::Tensor& tokens) {
  const torch::Tensor hidden = hidden_positions(tokens);
  return {class_head(hidden), next_head_(hidden)};
}

void ClassifierImpl::add_next_head(std::int64_t d_model, std::int64_t outputs) {
  if (outputs > 0) next_head_ = register_module("next_head", torch::nn::Linear(d_model, outputs));
}

torch::Tensor with_token(const torch::Tensor& tokens, std::int64_t token, bool in_front) {
  const torch::Tensor column = torch::full({tokens.size(0), 1}, token, tokens.options());
  return in_front ? torch::cat({column, tokens}, 1) : torch::cat({tokens, column}, 1);
}

std::size_t count_parameters(const torch::nn::Module& model) {
  std::size_t total = 0;
  for (const auto& parameter : model.parameters()) {
    if (parameter.requires_grad()) total += static_cast<std::size_t>(parameter.numel());
  }
  return total;
}

torch::Device resolve_device(const std::string& spec) {
  if (spec == "cpu") return torch::kCPU;
  if (spec.rfind("cuda:", 0) == 0 && torch::cuda::is_available()) {
    const int index = std::stoi(spec.substr(5));
    if (index >= 0 && index < static_cast<int>(torch::cuda::device_count())) {
      return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
  }
  if (spec == "cuda" || spec == "auto") {
    if (torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
    if (spec == "auto") return torch::kCPU;
    throw InputError("device = cuda, but no CUDA device is usable here (this LibTorch: " +
                     std::string(torch::cuda::is_available() ? "cuda" : "cpu-only") + ")");
  }
  throw InputError("device must be cpu, cuda, cuda:N or auto (got '" + spec + "')");
}

}  // namespace regal::model
