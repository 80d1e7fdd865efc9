#pragma once
// glibc returns large freed buffers to the OS (mmap threshold, heap trim) and
// then faults them in again on the next training step: measured here, 16% of
// a C++ transformer step went to page faults. Raising both thresholds keeps
// tensor buffers in the process. Call once at start-up, before any tensor.
namespace regal {

void tune_allocator();

}  // namespace regal
