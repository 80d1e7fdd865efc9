// Basic DFA operations: running, liveness, complement, product, hashing.
// Minimisation lives in minimize.cc, determinisation in compile.cc.
#include "fsm/dfa.h"

#include <cassert>
#include <unordered_map>

#include "io/hash.h"

namespace regal::fsm {

Dfa::Dfa(Alphabet alphabet, StateId start, std::vector<StateId> transitions, std::vector<std::uint8_t> accepting)
    : alphabet_(std::move(alphabet)),
      start_(start),
      transitions_(std::move(transitions)),
      accepting_(std::move(accepting)) {
  assert(transitions_.size() == accepting_.size() * static_cast<std::size_t>(alphabet_.size()));
  assert(start_ < accepting_.size());
}

std::size_t Dfa::num_accepting() const {
  std::size_t n = 0;
  for (const auto flag : accepting_) n += flag;
  return n;
}

StateId Dfa::run(const std::uint8_t* symbols, std::size_t length) const {
  StateId state = start_;
  const auto k = static_cast<std::size_t>(alphabet_.size());
  const StateId* table = transitions_.data();
  for (std::size_t i = 0; i < length; ++i) state = table[state * k + symbols[i]];
  return state;
}

bool Dfa::accepts_text(std::string_view text) const {
  StateId state = start_;
  for (const char c : text) {
    const int index = alphabet_.index_of(c);
    if (index < 0) return false;
    state = next(state, index);
  }
  return is_accepting(state);
}

std::vector<bool> Dfa::live_states() const {
  std::vector<bool> accepting(256, true);
  accepting[0] = false;
  return reaching(accepting);
}

std::vector<bool> Dfa::reaching(const std::vector<bool>& targets) const {
  // Backward search from the target states over reversed transitions.
  const std::size_t n = num_states();
  const auto k = static_cast<std::size_t>(alphabet_.size());
  std::vector<std::vector<StateId>> predecessors(n);
  for (std::size_t q = 0; q < n; ++q) {
    for (std::size_t s = 0; s < k; ++s) predecessors[transitions_[q * k + s]].push_back(static_cast<StateId>(q));
  }
  std::vector<bool> live(n, false);
  std::vector<StateId> frontier;
  for (std::size_t q = 0; q < n; ++q) {
    if (targets[accepting_[q]]) {
      live[q] = true;
      frontier.push_back(static_cast<StateId>(q));
    }
  }
  while (!frontier.empty()) {
    const StateId q = frontier.back();
    frontier.pop_back();
    for (const StateId p : predecessors[q]) {
      if (!live[p]) {
        live[p] = true;
        frontier.push_back(p);
      }
    }
  }
  return live;
}

bool Dfa::operator==(const Dfa& other) const {
  return alphabet_ == other.alphabet_ && start_ == other.start_ && transitions_ == other.transitions_ &&
         accepting_ == other.accepting_;
}

Dfa complement(const Dfa& dfa) {
  std::vector<std::uint8_t> flipped(dfa.accepting());
  for (auto& flag : flipped) flag = flag ? 0 : 1;
  return minimize(Dfa(dfa.alphabet(), dfa.start(), dfa.transitions(), std::move(flipped)));
}

Result<Dfa> intersect(const Dfa& a, const Dfa& b, std::size_t max_states) {
  assert(a.alphabet() == b.alphabet());
  const int k = a.num_symbols();
  std::unordered_map<std::uint64_t, StateId> index;
  std::vector<std::pair<StateId, StateId>> pairs;
  auto intern = [&](StateId p, StateId q) {
    const std::uint64_t key = (std::uint64_t{p} << 32) | q;
    auto [it, inserted] = index.emplace(key, static_cast<StateId>(pairs.size()));
    if (inserted) pairs.emplace_back(p, q);
    return it->second;
  };
  intern(a.start(), b.start());
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> accepting;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (pairs.size() > max_states) {
      return Error{ErrorCode::kStateBudget, 0, "",
                   "the intersection needs more than " + std::to_string(max_states) + " states (max_states)"};
    }
    const auto [p, q] = pairs[i];
    accepting.push_back(a.is_accepting(p) && b.is_accepting(q) ? 1 : 0);
    for (int s = 0; s < k; ++s) transitions.push_back(intern(a.next(p, s), b.next(q, s)));
  }
  return minimize(Dfa(a.alphabet(), 0, std::move(transitions), std::move(accepting)));
}

bool equivalent(const Dfa& a, const Dfa& b) {
  if (a.alphabet() != b.alphabet()) return false;
  return minimize(a) == minimize(b);
}

std::string content_hash(const Dfa& dfa) {
  io::Sha256 hash;
  hash.update("regal-dfa-v1");
  hash.update_u64(dfa.alphabet().symbols().size()).update(dfa.alphabet().symbols());
  hash.update_u64(dfa.num_states()).update_u64(dfa.start());
  for (const auto flag : dfa.accepting()) hash.update_u64(flag);
  for (const StateId target : dfa.transitions()) hash.update_u64(target);
  return hash.hex_digest();
}

std::string to_text(const Alphabet& alphabet, const std::uint8_t* symbols, std::size_t length) {
  std::string text(length, '?');
  for (std::size_t i = 0; i < length; ++i) text[i] = alphabet.symbol(symbols[i]);
  return text;
}

}  // namespace regal::fsm
