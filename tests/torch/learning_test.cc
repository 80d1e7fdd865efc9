// Checks that the learning is real: models build with the parameter counts
// we record, every positional scheme runs beyond the trained length, training
// drives the loss down, and resuming a checkpoint equals never stopping.
// The models run on REGAL_TEST_DEVICE (cpu when unset; cuda on a GPU machine,
// see scripts/device-check.sh).
#include <gtest/gtest.h>

#include <random>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "data/generate.h"
#include "eval/evaluate.h"
#include "fsm/fsm.h"
#include "model/classifier.h"
#include "model/transformer.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace regal;

namespace {

torch::Device test_device() {
  const char* device = std::getenv("REGAL_TEST_DEVICE");
  return model::resolve_device(device != nullptr && *device != '\0' ? device : "cpu");
}

model::Classifier build_on_test_device(const model::ModelConfig& config, std::size_t num_symbols, std::size_t max_length) {
  auto model = model::build_classifier(config, num_symbols, max_length);
  model->to(test_device());
  return model;
}

train::TrainOptions on_test_device(std::uint64_t seed) {
  train::TrainOptions options;
  options.seed = seed;
  options.device = test_device();
  return options;
}

data::Corpus tiny_corpus(const std::string& regex, std::size_t n_train = 2000) {
  const auto alphabet = fsm::Alphabet::parse("ab").take_or_throw();
  const data::Language lang{"test", regex, fsm::compile_regex(regex, alphabet).take_or_throw()};
  data::DataConfig config;
  config.L_min = 1;
  config.L_max = 10;
  config.L_test_max = 16;
  config.n_train = n_train;
  config.n_val = 200;
  config.n_test_per_length = 20;
  return data::generate_corpus(lang, config, 1);
}

// A k-class task's corpus: train lengths 1..L_max, tests to L_test_max.
data::Corpus task_corpus(const std::string& name, const fsm::Task& task, std::size_t L_max, std::size_t L_test_max,
                         std::size_t n_train, std::size_t n_val, std::size_t per_length, std::uint64_t seed) {
  data::DataConfig config;
  config.L_min = 1;
  config.L_max = L_max;
  config.L_test_max = L_test_max;
  config.n_train = n_train;
  config.n_val = n_val;
  config.n_test_per_length = per_length;
  return data::generate_corpus(data::Language::of(name, task), config, seed);
}

model::ModelConfig small(const std::string& arch, const std::string& pos = "sinusoidal") {
  model::ModelConfig config;
  config.arch = arch;
  config.d_model = 32;
  config.n_heads = 4;
  config.n_layers = 2;
  config.pos = pos;
  return config;
}

train::TrainConfig quick(std::size_t steps) {
  train::TrainConfig config;
  config.steps = steps;
  config.batch_size = 32;
  config.warmup = 10;
  config.lr = 3e-3;
  config.eval_every = 20;
  config.checkpoint_every = 1000;
  return config;
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    train::configure_threads(1);
    dir_ = fs::temp_directory_path() /
           ("regal_learn_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST(Model, ParameterCountFormulaMatchesTheBuiltModel) {
  for (const std::string arch : {"transformer", "lstm", "gru", "rnn"}) {
    for (const std::string pos : {"sinusoidal", "learned", "none", "rope", "alibi"}) {
      for (const std::string pool : {"cls", "mean"}) {
        if (arch != "transformer" && (pos != "sinusoidal" || pool != "cls")) continue;
        model::ModelConfig config = small(arch, pos);
        config.pool = pool;
        config.d_ff = 48;
        const auto built = model::build_classifier(config, 3, 50);
        EXPECT_EQ(model::parameter_count(config, 3, 50), model::count_parameters(*built))
            << arch << " " << pos << " " << pool;
        const auto five = model::build_classifier(config, 3, 50, 5);  // one output per class
        EXPECT_EQ(model::parameter_count(config, 3, 50, 5), model::count_parameters(*five)) << arch << " 5 classes";
        config.pool = "end";  // an appended readout token: one more embedding row (and position)
        const auto end = model::build_classifier(config, 3, 50);
        EXPECT_EQ(model::parameter_count(config, 3, 50), model::count_parameters(*end)) << arch << " " << pos << " end";
        const auto next = model::build_classifier(config, 3, 50, 5, true, 20);  // a next-symbol head of (3 + 1) x 5
        EXPECT_EQ(model::parameter_count(config, 3, 50, 5, 20), model::count_parameters(*next)) << arch << " next";
      }
    }
  }
}

TEST(Model, CausalModelsNeverLetALaterSymbolChangeAnEarlierPosition) {
  torch::manual_seed(3);
  const torch::Tensor tokens = torch::randint(0, 3, {4, 12}, torch::kInt64);
  torch::Tensor changed = tokens.clone();
  changed.select(1, 7).fill_(3);  // a symbol no string had there
  auto differs_before = [&](model::ClassifierImpl& m, std::int64_t upto) {
    torch::NoGradGuard no_grad;
    m.eval();
    const torch::Tensor a = m.forward_positions(tokens), b = m.forward_positions(changed);
    EXPECT_EQ(a.sizes(), (std::vector<std::int64_t>{4, 12, 5}));
    return (a.narrow(1, 0, upto) - b.narrow(1, 0, upto)).abs().max().item<double>();
  };
  for (const std::string pos : {"sinusoidal", "learned", "none", "rope", "alibi"}) {
    for (const std::string pool : {"cls", "end"}) {
      model::ModelConfig config = small("transformer", pos);
      config.pool = pool;
      const auto causal = model::build_classifier(config, 4, 12, 5, /*causal=*/true);
      EXPECT_EQ(differs_before(*causal, 7), 0.0) << pos << " " << pool;
      EXPECT_GT(differs_before(*causal, 8), 0.0) << pos << " " << pool << ": position 7 reads its own symbol";
      const auto encoder = model::build_classifier(config, 4, 12, 5, /*causal=*/false);
      EXPECT_GT(differs_before(*encoder, 7), 0.0) << pos << " " << pool << ": an encoder sees the future";
    }
  }
  for (const std::string arch : {"lstm", "gru", "rnn"}) {
    const auto recurrent = model::build_classifier(small(arch), 4, 12, 5);
    EXPECT_EQ(differs_before(*recurrent, 7), 0.0) << arch;
  }
}

TEST(Model, PrefixLabelsAreTheAutomatonsClassOfEveryPrefix) {
  const fsm::Task task = fsm::modular_arithmetic(5, "pmx");
  const data::Corpus corpus = task_corpus("mod", task, 7, 9, 50, 10, 10, 2);
  const data::Split& split = *corpus.find("test_len_ood");
  for (const data::Batch& batch : data::evaluation_batches(split, 16)) {
    const torch::Tensor labels = eval::prefix_labels(split, batch, task.dfa, torch::kCPU);
    for (std::size_t row = 0; row < batch.indices.size(); ++row) {
      for (std::size_t t = 0; t < batch.length; ++t) {
        const auto expected = task.classify(split.string(batch.indices[row]), t + 1);
        const auto got = labels[static_cast<std::int64_t>(row)][static_cast<std::int64_t>(t)].item<std::int64_t>();
        EXPECT_EQ(got, expected ? *expected : eval::kIgnoredLabel);
      }
      EXPECT_EQ(labels[static_cast<std::int64_t>(row)][static_cast<std::int64_t>(batch.length) - 1].item<std::int64_t>(),
                split.labels[batch.indices[row]]);
    }
  }
}

// FLaRe's next-symbol targets against brute force: after every prefix, for
// every symbol, whether some continuation through it (any string of up to
// six more symbols) lands in each class; for the end, the prefix's own class.
TEST(Model, NextSymbolTargetsAreWhatSomeContinuationReaches) {
  const auto ab = fsm::Alphabet::parse("ab").take_or_throw();
  const std::vector<std::pair<fsm::Dfa, std::size_t>> automata = {
      {fsm::compile_regex("a+b", ab).take_or_throw(), 2},       // dead after a second b: nothing is accepted
      {fsm::compile_regex("~(.*aa.*)", ab).take_or_throw(), 2},
      {fsm::modular_arithmetic(3, "pm").dfa, 3}};              // outside the domain: no class at all
  for (const auto& [dfa, classes] : automata) {
    const auto k = static_cast<std::size_t>(dfa.num_symbols());
    auto class_of = [&](const std::vector<std::uint8_t>& x) { return dfa.label(dfa.run(x.data(), x.size())); };
    // Every continuation of up to 6 symbols, as symbol strings.
    std::vector<std::vector<std::uint8_t>> continuations{{}};
    for (std::size_t from = 0, length = 1; length <= 6; ++length) {
      const std::size_t to = continuations.size();
      for (std::size_t i = from; i < to; ++i) {
        for (std::uint8_t s = 0; s < k; ++s) {
          auto longer = continuations[i];
          longer.push_back(s);
          continuations.push_back(longer);
        }
      }
      from = to;
    }
    data::Split split("test");
    std::mt19937 random(5);
    for (int i = 0; i < 20; ++i) {
      std::vector<std::uint8_t> x(5);
      for (auto& symbol : x) symbol = static_cast<std::uint8_t>(random() % k);
      split.add(x.data(), x.size(), 0);
    }
    const eval::NextSymbols next(dfa, classes, true);
    ASSERT_EQ(next.outputs(), static_cast<std::int64_t>((k + 1) * classes));
    const data::Batch batch{5, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}};
    const torch::Tensor targets = eval::next_symbol_targets(split, batch, next, torch::kCPU);
    ASSERT_EQ(targets.sizes(), (std::vector<std::int64_t>{20, 5, next.outputs()}));
    for (std::int64_t row = 0; row < 20; ++row) {
      const std::uint8_t* x = split.string(static_cast<std::size_t>(row));
      for (std::int64_t t = 0; t < 5; ++t) {
        const std::vector<std::uint8_t> prefix(x, x + t + 1);
        for (std::size_t c = 0; c < classes; ++c) {
          for (std::uint8_t s = 0; s <= k; ++s) {
            bool expected = false;
            if (s == k) {
              expected = class_of(prefix) == c;
            } else {
              for (const auto& w : continuations) {
                std::vector<std::uint8_t> y = prefix;
                y.push_back(s);
                y.insert(y.end(), w.begin(), w.end());
                expected = expected || class_of(y) == c;
              }
            }
            EXPECT_EQ(targets[row][t][static_cast<std::int64_t>(s * classes + c)].item<float>(), expected ? 1.0f : 0.0f)
                << "row " << row << " position " << t << " symbol " << int(s) << " class " << c;
          }
        }
      }
    }
  }
}

TEST(Model, BudgetsLandWithinTenPercent) {
  for (const std::string arch : {"transformer", "lstm", "gru", "rnn"}) {
    for (const double budget : {2e4, 1e5, 5e5}) {
      model::ModelConfig config = small(arch);
      config.params = budget;
      const model::ModelConfig resolved = model::resolve_budget(config, 2, 100);
      const auto built = model::build_classifier(resolved, 2, 100);
      const double count = static_cast<double>(model::count_parameters(*built));
      EXPECT_NEAR(count, budget, 0.1 * budget) << arch << " at " << budget << ": d_model " << resolved.d_model;
      EXPECT_EQ(resolved.n_layers, config.n_layers);
      if (arch == "transformer") {
        EXPECT_EQ(resolved.d_model % resolved.n_heads, 0U);
      }
    }
  }
}

TEST(Model, EveryPositionalSchemeRunsForwardAndBackwardBeyondTrainedLengths) {
  for (const std::string pos : {"sinusoidal", "learned", "none", "rope", "alibi"}) {
    for (const std::string pool : {"cls", "mean"}) {
      model::ModelConfig config = small("transformer", pos);
      config.pool = pool;
      const auto model = build_on_test_device(config, 2, 40);
      for (const std::int64_t length : {3, 10, 40}) {
        const torch::Tensor tokens = torch::randint(0, 2, {5, length}, torch::kInt64).to(test_device());
        const torch::Tensor logits = model->forward(tokens);
        ASSERT_EQ(logits.sizes(), (std::vector<std::int64_t>{5, 2})) << pos;
        ASSERT_TRUE(torch::isfinite(logits).all().item<bool>()) << pos << " at length " << length;
        model->zero_grad();
        logits.sum().backward();
        double gradient = 0;
        for (const auto& p : model->parameters()) {
          if (p.grad().defined()) gradient += p.grad().abs().sum().item<double>();
        }
        EXPECT_GT(gradient, 0) << pos << " " << pool;
      }
    }
  }
}

TEST(Model, ClsAndEndShortcutsEqualTheFullLastBlock) {
  torch::manual_seed(3);
  for (const std::string pool : {"cls", "end"}) {
    for (const std::string pos : {"sinusoidal", "rope", "alibi", "learned"}) {
      model::ModelConfig config = small("transformer", pos);
      config.pool = pool;
      auto transformer = std::make_shared<model::TransformerClassifierImpl>(config, 2, 20);
      transformer->to(test_device());
      const torch::Tensor tokens = torch::randint(0, 2, {7, 12}, torch::kInt64).to(test_device());
      const torch::Tensor fast = transformer->forward(tokens);
      fast.sum().backward();
      std::vector<torch::Tensor> fast_grads;
      for (const auto& p : transformer->parameters()) fast_grads.push_back(p.grad().clone());
      transformer->zero_grad();
      transformer->set_full_last_block(true);
      const torch::Tensor full = transformer->forward(tokens);
      full.sum().backward();
      EXPECT_TRUE(torch::allclose(fast, full, 1e-5, 1e-6)) << pool << " " << pos;
      const auto params = transformer->parameters();
      for (std::size_t i = 0; i < params.size(); ++i) {
        EXPECT_TRUE(torch::allclose(fast_grads[i], params[i].grad(), 1e-4, 1e-6)) << pool << " " << pos << " parameter " << i;
      }
    }
  }
}

// Evaluation groups long strings' attention so its scores stay a few MiB
// (model/transformer.cc); every string's logits must be those of the whole
// batch at once, which is what a forward pass with gradients computes.
TEST(Model, GroupedAttentionInEvaluationEqualsTheWholeBatch) {
  torch::manual_seed(5);
  const torch::Tensor tokens = torch::randint(0, 3, {6, 300}, torch::kInt64).to(test_device());
  for (const std::string pos : {"sinusoidal", "rope", "alibi"}) {
    for (const bool causal : {false, true}) {
      model::ModelConfig config = small("transformer", pos);
      const auto model = model::build_classifier(config, 3, 300, 5, causal);
      model->to(test_device());
      model->eval();
      const torch::Tensor whole = model->forward_positions(tokens).detach();
      const torch::Tensor whole_pooled = model->forward(tokens).detach();
      torch::NoGradGuard no_grad;  // 4 heads x 301^2 floats = 1.4 MiB a string: groups of two
      EXPECT_TRUE(torch::allclose(model->forward_positions(tokens), whole, 0, 1e-6)) << pos << " causal " << causal;
      EXPECT_TRUE(torch::allclose(model->forward(tokens), whole_pooled, 0, 1e-6)) << pos << " causal " << causal;
    }
  }
}

// Recurrent models evaluate strings of several lengths in one padded pass:
// each row's logits must be those of the string alone, whatever the padding holds.
TEST(Model, PaddedRowsGiveEachStringItsOwnLogits) {
  torch::manual_seed(9);
  const std::vector<std::int64_t> lengths = {3, 5, 5, 9, 14};
  const torch::Tensor padded = torch::randint(0, 3, {5, 14}, torch::kInt64).to(test_device());
  const torch::Tensor length_tensor = torch::tensor(lengths, torch::kInt64).to(test_device());
  for (const std::string arch : {"lstm", "gru", "rnn"}) {
    for (const std::string pool : {"cls", "end"}) {
      model::ModelConfig config = small(arch);
      config.pool = pool;
      const auto model = model::build_classifier(config, 3, 14, 4);
      model->to(test_device());
      torch::NoGradGuard no_grad;
      ASSERT_TRUE(model->reads_padded()) << arch;
      const torch::Tensor together = model->forward_padded(padded, length_tensor);
      const torch::Tensor positions = model->forward_positions(padded);
      for (std::int64_t row = 0; row < 5; ++row) {
        const torch::Tensor alone = padded.narrow(0, row, 1).narrow(1, 0, lengths[static_cast<std::size_t>(row)]);
        EXPECT_TRUE(torch::allclose(together.narrow(0, row, 1), model->forward(alone), 0, 1e-6)) << arch << " " << pool << " row " << row;
        EXPECT_TRUE(torch::allclose(positions.narrow(0, row, 1).narrow(1, 0, alone.size(1)), model->forward_positions(alone), 0, 1e-6))
            << arch << " " << pool << " row " << row;
      }
    }
  }
}

// predict() runs passes of its own choosing (padded passes over many lengths
// for recurrent models, grouped attention for transformers); its
// predictions must be each string's own, in evaluation_batches' order, for
// every target: string, prefix, next symbols, string with next symbols.
TEST(Model, PredictionsAreEachStringsOwnWhateverThePasses) {
  const fsm::Task task = fsm::cycle_navigation(5);
  const data::Corpus corpus = task_corpus("cycle", task, 6, 260, 50, 10, 2, 4);
  const data::Split& split = *corpus.find("test_len_ood");
  for (const std::string arch : {"lstm", "transformer"}) {
    for (const std::string target : {"string", "prefix", "next_symbols", "string+next"}) {
      const bool prefix = target == "prefix", next = target == "next_symbols" || target == "string+next";
      const eval::NextSymbols next_symbols(task.dfa, 5, /*is_target=*/target == "next_symbols");
      model::ModelConfig model_config = small(arch);
      model_config.pool = "end";
      train::seed_model_init(2);
      const auto model = model::build_classifier(model_config, 3, 260, 5, /*causal=*/target != "string",
                                                 next ? static_cast<std::size_t>(next_symbols.outputs()) : 0);
      model->to(test_device());
      eval::PositionScores scores;
      const std::vector<eval::Prediction> got = eval::predict(
          *model, split, test_device(), 64, false, {prefix ? &task.dfa : nullptr, next ? &next_symbols : nullptr}, &scores);
      ASSERT_EQ(got.size(), split.size());
      torch::NoGradGuard no_grad;
      std::size_t at = 0;
      std::int64_t hits = 0, labelled = 0, next_hits = 0, positions = 0;
      for (const data::Batch& batch : data::evaluation_batches(split, 64)) {
        for (const std::uint32_t index : batch.indices) {
          data::Batch one{batch.length, {index}};
          const auto [tokens, labels] = eval::batch_tensors(split, one, test_device());
          torch::Tensor logits, next_logits;
          if (prefix) {
            const torch::Tensor per_position = model->forward_positions(tokens);
            const torch::Tensor targets = eval::prefix_labels(split, one, task.dfa, test_device());
            hits += per_position.argmax(2).eq(targets).sum().item<std::int64_t>();
            labelled += targets.numel();
            logits = per_position.select(1, -1);
          } else if (target == "next_symbols") {
            next_logits = model->forward_next(tokens);
            logits = next_symbols.end_logits(next_logits.select(1, -1));
          } else {
            logits = model->forward(tokens);
            if (next) {
              next_logits = model->forward_next(tokens);
              const auto [one_pass, one_pass_next] = model->forward_string_and_next(tokens);
              EXPECT_TRUE(torch::allclose(one_pass, logits, 0, 1e-6)) << arch << " string " << index;
              EXPECT_TRUE(torch::allclose(one_pass_next, next_logits, 0, 1e-6)) << arch << " string " << index;
            }
          }
          if (next_logits.defined()) {
            const torch::Tensor targets = eval::next_symbol_targets(split, one, next_symbols, test_device());
            next_hits += next_logits.gt(0).eq(targets.gt(0.5)).all(-1).sum().item<std::int64_t>();
            positions += static_cast<std::int64_t>(batch.length);
          }
          const torch::Tensor log_probs = torch::log_softmax(logits, 1).to(torch::kCPU);
          const eval::Prediction& p = got[at++];
          ASSERT_EQ(p.length, batch.length);
          EXPECT_EQ(p.label, split.labels[index]);
          EXPECT_EQ(p.predicted, log_probs.argmax(1).item<std::int64_t>()) << arch << " " << target << " string " << index;
          EXPECT_NEAR(p.loss, -log_probs[0][split.labels[index]].item<float>(), 1e-6) << arch << " " << target << " string " << index;
          EXPECT_NEAR(p.confidence, log_probs.max().exp().item<float>(), 1e-6) << arch << " " << target << " string " << index;
        }
      }
      EXPECT_EQ(scores.prefix.has_value(), prefix);
      if (prefix) {
        ASSERT_TRUE(scores.prefix.has_value());  // every prefix of a walk is in the domain
        EXPECT_DOUBLE_EQ(*scores.prefix, static_cast<double>(hits) / static_cast<double>(labelled)) << arch;
      }
      EXPECT_EQ(scores.next.has_value(), next);
      if (next) {
        EXPECT_DOUBLE_EQ(*scores.next, static_cast<double>(next_hits) / static_cast<double>(positions)) << arch << " " << target;
      }
    }
  }
}

TEST_F(TempDir, TransformerAndLstmDriveTrainingLossDownOnAPlus) {
  const data::Corpus corpus = tiny_corpus("a+");
  for (const std::string arch : {"transformer", "lstm"}) {
    train::seed_model_init(1);
    const auto model = build_on_test_device(small(arch), 2, 16);
    const auto result = train::train(*model, corpus, quick(200), on_test_device(1));
    ASSERT_GE(result.history.size(), 2U);
    EXPECT_LT(result.history.back().train_loss, 0.5 * result.history.front().train_loss) << arch;
    EXPECT_GT(result.history.back().val_acc, 0.95) << arch;
    const auto summary = eval::evaluate(*model, corpus, test_device(), 256, 0.95);
    EXPECT_GT(summary.splits.at("test_id").accuracy, 0.95) << arch;
  }
}

TEST_F(TempDir, AnLstmLearnsCycleNavigationAsAFiveClassTask) {
  const fsm::Task task = fsm::cycle_navigation(5);
  const data::Corpus corpus = task_corpus("cycle", task, 8, 12, 3000, 200, 20, 1);
  train::seed_model_init(1);
  const auto model = model::build_classifier(small("lstm"), 3, 12, 5);
  model->to(test_device());
  train::TrainConfig train_config = quick(600);
  train_config.lr = 0.01;
  train::train(*model, corpus, train_config, on_test_device(1));
  const auto summary = eval::evaluate(*model, corpus, test_device(), 256, 0.95);
  const auto& id = summary.splits.at("test_id");
  EXPECT_EQ(id.num_classes, 5U);
  EXPECT_GT(id.accuracy, 0.9);
  EXPECT_GT(id.macro_f1, 0.9);
  std::size_t total = 0;
  for (const auto& row : id.confusion) for (const std::size_t n : row) total += n;
  EXPECT_EQ(total, id.n);
  EXPECT_LT(id.chance, 0.5);  // short lengths reach only some positions, and their few strings went to train
}

// Next-symbol outputs trained alone (train.target = next_symbols: the class
// read from the end entries) and as an auxiliary loss beside the string
// target: both learn no_aa, and the next-symbol bits are learned too.
TEST_F(TempDir, NextSymbolTargetsTrainAloneAndBesideTheStringTarget) {
  const data::Corpus corpus = tiny_corpus("~(.*aa.*)");
  const auto ab = fsm::Alphabet::parse("ab").take_or_throw();
  const fsm::Dfa dfa = fsm::compile_regex("~(.*aa.*)", ab).take_or_throw();
  for (const double aux_weight : {0.0, 1.0}) {
    const auto next = std::make_shared<const eval::NextSymbols>(dfa, 2, /*is_target=*/aux_weight == 0);
    train::seed_model_init(1);
    const auto model = model::build_classifier(small("lstm"), 2, 16, 2, true, static_cast<std::size_t>(next->outputs()));
    model->to(test_device());
    train::TrainOptions options = on_test_device(1);
    options.next = next;
    options.aux_weight = aux_weight;
    const auto result = train::train(*model, corpus, quick(300), options);
    EXPECT_GT(result.history.back().val_acc, 0.95) << aux_weight;
    const auto summary = eval::evaluate(*model, corpus, test_device(), 256, 0.95, {nullptr, next.get()});
    EXPECT_GT(summary.splits.at("test_id").accuracy, 0.95) << aux_weight;
    ASSERT_TRUE(summary.splits.at("test_id").next_accuracy.has_value());
    EXPECT_GT(*summary.splits.at("test_id").next_accuracy, 0.95) << aux_weight;
    EXPECT_TRUE(summary.flat_json().contains("acc_next_test_len_ood"));
  }
}

TEST_F(TempDir, ResumingACheckpointEqualsNeverStopping) {
  const data::Corpus corpus = tiny_corpus("(b*ab*a)*b*", 1000);
  model::ModelConfig config = small("transformer");
  config.dropout = 0.1;  // the dropout generator must be restored too
  train::TrainConfig train_config = quick(70);
  train_config.deterministic = true;  // on a GPU, bit-exactness needs deterministic kernels
  auto run = [&](const fs::path& dir, std::optional<std::size_t> stop_at) {
    train::seed_model_init(5);
    const auto model = build_on_test_device(config, 2, 16);
    train::TrainOptions options = on_test_device(5);
    options.checkpoint_dir = dir / "checkpoints";
    options.history_path = dir / "history.jsonl";
    if (stop_at) options.on_step = [&](std::size_t step) { return step < *stop_at; };
    auto result = train::train(*model, corpus, train_config, options);
    return std::make_pair(model, result);
  };
  const auto [reference, uninterrupted] = run(dir_ / "a", std::nullopt);
  const auto [first_model, first] = run(dir_ / "b", 33);
  EXPECT_TRUE(first.interrupted);
  EXPECT_EQ(first.steps, 33U);
  EXPECT_TRUE(fs::exists(dir_ / "b" / "checkpoints" / "last.pt"));
  const auto [resumed_model, resumed] = run(dir_ / "b", std::nullopt);
  EXPECT_TRUE(resumed.resumed);
  EXPECT_EQ(resumed.resumed_from, 33U);
  EXPECT_EQ(resumed.steps, 70U);
  const auto a = reference->parameters(), b = resumed_model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  ASSERT_EQ(uninterrupted.history.size(), resumed.history.size());
  for (std::size_t i = 0; i < resumed.history.size(); ++i) {
    EXPECT_EQ(uninterrupted.history[i].train_loss, resumed.history[i].train_loss) << i;
    EXPECT_EQ(uninterrupted.history[i].val_acc, resumed.history[i].val_acc) << i;
  }
  const auto ma = eval::evaluate(*reference, corpus, test_device(), 256, 0.95).flat_json();
  const auto mb = eval::evaluate(*resumed_model, corpus, test_device(), 256, 0.95).flat_json();
  EXPECT_EQ(ma.dump(), mb.dump());
  // history.jsonl holds one line per evaluation.
  std::ifstream history(dir_ / "b" / "history.jsonl");
  std::size_t lines = 0;
  for (std::string line; std::getline(history, line);) {
    const auto row = nlohmann::json::parse(line);
    EXPECT_TRUE(row.contains("val_acc") && row.contains("strings_per_second") && row.contains("elapsed_seconds"));
    ++lines;
  }
  EXPECT_EQ(lines, resumed.history.size());
}

TEST_F(TempDir, DeterministicTrainingRepeatsBitForBit) {
  const data::Corpus corpus = tiny_corpus("(b*ab*a)*b*", 1000);
  model::ModelConfig config = small("transformer", "rope");
  config.dropout = 0.1;
  train::TrainConfig train_config = quick(40);
  train_config.deterministic = true;
  auto run = [&] {
    train::seed_model_init(9);
    const auto model = build_on_test_device(config, 2, 16);
    train::train(*model, corpus, train_config, on_test_device(9));
    return model;
  };
  const auto a = run()->parameters(), b = run()->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
}

TEST_F(TempDir, TrainingOnTheGpuFollowsTheCpu) {
  if (!test_device().is_cuda()) GTEST_SKIP() << "REGAL_TEST_DEVICE is not a CUDA device";
  const data::Corpus corpus = tiny_corpus("(b*ab*a)*b*", 1000);
  for (const std::string arch : {"transformer", "lstm"}) {
    auto run = [&](const torch::Device& device) {
      train::seed_model_init(4);  // initialised on the CPU, then moved: the same weights on both
      auto model = model::build_classifier(small(arch), 2, 16);
      model->to(device);
      train::TrainOptions options = on_test_device(4);
      options.device = device;
      return train::train(*model, corpus, quick(20), options);
    };
    const auto cpu = run(torch::kCPU), gpu = run(test_device());
    ASSERT_EQ(cpu.history.size(), gpu.history.size());
    // The same arithmetic in another order: float32 rounding apart, the same path.
    for (std::size_t i = 0; i < cpu.history.size(); ++i) {
      EXPECT_NEAR(cpu.history[i].train_loss, gpu.history[i].train_loss, 1e-3) << arch << " row " << i;
      EXPECT_NEAR(cpu.history[i].val_loss, gpu.history[i].val_loss, 1e-3) << arch << " row " << i;
    }
  }
}

TEST_F(TempDir, BestCheckpointHoldsTheBestValidationModel) {
  const data::Corpus corpus = tiny_corpus("a+");
  train::seed_model_init(2);
  const auto model = build_on_test_device(small("lstm"), 2, 16);
  train::TrainOptions options = on_test_device(2);
  options.checkpoint_dir = dir_;
  const auto result = train::train(*model, corpus, quick(60), options);
  const auto reloaded = build_on_test_device(small("lstm"), 2, 16);
  train::load_weights(*reloaded, dir_ / "best.pt", test_device());
  const auto metrics = eval::split_metrics("val", eval::predict(*reloaded, *corpus.find("val"), test_device(), 128));
  EXPECT_DOUBLE_EQ(metrics.accuracy, result.best_val_acc);
}

TEST_F(TempDir, PatienceStopsEarly) {
  const data::Corpus corpus = tiny_corpus("a+");
  train::seed_model_init(2);
  const auto model = build_on_test_device(small("lstm"), 2, 16);
  train::TrainConfig config = quick(2000);
  config.patience = 2;
  const auto result = train::train(*model, corpus, config, on_test_device(2));
  EXPECT_TRUE(result.stopped_early);
  EXPECT_LT(result.steps, 2000U);
}
