// The stop flag is a lock-free atomic so that signal handlers may set it. The
// heartbeat write is non-blocking and its errors are ignored: a watcher that
// has gone away must not stop the run (its death arrives as a stop request).
#include "util/progress.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace regal {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_heartbeat_fd{-1};
std::atomic<long long> g_last_beat{0};  // steady-clock milliseconds

static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be async-signal-safe");

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void request_stop() noexcept { g_stop.store(true, std::memory_order_relaxed); }
bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }
void clear_stop() noexcept { g_stop.store(false, std::memory_order_relaxed); }
void set_heartbeat_fd(int fd) noexcept { g_heartbeat_fd.store(fd); }

void progress_point() {
  if (stop_requested()) throw StopRequested();
  heartbeat();
}

void heartbeat() noexcept {
  const int fd = g_heartbeat_fd.load(std::memory_order_relaxed);
  if (fd < 0) return;
  const long long now = now_ms();
  if (now - g_last_beat.load(std::memory_order_relaxed) < 1000) return;
  g_last_beat.store(now, std::memory_order_relaxed);
  const char beat = '.';
  [[maybe_unused]] const ssize_t ignored = ::write(fd, &beat, 1);
}

}  // namespace regal
