// Numerical tests of include/ctnet/layers/pool.hpp, with PyTorch's conventions:
//   max_pool: padding never wins (it is -inf, not 0);
//   avg_pool: padding counts as zeros in the divisor (count_include_pad=True): always / (K*K);
//   output extent floor((H + 2P - K) / S) + 1.
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


// A 5x5 plane with x[i][j] = 5i + j + offset, times sign.
std::vector<float> ramp_5x5(float sign, float offset) {
  std::vector<float> x;
  for (int i = 0; i < 25; ++i) x.push_back(sign * (static_cast<float>(i) + offset));
  return x;
}

}  // namespace

TEST_CASE("pool: output shapes", "[layers][pool]") {
  // max_pool<3, 2, 1> on 5x5: (5 + 2 - 3) / 2 + 1 = 3.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::max_pool<3, 2, 1>, shape<2, 5, 5>>::output, shape<2, 3, 3>>);
  // The ImageNet stem's pool: 112 -> (112 + 2 - 3) / 2 + 1 = 56.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::max_pool<3, 2, 1>, shape<64, 112, 112>>::output, shape<64, 56, 56>>);
  // avg_pool<2> means stride 2, padding 0: 5 -> floor(3 / 2) + 1 = 2 (the last row and column drop).
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::avg_pool<2>, shape<1, 5, 5>>::output, shape<1, 2, 2>>);
  // avg_pool<3, 2, 1> on 3x3: (3 + 2 - 3) / 2 + 1 = 2.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::avg_pool<3, 2, 1>, shape<1, 3, 3>>::output, shape<1, 2, 2>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::global_avg_pool, shape<7, 3, 5>>::output, shape<7, 1, 1>>);
  STATIC_REQUIRE(ctnet::bind<ctnet::max_pool<3, 2, 1>, shape<2, 5, 5>>::storage == 0);
}

TEST_CASE("max_pool<3, 2, 1>: on all-negative input the padding does not win", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<2, 5, 5>, ctnet::max_pool<3, 2, 1>>> m;
  // Channel 0: x[i][j] = -(5i + j + 1), i.e. -1 .. -25: a window's maximum is its top-left valid pixel.
  // Channel 1: x[i][j] = 5i + j, i.e. 0 .. 24: a window's maximum is its bottom-right valid pixel.
  std::vector<float> x = ramp_5x5(-1, 1);
  for (float v : ramp_5x5(1, 0)) x.push_back(v);

  std::vector<float> y(18);
  m.forward(x, y);
  // Window (oy, ox) covers rows 2oy-1 .. 2oy+1 and columns 2ox-1 .. 2ox+1, clipped to 0..4:
  //   oy = 0: rows 0..1    oy = 1: rows 1..3    oy = 2: rows 3..4   (same for columns)
  // Channel 0, top-left valid pixel (first row r0, first column c0) -> -(5 r0 + c0 + 1):
  //   rows 0/1/3 x cols 0/1/3: -1 -2 -4 / -6 -7 -9 / -16 -17 -19   (zero padding would give 0 on the border)
  // Channel 1, bottom-right valid pixel (last row r1, last column c1) -> 5 r1 + c1:
  //   rows 1/3/4 x cols 1/3/4: 6 8 9 / 16 18 19 / 21 23 24
  require_values(y, {-1, -2, -4, -6, -7, -9, -16, -17, -19,  //
                     6, 8, 9, 16, 18, 19, 21, 23, 24});
}

TEST_CASE("max_pool<2>: non-overlapping windows, odd input drops its last row and column", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::max_pool<2>>> m;
  // x = [[-5 -9  100]
  //      [-7 -6  100]
  //      [100 100 100]]: only the top-left 2x2 window fits, its max is -5.
  const std::vector<float> x{-5, -9, 100, -7, -6, 100, 100, 100, 100};
  std::vector<float> y(1);
  m.forward(x, y);
  require_values(y, {-5});
}

TEST_CASE("avg_pool<2> on an odd 5x5 map", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<1, 5, 5>, ctnet::avg_pool<2>>> m;
  // x[i][j] = 5i + j; windows rows/cols {0,1} and {2,3}; row and column 4 are not used.
  // (0,0): (0 + 1 + 5 + 6) / 4 = 3        (0,1): (2 + 3 + 7 + 8) / 4 = 5
  // (1,0): (10 + 11 + 15 + 16) / 4 = 13   (1,1): (12 + 13 + 17 + 18) / 4 = 15
  std::vector<float> y(4);
  m.forward(ramp_5x5(1, 0), y);
  require_values(y, {3, 5, 13, 15});
}

