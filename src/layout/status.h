#pragma once
// status.json, the file that says what a run is: written first (running) and
// last (done, failed, preempted or pending) by the process executing the run,
// so a run is done if and only if its status.json says so.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "layout/run_paths.h"
#include "layout/run_state.h"

namespace regal::layout {

struct RunStatus {
  std::string run_id;
  RunState state = RunState::kPending;
  std::string stage;          // the stage running, or the last one that ran
  std::string error;          // failed: the error; preempted: "preempted"
  std::string started;        // UTC of this attempt's start ("2026-11-22T02:58:01Z")
  std::string first_started;  // UTC of the first attempt's start, when resumed
  std::string ended;          // UTC of this attempt's end
  std::string host;           // where it ran
  long pid = 0;               // the process that ran it
  int rank = 0;               // the MPI rank that ran it
  int attempt = 0;            // SLURM restarts or earlier attempts
  // done: what the run vouches for, by path inside the run folder: the small
  // artifacts with "bytes" and "sha256", the checkpoints with "bytes" (their
  // digests sit beside them). Empty for runs written before this record.
  nlohmann::json artifacts = nlohmann::json::object();
  // The hottest sensor reading (°C) while this attempt ran (the thermal
  // guard's sensor); absent when there is none.
  std::optional<double> max_temperature;
  // UTC times at which the evaluation of this done run was recomputed from
  // its best.pt (sweep --reevaluate); empty when never.
  std::vector<std::string> reevaluated;

  nlohmann::json to_json() const;
  // Missing fields take their defaults; an unknown state reads as running
  // (a process that died mid-write), so the run is looked at again.
  static RunStatus from_json(const nlohmann::json& json);
};

// The run's status.json; nullopt when it is missing or unreadable.
std::optional<RunStatus> read_status(const RunPaths& paths);
// Writes status.json atomically.
void write_status(const RunPaths& paths, const RunStatus& status);

// The artifacts record of a finished run (RunStatus::artifacts), read from
// its folder. Throws IoError when a file cannot be read.
nlohmann::json describe_artifacts(const RunPaths& paths);

// What is wrong with a done run's artifacts, naming the file ("metrics.json:
// 812 bytes, 1024 recorded"); nullopt when they check out. Sizes are always
// compared, digests of the small files when `digests`. A run written before
// the artifacts record is trusted when its metrics.json reads.
std::optional<std::string> check_artifacts(const RunPaths& paths, const RunStatus& status, bool digests = true);

// A run whose status.json says done and whose artifacts check out.
bool is_done(const RunPaths& paths);

}  // namespace regal::layout
