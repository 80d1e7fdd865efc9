#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

#include "data/batches.h"
#include "data/cache.h"
#include "data/corpus_io.h"
#include "data/draw.h"
#include "data/generate.h"
#include "data/online.h"
#include "fsm/fsm.h"
#include "io/hdf5.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace regal;
using namespace regal::data;

namespace {

Language language(const std::string& name, const std::string& regex, const std::string& symbols = "ab") {
  const auto alphabet = fsm::Alphabet::parse(symbols).take_or_throw();
  return {name, regex, fsm::compile_regex(regex, alphabet).take_or_throw(regex)};
}

DataConfig small_config() {
  DataConfig config;
  config.L_min = 1;
  config.L_max = 12;  // long enough that train leaves strings for val and test_id
  config.L_test_max = 16;
  config.n_train = 2000;
  config.n_val = 200;
  config.n_test_per_length = 20;
  return config;
}

std::string key(const Split& split, std::size_t i) {
  return std::string(reinterpret_cast<const char*>(split.string(i)), split.length(i));
}

std::set<std::string> strings_of(const Split& split) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < split.size(); ++i) out.insert(key(split, i));
  return out;
}

// Does the string's DFA path use any of the edges?
bool crosses(const fsm::Dfa& dfa, const std::vector<Edge>& edges, const std::uint8_t* s, std::size_t n) {
  fsm::StateId q = dfa.start();
  for (std::size_t i = 0; i < n; ++i) {
    for (const Edge& e : edges) {
      if (e.state == q && e.symbol == s[i]) return true;
    }
    q = dfa.next(q, s[i]);
  }
  return false;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("regal_data_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST(Generate, LabelsAgreeWithTheDfaOnEverySplit) {
  const Language parity = language("third_from_last", "(a|b)*a(a|b){2}");
  DataConfig config = small_config();
  config.negatives = Negatives::kMixed;
  config.edge_holdout = 1;
  const Corpus corpus = generate_corpus(parity, config, 7);
  ASSERT_EQ(corpus.splits.size(), 6U);
  for (const Split& split : corpus.splits) {
    ASSERT_GT(split.size(), 0U) << split.name;
    for (std::size_t i = 0; i < split.size(); ++i) {
      ASSERT_EQ(parity.dfa.accepts(split.string(i), split.length(i)), split.labels[i] == 1) << split.name << " #" << i;
    }
  }
}

TEST(Generate, LengthRangesPerSplit) {
  const DataConfig config = small_config();
  const Corpus corpus = generate_corpus(language("no_aa", "~(.*aa.*)"), config, 1);
  auto range = [&](const std::string& name, std::size_t lo, std::size_t hi, std::size_t first_present) {
    const Split* split = corpus.find(name);
    ASSERT_NE(split, nullptr) << name;
    std::set<std::size_t> seen;
    for (std::size_t i = 0; i < split->size(); ++i) {
      EXPECT_GE(split->length(i), lo) << name;
      EXPECT_LE(split->length(i), hi) << name;
      seen.insert(split->length(i));
    }
    for (std::size_t n = first_present; n <= hi; ++n) EXPECT_EQ(seen.count(n), 1U) << name << " lacks length " << n;
  };
  range("train", 1, 12, 1);
  range("val", 1, 12, 8);      // short lengths may be used up by train
  range("test_id", 1, 12, 8);
  range("test_len_ood", 13, 16, 13);
  range("test_border", 1, 16, 2);
  EXPECT_EQ(corpus.find("test_edge_ood"), nullptr);
  const Split& border = *corpus.find("test_border");
  for (std::size_t i = 0; i < border.size(); ++i) EXPECT_EQ(border.is_long[i], border.length(i) > 12 ? 1 : 0);
}

TEST(Generate, ValAndTestIdAreDisjointFromTrainingAndDistinct) {
  const Corpus corpus = generate_corpus(language("no_aa", "~(.*aa.*)"), small_config(), 3);
  const auto train = strings_of(*corpus.find("train"));
  const Split& val = *corpus.find("val");
  const Split& test_id = *corpus.find("test_id");
  const auto val_set = strings_of(val);
  EXPECT_EQ(val_set.size(), val.size()) << "val strings are distinct";
  EXPECT_EQ(strings_of(test_id).size(), test_id.size()) << "test_id strings are distinct";
  for (const auto& s : val_set) EXPECT_EQ(train.count(s), 0U);
  for (std::size_t i = 0; i < test_id.size(); ++i) {
    EXPECT_EQ(train.count(key(test_id, i)), 0U);
    EXPECT_EQ(val_set.count(key(test_id, i)), 0U);
  }
}

TEST(Generate, HeldOutEdgesAreAvoidedInTrainingAndCrossedInEdgeOod) {
  const Language lang = language("third_from_last", "(a|b)*a(a|b){2}");
  DataConfig config = small_config();
  config.edge_holdout = 3;
  const Corpus corpus = generate_corpus(lang, config, 11);
  ASSERT_EQ(corpus.held_out.size(), 3U);
  for (const char* name : {"train", "val", "test_id", "test_len_ood", "test_border"}) {
    const Split& split = *corpus.find(name);
    for (std::size_t i = 0; i < split.size(); ++i) {
      ASSERT_FALSE(crosses(lang.dfa, corpus.held_out, split.string(i), split.length(i))) << name << " #" << i;
    }
  }
  const Split& edge = *corpus.find("test_edge_ood");
  ASSERT_GT(edge.size(), 0U);
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < edge.size(); ++i) {
    ASSERT_TRUE(crosses(lang.dfa, corpus.held_out, edge.string(i), edge.length(i))) << "#" << i;
    ASSERT_LE(edge.length(i), config.L_max);
    accepted += edge.labels[i];
  }
  EXPECT_GT(accepted, 0U);
  EXPECT_LT(accepted, edge.size());
  // Another seed holds out other transitions.
  EXPECT_NE(generate_corpus(lang, config, 12).held_out, corpus.held_out);
}

