// Rank tests share one ranking (midranks by sorting with their indices);
// exact distributions are counted by dynamic programming over doubled
// midranks, which are integers even with ties, so "exact" stays exact.
#include "stats/tests.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "stats/descriptive.h"

namespace regal::stats {
namespace {

constexpr std::size_t kExactWilcoxon = 25;   // pairs up to which the signed-rank p is exact
constexpr std::size_t kExactMannWhitney = 8;  // runs per arm up to which U's p is exact (no ties)

double t_two_sided(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return NAN;
  if (std::isinf(t)) return 0;
  const boost::math::students_t_distribution<double> dist(df);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::abs(t))));
}

double normal_upper(double z) { return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z)); }

// Midranks (1-based) of values, and the tie groups' sizes.
std::vector<double> midranks(const std::vector<double>& values, std::vector<std::size_t>* ties = nullptr) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    if (ties != nullptr && j - i > 1) ties->push_back(j - i);
    i = j;
  }
  return ranks;
}

// Number of sign assignments per value of sum(doubled rank of positives).
std::vector<double> signed_rank_counts(const std::vector<long>& doubled) {
  const long total = std::accumulate(doubled.begin(), doubled.end(), 0L);
  std::vector<double> counts(static_cast<std::size_t>(total) + 1, 0);
  counts[0] = 1;
  long reach = 0;
  for (const long r : doubled) {
    for (long s = reach; s >= 0; --s) counts[static_cast<std::size_t>(s + r)] += counts[static_cast<std::size_t>(s)];
    reach += r;
  }
  return counts;
}

}  // namespace

TestResult paired_t(const std::vector<double>& d) {
  TestResult result;
  result.df = static_cast<double>(d.size()) - 1;
  if (d.size() < 2) return {NAN, result.df, NAN, false};
  const double m = mean(d), s = sample_std(d);
  if (s == 0) {
    result.statistic = m == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), m);
    result.p = m == 0 ? 1 : 0;
    return result;
  }
  result.statistic = m / (s / std::sqrt(static_cast<double>(d.size())));
  result.p = t_two_sided(result.statistic, result.df);
  return result;
}

double paired_t_greater(const std::vector<double>& d) {
  const TestResult two = paired_t(d);
  if (std::isnan(two.statistic)) return NAN;
  if (std::isinf(two.statistic)) return two.statistic > 0 ? 0 : 1;
  if (two.statistic == 0 && sample_std(d) == 0) return 1;
  return boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(two.df), two.statistic));
}

TestResult welch_t(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return {NAN, NAN, NAN, false};
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = sample_std(a) * sample_std(a) / na, vb = sample_std(b) * sample_std(b) / nb;
  TestResult result;
  const double difference = mean(a) - mean(b);
  if (va + vb == 0) {
    result.statistic = difference == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), difference);
    result.df = na + nb - 2;
    result.p = difference == 0 ? 1 : 0;
    return result;
  }
  result.statistic = difference / std::sqrt(va + vb);
  result.df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  result.p = t_two_sided(result.statistic, result.df);
  return result;
}

TestResult wilcoxon(const std::vector<double>& differences) {
  std::vector<double> d;
  for (const double x : differences) {
    if (x != 0) d.push_back(x);
  }
  TestResult result;
  if (d.empty()) return {0, 0, 1, true};
  std::vector<double> magnitude(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) magnitude[i] = std::abs(d[i]);
  std::vector<std::size_t> ties;
  const std::vector<double> ranks = midranks(magnitude, &ties);
  double w_plus = 0;
  for (std::size_t i = 0; i < d.size(); ++i) w_plus += d[i] > 0 ? ranks[i] : 0;
  result.statistic = w_plus;
  const double n = static_cast<double>(d.size());
  if (d.size() <= kExactWilcoxon) {
    std::vector<long> doubled(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) doubled[i] = std::lround(2 * ranks[i]);
    const std::vector<double> counts = signed_rank_counts(doubled);
    const double all = std::pow(2.0, n);
    const auto w = static_cast<std::size_t>(std::lround(2 * w_plus));
    double below = 0, above = 0;
    for (std::size_t s = 0; s < counts.size(); ++s) {
      if (s <= w) below += counts[s];
      if (s >= w) above += counts[s];
    }
    result.p = std::min(1.0, 2 * std::min(below, above) / all);
    result.exact = true;
    return result;
  }
  const double w_minus = n * (n + 1) / 2 - w_plus;
  const double t = std::min(w_plus, w_minus);
  double variance = n * (n + 1) * (2 * n + 1);
  for (const std::size_t g : ties) variance -= 0.5 * static_cast<double>(g * (g * g - 1));
  const double se = std::sqrt(variance / 24);
  double deviation = t - n * (n + 1) / 4;
  if (deviation != 0) deviation -= 0.5 * (deviation > 0 ? 1 : -1);  // continuity
  result.p = se > 0 ? std::min(1.0, 2 * normal_upper(std::abs(deviation / se))) : 1.0;
  return result;
}

