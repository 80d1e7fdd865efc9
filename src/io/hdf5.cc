// The checked HDF5 wrapper (io/hdf5.h): every C API call's return code is
// tested and turned into IoError naming the object and the file. Files are
// created with object timestamps off, so equal content gives equal bytes.
#include "io/hdf5.h"

#include <cstring>

#include "io/atomic_file.h"
#include "util/error.h"

namespace regal::io::h5 {
namespace {

template <class T>
hid_t memory_type();
template <> hid_t memory_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t memory_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> hid_t memory_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t memory_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t memory_type<float>() { return H5T_NATIVE_FLOAT; }

template <class T>
hid_t file_type();
template <> hid_t file_type<std::uint8_t>() { return H5T_STD_U8LE; }
template <> hid_t file_type<std::uint64_t>() { return H5T_STD_U64LE; }
template <> hid_t file_type<std::int64_t>() { return H5T_STD_I64LE; }
template <> hid_t file_type<double>() { return H5T_IEEE_F64LE; }
template <> hid_t file_type<float>() { return H5T_IEEE_F32LE; }

// HDF5 prints its own error stacks by default; our exceptions say enough.
void silence_library_errors() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

Handle string_type() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
    throw IoError("HDF5: cannot make a string type");
  }
  return Handle(type, H5Tclose);
}

Handle untimed(hid_t list_class) {
  const hid_t plist = H5Pcreate(list_class);
  if (plist < 0 || H5Pset_obj_track_times(plist, false) < 0) throw IoError("HDF5: cannot make a property list");
  return Handle(plist, H5Pclose);
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
}

void Group::fail(const std::string& what, const std::string& name) const {
  const std::string where = path_ == "/" ? "/" + name : path_ + "/" + name;
  throw IoError("HDF5: cannot " + what + " '" + where + "' in " + file_);
}

Group Group::create_group(const std::string& name) const {
  const Handle gcpl = untimed(H5P_GROUP_CREATE);
  const hid_t group = H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT);
  if (group < 0) fail("create group", name);
  return Group(Handle(group, H5Gclose), path_ == "/" ? "/" + name : path_ + "/" + name, file_);
}

Group Group::open_group(const std::string& name) const {
  if (!has(name)) fail("find group", name);
  const hid_t group = H5Gopen2(id(), name.c_str(), H5P_DEFAULT);
  if (group < 0) fail("open group", name);
  return Group(Handle(group, H5Gclose), path_ == "/" ? "/" + name : path_ + "/" + name, file_);
}

bool Group::has(const std::string& name) const {
  const htri_t exists = H5Lexists(id(), name.c_str(), H5P_DEFAULT);
  if (exists < 0) fail("look up", name);
  return exists > 0;
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  if (H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0) fail("list", "");
  return names;
}

