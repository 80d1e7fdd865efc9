// Classification tasks: labelled automata from per-class regexes (a product
// of the class automata, checked pairwise disjoint first, so every product
// state has at most one class) and from the built-in generators, whose tables
// are written down directly and then minimised like every other automaton.
#include "fsm/task.h"

#include <deque>
#include <map>

#include "fsm/compile.h"

namespace regal::fsm {

const std::vector<std::string>& recogniser_classes() {
  static const std::vector<std::string> names{"rejected", "accepted"};
  return names;
}

const std::vector<std::string>& generator_names() {
  static const std::vector<std::string> names{"cycle_navigation", "modular_arithmetic"};
  return names;
}

bool Task::is_recogniser() const {
  if (classes != recogniser_classes()) return false;
  for (const std::uint8_t label : dfa.labels()) {
    if (label == kNoClass) return false;
  }
  return true;
}

std::optional<std::uint8_t> Task::classify(const std::uint8_t* symbols, std::size_t length) const {
  const std::uint8_t label = dfa.label(dfa.run(symbols, length));
  if (label == kNoClass) return std::nullopt;
  return label;
}

std::optional<std::uint8_t> Task::class_index(const std::string& name) const {
  for (std::size_t c = 0; c < classes.size(); ++c) {
    if (classes[c] == name) return static_cast<std::uint8_t>(c);
  }
  return std::nullopt;
}

Task recogniser(Dfa dfa, std::string regex) { return Task{std::move(dfa), recogniser_classes(), std::move(regex)}; }

Dfa label_language(const Dfa& dfa, const std::vector<bool>& labels) {
  std::vector<std::uint8_t> accepting(dfa.num_states());
  for (StateId q = 0; q < dfa.num_states(); ++q) accepting[q] = labels[dfa.label(q)] ? 1 : 0;
  return minimize(Dfa(dfa.alphabet(), dfa.start(), dfa.transitions(), std::move(accepting)));
}

Dfa class_language(const Dfa& dfa, std::uint8_t c) {
  std::vector<bool> labels(256, false);
  labels[c] = true;
  return label_language(dfa, labels);
}

Dfa domain_language(const Dfa& dfa) {
  std::vector<bool> labels(256, true);
  labels[kNoClass] = false;
  return label_language(dfa, labels);
}

std::optional<Symbols> shortest_accepted(const Dfa& dfa) {
  // BFS with symbols in alphabet order: the first accepting state found is
  // reached by the shortest, and among those the alphabetically first, string.
  constexpr StateId kUnseen = ~StateId{0};
  std::vector<StateId> parent(dfa.num_states(), kUnseen);
  std::vector<std::uint8_t> via(dfa.num_states(), 0);
  std::deque<StateId> queue{dfa.start()};
  parent[dfa.start()] = dfa.start();
  while (!queue.empty()) {
    const StateId q = queue.front();
    queue.pop_front();
    if (dfa.label(q) != 0 && dfa.label(q) != kNoClass) {
      Symbols out;
      for (StateId at = q; at != dfa.start(); at = parent[at]) out.push_back(via[at]);
      return Symbols(out.rbegin(), out.rend());
    }
    for (int s = 0; s < dfa.num_symbols(); ++s) {
      const StateId t = dfa.next(q, s);
      if (parent[t] != kUnseen) continue;
      parent[t] = q;
      via[t] = static_cast<std::uint8_t>(s);
      queue.push_back(t);
    }
  }
  return std::nullopt;
}

Result<Task> task_from_classes(const std::vector<std::pair<std::string, std::string>>& classes,
                               const Alphabet& alphabet, std::size_t max_states) {
  auto bad = [](const std::string& message) { return Error{ErrorCode::kBadTask, 0, "", message}; };
  if (classes.size() < 2) return bad("a task needs at least two classes (got " + std::to_string(classes.size()) + ")");
  if (classes.size() >= kNoClass) return bad("a task has at most 254 classes");
  std::vector<Dfa> automata;
  std::string source = "classes {";
  for (const auto& [name, regex] : classes) {
    if (name.empty()) return bad("a class needs a name");
    auto dfa = compile_regex(regex, alphabet, {max_states});
    if (!dfa) {
      Error error = dfa.error();
      error.message = "class '" + name + "': regex " + regex + ": " + error.message;
      return error;
    }
    if (!shortest_accepted(dfa.value())) return bad("class '" + name + "': regex " + regex + " matches no string");
    automata.push_back(std::move(dfa).value());
    source += (automata.size() > 1 ? ", " : " ") + name + " = " + regex;
  }
  source += " }";
  for (std::size_t a = 0; a < automata.size(); ++a) {
    for (std::size_t b = a + 1; b < automata.size(); ++b) {
      auto both = intersect(automata[a], automata[b], max_states);
      if (!both) return both.error();
      if (const auto witness = shortest_accepted(both.value())) {
        const std::string text = witness->empty() ? "the empty string" : "'" + to_text(alphabet, *witness) + "'";
        return bad("classes '" + classes[a].first + "' and '" + classes[b].first + "' overlap: both match " + text);
      }
    }
  }
  // The product of the class automata; disjointness leaves each state at most one class.
  std::map<std::vector<StateId>, StateId> index;
  std::vector<std::vector<StateId>> tuples;
  auto intern = [&](std::vector<StateId> tuple) {
    auto [it, inserted] = index.emplace(tuple, static_cast<StateId>(tuples.size()));
    if (inserted) tuples.push_back(std::move(tuple));
    return it->second;
  };
  std::vector<StateId> start;
  for (const Dfa& dfa : automata) start.push_back(dfa.start());
  intern(std::move(start));
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> labels;
  for (std::size_t i = 0; i < tuples.size(); ++i) {
    if (tuples.size() > max_states) {
      return Error{ErrorCode::kStateBudget, 0, "",
                   "the classes' product automaton needs more than " + std::to_string(max_states) + " states (max_states)"};
    }
    const std::vector<StateId> tuple = tuples[i];
    std::uint8_t label = kNoClass;
    for (std::size_t c = 0; c < automata.size(); ++c) {
      if (automata[c].is_accepting(tuple[c])) label = static_cast<std::uint8_t>(c);
    }
    labels.push_back(label);
    for (int s = 0; s < alphabet.size(); ++s) {
      std::vector<StateId> next(tuple.size());
      for (std::size_t c = 0; c < automata.size(); ++c) next[c] = automata[c].next(tuple[c], s);
      transitions.push_back(intern(std::move(next)));
    }
  }
  std::vector<std::string> names;
  for (const auto& entry : classes) names.push_back(entry.first);
  return Task{minimize(Dfa(alphabet, 0, std::move(transitions), std::move(labels))), std::move(names), source};
}

namespace {

std::vector<std::string> numbered_classes(int n) {
  std::vector<std::string> names;
  for (int c = 0; c < n; ++c) names.push_back(std::to_string(c));
  return names;
}

}  // namespace

Task cycle_navigation(int n) {
  if (n < 2 || n > 254) throw_input_error("cycle_navigation", Error{ErrorCode::kBadTask, 0, "", "n must lie in 2..254 (got " + std::to_string(n) + ")"});
  const auto alphabet = Alphabet::parse("012").take_or_throw();
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> labels;
  for (int q = 0; q < n; ++q) {
    transitions.push_back(static_cast<StateId>(q));                // 0: stay
    transitions.push_back(static_cast<StateId>((q + 1) % n));      // 1: +1
    transitions.push_back(static_cast<StateId>((q + n - 1) % n));  // 2: -1
    labels.push_back(static_cast<std::uint8_t>(q));
  }
  return Task{minimize(Dfa(alphabet, 0, std::move(transitions), std::move(labels))), numbered_classes(n),
              "cycle_navigation(n=" + std::to_string(n) + ")"};
}

Task modular_arithmetic(int modulus, const std::string& operators) {
  auto fail = [](const std::string& message) {
    throw_input_error("modular_arithmetic", Error{ErrorCode::kBadTask, 0, "", message});
  };
  if (modulus < 2 || modulus > 10) fail("n (the modulus) must lie in 2..10 (got " + std::to_string(modulus) + ")");
  if (operators.empty()) fail("operators must name at least one of p (+), m (-), x (*)");
  for (std::size_t i = 0; i < operators.size(); ++i) {
    if (std::string("pmx").find(operators[i]) == std::string::npos || operators.find(operators[i]) != i) {
      fail("operators must be distinct letters among p (+), m (-), x (*) (got '" + operators + "')");
    }
  }
  std::string symbols;
  for (int d = 0; d < modulus; ++d) symbols.push_back(static_cast<char>('0' + d));
  symbols += operators;
  const auto alphabet = Alphabet::parse(symbols).take_or_throw();
  const auto m = static_cast<StateId>(modulus);
  // Expecting a digit: D(s, c) = s*m + c, where s is the sum of the finished
  // terms and c the signed product of the open term so far. Expecting an
  // operator: O(s, p) = m*m + s*m + p, value s + p. Dead: 2*m*m.
  const StateId dead = 2 * m * m;
  auto digit_state = [&](StateId s, StateId c) { return s * m + c; };
  auto operator_state = [&](StateId s, StateId p) { return m * m + s * m + p; };
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> labels;
  const auto k = static_cast<std::size_t>(alphabet.size());
  transitions.resize((dead + 1) * k, dead);
  labels.assign(dead + 1, kNoClass);
  for (StateId s = 0; s < m; ++s) {
    for (StateId x = 0; x < m; ++x) {
      for (StateId d = 0; d < m; ++d) transitions[digit_state(s, x) * k + d] = operator_state(s, (x * d) % m);
      const StateId o = operator_state(s, x);
      labels[o] = static_cast<std::uint8_t>((s + x) % m);
      for (std::size_t i = 0; i < operators.size(); ++i) {
        StateId target = dead;
        if (operators[i] == 'p') target = digit_state((s + x) % m, 1);
        if (operators[i] == 'm') target = digit_state((s + x) % m, m - 1);
        if (operators[i] == 'x') target = digit_state(s, x);
        transitions[o * k + m + i] = target;
      }
    }
  }
  return Task{minimize(Dfa(alphabet, digit_state(0, 1), std::move(transitions), std::move(labels))),
              numbered_classes(modulus),
              "modular_arithmetic(n=" + std::to_string(modulus) + ", operators=" + operators + ")"};
}

}  // namespace regal::fsm
