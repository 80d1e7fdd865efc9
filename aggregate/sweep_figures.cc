// The sweep's figures: data prepared here (means and seeded bootstrap bands
// per length and per step, IQMs per cell), written as data files with one
// block per line, and gnuplot scripts that place panels by hand so a shared
// legend can sit beneath them.
#include "aggregate/sweep_figures.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "aggregate/run_figures.h"
#include "io/json_file.h"
#include "layout/run_paths.h"
#include "stats/bootstrap.h"
#include "stats/descriptive.h"
#include "util/rng.h"

namespace regal::aggregate {
namespace fs = std::filesystem;
namespace {

std::string fixed(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  return buffer;
}

// The name a legend shows for an axis: its last part ("model.arch" -> "arch").
std::string short_axis(const std::string& axis) {
  const auto dot = axis.rfind('.');
  return dot == std::string::npos ? axis : axis.substr(dot + 1);
}

// "model.arch=lstm, train.lr=0.001" -> "arch=lstm, lr=0.001"
std::string short_config(const std::string& config) {
  std::string out;
  std::size_t start = 0;
  while (start <= config.size()) {
    std::size_t end = config.find(", ", start);
    if (end == std::string::npos) end = config.size();
    const std::string term = config.substr(start, end - start);
    const auto eq = term.find('=');
    out += (out.empty() ? "" : ", ") + (eq == std::string::npos ? term : short_axis(term.substr(0, eq)) + term.substr(eq));
    start = end + 2;
  }
  return out;
}

std::string line_style(std::size_t config) {
  std::string style = "lt " + std::to_string(config % plot::palette().size() + 1);
  if (config >= plot::palette().size()) style += " dt " + std::to_string(config / plot::palette().size() % 4 + 2);
  return style;
}

std::size_t index_of(const std::vector<std::string>& list, const std::string& item) {
  return static_cast<std::size_t>(std::find(list.begin(), list.end(), item) - list.begin());
}

// The longest title among legend entries (plot clauses ending in title '...').
std::size_t longest_title(const std::vector<std::string>& entries) {
  std::size_t longest = 0;
  for (const auto& e : entries) {
    const auto at = e.find("title '");
    if (at != std::string::npos) longest = std::max(longest, e.size() - at - 8);
  }
  return longest;
}

// Panels in a grid above a shared legend strip. The legend's columns are
// as many as its longest title allows (about 7 px a character at 11 pt, a
// sample line beside it), so the strip's height is known beforehand.
struct Layout {
  std::size_t cols = 1, rows = 1, per_row = 1;
  int panel_w = 420, panel_h = 300, legend_h = 0, width = 0, height = 0;

