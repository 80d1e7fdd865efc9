// aggregate: rebuild and compare tables from regal run folders alone (no MPI).
//
//   aggregate RESULTS_DIR... [--group-by a,b] [--metrics m,...] [--format table|csv|json|markdown]
//             [--runs] [--out DIR]
//   aggregate RESULTS_DIR --compare 'model.arch=lstm' 'model.arch=transformer' [--by language]
//             [--metrics m,...] [--effect 0.01] [--alpha 0.05]
//   aggregate RESULTS_DIR --power [--effect 0.05] [--alpha 0.05] [--power-target 0.8]
//   aggregate RESULTS_DIR --fit 'x=parameters,y=acc_test_id[,by=language]' [--format ...] [--out DIR]
//   aggregate RESULTS_DIR --report [--out DIR] [--report-metric M] [--no-run-figures]
//   aggregate --list [--results DIR] [--format ...]          every sweep and experiment (registry.json)
//   aggregate --log [--results DIR] [--since DATE] [--sweep NAME] [--status S] [--format ...]
//                                                           run attempts (experiment_log.csv)
//
// RESULTS_DIR is a sweep folder (results/<sweep>); several are compared side
// by side with a `sweep` column. Prints the summary (or the per-run table,
// the comparison, the seeds needed) in the chosen format; --out DIR writes
// every table there exactly as the sweep's reducer does (docs/statistics.md).
#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include "aggregate/analysis.h"
#include "aggregate/collect.h"
#include "aggregate/compare.h"
#include "aggregate/report.h"
#include "layout/run_paths.h"
#include "layout/run_state.h"
#include "notebook/log.h"
#include "notebook/registry.h"
#include "aggregate/tables.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/text.h"

namespace po = boost::program_options;
using namespace regal;

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

void print(const aggregate::Table& table, const std::string& format) {
  if (format == "csv") std::cout << aggregate::to_csv(table);
  if (format == "json") std::cout << aggregate::to_json(table).dump(2) << "\n";
  if (format == "markdown") std::cout << aggregate::to_markdown(table);
  if (format == "table") std::cout << aggregate::to_terminal(table);
}

// The comparison as a reader wants it in a terminal: what, where, the
// difference with its interval, the adjusted p, P(a > b), the verdict.
aggregate::Table compact_comparison(const aggregate::Table& full, const std::vector<std::string>& by) {
  auto at = [&](const std::vector<std::string>& row, const std::string& column) {
    return row[static_cast<std::size_t>(std::find(full.columns.begin(), full.columns.end(), column) - full.columns.begin())];
  };
  aggregate::Table table;
  table.columns = by;
  table.columns.insert(table.columns.end(), {"metric", "n", "a", "b", "a - b [95% CI]", "p (Holm)", "P(a>b)", "verdict"});
  for (const auto& row : full.rows) {
    std::vector<std::string> out;
    for (const auto& axis : by) out.push_back(at(row, axis));
    out.insert(out.end(), {at(row, "metric"), at(row, "n") + (at(row, "pairing") == "paired" ? "" : " unpaired"), at(row, "mean_a"),
                           at(row, "mean_b"), at(row, "diff") + " [" + at(row, "diff_lo") + ", " + at(row, "diff_hi") + "]",
                           at(row, "p_holm"), at(row, "p_improve"), at(row, "verdict")});
    table.rows.push_back(std::move(out));
  }
  return table;
}

double positive(const po::variables_map& vm, const char* flag, double fallback) {
  if (!vm.count(flag)) return fallback;
  const double value = vm[flag].as<double>();
  if (!(value > 0)) throw InputError(std::string("--") + flag + " must be positive (got " + aggregate::format_number(value) + ")");
  return value;
}

// The sweep's [[fit]] tables, less those its runs cannot answer (with a warning).
std::vector<aggregate::FitSpec> declared_fits_checked(const std::string& dir, const std::vector<aggregate::RunRecord>& records) {
  std::vector<aggregate::FitSpec> fits = aggregate::declared_fits(dir);
  try {
    aggregate::validate(fits, records);
  } catch (const InputError& error) {
    std::cerr << "warning: fits left out: " << error.what() << "\n";
    fits.clear();
  }
  return fits;
}

