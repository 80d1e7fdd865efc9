// The experiment schema: canonical JSON (sorted keys), strict reading with
// "did you mean" for unknown keys, typed overrides, the run id, and TOML in
// and out. The run id hashes the canonical JSON minus the keys that are not
// identity (layout/experiment_keys.h), so the same settings have the same id
// wherever they are written.
#include "experiment/experiment.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "fsm/compile.h"
#include "fsm/serialize.h"
#include "io/hash.h"
#include "io/json_file.h"
#include "layout/experiment_keys.h"
#include "util/error.h"
#include "util/json_fields.h"
#include "util/text.h"

namespace regal::experiment {
namespace {


// Keys whose value may be null (unset) besides its type.
bool nullable(const std::string& key) { return key == "data.seed" || key == "model.params"; }

nlohmann::json parse_value(const std::string& key, const nlohmann::json& current, const std::string& text) {
  auto fail = [&](const std::string& what) -> nlohmann::json {
    throw KeyError(key, key + " must be " + what + " (got '" + text + "')");
  };
  if (nullable(key) && (text == "null" || text == "none" || text.empty())) return nullptr;
  const bool integral = current.is_number_integer() || key == "data.seed";
  const bool numeric = current.is_number() || key == "model.params";
  if (current.is_string()) return text;
  if (current.is_boolean()) {
    if (text == "true") return true;
    if (text == "false") return false;
    return fail("true or false");
  }
  if (integral) {
    // Whole numbers may be written 2000 or 2e3.
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      return fail("a whole number");
    }
    if (used != text.size() || value < 0 || value != static_cast<double>(static_cast<std::uint64_t>(value))) {
      return fail("a whole number >= 0");
    }
    return static_cast<std::uint64_t>(value);
  }
  if (numeric) {
    std::size_t used = 0;
    try {
      const double value = std::stod(text, &used);
      if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
    return fail("a number");
  }
  return fail("a value of its type");
}

}  // namespace

std::string LanguageSpec::kind() const {
  if (!classes.empty()) return "classes";
  if (!generator.empty()) return "generator";
  if (!fsm.empty()) return "fsm";
  return "regex";
}

std::string LanguageSpec::describe() const {
  const std::string how = kind();
  if (how == "regex") return regex;
  if (how == "fsm") return "fsm " + fsm;
  if (how == "generator") {
    return generator + " n=" + std::to_string(n) + (generator == "modular_arithmetic" ? " operators=" + operators : "");
  }
  std::string names;
  for (const auto& entry : classes) names += (names.empty() ? "" : ", ") + entry.first;
  return "classes " + names;
}

nlohmann::json LanguageSpec::to_json() const {
  nlohmann::json class_table = nlohmann::json::object();
  for (const auto& [class_name, class_regex] : classes) class_table[class_name] = class_regex;
  return {{"name", name},           {"regex", regex},  {"alphabet", alphabet},   {"classes", std::move(class_table)},
          {"generator", generator}, {"n", n},          {"operators", operators}, {"fsm", fsm}};
}

namespace {

// The alphabet a generator writes its strings over.
std::string generator_alphabet(const LanguageSpec& language) {
  if (language.generator == "cycle_navigation") return "012";
  std::string symbols;
  for (std::size_t d = 0; d < std::min<std::size_t>(language.n, 10); ++d) symbols.push_back(static_cast<char>('0' + d));
  return symbols + language.operators;
}

fsm::Task read_task_file(const LanguageSpec& language) {
  std::ifstream in(language.fsm, std::ios::binary);
  if (!in) throw KeyError("language.fsm", "language '" + language.name + "': cannot read fsm file " + language.fsm);
  std::stringstream text;
  text << in.rdbuf();
  auto task = fsm::task_from_json(text.str(), language.fsm);
  if (!task) throw KeyError("language.fsm", "language '" + language.name + "': " + language.fsm + ": " + task.error().describe());
  return std::move(task).value();
}

}  // namespace

fsm::Task compile_task(const LanguageSpec& language, std::size_t max_states) {
  const std::string what = "language '" + language.name + "'";
  const std::string kind = language.kind();
  if (kind == "generator") {
    const auto& names = fsm::generator_names();
    if (std::find(names.begin(), names.end(), language.generator) == names.end()) {
      throw KeyError("language.generator", what + ": unknown generator '" + language.generator + "'" +
                                               did_you_mean(language.generator, names));
    }
    try {
      if (language.generator == "cycle_navigation") return fsm::cycle_navigation(static_cast<int>(std::min<std::size_t>(language.n, 1000)));
      return fsm::modular_arithmetic(static_cast<int>(std::min<std::size_t>(language.n, 1000)), language.operators);
    } catch (const InputError& error) {
      throw KeyError("language.n", what + ": " + error.what());
    }
  }
  if (kind == "fsm") return read_task_file(language);
  const auto alphabet = fsm::Alphabet::parse(language.alphabet);
  if (!alphabet) throw KeyError("language.alphabet", "language.alphabet: " + alphabet.error().describe());
  if (kind == "classes") {
    const std::vector<std::pair<std::string, std::string>> classes(language.classes.begin(), language.classes.end());
    auto task = fsm::task_from_classes(classes, alphabet.value(), max_states);
    if (!task) throw KeyError("language.classes", what + ": " + task.error().describe());
    return std::move(task).value();
  }
  auto dfa = fsm::compile_regex(language.regex, alphabet.value(), {max_states});
  if (!dfa) throw KeyError("language.regex", what + ": " + dfa.error().describe());
  return fsm::recogniser(std::move(dfa).value(), language.regex);
}

nlohmann::json Experiment::to_json() const {
  return {{"name", name},
          {"description", description},
          {"language", language.to_json()},
          {"data", data.to_json()},
          {"model", model.to_json()},
          {"train", train.to_json()},
          {"eval", {{"tau", eval.tau}, {"checkpoint", eval.checkpoint}}},
          {"seed", seed},
          {"device", device},
          {"threads", threads}};
}

const std::vector<std::string>& experiment_keys() {
  // Built once: a 100,000-run spec builds and checks an experiment per point.
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> all;
    for (const auto& [key, value] : flatten_json(Experiment().to_json())) all.push_back(key);
    all.push_back("language.classes");  // a table, empty by default
    std::sort(all.begin(), all.end());
    return all;
  }();
  return keys;
}

