#pragma once
// A search sweep ([search] in a spec) as a sequence of phases over the same
// ranks (asha: one phase that grows, AshaSearch below): each phase is an ordinary set of runs (the pending trials of every
// cell's current rung), and once every cell has chosen, a last phase trains
// the chosen configurations with search.final_seeds. What runs next is read
// from the run folders alone (search_state), so every rank computes the same
// phase, and a search killed at any point continues from the same choices.
#include <filesystem>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "layout/run_paths.h"
#include "layout/run_state.h"
#include "sweep/spec.h"

namespace regal::sweep {

struct SearchCell {
  std::string id;    // the cell's base run id (12 hex): search/<id>/
  PlannedRun base;   // the grid point, before any searched value
};

// The cells: the points of the spec's [grid] and [[zip]] (one cell without).
// InputError for a spec whose rungs a promoted trial could not continue
// exactly (a rung not a multiple of train.eval_every, train.patience set).
std::vector<SearchCell> search_cells(const SweepSpec& spec);

// A trial of a cell at a rung: the cell's experiment, the trial's values,
// seed = search.seed, train.steps = the rung's resource and, below the last
// rung, train.schedule_steps = max_resource.
PlannedRun trial_run(const SweepSpec& spec, const SearchCell& cell, std::size_t trial, std::size_t rung);
// The chosen configuration of a cell with one final seed, at max_resource.
// Its axes: the cell's, the searched keys, seed.
PlannedRun final_run(const SweepSpec& spec, const SearchCell& cell, const nlohmann::json& values, std::uint64_t seed);

struct TrialResult {
  std::size_t trial = 0, rung = 0;
  std::string run_id;
  std::string state;               // the run's state ("done", "failed", "pending", ...)
  std::optional<double> metric;    // search.metric of a done run
};

struct CellState {
  std::vector<TrialResult> trials;            // every trial run so far, by rung then trial
  std::optional<std::size_t> chosen;          // the winning trial, once the last rung is finished
  std::optional<double> chosen_metric;
  std::vector<PlannedRun> pending;            // trial runs to execute next (its current rung's unfinished ones)
  std::vector<std::pair<std::string, std::string>> continue_from;  // (pending run id, the lower rung's run id)
};

struct SearchState {
  std::vector<CellState> cells;               // in search_cells order
  bool searching() const;                     // some cell has pending trials
  std::vector<PlannedRun> trial_phase() const;  // every cell's pending trials
};

// Reads the trial runs' folders and decides, cell by cell, what runs next.
SearchState search_state(const SweepSpec& spec, const std::vector<SearchCell>& cells, const layout::RunPaths& sweep_paths);

// Every cell's chosen configuration trained with each final seed (cells
// without a choice yet are left out).
std::vector<PlannedRun> final_phase(const SweepSpec& spec, const std::vector<SearchCell>& cells, const SearchState& state);

// Before a phase: a promoted trial's folder gets its lower rung's
// checkpoints (best.pt, last.pt and their digests; last.pt renamed into place
// last), unless it has started already.
void copy_continuations(const SearchState& state, const layout::RunPaths& sweep_paths);

// search/<cell>/trials.csv and best.json, and aggregate/search_summary.csv.
void write_search_outputs(const SweepSpec& spec, const std::vector<SearchCell>& cells, const SearchState& state,
                          const layout::RunPaths& sweep_paths);

// asha: one phase in which promotions are decided as results arrive (rank 0
// alone decides). Each decision is appended to search/<cell>/asha.log before
// its run is handed out; a restart replays the log (decisions taken stay
// taken) and adds what finished results call for but the log lacks.
class AshaSearch {
 public:
  AshaSearch(const SweepSpec& spec, const std::vector<SearchCell>& cells, const layout::RunPaths& sweep_paths);
  // Every cell's rung-0 trials and the promotions of its log.
  std::vector<PlannedRun> known_runs() const;
  // Rank 0, before the phase: promotions the finished trials call for that
  // the log lacks (a kill between a result and its decision).
  std::vector<PlannedRun> catch_up();
  // Rank 0, as a trial run ends (done or failed): the promotions it allows,
  // logged, their lower rung's checkpoints copied.
  std::vector<PlannedRun> on_finished(const std::string& run_id, layout::RunState state, const nlohmann::json& metrics);
  // The cells as their folders say: trials, and the choice (the best of the
  // highest rung any trial finished).
  SearchState state() const;

 private:
  std::vector<PlannedRun> promote_ready(std::size_t cell);
  void learn(const PlannedRun& run, std::size_t cell, std::size_t trial, std::size_t rung);

  const SweepSpec& spec_;
  const std::vector<SearchCell>& cells_;
  layout::RunPaths sweep_paths_;
  struct Where {
    std::size_t cell = 0, trial = 0, rung = 0;
  };
  std::map<std::string, Where> where_;                          // every known trial run
  std::vector<std::vector<std::set<std::size_t>>> promoted_;    // [cell][rung]: trials promoted from that rung
  std::map<std::string, std::optional<double>> finished_;       // run id -> metric (nullopt: failed) of finished runs
  std::vector<PlannedRun> known_;
};

// --dry-run: the cells, the rungs (trials and train.steps), and the steps
// the search spends against the same trials trained in full.
std::string search_dry_run_text(const SweepSpec& spec, const std::vector<SearchCell>& cells);

}  // namespace regal::sweep