  Layout(std::size_t panels, const std::vector<std::string>& legend_entries, std::size_t max_cols = 3, int pw = 420,
         int ph = 300)
      : panel_w(pw), panel_h(ph) {
    cols = std::max<std::size_t>(1, std::min(panels, max_cols));
    rows = std::max<std::size_t>(1, (panels + cols - 1) / cols);
    width = std::max(640, static_cast<int>(cols) * panel_w);
    const std::size_t entry_w = 7 * longest_title(legend_entries) + 80;
    per_row = std::max<std::size_t>(1, std::min<std::size_t>(legend_entries.size(), static_cast<std::size_t>(width) / entry_w));
    const std::size_t legend_rows = (legend_entries.size() + per_row - 1) / per_row;
    legend_h = legend_entries.empty() ? 0 : 16 + 21 * static_cast<int>(legend_rows);
    height = static_cast<int>(rows) * panel_h + legend_h;
    panel_w = width / static_cast<int>(cols);
  }
  std::string place(std::size_t k) const {
    const std::size_t col = k % cols, row = k / cols;
    const double x = static_cast<double>(col * static_cast<std::size_t>(panel_w)) / width;
    const double y = static_cast<double>(legend_h + static_cast<int>(rows - 1 - row) * panel_h) / height;
    return "set origin " + fixed(x) + ", " + fixed(y) + "\nset size " + fixed(static_cast<double>(panel_w) / width) + ", " +
           fixed(static_cast<double>(panel_h) / height) + "\n";
  }
  // The legend: an empty plot whose key lists `entries` (plot clauses of NaN).
  std::string legend(const std::vector<std::string>& entries) const {
    if (entries.empty()) return "";
    std::string out = "# the legend, shared by every panel\n"
                      "set origin 0, 0\nset size 1, " + fixed(static_cast<double>(legend_h) / height) +
                      "\n"
                      "unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\n"
                      "unset object\nunset label\nunset logscale\n"
                      "set lmargin 0\nset rmargin 0\nset tmargin 0\nset bmargin 0\n"
                      "set xrange [0:1]\nset yrange [0:1]\n"
                      "set key center center horizontal maxcols " + std::to_string(per_row) + " samplen 2.5 spacing 1.1\n";
    for (std::size_t i = 0; i < entries.size(); ++i) out += std::string(i == 0 ? "plot " : ", \\\n     ") + entries[i];
    return out + "\n";
  }
};

// Mean and seeded bootstrap band of the values at one point.
struct Band {
  double mean = NAN, lo = NAN, hi = NAN;
  std::size_t n = 0;
};
Band band(std::vector<double> values, const StatsOptions& options, const std::string& stream) {
  Band b;
  std::sort(values.begin(), values.end());  // the band depends on the values, not the order runs finished
  b.n = values.size();
  if (values.empty()) return b;
  b.mean = stats::mean(values);
  if (values.size() > 1 && options.summary_resamples > 0) {
    const auto i = stats::bootstrap_interval(values, stats::Statistic::kMean, options.summary_resamples, options.confidence,
                                             derive_seed(options.seed, stream));
    b.lo = i.lo;
    b.hi = i.hi;
  } else {
    b.lo = b.hi = b.mean;
  }
  return b;
}

std::string bands_note(const StatsOptions& options) {
  return "Bands: " + format_number(options.confidence * 100) + "% percentile bootstrap interval of the mean over seeds (" +
         std::to_string(options.summary_resamples) +
         " resamples, seeded); with fewer than 10 seeds read them as indicative (docs/statistics.md).";
}

// The runs of each (panel, config) cell, in view order.
std::map<std::pair<std::size_t, std::size_t>, std::vector<const FigureRun*>> cells_of(const SweepView& view) {
  std::map<std::pair<std::size_t, std::size_t>, std::vector<const FigureRun*>> cells;
  for (const auto& run : view.runs) cells[{index_of(view.panels, run.panel), index_of(view.configs, run.config)}].push_back(&run);
  return cells;
}

std::vector<std::string> config_entries(const SweepView& view, bool with_points) {
  std::vector<std::string> entries;
  for (std::size_t c = 0; c < view.configs.size(); ++c) {
    entries.push_back(std::string("NaN with ") + (with_points ? "linespoints " : "lines ") + line_style(c) + " title " +
                      plot::quote(short_config(view.configs[c])));
  }
  return entries;
}

SweepFigure accuracy_by_length(const SweepView& view, const fs::path& dir, const StatsOptions& options) {
  plot::DataFile data;
  std::string body;
  const auto cells = cells_of(view);
  std::vector<std::string> entries = config_entries(view, true);
  entries.push_back("NaN with boxes fs solid 1.0 noborder fc rgb '#ececec' title 'training lengths'");
  entries.push_back("NaN with lines dt 2 lw 1.4 lc rgb '#666666' title 'chance (majority class)'");
  const Layout layout(view.panels.size(), entries);
  body += "set multiplot\n";
  for (std::size_t p = 0; p < view.panels.size(); ++p) {
    std::string plots;
    std::uint64_t L_min = UINT64_MAX, longest = 0;
    std::set<std::uint64_t> L_max;
    std::map<std::uint64_t, std::vector<double>> chance;  // length -> per run
    for (std::size_t c = 0; c < view.configs.size(); ++c) {
      const auto found = cells.find({p, c});
      if (found == cells.end()) continue;
      std::map<std::uint64_t, std::vector<double>> by_length;
      for (const FigureRun* run : found->second) {
        L_min = std::min(L_min, run->L_min);
        L_max.insert(run->L_max);
        for (const char* split : {"test_id", "test_len_ood"}) {
          const auto scores = run->curves.eval.find(split);
          if (scores == run->curves.eval.end()) continue;
          const auto& s = scores->second;
          const std::string key = std::string("chance_") + split;
          const double split_chance =
              run->record->metrics.contains(key) && run->record->metrics[key].is_number() ? run->record->metrics[key].get<double>() : NAN;
          const auto line = chance_by_length(s, split_chance);
          for (std::size_t i = 0; i < s.length.size(); ++i) {
            longest = std::max(longest, s.length[i]);
            by_length[s.length[i]].push_back(s.accuracy[i]);
            chance[s.length[i]].push_back(line[i]);
          }
        }
      }
      const int index = data.block(view.panels[p] + " | " + view.configs[c], {"length", "mean", "lo", "hi", "runs"});
      for (const auto& [length, values] : by_length) {
        const Band b = band(values, options,
                            "figure/accuracy_by_length\x1f" + view.panels[p] + "\x1f" + view.configs[c] + "\x1f" + std::to_string(length));
        data.row({static_cast<double>(length), b.mean, b.lo, b.hi, static_cast<double>(b.n)});
      }
      const std::string i = std::to_string(index), style = line_style(c);
      plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'accuracy_by_length.dat' index " + i +
               " using 1:3:4 with filledcurves " + style + " fs transparent solid 0.18 noborder notitle, \\\n" +
               "     '' index " + i + " using 1:2 with linespoints " + style + " notitle";
    }
    if (!chance.empty()) {
      const int index = data.block(view.panels[p] + " | chance", {"length", "chance"});
      for (auto& [length, values] : chance) {
        std::sort(values.begin(), values.end());
        data.row({static_cast<double>(length), stats::mean(values)});
      }
      plots += ", \\\n     '' index " + std::to_string(index) + " using 1:2 with lines dt 2 lw 1.4 lc rgb '#666666' notitle";
    }
    body += "# panel " + std::to_string(p + 1) + ": " + view.panels[p] + "\n" + layout.place(p) + "set title " +
            plot::quote(view.panels[p]) + "\n";
    body += "set xlabel 'string length'\nset ylabel 'accuracy'\nset yrange [0:1.02]\nset key off\n";
    if (L_min != UINT64_MAX) body += length_axis(L_min, std::max(longest, *L_max.rbegin()));
    if (!L_max.empty()) {
      const std::string lo = format_number(static_cast<double>(L_min) - 0.5);
      const std::string hi = format_number(static_cast<double>(*L_max.begin()) + 0.5);
      body += "set object 1 rect from " + lo + ", graph 0 to " + hi + ", graph 1 behind fc rgb '#ececec' fs solid 1.0 noborder\n";
      // Other training ranges of this panel (L_max as an axis): a dashed line at each end.
      int arrow = 1;
      for (auto it = std::next(L_max.begin()); it != L_max.end(); ++it) {
        const std::string x = format_number(static_cast<double>(*it) + 0.5);
        body += "set arrow " + std::to_string(arrow++) + " from " + x + ", graph 0 to " + x +
                ", graph 1 nohead dt 3 lc rgb '#999999'\n";
      }
    }
    body += (plots.empty() ? "plot NaN notitle" : plots) + "\nunset object 1\nunset arrow\n";
  }
  body += layout.legend(entries) + "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "accuracy_by_length";
  out.figure.title = "Accuracy against string length, one panel per language, one line per model configuration";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = layout.width;
  out.figure.height = layout.height;
  out.caption = "Accuracy against string length (in-distribution and longer test strings), one panel per language, "
                "one line per model configuration: the mean over seeds. Grey: the training lengths (dotted lines "
                "end other training ranges); dashed: chance, the majority class's share at each length. " +
                bands_note(options);
  return out;
}

SweepFigure learning_curves(const SweepView& view, const fs::path& dir, const StatsOptions& options, const std::string& column,
                            const std::string& what, bool log_y) {
  plot::DataFile data;
  std::string body;
  const auto cells = cells_of(view);
  const std::vector<std::string> entries = config_entries(view, false);
  const Layout layout(view.panels.size(), entries);
  const std::string name = "learning_curves_" + std::string(log_y ? "loss" : "accuracy");
  body += "set multiplot\n";
  for (std::size_t p = 0; p < view.panels.size(); ++p) {
    std::string plots;
    for (std::size_t c = 0; c < view.configs.size(); ++c) {
      const auto found = cells.find({p, c});
      if (found == cells.end()) continue;
      std::map<std::uint64_t, std::vector<double>> by_step;
      for (const FigureRun* run : found->second) {
        const auto values = run->curves.history.find(column);
        if (values == run->curves.history.end()) continue;
        for (std::size_t i = 0; i < run->curves.step.size() && i < values->second.size(); ++i) {
          if (!std::isnan(values->second[i])) by_step[run->curves.step[i]].push_back(values->second[i]);
        }
      }
      const int index = data.block(view.panels[p] + " | " + view.configs[c], {"step", "mean", "lo", "hi", "runs"});
      for (const auto& [step, values] : by_step) {
        const Band b = band(values, options, "figure/" + name + "\x1f" + view.panels[p] + "\x1f" + view.configs[c] + "\x1f" +
                                                 std::to_string(step));
        data.row({static_cast<double>(step), b.mean, b.lo, b.hi, static_cast<double>(b.n)});
      }
      const std::string i = std::to_string(index), style = line_style(c);
      plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'" + name + ".dat' index " + i +
               " using 1:3:4 with filledcurves " + style + " fs transparent solid 0.18 noborder notitle, \\\n" +
               "     '' index " + i + " using 1:2 with lines " + style + " notitle";
    }
    body += "# panel " + std::to_string(p + 1) + ": " + view.panels[p] + "\n" + layout.place(p) + "set title " +
            plot::quote(view.panels[p]) + "\n" + "set xlabel 'step'\nset ylabel " + plot::quote(what) + "\nset key off\n" +
            (log_y ? "set logscale y\n" : "set yrange [0:1.02]\n") + (plots.empty() ? "plot NaN notitle" : plots) + "\n";
  }
  body += layout.legend(entries) + "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = name;
  out.figure.title = "Learning curves (" + what + ") per language and model configuration, over seeds";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = layout.width;
  out.figure.height = layout.height;
  out.caption = "Learning curves: " + what + " against training step, one panel per language, one line per model "
                "configuration (the mean over seeds). " + bands_note(options);
  return out;
}

std::vector<double> metric_values(const std::vector<const FigureRun*>& runs, const std::string& metric) {
  std::vector<double> values;
  for (const FigureRun* run : runs) {
    const auto& m = run->record->metrics;
    if (m.contains(metric) && m[metric].is_number()) values.push_back(m[metric].get<double>());
  }
  std::sort(values.begin(), values.end());
  return values;
}

SweepFigure heatmap(const SweepView& view, const fs::path& dir, const StatsOptions& options, const std::string& metric) {
  plot::DataFile data;
  const auto cells = cells_of(view);
  data.block("x = configuration, y = language: " + metric + " IQM over seeds, bootstrap interval of the IQM",
             {"x", "y", "iqm", "lo", "hi", "runs", "text_rgb", "label", "width_label"});
  double lowest = INFINITY, highest = -INFINITY;
  struct Cell {
    std::size_t x, y;
    double iqm, lo, hi;
    std::size_t n;
  };
  std::vector<Cell> filled;
  for (std::size_t p = 0; p < view.panels.size(); ++p) {
    for (std::size_t c = 0; c < view.configs.size(); ++c) {
      const auto found = cells.find({p, c});
      if (found == cells.end()) continue;
      const auto values = metric_values(found->second, metric);
      if (values.empty()) continue;
      Cell cell{c, p, stats::iqm(values), NAN, NAN, values.size()};
      if (values.size() > 1 && options.summary_resamples > 0) {
        const auto i = stats::bootstrap_interval(values, stats::Statistic::kIqm, options.summary_resamples, options.confidence,
                                                 derive_seed(options.seed, "figure/heatmap\x1f" + view.panels[p] + "\x1f" +
                                                                                view.configs[c] + "\x1f" + metric));
        cell.lo = i.lo;
        cell.hi = i.hi;
      }
      lowest = std::min(lowest, cell.iqm);
      highest = std::max(highest, cell.iqm);
      filled.push_back(cell);
    }
  }
  const bool accuracy = metric.rfind("acc", 0) == 0;
  const double cb_lo = accuracy ? (lowest >= 0.5 ? 0.5 : 0.0) : lowest, cb_hi = accuracy ? 1.0 : highest;
  for (const auto& cell : filled) {
    const double t = cb_hi > cb_lo ? (cell.iqm - cb_lo) / (cb_hi - cb_lo) : 1.0;
    const double text_rgb = t < 0.55 ? 0xffffff : 0x000000;  // light text on the dark end of the palette
    char label[32], width_text[32];
    std::snprintf(label, sizeof label, "%.3f", cell.iqm);
    std::snprintf(width_text, sizeof width_text, "%.2g", cell.hi - cell.lo);
    const std::string width = std::isnan(cell.lo) ? "n=" + std::to_string(cell.n) : std::string("width ") + width_text;
    data.row({static_cast<double>(cell.x), static_cast<double>(cell.y), cell.iqm, cell.lo, cell.hi,
              static_cast<double>(cell.n), text_rgb},
             {label, width});
  }
  std::string xtics, ytics;
  for (std::size_t c = 0; c < view.configs.size(); ++c) {
    xtics += (c ? ", " : "") + plot::quote(short_config(view.configs[c])) + " " + std::to_string(c);
  }
  for (std::size_t p = 0; p < view.panels.size(); ++p) ytics += (p ? ", " : "") + plot::quote(view.panels[p]) + " " + std::to_string(p);
  const int cell_w = 150, cell_h = 56;
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "heatmap";
  out.figure.title = metric + " by language and model configuration: IQM over seeds";
  out.figure.data = data.text();
  out.figure.width = std::max(560, 220 + cell_w * static_cast<int>(view.configs.size()));
  out.figure.height = std::max(260, 150 + cell_h * static_cast<int>(view.panels.size()));
  out.figure.body =
      "set title " + plot::quote(metric + ": IQM over seeds (below: the width of its bootstrap interval)") +
      "\n"
      "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21908d', 0.75 '#5dc963', 1 '#fde725')\n"
      "set cbrange [" + format_number(cb_lo) + ":" + format_number(cb_hi > cb_lo ? cb_hi : cb_lo + 1) +
      "]\n"
      "set cblabel " + plot::quote(metric) +
      "\n"
      "set xrange [-0.5:" + format_number(static_cast<double>(view.configs.size()) - 0.5) +
      "]\n"
      "set yrange [" + format_number(static_cast<double>(view.panels.size()) - 0.5) + ":-0.5]\n" +
      "set xtics (" + xtics + ") rotate by -20 left\n" + "set ytics (" + ytics + ")\n" +
      "unset grid\nset border 15\nset key off\nset tics scale 0\n"
      "plot 'heatmap.dat' index 0 using 1:2:3 with image, \\\n"
      "     '' index 0 using 1:($2-0.12):8:7 with labels tc rgb variable font ',11', \\\n"
      "     '' index 0 using 1:($2+0.2):9:7 with labels tc rgb variable font ',8'\n";
  out.caption = "The interquartile mean of " + metric +
                " over seeds for every language (rows) and model configuration (columns); below each value the "
                "width of its percentile bootstrap interval (" + std::to_string(options.summary_resamples) +
                " resamples; n=1 where one run). " + (accuracy ? "The colour scale starts at 0.5 (chance for balanced tests) when every cell is above it." : "");
  return out;
}

// The key columns of an across-language table (those before "metric"), joined as a configuration label.
std::string table_config(const Table& table, const std::vector<std::string>& row) {
  const std::size_t metric_at = index_of(table.columns, "metric");
  std::string label;
  for (std::size_t k = 0; k < metric_at && k < row.size(); ++k) {
    label += (label.empty() ? "" : ", ") + table.columns[k] + "=" + row[k];
  }
  return label.empty() ? "all runs" : label;
}

double number_at(const Table& table, const std::vector<std::string>& row, const std::string& column) {
  const std::size_t at = index_of(table.columns, column);
  if (at >= row.size() || row[at].empty()) return NAN;
  return std::stod(row[at]);
}

std::vector<std::string> accuracy_metrics_of(const Table& table) {
  std::vector<std::string> metrics;
  const std::size_t at = index_of(table.columns, "metric");
  for (const auto& row : table.rows) {
    if (at < row.size() && row[at].rfind("acc_", 0) == 0 && index_of(metrics, row[at]) == metrics.size()) metrics.push_back(row[at]);
  }
  return metrics;
}

SweepFigure overall(const SweepView& view, const Table& table, const fs::path& dir) {
  plot::DataFile data;
  const std::vector<std::string> metrics = accuracy_metrics_of(table);
  const std::size_t metric_at = index_of(table.columns, "metric");
  std::string ytics, plots;
  for (std::size_t c = 0; c < view.configs.size(); ++c) {
    ytics += (c ? ", " : "") + plot::quote(short_config(view.configs[c])) + " " + std::to_string(c);
  }
  std::vector<std::string> entries;
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    // The metrics of one configuration sit side by side around its row.
    const double shift = (static_cast<double>(k) - (static_cast<double>(metrics.size()) - 1) / 2) * 0.2;
    const int index = data.block(metrics[k], {"iqm", "y", "lo", "hi", "languages", "runs"});
    for (const auto& row : table.rows) {
      if (row[metric_at] != metrics[k]) continue;
      const std::size_t c = index_of(view.configs, table_config(table, row));
      if (c == view.configs.size()) continue;
      data.row({number_at(table, row, "iqm"), static_cast<double>(c) + shift, number_at(table, row, "iqm_lo"),
                number_at(table, row, "iqm_hi"), number_at(table, row, "languages"), number_at(table, row, "runs")});
    }
    const std::string style = line_style(k);
    plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'overall.dat' index " + std::to_string(index) +
             " using 1:2:($3 == $3 ? $3 : $1):($4 == $4 ? $4 : $1) with xerrorbars " + style + " ps 0.9 title " +
             plot::quote(metrics[k]);
  }
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "overall";
  out.figure.title = "Across languages: the IQM of each accuracy over all (language, seed) runs, per model configuration";
  out.figure.data = data.text();
  out.figure.width = 900;
  out.figure.height = 130 + 46 * static_cast<int>(view.configs.size());
  out.figure.body = "set title 'IQM over all (language, seed) runs, with stratified bootstrap intervals'\n"
                    "set xrange [0:1.02]\nset xlabel 'interquartile mean'\n"
                    "set yrange [" + format_number(static_cast<double>(view.configs.size()) - 0.5) + ":-0.5]\n" +
                    "set ytics (" + ytics + ")\nset grid xtics noytics\n" +
                    "set key outside top center horizontal\n" + (plots.empty() ? "plot NaN notitle" : plots) + "\n";
  out.caption = "Across languages (rliable's aggregate view): for each model configuration, the interquartile mean of each "
                "test accuracy over all its (language, seed) runs, with a stratified bootstrap interval (seeds "
                "resampled within each language).";
  return out;
}

SweepFigure profiles(const SweepView& view, const Table& table, const fs::path& dir) {
  plot::DataFile data;
  const std::vector<std::string> metrics = accuracy_metrics_of(table);
  const std::size_t metric_at = index_of(table.columns, "metric");
  const std::vector<std::string> entries = config_entries(view, false);
  const Layout layout(metrics.size(), entries, 3, 380, 300);
  std::string body = "set multiplot\n";
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    std::string plots;
    for (std::size_t c = 0; c < view.configs.size(); ++c) {
      const int index = data.block(metrics[k] + " | " + view.configs[c], {"tau", "fraction", "lo", "hi"});
      for (const auto& row : table.rows) {
        if (row[metric_at] != metrics[k] || table_config(table, row) != view.configs[c]) continue;
        data.row({number_at(table, row, "tau"), number_at(table, row, "fraction"), number_at(table, row, "lo"),
                  number_at(table, row, "hi")});
      }
      const std::string i = std::to_string(index), style = line_style(c);
      plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'profiles.dat' index " + i +
               " using 1:3:4 with filledcurves " + style + " fs transparent solid 0.15 noborder notitle, \\\n" +
               "     '' index " + i + " using 1:2 with lines " + style + " notitle";
    }
    body += layout.place(k) + "set title " + plot::quote(metrics[k]) +
            "\nset key off\nset xrange [0:1]\nset yrange [0:1.02]\nset xlabel 'score threshold tau'\nset ylabel 'fraction of runs > tau'\n" +
            (plots.empty() ? "plot NaN notitle" : plots) + "\n";
  }
  body += layout.legend(entries) + "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "profiles";
  out.figure.title = "Performance profiles: the fraction of (language, seed) runs scoring above tau";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = layout.width;
  out.figure.height = layout.height;
  out.caption = "Performance profiles (rliable): for each model configuration, the fraction of its (language, seed) runs "
                "whose score is above tau, with a stratified bootstrap band. A curve above another is better at every "
                "threshold.";
  return out;
}

