// One-length batches. Evaluation: every string once, grouped by length in
// order. Training: each epoch shuffles the strings of every length, cuts them
// into batches, and interleaves the lengths' batches at random in proportion
// to the strings left; the epoch's order derives from (seed, epoch) alone, so
// a position (epoch, batch) is enough to resume exactly.
#include "data/batches.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "util/rng.h"

namespace regal::data {
namespace {

// Indices grouped by length, ascending.
std::map<std::size_t, std::vector<std::uint32_t>> group_by_length(const Split& split) {
  std::map<std::size_t, std::vector<std::uint32_t>> groups;
  for (std::size_t i = 0; i < split.size(); ++i) groups[split.length(i)].push_back(static_cast<std::uint32_t>(i));
  return groups;
}

}  // namespace

void gather(const Split& split, const Batch& batch, std::vector<std::uint8_t>& tokens,
            std::vector<std::uint8_t>& labels) {
  tokens.resize(batch.indices.size() * batch.length);
  labels.resize(batch.indices.size());
  for (std::size_t row = 0; row < batch.indices.size(); ++row) {
    const std::uint32_t i = batch.indices[row];
    assert(split.length(i) == batch.length);
    std::copy(split.string(i), split.string(i) + batch.length, tokens.data() + row * batch.length);
    labels[row] = split.labels[i];
  }
}

std::vector<Batch> evaluation_batches(const Split& split, std::size_t batch_size) {
  std::vector<Batch> batches;
  for (const auto& [length, indices] : group_by_length(split)) {
    for (std::size_t begin = 0; begin < indices.size(); begin += batch_size) {
      const std::size_t end = std::min(indices.size(), begin + batch_size);
      batches.push_back({length, {indices.begin() + static_cast<std::ptrdiff_t>(begin),
                                  indices.begin() + static_cast<std::ptrdiff_t>(end)}});
    }
  }
  return batches;
}

TrainingBatches::TrainingBatches(const Split& split, std::size_t batch_size, std::uint64_t seed)
    : split_(split), batch_size_(batch_size), seed_(seed) {
  assert(batch_size > 0 && split.size() > 0);
  for (auto& [length, indices] : group_by_length(split)) {
    lengths_.push_back(length);
    by_length_.push_back(std::move(indices));
  }
  build_epoch(0);
}

void TrainingBatches::build_epoch(std::uint64_t epoch) {
  Rng rng(derive_seed(seed_ ^ (epoch * 0x9e3779b97f4a7c15ULL), "batches"));
  std::vector<std::vector<Batch>> chunks(by_length_.size());
  std::vector<std::size_t> remaining(by_length_.size());
  std::size_t total = 0;
  for (std::size_t g = 0; g < by_length_.size(); ++g) {
    std::vector<std::uint32_t> order = by_length_[g];
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (std::size_t begin = 0; begin < order.size(); begin += batch_size_) {
      const std::size_t end = std::min(order.size(), begin + batch_size_);
      chunks[g].push_back({lengths_[g], {order.begin() + static_cast<std::ptrdiff_t>(begin),
                                         order.begin() + static_cast<std::ptrdiff_t>(end)}});
    }
    std::reverse(chunks[g].begin(), chunks[g].end());  // pop from the back in shuffled order
    remaining[g] = order.size();
    total += order.size();
  }
  epoch_.clear();
  while (total > 0) {
    std::uint64_t pick = rng.below(total);
    std::size_t g = 0;
    while (pick >= remaining[g]) pick -= remaining[g++];
    Batch batch = std::move(chunks[g].back());
    chunks[g].pop_back();
    remaining[g] -= batch.indices.size();
    total -= batch.indices.size();
    epoch_.push_back(std::move(batch));
  }
}

const Batch& TrainingBatches::next() {
  if (position_.batch == epoch_.size()) {
    ++position_.epoch;
    position_.batch = 0;
    build_epoch(position_.epoch);
  }
  return epoch_[position_.batch++];
}

void TrainingBatches::seek(Position position) {
  if (position.epoch != position_.epoch || epoch_.empty()) build_epoch(position.epoch);
  position_ = position;
}

}  // namespace regal::data
