// libFuzzer target: the regex parser and compiler on arbitrary text.
// Input: one byte choosing the alphabet, then the pattern. Whatever the
// input, parsing returns a value or an error (code, column, fragment inside
// the pattern), never a crash; a compiled automaton is minimal and canonical
// (minimising again or compiling again gives the same table), and its counts
// agree with enumerating every string up to length 6.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fsm/fsm.h"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regal::fsm;
  if (size < 1 || size > 512) return 0;
  static const char* kAlphabets[] = {"ab", "01", "abc"};
  const auto alphabet = Alphabet::parse(kAlphabets[data[0] % 3]).take_or_throw();
  const std::string_view pattern(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto parsed = parse_regex(pattern, alphabet);
  if (!parsed) {
    require(parsed.error().column <= pattern.size() + 1);
    return 0;
  }
  CompileOptions options;
  options.max_states = 512;  // small, so the fuzzer spends its time on shapes, not size
  const auto dfa = compile_regex(pattern, alphabet, options);
  if (!dfa) return 0;
  const Dfa& a = dfa.value();
  require(content_hash(minimize(a)) == content_hash(a));
  const auto again = compile_regex(pattern, alphabet, options);
  require(again && content_hash(again.value()) == content_hash(a));
  // Exact counts against the automaton itself, string by string.
  const auto counts = count_accepted(a, 6);
  for (std::size_t length = 0; length <= 6; ++length) {
    std::size_t strings = 1, accepted = 0;
    for (std::size_t i = 0; i < length; ++i) strings *= static_cast<std::size_t>(a.num_symbols());
    Symbols word(length);
    for (std::size_t index = 0; index < strings; ++index) {
      std::size_t rest = index;
      for (std::size_t i = 0; i < length; ++i) {
        word[i] = static_cast<std::uint8_t>(rest % static_cast<std::size_t>(a.num_symbols()));
        rest /= static_cast<std::size_t>(a.num_symbols());
      }
      accepted += a.accepts(word) ? 1 : 0;
    }
    require(to_u64(counts[length]) == accepted);
  }
  return 0;
}
