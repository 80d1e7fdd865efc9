#pragma once
// fsm.json and Graphviz DOT.
//
// fsm.json: {"format": "regal-fsm", "version": 1, "regex": ..., "alphabet": "ab",
//            "states": N, "start": 0, "accepting": [q...], "transitions": [[δ(q,s) for s] for q],
//            "hash": content_hash}. It loads back to an identical automaton.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fsm/dfa.h"

namespace regal::fsm {

nlohmann::json to_json(const Dfa& dfa, std::string_view source_regex);

struct LoadedFsm {
  Dfa dfa;            // exactly the automaton that was saved
  std::string regex;  // the source regex recorded with it
};

// Parses fsm.json text. Errors (kBadFile) name the field that is missing or
// inconsistent, including a stored hash that does not match the table.
Result<LoadedFsm> from_json(std::string_view text);

// Graphviz: accepting states double circles, the dead state grey and dashed,
// parallel edges merged with their symbols listed.
std::string to_dot(const Dfa& dfa, std::string_view source_regex);

}  // namespace regal::fsm
