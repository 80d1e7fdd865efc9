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

// Per-string predictions over every string of `split` (grouped by length,
// `batch_size` at a time). Leaves the model in eval() mode. Each batch is a
// progress point: with `stoppable`, a requested stop throws StopRequested
// there; without, it only beats the heartbeat (validation inside training,
// which stops at the next step, after its checkpoint).
// With `prefix_dfa` (per-prefix targets), the predictions are those of each
// string's last position (forward_positions), and `positions` receives the
// accuracy over every labelled position.
std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable = false, const fsm::Dfa* prefix_dfa = nullptr,
                                std::optional<double>* positions = nullptr);

// Every split of the corpus except train and val, summarised with horizon
// threshold `tau`; test_border also as test_border_short (lengths <= L_max)
// and test_border_long. Stoppable between batches (StopRequested).
Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau, const fsm::Dfa* prefix_dfa = nullptr);

// [B, L] int64 tokens and [B] int64 labels of a batch, on `device`.
std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device);

// Per-prefix labels of a batch: [B, L] int64, the class of the prefix ending
// at each position by `dfa`, kIgnoredLabel where the prefix is outside the domain.
inline constexpr std::int64_t kIgnoredLabel = -100;
torch::Tensor prefix_labels(const data::Split& split, const data::Batch& batch, const fsm::Dfa& dfa,
                            const torch::Device& device);

}  // namespace regal::eval
