#pragma once
// Exclusive locks on files, by fcntl open-file-description locks (F_OFD_*):
// held by an open file description, not a process, so a lock taken by a
// sweep rank passes to the child that inherits the descriptor and lasts until
// every descriptor of it is closed (the child's exit); two descriptions in one
// process conflict like two processes; they work on NFSv4 and Lustre.
#include <filesystem>
#include <optional>

namespace regal::io {

class FileLock {
 public:
  // An exclusive lock on `path` (created if missing), without waiting;
  // nullopt when someone else holds it. Throws IoError when the file cannot
  // be opened. The descriptor is inherited by children (no close-on-exec).
  static std::optional<FileLock> try_lock(const std::filesystem::path& path);
  // The same, waiting for it (for short critical sections: a registry
  // update, a log row). Throws IoError when it cannot be taken.
  static FileLock lock(const std::filesystem::path& path);
  // Whether anyone holds a lock on `path` now (false when it does not exist).
  static bool is_locked(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // closes this descriptor (the lock ends when no other holds it)

  int fd() const { return fd_; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace regal::io
