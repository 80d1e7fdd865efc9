// [search] tables, trial sampling, the successive-halving ladder and the
// promotion rule (search.h). A key's type is read from the experiment
// schema's default (a float takes uniform/log_uniform, a whole number
// int_uniform, anything takes choice), so a log-uniform model.arch is an
// error where it is written.
#include "search/search.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "experiment/experiment.h"
#include "layout/metrics_json.h"
#include "util/rng.h"
#include "util/text.h"

namespace regal::search {
namespace {

nlohmann::json default_of(const std::string& key) {
  nlohmann::json json = experiment::Experiment{}.to_json();
  std::string pointer = "/" + key;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  const nlohmann::json::json_pointer at(pointer);
  return json.contains(at) ? json[at] : nlohmann::json();
}

std::size_t power(std::size_t base, std::size_t exponent) {
  std::size_t out = 1;
  for (std::size_t i = 0; i < exponent; ++i) out *= base;
  return out;
}

}  // namespace

const char* method_name(Method method) {
  switch (method) {
    case Method::kGrid: return "grid";
    case Method::kRandom: return "random";
    case Method::kSha: return "sha";
    case Method::kAsha: return "asha";
  }
  return "?";
}

SearchSpec parse_search(const nlohmann::json& table, const Fail& fail) {
  SearchSpec spec;
  if (!table.is_object()) fail("search", "[search] is a table");
  const std::vector<std::string> fields = {"method", "trials", "metric", "minimize", "resource", "min_resource",
                                           "max_resource", "eta", "seed", "final_seeds", "space"};
  for (const auto& [key, value] : table.items()) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      fail("search." + key, "unknown key '" + key + "' in [search]" + did_you_mean(key, fields));
    }
  }
  auto whole = [&](const char* key, std::size_t fallback) -> std::size_t {
    if (!table.contains(key)) return fallback;
    const auto& v = table[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
      fail(std::string("search.") + key, std::string("search.") + key + " must be a whole number >= 0 (got " + v.dump() + ")");
    }
    return v.get<std::size_t>();
  };
  const std::string method = table.value("method", "sha");
  if (method == "grid") spec.method = Method::kGrid;
  else if (method == "random") spec.method = Method::kRandom;
  else if (method == "sha") spec.method = Method::kSha;
  else if (method == "asha") spec.method = Method::kAsha;
  else {
    fail("search.method", "search.method must be grid, random, sha or asha (got \"" + method + "\")" +
                              did_you_mean(method, {"grid", "random", "sha", "asha"}));
  }
  spec.trials = whole("trials", 0);
  spec.eta = whole("eta", 3);
  spec.seed = whole("seed", 0);
  spec.min_resource = whole("min_resource", 0);
  spec.max_resource = whole("max_resource", 0);
  if (table.contains("minimize")) {
    if (!table["minimize"].is_boolean()) fail("search.minimize", "search.minimize must be true or false");
    spec.minimize = table["minimize"].get<bool>();
  }
  spec.metric = table.value("metric", spec.metric);
  const auto metrics = layout::metrics_json_keys();
  if (std::find(metrics.begin(), metrics.end(), spec.metric) == metrics.end()) {
    fail("search.metric", "search.metric: unknown metric " + spec.metric + did_you_mean(spec.metric, metrics));
  }
  if (spec.metric.find("test") != std::string::npos || spec.metric.rfind("ood_gap", 0) == 0 || spec.metric == "horizon" ||
      spec.metric == "tau") {
    fail("search.metric", "search.metric = " + spec.metric + " reads the test splits; a search chooses on validation only "
                          "(best_val_acc)");
  }
  spec.resource = table.value("resource", spec.resource);
  if (spec.resource != "train.steps") {
    fail("search.resource", "search.resource must be train.steps (a trial grows by training longer; got " + spec.resource + ")");
  }
  if (spec.max_resource == 0) fail("search.max_resource", "search.max_resource is the full budget in train.steps (at least 1)");
  if (spec.successive()) {
    if (spec.min_resource == 0) fail("search.min_resource", "search.min_resource must be at least 1");
    if (spec.min_resource > spec.max_resource) {
      fail("search.min_resource", "search.min_resource (" + std::to_string(spec.min_resource) + ") exceeds search.max_resource (" +
                                      std::to_string(spec.max_resource) + ")");
    }
    if (spec.eta < 2) fail("search.eta", "search.eta must be at least 2 (got " + std::to_string(spec.eta) + ")");
  }
  if (table.contains("final_seeds")) {
    const auto& seeds = table["final_seeds"];
    if (!seeds.is_array() || seeds.empty()) fail("search.final_seeds", "search.final_seeds is a non-empty list of seeds");
    spec.final_seeds.clear();
    std::set<std::uint64_t> seen;
    for (const auto& s : seeds) {
      if (!s.is_number_integer() || s.get<std::int64_t>() < 0) fail("search.final_seeds", "search.final_seeds holds whole numbers >= 0");
      if (!seen.insert(s.get<std::uint64_t>()).second) fail("search.final_seeds", "search.final_seeds repeats " + s.dump());
      spec.final_seeds.push_back(s.get<std::uint64_t>());
    }
  }
  if (!table.contains("space") || !table["space"].is_object() || table["space"].empty()) {
    fail("search", "[search.space] names at least one key, e.g. \"train.lr\" = { log_uniform = [1e-4, 1e-2] }");
  }
  const auto& keys = experiment::experiment_keys();
  for (const auto& [key, value] : table["space"].items()) {
    const std::string path = "search.space." + key;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail(path, "unknown key '" + key + "' in [search.space]" + did_you_mean(key, keys));
    }
    if (key == spec.resource || key == "seed" || key == "train.schedule_steps") {
      fail(path, key + " is set by the search itself (the resource, the seeds, the schedule)");
    }
    if (!value.is_object() || value.size() != 1) {
      fail(path, key + " takes one distribution: { log_uniform = [lo, hi] }, { uniform = [lo, hi] }, { int_uniform = [lo, hi] } "
                       "or { choice = [...] }");
    }
    const std::string kind = value.begin().key();
    const nlohmann::json& arg = value.begin().value();
    const nlohmann::json fallback = default_of(key);
    Distribution d;
    if (kind == "choice") {
      d.kind = Distribution::Kind::kChoice;
      if (!arg.is_array() || arg.empty()) fail(path, key + ": choice is a non-empty list");
      for (const auto& c : arg) d.choices.push_back(c);
    } else if (kind == "log_uniform" || kind == "uniform" || kind == "int_uniform") {
      if (!arg.is_array() || arg.size() != 2 || !arg[0].is_number() || !arg[1].is_number()) {
        fail(path, key + ": " + kind + " takes [lo, hi]");
      }
      d.lo = arg[0].get<double>();
      d.hi = arg[1].get<double>();
      if (!(d.lo <= d.hi)) fail(path, key + ": " + kind + " needs lo <= hi");
      if (kind == "int_uniform") {
        d.kind = Distribution::Kind::kIntUniform;
        if (!fallback.is_number_integer()) fail(path, key + " is not a whole number: int_uniform does not fit it (choice does)");
        if (!arg[0].is_number_integer() || !arg[1].is_number_integer() || d.lo < 0) fail(path, key + ": int_uniform takes whole numbers >= 0");
      } else {
        d.kind = kind == "uniform" ? Distribution::Kind::kUniform : Distribution::Kind::kLogUniform;
        if (!fallback.is_number_float()) {
          fail(path, key + " is not a real number: " + kind + " does not fit it (" +
                         (fallback.is_number_integer() ? "int_uniform or choice do" : "choice does") + ")");
        }
        if (d.kind == Distribution::Kind::kLogUniform && !(d.lo > 0)) fail(path, key + ": log_uniform needs lo > 0");
      }
    } else {
      fail(path, key + ": unknown distribution '" + kind + "'" + did_you_mean(kind, {"log_uniform", "uniform", "int_uniform", "choice"}));
    }
    if (spec.method == Method::kGrid && d.kind != Distribution::Kind::kChoice) {
      fail(path, key + ": a grid search takes choice = [...] for every key");
    }
    spec.space.emplace_back(key, std::move(d));
  }
  const bool all_choices = std::all_of(spec.space.begin(), spec.space.end(),
                                       [](const auto& entry) { return entry.second.kind == Distribution::Kind::kChoice; });
  if (spec.method == Method::kGrid || (spec.trials == 0 && all_choices)) {
    // The grid of the choices: every combination once (sha over a grid, say).
    spec.enumerate = true;
    spec.trials = 1;
    for (const auto& [key, d] : spec.space) spec.trials *= d.choices.size();
  } else if (spec.trials == 0) {
    fail("search.trials", "search.trials must be at least 1 (or every key a choice, to search the grid of them)");
  }
  return spec;
}