// For a terminal: the group, law, alpha [interval], E, R2, hold-out.
aggregate::Table compact_fit(const aggregate::Table& full) {
  aggregate::Table out;
  auto at = [&](const std::string& c) {
    return static_cast<std::size_t>(std::find(full.columns.begin(), full.columns.end(), c) - full.columns.begin());
  };
  const std::size_t first_figure = at("x");
  for (std::size_t c = 0; c < first_figure; ++c) out.columns.push_back(full.columns[c]);
  for (const char* c : {"law", "runs", "sizes", "alpha", "alpha 95%", "A", "E", "r2", "holdout (pred / obs)"}) out.columns.emplace_back(c);
  for (const auto& row : full.rows) {
    std::vector<std::string> r(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(first_figure));
    const std::string lo = row[at("alpha_lo")], hi = row[at("alpha_hi")];
    const std::string hx = row[at("holdout_x")];
    r.insert(r.end(), {row[at("law")], row[at("runs")], row[at("sizes")], row[at("alpha")],
                       lo.empty() ? "" : "[" + lo + ", " + hi + "]", row[at("A")], row[at("E")], row[at("r2")],
                       hx.empty() ? "" : row[at("holdout_predicted")] + " / " + row[at("holdout_observed")] + " at " + hx});
    out.rows.push_back(std::move(r));
  }
  return out;
}

// aggregate DIR --report: the report of one sweep folder, into DIR/report or --out.
int report(const po::variables_map& vm, const std::vector<std::string>& dirs, const std::vector<aggregate::RunRecord>& records,
           std::vector<aggregate::Comparison> comparisons, std::vector<aggregate::FitSpec> fits,
           const aggregate::StatsOptions& stats) {
  if (dirs.size() != 1) throw InputError("--report takes one sweep folder (got " + std::to_string(dirs.size()) + ")");
  for (const char* flag : {"runs", "power", "group-by"}) {
    if (vm.count(flag)) throw InputError(std::string("--") + flag + " does not go with --report");
  }
  aggregate::ReportOptions options;
  options.stats = stats;
  options.run_figures = !vm.count("no-run-figures");
  if (vm.count("report-metric")) {
    options.metric = vm["report-metric"].as<std::string>();
    const auto known = aggregate::known_metrics(records);
    if (std::find(known.begin(), known.end(), options.metric) == known.end()) {
      throw InputError("--report-metric: unknown metric " + options.metric + did_you_mean(options.metric, known));
    }
  }
  const aggregate::plot::Tools tools = aggregate::plot::require_tools("leave out --report");
  if (comparisons.empty()) comparisons = aggregate::declared_comparisons(dirs[0]);
  if (fits.empty()) fits = declared_fits_checked(dirs[0], records);
  const std::filesystem::path out =
      vm.count("out") ? std::filesystem::path(vm["out"].as<std::string>()) : layout::RunPaths::from_sweep_dir(dirs[0]).report_dir();
  const auto result = aggregate::write_report(dirs[0], out, records, comparisons, fits, options, tools);
  for (const auto& w : result.warnings) std::cerr << "warning: " << w << "\n";
  std::cerr << "report: " << result.figures << " figures" << (options.run_figures ? ", figures of " + std::to_string(result.run_figures_drawn) + " run(s) drawn" : "")
            << (result.partial ? "; partial: some runs are not finished" : "") << "\n";
  std::cout << result.html.string() << "\n";
  return exit_code::kDone;
}

// --format, one of the four.
std::string checked_format(const po::variables_map& vm) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "csv" && format != "json" && format != "markdown") {
    throw InputError("--format must be table, csv, json or markdown (got '" + format + "')");
  }
  return format;
}

