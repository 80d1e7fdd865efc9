// Corpus generation by classes: a k-class task (fsm/task.h), or a recogniser
// with natural sampling, whose classes are rejected (0) and accepted (1).
//
// Per class c (label c) and the domain (every label but kNoClass), exact
// uniform samplers on the crossing product (draw.h): strings avoiding the
// held-out transitions for train, val, test_id, test_len_ood and test_border;
// strings crossing them for test_edge_ood. Labels come from the automaton.
//
// Sampling. balanced: a length uniform among the training lengths with some
// string, then a class uniform among those with strings of that length (a
// class exhausted for val is dropped at that length); per-length tests split
// n_test_per_length evenly over the classes present at that length. natural:
// a length, then a string uniform over the domain's strings of that length
// (so classes come as often as the language makes them); per-length tests
// draw n_test_per_length strings uniformly from the domain.
//
// Border pairs. For class c, border_c is the automaton of class-c strings with
// a neighbour one edit away (data.border_edits) in the domain but outside c
// (draw.h's BorderClass). A pair is such an x and a uniformly chosen one of
// its distinct neighbours that lands in another class. Its class is chosen
// uniformly among those with border strings at the length (balanced), or in
// proportion to their counts there (natural: x uniform over all border
// strings of the length).
//
// Every split draws from its own stream, derive_seed(seed, split name); a
// task's corpus is therefore as reproducible as a recogniser's.
#include <algorithm>
#include <memory>

#include "data/draw.h"
#include "data/generate.h"
#include "fsm/substitution.h"
#include "util/error.h"
#include "util/progress.h"

namespace regal::data {
namespace {

using draw::StringClass;
using draw::StringSet;
using draw::symbols_of;
using fsm::Dfa;

class TaskGenerator {
 public:
  TaskGenerator(const Language& language, const DataConfig& config, std::uint64_t seed);
  Corpus run();

 private:
  // Cell ids for DistinctDraws: kind * 256 + class.
  enum Kind { kClass = 0, kCrossClass = 1, kDomain = 2, kCrossDomain = 3, kBorder = 4 };

  std::string describe() const {
    return "task '" + language_.name + "' (" + language_.regex + " over " + language_.dfa.alphabet().symbols() + ")";
  }
  std::uint8_t label_of(const std::string& s) const { return language_.dfa.label(language_.dfa.run(symbols_of(s), s.size())); }
  std::vector<std::size_t> producible_lengths() const;
  std::vector<std::uint8_t> classes_at(const std::vector<std::unique_ptr<StringClass>>& from, std::size_t length) const;
  std::vector<std::uint8_t> border_classes_at(std::size_t length) const;
  Split training_split(const std::string& name, std::size_t count, bool distinct);
  Split per_length_split(const std::string& name, std::size_t from, std::size_t to, bool crossed);
  Split border_split();
  void note_shortfall(const std::string& split, std::size_t length, const std::string& label, std::size_t asked,
                      std::size_t got) {
    if (got < asked) corpus_.shortfalls.push_back({split, length, label, asked, got});
  }