TEST(Generate, TooManyHeldOutEdgesIsAnError) {
  DataConfig config = small_config();
  config.edge_holdout = 50;
  try {
    generate_corpus(language("parity", "(b*ab*a)*b*"), config, 1);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.edge_holdout = 50"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("parity"), std::string::npos) << e.what();
  }
}

TEST(Generate, ClassBalanceWithinBinomialTolerance) {
  DataConfig config = small_config();
  config.n_train = 5000;
  config.p_accept = 0.3;
  const Corpus corpus = generate_corpus(language("parity", "(b*ab*a)*b*"), config, 5);
  const Split& train = *corpus.find("train");
  double accepted = 0;
  for (const auto label : train.labels) accepted += label;
  const double n = static_cast<double>(train.size());
  const double sigma = std::sqrt(n * 0.3 * 0.7);
  EXPECT_NEAR(accepted, 0.3 * n, 4 * sigma);
  // test_id is exactly balanced per length when both classes exist.
  const Split& test_id = *corpus.find("test_id");
  std::map<std::size_t, std::pair<int, int>> per_length;
  for (std::size_t i = 0; i < test_id.size(); ++i) {
    (test_id.labels[i] ? per_length[test_id.length(i)].first : per_length[test_id.length(i)].second)++;
  }
  for (std::size_t length = 9; length <= 12; ++length) {
    EXPECT_EQ(per_length[length].first, 10) << length;
    EXPECT_EQ(per_length[length].second, 10) << length;
  }
}

TEST(Generate, BorderPairsAreOneSubstitutionApart) {
  const Language lang = language("no_aa", "~(.*aa.*)");
  const Corpus corpus = generate_corpus(lang, small_config(), 2);
  const Split& border = *corpus.find("test_border");
  ASSERT_GT(border.size(), 0U);
  for (std::size_t i = 0; i < border.size(); ++i) {
    const std::size_t j = border.pair[i];
    ASSERT_EQ(border.pair[j], i);
    ASSERT_NE(border.labels[i], border.labels[j]);
    ASSERT_EQ(border.length(i), border.length(j));
    std::size_t differences = 0;
    for (std::size_t p = 0; p < border.length(i); ++p) differences += border.string(i)[p] != border.string(j)[p];
    ASSERT_EQ(differences, 1U) << "pair " << i << "," << j;
  }
}

TEST(Generate, BorderNegativesHaveAnAcceptedNeighbour) {
  const Language lang = language("no_aa", "~(.*aa.*)");
  DataConfig config = small_config();
  config.negatives = Negatives::kBorder;
  const Corpus corpus = generate_corpus(lang, config, 4);
  const Split& train = *corpus.find("train");
  std::size_t negatives = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    if (train.labels[i]) continue;
    ++negatives;
    EXPECT_FALSE(fsm::edits_into(lang.dfa, train.string(i), train.length(i), fsm::kSubstitute).empty()) << "#" << i;
  }
  EXPECT_GT(negatives, 500U);
  // Uniform negatives are mostly far from the language: many have no accepted neighbour.
  const Corpus uniform = generate_corpus(lang, small_config(), 4);
  const Split& plain = *uniform.find("train");
  std::size_t far = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (!plain.labels[i] && fsm::edits_into(lang.dfa, plain.string(i), plain.length(i), fsm::kSubstitute).empty()) ++far;
  }
  EXPECT_GT(far, 100U);
}

