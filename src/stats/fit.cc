// Scaling-law fits: Huber regression in log space by Nelder-Mead from a
// fixed grid of starts (see fit.h for the model and the procedure). Nothing
// here depends on the order of evaluation beyond the inputs' order, so the
// same points and seed give the same numbers.
#include "stats/fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "stats/descriptive.h"
#include "util/rng.h"

namespace regal::stats {
namespace {

constexpr double kHuge = 1e300;

// Parameters: [a, alpha, e] with a = log of the power term at the reference
// x, e = log E (saturating only).
using Params = std::array<double, 3>;

struct Problem {
  Law law;
  std::vector<double> u;   // log x - reference
  std::vector<double> ly;  // log y
  double reference = 0;    // mean log x
  std::size_t dims() const { return law == Law::kSaturating ? 3 : 2; }
};

double log_prediction(const Problem& p, const Params& q, double u) {
  const double power = q[0] - q[1] * u;
  if (p.law == Law::kPower) return power;
  const double hi = std::max(power, q[2]), lo = std::min(power, q[2]);
  return hi + std::log1p(std::exp(lo - hi));
}

double objective(const Problem& p, const Params& q) {
  if (!std::isfinite(q[0]) || !std::isfinite(q[1]) || std::abs(q[1]) > 20 || std::abs(q[0]) > 200) return kHuge;
  if (p.law == Law::kSaturating && (!std::isfinite(q[2]) || q[2] < -200 || q[2] > 200)) return kHuge;
  double sum = 0;
  for (std::size_t i = 0; i < p.u.size(); ++i) sum += huber(p.ly[i] - log_prediction(p, q, p.u[i]));
  return sum;
}

// Nelder-Mead with the standard coefficients (reflection 1, expansion 2,
// contraction 0.5, shrink 0.5), a fixed initial simplex, and two restarts
// from the best vertex (the method can stall on a kinked objective).
Params nelder_mead(const Problem& p, Params start, double* best_value) {
  const std::size_t n = p.dims();
  const std::array<double, 3> step = {0.5, 0.25, 1.0};
  Params best = start;
  double best_f = objective(p, best);
  for (int restart = 0; restart < 3; ++restart) {
    std::vector<Params> simplex(n + 1, best);
    std::vector<double> f(n + 1);
    for (std::size_t i = 0; i < n; ++i) simplex[i + 1][i] += step[i];
    for (std::size_t i = 0; i <= n; ++i) f[i] = objective(p, simplex[i]);
    for (int iteration = 0; iteration < 4000; ++iteration) {
      std::vector<std::size_t> order(n + 1);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return f[i] < f[j]; });
      std::vector<Params> s2;
      std::vector<double> f2;
      for (const auto i : order) s2.push_back(simplex[i]), f2.push_back(f[i]);
      simplex.swap(s2);
      f.swap(f2);
      double size = 0;
      for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t d = 0; d < n; ++d) size = std::max(size, std::abs(simplex[i][d] - simplex[0][d]));
      }
      if (std::abs(f[n] - f[0]) <= 1e-13 * (1 + std::abs(f[0])) && size < 1e-8) break;
      Params centroid{};
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t d = 0; d < n; ++d) centroid[d] += simplex[i][d] / static_cast<double>(n);
      }
      auto along = [&](double t) {
        Params q = simplex[n];
        for (std::size_t d = 0; d < n; ++d) q[d] = centroid[d] + t * (centroid[d] - simplex[n][d]);
        return q;
      };
      const Params reflected = along(1.0);
      const double fr = objective(p, reflected);
      if (fr < f[0]) {
        const Params expanded = along(2.0);
        const double fe = objective(p, expanded);
        if (fe < fr) simplex[n] = expanded, f[n] = fe;
        else simplex[n] = reflected, f[n] = fr;
        continue;
      }
      if (fr < f[n - 1]) {
        simplex[n] = reflected, f[n] = fr;
        continue;
      }
      const bool outside = fr < f[n];
      const Params contracted = along(outside ? 0.5 : -0.5);
      const double fc = objective(p, contracted);
      if (fc < (outside ? fr : f[n])) {
        simplex[n] = contracted, f[n] = fc;
        continue;
      }
      for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t d = 0; d < n; ++d) simplex[i][d] = simplex[0][d] + 0.5 * (simplex[i][d] - simplex[0][d]);
        f[i] = objective(p, simplex[i]);
      }
    }
    const auto at = static_cast<std::size_t>(std::min_element(f.begin(), f.end()) - f.begin());
    if (f[at] < best_f) best_f = f[at], best = simplex[at];
    else if (restart > 0) break;
  }
  *best_value = best_f;
  return best;
}

