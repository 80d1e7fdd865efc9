#pragma once
// The torch edge of evaluation: run a classifier over splits, under
// NoGradGuard and eval() mode, and hand the predictions to the metric math.
#include <torch/torch.h>

#include "data/batches.h"
#include "data/corpus.h"
#include "fsm/dfa.h"
#include "eval/metrics.h"
#include "model/classifier.h"

namespace regal::eval {

// FLaRe's next-symbol targets (Butoi et al., ICLR 2025) for a task's
// automaton: after the prefix that reaches state q, for every symbol s and
// every class c, whether some continuation through s reaches class c
// (δ(q, s) can reach a state labelled c), and for the end of the string
// whether q is itself of class c. Output (s, c) is s * k + c; s = |Σ| is the
// end, so the end entries at a string's last position are its class.
class NextSymbols {
 public:
  // `is_target`: train.target = next_symbols (a string's class is then read
  // from its end entries); else an auxiliary loss beside the class head's.
  NextSymbols(const fsm::Dfa& dfa, std::size_t num_classes, bool is_target);
  std::int64_t outputs() const { return (symbols_ + 1) * classes_; }
  bool is_target() const { return is_target_; }
  // [B, T] int64 states after every prefix (-1 past a row's length) -> [B, T, m] targets in {0, 1}.
  torch::Tensor targets(const torch::Tensor& states) const;
  // [..., m] next-symbol logits -> [..., k] their end entries.
  torch::Tensor end_logits(const torch::Tensor& next) const { return next.narrow(-1, symbols_ * classes_, classes_); }
  const fsm::Dfa& dfa() const { return dfa_; }

 private:
  fsm::Dfa dfa_;
  std::int64_t symbols_, classes_;
  bool is_target_;
  torch::Tensor table_;  // [Q, m] float32 on the CPU
};

// What a model's outputs are read against besides the string labels.
struct Targets {
  const fsm::Dfa* prefix_dfa = nullptr;  // per-prefix targets: string predictions from the last position
  const NextSymbols* next = nullptr;     // next-symbol outputs (target or auxiliary)
};

// Per-position scores of a split: the share of labelled positions whose
// class is right (per-prefix targets), and of positions whose every
// next-symbol bit is right (next-symbol outputs).
struct PositionScores {
  std::optional<double> prefix, next;
};

// Per-string predictions over every string of `split` (grouped by length,
// `batch_size` at a time). Leaves the model in eval() mode. Each batch is a
// progress point: with `stoppable`, a requested stop throws StopRequested
// there; without, it only beats the heartbeat (validation inside training,
// which stops at the next step, after its checkpoint).
// With a prefix DFA (per-prefix targets), the predictions are those of each
// string's last position (forward_positions); with next-symbol targets, of
// its last position's end entries; `scores` receives the per-position scores.
std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable = false, const Targets& targets = {},
                                PositionScores* scores = nullptr);

// Every split of the corpus except train and val, summarised with horizon
// threshold `tau`; test_border also as test_border_short (lengths <= L_max)
// and test_border_long. Stoppable between batches (StopRequested).
Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau, const Targets& targets = {});

// [B, L] int64 tokens and [B] int64 labels of a batch, on `device`.
std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device);

// Per-prefix labels of a batch: [B, L] int64, the class of the prefix ending
// at each position by `dfa`, kIgnoredLabel where the prefix is outside the domain.
inline constexpr std::int64_t kIgnoredLabel = -100;
torch::Tensor prefix_labels(const data::Split& split, const data::Batch& batch, const fsm::Dfa& dfa,
                            const torch::Device& device);

// The next-symbol targets of a batch, [B, L, m] float32 on `device`.
torch::Tensor next_symbol_targets(const data::Split& split, const data::Batch& batch, const NextSymbols& next,
                                  const torch::Device& device);

// The mean binary cross-entropy of next-symbol logits [B, T, m] against
// their targets (a training batch: every row of one length).
torch::Tensor next_symbol_loss(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace regal::eval
