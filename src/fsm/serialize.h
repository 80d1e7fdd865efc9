#pragma once
// fsm.json and Graphviz DOT.
//
// fsm.json: {"format": "regal-fsm", "version": 1, "regex": ..., "alphabet": "ab",
//            "states": N, "start": 0, "accepting": [q...], "transitions": [[δ(q,s) for s] for q],
//            "hash": content_hash}. It loads back to an identical automaton.
// A task that is not a recogniser (fsm/task.h) has, instead of "accepting",
// "classes": [names] and "labels": [class name per state, null outside the
// domain]; "regex" then holds the task's source.
//
// A labelled DFA written by hand (a task's `fsm = "file"`) has the same
// fields; "hash" and "regex" may be left out, states need not be minimal or
// canonical: task_from_json minimises and renumbers it.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fsm/dfa.h"
#include "fsm/task.h"

namespace regal::fsm {

nlohmann::json to_json(const Dfa& dfa, std::string_view source_regex);
nlohmann::json to_json(const Task& task);

struct LoadedFsm {
  Dfa dfa;                           // exactly the automaton that was saved
  std::string regex;                 // the source regex (or a task's source) recorded with it
  std::vector<std::string> classes;  // a labelled task's class names; empty for a recogniser
};

// Parses fsm.json text. Errors (kBadFile) name the field that is missing or
// inconsistent, including a stored hash that does not match the table.
Result<LoadedFsm> from_json(std::string_view text);

// A task from a labelled DFA in JSON (written by hand or saved): every state
// needs a label (a class name, or null outside the domain), every class must
// be carried by some reachable state, "hash" is checked when present. Errors
// (kBadFile) name the field or state; `source` names the file in the task.
Result<Task> task_from_json(std::string_view text, const std::string& source);
// Graphviz: accepting states double circles, the dead state grey and dashed,
// parallel edges merged with their symbols listed.
std::string to_dot(const Dfa& dfa, std::string_view source_regex);
// A task's states also show their class (recognisers: as above).
std::string to_dot(const Task& task);

}  // namespace regal::fsm
