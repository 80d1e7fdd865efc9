#pragma once
// The one owner of the results layout (docs/results.md):
//
//   <root>/<sweep>/spec.toml plan.json plan_full.json
//   <root>/<sweep>/runs/<run_id>/experiment.json fsm.json fsm.dot data/telemetry.json
//                                checkpoints/{last,best}.pt logs/{history.jsonl,run.log}
//                                metrics.json metrics.h5 env.json status.json
//   <root>/<sweep>/aggregate/{runs,summary}.{csv,json} sweep.h5
//   <root>/<sweep>/cache/data/<key>/corpus.h5
//   <root>/<sweep>/runs/<run_id>/logs/stdio.log    (a sweep child's stdout and stderr)
//
// Nobody else builds these paths.
#include <filesystem>
#include <string>

namespace regal::experiment {

class RunPaths {
 public:
  RunPaths(std::filesystem::path root, std::string sweep, std::string run_id)
      : sweep_dir_(std::move(root) / std::move(sweep)), run_id_(std::move(run_id)) {}
  // The run folder itself, e.g. for `sweep --run-dir DIR`: the sweep folder is two levels up.
  static RunPaths from_run_dir(const std::filesystem::path& run_dir);
  // A sweep folder (results/<sweep>), with no run chosen; see run().
  static RunPaths from_sweep_dir(const std::filesystem::path& sweep_dir);
  // Another run of the same sweep.
  RunPaths run(std::string run_id) const { return RunPaths(sweep_dir_.parent_path(), sweep_name(), std::move(run_id)); }

  const std::string& run_id() const { return run_id_; }
  std::filesystem::path sweep_dir() const { return sweep_dir_; }
  std::string sweep_name() const { return sweep_dir_.filename().string(); }
  std::filesystem::path runs_dir() const { return sweep_dir_ / "runs"; }
  std::filesystem::path run_dir() const { return runs_dir() / run_id_; }
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
  std::filesystem::path corpus_cache() const { return sweep_dir_ / "cache" / "data"; }

  // Sweep-level files.
  std::filesystem::path spec_toml() const { return sweep_dir_ / "spec.toml"; }
  std::filesystem::path plan_json() const { return sweep_dir_ / "plan.json"; }
  std::filesystem::path plan_full_json() const { return sweep_dir_ / "plan_full.json"; }
  std::filesystem::path aggregate_dir() const { return sweep_dir_ / "aggregate"; }
  std::filesystem::path sweep_h5() const { return aggregate_dir() / "sweep.h5"; }
  // Where a replaced spec is kept: spec.<stamp>.toml.
  std::filesystem::path archived_spec_toml(const std::string& stamp) const {
    return sweep_dir_ / ("spec." + stamp + ".toml");
  }

 private:
  std::filesystem::path sweep_dir_;
  std::string run_id_;
};

}  // namespace regal::experiment