  const Language& language_;
  const DataConfig& config_;
  std::uint64_t seed_;
  std::vector<std::string> names_;
  Corpus corpus_;
  std::vector<std::unique_ptr<StringClass>> class_, cross_class_;
  std::vector<std::unique_ptr<draw::BorderClass>> border_;  // per class; partners in the domain's other classes
  std::unique_ptr<StringClass> domain_, cross_domain_;
  StringSet taken_;
  draw::DistinctDraws pools_;
};

TaskGenerator::TaskGenerator(const Language& language, const DataConfig& config, std::uint64_t seed)
    : language_(language), config_(config), seed_(seed), names_(language.classes) {
  if (names_.empty()) names_ = {"rejected", "accepted"};
  const DataConfig defaults;
  if (config.p_accept != defaults.p_accept) {
    throw KeyError("data.p_accept", "data.p_accept applies to a recogniser with balanced sampling; " + describe() +
                                        " draws classes by data.sampling");
  }
  if (config.negatives != Negatives::kUniform) {
    throw KeyError("data.negatives", "data.negatives applies to a recogniser with balanced sampling; " + describe() +
                                         " has the test_border split for one-edit pairs");
  }
  const Dfa& dfa = language.dfa;
  const auto k = names_.size();
  std::vector<std::vector<bool>> labels;
  for (std::size_t c = 0; c < k; ++c) labels.push_back(draw::only(static_cast<std::uint8_t>(c)));
  std::vector<bool> domain(256, true);
  domain[fsm::kNoClass] = false;
  for (std::size_t c = 0; c < k; ++c) {
    if (!draw::has_string_between(fsm::class_language(dfa, static_cast<std::uint8_t>(c)), config.L_min, config.L_max)) {
      throw InputError(describe() + ": class '" + names_[c] + "' has no string of length " +
                       std::to_string(config.L_min) + ".." + std::to_string(config.L_max) +
                       " (the training lengths); widen them or drop the class");
    }
  }
  if (config.edge_holdout > 0) {
    corpus_.held_out = draw::choose_held_out(dfa, labels, dfa.reaching(domain), config, seed, describe());
  }
  const draw::CrossingProduct product(dfa, corpus_.held_out);
  domain_ = std::make_unique<StringClass>(product.language(false, domain), config.L_test_max);
  if (config.edge_holdout > 0) cross_domain_ = std::make_unique<StringClass>(product.language(true, domain), config.L_max);
  for (std::size_t c = 0; c < k; ++c) {
    class_.push_back(std::make_unique<StringClass>(product.language(false, labels[c]), config.L_test_max));
    if (config.edge_holdout > 0) cross_class_.push_back(std::make_unique<StringClass>(product.language(true, labels[c]), config.L_max));
    std::vector<bool> others = domain;
    others[c] = false;
    border_.push_back(std::make_unique<draw::BorderClass>(class_.back()->dfa, product.language(false, others),
                                                          config.border_edits, config));
    if (!border_.back()->error().empty()) {
      throw InputError(describe() + ": border strings of class '" + names_[c] + "': " + border_.back()->error());
    }
  }
}

std::vector<std::size_t> TaskGenerator::producible_lengths() const {
  std::vector<std::size_t> lengths;
  for (std::size_t n = config_.L_min; n <= config_.L_max; ++n) {
    if (domain_->sampler.can_sample(n)) lengths.push_back(n);
  }
  return lengths;
}

std::vector<std::uint8_t> TaskGenerator::classes_at(const std::vector<std::unique_ptr<StringClass>>& from,
                                                    std::size_t length) const {
  std::vector<std::uint8_t> present;
  for (std::size_t c = 0; c < from.size(); ++c) {
    if (from[c]->sampler.can_sample(length)) present.push_back(static_cast<std::uint8_t>(c));
  }
  return present;
}

std::vector<std::uint8_t> TaskGenerator::border_classes_at(std::size_t length) const {
  std::vector<std::uint8_t> present;
  for (std::size_t c = 0; c < border_.size(); ++c) {
    if (border_[c]->sampler(length).can_sample(length)) present.push_back(static_cast<std::uint8_t>(c));
  }
  return present;
}

// train (i.i.d.) and val (distinct, none in train).
Split TaskGenerator::training_split(const std::string& name, std::size_t count, bool distinct) {
  Split split(name);
  Rng rng(derive_seed(seed_, name));
  std::vector<std::size_t> lengths = producible_lengths();
  std::map<std::pair<std::size_t, int>, bool> exhausted;  // (length, class or -1 for the domain)
  StringSet own;
  const bool natural = config_.sampling == Sampling::kNatural;
  while (split.size() < count && !lengths.empty()) {
    progress_point();
    const std::size_t index = rng.below(lengths.size());
    const std::size_t length = lengths[index];
    std::vector<std::uint8_t> present;
    if (!natural) {
      for (const std::uint8_t c : classes_at(class_, length)) {
        if (!exhausted[{length, c}]) present.push_back(c);
      }
    }
    if (natural ? exhausted[{length, -1}] : present.empty()) {
      lengths.erase(lengths.begin() + static_cast<std::ptrdiff_t>(index));
      continue;
    }
    const int cell = natural ? -1 : present[rng.below(present.size())];
    const StringClass& source = natural ? *domain_ : *class_[static_cast<std::size_t>(cell)];
    std::optional<std::string> s;
    if (distinct) {
      s = pools_.draw(natural ? kDomain * 256 : kClass * 256 + cell, source.sampler, length, rng, taken_, own);
    } else {
      s = std::string(length, '\0');
      source.sampler.sample(length, rng, reinterpret_cast<std::uint8_t*>(s->data()));
    }
    if (!s) {
      exhausted[{length, cell}] = true;
      continue;
    }
    split.add(symbols_of(*s), length, label_of(*s));
    if (distinct) own.insert(std::move(*s));
  }
  note_shortfall(name, 0, "any", count, split.size());
  return split;
}

// test_id, test_len_ood, test_edge_ood: n_test_per_length distinct strings per length.
Split TaskGenerator::per_length_split(const std::string& name, std::size_t from, std::size_t to, bool crossed) {
  Split split(name);
  Rng rng(derive_seed(seed_, name));
  StringSet own;
  const auto& classes = crossed ? cross_class_ : class_;
  const StringClass& domain = crossed ? *cross_domain_ : *domain_;
  const std::size_t n = config_.n_test_per_length;
  for (std::size_t length = from; length <= to; ++length) {
    if (config_.sampling == Sampling::kNatural) {
      if (!domain.sampler.can_sample(length)) continue;
      std::size_t got = 0;
      for (; got < n; ++got) {
        progress_point();
        const auto s = pools_.draw((crossed ? kCrossDomain : kDomain) * 256, domain.sampler, length, rng, taken_, own);
        if (!s) break;
        split.add(symbols_of(*s), length, label_of(*s));
        own.insert(*s);
      }
      note_shortfall(name, length, "any", n, got);
      continue;
    }
    const std::vector<std::uint8_t> present = classes_at(classes, length);
    for (std::size_t i = 0; i < present.size(); ++i) {
      const std::uint8_t c = present[i];
      const std::size_t asked = n / present.size() + (i < n % present.size() ? 1 : 0);
      std::size_t got = 0;
      for (; got < asked; ++got) {
        progress_point();
        const auto s = pools_.draw((crossed ? kCrossClass : kClass) * 256 + c, classes[c]->sampler, length, rng, taken_, own);
        if (!s) break;
        split.add(symbols_of(*s), length, c);
        own.insert(*s);
      }
      note_shortfall(name, length, names_[c], asked, got);
    }
  }
  return split;
}

// test_border: at every length with border pairs, (n_test_per_length + 1) / 2
// pairs one edit apart (x of the length), in different classes, distinct x per length.
Split TaskGenerator::border_split() {
  Split split("test_border");
  Rng rng(derive_seed(seed_, "test_border"));
  const std::size_t pairs = (config_.n_test_per_length + 1) / 2;
  StringSet own;
  for (std::size_t length = config_.L_min; length <= config_.L_test_max; ++length) {
    std::vector<std::uint8_t> present = border_classes_at(length);
    if (present.empty()) continue;
    std::size_t got = 0;
    while (got < pairs && !present.empty()) {
      progress_point();
      std::size_t pick = rng.below(present.size());
      if (config_.sampling == Sampling::kNatural) {
        // x uniform over every border string of the length: a class in proportion to its count.
        fsm::Count total = 0;
        for (const std::uint8_t c : present) total += border_[c]->sampler(length).count(length);
        double threshold = rng.uniform01();
        pick = present.size() - 1;
        for (std::size_t i = 0; i < present.size(); ++i) {
          const double share = fsm::count_ratio(border_[present[i]]->sampler(length).count(length), total);
          if (threshold < share) {
            pick = i;
            break;
          }
          threshold -= share;
        }
      }
      const std::uint8_t c = present[pick];
      const auto x = pools_.draw(kBorder * 256 + c, border_[c]->sampler(length), length, rng, {}, own);
      if (!x) {
        present.erase(present.begin() + static_cast<std::ptrdiff_t>(pick));
        continue;
      }
      const std::string y = border_[c]->partner(*x, rng);
      draw::add_border_pair(split, *x, c, y, label_of(y), config_.L_max);
      own.insert(*x);
      ++got;
    }
    note_shortfall("test_border", length, "pairs", pairs, got);
  }
  return split;
}

Corpus TaskGenerator::run() {
  const draw::SplitMakers make{
      [&](const std::string& name, std::size_t count, bool distinct) { return training_split(name, count, distinct); },
      [&](const std::string& name, std::size_t from, std::size_t to, bool crossed) {
        return per_length_split(name, from, to, crossed);
      },
      [&] { return border_split(); }};
  draw::assemble(corpus_, language_.dfa.alphabet().symbols(), language_.regex,
                 fsm::content_hash(language_.dfa), language_.classes, config_, seed_, taken_, pools_, make);
  return std::move(corpus_);
}

}  // namespace

Corpus generate_task_corpus(const Language& language, const DataConfig& config, std::uint64_t seed) {
  return TaskGenerator(language, config, seed).run();
}

}  // namespace regal::data
