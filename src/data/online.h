#pragma once
// Online training data (data.train_mode = "online", Delétang et al.'s
// protocol): every training batch is drawn fresh from the automaton. A batch
// has one length, uniform among the training lengths with strings (L_min..
// L_max); its strings are drawn as the corpus's train split would draw them
// (data.sampling: balanced over classes, or natural over the domain; a
// recogniser with balanced sampling: accepted with probability p_accept).
// The draw of step s comes from its own stream derive_seed(seed, "online/s"),
// so a resumed run sees exactly the batches it would have seen, and strings
// avoid the corpus's held-out transitions.
#include <cstdint>
#include <memory>
#include <vector>

#include "data/config.h"
#include "data/corpus.h"
#include "data/generate.h"

namespace regal::data {

class OnlineBatches {
 public:
  // `held_out`: the corpus's held-out transitions (training avoids them);
  // `seed`: the corpus seed. Throws InputError for settings online data
  // cannot honour (border or mixed negatives).
  OnlineBatches(const Language& language, const DataConfig& config, const std::vector<Edge>& held_out,
                std::uint64_t seed);
  ~OnlineBatches();
  OnlineBatches(const OnlineBatches&) = delete;
  OnlineBatches& operator=(const OnlineBatches&) = delete;

  // The batch of training step `step` (0-based): `batch_size` strings of one
  // length, written into `out` (replaced; named "train").
  void batch(std::uint64_t step, std::size_t batch_size, Split& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regal::data
