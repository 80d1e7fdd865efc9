#pragma once
// Descriptive statistics over a sample (no I/O, no torch). An empty sample
// gives NaN for every statistic; a sample of one has a NaN std and interval.
#include <cstddef>
#include <vector>

namespace regal::stats {

double mean(const std::vector<double>& values);
// Sample standard deviation (divisor n - 1).
double sample_std(const std::vector<double>& values);
double median(const std::vector<double>& values);
// Interquartile mean: the mean of what remains after floor(n / 4) values are
// cut from each end of the sorted sample (scipy's trim_mean(x, 0.25), as
// rliable uses it). Robust to the odd outlier seed, less noisy than the median.
double iqm(const std::vector<double>& values);
// Half-width of the two-sided Student-t interval of the mean at `confidence`.
double t_half_width(const std::vector<double>& values, double confidence = 0.95);

struct Summary {
  std::size_t n = 0;
  double mean = 0, std = 0, median = 0, iqm = 0, min = 0, max = 0;
  double t_half_width = 0;  // 95% Student-t interval: mean ± this
};
Summary summarize(const std::vector<double>& values);

// The q-quantile of sorted values with linear interpolation between order
// statistics (numpy's default, "type 7"). `sorted` must be sorted and non-empty.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace regal::stats
