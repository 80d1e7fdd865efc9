#pragma once
// The pipeline of one run: fsm -> data -> model -> train -> eval -> write,
// each stage announced with a banner and its elapsed time and writing its
// artifacts before the next starts. status.json is written first (running)
// and last (done | failed | preempted | pending): a run is done iff its
// status.json says so.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "experiment/experiment.h"
#include "experiment/provenance.h"
#include "layout/run_paths.h"

namespace regal::experiment {

inline constexpr const char* kStages[] = {"fsm", "data", "model", "train", "eval", "write"};

struct PipelineOptions {
  std::optional<std::string> until;        // stop after this stage: fsm | data | train | eval
  bool force_train = false;                // rerun a done run; drop its checkpoints first
  RunContext context;                      // provenance: command line, overrides, rank, attempt
  // The hottest temperature read while the run executed (the thermal
  // guard's sensor, sampled by the caller); recorded in status.json and
  // metrics.json. Empty: none.
  std::function<std::optional<double>()> max_temperature;
  // Recompute the evaluation of a done run from its best.pt without
  // training (sweep --reevaluate): metrics.json, metrics.h5 and status.json
  // are rewritten, status.json records when.
  bool reevaluate = false;
  // Which checkpoints a done run keeps: "both" (best.pt and last.pt),
  // "best", "last" or "none". The others are removed once status.json says
  // done (and no longer vouches for them); until then resuming has last.pt.
  std::string keep_checkpoints = "both";
};

enum class Outcome {
  kDone,         // every stage ran; metrics written
  kAlreadyDone,  // status.json said done and the artifacts check out: nothing ran
  kPartial,      // stopped after options.until
  kFailed,       // a stage threw; status.json names it
  kPreempted,    // a stop (signal, parent gone) or a full disk: the next start resumes
  kNotReevaluated,  // --reevaluate: the run is not done, or its best.pt is missing (error says which)
};

struct RunOutcome {
  Outcome outcome = Outcome::kFailed;
  std::string stage;       // the failing or interrupted stage
  std::string error;       // the failure's message
  nlohmann::json metrics;  // metrics.json content when done
};

// Runs (or resumes) one experiment into paths.run_dir(). The caller holds the
// run's lock (layout::RunPaths::lock_file). Bad input (the experiment does not
// validate) throws InputError before anything is written. A stop request
// (util/progress.h) is honoured in any stage, and a full disk stops the run
// the same way: both return kPreempted, resumable. Any other failure is
// recorded in status.json and returned as kFailed.
RunOutcome run_experiment(const Experiment& experiment, const layout::RunPaths& paths, const PipelineOptions& options);

// What `--dry-run` prints: each stage with its key settings and every path it
// would write. Writes nothing.
std::string describe_plan(const Experiment& experiment, const layout::RunPaths& paths, const PipelineOptions& options);

// Validates as run_experiment does, without running: throws InputError.
void check_runnable(const Experiment& experiment);

}  // namespace regal::experiment
