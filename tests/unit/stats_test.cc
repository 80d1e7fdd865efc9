#include <gtest/gtest.h>

#include <cmath>

#include "stats/distributions.h"

using namespace regal::stats;

// Reference values: scipy 1.10.1, stats.t.ppf(p, df) and stats.norm.ppf(p).
// scipy's t quantiles (cephes) are good to about 1e-10 relative; the closed
// forms for df = 1 and 2 show Boost is the closer one there.
TEST(Distributions, StudentTQuantilesMatchScipy) {
  const std::pair<double, double> cases[] = {
      {1, 12.706204736432095}, {2, 4.302652729911275},  {3, 3.182446305284263},   {4, 2.7764451051977987},
      {5, 2.5705818366147395}, {9, 2.2621571627409915}, {10, 2.2281388519649385}, {29, 2.045229642132703},
      {30, 2.0422724563012373}, {31, 2.0395134463964077}, {100, 1.9839715184496334}, {1000, 1.9623390808264074}};
  for (const auto& [df, expected] : cases) EXPECT_NEAR(student_t_quantile(0.975, df), expected, 1e-9 * expected) << df;
  EXPECT_NEAR(student_t_quantile(0.995, 7), 3.4994832973505026, 1e-9);
  // Closed forms: t(p, 1) = tan(pi (p - 1/2)); t(p, 2) = (2p - 1) / sqrt(2 p (1 - p)).
  EXPECT_NEAR(student_t_quantile(0.975, 1), std::tan(M_PI * 0.475), 1e-13);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-14);
  EXPECT_TRUE(std::isnan(student_t_quantile(0.975, 0)));
}

TEST(Distributions, NormalQuantilesMatchScipy) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.05), -1.6448536269514729, 1e-14);
  EXPECT_TRUE(std::isnan(normal_quantile(1.0)));
}
