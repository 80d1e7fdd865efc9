#pragma once
// Files that carry their SHA-256 beside them (<file>.sha256), for large
// artifacts whose damage must be found when they are read back: checkpoints.
#include <filesystem>
#include <string>
#include <string_view>

namespace regal::io {

// The digest file of `path`: "<path>.sha256".
std::filesystem::path digest_path(const std::filesystem::path& path);

// Writes `content` to `path` and its hex SHA-256 to digest_path(path), each
// atomically (the digest first: a crash between the two leaves a mismatch,
// which reads as damage, never a wrong file trusted).
void write_file_with_digest(const std::filesystem::path& path, std::string_view content);

// The content of `path`. Throws IoError when it cannot be read, or when a
// digest file exists and does not match ("damaged"). Without a digest file
// (written before digests) the content is returned as it is.
std::string read_file_checked(const std::filesystem::path& path);

// Size and hex SHA-256 of a file; throws IoError when it cannot be read.
struct FileDigest {
  std::uintmax_t bytes = 0;
  std::string sha256;
};
FileDigest digest_file(const std::filesystem::path& path);

}  // namespace regal::io
