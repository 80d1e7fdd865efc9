// The analysis layer on records built in memory: summary statistics,
// comparisons (matching, tests, verdicts), byte-identical outputs whatever
// the order of the records.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "aggregate/compare.h"
#include "aggregate/overall.h"
#include "aggregate/tables.h"
#include "stats/descriptive.h"
#include "util/error.h"

using namespace regal;
using namespace regal::aggregate;

namespace {

RunRecord run(const std::string& language, const std::string& arch, int seed, double acc) {
  RunRecord r;
  r.sweep = "s";
  r.run_id = language + "-" + arch + "-" + std::to_string(seed);
  r.state = layout::RunState::kDone;
  r.axes = {{"language", language}, {"model.arch", arch}, {"seed", seed}};
  r.metrics = {{"acc_test_id", acc}, {"chance_test_id", 0.5}};
  return r;
}

// LSTM beats the transformer by 0.2 on parity (12 seeds), ties it on no_aa.
std::vector<RunRecord> records() {
  std::vector<RunRecord> out;
  for (int seed = 0; seed < 12; ++seed) {
    const double noise = 0.01 * ((seed * 7) % 5);
    out.push_back(run("parity", "lstm", seed, 0.9 + noise));
    out.push_back(run("parity", "transformer", seed, 0.7 + noise * 0.5));
    out.push_back(run("no_aa", "lstm", seed, 0.8 + noise));
    out.push_back(run("no_aa", "transformer", seed, 0.8 + noise));
  }
  return out;
}

std::size_t column(const Table& t, const std::string& name) {
  const auto it = std::find(t.columns.begin(), t.columns.end(), name);
  EXPECT_NE(it, t.columns.end()) << name;
  return static_cast<std::size_t>(it - t.columns.begin());
}

Comparison lstm_vs_tf() {
  Comparison c;
  c.name = "arch";
  c.a = Selector::parse("model.arch=lstm");
  c.b = Selector::parse("model.arch=transformer");
  c.metrics = {"acc_test_id"};
  c.by = {"language"};
  return c;
}

}  // namespace

TEST(Summary, StatisticsPerGroupWithTheIntervalThatLeads) {
  const Table t = summary_table(records(), {"acc_test_id"}, std::nullopt);
  ASSERT_EQ(t.rows.size(), 4U);
  const auto& parity_lstm = t.rows[0];
  EXPECT_EQ(parity_lstm[column(t, "n")], "12");
  EXPECT_EQ(parity_lstm[column(t, "interval")], "bootstrap") << "12 seeds: the bootstrap interval leads";
  std::vector<double> values;
  for (int seed = 0; seed < 12; ++seed) values.push_back(0.9 + 0.01 * ((seed * 7) % 5));
  EXPECT_EQ(parity_lstm[column(t, "acc_test_id_mean")], format_number(stats::mean(values)));
  EXPECT_EQ(parity_lstm[column(t, "acc_test_id_iqm")], format_number(stats::iqm(values)));
  EXPECT_EQ(parity_lstm[column(t, "acc_test_id_median")], format_number(stats::median(values)));
  const double lo = std::stod(parity_lstm[column(t, "acc_test_id_boot_lo")]);
  const double hi = std::stod(parity_lstm[column(t, "acc_test_id_boot_hi")]);
  EXPECT_LT(lo, stats::mean(values));
  EXPECT_GT(hi, stats::mean(values));
  EXPECT_EQ(parity_lstm[column(t, "chance_test_id")], "0.5");
  EXPECT_LT(std::stod(parity_lstm[column(t, "above_chance_test_id")]), 1e-6) << "0.9 against chance 0.5, 12 seeds";
  // Fewer than 10 seeds: the t interval leads.
  const std::vector<RunRecord> all = records();
  const std::vector<RunRecord> few(all.begin(), all.begin() + 12);
  EXPECT_EQ(summary_table(few, {"acc_test_id"}, std::nullopt).rows[0][column(t, "interval")], "t");
}

TEST(Summary, ProvenanceSaysWhenBuildsDiffer) {
  auto all = records();
  for (auto& r : all) r.git_commit = "aaaa";
  EXPECT_TRUE(provenance_warnings(all).empty());
  all[0].git_commit = "bbbb";
  all[1].git_dirty = true;
  const Table t = summary_table(all, {"acc_test_id"}, std::nullopt);
  EXPECT_EQ(t.rows[0][column(t, "provenance")], "2 commits");
  EXPECT_EQ(t.rows[1][column(t, "provenance")], "dirty tree");
  EXPECT_EQ(provenance_warnings(all).size(), 1U);
}

