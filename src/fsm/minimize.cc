// Hopcroft's partition refinement, O(|Σ| n log n), then canonical numbering.
//
// 1. Keep the states reachable from the start.
// 2. Start from the states grouped by label ({accepting, rejecting} for a
//    recogniser, one block per class for a task); split blocks by the predecessors of a
//    splitter block under one symbol; after a split only the smaller half needs
//    to become a splitter (unless the old block is still waiting, then both).
// 3. Number the blocks by BFS from the start block, symbols in alphabet order.
//    The minimal automaton is unique up to renaming and this numbering fixes
//    the renaming, so equal languages give identical tables.
#include <algorithm>
#include <array>
#include <deque>

#include "fsm/dfa.h"

namespace regal::fsm {
namespace {

// Reachable states renumbered 0..m-1 in BFS order (start first).
std::vector<StateId> reachable_states(const Dfa& dfa) {
  std::vector<std::uint8_t> seen(dfa.num_states(), 0);
  std::vector<StateId> order{dfa.start()};
  seen[dfa.start()] = 1;
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (int s = 0; s < dfa.num_symbols(); ++s) {
      const StateId t = dfa.next(order[i], s);
      if (!seen[t]) {
        seen[t] = 1;
        order.push_back(t);
      }
    }
  }
  return order;
}

class Partition {
 public:
  explicit Partition(std::size_t n) : elements_(n), location_(n), block_of_(n) {}

  std::size_t num_blocks() const { return begin_.size(); }
  std::size_t block_of(StateId q) const { return block_of_[q]; }
  std::size_t size(std::size_t block) const { return end_[block] - begin_[block]; }
  StateId first(std::size_t block) const { return elements_[begin_[block]]; }
  const StateId* begin(std::size_t block) const { return elements_.data() + begin_[block]; }
  const StateId* end(std::size_t block) const { return elements_.data() + end_[block]; }

  // Initial blocks from a labelling of the states: one block per label value
  // present, in ascending value order, states ascending within a block.
  void init(const std::vector<std::uint8_t>& label) {
    std::array<std::size_t, 257> start{};
    for (const std::uint8_t value : label) ++start[value + 1u];
    for (std::size_t v = 0; v < 256; ++v) start[v + 1] += start[v];
    std::array<std::size_t, 256> block{};
    for (std::size_t v = 0; v < 256; ++v) {
      if (start[v + 1] == start[v]) continue;
      block[v] = begin_.size();
      begin_.push_back(start[v]);
      end_.push_back(start[v + 1]);
      marked_.push_back(0);
    }
    std::array<std::size_t, 257> fill = start;
    for (StateId q = 0; q < label.size(); ++q) {
      const std::size_t pos = fill[label[q]]++;
      elements_[pos] = q;
      location_[q] = pos;
      block_of_[q] = block[label[q]];
    }
  }

  // Marks q (moves it into the marked prefix of its block). Returns true when
  // this was the first mark of that block.
  bool mark(StateId q) {
    const std::size_t block = block_of_[q];
    const std::size_t boundary = begin_[block] + marked_[block];
    if (location_[q] < boundary) return false;
    const StateId other = elements_[boundary];
    std::swap(elements_[boundary], elements_[location_[q]]);
    location_[other] = location_[q];
    location_[q] = boundary;
    return marked_[block]++ == 0;
  }

  // Splits the marked prefix of `block` off as a new block. Returns the new
  // block's index, or the old one when all or none were marked.
  std::size_t split(std::size_t block) {
    const std::size_t marked = marked_[block];
    marked_[block] = 0;
    if (marked == 0 || marked == size(block)) return block;
    const std::size_t fresh = begin_.size();
    begin_.push_back(begin_[block]);
    end_.push_back(begin_[block] + marked);
    marked_.push_back(0);
    begin_[block] += marked;
    for (std::size_t i = begin_[fresh]; i < end_[fresh]; ++i) block_of_[elements_[i]] = fresh;
    return fresh;
  }

 private:
  std::vector<StateId> elements_;      // states grouped by block
  std::vector<std::size_t> location_;  // position of each state in elements_
  std::vector<std::size_t> block_of_;  // block of each state
  std::vector<std::size_t> begin_, end_, marked_;  // per block: range and marked count
};

}  // namespace

