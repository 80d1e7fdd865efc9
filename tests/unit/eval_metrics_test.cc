#include <gtest/gtest.h>

#include "eval/metrics.h"
#include "train/config.h"

using namespace regal::eval;

namespace {
Prediction p(std::uint32_t length, int label, float p_accept) {
  return {length, static_cast<std::uint8_t>(label), p_accept, 0.1f};
}
}  // namespace

TEST(Auroc, MatchesHandComputedValues) {
  EXPECT_DOUBLE_EQ(*auroc({p(1, 1, 0.9f), p(1, 0, 0.1f)}), 1.0);
  EXPECT_DOUBLE_EQ(*auroc({p(1, 1, 0.1f), p(1, 0, 0.9f)}), 0.0);
  EXPECT_DOUBLE_EQ(*auroc({p(1, 1, 0.5f), p(1, 0, 0.5f)}), 0.5);  // a tie counts half
  // Positives 0.8, 0.4; negatives 0.6, 0.2: pairs won 3 of 4.
  EXPECT_DOUBLE_EQ(*auroc({p(1, 1, 0.8f), p(1, 1, 0.4f), p(1, 0, 0.6f), p(1, 0, 0.2f)}), 0.75);
  EXPECT_FALSE(auroc({p(1, 1, 0.8f), p(1, 1, 0.4f)}).has_value());
}

TEST(Calibration, EceIsZeroWhenConfidenceMatchesAccuracyAndLargeWhenNot) {
  // Confidence 0.75 everywhere, 3 of 4 correct: perfectly calibrated.
  EXPECT_NEAR(expected_calibration_error({p(1, 1, 0.75f), p(1, 1, 0.75f), p(1, 1, 0.75f), p(1, 0, 0.75f)}), 0.0, 1e-6);
  // Confident and always wrong.
  EXPECT_NEAR(expected_calibration_error({p(1, 0, 0.99f), p(1, 1, 0.01f)}), 0.99, 1e-6);
}

TEST(SplitMetrics, AveragesOverLengthsAndFindsTheWorst) {
  // Length 1: 2/2 correct; length 2: 1/4 correct.
  const auto m = split_metrics("test", {p(1, 1, 0.9f), p(1, 0, 0.2f), p(2, 1, 0.9f), p(2, 1, 0.1f), p(2, 0, 0.7f),
                                        p(2, 0, 0.6f)});
  EXPECT_DOUBLE_EQ(m.accuracy, (1.0 + 0.25) / 2);
  EXPECT_DOUBLE_EQ(m.accuracy_pooled, 3.0 / 6);
  EXPECT_EQ(m.worst_length, 2U);
  EXPECT_DOUBLE_EQ(m.worst_accuracy, 0.25);
  ASSERT_EQ(m.per_length.size(), 2U);
  EXPECT_EQ(m.per_length[1].n, 4U);
}

TEST(SplitMetrics, ChanceIsTheMajorityShareAveragedOverLengths) {
  // Length 1: 3 accepted of 4 (majority 0.75); length 2: 1 of 2 (0.5); length 3: none of 1 (1.0).
  const auto m = split_metrics("test", {p(1, 1, 0.9f), p(1, 1, 0.9f), p(1, 1, 0.9f), p(1, 0, 0.9f), p(2, 1, 0.9f),
                                        p(2, 0, 0.9f), p(3, 0, 0.9f)});
  EXPECT_DOUBLE_EQ(m.chance, (0.75 + 0.5 + 1.0) / 3);
  // A model that always answers "accepted" scores chance on lengths 1 and 2, nothing on 3.
  EXPECT_DOUBLE_EQ(m.accuracy, (0.75 + 0.5 + 0.0) / 3);
}

