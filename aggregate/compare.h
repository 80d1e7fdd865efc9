#pragma once
// A/B comparisons over matched seeds (docs/statistics.md). Arm a and arm b
// are the done runs whose axes match each selector; runs are matched on every
// axis neither selector names (the seed included), within each cell of the
// `by` axes. Matched pairs are tested paired (t, Wilcoxon), and with no pair
// at all the arms are compared unpaired (Welch, Mann-Whitney). Holm's family
// is every row of one call. Verdict: the arm the difference favours when its
// Holm-adjusted p is below alpha; "tie" when the difference's interval lies
// within ±effect; else "unclear".
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregate/tables.h"

namespace regal::aggregate {

struct Selector {
  std::vector<std::pair<std::string, std::string>> values;  // axis -> value as the tables print it
  std::string text;                                         // as given, for messages and tables
  // "model.arch=lstm" or "model.arch=lstm,seed=1"; InputError for a term without '='.
  static Selector parse(const std::string& text);
  // From a spec's inline table: { "model.arch" = "lstm" }.
  static Selector from_json(const nlohmann::json& table);
  bool matches(const RunRecord& record) const;
};

struct Comparison {
  std::string name;                  // a label in the tables
  Selector a, b;
  std::vector<std::string> metrics;  // default: the display metrics
  std::vector<std::string> by;       // cells: one row per value combination
};

struct Comparisons {
  Table table;          // compare.*
  nlohmann::json pairs;  // pairs.json: the matched pairs with both run ids, and the unmatched runs
};

// Checks every comparison against the records before computing anything:
// InputError ("did you mean") for a selector that matches no run or names no
// axis, an unknown metric or by-axis, an effect that is not positive.
void validate(const std::vector<Comparison>& comparisons, const std::vector<RunRecord>& records,
              const StatsOptions& options);
// The selector and `by` part of validate(), for a plan whose runs have no
// metrics yet (the sweep checks its [[compare]] tables before any run).
void validate_selectors(const std::vector<Comparison>& comparisons, const std::vector<RunRecord>& records);

Comparisons compare(const std::vector<RunRecord>& records, const std::vector<Comparison>& comparisons,
                    const StatsOptions& options);

// Seeds needed per summary cell: the seeds per arm that a difference of
// `options.effect` between two configurations with this cell's spread needs
// (two arms, alpha, power), and the power of the seeds at hand.
Table power_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                  const StatsOptions& options);

// With n pairs and no ties, the smallest two-sided exact Wilcoxon p is
// 2 / 2^n, and Holm multiplies the smallest p by the number of rows: a note
// when the fewest pairs of any paired row of a comparison table can never
// give a verdict (with the pairs it would take), else nullopt.
std::optional<std::string> verdict_floor(const Table& table, double alpha);

// Whether lower is better for a metric (losses, calibration error, gaps, time).
bool lower_is_better(const std::string& metric);

// The metric names runs report (for "did you mean").
std::vector<std::string> known_metrics(const std::vector<RunRecord>& records);

}  // namespace regal::aggregate
