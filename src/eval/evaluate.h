#pragma once
// The torch edge of evaluation: run a classifier over splits, under
// NoGradGuard and eval() mode, and hand the predictions to the metric math.
#include <torch/torch.h>

#include "data/batches.h"
#include "data/corpus.h"
#include "eval/metrics.h"
#include "model/classifier.h"

namespace regal::eval {

// Per-string predictions over every string of `split` (grouped by length,
// `batch_size` at a time). Leaves the model in eval() mode. Each batch is a
// progress point: with `stoppable`, a requested stop throws StopRequested
// there; without, it only beats the heartbeat (validation inside training,
// which stops at the next step, after its checkpoint).
std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable = false);

// Every split of the corpus except train and val, summarised with horizon
// threshold `tau`; test_border also as test_border_short (lengths <= L_max)
// and test_border_long. Stoppable between batches (StopRequested).
Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau);

// [B, L] int64 tokens and [B] int64 labels of a batch, on `device`.
std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device);

}  // namespace regal::eval
