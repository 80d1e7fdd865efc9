#pragma once
// metrics.json's keys: what a done run reports (docs/results.md), for the
// names a spec's comparisons may use.
#include <optional>
#include <string>
#include <vector>

namespace regal::layout {

// Every key a run's metrics.json can hold: per test split acc_, acc_pooled_,
// loss_, worst_len_, worst_acc_, auroc_, ece_, n_, chance_; the gaps, the
// horizon, tau; training figures.
inline std::vector<std::string> metrics_json_keys() {
  std::vector<std::string> keys;
  for (const char* split : {"test_id", "test_len_ood", "test_edge_ood", "test_border"}) {
    for (const char* prefix : {"acc_", "acc_pooled_", "loss_", "worst_len_", "worst_acc_", "auroc_", "ece_", "n_", "chance_"}) {
      keys.push_back(std::string(prefix) + split);
    }
  }
  for (const char* key : {"ood_gap_len", "ood_gap_edge", "ood_gap_border", "horizon", "tau", "parameters", "d_model", "steps",
                          "best_step", "best_val_acc", "train_seconds", "strings_per_second", "eval_seconds"}) {
    keys.push_back(key);
  }
  return keys;
}

// How a scaling-law fit turns metric y into an error: "1 - y" for an
// accuracy or AUROC, "y" for a loss, ECE, gap or error; nullopt for a metric
// that is neither (horizon, tau, counts).
inline std::optional<std::string> fit_error_transform(const std::string& y) {
  auto starts = [&](const char* prefix) { return y.rfind(prefix, 0) == 0; };
  if (starts("acc_") || starts("worst_acc_") || starts("auroc_") || y == "best_val_acc") return "1 - y";
  if (starts("loss_") || starts("ece_") || starts("ood_gap_") || y.find("err") != std::string::npos) return "y";
  return std::nullopt;
}

}  // namespace regal::layout
