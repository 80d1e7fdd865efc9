// The analysis layer on records built in memory: summary statistics,
// comparisons (matching, tests, verdicts), byte-identical outputs whatever
// the order of the records.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "aggregate/compare.h"
#include "aggregate/live_tables.h"
#include "aggregate/overall.h"
#include "aggregate/tables.h"
#include "io/atomic_file.h"
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
  auto all = records();  // record i is in group i % 4, the summary's row i % 4
  for (auto& r : all) r.git_commit = "aaaa";
  EXPECT_TRUE(provenance_warnings(all).empty());
  // One build of a dirty tree (its changes recorded) mixes nothing.
  for (auto& r : all) {
    r.git_dirty = true;
    r.git_changes = "0123456789ab";
  }
  EXPECT_TRUE(provenance_warnings(all).empty());
  const Table same = summary_table(all, {"acc_test_id"}, std::nullopt);
  for (const auto& row : same.rows) EXPECT_EQ(row[column(same, "provenance")], "");
  all[0].git_commit = "bbbb";           // row 0: two commits, each built once
  all[1].git_changes = "ba9876543210";  // row 1: one commit, other changes
  all[2].git_dirty = false;             // row 2: one commit, with and without changes
  all[2].git_changes.clear();
  all[3].git_changes.clear();           // row 3: changes not recorded (an older build)
  const Table t = summary_table(all, {"acc_test_id"}, std::nullopt);
  EXPECT_EQ(t.rows[0][column(t, "provenance")], "2 commits");
  EXPECT_EQ(t.rows[1][column(t, "provenance")], "2 builds");
  EXPECT_EQ(t.rows[2][column(t, "provenance")], "2 builds");
  EXPECT_EQ(t.rows[3][column(t, "provenance")], "2 builds, dirty tree");
  const auto warnings = provenance_warnings(all);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("(2 commits, 5 builds, dirty tree)"), std::string::npos) << warnings[0];
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

// The tables' JSON is rendered a row at a time without building objects: the
// same bytes as nlohmann's dump(2) of to_json, for every kind of cell (empty,
// numbers in every spelling strtod takes, a numeric run id, escapes, UTF-8, a
// repeated column whose last cell wins) and for tables with no rows or no columns.
TEST(Tables, JsonTextIsTheDumpOfToJsonByteForByte) {
  Table table;
  table.columns = {"run_id", "b", "a", "\"quoted\" key", "é", "a", "Z", "n"};
  const std::vector<std::string> cells = {"",     "1",     "1.5",   "1e-05", "-0",  "inf",      "nan",      "0x1A",
                                          " 12",  "12abc", "0.1",   "3.14159", "123456789012345678901", "ünï",
                                          "text \"q\"\n\t\x01\\", "true", "null", "1e400", "-2.5e-310", "000123"};
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < table.columns.size(); ++c) row.push_back(cells[(r + 3 * c) % cells.size()]);
    table.rows.push_back(row);
  }
  EXPECT_EQ(json_text(table), to_json(table).dump(2) + "\n");
  const Table empty{{"run_id", "x"}, {}};
  EXPECT_EQ(json_text(empty), to_json(empty).dump(2) + "\n");
  const Table no_columns{{}, {{}, {}}};
  EXPECT_EQ(json_text(no_columns), to_json(no_columns).dump(2) + "\n");
}

namespace {

// The five files the tables write, as bytes.
std::map<std::string, std::string> table_files(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const char* name : {"runs.csv", "runs.json", "summary.csv", "summary.json", "stats.json"}) {
    files[name] = io::read_file(dir / name).value_or("<missing>");
  }
  return files;
}

}  // namespace

