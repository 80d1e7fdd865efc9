#pragma once
// Reading typed fields of JSON settings, with errors that name the dotted key.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace regal {

// A whole number >= 0, or KeyError "KEY must be a whole number >= 0 (got V)".
inline std::uint64_t whole_number(const std::string& key, const nlohmann::json& value) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
    throw KeyError(key, key + " must be a whole number >= 0 (got " + value.dump() + ")");
  }
  return value.get<std::uint64_t>();
}

// A string, or KeyError "KEY must be a string (got V)".
inline std::string text_value(const std::string& key, const nlohmann::json& value) {
  if (!value.is_string()) throw KeyError(key, key + " must be a string (got " + value.dump() + ")");
  return value.get<std::string>();
}

}  // namespace regal
