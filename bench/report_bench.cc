// The report of a large sweep: builds a synthetic sweep folder of
// LANGUAGES x CONFIGS x SEEDS done runs (real automata, metrics.h5 with
// curves and per-length scores, status.json vouching for them), then times
// the report without per-run figures, phase by phase, and the per-run
// figures of a sample of runs.
//
//   build/bench/report_bench [runs=1000] [sampled runs for per-run figures=40] [folder]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "aggregate/collect.h"
#include "aggregate/overall.h"
#include "aggregate/plot.h"
#include "aggregate/report.h"
#include "aggregate/run_figures.h"
#include "aggregate/sweep_figures.h"
#include "fsm/compile.h"
#include "fsm/serialize.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "layout/metrics_h5.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "util/rng.h"

namespace fs = std::filesystem;
using namespace regal;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Language {
  std::string name, regex;
};

// A done run with plausible numbers: accuracy decays past L_max at a
// configuration- and language-dependent rate, seeds add noise.
void write_run(const layout::RunPaths& paths, const Language& language, const fsm::Dfa& dfa, const std::string& arch,
               int d_model, int seed, double skill) {
  Rng rng(derive_seed(static_cast<std::uint64_t>(seed), paths.run_id()));
  const std::uint64_t L_min = 1, L_max = 20, L_test_max = 60;
  nlohmann::json experiment = {{"name", "bench"},
                               {"seed", seed},
                               {"language", {{"name", language.name}, {"regex", language.regex}, {"alphabet", "ab"}}},
                               {"data", {{"L_min", L_min}, {"L_max", L_max}, {"L_test_max", L_test_max}}},
                               {"model", {{"arch", arch}, {"d_model", d_model}}}};
  io::write_json_file(paths.experiment_json(), experiment);
  io::write_json_file(paths.fsm_json(), fsm::to_json(dfa, language.regex));
  io::write_file_atomic(paths.fsm_dot(), fsm::to_dot(dfa, language.regex));
  layout::RunCurves curves;
  for (std::uint64_t step = 100; step <= 2000; step += 100) {
    const double progress = static_cast<double>(step) / 2000.0;
    curves.step.push_back(step);
    curves.history["train_loss"].push_back(0.7 * std::exp(-4 * skill * progress) + 0.01 * rng.uniform01());
    curves.history["val_loss"].push_back(0.7 * std::exp(-3.5 * skill * progress) + 0.02 * rng.uniform01());
    curves.history["train_acc"].push_back(0.5 + 0.5 * (1 - std::exp(-5 * skill * progress)));
    curves.history["val_acc"].push_back(0.5 + 0.48 * (1 - std::exp(-5 * skill * progress)) + 0.02 * rng.uniform01());
    curves.history["lr"].push_back(1e-3);
    curves.history["elapsed_seconds"].push_back(progress * 60);
    curves.history["strings_per_second"].push_back(5e4);
  }
  nlohmann::json metrics = {{"run_id", paths.run_id()}, {"parameters", d_model * d_model * 12}};
  auto split = [&](const std::string& name, std::uint64_t from, std::uint64_t to) {
    layout::SplitScores& s = curves.eval[name];
    double sum = 0, chance = 0;
    for (std::uint64_t length = from; length <= to; ++length) {
      const double beyond = length > L_max ? static_cast<double>(length - L_max) : 0.0;
      const double accuracy = std::min(1.0, 0.5 + 0.5 * std::exp(-beyond * (1.1 - skill) / 10) + 0.03 * (rng.uniform01() - 0.5));
      s.length.push_back(length);
      s.n.push_back(100);
      s.accepted.push_back(50 + rng.below(5));
      s.accuracy.push_back(accuracy);
      s.loss.push_back(1 - accuracy);
      sum += accuracy;
      chance += static_cast<double>(std::max<std::uint64_t>(s.accepted.back(), 100 - s.accepted.back())) / 100.0;
    }
    const double n = static_cast<double>(to - from + 1);
    metrics["acc_" + name] = sum / n;
    metrics["chance_" + name] = chance / n;
    metrics["n_" + name] = 100 * (to - from + 1);
  };
  split("test_id", L_min, L_max);
  split("test_len_ood", L_max + 1, L_test_max);
  split("test_border", L_min, L_test_max);
  metrics["horizon"] = L_max + static_cast<std::uint64_t>(20 * skill);
  metrics["ood_gap_len"] = metrics["acc_test_id"].get<double>() - metrics["acc_test_len_ood"].get<double>();
  io::write_json_file(paths.metrics_json(), metrics);
  layout::write_metrics_h5(paths.metrics_h5(), paths.run_id(), experiment, curves, metrics);
  io::write_json_file(paths.env_json(), {{"host", "bench"}, {"device", "cpu"}, {"git_commit", "0123456789ab"}, {"git_dirty", false}});
  layout::RunStatus status;
  status.run_id = paths.run_id();
  status.state = layout::RunState::kDone;
  status.stage = "write";
  status.started = "2026-11-22T00:00:00Z";
  status.ended = "2026-11-22T00:01:00Z";
  status.artifacts = layout::describe_artifacts(paths);
  layout::write_status(paths, status);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t runs = argc > 1 ? std::stoul(argv[1]) : 1000;
  const std::size_t sampled = argc > 2 ? std::stoul(argv[2]) : 40;
  const fs::path root = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / "regal_report_bench";
  const std::vector<Language> languages = {
      {"parity", "(b*ab*a)*b*"},     {"even_pairs", "|a(.*a)?|b(.*b)?"}, {"no_aa", "~(.*aa.*)"}, {"a_plus", "a+"},
      {"ends_ab", ".*ab"},           {"div3", "(a|b(ab*a)*b)*"},         {"tomita3", "~(.*a(aa)*b(bb)*(b.*)?)"},
      {"first_eq_last", "a(.*a)?|b(.*b)?"}, {"count_a_mod4", "(b*ab*ab*ab*a)*b*"}, {"no_bbb", "~(.*bbb.*)"}};
  const std::vector<std::string> archs = {"lstm", "gru", "transformer", "rnn", "transformer_rope"};
  const std::vector<int> sizes = {16, 32};
  const std::size_t per_seed = languages.size() * archs.size() * sizes.size();
  const std::size_t seeds = std::max<std::size_t>(1, runs / per_seed);

  fs::remove_all(root);
  const layout::RunPaths sweep(root, "bench", "");
  auto start = std::chrono::steady_clock::now();
  nlohmann::json plan = {{"description", "synthetic: the report benchmark"}, {"runs", nlohmann::json::array()}};
  std::size_t made = 0;
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw("alphabet");
  for (std::size_t l = 0; l < languages.size(); ++l) {
    const fsm::Dfa dfa = fsm::compile_regex(languages[l].regex, alphabet).take_or_throw(languages[l].regex);
    for (std::size_t a = 0; a < archs.size(); ++a) {
      for (const int d : sizes) {
        for (std::size_t s = 0; s < seeds; ++s) {
          char id[13];
          std::snprintf(id, sizeof id, "%012zx", 0x100000 + made++);
          const layout::RunPaths paths = sweep.run(id);
          const double skill = 0.3 + 0.6 * static_cast<double>((a * 7 + l * 3) % 10) / 10 + (d == 32 ? 0.05 : 0);
          write_run(paths, languages[l], dfa, archs[a], d, static_cast<int>(s), std::min(1.0, skill));
          using J = nlohmann::json;
          const J axes = J::array({J::array({"language", languages[l].name}), J::array({"model.arch", archs[a]}),
                                   J::array({"model.d_model", d}), J::array({"seed", s})});
          plan["runs"].push_back({{"run_id", id}, {"axes", axes}});
        }
      }
    }
  }
  io::write_json_file(sweep.plan_json(), plan);
  io::write_file_atomic(sweep.spec_toml(), "[sweep]\nname = \"bench\"\n");
  std::printf("synthetic sweep: %zu runs (%zu languages x %zu archs x %zu sizes x %zu seeds) in %.1f s\n", made,
              languages.size(), archs.size(), sizes.size(), seeds, seconds_since(start));

  const aggregate::plot::Tools tools = aggregate::plot::require_tools("(bench)");
  aggregate::StatsOptions stats;
  std::printf("%-44s %9s\n", "phase (no per-run figures)", "seconds");
  start = std::chrono::steady_clock::now();
  const auto records = aggregate::collect_sweep(sweep.sweep_dir());
  std::printf("%-44s %9.2f\n", "collect run folders (status, digests, metrics)", seconds_since(start));
  start = std::chrono::steady_clock::now();
  const auto summary = aggregate::summary_table(records, aggregate::display_metrics(), std::nullopt, stats);
  const auto overall = aggregate::overall_table(records, aggregate::display_metrics(), stats);
  const auto profiles = aggregate::profiles_table(records, aggregate::display_metrics(), stats);
  std::printf("%-44s %9.2f\n", "tables (summary, overall, profiles)", seconds_since(start));
  start = std::chrono::steady_clock::now();
  const auto view = aggregate::load_view(records);
  std::printf("%-44s %9.2f\n", "read every metrics.h5 and experiment.json", seconds_since(start));
  start = std::chrono::steady_clock::now();
  const auto figures = aggregate::sweep_figures(view, overall, profiles, {}, sweep.report_dir() / "figures", {});
  std::printf("%-44s %9.2f\n", "figure data (means, bootstrap bands)", seconds_since(start));
  start = std::chrono::steady_clock::now();
  std::vector<aggregate::plot::Figure> draw;
  for (const auto& f : figures) draw.push_back(f.figure);
  const auto failures = aggregate::plot::render(draw, tools);
  std::printf("%-44s %9.2f  (%zu figures, %zu failed)\n", "gnuplot", seconds_since(start), figures.size(), failures.size());
  start = std::chrono::steady_clock::now();
  aggregate::ReportOptions options;
  options.run_figures = false;
  const auto result = aggregate::write_report(sweep.sweep_dir(), sweep.report_dir(), records, {}, {}, options, tools);
  const double whole = seconds_since(start);
  std::printf("%-44s %9.2f  (%s, %ju bytes)\n", "the whole report (aggregate --report --no-run-figures)", whole,
              result.html.filename().c_str(), static_cast<std::uintmax_t>(fs::file_size(result.html)));

  std::vector<fs::path> dirs;
  for (std::size_t i = 0; i < records.size() && dirs.size() < sampled; i += std::max<std::size_t>(1, records.size() / sampled)) {
    dirs.push_back(records[i].run_dir);
  }
  start = std::chrono::steady_clock::now();
  const auto drawn = aggregate::draw_run_figures(dirs, tools);
  const double per_run = seconds_since(start) / static_cast<double>(std::max<std::size_t>(1, drawn.drawn));
  std::printf("per-run figures: %zu runs drawn, %.3f s per run on %u core(s) (%zu failures); %zu runs: ~%.0f s\n", drawn.drawn,
              per_run, aggregate::plot::usable_cores(), drawn.failures.size(), made, per_run * static_cast<double>(made));
  if (argc <= 3) fs::remove_all(root);
  return failures.empty() && drawn.failures.empty() ? 0 : 1;
}