Dfa minimize(const Dfa& dfa) {
  const int k = dfa.num_symbols();
  const auto ks = static_cast<std::size_t>(k);
  const std::vector<StateId> order = reachable_states(dfa);
  const std::size_t n = order.size();
  std::vector<StateId> renumber(dfa.num_states(), 0);
  for (std::size_t i = 0; i < n; ++i) renumber[order[i]] = static_cast<StateId>(i);

  // Reachable sub-automaton and its inverse transitions (CSR per symbol).
  std::vector<StateId> next(n * ks);
  std::vector<std::uint8_t> accepting(n);
  for (std::size_t i = 0; i < n; ++i) {
    accepting[i] = dfa.label(order[i]);
    for (int s = 0; s < k; ++s) next[i * ks + static_cast<std::size_t>(s)] = renumber[dfa.next(order[i], s)];
  }
  std::vector<std::size_t> inverse_begin(ks * (n + 1), 0);
  std::vector<StateId> inverse(ks * n);
  for (std::size_t s = 0; s < ks; ++s) {
    std::size_t* counts = &inverse_begin[s * (n + 1)];
    for (std::size_t q = 0; q < n; ++q) ++counts[next[q * ks + s] + 1];
    for (std::size_t q = 0; q < n; ++q) counts[q + 1] += counts[q];
    std::vector<std::size_t> fill(counts, counts + n);
    for (std::size_t q = 0; q < n; ++q) inverse[s * n + fill[next[q * ks + s]]++] = static_cast<StateId>(q);
  }

  Partition partition(n);
  partition.init(accepting);
  std::vector<std::uint8_t> waiting;  // [block * k + s]: (block, s) is in the worklist
  std::vector<std::pair<std::size_t, int>> worklist;
  auto enqueue = [&](std::size_t block, int s) {
    if (waiting.size() < (block + 1) * ks) waiting.resize((block + 1) * ks, 0);
    if (waiting[block * ks + static_cast<std::size_t>(s)]) return;
    waiting[block * ks + static_cast<std::size_t>(s)] = 1;
    worklist.emplace_back(block, s);
  };
  // Every initial block but the largest is a splitter (the first largest on ties).
  std::size_t largest = 0;
  for (std::size_t b = 1; b < partition.num_blocks(); ++b) {
    if (partition.size(b) > partition.size(largest)) largest = b;
  }
  for (std::size_t b = 0; b < partition.num_blocks() && partition.num_blocks() > 1; ++b) {
    if (b == largest) continue;
    for (int s = 0; s < k; ++s) enqueue(b, s);
  }

  std::vector<StateId> splitter;
  std::vector<std::size_t> touched;
  while (!worklist.empty()) {
    const auto [block, s] = worklist.back();
    worklist.pop_back();
    waiting[block * ks + static_cast<std::size_t>(s)] = 0;
    splitter.assign(partition.begin(block), partition.end(block));
    touched.clear();
    const std::size_t* begins = &inverse_begin[static_cast<std::size_t>(s) * (n + 1)];
    const StateId* sources = &inverse[static_cast<std::size_t>(s) * n];
    for (const StateId q : splitter) {
      for (std::size_t i = begins[q]; i < begins[q + 1]; ++i) {
        if (partition.mark(sources[i])) touched.push_back(partition.block_of(sources[i]));
      }
    }
    for (const std::size_t old_block : touched) {
      const std::size_t fresh = partition.split(old_block);
      if (fresh == old_block) continue;
      if (waiting.size() < (fresh + 1) * ks) waiting.resize((fresh + 1) * ks, 0);
      for (int c = 0; c < k; ++c) {
        if (waiting[old_block * ks + static_cast<std::size_t>(c)]) {
          enqueue(fresh, c);
        } else {
          enqueue(partition.size(fresh) <= partition.size(old_block) ? fresh : old_block, c);
        }
      }
    }
  }

  // Canonical numbering: BFS over blocks from the start's block.
  const std::size_t blocks = partition.num_blocks();
  std::vector<StateId> canonical(blocks, ~StateId{0});
  std::vector<std::size_t> queue{partition.block_of(0)};
  canonical[queue[0]] = 0;
  std::vector<StateId> transitions;
  std::vector<std::uint8_t> canonical_accepting;
  transitions.reserve(blocks * ks);
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const StateId representative = partition.first(queue[i]);
    canonical_accepting.push_back(accepting[representative]);
    for (std::size_t s = 0; s < ks; ++s) {
      const std::size_t target = partition.block_of(next[representative * ks + s]);
      if (canonical[target] == ~StateId{0}) {
        canonical[target] = static_cast<StateId>(queue.size());
        queue.push_back(target);
      }
      transitions.push_back(canonical[target]);
    }
  }
  return Dfa(dfa.alphabet(), 0, std::move(transitions), std::move(canonical_accepting));
}

}  // namespace regal::fsm
