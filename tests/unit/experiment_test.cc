#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/generate.h"
#include "experiment/experiment.h"
#include "experiment/registry.h"
#include "layout/run_paths.h"
#include "fsm/fsm.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace regal;
using namespace regal::experiment;
using regal::layout::RunPaths;

TEST(RunId, IgnoresLabelsDeviceAndThreadsButNothingElse) {
  const Experiment base = find_experiment("parity");
  Experiment relabelled = base;
  relabelled.name = "other";
  relabelled.description = "other";
  relabelled.language.name = "even_as";
  relabelled.device = "auto";
  relabelled.threads = 8;
  EXPECT_EQ(run_id(relabelled), run_id(base));
  EXPECT_EQ(run_id(base).size(), 12U);
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"seed", "1"}, {"train.lr", "0.002"}, {"data.L_max", "21"}, {"model.arch", "gru"}, {"eval.tau", "0.9"},
           {"language.regex", "(a*ba*b)*a*"}, {"data.seed", "3"}, {"model.params", "5e4"}}) {
    EXPECT_NE(run_id(with_overrides(base, {{key, value}})), run_id(base)) << key;
  }
}

TEST(RunId, NewSettingsKeepEveryIdUntilTheyAreSet) {
  // Ids written before train.deterministic existed (regal at 8a1eb16): a
  // setting added since enters the identity only when it differs from its default.
  EXPECT_EQ(run_id(find_experiment("parity")), "d98d49c8490f");
  EXPECT_EQ(run_id(find_experiment("a_plus")), "e9cd773a14c2");
  EXPECT_EQ(run_id(find_experiment("tomita3")), "445baea13b19");
  EXPECT_NE(run_id(with_overrides(find_experiment("parity"), {{"train.deterministic", "true"}})), "d98d49c8490f");
}

