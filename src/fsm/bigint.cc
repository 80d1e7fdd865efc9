#include "fsm/bigint.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace regal::fsm {

BigUint::BigUint(std::uint64_t value) {
  while (value != 0) {
    limbs_.push_back(static_cast<std::uint32_t>(value));
    value >>= 32;
  }
}

void BigUint::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

BigUint& BigUint::operator+=(const BigUint& other) {
  if (limbs_.size() < other.limbs_.size()) limbs_.resize(other.limbs_.size(), 0);
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < limbs_.size(); ++i) {
    const std::uint64_t sum = std::uint64_t{limbs_[i]} + (i < other.limbs_.size() ? other.limbs_[i] : 0) + carry;
    limbs_[i] = static_cast<std::uint32_t>(sum);
    carry = sum >> 32;
    if (carry == 0 && i >= other.limbs_.size()) break;
  }
  if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  return *this;
}

BigUint& BigUint::operator-=(const BigUint& other) {
  assert(!(*this < other));
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < limbs_.size(); ++i) {
    std::int64_t diff = std::int64_t{limbs_[i]} - (i < other.limbs_.size() ? other.limbs_[i] : 0) - borrow;
    borrow = diff < 0 ? 1 : 0;
    if (diff < 0) diff += std::int64_t{1} << 32;
    limbs_[i] = static_cast<std::uint32_t>(diff);
  }
  trim();
  return *this;
}

BigUint& BigUint::operator*=(std::uint32_t factor) {
  std::uint64_t carry = 0;
  for (auto& limb : limbs_) {
    const std::uint64_t product = std::uint64_t{limb} * factor + carry;
    limb = static_cast<std::uint32_t>(product);
    carry = product >> 32;
  }
  if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  trim();
  return *this;
}

bool operator<(const BigUint& a, const BigUint& b) {
  if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size();
  return std::lexicographical_compare(a.limbs_.rbegin(), a.limbs_.rend(), b.limbs_.rbegin(), b.limbs_.rend());
}

std::size_t BigUint::bit_length() const {
  if (limbs_.empty()) return 0;
  std::size_t top_bits = 0;
  for (std::uint32_t top = limbs_.back(); top != 0; top >>= 1) ++top_bits;
  return (limbs_.size() - 1) * 32 + top_bits;
}

std::optional<std::uint64_t> BigUint::to_u64() const {
  if (limbs_.size() > 2) return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = limbs_.size(); i-- > 0;) value = (value << 32) | limbs_[i];
  return value;
}

std::string BigUint::to_string() const {
  if (limbs_.empty()) return "0";
  std::vector<std::uint32_t> digits = limbs_;  // repeated division by 10^9
  std::vector<std::uint32_t> chunks;
  while (!digits.empty()) {
    std::uint64_t remainder = 0;
    for (std::size_t i = digits.size(); i-- > 0;) {
      const std::uint64_t current = (remainder << 32) | digits[i];
      digits[i] = static_cast<std::uint32_t>(current / 1000000000U);
      remainder = current % 1000000000U;
    }
    chunks.push_back(static_cast<std::uint32_t>(remainder));
    while (!digits.empty() && digits.back() == 0) digits.pop_back();
  }
  std::string text = std::to_string(chunks.back());
  for (std::size_t i = chunks.size() - 1; i-- > 0;) {
    const std::string chunk = std::to_string(chunks[i]);
    text += std::string(9 - chunk.size(), '0') + chunk;
  }
  return text;
}

void BigUint::to_scaled(double& mantissa, std::int64_t& exponent) const {
  const std::size_t bits = bit_length();
  if (bits == 0) {
    mantissa = 0;
    exponent = 0;
    return;
  }
  // Take the top 53 bits exactly, then scale: both steps are exact in IEEE.
  std::uint64_t top = 0;
  const std::size_t take = std::min<std::size_t>(bits, 53);
  for (std::size_t i = 0; i < take; ++i) {
    const std::size_t bit = bits - 1 - i;
    top = (top << 1) | ((limbs_[bit / 32] >> (bit % 32)) & 1U);
  }
  mantissa = std::ldexp(static_cast<double>(top), -static_cast<int>(take));
  exponent = static_cast<std::int64_t>(bits);
}

double BigUint::to_double() const {
  double mantissa = 0;
  std::int64_t exponent = 0;
  to_scaled(mantissa, exponent);
  if (exponent > 2000) return HUGE_VAL;
  return std::ldexp(mantissa, static_cast<int>(exponent));
}

double BigUint::ratio(const BigUint& a, const BigUint& b) {
  assert(!b.is_zero());
  double ma = 0, mb = 0;
  std::int64_t ea = 0, eb = 0;
  a.to_scaled(ma, ea);
  b.to_scaled(mb, eb);
  if (ma == 0) return 0;
  const std::int64_t shift = ea - eb;
  if (shift < -1100) return 0;
  if (shift > 1100) return HUGE_VAL;
  return std::ldexp(ma / mb, static_cast<int>(shift));
}

}  // namespace regal::fsm
