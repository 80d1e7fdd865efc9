// The search's pure parts (src/search/search.h): the successive-halving
// ladder against hand-computed tables, the promotion rule, sampling, and the
// [search] table's checks.
#include <gtest/gtest.h>

#include <stdexcept>

#include "search/search.h"

using namespace regal::search;

namespace {

SearchSpec parse(const nlohmann::json& table) {
  return parse_search(table, [](const std::string& path, const std::string& message) {
    throw std::runtime_error(path + ": " + message);
  });
}

std::string error_of(const nlohmann::json& table) {
  try {
    parse(table);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

nlohmann::json sha(std::size_t trials, std::size_t eta, std::size_t lo, std::size_t hi) {
  return {{"method", "sha"}, {"trials", trials}, {"eta", eta}, {"min_resource", lo}, {"max_resource", hi},
          {"space", {{"train.lr", {{"log_uniform", {1e-4, 1e-2}}}}}}};
}

std::vector<std::pair<std::size_t, std::size_t>> ladder(const SearchSpec& spec) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& r : rungs(spec)) out.emplace_back(r.resource, r.trials);
  return out;
}

}  // namespace

TEST(Rungs, MatchHandComputedTables) {
  using L = std::vector<std::pair<std::size_t, std::size_t>>;
  // The example: 250, 750, 2250 (250 * 3^k below 4000), then 4000; 27, 9, 3, 1 trials.
  EXPECT_EQ(ladder(parse(sha(27, 3, 250, 4000))), (L{{250, 27}, {750, 9}, {2250, 3}, {4000, 1}}));
  // Hyperband's bracket: 81 trials, eta 3, 1 to 81: 81@1, 27@3, 9@9, 3@27, 1@81.
  EXPECT_EQ(ladder(parse(sha(81, 3, 1, 81))), (L{{1, 81}, {3, 27}, {9, 9}, {27, 3}, {81, 1}}));
  // eta 4 (Ray Tune's and Optuna's default): 100@10, 400@2, then 1000 with floor(10/16) = 0 -> at least 1.
  EXPECT_EQ(ladder(parse(sha(10, 4, 100, 1000))), (L{{100, 10}, {400, 2}, {1000, 1}}));
  // min = max: one rung, every trial.
  EXPECT_EQ(ladder(parse(sha(8, 2, 100, 100))), (L{{100, 8}}));
  // Steps: continuations counted once. 27*250 + 9*500 + 3*1500 + 1*1750 = 17,500 of 27*4000 = 108,000.
  EXPECT_EQ(search_steps(parse(sha(27, 3, 250, 4000))), 17500U);
  EXPECT_EQ(full_grid_steps(parse(sha(27, 3, 250, 4000))), 108000U);
}

