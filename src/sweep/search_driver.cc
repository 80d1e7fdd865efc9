// Search sweeps: cells from the grid, trial and final runs built from a
// cell's experiment, the state of every cell read from its trial runs'
// folders (search.h decides promotions), checkpoint continuation between
// rungs, and the search's own files. Nothing here keeps state in memory
// between phases: a restart after kill -9 reads the same folders and makes
// the same decisions.
#include "sweep/search_driver.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "aggregate/collect.h"
#include "aggregate/tables.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "util/error.h"

namespace regal::sweep {
namespace fs = std::filesystem;

namespace {

PlannedRun build(const SweepSpec& spec, const SearchCell& cell, const nlohmann::json& values, std::uint64_t seed,
                 std::size_t steps, std::size_t schedule_steps, std::vector<std::pair<std::string, nlohmann::json>> axes) {
  nlohmann::json json = cell.base.experiment.to_json();
  for (const auto& [key, value] : values.items()) experiment::set_key(json, key, value);
  experiment::set_key(json, "seed", seed);
  experiment::set_key(json, spec.search->resource, steps);
  experiment::set_key(json, "train.schedule_steps", schedule_steps);
  experiment::Experiment e;
  try {
    e = experiment::Experiment::from_json(json);
    e.validate();
  } catch (const std::exception& error) {
    throw InputError(spec.file.string() + ": [search] cell " + cell.id + ": " + error.what());
  }
  PlannedRun run;
  run.run_id = experiment::run_id(e);
  run.axes = std::move(axes);
  run.cost = estimated_cost(e);
  run.experiment = std::move(e);
  return run;
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return number(v.get<double>());
  return v.dump();
}

std::string cell_label(const SearchCell& cell) {
  std::string out;
  for (const auto& [axis, value] : cell.base.axes) {
    out += (out.empty() ? "" : ", ") + axis + "=" + value_text(value);
  }
  return out.empty() ? "(one cell)" : out;
}

}  // namespace

std::vector<SearchCell> search_cells(const SweepSpec& spec) {
  std::vector<SearchCell> cells;
  for (auto& run : expand(spec)) {
    const auto& train = run.experiment.train;
    const auto ladder = search::rungs(*spec.search);
    for (std::size_t k = 0; k + 1 < ladder.size(); ++k) {
      if (ladder[k].resource % train.eval_every != 0) {
        throw InputError(spec.file.string() + ": [search] rung " + std::to_string(k) + " ends at train.steps = " +
                         std::to_string(ladder[k].resource) + ", not a multiple of train.eval_every (" + std::to_string(train.eval_every) +
                         "): a promoted trial would not equal one trained straight; choose min_resource and eta so that every rung is");
      }
    }
    if (train.patience > 0 && spec.search->successive()) {
      throw InputError(spec.file.string() + ": [search] with method = \"" + search::method_name(spec.search->method) +
                       "\" needs train.patience = 0 (the rungs stop trials early)");
    }
    cells.push_back({run.run_id, std::move(run)});
  }
  return cells;
}

PlannedRun trial_run(const SweepSpec& spec, const SearchCell& cell, std::size_t trial, std::size_t rung) {
  const auto& s = *spec.search;
  const auto ladder = search::rungs(s);
  const std::size_t steps = ladder.at(rung).resource;
  const nlohmann::json values = search::trial_values(s, cell.id, trial);
  auto axes = cell.base.axes;
  for (const auto& [key, value] : values.items()) axes.emplace_back(key, value);
  axes.emplace_back("trial", trial);
  axes.emplace_back("rung", rung);
  return build(spec, cell, values, s.seed, steps, steps < s.max_resource ? s.max_resource : 0, std::move(axes));
}

PlannedRun final_run(const SweepSpec& spec, const SearchCell& cell, const nlohmann::json& values, std::uint64_t seed) {
  auto axes = cell.base.axes;
  for (const auto& [key, value] : values.items()) axes.emplace_back(key, value);
  axes.emplace_back("seed", seed);
  return build(spec, cell, values, seed, spec.search->max_resource, 0, std::move(axes));
}

bool SearchState::searching() const {
  return std::any_of(cells.begin(), cells.end(), [](const CellState& c) { return !c.pending.empty(); });
}

std::vector<PlannedRun> SearchState::trial_phase() const {
  std::vector<PlannedRun> runs;
  std::set<std::string> seen;
  for (const auto& cell : cells) {
    for (const auto& run : cell.pending) {
      if (seen.insert(run.run_id).second) runs.push_back(run);
    }
  }
  return runs;
}

SearchState search_state(const SweepSpec& spec, const std::vector<SearchCell>& cells, const layout::RunPaths& sweep_paths) {
  const auto& s = *spec.search;
  const auto ladder = search::rungs(s);
  SearchState state;
  for (const auto& cell : cells) {
    CellState c;
    std::vector<std::size_t> members(ladder.at(0).trials);
    for (std::size_t i = 0; i < members.size(); ++i) members[i] = i;
    for (std::size_t k = 0; k < ladder.size(); ++k) {
      std::vector<std::pair<std::size_t, std::optional<double>>> results;
      bool finished = true;
      for (const std::size_t trial : members) {
        PlannedRun run = trial_run(spec, cell, trial, k);
        const auto record = aggregate::read_run(sweep_paths.run(run.run_id).run_dir(), spec.name, run.axes);
        TrialResult result{trial, k, run.run_id, std::string(layout::to_string(record.state)), std::nullopt};
        if (record.state == layout::RunState::kDone) {
          const auto found = record.metrics.find(s.metric);
          if (found != record.metrics.end() && found->is_number()) result.metric = found->get<double>();
          results.emplace_back(trial, result.metric);
        } else if (record.state == layout::RunState::kFailed) {
          results.emplace_back(trial, std::nullopt);
        } else {
          finished = false;
          if (k > 0) c.continue_from.emplace_back(run.run_id, trial_run(spec, cell, trial, k - 1).run_id);
          c.pending.push_back(std::move(run));
        }
        c.trials.push_back(std::move(result));
      }
      if (!finished) break;
      if (k + 1 == ladder.size()) {
        const auto best = search::promote(results, 1, s.minimize);
        if (!best.empty()) {
          c.chosen = best[0];
          for (const auto& [trial, metric] : results) {
            if (trial == best[0]) c.chosen_metric = metric;
          }
        }
        break;
      }
      members = search::promote(results, ladder[k + 1].trials, s.minimize);
      std::sort(members.begin(), members.end());
    }
    state.cells.push_back(std::move(c));
  }
  return state;
}

std::vector<PlannedRun> final_phase(const SweepSpec& spec, const std::vector<SearchCell>& cells, const SearchState& state) {
  std::vector<PlannedRun> runs;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (!state.cells[i].chosen) continue;
    const nlohmann::json values = search::trial_values(*spec.search, cells[i].id, *state.cells[i].chosen);
    for (const auto seed : spec.search->final_seeds) {
      PlannedRun run = final_run(spec, cells[i], values, seed);
      if (seen.insert(run.run_id).second) runs.push_back(std::move(run));
    }
  }
  return runs;
}

