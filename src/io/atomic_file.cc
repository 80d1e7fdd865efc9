// Atomic writes: content goes to .<name>.tmp.<pid>.<n> beside the target,
// is fsynced, then renamed over it; on any failure the temporary file is
// removed and the target is left as it was.
#include "io/atomic_file.h"

#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <string>

#include "util/error.h"

namespace regal::io {
namespace fs = std::filesystem;

namespace {

// REGAL_TEST_DISK_FULL=<text>: writes to a path containing <text> fail as if
// the disk were full. A test-only fault hook, for machines where a test
// cannot mount a small file system.
bool test_disk_full(const fs::path& path) {
  const char* hook = std::getenv("REGAL_TEST_DISK_FULL");
  return hook != nullptr && *hook != '\0' && path.string().find(hook) != std::string::npos;
}

[[noreturn]] void fail(const std::string& what, const fs::path& path, int error) {
  const std::string message = what + " " + path.string() + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) throw DiskFullError(message);
  throw IoError(message);
}

}  // namespace

fs::path temporary_path_for(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) +
                               "." + std::to_string(counter++));
}

void create_folders(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) fail("cannot create folder", dir, error.value());
}

void produce_file_atomic(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  if (path.has_parent_path()) create_folders(path.parent_path());
  const fs::path tmp = temporary_path_for(path);
  try {
    write(tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename into", path, errno);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void append_to_file(const fs::path& path, std::string_view content) {
  if (test_disk_full(path)) fail("cannot append to", path, ENOSPC);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open", path, errno);
  const ssize_t written = ::write(fd, content.data(), content.size());
  const int write_error = errno;
  if (written < 0 || static_cast<std::size_t>(written) != content.size()) {
    ::close(fd);
    if (written < 0) fail("cannot append to", path, write_error);
    throw IoError("cannot append to " + path.string() + ": short write (" + std::to_string(written) + " of " +
                  std::to_string(content.size()) + " bytes)");
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot sync", path, error);
  }
  if (::close(fd) != 0) fail("cannot close", path, errno);
}

void write_whole_file(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", path, errno);
  if (test_disk_full(path)) {
    ::close(fd);
    fail("cannot write", path, ENOSPC);
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      ::close(fd);
      fail("cannot write", path, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot flush", path, error);
  }
  if (::close(fd) != 0) fail("cannot flush", path, errno);
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  produce_file_atomic(path, [&](const fs::path& tmp) { write_whole_file(tmp, content); });
}

void write_file_atomic_in_parts(const fs::path& path,
                                const std::function<void(const std::function<void(std::string_view)>& put)>& produce) {
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  produce_file_atomic(path, [&](const fs::path& tmp) {
    struct Descriptor {
      int fd;
      ~Descriptor() {
        if (fd >= 0) ::close(fd);
      }
    } file{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (file.fd < 0) fail("cannot create", tmp, errno);
    std::string block;
    block.reserve(kBlock);
    auto flush = [&] {
      if (test_disk_full(tmp) && !block.empty()) fail("cannot write", tmp, ENOSPC);
      std::size_t written = 0;
      while (written < block.size()) {
        const ssize_t n = ::write(file.fd, block.data() + written, block.size() - written);
        if (n < 0) {
          if (errno == EINTR) continue;
          fail("cannot write", tmp, errno);
        }
        written += static_cast<std::size_t>(n);
      }
      block.clear();
    };
    produce([&](std::string_view part) {
      block.append(part);
      if (block.size() >= kBlock) flush();
    });
    flush();
    if (::fsync(file.fd) != 0) fail("cannot flush", tmp, errno);
    const int fd = file.fd;
    file.fd = -1;
    if (::close(fd) != 0) fail("cannot flush", tmp, errno);
  });
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return content;
}

}  // namespace regal::io
