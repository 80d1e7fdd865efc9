#pragma once
// Scaling-law fits (no I/O): error(x) = E + A * x^(-alpha) with E >= 0 (the
// "saturating" law, Hoffmann et al. 2022, eq. 2 in one variable), and the
// pure power law error(x) = A * x^(-alpha) (E = 0).
//
// Both are fitted robustly in log space, as Hoffmann et al. do: minimise
// sum_i Huber_delta(log y_i - log f(x_i)) with delta = 1e-3, over
// (log A, alpha, log E) for the saturating law (so E > 0; E = 0 is the power
// law), from a fixed grid of starting points (the power law's optimum among
// them, so the saturating law never fits worse), each refined by Nelder-Mead;
// the best objective wins (the first start on ties), so the result is
// deterministic. x is centred on its geometric mean inside the fit for
// conditioning; A is reported in x's own units.
//
// The bootstrap interval for alpha resamples the points within each distinct
// x (seeds within a model size), refits each resample from the point
// estimate, and takes percentile quantiles
// (seeded: Rng(seed), the same procedure order as bootstrap.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stats/bootstrap.h"

namespace regal::stats {

enum class Law { kSaturating, kPower };

struct LawFit {
  Law law = Law::kSaturating;
  double alpha = 0, A = 0, E = 0;  // E = 0 for the power law
  double objective = 0;            // the Huber loss at the optimum
  double r2 = 0;                   // of log error, against its mean (the space the fit is done in)
  double predict(double x) const;  // E + A x^-alpha
};

// Fits one law to the points (x_i > 0, y_i > 0). Needs two distinct x for the
// power law and three for the saturating law; nullopt otherwise.
std::optional<LawFit> fit_law(Law law, const std::vector<double>& x, const std::vector<double>& y);

// The Huber loss used, for tests and twins.
inline constexpr double kHuberDelta = 1e-3;
double huber(double residual, double delta = kHuberDelta);

struct FitPoint {
  double x = 0;
  std::size_t n = 0;            // runs at this x
  double mean = 0;              // mean error over them
  double predicted = 0;         // the fit at x
  double residual = 0;          // mean - predicted
};

struct FitResult {
  LawFit fit;
  std::optional<Interval> alpha_interval;  // nullopt: no resampling possible (one run per x)
  std::vector<FitPoint> points;            // per distinct x, ascending
  // The largest x held out: the law fitted to the rest predicts it (needs one
  // more distinct x than the fit itself).
  std::optional<double> holdout_x, holdout_predicted, holdout_observed;
  std::vector<std::string> warnings;       // what the numbers cannot support
};

struct FitOptions {
  std::size_t resamples = 2000;
  double confidence = 0.95;
  std::uint64_t seed = 20211206;
  double floor = 1e-4;  // errors below it (a perfect run) are raised to it before the log, with a warning
};

// The whole analysis of one group: fit, interval, residuals, hold-out.
// nullopt when the law cannot be fitted at all (too few distinct x); the
// caller reports why through `why`.
std::optional<FitResult> fit_scaling(Law law, const std::vector<double>& x, const std::vector<double>& y,
                                     const FitOptions& options, std::string* why = nullptr);

const char* law_name(Law law);  // "saturating" | "power"

}  // namespace regal::stats
