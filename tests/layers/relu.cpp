// Numerical tests of include/ctnet/layers/relu.hpp: y = max(x, 0) elementwise, on any shape.
#include <cmath>
#include <cstddef>
#include <limits>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "ctnet/ctnet.hpp"
#include "support.hpp"

namespace {
using ctnet::testing::require_values;

using ctnet::shape;


}  // namespace

TEST_CASE("relu: shape and storage", "[layers][relu]") {
  using map = ctnet::bind<ctnet::relu, shape<2, 1, 3>>;
  STATIC_REQUIRE(std::is_same_v<map::output, shape<2, 1, 3>>);
  STATIC_REQUIRE(map::params == 0);
  STATIC_REQUIRE(map::storage == 0);
  STATIC_REQUIRE(map::workspace == 0);
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::relu, shape<7>>::output, shape<7>>);
}

TEST_CASE("relu: negatives become zero, positives pass unchanged, on a feature map batch", "[layers][relu]") {
  ctnet::model<ctnet::network<shape<2, 1, 3>, ctnet::relu>> m;
  const std::vector<float> x{-2, 0, 0.5f, 3, -1e-30f, 1e30f,  // sample 0
                             -0.25f, 7, -7, 1e-30f, -1e30f, 2};  // sample 1
  std::vector<float> y(12, 123.0f);
  m.forward(x, y);
  require_values(y, {0, 0, 0.5, 3, 0, 1e30,  //
                     0, 7, 0, 1e-30, 0, 2});
}

TEST_CASE("relu: on a vector, and -0 gives zero", "[layers][relu]") {
  using bound = ctnet::bind<ctnet::relu, shape<4>>;
  const std::vector<float> x{-0.0f, -1, 1, 0.125f};
  std::vector<float> y(4, 123.0f);
  bound::forward(nullptr, x.data(), y.data(), nullptr, 1);
  CHECK(y[0] == 0.0f);  // +0 or -0: both compare equal to 0
  CHECK(y[1] == 0.0f);
  CHECK(y[2] == 1.0f);
  CHECK(y[3] == 0.125f);
}

TEST_CASE("relu: NaN passes through, as in PyTorch, instead of hiding as 0", "[layers][relu]") {
  using bound = ctnet::bind<ctnet::relu, shape<2>>;
  const std::vector<float> x{std::numeric_limits<float>::quiet_NaN(), -1};
  std::vector<float> y(2);
  bound::forward(nullptr, x.data(), y.data(), nullptr, 1);
  CHECK(std::isnan(y[0]));
  CHECK(y[1] == 0.0f);
}