TEST(Generate, SameSeedSameCorpusOtherSeedOther) {
  const Language lang = language("parity", "(b*ab*a)*b*");
  DataConfig config = small_config();
  config.edge_holdout = 1;
  config.negatives = Negatives::kMixed;
  EXPECT_EQ(generate_corpus(lang, config, 9), generate_corpus(lang, config, 9));
  EXPECT_NE(generate_corpus(lang, config, 9), generate_corpus(lang, config, 10));
  // An explicit data.seed wins over the run's seed.
  config.seed = 77;
  EXPECT_EQ(generate_corpus(lang, config, 1), generate_corpus(lang, config, 2));
}

TEST(Generate, ShuffledLabelsKeepEachLengthsClassBalance) {
  const Corpus corpus = generate_corpus(language("parity", "(b*ab*a)*b*"), small_config(), 3);
  Split train = *corpus.find("train");
  const Split original = train;
  shuffle_labels(train, 11);
  EXPECT_EQ(train.tokens, original.tokens) << "the strings stay";
  std::map<std::size_t, std::pair<int, int>> before, after;  // length -> (accepted, total)
  std::size_t moved = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    before[original.length(i)].first += original.labels[i];
    ++before[original.length(i)].second;
    after[train.length(i)].first += train.labels[i];
    ++after[train.length(i)].second;
    moved += train.labels[i] != original.labels[i] ? 1U : 0U;
  }
  EXPECT_EQ(after, before);
  EXPECT_GT(moved, train.size() / 5) << "labels were permuted";
  Split again = original;
  shuffle_labels(again, 11);
  EXPECT_EQ(again.labels, train.labels) << "the same seed, the same permutation";
}

TEST(Generate, TinyLanguagesSupplyWhatExistsOnce) {
  const Language tiny = language("a_or_b_then_c", "(a|b)c", "abc");
  DataConfig config = small_config();
  config.L_max = 3;
  config.L_test_max = 5;  // only ac and bc are accepted, at length 2
  const Corpus corpus = generate_corpus(tiny, config, 1);
  const Split& test_id = *corpus.find("test_id");
  std::set<std::string> accepted;
  for (std::size_t i = 0; i < test_id.size(); ++i) {
    if (test_id.labels[i]) accepted.insert(key(test_id, i));
  }
  // Only ac and bc exist, and both may already be in train; whatever is left appears once.
  EXPECT_LE(accepted.size(), 2U);
  bool shortfall_recorded = false;
  for (const Shortfall& s : corpus.shortfalls) {
    if (s.split == "test_id" && s.length == 2 && s.label == "accepted") {
      shortfall_recorded = true;
      EXPECT_EQ(s.asked, 10U);
      EXPECT_LE(s.got, 2U);
    }
  }
  EXPECT_TRUE(shortfall_recorded);
  // val cannot find 200 strings outside train: it takes every one left, once.
  const Split& val = *corpus.find("val");
  EXPECT_LT(val.size(), 200U);
  EXPECT_EQ(strings_of(val).size(), val.size());
  // No accepted strings beyond length 2: test_len_ood is all rejected.
  for (const auto label : corpus.find("test_len_ood")->labels) EXPECT_EQ(label, 0);
}

TEST(Generate, LengthsWithOneClassGiveThatClass) {
  const Corpus corpus = generate_corpus(language("ab_star", "(ab)*"), small_config(), 1);
  const Split& test_id = *corpus.find("test_id");
  for (std::size_t i = 0; i < test_id.size(); ++i) {
    if (test_id.length(i) % 2 == 1) {
      EXPECT_EQ(test_id.labels[i], 0);
    }
  }
  std::size_t long_odd = 0;
  for (std::size_t i = 0; i < test_id.size(); ++i) long_odd += test_id.length(i) % 2 == 1 && test_id.length(i) >= 9;
  EXPECT_EQ(long_odd, 2U * 20U);  // lengths 9 and 11: all 20 rejected, none accepted exists
}

