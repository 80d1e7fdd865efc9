#pragma once
// Typed exceptions shared by every module. User mistakes (bad spec, regex,
// flag, file) are InputError and map to exit code 2; faults of the machine or
// the file system are IoError.
#include <stdexcept>
#include <string>

namespace regal {

// Bad user input: the message names what is wrong and where. Exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input about one configuration key ("train.lr"): callers that know
// where the key was written (a TOML line) can say so.
class KeyError : public InputError {
 public:
  KeyError(std::string key, const std::string& message) : InputError(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A failing system call, library call (HDF5, MPI) or file operation.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A write that failed for lack of space or quota (ENOSPC, EDQUOT): not a
// fault of the run. The run stops as preempted and the sweep ends resumable
// (exit 3); the same command finishes it once space is freed.
class DiskFullError : public IoError {
 public:
  using IoError::IoError;
};

}  // namespace regal
