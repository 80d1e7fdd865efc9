#pragma once
// Strings one substitution away from another language: the automaton behind
// border (edit-negative) test sets.
#include "fsm/dfa.h"

namespace regal::fsm {

// The minimal DFA of { x ∈ L(from) : some y ∈ L(to) has |y| = |x| and differs
// from x in exactly one position }. Both automata share one alphabet.
// Errors (kStateBudget) when the subset construction exceeds max_states.
Result<Dfa> one_substitution_into(const Dfa& from, const Dfa& to, std::size_t max_states = kDefaultMaxStates);

// Every (position, symbol) whose substitution into x gives a string of L(to),
// in position-then-symbol order, encoded as position * |Σ| + symbol.
std::vector<std::size_t> substitutions_into(const Dfa& to, const std::uint8_t* x, std::size_t length);

}  // namespace regal::fsm
