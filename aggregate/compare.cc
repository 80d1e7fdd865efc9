// Matching, testing and judging A/B comparisons. Everything is a function of
// the records and the options: pairs are formed in record order, bootstrap
// streams are named by comparison, cell and metric, so the same runs give the
// same bytes whatever order they finished in.
#include "aggregate/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "stats/bootstrap.h"
#include "stats/descriptive.h"
#include "stats/power.h"
#include "stats/tests.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/text.h"

namespace regal::aggregate {
namespace {

std::optional<double> value_of(const RunRecord& r, const std::string& metric) {
  if (r.state != layout::RunState::kDone || !r.metrics.contains(metric) || !r.metrics[metric].is_number()) return std::nullopt;
  return r.metrics[metric].get<double>();
}

struct Cell {
  std::vector<std::string> by;                   // the by-axes' values
  std::vector<const RunRecord*> a, b;            // the arms' done runs in this cell
  std::vector<std::pair<const RunRecord*, const RunRecord*>> pairs;
  std::vector<const RunRecord*> unmatched_a, unmatched_b;
};

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

}  // namespace

Selector Selector::parse(const std::string& text) {
  Selector selector;
  selector.text = text;
  std::stringstream terms(text);
  for (std::string term; std::getline(terms, term, ',');) {
    const auto equals = term.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw InputError("--compare takes axis=value selectors (got '" + text + "')");
    }
    selector.values.emplace_back(term.substr(0, equals), term.substr(equals + 1));
  }
  if (selector.values.empty()) throw InputError("--compare takes axis=value selectors (got '" + text + "')");
  return selector;
}

Selector Selector::from_json(const nlohmann::json& table) {
  Selector selector;
  for (const auto& [key, value] : table.items()) {
    selector.values.emplace_back(key, cell(value));
    selector.text += (selector.text.empty() ? "" : ",") + key + "=" + cell(value);
  }
  return selector;
}

bool Selector::matches(const RunRecord& record) const {
  for (const auto& [axis, value] : values) {
    if (axis_text(record, axis) != value) return false;
  }
  return true;
}

bool lower_is_better(const std::string& metric) {
  for (const char* prefix : {"loss_", "ece_", "ood_gap_", "train_seconds", "worst_len_"}) {
    if (metric.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::vector<std::string> known_metrics(const std::vector<RunRecord>& records) {
  std::set<std::string> names(default_metrics().begin(), default_metrics().end());
  for (const auto& r : records) {
    for (const auto& [key, value] : r.metrics.items()) {
      if (value.is_number()) names.insert(key);
    }
  }
  return {names.begin(), names.end()};
}

void validate_selectors(const std::vector<Comparison>& comparisons, const std::vector<RunRecord>& records) {
  const std::vector<std::string> axes = axis_names(records);
  for (const auto& c : comparisons) {
    for (const Selector* selector : {&c.a, &c.b}) {
      for (const auto& [axis, value] : selector->values) {
        if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
          throw InputError(c.name + ": '" + selector->text + "' names no axis of these runs: " + axis + did_you_mean(axis, axes));
        }
        std::vector<std::string> seen;
        for (const auto& r : records) {
          const std::string text = axis_text(r, axis);
          if (std::find(seen.begin(), seen.end(), text) == seen.end()) seen.push_back(text);
        }
        if (std::find(seen.begin(), seen.end(), value) == seen.end()) {
          throw InputError(c.name + ": '" + selector->text + "' matches no run: " + axis + " is one of " + join(seen, ", ") +
                           did_you_mean(value, seen));
        }
      }
      if (std::none_of(records.begin(), records.end(), [&](const RunRecord& r) { return selector->matches(r); })) {
        throw InputError(c.name + ": '" + selector->text + "' matches no run");
      }
    }
    for (const auto& axis : c.by) {
      if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
        throw InputError(c.name + ": --by names no axis: " + axis + did_you_mean(axis, axes));
      }
    }
  }
}

void validate(const std::vector<Comparison>& comparisons, const std::vector<RunRecord>& records,
              const StatsOptions& options) {
  if (!(options.effect > 0)) throw InputError("--effect must be positive (got " + format_number(options.effect) + ")");
  validate_selectors(comparisons, records);
  const std::vector<std::string> metrics = known_metrics(records);
  for (const auto& c : comparisons) {
    for (const auto& metric : c.metrics) {
      if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) {
        throw InputError(c.name + ": unknown metric " + metric + did_you_mean(metric, metrics));
      }
    }
  }
}

