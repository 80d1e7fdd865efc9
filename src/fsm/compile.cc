// Regex tree -> Thompson NFA -> subset construction -> Hopcroft.
//
// Thompson fragments are built bottom-up in the tree's array order (children
// before parents), so no recursion is needed at any depth. A fragment has one
// start and one accept state, and its accept state has no outgoing edges
// until the parent wires it; everything reachable from a fragment's start is
// therefore inside the fragment. That makes two things easy:
//   - x{m,n} copies a fragment by a search from its start;
//   - A&B and ~A, which NFAs cannot express directly, determinise the child
//     fragments (subset construction from the child's start, accepting at its
//     accept state), combine the DFAs (product, complement) and embed the
//     minimal result back as a fragment: one NFA state per live DFA state.
#include <algorithm>
#include <unordered_map>

#include "fsm/compile.h"
#include "util/progress.h"

namespace regal::fsm {
namespace {

struct NfaState {
  std::vector<std::pair<SymbolSet, int>> edges;  // on any symbol of the set, go to the state
  std::vector<int> epsilon;                      // free moves
};

struct Fragment {
  int start;
  int accept;
};

struct VectorHash {
  std::size_t operator()(const std::vector<int>& v) const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const int x : v) h = (h ^ static_cast<std::uint64_t>(x)) * std::uint64_t{0x100000001b3};
    return static_cast<std::size_t>(h);
  }
};

class Builder {
 public:
  Builder(const Alphabet& alphabet, const CompileOptions& options)
      : alphabet_(alphabet), options_(options), max_nfa_states_(std::max<std::size_t>(options.max_states * 10, 100000)) {}

  Result<Dfa> build(const Regex& regex);

 private:
  int add_state() {
    states_.emplace_back();
    return static_cast<int>(states_.size()) - 1;
  }
  bool over_budget() const { return states_.size() > max_nfa_states_; }
  Error budget_error() const {
    return Error{ErrorCode::kStateBudget, 0, "",
                 "the regex needs more than " + std::to_string(max_nfa_states_) +
                     " NFA states; raise max_states or simplify the regex"};
  }

  Fragment symbol_set(SymbolSet symbols);
  Fragment empty_string();
  Fragment copy(Fragment fragment);
  Fragment repeat(Fragment child, int min, int max);
  Fragment embed(const Dfa& dfa);
  Result<Dfa> determinize(Fragment fragment);

  const Alphabet& alphabet_;
  const CompileOptions& options_;
  const std::size_t max_nfa_states_;
  std::vector<NfaState> states_;
};

Fragment Builder::symbol_set(SymbolSet symbols) {
  const int start = add_state();
  const int accept = add_state();
  if (symbols != 0) states_[static_cast<std::size_t>(start)].edges.emplace_back(symbols, accept);
  return {start, accept};
}

Fragment Builder::empty_string() {
  const int start = add_state();
  const int accept = add_state();
  states_[static_cast<std::size_t>(start)].epsilon.push_back(accept);
  return {start, accept};
}

Fragment Builder::copy(Fragment fragment) {
  std::unordered_map<int, int> image;
  std::vector<int> stack{fragment.start};
  image.emplace(fragment.start, add_state());
  while (!stack.empty()) {
    const int old_state = stack.back();
    stack.pop_back();
    auto visit = [&](int target) {
      auto [it, inserted] = image.emplace(target, 0);
      if (inserted) {
        it->second = add_state();
        stack.push_back(target);
      }
      return it->second;
    };
    // Index, not reference: add_state() may reallocate states_.
    const auto edges = states_[static_cast<std::size_t>(old_state)].edges;
    const auto epsilon = states_[static_cast<std::size_t>(old_state)].epsilon;
    const int new_state = image.at(old_state);
    for (const auto& [symbols, target] : edges) {
      const int mapped = visit(target);
      states_[static_cast<std::size_t>(new_state)].edges.emplace_back(symbols, mapped);
    }
    for (const int target : epsilon) {
      const int mapped = visit(target);
      states_[static_cast<std::size_t>(new_state)].epsilon.push_back(mapped);
    }
  }
  // An accept state the start cannot reach (an empty intersection, say)
  // still needs its own copy: the copy accepts nothing, like the original.
  auto [accept, unreached] = image.emplace(fragment.accept, 0);
  if (unreached) accept->second = add_state();
  return {image.at(fragment.start), accept->second};
}

Fragment Builder::repeat(Fragment child, int min, int max) {
  if (max == 0) return empty_string();
  // Copies first, wiring after: a fragment must be closed while it is copied.
  const int copies = std::max(min, 1) + (max == kUnbounded ? 0 : max - std::max(min, 1));
  std::vector<Fragment> parts{child};
  for (int i = 1; i < copies && !over_budget(); ++i) parts.push_back(copy(child));
  if (over_budget()) return child;

  const int start = add_state();
  const int accept = add_state();
  auto epsilon = [&](int from, int to) { states_[static_cast<std::size_t>(from)].epsilon.push_back(to); };
  int cursor = start;
  for (int i = 0; i < static_cast<int>(parts.size()); ++i) {
    const bool optional = i >= min;
    epsilon(cursor, parts[static_cast<std::size_t>(i)].start);
    if (optional) epsilon(cursor, accept);  // stop here: fewer than the maximum
    cursor = parts[static_cast<std::size_t>(i)].accept;
  }
  epsilon(cursor, accept);
  if (max == kUnbounded) epsilon(parts.back().accept, parts.back().start);  // the last copy loops
  return {start, accept};
}