TEST(Compare, MatchedPairsTestsAndVerdicts) {
  StatsOptions options;
  const Comparisons result = compare(records(), {lstm_vs_tf()}, options);
  ASSERT_EQ(result.table.rows.size(), 2U);
  const auto& parity = result.table.rows[0];
  const auto& no_aa = result.table.rows[1];
  EXPECT_EQ(parity[column(result.table, "language")], "parity");
  EXPECT_EQ(parity[column(result.table, "pairing")], "paired");
  EXPECT_EQ(parity[column(result.table, "n")], "12");
  EXPECT_NEAR(std::stod(parity[column(result.table, "diff")]), 0.2 + 0.005 * 2, 0.02);
  EXPECT_EQ(parity[column(result.table, "verdict")], "a");
  EXPECT_EQ(parity[column(result.table, "p_improve")], "1");
  EXPECT_EQ(no_aa[column(result.table, "diff")], "0");
  EXPECT_EQ(no_aa[column(result.table, "verdict")], "tie");
  ASSERT_EQ(result.pairs.size(), 2U);
  EXPECT_EQ(result.pairs[0]["pairs"].size(), 12U);
  EXPECT_EQ(result.pairs[0]["pairs"][0]["a"], "parity-lstm-0");
  EXPECT_EQ(result.pairs[0]["pairs"][0]["b"], "parity-transformer-0");
}

TEST(Compare, SameRunsInAnyOrderGiveTheSameBytes) {
  const StatsOptions options;
  const auto reference = compare(records(), {lstm_vs_tf()}, options);
  auto shuffled = records();
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  const auto again = compare(shuffled, {lstm_vs_tf()}, options);
  auto sorted_rows = [](Table t) {
    std::sort(t.rows.begin(), t.rows.end());
    return to_csv(t);
  };
  EXPECT_EQ(sorted_rows(again.table), sorted_rows(reference.table));
  auto pairs = [](const nlohmann::json& cells) {
    std::vector<std::string> out;
    for (const auto& cell : cells) {
      for (const auto& p : cell["pairs"]) out.push_back(p["a"].get<std::string>() + "|" + p["b"].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(pairs(again.pairs), pairs(reference.pairs));
  EXPECT_EQ(to_csv(compare(records(), {lstm_vs_tf()}, options).table), to_csv(reference.table)) << "byte-identical";
  EXPECT_EQ(to_csv(summary_table(records(), {"acc_test_id"}, std::nullopt)),
            to_csv(summary_table(records(), {"acc_test_id"}, std::nullopt)));
}

TEST(Compare, WithoutAnyPairTheArmsAreComparedUnpaired) {
  auto all = records();
  for (auto& r : all) {
    if (r.axes[1].second == "transformer") r.axes[2].second = r.axes[2].second.get<int>() + 100;  // other seeds
  }
  const auto result = compare(all, {lstm_vs_tf()}, StatsOptions{});
  EXPECT_EQ(result.table.rows[0][column(result.table, "pairing")], "unpaired");
  EXPECT_EQ(result.pairs[0]["unmatched_a"].size(), 12U);
}

TEST(Compare, BadSelectorsAndMetricsAreInputErrors) {
  Comparison c = lstm_vs_tf();
  c.a = Selector::parse("model.arch=lsmt");
  try {
    compare(records(), {c}, StatsOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("matches no run: model.arch is one of lstm, transformer (did you mean 'lstm'?)"), std::string::npos) << e.what();
  }
  c = lstm_vs_tf();
  c.metrics = {"acc_tset_id"};
  EXPECT_THROW(compare(records(), {c}, StatsOptions{}), InputError);
  c = lstm_vs_tf();
  c.by = {"lang"};
  EXPECT_THROW(compare(records(), {c}, StatsOptions{}), InputError);
  StatsOptions zero;
  zero.effect = 0;
  EXPECT_THROW(compare(records(), {lstm_vs_tf()}, zero), InputError);
  EXPECT_THROW(Selector::parse("model.arch"), InputError);
}

TEST(Overall, IqmAcrossLanguagesWithAStratifiedInterval) {
  const Table t = overall_table(records(), {"acc_test_id"}, StatsOptions{});
  ASSERT_EQ(t.rows.size(), 2U);  // lstm, transformer
  EXPECT_EQ(t.rows[0][column(t, "languages")], "2");
  EXPECT_EQ(t.rows[0][column(t, "runs")], "24");
  const double lo = std::stod(t.rows[0][column(t, "iqm_lo")]), hi = std::stod(t.rows[0][column(t, "iqm_hi")]);
  const double iqm = std::stod(t.rows[0][column(t, "iqm")]);
  EXPECT_LE(lo, iqm);
  EXPECT_GE(hi, iqm);
  const Table p = profiles_table(records(), {"acc_test_id"}, StatsOptions{});
  EXPECT_EQ(p.rows.size(), 2U * 21U);
  EXPECT_EQ(p.rows[0][column(p, "fraction")], "1") << "every run scores above tau = 0";
}
