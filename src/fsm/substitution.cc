// One-substitution automaton by subset construction.
//
// Reading x, we run `from` deterministically on x and, in parallel, every run
// of `to` on a string y that equals x except at most one position already
// passed: a set of pairs (q, changed). On symbol c, (q, 0) goes to (δ(q,c), 0)
// and to (δ(q,s), 1) for every s ≠ c; (q, 1) goes to (δ(q,c), 1). x is in the
// result when `from` accepts it and the set holds an accepting (q, 1).
#include "fsm/substitution.h"

#include <algorithm>
#include <map>

namespace regal::fsm {

Result<Dfa> one_substitution_into(const Dfa& from, const Dfa& to, std::size_t max_states) {
  const int k = from.num_symbols();
  using Key = std::pair<StateId, std::vector<std::uint64_t>>;  // (state of from, sorted set of q*2+changed)
  std::map<Key, StateId> index;
  std::vector<Key> keys;
  auto intern = [&](Key key) {
    auto [it, inserted] = index.emplace(key, static_cast<StateId>(keys.size()));
    if (inserted) keys.push_back(std::move(key));
    return it->second;
  };
  intern({from.start(), {std::uint64_t{to.start()} * 2}});
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> accepting;
  std::vector<std::uint64_t> moved;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys.size() > max_states) {
      return Error{ErrorCode::kStateBudget, 0, "",
                   "the one-substitution automaton needs more than " + std::to_string(max_states) + " states"};
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
        const std::uint64_t changed = pair & 1;
        moved.push_back(std::uint64_t{to.next(q, c)} * 2 + changed);
        if (changed) continue;
        for (int s = 0; s < k; ++s) {
          if (s != c) moved.push_back(std::uint64_t{to.next(q, s)} * 2 + 1);
        }
      }
      std::sort(moved.begin(), moved.end());
      moved.erase(std::unique(moved.begin(), moved.end()), moved.end());
      transitions.push_back(intern({from.next(current.first, c), moved}));
    }
  }
  return minimize(Dfa(from.alphabet(), 0, std::move(transitions), std::move(accepting)));
}

std::vector<std::size_t> substitutions_into(const Dfa& to, const std::uint8_t* x, std::size_t length) {
  // Forward: the state before each position. Backward: for every state q,
  // whether reading x[i..] from q ends accepting. Then a substitution (i, s)
  // works iff accepts_suffix[i+1][δ(prefix[i], s)]. O(length (|Q| + |Σ|)).
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
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < length; ++i) {
    for (std::size_t s = 0; s < k; ++s) {
      if (s == x[i]) continue;
      if (accepts_suffix[(i + 1) * n + to.next(prefix[i], static_cast<int>(s))]) out.push_back(i * k + s);
    }
  }
  return out;
}

}  // namespace regal::fsm