Experiment Experiment::from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw InputError("an experiment must be a table of settings");
  const std::vector<std::string>& keys = experiment_keys();
  static const std::set<std::string> sections = {"language", "data", "model", "train", "eval"};
  Experiment e;
  for (const auto& [key, value] : json.items()) {
    if (sections.count(key)) {
      if (!value.is_object()) throw KeyError(key, key + " must be a table");
      continue;
    }
    if (!std::binary_search(keys.begin(), keys.end(), key)) {  // sorted
      throw KeyError(key, "unknown key " + key + did_you_mean(key, keys));
    }
  }
  const auto text = text_value;
  const auto whole = whole_number;
  if (json.contains("name")) e.name = text("name", json["name"]);
  if (json.contains("description")) e.description = text("description", json["description"]);
  if (json.contains("seed")) e.seed = whole("seed", json["seed"]);
  if (json.contains("device")) e.device = text("device", json["device"]);
  if (json.contains("threads")) e.threads = whole("threads", json["threads"]);
  if (json.contains("language")) {
    for (const auto& [key, value] : json["language"].items()) {
      const std::string path = "language." + key;
      if (key == "name") e.language.name = text(path, value);
      else if (key == "regex") e.language.regex = text(path, value);
      else if (key == "alphabet") e.language.alphabet = text(path, value);
      else if (key == "generator") e.language.generator = text(path, value);
      else if (key == "n") e.language.n = whole(path, value);
      else if (key == "operators") e.language.operators = text(path, value);
      else if (key == "fsm") e.language.fsm = text(path, value);
      else if (key == "classes") {
        if (!value.is_object()) throw KeyError(path, path + " must be a table { name = \"REGEX\", ... }");
        for (const auto& [class_name, class_regex] : value.items()) e.language.classes[class_name] = text(path + "." + class_name, class_regex);
      } else {
        throw KeyError(path, "unknown key " + path + did_you_mean(path, keys));
      }
    }
    // A task defined otherwise has no regex; a generator and a file bring their own alphabet.
    const nlohmann::json& given = json["language"];
    if (e.language.kind() != "regex" && !given.contains("regex")) e.language.regex.clear();
    if (e.language.kind() == "generator") e.language.alphabet = generator_alphabet(e.language);
    if (e.language.kind() == "fsm" && !given.contains("alphabet")) {
      std::ifstream in(e.language.fsm, std::ios::binary);
      const nlohmann::json file = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (file.is_object() && file.contains("alphabet") && file["alphabet"].is_string()) {
        e.language.alphabet = file["alphabet"].get<std::string>();
      }
    }
  }
  if (json.contains("eval")) {
    for (const auto& [key, value] : json["eval"].items()) {
      if (key == "checkpoint") {
        e.eval.checkpoint = text("eval.checkpoint", value);
        continue;
      }
      if (key != "tau") throw KeyError("eval." + key, "unknown key eval." + key + did_you_mean("eval." + key, keys));
      if (!value.is_number()) throw KeyError("eval.tau", "eval.tau must be a number (got " + value.dump() + ")");
      e.eval.tau = value.get<double>();
    }
  }
  if (json.contains("data")) e.data = data::DataConfig::from_json(json["data"]);
  if (json.contains("model")) e.model = model::ModelConfig::from_json(json["model"]);
  if (json.contains("train")) e.train = train::TrainConfig::from_json(json["train"]);
  return e;
}

