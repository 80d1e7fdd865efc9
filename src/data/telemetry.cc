// telemetry.json: per split, strings by length and by class (a recogniser's
// accepted and rejected too), distinct strings, which live DFA transitions
// the split exercises, the shortfalls;
// the held-out transitions and how the corpus was obtained. Derived from the
// corpus itself, so a cache hit reports the same figures as the generation.
#include "data/telemetry.h"

#include <map>
#include <unordered_set>

namespace regal::data {

nlohmann::json telemetry(const Corpus& corpus, const fsm::Dfa& dfa, const Provenance& provenance) {
  std::vector<bool> in_domain(256, true);
  in_domain[fsm::kNoClass] = false;
  const bool task = !corpus.classes.empty();
  const std::vector<bool> live = task ? dfa.reaching(in_domain) : dfa.live_states();
  const auto k = static_cast<std::size_t>(dfa.num_symbols());
  std::size_t live_transitions = 0;
  for (fsm::StateId q = 0; q < dfa.num_states(); ++q) {
    for (std::size_t s = 0; s < k; ++s) live_transitions += live[q] && live[dfa.next(q, static_cast<int>(s))] ? 1U : 0U;
  }
  nlohmann::json splits = nlohmann::json::object();
  for (const Split& split : corpus.splits) {
    std::map<std::size_t, std::size_t> per_length;
    std::unordered_set<std::string> distinct;
    std::vector<std::uint8_t> exercised(dfa.num_states() * k, 0);
    std::size_t accepted = 0;
    std::vector<std::size_t> per_class(corpus.num_classes(), 0);
    for (std::size_t i = 0; i < split.size(); ++i) {
      const std::size_t length = split.length(i);
      ++per_length[length];
      if (split.labels[i] == 1) ++accepted;
      if (split.labels[i] < per_class.size()) ++per_class[split.labels[i]];
      distinct.emplace(reinterpret_cast<const char*>(split.string(i)), length);
      fsm::StateId q = dfa.start();
      for (std::size_t j = 0; j < length; ++j) {
        const std::uint8_t s = split.string(i)[j];
        exercised[q * k + s] = 1;
        q = dfa.next(q, s);
      }
    }
    std::size_t exercised_live = 0;
    for (fsm::StateId q = 0; q < dfa.num_states(); ++q) {
      for (std::size_t s = 0; s < k; ++s) {
        exercised_live += exercised[q * k + s] && live[q] && live[dfa.next(q, static_cast<int>(s))] ? 1U : 0U;
      }
    }
    nlohmann::json lengths = nlohmann::json::object();
    for (const auto& [length, count] : per_length) lengths[std::to_string(length)] = count;
    nlohmann::json shortfalls = nlohmann::json::array();
    for (const Shortfall& s : corpus.shortfalls) {
      if (s.split != split.name) continue;
      shortfalls.push_back({{"length", s.length == 0 ? nlohmann::json(nullptr) : nlohmann::json(s.length)},
                            {"class", s.label},
                            {"asked", s.asked},
                            {"got", s.got}});
    }
    nlohmann::json classes = nlohmann::json::object();
    const auto names = corpus.class_names();
    for (std::size_t c = 0; c < per_class.size(); ++c) classes[names[c]] = per_class[c];
    splits[split.name] = {
        {"strings", split.size()},
        {"per_class", std::move(classes)},
        {"strings_per_length", std::move(lengths)},
        {"distinct", distinct.size()},
        {"shortfalls", std::move(shortfalls)},
        {"live_transitions_exercised",
         live_transitions == 0 ? 0.0 : static_cast<double>(exercised_live) / static_cast<double>(live_transitions)},
    };
    if (!task) {
      splits[split.name]["accepted"] = accepted;
      splits[split.name]["rejected"] = split.size() - accepted;
    }
  }
  nlohmann::json held_out = nlohmann::json::array();
  for (const Edge& e : corpus.held_out) {
    held_out.push_back({{"state", e.state}, {"symbol", std::string(1, corpus.alphabet[e.symbol])}});
  }
  return {{"splits", std::move(splits)},
          {"held_out_transitions", std::move(held_out)},
          {"cache_key", provenance.cache_key},
          {"cache_hit", provenance.cache_hit},
          {"generation_seconds", provenance.seconds},
          {"generator", corpus.generator},
          {"dfa_hash", corpus.dfa_hash}};
}

}  // namespace regal::data
