#include "fsm/error.h"

#include "util/error.h"

namespace regal::fsm {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadAlphabet: return "bad_alphabet";
    case ErrorCode::kUnbalancedParen: return "unbalanced_paren";
    case ErrorCode::kSymbolNotInAlphabet: return "symbol_not_in_alphabet";
    case ErrorCode::kBadRepeat: return "bad_repeat";
    case ErrorCode::kNothingToRepeat: return "nothing_to_repeat";
    case ErrorCode::kMissingOperand: return "missing_operand";
    case ErrorCode::kBadClass: return "bad_class";
    case ErrorCode::kBadEscape: return "bad_escape";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kStateBudget: return "state_budget";
    case ErrorCode::kBadFile: return "bad_file";
    case ErrorCode::kBadTask: return "bad_task";
  }
  return "unknown";
}

std::string Error::describe() const {
  if (column == 0) return message;
  return message + " (column " + std::to_string(column) + ": '" + fragment + "')";
}

void throw_input_error(const std::string& context, const Error& error) {
  throw InputError(context.empty() ? error.describe() : context + ": " + error.describe());
}

}  // namespace regal::fsm