std::pair<model::ModelConfig, std::size_t> Experiment::planned_model() const {
  const std::size_t symbols = language.alphabet.size(), classes = language.num_classes_hint();
  const model::ModelConfig resolved = model::resolve_budget(model, symbols, data.L_test_max, classes, next_outputs(classes));
  return {resolved, model::parameter_count(resolved, symbols, data.L_test_max, classes, next_outputs(classes))};
}

void Experiment::validate() const {
  if (threads < 1) throw KeyError("threads", "threads must be at least 1");
  if (!(eval.tau > 0 && eval.tau <= 1)) throw KeyError("eval.tau", "eval.tau must lie in (0, 1]");
  if (eval.checkpoint != "best" && eval.checkpoint != "last") {
    throw KeyError("eval.checkpoint", "eval.checkpoint must be best or last (got '" + eval.checkpoint + "')");
  }
  if (device != "cpu" && device != "cuda" && device != "auto" && device.rfind("cuda:", 0) != 0) {
    throw KeyError("device", "device must be cpu, cuda, cuda:N or auto (got '" + device + "')");
  }
  data.validate();
  model.validate();
  train.validate();
  if (data.train_mode == data::TrainMode::kOnline) {
    if (train.shuffle_labels) {
      throw KeyError("train.shuffle_labels", "train.shuffle_labels needs a fixed corpus (data.train_mode = corpus)");
    }
    if (data.negatives != data::Negatives::kUniform) {
      throw KeyError("data.negatives", "data.negatives = " + std::string(data::negatives_name(data.negatives)) +
                                           " needs a fixed corpus (data.train_mode = corpus)");
    }
  }
  if (train.target != "string" && model.is_transformer() && model.pool == "mean") {
    throw KeyError("model.pool", "train.target = " + train.target + " reads every position causally; model.pool = mean "
                                 "looks ahead (use cls or end)");
  }
  if (train.target == "string" && train.aux_weight > 0 && model.is_transformer() && model.pool == "cls") {
    throw KeyError("model.pool", "train.aux_weight trains next-symbol outputs at every position, so the transformer "
                                 "attends causally, and a CLS token in front would see only itself: use model.pool = "
                                 "end (or mean)");
  }
  if (train.reads_positions() && train.shuffle_labels) {
    throw KeyError("train.shuffle_labels", "train.shuffle_labels permutes string labels; train.target = " + train.target +
                                               (train.aux_weight > 0 ? " with train.aux_weight" : "") +
                                               " labels every prefix from the automaton");
  }
  if (language.kind() != "regex" && (data.p_accept != data::DataConfig().p_accept ||
                                     data.negatives != data::Negatives::kUniform)) {
    throw KeyError(data.negatives != data::Negatives::kUniform ? "data.negatives" : "data.p_accept",
                   "data.p_accept and data.negatives apply to a recogniser (a regex); language '" + language.name +
                       "' is a task: data.sampling says how its classes are drawn");
  }
  const std::string kind = language.kind();
  const int definitions = (language.classes.empty() ? 0 : 1) + (language.generator.empty() ? 0 : 1) +
                          (language.fsm.empty() ? 0 : 1) + (language.regex.empty() ? 0 : 1);
  if (definitions != 1) {
    throw KeyError(kind == "regex" ? "language.regex" : "language." + kind,
                   "language '" + language.name + "': give exactly one of regex, classes, generator, fsm");
  }
  const LanguageSpec defaults;
  if (kind != "generator" && (language.n != defaults.n || language.operators != defaults.operators)) {
    throw KeyError(language.n != defaults.n ? "language.n" : "language.operators",
                   "language '" + language.name + "': n and operators belong to a generator");
  }
  if (kind == "regex") {
    const auto alphabet = fsm::Alphabet::parse(language.alphabet);
    if (!alphabet) throw KeyError("language.alphabet", "language.alphabet: " + alphabet.error().describe());
    const auto parsed = fsm::parse_regex(language.regex, alphabet.value());
    if (!parsed) {
      throw KeyError("language.regex", "language '" + language.name + "': regex " + language.regex + ": " +
                                           parsed.error().describe());
    }
  }
}

