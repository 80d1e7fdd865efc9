#pragma once
// Exit codes shared by every regal binary (sweep, aggregate, fsm) and the
// sbatch templates that act on them (slurm/sweep.sbatch requeues on 3).
namespace regal::exit_code {

inline constexpr int kDone = 0;            // everything asked for is done
inline constexpr int kRunFailed = 1;       // some run failed; the rest completed (also: internal error)
inline constexpr int kBadInput = 2;        // bad spec, regex, flag or file: nothing ran, nothing written
inline constexpr int kResumable = 3;       // runs left to resume (stop signal, preemption, full disk)
inline constexpr int kStoppedForHeat = 4;  // stopped for heat: resumable, not requeued automatically

}  // namespace regal::exit_code
