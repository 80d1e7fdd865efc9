// Scaling-law fits (src/stats/fit.h): against scipy on the same objective,
// recovery of a known exponent, and the warnings a reader relies on.
#include <gtest/gtest.h>

#include <cmath>

#include "stats/fit.h"
#include "util/rng.h"

using namespace regal::stats;

namespace {

// tests/reference/fit_reference.py: 5 sizes x 3 seeds of
// (0.05 + 2 x^-0.5) * exp(noise), with the noise written there.
const std::vector<double> kX = {1e3, 1e3, 1e3, 3e3, 3e3, 3e3, 1e4, 1e4, 1e4, 3e4, 3e4, 3e4, 1e5, 1e5, 1e5};
const std::vector<double> kY = {0.11669439374848435, 0.11100314100783047, 0.11438368993460046, 0.08312254188004714,
                                0.08826255280998128, 0.08651483716701108, 0.0735889767463217,  0.06930348836244177,
                                0.06793118734839558, 0.06279033736717908, 0.06032829302319715, 0.06405878632272818,
                                0.055764116630895234, 0.0580398934027567, 0.053577574342622565};

}  // namespace

TEST(Fit, HuberIsQuadraticThenLinear) {
  EXPECT_DOUBLE_EQ(huber(0.0005), 0.5 * 0.0005 * 0.0005);
  EXPECT_DOUBLE_EQ(huber(-0.1), 1e-3 * (0.1 - 0.5e-3));
}

TEST(Fit, MatchesScipyOnTheSameObjective) {
  // scipy 1.10, L-BFGS-B and Powell from 27 starts (fit_reference.py):
  //   saturating: alpha 0.5144679648  A 2.259594688  E 0.04973478597  objective 0.0003565340418
  //   power:      alpha 0.1424298584  A 0.275968942  objective 0.000735776074
  const auto saturating = fit_law(Law::kSaturating, kX, kY);
  ASSERT_TRUE(saturating);
  EXPECT_NEAR(saturating->alpha, 0.5144679648, 1e-4);
  EXPECT_NEAR(saturating->A, 2.259594688, 2e-3);
  EXPECT_NEAR(saturating->E, 0.04973478597, 1e-5);
  EXPECT_LE(saturating->objective, 0.0003565340418 * (1 + 1e-6));
  const auto power = fit_law(Law::kPower, kX, kY);
  ASSERT_TRUE(power);
  EXPECT_NEAR(power->alpha, 0.1424298584, 1e-5);
  EXPECT_NEAR(power->A, 0.275968942, 1e-4);
  EXPECT_EQ(power->E, 0.0);
  EXPECT_LE(power->objective, 0.000735776074 * (1 + 1e-6));
  // The saturating law describes these data; the pure power law does worse.
  EXPECT_GT(saturating->r2, power->r2);
}

TEST(Fit, ExactDataGiveTheLawBackAndPredictTheHeldOutSize) {
  std::vector<double> x, y;
  for (const double size : {1e3, 2e3, 5e3, 1e4, 2e4, 5e4}) {
    for (int seed = 0; seed < 2; ++seed) x.push_back(size), y.push_back(0.02 + 3.0 * std::pow(size, -0.7));
  }
  const auto result = fit_scaling(Law::kSaturating, x, y, {});
  ASSERT_TRUE(result);
  EXPECT_NEAR(result->fit.alpha, 0.7, 1e-5);
  EXPECT_NEAR(result->fit.E, 0.02, 1e-7);
  EXPECT_NEAR(result->fit.r2, 1.0, 1e-9);
  ASSERT_TRUE(result->holdout_x);
  EXPECT_EQ(*result->holdout_x, 5e4);
  EXPECT_NEAR(*result->holdout_predicted, *result->holdout_observed, 1e-7);
  ASSERT_EQ(result->points.size(), 6U);
  for (const auto& point : result->points) EXPECT_NEAR(point.residual, 0.0, 1e-7);
}

TEST(Fit, RecoversAKnownExponentWithinItsInterval) {
  // 6 sizes x 8 seeds, error = (0.05 + 2 x^-0.5) * lognormal(0, 0.05) noise.
  regal::Rng rng(7);
  std::vector<double> x, y;
  for (const double size : {1e3, 3e3, 1e4, 3e4, 1e5, 3e5}) {
    for (int seed = 0; seed < 8; ++seed) {
      const double u1 = rng.uniform01() + 1e-12, u2 = rng.uniform01();
      const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
      x.push_back(size);
      y.push_back((0.05 + 2.0 * std::pow(size, -0.5)) * std::exp(0.05 * normal));
    }
  }
  FitOptions options;
  options.resamples = 400;
  const auto result = fit_scaling(Law::kSaturating, x, y, options);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->alpha_interval);
  EXPECT_LE(result->alpha_interval->lo, 0.5);
  EXPECT_GE(result->alpha_interval->hi, 0.5);
  EXPECT_LT(result->alpha_interval->hi - result->alpha_interval->lo, 0.6);
  EXPECT_NEAR(result->fit.alpha, 0.5, 0.15);
  // Same inputs, same seed: the same interval.
  const auto again = fit_scaling(Law::kSaturating, x, y, options);
  EXPECT_EQ(again->alpha_interval->lo, result->alpha_interval->lo);
  EXPECT_EQ(again->alpha_interval->hi, result->alpha_interval->hi);
}

TEST(Fit, SaysWhatTheDataCannotSupport) {
  std::string why;
  EXPECT_FALSE(fit_scaling(Law::kSaturating, {1e3, 1e3, 1e4}, {0.2, 0.21, 0.1}, {}, &why));
  EXPECT_EQ(why, "needs 3 distinct x, has 2");
  EXPECT_TRUE(fit_scaling(Law::kPower, {1e3, 1e3, 1e4}, {0.2, 0.21, 0.1}, {}));

  // One run per size: no interval; three sizes for three parameters; no hold-out.
  const auto thin = fit_scaling(Law::kSaturating, {1e3, 1e4, 1e5}, {0.3, 0.1, 0.05}, {});
  ASSERT_TRUE(thin);
  EXPECT_FALSE(thin->alpha_interval);
  EXPECT_FALSE(thin->holdout_x);
  auto has = [](const FitResult& r, const std::string& text) {
    for (const auto& w : r.warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(*thin, "one run per x"));
  EXPECT_TRUE(has(*thin, "3 parameters on 3 sizes"));
  EXPECT_TRUE(has(*thin, "no hold-out"));

  // Perfect runs (error 0) are floored before the log, and said so.
  const auto perfect = fit_scaling(Law::kPower, {1e3, 1e4, 1e5}, {0.3, 0.1, 0.0}, {});
  ASSERT_TRUE(perfect);
  EXPECT_TRUE(has(*perfect, "raised to it before the log"));

  // Error growing with size.
  const auto rising = fit_scaling(Law::kPower, {1e3, 1e4, 1e5}, {0.1, 0.2, 0.4}, {});
  ASSERT_TRUE(rising);
  EXPECT_TRUE(has(*rising, "does not fall"));
}
