// Numerical tests of include/ctnet/layers/conv2d.hpp against small hand-computed convolutions.
// Every expected value below is worked out by hand in the comments next to it: PyTorch's
// conv2d is a cross-correlation (the kernel is not flipped), weights are OIHW, input NCHW, and
// padding adds zeros.
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
using ctnet::testing::require_values;
using ctnet::testing::set;

using ctnet::shape;



// x = [[1 2 3]
//      [4 5 6]
//      [7 8 9]]
const std::vector<float> one_to_nine{1, 2, 3, 4, 5, 6, 7, 8, 9};

// An asymmetric kernel, so that a flipped (true convolution) or transposed kernel gives other numbers:
// k = [[1 -1  2]
//      [0  3 -2]
//      [1  1 -1]]
const std::vector<float> asymmetric_3x3{1, -1, 2, 0, 3, -2, 1, 1, -1};

}  // namespace

TEST_CASE("conv2d: output shapes follow PyTorch's floor((H + 2P - K) / S) + 1", "[layers][conv2d]") {
  // 3x3, K3 S2 P1: (3 + 2 - 3) / 2 + 1 = 2.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::conv2d<1, 3, 2, 1>, shape<1, 3, 3>>::output, shape<1, 2, 2>>);
  // 3x3, K2 S2 P1: floor((3 + 2 - 2) / 2) + 1 = 1 + 1 = 2.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::conv2d<1, 2, 2, 1>, shape<1, 3, 3>>::output, shape<1, 2, 2>>);
  // Default padding K / 2 = 1 keeps 3x3 at stride 1; 4 output channels.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::conv2d<4, 3>, shape<1, 3, 3>>::output, shape<4, 3, 3>>);
  // 1x1 stride 2 on an odd 5x5: (5 - 1) / 2 + 1 = 3.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::conv2d<8, 1, 2, 0>, shape<2, 5, 5>>::output, shape<8, 3, 3>>);
  // The ImageNet stem: 7x7 /2 pad 3 on 224: (224 + 6 - 7) / 2 + 1 = 112.
  STATIC_REQUIRE(std::is_same_v<ctnet::bind<ctnet::conv2d<64, 7, 2>, shape<3, 224, 224>>::output, shape<64, 112, 112>>);
}

TEST_CASE("conv2d: parameter counts and storage", "[layers][conv2d]") {
  using plain = ctnet::bind<ctnet::conv2d<3, 2, 1, 0>, shape<2, 2, 2>>;
  // weight 3*2*2*2 = 24 floats, no bias; 24 rounds up to 32 (16-float = 64-byte granules).
  STATIC_REQUIRE(plain::params == 24);
  STATIC_REQUIRE(plain::storage == 32);
  STATIC_REQUIRE(plain::tensors.size() == 1);

  using biased = ctnet::bind<ctnet::conv2d_with_bias<2, 1, 1, 0>, shape<2, 1, 2>>;
  // weight 2*2*1*1 = 4 (rounded to 16), bias 2 (rounded to 16) starting at 16.
  STATIC_REQUIRE(biased::params == 6);
  STATIC_REQUIRE(biased::storage == 32);
  STATIC_REQUIRE(biased::tensors.size() == 2);
  STATIC_REQUIRE(biased::tensors[1].offset == 16);
  // MACs: output 2*1*2 = 4 values, each 2 in-channels * 1 * 1 = 2 multiplies.
  STATIC_REQUIRE(biased::macs == 8);
}

TEST_CASE("conv2d: 3x3 kernel, stride 2, padding 1 on a 3x3 input", "[layers][conv2d]") {
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::conv2d<1, 3, 2, 1>>> m;
  set(m.tensor("0.weight"), asymmetric_3x3);

  std::vector<float> y(4);
  m.forward(one_to_nine, y);

  // Output (oy, ox) sees input rows 2*oy-1 .. 2*oy+1 and the same columns; row/col -1 and 3 are padding.
  // (0,0): valid x[0..1][0..1] against k[1..2][1..2]: 3*1 + -2*2 + 1*4 + -1*5 = 3 - 4 + 4 - 5 = -2
  // (0,1): valid x[0..1][1..2] against k[1..2][0..1]: 0*2 + 3*3 + 1*5 + 1*6 = 0 + 9 + 5 + 6 = 20
  // (1,0): valid x[1..2][0..1] against k[0..1][1..2]: -1*4 + 2*5 + 3*7 + -2*8 = -4 + 10 + 21 - 16 = 11
  // (1,1): valid x[1..2][1..2] against k[0..1][0..1]: 1*5 + -1*6 + 0*8 + 3*9 = 5 - 6 + 0 + 27 = 26
  require_values(y, {-2, 20, 11, 26});
}

