// Sweep specs: TOML -> SweepSpec (every key checked against the experiment
// schema, errors as FILE:LINE with the closest key), and the deterministic
// expansion of [grid] x [[zip]] minus `exclude` into validated runs (file
// order, last axis fastest; equal run ids kept once).
#include "sweep/spec.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "experiment/registry.h"
#include "fsm/fsm.h"
#include "layout/metrics_json.h"
#include "util/cores.h"
#include "util/error.h"
#include "util/json_fields.h"
#include "util/text.h"

namespace regal::sweep {
namespace {

// A task is input too: it compiles within max_states, its classes are
// disjoint, and every class has a string at the training lengths.
void check_task(const experiment::Experiment& e) {
  const fsm::Task task = [&] {
    try {
      return experiment::compile_task(e.language);
    } catch (const KeyError& error) {
      throw KeyError("language", error.what());
    }
  }();
  if (task.is_recogniser()) return;
  for (std::size_t c = 0; c < task.num_classes(); ++c) {
    const auto counts = fsm::count_accepted(fsm::class_language(task.dfa, static_cast<std::uint8_t>(c)), e.data.L_max);
    bool reached = false;
    for (std::size_t n = e.data.L_min; n <= e.data.L_max && !reached; ++n) reached = !counts[n].is_zero();
    if (!reached) {
      throw KeyError("language", "language '" + e.language.name + "': class '" + task.classes[c] +
                                     "' has no string of length " + std::to_string(e.data.L_min) + ".." +
                                     std::to_string(e.data.L_max) + " (data.L_min..data.L_max)");
    }
  }
}

}  // namespace

namespace fs = std::filesystem;
namespace {

bool is_axis_key(const std::string& key) {
  if (key == "language" || key == "experiment") return true;
  const auto& keys = experiment::experiment_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> axis_keys() {
  std::vector<std::string> keys = experiment::experiment_keys();
  keys.push_back("language");
  keys.push_back("experiment");
  return keys;
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_object() && value.contains("name")) return value["name"].get<std::string>();
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

namespace {

// The axes a spec varies: [grid] then [[zip]] keys.
std::vector<std::string> sweep_axes(const SweepSpec& spec) {
  std::vector<std::string> axes;
  for (const auto& axis : spec.grid) axes.push_back(axis.key);
  for (const auto& group : spec.zips) {
    for (const auto& axis : group) axes.push_back(axis.key);
  }
  return axes;
}

// [[compare]] tables: { name, a = { axis = value }, b = { ... }, metrics = [...], by = [...] },
// their axes among the sweep's, their metrics among what runs report.
template <class Fail>
void read_comparisons(const nlohmann::json& tables, SweepSpec& spec, const Fail& fail) {
  if (!tables.is_array()) fail("compare", "comparisons are written [[compare]]");
  const std::vector<std::string> axes = sweep_axes(spec);
  const std::vector<std::string> metrics = layout::metrics_json_keys();
  std::set<std::string> names;
  for (const auto& table : tables) {
    if (!table.is_object()) fail("compare", "a [[compare]] entry is a table");
    for (const auto& [key, value] : table.items()) {
      const std::vector<std::string> fields = {"name", "a", "b", "metrics", "by"};
      if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
        fail("compare", "[[compare]] takes name, a, b, metrics and by (got '" + key + "')" + did_you_mean(key, fields));
      }
    }
    if (!table.contains("a") || !table.contains("b") || !table["a"].is_object() || !table["b"].is_object() ||
        table["a"].empty() || table["b"].empty()) {
      fail("compare", "[[compare]] needs a = { axis = value } and b = { axis = value }");
    }
    std::string name = table.value("name", "");
    if (!table.contains("name") || !table["name"].is_string() || name.empty()) fail("compare", "[[compare]] needs a name");
    if (!names.insert(name).second) fail("compare", "two [[compare]] tables are named '" + name + "'");
    for (const char* arm : {"a", "b"}) {
      for (const auto& [axis, value] : table[arm].items()) {
        if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
          fail("compare", name + ": " + arm + " names '" + axis + "', which is not an axis of this sweep" + did_you_mean(axis, axes));
        }
        if (value.is_object() || value.is_array()) fail("compare", name + ": " + arm + "." + axis + " must be one value");
      }
    }
    nlohmann::json entry = {{"name", name}, {"a", table["a"]}, {"b", table["b"]}, {"metrics", nlohmann::json::array()},
                            {"by", nlohmann::json::array()}};
    for (const char* list : {"metrics", "by"}) {
      if (!table.contains(list)) continue;
      if (!table[list].is_array()) fail("compare", name + ": " + list + " is a list of names");
      for (const auto& item : table[list]) {
        if (!item.is_string()) fail("compare", name + ": " + list + " is a list of names");
        const std::string text = item.get<std::string>();
        const auto& known = std::string(list) == "metrics" ? metrics : axes;
        if (std::find(known.begin(), known.end(), text) == known.end()) {
          fail("compare", name + ": unknown " + (std::string(list) == "metrics" ? "metric " : "axis ") + text + did_you_mean(text, known));
        }
        entry[list].push_back(text);
      }
    }
    spec.comparisons.push_back(std::move(entry));
  }
}

// [[fit]] tables: { name, x, y, by }: x an axis of the sweep or a numeric
// metric, y a metric that reads as an error (1 - accuracy, or a loss).
template <class Fail>
void read_fits(const nlohmann::json& tables, SweepSpec& spec, const Fail& fail) {
  if (!tables.is_array()) fail("fit", "fits are written [[fit]]");
  const std::vector<std::string> axes = sweep_axes(spec);
  const std::vector<std::string> metrics = layout::metrics_json_keys();
  std::vector<std::string> xs = axes;
  xs.insert(xs.end(), metrics.begin(), metrics.end());
  std::set<std::string> names;
  for (const auto& table : tables) {
    if (!table.is_object()) fail("fit", "a [[fit]] entry is a table");
    const std::vector<std::string> fields = {"name", "x", "y", "by"};
    for (const auto& [key, value] : table.items()) {
      if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
        fail("fit", "[[fit]] takes name, x, y and by (got '" + key + "')" + did_you_mean(key, fields));
      }
    }
    for (const char* key : {"x", "y"}) {
      if (!table.contains(key) || !table[key].is_string()) fail("fit", std::string("[[fit]] needs ") + key + " = \"name\"");
    }
    const std::string x = table["x"].get<std::string>(), y = table["y"].get<std::string>();
    std::string name = table.value("name", y + " ~ " + x);
    if (table.contains("name") && (!table["name"].is_string() || name.empty())) fail("fit", "[[fit]] name is a string");
    if (!names.insert(name).second) fail("fit", "two [[fit]] tables are named '" + name + "'");
    if (std::find(xs.begin(), xs.end(), x) == xs.end()) {
      fail("fit", name + ": x = " + x + " is neither an axis of this sweep nor a metric" + did_you_mean(x, xs));
    }
    if (std::find(axes.begin(), axes.end(), x) != axes.end()) {
      for (const auto& axis : spec.grid) {
        if (axis.key != x) continue;
        for (const auto& value : axis.values) {
          if (!value.is_number()) fail("fit", name + ": x = " + x + " is not numeric (it takes " + value.dump() + ")");
        }
      }
    }
    if (std::find(metrics.begin(), metrics.end(), y) == metrics.end()) fail("fit", name + ": unknown metric y = " + y + did_you_mean(y, metrics));
    if (!layout::fit_error_transform(y)) {
      fail("fit", name + ": y = " + y + " is neither an accuracy (fitted as 1 - y) nor a loss or error (fitted as is)");
    }
    nlohmann::json entry = {{"name", name}, {"x", x}, {"y", y}};
    if (table.contains("by")) {
      if (!table["by"].is_array()) fail("fit", name + ": by is a list of axes");
      entry["by"] = nlohmann::json::array();
      for (const auto& item : table["by"]) {
        if (!item.is_string()) fail("fit", name + ": by is a list of axes");
        const std::string axis = item.get<std::string>();
        if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
          fail("fit", name + ": by names '" + axis + "', which is not an axis of this sweep" + did_you_mean(axis, axes));
        }
        if (axis == x) fail("fit", name + ": by cannot hold x (" + x + ")");
        entry["by"].push_back(axis);
      }
    }
    spec.fits.push_back(std::move(entry));
  }
}

}  // namespace

