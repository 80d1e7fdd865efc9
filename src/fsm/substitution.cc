// One-edit automaton by subset construction.
//
// Reading x, we run `from` deterministically on x and, in parallel, every run
// of `to` on a string y that equals x up to at most one edit already made: a
// set of pairs (q, edited). On symbol c, (q, 0) goes to (δ(q,c), 0), to
// (δ(q,s), 1) for every s ≠ c (substitution) and to (q, 1) (deletion: y lacks
// c); (q, 1) goes to (δ(q,c), 1). An insertion is an ε-move (q, 0) →
// (δ(q,s), 1) for every s, closed over before the first symbol and after each
// (so also at the end). x is in the result when `from` accepts it and the set
// holds an accepting (q, 1).
#include "fsm/substitution.h"

#include <algorithm>
#include <map>

namespace regal::fsm {

Result<Dfa> one_edit_into(const Dfa& from, const Dfa& to, EditOps ops, std::size_t max_states) {
  const int k = from.num_symbols();
  using Key = std::pair<StateId, std::vector<std::uint64_t>>;  // (state of from, sorted set of q*2+edited)
  std::map<Key, StateId> index;
  std::vector<Key> keys;
  // Sorted, unique, and closed under insertions.
  auto close = [&](std::vector<std::uint64_t>& set) {
    if (ops & kInsert) {
      const std::size_t before = set.size();
      for (std::size_t i = 0; i < before; ++i) {
        if (set[i] & 1) continue;
        const auto q = static_cast<StateId>(set[i] >> 1);
        for (int s = 0; s < k; ++s) set.push_back(std::uint64_t{to.next(q, s)} * 2 + 1);
      }
    }
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
  };
  auto intern = [&](Key key) {
    auto [it, inserted] = index.emplace(key, static_cast<StateId>(keys.size()));
    if (inserted) keys.push_back(std::move(key));
    return it->second;
  };
  std::vector<std::uint64_t> start = {std::uint64_t{to.start()} * 2};
  close(start);
  intern({from.start(), std::move(start)});
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> accepting;
  std::vector<std::uint64_t> moved;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys.size() > max_states) {
      return Error{ErrorCode::kStateBudget, 0, "",
                   "the one-edit automaton needs more than " + std::to_string(max_states) + " states"};
    }
    const Key current = keys[i];
    bool accepts = false;
    if (from.is_accepting(current.first)) {
      for (const std::uint64_t pair : current.second) {
        accepts = accepts || ((pair & 1) && to.is_accepting(static_cast<StateId>(pair >> 1)));
      }
    }
    accepting.push_back(accepts ? 1 : 0);
    for (int c = 0; c < k; ++c) {
      moved.clear();
      for (const std::uint64_t pair : current.second) {
        const auto q = static_cast<StateId>(pair >> 1);
        const std::uint64_t edited = pair & 1;
        moved.push_back(std::uint64_t{to.next(q, c)} * 2 + edited);
        if (edited) continue;
        if (ops & kSubstitute) {
          for (int s = 0; s < k; ++s) {
            if (s != c) moved.push_back(std::uint64_t{to.next(q, s)} * 2 + 1);
          }
        }
        if (ops & kDelete) moved.push_back(std::uint64_t{q} * 2 + 1);
      }
      close(moved);
      transitions.push_back(intern({from.next(current.first, c), moved}));
    }
  }
  return minimize(Dfa(from.alphabet(), 0, std::move(transitions), std::move(accepting)));
}

std::vector<Edit> edits_into(const Dfa& to, const std::uint8_t* x, std::size_t length, EditOps ops) {
  // Forward: the state before each position. Backward: for every state q,
  // whether reading x[i..] from q ends accepting. An edit at i then works iff
  // the rest of x, read from the state the edit leaves, ends accepting.
  const auto k = static_cast<std::size_t>(to.num_symbols());
  const std::size_t n = to.num_states();
  std::vector<StateId> prefix(length + 1);
  prefix[0] = to.start();
  for (std::size_t i = 0; i < length; ++i) prefix[i + 1] = to.next(prefix[i], x[i]);
  std::vector<std::uint8_t> accepts_suffix((length + 1) * n);
  for (StateId q = 0; q < n; ++q) accepts_suffix[length * n + q] = to.is_accepting(q) ? 1 : 0;
  for (std::size_t i = length; i-- > 0;) {
    for (StateId q = 0; q < n; ++q) accepts_suffix[i * n + q] = accepts_suffix[(i + 1) * n + to.next(q, x[i])];
  }
  auto works = [&](std::size_t rest, StateId q) { return accepts_suffix[rest * n + q] != 0; };
  std::vector<Edit> out;
  if (ops & kSubstitute) {
    for (std::size_t i = 0; i < length; ++i) {
      for (std::size_t s = 0; s < k; ++s) {
        if (s == x[i]) continue;
        if (works(i + 1, to.next(prefix[i], static_cast<int>(s)))) out.push_back({kSubstitute, i, static_cast<std::uint8_t>(s)});
      }
    }
  }
  if (ops & kDelete) {
    for (std::size_t i = 0; i < length; ++i) {
      if (i > 0 && x[i - 1] == x[i]) continue;  // deleting any symbol of a run gives one string
      if (works(i + 1, prefix[i])) out.push_back({kDelete, i, 0});
    }
  }
  if (ops & kInsert) {
    for (std::size_t i = 0; i <= length; ++i) {
      for (std::size_t s = 0; s < k; ++s) {
        if (i > 0 && x[i - 1] == s) continue;  // the same string as inserting s before x[i-1]
        if (works(i, to.next(prefix[i], static_cast<int>(s)))) out.push_back({kInsert, i, static_cast<std::uint8_t>(s)});
      }
    }
  }
  return out;
}

std::string apply_edit(const std::string& x, const Edit& edit) {
  std::string y = x;
  const auto symbol = static_cast<char>(edit.symbol);
  switch (edit.op) {
    case kSubstitute: y[edit.position] = symbol; break;
    case kDelete: y.erase(edit.position, 1); break;
    case kInsert: y.insert(edit.position, 1, symbol); break;
  }
  return y;
}

}  // namespace regal::fsm
