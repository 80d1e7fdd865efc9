#pragma once
// Classification tasks on the automata core: a labelled DFA whose states carry
// class indices (kNoClass outside the task's domain) and the classes' names.
// A recogniser is the two-class case: classes {rejected, accepted}, labels
// 0/1, every string in the domain — exactly the Dfa compile_regex returns.
//
// Three ways to build one: a regex (recogniser); one regex per class, checked
// to be pairwise disjoint (their union is the domain); a built-in generator
// (cycle navigation, modular arithmetic). A labelled DFA can also be read
// from JSON (fsm.json with "labels"/"classes", see serialize.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fsm/dfa.h"

namespace regal::fsm {

struct Task {
  Dfa dfa;                           // minimal, canonical; labels are class indices or kNoClass
  std::vector<std::string> classes;  // names, by class index
  std::string source;                // what defined it, for messages and fsm.json: a regex, "classes {...}", "cycle_navigation(n=5)"

  std::size_t num_classes() const { return classes.size(); }
  // Two classes named rejected/accepted over all of Σ* (no kNoClass state).
  bool is_recogniser() const;
  // The class of a string, or nullopt outside the domain.
  std::optional<std::uint8_t> classify(const std::uint8_t* symbols, std::size_t length) const;
  // The index of the class called `name`, or nullopt.
  std::optional<std::uint8_t> class_index(const std::string& name) const;
};

// The names a recogniser's classes have: {"rejected", "accepted"}.
const std::vector<std::string>& recogniser_classes();

// The recogniser of a compiled regex.
Task recogniser(Dfa dfa, std::string regex);

// Minimal DFA of the strings whose label is in `labels` (flags by label value).
Dfa label_language(const Dfa& dfa, const std::vector<bool>& labels);
// Strings of class `c`.
Dfa class_language(const Dfa& dfa, std::uint8_t c);
// Strings in the domain (any label but kNoClass).
Dfa domain_language(const Dfa& dfa);

// The shortest string the DFA accepts (by label != 0 and != kNoClass, i.e. a
// recogniser's acceptance), alphabet order among equals; nullopt when none.
std::optional<Symbols> shortest_accepted(const Dfa& dfa);

// A task from one regex per class, over one alphabet, classes in the given
// order. Errors: a regex that does not compile (the message names the class),
// two classes sharing a string (kBadTask, naming both and the shortest shared
// string), a product over max_states (kStateBudget).
Result<Task> task_from_classes(const std::vector<std::pair<std::string, std::string>>& classes,
                               const Alphabet& alphabet, std::size_t max_states = kDefaultMaxStates);

// Delétang et al.'s cycle navigation: an agent starts at 0 on a cycle of n
// positions; symbols 0 (stay), 1 (+1), 2 (-1), alphabet "012"; the class is
// the final position, named "0".."n-1". 2 <= n <= 254.
Task cycle_navigation(int n);

// Delétang et al.'s modular arithmetic: expressions d (op d)* over digits
// 0..m-1 and operators from `operators` ("p" +, "m" -, "x" ·; alphabet the
// digits then the operators, e.g. "01234pmx"), evaluated with the usual
// precedence (· before + and -) modulo m; the class is the value, "0".."m-1".
// Strings that are not such expressions are outside the domain (only odd
// lengths are inside). 2 <= m <= 10; operators a non-empty subset of "pmx".
Task modular_arithmetic(int modulus, const std::string& operators);

// Names of the built-in generators, for messages.
const std::vector<std::string>& generator_names();

}  // namespace regal::fsm
