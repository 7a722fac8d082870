// Numerical tests of include/ctnet/layers/flatten.hpp: C x H x W -> C*H*W in NCHW order, as
// torch.flatten(x, 1): element (c, h, w) lands at c*H*W + h*W + w.
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "ctnet/ctnet.hpp"
#include "support.hpp"

namespace {
using ctnet::testing::set;

using ctnet::shape;


}  // namespace

TEST_CASE("flatten: shapes", "[layers][flatten]") {
  using map = ctnet::bind<ctnet::flatten, shape<2, 2, 3>>;
  STATIC_REQUIRE(std::is_same_v<map::output, shape<12>>);
  STATIC_REQUIRE(map::storage == 0);
  STATIC_REQUIRE(map::params == 0);
  // Flattening a vector leaves it as it is.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::flatten, shape<5>>::output, shape<5>>);
  // After global_avg_pool: C x 1 x 1 -> C.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::flatten, shape<64, 1, 1>>::output, shape<64>>);
}

TEST_CASE("flatten: values keep NCHW order, per sample", "[layers][flatten]") {
  ctnet::model<ctnet::network<shape<2, 2, 3>, ctnet::flatten>> m;
  // x[n][c][h][w] = 1000 n + 100 c + 10 h + w, stored NCHW.
  std::vector<float> x;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 3; ++w) x.push_back(static_cast<float>(1000 * n + 100 * c + 10 * h + w));
  std::vector<float> y(24, -1.0f);
  m.forward(x, y);
  // Spot checks by hand: y[n][c*6 + h*3 + w].
  CHECK(y[0] == 0.0f);        // (0, 0, 0, 0)
  CHECK(y[4] == 11.0f);       // (0, 0, 1, 1): 0*6 + 1*3 + 1 = 4
  CHECK(y[5] == 12.0f);       // (0, 0, 1, 2)
  CHECK(y[6] == 100.0f);      // (0, 1, 0, 0)
  CHECK(y[11] == 112.0f);     // (0, 1, 1, 2)
  CHECK(y[12] == 1000.0f);    // (1, 0, 0, 0)
  CHECK(y[12 + 9] == 1110.0f);  // (1, 1, 1, 0): 6 + 3 = 9
  CHECK(y[23] == 1112.0f);    // (1, 1, 1, 2)
  CHECK(y == x);
}

TEST_CASE("flatten: a following linear layer sees c*H*W + h*W + w", "[layers][flatten]") {
  // 2 x 1 x 2 -> 4 -> linear<1> with weights 1, 10, 100, 1000: the output spells the input's digits
  // in flattened order.
  ctnet::model<ctnet::network<shape<2, 1, 2>, ctnet::flatten, ctnet::linear<1>>> m;
  set(m.tensor("1.weight"), {1, 10, 100, 1000});
  set(m.tensor("1.bias"), {0});
  // x[0] = [1 2], x[1] = [3 4]  ->  1*1 + 2*10 + 3*100 + 4*1000 = 4321
  const std::vector<float> x{1, 2, 3, 4};
  std::vector<float> y(1);
  m.forward(x, y);
  CHECK(y[0] == Approx(4321).epsilon(1e-6));
}