TEST(Generate, NothingToClassifyIsAnErrorNamingTheLanguage) {
  const DataConfig config = small_config();
  auto message = [&](const Language& lang) {
    try {
      generate_corpus(lang, config, 1);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(language("empty", "a&b")).find("language 'empty'"), std::string::npos);
  EXPECT_NE(message(language("empty", "a&b")).find("accepts no string"), std::string::npos);
  EXPECT_NE(message(language("everything", "(a|b)*")).find("accepts every string of length 1..12"), std::string::npos);
  EXPECT_NE(message(language("long_only", "a{30}")).find("accepts no string of length 1..12"), std::string::npos);
}

TEST(Config, ValidationAndJsonNameTheField) {
  DataConfig config;
  config.L_max = 0;
  EXPECT_THROW(config.validate(), InputError);
  try {
    DataConfig::from_json({{"L_maxx", 3}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "unknown key data.L_maxx (did you mean 'data.L_max'?)");
  }
  EXPECT_THROW(DataConfig::from_json({{"n_train", -5}}), InputError);
  EXPECT_THROW(DataConfig::from_json({{"negatives", "sometimes"}}), InputError);
  const DataConfig parsed = DataConfig::from_json({{"L_max", 40}, {"negatives", "border"}, {"seed", 3}});
  EXPECT_EQ(parsed.L_max, 40U);
  EXPECT_EQ(parsed.negatives, Negatives::kBorder);
  EXPECT_EQ(DataConfig::from_json(parsed.to_json()).to_json(), parsed.to_json());
}

TEST_F(TempDir, CorpusFileRoundTripsAndIsByteIdentical) {
  const Language lang = language("parity", "(b*ab*a)*b*");
  DataConfig config = small_config();
  config.edge_holdout = 1;
  const Corpus corpus = generate_corpus(lang, config, 3);
  save_corpus(dir_ / "a.h5", corpus);
  save_corpus(dir_ / "b.h5", generate_corpus(lang, config, 3));
  EXPECT_EQ(read_bytes(dir_ / "a.h5"), read_bytes(dir_ / "b.h5"));
  EXPECT_EQ(load_corpus(dir_ / "a.h5"), corpus);
  const auto file = io::h5::File::open(dir_ / "a.h5");
  EXPECT_EQ(file.string_attribute("alphabet"), "ab");
  EXPECT_EQ(file.string_attribute("generator"), kGeneratorVersion);
  EXPECT_EQ(file.children(),
            (std::vector<std::string>{"test_border", "test_edge_ood", "test_id", "test_len_ood", "train", "val"}));
  EXPECT_TRUE(file.open_group("test_border").has("pair"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2) << "no temporary files left";
}

TEST_F(TempDir, CacheHitReturnsTheStoredCorpus) {
  const Language lang = language("parity", "(b*ab*a)*b*");
  const DataConfig config = small_config();
  const CachedCorpus first = load_or_generate(lang, config, 5, dir_);
  EXPECT_FALSE(first.provenance.cache_hit);
  const CachedCorpus second = load_or_generate(lang, config, 5, dir_);
  EXPECT_TRUE(second.provenance.cache_hit);
  EXPECT_EQ(second.provenance.cache_key, first.provenance.cache_key);
  EXPECT_EQ(second.corpus, first.corpus);
  EXPECT_EQ(second.telemetry["splits"], first.telemetry["splits"]);
  EXPECT_TRUE(fs::exists(dir_ / first.provenance.cache_key / "corpus.h5"));
  // Another seed, another key; the same language written differently, the same key.
  EXPECT_NE(cache_key(lang, config, 6), first.provenance.cache_key);
  EXPECT_EQ(cache_key(language("parity2", "b*(ab*ab*)*"), config, 5), first.provenance.cache_key);
}

TEST(Telemetry, CountsMatchTheCorpus) {
  const Language lang = language("parity", "(b*ab*a)*b*");
  const Corpus corpus = generate_corpus(lang, small_config(), 1);
  const auto report = telemetry(corpus, lang.dfa, {"k", false, 0.5});
  const auto& train = report["splits"]["train"];
  EXPECT_EQ(train["strings"], 2000);
  EXPECT_EQ(train["accepted"].get<int>() + train["rejected"].get<int>(), 2000);
  int per_length_total = 0;
  for (const auto& item : train["strings_per_length"].items()) per_length_total += item.value().get<int>();
  EXPECT_EQ(per_length_total, 2000);
  EXPECT_DOUBLE_EQ(train["live_transitions_exercised"].get<double>(), 1.0);
  EXPECT_EQ(report["cache_key"], "k");
}

TEST(Batches, TrainingBatchesHaveOneLengthAndCoverAnEpoch) {
  const Corpus corpus = generate_corpus(language("parity", "(b*ab*a)*b*"), small_config(), 1);
  const Split& train = *corpus.find("train");
  TrainingBatches batches(train, 64, 3);
  std::vector<int> seen(train.size(), 0);
  std::map<std::size_t, std::size_t> batch_strings_per_length;
  for (std::size_t b = 0; b < batches.batches_per_epoch(); ++b) {
    const Batch& batch = batches.next();
    EXPECT_LE(batch.indices.size(), 64U);
    for (const auto i : batch.indices) {
      ASSERT_EQ(train.length(i), batch.length);
      ++seen[i];
    }
  }
  for (const int count : seen) EXPECT_EQ(count, 1);
  // Resuming at a position gives the same batches as never stopping.
  TrainingBatches a(train, 64, 3), b(train, 64, 3);
  for (int i = 0; i < 100; ++i) a.next();
  b.seek(a.position());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next().indices, b.next().indices);
  // Another epoch, another order.
  TrainingBatches c(train, 64, 3);
  const auto first = c.next().indices;
  c.seek({1, 0});
  EXPECT_NE(c.next().indices, first);
}

TEST(Batches, EvaluationCoversEveryStringOnceByLength) {
  const Corpus corpus = generate_corpus(language("parity", "(b*ab*a)*b*"), small_config(), 1);
  const Split& test = *corpus.find("test_len_ood");
  std::vector<int> seen(test.size(), 0);
  std::size_t last_length = 0;
  std::vector<std::uint8_t> tokens, labels;
  for (const Batch& batch : evaluation_batches(test, 7)) {
    EXPECT_GE(batch.length, last_length);
    last_length = batch.length;
    gather(test, batch, tokens, labels);
    ASSERT_EQ(tokens.size(), batch.indices.size() * batch.length);
    for (std::size_t row = 0; row < batch.indices.size(); ++row) {
      ++seen[batch.indices[row]];
      EXPECT_EQ(labels[row], test.labels[batch.indices[row]]);
      EXPECT_EQ(tokens[row * batch.length], test.string(batch.indices[row])[0]);
    }
  }
  for (const int count : seen) EXPECT_EQ(count, 1);
}

// ---- k-class tasks (generate_task.cc) ----

namespace {

Language task_language(const fsm::Task& task) { return Language::of("task", task); }

// Pearson's chi-square of observed counts against equal expected counts.
double chi_square_uniform(const std::vector<double>& observed) {
  double total = 0;
  for (const double o : observed) total += o;
  const double expected = total / static_cast<double>(observed.size());
  double chi = 0;
  for (const double o : observed) chi += (o - expected) * (o - expected) / expected;
  return chi;
}

// Critical values chi2.ppf(0.999, df), from scipy.stats 1.10 (Debian 12's
// python3-scipy): a correct sampler fails one of these once in a thousand seeds.
constexpr double kChi2Df2 = 13.815510557964274;
constexpr double kChi2Df8 = 26.12448155837614;
constexpr double kChi2Df17 = 40.79021670690253;

}  // namespace

TEST(TaskCorpus, EveryLabelIsTheAutomatonsClassAndEveryStringIsInTheDomain) {
  const fsm::Task task = fsm::modular_arithmetic(5, "pmx");
  DataConfig config = small_config();
  config.L_max = 7;
  config.L_test_max = 11;
  const Corpus corpus = generate_corpus(task_language(task), config, 3);
  EXPECT_EQ(corpus.classes, task.classes);
  for (const Split& split : corpus.splits) {
    ASSERT_GT(split.size(), 0u) << split.name;
    for (std::size_t i = 0; i < split.size(); ++i) {
      const auto label = task.classify(split.string(i), split.length(i));
      ASSERT_TRUE(label.has_value()) << split.name << ": a string outside the domain";
      EXPECT_EQ(*label, split.labels[i]) << split.name;
      EXPECT_EQ(split.length(i) % 2, 1u) << split.name << ": only odd lengths are expressions";
    }
  }
  // Border pairs: one substitution apart, both in the domain, in different classes.
  const Split& border = *corpus.find("test_border");
  for (std::size_t i = 0; i < border.size(); ++i) {
    const std::size_t j = border.pair[i];
    ASSERT_EQ(border.length(i), border.length(j));
    std::size_t differences = 0;
    for (std::size_t t = 0; t < border.length(i); ++t) differences += border.string(i)[t] != border.string(j)[t] ? 1U : 0U;
    EXPECT_EQ(differences, 1u);
    EXPECT_NE(border.labels[i], border.labels[j]);
  }
  // Balanced tests: every class present at a length gets n / k strings there.
  std::map<std::pair<std::size_t, int>, std::size_t> cells;
  const Split& ood = *corpus.find("test_len_ood");
  for (std::size_t i = 0; i < ood.size(); ++i) ++cells[{ood.length(i), ood.labels[i]}];
  for (const auto& [cell, count] : cells) EXPECT_EQ(count, config.n_test_per_length / 5) << cell.first;
  // Same inputs, same corpus; the saved file reads back with its classes.
  EXPECT_EQ(generate_corpus(task_language(task), config, 3), corpus);
}

TEST(TaskCorpus, BalancedSamplingIsUniformOverClassesAndWithinEachClass) {
  const fsm::Task task = fsm::cycle_navigation(3);
  DataConfig config;
  config.L_min = 1;
  config.L_max = 3;
  config.L_test_max = 3;
  config.n_train = 30000;
  config.n_val = 10;
  config.n_test_per_length = 3;
  const Corpus corpus = generate_corpus(task_language(task), config, 11);
  const Split& train = *corpus.find("train");
  std::map<std::size_t, std::vector<double>> per_class;                 // length -> counts by class
  std::map<std::pair<std::size_t, int>, std::map<std::string, double>> per_string;  // (length 3, class) -> strings
  for (std::size_t i = 0; i < train.size(); ++i) {
    auto& counts = per_class[train.length(i)];
    counts.resize(3, 0);
    ++counts[train.labels[i]];
    if (train.length(i) == 3) ++per_string[{3, train.labels[i]}][key(train, i)];
  }
  for (const auto& [length, counts] : per_class) EXPECT_LT(chi_square_uniform(counts), kChi2Df2) << length;
  for (const auto& [cell, strings] : per_string) {
    EXPECT_EQ(strings.size(), 9u);  // 27 strings of length 3, 9 per final position
    std::vector<double> observed;
    for (const auto& entry : strings) observed.push_back(entry.second);
    EXPECT_LT(chi_square_uniform(observed), kChi2Df8) << "class " << cell.second;
  }
}

TEST(TaskCorpus, NaturalSamplingIsUniformOverTheDomainsStringsOfALength) {
  const fsm::Task task = fsm::modular_arithmetic(3, "px");
  DataConfig config;
  config.L_min = 3;
  config.L_max = 3;
  config.L_test_max = 5;
  config.n_train = 18000;
  config.n_val = 0;
  config.n_test_per_length = 18;
  config.sampling = Sampling::kNatural;
  const Corpus corpus = generate_corpus(task_language(task), config, 5);
  const Split& train = *corpus.find("train");
  std::map<std::string, double> counts;
  for (std::size_t i = 0; i < train.size(); ++i) ++counts[key(train, i)];
  ASSERT_EQ(counts.size(), 18u);  // 3 digits x 2 operators x 3 digits
  std::vector<double> observed;
  for (const auto& entry : counts) observed.push_back(entry.second);
  EXPECT_LT(chi_square_uniform(observed), kChi2Df17);
  // Tests take the domain's strings without regard to class, each once; no
  // string of even length is an expression.
  const Split& ood = *corpus.find("test_len_ood");
  EXPECT_EQ(ood.size(), 18u);
  EXPECT_EQ(strings_of(ood).size(), 18u);
  // A recogniser with natural sampling goes the same way (classes rejected/accepted):
  // all 16 strings of length 4, and the shortfall recorded.
  const Corpus natural = generate_corpus(language("parity", "(b*ab*a)*b*"), config, 5);
  EXPECT_TRUE(natural.classes.empty());
  EXPECT_EQ(natural.find("test_len_ood")->size(), 16u + 18u);
  const Shortfall expected{"test_len_ood", 4, "any", 18, 16};
  EXPECT_NE(std::find(natural.shortfalls.begin(), natural.shortfalls.end(), expected), natural.shortfalls.end());
}

TEST(TaskCorpus, AClassWithoutTrainingStringsAndRecogniserOnlySettingsAreRefused) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  const auto task = fsm::task_from_classes({{"short", "a|b"}, {"long", "(a|b){5,}"}}, alphabet).value();
  DataConfig config = small_config();
  config.L_max = 4;
  try {
    generate_corpus(task_language(task), config, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("class 'long' has no string of length 1..4"), std::string::npos) << e.what();
  }
  config.L_max = 12;
  config.p_accept = 0.7;
  EXPECT_THROW(generate_corpus(task_language(fsm::cycle_navigation(5)), config, 1), KeyError);
}

TEST(TaskCorpus, SavedAndLoadedWithItsClassNames) {
  const fs::path dir = fs::temp_directory_path() / "regal_task_corpus";
  fs::remove_all(dir);
  DataConfig config = small_config();
  const Corpus corpus = generate_corpus(task_language(fsm::cycle_navigation(4)), config, 2);
  save_corpus(dir / "corpus.h5", corpus);
  EXPECT_EQ(load_corpus(dir / "corpus.h5"), corpus);
  fs::remove_all(dir);
}

TEST(OnlineBatches, EachStepsBatchIsFixedByTheSeedAndStepAloneAndAvoidsHeldOutEdges) {
  DataConfig config = small_config();
  config.train_mode = TrainMode::kOnline;
  config.edge_holdout = 1;
  const Language parity = language("parity", "(b*ab*a)*b*");
  const Corpus corpus = generate_corpus(parity, config, 4);
  EXPECT_EQ(corpus.find("train")->size(), 0u);  // online: the corpus holds no train split
  ASSERT_EQ(corpus.held_out.size(), 1u);
  const OnlineBatches online(parity, config, corpus.held_out, 4);
  Split first, again, other;
  online.batch(7, 64, first);
  online.batch(3, 64, other);  // order of calls does not matter: a resumed run sees the same batches
  online.batch(7, 64, again);
  EXPECT_EQ(first, again);
  std::set<std::size_t> lengths;
  std::size_t accepted = 0;
  for (std::uint64_t step = 0; step < 200; ++step) {
    Split batch;
    online.batch(step, 32, batch);
    ASSERT_EQ(batch.size(), 32u);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      ASSERT_EQ(batch.length(i), batch.length(0)) << "one length per batch";
      EXPECT_EQ(batch.labels[i], parity.dfa.accepts(batch.string(i), batch.length(i)) ? 1 : 0);
      EXPECT_FALSE(crosses(parity.dfa, corpus.held_out, batch.string(i), batch.length(i)));
      accepted += batch.labels[i];
    }
    lengths.insert(batch.length(0));
  }
  EXPECT_EQ(*lengths.begin(), config.L_min);
  EXPECT_EQ(*lengths.rbegin(), config.L_max);
  EXPECT_NEAR(static_cast<double>(accepted) / (200 * 32), 0.5, 0.03);  // p_accept
  config.negatives = Negatives::kBorder;
  EXPECT_THROW(OnlineBatches(parity, config, {}, 4), KeyError);
}

