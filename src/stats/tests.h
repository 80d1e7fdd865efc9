#pragma once
// Tests between two arms over seeds (no I/O). Two-sided p-values unless
// said otherwise. References: Student's and Welch's t; Wilcoxon's signed-rank
// test with midranks, zeros dropped (Wilcoxon's method), exact conditional
// distribution up to 25 pairs, normal approximation with tie and continuity
// corrections above; Mann-Whitney U likewise (exact without ties when an arm
// has at most 8 runs); rliable's probability of improvement; Cohen's d and
// d_z; Holm-Bonferroni. Each was checked against scipy 1.10 or a brute-force
// enumeration (tests/unit/stats_test.cc).
#include <cstddef>
#include <vector>

namespace regal::stats {

struct TestResult {
  double statistic = 0;  // t, W+ or U (of the first arm)
  double df = 0;         // degrees of freedom (t tests), else 0
  double p = 1;          // two-sided p-value (NaN when the test cannot be made)
  bool exact = false;    // the p-value comes from the exact distribution
};

// Paired t over differences a_i - b_i: H0 mean difference 0. Fewer than 2
// differences: NaN. All differences equal: p 0 (or 1 when they are 0).
TestResult paired_t(const std::vector<double>& differences);
// One-sided: H1 mean difference > 0.
double paired_t_greater(const std::vector<double>& differences);
// Welch's t for unmatched arms.
TestResult welch_t(const std::vector<double>& a, const std::vector<double>& b);
// Wilcoxon signed-rank over differences (zeros dropped). W+ is the statistic.
TestResult wilcoxon(const std::vector<double>& differences);
// Mann-Whitney U of a against b (midranks). U counts pairs a > b, ties half.
TestResult mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

// P(X > Y) for X from a and Y from b, ties counting half (rliable).
double probability_of_improvement(const std::vector<double>& a, const std::vector<double>& b);
// Cohen's d_z for paired differences: mean / sample std.
double cohens_dz(const std::vector<double>& differences);
// Cohen's d for unmatched arms: difference of means over the pooled std.
double cohens_d(const std::vector<double>& a, const std::vector<double>& b);

// Holm-Bonferroni adjusted p-values, in the order given. NaN stays NaN and
// does not count towards the family.
std::vector<double> holm(const std::vector<double>& p);

}  // namespace regal::stats
