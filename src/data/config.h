#pragma once
// `data.*`: what corpus a run trains and is tested on.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace regal::data {

enum class Negatives {
  kUniform,  // rejected strings uniform among the rejected strings of the length
  kBorder,   // one substitution away from an accepted string (edit negatives)
  kMixed,    // half uniform, half border
};

const char* negatives_name(Negatives negatives);
// Parses "uniform" | "border" | "mixed"; nullopt otherwise.
std::optional<Negatives> parse_negatives(const std::string& text);

enum class Sampling {
  kBalanced,  // uniform within each (length, class): classes equally frequent where they exist
  kNatural,   // uniform over the domain's strings of each length: class frequencies are the language's
};

const char* sampling_name(Sampling sampling);

enum class TrainMode {
  kCorpus,  // the train split: n_train strings drawn once, batched in epochs
  kOnline,  // every batch drawn fresh from the automaton (data/online.h); the corpus has no train split
};
const char* train_mode_name(TrainMode mode);
std::optional<Sampling> parse_sampling(const std::string& text);

enum class BorderEdits {
  kSubstitution,  // test_border partners differ by one substituted symbol (same length)
  kEdit,          // by one substitution, deletion or insertion (MLRegTest's adversarial pairs)
};
const char* border_edits_name(BorderEdits edits);

struct DataConfig {
  std::size_t L_min = 1;               // shortest training (and test_id) length
  std::size_t L_max = 20;              // longest training length; longer lengths are length-OOD
  std::size_t L_test_max = 100;        // longest length-OOD (and border) test length
  std::size_t n_train = 10000;         // training strings (drawn i.i.d.; may repeat)
  std::size_t n_val = 1000;            // validation strings, distinct, none in train
  std::size_t n_test_per_length = 100; // test strings per length (class-balanced where possible)
  double p_accept = 0.5;               // probability that a train/val string is accepted
  Negatives negatives = Negatives::kUniform;  // how rejected train/val/test strings are drawn
  std::size_t edge_holdout = 0;        // DFA transitions held out of training (0: no edge-OOD split)
  std::optional<std::uint64_t> seed;   // corpus seed; defaults to the run's seed
  Sampling sampling = Sampling::kBalanced;   // how strings are drawn per length (tasks; recognisers: see p_accept)
  TrainMode train_mode = TrainMode::kCorpus;  // corpus | online
  BorderEdits border_edits = BorderEdits::kSubstitution;  // what one edit is in test_border

  // Strings the train split holds: n_train, none when training is online.
  std::size_t train_strings() const { return train_mode == TrainMode::kOnline ? 0 : n_train; }

  // Throws InputError naming the field ("data.L_max ...") when inconsistent.
  void validate() const;
  // All fields, sorted keys; `seed` is null when unset.
  nlohmann::json to_json() const;
  // What the corpus depends on: to_json() without the fields added after
  // corpora were first cached while they keep their defaults, so existing
  // cache keys and corpus files stay what they were.
  nlohmann::json identity_json() const;
  // Fields present in `json` override the defaults; unknown keys and wrong
  // types throw InputError naming "data.<key>".
  static DataConfig from_json(const nlohmann::json& json);
};

}  // namespace regal::data