// aggregate --list: the registry, newest first.
int list_registry(const std::filesystem::path& root, const std::string& format) {
  const auto entries = notebook::read_registry(root);
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& entry : entries) list.push_back(entry.to_json());
    std::cout << list.dump(2) << "\n";
    return exit_code::kDone;
  }
  aggregate::Table table;
  const bool terminal = format == "table";
  table.columns = {"name", "kind", "last_started", "last_finished", "runs"};
  if (!terminal) table.columns = {"name", "kind", "created", "last_started", "last_finished", "runs", "spec_path", "spec_hash", "host", "command_line"};
  if (terminal) table.columns.insert(table.columns.end(), {"spec", "host"});
  for (const auto& e : entries) {
    if (terminal) {
      table.rows.push_back({e.name, e.kind, e.last_started, e.last_finished, notebook::describe_counts(e.runs),
                            e.spec_path.empty() ? e.spec_hash.substr(0, 12) : e.spec_path, e.host});
    } else {
      table.rows.push_back({e.name, e.kind, e.created, e.last_started, e.last_finished, notebook::describe_counts(e.runs),
                            e.spec_path, e.spec_hash, e.host, e.command_line});
    }
  }
  if (entries.empty()) std::cerr << "no sweeps or experiments under " << root.string() << "\n";
  print(table, format);
  return exit_code::kDone;
}

// --since: a date or a UTC time, "2026-11-22" or "2026-11-22T10:00[:00][Z]".
std::string parse_since(const std::string& text) {
  const std::string shape = "dddd-dd-dd";
  bool ok = text.size() >= shape.size();
  for (std::size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(text[i])) != 0 : text[i] == shape[i];
  if (ok && text.size() > shape.size()) ok = text[shape.size()] == 'T' && text.size() >= 16;
  if (!ok) throw InputError("--since must be a date or UTC time such as 2026-11-22 or 2026-11-22T10:00 (got '" + text + "')");
  return text.back() == 'Z' ? text.substr(0, text.size() - 1) : text;
}

// aggregate --log: the experiment log's rows, filtered.
int show_log(const po::variables_map& vm, const std::filesystem::path& root, const std::string& format) {
  std::optional<std::string> since, sweep, status;
  if (vm.count("since")) since = parse_since(vm["since"].as<std::string>());
  if (vm.count("sweep")) sweep = vm["sweep"].as<std::string>();
  if (vm.count("status")) {
    status = vm["status"].as<std::string>();
    const std::vector<std::string> states = {"done", "failed", "preempted", "thermal_abort"};
    if (std::find(states.begin(), states.end(), *status) == states.end()) {
      throw InputError("--status must be done, failed, preempted or thermal_abort (got '" + *status + "')" + did_you_mean(*status, states));
    }
  }
  const auto& columns = notebook::log_columns();
  auto at = [&](const std::vector<std::string>& row, const std::string& column) -> const std::string& {
    return row[static_cast<std::size_t>(std::find(columns.begin(), columns.end(), column) - columns.begin())];
  };
  aggregate::Table table;
  const bool terminal = format == "table";
  table.columns = terminal ? std::vector<std::string>{"timestamp", "sweep", "run_id", "status", "attempt", "seconds",
                                                      "acc_test_id", "acc_test_len_ood", "max_temperature", "error"}
                           : columns;
  for (const auto& row : notebook::read_log(root)) {
    if (since && at(row, "timestamp").substr(0, since->size()) < *since) continue;
    if (sweep && at(row, "sweep") != *sweep && (!at(row, "sweep").empty() || at(row, "experiment") != *sweep)) continue;
    if (status && at(row, "status") != *status) continue;
    if (!terminal) {
      table.rows.push_back(row);
      continue;
    }
    std::string error = at(row, "error");
    if (error.size() > 60) error = error.substr(0, 57) + "...";
    const std::string& duration = at(row, "duration_seconds");
    // Numbers as the tables print them (6 significant digits).
    auto shown = [&](const std::string& column) {
      const std::string& text = at(row, column);
      try {
        return text.empty() ? text : aggregate::format_number(std::stod(text));
      } catch (const std::exception&) {
        return text;
      }
    };
    table.rows.push_back({at(row, "timestamp"), at(row, "sweep").empty() ? at(row, "experiment") : at(row, "sweep"),
                          at(row, "run_id"), at(row, "status"), at(row, "attempt"),
                          duration.empty() ? "" : aggregate::format_number(std::round(std::stod(duration) * 10) / 10),
                          shown("acc_test_id"), shown("acc_test_len_ood"), shown("max_temperature"), error});
  }
  if (format == "json") {
    // The JSON columns as JSON.
    nlohmann::json list = nlohmann::json::array();
    for (const auto& row : table.rows) {
      nlohmann::json object = nlohmann::json::object();
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const bool structured = columns[i] == "axes" || columns[i] == "hyperparameters";
        object[columns[i]] = structured && !row[i].empty() ? nlohmann::json::parse(row[i]) : nlohmann::json(row[i]);
      }
      list.push_back(std::move(object));
    }
    std::cout << list.dump(2) << "\n";
    return exit_code::kDone;
  }
  if (table.rows.empty()) {
    const std::filesystem::path file = notebook::current_log_file(root);
    std::cerr << (std::filesystem::exists(file) ? "no rows in " + file.string() + " match"
                                                : "no experiment log yet: " + file.string() + " gets a row as each run attempt ends")
              << "\n";
  }
  print(table, format);
  return exit_code::kDone;
}

