#pragma once
// Strings one edit away from another language: the automata behind border
// (one-edit) test sets and border negatives.
#include <string>
#include <vector>

#include "fsm/dfa.h"

namespace regal::fsm {

// The edits a partner may differ by (a set of flags).
enum EditOp : unsigned {
  kSubstitute = 1,  // one symbol replaced by another (same length)
  kDelete = 2,      // one symbol removed (one shorter)
  kInsert = 4,      // one symbol added, anywhere (one longer)
};
using EditOps = unsigned;
inline constexpr EditOps kAnyEdit = kSubstitute | kDelete | kInsert;

// The minimal DFA of { x ∈ L(from) : some y ∈ L(to) is one edit in `ops`
// away from x }. Both automata share one alphabet. Errors (kStateBudget)
// when the subset construction exceeds max_states.
Result<Dfa> one_edit_into(const Dfa& from, const Dfa& to, EditOps ops, std::size_t max_states = kDefaultMaxStates);
inline Result<Dfa> one_substitution_into(const Dfa& from, const Dfa& to, std::size_t max_states = kDefaultMaxStates) {
  return one_edit_into(from, to, kSubstitute, max_states);
}

// One edit of a string: `symbol` is unused for deletions; an insertion at
// `position` puts the symbol before x[position] (position = |x|: at the end).
struct Edit {
  EditOp op;
  std::size_t position;
  std::uint8_t symbol;
};

// Every edit in `ops` that turns x into a string of L(to), each resulting
// string once: substitutions (position, then symbol), then deletions (the
// first symbol of each run of equal symbols), then insertions (position, then
// symbol; never just after an equal symbol, which gives the same string as
// inserting before it). O(|x| (|Q| + |Σ|)).
std::vector<Edit> edits_into(const Dfa& to, const std::uint8_t* x, std::size_t length, EditOps ops);

// x with `edit` applied.
std::string apply_edit(const std::string& x, const Edit& edit);

}  // namespace regal::fsm