SweepFigure forest(const Table& table, const fs::path& dir, const StatsOptions& options) {
  plot::DataFile data;
  std::vector<std::string> metrics;
  const std::size_t metric_at = index_of(table.columns, "metric");
  for (const auto& row : table.rows) {
    if (index_of(metrics, row[metric_at]) == metrics.size()) metrics.push_back(row[metric_at]);
  }
  // Row labels: the comparison and its cell (the by-axes' values).
  const std::size_t b_at = index_of(table.columns, "b"), pairing_at = index_of(table.columns, "pairing");
  std::string body = "set multiplot\n";
  std::vector<int> heights;
  int total = 36;
  for (const auto& m : metrics) {
    const auto rows = static_cast<int>(std::count_if(table.rows.begin(), table.rows.end(), [&](const auto& r) { return r[metric_at] == m; }));
    heights.push_back(90 + 34 * rows);
    total += heights.back();
  }
  const int width = 900;
  int y = total;
  const std::map<std::string, std::string> colour = {{"a", "#0072B2"}, {"b", "#D55E00"}, {"tie", "#009E73"}, {"unclear", "#777777"}};
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    const int index = data.block(metrics[k], {"diff", "y", "lo", "hi", "p_holm", "rgb", "label", "verdict"});
    std::string ytics;
    int row_y = 0;
    // The x range holds every interval, zero and the tie band, so the
    // reference lines are always inside the panel.
    double x_lo = -options.effect, x_hi = options.effect;
    for (const auto& row : table.rows) {
      if (row[metric_at] != metrics[k]) continue;
      for (const char* column : {"diff", "diff_lo", "diff_hi"}) {
        const double v = number_at(table, row, column);
        if (std::isfinite(v)) x_lo = std::min(x_lo, v), x_hi = std::max(x_hi, v);
      }
    }
    const double pad = 0.05 * (x_hi - x_lo);
    for (const auto& row : table.rows) {
      if (row[metric_at] != metrics[k]) continue;
      std::string label = row[0];
      for (std::size_t c = b_at + 1; c < pairing_at && c < metric_at; ++c) label += " · " + row[c];
      const std::string verdict = row[index_of(table.columns, "verdict")];
      const auto found = colour.find(verdict);
      const double rgb = static_cast<double>(std::stoul((found != colour.end() ? found->second : "#777777").substr(1), nullptr, 16));
      data.row({number_at(table, row, "diff"), static_cast<double>(row_y), number_at(table, row, "diff_lo"),
                number_at(table, row, "diff_hi"), number_at(table, row, "p_holm"), rgb},
               {label, verdict});
      ytics += (row_y ? ", " : "") + plot::quote(label) + " " + std::to_string(row_y);
      ++row_y;
    }
    y -= heights[k];
    body += "set origin 0, " + fixed(static_cast<double>(y) / total) + "\nset size 1, " +
            fixed(static_cast<double>(heights[k]) / total) + "\n" + "set title " + plot::quote(metrics[k] + ": a - b") +
            "\nset key off\nset lmargin 42\nset rmargin 10\n" + "set xrange [" + format_number(x_lo - pad) + ":" +
            format_number(x_hi + pad) + "]\nset yrange [" + format_number(row_y - 0.5) +
            ":-0.5]\nset ytics (" + ytics + ")\nunset arrow\n" +
            "set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '#333333'\n" +
            "set arrow 2 from " + format_number(-options.effect) + ", graph 0 to " + format_number(-options.effect) +
            ", graph 1 nohead dt 2 lc rgb '#aaaaaa'\n" + "set arrow 3 from " + format_number(options.effect) +
            ", graph 0 to " + format_number(options.effect) + ", graph 1 nohead dt 2 lc rgb '#aaaaaa'\n" +
            "plot 'forest.dat' index " + std::to_string(index) +
            " using 1:2:($3 == $3 ? $3 : $1):($4 == $4 ? $4 : $1):6 with xerrorbars lc rgb variable pt 7 ps 0.9 lw 1.6 notitle, \\\n"
            "     '' index " + std::to_string(index) + " using ($4 == $4 ? $4 : $1):2:8:6 with labels left offset 1,0 tc rgb variable notitle\n";
  }
  body += "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "forest";
  out.figure.title = "Comparisons: the mean difference a - b with its bootstrap interval, coloured by verdict";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = width;
  out.figure.height = total;
  out.caption = "Every comparison: the mean difference a − b over matched pairs with its percentile bootstrap interval (" +
                std::to_string(options.compare_resamples) +
                " resamples), one panel per metric. Colour and the word at the right give the verdict: blue a, orange b "
                "(Holm-adjusted p below " + format_number(options.alpha) + "), green tie (interval within ±" +
                format_number(options.effect) + ", the dashed lines), grey unclear.";
  return out;
}

