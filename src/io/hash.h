#pragma once
// Content hashes: SHA-256, so that hashes written today (fsm.json, cache keys,
// run ids) mean the same thing on every machine and in every later version.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace regal::io {

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, std::size_t size);
  Sha256& update(std::string_view text) { return update(text.data(), text.size()); }
  // Appends v as 8 little-endian bytes (integers hash the same on any host).
  Sha256& update_u64(std::uint64_t v);
  std::array<std::uint8_t, 32> digest();  // finishes; the object is spent after
  std::string hex_digest();                // 64 lowercase hex digits

 private:
  void compress(const std::uint8_t* block);
  std::uint32_t h_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Hex SHA-256 of a string.
std::string sha256_hex(std::string_view text);

}  // namespace regal::io
