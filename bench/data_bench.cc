// Corpus generation benchmarks: whole corpora at realistic sizes.
// Run: build/bench/data_bench  (or `make bench`).
#include <benchmark/benchmark.h>

#include "data/generate.h"
#include "data/online.h"
#include "fsm/fsm.h"

using namespace regal;

namespace {

data::Language language(const std::string& name, const std::string& regex) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  return {name, regex, fsm::compile_regex(regex, alphabet).take_or_throw(regex)};
}

std::size_t symbols_in(const data::Corpus& corpus) {
  std::size_t total = 0;
  for (const auto& split : corpus.splits) total += split.tokens.size();
  return total;
}

// The defaults: L 1..20, tests to 100, 10000 train, 1000 val, 100 per test length.
void BM_DefaultCorpus(benchmark::State& state, const char* regex) {
  const data::Language lang = language("bench", regex);
  data::DataConfig config;
  config.edge_holdout = static_cast<std::size_t>(state.range(0));
  std::size_t symbols = 0;
  for (auto _ : state) symbols = symbols_in(data::generate_corpus(lang, config, 1));
  state.counters["symbols"] = static_cast<double>(symbols);
  state.counters["symbols/s"] = benchmark::Counter(static_cast<double>(symbols) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_DefaultCorpus, parity, "(b*ab*a)*b*")->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DefaultCorpus, third_from_last, "(a|b)*a(a|b){2}")->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);

// Delétang et al. 2023: train <= 40, test 41..500.
void BM_ChomskyCorpus(benchmark::State& state) {
  const data::Language lang = language("parity", "(b*ab*a)*b*");
  data::DataConfig config;
  config.L_max = 40;
  config.L_test_max = 500;
  std::size_t symbols = 0;
  for (auto _ : state) symbols = symbols_in(data::generate_corpus(lang, config, 1));
  state.counters["symbols"] = static_cast<double>(symbols);
  state.counters["symbols/s"] = benchmark::Counter(static_cast<double>(symbols) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ChomskyCorpus)->Unit(benchmark::kMillisecond);

}  // namespace


// Online training data (data.train_mode = online): one batch of 128 strings,
// lengths uniform in 1..40, as the trainer asks for it every step.
void BM_OnlineBatch(benchmark::State& state, const char* which) {
  const std::string name = which;
  const fsm::Task task = name == "parity" ? fsm::recogniser(language("p", "(b*ab*a)*b*").dfa, "(b*ab*a)*b*")
                         : name == "cycle_navigation" ? fsm::cycle_navigation(5)
                                                      : fsm::modular_arithmetic(5, "pmx");
  data::DataConfig config;
  config.L_max = 40;
  config.L_test_max = 40;
  config.train_mode = data::TrainMode::kOnline;
  const data::OnlineBatches online(data::Language::of(name, task), config, {}, 1);
  data::Split batch;
  std::uint64_t step = 0;
  for (auto _ : state) {
    online.batch(step++, 128, batch);
    benchmark::DoNotOptimize(batch.tokens.data());
  }
}
BENCHMARK_CAPTURE(BM_OnlineBatch, parity, "parity")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_OnlineBatch, cycle_navigation, "cycle_navigation")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_OnlineBatch, modular_arithmetic, "modular_arithmetic")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
