#include "util/cores.h"

#include <sched.h>

#include <thread>

namespace regal {

std::size_t bound_core_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return std::thread::hardware_concurrency();
  return static_cast<std::size_t>(CPU_COUNT(&set));
}

}  // namespace regal
