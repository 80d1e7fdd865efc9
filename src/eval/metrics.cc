// Metric math over per-string predictions (no torch): accuracy per length and
// its mean over lengths, pooled accuracy, worst length, AUROC as Mann-Whitney
// U with ties counted half (null when a split has one class; recognisers
// only), expected calibration error over 10 confidence bins, the confusion
// matrix, per-class accuracy and macro-F1, OOD gaps, and the horizon H_tau.
#include "eval/metrics.h"

#include <algorithm>
#include <cmath>

namespace regal::eval {
namespace {

bool correct(const Prediction& p) { return predicted_class(p) == p.label; }

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<double> auroc(const std::vector<Prediction>& predictions) {
  std::vector<std::pair<float, std::uint8_t>> scored;
  scored.reserve(predictions.size());
  std::size_t positives = 0;
  for (const auto& p : predictions) {
    scored.emplace_back(p.p_accept, p.label);
    positives += p.label;
  }
  const std::size_t negatives = scored.size() - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  std::sort(scored.begin(), scored.end());
  // Mann-Whitney U with average ranks over ties.
  double rank_sum = 0;
  for (std::size_t i = 0; i < scored.size();) {
    std::size_t j = i;
    while (j < scored.size() && scored[j].first == scored[i].first) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t t = i; t < j; ++t) rank_sum += scored[t].second ? average_rank : 0.0;
    i = j;
  }
  const double p = static_cast<double>(positives), n = static_cast<double>(negatives);
  return (rank_sum - p * (p + 1) / 2.0) / (p * n);
}

double expected_calibration_error(const std::vector<Prediction>& predictions, int bins) {
  if (predictions.empty()) return 0;
  std::vector<double> confidence(static_cast<std::size_t>(bins), 0), hits(static_cast<std::size_t>(bins), 0),
      counts(static_cast<std::size_t>(bins), 0);
  for (const auto& p : predictions) {
    const double c = confidence_of(p);
    const auto bin = static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(c * bins)));
    confidence[bin] += c;
    hits[bin] += correct(p) ? 1 : 0;
    counts[bin] += 1;
  }
  double ece = 0;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    if (counts[b] > 0) ece += std::abs(hits[b] - confidence[b]) / static_cast<double>(predictions.size());
  }
  return ece;
}

SplitMetrics split_metrics(const std::string& split, const std::vector<Prediction>& predictions,
                           std::size_t num_classes) {
  SplitMetrics metrics;
  metrics.split = split;
  metrics.n = predictions.size();
  metrics.num_classes = num_classes;
  metrics.confusion.assign(num_classes, std::vector<std::size_t>(num_classes, 0));
  std::map<std::size_t, std::vector<std::size_t>> classes_by_length;  // per length: strings per true class
  for (const auto& p : predictions) {
    auto& counts = classes_by_length[p.length];
    counts.resize(num_classes, 0);
    if (p.label < num_classes) ++counts[p.label];
    const std::uint8_t guess = predicted_class(p);
    if (p.label < num_classes && guess < num_classes) ++metrics.confusion[p.label][guess];
  }
  // Per class: recall (the share of its strings predicted right); macro-F1
  // over the classes that occur as truth or as prediction.
  double f1_sum = 0;
  std::size_t f1_classes = 0;
  for (std::size_t c = 0; c < num_classes; ++c) {
    std::size_t truth = 0, guessed = 0;
    for (std::size_t o = 0; o < num_classes; ++o) {
      truth += metrics.confusion[c][o];
      guessed += metrics.confusion[o][c];
    }
    const double hits = static_cast<double>(metrics.confusion[c][c]);
    metrics.class_accuracy.push_back(truth == 0 ? std::nullopt : std::optional<double>(hits / static_cast<double>(truth)));
    if (truth + guessed == 0) continue;
    f1_sum += 2 * hits / static_cast<double>(truth + guessed);
    ++f1_classes;
  }
  metrics.macro_f1 = f1_classes == 0 ? 0 : f1_sum / static_cast<double>(f1_classes);
  std::map<std::size_t, LengthMetrics> by_length;
  double correct_total = 0, loss_total = 0;
  for (const auto& p : predictions) {
    LengthMetrics& m = by_length[p.length];
    m.length = p.length;
    ++m.n;
    m.accepted += p.label == 1 ? 1U : 0U;
    m.accuracy += correct(p) ? 1 : 0;
    m.loss += p.loss;
    correct_total += correct(p) ? 1 : 0;
    loss_total += p.loss;
  }
  metrics.worst_accuracy = 2;
  for (auto& [length, m] : by_length) {
    m.accuracy /= static_cast<double>(m.n);
    m.loss /= static_cast<double>(m.n);
    metrics.accuracy += m.accuracy;
    const auto& counts = classes_by_length[length];
    m.majority = *std::max_element(counts.begin(), counts.end());
    metrics.chance += static_cast<double>(m.majority) / static_cast<double>(m.n);
    if (m.accuracy < metrics.worst_accuracy) {
      metrics.worst_accuracy = m.accuracy;
      metrics.worst_length = length;
    }
    metrics.per_length.push_back(m);
  }
  if (by_length.empty()) {
    metrics.worst_accuracy = 0;
    return metrics;
  }
  metrics.accuracy /= static_cast<double>(by_length.size());
  metrics.chance /= static_cast<double>(by_length.size());
  metrics.accuracy_pooled = correct_total / static_cast<double>(predictions.size());
  metrics.loss = loss_total / static_cast<double>(predictions.size());
  if (num_classes == 2) metrics.auroc = auroc(predictions);
  metrics.ece = expected_calibration_error(predictions);
  return metrics;
}

