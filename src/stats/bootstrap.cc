#include "stats/bootstrap.h"

#include <algorithm>
#include <cmath>

#include "stats/descriptive.h"
#include "util/rng.h"

namespace regal::stats {

Interval bootstrap_interval(const std::vector<std::vector<double>>& strata, Statistic statistic, std::size_t resamples,
                            double confidence, std::uint64_t seed) {
  std::size_t total = 0;
  for (const auto& stratum : strata) total += stratum.size();
  if (total == 0 || resamples == 0) return {NAN, NAN};
  Rng rng(seed);
  std::vector<double> sample(total), statistics(resamples);
  for (std::size_t round = 0; round < resamples; ++round) {
    std::size_t k = 0;
    for (const auto& stratum : strata) {
      for (std::size_t i = 0; i < stratum.size(); ++i) sample[k++] = stratum[rng.below(stratum.size())];
    }
    statistics[round] = statistic == Statistic::kMean ? mean(sample) : iqm(sample);
  }
  std::sort(statistics.begin(), statistics.end());
  return {quantile_sorted(statistics, (1 - confidence) / 2), quantile_sorted(statistics, (1 + confidence) / 2)};
}

Interval bootstrap_interval(const std::vector<double>& values, Statistic statistic, std::size_t resamples,
                            double confidence, std::uint64_t seed) {
  return bootstrap_interval(std::vector<std::vector<double>>{values}, statistic, resamples, confidence, seed);
}

namespace {

double fraction_above(const std::vector<double>& values, double tau) {
  std::size_t above = 0;
  for (const double v : values) above += v > tau ? 1 : 0;
  return static_cast<double>(above) / static_cast<double>(values.size());
}

}  // namespace

std::vector<ProfilePoint> bootstrap_profile(const std::vector<std::vector<double>>& strata, const std::vector<double>& taus,
                                            std::size_t resamples, double confidence, std::uint64_t seed) {
  std::vector<double> all;
  for (const auto& stratum : strata) all.insert(all.end(), stratum.begin(), stratum.end());
  std::vector<ProfilePoint> points;
  for (const double tau : taus) points.push_back({tau, all.empty() ? NAN : fraction_above(all, tau), {NAN, NAN}});
  if (all.empty() || resamples == 0) return points;
  Rng rng(seed);
  std::vector<double> sample(all.size());
  std::vector<std::vector<double>> fractions(taus.size(), std::vector<double>(resamples));
  for (std::size_t round = 0; round < resamples; ++round) {
    std::size_t k = 0;
    for (const auto& stratum : strata) {
      for (std::size_t i = 0; i < stratum.size(); ++i) sample[k++] = stratum[rng.below(stratum.size())];
    }
    for (std::size_t t = 0; t < taus.size(); ++t) fractions[t][round] = fraction_above(sample, taus[t]);
  }
  for (std::size_t t = 0; t < taus.size(); ++t) {
    std::sort(fractions[t].begin(), fractions[t].end());
    points[t].interval = {quantile_sorted(fractions[t], (1 - confidence) / 2), quantile_sorted(fractions[t], (1 + confidence) / 2)};
  }
  return points;
}

Interval bootstrap_difference(const std::vector<double>& a, const std::vector<double>& b, std::size_t resamples,
                              double confidence, std::uint64_t seed) {
  if (a.empty() || b.empty() || resamples == 0) return {NAN, NAN};
  Rng rng(seed);
  std::vector<double> sa(a.size()), sb(b.size()), differences(resamples);
  for (std::size_t round = 0; round < resamples; ++round) {
    for (auto& x : sa) x = a[rng.below(a.size())];
    for (auto& y : sb) y = b[rng.below(b.size())];
    differences[round] = mean(sa) - mean(sb);
  }
  std::sort(differences.begin(), differences.end());
  return {quantile_sorted(differences, (1 - confidence) / 2), quantile_sorted(differences, (1 + confidence) / 2)};
}

}  // namespace regal::stats
