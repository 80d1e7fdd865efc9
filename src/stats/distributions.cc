// Boost.Math's quantiles, with its error policy set to return NaN rather than
// throw for arguments outside the domain, so that a table cell with too few
// runs reads as empty instead of stopping a reducer.
#include "stats/distributions.h"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

namespace regal::stats {
namespace {

using Policy = boost::math::policies::policy<boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                             boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;

}  // namespace

double student_t_quantile(double p, double df) {
  if (!(df > 0) || !(p > 0 && p < 1)) return NAN;
  return boost::math::quantile(boost::math::students_t_distribution<double, Policy>(df), p);
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) return NAN;
  return boost::math::quantile(boost::math::normal_distribution<double, Policy>(0.0, 1.0), p);
}

}  // namespace regal::stats
