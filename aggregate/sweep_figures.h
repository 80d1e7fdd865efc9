#pragma once
// A sweep's figures, in results/<sweep>/report/figures/ (docs/report.md):
// accuracy against length and learning curves per summary group with
// bootstrap bands over seeds (one panel per language, one line per model
// configuration), a language x configuration heatmap of a metric's IQM, the
// across-language IQM and performance profiles, a forest plot of the
// comparisons, and accuracy against parameters when model size varies.
// Everything is a function of the run folders: the same runs give the same
// data files, scripts and pictures.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "aggregate/plot.h"
#include "aggregate/tables.h"
#include "layout/metrics_h5.h"

namespace regal::aggregate {

// The done runs of a sweep as the figures see them.
struct FigureRun {
  const RunRecord* record = nullptr;
  std::string panel;   // the language (its axis value, else the experiment's language name)
  std::string config;  // every other axis but seed, "axis=value, ..."; "all runs" when none
  layout::RunCurves curves;
  std::uint64_t L_min = 1, L_max = 1;
  double parameters = 0;
};

struct SweepView {
  std::vector<std::string> panels;   // first-seen order (plan order)
  std::vector<std::string> configs;  // first-seen order; a configuration's colour is its position
  std::vector<FigureRun> runs;       // done runs whose metrics.h5 reads
  std::vector<std::string> warnings; // runs left out, and why
};

// Reads metrics.h5 and experiment.json of every done run among `records`.
SweepView load_view(const std::vector<RunRecord>& records);

// The configuration label of a record (every axis but language and seed).
std::string config_label(const RunRecord& record);

struct SweepFigure {
  plot::Figure figure;
  std::string caption;  // what it shows and how to read it (plain text)
};

struct SweepFigureOptions {
  StatsOptions stats;
  std::string metric = "acc_test_len_ood";  // the heatmap's, the profiles' and the scaling figure's
};

// The sweep's figures, in `dir`, not yet drawn. `compare` is the comparison
// table (aggregate::compare's), empty when there is none; `overall` and
// `profiles` are the across-language tables.
std::vector<SweepFigure> sweep_figures(const SweepView& view, const Table& overall, const Table& profiles,
                                       const Table& compare, const std::filesystem::path& dir,
                                       const SweepFigureOptions& options);

// The scaling-law fits (fit.json's "fits", aggregate/fit.h): per group, the
// runs' errors against x on log-log axes with both fitted laws, and beside
// it the residual of each law at each x. nullopt without fits.
std::optional<SweepFigure> fit_figure(const nlohmann::json& fits, const std::filesystem::path& dir);

}  // namespace regal::aggregate
