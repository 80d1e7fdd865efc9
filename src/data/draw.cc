// Corpus generation's shared machinery (see draw.h).
#include "data/draw.h"

#include <algorithm>
#include <tuple>

#include "data/generate.h"
#include "util/error.h"
#include "util/progress.h"

namespace regal::data::draw {

using fsm::Dfa;
using fsm::StateId;

std::vector<bool> only(std::uint8_t label) {
  std::vector<bool> flags(256, false);
  flags[label] = true;
  return flags;
}

CrossingProduct::CrossingProduct(const Dfa& dfa, const std::vector<Edge>& held_out) : dfa_(dfa) {
  const auto k = static_cast<std::size_t>(dfa.num_symbols());
  std::vector<std::uint8_t> held(dfa.num_states() * k, 0);
  for (const Edge& e : held_out) held[e.state * k + e.symbol] = 1;
  table_.resize(dfa.num_states() * 2 * k);
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    for (std::size_t s = 0; s < k; ++s) {
      const StateId target = dfa.next(q, static_cast<int>(s));
      table_[(q * 2) * k + s] = target * 2 + held[q * k + s];
      table_[(q * 2 + 1) * k + s] = target * 2 + 1;
    }
  }
}

Dfa CrossingProduct::language(bool crossed, const std::vector<bool>& labels) const {
  std::vector<std::uint8_t> accepting(dfa_.num_states() * 2, 0);
  for (StateId q = 0; q < dfa_.num_states(); ++q) {
    accepting[q * 2 + (crossed ? 1 : 0)] = labels[dfa_.label(q)] ? 1 : 0;
  }
  return fsm::minimize(Dfa(dfa_.alphabet(), dfa_.start() * 2, table_, std::move(accepting)));
}

bool has_string_between(const Dfa& dfa, std::size_t from, std::size_t to) {
  const auto counts = fsm::count_accepted(dfa, to);
  for (std::size_t n = from; n <= to; ++n) {
    if (!counts[n].is_zero()) return true;
  }
  return false;
}

std::vector<Edge> choose_held_out(const Dfa& dfa, const std::vector<std::vector<bool>>& classes,
                                  const std::vector<bool>& live, const DataConfig& config, std::uint64_t seed,
                                  const std::string& what) {
  std::vector<Edge> candidates;
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    for (int s = 0; s < dfa.num_symbols(); ++s) {
      if (live[q] && live[dfa.next(q, s)]) candidates.push_back({q, static_cast<std::uint32_t>(s)});
    }
  }
  Rng rng(derive_seed(seed, "edge_holdout"));
  for (std::size_t i = candidates.size(); i > 1; --i) std::swap(candidates[i - 1], candidates[rng.below(i)]);
  std::vector<Edge> chosen;
  for (const Edge& candidate : candidates) {
    if (chosen.size() == config.edge_holdout) break;
    chosen.push_back(candidate);
    const CrossingProduct product(dfa, chosen);
    bool keeps_every_class = true;
    bool is_crossed = false;
    for (const auto& labels : classes) {
      keeps_every_class = keeps_every_class && has_string_between(product.language(false, labels), config.L_min, config.L_max);
      if (!keeps_every_class) break;
    }
    for (const auto& labels : classes) {
      is_crossed = is_crossed || has_string_between(product.language(true, labels), config.L_min, config.L_max);
      if (is_crossed) break;
    }
    if (!keeps_every_class || !is_crossed) chosen.pop_back();
  }
  if (chosen.size() < config.edge_holdout) {
    throw InputError("data.edge_holdout = " + std::to_string(config.edge_holdout) + ": only " +
                     std::to_string(chosen.size()) + " of the " + std::to_string(candidates.size()) +
                     " live transitions of " + what + " can be held out while " +
                     (classes.size() == 2 ? std::string("both classes keep") : "every class keeps") +
                     " strings of length " + std::to_string(config.L_min) + ".." + std::to_string(config.L_max));
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const Edge& a, const Edge& b) { return std::tie(a.state, a.symbol) < std::tie(b.state, b.symbol); });
  return chosen;
}

BorderClass::BorderClass(const Dfa& from, Dfa to, BorderEdits edits, const DataConfig& config)
    : to_(std::move(to)),
      any_edit_(edits == BorderEdits::kEdit),
      shortest_(config.L_min),
      longest_(config.L_test_max) {
  std::vector<fsm::EditOps> needed;
  for (const std::size_t length : {shortest_, shortest_ + 1, longest_}) {
    if (length > longest_) continue;
    const fsm::EditOps ops = ops_at(length);
    if (std::find(needed.begin(), needed.end(), ops) == needed.end()) needed.push_back(ops);
  }
  for (const fsm::EditOps ops : needed) {
    auto dfa = fsm::one_edit_into(from, to_, ops);
    if (!dfa) {
      error_ = dfa.error().describe();
      of_ops_.clear();
      return;
    }
    of_ops_.emplace(std::piecewise_construct, std::forward_as_tuple(ops),
                    std::forward_as_tuple(std::move(dfa).value(), config.L_test_max));
  }
}

