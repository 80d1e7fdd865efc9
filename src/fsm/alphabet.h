#pragma once
// The symbols a language is written over: up to 62 distinct characters from
// [A-Za-z0-9], in the order declared. Symbol indices follow that order and are
// what corpora and models see.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "fsm/error.h"

namespace regal::fsm {

using SymbolSet = std::uint64_t;  // bit i set <=> symbol index i is a member

class Alphabet {
 public:
  // Validates `symbols`. Errors (kBadAlphabet) for an empty string, a repeated
  // symbol or a character outside [A-Za-z0-9]; the column is the culprit's.
  static Result<Alphabet> parse(std::string_view symbols);

  int size() const { return static_cast<int>(symbols_.size()); }
  char symbol(int index) const { return symbols_[static_cast<std::size_t>(index)]; }
  const std::string& symbols() const { return symbols_; }
  // Index of `c`, or -1 when `c` is not in the alphabet.
  int index_of(char c) const {
    const auto u = static_cast<unsigned char>(c);
    return u < index_.size() ? index_[u] : -1;
  }
  SymbolSet full_set() const {
    return symbols_.size() == 64 ? ~SymbolSet{0} : (SymbolSet{1} << symbols_.size()) - 1;
  }
  bool operator==(const Alphabet& other) const { return symbols_ == other.symbols_; }
  bool operator!=(const Alphabet& other) const { return !(*this == other); }

 private:
  Alphabet() = default;
  std::string symbols_;                  // the declared symbols, in order
  std::array<std::int8_t, 128> index_{}; // ASCII -> index, -1 if absent
};

}  // namespace regal::fsm
