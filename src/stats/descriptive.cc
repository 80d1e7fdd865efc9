// Sums run in the order given, so the same sample always gives the same bits.
#include "stats/descriptive.h"

#include <algorithm>
#include <cmath>

#include "stats/distributions.h"

namespace regal::stats {

double mean(const std::vector<double>& values) {
  if (values.empty()) return NAN;
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double sample_std(const std::vector<double>& values) {
  if (values.size() < 2) return NAN;
  const double m = mean(values);
  double squares = 0;
  for (const double v : values) squares += (v - m) * (v - m);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double median(const std::vector<double>& values) {
  if (values.empty()) return NAN;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  return quantile_sorted(sorted, 0.5);
}

double iqm(const std::vector<double>& values) {
  if (values.empty()) return NAN;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t cut = sorted.size() / 4;
  double sum = 0;
  for (std::size_t i = cut; i < sorted.size() - cut; ++i) sum += sorted[i];
  return sum / static_cast<double>(sorted.size() - 2 * cut);
}

double t_half_width(const std::vector<double>& values, double confidence) {
  if (values.size() < 2) return NAN;
  const double n = static_cast<double>(values.size());
  return student_t_quantile(0.5 + confidence / 2, n - 1) * sample_std(values) / std::sqrt(n);
}

Summary summarize(const std::vector<double>& values) {
  Summary s;
  s.n = values.size();
  s.mean = mean(values);
  s.std = sample_std(values);
  s.median = median(values);
  s.iqm = iqm(values);
  s.min = values.empty() ? NAN : *std::min_element(values.begin(), values.end());
  s.max = values.empty() ? NAN : *std::max_element(values.begin(), values.end());
  s.t_half_width = t_half_width(values);
  return s;
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace regal::stats
