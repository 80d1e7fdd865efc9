// The summary table (every statistic, bootstrap included) of synthetic
// sweeps: groups of 10 seeds, 30 metrics per run, as the reducer computes it
// at the end of a sweep. Aim: 10,000 runs x 30 metrics with the default
// 2,000 resamples under 10 s on one core.
//
//   stats_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "aggregate/tables.h"
#include "util/rng.h"

using namespace regal;

namespace {

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (int m = 0; m < 30; ++m) names.push_back(m < 4 ? std::vector<std::string>{"acc_test_id", "acc_test_len_ood", "acc_test_edge_ood", "acc_test_border"}[static_cast<std::size_t>(m)]
                                                      : "metric_" + std::to_string(m));
  return names;
}

std::vector<aggregate::RunRecord> synthetic(std::size_t runs) {
  Rng rng(1);
  std::vector<aggregate::RunRecord> records;
  const auto names = metric_names();
  for (std::size_t i = 0; i < runs; ++i) {
    aggregate::RunRecord r;
    r.sweep = "bench";
    r.run_id = std::to_string(i);
    r.state = layout::RunState::kDone;
    r.axes = {{"config", static_cast<std::int64_t>(i / 10)}, {"seed", static_cast<std::int64_t>(i % 10)}};
    for (const auto& name : names) r.metrics[name] = rng.uniform01();
    for (const char* split : {"test_id", "test_len_ood", "test_edge_ood", "test_border"}) r.metrics[std::string("chance_") + split] = 0.5;
    records.push_back(std::move(r));
  }
  return records;
}

void BM_Summary(benchmark::State& state) {
  const auto records = synthetic(static_cast<std::size_t>(state.range(0)));
  aggregate::StatsOptions options;
  options.summary_resamples = static_cast<std::size_t>(state.range(1));
  const auto metrics = metric_names();
  for (auto _ : state) benchmark::DoNotOptimize(aggregate::summary_table(records, metrics, std::nullopt, options));
  state.counters["runs"] = static_cast<double>(state.range(0));
  state.counters["resamples"] = static_cast<double>(state.range(1));
}
BENCHMARK(BM_Summary)->Args({1000, 2000})->Args({10000, 0})->Args({10000, 500})->Args({10000, 2000})->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
