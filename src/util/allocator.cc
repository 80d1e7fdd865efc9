#include "util/allocator.h"

#include <malloc.h>

namespace regal {

void tune_allocator() {
  // 32 MiB is glibc's ceiling for the mmap threshold on 64-bit; setting it
  // also stops the threshold from adapting downwards.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
}

}  // namespace regal
