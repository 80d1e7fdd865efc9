#pragma once
// Metric math over per-string predictions. No torch: the torch edge
// (eval/evaluate.h) produces Predictions, everything else is here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::eval {

struct Prediction {
  std::uint32_t length;  // string length
  std::uint8_t label;    // 1 = accepted
  float p_accept;        // the model's P(accepted)
  float loss;            // cross-entropy of this string
};

struct LengthMetrics {
  std::size_t length = 0;  // string length
  std::size_t n = 0;       // strings of this length
  std::size_t accepted = 0;  // of them, accepted strings
  double accuracy = 0;     // fraction classified correctly
  double loss = 0;         // mean cross-entropy
};

struct SplitMetrics {
  std::string split;                     // split name
  std::size_t n = 0;                     // strings
  std::vector<LengthMetrics> per_length; // ascending length
  double accuracy = 0;                   // mean over lengths of the per-length accuracy (the literature's score)
  double accuracy_pooled = 0;            // over all strings
  double loss = 0;                       // mean over all strings
  std::size_t worst_length = 0;          // length with the lowest accuracy (shortest on ties)
  double worst_accuracy = 0;             // its accuracy
  std::optional<double> auroc;           // of P(accepted) against labels; none when one class is absent
  double ece = 0;                        // expected calibration error, 10 equal-width confidence bins
  double chance = 0;                     // always answering each length's majority class, scored like `accuracy`
};

// A string is classified accepted when p_accept > 0.5.
SplitMetrics split_metrics(const std::string& split, const std::vector<Prediction>& predictions);

// Area under the ROC curve (ties count half); nullopt when a class is empty.
std::optional<double> auroc(const std::vector<Prediction>& predictions);

// Expected calibration error of the predicted class's confidence, `bins` equal-width bins on [0, 1].
double expected_calibration_error(const std::vector<Prediction>& predictions, int bins = 10);

struct Summary {
  std::map<std::string, SplitMetrics> splits;  // by split name
  double tau = 0.95;                           // threshold of the horizon
  std::optional<double> ood_gap_len;           // acc(test_id) - acc(test_len_ood)
  std::optional<double> ood_gap_edge;          // acc(test_id) - acc(test_edge_ood)
  std::optional<double> ood_gap_border;        // acc(test_id) - acc(test_border)
  std::optional<std::size_t> horizon;          // largest L with accuracy >= tau at every length <= L of test_id ∪ test_len_ood

  // Flat JSON: acc_<split>, acc_pooled_<split>, loss_<split>, worst_len_<split>,
  // worst_acc_<split>, auroc_<split>, ece_<split>, ood_gap_*, horizon, tau.
  nlohmann::json flat_json() const;
};

// Cross-split metrics. The horizon starts at the shortest tested length: it
// is that length minus one when even the shortest misses tau.
Summary summarize(std::vector<SplitMetrics> splits, double tau);

}  // namespace regal::eval
