// fsm.json (the canonical automaton, reloadable with a content-hash check) and
// Graphviz DOT (states in canonical order, accepting ones doubled, states
// that cannot reach acceptance and the edges into them dashed grey, parallel
// edges merged into one labelled with their symbols).
#include "fsm/serialize.h"

#include <algorithm>
#include <map>

namespace regal::fsm {

nlohmann::json to_json(const Dfa& dfa, std::string_view source_regex) {
  nlohmann::json transitions = nlohmann::json::array();
  nlohmann::json accepting = nlohmann::json::array();
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    nlohmann::json row = nlohmann::json::array();
    for (int s = 0; s < dfa.num_symbols(); ++s) row.push_back(dfa.next(q, s));
    transitions.push_back(std::move(row));
    if (dfa.is_accepting(q)) accepting.push_back(q);
  }
  return nlohmann::json{{"format", "regal-fsm"},
                        {"version", 1},
                        {"regex", std::string(source_regex)},
                        {"alphabet", dfa.alphabet().symbols()},
                        {"states", dfa.num_states()},
                        {"start", dfa.start()},
                        {"accepting", std::move(accepting)},
                        {"transitions", std::move(transitions)},
                        {"hash", content_hash(dfa)}};
}

nlohmann::json to_json(const Task& task) {
  nlohmann::json doc = to_json(task.dfa, task.source);
  if (task.is_recogniser()) return doc;
  doc.erase("accepting");
  nlohmann::json labels = nlohmann::json::array();
  for (StateId q = 0; q < task.dfa.num_states(); ++q) {
    const std::uint8_t label = task.dfa.label(q);
    labels.push_back(label == kNoClass ? nlohmann::json(nullptr) : nlohmann::json(task.classes.at(label)));
  }
  doc["classes"] = task.classes;
  doc["labels"] = std::move(labels);
  return doc;
}

namespace {

Error bad_file(const std::string& message) { return Error{ErrorCode::kBadFile, 0, "", "fsm.json: " + message}; }

// The fields common to both readers; `labels` are filled from "accepting" or
// "labels"/"classes" (classes stays empty for a recogniser).
Result<LoadedFsm> parse_fsm(const nlohmann::json& doc, bool require_hash) {
  std::vector<const char*> fields{"alphabet", "states", "start", "transitions"};
  if (require_hash) fields.insert(fields.end(), {"regex", "hash"});
  for (const char* field : fields) {
    if (!doc.contains(field)) return bad_file(std::string("missing field '") + field + "'");
  }
  const bool labelled = doc.contains("labels") || doc.contains("classes");
  if (!labelled && !doc.contains("accepting")) return bad_file("missing field 'accepting' (or 'classes' and 'labels')");
  if (labelled && !(doc.contains("labels") && doc.contains("classes"))) {
    return bad_file("a labelled automaton needs both 'classes' and 'labels'");
  }
  try {
    auto alphabet = Alphabet::parse(doc.at("alphabet").get<std::string>());
    if (!alphabet) return bad_file(alphabet.error().describe());
    const auto n = doc.at("states").get<std::size_t>();
    const auto k = static_cast<std::size_t>(alphabet.value().size());
    const auto start = doc.at("start").get<StateId>();
    if (n == 0 || start >= n) return bad_file("'start' is not a state");
    std::vector<std::uint8_t> labels(n, 0);
    std::vector<std::string> classes;
    if (labelled) {
      classes = doc.at("classes").get<std::vector<std::string>>();
      if (classes.size() < 2 || classes.size() >= kNoClass) return bad_file("'classes' needs 2..254 names");
      for (std::size_t c = 0; c < classes.size(); ++c) {
        for (std::size_t d = 0; d < c; ++d) {
          if (classes[c] == classes[d]) return bad_file("class '" + classes[c] + "' is named twice in 'classes'");
        }
      }
      const auto& rows = doc.at("labels");
      if (!rows.is_array()) return bad_file("'labels' must be a list, one entry per state");
      if (rows.size() != n) {
        return bad_file("state " + std::to_string(std::min(rows.size(), n)) + " has no label ('labels' has " +
                        std::to_string(rows.size()) + " entries for " + std::to_string(n) + " states)");
      }
      for (std::size_t q = 0; q < n; ++q) {
        if (rows[q].is_null()) {
          labels[q] = kNoClass;
          continue;
        }
        const auto name = rows[q].get<std::string>();
        const auto it = std::find(classes.begin(), classes.end(), name);
        if (it == classes.end()) return bad_file("state " + std::to_string(q) + " is labelled '" + name + "', which is not in 'classes'");
        labels[q] = static_cast<std::uint8_t>(it - classes.begin());
      }
    } else {
      for (const auto& q : doc.at("accepting")) {
        const auto state = q.get<StateId>();
        if (state >= n) return bad_file("'accepting' names state " + std::to_string(state) + " of " + std::to_string(n));
        labels[state] = 1;
      }
    }
    const auto& rows = doc.at("transitions");
    if (!rows.is_array() || rows.size() != n) return bad_file("'transitions' needs one row per state");
    std::vector<StateId> transitions;
    transitions.reserve(n * k);
    for (const auto& row : rows) {
      if (!row.is_array() || row.size() != k) return bad_file("every row of 'transitions' needs one entry per symbol");
      for (const auto& target : row) {
        const auto t = target.get<StateId>();
        if (t >= n) return bad_file("a transition leads to state " + std::to_string(t) + " of " + std::to_string(n));
        transitions.push_back(t);
      }
    }
    LoadedFsm loaded{Dfa(std::move(alphabet).value(), start, std::move(transitions), std::move(labels)),
                     doc.value("regex", std::string()), std::move(classes)};
    if (doc.contains("hash") && content_hash(loaded.dfa) != doc.at("hash").get<std::string>()) {
      return bad_file("'hash' does not match the table: the file was edited or corrupted");
    }
    return loaded;
  } catch (const nlohmann::json::exception& e) {
    return bad_file(std::string("a field has the wrong type: ") + e.what());
  }
}

}  // namespace

