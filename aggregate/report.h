#pragma once
// A sweep's report (docs/report.md): report.html, one self-contained file
// (inline SVG and CSS, no script, nothing fetched) that opens offline from
// anywhere and prints cleanly; report.md with the same tables and links to
// the PNGs; and figures/ with every figure's PNG, SVG, data and gnuplot
// script. Written by the reducer at the end of a sweep and by
// `aggregate DIR --report`; the same run folders give the same bytes.
// Everything that comes from a spec or a run is escaped.
#include <filesystem>
#include <string>
#include <vector>

#include "aggregate/compare.h"
#include "aggregate/fit.h"
#include "aggregate/plot.h"
#include "aggregate/tables.h"

namespace regal::aggregate {

struct ReportOptions {
  StatsOptions stats;
  std::string metric = "acc_test_len_ood";  // the heatmap's, the profiles' and the scaling figure's
  bool run_figures = true;                  // also draw each done run's visualizations/
};

struct ReportResult {
  std::filesystem::path html, markdown;
  bool partial = false;               // some runs are not finished (pending, running, preempted, corrupt)
  std::size_t figures = 0;            // sweep figures drawn
  std::size_t run_figures_drawn = 0;  // runs whose figures were drawn now
  std::vector<std::string> warnings;  // figures that could not be drawn, runs left out of them
};

// Writes `out_dir`/report.html, report.md and figures/ for the records of
// the sweep folder `sweep_dir` (aggregate::collect_sweep), with the
// comparisons and scaling-law fits given (the sweep's [[compare]] and [[fit]]
// tables, or none).
ReportResult write_report(const std::filesystem::path& sweep_dir, const std::filesystem::path& out_dir,
                          const std::vector<RunRecord>& records, const std::vector<Comparison>& comparisons,
                          const std::vector<FitSpec>& fits, const ReportOptions& options, const plot::Tools& tools);

// Text made safe inside HTML (element content and quoted attributes).
std::string html_escape(const std::string& text);
// Text made safe inside a markdown table cell or paragraph.
std::string markdown_escape(const std::string& text);

}  // namespace regal::aggregate
