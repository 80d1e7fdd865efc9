// Regex parser. It reads left to right with an explicit stack of open groups
// (one Frame per '(' not yet closed), never recursing, so `((((...))))` nested
// a million deep costs memory, not stack. Within a frame the precedence is
// held in three lists: alternatives ('|'), conjuncts ('&') and the items of
// the current concatenation. A '~' waits on the frame until its atom arrives;
// quantifiers apply to the atom before the complement does, so ~a* = ~(a*).
#include <cctype>
#include <string>

#include "fsm/regex.h"

namespace regal::fsm {
namespace {

struct Item {
  int node;              // index of the atom, quantifiers applied
  int complements;       // how many '~' precede it
  bool quantified;       // a quantifier has been applied (a second one is an error)
};

struct Frame {
  std::size_t open_column = 0;            // column of '(' (0 for the outermost frame)
  std::vector<int> alternatives;          // finished '|' branches
  std::vector<int> conjuncts;             // finished '&' operands of the current branch
  std::vector<Item> items;                // the current concatenation
  int pending_complements = 0;            // '~' seen, atom not yet
  std::size_t complement_column = 0;      // column of the first pending '~'
};

class Parser {
 public:
  Parser(std::string_view pattern, const Alphabet& alphabet) : pattern_(pattern), alphabet_(alphabet) {}

  Result<Regex> parse();

 private:
  // Each step returns false after recording an error in error_.
  bool parse_group_open();
  bool parse_group_close();
  bool parse_class();
  bool parse_escape();
  bool parse_quantifier();
  bool parse_brace(int& min, int& max);
  bool finish_concat(Frame& frame, int& node);
  bool finish_conjunction(Frame& frame, int& node);
  bool finish_frame(Frame& frame, int& node);

  void push_atom(int node) {
    Frame& frame = stack_.back();
    frame.items.push_back({node, frame.pending_complements, false});
    frame.pending_complements = 0;
  }
  int add(Node node) {
    regex_.nodes.push_back(std::move(node));
    return static_cast<int>(regex_.nodes.size()) - 1;
  }
  int add_set(SymbolSet symbols) { return add(Node{NodeKind::kSymbolSet, symbols, 0, 0, {}}); }
  int add_nary(NodeKind kind, std::vector<int> children) {
    if (children.size() == 1) return children[0];
    return add(Node{kind, 0, 0, 0, std::move(children)});
  }
  bool fail(ErrorCode code, std::size_t begin, std::size_t length, std::string message) {
    error_ = Error{code, begin + 1, std::string(pattern_.substr(begin, length)), std::move(message)};
    return false;
  }
  bool symbol_index(char c, std::size_t at, std::size_t length, int& index);

