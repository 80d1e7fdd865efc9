#include "io/checked_file.h"

#include <fstream>
#include <sstream>

#include "io/atomic_file.h"
#include "io/hash.h"
#include "util/error.h"

namespace regal::io {
namespace fs = std::filesystem;
namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + path.string());
  return content.str();
}

}  // namespace

fs::path digest_path(const fs::path& path) { return fs::path(path.string() + ".sha256"); }

void write_file_with_digest(const fs::path& path, std::string_view content) {
  write_file_atomic(digest_path(path), sha256_hex(content) + "\n");
  write_file_atomic(path, content);
}

std::string read_file_checked(const fs::path& path) {
  std::string content = read_all(path);
  const fs::path digest = digest_path(path);
  if (!fs::exists(digest)) return content;
  std::string expected = read_all(digest);
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == ' ')) expected.pop_back();
  if (sha256_hex(content) != expected) {
    throw IoError(path.string() + " is damaged: its SHA-256 does not match " + digest.filename().string());
  }
  return content;
}

FileDigest digest_file(const fs::path& path) {
  const std::string content = read_all(path);
  return {content.size(), sha256_hex(content)};
}

}  // namespace regal::io