namespace {

// The node of a known dotted key ("train.lr"); KeyError for an unknown one.
nlohmann::json& node_of(nlohmann::json& experiment_json, const std::string& key) {
  const std::vector<std::string>& keys = experiment_keys();
  if (!std::binary_search(keys.begin(), keys.end(), key)) {  // sorted
    throw KeyError(key, "unknown key " + key + did_you_mean(key, keys));
  }
  nlohmann::json* node = &experiment_json;
  std::stringstream parts(key);
  for (std::string part; std::getline(parts, part, '.');) node = &(*node)[part];
  return *node;
}

}  // namespace

void set_key(nlohmann::json& experiment_json, const std::string& key, const nlohmann::json& value) {
  node_of(experiment_json, key) = value;
}

Experiment with_overrides(const Experiment& experiment, const std::map<std::string, std::string>& overrides) {
  nlohmann::json json = experiment.to_json();
  for (const auto& [key, text] : overrides) {
    nlohmann::json& node = node_of(json, key);
    node = parse_value(key, node, text);
  }
  return Experiment::from_json(json);
}

std::string run_id(const Experiment& experiment) {
  nlohmann::json json = experiment.to_json();
  static const nlohmann::json defaults = Experiment().to_json();
  auto erase = [&json](const std::string& dotted) {
    const auto dot = dotted.find('.');
    if (dot == std::string::npos) json.erase(dotted);
    else json[dotted.substr(0, dot)].erase(dotted.substr(dot + 1));
  };
  for (const char* key : layout::kNotIdentity) erase(key);
  if (!experiment.language.fsm.empty()) {
    // The task a file holds is identity, not where the file lies.
    try {
      const fsm::Task task = compile_task(experiment.language);
      nlohmann::json content = {{"dfa", fsm::content_hash(task.dfa)}, {"classes", task.classes}};
      json["language"]["fsm"] = "content:" + io::sha256_hex(content.dump());
    } catch (const InputError&) {
      // unreadable: validation says so; the path stands in meanwhile
    }
  }
  for (const char* key : layout::kIdentityWhenSet) {
    std::string pointer = std::string("/") + key;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    if (json[nlohmann::json::json_pointer(pointer)] == defaults[nlohmann::json::json_pointer(pointer)]) erase(key);
  }
  return io::sha256_hex(json.dump()).substr(0, 12);
}