Problem problem_of(Law law, const std::vector<double>& x, const std::vector<double>& y) {
  Problem p;
  p.law = law;
  for (const double v : x) p.reference += std::log(v);
  p.reference /= static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    p.u.push_back(std::log(x[i]) - p.reference);
    p.ly.push_back(std::log(y[i]));
  }
  return p;
}

// Fits from the given starts; the best objective wins, the first on ties.
std::pair<Params, double> best_of(const Problem& p, const std::vector<Params>& from) {
  Params best{};
  double best_f = std::numeric_limits<double>::infinity();
  for (const auto& start : from) {
    double f = 0;
    const Params q = nelder_mead(p, start, &f);
    if (f < best_f) best_f = f, best = q;
  }
  return {best, best_f};
}

// The fixed starting grid, built from the data's scale.
std::vector<Params> starts(const Problem& p, const std::vector<double>& y) {
  std::vector<Params> out;
  const double mean_ly = mean(p.ly);
  if (p.law == Law::kPower) {
    // Least squares on the logs first, then a small grid of slopes.
    double suu = 0, suy = 0;
    for (std::size_t i = 0; i < p.u.size(); ++i) suu += p.u[i] * p.u[i], suy += p.u[i] * (p.ly[i] - mean_ly);
    out.push_back({mean_ly, suu > 0 ? -suy / suu : 0.0, 0});
    for (const double alpha : {0.0, 0.5, 1.0, 2.0}) out.push_back({mean_ly, alpha, 0});
    return out;
  }
  const double y_min = *std::min_element(y.begin(), y.end());
  const double y_mean = mean(y);
  // The power law is the saturating law's E -> 0 limit: start from its fit
  // too, so the saturating law never fits worse than the power law.
  Problem power = p;
  power.law = Law::kPower;
  const Params best_power = best_of(power, starts(power, y)).first;
  for (const double fraction : {1e-6, 1e-3}) out.push_back({best_power[0], best_power[1], std::log(fraction * y_min)});
  for (const double fraction : {0.01, 0.5, 0.9}) {
    const double E = fraction * y_min;
    const double a = std::log(std::max(y_mean - E, 1e-3 * y_min));
    for (const double alpha : {0.25, 0.5, 1.0, 2.0}) out.push_back({a, alpha, std::log(E)});
  }
  return out;
}

LawFit finish(const Problem& p, const Params& q, double value) {
  LawFit fit;
  fit.law = p.law;
  fit.alpha = q[1];
  fit.A = std::exp(q[0] + q[1] * p.reference);
  fit.E = p.law == Law::kSaturating ? std::exp(q[2]) : 0.0;
  fit.objective = value;
  const double mean_ly = mean(p.ly);
  double ss_res = 0, ss_tot = 0;
  for (std::size_t i = 0; i < p.u.size(); ++i) {
    const double r = p.ly[i] - log_prediction(p, q, p.u[i]);
    ss_res += r * r;
    ss_tot += (p.ly[i] - mean_ly) * (p.ly[i] - mean_ly);
  }
  fit.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
  return fit;
}

std::size_t distinct(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return static_cast<std::size_t>(std::unique(x.begin(), x.end()) - x.begin());
}

std::string number(double v) {
  std::ostringstream out;
  out.precision(4);
  out << v;
  return out.str();
}

}  // namespace

double huber(double residual, double delta) {
  const double a = std::abs(residual);
  return a <= delta ? 0.5 * residual * residual : delta * (a - 0.5 * delta);
}

double LawFit::predict(double x) const { return E + A * std::pow(x, -alpha); }

const char* law_name(Law law) { return law == Law::kSaturating ? "saturating" : "power"; }

std::optional<LawFit> fit_law(Law law, const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.empty()) return std::nullopt;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !(y[i] > 0) || !std::isfinite(x[i]) || !std::isfinite(y[i])) return std::nullopt;
  }
  if (distinct(x) < (law == Law::kSaturating ? 3U : 2U)) return std::nullopt;
  const Problem p = problem_of(law, x, y);
  const auto [q, f] = best_of(p, starts(p, y));
  return finish(p, q, f);
}

