#pragma once
// Reading typed fields of JSON settings, with errors that name the dotted key.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

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

// Nested objects as dotted keys ({"train": {"lr": 1}} -> "train.lr": 1),
// leaves in key order; a key that already holds dots ("train.steps", as TOML
// quoted keys give) stays whole.
inline void flatten_json(const nlohmann::json& json, const std::string& prefix,
                         std::vector<std::pair<std::string, nlohmann::json>>& out) {
  for (const auto& [key, value] : json.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      flatten_json(value, path, out);
    } else {
      out.emplace_back(path, value);
    }
  }
}
inline std::vector<std::pair<std::string, nlohmann::json>> flatten_json(const nlohmann::json& json) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  flatten_json(json, "", out);
  return out;
}

}  // namespace regal