// Model size axes: settings that change the parameter count.
bool is_size_axis(const std::string& axis) {
  static const std::set<std::string> size = {"model.d_model", "model.n_layers", "model.params", "model.d_ff", "model.n_heads"};
  return size.count(axis) > 0;
}

std::optional<SweepFigure> scaling(const SweepView& view, const fs::path& dir, const std::string& metric) {
  // Series: the configuration without its size axes.
  std::vector<std::string> series;
  std::map<std::tuple<std::size_t, std::size_t, std::string>, std::vector<const FigureRun*>> points;  // panel, series, config
  for (const auto& run : view.runs) {
    std::string label;
    for (const auto& [axis, value] : run.record->axes) {
      if (axis == "language" || axis == "seed" || is_size_axis(axis)) continue;
      label += (label.empty() ? "" : ", ") + axis + "=" + axis_text(*run.record, axis);
    }
    if (label.empty()) label = "all runs";
    if (index_of(series, label) == series.size()) series.push_back(label);
    points[{index_of(view.panels, run.panel), index_of(series, label), run.config}].push_back(&run);
  }
  // Only when some series has more than one model size.
  std::map<std::pair<std::size_t, std::size_t>, std::set<double>> sizes;
  for (const auto& [key, runs] : points) {
    for (const auto* r : runs) sizes[{std::get<0>(key), std::get<1>(key)}].insert(r->parameters);
  }
  if (std::none_of(sizes.begin(), sizes.end(), [](const auto& s) { return s.second.size() > 1; })) return std::nullopt;
  plot::DataFile data;
  std::vector<std::string> entries;
  for (std::size_t s = 0; s < series.size(); ++s) {
    entries.push_back("NaN with linespoints " + line_style(s) + " title " + plot::quote(short_config(series[s])));
  }
  const Layout layout(view.panels.size(), entries);
  // One x range for every panel, a little wider than the sizes swept (gnuplot's
  // own would round out to whole decades and leave most of the panel empty).
  double fewest = HUGE_VAL, most = 0;
  for (const auto& [key, values] : sizes) {
    for (const double v : values) {
      if (v > 0) fewest = std::min(fewest, v), most = std::max(most, v);
    }
  }
  std::string x_axis;
  if (most > 0) {
    const double lo = fewest / 1.4, hi = most * 1.4;
    // Tics at 1, 2 and 5 times a power of ten, written 2k, 50k, 1M.
    std::string tics;
    for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi; decade *= 10) {
      for (const double m : {1.0, 2.0, 5.0}) {
        const double v = m * decade;
        if (v < lo || v > hi) continue;
        const char* unit = v >= 1e9 ? "G" : v >= 1e6 ? "M" : v >= 1e3 ? "k" : "";
        const double scaled = v >= 1e9 ? v / 1e9 : v >= 1e6 ? v / 1e6 : v >= 1e3 ? v / 1e3 : v;
        tics += (tics.empty() ? "" : ", ") + plot::quote(format_number(scaled) + unit) + " " + format_number(v);
      }
    }
    x_axis = "set xrange [" + format_number(lo) + ":" + format_number(hi) + "]\n" +
             (tics.empty() ? "" : "set xtics (" + tics + ")\n");
  }
  std::string body = "set multiplot\n";
  for (std::size_t p = 0; p < view.panels.size(); ++p) {
    std::string plots;
    for (std::size_t s = 0; s < series.size(); ++s) {
      const int index = data.block(view.panels[p] + " | " + series[s], {"parameters", "mean", "lo", "hi", "runs"});
      std::vector<std::array<double, 5>> rows;
      for (const auto& [key, runs] : points) {
        if (std::get<0>(key) != p || std::get<1>(key) != s) continue;
        const auto values = metric_values(runs, metric);
        if (values.empty()) continue;
        std::vector<double> params;
        for (const auto* r : runs) params.push_back(r->parameters);
        const double m = stats::mean(values), half = values.size() > 1 ? stats::t_half_width(values) : 0.0;
        rows.push_back({stats::mean(params), m, m - half, m + half, static_cast<double>(values.size())});
      }
      std::sort(rows.begin(), rows.end());
      for (const auto& r : rows) data.row({r[0], r[1], r[2], r[3], r[4]});
      const std::string i = std::to_string(index), style = line_style(s);
      plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'scaling.dat' index " + i + " using 1:2:3:4 with yerrorbars " +
               style + " notitle, \\\n     '' index " + i + " using 1:2 with lines " + style + " notitle";
    }
    body += layout.place(p) + "set title " + plot::quote(view.panels[p]) + "\nset key off\nset logscale x\n" + x_axis + "set xlabel 'parameters'\n" +
            "set ylabel " + plot::quote(metric) + "\n" + (metric.rfind("acc", 0) == 0 ? "set yrange [0:1.02]\n" : "") +
            (plots.empty() ? "plot NaN notitle" : plots) + "\n";
  }
  body += layout.legend(entries) + "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "scaling";
  out.figure.title = metric + " against parameters (log scale), per language";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = layout.width;
  out.figure.height = layout.height;
  out.caption = metric + " against the number of parameters (log scale), one panel per language, one line per configuration "
                "without its size settings (model.d_model, n_layers, params, d_ff, n_heads): the mean over seeds with "
                "its 95% Student-t interval.";
  return out;
}

}  // namespace

