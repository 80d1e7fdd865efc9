#pragma once
// A thin wrapper over HDF5's C API: RAII handles, every return code checked
// (failures throw IoError naming the object and file), 1-D datasets of plain
// numbers, scalar attributes. Object timestamps are switched off, so the same
// content always gives the same bytes on disk.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace regal::io::h5 {

// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();
  hid_t id() const { return id_; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

class Group {
 public:
  Group(Handle handle, std::string path, std::string file) : handle_(std::move(handle)), path_(std::move(path)), file_(std::move(file)) {}

  Group create_group(const std::string& name) const;
  Group open_group(const std::string& name) const;
  bool has(const std::string& name) const;
  std::vector<std::string> children() const;  // names of links, in name order

  // Supported element types: uint8_t, uint64_t, int64_t, double, float.
  template <class T>
  void write(const std::string& name, const std::vector<T>& values) const;
  template <class T>
  std::vector<T> read(const std::string& name) const;
  // Variable-length UTF-8 strings.
  void write_strings(const std::string& name, const std::vector<std::string>& values) const;
  std::vector<std::string> read_strings(const std::string& name) const;

  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, std::int64_t value) const;
  void set_attribute(const std::string& name, double value) const;
  std::string string_attribute(const std::string& name) const;
  std::int64_t int_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;
  bool has_attribute(const std::string& name) const;

  const std::string& path() const { return path_; }

 protected:
  [[noreturn]] void fail(const std::string& what, const std::string& name) const;
  hid_t id() const { return handle_.id(); }
  Handle handle_;
  std::string path_;  // inside the file, e.g. "/train"
  std::string file_;  // for error messages
};

class File : public Group {
 public:
  // A new file for writing, built in memory; close() writes it to `path`
  // (truncating). Throws DiskFullError / IoError from that write.
  static File create(const std::filesystem::path& path);
  // Opens an existing file read-only. Throws IoError if it is missing or not HDF5.
  static File open(const std::filesystem::path& path);
  // Closes now and, for a created file, writes it. A created file that is
  // destroyed without close() is discarded, never half-written.
  void close();

 private:
  using Group::Group;
  bool in_memory_ = false;
};

}  // namespace regal::io::h5
