// Scaling-law fits over run records: parse and check the fit's columns,
// gather (x, error) per group from done runs, fit both laws per group
// (stats/fit.h), and lay the results out as fit.csv rows and fit.json
// entries. Groups, laws and rows come out in a fixed order (first-seen group
// order, saturating before power), and every bootstrap is seeded from the
// fit's name, group and law, so the same runs give the same bytes.
#include "aggregate/fit.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "aggregate/compare.h"
#include "io/json_file.h"
#include "layout/metrics_json.h"
#include "layout/run_paths.h"
#include "stats/fit.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/text.h"

namespace regal::aggregate {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text) {
    if (c == separator) {
      out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  out.push_back(item);
  return out;
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}


// A run's x: the axis value when x is an axis, else its metric; NaN when absent.
double x_of(const RunRecord& record, const std::string& x) {
  if (const auto* value = axis_value(record, x)) return value->is_number() ? value->get<double>() : std::nan("");
  const auto found = record.metrics.find(x);
  return found != record.metrics.end() && found->is_number() ? found->get<double>() : std::nan("");
}

// The axes that set a metric x (so they are not groups of its fit).
std::set<std::string> axes_setting(const std::string& x) {
  if (x == "parameters") return {"model.d_model", "model.n_layers", "model.params", "model.d_ff", "model.n_heads"};
  if (x == "d_model") return {"model.d_model", "model.params"};
  if (x == "steps") return {"train.steps"};
  return {x};
}

std::vector<std::string> groups_of(const FitSpec& fit, const std::vector<RunRecord>& records) {
  if (fit.by_given) return fit.by;
  const auto setting = axes_setting(fit.x);
  std::vector<std::string> by;
  for (const auto& axis : axis_names(records)) {
    if (axis == "seed" || setting.count(axis)) continue;
    by.push_back(axis);
  }
  return by;
}

std::string fixed_number(double v) { return std::isfinite(v) ? format_number(v) : ""; }

}  // namespace

nlohmann::json FitSpec::to_json() const {
  nlohmann::json out = {{"name", name}, {"x", x}, {"y", y}};
  if (by_given) out["by"] = by;
  return out;
}

FitSpec FitSpec::from_json(const nlohmann::json& entry) {
  FitSpec fit;
  fit.x = entry.at("x").get<std::string>();
  fit.y = entry.at("y").get<std::string>();
  fit.name = entry.value("name", fit.y + " ~ " + fit.x);
  if (entry.contains("by")) {
    fit.by_given = true;
    for (const auto& axis : entry["by"]) fit.by.push_back(axis.get<std::string>());
  }
  return fit;
}

FitSpec parse_fit(const std::string& text) {
  FitSpec fit;
  for (const auto& part : split(text, ',')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) throw InputError("--fit: '" + trim(part) + "' is not key=value (e.g. 'x=parameters,y=acc_test_id')");
    const std::string key = trim(part.substr(0, eq)), value = trim(part.substr(eq + 1));
    if (key == "x") fit.x = value;
    else if (key == "y") fit.y = value;
    else if (key == "name") fit.name = value;
    else if (key == "by") {
      fit.by_given = true;
      if (!value.empty()) {
        for (const auto& axis : split(value, '+')) fit.by.push_back(trim(axis));
      }
    } else {
      throw InputError("--fit: unknown key '" + key + "' (x, y, by, name)" + did_you_mean(key, {"x", "y", "by", "name"}));
    }
  }
  if (fit.x.empty() || fit.y.empty()) throw InputError("--fit needs x and y, e.g. 'x=parameters,y=acc_test_id'");
  if (fit.name.empty()) fit.name = fit.y + " ~ " + fit.x;
  return fit;
}

std::string error_transform(const std::string& y) {
  if (const auto transform = layout::fit_error_transform(y)) return *transform;
  throw InputError("fit: y = " + y + " is neither an accuracy (fitted as 1 - y) nor a loss or error (fitted as is)");
}