std::string config_label(const RunRecord& record) {
  std::string label;
  for (const auto& [axis, value] : record.axes) {
    if (axis == "language" || axis == "seed") continue;
    label += (label.empty() ? "" : ", ") + axis + "=" + axis_text(record, axis);
  }
  return label.empty() ? "all runs" : label;
}

SweepView load_view(const std::vector<RunRecord>& records) {
  SweepView view;
  for (const auto& record : records) {
    if (record.state != layout::RunState::kDone) continue;
    FigureRun run;
    run.record = &record;
    run.config = config_label(record);
    std::string language = axis_text(record, "language");
    try {
      const layout::RunPaths paths = layout::RunPaths::from_run_dir(record.run_dir);
      const auto experiment = io::read_json_file(paths.experiment_json());
      if (!experiment || !experiment->is_object()) throw std::runtime_error("cannot read experiment.json");
      const auto& data = experiment->value("data", nlohmann::json::object());
      run.L_min = data.value("L_min", std::uint64_t{1});
      run.L_max = data.value("L_max", std::uint64_t{1});
      if (language.empty()) language = experiment->value("language", nlohmann::json::object()).value("name", std::string("?"));
      run.curves = layout::read_curves(paths.metrics_h5());
    } catch (const std::exception& e) {
      view.warnings.push_back(record.run_id + ": left out of the figures: " + e.what());
      continue;
    }
    run.panel = language;
    const auto& m = record.metrics;
    run.parameters = m.contains("parameters") && m["parameters"].is_number() ? m["parameters"].get<double>() : NAN;
    if (index_of(view.panels, run.panel) == view.panels.size()) view.panels.push_back(run.panel);
    if (index_of(view.configs, run.config) == view.configs.size()) view.configs.push_back(run.config);
    view.runs.push_back(std::move(run));
  }
  return view;
}

