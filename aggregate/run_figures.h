#pragma once
// A run's own figures, in runs/<id>/visualizations/ (docs/report.md):
// learning curves (loss and accuracy against step), accuracy against length
// for every test split with the training lengths shaded and chance marked,
// and the minimal DFA drawn by Graphviz. They are drawn from the run folder
// after the run (by the reducer, `aggregate --report`, or `sweep --exp`), so a
// run needs no plotting tool.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "aggregate/plot.h"
#include "layout/metrics_h5.h"
#include "layout/run_paths.h"

namespace regal::aggregate {

// Automata with more states than this are not drawn (dot takes long and the
// picture says little); figures.json says so.
inline constexpr std::size_t kMaxDrawnStates = 150;

struct RunFiguresResult {
  std::size_t drawn = 0;    // runs whose figures were drawn now
  std::size_t current = 0;  // runs whose figures were already drawn from the same metrics.h5
  std::vector<std::string> failures;
};

// Draws the figures of each done run among `run_dirs` whose figures are
// missing or were drawn from another metrics.h5 or by an older regal
// (visualizations/figures.json records both). Runs that are not done are
// skipped.
RunFiguresResult draw_run_figures(const std::vector<std::filesystem::path>& run_dirs, const plot::Tools& tools);

// The gnuplot figures of one done run, not drawn (tests read their data).
// Throws IoError when metrics.h5 or experiment.json cannot be read.
std::vector<plot::Figure> run_figures(const layout::RunPaths& paths);

// The per-length chance line of a split: max(a, n - a) / n per length, or,
// for files without per-length counts, the split's chance from metrics.json.
std::vector<double> chance_by_length(const layout::SplitScores& scores, double split_chance);

// gnuplot commands for a string-length x axis from `shortest` - 0.5 to
// `longest` + 0.5 with whole-number tics.
std::string length_axis(std::uint64_t shortest, std::uint64_t longest);

// The test splits in the order figures and tables show them, with a reader's name.
const std::vector<std::pair<std::string, std::string>>& test_splits();

}  // namespace regal::aggregate
