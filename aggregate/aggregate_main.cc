// aggregate: rebuild and compare comparison tables from run folders alone (no MPI).
//
//   aggregate RESULTS_DIR... [--group-by a,b] [--metrics m,...] [--format table|csv|json|markdown]
//             [--runs] [--out DIR]
//
// RESULTS_DIR is a sweep folder (results/<sweep>); several are compared side
// by side with a `sweep` column. Prints the summary (or, with --runs, the
// per-run table) in the chosen format; --out DIR writes runs.csv, runs.json,
// summary.csv and summary.json there, exactly as the sweep's reducer does.
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "aggregate/collect.h"
#include "aggregate/tables.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/error.h"

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

int run(int argc, char** argv) {
  po::options_description options("aggregate: comparison tables from regal run folders");
  options.add_options()
      ("help,h", "show this help")
      ("dirs", po::value<std::vector<std::string>>(), "sweep folders (results/<sweep>)")
      ("group-by", po::value<std::string>(), "summary groups, comma-separated (default: every axis but seed)")
      ("metrics", po::value<std::string>(), "metrics, comma-separated (default: accuracies, gaps, horizon, ...)")
      ("format", po::value<std::string>()->default_value("table"), "table | csv | json | markdown")
      ("runs", "print the per-run table instead of the summary")
      ("out", po::value<std::string>(), "also write runs.{csv,json} and summary.{csv,json} into DIR");
  po::positional_options_description positional;
  positional.add("dirs", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help") || !vm.count("dirs")) {
    std::cout << "usage: aggregate RESULTS_DIR... [options]\n" << options << "\n";
    return vm.count("help") ? 0 : 2;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "csv" && format != "json" && format != "markdown") {
    throw InputError("--format must be table, csv, json or markdown (got '" + format + "')");
  }
  std::vector<aggregate::RunRecord> records;
  for (const auto& dir : vm["dirs"].as<std::vector<std::string>>()) {
    if (!std::filesystem::is_directory(dir)) throw InputError("no such folder: " + dir);
    auto more = aggregate::collect_sweep(dir);
    records.insert(records.end(), more.begin(), more.end());
  }
  const std::vector<std::string> metrics =
      vm.count("metrics") ? split_list(vm["metrics"].as<std::string>()) : aggregate::default_metrics();
  std::optional<std::vector<std::string>> group_by;
  if (vm.count("group-by")) group_by = split_list(vm["group-by"].as<std::string>());
  if (vm.count("out")) aggregate::write_tables(vm["out"].as<std::string>(), records, metrics, group_by);

  // In a terminal, the compact summary (mean ± ci95); in files, every statistic.
  const std::vector<std::string> shown =
      vm.count("metrics") || format != "table" ? metrics : aggregate::display_metrics();
  const aggregate::Table table = vm.count("runs")       ? aggregate::runs_table(records, shown)
                                 : format == "table"    ? aggregate::compact_summary(records, shown, group_by)
                                                        : aggregate::summary_table(records, shown, group_by);
  if (format == "csv") std::cout << aggregate::to_csv(table);
  if (format == "json") std::cout << aggregate::to_json(table).dump(2) << "\n";
  if (format == "markdown") std::cout << aggregate::to_markdown(table);
  if (format == "table") std::cout << aggregate::to_terminal(table);
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
