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

// The fast kernel called directly on a ResNet-sized map (as ctnet::bench and a user timing one
// layer do): its result is the oracle's. Also a compile check: with this constant size g++ 12 warned
// of undefined behaviour in the kernel's scalar tail loop, an error under the tests' -Werror.
TEST_CASE("relu: the fast kernel on a 512x7x7 map equals the reference", "[layers][relu]") {
  using bound = ctnet::bind<ctnet::relu, shape<512, 7, 7>>;
  std::vector<float> x(bound::input::size);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 13) - 6) * 0.25f;
  std::vector<float> fast(x.size(), 123.0f), reference(x.size(), 321.0f);
  bound::run<ctnet::compiled_arch>(nullptr, x.data(), fast.data(), nullptr, 1);
  bound::forward(nullptr, x.data(), reference.data(), nullptr, 1);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < x.size(); ++i) differing += fast[i] != reference[i];
  CHECK(differing == 0);
  CHECK(fast[0] == 0.0f);        // -1.5 → 0
  CHECK(fast[12] == 1.5f);       // passes unchanged
}

TEST_CASE("relu: NaN passes through, as in PyTorch, instead of hiding as 0", "[layers][relu]") {
  using bound = ctnet::bind<ctnet::relu, shape<2>>;
  const std::vector<float> x{std::numeric_limits<float>::quiet_NaN(), -1};
  std::vector<float> y(2);
  bound::forward(nullptr, x.data(), y.data(), nullptr, 1);
  CHECK(std::isnan(y[0]));
  CHECK(y[1] == 0.0f);
}