TEST_CASE("conv2d: 2x2 kernel, stride 2, padding 1 on a 3x3 input", "[layers][conv2d]") {
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::conv2d<1, 2, 2, 1>>> m;
  // k = [[1 2]
  //      [3 4]]
  set(m.tensor("0.weight"), {1, 2, 3, 4});

  std::vector<float> y(4);
  m.forward(one_to_nine, y);

  // Output (oy, ox) sees input rows 2*oy-1 .. 2*oy and the same columns.
  // (0,0): rows -1..0, cols -1..0: only x[0][0] = 1 under k[1][1] = 4          -> 4
  // (0,1): rows -1..0, cols  1..2: x[0][1]*k[1][0] + x[0][2]*k[1][1] = 2*3 + 3*4 -> 18
  // (1,0): rows  1..2, cols -1..0: x[1][0]*k[0][1] + x[2][0]*k[1][1] = 4*2 + 7*4 -> 36
  // (1,1): rows  1..2, cols  1..2: 5*1 + 6*2 + 8*3 + 9*4 = 5 + 12 + 24 + 36     -> 77
  require_values(y, {4, 18, 36, 77});
}

TEST_CASE("conv2d: default padding keeps the size and pads with zeros", "[layers][conv2d]") {
  // conv2d<1, 3> has padding 3 / 2 = 1: a 3x3 input stays 3x3.
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::conv2d<1, 3>>> m;
  set(m.tensor("0.weight"), asymmetric_3x3);

  std::vector<float> y(9);
  m.forward(one_to_nine, y);

  // y[i][j] = sum k[a][b] * x[i+a-1][j+b-1], zero outside.
  // (0,0): k11*x00 + k12*x01 + k21*x10 + k22*x11 = 3*1 - 2*2 + 1*4 - 1*5 = -2
  // (0,1): k10*x00 + k11*x01 + k12*x02 + k20*x10 + k21*x11 + k22*x12
  //        = 0 + 3*2 - 2*3 + 1*4 + 1*5 - 1*6 = 0 + 6 - 6 + 4 + 5 - 6 = 3
  // (0,2): k10*x01 + k11*x02 + k20*x11 + k21*x12 = 0 + 3*3 + 5 + 6 = 20
  // (1,0): k01*x00 + k02*x01 + k11*x10 + k12*x11 + k21*x20 + k22*x21
  //        = -1*1 + 2*2 + 3*4 - 2*5 + 1*7 - 1*8 = -1 + 4 + 12 - 10 + 7 - 8 = 4
  // (1,1): all nine: 1*1 - 1*2 + 2*3 + 0*4 + 3*5 - 2*6 + 1*7 + 1*8 - 1*9
  //        = 1 - 2 + 6 + 0 + 15 - 12 + 7 + 8 - 9 = 14
  // (1,2): k00*x01 + k01*x02 + k10*x11 + k11*x12 + k20*x21 + k21*x22
  //        = 1*2 - 1*3 + 0*5 + 3*6 + 1*8 + 1*9 = 2 - 3 + 0 + 18 + 8 + 9 = 34
  // (2,0): k01*x10 + k02*x11 + k11*x20 + k12*x21 = -4 + 10 + 21 - 16 = 11
  // (2,1): k00*x10 + k01*x11 + k02*x12 + k10*x20 + k11*x21 + k12*x22
  //        = 4 - 5 + 12 + 0 + 24 - 18 = 17
  // (2,2): k00*x11 + k01*x12 + k10*x21 + k11*x22 = 5 - 6 + 0 + 27 = 26
  require_values(y, {-2, 3, 20, 4, 14, 34, 11, 17, 26});
}

