#pragma once
// The regex syntax tree and its parser.
//
// Syntax (full-match, no anchors): literals; '.'; classes [abc] [a-c] [^a]
// (relative to the alphabet); ( ) and (?: ); '|' with empty alternatives;
// postfix * + ? {m} {m,} {m,n}; escapes \x for metacharacters; intersection
// A&B (tighter than '|', looser than concatenation); complement ~X (prefix,
// applies to the following quantified atom, relative to Σ*).
//
// The tree lives in one array: a node's children always have smaller indices
// than the node itself, so a loop over the array in order is a post-order
// walk. Nothing that reads the tree needs recursion, whatever its depth.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fsm/alphabet.h"
#include "fsm/error.h"

namespace regal::fsm {

enum class NodeKind : std::uint8_t {
  kEmptyString,  // ε: matches only the empty string
  kSymbolSet,    // one symbol from `symbols` (literal, '.', class); an empty set matches nothing
  kConcat,       // children in order
  kAlternate,    // any child
  kIntersect,    // every child
  kComplement,   // Σ* minus the one child
  kRepeat,       // child repeated min..max times (max == kUnbounded for no bound)
};

inline constexpr int kUnbounded = -1;
inline constexpr int kMaxRepeat = 1000;  // larger counts are a kBadRepeat error

struct Node {
  NodeKind kind;             // what this node matches
  SymbolSet symbols = 0;     // kSymbolSet: the members
  int min = 0;               // kRepeat: least repetitions
  int max = 0;               // kRepeat: most repetitions, or kUnbounded
  std::vector<int> children; // indices into Regex::nodes, each smaller than this node's
};

struct Regex {
  std::vector<Node> nodes;  // post-order; the root is last
  int root() const { return static_cast<int>(nodes.size()) - 1; }

  // An S-expression of the tree for tests and debugging, e.g.
  // "(cat a (* [ab]))" — symbols print as themselves, sets as [..], ε as ().
  std::string dump(const Alphabet& alphabet) const;
};

// Parses `pattern` over `alphabet`. An empty pattern denotes {ε}. On failure
// the Error carries the code, the 1-based column and the fragment.
Result<Regex> parse_regex(std::string_view pattern, const Alphabet& alphabet);

}  // namespace regal::fsm
