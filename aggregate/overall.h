#pragma once
// The across-language view (rliable, Agarwal et al. 2021): for each model
// configuration — every axis but language and seed — the interquartile mean
// of a metric over all its (language, seed) runs with a stratified bootstrap
// interval (seeds resampled within each language), and performance profiles
// (the fraction of runs scoring above tau, with intervals).
#include <string>
#include <vector>

#include "aggregate/tables.h"

namespace regal::aggregate {

// overall.*: configuration keys, metric, languages, runs, iqm, iqm_lo,
// iqm_hi, mean. Metrics no done run has are left out.
Table overall_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                    const StatsOptions& options);

// profiles.*: configuration keys, metric, tau, fraction, lo, hi; tau from 0
// to 1 in steps of 0.05, for the accuracy metrics among `metrics`.
Table profiles_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                     const StatsOptions& options);

}  // namespace regal::aggregate
