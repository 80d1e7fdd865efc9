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

  // Throws InputError naming the field ("data.L_max ...") when inconsistent.
  void validate() const;
  // All fields, sorted keys; `seed` is null when unset.
  nlohmann::json to_json() const;
  // Fields present in `json` override the defaults; unknown keys and wrong
  // types throw InputError naming "data.<key>".
  static DataConfig from_json(const nlohmann::json& json);
};

}  // namespace regal::data
