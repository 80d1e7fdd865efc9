// Named experiments: the built-in ones (code as configuration: the Tomita
// languages, parity, ...), then every *.toml in the experiment folders. A
// name defined twice is an error naming both places, never a silent shadow.
#include "experiment/registry.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

#include "util/error.h"
#include "util/text.h"

#ifndef REGAL_SOURCE_DIR
#define REGAL_SOURCE_DIR "."
#endif

namespace regal::experiment {
namespace {

struct NamedLanguage {
  const char* name;
  const char* regex;
  const char* alphabet;
  const char* description;
};

// The languages of the literature. Tomita grammars over {0,1}.
const NamedLanguage kLanguages[] = {
    {"a_plus", "a+", "ab", "one or more a's"},
    {"ab_star", "(ab)*", "ab", "repetitions of ab (no odd lengths)"},
    {"a_or_b_then_c", "(a|b)c", "abc", "ac or bc: a two-string language"},
    {"parity", "(b*ab*a)*b*", "ab", "an even number of a's"},
    {"even_pairs", "|a(.*a)?|b(.*b)?", "ab", "first symbol equals last (even count of ab and ba pairs)"},
    {"no_aa", "~(.*aa.*)", "ab", "no two a's in a row"},
    {"tomita1", "1*", "01", "Tomita 1: 1*"},
    {"tomita2", "(10)*", "01", "Tomita 2: (10)*"},
    {"tomita3", "~(((.*0)|)1(11)*0(00)*((1.*)|))", "01",
     "Tomita 3: no odd block of 1s directly followed by an odd block of 0s"},
    {"tomita4", "~(.*000.*)", "01", "Tomita 4: no 000"},
    {"tomita5", "(1*01*0)*1*&(0*10*1)*0*", "01", "Tomita 5: even numbers of 0s and of 1s"},
    {"tomita6", "(0(01)*(1|00)|1(10)*(0|11))*", "01", "Tomita 6: #0 - #1 divisible by 3"},
    {"tomita7", "0*1*0*1*", "01", "Tomita 7: 0*1*0*1*"},
};

LanguageSpec spec_of(const NamedLanguage& language) {
  LanguageSpec spec;
  spec.name = language.name;
  spec.regex = language.regex;
  spec.alphabet = language.alphabet;
  return spec;
}

// The built-in generators by name, with their defaults (Delétang et al.'s).
std::vector<LanguageSpec> generated_languages() {
  std::vector<LanguageSpec> out;
  for (const std::string& generator : fsm::generator_names()) {
    LanguageSpec spec;
    spec.name = generator;
    spec.regex.clear();
    spec.generator = generator;
    spec.alphabet = generator == "cycle_navigation" ? "012" : "01234" + spec.operators;
    out.push_back(spec);
  }
  return out;
}

Experiment from_language(const NamedLanguage& language) {
  Experiment e;
  e.name = language.name;
  e.description = language.description;
  e.language = spec_of(language);
  return e;
}

std::vector<Experiment> built_in() {
  std::vector<Experiment> out;
  for (const auto& language : kLanguages) out.push_back(from_language(language));
  auto find = [&](const std::string& name) -> Experiment& {
    return *std::find_if(out.begin(), out.end(), [&](const Experiment& e) { return e.name == name; });
  };
  // a_plus is the smoke test and the demo: small and quick on two CPU cores.
  Experiment& a_plus = find("a_plus");
  a_plus.data.n_train = 2000;
  a_plus.data.n_val = 200;
  a_plus.data.L_test_max = 40;
  a_plus.data.n_test_per_length = 40;
  a_plus.model.d_model = 32;
  a_plus.train.steps = 300;
  a_plus.train.eval_every = 100;
  a_plus.train.lr = 3e-3;
  // Recurrent nets learn parity and generalise in length; defaults otherwise.
  Experiment& parity = find("parity");
  parity.model.arch = "lstm";
  parity.train.lr = 3e-3;
  parity.train.steps = 3000;

  Experiment length_ood = from_language(kLanguages[3]);
  length_ood.name = "parity_len_ood";
  length_ood.description = "parity, LSTM, train on lengths <= 20, test to 200 (length generalisation)";
  length_ood.model.arch = "lstm";
  length_ood.data.L_max = 20;
  length_ood.data.L_test_max = 200;
  length_ood.data.n_test_per_length = 50;
  length_ood.train.lr = 3e-3;
  length_ood.train.steps = 3000;
  out.push_back(length_ood);

  Experiment edge_ood = from_language(kLanguages[10]);
  edge_ood.name = "tomita5_edge_ood";
  edge_ood.description = "Tomita 5 with one DFA transition held out of training (edge generalisation)";
  edge_ood.data.edge_holdout = 1;
  edge_ood.data.L_test_max = 40;
  edge_ood.train.steps = 1500;
  out.push_back(edge_ood);
  return out;
}

}  // namespace

std::vector<std::filesystem::path> experiment_dirs() {
  if (const char* env = std::getenv("REGAL_EXPERIMENTS")) {
    std::vector<std::filesystem::path> dirs;
    std::stringstream parts(env);
    for (std::string part; std::getline(parts, part, ':');) {
      if (!part.empty()) dirs.emplace_back(part);
    }
    return dirs;
  }
  // The working folder's, else an installed copy's (bin/../share/regal), else
  // the source tree's (a binary run from its build folder).
  const std::filesystem::path local = "sweeps/experiments";
  if (std::filesystem::is_directory(local)) return {local};
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::filesystem::path installed = self.parent_path().parent_path() / "share" / "regal" / "sweeps" / "experiments";
  if (!error && std::filesystem::is_directory(installed)) return {installed};
  return {std::filesystem::path(REGAL_SOURCE_DIR) / "sweeps" / "experiments"};
}

std::vector<Experiment> named_experiments() {
  std::vector<Experiment> all = built_in();
  std::map<std::string, std::string> origin;
  for (const auto& e : all) origin[e.name] = "built in";
  for (const auto& dir : experiment_dirs()) {
    if (!std::filesystem::is_directory(dir)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      Experiment e = load_experiment_file(file);
      const auto previous = origin.find(e.name);
      if (previous != origin.end()) {
        throw InputError(file.string() + ": experiment '" + e.name + "' is already defined (" + previous->second +
                         "); rename one of them");
      }
      origin[e.name] = file.string();
      all.push_back(std::move(e));
    }
  }
  return all;
}

Experiment find_experiment(const std::string& name) {
  const auto all = named_experiments();
  std::vector<std::string> names;
  for (const auto& e : all) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  throw InputError("unknown experiment '" + name + "'" + did_you_mean(name, names) + "; `sweep --list` lists them");
}

LanguageSpec find_language(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& language : kLanguages) {
    if (name == language.name) return spec_of(language);
    names.emplace_back(language.name);
  }
  for (const LanguageSpec& language : generated_languages()) {
    if (name == language.name) return language;
    names.push_back(language.name);
  }
  throw InputError("unknown language '" + name + "'" + did_you_mean(name, names) +
                   "; give a table { name, regex, alphabet } (or classes, generator, fsm: docs/tasks.md) for a new one");
}

}  // namespace regal::experiment