TEST_CASE("avg_pool<3, 2, 1> divides by 9 even where the window overlaps padding", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::avg_pool<3, 2, 1>>> m;
  // x = [[1 2 3] [4 5 6] [7 8 9]]
  const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> y(4);
  m.forward(x, y);
  // (0,0): rows/cols 0..1: 1 + 2 + 4 + 5 = 12 -> 12 / 9 = 1.3333333333
  // (0,1): rows 0..1, cols 1..2: 2 + 3 + 5 + 6 = 16 -> 16 / 9 = 1.7777777778
  // (1,0): rows 1..2, cols 0..1: 4 + 5 + 7 + 8 = 24 -> 24 / 9 = 2.6666666667
  // (1,1): rows 1..2, cols 1..2: 5 + 6 + 8 + 9 = 28 -> 28 / 9 = 3.1111111111
  // (count_include_pad=False would give 3, 4, 6, 7.)
  require_values(y, {12.0 / 9, 16.0 / 9, 24.0 / 9, 28.0 / 9});
}

TEST_CASE("avg_pool<3, 2, 1> on an odd 5x5 map", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<1, 5, 5>, ctnet::avg_pool<3, 2, 1>>> m;
  std::vector<float> y(9);
  m.forward(ramp_5x5(1, 0), y);
  // x[i][j] = 5i + j; rows and columns per output index: 0 -> 0..1, 1 -> 1..3, 2 -> 3..4; divisor 9.
  // (0,0): 0 1 5 6 = 12                  -> 12/9
  // (0,1): 1 2 3 6 7 8 = 27              -> 3
  // (0,2): 3 4 8 9 = 24                  -> 24/9
  // (1,0): 5 6 10 11 15 16 = 63          -> 7
  // (1,1): 6 7 8 11 12 13 16 17 18 = 108 -> 12
  // (1,2): 8 9 13 14 18 19 = 81          -> 9
  // (2,0): 15 16 20 21 = 72              -> 8
  // (2,1): 16 17 18 21 22 23 = 117       -> 13
  // (2,2): 18 19 23 24 = 84              -> 84/9
  require_values(y, {12.0 / 9, 3, 24.0 / 9, 7, 12, 9, 8, 13, 84.0 / 9});
}

TEST_CASE("global_avg_pool: the mean of each channel, per sample", "[layers][pool]") {
  ctnet::model<ctnet::network<shape<2, 3, 3>, ctnet::global_avg_pool>> m;
  std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9,        // sample 0, c0: 45 / 9 = 5
                       1, 0, 0, 0, 0, 0, 0, 0, -10,      // sample 0, c1: -9 / 9 = -1
                       2, 2, 2, 2, 2, 2, 2, 2, 2,        // sample 1, c0: 2
                       0, 1, 2, 3, 4, 5, 6, 7, 8};       // sample 1, c1: 36 / 9 = 4
  std::vector<float> y(4);
  m.forward(x, y);
  require_values(y, {5, -1, 2, 4});
}

TEST_CASE("global_avg_pool on a non-square odd map", "[layers][pool]") {
  using gap = ctnet::bind<ctnet::global_avg_pool, shape<2, 1, 3>>;
  // c0: (1 + 2 + 4) / 3 = 7/3; c1: (-3 + 0 + 0.5) / 3 = -2.5/3
  const std::vector<float> x{1, 2, 4, -3, 0, 0.5f};
  std::vector<float> y(2);
  gap::forward(nullptr, x.data(), y.data(), nullptr, 1);
  require_values(y, {7.0 / 3, -2.5 / 3});
}

TEST_CASE("max_pool: a NaN in the window gives NaN, wherever it stands", "[layers][pool]") {
  using bound = ctnet::bind<ctnet::max_pool<2>, shape<1, 2, 4>>;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Window 0 holds NaN first, window 1 holds it last, after a larger value.
  const std::vector<float> x{nan, 1, 5, 2,  //
                             0, -1, 3, nan};
  std::vector<float> y(2);
  bound::forward(nullptr, x.data(), y.data(), nullptr, 1);
  CHECK(std::isnan(y[0]));
  CHECK(std::isnan(y[1]));
}
