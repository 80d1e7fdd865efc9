// The coordinator at scale, simulated (src/sweep/simulation.h): the real
// scheduler, coordinator and workers over an in-memory transport with a
// virtual clock, R ranks x N runs of log-normal length, some failing, some
// preempted. Prints one JSON line per simulation.
//
//   sim_bench --measure-writer N [--dir DIR]    the real table writer's cost over N runs: written whole, and live
//   sim_bench [--ranks 1000] [--runs 100000] [--slots 1] [--median 60] [--interval 5]
//             [--coordinator-only] [--write-fixed S] [--write-per-record S] [--write-per-change S] [--seed 1]
//   sim_bench --scaling [--write-fixed S] [--write-per-record S] [--write-per-change S]
//             10, 100, 1000 ranks x 100,000 runs; 1000 ranks x 1,000, 10,000, 100,000 runs
//
// bench/README.md has the figures and how the writer's model was measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "aggregate/tables.h"
#include "layout/run_paths.h"
#include "sweep/coordinator.h"
#include "sweep/simulation.h"

using namespace regal;

namespace {

void print(const sweep::sim::Settings& s, const sweep::sim::Figures& f) {
  std::printf(
      "{\"ranks\": %d, \"slots\": %zu, \"runs\": %zu, \"median_s\": %g, \"interval_s\": %g, \"coordinator_only\": %s, "
      "\"write_model_s\": [%g, %g, %g], \"executed_once\": %zu, \"executed_twice\": %zu, \"never\": %zu, \"done\": %zu, "
      "\"failed\": %zu, \"preempted\": %zu, \"tables_complete\": %s, \"stops_while_pending\": %zu, \"makespan_s\": %.1f, "
      "\"utilisation\": %.5f, \"utilisation_while_waiting\": %.5f, \"longest_gap_s\": %.4f, \"messages\": %zu, "
      "\"coordinator_cpu_s\": %.3f, \"cpu_per_message_us\": %.2f, \"cpu_per_message_max_us\": %.1f, "
      "\"coordinator_busy_share\": %.5f, \"table_writes\": %zu, \"write_s\": %.2f, \"row_latency_s\": {\"mean\": %.3f, "
      "\"p99\": %.3f, \"max\": %.3f}, \"largest_message_bytes\": %zu, \"largest_message\": \"%s\", \"wall_s\": %.2f}\n",
      s.ranks, s.slots, s.runs, s.median_seconds, s.table_interval, s.coordinator_only ? "true" : "false",
      s.write_fixed_seconds, s.write_seconds_per_record, s.write_seconds_per_change, f.executed_once, f.executed_twice_or_more, f.never_executed, f.done,
      f.failed, f.preempted, f.tables_complete ? "true" : "false", f.stops_while_pending, f.makespan, f.utilisation,
      f.utilisation_while_waiting, f.longest_gap, f.messages, f.coordinator_cpu, 1e6 * f.cpu_per_message_mean,
      1e6 * f.cpu_per_message_max, f.busy_share, f.table_writes, f.write_seconds, f.row_latency_mean, f.row_latency_p99,
      f.row_latency_max, f.largest_message, f.largest_message_tag.c_str(), f.wall_seconds);
  std::fflush(stdout);
}

// `n` done runs with five axes (groups of ten seeds) and a real
// metrics.json's 65 numbers.
std::vector<aggregate::RunRecord> done_records(std::size_t n) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<aggregate::RunRecord> records(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& record = records[i];
    char id[16];
    std::snprintf(id, sizeof id, "%012llx", static_cast<unsigned long long>(i) * 0x9e3779b1ULL % 0xffffffffffffULL);
    record.sweep = "writer";
    record.run_id = id;
    record.state = layout::RunState::kDone;
    record.axes = {{"language", "lang" + std::to_string(i % 10)}, {"seed", static_cast<int>(i / 10 % 10)},
                   {"train.lr", 1e-3 * static_cast<double>(i / 100 % 10 + 1)}, {"model.d_model", 16 * (i / 1000 % 10 + 1)},
                   {"data.L_max", 10 + 2 * (i / 10000 % 10)}};
    for (const char* split : {"id", "len_ood", "border", "border_short", "border_long"}) {
      for (const char* what : {"acc_pooled_test_", "acc_test_", "auroc_test_", "chance_test_", "ece_test_", "loss_test_",
                               "macro_f1_test_", "n_test_", "worst_acc_test_", "worst_len_test_"}) {
        record.metrics[std::string(what) + split] = uniform(rng);
      }
    }
    for (const char* what : {"best_step", "best_val_acc", "d_model", "horizon", "ood_gap_border", "ood_gap_edge",
                             "ood_gap_len", "parameters", "steps", "strings_per_second", "tau", "train_seconds", "eval_seconds"}) {
      record.metrics[what] = uniform(rng) * 1000;
    }
  }
  return records;
}