namespace {

// A promoted trial's folder gets its lower rung's checkpoints, unless it has started.
void copy_checkpoints(const std::string& target_id, const std::string& source_id, const layout::RunPaths& sweep_paths) {
  const layout::RunPaths target = sweep_paths.run(target_id), source = sweep_paths.run(source_id);
  const fs::path to = target.checkpoint_dir(), from = source.checkpoint_dir();
  if (fs::exists(target.status_json()) || fs::exists(target.last_checkpoint()) || !fs::exists(source.last_checkpoint())) return;
  io::create_folders(to);
  // last.pt is what a resume looks for: it arrives last, whole.
  for (const char* name : {"best.pt", "best.pt.sha256", "last.pt.sha256", "last.pt"}) {
    if (const auto content = io::read_file(from / name)) io::write_file_atomic(to / name, *content);
  }
}

TrialResult result_of(const SweepSpec& spec, const PlannedRun& run, std::size_t trial, std::size_t rung,
                      const layout::RunPaths& sweep_paths) {
  const auto record = aggregate::read_run(sweep_paths.run(run.run_id).run_dir(), spec.name, run.axes);
  TrialResult result{trial, rung, run.run_id, std::string(layout::to_string(record.state)), std::nullopt};
  if (record.state == layout::RunState::kDone) {
    const auto found = record.metrics.find(spec.search->metric);
    if (found != record.metrics.end() && found->is_number()) result.metric = found->get<double>();
  }
  return result;
}

}  // namespace