fsm::EditOps BorderClass::ops_at(std::size_t length) const {
  if (!any_edit_) return fsm::kSubstitute;
  fsm::EditOps ops = fsm::kSubstitute;
  if (length > shortest_) ops |= fsm::kDelete;
  if (length < longest_) ops |= fsm::kInsert;
  return ops;
}

std::string BorderClass::partner(const std::string& x, Rng& rng) const {
  const auto options = fsm::edits_into(to_, symbols_of(x), x.size(), ops_at(x.size()));
  return fsm::apply_edit(x, options[rng.below(options.size())]);
}

std::optional<std::string> DistinctDraws::draw(int cell_id, const fsm::UniformSampler& sampler, std::size_t length,
                                               Rng& rng, const StringSet& taken, const StringSet& own) {
  if (!sampler.can_sample(length)) return std::nullopt;
  auto is_new = [&](const std::string& s) { return taken.count(s) == 0 && own.count(s) == 0; };
  const auto cell = std::make_pair(cell_id, length);
  auto pool = pools_.find(cell);
  if (pool == pools_.end()) {
    std::string candidate(length, '\0');
    for (int attempt = 0; attempt < kCollisionsBeforeEnumerating; ++attempt) {
      sampler.sample(length, rng, reinterpret_cast<std::uint8_t*>(candidate.data()));
      if (is_new(candidate)) return candidate;
    }
    const auto count = fsm::to_u64(sampler.count(length));
    if (!count || *count > kLargestEnumeration) {
      // Astronomically unlikely for a large cell; keep sampling, boundedly.
      for (int attempt = 0; attempt < 1000 * kCollisionsBeforeEnumerating; ++attempt) {
        progress_point();
        sampler.sample(length, rng, reinterpret_cast<std::uint8_t*>(candidate.data()));
        if (is_new(candidate)) return candidate;
      }
      return std::nullopt;
    }
    const fsm::Symbols all = sampler.enumerate(length);
    std::vector<std::string> remaining;
    for (std::size_t i = 0; i < *count; ++i) {
      std::string s = as_key(all.data() + i * length, length);
      if (is_new(s)) remaining.push_back(std::move(s));
    }
    for (std::size_t i = remaining.size(); i > 1; --i) std::swap(remaining[i - 1], remaining[rng.below(i)]);
    pool = pools_.emplace(cell, std::move(remaining)).first;
  }
  while (!pool->second.empty()) {
    std::string s = std::move(pool->second.back());
    pool->second.pop_back();
    if (is_new(s)) return s;
  }
  return std::nullopt;
}

void add_border_pair(Split& split, const std::string& x, std::uint8_t x_label, const std::string& y,
                     std::uint8_t y_label, std::size_t L_max) {
  const std::uint64_t first = split.size();
  split.add(symbols_of(x), x.size(), x_label);
  split.add(symbols_of(y), y.size(), y_label);
  split.pair.push_back(first + 1);
  split.pair.push_back(first);
  const std::uint8_t is_long = x.size() > L_max ? 1 : 0;
  split.is_long.push_back(is_long);
  split.is_long.push_back(is_long);
}

void assemble(Corpus& corpus, const std::string& alphabet, const std::string& source, const std::string& dfa_hash,
                const std::vector<std::string>& classes, const DataConfig& config, std::uint64_t seed,
                StringSet& taken, DistinctDraws& pools, const SplitMakers& make) {
  corpus.alphabet = alphabet;
  corpus.regex = source;
  corpus.dfa_hash = dfa_hash;
  DataConfig resolved = config;
  resolved.seed = seed;
  corpus.config_json = resolved.identity_json().dump();
  corpus.generator = kGeneratorVersion;
  corpus.classes = classes;
  auto remember = [&](const Split& split) {
    for (std::size_t i = 0; i < split.size(); ++i) taken.insert(as_key(split.string(i), split.length(i)));
  };
  auto add = [&](Split split) { corpus.splits.push_back(std::move(split)); };
  add(make.training("train", config.train_strings(), /*distinct=*/false));
  remember(corpus.splits.back());
  add(make.training("val", config.n_val, /*distinct=*/true));
  remember(corpus.splits.back());
  pools.clear();
  add(make.per_length("test_id", config.L_min, config.L_max, false));
  taken.clear();  // longer strings and crossing strings cannot collide with the splits above
  pools.clear();
  add(make.per_length("test_len_ood", config.L_max + 1, config.L_test_max, false));
  if (config.edge_holdout > 0) {
    pools.clear();
    add(make.per_length("test_edge_ood", config.L_min, config.L_max, true));
  }
  pools.clear();
  add(make.border());
}

}  // namespace regal::data::draw