TEST(SplitMetrics, AKClassSplitHasAConfusionMatrixPerClassAccuracyAndMacroF1) {
  // truth 0 0 0 1 1 2 2 2 2 0, predicted 0 1 0 1 2 2 2 0 2 0 (length 3 for
  // the first five strings, 4 for the rest). Reference: precision and recall
  // per class counted by hand in Python (0: 3/4, 3/4; 1: 1/2, 1/2; 2: 3/4,
  // 3/4), F1 = 2PR/(P+R), macro-F1 = mean = 0.6666666666666666.
  const std::vector<int> truth{0, 0, 0, 1, 1, 2, 2, 2, 2, 0}, guess{0, 1, 0, 1, 2, 2, 2, 0, 2, 0};
  std::vector<Prediction> predictions;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    predictions.push_back({i < 5 ? 3U : 4U, static_cast<std::uint8_t>(truth[i]), 0.0f, 1.0f,
                           static_cast<std::int16_t>(guess[i]), 0.9f});
  }
  const SplitMetrics m = split_metrics("test_id", predictions, 3);
  EXPECT_EQ(m.confusion, (std::vector<std::vector<std::size_t>>{{3, 1, 0}, {0, 1, 1}, {1, 0, 3}}));
  ASSERT_EQ(m.class_accuracy.size(), 3u);
  EXPECT_DOUBLE_EQ(*m.class_accuracy[0], 0.75);
  EXPECT_DOUBLE_EQ(*m.class_accuracy[1], 0.5);
  EXPECT_DOUBLE_EQ(*m.class_accuracy[2], 0.75);
  EXPECT_DOUBLE_EQ(m.macro_f1, 0.6666666666666666);
  EXPECT_FALSE(m.auroc.has_value());  // no AUROC beyond two classes
  // Length 3: truth {0,0,0,1,1}, majority 3/5; length 4: {2,2,2,2,0}, 4/5.
  EXPECT_DOUBLE_EQ(m.chance, (0.6 + 0.8) / 2);
  EXPECT_DOUBLE_EQ(m.accuracy, (3.0 / 5 + 4.0 / 5) / 2);
  // Per-class keys and the matrix reach the flat metrics of a task.
  Summary summary = summarize({m}, 0.95);
  summary.classes = {"a", "b", "c"};
  const auto flat = summary.flat_json();
  EXPECT_DOUBLE_EQ(flat["class_acc_test_id_b"].get<double>(), 0.5);
  EXPECT_EQ(flat["confusion_test_id"][2][0], 1);
  EXPECT_DOUBLE_EQ(flat["macro_f1_test_id"].get<double>(), 0.6666666666666666);
}

TEST(Summary, GapsAndHorizon) {
  auto split = [](const std::string& name, std::vector<std::pair<std::uint32_t, double>> accuracy) {
    std::vector<Prediction> predictions;
    for (const auto& [length, acc] : accuracy) {
      const int correct = static_cast<int>(acc * 10 + 0.5);
      for (int i = 0; i < 10; ++i) predictions.push_back(p(length, 1, i < correct ? 0.9f : 0.1f));
    }
    return split_metrics(name, predictions);
  };
  const Summary summary = summarize({split("test_id", {{1, 1.0}, {2, 1.0}, {3, 1.0}}),
                                     split("test_len_ood", {{4, 1.0}, {5, 0.9}, {6, 1.0}}),
                                     split("test_border", {{1, 0.5}, {6, 0.7}})},
                                    0.95);
  EXPECT_DOUBLE_EQ(*summary.ood_gap_len, 1.0 - (1.0 + 0.9 + 1.0) / 3);
  EXPECT_DOUBLE_EQ(*summary.ood_gap_border, 1.0 - 0.6);
  EXPECT_FALSE(summary.ood_gap_edge.has_value());
  EXPECT_EQ(*summary.horizon, 4U);  // length 5 misses 0.95
  const auto flat = summary.flat_json();
  EXPECT_EQ(flat["horizon"], 4);
  EXPECT_TRUE(flat["ood_gap_edge"].is_null());
  EXPECT_EQ(flat["worst_len_test_len_ood"], 5);
  // Failing at the shortest length gives a horizon of one less than it.
  EXPECT_EQ(*summarize({split("test_id", {{1, 0.5}, {2, 1.0}})}, 0.95).horizon, 0U);
}

TEST(Summary, AnEmptySplitHasNoScoreRatherThanZero) {
  // All short strings went to training: test_id is empty; its accuracy is unknown, not 0.
  const Summary summary = summarize({split_metrics("test_id", {}), split_metrics("test_len_ood", {p(5, 1, 0.9f)})}, 0.95);
  const auto flat = summary.flat_json();
  EXPECT_TRUE(flat["acc_test_id"].is_null());
  EXPECT_TRUE(flat["chance_test_id"].is_null());
  EXPECT_EQ(flat["n_test_id"], 0);
  EXPECT_EQ(flat["acc_test_len_ood"], 1.0);
  EXPECT_TRUE(flat["ood_gap_len"].is_null());
}

TEST(Schedule, WarmupThenCosineToLrMin) {
  regal::train::TrainConfig config;
  config.lr = 1e-3;
  config.lr_min = 1e-5;
  config.warmup = 10;
  config.steps = 110;
  EXPECT_DOUBLE_EQ(regal::train::learning_rate(config, 0), 1e-4);
  EXPECT_DOUBLE_EQ(regal::train::learning_rate(config, 9), 1e-3);
  EXPECT_DOUBLE_EQ(regal::train::learning_rate(config, 10), 1e-3);
  EXPECT_NEAR(regal::train::learning_rate(config, 60), (1e-3 + 1e-5) / 2, 1e-12);
  EXPECT_NEAR(regal::train::learning_rate(config, 110), 1e-5, 1e-12);
}