TestResult mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return {NAN, 0, NAN, false};
  std::vector<double> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  std::vector<std::size_t> ties;
  const std::vector<double> ranks = midranks(pooled, &ties);
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size()), n = n1 + n2;
  double r1 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) r1 += ranks[i];
  const double u1 = r1 - n1 * (n1 + 1) / 2;
  const double u = std::max(u1, n1 * n2 - u1);
  TestResult result;
  result.statistic = u1;
  if (ties.empty() && std::min(a.size(), b.size()) <= kExactMannWhitney) {
    // Exact: arrangements of the two arms by their count of (a > b) pairs.
    const auto m = a.size(), k = b.size();
    // f[i][j][u]: ways for i values of a and j of b to give u pairs.
    const std::size_t top = m * k;
    std::vector<std::vector<std::vector<double>>> f(m + 1, std::vector<std::vector<double>>(k + 1, std::vector<double>(top + 1, 0)));
    for (std::size_t i = 0; i <= m; ++i) f[i][0][0] = 1;
    for (std::size_t j = 0; j <= k; ++j) f[0][j][0] = 1;
    for (std::size_t i = 1; i <= m; ++i) {
      for (std::size_t j = 1; j <= k; ++j) {
        for (std::size_t v = 0; v <= top; ++v) {
          // The largest value is a's (it beats all j of b) or b's.
          f[i][j][v] = (v >= j ? f[i - 1][j][v - j] : 0) + f[i][j - 1][v];
        }
      }
    }
    double total = 0, upper = 0;
    for (std::size_t v = 0; v <= top; ++v) {
      total += f[m][k][v];
      if (static_cast<double>(v) >= u) upper += f[m][k][v];
    }
    result.p = std::min(1.0, 2 * upper / total);
    result.exact = true;
    return result;
  }
  double tie_term = 0;
  for (const std::size_t g : ties) tie_term += static_cast<double>(g * g * g - g);
  const double s = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
  const double z = s > 0 ? (u - n1 * n2 / 2 - 0.5) / s : 0;
  result.p = s > 0 ? std::min(1.0, 2 * normal_upper(z)) : 1.0;
  return result;
}

double probability_of_improvement(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return NAN;
  double score = 0;
  for (const double x : a) {
    for (const double y : b) score += x > y ? 1.0 : x == y ? 0.5 : 0.0;
  }
  return score / (static_cast<double>(a.size()) * static_cast<double>(b.size()));
}

double cohens_dz(const std::vector<double>& d) {
  const double s = sample_std(d);
  return s > 0 ? mean(d) / s : NAN;
}

double cohens_d(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return NAN;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double sa = sample_std(a), sb = sample_std(b);
  const double pooled = std::sqrt(((na - 1) * sa * sa + (nb - 1) * sb * sb) / (na + nb - 2));
  return pooled > 0 ? (mean(a) - mean(b)) / pooled : NAN;
}

std::vector<double> holm(const std::vector<double>& p) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return p[i] < p[j]; });
  std::vector<double> adjusted(p.size(), NAN);
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(rank)) * p[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace regal::stats
