#pragma once
// Percentile bootstrap intervals, stratified and seeded (no I/O). The
// resampling is specified exactly, so the same inputs and seed give the same
// interval on any machine: Rng(seed) (xoshiro256**); for each of `resamples`
// rounds, for each stratum in order, n_s draws of Rng::below(n_s) with
// replacement; the statistic of the concatenated draws; then the quantiles
// (1 - confidence) / 2 and (1 + confidence) / 2 of the sorted statistics by
// linear interpolation (descriptive.h). tests/unit/stats_test.cc holds values
// from an independent Python implementation of this procedure.
#include <cstdint>
#include <vector>

namespace regal::stats {

enum class Statistic { kMean, kIqm };

struct Interval {
  double lo = 0, hi = 0;
};

// Strata are resampled separately (seeds within a language, say) and pooled
// for the statistic. Empty strata are skipped; no values at all gives NaN.
Interval bootstrap_interval(const std::vector<std::vector<double>>& strata, Statistic statistic, std::size_t resamples,
                            double confidence, std::uint64_t seed);

// The same over one sample.
Interval bootstrap_interval(const std::vector<double>& values, Statistic statistic, std::size_t resamples,
                            double confidence, std::uint64_t seed);

// Performance profile: for each tau, the fraction of values above it, with
// a stratified percentile interval from the same resamples (same procedure as
// above; the statistic is the vector of fractions).
struct ProfilePoint {
  double tau = 0, fraction = 0;
  Interval interval;
};
std::vector<ProfilePoint> bootstrap_profile(const std::vector<std::vector<double>>& strata, const std::vector<double>& taus,
                                            std::size_t resamples, double confidence, std::uint64_t seed);

// The difference of means of two unmatched arms, each resampled on its own
// (a's draws first in each round), same percentile rule.
Interval bootstrap_difference(const std::vector<double>& a, const std::vector<double>& b, std::size_t resamples,
                              double confidence, std::uint64_t seed);

// Default resamples: summary tables, comparisons.
inline constexpr std::size_t kSummaryResamples = 2000;
inline constexpr std::size_t kCompareResamples = 10000;
// Fewer seeds than this and the percentile interval is too narrow to lead
// (on normal data: 50% coverage at n = 2, 85% at n = 5, 90% at n = 10): the
// t interval is primary and the bootstrap one indicative.
inline constexpr std::size_t kBootstrapMinSeeds = 10;

}  // namespace regal::stats