Result<LoadedFsm> from_json(std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad_file("not a JSON object");
  return parse_fsm(doc, /*require_hash=*/true);
}

Result<Task> task_from_json(std::string_view text, const std::string& source) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad_file("not a JSON object");
  auto loaded = parse_fsm(doc, /*require_hash=*/false);
  if (!loaded) return loaded.error();
  LoadedFsm fsm = std::move(loaded).value();
  std::vector<std::string> classes = fsm.classes.empty() ? recogniser_classes() : fsm.classes;
  Dfa dfa = minimize(fsm.dfa);  // unreachable states drop out here
  std::vector<bool> carried(256, false);
  for (const std::uint8_t label : dfa.labels()) carried[label] = true;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    if (!carried[c]) return bad_file("class '" + classes[c] + "' is carried by no state reachable from the start");
  }
  return Task{std::move(dfa), std::move(classes), source};
}

namespace {

// `classes` empty: a recogniser (accepting states doubled); otherwise each
// state shows its class and states that cannot reach the domain are dead.
std::string dot_of(const Dfa& dfa, std::string_view source_regex, const std::vector<std::string>& classes) {
  std::vector<bool> in_domain(256, true);
  in_domain[kNoClass] = false;
  const std::vector<bool> live = classes.empty() ? dfa.live_states() : dfa.reaching(in_domain);
  std::string escaped;
  for (const char c : source_regex) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  std::string out = "digraph fsm {\n  rankdir=LR;\n  label=\"" + escaped + " over " + dfa.alphabet().symbols() +
                    "\";\n  node [shape=circle];\n  __start [shape=point];\n  __start -> q" +
                    std::to_string(dfa.start()) + ";\n";
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    out += "  q" + std::to_string(q) + " [label=\"" + std::to_string(q);
    if (!classes.empty() && dfa.label(q) != kNoClass) out += "\\n" + classes.at(dfa.label(q));
    out += "\"";
    if (classes.empty() && dfa.is_accepting(q)) out += ", shape=doublecircle";
    if (!live[q]) out += ", style=dashed, color=grey, fontcolor=grey";
    out += "];\n";
  }
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    std::map<StateId, std::string> labels;  // merge parallel edges, ordered by target
    for (int s = 0; s < dfa.num_symbols(); ++s) {
      std::string& label = labels[dfa.next(q, s)];
      if (!label.empty()) label += ",";
      label.push_back(dfa.alphabet().symbol(s));
    }
    for (const auto& [target, label] : labels) {
      out += "  q" + std::to_string(q) + " -> q" + std::to_string(target) + " [label=\"" + label + "\"";
      if (!live[target]) out += ", style=dashed, color=grey";
      out += "];\n";
    }
  }
  return out + "}\n";
}

}  // namespace

std::string to_dot(const Dfa& dfa, std::string_view source_regex) { return dot_of(dfa, source_regex, {}); }

std::string to_dot(const Task& task) {
  return dot_of(task.dfa, task.source, task.is_recogniser() ? std::vector<std::string>{} : task.classes);
}

}  // namespace regal::fsm
