#pragma once
// Progress points: the places where a long computation (sampling a corpus,
// building an automaton, training, evaluating) offers to stop and says it is
// alive. A stop is requested by a signal handler (request_stop is
// async-signal-safe) and honoured at the next progress point, in any stage;
// the heartbeat is one byte on a pipe to the process that watches the run
// (a sweep's rank), at most once per second, so a run that stops making
// progress falls silent.
#include <stdexcept>

namespace regal {

// A stop was requested (SIGTERM, SIGINT, the preemption signal, the parent's death).
class StopRequested : public std::runtime_error {
 public:
  StopRequested() : std::runtime_error("stopped by a signal") {}
};

void request_stop() noexcept;   // async-signal-safe
bool stop_requested() noexcept;
void clear_stop() noexcept;     // for tests

// Where heartbeats go: a pipe's write end inherited from the watching
// process; -1 (the default) sends none.
void set_heartbeat_fd(int fd) noexcept;

// Beats the heartbeat when a second has passed since the last beat.
void heartbeat() noexcept;

// Throws StopRequested when a stop was requested; then heartbeat().
void progress_point();

}  // namespace regal
