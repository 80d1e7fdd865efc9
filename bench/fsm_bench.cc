// Automata benchmarks: uniform sampling throughput (symbols per second) and
// compile time. Run: build/bench/fsm_bench  (or `make bench`).
#include <benchmark/benchmark.h>

#include "fsm/fsm.h"

using namespace regal;

namespace {

fsm::Dfa compile(const std::string& regex) {
  return fsm::compile_regex(regex, fsm::Alphabet::parse("ab").take_or_throw()).take_or_throw(regex);
}

// A 10-state DFA: the number of a's is a multiple of 10.
const char* kTenStates = "(b*ab*ab*ab*ab*ab*ab*ab*ab*ab*a)*b*";

void BM_SampleAccepted(benchmark::State& state) {
  const auto length = static_cast<std::size_t>(state.range(0));
  const fsm::Dfa dfa = compile(kTenStates);
  const fsm::UniformSampler sampler(dfa, length);
  Rng rng(1);
  fsm::Symbols out(length);
  for (auto _ : state) {
    sampler.sample(length, rng, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["states"] = static_cast<double>(dfa.num_states());
  state.counters["symbols/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(length), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SampleAccepted)->Arg(100)->Arg(500);

void BM_SamplerBuild(benchmark::State& state) {
  const fsm::Dfa dfa = compile(kTenStates);
  for (auto _ : state) benchmark::DoNotOptimize(fsm::UniformSampler(dfa, static_cast<std::size_t>(state.range(0))));
}
BENCHMARK(BM_SamplerBuild)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);

void BM_Compile(benchmark::State& state, const char* regex) {
  for (auto _ : state) benchmark::DoNotOptimize(compile(regex));
  state.counters["states"] = static_cast<double>(compile(regex).num_states());
}
BENCHMARK_CAPTURE(BM_Compile, parity, "(b*ab*a)*b*")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Compile, ten_states, kTenStates)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Compile, no_aa_and_no_bb, "~(.*aa.*)&~(.*bb.*)")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Compile, blowup_8192_states, "(a|b)*a(a|b){12}")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
