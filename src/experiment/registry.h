#pragma once
// Named experiments: code as configuration, plus TOML files discovered in
// sweeps/experiments/ (a name defined twice is an error, never a silent shadow).
#include <filesystem>
#include <string>
#include <vector>

#include "experiment/experiment.h"

namespace regal::experiment {

// Folders searched for *.toml experiments: $REGAL_EXPERIMENTS (':'-separated;
// `sweep --experiments DIR` sets it) when set, else ./sweeps/experiments, else
// an installed copy's share/regal/sweeps/experiments, else the source tree's.
std::vector<std::filesystem::path> experiment_dirs();

// Every named experiment, built in first, then discovered files, by name.
// Throws InputError for a duplicate name (naming both places) or a bad file.
std::vector<Experiment> named_experiments();

// The experiment called `name`. Throws InputError listing the closest names.
Experiment find_experiment(const std::string& name);

// Built-in languages by name (parity, even_pairs, tomita1..7, ...), for specs
// that name a language without a regex. Throws InputError with close names.
LanguageSpec find_language(const std::string& name);

}  // namespace regal::experiment
