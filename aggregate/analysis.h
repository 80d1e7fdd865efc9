#pragma once
// The analysis layer's outputs for one set of runs, shared by the sweep's
// reducer (at the end of a sweep) and `aggregate --out`, so both write the
// same bytes: runs, summary (with stats.json), overall, profiles and, when
// the sweep declares [[compare]] tables, compare and pairs.json, and for
// [[fit]] tables fit.csv and fit.json.
#include <filesystem>
#include <string>
#include <vector>

#include "aggregate/compare.h"
#include "aggregate/fit.h"
#include "aggregate/tables.h"

namespace regal::aggregate {

// The comparisons a sweep declared (plan.json's "compare"); none without.
std::vector<Comparison> declared_comparisons(const std::filesystem::path& sweep_dir);
// A comparison from its plan.json entry {name, a, b, metrics, by}.
Comparison comparison_from_json(const nlohmann::json& entry);

// Writes every table into `dir`, each atomically: also compare.* and
// pairs.json for the comparisons, fit.* for the fits.
void write_analysis(const std::filesystem::path& dir, const std::vector<RunRecord>& records,
                    const std::vector<Comparison>& comparisons, const StatsOptions& options,
                    const std::vector<FitSpec>& fits = {});

}  // namespace regal::aggregate
