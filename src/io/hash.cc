// SHA-256 through OpenSSL's EVP interface; every call's result is checked.
#include "io/hash.h"

#include <openssl/evp.h>

#include <fstream>

#include <vector>

#include "util/error.h"

namespace regal::io {

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

namespace {

void check(int ok, const char* what) {
  if (ok != 1) throw IoError(std::string("OpenSSL SHA-256: ") + what + " failed");
}

// Lowercase hex of a digest.
std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kHex[bytes[i] >> 4]);
    hex.push_back(kHex[bytes[i] & 15]);
  }
  return hex;
}

}  // namespace

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr) throw IoError("OpenSSL SHA-256: cannot allocate a digest context");
  check(EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr), "init");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(const void* data, std::size_t size) {
  check(EVP_DigestUpdate(context_->ctx, data, size), "update");
  return *this;
}

Sha256& Sha256::update_u64(std::uint64_t v) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return update(bytes, sizeof bytes);
}

std::array<std::uint8_t, 32> Sha256::digest() {
  std::array<std::uint8_t, 32> out{};
  unsigned int size = 0;
  check(EVP_DigestFinal_ex(context_->ctx, out.data(), &size), "final");
  if (size != out.size()) throw IoError("OpenSSL SHA-256: unexpected digest size");
  return out;
}

std::string Sha256::hex_digest() {
  const auto bytes = digest();
  return to_hex(bytes.data(), bytes.size());
}

std::string sha256_hex(std::string_view text) { return Sha256().update(text).hex_digest(); }

FileDigests file_digests(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path.string() + " to hash it");
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md5(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (md5 == nullptr) throw IoError("OpenSSL MD5: cannot allocate a digest context");
  auto check_md5 = [](int ok, const char* what) {
    if (ok != 1) throw IoError(std::string("OpenSSL MD5: ") + what + " failed");
  };
  check_md5(EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr), "init");
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    check_md5(EVP_DigestUpdate(md5.get(), buffer.data(), got), "update");
    sha.update(buffer.data(), got);
  }
  if (in.bad()) throw IoError("cannot read " + path.string() + " to hash it");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  check_md5(EVP_DigestFinal_ex(md5.get(), digest, &size), "final");
  return {to_hex(digest, size), sha.hex_digest()};
}

}  // namespace regal::io
