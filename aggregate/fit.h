#pragma once
// Scaling-law fits over runs: `aggregate DIR --fit 'x=parameters,y=acc_test_id'`
// and a spec's [[fit]] tables. Per group (the axes other than the seed and
// x, seeds pooled), the error -- 1 - y for an accuracy, y itself for a loss
// or an error -- is fitted against x with the saturating law E + A x^-alpha
// and the pure power law (src/stats/fit.h), with a bootstrap interval for
// alpha over seeds, the residual at each x, and the largest x held out and
// predicted. Writes aggregate/fit.{csv,json}.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregate/tables.h"

namespace regal::aggregate {

struct FitSpec {
  std::string name;             // a label in the tables ("y ~ x" by default)
  std::string x, y;             // x: a numeric axis or metric; y: a metric
  std::vector<std::string> by;  // groups; empty: every axis but seed, x and what sets x
  bool by_given = false;        // by was written (an empty list then means one group)

  nlohmann::json to_json() const;
  static FitSpec from_json(const nlohmann::json& entry);
};

// "x=parameters,y=acc_test_id[,by=language+model.arch][,name=...]": InputError
// naming what is wrong.
FitSpec parse_fit(const std::string& text);

// How y becomes an error: "1 - y" (accuracies, AUROC), "y" (losses, ECE,
// gaps), or InputError for a metric that is neither (horizon, say).
std::string error_transform(const std::string& y);

// Checks the fits against the records before anything is computed or
// written: x numeric in every done run that has it, y a known metric with an
// error transform, by-axes known (InputError with "did you mean").
void validate(const std::vector<FitSpec>& fits, const std::vector<RunRecord>& records);

struct Fits {
  Table table;        // fit.csv: one row per fit, group and law
  nlohmann::json json; // fit.json: the rows with their points, residuals, runs and warnings
};

// `resamples`, `seed` and `confidence` of the alpha interval come from the
// options (the summary's resamples, halved: fits are costlier).
Fits fit_tables(const std::vector<RunRecord>& records, const std::vector<FitSpec>& fits, const StatsOptions& options);

// The fits a sweep declared (plan.json's "fit"); none without.
std::vector<FitSpec> declared_fits(const std::filesystem::path& sweep_dir);

}  // namespace regal::aggregate
