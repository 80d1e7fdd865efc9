#include "layout/results_root.h"

#include <unistd.h>

#include <cstring>

#include "util/error.h"

namespace regal::layout {

void prepare_results_root(const std::filesystem::path& root) {
  std::error_code error;
  if (std::filesystem::exists(root, error) && !std::filesystem::is_directory(root, error)) {
    throw InputError("--results " + root.string() + " is a file, not a folder");
  }
  std::filesystem::create_directories(root, error);
  if (error) throw InputError("--results " + root.string() + ": cannot create it (" + error.message() + ")");
  if (::access(root.c_str(), W_OK | X_OK) != 0) {
    throw InputError("--results " + root.string() + ": cannot write in it (" + std::strerror(errno) + ")");
  }
}

}  // namespace regal::layout
