#include "io/file_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace regal::io {
namespace {

struct flock whole_file(short type) {
  struct flock lock = {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // to the end, however it grows
  lock.l_pid = 0;  // required for OFD locks
  return lock;
}

// The lock file, created when missing; DiskFullError or IoError naming it.
int open_lock_file(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | flags, 0644);
  if (fd < 0) {
    const int error = errno;
    const std::string message = "cannot open lock file " + path.string() + ": " + std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) throw DiskFullError(message);
    throw IoError(message);
  }
  return fd;
}

}  // namespace

std::optional<FileLock> FileLock::try_lock(const std::filesystem::path& path) {
  const int fd = open_lock_file(path, 0);
  struct flock lock = whole_file(F_WRLCK);
  if (::fcntl(fd, F_OFD_SETLK, &lock) == 0) return FileLock(fd);
  const int error = errno;
  ::close(fd);
  if (error == EAGAIN || error == EACCES) return std::nullopt;
  throw IoError("cannot lock " + path.string() + ": " + std::strerror(error));
}

FileLock FileLock::lock(const std::filesystem::path& path) {
  const int fd = open_lock_file(path, O_CLOEXEC);
  struct flock lock = whole_file(F_WRLCK);
  while (::fcntl(fd, F_OFD_SETLKW, &lock) != 0) {
    if (errno == EINTR) continue;  // a signal: the caller's stop is honoured after this short section
    const int error = errno;
    ::close(fd);
    throw IoError("cannot lock " + path.string() + ": " + std::strerror(error));
  }
  return FileLock(fd);
}

bool FileLock::is_locked(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lock = whole_file(F_WRLCK);
  const int result = ::fcntl(fd, F_OFD_GETLK, &lock);
  ::close(fd);
  return result == 0 && lock.l_type != F_UNLCK;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace regal::io
