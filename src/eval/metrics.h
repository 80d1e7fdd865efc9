#pragma once
// Metric math over per-string predictions. No torch: the torch edge
// (eval/evaluate.h) produces Predictions, everything else is here.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::eval {

struct Prediction {
  std::uint32_t length;  // string length
  std::uint8_t label;    // the true class (a recogniser's 1 = accepted)
  float p_accept;        // a recogniser's P(accepted); unused for a k-class task
  float loss;            // cross-entropy of this string
  std::int16_t predicted = -1;  // a k-class task's argmax class; -1: a recogniser's, p_accept > 0.5
  float confidence = -1;        // the predicted class's probability; -1: max(p_accept, 1 - p_accept)
};

// The predicted class and its probability, for either kind of prediction.
inline std::uint8_t predicted_class(const Prediction& p) {
  return p.predicted >= 0 ? static_cast<std::uint8_t>(p.predicted) : (p.p_accept > 0.5f ? 1 : 0);
}
inline float confidence_of(const Prediction& p) {
  return p.confidence >= 0 ? p.confidence : std::max(p.p_accept, 1.0f - p.p_accept);
}

struct LengthMetrics {
  std::size_t length = 0;  // string length
  std::size_t n = 0;       // strings of this length
  std::size_t accepted = 0;  // of them, accepted strings (label 1)
  std::size_t majority = 0;  // of them, strings of the most frequent class
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
  std::size_t num_classes = 2;           // classes of the task
  std::vector<std::vector<std::size_t>> confusion;  // [true class][predicted class], all strings
  std::vector<std::optional<double>> class_accuracy;  // per true class: share predicted right (none: absent)
  double macro_f1 = 0;                   // mean F1 over the classes that occur as truth or prediction
  std::optional<double> position_accuracy;  // per-prefix targets: the share of labelled positions predicted right
  std::optional<double> next_accuracy;      // next-symbol outputs: the share of positions with every bit right
};

// A recogniser's string is classified accepted when p_accept > 0.5; a task's
// by its predicted class. `num_classes` sizes the confusion matrix.
SplitMetrics split_metrics(const std::string& split, const std::vector<Prediction>& predictions,
                           std::size_t num_classes = 2);

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
  std::vector<std::string> classes;            // a task's class names (per-class keys); empty for a recogniser

  // Flat JSON: acc_<split>, acc_pooled_<split>, loss_<split>, worst_len_<split>,
  // worst_acc_<split>, auroc_<split>, ece_<split>, macro_f1_<split>, ood_gap_*,
  // horizon, tau; acc_pos_<split> with per-prefix targets; acc_next_<split>
  // with next-symbol outputs; a task's also
  // class_acc_<split>_<class> and
  // confusion_<split> ([true][predicted] counts).
  nlohmann::json flat_json() const;
};

// Cross-split metrics. The horizon starts at the shortest tested length: it
// is that length minus one when even the shortest misses tau.
Summary summarize(std::vector<SplitMetrics> splits, double tau);

}  // namespace regal::eval