Summary summarize(std::vector<SplitMetrics> splits, double tau) {
  Summary summary;
  summary.tau = tau;
  for (auto& split : splits) {
    const std::string name = split.split;
    summary.splits.emplace(name, std::move(split));
  }
  auto accuracy = [&](const std::string& name) -> std::optional<double> {
    const auto found = summary.splits.find(name);
    if (found == summary.splits.end() || found->second.n == 0) return std::nullopt;
    return found->second.accuracy;
  };
  auto gap = [&](const std::string& other) -> std::optional<double> {
    const auto id = accuracy("test_id"), ood = accuracy(other);
    if (!id || !ood) return std::nullopt;
    return *id - *ood;
  };
  summary.ood_gap_len = gap("test_len_ood");
  summary.ood_gap_edge = gap("test_edge_ood");
  summary.ood_gap_border = gap("test_border");

  std::map<std::size_t, double> curve;  // test_id ∪ test_len_ood, per length
  for (const char* name : {"test_id", "test_len_ood"}) {
    const auto found = summary.splits.find(name);
    if (found == summary.splits.end()) continue;
    for (const auto& m : found->second.per_length) curve[m.length] = m.accuracy;
  }
  if (!curve.empty()) {
    std::size_t horizon = curve.begin()->first - 1;
    for (const auto& [length, acc] : curve) {
      if (acc < tau) break;
      horizon = length;
    }
    summary.horizon = horizon;
  }
  return summary;
}

nlohmann::json Summary::flat_json() const {
  nlohmann::json flat = nlohmann::json::object();
  for (const auto& [name, m] : splits) {
    if (m.n == 0) {
      // No strings of this split (all short strings went to training, say): no score, not a zero.
      for (const char* key :
           {"acc_", "acc_pooled_", "loss_", "worst_len_", "worst_acc_", "auroc_", "ece_", "chance_", "macro_f1_"}) {
        flat[key + name] = nullptr;
      }
      flat["n_" + name] = 0;
      continue;
    }
    flat["acc_" + name] = m.accuracy;
    flat["acc_pooled_" + name] = m.accuracy_pooled;
    flat["loss_" + name] = m.loss;
    flat["worst_len_" + name] = m.worst_length;
    flat["worst_acc_" + name] = m.worst_accuracy;
    flat["auroc_" + name] = optional_json(m.auroc);
    flat["ece_" + name] = m.ece;
    flat["n_" + name] = m.n;
    flat["chance_" + name] = m.chance;
    flat["macro_f1_" + name] = m.macro_f1;
    if (m.position_accuracy) flat["acc_pos_" + name] = *m.position_accuracy;
    if (m.next_accuracy) flat["acc_next_" + name] = *m.next_accuracy;
    if (classes.empty()) continue;
    for (std::size_t c = 0; c < classes.size() && c < m.class_accuracy.size(); ++c) {
      flat["class_acc_" + name + "_" + classes[c]] = optional_json(m.class_accuracy[c]);
    }
    flat["confusion_" + name] = m.confusion;
  }
  if (!classes.empty()) flat["classes"] = classes;
  flat["ood_gap_len"] = optional_json(ood_gap_len);
  flat["ood_gap_edge"] = optional_json(ood_gap_edge);
  flat["ood_gap_border"] = optional_json(ood_gap_border);
  flat["horizon"] = horizon ? nlohmann::json(*horizon) : nlohmann::json(nullptr);
  flat["tau"] = tau;
  return flat;
}

}  // namespace regal::eval
