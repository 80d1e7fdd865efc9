#pragma once
// One experiment: a language, a corpus, a model, training and evaluation
// settings, a seed. Its canonical JSON (sorted keys) is the snapshot written
// as experiment.json; its run_id is a short hash of what determines the
// results — labels (name, language.name), device and threads excluded — so
// the same point has the same id in any spec and on any machine.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/config.h"
#include "fsm/task.h"
#include "model/config.h"
#include "train/config.h"

namespace regal::experiment {

// What is learned: a recogniser (a regex) or a k-class task, defined by one
// regex per class, a built-in generator, or a labelled DFA file (docs/tasks.md).
// Exactly one of regex, classes, generator, fsm defines it.
struct LanguageSpec {
  std::string name = "a_plus";  // a label for tables and messages
  std::string regex = "a+";     // full-match regex (see docs/regex.md); "" for a task defined otherwise
  std::string alphabet = "ab";  // the symbols, in token order (a generator's or file's own, for those)
  std::map<std::string, std::string> classes;  // class name -> regex, pairwise disjoint; classes numbered in name order
  std::string generator;        // "" | cycle_navigation | modular_arithmetic
  std::size_t n = 5;            // the generator's size: the cycle's length, the modulus
  std::string operators = "pmx";  // modular_arithmetic's operators: p (+), m (-), x (*)
  std::string fsm;              // a labelled DFA in JSON (fsm/serialize.h); its content, not its path, is identity

  // "regex", "classes", "generator" or "fsm".
  std::string kind() const;
  // One line for listings: the regex, "classes even, odd", "cycle_navigation n=5", "fsm tasks/x.json".
  std::string describe() const;
  // Classes the task has, as far as the spec says without compiling (a file's: 2); for estimates.
  std::size_t num_classes_hint() const {
    if (!classes.empty()) return classes.size();
    if (!generator.empty()) return n;
    return 2;
  }
  nlohmann::json to_json() const;
};

// The task a language defines (a recogniser for a regex). Throws KeyError
// naming the language key at fault (overlapping classes with a witness, an
// unknown generator, an unreadable or invalid file, a state budget).
fsm::Task compile_task(const LanguageSpec& language, std::size_t max_states = fsm::kDefaultMaxStates);

struct EvalConfig {
  double tau = 0.95;  // accuracy threshold of the generalisation horizon H_tau
  // The weights the tests see: best (best.pt, the best validation accuracy;
  // the first to reach it when validation saturates) | last (the final weights).
  std::string checkpoint = "best";
};

struct Experiment {
  std::string name = "experiment";  // a label; results/<name>/ for `sweep --exp`
  std::string description;          // one line for `sweep --list`
  LanguageSpec language;            // what is learned
  data::DataConfig data;            // data.*
  model::ModelConfig model;         // model.*
  train::TrainConfig train;         // train.*
  EvalConfig eval;                  // eval.*
  std::uint64_t seed = 0;           // every random stream derives from it
  std::string device = "cpu";       // cpu | cuda | cuda:N | auto (not part of run_id)
  std::size_t threads = 1;          // torch threads for this run (not part of run_id)

  // Canonical JSON: every field, sorted keys.
  nlohmann::json to_json() const;
  // Strict: unknown keys and ill-typed values throw KeyError naming the
  // dotted key and the closest valid one. Missing keys keep their defaults.
  static Experiment from_json(const nlohmann::json& json);
  // Checks every section (throws InputError naming the field) and the regex
  // (the message names the column).
  void validate() const;
  // The next-symbol head's width: (|Σ| + 1) per class when next-symbol
  // outputs are trained (train.target = next_symbols, train.aux_weight), else 0.
  std::size_t next_outputs(std::size_t num_classes) const {
    return train.next_symbols() ? (language.alphabet.size() + 1) * num_classes : 0;
  }
  // The model as the spec describes it (the budget resolved, classes as far as
  // the spec says without compiling) and its parameter count; for estimates.
  std::pair<model::ModelConfig, std::size_t> planned_model() const;
};

// Every dotted key an experiment accepts ("train.lr", "seed", ...).
const std::vector<std::string>& experiment_keys();

// A copy with `overrides` applied: {"train.lr": "3e-4", "model.arch": "lstm"}.
// Values are text, read by the type of the key (whole number, number, text,
// null for optional fields). Unknown keys and ill-typed values throw KeyError.
Experiment with_overrides(const Experiment& experiment, const std::map<std::string, std::string>& overrides);

// Sets one dotted key to a JSON value (from a TOML spec or an override).
void set_key(nlohmann::json& experiment_json, const std::string& key, const nlohmann::json& value);

// 12 hex digits of SHA-256 over the canonical JSON without name,
// description, language.name, device and threads.
std::string run_id(const Experiment& experiment);

// The experiment as a TOML document (fields that are unset are omitted).
std::string to_toml(const Experiment& experiment);

// Reads an experiment file: .json (an experiment.json) or .toml. Errors name
// the file, and for TOML the line of the offending key.
Experiment load_experiment_file(const std::filesystem::path& path);

// A TOML table as JSON, remembering the line of every dotted key.
nlohmann::json toml_file_to_json(const std::filesystem::path& path, std::map<std::string, std::size_t>& lines);
// The same for TOML text already read, `source` naming it in messages.
nlohmann::json toml_text_to_json(std::string_view text, const std::filesystem::path& source,
                                 std::map<std::string, std::size_t>& lines);

}  // namespace regal::experiment
