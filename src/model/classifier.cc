#include "model/classifier.h"

#include "model/recurrent.h"
#include "model/transformer.h"
#include "util/error.h"

#include <stdexcept>

namespace regal::model {

Classifier build_classifier(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes, bool causal) {
  config.validate();
  if (config.is_transformer()) {
    return std::make_shared<TransformerClassifierImpl>(config, num_symbols, max_length, num_classes, causal);
  }
  return std::make_shared<RecurrentClassifierImpl>(config, num_symbols, num_classes);
}

torch::Tensor ClassifierImpl::forward_padded(const torch::Tensor& /*tokens*/, const torch::Tensor& /*lengths*/) {
  throw std::logic_error("forward_padded on a model that does not read padded rows");
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
