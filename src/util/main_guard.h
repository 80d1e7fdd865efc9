#pragma once
// How every regal tool ends: bad input (InputError, a bad flag) prints one
// line "error: ..." and exits 2; anything else is an internal error, exit 1.
#include <boost/program_options/errors.hpp>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <string>

#include "util/error.h"
#include "util/exit_codes.h"

namespace regal {

// Writes one whole line to stderr in a single write, so that under mpirun,
// whose output forwarding interleaves the ranks' writes, no other rank's or
// mpirun's own text lands inside it (three `<<` on the unbuffered std::cerr
// are three writes).
inline void say_line(const std::string& text) {
  const std::string line = text + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone: nothing left to tell
    written += static_cast<std::size_t>(n);
  }
}

template <class Body>
int guarded_main(const char* tool, Body&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    say_line(std::string("error: ") + e.what());
  } catch (const boost::program_options::error& e) {
    say_line(std::string("error: ") + e.what() + " (see --help)");
  } catch (const std::exception& e) {
    say_line(std::string(tool) + ": internal error: " + e.what());
    return exit_code::kRunFailed;
  }
  return exit_code::kBadInput;
}

}  // namespace regal
