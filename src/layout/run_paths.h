#pragma once
// The one owner of the results layout (docs/results.md):
//
//   <root>/<sweep>/spec.toml plan.json plan_full.json
//   <root>/<sweep>/runs/<ab>/<run_id>/experiment.json fsm.json fsm.dot data/telemetry.json
//                                     checkpoints/{last,best}.pt logs/{history.jsonl,run.log,stdio.log}
//                                     metrics.json metrics.h5 env.json status.json
//   <root>/<sweep>/aggregate/{runs,summary}.{csv,json} sweep.h5
//   <root>/<sweep>/cache/data/<key>/corpus.h5
//
// Run folders are sharded by the first two hex digits of the run id (<ab>),
// so a sweep of 100,000 runs keeps folders of a few hundred entries. Sweeps
// written before the sharding keep their flat runs/<run_id>/ folders: a run
// whose flat folder exists is read and resumed there. Nobody else builds these
// paths.
#include <filesystem>
#include <string>
#include <vector>

namespace regal::layout {

class RunPaths {
 public:
  // The run `run_id` of sweep `sweep` under `root`: its flat folder when one
  // exists (an older sweep), else its sharded one. An empty run_id names no run.
  RunPaths(std::filesystem::path root, std::string sweep, std::string run_id);
  // The run folder itself, in either layout (e.g. `sweep --run-dir DIR`).
  static RunPaths from_run_dir(const std::filesystem::path& run_dir);
  // A sweep folder (results/<sweep>), with no run chosen; see run().
  static RunPaths from_sweep_dir(const std::filesystem::path& sweep_dir);
  // Another run of the same sweep.
  RunPaths run(std::string run_id) const { return RunPaths(sweep_dir_.parent_path(), sweep_name(), std::move(run_id)); }
  // Every run folder under runs/, flat and sharded, sorted by run id.
  std::vector<std::filesystem::path> run_dirs() const;

  const std::string& run_id() const { return run_id_; }
  std::filesystem::path sweep_dir() const { return sweep_dir_; }
  std::string sweep_name() const { return sweep_dir_.filename().string(); }
  std::filesystem::path runs_dir() const { return sweep_dir_ / "runs"; }
  std::filesystem::path run_dir() const { return run_dir_; }
  std::filesystem::path experiment_json() const { return run_dir() / "experiment.json"; }
  std::filesystem::path fsm_json() const { return run_dir() / "fsm.json"; }
  std::filesystem::path fsm_dot() const { return run_dir() / "fsm.dot"; }
  std::filesystem::path telemetry_json() const { return run_dir() / "data" / "telemetry.json"; }
  std::filesystem::path checkpoint_dir() const { return run_dir() / "checkpoints"; }
  std::filesystem::path last_checkpoint() const { return checkpoint_dir() / "last.pt"; }
  std::filesystem::path best_checkpoint() const { return checkpoint_dir() / "best.pt"; }
  std::filesystem::path history_jsonl() const { return run_dir() / "logs" / "history.jsonl"; }
  std::filesystem::path run_log() const { return run_dir() / "logs" / "run.log"; }
  std::filesystem::path stdio_log() const { return run_dir() / "logs" / "stdio.log"; }  // a sweep child's output
  std::filesystem::path metrics_json() const { return run_dir() / "metrics.json"; }
  std::filesystem::path metrics_h5() const { return run_dir() / "metrics.h5"; }
  std::filesystem::path env_json() const { return run_dir() / "env.json"; }
  std::filesystem::path status_json() const { return run_dir() / "status.json"; }
  std::filesystem::path visualizations_dir() const { return run_dir() / "visualizations"; }  // drawn by aggregate
  // Whoever executes the run holds an exclusive lock on this file (io/file_lock.h).
  std::filesystem::path lock_file() const { return run_dir() / ".lock"; }
  std::filesystem::path corpus_cache() const { return sweep_dir_ / "cache" / "data"; }

  // Sweep-level files.
  std::filesystem::path spec_toml() const { return sweep_dir_ / "spec.toml"; }
  std::filesystem::path plan_json() const { return sweep_dir_ / "plan.json"; }
  std::filesystem::path plan_full_json() const { return sweep_dir_ / "plan_full.json"; }
  std::filesystem::path aggregate_dir() const { return sweep_dir_ / "aggregate"; }
  std::filesystem::path sweep_h5() const { return aggregate_dir() / "sweep.h5"; }
  std::filesystem::path report_dir() const { return sweep_dir_ / "report"; }
  std::filesystem::path readme_md() const { return sweep_dir_ / "README.md"; }
  // A search's files (docs/search.md): one folder per cell, and its summary.
  std::filesystem::path search_dir() const { return sweep_dir_ / "search"; }
  std::filesystem::path search_cell_dir(const std::string& cell) const { return search_dir() / cell; }
  std::filesystem::path search_trials_csv(const std::string& cell) const { return search_cell_dir(cell) / "trials.csv"; }
  std::filesystem::path search_best_json(const std::string& cell) const { return search_cell_dir(cell) / "best.json"; }
  std::filesystem::path search_asha_log(const std::string& cell) const { return search_cell_dir(cell) / "asha.log"; }
  std::filesystem::path search_summary_csv() const { return aggregate_dir() / "search_summary.csv"; }
  // Where a replaced spec is kept: spec.<stamp>.toml.
  std::filesystem::path archived_spec_toml(const std::string& stamp) const {
    return sweep_dir_ / ("spec." + stamp + ".toml");
  }

 private:
  struct Exact {};  // the folders are known: no lookup
  RunPaths(Exact, std::filesystem::path sweep_dir, std::string run_id, std::filesystem::path run_dir)
      : sweep_dir_(std::move(sweep_dir)), run_id_(std::move(run_id)), run_dir_(std::move(run_dir)) {}
  std::filesystem::path sweep_dir_;
  std::string run_id_;
  std::filesystem::path run_dir_;  // empty when no run is chosen
};

// Whether `keep` ("both", "best", "last", "none": --keep-checkpoints) keeps
// checkpoints/<name>.pt ("best" or "last"); InputError naming the flag for
// any other value.
bool keeps_checkpoint(const std::string& keep, const std::string& name);

}  // namespace regal::layout
