#include <cmath>
#include <map>

#include "fsm_test_util.h"

using namespace regal::fsm;
using regal::Rng;
using regal::fsm::testing::all_strings;
using regal::fsm::testing::compile;

TEST(Count, EqualsBruteForceEnumeration) {
  const std::vector<std::pair<std::string, std::string>> languages = {
      {"(b*ab*a)*b*", "ab"}, {"(ab)*", "ab"},         {"~(.*aa.*)", "ab"}, {"(a|b)c", "abc"},
      {"a*b*", "ab"},        {"(a|bc)*(c|)", "abc"}, {"~(a|b)*", "ab"},   {"(a|b)*a(a|b){2}", "ab"}};
  for (const auto& [regex, symbols] : languages) {
    const Dfa dfa = compile(regex, symbols);
    const auto counts = count_accepted(dfa, 9);
    std::vector<std::uint64_t> brute(10, 0);
    for (const auto& s : all_strings(symbols, 9)) brute[s.size()] += dfa.accepts_text(s) ? 1U : 0U;
    for (std::size_t n = 0; n <= 9; ++n) EXPECT_EQ(to_u64(counts[n]), brute[n]) << regex << " at length " << n;
  }
}

TEST(Count, ExactBeyondSixtyFourBits) {
  const auto all = count_accepted(compile("(a|b)*"), 200);
  EXPECT_EQ(all[100].str(), "1267650600228229401496703205376");  // 2^100
  Count power = 1;
  for (int i = 0; i < 199; ++i) power *= 2;
  EXPECT_EQ(count_accepted(compile("(b*ab*a)*b*"), 200)[200], power);  // half of 2^200
  // Fibonacci growth of strings without "aa": count(n) = F(n+2).
  const auto no_aa = count_accepted(compile("~(.*aa.*)"), 120);
  for (std::size_t n = 2; n <= 120; ++n) EXPECT_EQ(no_aa[n], no_aa[n - 1] + no_aa[n - 2]) << n;
  EXPECT_EQ(no_aa[90].str(), "7540113804746346429");  // F(92)
}

TEST(Count, ConversionsAndRatios) {
  Count a = 0xffffffffffffffffULL;
  EXPECT_EQ(to_u64(a), 0xffffffffffffffffULL);
  a += 1;
  EXPECT_EQ(a.str(), "18446744073709551616");
  EXPECT_FALSE(to_u64(a).has_value());
  EXPECT_DOUBLE_EQ(count_ratio(3, 4), 0.75);
  EXPECT_EQ(count_ratio(0, 4), 0.0);
  Count huge = 1;
  for (int i = 0; i < 3000; ++i) huge *= 3;  // far beyond double range
  EXPECT_NEAR(count_ratio(huge, huge * 3), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(count_ratio(huge * 2, huge), 2.0, 1e-15);
  // Truncated, not rounded: 2^60 - 1 keeps its top 53 bits, all ones.
  const Count ones = (Count(1) << 60) - 1;
  EXPECT_EQ(count_ratio(ones, Count(1) << 60), 1.0 - std::ldexp(1.0, -53));
}

namespace {

// Pearson's chi-square statistic of observed counts against a uniform expectation.
double chi_square(const std::map<std::string, int>& observed, std::size_t categories, int draws) {
  const double expected = static_cast<double>(draws) / static_cast<double>(categories);
  double statistic = 0;
  for (const auto& [key, count] : observed) statistic += (count - expected) * (count - expected) / expected;
  statistic += static_cast<double>(categories - observed.size()) * expected;  // categories never drawn
  return statistic;
}

}  // namespace

TEST(Sample, UniformByChiSquare) {
  // a*b* at length 8 has 9 strings; a walk that picked symbols uniformly among
  // live ones would favour some heavily. ~(.*aa.*) at length 8 has 55.
  const std::vector<std::tuple<std::string, std::size_t, double>> cases = {
      {"a*b*", 9, 26.12},       // chi-square 0.999 quantile, 8 degrees of freedom
      {"~(.*aa.*)", 55, 88.24},  // 54 degrees of freedom
  };
  for (const auto& [regex, categories, critical] : cases) {
    const Dfa dfa = compile(regex);
    const UniformSampler sampler(dfa, 8);
    ASSERT_EQ(to_u64(sampler.count(8)), categories);
    Rng rng(12345);
    const int draws = 20000;
    std::map<std::string, int> observed;
    for (int i = 0; i < draws; ++i) {
      const Symbols s = sampler.sample(8, rng);
      ASSERT_TRUE(dfa.accepts(s));
      ++observed[to_text(dfa.alphabet(), s)];
    }
    EXPECT_EQ(observed.size(), categories) << regex;
    EXPECT_LT(chi_square(observed, categories, draws), critical) << regex;
  }
}

TEST(Sample, RejectedStringsComeFromTheComplement) {
  const Dfa dfa = compile("(b*ab*a)*b*");
  const UniformSampler rejected(complement(dfa), 30);
  Rng rng(3);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(dfa.accepts(rejected.sample(1 + static_cast<std::size_t>(i % 30), rng)));
}

TEST(Sample, SameSeedSameStringsAndLongLengthsStayInTheLanguage) {
  const Dfa dfa = compile("(a|b)*a(a|b){3}");
  const UniformSampler sampler(dfa, 500);
  Rng first(99), second(99), other(100);
  std::string a, b, c;
  for (int i = 0; i < 20; ++i) {
    const Symbols s = sampler.sample(500, first);
    ASSERT_TRUE(dfa.accepts(s));
    a += to_text(dfa.alphabet(), s);
    b += to_text(dfa.alphabet(), sampler.sample(500, second));
    c += to_text(dfa.alphabet(), sampler.sample(500, other));
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Sample, EmptyLengthsCannotBeSampled) {
  const UniformSampler sampler(compile("(ab)*"), 10);
  EXPECT_TRUE(sampler.can_sample(4));
  EXPECT_FALSE(sampler.can_sample(5));
  EXPECT_FALSE(sampler.can_sample(11));
  EXPECT_TRUE(sampler.can_sample(0));
}
