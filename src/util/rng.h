#pragma once
// A small, fast, portable random generator: xoshiro256** seeded through
// splitmix64. Unlike std::uniform_*_distribution, every draw here is specified
// bit for bit, so the same seed gives the same stream on any machine, compiler
// and standard library.
#include <cstdint>
#include <string_view>

namespace regal {

// One step of splitmix64: a bijective mixer, also used to derive sub-seeds.
std::uint64_t splitmix64(std::uint64_t& state);

// A stable 64-bit hash of a name (FNV-1a), for deriving named streams.
std::uint64_t hash_name(std::string_view name);

// Seed of the stream called `name` under `seed`: streams of different names are
// independent, and none depends on thread count or rank.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view name);

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();           // 64 uniform bits
  double uniform01();             // uniform in [0, 1), 53 bits of precision
  std::uint64_t below(std::uint64_t bound);  // uniform in [0, bound); bound > 0

  using result_type = std::uint64_t;  // lets std::shuffle-like code use it
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return next(); }

  // The full state, for checkpoints.
  struct State {
    std::uint64_t s[4];
  };
  State state() const;
  void set_state(const State& state);

 private:
  std::uint64_t s_[4];
};

}  // namespace regal
