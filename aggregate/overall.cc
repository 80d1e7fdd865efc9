// Configurations are the summary's groups without the language axis; runs are
// stratified by language so that a language with more seeds does not weigh
// more in the interval than in the point estimate's sampling design.
#include "aggregate/overall.h"

#include <algorithm>
#include <map>

#include "stats/bootstrap.h"
#include "stats/descriptive.h"
#include "util/rng.h"

namespace regal::aggregate {
namespace {

struct Configuration {
  std::vector<std::string> key;
  std::map<std::string, std::vector<const RunRecord*>> by_language;  // language -> done runs
  std::size_t runs = 0;
};

std::vector<Configuration> configurations(const std::vector<RunRecord>& records, std::vector<std::string>& keys) {
  keys.clear();
  for (const auto& k : group_keys(records, std::nullopt)) {
    if (k != "language") keys.push_back(k);
  }
  std::vector<Configuration> out;
  std::map<std::vector<std::string>, std::size_t> index;
  for (const auto& r : records) {
    if (r.state != layout::RunState::kDone) continue;
    std::vector<std::string> key;
    for (const auto& k : keys) key.push_back(axis_text(r, k));
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) out.push_back({key, {}, 0});
    out[it->second].by_language[axis_text(r, "language")].push_back(&r);
    ++out[it->second].runs;
  }
  return out;
}

std::vector<std::vector<double>> strata_of(const Configuration& c, const std::string& metric) {
  std::vector<std::vector<double>> strata;
  for (const auto& [language, runs] : c.by_language) {
    std::vector<double> values;
    for (const auto* r : runs) {
      if (r->metrics.contains(metric) && r->metrics[metric].is_number()) values.push_back(r->metrics[metric].get<double>());
    }
    std::sort(values.begin(), values.end());  // order-free: the same runs, the same interval
    if (!values.empty()) strata.push_back(std::move(values));
  }
  return strata;
}

std::string stream_of(const std::vector<std::string>& key, const std::string& metric) {
  std::string stream;
  for (const auto& k : key) stream += k + "\x1f";
  return stream + metric;
}

}  // namespace

Table overall_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                    const StatsOptions& options) {
  std::vector<std::string> keys;
  const auto configs = configurations(records, keys);
  Table table;
  table.columns = keys;
  table.columns.insert(table.columns.end(), {"metric", "languages", "runs", "iqm", "iqm_lo", "iqm_hi", "mean"});
  for (const auto& c : configs) {
    for (const auto& metric : metrics) {
      const auto strata = strata_of(c, metric);
      std::vector<double> all;
      for (const auto& s : strata) all.insert(all.end(), s.begin(), s.end());
      if (all.empty()) continue;
      const auto interval = stats::bootstrap_interval(strata, stats::Statistic::kIqm, options.summary_resamples,
                                                      options.confidence, derive_seed(options.seed, "overall\x1f" + stream_of(c.key, metric)));
      std::vector<std::string> row = c.key;
      row.insert(row.end(), {metric, std::to_string(strata.size()), std::to_string(all.size()), format_number(stats::iqm(all)),
                             format_number(interval.lo), format_number(interval.hi), format_number(stats::mean(all))});
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

Table profiles_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                     const StatsOptions& options) {
  std::vector<std::string> keys;
  const auto configs = configurations(records, keys);
  std::vector<double> taus;
  for (int i = 0; i <= 20; ++i) taus.push_back(i / 20.0);
  Table table;
  table.columns = keys;
  table.columns.insert(table.columns.end(), {"metric", "tau", "fraction", "lo", "hi"});
  for (const auto& c : configs) {
    for (const auto& metric : metrics) {
      if (metric.rfind("acc_", 0) != 0) continue;
      const auto strata = strata_of(c, metric);
      if (strata.empty()) continue;
      const auto points = stats::bootstrap_profile(strata, taus, options.summary_resamples, options.confidence,
                                                   derive_seed(options.seed, "profile\x1f" + stream_of(c.key, metric)));
      for (const auto& p : points) {
        std::vector<std::string> row = c.key;
        row.insert(row.end(), {metric, format_number(p.tau), format_number(p.fraction), format_number(p.interval.lo),
                               format_number(p.interval.hi)});
        table.rows.push_back(std::move(row));
      }
    }
  }
  return table;
}

}  // namespace regal::aggregate
