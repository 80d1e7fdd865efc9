#pragma once
// What a training run reports, without torch.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::train {

struct HistoryRow {
  std::size_t step = 0;              // optimisation steps done
  double lr = 0;                     // learning rate of the last step
  double train_loss = 0;             // mean over the steps since the previous row
  double train_acc = 0;              // likewise
  double val_loss = 0;               // over the whole val split
  double val_acc = 0;                // mean over lengths, like every split score
  double elapsed_seconds = 0;        // training wall time so far (across resumes)
  double strings_per_second = 0;     // training throughput since the previous row
  nlohmann::json to_json() const;
  static HistoryRow from_json(const nlohmann::json& json);
};

struct TrainResult {
  std::size_t steps = 0;             // steps done in total
  bool stopped_early = false;        // patience ran out
  bool interrupted = false;          // on_step asked to stop; last.pt holds the state
  bool resumed = false;              // started from last.pt
  std::size_t resumed_from = 0;      // the step it resumed from
  double best_val_acc = -1;          // best validation score seen
  std::size_t best_step = 0;         // the step of best.pt
  double seconds = 0;                // training wall time, across resumes
  double strings_per_second = 0;     // over the whole training
  std::vector<HistoryRow> history;   // every evaluation
};

}  // namespace regal::train
