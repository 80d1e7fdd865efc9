#pragma once
// How many seeds a difference needs (no I/O). The t tests' power from the
// noncentral t distribution: paired (one sample of differences, sd of the
// differences) or two arms of n seeds each (pooled sd). Two-sided at alpha.
#include <cstddef>

namespace regal::stats {

// Power of the two-sided t test to detect a mean difference `effect` with
// standard deviation `sd` and n seeds (per arm when unpaired).
double t_test_power(double effect, double sd, std::size_t n, double alpha, bool paired);

// The fewest seeds (per arm when unpaired) whose power reaches `power`;
// 0 when it cannot be said (no spread measured, or no effect). Searches up to
// kMaxSeeds and returns kMaxSeeds + 1 beyond.
std::size_t seeds_needed(double effect, double sd, double alpha, double power, bool paired);

inline constexpr std::size_t kMaxSeeds = 100000;

}  // namespace regal::stats
