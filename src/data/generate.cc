// Corpus generation for a recogniser with balanced sampling (a task, or
// natural sampling: generate_task.cc).
//
// Class automata. Held-out transitions H are handled by a product of the DFA
// with one bit, "crossed an edge of H" (draw.h). From it come four minimal automata:
// strings that avoid H and are accepted / rejected (train, val, test_id,
// test_len_ood, test_border) and strings that cross H and are accepted /
// rejected (test_edge_ood). Each gets an exactly uniform sampler (fsm's
// counting sampler). Labels always come from the original DFA.
//
// Border strings. one_edit_into(avoid_accept, avoid_reject) is the language
// of accepted strings with a rejected neighbour one edit away (a substitution,
// or with data.border_edits = edit also a deletion or insertion; draw.h's
// BorderClass); sampling it uniformly and then one of its distinct rejected
// neighbours gives border pairs, with exact existence per length. Border
// negatives are always one substitution away (same length).
//
// Distinctness. val and test_id avoid every string of earlier splits; test
// splits hold each string once (draw.h's DistinctDraws).
//
// Every split draws from its own stream, derive_seed(seed, split name).
#include "data/generate.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_set>

#include "data/draw.h"
#include "fsm/compile.h"
#include "fsm/count.h"
#include "fsm/substitution.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/rng.h"

namespace regal::data {
namespace {

using fsm::Dfa;
using fsm::StateId;
using fsm::UniformSampler;
using draw::CrossingProduct;
using draw::kCollisionsBeforeEnumerating;
using draw::StringClass;
using draw::StringSet;
using draw::as_key;

std::string describe(const Language& language) {
  return "language '" + language.name + "' (" + language.regex + " over " + language.dfa.alphabet().symbols() + ")";
}

class Generator {
 public:
  Generator(const Language& language, const DataConfig& config, std::uint64_t seed);
  Corpus run();

 private:
  enum class Kind { kAccepted, kRejected, kCrossAccepted, kCrossRejected, kBorderAccepted };

  const UniformSampler& sampler(Kind kind, std::size_t length) const;
  bool can_draw(Kind kind, std::size_t length) const { return sampler(kind, length).can_sample(length); }
  // A fresh string of `kind` and `length`, in neither taken_ nor own; nullopt
  // when the cell is exhausted.
  std::optional<std::string> draw_distinct(Kind kind, std::size_t length, Rng& rng, const StringSet& own);
  std::string draw_negative(std::size_t length, Rng& rng);
  std::vector<std::size_t> producible_lengths() const;
  Split training_split(const std::string& name, std::size_t count, bool distinct);
  Split per_length_split(const std::string& name, std::size_t from, std::size_t to, Kind accepted, Kind rejected);
  Split border_split();
  void note_shortfall(const std::string& split, std::size_t length, const char* label, std::size_t asked,
                      std::size_t got) {
    if (got < asked) corpus_.shortfalls.push_back({split, length, label, asked, got});
  }

