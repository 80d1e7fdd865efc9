#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "io/atomic_file.h"
#include "io/hash.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/text.h"

namespace fs = std::filesystem;
using namespace regal;

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(io::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(io::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(io::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  io::Sha256 million;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(chunk);
  EXPECT_EQ(million.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, SplitUpdatesEqualOneUpdate) {
  const std::string text = "the quick brown fox jumps over the lazy dog, many times over and over again";
  io::Sha256 split;
  for (const char c : text) split.update(&c, 1);
  EXPECT_EQ(split.hex_digest(), io::sha256_hex(text));
}

TEST(Rng, StreamMatchesReferenceXoshiro256StarStar) {
  // Values from an independent Python implementation of splitmix64-seeded
  // xoshiro256**: the stream every corpus depends on must never drift.
  Rng rng(42);
  EXPECT_EQ(rng.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(rng.next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(rng.next(), 0xae17533239e499a1ULL);
  EXPECT_EQ(rng.next(), 0xecb8ad4703b360a1ULL);
  Rng zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4ULL);
}

TEST(Rng, StateRoundTripResumesTheStream) {
  Rng a(7);
  for (int i = 0; i < 10; ++i) a.next();
  Rng b(0);
  b.set_state(a.state());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Rng, BelowIsInRangeAndCoversIt) {
  Rng rng(1);
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const auto v = rng.below(7);
    ASSERT_LT(v, 7U);
    ++hits[v];
  }
  for (const int h : hits) EXPECT_NEAR(h, 1000, 150);
  for (int i = 0; i < 1000; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(Rng, DerivedStreamsDifferByName) {
  EXPECT_NE(derive_seed(1, "train"), derive_seed(1, "val"));
  EXPECT_NE(derive_seed(1, "train"), derive_seed(2, "train"));
  EXPECT_EQ(derive_seed(1, "train"), derive_seed(1, "train"));
}

TEST(Text, ClosestMatchFindsTyposOnly) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
  const std::vector<std::string> keys{"train.lr", "train.steps", "data.L_max", "model.arch"};
  EXPECT_EQ(closest_match("train.setps", keys), "train.steps");
  EXPECT_EQ(closest_match("data.Lmax", keys), "data.L_max");
  EXPECT_EQ(closest_match("completely.unrelated.thing", keys), "");
  EXPECT_EQ(did_you_mean("model.arc", keys), " (did you mean 'model.arch'?)");
}

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("regal_atomic_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

TEST_F(AtomicFile, WritesCreatesParentsAndReplaces) {
  const fs::path path = dir_ / "sub" / "file.json";
  io::write_file_atomic(path, "first");
  EXPECT_EQ(read(path), "first");
  io::write_file_atomic(path, "second");
  EXPECT_EQ(read(path), "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(AtomicFile, FailingWriterLeavesOldFileAndNoTemporary) {
  const fs::path path = dir_ / "kept.txt";
  io::write_file_atomic(path, "old");
  EXPECT_THROW(io::produce_file_atomic(path,
                                       [](const fs::path& tmp) {
                                         std::ofstream(tmp) << "half";
                                         throw IoError("disk full");
                                       }),
               IoError);
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(entries(), 1U);
}