Comparisons compare(const std::vector<RunRecord>& records, const std::vector<Comparison>& comparisons,
                    const StatsOptions& options) {
  validate(comparisons, records, options);
  const std::vector<std::string> axes = axis_names(records);
  std::vector<std::string> by_axes;  // the union, in first-seen order, for the table's columns
  for (const auto& c : comparisons) {
    for (const auto& axis : c.by) {
      if (std::find(by_axes.begin(), by_axes.end(), axis) == by_axes.end()) by_axes.push_back(axis);
    }
  }
  Comparisons out;
  out.table.columns = {"comparison", "a", "b"};
  out.table.columns.insert(out.table.columns.end(), by_axes.begin(), by_axes.end());
  out.table.columns.insert(out.table.columns.end(),
                           {"metric", "pairing", "n", "mean_a", "mean_b", "diff", "diff_lo", "diff_hi", "p_t", "p_rank",
                            "p_holm", "p_improve", "effect_size", "seeds_needed", "seeds_for_effect", "verdict"});
  out.pairs = nlohmann::json::array();
  struct Row {
    std::vector<std::string> cells;
    double p_family = NAN, diff = NAN, lo = NAN, hi = NAN;
    std::string metric;
  };
  std::vector<Row> rows;
  for (const auto& c : comparisons) {
    std::set<std::string> named;
    for (const Selector* s : {&c.a, &c.b}) {
      for (const auto& [axis, value] : s->values) named.insert(axis);
    }
    std::vector<std::string> match_axes;  // what a pair must share
    for (const auto& axis : axes) {
      if (!named.count(axis)) match_axes.push_back(axis);
    }
    // Cells by the by-axes, in first-seen order.
    std::vector<Cell> cells;
    std::map<std::vector<std::string>, std::size_t> index;
    for (const auto& r : records) {
      if (r.state != layout::RunState::kDone) continue;
      const bool in_a = c.a.matches(r), in_b = c.b.matches(r);
      if (!in_a && !in_b) continue;
      std::vector<std::string> by;
      for (const auto& axis : c.by) by.push_back(axis_text(r, axis));
      auto [it, fresh] = index.emplace(by, cells.size());
      if (fresh) cells.push_back({by, {}, {}, {}, {}, {}});
      (in_a ? cells[it->second].a : cells[it->second].b).push_back(&r);
    }
    for (auto& cell : cells) {
      auto key = [&](const RunRecord* r) {
        std::vector<std::string> k;
        for (const auto& axis : match_axes) k.push_back(axis_text(*r, axis));
        return k;
      };
      std::map<std::vector<std::string>, std::vector<const RunRecord*>> b_by_key;
      for (const auto* r : cell.b) b_by_key[key(r)].push_back(r);
      for (const auto* r : cell.a) {
        auto& partners = b_by_key[key(r)];
        if (partners.empty()) {
          cell.unmatched_a.push_back(r);
          continue;
        }
        cell.pairs.emplace_back(r, partners.front());
        partners.erase(partners.begin());
      }
      for (const auto* r : cell.b) {
        const bool paired = std::any_of(cell.pairs.begin(), cell.pairs.end(), [&](const auto& p) { return p.second == r; });
        if (!paired) cell.unmatched_b.push_back(r);
      }
      // By run id, so that nothing below depends on the order runs are listed in.
      auto by_id = [](const RunRecord* x, const RunRecord* y) { return x->run_id < y->run_id; };
      std::sort(cell.pairs.begin(), cell.pairs.end(), [&](const auto& x, const auto& y) { return by_id(x.first, y.first); });
      for (auto* list : {&cell.a, &cell.b, &cell.unmatched_a, &cell.unmatched_b}) std::sort(list->begin(), list->end(), by_id);
      nlohmann::json by = nlohmann::json::object();
      for (std::size_t i = 0; i < c.by.size(); ++i) by[c.by[i]] = cell.by[i];
      nlohmann::json pairs = nlohmann::json::array(), lone_a = nlohmann::json::array(), lone_b = nlohmann::json::array();
      for (const auto& [x, y] : cell.pairs) {
        nlohmann::json match = nlohmann::json::object();
        for (const auto& axis : match_axes) match[axis] = axis_text(*x, axis);
        pairs.push_back({{"a", x->run_id}, {"b", y->run_id}, {"match", match}});
      }
      for (const auto* r : cell.unmatched_a) lone_a.push_back(r->run_id);
      for (const auto* r : cell.unmatched_b) lone_b.push_back(r->run_id);
      out.pairs.push_back({{"comparison", c.name}, {"a", c.a.text}, {"b", c.b.text}, {"by", by}, {"pairs", pairs},
                           {"unmatched_a", lone_a}, {"unmatched_b", lone_b}});

      const std::vector<std::string> metrics = c.metrics.empty() ? display_metrics() : c.metrics;
      for (const auto& metric : metrics) {
        std::vector<double> a, b, d;
        for (const auto& [x, y] : cell.pairs) {
          const auto va = value_of(*x, metric), vb = value_of(*y, metric);
          if (va && vb) {
            a.push_back(*va);
            b.push_back(*vb);
            d.push_back(*va - *vb);
          }
        }
        const bool paired = !d.empty();
        if (!paired) {  // no pair at all: the arms as they are
          for (const auto* r : cell.a) {
            if (auto v = value_of(*r, metric)) a.push_back(*v);
          }
          for (const auto* r : cell.b) {
            if (auto v = value_of(*r, metric)) b.push_back(*v);
          }
        }
        if (a.empty() || b.empty()) continue;
        std::vector<double> all_a, all_b;  // P(a > b) over every run of the arms
        for (const auto* r : cell.a) {
          if (auto v = value_of(*r, metric)) all_a.push_back(*v);
        }
        for (const auto* r : cell.b) {
          if (auto v = value_of(*r, metric)) all_b.push_back(*v);
        }
        const std::uint64_t seed = derive_seed(options.seed, "compare\x1f" + c.name + "\x1f" + join(cell.by, "\x1f") + "\x1f" + metric);
        Row row;
        row.metric = metric;
        const double diff = paired ? stats::mean(d) : stats::mean(a) - stats::mean(b);
        const stats::Interval interval =
            paired ? stats::bootstrap_interval(d, stats::Statistic::kMean, options.compare_resamples, options.confidence, seed)
                   : stats::bootstrap_difference(a, b, options.compare_resamples, options.confidence, seed);
        const stats::TestResult t = paired ? stats::paired_t(d) : stats::welch_t(a, b);
        const stats::TestResult rank = paired ? stats::wilcoxon(d) : stats::mann_whitney(a, b);
        const double spread = paired ? stats::sample_std(d)
                                     : std::sqrt((stats::sample_std(a) * stats::sample_std(a) + stats::sample_std(b) * stats::sample_std(b)) / 2);
        const std::size_t needed = stats::seeds_needed(diff, spread, options.alpha, options.power, paired);
        const std::size_t for_effect = stats::seeds_needed(options.effect, spread, options.alpha, options.power, paired);
        auto seeds_text = [](std::size_t n) {
          return n == 0 ? std::string() : n > stats::kMaxSeeds ? "> " + std::to_string(stats::kMaxSeeds) : std::to_string(n);
        };
        row.cells = {c.name, c.a.text, c.b.text};
        for (const auto& axis : by_axes) {
          const auto found = std::find(c.by.begin(), c.by.end(), axis);
          row.cells.push_back(found == c.by.end() ? "" : cell.by[static_cast<std::size_t>(found - c.by.begin())]);
        }
        row.cells.insert(row.cells.end(),
                         {metric, paired ? "paired" : "unpaired", std::to_string(paired ? d.size() : std::min(a.size(), b.size())),
                          format_number(stats::mean(a)), format_number(stats::mean(b)), format_number(diff),
                          format_number(interval.lo), format_number(interval.hi), format_number(t.p), format_number(rank.p),
                          "", format_number(stats::probability_of_improvement(all_a, all_b)),
                          format_number(paired ? stats::cohens_dz(d) : stats::cohens_d(a, b)), seeds_text(needed),
                          seeds_text(for_effect), ""});
        row.p_family = rank.p;
        row.diff = diff;
        row.lo = interval.lo;
        row.hi = interval.hi;
        rows.push_back(std::move(row));
      }
    }
  }
  std::vector<double> family;
  for (const auto& row : rows) family.push_back(row.p_family);
  const std::vector<double> adjusted = stats::holm(family);
  const std::size_t holm_column = out.table.columns.size() - 6, verdict_column = out.table.columns.size() - 1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Row& row = rows[i];
    row.cells[holm_column] = format_number(adjusted[i]);
    std::string verdict = "unclear";
    if (adjusted[i] < options.alpha && row.diff != 0) {
      const bool a_better = lower_is_better(row.metric) ? row.diff < 0 : row.diff > 0;
      verdict = a_better ? "a" : "b";
    } else if (row.lo >= -options.effect && row.hi <= options.effect) {
      verdict = "tie";
    }
    row.cells[verdict_column] = verdict;
    out.table.rows.push_back(std::move(row.cells));
  }
  return out;
}

