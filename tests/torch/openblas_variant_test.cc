// LibTorch must run on OpenBLAS's OpenMP variant: the pthread variant ignores
// torch's thread count and oversubscribes the cores (2.4x slower at two
// threads, measured). bootstrap pins the alternatives; this checks what the
// dynamic loader actually mapped after a BLAS call.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <string>

namespace {

std::string mapped_libraries() {
  std::ifstream maps("/proc/self/maps");
  std::string line, blas;
  while (std::getline(maps, line)) {
    if (line.find("blas") != std::string::npos) blas += line.substr(line.find('/') == std::string::npos ? 0 : line.find('/')) + "\n";
  }
  return blas;
}

}  // namespace

TEST(OpenBlas, TorchLoadsTheOpenMpVariant) {
  torch::set_num_threads(1);
  const auto a = torch::randn({256, 256});
  const auto product = torch::mm(a, a);  // goes through BLAS sgemm
  ASSERT_EQ(product.size(0), 256);
  const std::string blas = mapped_libraries();
  if (blas.find("openblas") == std::string::npos && blas.find("/blas/libblas") == std::string::npos) {
    // PyTorch's own builds (the GPU machine's) carry MKL inside libtorch_cpu.
    GTEST_SKIP() << "this LibTorch does not load a system BLAS";
  }
  EXPECT_NE(blas.find("openblas-openmp"), std::string::npos) << "mapped BLAS libraries:\n" << blas;
  EXPECT_EQ(blas.find("openblas-pthread"), std::string::npos) << "mapped BLAS libraries:\n" << blas;
  EXPECT_EQ(blas.find("/blas/libblas"), std::string::npos) << "reference BLAS is mapped:\n" << blas;
}

TEST(OpenBlas, TorchHonoursItsThreadCount) {
  torch::set_num_threads(2);
  EXPECT_EQ(torch::get_num_threads(), 2);
  torch::set_num_threads(1);
  EXPECT_EQ(torch::get_num_threads(), 1);
}