TEST_CASE("conv2d: several input and output channels read OIHW weights", "[layers][conv2d]") {
  // 2 input channels of 2x2, 3 output channels, 2x2 kernel, no padding: each output is 1x1,
  // the sum over c, ky, kx of w[o][c][ky][kx] * x[c][ky][kx].
  using conv = ctnet::bind<ctnet::conv2d<3, 2, 1, 0>, shape<2, 2, 2>>;
  STATIC_REQUIRE(std::is_same_v<conv::output, shape<3, 1, 1>>);

  // x[0] = [[1 2] [3 4]], x[1] = [[5 6] [7 8]]: x flat is 1..8.
  const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8};
  // Weights flat in OIHW order: 1..24, so w[o][c][ky][kx] = o*8 + c*4 + ky*2 + kx + 1.
  std::vector<float> params(conv::storage, 0.0f);
  for (std::size_t i = 0; i < 24; ++i) params[conv::tensors[0].offset + i] = static_cast<float>(i + 1);

  std::vector<float> y(3, -1.0f);
  conv::forward(params.data(), x.data(), y.data(), nullptr, 1);

  // out[o] = sum_{j=0..7} (8*o + j + 1) * (j + 1) = sum (j+1)^2 + 8*o * sum (j+1)
  //   sum_{1..8} k^2 = 1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 = 204;  sum_{1..8} k = 36
  // out[0] = 204, out[1] = 204 + 8*36 = 492, out[2] = 204 + 16*36 = 780.
  // (An IOHW reading would give out[0] = 1+4+9+16 + 13*5+14*6+15*7+16*8 = 30 + 382 = 412.)
  require_values(y, {204, 492, 780});
}

TEST_CASE("conv2d: channels and space together (2 in, 2 out, 3x3 pad 1 stride 2)", "[layers][conv2d]") {
  ctnet::model<ctnet::network<shape<2, 3, 3>, ctnet::conv2d<2, 3, 2, 1>>> m;
  // w[0][0] = the asymmetric kernel k, w[0][1] = 0, w[1][0] = 0, w[1][1] = centre tap 1 only,
  // so output 0 sees only input 0 and output 1 copies input 1 at the stride-2 positions.
  set(m.tensor("0.weight"), {1, -1, 2, 0, 3, -2, 1, 1, -1,  //
                             0, 0, 0, 0, 0, 0, 0, 0, 0,     //
                             0, 0, 0, 0, 0, 0, 0, 0, 0,     //
                             0, 0, 0, 0, 1, 0, 0, 0, 0});
  // Input 0 = 1..9, input 1 = 10..90 step 10.
  std::vector<float> x(one_to_nine);
  for (float v : one_to_nine) x.push_back(10 * v);

  std::vector<float> y(8);
  m.forward(x, y);
  // Output 0: as the single-channel 3x3 /2 pad 1 case: -2, 20, 11, 26.
  // Output 1: centre of windows at (0,0), (0,2), (2,0), (2,2) of input 1: 10, 30, 70, 90.
  require_values(y, {-2, 20, 11, 26, 10, 30, 70, 90});
}

TEST_CASE("conv2d_with_bias adds one bias per output channel", "[layers][conv2d]") {
  ctnet::model<ctnet::network<shape<2, 1, 2>, ctnet::conv2d_with_bias<2, 1, 1, 0>>> m;
  REQUIRE(m.tensor("0.weight").size() == 4);
  REQUIRE(m.tensor("0.bias").size() == 2);
  // w = [[2 -1]      bias = [10 -20]
  //      [0.5 2]]
  set(m.tensor("0.weight"), {2, -1, 0.5f, 2});
  set(m.tensor("0.bias"), {10, -20});

  // x[0] = [1 2], x[1] = [3 4]
  const std::vector<float> x{1, 2, 3, 4};
  std::vector<float> y(4);
  m.forward(x, y);
  // y[0] = 2*x0 - x1 + 10:    pixel 0: 2 - 3 + 10 = 9;    pixel 1: 4 - 4 + 10 = 10
  // y[1] = 0.5*x0 + 2*x1 - 20: pixel 0: 0.5 + 6 - 20 = -13.5; pixel 1: 1 + 8 - 20 = -11
  require_values(y, {9, 10, -13.5, -11});
}