std::string to_toml(const Experiment& experiment) {
  const nlohmann::json json = experiment.to_json();
  auto scalar = [](const nlohmann::json& value) -> std::string {
    if (value.is_string()) {
      std::ostringstream out;
      out << toml::value<std::string>(value.get<std::string>());
      return out.str();
    }
    // The shortest text that reads back to the same double ("0.9", not
    // "0.90000000000000002"); JSON's spelling of a float is also TOML's.
    if (value.is_number_float()) return value.dump();
    if (value.is_object()) {  // language.classes: an inline table
      std::string table = "{";
      for (const auto& [key, entry] : value.items()) {
        std::ostringstream quoted_key, quoted_value;
        quoted_key << toml::value<std::string>(key);
        quoted_value << toml::value<std::string>(entry.get<std::string>());
        table += (table.size() > 1 ? ", " : " ") + quoted_key.str() + " = " + quoted_value.str();
      }
      return table + (table.size() > 1 ? " }" : "}");
    }
    return value.dump();
  };
  std::string out;
  for (const char* key : {"name", "description", "seed", "device", "threads"}) {
    out += std::string(key) + " = " + scalar(json[key]) + "\n";
  }
  for (const char* section : {"language", "data", "model", "train", "eval"}) {
    out += std::string("\n[") + section + "]\n";
    for (const auto& [key, value] : json[section].items()) {
      if (value.is_null()) continue;  // unset optional: TOML has no null
      out += key + " = " + scalar(value) + "\n";
    }
  }
  return out;
}

namespace {

// TOML -> JSON for any nesting, recording the line of every keyed value under
// its dotted path (array elements share their array's path). TOML files are
// shallow, written by hand; the depth of this walk is the file's nesting.
nlohmann::json toml_to_json(const toml::node& node, const std::string& path, const std::filesystem::path& file,
                            std::map<std::string, std::size_t>& lines) {
  if (const auto* table = node.as_table()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, child] : *table) {
      const std::string name(key.str());
      const std::string dotted = path.empty() ? name : path + "." + name;
      lines.emplace(dotted, child.source().begin.line);
      object[name] = toml_to_json(child, dotted, file, lines);
    }
    return object;
  }
  if (const auto* array = node.as_array()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& element : *array) list.push_back(toml_to_json(element, path, file, lines));
    return list;
  }
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return i->get();
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* b = node.as_boolean()) return b->get();
  throw InputError(file.string() + ":" + std::to_string(node.source().begin.line) + ": unsupported value for " + path +
                   " (dates and times mean nothing here)");
}

}  // namespace

nlohmann::json toml_file_to_json(const std::filesystem::path& path, std::map<std::string, std::size_t>& lines) {
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw InputError(path.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  return toml_to_json(table, "", path, lines);
}

nlohmann::json toml_text_to_json(std::string_view text, const std::filesystem::path& source,
                                 std::map<std::string, std::size_t>& lines) {
  toml::table table;
  try {
    table = toml::parse(text, source.string());
  } catch (const toml::parse_error& e) {
    throw InputError(source.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  return toml_to_json(table, "", source, lines);
}

Experiment load_experiment_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw InputError("no such experiment file: " + path.string());
  if (path.extension() == ".json") {
    const auto json = io::read_json_file(path);
    if (!json) throw InputError(path.string() + ": not valid JSON");
    try {
      return Experiment::from_json(*json);
    } catch (const InputError& e) {
      throw InputError(path.string() + ": " + e.what());
    }
  }
  std::map<std::string, std::size_t> lines;
  const nlohmann::json json = toml_file_to_json(path, lines);
  try {
    Experiment experiment = Experiment::from_json(json);
    experiment.validate();
    return experiment;
  } catch (const KeyError& e) {
    const auto line = lines.find(e.key());
    throw InputError(path.string() + (line == lines.end() ? "" : ":" + std::to_string(line->second)) + ": " + e.what());
  } catch (const InputError& e) {
    throw InputError(path.string() + ": " + e.what());
  }
}

}  // namespace regal::experiment