std::vector<Rung> rungs(const SearchSpec& spec) {
  if (!spec.successive()) return {{spec.max_resource, trial_count(spec)}};
  std::vector<Rung> out;
  for (std::size_t k = 0;; ++k) {
    const std::size_t resource = spec.min_resource * power(spec.eta, k);
    const std::size_t trials = std::max<std::size_t>(1, spec.trials / power(spec.eta, k));
    if (resource >= spec.max_resource) {
      out.push_back({spec.max_resource, trials});
      break;
    }
    out.push_back({resource, trials});
  }
  return out;
}

std::size_t trial_count(const SearchSpec& spec) { return spec.trials; }

nlohmann::json trial_values(const SearchSpec& spec, const std::string& cell, std::size_t index) {
  nlohmann::json out = nlohmann::json::object();
  if (spec.enumerate) {
    std::size_t rest = index;
    std::vector<std::size_t> picks(spec.space.size());
    for (std::size_t k = spec.space.size(); k-- > 0;) {
      const std::size_t n = spec.space[k].second.choices.size();
      picks[k] = rest % n;
      rest /= n;
    }
    for (std::size_t k = 0; k < spec.space.size(); ++k) out[spec.space[k].first] = spec.space[k].second.choices[picks[k]];
    return out;
  }
  Rng rng(derive_seed(spec.seed, "search/" + cell + "/" + std::to_string(index)));
  for (const auto& [key, d] : spec.space) {
    switch (d.kind) {
      case Distribution::Kind::kChoice: out[key] = d.choices[rng.below(d.choices.size())]; break;
      case Distribution::Kind::kIntUniform: {
        const auto lo = static_cast<std::uint64_t>(d.lo), hi = static_cast<std::uint64_t>(d.hi);
        out[key] = lo + rng.below(hi - lo + 1);
        break;
      }
      case Distribution::Kind::kUniform: out[key] = d.lo + (d.hi - d.lo) * rng.uniform01(); break;
      case Distribution::Kind::kLogUniform:
        out[key] = std::exp(std::log(d.lo) + (std::log(d.hi) - std::log(d.lo)) * rng.uniform01());
        break;
    }
  }
  return out;
}

std::vector<std::size_t> promote(std::vector<std::pair<std::size_t, std::optional<double>>> results, std::size_t keep,
                                 bool minimize) {
  using Result = std::pair<std::size_t, std::optional<double>>;
  std::sort(results.begin(), results.end(), [&](const Result& a, const Result& b) {
    const bool a_ok = a.second.has_value() && std::isfinite(*a.second), b_ok = b.second.has_value() && std::isfinite(*b.second);
    if (a_ok != b_ok) return a_ok;
    if (a_ok && *a.second != *b.second) return minimize ? *a.second < *b.second : *a.second > *b.second;
    return a.first < b.first;
  });
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < results.size() && i < keep; ++i) out.push_back(results[i].first);
  return out;
}

std::size_t search_steps(const SearchSpec& spec) {
  std::size_t steps = 0, previous = 0;
  for (const auto& rung : rungs(spec)) {
    steps += rung.trials * (rung.resource - previous);
    previous = rung.resource;
  }
  return steps;
}

std::size_t full_grid_steps(const SearchSpec& spec) { return trial_count(spec) * spec.max_resource; }

}  // namespace regal::search
