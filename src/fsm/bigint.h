#pragma once
// Unsigned arbitrary-precision integers: just what exact string counting needs
// (counts reach |Σ|^n). Little-endian 32-bit limbs, no leading zero limbs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace regal::fsm {

class BigUint {
 public:
  BigUint() = default;
  BigUint(std::uint64_t value);  // NOLINT: implicit, like an integer literal

  bool is_zero() const { return limbs_.empty(); }
  BigUint& operator+=(const BigUint& other);
  BigUint& operator-=(const BigUint& other);  // precondition: *this >= other
  BigUint& operator*=(std::uint32_t factor);
  friend BigUint operator+(BigUint a, const BigUint& b) { return a += b; }
  friend BigUint operator-(BigUint a, const BigUint& b) { return a -= b; }
  friend bool operator==(const BigUint& a, const BigUint& b) { return a.limbs_ == b.limbs_; }
  friend bool operator!=(const BigUint& a, const BigUint& b) { return !(a == b); }
  friend bool operator<(const BigUint& a, const BigUint& b);

  std::size_t bit_length() const;
  std::optional<std::uint64_t> to_u64() const;  // nullopt when it does not fit
  std::string to_string() const;                 // exact decimal
  // The value as mantissa * 2^exponent with mantissa in [0.5, 1) (0, 0 for zero);
  // the mantissa is rounded toward zero to 53 bits, identically on every host.
  void to_scaled(double& mantissa, std::int64_t& exponent) const;
  double to_double() const;  // may be +inf for huge values

  // a / b as a double, correct to about 1 ulp even when both are astronomically
  // large. Precondition: b is not zero.
  static double ratio(const BigUint& a, const BigUint& b);

 private:
  std::vector<std::uint32_t> limbs_;
  void trim();
};

}  // namespace regal::fsm
