#pragma once
// Corpus generation from a language's minimal DFA: the splits that
// length-generalisation research uses (train/val/test_id on short strings,
// test_len_ood on longer ones, test_edge_ood on held-out DFA transitions,
// test_border on pairs one substitution apart).
#include <cstdint>
#include <string>

#include "data/config.h"
#include "data/corpus.h"
#include "fsm/dfa.h"

namespace regal::data {

// Bump when the generated corpus for a given input changes in any way: it is
// part of the cache key and recorded in corpus.h5.
inline constexpr const char* kGeneratorVersion = "regal-corpus-1";

struct Language {
  std::string name;  // for messages, e.g. "parity"
  std::string regex; // source regex, recorded in the corpus
  fsm::Dfa dfa;      // minimal canonical DFA
};

// The seed a corpus is generated with: config.seed if set, else the run's.
std::uint64_t corpus_seed(const DataConfig& config, std::uint64_t run_seed);

// Generates every split. Same language, config and seed => identical corpus,
// on any machine and thread count. Throws InputError when the language has
// nothing to classify at the training lengths (no accepted or no rejected
// string), or when `edge_holdout` transitions cannot be held out.
Corpus generate_corpus(const Language& language, const DataConfig& config, std::uint64_t run_seed);

// A control: the labels of `split` permuted within each length (Fisher-Yates
// with Rng(seed), lengths in ascending order), so a model trained on them can
// only learn the class balance per length. The strings stay where they are.
void shuffle_labels(Split& split, std::uint64_t seed);

}  // namespace regal::data