std::vector<SweepFigure> sweep_figures(const SweepView& view, const Table& overall_table, const Table& profiles_table,
                                       const Table& compare, const fs::path& dir, const SweepFigureOptions& options) {
  std::vector<SweepFigure> figures;
  if (view.runs.empty()) return figures;
  figures.push_back(accuracy_by_length(view, dir, options.stats));
  figures.push_back(learning_curves(view, dir, options.stats, "val_acc", "validation accuracy", false));
  figures.push_back(learning_curves(view, dir, options.stats, "train_loss", "training loss", true));
  figures.push_back(heatmap(view, dir, options.stats, options.metric));
  if (!accuracy_metrics_of(overall_table).empty()) figures.push_back(overall(view, overall_table, dir));
  if (!accuracy_metrics_of(profiles_table).empty()) figures.push_back(profiles(view, profiles_table, dir));
  if (!compare.rows.empty()) figures.push_back(forest(compare, dir, options.stats));
  if (auto s = scaling(view, dir, options.metric)) figures.push_back(std::move(*s));
  return figures;
}

std::optional<SweepFigure> fit_figure(const nlohmann::json& fits, const fs::path& dir) {
  // Pair each group's saturating entry with its power entry (fit_tables
  // writes them one after the other).
  struct Group {
    const nlohmann::json* saturating = nullptr;
    const nlohmann::json* power = nullptr;
  };
  std::vector<Group> groups;
  for (const auto& entry : fits) {
    if (entry.value("law", "") == "saturating") groups.push_back({&entry, nullptr});
    else if (!groups.empty() && groups.back().saturating && entry.value("group", nlohmann::json()) == (*groups.back().saturating)["group"] &&
             entry.value("fit", "") == (*groups.back().saturating).value("fit", "")) {
      groups.back().power = &entry;
    }
  }
  if (groups.empty()) return std::nullopt;
  const std::vector<std::string> entries = {
      "NaN with points pt 6 ps 0.6 lc rgb '#999999' title 'runs (one per seed)'",
      "NaN with points pt 7 ps 0.9 lc rgb '#000000' title 'mean at x'",
      "NaN with lines lt 1 title 'E + A x^-alpha (saturating)'",
      "NaN with lines lt 2 dt 2 title 'A x^-alpha (power law)'"};
  const Layout layout(groups.size() * 2, entries, 2, 460, 300);
  plot::DataFile data;
  std::string body = "set multiplot\nset samples 200\n";
  auto number = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const nlohmann::json& sat = *groups[g].saturating;
    std::string title = sat.value("fit", "");
    for (const auto& [axis, value] : sat["group"].items()) title += " · " + value.get<std::string>();
    const int runs_at = data.block(title + " | runs", {"x", "error"});
    double lo = HUGE_VAL, hi = 0, e_lo = HUGE_VAL, e_hi = 0, r_lo = HUGE_VAL, r_hi = -HUGE_VAL;
    for (const auto& r : sat["run_points"]) {
      const double e = std::max(number(r["error"]), 1e-4);
      data.row({number(r["x"]), e});
      lo = std::min(lo, number(r["x"])), hi = std::max(hi, number(r["x"]));
      e_lo = std::min(e_lo, e), e_hi = std::max(e_hi, e);
    }
    const int means_at = data.block(title + " | means", {"x", "mean_error", "residual_saturating", "residual_power"});
    const nlohmann::json empty = nlohmann::json::array();
    const auto& points = sat.contains("points") ? sat["points"] : empty;
    const nlohmann::json* power_points = groups[g].power && groups[g].power->contains("points") ? &(*groups[g].power)["points"] : nullptr;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double power_residual = power_points && i < power_points->size() ? number((*power_points)[i]["residual"]) : std::nan("");
      data.row({number(points[i]["x"]), std::max(number(points[i]["mean_error"]), 1e-4), number(points[i]["residual"]), power_residual});
      for (const double r : {number(points[i]["residual"]), power_residual}) {
        if (std::isfinite(r)) r_lo = std::min(r_lo, r), r_hi = std::max(r_hi, r);
      }
    }
    // Ranges that never collapse (every run perfect, every residual zero).
    const std::string e_range = e_hi > 0 ? "set yrange [" + format_number(e_lo / 2) + ":" + format_number(std::max(e_hi * 2, 1.0)) + "]\n" : "";
    const double r_pad = std::isfinite(r_lo) ? std::max(0.1 * (r_hi - r_lo), 1e-3) : 0;
    const std::string r_range = std::isfinite(r_lo) ? "set yrange [" + format_number(r_lo - r_pad) + ":" + format_number(r_hi + r_pad) + "]\n" : "";
    std::string curves;
    std::string functions;
    if (sat.contains("alpha") && sat["alpha"].is_number()) {
      functions += "fsat(x) = " + format_number(number(sat["E"])) + " + " + format_number(number(sat["A"])) + " * x**(-(" +
                   format_number(number(sat["alpha"])) + "))\n";
      curves += ", \\\n     fsat(x) with lines lt 1 notitle";
    }
    if (groups[g].power && (*groups[g].power).contains("alpha") && (*groups[g].power)["alpha"].is_number()) {
      const auto& pw = *groups[g].power;
      functions += "fpow(x) = " + format_number(number(pw["A"])) + " * x**(-(" + format_number(number(pw["alpha"])) + "))\n";
      curves += ", \\\n     fpow(x) with lines lt 2 dt 2 notitle";
    }
    const std::string x_name = sat.value("x", "x");
    auto rounded = [](double v) { return format_number(std::round(v * 1000) / 1000 + 0.0); };  // + 0.0: no "-0"
    const std::string range = hi > 0 ? "set xrange [" + format_number(lo / 1.5) + ":" + format_number(hi * 1.5) + "]\n" : "";
    const std::string alpha_text =
        sat.contains("alpha") && sat["alpha"].is_number()
            ? "alpha = " + rounded(number(sat["alpha"])) +
                  (sat["alpha_interval"].is_array()
                       ? " [" + rounded(number(sat["alpha_interval"][0])) + ", " + rounded(number(sat["alpha_interval"][1])) + "]"
                       : "") +
                  ", R2 = " + rounded(number(sat["r2"]))
            : "no fit";
    body += layout.place(2 * g) + functions + "set title " + plot::quote(title) + "\nset label 1 " + plot::quote(alpha_text) +
            " at graph 0.98, graph 0.94 right front\nset key off\nset logscale xy\nset format y '%g'\n" + range + e_range + "set xlabel " + plot::quote(x_name) + "\nset ylabel " +
            plot::quote("error (" + sat.value("error", "") + ")") + "\n" + "plot 'fit.dat' index " + std::to_string(runs_at) +
            " using 1:2 with points pt 6 ps 0.6 lc rgb '#999999' notitle, \\\n     '' index " + std::to_string(means_at) +
            " using 1:2 with points pt 7 ps 0.9 lc rgb '#000000' notitle" + curves + "\n";
    body += layout.place(2 * g + 1) + "unset label 1\nset title " + plot::quote("residuals: mean error - fit") +
            "\nunset logscale y\nset logscale x\nset format y '%g'\n" + range + r_range + "set xlabel " + plot::quote(x_name) +
            "\nset ylabel 'residual'\nset xzeroaxis lt -1 lc rgb '#555555'\nplot 'fit.dat' index " + std::to_string(means_at) +
            " using 1:3 with linespoints lt 1 notitle, \\\n     '' index " + std::to_string(means_at) +
            " using 1:4 with linespoints lt 2 dt 2 notitle\nunset xzeroaxis\n";
  }
  body += layout.legend(entries) + "unset multiplot\n";
  SweepFigure out;
  out.figure.dir = dir;
  out.figure.name = "fit";
  out.figure.title = "Scaling-law fits: error against x, both laws, and their residuals";
  out.figure.data = data.text();
  out.figure.body = body;
  out.figure.width = layout.width;
  out.figure.height = layout.height;
  out.caption = "Scaling-law fits, one row per group: left, each run's error (grey circles; errors of 0 shown at 1e-4) and "
                "the mean at each x (black) on log-log axes, with the saturating law E + A x^-alpha (solid) and the pure "
                "power law (dashed), fitted with a Huber loss in log space; the label gives the saturating law's alpha "
                "with its bootstrap interval over seeds and R2 of log error. Right: the mean error minus each law at each x.";
  return out;
}

}  // namespace regal::aggregate
