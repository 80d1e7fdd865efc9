#pragma once
// A labelled corpus: the splits of one run, as flat arrays (the layout of
// corpus.h5): all strings' symbols concatenated, offsets, labels.
#include <cstdint>
#include <string>
#include <vector>

namespace regal::data {

inline constexpr const char* kSplitNames[] = {"train", "val", "test_id", "test_len_ood", "test_edge_ood", "test_border"};

struct Split {
  std::string name;                    // one of kSplitNames
  std::vector<std::uint8_t> tokens;    // symbol indices 0..|Σ|-1 of every string, concatenated
  std::vector<std::uint64_t> offsets;  // string i is tokens[offsets[i] .. offsets[i+1]); size n+1
  std::vector<std::uint8_t> labels;    // class index; a recogniser's 1 = accepted
  std::vector<std::uint64_t> pair;     // test_border only: index of the partner string
  std::vector<std::uint8_t> is_long;   // test_border only: 1 when the length exceeds L_max

  Split() : offsets{0} {}
  explicit Split(std::string split_name) : name(std::move(split_name)), offsets{0} {}

  std::size_t size() const { return labels.size(); }
  std::size_t length(std::size_t i) const { return offsets[i + 1] - offsets[i]; }
  const std::uint8_t* string(std::size_t i) const { return tokens.data() + offsets[i]; }
  void add(const std::uint8_t* symbols, std::size_t length, std::uint8_t label) {
    tokens.insert(tokens.end(), symbols, symbols + length);
    offsets.push_back(tokens.size());
    labels.push_back(label);
  }
  bool operator==(const Split& other) const {
    return name == other.name && tokens == other.tokens && offsets == other.offsets && labels == other.labels &&
           pair == other.pair && is_long == other.is_long;
  }
};

// A (length, class) cell that could not supply what was asked.
struct Shortfall {
  std::string split;        // split name
  std::size_t length = 0;   // string length; 0 for a split-wide shortfall (val)
  std::string label;        // "accepted", "rejected", a task's class name, "pairs" or "any"
  std::size_t asked = 0;    // strings asked for
  std::size_t got = 0;      // distinct strings that exist and were used
  bool operator==(const Shortfall& o) const {
    return split == o.split && length == o.length && label == o.label && asked == o.asked && got == o.got;
  }
};

// A DFA transition (state, symbol) held out of training.
struct Edge {
  std::uint32_t state = 0;
  std::uint32_t symbol = 0;
  bool operator==(const Edge& o) const { return state == o.state && symbol == o.symbol; }
};

struct Corpus {
  std::string alphabet;     // the symbols, in index order
  std::string regex;        // source regex
  std::string dfa_hash;     // content hash of the canonical DFA
  std::string config_json;  // the resolved DataConfig (seed filled in), canonical JSON
  std::string generator;    // generator version that produced it
  std::vector<Split> splits;  // in kSplitNames order, absent splits omitted
  std::vector<Edge> held_out;          // transitions of the canonical DFA held out of training
  std::vector<Shortfall> shortfalls;   // what could not be supplied
  std::vector<std::string> classes;    // a task's class names by label; empty for a recogniser (0 rejected, 1 accepted)

  std::size_t num_classes() const { return classes.empty() ? 2 : classes.size(); }
  // The class names by label, a recogniser's included.
  std::vector<std::string> class_names() const {
    return classes.empty() ? std::vector<std::string>{"rejected", "accepted"} : classes;
  }

  // The split called `name`, or nullptr.
  const Split* find(const std::string& name) const {
    for (const auto& split : splits) {
      if (split.name == name) return &split;
    }
    return nullptr;
  }
  bool operator==(const Corpus& other) const {
    return alphabet == other.alphabet && regex == other.regex && dfa_hash == other.dfa_hash &&
           config_json == other.config_json && generator == other.generator && splits == other.splits &&
           held_out == other.held_out && shortfalls == other.shortfalls && classes == other.classes;
  }
  bool operator!=(const Corpus& other) const { return !(*this == other); }
};

}  // namespace regal::data