void copy_continuations(const SearchState& state, const layout::RunPaths& sweep_paths) {
  for (const auto& cell : state.cells) {
    for (const auto& [target_id, source_id] : cell.continue_from) copy_checkpoints(target_id, source_id, sweep_paths);
  }
}

AshaSearch::AshaSearch(const SweepSpec& spec, const std::vector<SearchCell>& cells, const layout::RunPaths& sweep_paths)
    : spec_(spec), cells_(cells), sweep_paths_(sweep_paths) {
  const auto ladder = search::rungs(*spec.search);
  promoted_.assign(cells.size(), std::vector<std::set<std::size_t>>(ladder.size()));
  for (std::size_t c = 0; c < cells.size(); ++c) {
    for (std::size_t t = 0; t < ladder.at(0).trials; ++t) learn(trial_run(spec, cells[c], t, 0), c, t, 0);
    // The log: one JSON line per promotion, in the order decided.
    std::istringstream log(io::read_file(sweep_paths.search_asha_log(cells[c].id)).value_or(""));
    for (std::string line; std::getline(log, line);) {
      if (line.empty()) continue;
      nlohmann::json entry;
      try {
        entry = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception&) {
        continue;  // a line cut by a kill: its decision is taken again below
      }
      const auto trial = entry.at("trial").get<std::size_t>(), from = entry.at("from").get<std::size_t>();
      if (from + 1 >= ladder.size() || !promoted_[c][from].insert(trial).second) continue;
      learn(trial_run(spec, cells[c], trial, from + 1), c, trial, from + 1);
    }
  }
  for (const auto& run : known_) {
    const Where& w = where_.at(run.run_id);
    const TrialResult r = result_of(spec, run, w.trial, w.rung, sweep_paths);
    if (r.state == "done" || r.state == "failed") finished_[run.run_id] = r.metric;
  }
}

void AshaSearch::learn(const PlannedRun& run, std::size_t cell, std::size_t trial, std::size_t rung) {
  if (where_.emplace(run.run_id, Where{cell, trial, rung}).second) known_.push_back(run);
}

std::vector<PlannedRun> AshaSearch::known_runs() const { return known_; }

std::vector<PlannedRun> AshaSearch::promote_ready(std::size_t c) {
  const auto& s = *spec_.search;
  const auto ladder = search::rungs(s);
  std::vector<PlannedRun> out;
  for (std::size_t j = ladder.size() - 1; j-- > 0;) {
    std::vector<std::pair<std::size_t, std::optional<double>>> completed;
    for (const auto& [id, w] : where_) {
      if (w.cell != c || w.rung != j) continue;
      const auto found = finished_.find(id);
      if (found != finished_.end()) completed.emplace_back(w.trial, found->second);
    }
    const std::size_t quota = completed.size() / s.eta;
    for (const std::size_t trial : search::promote(completed, quota, s.minimize)) {
      if (!promoted_[c][j].insert(trial).second) continue;
      // Decided: logged first, then its run exists.
      const nlohmann::json entry = {{"trial", trial}, {"from", j}, {"to", j + 1}, {"completed", completed.size()}};
      const fs::path log_file = sweep_paths_.search_asha_log(cells_[c].id);
      io::create_folders(log_file.parent_path());
      const std::string log = io::read_file(log_file).value_or("");
      io::write_file_atomic(log_file, log + entry.dump() + "\n");
      PlannedRun run = trial_run(spec_, cells_[c], trial, j + 1);
      copy_checkpoints(run.run_id, trial_run(spec_, cells_[c], trial, j).run_id, sweep_paths_);
      learn(run, c, trial, j + 1);
      out.push_back(std::move(run));
    }
  }
  return out;
}

