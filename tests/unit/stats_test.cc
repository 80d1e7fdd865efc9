#include <gtest/gtest.h>

#include <cmath>

#include "stats/bootstrap.h"
#include "stats/descriptive.h"
#include "stats/distributions.h"
#include "stats/power.h"
#include "stats/tests.h"
#include "util/rng.h"

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

// ---- Descriptive statistics, bootstrap, tests and power. Reference values:
// tests/reference/stats_reference.py (scipy 1.10, brute-force enumeration,
// and a Python implementation of the bootstrap procedure of bootstrap.h).


namespace {
const std::vector<double> kA = {0.91, 0.85, 0.88, 0.95, 0.79, 0.93, 0.87, 0.90};
const std::vector<double> kB = {0.72, 0.80, 0.75, 0.85, 0.70, 0.88, 0.69, 0.77};
std::vector<double> differences() {
  std::vector<double> d;
  for (std::size_t i = 0; i < kA.size(); ++i) d.push_back(kA[i] - kB[i]);
  return d;
}
}  // namespace

TEST(Descriptive, IqmIsScipysTrimMean) {
  EXPECT_NEAR(iqm({3, 1, 4, 1, 5, 9, 2, 6, 5, 3}), 3.6666666666666665, 1e-15);
  EXPECT_NEAR(iqm({0.5, 0.7, 0.9}), 0.7, 1e-15);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_TRUE(std::isnan(sample_std({1.0})));
}

TEST(Tests, TAndRankTestsMatchScipy) {
  const TestResult t = paired_t(differences());
  EXPECT_NEAR(t.statistic, 6.14700856398576, 1e-12);
  EXPECT_NEAR(t.p, 0.0004689113778776485, 1e-12);
  EXPECT_NEAR(paired_t_greater(differences()), 0.00023445568893882426, 1e-12);
  const TestResult welch = welch_t(kA, kB);
  EXPECT_NEAR(welch.statistic, 3.803267509655348, 1e-12);
  EXPECT_NEAR(welch.p, 0.002265649780403888, 1e-12);
  const TestResult w = wilcoxon(differences());
  EXPECT_TRUE(w.exact);
  EXPECT_EQ(w.statistic, 36);
  EXPECT_NEAR(w.p, 0.0078125, 1e-15);
  // With ties the exact distribution over midranks, as a brute-force
  // enumeration of all 2^8 sign patterns gives it.
  const TestResult tied = wilcoxon({0.1, -0.2, 0.2, 0.3, 0.3, -0.1, 0.4, 0.2});
  EXPECT_EQ(tied.statistic, 30.5);
  EXPECT_NEAR(tied.p, 0.1015625, 1e-15);
  // Normal approximation above 25 pairs: ties, zeros dropped, continuity.
  std::vector<double> big;
  for (int i = 0; i < 40; ++i) big.push_back(static_cast<double>((i * 37) % 23 - 9) / 10);
  const TestResult approx = wilcoxon(big);
  EXPECT_FALSE(approx.exact);
  EXPECT_NEAR(approx.p, 0.11612287173808503, 1e-12);
  const TestResult u = mann_whitney(kA, {0.72, 0.80, 0.75, 0.84, 0.70, 0.89, 0.69, 0.77});  // no ties: exact
  EXPECT_TRUE(u.exact);
  EXPECT_EQ(u.statistic, 58);
  EXPECT_NEAR(u.p, 0.004662004662004662, 1e-15);
  const TestResult u_ties = mann_whitney({1, 2, 2, 3, 5, 5, 6, 8, 9, 9}, {2, 3, 3, 4, 4, 6, 7, 7, 8, 10, 11});
  EXPECT_FALSE(u_ties.exact);
  EXPECT_EQ(u_ties.statistic, 45);
  EXPECT_NEAR(u_ties.p, 0.5015636343528609, 1e-12);
  EXPECT_FALSE(mann_whitney(kA, kB).exact) << "0.85 is in both arms: a tie, so the normal approximation";
  EXPECT_DOUBLE_EQ(probability_of_improvement({1, 2}, {2, 0}), 0.625);  // (0.5 + 1 + 0 + 1) / 4
}

TEST(Tests, HolmAdjustsInTheGivenOrder) {
  const std::vector<double> adjusted = holm({0.01, 0.04, 0.03, 0.005});
  const std::vector<double> expected = {0.03, 0.06, 0.06, 0.02};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(adjusted[i], expected[i], 1e-15) << i;
  const std::vector<double> with_nan = holm({0.02, NAN, 0.01});
  EXPECT_NEAR(with_nan[0], 0.02, 1e-15);
  EXPECT_TRUE(std::isnan(with_nan[1]));
  EXPECT_NEAR(with_nan[2], 0.02, 1e-15);
}

TEST(Bootstrap, MatchesAnIndependentImplementationOfTheProcedure) {
  const Interval m = bootstrap_interval(std::vector<double>{0.61, 0.72, 0.55, 0.80, 0.67}, Statistic::kMean, 2000, 0.95, 42);
  EXPECT_NEAR(m.lo, 0.5960000000000001, 1e-12);
  EXPECT_NEAR(m.hi, 0.748, 1e-12);
  const Interval q = bootstrap_interval({{0.5, 0.6, 0.9}, {0.7, 0.75, 0.8, 0.95}}, Statistic::kIqm, 500, 0.95, 7);
  EXPECT_NEAR(q.lo, 0.65, 1e-12);
  EXPECT_NEAR(q.hi, 0.8752499999999996, 1e-12);
}

// A 95% interval covers the true mean of a known distribution in 93-97% of
// 1,000 samples of 50 (exponential, mean 1: skewed, where t intervals strain).
TEST(Bootstrap, CoversTheTrueMeanAsOftenAsItClaims) {
  regal::Rng rng(2026);
  int covered = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    std::vector<double> sample(50);
    for (double& x : sample) x = -std::log(1 - rng.uniform01());
    const Interval i = bootstrap_interval(sample, Statistic::kMean, 2000, 0.95, static_cast<std::uint64_t>(trial));
    covered += i.lo <= 1.0 && 1.0 <= i.hi ? 1 : 0;
  }
  RecordProperty("covered_of_1000", covered);  // in --gtest_output=xml
  EXPECT_GE(covered, 930);
  EXPECT_LE(covered, 970);
}

TEST(Power, SeedsNeededMatchTheNoncentralT) {
  // scipy: power(d = 0.5, n = 34) = 0.8078, n = 33: 0.7954 (paired); 64 / 63 per arm unpaired.
  EXPECT_NEAR(t_test_power(0.5, 1.0, 34, 0.05, true), 0.8077775012792737, 1e-9);
  EXPECT_NEAR(t_test_power(0.5, 1.0, 64, 0.05, false), 0.8014595579287103, 1e-9);
  EXPECT_EQ(seeds_needed(0.5, 1.0, 0.05, 0.8, true), 34U);
  EXPECT_EQ(seeds_needed(0.5, 1.0, 0.05, 0.8, false), 64U);
  EXPECT_EQ(seeds_needed(0.0, 1.0, 0.05, 0.8, true), 0U);
}
