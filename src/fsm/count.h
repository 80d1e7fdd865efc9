#pragma once
// Exact counting of accepted strings, and uniform sampling built on it.
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fsm/dfa.h"
#include "util/rng.h"

namespace regal::fsm {

// An exact count of strings (counts reach |Σ|^n).
using Count = boost::multiprecision::cpp_int;

// The count as a uint64, or nullopt when it does not fit.
std::optional<std::uint64_t> to_u64(const Count& count);

// a / b as a double, identically on every host and correct to about 1 ulp
// however large both are: each is first cut to its top 53 bits (truncating,
// never rounding), as mantissa * 2^exponent, then the mantissas are divided.
// The sampler's weights are these ratios, so this rule is part of what a seed
// means (tests/unit/golden_test.cc pins it). Precondition: b is not zero.
double count_ratio(const Count& a, const Count& b);

// counts[n] = number of strings of length n (0 <= n <= max_length) that `dfa`
// accepts, exactly.
std::vector<Count> count_accepted(const Dfa& dfa, std::size_t max_length);

// Draws strings of a given length uniformly among those a DFA accepts.
//
// Built once per (DFA, max_length) from the exact counts c[r][q] (strings of
// length r accepted from state q). A walk from the start with r symbols left
// picks symbol s with probability c[r-1][δ(q,s)] / c[r][q]; the product of
// those choices is 1 / c[n][start] for every accepted string: exactly uniform,
// up to the rounding of the stored double ratios. Counts are normalised per
// length (divided by the largest count of that length) so that the doubles
// neither overflow nor underflow at any length. Every draw is a fixed sequence
// of Rng calls and IEEE operations, so a seed gives the same strings anywhere.
//
// To sample rejected strings, build a sampler on complement(dfa).
class UniformSampler {
 public:
  UniformSampler(const Dfa& dfa, std::size_t max_length);

  std::size_t max_length() const { return max_length_; }
  // Exact number of accepted strings of `length` (<= max_length).
  const Count& count(std::size_t length) const { return counts_[length]; }
  bool can_sample(std::size_t length) const { return length <= max_length_ && !counts_[length].is_zero(); }

  const Dfa& dfa() const { return dfa_; }

  // Writes `length` symbols to out. Precondition: can_sample(length).
  void sample(std::size_t length, Rng& rng, std::uint8_t* out) const;
  Symbols sample(std::size_t length, Rng& rng) const;

  // Every accepted string of `length`, in lexicographic (alphabet) order,
  // concatenated into one buffer of count(length) * length symbols. Cost is
  // proportional to the output: only branches with accepted completions are
  // followed. Precondition: length <= max_length and the count is small enough
  // to hold in memory (the caller checks count(length)).
  Symbols enumerate(std::size_t length) const;

 private:
  Dfa dfa_;                          // a copy: the sampler outlives temporaries
  std::size_t max_length_;
  std::size_t num_states_;
  int num_symbols_;
  std::vector<Count> counts_;        // from the start state, per length
  std::vector<double> weight_;       // [r * |Q| + q]: c[r][q] / max_q' c[r][q']
  std::vector<double> row_total_;    // [r * |Q| + q]: sum over s of weight_[(r-1), δ(q,s)]
};

}  // namespace regal::fsm