// ---- data.border_edits = "edit": MLRegTest's one-edit pairs ----

namespace {

// Every string one substitution, deletion or insertion away from x (text over `symbols`), by hand.
std::set<std::string> one_edit_neighbours(const std::string& x, const std::string& symbols) {
  std::set<std::string> out;
  for (std::size_t i = 0; i <= x.size(); ++i) {
    for (const char s : symbols) {
      if (i < x.size() && s != x[i]) out.insert(x.substr(0, i) + s + x.substr(i + 1));
      out.insert(x.substr(0, i) + s + x.substr(i));
    }
    if (i < x.size()) out.insert(x.substr(0, i) + x.substr(i + 1));
  }
  return out;
}

std::string text_of(const Split& split, std::size_t i, const std::string& symbols) {
  std::string out;
  for (std::size_t t = 0; t < split.length(i); ++t) out += symbols[split.string(i)[t]];
  return out;
}

// Border pairs of a corpus with border_edits = edit: x first, its partner
// one edit away in another class, both of the test lengths; returns how many
// partners are shorter, as long, longer than x.
std::array<std::size_t, 3> check_edit_pairs(const Corpus& corpus, const fsm::Dfa& dfa, const DataConfig& config) {
  const Split& border = *corpus.find("test_border");
  const std::string& symbols = corpus.alphabet;
  std::array<std::size_t, 3> kinds{};
  EXPECT_GT(border.size(), 0u);
  for (std::size_t i = 0; i < border.size(); i += 2) {
    const std::size_t j = border.pair[i];
    EXPECT_EQ(j, i + 1);
    EXPECT_EQ(border.pair[j], i);
    const std::string x = text_of(border, i, symbols), y = text_of(border, j, symbols);
    EXPECT_EQ(one_edit_neighbours(x, symbols).count(y), 1u) << x << " / " << y;
    EXPECT_EQ(border.labels[i], dfa.label(dfa.run(border.string(i), border.length(i))));
    EXPECT_EQ(border.labels[j], dfa.label(dfa.run(border.string(j), border.length(j))));
    EXPECT_NE(border.labels[i], border.labels[j]) << x << " / " << y;
    EXPECT_GE(y.size(), config.L_min) << x << " / " << y;
    EXPECT_LE(y.size(), config.L_test_max) << x << " / " << y;
    EXPECT_EQ(border.is_long[i], x.size() > config.L_max ? 1 : 0);
    EXPECT_EQ(border.is_long[j], border.is_long[i]);  // a pair is short or long by x
    ++kinds[y.size() < x.size() ? 0 : y.size() == x.size() ? 1 : 2];
  }
  return kinds;
}

DataConfig edit_config() {
  DataConfig config = small_config();
  config.L_min = 2;
  config.L_max = 6;
  config.L_test_max = 10;
  config.border_edits = BorderEdits::kEdit;
  return config;
}

}  // namespace