template <class T>
void Group::write(const std::string& name, const std::vector<T>& values) const {
  const hsize_t dims[1] = {values.size()};
  const Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  if (space.id() < 0) fail("make a dataspace for", name);
  const Handle dcpl = untimed(H5P_DATASET_CREATE);
  const Handle dataset(H5Dcreate2(id(), name.c_str(), file_type<T>(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                       H5Dclose);
  if (dataset.id() < 0) fail("create dataset", name);
  if (!values.empty() && H5Dwrite(dataset.id(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    fail("write dataset", name);
  }
}

template <class T>
std::vector<T> Group::read(const std::string& name) const {
  if (!has(name)) fail("find dataset", name);
  const Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (dataset.id() < 0) fail("open dataset", name);
  const Handle space(H5Dget_space(dataset.id()), H5Sclose);
  if (space.id() < 0 || H5Sget_simple_extent_ndims(space.id()) != 1) fail("read a 1-D dataset", name);
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(space.id(), dims, nullptr);
  std::vector<T> values(dims[0]);
  if (!values.empty() && H5Dread(dataset.id(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    fail("read dataset", name);
  }
  return values;
}

template void Group::write(const std::string&, const std::vector<std::uint8_t>&) const;
template void Group::write(const std::string&, const std::vector<std::uint64_t>&) const;
template void Group::write(const std::string&, const std::vector<std::int64_t>&) const;
template void Group::write(const std::string&, const std::vector<double>&) const;
template void Group::write(const std::string&, const std::vector<float>&) const;
template std::vector<std::uint8_t> Group::read(const std::string&) const;
template std::vector<std::uint64_t> Group::read(const std::string&) const;
template std::vector<std::int64_t> Group::read(const std::string&) const;
template std::vector<double> Group::read(const std::string&) const;
template std::vector<float> Group::read(const std::string&) const;

void Group::write_strings(const std::string& name, const std::vector<std::string>& values) const {
  const Handle type = string_type();
  const hsize_t dims[1] = {values.size()};
  const Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  const Handle dcpl = untimed(H5P_DATASET_CREATE);
  const Handle dataset(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                       H5Dclose);
  if (dataset.id() < 0) fail("create dataset", name);
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (!values.empty() && H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
    fail("write dataset", name);
  }
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  if (!has(name)) fail("find dataset", name);
  const Handle type = string_type();
  const Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  const Handle space(H5Dget_space(dataset.id()), H5Sclose);
  if (dataset.id() < 0 || space.id() < 0) fail("open dataset", name);
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(space.id(), dims, nullptr);
  std::vector<char*> pointers(dims[0], nullptr);
  if (!pointers.empty() && H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
    fail("read dataset", name);
  }
  std::vector<std::string> values;
  for (char* p : pointers) values.emplace_back(p == nullptr ? "" : p);
  if (!pointers.empty()) H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, pointers.data());
  return values;
}

void Group::set_attribute(const std::string& name, const std::string& value) const {
  const Handle type = string_type();
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Handle attribute(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* pointer = value.c_str();
  if (attribute.id() < 0 || H5Awrite(attribute.id(), type.id(), &pointer) < 0) fail("write attribute", name);
}

void Group::set_attribute(const std::string& name, std::int64_t value) const {
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Handle attribute(H5Acreate2(id(), name.c_str(), H5T_STD_I64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (attribute.id() < 0 || H5Awrite(attribute.id(), H5T_NATIVE_INT64, &value) < 0) fail("write attribute", name);
}

void Group::set_attribute(const std::string& name, double value) const {
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Handle attribute(H5Acreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (attribute.id() < 0 || H5Awrite(attribute.id(), H5T_NATIVE_DOUBLE, &value) < 0) fail("write attribute", name);
}

bool Group::has_attribute(const std::string& name) const {
  const htri_t exists = H5Aexists(id(), name.c_str());
  if (exists < 0) fail("look up attribute", name);
  return exists > 0;
}

std::string Group::string_attribute(const std::string& name) const {
  if (!has_attribute(name)) fail("find attribute", name);
  const Handle type = string_type();
  const Handle attribute(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  char* pointer = nullptr;
  if (attribute.id() < 0 || H5Aread(attribute.id(), type.id(), &pointer) < 0) fail("read attribute", name);
  std::string value = pointer == nullptr ? "" : pointer;
  H5free_memory(pointer);
  return value;
}

std::int64_t Group::int_attribute(const std::string& name) const {
  if (!has_attribute(name)) fail("find attribute", name);
  const Handle attribute(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  std::int64_t value = 0;
  if (attribute.id() < 0 || H5Aread(attribute.id(), H5T_NATIVE_INT64, &value) < 0) fail("read attribute", name);
  return value;
}

double Group::double_attribute(const std::string& name) const {
  if (!has_attribute(name)) fail("find attribute", name);
  const Handle attribute(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  double value = 0;
  if (attribute.id() < 0 || H5Aread(attribute.id(), H5T_NATIVE_DOUBLE, &value) < 0) fail("read attribute", name);
  return value;
}

File File::create(const std::filesystem::path& path) {
  silence_library_errors();
  // In memory (the core driver without a backing store): HDF5 never writes
  // to disk itself; close() writes the finished image through io's checked
  // write, so a full disk is an ordinary error rather than a crash inside HDF5.
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) throw IoError("HDF5: cannot make a file access list");
  const Handle access(fapl, H5Pclose);
  if (H5Pset_fapl_core(fapl, /*increment=*/1 << 20, /*backing_store=*/false) < 0) {
    throw IoError("HDF5: cannot select the in-memory driver");
  }
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (file < 0) throw IoError("HDF5: cannot create " + path.string());
  File created(Handle(file, H5Fclose), "/", path.string());
  created.in_memory_ = true;
  return created;
}

File File::open(const std::filesystem::path& path) {
  silence_library_errors();
  if (!std::filesystem::exists(path)) throw IoError("HDF5: no such file " + path.string());
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw IoError("HDF5: cannot open " + path.string() + " (not an HDF5 file?)");
  return File(Handle(file, H5Fclose), "/", path.string());
}

void File::close() {
  if (id() < 0) return;
  if (H5Fflush(id(), H5F_SCOPE_GLOBAL) < 0) throw IoError("HDF5: cannot flush " + file_);
  if (in_memory_) {
    const ssize_t size = H5Fget_file_image(id(), nullptr, 0);
    if (size < 0) throw IoError("HDF5: cannot size the image of " + file_);
    std::string image(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(id(), image.data(), image.size()) != size) throw IoError("HDF5: cannot copy the image of " + file_);
    handle_ = Handle();
    write_whole_file(file_, image);
    return;
  }
  handle_ = Handle();
}

}  // namespace regal::io::h5
