// What the lab notebook costs a sweep (issue 15): per finished run, a log row
// built from the run folder and appended under the lock (one write, fsync);
// per sweep start and end, a registry update (lock, read, rewrite, rename)
// and the runs-by-state count over the sweep's run folders.
//
//   notebook_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "layout/run_paths.h"
#include "layout/status.h"
#include "notebook/log.h"
#include "notebook/registry.h"

namespace fs = std::filesystem;
using namespace regal;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("regal_notebook_bench_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A done run folder with the files a log row reads.
layout::RunPaths make_run(const fs::path& root, const std::string& sweep, const std::string& id) {
  const layout::RunPaths paths(root, sweep, id);
  fs::create_directories(paths.history_jsonl().parent_path());
  fs::create_directories(paths.telemetry_json().parent_path());
  layout::RunStatus status;
  status.run_id = id;
  status.state = layout::RunState::kDone;
  status.ended = "2026-11-22T12:00:00Z";
  layout::write_status(paths, status);
  std::ofstream(paths.metrics_json()) << R"({"best_val_acc": 0.97, "acc_test_id": 0.99, "acc_test_len_ood": 0.5})";
  std::ofstream history(paths.history_jsonl());
  for (int step = 100; step <= 5000; step += 100) history << "{\"step\":" << step << ",\"val_loss\":" << 1.0 / step << "}\n";
  std::ofstream(paths.experiment_json()) << R"({"name":"s","language":{"name":"parity"},"model":{"arch":"lstm","d_model":64},"train":{"lr":0.001,"steps":5000}})";
  std::ofstream(paths.telemetry_json()) << R"({"corpus_md5":"0123456789abcdef0123456789abcdef","corpus_sha256":"0123"})";
  return paths;
}

void BM_LogRowFromRun(benchmark::State& state) {
  const fs::path root = scratch("row");
  const layout::RunPaths paths = make_run(root, "s", "0123456789ab");
  for (auto _ : state) benchmark::DoNotOptimize(notebook::log_row_from_run(paths, "s", {{"seed", 1}}, 60.0, 0));
  fs::remove_all(root);
}
BENCHMARK(BM_LogRowFromRun)->Unit(benchmark::kMicrosecond);

void BM_AppendLogRow(benchmark::State& state) {
  const fs::path root = scratch("append");
  const notebook::LogRow row = notebook::log_row_from_run(make_run(root, "s", "0123456789ab"), "s", {{"seed", 1}}, 60.0, 0);
  for (auto _ : state) notebook::append_log_row(root, row);
  state.counters["bytes_per_row"] = static_cast<double>(fs::file_size(root / "experiment_log.csv")) / static_cast<double>(state.iterations() + 1);
  fs::remove_all(root);
}
BENCHMARK(BM_AppendLogRow)->Unit(benchmark::kMicrosecond);

// One update of a registry that holds `entries` sweeps.
void BM_UpdateRegistry(benchmark::State& state) {
  const fs::path root = scratch("registry");
  for (long i = 0; i < state.range(0); ++i) {
    notebook::update_registry(root, "sweep", "sweep_" + std::to_string(i), [](notebook::RegistryEntry& e) { e.runs["done"] = 10; });
  }
  for (auto _ : state) {
    notebook::update_registry(root, "sweep", "sweep_0", [](notebook::RegistryEntry& e) { ++e.runs["done"]; });
  }
  fs::remove_all(root);
}
BENCHMARK(BM_UpdateRegistry)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// Runs by state over a sweep of `runs` run folders (at a sweep's start and end).
void BM_CountRunStates(benchmark::State& state) {
  const fs::path root = scratch("count");
  for (long i = 0; i < state.range(0); ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%012lx", static_cast<unsigned long>(i) * 2654435761UL);
    const layout::RunPaths paths(root, "s", id);
    fs::create_directories(paths.run_dir());
    layout::RunStatus status;
    status.run_id = id;
    status.state = layout::RunState::kDone;
    layout::write_status(paths, status);
  }
  for (auto _ : state) benchmark::DoNotOptimize(notebook::count_run_states(root / "s"));
  state.counters["us_per_run"] = benchmark::Counter(static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  fs::remove_all(root);
}
BENCHMARK(BM_CountRunStates)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