  std::string_view pattern_;
  const Alphabet& alphabet_;
  std::size_t pos_ = 0;
  std::vector<Frame> stack_;
  Regex regex_;
  Error error_{ErrorCode::kBadFile, 0, "", ""};
};

bool Parser::symbol_index(char c, std::size_t at, std::size_t length, int& index) {
  index = alphabet_.index_of(c);
  if (index >= 0) return true;
  return fail(ErrorCode::kSymbolNotInAlphabet, at, length,
              "symbol '" + std::string(1, c) + "' is not in the alphabet \"" + alphabet_.symbols() + "\"");
}

bool Parser::parse_group_open() {
  const std::size_t start = pos_;
  ++pos_;
  if (pos_ < pattern_.size() && pattern_[pos_] == '?') {
    if (pos_ + 1 < pattern_.size() && pattern_[pos_ + 1] == ':') {
      pos_ += 2;
    } else {
      return fail(ErrorCode::kUnsupported, start, std::min<std::size_t>(3, pattern_.size() - start),
                  "lookaround and inline flags are not supported: the language must be regular "
                  "and matching is always whole-string");
    }
  }
  Frame frame;
  frame.open_column = start + 1;
  stack_.push_back(std::move(frame));
  return true;
}

bool Parser::parse_group_close() {
  if (stack_.size() == 1) return fail(ErrorCode::kUnbalancedParen, pos_, 1, "unmatched ')'");
  int node = 0;
  if (!finish_frame(stack_.back(), node)) return false;
  stack_.pop_back();
  ++pos_;
  push_atom(node);
  return true;
}

bool Parser::parse_class() {
  const std::size_t start = pos_;
  ++pos_;
  bool negated = false;
  if (pos_ < pattern_.size() && pattern_[pos_] == '^') {
    negated = true;
    ++pos_;
  }
  SymbolSet members = 0;
  bool any_member = false;
  while (true) {
    if (pos_ >= pattern_.size()) {
      return fail(ErrorCode::kBadClass, start, pattern_.size() - start, "missing ']' to close the class");
    }
    const std::size_t at = pos_;
    char c = pattern_[pos_];
    if (c == ']') {
      if (!any_member) return fail(ErrorCode::kBadClass, start, pos_ + 1 - start, "empty class");
      ++pos_;
      break;
    }
    if (c == '\\') {
      if (pos_ + 1 >= pattern_.size()) return fail(ErrorCode::kBadEscape, pos_, 1, "trailing backslash");
      c = pattern_[++pos_];
    }
    ++pos_;
    any_member = true;
    const bool is_range = pos_ + 1 < pattern_.size() && pattern_[pos_] == '-' && pattern_[pos_ + 1] != ']';
    if (!is_range) {
      int index = 0;
      if (!symbol_index(c, at, pos_ - at, index)) return false;
      members |= SymbolSet{1} << index;
      continue;
    }
    char last = pattern_[pos_ + 1];
    std::size_t end = pos_ + 2;
    if (last == '\\' && end < pattern_.size()) last = pattern_[end++];
    if (last < c) {
      return fail(ErrorCode::kBadClass, at, end - at, "range is reversed: its first symbol sorts after its last");
    }
    SymbolSet range = 0;
    for (int i = 0; i < alphabet_.size(); ++i) {
      const char s = alphabet_.symbol(i);
      if (s >= c && s <= last) range |= SymbolSet{1} << i;
    }
    if (range == 0) {
      return fail(ErrorCode::kSymbolNotInAlphabet, at, end - at,
                  "range contains no symbol of the alphabet \"" + alphabet_.symbols() + "\"");
    }
    members |= range;
    pos_ = end;
  }
  push_atom(add_set(negated ? alphabet_.full_set() & ~members : members));
  return true;
}

bool Parser::parse_escape() {
  const std::size_t start = pos_;
  if (pos_ + 1 >= pattern_.size()) return fail(ErrorCode::kBadEscape, start, 1, "trailing backslash");
  const char c = pattern_[pos_ + 1];
  if (std::isdigit(static_cast<unsigned char>(c))) {
    return fail(ErrorCode::kUnsupported, start, 2,
                "backreferences are not supported: the language must be regular");
  }
  if (std::string_view("bBAzZ").find(c) != std::string_view::npos) {
    return fail(ErrorCode::kUnsupported, start, 2,
                "anchors are not supported: matching is always whole-string");
  }
  if (std::isalnum(static_cast<unsigned char>(c))) {
    return fail(ErrorCode::kBadEscape, start, 2,
                "unknown escape: only metacharacters are escaped; write alphabet symbols plainly");
  }
  int index = 0;
  if (!symbol_index(c, start, 2, index)) return false;
  pos_ += 2;
  push_atom(add_set(SymbolSet{1} << index));
  return true;
}

bool Parser::parse_brace(int& min, int& max) {
  const std::size_t start = pos_;
  const std::size_t close = pattern_.find('}', start);
  const std::size_t length = close == std::string_view::npos ? pattern_.size() - start : close + 1 - start;
  const std::string_view body =
      close == std::string_view::npos ? std::string_view{} : pattern_.substr(start + 1, close - start - 1);
  auto read_count = [&](std::string_view digits, int& out) {
    if (digits.empty() || digits.size() > 6) return false;
    out = 0;
    for (const char d : digits) {
      if (!std::isdigit(static_cast<unsigned char>(d))) return false;
      out = out * 10 + (d - '0');
    }
    return true;
  };
  const std::size_t comma = body.find(',');
  bool well_formed = close != std::string_view::npos;
  if (well_formed && comma == std::string_view::npos) {
    well_formed = read_count(body, min);
    max = min;
  } else if (well_formed) {
    well_formed = read_count(body.substr(0, comma), min);
    const std::string_view upper = body.substr(comma + 1);
    if (upper.empty()) {
      max = kUnbounded;
    } else {
      well_formed = well_formed && read_count(upper, max);
    }
  }
  if (!well_formed) {
    return fail(ErrorCode::kBadRepeat, start, length, "malformed repeat: expected {m}, {m,} or {m,n}");
  }
  if (max != kUnbounded && max < min) {
    return fail(ErrorCode::kBadRepeat, start, length, "repeat bounds are reversed: min is greater than max");
  }
  if (min > kMaxRepeat || max > kMaxRepeat) {
    return fail(ErrorCode::kBadRepeat, start, length,
                "repeat count exceeds " + std::to_string(kMaxRepeat));
  }
  pos_ = start + length;
  return true;
}

bool Parser::parse_quantifier() {
  Frame& frame = stack_.back();
  const std::size_t start = pos_;
  const char c = pattern_[pos_];
  if (frame.pending_complements > 0 || frame.items.empty()) {
    return fail(ErrorCode::kNothingToRepeat, start, 1, "nothing to repeat before the quantifier");
  }
  if (frame.items.back().quantified) {
    return fail(ErrorCode::kBadRepeat, start, 1,
                "a quantifier cannot follow a quantifier (lazy and possessive forms are not supported); "
                "use parentheses");
  }
  int min = 0;
  int max = kUnbounded;
  if (c == '{') {
    if (!parse_brace(min, max)) return false;
  } else {
    min = c == '+' ? 1 : 0;
    max = c == '?' ? 1 : kUnbounded;
    ++pos_;
  }
  Item& item = stack_.back().items.back();
  item.node = add(Node{NodeKind::kRepeat, 0, min, max, {item.node}});
  item.quantified = true;
  return true;
}

bool Parser::finish_concat(Frame& frame, int& node) {
  if (frame.pending_complements > 0) {
    return fail(ErrorCode::kMissingOperand, frame.complement_column - 1, 1, "nothing to complement after '~'");
  }
  std::vector<int> parts;
  for (const Item& item : frame.items) {
    int part = item.node;
    for (int i = 0; i < item.complements; ++i) part = add(Node{NodeKind::kComplement, 0, 0, 0, {part}});
    parts.push_back(part);
  }
  frame.items.clear();
  node = parts.empty() ? add(Node{NodeKind::kEmptyString, 0, 0, 0, {}}) : add_nary(NodeKind::kConcat, parts);
  return true;
}

bool Parser::finish_conjunction(Frame& frame, int& node) {
  int last = 0;
  if (!finish_concat(frame, last)) return false;
  frame.conjuncts.push_back(last);
  node = add_nary(NodeKind::kIntersect, std::move(frame.conjuncts));
  frame.conjuncts.clear();
  return true;
}

bool Parser::finish_frame(Frame& frame, int& node) {
  int last = 0;
  if (!finish_conjunction(frame, last)) return false;
  frame.alternatives.push_back(last);
  node = add_nary(NodeKind::kAlternate, std::move(frame.alternatives));
  frame.alternatives.clear();
  return true;
}

Result<Regex> Parser::parse() {
  stack_.emplace_back();
  while (pos_ < pattern_.size()) {
    const char c = pattern_[pos_];
    bool ok = true;
    switch (c) {
      case '(': ok = parse_group_open(); break;
      case ')': ok = parse_group_close(); break;
      case '[': ok = parse_class(); break;
      case '\\': ok = parse_escape(); break;
      case '*': case '+': case '?': case '{': ok = parse_quantifier(); break;
      case '.':
        push_atom(add_set(alphabet_.full_set()));
        ++pos_;
        break;
      case '|': {
        int node = 0;
        ok = finish_conjunction(stack_.back(), node);
        if (ok) stack_.back().alternatives.push_back(node);
        ++pos_;
        break;
      }
      case '&': {
        int node = 0;
        ok = finish_concat(stack_.back(), node);
        if (ok) stack_.back().conjuncts.push_back(node);
        ++pos_;
        break;
      }
      case '~': {
        Frame& frame = stack_.back();
        if (frame.pending_complements++ == 0) frame.complement_column = pos_ + 1;
        ++pos_;
        break;
      }
      case '^': case '$':
        ok = fail(ErrorCode::kUnsupported, pos_, 1, "anchors are not supported: matching is always whole-string");
        break;
      case ']':
        ok = fail(ErrorCode::kBadClass, pos_, 1, "unmatched ']'");
        break;
      case '}':
        ok = fail(ErrorCode::kBadRepeat, pos_, 1, "unmatched '}'");
        break;
      default: {
        int index = 0;
        ok = symbol_index(c, pos_, 1, index);
        if (ok) push_atom(add_set(SymbolSet{1} << index));
        ++pos_;
      }
    }
    if (!ok) return error_;
  }
  if (stack_.size() > 1) {
    const std::size_t open = stack_.back().open_column - 1;
    return Error{ErrorCode::kUnbalancedParen, open + 1, std::string(pattern_.substr(open, 10)),
                 "missing ')' for the '(' opened here"};
  }
  int root = 0;
  if (!finish_frame(stack_.back(), root)) return error_;
  // The root must be the last node; add_nary may have returned an older index.
  if (root != regex_.root()) regex_.nodes.push_back(regex_.nodes[static_cast<std::size_t>(root)]);
  return std::move(regex_);
}

}  // namespace

Result<Regex> parse_regex(std::string_view pattern, const Alphabet& alphabet) {
  return Parser(pattern, alphabet).parse();
}

std::string Regex::dump(const Alphabet& alphabet) const {
  // Iterative pre-order print with an explicit stack of (node, next child).
  std::string out;
  std::vector<std::pair<int, std::size_t>> stack{{root(), 0}};
  while (!stack.empty()) {
    auto& [index, next] = stack.back();
    const Node& node = nodes[static_cast<std::size_t>(index)];
    if (next == 0) {
      if (!out.empty() && out.back() != '(') out.push_back(' ');
      switch (node.kind) {
        case NodeKind::kEmptyString: out += "()"; break;
        case NodeKind::kSymbolSet: {
          std::string members;
          for (int i = 0; i < alphabet.size(); ++i) {
            if (node.symbols >> i & 1) members.push_back(alphabet.symbol(i));
          }
          out += members.size() == 1 ? members : "[" + members + "]";
          break;
        }
        case NodeKind::kConcat: out += "(cat"; break;
        case NodeKind::kAlternate: out += "(alt"; break;
        case NodeKind::kIntersect: out += "(and"; break;
        case NodeKind::kComplement: out += "(not"; break;
        case NodeKind::kRepeat:
          if (node.min == 0 && node.max == kUnbounded) {
            out += "(*";
          } else if (node.min == 1 && node.max == kUnbounded) {
            out += "(+";
          } else if (node.min == 0 && node.max == 1) {
            out += "(?";
          } else {
            out += "({" + std::to_string(node.min) + "," +
                   (node.max == kUnbounded ? "" : std::to_string(node.max)) + "}";
          }
          break;
      }
    }
    if (next < node.children.size()) {
      const int child = node.children[next++];
      stack.emplace_back(child, 0);
      continue;
    }
    if (!node.children.empty()) out.push_back(')');
    stack.pop_back();
  }
  return out;
}

}  // namespace regal::fsm
