#pragma once
// Internal to corpus generation (generate.cc, generate_task.cc): the sampled
// string classes, held-out transitions, and distinct draws.
//
// Held-out transitions H are handled by a product of the DFA with one bit,
// "crossed an edge of H": language(crossed, labels) is the minimal automaton
// of strings that do (or do not) cross H and end in a state labelled in
// `labels`. Distinct draws are rejection-sampled against the taken strings;
// after 32 consecutive collisions a cell is enumerated (it must be nearly
// exhausted, hence small), filtered and shuffled, so a small language yields
// every remaining string once and never loops.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "data/config.h"
#include "data/corpus.h"
#include "fsm/count.h"
#include "fsm/dfa.h"
#include "fsm/substitution.h"
#include "util/rng.h"

namespace regal::data::draw {

using StringSet = std::unordered_set<std::string>;

inline constexpr int kCollisionsBeforeEnumerating = 32;
inline constexpr std::uint64_t kLargestEnumeration = 4000000;  // strings; beyond, keep rejection sampling

inline std::string as_key(const std::uint8_t* symbols, std::size_t length) {
  return std::string(reinterpret_cast<const char*>(symbols), length);
}
inline const std::uint8_t* symbols_of(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

// Flags over the 256 label values: {label}.
std::vector<bool> only(std::uint8_t label);

// The DFA x {crossed bit}: state q*2+c; reading s from (q, c) crosses when (q, s) ∈ H.
class CrossingProduct {
 public:
  CrossingProduct(const fsm::Dfa& dfa, const std::vector<Edge>& held_out);
  // Strings whose crossing bit is `crossed` and whose DFA state's label is in `labels`.
  fsm::Dfa language(bool crossed, const std::vector<bool>& labels) const;

 private:
  const fsm::Dfa& dfa_;
  std::vector<fsm::StateId> table_;
};

bool has_string_between(const fsm::Dfa& dfa, std::size_t from, std::size_t to);

// Picks `config.edge_holdout` transitions between `live` states by seed,
// keeping each only if, with it held out, every class (a set of labels) still
// has strings avoiding H and some string crosses H, at training lengths.
// Throws InputError (naming `what`) when too few can be held out.
std::vector<Edge> choose_held_out(const fsm::Dfa& dfa, const std::vector<std::vector<bool>>& classes,
                                  const std::vector<bool>& live, const DataConfig& config, std::uint64_t seed,
                                  const std::string& what);

// One class of strings, sampled uniformly per length.
struct StringClass {
  fsm::Dfa dfa;
  fsm::UniformSampler sampler;
  StringClass(fsm::Dfa d, std::size_t max_length) : dfa(std::move(d)), sampler(dfa, max_length) {}
};

// Border strings of one class: x in `from` (a class, avoiding held-out
// transitions) with a partner y in `to` (the domain's other classes) one edit
// away. With BorderEdits::kEdit a partner may also be one symbol shorter or
// longer, as long as its length stays within L_min..L_test_max (so no
// deletion at L_min, no insertion at L_test_max): each length samples x from
// the automaton of the edits allowed there, exactly and uniformly.
class BorderClass {
 public:
  BorderClass(const fsm::Dfa& from, fsm::Dfa to, BorderEdits edits, const DataConfig& config);
  const fsm::UniformSampler& sampler(std::size_t length) const { return of_ops_.at(ops_at(length)).sampler; }
  // A partner of x: uniform over the distinct strings of `to` one allowed
  // edit away (x must be one of this class's strings).
  std::string partner(const std::string& x, Rng& rng) const;
  // Errors (kStateBudget) of the automata's construction, or nothing.
  const std::string& error() const { return error_; }

 private:
  fsm::EditOps ops_at(std::size_t length) const;
  fsm::Dfa to_;
  bool any_edit_;
  std::size_t shortest_, longest_;
  std::map<fsm::EditOps, StringClass> of_ops_;
  std::string error_;
};

// Distinct draws per cell (a caller's id and a length), with the enumerated
// pools of nearly exhausted cells.
class DistinctDraws {
 public:
  // A fresh string of `sampler` and `length`, in neither `taken` nor `own`;
  // nullopt when the cell is exhausted.
  std::optional<std::string> draw(int cell, const fsm::UniformSampler& sampler, std::size_t length, Rng& rng,
                                  const StringSet& taken, const StringSet& own);
  void clear() { pools_.clear(); }

 private:
  std::map<std::pair<int, std::size_t>, std::vector<std::string>> pools_;
};

// Appends the border pair (x, y) of one length: partners of each other, both
// marked long when the length exceeds L_max.
void add_border_pair(Split& split, const std::string& x, std::uint8_t x_label, const std::string& y,
                     std::uint8_t y_label, std::size_t L_max);

// How a generator makes each split; assemble() calls them in corpus order.
struct SplitMakers {
  std::function<Split(const std::string& name, std::size_t count, bool distinct)> training;  // train, val
  std::function<Split(const std::string& name, std::size_t from, std::size_t to, bool crossed)> per_length;
  std::function<Split()> border;
};

// The corpus of one generator: its identity fields (alphabet, source, DFA
// hash, resolved config, generator version, class names) and the splits in
// order — train, val (distinct from train), test_id (distinct from both),
// test_len_ood, test_edge_ood (with held-out transitions), test_border —
// clearing `taken` and `pools` where later splits cannot collide with earlier
// ones. `corpus` is the generator's own: the split makers add shortfalls to it.
void assemble(Corpus& corpus, const std::string& alphabet, const std::string& source, const std::string& dfa_hash,
                const std::vector<std::string>& classes, const DataConfig& config, std::uint64_t seed,
                StringSet& taken, DistinctDraws& pools, const SplitMakers& make);

}  // namespace regal::data::draw

namespace regal::data {
struct Language;
// A task's corpus, or a recogniser's with natural sampling (generate_task.cc);
// `seed` is the corpus seed. generate_corpus routes here.
Corpus generate_task_corpus(const Language& language, const DataConfig& config, std::uint64_t seed);
}  // namespace regal::data