int run(int argc, char** argv) {
  po::options_description options("aggregate: comparison tables from regal run folders");
  options.add_options()
      ("help,h", "show this help")
      ("dirs", po::value<std::vector<std::string>>(), "sweep folders (results/<sweep>)")
      ("group-by", po::value<std::string>(), "summary groups, comma-separated (default: every axis but seed)")
      ("metrics", po::value<std::string>(), "metrics, comma-separated (default: accuracies, gaps, horizon, ...)")
      ("format", po::value<std::string>()->default_value("table"), "table | csv | json | markdown")
      ("runs", "print the per-run table instead of the summary")
      ("compare", po::value<std::vector<std::string>>()->multitoken(), "two selectors: the arms, e.g. 'model.arch=lstm' 'model.arch=transformer'")
      ("by", po::value<std::string>(), "with --compare: one comparison per value of these axes, comma-separated")
      ("fit", po::value<std::vector<std::string>>(), "a scaling-law fit, e.g. 'x=parameters,y=acc_test_id[,by=language]' "
                                                     "(repeatable): error = E + A x^-alpha and the pure power law, per group")
      ("power", "the seeds needed per summary cell to detect --effect")
      ("effect", po::value<double>(), "the smallest difference that matters (default 0.01; ties, power)")
      ("alpha", po::value<double>(), "significance level, family-wise with Holm (default 0.05)")
      ("power-target", po::value<double>(), "power to plan seeds for (default 0.8)")
      ("resamples", po::value<std::size_t>(), "bootstrap resamples of the summary (default 2000)")
      ("compare-resamples", po::value<std::size_t>(), "bootstrap resamples of comparisons (default 10000)")
      ("out", po::value<std::string>(), "also write every table (runs, summary, overall, profiles, compare) into DIR; "
                                        "with --report, where the report goes")
      ("report", "build the sweep's report (report.html, report.md, figures/) into RESULTS_DIR/report, or --out")
      ("report-metric", po::value<std::string>(), "the metric of the report's heatmap, profiles and scaling figure "
                                                  "(default acc_test_len_ood)")
      ("no-run-figures", "with --report: leave each run's visualizations/ as they are")
      ("list", "every sweep and experiment under --results (registry.json), newest first")
      ("log", "the run attempts under --results (experiment_log.csv); filters: --since, --sweep, --status")
      ("results", po::value<std::string>()->default_value("results"), "with --list, --log: the results root")
      ("since", po::value<std::string>(), "with --log: attempts that ended at or after this UTC date/time (2026-11-22, 2026-11-22T10:00)")
      ("sweep", po::value<std::string>(), "with --log: one sweep's (or experiment's) attempts")
      ("status", po::value<std::string>(), "with --log: done | failed | preempted | thermal_abort")
      ("verbose,v", "debug logging: what was read, and the time each step took");
  po::positional_options_description positional;
  positional.add("dirs", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
  po::notify(vm);
  spdlog::set_default_logger(spdlog::stderr_color_mt("aggregate"));
  spdlog::set_pattern("[%H:%M:%S] %^%v%$");
  if (vm.count("verbose")) spdlog::set_level(spdlog::level::debug);
  if (!vm.count("help") && (vm.count("list") || vm.count("log"))) {
    if (vm.count("list") && vm.count("log")) throw InputError("--list and --log exclude each other");
    if (vm.count("dirs")) throw InputError(std::string("--") + (vm.count("list") ? "list" : "log") + " reads --results DIR, not sweep folders");
    const std::string format = checked_format(vm);
    const std::filesystem::path root = vm["results"].as<std::string>();
    if (!std::filesystem::is_directory(root)) throw InputError("--results " + root.string() + ": no such folder");
    if (vm.count("list")) {
      for (const char* flag : {"since", "sweep", "status"}) {
        if (vm.count(flag)) throw InputError(std::string("--") + flag + " goes with --log");
      }
      return list_registry(root, format);
    }
    return show_log(vm, root, format);
  }
  for (const char* flag : {"since", "sweep", "status"}) {
    if (vm.count(flag)) throw InputError(std::string("--") + flag + " goes with --log");
  }
  if (!vm["results"].defaulted()) throw InputError("--results goes with --list or --log; give sweep folders as arguments");
  if (vm.count("help") || !vm.count("dirs")) {
    std::cout << "usage: aggregate RESULTS_DIR... [options]\n" << options << "\n";
    return vm.count("help") ? exit_code::kDone : exit_code::kBadInput;
  }
  const std::string format = checked_format(vm);
  aggregate::StatsOptions stats;
  stats.effect = positive(vm, "effect", stats.effect);
  stats.alpha = positive(vm, "alpha", stats.alpha);
  stats.power = positive(vm, "power-target", stats.power);
  if (vm.count("resamples")) stats.summary_resamples = vm["resamples"].as<std::size_t>();
  if (vm.count("compare-resamples")) stats.compare_resamples = vm["compare-resamples"].as<std::size_t>();
  std::vector<aggregate::Comparison> comparisons;
  if (vm.count("compare")) {
    const auto arms = vm["compare"].as<std::vector<std::string>>();
    if (arms.size() != 2) throw InputError("--compare takes two selectors, the arms a and b (got " + std::to_string(arms.size()) + ")");
    aggregate::Comparison c;
    c.name = arms[0] + " vs " + arms[1];
    c.a = aggregate::Selector::parse(arms[0]);
    c.b = aggregate::Selector::parse(arms[1]);
    if (vm.count("metrics")) c.metrics = split_list(vm["metrics"].as<std::string>());
    if (vm.count("by")) c.by = split_list(vm["by"].as<std::string>());
    comparisons.push_back(std::move(c));
  } else if (vm.count("by")) {
    throw InputError("--by goes with --compare");
  }

  std::vector<aggregate::RunRecord> records;
  const auto dirs = vm["dirs"].as<std::vector<std::string>>();
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  for (const auto& dir : dirs) {
    if (!std::filesystem::is_directory(dir)) throw InputError("no such folder: " + dir);
    auto more = aggregate::collect_sweep(dir);
    spdlog::debug("read {} run folder(s) of {} ({:.2f} s)", more.size(), dir, seconds());
    records.insert(records.end(), more.begin(), more.end());
  }
  const std::vector<std::string> metrics =
      vm.count("metrics") ? split_list(vm["metrics"].as<std::string>()) : aggregate::default_metrics();
  if (vm.count("metrics") && comparisons.empty()) {
    const auto known = aggregate::known_metrics(records);
    for (const auto& m : metrics) {
      if (std::find(known.begin(), known.end(), m) == known.end()) throw InputError("unknown metric " + m + did_you_mean(m, known));
    }
  }
  if (!comparisons.empty()) aggregate::validate(comparisons, records, stats);  // before anything is written
  std::vector<aggregate::FitSpec> fits;
  if (vm.count("fit")) {
    if (vm.count("compare") || vm.count("power") || vm.count("runs")) throw InputError("--fit goes alone (not with --compare, --power or --runs)");
    for (const auto& text : vm["fit"].as<std::vector<std::string>>()) fits.push_back(aggregate::parse_fit(text));
    aggregate::validate(fits, records);
  }
  if (vm.count("report")) {
    const int code = report(vm, dirs, records, comparisons, fits, stats);
    spdlog::debug("report written ({:.2f} s in all)", seconds());
    return code;
  }
  std::optional<std::vector<std::string>> group_by;
  if (vm.count("group-by")) group_by = split_list(vm["group-by"].as<std::string>());
  if (vm.count("out")) {
    const std::filesystem::path out = vm["out"].as<std::string>();
    if (group_by) {
      aggregate::write_tables(out.string(), records, metrics, group_by, stats);
    } else {
      aggregate::write_analysis(out, records, comparisons.empty() && dirs.size() == 1 ? aggregate::declared_comparisons(dirs[0]) : comparisons, stats,
                                fits.empty() && dirs.size() == 1 ? declared_fits_checked(dirs[0], records) : fits);
    }
    spdlog::debug("tables written to {} ({:.2f} s)", out.string(), seconds());
  }

  if (!fits.empty()) {
    const auto fitted = aggregate::fit_tables(records, fits, stats);
    if (format == "json") {
      std::cout << fitted.json.dump(2) << "\n";
    } else {
      print(format == "table" ? compact_fit(fitted.table) : fitted.table, format);
    }
    if (format == "table") {
      std::cout << "\nerror = E + A x^-alpha (saturating, E >= 0) and A x^-alpha (power), Huber in log space; alpha's "
                << aggregate::format_number(stats.confidence * 100) << "% interval: bootstrap over seeds within each x; "
                << "holdout: the largest x predicted from the rest\n";
      for (const auto& entry : fitted.json["fits"]) {
        for (const auto& w : entry["warnings"]) {
          std::cerr << "warning: " << entry["fit"].get<std::string>() << " " << entry["group"].dump() << " "
                    << entry["law"].get<std::string>() << ": " << w.get<std::string>() << "\n";
        }
      }
    }
  } else if (!comparisons.empty()) {
    const auto compared = aggregate::compare(records, comparisons, stats);
    print(format == "table" ? compact_comparison(compared.table, comparisons[0].by) : compared.table, format);
    if (format == "table") {
      std::cout << "\na = " << comparisons[0].a.text << ", b = " << comparisons[0].b.text
                << "; matched on every other axis; p: Wilcoxon (Mann-Whitney unpaired), Holm-adjusted over "
                << compared.table.rows.size() << " rows; verdict at alpha " << aggregate::format_number(stats.alpha)
                << ", tie within ±" << aggregate::format_number(stats.effect) << "\n";
      if (const auto hint = aggregate::verdict_floor(compared.table, stats.alpha)) std::cout << *hint << "\n";
    }
  } else if (vm.count("power")) {
    print(aggregate::power_table(records, vm.count("metrics") ? metrics : aggregate::display_metrics(), stats), format);
  } else {
    // In a terminal, the compact summary (mean ± ci95); in files, every statistic.
    const std::vector<std::string> shown =
        vm.count("metrics") || format != "table" ? metrics : aggregate::display_metrics();
    const aggregate::Table table = vm.count("runs")       ? aggregate::runs_table(records, shown)
                                   : format == "table"    ? aggregate::compact_summary(records, shown, group_by, stats)
                                                          : aggregate::summary_table(records, shown, group_by, stats);
    print(table, format);
  }
  for (const auto& warning : aggregate::provenance_warnings(records)) std::cerr << "warning: " << warning << "\n";
  std::size_t done = 0, failed = 0, corrupt = 0, other = 0;
  for (const auto& r : records) {
    if (r.state == layout::RunState::kCorrupt) {
      std::cerr << "warning: run " << r.run_id << " of " << r.sweep << " is corrupt (" << r.error
                << "): left out; the next sweep start runs it again\n";
    }
    (r.state == layout::RunState::kDone       ? done
     : r.state == layout::RunState::kFailed   ? failed
     : r.state == layout::RunState::kCorrupt  ? corrupt
                                              : other)++;
  }
  std::cerr << records.size() << " runs: " << done << " done, " << failed << " failed, " << corrupt << " corrupt, "
            << other << " pending or interrupted\n";
  return exit_code::kDone;
}

}  // namespace

int main(int argc, char** argv) {
  return regal::guarded_main("aggregate", [&] { return run(argc, argv); });
}
