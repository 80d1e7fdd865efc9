#pragma once
// `train.*`: optimisation settings, and the learning-rate schedule.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace regal::train {

struct TrainConfig {
  double lr = 1e-3;                 // peak learning rate (AdamW)
  double lr_min = 1e-5;             // learning rate at the end of the cosine decay
  double weight_decay = 0.01;       // AdamW decoupled weight decay
  double beta1 = 0.9;               // AdamW first-moment decay
  double beta2 = 0.999;             // AdamW second-moment decay
  std::size_t warmup = 100;         // steps of linear warm-up from 0 to lr
  double clip = 1.0;                // gradient-norm clip; 0 disables
  std::size_t steps = 2000;         // optimisation steps
  std::size_t batch_size = 128;     // strings per batch (all of one length)
  std::size_t eval_every = 200;     // steps between validation passes (and history lines)
  std::size_t patience = 0;         // early stop after this many evaluations without a better val_acc; 0: never
  std::size_t checkpoint_every = 500;  // steps between last.pt writes (also written at the end)
  bool deterministic = false;       // deterministic GPU kernels (slower); CPU runs are deterministic anyway
  bool shuffle_labels = false;      // a control: train and val labels permuted within each length (tests untouched)
  std::size_t schedule_steps = 0;   // the schedule's horizon when training stops earlier (a search's rung); 0: steps
  std::string target = "string";    // string: one label per string | prefix: every prefix's class (causal models)
                                    // | next_symbols: after every prefix, which symbols can still reach each class
  double aux_weight = 0;            // weight of the next-symbols loss added to a string or prefix target; 0: none

  // Next-symbol outputs (a second head) are trained: target next_symbols, or aux_weight > 0.
  bool next_symbols() const { return target == "next_symbols" || aux_weight > 0; }
  // Every position's output is trained: the model must be causal.
  bool reads_positions() const { return target != "string" || aux_weight > 0; }

  // Throws InputError naming "train.<field>".
  void validate() const;
  nlohmann::json to_json() const;
  static TrainConfig from_json(const nlohmann::json& json);
};

// Linear warm-up to lr over `warmup` steps, then cosine decay to lr_min at
// `schedule_steps` (or `steps` when 0). `step` counts from 0 (the first
// update uses learning_rate(0)). A run that stops at `steps` below its
// schedule's horizon has followed exactly the first `steps` updates of the
// longer run, so a search can continue it.
double learning_rate(const TrainConfig& config, std::size_t step);

}  // namespace regal::train