TEST(BorderEdits, RecogniserPairsAreOneEditApartWithinTheTestLengths) {
  const Language lang = language("parity", "(b*ab*a)*b*");
  const DataConfig config = edit_config();
  const Corpus corpus = generate_corpus(lang, config, 8);
  const auto kinds = check_edit_pairs(corpus, lang.dfa, config);
  // Deleting or inserting an a flips parity as a substitution does: all three kinds come.
  EXPECT_GT(kinds[0], 5u);
  EXPECT_GT(kinds[1], 5u);
  EXPECT_GT(kinds[2], 5u);
  const Split& border = *corpus.find("test_border");
  for (std::size_t i = 0; i < border.size(); i += 2) EXPECT_EQ(border.labels[i], 1) << "x is the accepted string";
  // Everything but test_border is what substitution pairs give; the default keeps every corpus.
  DataConfig substitution = config;
  substitution.border_edits = BorderEdits::kSubstitution;
  const Corpus before = generate_corpus(lang, substitution, 8);
  for (const char* name : {"train", "val", "test_id", "test_len_ood"}) EXPECT_EQ(*corpus.find(name), *before.find(name)) << name;
  EXPECT_FALSE(*corpus.find("test_border") == *before.find("test_border"));
  EXPECT_NE(config.identity_json(), substitution.identity_json());
  EXPECT_FALSE(substitution.identity_json().contains("border_edits"));
}

