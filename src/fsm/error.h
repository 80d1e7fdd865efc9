#pragma once
// Errors of the automata core are values: a code, the 1-based column in the
// regex (0 when no column applies) and the offending fragment. Callers that
// cannot go on turn them into an InputError with describe().
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace regal::fsm {

enum class ErrorCode {
  kBadAlphabet,         // alphabet empty, repeated symbol, or a symbol outside [A-Za-z0-9]
  kUnbalancedParen,     // '(' without ')' or ')' without '('
  kSymbolNotInAlphabet, // a literal or class member the alphabet lacks
  kBadRepeat,           // malformed or inverted {m,n}, too large a count, a quantifier on a quantifier
  kNothingToRepeat,     // a quantifier with no atom before it
  kMissingOperand,      // '~' with nothing after it
  kBadClass,            // unterminated, empty or inverted [...]
  kBadEscape,           // a trailing backslash or an unknown escape
  kUnsupported,         // anchors, backreferences, lookaround: not regular or not ours
  kStateBudget,         // the automaton outgrew max_states
  kBadFile,             // fsm.json that is malformed or inconsistent
  kBadTask,             // a classification task that is ill-defined (overlapping classes, an empty class, bad parameters)
};

// The stable name of a code, e.g. "unbalanced_paren".
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;           // what went wrong
  std::size_t column = 0;   // 1-based column in the regex; 0 when not about a position
  std::string fragment;     // the offending text, as written
  std::string message;      // one sentence for a human

  // "message (column C: 'fragment')", or just the message without a column.
  std::string describe() const;
};

// Either a value or an Error. Deliberately tiny: ok(), value(), error().
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

  // The value, or throws InputError(error().describe()) prefixed by `context`.
  T take_or_throw(const std::string& context = "") &&;

 private:
  std::variant<T, Error> state_;
};

[[noreturn]] void throw_input_error(const std::string& context, const Error& error);

template <class T>
T Result<T>::take_or_throw(const std::string& context) && {
  if (!ok()) throw_input_error(context, error());
  return std::get<T>(std::move(state_));
}

}  // namespace regal::fsm