TEST(Promote, TopByMetricLowerIndexOnTiesFailedLast) {
  const std::vector<std::pair<std::size_t, std::optional<double>>> results = {
      {0, 0.7}, {1, 0.9}, {2, std::nullopt}, {3, 0.9}, {4, 0.8}, {5, 0.7}};
  EXPECT_EQ(promote(results, 2, false), (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(promote(results, 4, false), (std::vector<std::size_t>{1, 3, 4, 0}));
  EXPECT_EQ(promote(results, 6, false).back(), 2U);  // failed: last
  EXPECT_EQ(promote(results, 2, true), (std::vector<std::size_t>{0, 5}));  // minimised
  // The order in which results arrive does not matter.
  auto shuffled = results;
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(promote(shuffled, 3, false), promote(results, 3, false));
}

TEST(Trials, SampledByCellAndIndexAloneAndGridsEnumerated) {
  const SearchSpec spec = parse({{"method", "random"}, {"trials", 5}, {"max_resource", 100}, {"seed", 7},
                                 {"space", {{"train.lr", {{"log_uniform", {1e-4, 1e-2}}}},
                                            {"train.batch_size", {{"choice", {32, 64, 128}}}},
                                            {"model.dropout", {{"uniform", {0.0, 0.3}}}},
                                            {"model.n_layers", {{"int_uniform", {1, 4}}}}}}});
  const auto a = trial_values(spec, "cell", 3);
  EXPECT_EQ(a, trial_values(spec, "cell", 3));
  EXPECT_NE(a, trial_values(spec, "cell", 4));
  EXPECT_NE(a, trial_values(spec, "other", 3));
  for (std::size_t i = 0; i < 50; ++i) {
    const auto v = trial_values(spec, "cell", i);
    EXPECT_GE(v["train.lr"].get<double>(), 1e-4);
    EXPECT_LE(v["train.lr"].get<double>(), 1e-2);
    EXPECT_GE(v["model.n_layers"].get<int>(), 1);
    EXPECT_LE(v["model.n_layers"].get<int>(), 4);
    EXPECT_LE(v["model.dropout"].get<double>(), 0.3);
  }
  // A grid, and sha without `trials` over choices: every combination once, the last key fastest.
  const SearchSpec grid = parse({{"method", "sha"}, {"min_resource", 10}, {"max_resource", 90}, {"eta", 3},
                                 {"space", {{"train.batch_size", {{"choice", {32, 64}}}}, {"train.lr", {{"choice", {0.1, 0.01, 0.001}}}}}}});
  EXPECT_TRUE(grid.enumerate);
  EXPECT_EQ(trial_count(grid), 6U);
  EXPECT_EQ(trial_values(grid, "x", 0), (nlohmann::json{{"train.batch_size", 32}, {"train.lr", 0.1}}));
  EXPECT_EQ(trial_values(grid, "x", 4), (nlohmann::json{{"train.batch_size", 64}, {"train.lr", 0.01}}));
}

TEST(SearchTable, BadInputNamesTheKey) {
  auto with = [](nlohmann::json t, const std::string& key, nlohmann::json value) {
    t[key] = std::move(value);
    return t;
  };
  const nlohmann::json ok = sha(9, 3, 100, 900);
  EXPECT_EQ(error_of(ok), "");
  EXPECT_EQ(error_of(with(ok, "etta", 3)), "search.etta: unknown key 'etta' in [search] (did you mean 'eta'?)");
  EXPECT_EQ(error_of(with(ok, "eta", 1)), "search.eta: search.eta must be at least 2 (got 1)");
  EXPECT_EQ(error_of(with(ok, "min_resource", 1000)), "search.min_resource: search.min_resource (1000) exceeds search.max_resource (900)");
  EXPECT_NE(error_of(with(ok, "metric", "acc_test_len_ood")).find("a search chooses on validation only"), std::string::npos);
  EXPECT_EQ(error_of(with(ok, "method", "hyperband")),
            "search.method: search.method must be grid, random, sha or asha (got \"hyperband\")");
  EXPECT_EQ(error_of(with(ok, "space", {{"model.arch", {{"log_uniform", {1, 2}}}}})),
            "search.space.model.arch: model.arch is not a real number: log_uniform does not fit it (choice does)");
  EXPECT_EQ(error_of(with(ok, "space", {{"train.batch_size", {{"uniform", {16, 64}}}}})),
            "search.space.train.batch_size: train.batch_size is not a real number: uniform does not fit it (int_uniform or choice do)");
  EXPECT_EQ(error_of(with(ok, "space", {{"train.lrr", {{"choice", {1}}}}})),
            "search.space.train.lrr: unknown key 'train.lrr' in [search.space] (did you mean 'train.lr'?)");
  EXPECT_EQ(error_of(with(ok, "space", {{"train.steps", {{"choice", {1}}}}})),
            "search.space.train.steps: train.steps is set by the search itself (the resource, the seeds, the schedule)");
  EXPECT_EQ(error_of(with(ok, "resource", "data.n_train")),
            "search.resource: search.resource must be train.steps (a trial grows by training longer; got data.n_train)");
}
