// Golden values that must not move without a decision: the ids of finished
// runs (every built-in experiment and every run of the ready specs), the
// corpora the sampler draws, the automata's content hashes and exact counts.
// A change that moves any of them either is a bug or must bump
// data::kGeneratorVersion (corpora) and say so; run ids never move.
//
// tests/golden/run_ids.txt was written by regal at 8a1eb16 (before the
// identity rules of experiment/schema.h), the other values here likewise.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "data/generate.h"
#include "data/online.h"
#include "experiment/experiment.h"
#include "experiment/registry.h"
#include "fsm/fsm.h"
#include "io/hash.h"
#include "sweep/spec.h"

namespace fs = std::filesystem;
using namespace regal;

namespace {

const fs::path kSource = REGAL_SOURCE_DIR;

// "<source> <run_id>" for every built-in experiment and every run of sweeps/*.toml.
std::string current_run_ids() {
  std::ostringstream out;
  for (const auto& e : experiment::named_experiments()) out << "experiment:" << e.name << " " << experiment::run_id(e) << "\n";
  std::vector<fs::path> specs;
  for (const auto& entry : fs::directory_iterator(kSource / "sweeps")) {
    if (entry.path().extension() == ".toml") specs.push_back(entry.path());
  }
  std::sort(specs.begin(), specs.end());
  for (const auto& spec : specs) {
    for (const auto& run : sweep::expand(sweep::parse_spec(spec))) {
      out << "spec:" << spec.filename().string() << " " << run.run_id << "\n";
    }
  }
  return out.str();
}

// SHA-256 over everything a corpus holds that training and evaluation read.
std::string corpus_digest(const data::Corpus& corpus) {
  io::Sha256 hash;
  auto numbers = [&](const std::vector<std::uint64_t>& values) {
    for (const std::uint64_t v : values) hash.update_u64(v);
  };
  for (const auto& split : corpus.splits) {
    hash.update(split.name).update("\n");
    hash.update(split.tokens.data(), split.tokens.size());
    numbers(split.offsets);
    hash.update(split.labels.data(), split.labels.size());
    numbers(split.pair);
    hash.update(split.is_long.data(), split.is_long.size());
  }
  for (const auto& edge : corpus.held_out) hash.update(std::to_string(edge.state) + "," + std::to_string(edge.symbol) + "\n");
  for (const auto& s : corpus.shortfalls) {
    hash.update(s.split + "," + std::to_string(s.length) + "," + s.label + "," + std::to_string(s.asked) + "," +
                std::to_string(s.got) + "\n");
  }
  return hash.hex_digest().substr(0, 16);
}

data::Corpus corpus_of(const std::string& regex, const data::DataConfig& config, std::uint64_t seed) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  return data::generate_corpus({"golden", regex, fsm::compile_regex(regex, alphabet).take_or_throw()}, config, seed);
}

}  // namespace

TEST(Golden, RunIdsOfBuiltInExperimentsAndReadySpecs) {
  std::ifstream in(kSource / "tests" / "golden" / "run_ids.txt");
  std::stringstream golden;
  golden << in.rdbuf();
  const std::string now = current_run_ids();
  if (golden.str() != now) {
    std::ofstream(fs::temp_directory_path() / "regal_run_ids.now") << now;
    FAIL() << "run ids moved: diff tests/golden/run_ids.txt " << (fs::temp_directory_path() / "regal_run_ids.now").string();
  }
}

