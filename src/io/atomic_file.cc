// Atomic writes: content goes to .<name>.tmp.<pid>.<n> beside the target,
// is fsynced, then renamed over it; on any failure the temporary file is
// removed and the target is left as it was.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "util/error.h"

namespace regal::io {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw IoError(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

fs::path temporary_path_for(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) +
                               "." + std::to_string(counter++));
}

void produce_file_atomic(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = temporary_path_for(path);
  try {
    write(tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename into", path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  produce_file_atomic(path, [&](const fs::path& tmp) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create", tmp);
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        fail("cannot write", tmp);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) fail("cannot flush", tmp);
  });
}

}  // namespace regal::io