SweepSpec parse_spec(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError("cannot read spec " + file.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_spec_text(buffer.str(), file);
}

SweepSpec parse_spec_text(std::string text, const fs::path& file) {
  SweepSpec spec;
  spec.file = file;
  spec.text = std::move(text);
  std::map<std::string, std::size_t> lines;
  const nlohmann::json json = experiment::toml_text_to_json(spec.text, file, lines);
  auto where = [&](const std::string& path) {
    const auto found = lines.find(path);
    return file.string() + (found == lines.end() ? "" : ":" + std::to_string(found->second));
  };
  auto fail = [&](const std::string& path, const std::string& message) { throw InputError(where(path) + ": " + message); };

  const std::vector<std::string> sections = {"sweep", "base", "grid", "zip", "exclude", "compare", "fit", "search"};
  for (const auto& [key, value] : json.items()) {
    if (std::find(sections.begin(), sections.end(), key) == sections.end()) {
      fail(key, "unknown section or key '" + key + "'" + did_you_mean(key, sections));
    }
  }
  if (!json.contains("sweep") || !json["sweep"].contains("name")) fail("sweep", "[sweep] needs a name");
  for (const auto& [key, value] : json["sweep"].items()) {
    if (key == "name" && value.is_string()) spec.name = value.get<std::string>();
    else if (key == "description" && value.is_string()) spec.description = value.get<std::string>();
    else if (key == "exclude" && value.is_array()) spec.excludes.insert(spec.excludes.end(), value.begin(), value.end());
    else fail("sweep." + key, "[sweep] takes name, description and exclude (got '" + key + "' = " + value.dump() + ")");
  }
  if (spec.name.empty() || spec.name.find('/') != std::string::npos) fail("sweep.name", "[sweep] name must be a plain folder name");
  if (json.contains("exclude")) {
    if (!json["exclude"].is_array()) fail("exclude", "exclude must be a list of tables");
    spec.excludes.insert(spec.excludes.end(), json["exclude"].begin(), json["exclude"].end());
  }

  if (json.contains("base")) {
    std::vector<std::pair<std::string, nlohmann::json>> base;
    flatten_json(json["base"], "", base);
    for (auto& [key, value] : base) {
      const std::string path = "base." + key;
      // Quoted dotted keys were recorded under their own name.
      const std::string line_key = lines.count(path) ? path : "base";
      // A language table in [base] flattens to language.name/regex/alphabet: experiment keys.
      if (!is_axis_key(key)) fail(line_key, "unknown key '" + key + "' in [base]" + did_you_mean(key, axis_keys()));
      spec.lines[key] = lines.count(path) ? lines[path] : lines["base"];
      spec.base.emplace_back(key, value);
    }
  }

  auto read_axes = [&](const nlohmann::json& table, const std::string& section) {
    std::vector<Axis> axes;
    for (const auto& [key, values] : table.items()) {
      const std::string path = section + "." + key;
      if (!is_axis_key(key)) fail(path, "unknown axis '" + key + "'" + did_you_mean(key, axis_keys()));
      if (!values.is_array()) fail(path, "axis '" + key + "' needs a list of values");
      if (values.empty()) fail(path, "axis '" + key + "' is empty");
      Axis axis{key, {values.begin(), values.end()}, lines.count(path) ? lines[path] : 0};
      spec.lines[key] = axis.line;
      axes.push_back(std::move(axis));
    }
    std::sort(axes.begin(), axes.end(), [](const Axis& a, const Axis& b) { return a.line < b.line; });
    return axes;
  };
  if (json.contains("grid")) spec.grid = read_axes(json["grid"], "grid");
  if (json.contains("zip")) {
    const nlohmann::json& zips = json["zip"];
    if (!zips.is_array()) fail("zip", "zip groups are written [[zip]]");
    for (const auto& group : zips) {
      std::vector<Axis> axes = read_axes(group, "zip");
      for (const auto& axis : axes) {
        if (axis.values.size() != axes.front().values.size()) {
          fail("zip." + axis.key, "the axes of a [[zip]] group need equal lengths ('" + axes.front().key + "' has " +
                                       std::to_string(axes.front().values.size()) + ", '" + axis.key + "' has " +
                                       std::to_string(axis.values.size()) + ")");
        }
      }
      if (!axes.empty()) spec.zips.push_back(std::move(axes));
    }
  }
  for (const auto& exclude : spec.excludes) {
    if (!exclude.is_object() || exclude.empty()) fail("exclude", "every exclude entry is a table of axis = value");
    for (const auto& [key, value] : exclude.items()) {
      bool known = false;
      for (const auto& axis : spec.grid) known = known || axis.key == key;
      for (const auto& group : spec.zips) {
        for (const auto& axis : group) known = known || axis.key == key;
      }
      if (!known) fail("exclude", "exclude names '" + key + "', which is not an axis of this sweep");
    }
  }
  if (json.contains("compare")) read_comparisons(json["compare"], spec, fail);
  if (json.contains("fit")) read_fits(json["fit"], spec, fail);
  if (json.contains("search")) {
    spec.search = search::parse_search(json["search"], [&](const std::string& path, const std::string& message) {
      fail(lines.count(path) ? path : "search", message);
    });
    for (const auto& axis : spec.grid) {
      if (axis.key == "seed") fail("grid.seed", "a search trains its chosen configuration with search.final_seeds: take seed out of [grid]");
      for (const auto& [key, distribution] : spec.search->space) {
        if (axis.key == key) fail("grid." + key, key + " is both an axis and searched over in [search.space]");
      }
    }
    for (const auto& group : spec.zips) {
      for (const auto& axis : group) {
        if (axis.key == "seed") fail("zip", "a search trains its chosen configuration with search.final_seeds: take seed out of [[zip]]");
      }
    }
  }
  return spec;
}

double estimated_cost(const experiment::Experiment& e) {
  const double parameters = static_cast<double>(e.planned_model().second);
  const double train_length = static_cast<double>(e.data.L_min + e.data.L_max) / 2.0;
  const double training = static_cast<double>(e.train.steps * e.train.batch_size) * train_length * parameters * 3.0;
  const double test_symbols = static_cast<double>(e.data.n_test_per_length) *
                              static_cast<double>(e.data.L_test_max) * static_cast<double>(e.data.L_test_max) / 2.0;
  return training + test_symbols * parameters;
}

namespace {

// One point of the grid, built alone (any thread): its run, or the error it
// stops the sweep with, or neither (excluded).
struct Point {
  std::optional<PlannedRun> run;
  std::string checked;         // the task's key: checked once per sweep, in plan order
  std::exception_ptr error;    // located (FILE:LINE) when it is bad input
};

// The exception being handled, located in the spec as expand reports it.
std::exception_ptr located(const SweepSpec& spec, const std::function<std::string(const std::string&)>& where) {
  try {
    throw;
  } catch (const KeyError& e) {
    const std::string key = e.key().rfind("language.", 0) == 0 && !spec.lines.count(e.key()) ? "language" : e.key();
    return std::make_exception_ptr(InputError(where(key) + ": " + e.what()));
  } catch (const InputError& e) {
    return std::make_exception_ptr(InputError(spec.file.string() + ": " + e.what()));
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

std::vector<PlannedRun> expand(const SweepSpec& spec, std::size_t max_points, std::size_t threads) {
  if (threads == 0) threads = std::min<std::size_t>(bound_core_count(), 16);
  // Dimensions: each grid axis alone, each zip group as one.
  std::vector<std::vector<Axis>> dimensions;
  for (const auto& axis : spec.grid) dimensions.push_back({axis});
  for (const auto& group : spec.zips) dimensions.push_back(group);
  std::size_t points = 1;
  for (const auto& dimension : dimensions) {
    points *= dimension.front().values.size();
    if (points > max_points) {
      throw InputError(spec.file.string() + ": the grid has more than " + std::to_string(max_points) +
                       " points (max_points); split the sweep or narrow its axes");
    }
  }

  const std::function<std::string(const std::string&)> where = [&](const std::string& key) {
    const auto found = spec.lines.find(key);
    return spec.file.string() + (found == spec.lines.end() || found->second == 0 ? "" : ":" + std::to_string(found->second));
  };

  // A named experiment's settings, by name ("": the defaults); one cache a thread.
  using Starts = std::map<std::string, nlohmann::json>;
  auto build = [&](std::size_t point, Starts& starts) -> Point {
    Point out;
    // Mixed-radix counter, last dimension fastest.
    std::vector<std::size_t> index(dimensions.size(), 0);
    std::size_t rest = point;
    for (std::size_t d = dimensions.size(); d-- > 0;) {
      index[d] = rest % dimensions[d].front().values.size();
      rest /= dimensions[d].front().values.size();
    }
    std::vector<std::pair<std::string, nlohmann::json>> assignment = spec.base;
    std::vector<std::pair<std::string, nlohmann::json>> axes;
    for (std::size_t d = 0; d < dimensions.size(); ++d) {
      for (const auto& axis : dimensions[d]) {
        assignment.emplace_back(axis.key, axis.values[index[d]]);
        axes.emplace_back(axis.key, axis.values[index[d]].is_object() ? nlohmann::json(value_text(axis.values[index[d]]))
                                                                       : axis.values[index[d]]);
      }
    }
    bool excluded = false;
    for (const auto& exclude : spec.excludes) {
      bool matches = true;
      for (const auto& [key, value] : exclude.items()) {
        bool found = false;
        for (const auto& [axis, chosen] : axes) {
          found = found || (axis == key && (chosen == value || value_text(chosen) == value_text(value)));
        }
        matches = matches && found;
      }
      excluded = excluded || matches;
    }
    if (excluded) return out;

    // Build the experiment: a named experiment first, then every setting.
    std::string start;
    for (const auto& [key, value] : assignment) {
      if (key != "experiment") continue;
      if (!value.is_string()) {
        out.error = std::make_exception_ptr(InputError(where(key) + ": experiment must be a name (got " + value.dump() + ")"));
        return out;
      }
      start = value.get<std::string>();
    }
    if (!starts.count(start)) {
      try {
        starts[start] = (start.empty() ? experiment::Experiment() : experiment::find_experiment(start)).to_json();
      } catch (const InputError& e) {
        out.error = std::make_exception_ptr(InputError(where("experiment") + ": " + e.what()));
        return out;
      }
    }
    nlohmann::json json = starts.at(start);
    json["name"] = spec.name;
    json["description"] = spec.description;
    try {
      for (const auto& [key, value] : assignment) {
        if (key == "experiment") continue;
        if (key == "language") {
          experiment::LanguageSpec language;
          if (value.is_string()) {
            try {
              language = experiment::find_language(value.get<std::string>());
            } catch (const InputError& error) {
              throw KeyError("language", error.what());
            }
          } else if (value.is_object() && ((value.contains("regex") && value.contains("alphabet")) ||
                                           value.contains("classes") || value.contains("generator") ||
                                           value.contains("fsm"))) {
            for (const auto& [field, ignored] : value.items()) {
              static const std::set<std::string> fields = {"name", "regex", "alphabet", "classes",
                                                           "generator", "n", "operators", "fsm"};
              if (!fields.count(field)) {
                throw KeyError("language", "a language table takes name and regex, alphabet, classes, generator, n, "
                                           "operators or fsm (got '" + field + "')");
              }
            }
            nlohmann::json table = value;
            if (table.contains("fsm") && table["fsm"].is_string()) {
              // A labelled DFA file is found beside the spec, wherever the sweep is started from.
              const fs::path file = table["fsm"].get<std::string>();
              if (file.is_relative()) {
                table["fsm"] = fs::absolute(spec.file.parent_path() / file).lexically_normal().string();
              }
            }
            if (!table.contains("name")) {
              table["name"] = value.contains("regex")       ? value["regex"]
                              : value.contains("generator") ? value["generator"]
                              : value.contains("fsm")       ? value["fsm"]
                                                            : nlohmann::json("classes");
            }
            language = experiment::Experiment::from_json({{"language", table}}).language;
          } else {
            throw KeyError("language", "a language is a name or a table { name, regex, alphabet } or one with classes, "
                                       "generator or fsm (got " + value.dump() + ")");
          }
          json["language"] = language.to_json();
          continue;
        }
        experiment::set_key(json, key, value);
      }
      experiment::Experiment e = experiment::Experiment::from_json(json);
      e.validate();
      out.checked = e.language.to_json().dump() + "\n" + std::to_string(e.data.L_min) + ".." + std::to_string(e.data.L_max);
      std::string id = experiment::run_id(e);
      const double cost = estimated_cost(e);
      out.run = PlannedRun{std::move(id), std::move(axes), std::move(e), cost};
    } catch (...) {
      out.error = located(spec, where);
    }
    return out;
  };

  // The points in chunks, each built by every thread at once and then taken
  // in plan order: the same runs, ids and first error as one thread gives.
  threads = std::max<std::size_t>(1, std::min(threads, points / 64 + 1));
  const std::size_t chunk = std::min<std::size_t>(points, 1024 * threads);
  std::vector<Starts> starts(threads);
  std::vector<Point> built(chunk);
  std::vector<PlannedRun> runs;
  runs.reserve(points);  // no reallocation: a 100,000-run plan would hold two copies at once
  std::set<std::string> seen;
  std::set<std::string> compiled;  // languages (and training lengths) already checked
  for (std::size_t first = 0; first < points; first += chunk) {
    const std::size_t n = std::min(chunk, points - first);
    auto work = [&](std::size_t t) {
      for (std::size_t i = t; i < n; i += threads) {
        try {
          built[i] = build(first + i, starts[t]);
        } catch (...) {
          built[i] = Point{std::nullopt, {}, std::current_exception()};
        }
      }
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads && t < n; ++t) helpers.emplace_back(work, t);
    work(0);
    for (auto& helper : helpers) helper.join();
    for (std::size_t i = 0; i < n; ++i) {
      Point& point = built[i];
      if (point.error) std::rethrow_exception(point.error);
      if (!point.run) continue;  // excluded
      // The automaton's state budget is input validation too: a language
      // over budget stops the sweep here, before anything is written.
      if (compiled.insert(point.checked).second) {
        try {
          check_task(point.run->experiment);
        } catch (...) {
          std::rethrow_exception(located(spec, where));
        }
      }
      if (!seen.insert(point.run->run_id).second) continue;
      runs.push_back(std::move(*point.run));
    }
  }
  if (runs.empty()) throw InputError(spec.file.string() + ": the spec expands to no runs (everything excluded?)");
  return runs;
}

bool wants_gpu(const std::vector<PlannedRun>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const PlannedRun& run) { return run.experiment.device != "cpu"; });
}

}  // namespace regal::sweep
