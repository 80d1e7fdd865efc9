#pragma once
// How every regal tool ends: bad input (InputError, a bad flag) prints one
// line "error: ..." and exits 2; anything else is an internal error, exit 1.
#include <boost/program_options/errors.hpp>
#include <exception>
#include <iostream>

#include "util/error.h"
#include "util/exit_codes.h"

namespace regal {

template <class Body>
int guarded_main(const char* tool, Body&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const boost::program_options::error& e) {
    std::cerr << "error: " << e.what() << " (see --help)\n";
  } catch (const std::exception& e) {
    std::cerr << tool << ": internal error: " << e.what() << "\n";
    return exit_code::kRunFailed;
  }
  return exit_code::kBadInput;
}

}  // namespace regal
