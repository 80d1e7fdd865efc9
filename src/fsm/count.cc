// Exact counts by dynamic programming over (length, state), and the uniform
// sampler built on their ratios (see count.h for the sampling argument).
#include "fsm/count.h"

#include <cassert>
#include <cmath>

namespace regal::fsm {
namespace {

// The count as mantissa * 2^exponent with mantissa in [0.5, 1), its top 53
// bits taken exactly (truncated): (0, 0) for zero.
void to_scaled(const Count& count, double& mantissa, std::int64_t& exponent) {
  if (count.is_zero()) {
    mantissa = 0;
    exponent = 0;
    return;
  }
  const auto bits = static_cast<std::int64_t>(boost::multiprecision::msb(count)) + 1;
  const std::int64_t take = std::min<std::int64_t>(bits, 53);
  const Count top = count >> static_cast<unsigned>(bits - take);
  mantissa = std::ldexp(static_cast<double>(top.convert_to<std::uint64_t>()), -static_cast<int>(take));
  exponent = bits;
}

// table[r][q] = strings of length r accepted from q, for r = 0..max_length.
std::vector<std::vector<Count>> count_from_every_state(const Dfa& dfa, std::size_t max_length) {
  const std::size_t n = dfa.num_states();
  std::vector<std::vector<Count>> table(max_length + 1, std::vector<Count>(n));
  for (StateId q = 0; q < n; ++q) table[0][q] = dfa.is_accepting(q) ? 1 : 0;
  for (std::size_t r = 1; r <= max_length; ++r) {
    for (StateId q = 0; q < n; ++q) {
      Count sum;
      for (int s = 0; s < dfa.num_symbols(); ++s) sum += table[r - 1][dfa.next(q, s)];
      table[r][q] = std::move(sum);
    }
  }
  return table;
}

}  // namespace

std::optional<std::uint64_t> to_u64(const Count& count) {
  if (count > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
  return count.convert_to<std::uint64_t>();
}

double count_ratio(const Count& a, const Count& b) {
  assert(!b.is_zero());
  double ma = 0, mb = 0;
  std::int64_t ea = 0, eb = 0;
  to_scaled(a, ma, ea);
  to_scaled(b, mb, eb);
  if (ma == 0) return 0;
  const std::int64_t shift = ea - eb;
  if (shift < -1100) return 0;
  if (shift > 1100) return HUGE_VAL;
  return std::ldexp(ma / mb, static_cast<int>(shift));
}

std::vector<Count> count_accepted(const Dfa& dfa, std::size_t max_length) {
  const auto table = count_from_every_state(dfa, max_length);
  std::vector<Count> counts;
  counts.reserve(max_length + 1);
  for (const auto& row : table) counts.push_back(row[dfa.start()]);
  return counts;
}

UniformSampler::UniformSampler(const Dfa& dfa, std::size_t max_length)
    : dfa_(dfa), max_length_(max_length), num_states_(dfa.num_states()), num_symbols_(dfa.num_symbols()) {
  const auto table = count_from_every_state(dfa, max_length);
  const std::size_t n = num_states_;
  weight_.assign((max_length + 1) * n, 0.0);
  row_total_.assign((max_length + 1) * n, 0.0);
  for (std::size_t r = 0; r <= max_length; ++r) {
    counts_.push_back(table[r][dfa.start()]);
    const Count* largest = &table[r][0];
    for (std::size_t q = 1; q < n; ++q) {
      if (*largest < table[r][q]) largest = &table[r][q];
    }
    if (largest->is_zero()) continue;
    for (std::size_t q = 0; q < n; ++q) weight_[r * n + q] = count_ratio(table[r][q], *largest);
  }
  for (std::size_t r = 1; r <= max_length; ++r) {
    for (StateId q = 0; q < n; ++q) {
      double total = 0;
      for (int s = 0; s < num_symbols_; ++s) total += weight_[(r - 1) * n + dfa.next(q, s)];
      row_total_[r * n + q] = total;
    }
  }
}

void UniformSampler::sample(std::size_t length, Rng& rng, std::uint8_t* out) const {
  assert(can_sample(length));
  const std::size_t n = num_states_;
  const auto k = static_cast<std::size_t>(num_symbols_);
  const StateId* table = dfa_.transitions().data();
  StateId q = dfa_.start();
  for (std::size_t r = length; r > 0; --r) {
    const double* next_weight = &weight_[(r - 1) * n];
    const StateId* row = table + q * k;
    double threshold = rng.uniform01() * row_total_[r * n + q];
    std::size_t chosen = k;
    std::size_t last_live = 0;
    for (std::size_t s = 0; s < k; ++s) {
      const double w = next_weight[row[s]];
      if (w <= 0) continue;
      last_live = s;
      if (threshold < w) {
        chosen = s;
        break;
      }
      threshold -= w;
    }
    if (chosen == k) chosen = last_live;  // rounding left us past the end
    *out++ = static_cast<std::uint8_t>(chosen);
    q = row[chosen];
  }
}

Symbols UniformSampler::enumerate(std::size_t length) const {
  assert(length <= max_length_);
  Symbols out;
  if (counts_[length].is_zero()) return out;
  const std::size_t n = num_states_;
  // Depth-first over positions with an explicit stack: next symbol to try per depth.
  Symbols prefix(length);
  std::vector<StateId> state(length + 1);
  std::vector<int> next_symbol(length + 1, 0);
  state[0] = dfa_.start();
  std::size_t depth = 0;
  while (true) {
    if (depth == length) {
      out.insert(out.end(), prefix.begin(), prefix.end());
      if (depth == 0) break;
      --depth;
      continue;
    }
    const std::size_t remaining = length - depth;
    int s = next_symbol[depth];
    while (s < num_symbols_ && weight_[(remaining - 1) * n + dfa_.next(state[depth], s)] <= 0) ++s;
    if (s == num_symbols_) {
      next_symbol[depth] = 0;
      if (depth == 0) break;
      --depth;
      continue;
    }
    next_symbol[depth] = s + 1;
    prefix[depth] = static_cast<std::uint8_t>(s);
    state[depth + 1] = dfa_.next(state[depth], s);
    ++depth;
  }
  return out;
}

Symbols UniformSampler::sample(std::size_t length, Rng& rng) const {
  Symbols out(length);
  sample(length, rng, out.data());
  return out;
}

}  // namespace regal::fsm
