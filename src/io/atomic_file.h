#pragma once
// Files a user keeps are written to a temporary name in the same folder and
// renamed into place, so a reader sees either the old file or the whole new one.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace regal::io {

// Writes `content` to `path` atomically (temporary file, fsync, rename).
// Creates missing parent folders. Throws IoError naming the path on failure
// (DiskFullError when space or quota ran out); the temporary file is removed then.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// The same for content too large to hold at once: produce(put) calls put
// with consecutive parts (any sizes; they are written in 1 MiB blocks).
void write_file_atomic_in_parts(const std::filesystem::path& path,
                                const std::function<void(const std::function<void(std::string_view)>& put)>& produce);

// Calls write(tmp_path) to produce the file under a temporary name beside
// `path`, then renames it into place. For writers that need a path (HDF5,
// torch::save). If write throws, the temporary file is removed and the
// exception propagates; `path` is untouched.
void produce_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path&)>& write);

// Writes `content` to `path` in place (create, write, fsync, close): the
// primitive under write_file_atomic. Throws DiskFullError for ENOSPC and
// EDQUOT, IoError for anything else, naming the path.
void write_whole_file(const std::filesystem::path& path, std::string_view content);

// Appends `content` to `path` (created when missing) with one write(2) on a
// descriptor opened O_APPEND, then fsync: concurrent appenders' records never
// interleave. DiskFullError / IoError as above; a short write is an IoError.
void append_to_file(const std::filesystem::path& path, std::string_view content);
// fs::create_directories, with DiskFullError or IoError naming the folder.
void create_folders(const std::filesystem::path& dir);

// The whole content of `path`; nullopt when it is missing or unreadable.
std::optional<std::string> read_file(const std::filesystem::path& path);

// The temporary name used beside `path` (unique per process and call).
std::filesystem::path temporary_path_for(const std::filesystem::path& path);

}  // namespace regal::io
