// libFuzzer target: the sweep spec parser and the grid expansion on arbitrary
// text. Whatever the input, the result is a plan or one InputError (a line
// naming what and where), never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sweep/spec.h"
#include "util/error.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the built-in experiments: no folder is searched for more.
  ::setenv("REGAL_EXPERIMENTS", "/nonexistent", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  try {
    const auto spec = regal::sweep::parse_spec_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    regal::sweep::expand(spec, /*max_points=*/256);
  } catch (const regal::InputError&) {
    // Bad input, reported as such: what a user sees.
  }
  return 0;
}