  const Language& language_;
  const DataConfig& config_;
  std::uint64_t seed_;
  Corpus corpus_;
  std::unique_ptr<StringClass> accepted_, rejected_, cross_accepted_, cross_rejected_;
  std::unique_ptr<draw::BorderClass> border_, substitutions_;  // test_border's (data.border_edits); negatives'
  const draw::BorderClass* border_negatives_ = nullptr;        // substitutions_, or border_ when that is one
  StringSet taken_;  // strings of train, val and test_id so far
  draw::DistinctDraws pools_;
};

Generator::Generator(const Language& language, const DataConfig& config, std::uint64_t seed)
    : language_(language), config_(config), seed_(seed) {
  const Dfa& dfa = language.dfa;
  if (!draw::has_string_between(dfa, config.L_min, config.L_max)) {
    throw InputError(describe(language) + " accepts no string of length " + std::to_string(config.L_min) + ".." +
                     std::to_string(config.L_max) + ": there is nothing to classify");
  }
  if (!draw::has_string_between(fsm::complement(dfa), config.L_min, config.L_max)) {
    throw InputError(describe(language) + " accepts every string of length " + std::to_string(config.L_min) + ".." +
                     std::to_string(config.L_max) + ": there is nothing to classify");
  }
  const std::vector<bool> accepted = draw::only(1), rejected = draw::only(0);
  if (config.edge_holdout > 0) {
    corpus_.held_out = draw::choose_held_out(dfa, {accepted, rejected}, dfa.live_states(), config, seed, describe(language));
  }
  const CrossingProduct product(dfa, corpus_.held_out);
  accepted_ = std::make_unique<StringClass>(product.language(false, accepted), config.L_test_max);
  rejected_ = std::make_unique<StringClass>(product.language(false, rejected), config.L_test_max);
  if (config.edge_holdout > 0) {
    cross_accepted_ = std::make_unique<StringClass>(product.language(true, accepted), config.L_max);
    cross_rejected_ = std::make_unique<StringClass>(product.language(true, rejected), config.L_max);
  }
  border_ = std::make_unique<draw::BorderClass>(accepted_->dfa, rejected_->dfa, config.border_edits, config);
  if (!border_->error().empty()) throw InputError(describe(language) + ": border strings: " + border_->error());
  border_negatives_ = border_.get();
  if (config.negatives != Negatives::kUniform && config.border_edits != BorderEdits::kSubstitution) {
    substitutions_ = std::make_unique<draw::BorderClass>(accepted_->dfa, rejected_->dfa, BorderEdits::kSubstitution, config);
    if (!substitutions_->error().empty()) throw InputError(describe(language) + ": border negatives: " + substitutions_->error());
    border_negatives_ = substitutions_.get();
  }
}

const UniformSampler& Generator::sampler(Kind kind, std::size_t length) const {
  switch (kind) {
    case Kind::kAccepted: return accepted_->sampler;
    case Kind::kRejected: return rejected_->sampler;
    case Kind::kCrossAccepted: return cross_accepted_->sampler;
    case Kind::kCrossRejected: return cross_rejected_->sampler;
    case Kind::kBorderAccepted: return border_->sampler(length);
  }
  return accepted_->sampler;
}

std::optional<std::string> Generator::draw_distinct(Kind kind, std::size_t length, Rng& rng, const StringSet& own) {
  return pools_.draw(static_cast<int>(kind), sampler(kind, length), length, rng, taken_, own);
}

std::string Generator::draw_negative(std::size_t length, Rng& rng) {
  bool border = config_.negatives == Negatives::kBorder;
  if (config_.negatives == Negatives::kMixed) border = rng.uniform01() < 0.5;
  std::string s(length, '\0');
  if (border && border_negatives_->sampler(length).can_sample(length)) {
    border_negatives_->sampler(length).sample(length, rng, reinterpret_cast<std::uint8_t*>(s.data()));
    return border_negatives_->partner(s, rng);
  }
  // Uniform, or no border pair exists at this length: a uniform rejected string.
  rejected_->sampler.sample(length, rng, reinterpret_cast<std::uint8_t*>(s.data()));
  return s;
}

std::vector<std::size_t> Generator::producible_lengths() const {
  std::vector<std::size_t> lengths;
  for (std::size_t n = config_.L_min; n <= config_.L_max; ++n) {
    if (can_draw(Kind::kAccepted, n) || can_draw(Kind::kRejected, n)) lengths.push_back(n);
  }
  return lengths;
}

// train (i.i.d.) and val (distinct, none in train): lengths uniform among the
// producible ones, accepted with probability p_accept (the other class where
// one is missing at that length), negatives per data.negatives.
Split Generator::training_split(const std::string& name, std::size_t count, bool distinct) {
  Split split(name);
  Rng rng(derive_seed(seed_, name));
  std::vector<std::size_t> lengths = producible_lengths();
  std::map<std::pair<std::size_t, bool>, bool> exhausted;  // (length, accepted) cells with nothing new left
  StringSet own;
  while (split.size() < count && !lengths.empty()) {
    progress_point();
    const std::size_t index = rng.below(lengths.size());
    const std::size_t length = lengths[index];
    bool accepted = rng.uniform01() < config_.p_accept;
    const bool has_accepted = can_draw(Kind::kAccepted, length) && !exhausted[{length, true}];
    const bool has_rejected = can_draw(Kind::kRejected, length) && !exhausted[{length, false}];
    if (!has_accepted && !has_rejected) {
      lengths.erase(lengths.begin() + static_cast<std::ptrdiff_t>(index));
      continue;
    }
    if (accepted && !has_accepted) accepted = false;
    if (!accepted && !has_rejected) accepted = true;
    std::optional<std::string> s;
    if (!distinct) {
      s = std::string(length, '\0');
      if (accepted) {
        accepted_->sampler.sample(length, rng, reinterpret_cast<std::uint8_t*>(s->data()));
      } else {
        s = draw_negative(length, rng);
      }
    } else if (accepted) {
      s = draw_distinct(Kind::kAccepted, length, rng, own);
    } else {
      // Border negatives are drawn fresh a few times; then uniform ones.
      for (int attempt = 0; attempt < kCollisionsBeforeEnumerating && config_.negatives != Negatives::kUniform; ++attempt) {
        std::string candidate = draw_negative(length, rng);
        if (taken_.count(candidate) == 0 && own.count(candidate) == 0) {
          s = std::move(candidate);
          break;
        }
      }
      if (!s) s = draw_distinct(Kind::kRejected, length, rng, own);
    }
    if (!s) {
      exhausted[{length, accepted}] = true;
      continue;
    }
    split.add(reinterpret_cast<const std::uint8_t*>(s->data()), length, accepted);
    if (distinct) own.insert(std::move(*s));
  }
  note_shortfall(name, 0, "any", count, split.size());
  return split;
}

// test_id, test_len_ood, test_edge_ood: n_test_per_length distinct strings per
// length, half accepted and half rejected where both classes exist.
Split Generator::per_length_split(const std::string& name, std::size_t from, std::size_t to, Kind accepted,
                                  Kind rejected) {
  Split split(name);
  Rng rng(derive_seed(seed_, name));
  StringSet own;
  const bool negatives_from_config = rejected == Kind::kRejected && config_.negatives != Negatives::kUniform;
  for (std::size_t length = from; length <= to; ++length) {
    const bool both = can_draw(accepted, length) && can_draw(rejected, length);
    const std::size_t asked_accepted = both ? (config_.n_test_per_length + 1) / 2 : config_.n_test_per_length;
    const std::size_t asked_rejected = both ? config_.n_test_per_length / 2 : config_.n_test_per_length;
    for (const bool label : {true, false}) {
      const Kind kind = label ? accepted : rejected;
      if (!can_draw(kind, length)) continue;
      const std::size_t asked = label ? asked_accepted : asked_rejected;
      std::size_t got = 0;
      while (got < asked) {
        progress_point();
        std::optional<std::string> s;
        for (int attempt = 0; !label && negatives_from_config && attempt < kCollisionsBeforeEnumerating; ++attempt) {
          std::string candidate = draw_negative(length, rng);
          if (taken_.count(candidate) == 0 && own.count(candidate) == 0) {
            s = std::move(candidate);
            break;
          }
        }
        if (!s) s = draw_distinct(kind, length, rng, own);
        if (!s) break;
        split.add(reinterpret_cast<const std::uint8_t*>(s->data()), length, label);
        own.insert(std::move(*s));
        ++got;
      }
      note_shortfall(name, length, label ? "accepted" : "rejected", asked, got);
    }
  }
  return split;
}

// test_border: at every length with border pairs, n_test_per_length / 2 pairs
// (accepted x of the length, rejected y one edit apart), distinct x per length.
Split Generator::border_split() {
  Split split("test_border");
  Rng rng(derive_seed(seed_, "test_border"));
  const std::size_t pairs = (config_.n_test_per_length + 1) / 2;
  StringSet own;
  for (std::size_t length = config_.L_min; length <= config_.L_test_max; ++length) {
    if (!can_draw(Kind::kBorderAccepted, length)) continue;
    std::size_t got = 0;
    for (; got < pairs; ++got) {
      progress_point();
      const auto x = draw_distinct(Kind::kBorderAccepted, length, rng, own);
      if (!x) break;
      const std::string y = border_->partner(*x, rng);
      draw::add_border_pair(split, *x, 1, y, 0, config_.L_max);
      own.insert(*x);
    }
    note_shortfall("test_border", length, "pairs", pairs, got);
  }
  return split;
}

Corpus Generator::run() {
  const draw::SplitMakers make{
      [&](const std::string& name, std::size_t count, bool distinct) { return training_split(name, count, distinct); },
      [&](const std::string& name, std::size_t from, std::size_t to, bool crossed) {
        return crossed ? per_length_split(name, from, to, Kind::kCrossAccepted, Kind::kCrossRejected)
                       : per_length_split(name, from, to, Kind::kAccepted, Kind::kRejected);
      },
      [&] { return border_split(); }};
  draw::assemble(corpus_, language_.dfa.alphabet().symbols(), language_.regex,
                 fsm::content_hash(language_.dfa), {}, config_, seed_, taken_, pools_, make);
  return std::move(corpus_);
}

}  // namespace

std::uint64_t corpus_seed(const DataConfig& config, std::uint64_t run_seed) { return config.seed.value_or(run_seed); }

Corpus generate_corpus(const Language& language, const DataConfig& config, std::uint64_t run_seed) {
  config.validate();
  if (!language.classes.empty() || config.sampling != Sampling::kBalanced) {
    return generate_task_corpus(language, config, corpus_seed(config, run_seed));
  }
  return Generator(language, config, corpus_seed(config, run_seed)).run();
}

void shuffle_labels(Split& split, std::uint64_t seed) {
  std::map<std::size_t, std::vector<std::size_t>> by_length;
  for (std::size_t i = 0; i < split.size(); ++i) by_length[split.length(i)].push_back(i);
  Rng rng(seed);
  for (const auto& [length, indices] : by_length) {
    for (std::size_t i = indices.size(); i > 1; --i) {
      std::swap(split.labels[indices[i - 1]], split.labels[indices[rng.below(i)]]);
    }
  }
}

}  // namespace regal::data