void validate(const std::vector<FitSpec>& fits, const std::vector<RunRecord>& records) {
  const auto axes = axis_names(records);
  const auto known = known_metrics(records);
  std::vector<std::string> xs = axes;
  xs.insert(xs.end(), known.begin(), known.end());
  for (const auto& fit : fits) {
    const bool x_axis = std::find(axes.begin(), axes.end(), fit.x) != axes.end();
    if (!x_axis && std::find(known.begin(), known.end(), fit.x) == known.end()) {
      throw InputError("fit " + fit.name + ": x = " + fit.x + " is neither an axis nor a metric of these runs" + did_you_mean(fit.x, xs));
    }
    for (const auto& record : records) {
      if (record.state != layout::RunState::kDone) continue;
      const nlohmann::json* value = x_axis ? axis_value(record, fit.x) : nullptr;
      if (!x_axis) {
        const auto found = record.metrics.find(fit.x);
        if (found != record.metrics.end()) value = &*found;
      }
      if (value && !value->is_null() && !value->is_number()) {
        throw InputError("fit " + fit.name + ": x = " + fit.x + " is not numeric (run " + record.run_id + " has " + value->dump() + ")");
      }
    }
    if (std::find(known.begin(), known.end(), fit.y) == known.end()) {
      throw InputError("fit " + fit.name + ": unknown metric y = " + fit.y + did_you_mean(fit.y, known));
    }
    error_transform(fit.y);
    for (const auto& axis : fit.by) {
      if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
        throw InputError("fit " + fit.name + ": by names " + axis + ", which is not an axis" + did_you_mean(axis, axes));
      }
      if (axis == fit.x) throw InputError("fit " + fit.name + ": by cannot hold x (" + axis + ")");
    }
  }
}