Result<Dfa> Builder::determinize(Fragment fragment) {
  const int k = alphabet_.size();
  std::vector<std::uint32_t> visited(states_.size(), 0);
  std::uint32_t generation = 0;
  std::vector<int> stack;
  // ε-closure of `seeds`, sorted so that equal sets compare equal.
  auto closure = [&](std::vector<int> seeds) {
    ++generation;
    std::vector<int> result;
    stack = std::move(seeds);
    while (!stack.empty()) {
      const int q = stack.back();
      stack.pop_back();
      if (visited[static_cast<std::size_t>(q)] == generation) continue;
      visited[static_cast<std::size_t>(q)] = generation;
      result.push_back(q);
      for (const int t : states_[static_cast<std::size_t>(q)].epsilon) stack.push_back(t);
    }
    std::sort(result.begin(), result.end());
    return result;
  };

  std::unordered_map<std::vector<int>, StateId, VectorHash> index;
  std::vector<std::vector<int>> sets;
  auto intern = [&](std::vector<int> set) {
    auto [it, inserted] = index.emplace(set, static_cast<StateId>(sets.size()));
    if (inserted) sets.push_back(std::move(set));
    return it->second;
  };
  intern(closure({fragment.start}));
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> accepting;
  std::vector<int> moved;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    progress_point();  // a stop request lands here even in a huge construction
    if (sets.size() > options_.max_states) {
      return Error{ErrorCode::kStateBudget, 0, "",
                   "the DFA needs more than " + std::to_string(options_.max_states) + " states (max_states)"};
    }
    const std::vector<int> current = sets[i];
    accepting.push_back(std::binary_search(current.begin(), current.end(), fragment.accept) ? 1 : 0);
    for (int s = 0; s < k; ++s) {
      moved.clear();
      for (const int q : current) {
        for (const auto& [symbols, target] : states_[static_cast<std::size_t>(q)].edges) {
          if (symbols >> s & 1) moved.push_back(target);
        }
      }
      transitions.push_back(intern(closure(moved)));
    }
  }
  return minimize(Dfa(alphabet_, 0, std::move(transitions), std::move(accepting)));
}

Fragment Builder::embed(const Dfa& dfa) {
  const std::vector<bool> live = dfa.live_states();
  std::vector<int> image(dfa.num_states(), -1);
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    if (live[q]) image[q] = add_state();
  }
  const int accept = add_state();
  const int start = add_state();
  if (image[dfa.start()] >= 0) states_[static_cast<std::size_t>(start)].epsilon.push_back(image[dfa.start()]);
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    if (image[q] < 0) continue;
    auto& state = states_[static_cast<std::size_t>(image[q])];
    for (int s = 0; s < dfa.num_symbols(); ++s) {
      const int target = image[dfa.next(q, s)];
      if (target >= 0) state.edges.emplace_back(SymbolSet{1} << s, target);
    }
    if (dfa.is_accepting(q)) state.epsilon.push_back(accept);
  }
  return {start, accept};
}

Result<Dfa> Builder::build(const Regex& regex) {
  std::vector<Fragment> fragments(regex.nodes.size(), Fragment{-1, -1});
  for (std::size_t i = 0; i < regex.nodes.size(); ++i) {
    const Node& node = regex.nodes[i];
    auto child = [&](std::size_t c) { return fragments[static_cast<std::size_t>(node.children[c])]; };
    switch (node.kind) {
      case NodeKind::kEmptyString:
        fragments[i] = empty_string();
        break;
      case NodeKind::kSymbolSet:
        fragments[i] = symbol_set(node.symbols);
        break;
      case NodeKind::kConcat: {
        for (std::size_t c = 0; c + 1 < node.children.size(); ++c) {
          states_[static_cast<std::size_t>(child(c).accept)].epsilon.push_back(child(c + 1).start);
        }
        fragments[i] = {child(0).start, child(node.children.size() - 1).accept};
        break;
      }
      case NodeKind::kAlternate: {
        const int start = add_state();
        const int accept = add_state();
        for (std::size_t c = 0; c < node.children.size(); ++c) {
          states_[static_cast<std::size_t>(start)].epsilon.push_back(child(c).start);
          states_[static_cast<std::size_t>(child(c).accept)].epsilon.push_back(accept);
        }
        fragments[i] = {start, accept};
        break;
      }
      case NodeKind::kRepeat:
        fragments[i] = repeat(child(0), node.min, node.max);
        break;
      case NodeKind::kComplement: {
        auto operand = determinize(child(0));
        if (!operand) return operand.error();
        fragments[i] = embed(complement(operand.value()));
        break;
      }
      case NodeKind::kIntersect: {
        auto product = determinize(child(0));
        if (!product) return product.error();
        for (std::size_t c = 1; c < node.children.size(); ++c) {
          auto operand = determinize(child(c));
          if (!operand) return operand.error();
          product = intersect(product.value(), operand.value(), options_.max_states);
          if (!product) return product.error();
        }
        fragments[i] = embed(product.value());
        break;
      }
    }
    if (over_budget()) return budget_error();
  }
  return determinize(fragments.back());
}

}  // namespace

Result<Dfa> compile_regex(const Regex& regex, const Alphabet& alphabet, const CompileOptions& options) {
  return Builder(alphabet, options).build(regex);
}

Result<Dfa> compile_regex(std::string_view pattern, const Alphabet& alphabet, const CompileOptions& options) {
  auto regex = parse_regex(pattern, alphabet);
  if (!regex) return regex.error();
  return compile_regex(regex.value(), alphabet, options);
}

}  // namespace regal::fsm