TEST(BorderEdits, TaskPairsChangeClassByOneEdit) {
  const fsm::Task task = fsm::cycle_navigation(5);
  const DataConfig config = edit_config();
  const Corpus corpus = generate_corpus(task_language(task), config, 4);
  const auto kinds = check_edit_pairs(corpus, task.dfa, config);
  // Deleting or inserting a move (+1, -1) changes where the walk ends.
  EXPECT_GT(kinds[0], 5u);
  EXPECT_GT(kinds[2], 5u);
}

TEST(BorderEdits, BorderStringsAreExactlyThoseWithAPartnerOfATestLength) {
  // x's automaton per length against brute force over every string: a
  // partner must keep to L_min..L_test_max (no deletion at L_min, no
  // insertion at L_test_max).
  DataConfig config;
  config.L_min = 2;
  config.L_max = 3;
  config.L_test_max = 5;
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"(aa)*", "a(aa)*"}, {"a*b*", "b(a|b)*"}, {"(ab)*", "~((ab)*)"}, {"(b*ab*a)*b*", "~((b*ab*a)*b*)"}};
  const auto sigma = fsm::Alphabet::parse("ab").take_or_throw();
  for (const auto& [from_regex, to_regex] : pairs) {
    const fsm::Dfa from = fsm::compile_regex(from_regex, sigma).take_or_throw();
    const fsm::Dfa to = fsm::compile_regex(to_regex, sigma).take_or_throw();
    const draw::BorderClass border(from, to, BorderEdits::kEdit, config);
    ASSERT_TRUE(border.error().empty());
    std::map<std::size_t, std::uint64_t> expected;
    std::vector<std::string> strings{""};
    for (std::size_t length = 1; length <= config.L_test_max; ++length) {
      std::vector<std::string> longer;
      for (const std::string& s : strings) {
        for (const char c : std::string("ab")) longer.push_back(s + c);
      }
      strings = std::move(longer);
      if (length < config.L_min) continue;
      for (const std::string& x : strings) {
        if (!from.accepts_text(x)) continue;
        bool partner = false;
        for (const std::string& y : one_edit_neighbours(x, "ab")) {
          partner = partner || (y.size() >= config.L_min && y.size() <= config.L_test_max && to.accepts_text(y));
        }
        expected[length] += partner ? 1 : 0;
      }
      EXPECT_EQ(fsm::to_u64(border.sampler(length).count(length)), expected[length])
          << from_regex << " → " << to_regex << " at length " << length;
    }
  }
}