std::vector<PlannedRun> AshaSearch::catch_up() {
  std::vector<PlannedRun> out;
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    for (auto& run : promote_ready(c)) out.push_back(std::move(run));
  }
  // Logged promotions whose runs have not started get their checkpoints now.
  for (const auto& run : known_) {
    const Where& w = where_.at(run.run_id);
    if (w.rung > 0) copy_checkpoints(run.run_id, trial_run(spec_, cells_[w.cell], w.trial, w.rung - 1).run_id, sweep_paths_);
  }
  return out;
}

std::vector<PlannedRun> AshaSearch::on_finished(const std::string& run_id, layout::RunState state, const nlohmann::json& metrics) {
  const auto w = where_.find(run_id);
  if (w == where_.end()) return {};
  std::optional<double> metric;
  const auto found = metrics.find(spec_.search->metric);
  if (state == layout::RunState::kDone && found != metrics.end() && found->is_number()) metric = found->get<double>();
  finished_[run_id] = metric;
  return promote_ready(w->second.cell);
}

SearchState AshaSearch::state() const {
  SearchState out;
  out.cells.resize(cells_.size());
  for (const auto& run : known_) {
    const Where& w = where_.at(run.run_id);
    out.cells[w.cell].trials.push_back(result_of(spec_, run, w.trial, w.rung, sweep_paths_));
  }
  for (auto& cell : out.cells) {
    std::stable_sort(cell.trials.begin(), cell.trials.end(),
                     [](const TrialResult& a, const TrialResult& b) { return a.rung != b.rung ? a.rung < b.rung : a.trial < b.trial; });
    // The choice: the best of the highest rung where some trial finished.
    for (std::size_t rung = search::rungs(*spec_.search).size(); rung-- > 0;) {
      std::vector<std::pair<std::size_t, std::optional<double>>> finished;
      for (const auto& t : cell.trials) {
        if (t.rung == rung && (t.state == "done" || t.state == "failed")) finished.emplace_back(t.trial, t.metric);
      }
      const auto best = search::promote(finished, 1, spec_.search->minimize);
      if (best.empty()) continue;
      for (const auto& t : cell.trials) {
        if (t.rung == rung && t.trial == best[0] && t.metric) cell.chosen = best[0], cell.chosen_metric = t.metric;
      }
      if (cell.chosen) break;
    }
  }
  return out;
}

