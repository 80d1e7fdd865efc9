#pragma once
// Quantiles of the distributions the statistics need, through Boost.Math.
// No I/O, no torch.
namespace regal::stats {

// The p-quantile of Student's t with `df` degrees of freedom (df > 0,
// 0 < p < 1). NaN when df is 0.
double student_t_quantile(double p, double df);

// The p-quantile of the standard normal distribution (0 < p < 1).
double normal_quantile(double p);

}  // namespace regal::stats
