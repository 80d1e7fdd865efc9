#pragma once
// regex -> minimal canonical DFA: the façade most callers need.
#include <string_view>

#include "fsm/dfa.h"
#include "fsm/regex.h"

namespace regal::fsm {

struct CompileOptions {
  std::size_t max_states = kDefaultMaxStates;  // budget for every automaton built on the way
};

// Parses `pattern` over `alphabet` and builds its minimal DFA. Errors carry
// the parse error (code, column, fragment) or kStateBudget when any
// intermediate automaton outgrows options.max_states. An empty pattern is {ε}.
Result<Dfa> compile_regex(std::string_view pattern, const Alphabet& alphabet, const CompileOptions& options = {});

// The same from a parsed tree.
Result<Dfa> compile_regex(const Regex& regex, const Alphabet& alphabet, const CompileOptions& options = {});

}  // namespace regal::fsm
