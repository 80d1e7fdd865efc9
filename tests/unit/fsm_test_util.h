#pragma once
// Helpers shared by the fsm tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fsm/fsm.h"

namespace regal::fsm::testing {

inline Alphabet alphabet(const std::string& symbols) { return Alphabet::parse(symbols).take_or_throw(); }

inline Dfa compile(const std::string& regex, const std::string& symbols = "ab") {
  auto result = compile_regex(regex, alphabet(symbols));
  if (!result) ADD_FAILURE() << "regex " << regex << ": " << result.error().describe();
  return std::move(result).take_or_throw(regex);
}

// Every string over `symbols` of length 0..max_length, shortest first.
inline std::vector<std::string> all_strings(const std::string& symbols, std::size_t max_length) {
  std::vector<std::string> out{""};
  std::size_t begin = 0;
  for (std::size_t length = 1; length <= max_length; ++length) {
    const std::size_t end = out.size();
    for (std::size_t i = begin; i < end; ++i) {
      for (const char c : symbols) out.push_back(out[i] + c);
    }
    begin = end;
  }
  return out;
}

}  // namespace regal::fsm::testing