// The reducer's live tables keep rows between writes and render only what
// changed, yet after every change they are byte for byte the tables written
// whole from the same records (without bootstrap columns, as mid-sweep):
// results arriving in random order (done, failed, preempted, a rerun of a
// done run), runs added to old and new groups, a second build (provenance),
// and changes of the tables' shape (a new axis, a second sweep, a run moving
// group). A change that moves no p-value renders two rows, not the table.
TEST(LiveTables, EveryWriteEqualsTheTablesWrittenWhole) {
  const auto base = std::filesystem::temp_directory_path() / ("regal_live_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base / "live");
  std::filesystem::create_directories(base / "whole");
  StatsOptions quick;
  quick.summary_resamples = 0;
  std::vector<RunRecord> records;
  for (const char* language : {"parity", "no_aa", "a,b \"quoted\""}) {
    for (const char* arch : {"lstm", "transformer"}) {
      for (int seed = 0; seed < 4; ++seed) {
        RunRecord r = run(language, arch, seed, 0);
        r.state = layout::RunState::kPending;
        r.metrics = nlohmann::json::object();
        records.push_back(r);
      }
    }
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto result = [&](RunRecord& r) {
    const double draw = uniform(rng);
    r.error.clear();
    r.metrics = nlohmann::json::object();
    if (draw < 0.15) {
      r.state = layout::RunState::kFailed;
      r.error = "train: loss is \"nan\", at step " + std::to_string(static_cast<int>(uniform(rng) * 1000));
    } else if (draw < 0.25) {
      r.state = layout::RunState::kPreempted;
    } else {
      r.state = layout::RunState::kDone;
      r.git_commit = uniform(rng) < 0.9 ? "aaaa" : "bbbb";
      for (const char* split : {"test_id", "test_len_ood", "test_edge_ood", "test_border"}) {
        r.metrics[std::string("acc_") + split] = 0.5 + 0.5 * uniform(rng);
        r.metrics[std::string("chance_") + split] = 0.5;
      }
      r.metrics["horizon"] = static_cast<int>(uniform(rng) * 40);
      r.metrics["parameters"] = 12345;
    }
  };
  LiveTables live(default_metrics());
  auto check = [&](const std::vector<std::size_t>& changed, const std::string& step) {
    live.update(records, changed);
    live.write(base / "live");
    write_tables((base / "whole").string(), records, default_metrics(), std::nullopt, quick);
    const auto got = table_files(base / "live");
    const auto want = table_files(base / "whole");
    for (const auto& [name, bytes] : want) EXPECT_EQ(got.at(name), bytes) << name << " after " << step;
  };
  check({}, "the first write");
  for (int step = 0; step < 60; ++step) {
    std::vector<std::size_t> changed;
    const auto k = 1 + static_cast<std::size_t>(uniform(rng) * 4);
    for (std::size_t j = 0; j < k; ++j) {
      const auto i = static_cast<std::size_t>(uniform(rng) * static_cast<double>(records.size()));
      result(records[i]);
      changed.push_back(i);
    }
    if (step % 10 == 5) {  // runs added: one to an old group, one making a new group
      records.push_back(run("parity", "lstm", 10 + step, 0.9));
      records.push_back(run("even_pairs", "lstm", step, 0.7));
    }
    check(changed, "step " + std::to_string(step));
  }
  // A failed run failing again with another message moves no p-value: its
  // row and its group's are all that is rendered.
  std::size_t failed = 0;
  while (records[failed].state != layout::RunState::kFailed) ++failed;
  records[failed].error = "evaluate: out of memory";
  check({failed}, "a new error");
  EXPECT_EQ(live.rendered(), 2U);

  records.back().axes.emplace_back("train.lr", 0.001);  // a new axis
  check({records.size() - 1}, "a new axis");
  records[3].axes[1].second = "gru";  // a run moves to another group
  check({3}, "a run moving group");
  records.push_back(run("parity", "lstm", 99, 0.8));
  records.back().sweep = "other";  // a second sweep
  check({}, "a second sweep");
  // Other records altogether (another coordinator's), every one named: the
  // same groups in another order, then fewer records.
  std::reverse(records.begin(), records.end());
  std::vector<std::size_t> every(records.size());
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
  check(every, "the records reversed");
  records.resize(records.size() / 2);
  every.resize(records.size());
  check(every, "half the records");
  std::filesystem::remove_all(base);
}
