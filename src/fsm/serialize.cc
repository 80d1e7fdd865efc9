// fsm.json (the canonical automaton, reloadable with a content-hash check) and
// Graphviz DOT (states in canonical order, accepting ones doubled, states
// that cannot reach acceptance and the edges into them dashed grey, parallel
// edges merged into one labelled with their symbols).
#include "fsm/serialize.h"

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

Result<LoadedFsm> from_json(std::string_view text) {
  auto bad = [](const std::string& message) { return Error{ErrorCode::kBadFile, 0, "", "fsm.json: " + message}; };
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  for (const char* field : {"regex", "alphabet", "states", "start", "accepting", "transitions", "hash"}) {
    if (!doc.contains(field)) return bad(std::string("missing field '") + field + "'");
  }
  try {
    auto alphabet = Alphabet::parse(doc.at("alphabet").get<std::string>());
    if (!alphabet) return bad(alphabet.error().describe());
    const auto n = doc.at("states").get<std::size_t>();
    const auto k = static_cast<std::size_t>(alphabet.value().size());
    const auto start = doc.at("start").get<StateId>();
    if (n == 0 || start >= n) return bad("'start' is not a state");
    std::vector<std::uint8_t> accepting(n, 0);
    for (const auto& q : doc.at("accepting")) {
      const auto state = q.get<StateId>();
      if (state >= n) return bad("'accepting' names state " + std::to_string(state) + " of " + std::to_string(n));
      accepting[state] = 1;
    }
    const auto& rows = doc.at("transitions");
    if (!rows.is_array() || rows.size() != n) return bad("'transitions' needs one row per state");
    std::vector<StateId> transitions;
    transitions.reserve(n * k);
    for (const auto& row : rows) {
      if (!row.is_array() || row.size() != k) return bad("every row of 'transitions' needs one entry per symbol");
      for (const auto& target : row) {
        const auto t = target.get<StateId>();
        if (t >= n) return bad("a transition leads to state " + std::to_string(t) + " of " + std::to_string(n));
        transitions.push_back(t);
      }
    }
    LoadedFsm loaded{Dfa(std::move(alphabet).value(), start, std::move(transitions), std::move(accepting)),
                     doc.at("regex").get<std::string>()};
    if (content_hash(loaded.dfa) != doc.at("hash").get<std::string>()) {
      return bad("'hash' does not match the table: the file was edited or corrupted");
    }
    return loaded;
  } catch (const nlohmann::json::exception& e) {
    return bad(std::string("a field has the wrong type: ") + e.what());
  }
}

std::string to_dot(const Dfa& dfa, std::string_view source_regex) {
  const std::vector<bool> live = dfa.live_states();
  std::string escaped;
  for (const char c : source_regex) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  std::string out = "digraph fsm {\n  rankdir=LR;\n  label=\"" + escaped + " over " + dfa.alphabet().symbols() +
                    "\";\n  node [shape=circle];\n  __start [shape=point];\n  __start -> q" +
                    std::to_string(dfa.start()) + ";\n";
  for (StateId q = 0; q < dfa.num_states(); ++q) {
    out += "  q" + std::to_string(q) + " [label=\"" + std::to_string(q) + "\"";
    if (dfa.is_accepting(q)) out += ", shape=doublecircle";
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

}  // namespace regal::fsm
