#pragma once
// metrics.json's keys: what a done run reports (docs/results.md), for the
// names a spec's comparisons may use.
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
                          "best_step", "best_val_acc", "train_seconds", "strings_per_second"}) {
    keys.push_back(key);
  }
  return keys;
}

}  // namespace regal::layout