double seconds_of(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The table writer's cost over `n` runs. Before (every write renders every
// row): the tables of n done runs written whole, best of three. Now
// (SweepFolder::write, live tables): the first write of n pending runs, then
// writes after `k` results (80: five seconds of a 1,000-rank sweep; 800), with
// 1%, 50% and 99% of the runs done, median of five each.
int measure_writer(std::size_t n, const std::filesystem::path& dir) {
  const std::vector<aggregate::RunRecord> done = done_records(n);
  const layout::RunPaths paths(dir, "writer", "");
  std::filesystem::create_directories(paths.aggregate_dir());
  aggregate::StatsOptions quick;
  quick.summary_resamples = 0;
  double whole = 1e300;
  for (int repeat = 0; repeat < 3; ++repeat) {
    whole = std::min(whole, seconds_of([&] {
      aggregate::write_tables(paths.aggregate_dir().string(), done, aggregate::default_metrics(), std::nullopt, quick);
    }));
  }
  std::uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(paths.aggregate_dir())) bytes += entry.file_size();

  std::vector<aggregate::RunRecord> records = done;
  for (auto& record : records) {
    record.state = layout::RunState::kPending;
    record.metrics = nlohmann::json::object();
  }
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(2));
  std::size_t finished = 0;
  auto finish = [&](std::size_t k) {
    std::vector<std::size_t> changed;
    for (; k > 0 && finished < n; --k, ++finished) {
      records[order[finished]] = done[order[finished]];
      changed.push_back(order[finished]);
    }
    return changed;
  };
  sweep::SweepFolder folder(paths);
  const double cold = seconds_of([&] { folder.write(records, {}); });
  std::printf("{\"writer_records\": %zu, \"bytes\": %ju, \"whole_write_s\": %.4f, \"live_first_write_s\": %.4f", n,
              bytes, whole, cold);
  for (const double share : {0.01, 0.5, 0.99}) {
    const auto target = static_cast<std::size_t>(share * static_cast<double>(n));
    if (target > finished) folder.write(records, finish(target - finished));
    for (const std::size_t k : {std::size_t{80}, std::size_t{800}}) {
      std::vector<double> times;
      for (int repeat = 0; repeat < 5; ++repeat) {
        const std::vector<std::size_t> changed = finish(k);
        times.push_back(seconds_of([&] { folder.write(records, changed); }));
      }
      std::sort(times.begin(), times.end());
      std::printf(", \"live_write_s_%g_done_%zu_changed\": %.4f", share, k, times[2]);
    }
  }
  std::printf("}\n");
  std::filesystem::remove_all(dir / "writer");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sweep::sim::Settings settings;
  settings.ranks = 1000;
  settings.runs = 100000;
  std::size_t writer = 0;
  bool scaling = false;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "regal_sim_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return std::string(argv[++i]);
    };
    if (flag == "--ranks") settings.ranks = std::stoi(value());
    else if (flag == "--runs") settings.runs = std::stoul(value());
    else if (flag == "--slots") settings.slots = std::stoul(value());
    else if (flag == "--median") settings.median_seconds = std::stod(value());
    else if (flag == "--interval") settings.table_interval = std::stod(value());
    else if (flag == "--coordinator-only") settings.coordinator_only = true;
    else if (flag == "--write-fixed") settings.write_fixed_seconds = std::stod(value());
    else if (flag == "--write-per-record") settings.write_seconds_per_record = std::stod(value());
    else if (flag == "--write-per-change") settings.write_seconds_per_change = std::stod(value());
    else if (flag == "--seed") settings.seed = std::stoull(value());
    else if (flag == "--measure-writer") writer = std::stoul(value());
    else if (flag == "--dir") dir = value();
    else if (flag == "--scaling") scaling = true;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (writer > 0) return measure_writer(writer, dir);
  if (!scaling) {
    print(settings, sweep::sim::simulate(settings));
    return 0;
  }
  for (const int ranks : {10, 100, 1000}) {
    settings.ranks = ranks;
    settings.runs = 100000;
    print(settings, sweep::sim::simulate(settings));
  }
  for (const std::size_t runs : {std::size_t{1000}, std::size_t{10000}}) {
    settings.ranks = 1000;
    settings.runs = runs;
    print(settings, sweep::sim::simulate(settings));
  }
  return 0;
}