Fits fit_tables(const std::vector<RunRecord>& records, const std::vector<FitSpec>& fits, const StatsOptions& options) {
  // Columns: fit, the union of group axes, then the figures.
  std::vector<std::string> group_columns;
  std::vector<std::vector<std::string>> groups_per_fit;
  for (const auto& fit : fits) {
    groups_per_fit.push_back(groups_of(fit, records));
    for (const auto& axis : groups_per_fit.back()) {
      if (std::find(group_columns.begin(), group_columns.end(), axis) == group_columns.end()) group_columns.push_back(axis);
    }
  }
  Fits out;
  out.table.columns = {"fit"};
  out.table.columns.insert(out.table.columns.end(), group_columns.begin(), group_columns.end());
  for (const char* c : {"x", "y", "error", "law", "runs", "sizes", "alpha", "alpha_lo", "alpha_hi", "A", "E", "r2",
                        "holdout_x", "holdout_predicted", "holdout_observed", "warnings"}) {
    out.table.columns.emplace_back(c);
  }
  out.json = {{"resamples", options.summary_resamples / 2}, {"confidence", options.confidence}, {"seed", options.seed},
              {"huber_delta", stats::kHuberDelta}, {"fits", nlohmann::json::array()}};

  for (std::size_t f = 0; f < fits.size(); ++f) {
    const FitSpec& fit = fits[f];
    const auto& by = groups_per_fit[f];
    const std::string transform = error_transform(fit.y);
    // Groups of done runs in first-seen order; each with its runs' (x, error).
    auto [keys, members] = group_records(records, by, true);
    for (const auto& key : keys) {
      std::vector<double> x, error;
      nlohmann::json runs = nlohmann::json::array();
      for (const auto* record : members[key]) {
        const double xv = x_of(*record, fit.x);
        const auto found = record->metrics.find(fit.y);
        if (!std::isfinite(xv) || found == record->metrics.end() || !found->is_number()) continue;
        const double y = found->get<double>();
        const double e = transform == "1 - y" ? 1.0 - y : y;
        x.push_back(xv);
        error.push_back(e);
        runs.push_back({{"run_id", record->run_id}, {"x", xv}, {"error", e}});
      }
      nlohmann::json group = nlohmann::json::object();
      std::string label = fit.name;
      for (std::size_t i = 0; i < by.size(); ++i) {
        group[by[i]] = key[i];
        label += "|" + by[i] + "=" + key[i];
      }
      std::set<double> sizes(x.begin(), x.end());
      for (const auto law : {stats::Law::kSaturating, stats::Law::kPower}) {
        stats::FitOptions fit_options;
        fit_options.resamples = options.summary_resamples / 2;
        fit_options.confidence = options.confidence;
        fit_options.seed = derive_seed(options.seed, "fit/" + label + "/" + stats::law_name(law));
        std::string why;
        const auto result = stats::fit_scaling(law, x, error, fit_options, &why);
        std::vector<std::string> row = {fit.name};
        for (const auto& column : group_columns) {
          const auto at = std::find(by.begin(), by.end(), column);
          row.push_back(at == by.end() ? "" : key[static_cast<std::size_t>(at - by.begin())]);
        }
        row.insert(row.end(), {fit.x, fit.y, transform == "1 - y" ? "1 - " + fit.y : fit.y, stats::law_name(law),
                               std::to_string(x.size()), std::to_string(sizes.size())});
        nlohmann::json entry = {{"fit", fit.name},   {"x", fit.x},      {"y", fit.y},
                                {"error", transform}, {"group", group}, {"law", stats::law_name(law)},
                                {"runs", runs.size()}, {"sizes", sizes.size()}};
        std::vector<std::string> warnings = result ? result->warnings : std::vector<std::string>{"no fit: " + why};
        if (result) {
          const auto& r = *result;
          row.insert(row.end(), {fixed_number(r.fit.alpha), r.alpha_interval ? fixed_number(r.alpha_interval->lo) : "",
                                 r.alpha_interval ? fixed_number(r.alpha_interval->hi) : "", fixed_number(r.fit.A),
                                 fixed_number(r.fit.E), fixed_number(r.fit.r2),
                                 r.holdout_x ? fixed_number(*r.holdout_x) : "",
                                 r.holdout_predicted ? fixed_number(*r.holdout_predicted) : "",
                                 r.holdout_observed ? fixed_number(*r.holdout_observed) : ""});
          entry["alpha"] = r.fit.alpha;
          entry["alpha_interval"] = r.alpha_interval ? nlohmann::json{r.alpha_interval->lo, r.alpha_interval->hi} : nlohmann::json();
          entry["A"] = r.fit.A;
          entry["E"] = r.fit.E;
          entry["r2"] = r.fit.r2;
          entry["holdout"] = r.holdout_x ? nlohmann::json{{"x", *r.holdout_x},
                                                          {"predicted", *r.holdout_predicted},
                                                          {"observed", *r.holdout_observed}}
                                         : nlohmann::json();
          nlohmann::json points = nlohmann::json::array();
          for (const auto& p : r.points) {
            points.push_back({{"x", p.x}, {"n", p.n}, {"mean_error", p.mean}, {"predicted", p.predicted}, {"residual", p.residual}});
          }
          entry["points"] = points;
        } else {
          row.insert(row.end(), 9, "");
          entry["alpha"] = nullptr;
        }
        std::string joined;
        for (const auto& w : warnings) joined += (joined.empty() ? "" : "; ") + w;
        row.push_back(joined);
        entry["warnings"] = warnings;
        entry["run_points"] = runs;
        out.table.rows.push_back(std::move(row));
        out.json["fits"].push_back(std::move(entry));
      }
    }
  }
  return out;
}

std::vector<FitSpec> declared_fits(const std::filesystem::path& sweep_dir) {
  const auto plan = io::read_json_file(layout::RunPaths::from_sweep_dir(sweep_dir).plan_json());
  std::vector<FitSpec> out;
  if (!plan || !plan->is_object() || !plan->contains("fit")) return out;
  for (const auto& entry : (*plan)["fit"]) out.push_back(FitSpec::from_json(entry));
  return out;
}

}  // namespace regal::aggregate
