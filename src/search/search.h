#pragma once
// Hyperparameter search per cell (no torch, no I/O): a spec's [search] table,
// the trials it samples, the rungs of successive halving and the promotion
// rule. Everything here is a pure function of the spec, the cell and the
// metrics of finished trials, so the same spec and seed make the same choices
// whatever the number of ranks and the order in which trials finish.
//
// Successive halving (Jamieson & Talwalkar 2016; Li et al. 2020's
// synchronous SHA): rung k trains to min_resource * eta^k while that is below
// max_resource, the last rung to max_resource; rung k holds
// max(1, floor(trials / eta^k)) trials, the best of rung k - 1 by the metric
// (ties: the lower trial index). A promoted trial continues from its lower
// rung's checkpoint: its learning-rate schedule is defined on max_resource
// (train.schedule_steps), so it equals the same configuration trained
// straight to that budget. Asynchronous SHA (asha, Li et al. 2020) uses the
// same ladder but promotes as results arrive: a trial goes up from rung k as
// soon as it is in the top floor(n_k / eta) of the n_k trials finished there.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::search {

enum class Method { kGrid, kRandom, kSha, kAsha };

struct Distribution {
  enum class Kind { kLogUniform, kUniform, kIntUniform, kChoice };
  Kind kind = Kind::kChoice;
  double lo = 0, hi = 0;                 // the uniform kinds' bounds, inclusive
  std::vector<nlohmann::json> choices;   // kChoice
};

struct SearchSpec {
  Method method = Method::kSha;
  bool successive() const { return method == Method::kSha || method == Method::kAsha; }
  std::size_t trials = 0;                     // configurations per cell (random, sha); grid: the product of choices
  std::string metric = "best_val_acc";        // a validation metric of metrics.json
  bool minimize = false;
  std::string resource = "train.steps";       // what a trial grows along
  std::size_t min_resource = 0, max_resource = 0;
  std::size_t eta = 3;
  std::uint64_t seed = 0;                     // the sampler's, and the trials' training seed
  std::vector<std::uint64_t> final_seeds = {0, 1, 2, 3, 4};
  std::vector<std::pair<std::string, Distribution>> space;  // in file order
  bool enumerate = false;  // the trials are the grid of the choices (grid; random or sha without `trials`)
};

// Throws through `fail(path, message)` (path: "search", "search.space.<key>")
// on unknown keys (with the closest), a distribution that does not fit its
// key's type, min_resource > max_resource, eta < 2, a test metric, a
// resource other than train.steps, an empty space.
using Fail = std::function<void(const std::string& path, const std::string& message)>;
SearchSpec parse_search(const nlohmann::json& table, const Fail& fail);

struct Rung {
  std::size_t resource = 0;  // train.steps at the end of this rung
  std::size_t trials = 0;    // how many trials reach it
};
// sha and asha: the ladder above; grid and random: one rung of every trial at max_resource.
std::vector<Rung> rungs(const SearchSpec& spec);
// Trials per cell: grid, the product of the choices; otherwise `trials`.
std::size_t trial_count(const SearchSpec& spec);

// Trial `index`'s configuration {key: value} in cell `cell` (any stable
// text): an enumerated space decodes the index (the last key fastest); random and sha draw
// from Rng(derive_seed(seed, "search/<cell>/<index>")), key by key in file order.
nlohmann::json trial_values(const SearchSpec& spec, const std::string& cell, std::size_t index);

// The `keep` best of one rung's trials: (trial index, metric or nullopt for
// a failed trial) in any order; failed trials rank last; ties go to the
// lower index. Returns trial indices, best first.
std::vector<std::size_t> promote(std::vector<std::pair<std::size_t, std::optional<double>>> results, std::size_t keep,
                                 bool minimize);

// Training steps one cell's search spends (continuations counted once), and
// what training every trial to max_resource would.
std::size_t search_steps(const SearchSpec& spec);
std::size_t full_grid_steps(const SearchSpec& spec);

const char* method_name(Method method);

}  // namespace regal::search
