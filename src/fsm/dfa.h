#pragma once
// A complete deterministic automaton over an Alphabet: every state has one
// transition per symbol (a dead state absorbs what the language rejects).
// Automata returned by compile_regex, minimize, complement and intersect are
// minimal and canonically numbered: states in BFS order from the start state
// (start = 0), successors visited in alphabet order. Equal languages over the
// same alphabet therefore have identical tables and identical content hashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fsm/alphabet.h"
#include "fsm/error.h"

namespace regal::fsm {

using StateId = std::uint32_t;
using Symbols = std::vector<std::uint8_t>;  // a string as symbol indices

inline constexpr std::size_t kDefaultMaxStates = 100000;

// The label of a state whose strings lie outside a task's domain (see task.h):
// they are never sampled and have no class.
inline constexpr std::uint8_t kNoClass = 255;

class Dfa {
 public:
  // `transitions` is row-major: transitions[q * |Σ| + s] = δ(q, s).
  Dfa(Alphabet alphabet, StateId start, std::vector<StateId> transitions, std::vector<std::uint8_t> accepting);

  const Alphabet& alphabet() const { return alphabet_; }
  int num_symbols() const { return alphabet_.size(); }
  std::size_t num_states() const { return accepting_.size(); }
  StateId start() const { return start_; }
  StateId next(StateId state, int symbol) const {
    return transitions_[state * static_cast<std::size_t>(alphabet_.size()) + static_cast<std::size_t>(symbol)];
  }
  bool is_accepting(StateId state) const { return accepting_[state] != 0; }
  std::uint8_t label(StateId state) const { return accepting_[state]; }
  const std::vector<StateId>& transitions() const { return transitions_; }
  const std::vector<std::uint8_t>& accepting() const { return accepting_; }
  const std::vector<std::uint8_t>& labels() const { return accepting_; }
  std::size_t num_accepting() const;

  // The state reached from the start on `symbols`.
  StateId run(const std::uint8_t* symbols, std::size_t length) const;
  bool accepts(const std::uint8_t* symbols, std::size_t length) const { return is_accepting(run(symbols, length)); }
  bool accepts(const Symbols& symbols) const { return accepts(symbols.data(), symbols.size()); }
  // Membership of a text string; false when it holds a character outside the alphabet.
  bool accepts_text(std::string_view text) const;

  // live[q] = some accepting state is reachable from q (q is not dead).
  std::vector<bool> live_states() const;
  // reaches[q] = some state whose label is in `targets` (a set of 256 flags)
  // is reachable from q.
  std::vector<bool> reaching(const std::vector<bool>& targets) const;

  // Tables equal, alphabets equal (start and numbering included).
  bool operator==(const Dfa& other) const;
  bool operator!=(const Dfa& other) const { return !(*this == other); }

 private:
  Alphabet alphabet_;
  StateId start_;
  std::vector<StateId> transitions_;      // |Q| x |Σ|, row-major
  std::vector<std::uint8_t> accepting_;   // the label of each state (1 = accepting)
};

// Minimal, canonically numbered automaton of the same language (Hopcroft);
// for a labelled automaton, of the same labelling of Σ*.
Dfa minimize(const Dfa& dfa);

// Σ* minus L(dfa), minimal and canonical.
Dfa complement(const Dfa& dfa);

// L(a) ∩ L(b) by the product construction, minimal and canonical. Errors
// (kStateBudget) when the reachable product exceeds max_states. Both automata
// must share one alphabet (a precondition, checked by assertion).
Result<Dfa> intersect(const Dfa& a, const Dfa& b, std::size_t max_states = kDefaultMaxStates);

// Same language? Both over the same alphabet; false when the alphabets differ.
bool equivalent(const Dfa& a, const Dfa& b);

// SHA-256 (hex) of the canonical table: alphabet, state count, start,
// accepting flags and transitions. Equal languages give equal hashes.
std::string content_hash(const Dfa& dfa);

// A string text for symbol indices ("abba"), and back (nullopt-free: the
// caller guarantees every character is in the alphabet).
std::string to_text(const Alphabet& alphabet, const std::uint8_t* symbols, std::size_t length);
inline std::string to_text(const Alphabet& alphabet, const Symbols& symbols) {
  return to_text(alphabet, symbols.data(), symbols.size());
}

}  // namespace regal::fsm