TEST(BorderEdits, ThePartnerIsUniformOverTheDistinctNeighbours) {
  // x = abba (even a's): partners with odd a's are the 4 substitutions, the
  // deletions of either a (bba, abb) and the insertions of an a that give
  // distinct strings (aabba, ababa, abbaa): 9, each drawn alike.
  const Language lang = language("parity", "(b*ab*a)*b*");
  const draw::BorderClass border(lang.dfa, fsm::complement(lang.dfa), BorderEdits::kEdit, edit_config());
  const std::string x = {0, 1, 1, 0};
  Rng rng(17);
  std::map<std::string, double> counts;
  for (int draw = 0; draw < 18000; ++draw) ++counts[border.partner(x, rng)];
  std::set<std::string> seen;
  for (const auto& entry : counts) {
    std::string text;
    for (const char c : entry.first) text += "ab"[static_cast<std::size_t>(c)];
    seen.insert(text);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"bbba", "aaba", "abaa", "abbb", "bba", "abb", "aabba", "ababa", "abbaa"}));
  std::vector<double> observed;
  for (const auto& entry : counts) observed.push_back(entry.second);
  EXPECT_LT(chi_square_uniform(observed), kChi2Df8);
}

TEST(BorderEdits, TheKeyReadsAndRefusesOtherValues) {
  EXPECT_EQ(DataConfig::from_json({{"border_edits", "edit"}}).border_edits, BorderEdits::kEdit);
  EXPECT_EQ(DataConfig::from_json({{"border_edits", "substitution"}}).border_edits, BorderEdits::kSubstitution);
  try {
    DataConfig::from_json({{"border_edits", "insertion"}});
    FAIL() << "accepted border_edits = insertion";
  } catch (const KeyError& error) {
    EXPECT_EQ(error.key(), "data.border_edits");
    EXPECT_NE(std::string(error.what()).find("substitution or edit"), std::string::npos);
  }
}
