#pragma once
// Content hashes: SHA-256 (OpenSSL's EVP implementation), so that hashes
// written today (fsm.json, cache keys, run ids) mean the same thing on every
// machine and in every later version.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace regal::io {

class Sha256 {
 public:
  Sha256();  // throws IoError if OpenSSL cannot set up SHA-256
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  Sha256& update(const void* data, std::size_t size);
  Sha256& update(std::string_view text) { return update(text.data(), text.size()); }
  // Appends v as 8 little-endian bytes (integers hash the same on any host).
  Sha256& update_u64(std::uint64_t v);
  std::array<std::uint8_t, 32> digest();  // finishes; the object is spent after
  std::string hex_digest();                // 64 lowercase hex digits

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Hex SHA-256 of a string.
std::string sha256_hex(std::string_view text);

// A file's MD5 and SHA-256 in one read (hex), as the lab notebook records a
// corpus: MD5 for the tools that only know it, SHA-256 to trust. Throws
// IoError naming the file when it cannot be read.
struct FileDigests {
  std::string md5;
  std::string sha256;
};
FileDigests file_digests(const std::filesystem::path& path);

}  // namespace regal::io