Table power_table(const std::vector<RunRecord>& records, const std::vector<std::string>& metrics,
                  const StatsOptions& options) {
  const std::vector<std::string> keys = group_keys(records, std::nullopt);
  auto [order, groups] = group_records(records, keys);
  Table table;
  table.columns = keys;
  table.columns.insert(table.columns.end(), {"metric", "n", "std", "effect", "seeds_needed", "power_now"});
  for (const auto& key : order) {
    for (const auto& metric : metrics) {
      std::vector<double> values;
      for (const auto* r : groups[key]) {
        if (auto v = value_of(*r, metric)) values.push_back(*v);
      }
      if (values.size() < 2) continue;
      const double sd = stats::sample_std(values);
      const std::size_t needed = stats::seeds_needed(options.effect, sd, options.alpha, options.power, /*paired=*/false);
      std::vector<std::string> row = key;
      row.insert(row.end(), {metric, std::to_string(values.size()), format_number(sd), format_number(options.effect),
                             needed == 0 ? "" : needed > stats::kMaxSeeds ? "> " + std::to_string(stats::kMaxSeeds) : std::to_string(needed),
                             format_number(stats::t_test_power(options.effect, sd, values.size(), options.alpha, false))});
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

std::optional<std::string> verdict_floor(const Table& table, double alpha) {
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(table.columns.begin(), table.columns.end(), name) - table.columns.begin());
  };
  const std::size_t n_at = column("n"), pairing_at = column("pairing");
  if (n_at == table.columns.size() || pairing_at == table.columns.size()) return std::nullopt;
  std::optional<int> fewest;
  for (const auto& row : table.rows) {
    if (row[pairing_at] != "paired" || row[n_at].empty()) continue;
    const int n = std::stoi(row[n_at]);
    if (!fewest || n < *fewest) fewest = n;
  }
  const double rows = static_cast<double>(table.rows.size());
  const auto smallest_p = [&](int n) { return std::min(1.0, rows * 2.0 / std::ldexp(1.0, n)); };
  if (!fewest || smallest_p(*fewest) < alpha) return std::nullopt;
  int needed = *fewest;
  while (smallest_p(needed) >= alpha) ++needed;
  return "note: with " + std::to_string(*fewest) + " pair(s), no row can reach alpha after Holm over " +
         std::to_string(table.rows.size()) + " rows (smallest possible p " + format_number(smallest_p(*fewest)) +
         "); a verdict needs at least " + std::to_string(needed) + " matched pairs (seeds) per row";
}

}  // namespace regal::aggregate