std::optional<FitResult> fit_scaling(Law law, const std::vector<double>& x, const std::vector<double>& y_raw,
                                     const FitOptions& options, std::string* why) {
  const std::size_t needed = law == Law::kSaturating ? 3 : 2;
  std::vector<double> xs, ys, raw;
  for (std::size_t i = 0; i < x.size() && i < y_raw.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y_raw[i]) || !(x[i] > 0)) continue;
    xs.push_back(x[i]);
    raw.push_back(y_raw[i]);
  }
  const std::size_t sizes = distinct(xs);
  if (sizes < needed) {
    if (why) *why = "needs " + std::to_string(needed) + " distinct x, has " + std::to_string(sizes);
    return std::nullopt;
  }
  FitResult result;
  std::size_t floored = 0;
  for (const double v : raw) {
    if (v < options.floor) ++floored;
    ys.push_back(std::max(v, options.floor));
  }
  if (floored) {
    result.warnings.push_back(std::to_string(floored) + " error(s) below " + number(options.floor) +
                              " (perfect runs) raised to it before the log");
  }
  const Problem p = problem_of(law, xs, ys);
  const std::vector<Params> grid = starts(p, ys);
  const auto [q, f] = best_of(p, grid);
  result.fit = finish(p, q, f);

  // Strata: the points at each distinct x, in ascending x.
  std::map<double, std::vector<std::size_t>> strata;
  for (std::size_t i = 0; i < xs.size(); ++i) strata[xs[i]].push_back(i);
  for (const auto& [value, members] : strata) {
    FitPoint point;
    point.x = value;
    point.n = members.size();
    for (const auto i : members) point.mean += raw[i] / static_cast<double>(members.size());
    point.predicted = result.fit.predict(value);
    point.residual = point.mean - point.predicted;
    result.points.push_back(point);
  }
  if (law == Law::kSaturating && sizes == 3) {
    result.warnings.push_back("3 parameters on 3 sizes: the curve can pass through every mean, so R2 says little");
  }
  if (result.fit.alpha <= 0) result.warnings.push_back("alpha <= 0: the error does not fall as x grows");
  if (std::abs(result.fit.alpha) > 19.9) {
    result.warnings.push_back("alpha at the fit's bound (|alpha| = 20): the data do not determine it");
  }

  // Bootstrap: resample within each x, refit from the estimate.
  const bool any_spread = std::any_of(strata.begin(), strata.end(), [](const auto& s) { return s.second.size() > 1; });
  std::size_t singles = 0;
  for (const auto& s : strata) singles += s.second.size() == 1;
  if (!any_spread) {
    result.warnings.push_back("one run per x: no interval for alpha (run more seeds)");
  } else if (options.resamples > 0) {
    if (singles) result.warnings.push_back(std::to_string(singles) + " x value(s) with one run: their noise is not in alpha's interval");
    Rng rng(options.seed);
    std::vector<double> alphas;
    alphas.reserve(options.resamples);
    const std::vector<Params> from = {q};
    for (std::size_t r = 0; r < options.resamples; ++r) {
      Problem resampled;
      resampled.law = law;
      resampled.reference = p.reference;
      for (const auto& [value, members] : strata) {
        for (std::size_t k = 0; k < members.size(); ++k) {
          const std::size_t i = members[rng.below(members.size())];
          resampled.u.push_back(p.u[i]);
          resampled.ly.push_back(p.ly[i]);
        }
      }
      alphas.push_back(best_of(resampled, from).first[1]);
    }
    std::sort(alphas.begin(), alphas.end());
    result.alpha_interval = Interval{quantile_sorted(alphas, (1 - options.confidence) / 2),
                                     quantile_sorted(alphas, (1 + options.confidence) / 2)};
    const double width = result.alpha_interval->hi - result.alpha_interval->lo;
    if (width > std::max(1.0, 2 * std::abs(result.fit.alpha))) {
      result.warnings.push_back("alpha's interval [" + number(result.alpha_interval->lo) + ", " +
                                number(result.alpha_interval->hi) + "] is wide: the data do not pin alpha down");
    }
  }

  // Hold out the largest x: fit the rest, predict it.
  if (sizes >= needed + 1) {
    const double largest = strata.rbegin()->first;
    std::vector<double> x_rest, y_rest;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (xs[i] < largest) x_rest.push_back(xs[i]), y_rest.push_back(ys[i]);
    }
    if (const auto rest = fit_law(law, x_rest, y_rest)) {
      result.holdout_x = largest;
      result.holdout_predicted = rest->predict(largest);
      result.holdout_observed = strata.rbegin()->second.empty() ? 0.0 : result.points.back().mean;
    }
  } else {
    result.warnings.push_back("no hold-out check: it needs " + std::to_string(needed + 1) + " distinct x");
  }
  return result;
}

}  // namespace regal::stats
