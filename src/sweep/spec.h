#pragma once
// A sweep spec (TOML): [sweep] name/description, [base] settings (optionally
// starting from a named experiment), [grid] axes whose cartesian product gives
// the runs, [[zip]] groups of axes that vary together, `exclude` partial
// assignments to drop. See docs/spec.md.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/experiment.h"
#include "search/search.h"

namespace regal::sweep {

struct Axis {
  std::string key;                    // "seed", "language", "experiment" or an experiment key ("data.L_max")
  std::vector<nlohmann::json> values; // as written
  std::size_t line = 0;               // where it was written
};

struct SweepSpec {
  std::filesystem::path file;                  // the spec file
  std::string text;                            // its content, as given
  std::string name;                            // [sweep] name: results/<name>/
  std::string description;                     // [sweep] description
  std::vector<std::pair<std::string, nlohmann::json>> base;  // dotted key -> value ("experiment" allowed)
  std::vector<Axis> grid;                      // in file order
  std::vector<std::vector<Axis>> zips;         // each group varies together
  std::vector<nlohmann::json> excludes;        // objects: axis key -> value
  std::map<std::string, std::size_t> lines;    // experiment key -> the line that set it (for errors)
  std::vector<nlohmann::json> comparisons;     // [[compare]]: {name, a, b, metrics, by}, checked
  std::vector<nlohmann::json> fits;            // [[fit]]: {name, x, y[, by]}, checked
  std::optional<search::SearchSpec> search;    // [search]: the grid's points are cells, each searched
};

// Parses and checks a spec. Throws InputError "FILE:LINE: message" for
// unknown keys (with the closest valid key), empty axes, zip groups of
// unequal lengths, malformed excludes.
SweepSpec parse_spec(const std::filesystem::path& file);
// The same for spec text already read; `file` names it in messages.
SweepSpec parse_spec_text(std::string text, const std::filesystem::path& file);

struct PlannedRun {
  std::string run_id;                                         // experiment::run_id
  std::vector<std::pair<std::string, nlohmann::json>> axes;  // axis -> value (language by name)
  experiment::Experiment experiment;                          // fully resolved
  double cost = 0;                                            // expected work, for longest-first
};

// Expands the spec into runs, deterministically: the product of grid axes and
// zip groups (in file order, the last axis fastest), minus excluded points,
// each built into an Experiment and validated (regex column, types, unknown
// experiment or language names: InputError naming FILE:LINE). Points with
// equal run ids are kept once. A grid of more than `max_points` points is an
// InputError before any run is built. The points are built on `threads`
// threads (0: the cores this process may use, at most 16) and taken in plan
// order: the result, and the first error, are the same for any count.
inline constexpr std::size_t kMaxGridPoints = 10'000'000;
std::vector<PlannedRun> expand(const SweepSpec& spec, std::size_t max_points = kMaxGridPoints, std::size_t threads = 0);

// Some run asks for a GPU (device "cuda" or "auto"): then a rank looks for one.
bool wants_gpu(const std::vector<PlannedRun>& runs);

// A relative cost: training steps x batch x mean training length x parameters,
// plus evaluation strings x their mean length x parameters.
double estimated_cost(const experiment::Experiment& experiment);

}  // namespace regal::sweep
