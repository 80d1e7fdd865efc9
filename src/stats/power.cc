// Power of the t test: P(|T'| > t_{1-alpha/2, df}) with T' noncentral t of
// noncentrality effect / sd * sqrt(n) (paired) or effect / sd * sqrt(n / 2)
// (two arms of n). The search doubles n, then bisects: power grows with n.
#include "stats/power.h"

#include <cmath>

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace regal::stats {

double t_test_power(double effect, double sd, std::size_t n, double alpha, bool paired) {
  if (!(sd > 0) || n < 2) return NAN;
  const double nn = static_cast<double>(n);
  const double df = paired ? nn - 1 : 2 * nn - 2;
  const double noncentrality = std::abs(effect) / sd * std::sqrt(paired ? nn : nn / 2);
  const double critical = boost::math::quantile(boost::math::students_t_distribution<double>(df), 1 - alpha / 2);
  const boost::math::non_central_t_distribution<double> shifted(df, noncentrality);
  return boost::math::cdf(boost::math::complement(shifted, critical)) + boost::math::cdf(shifted, -critical);
}

std::size_t seeds_needed(double effect, double sd, double alpha, double power, bool paired) {
  if (!(sd > 0) || effect == 0 || std::isnan(effect)) return 0;
  std::size_t high = 2;
  while (t_test_power(effect, sd, high, alpha, paired) < power) {
    if (high > kMaxSeeds) return kMaxSeeds + 1;
    high *= 2;
  }
  std::size_t low = high / 2 < 2 ? 2 : high / 2;
  if (t_test_power(effect, sd, low, alpha, paired) >= power) return low;
  while (high - low > 1) {
    const std::size_t middle = (low + high) / 2;
    (t_test_power(effect, sd, middle, alpha, paired) >= power ? high : low) = middle;
  }
  return high;
}

}  // namespace regal::stats