void write_search_outputs(const SweepSpec& spec, const std::vector<SearchCell>& cells, const SearchState& state,
                          const layout::RunPaths& sweep_paths) {
  const auto& s = *spec.search;
  const auto ladder = search::rungs(s);
  aggregate::Table summary;
  std::vector<std::string> cell_axes;
  for (const auto& cell : cells) {
    for (const auto& [axis, value] : cell.base.axes) {
      if (std::find(cell_axes.begin(), cell_axes.end(), axis) == cell_axes.end()) cell_axes.push_back(axis);
    }
  }
  summary.columns = {"cell"};
  summary.columns.insert(summary.columns.end(), cell_axes.begin(), cell_axes.end());
  for (const auto& [key, d] : s.space) summary.columns.push_back(key);
  summary.columns.insert(summary.columns.end(), {s.metric, "chosen_trial", "trials", "rungs", "state", "search_steps", "full_steps"});
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const CellState& c = state.cells[i];
    const fs::path dir = sweep_paths.search_cell_dir(cells[i].id);
    aggregate::Table trials;
    trials.columns = {"trial"};
    for (const auto& [key, d] : s.space) trials.columns.push_back(key);
    trials.columns.insert(trials.columns.end(), {"rung", "resource", "run_id", s.metric, "state"});
    for (const auto& t : c.trials) {
      const nlohmann::json values = search::trial_values(s, cells[i].id, t.trial);
      std::vector<std::string> row = {std::to_string(t.trial)};
      for (const auto& [key, d] : s.space) row.push_back(value_text(values[key]));
      row.insert(row.end(), {std::to_string(t.rung), std::to_string(ladder[t.rung].resource), t.run_id,
                             t.metric ? number(*t.metric) : "", t.state});
      trials.rows.push_back(std::move(row));
    }
    io::create_folders(dir);
    io::write_file_atomic(sweep_paths.search_trials_csv(cells[i].id), aggregate::to_csv(trials));
    nlohmann::json cell_axes_json = nlohmann::json::object();
    for (const auto& [axis, value] : cells[i].base.axes) cell_axes_json[axis] = value;
    std::vector<std::string> row = {cells[i].id};
    for (const auto& axis : cell_axes) {
      const auto at = std::find_if(cells[i].base.axes.begin(), cells[i].base.axes.end(), [&](const auto& a) { return a.first == axis; });
      row.push_back(at == cells[i].base.axes.end() ? "" : value_text(at->second));
    }
    if (c.chosen) {
      const nlohmann::json values = search::trial_values(s, cells[i].id, *c.chosen);
      nlohmann::json beaten = nlohmann::json::array();
      for (const auto& t : c.trials) {
        if (t.rung == 0 && t.trial != *c.chosen) beaten.push_back(t.trial);
      }
      nlohmann::json best = {{"cell", cell_axes_json},   {"cell_id", cells[i].id},  {"method", search::method_name(s.method)},
                             {"metric", s.metric},        {"minimize", s.minimize},  {"chosen_trial", *c.chosen},
                             {"values", values},          {"score", c.chosen_metric ? nlohmann::json(*c.chosen_metric) : nlohmann::json()},
                             {"beaten", beaten},          {"final_seeds", s.final_seeds}};
      io::write_json_file(sweep_paths.search_best_json(cells[i].id), best);
      for (const auto& [key, d] : s.space) row.push_back(value_text(values[key]));
      row.insert(row.end(), {c.chosen_metric ? number(*c.chosen_metric) : "", std::to_string(*c.chosen)});
    } else {
      for (std::size_t k = 0; k < s.space.size(); ++k) row.push_back("");
      row.insert(row.end(), {"", ""});
    }
    row.insert(row.end(), {std::to_string(search::trial_count(s)), std::to_string(ladder.size()), c.chosen ? "chosen" : "searching",
                           std::to_string(search::search_steps(s)), std::to_string(search::full_grid_steps(s))});
    summary.rows.push_back(std::move(row));
  }
  io::create_folders(sweep_paths.aggregate_dir());
  io::write_file_atomic(sweep_paths.search_summary_csv(), aggregate::to_csv(summary));
}

std::string search_dry_run_text(const SweepSpec& spec, const std::vector<SearchCell>& cells) {
  const auto& s = *spec.search;
  const auto ladder = search::rungs(s);
  std::ostringstream out;
  out << "search: " << search::method_name(s.method) << " over";
  for (const auto& [key, d] : s.space) out << " " << key;
  out << "; " << search::trial_count(s) << " trial(s) per cell, metric " << s.metric << (s.minimize ? " (minimised)" : " (maximised)")
      << ", then " << s.final_seeds.size() << " final seed(s)\n\ncells (" << cells.size() << "):\n";
  for (const auto& cell : cells) out << "  " << cell.id << "  " << cell_label(cell) << "\n";
  out << "\nrung  trials  train.steps\n";
  for (std::size_t k = 0; k < ladder.size(); ++k) {
    char line[64];
    std::snprintf(line, sizeof line, "%-4zu  %6zu  %11zu\n", k, ladder[k].trials, ladder[k].resource);
    out << line;
  }
  const std::size_t search_steps = search::search_steps(s), full = search::full_grid_steps(s);
  const std::size_t finals = s.final_seeds.size() * s.max_resource;
  out << "\nper cell: the search trains " << search_steps << " steps (promoted trials continue from their checkpoints"
      << (s.method == search::Method::kAsha ? "; asha may promote more, as results arrive" : "") << "), "
      << "the same " << search::trial_count(s) << " trials trained in full " << full << " (" << number(100.0 * static_cast<double>(search_steps) / static_cast<double>(full))
      << "%); the final seeds " << finals << ".\n"
      << "whole sweep: " << cells.size() * (search_steps + finals) << " steps, against " << cells.size() * (full + finals)
      << " with every trial trained in full.\n";
  return out.str();
}

}  // namespace regal::sweep
