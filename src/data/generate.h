#pragma once
// Corpus generation from a language's minimal DFA: the splits that
// length-generalisation research uses (train/val/test_id on short strings,
// test_len_ood on longer ones, test_edge_ood on held-out DFA transitions,
// test_border on pairs one substitution apart).
#include <cstdint>
#include <string>
#include <vector>

#include "data/config.h"
#include "data/corpus.h"
#include "fsm/dfa.h"
#include "fsm/task.h"

namespace regal::data {

// Bump when the generated corpus for a given input changes in any way: it is
// part of the cache key and recorded in corpus.h5.
inline constexpr const char* kGeneratorVersion = "regal-corpus-1";

struct Language {
  std::string name;  // for messages, e.g. "parity"
  std::string regex; // source regex (a task's source), recorded in the corpus
  fsm::Dfa dfa;      // minimal canonical DFA; a task's labels are class indices (fsm/task.h)
  std::vector<std::string> classes;  // a task's class names; empty for a recogniser

  Language(std::string language_name, std::string source, fsm::Dfa automaton, std::vector<std::string> names = {})
      : name(std::move(language_name)), regex(std::move(source)), dfa(std::move(automaton)), classes(std::move(names)) {}
  // The language of a task (a recogniser's classes stay empty).
  static Language of(const std::string& name, const fsm::Task& task) {
    return {name, task.source, task.dfa, task.is_recogniser() ? std::vector<std::string>{} : task.classes};
  }
};

// The seed a corpus is generated with: config.seed if set, else the run's.
std::uint64_t corpus_seed(const DataConfig& config, std::uint64_t run_seed);

// Generates every split. Same language, config and seed => identical corpus,
// on any machine and thread count. Throws InputError when the language has
// nothing to classify at the training lengths (no accepted or no rejected
// string; a task's class without a string there), or when `edge_holdout`
// transitions cannot be held out. A recogniser with balanced sampling is
// drawn as it always was (p_accept, negatives); a task, or natural sampling,
// by classes (generate_task.cc).
Corpus generate_corpus(const Language& language, const DataConfig& config, std::uint64_t run_seed);

// A control: the labels of `split` permuted within each length (Fisher-Yates
// with Rng(seed), lengths in ascending order), so a model trained on them can
// only learn the class balance per length. The strings stay where they are.
void shuffle_labels(Split& split, std::uint64_t seed);

}  // namespace regal::data
