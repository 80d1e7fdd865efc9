#pragma once
// Batches whose strings all have one length: no padding, no masks.
#include <cstdint>
#include <vector>

#include "data/corpus.h"

namespace regal::data {

struct Batch {
  std::size_t length = 0;               // every string in the batch has this length
  std::vector<std::uint32_t> indices;   // into the split
};

// Copies the batch's strings into `tokens` (row-major, size × length) and
// their labels into `labels`.
void gather(const Split& split, const Batch& batch, std::vector<std::uint8_t>& tokens,
            std::vector<std::uint8_t>& labels);

// Every string exactly once, grouped by length (ascending), at most
// batch_size per batch.
std::vector<Batch> evaluation_batches(const Split& split, std::size_t batch_size);

// An endless, deterministic stream of training batches. Each epoch shuffles
// the strings of every length (stream derived from seed and epoch), cuts them
// into batches, and orders the batches by drawing a length with probability
// proportional to the strings of that length still unbatched. The position
// (epoch, batch within epoch) is all the state: seek() restores it exactly.
class TrainingBatches {
 public:
  TrainingBatches(const Split& split, std::size_t batch_size, std::uint64_t seed);

  struct Position {
    std::uint64_t epoch = 0;  // epochs completed
    std::uint64_t batch = 0;  // batches taken in the current epoch
  };

  const Batch& next();
  Position position() const { return position_; }
  void seek(Position position);
  std::size_t batches_per_epoch() const { return epoch_.size(); }

 private:
  void build_epoch(std::uint64_t epoch);

  const Split& split_;
  std::size_t batch_size_;
  std::uint64_t seed_;
  std::vector<std::vector<std::uint32_t>> by_length_;  // indices of each length, ascending length
  std::vector<std::size_t> lengths_;                   // the length of each by_length_ group
  std::vector<Batch> epoch_;                           // the current epoch's batches, in order
  Position position_;
};

}  // namespace regal::data
