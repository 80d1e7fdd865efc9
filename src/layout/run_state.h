#pragma once
// A run's state, as status.json and the tables spell it. The one place that
// names the states.
#include <optional>
#include <string>
#include <string_view>

namespace regal::layout {

enum class RunState {
  kPending,    // not started, or stopped after a stage on request (--until)
  kRunning,    // a process is executing it (or died without saying otherwise)
  kDone,       // every stage ran; its artifacts are written
  kFailed,     // a stage failed; status.json names it and the error
  kPreempted,  // stopped by a signal after writing last.pt: the next start resumes
  kCorrupt,    // said done, but an artifact it vouches for is missing or damaged: runs again
  kThermalAbort,  // stopped for heat after writing last.pt (thermal guard): resumes like preempted
};

// "pending", "running", "done", "failed", "preempted", "corrupt", "thermal_abort".
const char* to_string(RunState state);
// The state a name spells; nullopt for anything else.
std::optional<RunState> parse_run_state(std::string_view name);

// done and failed runs are not run again (unless --retry-failed).
inline bool is_final(RunState state) { return state == RunState::kDone || state == RunState::kFailed; }
// How an attempt that was handed to a rank can end.
inline bool is_attempt_end(RunState state) {
  return is_final(state) || state == RunState::kPreempted || state == RunState::kThermalAbort;
}

}  // namespace regal::layout