TEST(Golden, CorporaAreTheSameStrings) {
  data::DataConfig small;
  small.L_max = 12;
  small.L_test_max = 30;
  small.n_train = 2000;
  small.n_val = 200;
  small.n_test_per_length = 40;
  data::DataConfig edge = small;
  edge.edge_holdout = 1;
  data::DataConfig long_tests;
  long_tests.L_max = 40;
  long_tests.L_test_max = 200;
  long_tests.n_test_per_length = 20;
  const std::map<std::string, std::string> digests = {
      {"parity small 0", corpus_digest(corpus_of("(b*ab*a)*b*", small, 0))},
      {"parity small 1", corpus_digest(corpus_of("(b*ab*a)*b*", small, 1))},
      {"no_aa default 0", corpus_digest(corpus_of("~(.*aa.*)", data::DataConfig(), 0))},
      {"parity edge 2", corpus_digest(corpus_of("(b*ab*a)*b*", edge, 2))},
      {"ab_star long 3", corpus_digest(corpus_of("(ab)*", long_tests, 3))},
  };
  const std::map<std::string, std::string> expected = {
      {"parity small 0", "4ae53319b325dcfe"}, {"parity small 1", "7a372fac30398b0a"},
      {"no_aa default 0", "af0c028b81a4905f"}, {"parity edge 2", "a1601daaa94af7a7"},
      {"ab_star long 3", "4a808eebb3c3ec54"},
  };
  EXPECT_EQ(digests, expected);
}

TEST(Golden, AutomataHashesAndExactCounts) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  auto dfa = [&](const std::string& regex) { return fsm::compile_regex(regex, alphabet).take_or_throw(); };
  EXPECT_EQ(fsm::content_hash(dfa("(b*ab*a)*b*")), "1eaeb1d5aa3710b48ee333eaa7861c6cc38c62f272390029107be5de3135816a");
  EXPECT_EQ(fsm::content_hash(dfa("(a|b)*a(a|b){5}")), "9b04d028351c4589531c899f16891e13c118d9a7d29095d61e6a39db69d4a2a6");
  const auto counts = fsm::count_accepted(dfa("~(.*aa.*)"), 300);
  // Fibonacci F(302) and 2^200, both checked with Python's integers.
  EXPECT_EQ(counts[300].str(), "581811569836004006491505558634099066259034153405766997246569401");
  EXPECT_EQ(fsm::count_accepted(dfa("(a|b)*"), 200)[200].str(),
            "1606938044258990275541962092341162602522202993782792835301376");
  // The sampler divides counts as doubles: pin the bits of two ratios.
  EXPECT_EQ(fsm::count_ratio(counts[300], counts[299]), 0x1.9e3779b97f4a8p+0);
  EXPECT_EQ(fsm::count_ratio(counts[7], counts[300]), 0x1.80a41c9ab4d55p-204);
}

TEST(Golden, TasksTheirCorporaAndOnlineBatches) {
  // Pinned when k-class tasks arrived (after 97f53f0): the generators'
  // automata, a balanced and a natural task corpus, one online batch.
  const fsm::Task cycle = fsm::cycle_navigation(5);
  const fsm::Task mod = fsm::modular_arithmetic(5, "pmx");
  data::DataConfig config;
  config.L_max = 9;
  config.L_test_max = 15;
  config.n_train = 1000;
  config.n_val = 100;
  config.n_test_per_length = 10;
  data::DataConfig natural = config;
  natural.sampling = data::Sampling::kNatural;
  const std::map<std::string, std::string> now = {
      {"cycle hash", fsm::content_hash(cycle.dfa).substr(0, 16)},
      {"mod hash", fsm::content_hash(mod.dfa).substr(0, 16)},
      {"cycle balanced 0", corpus_digest(data::generate_corpus(data::Language::of("c", cycle), config, 0))},
      {"mod natural 1", corpus_digest(data::generate_corpus(data::Language::of("m", mod), natural, 1))},
  };
  data::Split batch;
  data::OnlineBatches(data::Language::of("m", mod), config, {}, 2).batch(17, 8, batch);
  std::string online;
  for (std::size_t i = 0; i < batch.size(); ++i) online += fsm::to_text(mod.dfa.alphabet(), batch.string(i), batch.length(i)) + " ";
  const std::map<std::string, std::string> expected = {
      {"cycle hash", "90e551a245f0d19b"},
      {"mod hash", "565a5ab7800afb78"},
      {"cycle balanced 0", "f689b75f7c3cd4b4"},
      {"mod natural 1", "381d2ae62e8d72ca"}};
  EXPECT_EQ(now, expected);
  EXPECT_EQ(online, "0p2 0m4 0x1 4x0 2x0 2m0 3x3 4p4 ");
}
