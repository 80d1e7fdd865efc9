#include "fsm/alphabet.h"

#include <cctype>

namespace regal::fsm {

Result<Alphabet> Alphabet::parse(std::string_view symbols) {
  if (symbols.empty()) {
    return Error{ErrorCode::kBadAlphabet, 0, "", "the alphabet is empty"};
  }
  Alphabet alphabet;
  alphabet.index_.fill(-1);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const char c = symbols[i];
    const std::string fragment(1, c);
    if (!std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 128) {
      return Error{ErrorCode::kBadAlphabet, i + 1, fragment,
                   "alphabet symbol '" + fragment + "' is not one of [A-Za-z0-9]"};
    }
    if (alphabet.index_of(c) >= 0) {
      return Error{ErrorCode::kBadAlphabet, i + 1, fragment,
                   "alphabet symbol '" + fragment + "' appears twice in \"" + std::string(symbols) + "\""};
    }
    alphabet.index_[static_cast<unsigned char>(c)] = static_cast<std::int8_t>(i);
    alphabet.symbols_.push_back(c);
  }
  return alphabet;
}

}  // namespace regal::fsm
