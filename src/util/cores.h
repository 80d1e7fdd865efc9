#pragma once
#include <cstddef>

namespace regal {

// The cores this process may run on (its affinity mask: mpirun and srun bind
// ranks), else every core of the machine.
std::size_t bound_core_count();

}  // namespace regal