TEST_CASE("conv2d: bias with padding is added at border pixels too", "[layers][conv2d]") {
  // 3x3 /2 pad 1 with bias 0.5: the hand values of the unbiased case plus 0.5 everywhere.
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::conv2d_with_bias<1, 3, 2, 1>>> m;
  set(m.tensor("0.weight"), asymmetric_3x3);
  set(m.tensor("0.bias"), {0.5f});
  std::vector<float> y(4);
  m.forward(one_to_nine, y);
  require_values(y, {-1.5, 20.5, 11.5, 26.5});
}

TEST_CASE("conv2d: the second sample of a batch is computed from its own input", "[layers][conv2d]") {
  ctnet::model<ctnet::network<shape<1, 3, 3>, ctnet::conv2d<1, 3, 2, 1>>> m;
  set(m.tensor("0.weight"), asymmetric_3x3);

  // Sample 1 is x' = 10 - x = [[9 8 7] [6 5 4] [3 2 1]].
  std::vector<float> x(one_to_nine);
  for (float v : one_to_nine) x.push_back(10 - v);

  std::vector<float> y(8);
  m.forward(x, y);
  // Sample 0 as before: -2, 20, 11, 26.
  // Sample 1, same windows:
  // (0,0): 3*9 - 2*8 + 1*6 - 1*5 = 27 - 16 + 6 - 5 = 12
  // (0,1): 0*8 + 3*7 + 1*5 + 1*4 = 21 + 5 + 4 = 30
  // (1,0): -1*6 + 2*5 + 3*3 - 2*2 = -6 + 10 + 9 - 4 = 9
  // (1,1): 1*5 - 1*4 + 0*2 + 3*1 = 5 - 4 + 0 + 3 = 4
  // (Check: x' = 10 - x, so y' = 10 * (sum of the window's valid taps) - y: 10*1+2, 10*5-20, 10*2-11, 10*3-26.)
  require_values(y, {-2, 20, 11, 26, 12, 30, 9, 4});

  // The bound layer directly, with a batch of 2 and its weights at offset 0.
  using conv = ctnet::bind<ctnet::conv2d<1, 3, 2, 1>, shape<1, 3, 3>>;
  // Its fast kernel reads the patches in place from the input split into phases: 4 planes of the
  // output's 2×2 per channel, and 80 floats on either side (a row and a column of reach, 2 × 3,
  // plus 64 for a micro-panel's loads, rounded up to whole cache lines).
  STATIC_REQUIRE(conv::workspace == 4 * 2 * 2 + 2 * 80);
  // A 1×1 stride-2 window gathers its patches from the input: no workspace (a window larger than
  // 7×7 needs im2col's C·K·K rows × OH·OW columns). The reference kernel needs none either.
  STATIC_REQUIRE(ctnet::bind<ctnet::conv2d<1, 1, 2, 0>, shape<1, 3, 3>>::workspace == 0);
  STATIC_REQUIRE(ctnet::bind<ctnet::conv2d<1, 9, 2, 1>, shape<2, 9, 9>>::workspace == 2 * 9 * 9 * 2 * 2);
  // A Winograd one keeps room for its transformed input and products: 36 rows per input and output
  // channel, a column per 4×4 tile (tile rows rounded up to groups of 4 tiles) and 16 of rounding,
  // and a cache line of skew per row.
  STATIC_REQUIRE(ctnet::bind<ctnet::conv2d<64, 3>, shape<64, 28, 30>>::workspace ==
                 36 * ((64 + 64) * (7 * 8 + 16) + 2 * 16));
  std::vector<float> params(conv::storage, 0.0f);
  std::copy(asymmetric_3x3.begin(), asymmetric_3x3.end(), params.begin() + conv::tensors[0].offset);
  std::vector<float> direct(8, 1e9f);
  conv::forward(params.data(), x.data(), direct.data(), nullptr, 2);
  require_values(direct, {-2, 20, 11, 26, 12, 30, 9, 4});
}
