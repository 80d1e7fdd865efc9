// The torch-free Session façade (session.h) over model, training and
// evaluation: it owns the built model on its device between the stages.
#include "train/session.h"

#include <spdlog/spdlog.h>

#include <torch/version.h>

#include "eval/evaluate.h"
#include "model/classifier.h"
#include "train/trainer.h"

namespace regal::train {

std::string torch_version() {
  std::string version = TORCH_VERSION;
  return version;
}

std::size_t cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<std::size_t>(torch::cuda::device_count()) : 0;
}

struct Session::Impl {
  model::ModelConfig resolved;
  model::Classifier model;
  torch::Device device{torch::kCPU};
  SessionOptions options;
  std::size_t train_max_length = 0;
  std::shared_ptr<const eval::NextSymbols> next;  // with next-symbol outputs
};

Session::Session(const model::ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                 const SessionOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->device = model::resolve_device(options.device);
  configure_threads(options.threads);
  if (options.next_dfa) {
    impl_->next = std::make_shared<const eval::NextSymbols>(*options.next_dfa, options.num_classes, options.aux_weight == 0);
  }
  const std::size_t next_outputs = impl_->next ? static_cast<std::size_t>(impl_->next->outputs()) : 0;
  impl_->resolved = model::resolve_budget(config, num_symbols, max_length, options.num_classes, next_outputs);
  seed_model_init(options.seed);
  impl_->model = model::build_classifier(impl_->resolved, num_symbols, max_length, options.num_classes,
                                         /*causal=*/options.prefix_dfa != nullptr || impl_->next != nullptr, next_outputs);
  impl_->model->to(impl_->device);
}

Session::~Session() = default;

const model::ModelConfig& Session::resolved() const { return impl_->resolved; }
std::size_t Session::parameters() const { return model::count_parameters(*impl_->model); }
std::string Session::device() const { return impl_->device.str(); }

TrainResult Session::train(const data::Corpus& corpus, const TrainConfig& config) {
  if (impl_->resolved.is_transformer() && impl_->resolved.pos == "learned" && !impl_->options.online) {
    std::size_t longest = 0;
    const data::Split& split = *corpus.find("train");
    for (std::size_t i = 0; i < split.size(); ++i) longest = std::max(longest, split.length(i));
    spdlog::info("learned positions: {}..{} are trained; longer positions never receive a gradient",
                 impl_->resolved.pool == "cls" ? 0 : 1, longest);
  }
  TrainOptions options;
  options.seed = impl_->options.seed;
  options.device = impl_->device;
  options.checkpoint_dir = impl_->options.checkpoint_dir;
  options.history_path = impl_->options.history_path;
  options.on_step = impl_->options.on_step;
  options.online = impl_->options.online;
  options.prefix_dfa = impl_->options.prefix_dfa;
  options.next = impl_->next;
  options.aux_weight = impl_->options.aux_weight;
  return regal::train::train(*impl_->model, corpus, config, options);
}

eval::Summary Session::evaluate(const data::Corpus& corpus, double tau, const std::string& checkpoint) {
  const auto weights = impl_->options.checkpoint_dir / (checkpoint == "last" ? "last.pt" : "best.pt");
  if (!impl_->options.checkpoint_dir.empty() && std::filesystem::exists(weights)) {
    load_weights(*impl_->model, weights, impl_->device);
  }
  return eval::evaluate(*impl_->model, corpus, impl_->device, 512, tau, {impl_->options.prefix_dfa.get(), impl_->next.get()});
}

}  // namespace regal::train
