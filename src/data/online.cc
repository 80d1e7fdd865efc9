// Online batches: exact uniform samplers per class and for the domain, on the
// crossing product that avoids the held-out transitions (draw.h), built once;
// each batch is a fixed sequence of draws from the step's own stream.
#include "data/online.h"

#include <string>

#include "data/draw.h"
#include "util/error.h"
#include "util/rng.h"

namespace regal::data {

struct OnlineBatches::Impl {
  Language language;
  DataConfig config;
  std::uint64_t seed;
  bool recogniser_balanced = false;
  std::vector<std::unique_ptr<draw::StringClass>> classes;  // by label
  std::unique_ptr<draw::StringClass> domain;
  std::vector<std::size_t> lengths;                         // training lengths with a string
};

OnlineBatches::OnlineBatches(const Language& language, const DataConfig& config, const std::vector<Edge>& held_out,
                             std::uint64_t seed)
    : impl_(std::make_unique<Impl>(Impl{language, config, seed, false, {}, nullptr, {}})) {
  if (config.negatives != Negatives::kUniform) {
    throw KeyError("data.negatives", "data.train_mode = online draws uniform negatives; data.negatives = " +
                                         std::string(negatives_name(config.negatives)) + " needs a fixed corpus");
  }
  impl_->recogniser_balanced = language.classes.empty() && config.sampling == Sampling::kBalanced;
  const std::size_t k = language.classes.empty() ? 2 : language.classes.size();
  const draw::CrossingProduct product(language.dfa, held_out);
  std::vector<bool> domain(256, true);
  domain[fsm::kNoClass] = false;
  impl_->domain = std::make_unique<draw::StringClass>(product.language(false, domain), config.L_max);
  for (std::size_t c = 0; c < k; ++c) {
    impl_->classes.push_back(
        std::make_unique<draw::StringClass>(product.language(false, draw::only(static_cast<std::uint8_t>(c))), config.L_max));
  }
  for (std::size_t n = config.L_min; n <= config.L_max; ++n) {
    if (impl_->domain->sampler.can_sample(n)) impl_->lengths.push_back(n);
  }
  if (impl_->lengths.empty()) {
    throw InputError("language '" + language.name + "' has no string of length " + std::to_string(config.L_min) +
                     ".." + std::to_string(config.L_max) + " to train on");
  }
}

OnlineBatches::~OnlineBatches() = default;

void OnlineBatches::batch(std::uint64_t step, std::size_t batch_size, Split& out) const {
  const Impl& impl = *impl_;
  Rng rng(derive_seed(impl.seed, "online/" + std::to_string(step)));
  out = Split("train");
  const std::size_t length = impl.lengths[rng.below(impl.lengths.size())];
  std::vector<std::uint8_t> present;
  for (std::size_t c = 0; c < impl.classes.size(); ++c) {
    if (impl.classes[c]->sampler.can_sample(length)) present.push_back(static_cast<std::uint8_t>(c));
  }
  std::vector<std::uint8_t> symbols(length);
  const fsm::Dfa& dfa = impl.language.dfa;
  for (std::size_t i = 0; i < batch_size; ++i) {
    const draw::StringClass* source = impl.domain.get();
    if (impl.recogniser_balanced) {
      bool accepted = rng.uniform01() < impl.config.p_accept;
      if (!impl.classes[accepted ? 1 : 0]->sampler.can_sample(length)) accepted = !accepted;
      source = impl.classes[accepted ? 1 : 0].get();
    } else if (impl.config.sampling == Sampling::kBalanced) {
      source = impl.classes[present[rng.below(present.size())]].get();
    }
    source->sampler.sample(length, rng, symbols.data());
    out.add(symbols.data(), length, dfa.label(dfa.run(symbols.data(), length)));
  }
}

}  // namespace regal::data
