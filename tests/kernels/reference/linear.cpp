// Tests of include/ctnet/kernels/reference/linear.hpp for what layers/linear.hpp never exercises:
// a null bias (the layer always passes one).
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "ctnet/kernels/reference/linear.hpp"

TEST_CASE("reference::linear without a bias", "[kernels][reference][linear]") {
  // W = [[1 -2] [0.5 4] [3 0]] ([out][in], 3 x 2); two samples.
  const std::vector<float> w{1, -2, 0.5f, 4, 3, 0};
  const std::vector<float> x{2, 1,     // sample 0
                             -1, 0.25f};  // sample 1
  std::vector<float> y(6, 1e9f);
  ctnet::reference::linear(2, 3, w.data(), nullptr, x.data(), y.data(), 2);
  // sample 0: 2 - 2 = 0;  1 + 4 = 5;  6 + 0 = 6
  // sample 1: -1 - 0.5 = -1.5;  -0.5 + 1 = 0.5;  -3 + 0 = -3
  const std::vector<double> want{0, 5, 6, -1.5, 0.5, -3};
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(y[i] == Approx(want[i]).epsilon(1e-6));
  }
}