TEST(Overrides, ReadValuesByTheKeysType) {
  const Experiment e = with_overrides(find_experiment("a_plus"), {{"train.steps", "2e3"},
                                                                   {"train.lr", "3e-4"},
                                                                   {"model.params", "1e5"},
                                                                   {"data.seed", "none"},
                                                                   {"data.negatives", "border"},
                                                                   {"device", "auto"}});
  EXPECT_EQ(e.train.steps, 2000U);
  EXPECT_DOUBLE_EQ(e.train.lr, 3e-4);
  EXPECT_DOUBLE_EQ(*e.model.params, 1e5);
  EXPECT_FALSE(e.data.seed.has_value());
  EXPECT_EQ(e.data.negatives, data::Negatives::kBorder);
  auto message = [](const std::map<std::string, std::string>& overrides) {
    try {
      with_overrides(find_experiment("a_plus"), overrides);
    } catch (const KeyError& error) {
      return error.key() + ": " + error.what();
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({{"train.stpes", "1"}}), "train.stpes: unknown key train.stpes (did you mean 'train.steps'?)");
  EXPECT_EQ(message({{"train.steps", "1.5"}}), "train.steps: train.steps must be a whole number >= 0 (got '1.5')");
  EXPECT_EQ(message({{"train.lr", "fast"}}), "train.lr: train.lr must be a number (got 'fast')");
  EXPECT_EQ(message({{"modle.arch", "lstm"}}), "modle.arch: unknown key modle.arch (did you mean 'model.arch'?)");
}

TEST(Toml, DescribeReloadsIntoTheSameRun) {
  const fs::path file = fs::temp_directory_path() / ("regal_exp_" + std::to_string(::getpid()) + ".toml");
  std::vector<Experiment> experiments = named_experiments();
  Experiment classes = experiments.front();  // a task by classes: an inline table in TOML
  classes.name = "even_odd";
  classes.language = {};
  classes.language.regex.clear();
  classes.language.classes = {{"even", "(b*ab*a)*b*"}, {"odd", "b*a(b*ab*a)*b*"}};
  experiments.push_back(classes);
  Experiment generated = experiments.front();
  generated.name = "cycle";
  generated.language = find_language("cycle_navigation");
  generated.language.n = 7;
  experiments.push_back(generated);
  for (const auto& e : experiments) {
    std::ofstream(file) << to_toml(e);
    const Experiment reloaded = load_experiment_file(file);
    EXPECT_EQ(reloaded.to_json(), e.to_json()) << e.name;
    EXPECT_EQ(run_id(reloaded), run_id(e)) << e.name;
  }
  fs::remove(file);
  // Numbers in their shortest exact spelling.
  const std::string parity = to_toml(find_experiment("parity"));
  EXPECT_NE(parity.find("beta1 = 0.9\n"), std::string::npos) << parity;
  EXPECT_NE(parity.find("lr_min = 1e-05\n"), std::string::npos) << parity;
}

TEST(Registry, EveryNamedExperimentValidatesAndGeneratesItsCorpus) {
  const auto all = named_experiments();
  EXPECT_GE(all.size(), 15U);
  for (const auto& e : all) {
    ASSERT_NO_THROW(e.validate()) << e.name;
    const auto alphabet = fsm::Alphabet::parse(e.language.alphabet).take_or_throw();
    const data::Language language{e.language.name, e.language.regex,
                                  fsm::compile_regex(e.language.regex, alphabet).take_or_throw()};
    const data::Corpus corpus = data::generate_corpus(language, e.data, e.seed);
    EXPECT_GT(corpus.find("train")->size(), 0U) << e.name;
    EXPECT_EQ(corpus.find("test_edge_ood") != nullptr, e.data.edge_holdout > 0) << e.name;
  }
}

TEST(Registry, TomitaLanguagesHaveTheirKnownMinimalSizes) {
  // Live states of the minimal DFAs (plus a dead state where one exists).
  const std::map<std::string, std::size_t> states = {{"tomita1", 2}, {"tomita2", 3}, {"tomita3", 5}, {"tomita4", 4},
                                                     {"tomita5", 4}, {"tomita6", 3}, {"tomita7", 5}};
  for (const auto& [name, expected] : states) {
    const LanguageSpec spec = find_language(name);
    const auto alphabet = fsm::Alphabet::parse(spec.alphabet).take_or_throw();
    EXPECT_EQ(fsm::compile_regex(spec.regex, alphabet).take_or_throw().num_states(), expected) << name;
  }
  EXPECT_THROW(find_language("tomita8"), InputError);
}

TEST(RunPaths, ShardedLayoutAndRoundTripFromARunFolder) {
  const fs::path root = fs::temp_directory_path() / ("regal_paths_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const RunPaths paths(root, "sweep", "abc123");
  EXPECT_EQ(paths.run_dir(), root / "sweep/runs/ab/abc123");
  EXPECT_EQ(paths.history_jsonl(), root / "sweep/runs/ab/abc123/logs/history.jsonl");
  EXPECT_EQ(paths.corpus_cache(), root / "sweep/cache/data");
  const RunPaths back = RunPaths::from_run_dir("/tmp/r/sweep/runs/ab/abc123/");
  EXPECT_EQ(back.run_id(), "abc123");
  EXPECT_EQ(back.sweep_dir(), fs::path("/tmp/r/sweep"));
  EXPECT_EQ(back.run_dir(), fs::path("/tmp/r/sweep/runs/ab/abc123"));
}

TEST(RunPaths, OlderFlatRunFoldersAreStillFoundAndListed) {
  const fs::path root = fs::temp_directory_path() / ("regal_flat_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "sweep/runs/0123456789ab");     // written before the sharding
  fs::create_directories(root / "sweep/runs/fe/fedcba987654");  // written after
  EXPECT_EQ(RunPaths(root, "sweep", "0123456789ab").run_dir(), root / "sweep/runs/0123456789ab");
  EXPECT_EQ(RunPaths(root, "sweep", "fedcba987654").run_dir(), root / "sweep/runs/fe/fedcba987654");
  const RunPaths old = RunPaths::from_run_dir(root / "sweep/runs/0123456789ab");
  EXPECT_EQ(old.sweep_dir(), root / "sweep");
  EXPECT_EQ(old.run_id(), "0123456789ab");
  const auto dirs = RunPaths::from_sweep_dir(root / "sweep").run_dirs();
  ASSERT_EQ(dirs.size(), 2U);
  EXPECT_EQ(dirs[0].filename(), "0123456789ab");
  EXPECT_EQ(dirs[1].filename(), "fedcba987654");
  fs::remove_all(root);
}
