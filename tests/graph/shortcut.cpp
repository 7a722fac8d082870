// Numerical tests of include/ctnet/graph/shortcut.hpp: option A's zero_pad shortcut (channel
// placement, subsampling or 2x2 averaging, odd sizes) and option B's projection (1x1 convolution
// with the block's stride, then batch norm), whose weights are found by their state_dict names.
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
using ctnet::channel_padding;
using ctnet::spatial_reduction;



// x[c][i][j] = 100 c + 10 i + j + 1 for a 16 x 4 x 4 input: every value non-zero and telling.
std::vector<float> labelled_16x4x4() {
  std::vector<float> x;
  for (int c = 0; c < 16; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) x.push_back(static_cast<float>(100 * c + 10 * i + j + 1));
  return x;
}

// y[o][a][b] of a 32 x 2 x 2 output.
float at(const std::vector<float>& y, std::size_t o, std::size_t a, std::size_t b) { return y[(o * 2 + a) * 2 + b]; }

template <channel_padding Pad, spatial_reduction Spatial>
std::vector<float> pad_16x4x4(std::size_t batch) {
  using pad = ctnet::bind<ctnet::zero_pad_to<Pad, Spatial, 32, 2>, shape<16, 4, 4>>;
  STATIC_REQUIRE(std::is_same_v<typename pad::output, shape<32, 2, 2>>);
  STATIC_REQUIRE(pad::params == 0);
  STATIC_REQUIRE(pad::storage == 0);
  std::vector<float> x;
  for (std::size_t n = 0; n < batch; ++n) {
    for (float v : labelled_16x4x4()) x.push_back(v + 10000.0f * static_cast<float>(n));
  }
  std::vector<float> y(batch * 32 * 4, -1.0f);  // -1: anything not written shows
  pad::forward(nullptr, x.data(), y.data(), nullptr, batch);
  return y;
}

}  // namespace

TEST_CASE("zero_pad even: 16 -> 32 channels land at 8..23, x[::2, ::2]", "[graph][shortcut]") {
  const std::vector<float> y = pad_16x4x4<channel_padding::even, spatial_reduction::subsample>(1);
  // (32 - 16) / 2 = 8 zero channels before, 8 after. Input channel c goes to output channel 8 + c,
  // and output pixel (a, b) is input pixel (2a, 2b): y = 100 c + 20 a + 2 b + 1.
  for (std::size_t o = 0; o < 32; ++o) {
    for (std::size_t a = 0; a < 2; ++a) {
      for (std::size_t b = 0; b < 2; ++b) {
        INFO("channel " << o << " pixel " << a << "," << b);
        const double want = (o >= 8 && o < 24) ? 100.0 * static_cast<double>(o - 8) + 20.0 * a + 2.0 * b + 1 : 0.0;
        CHECK(at(y, o, a, b) == Approx(want).epsilon(1e-6));
      }
    }
  }
  // Spot checks, by hand: channel 8 = input 0 at (0,0) (0,2) (2,0) (2,2) = 1, 3, 21, 23.
  require_values(std::span<const float>(y).subspan(8 * 4, 4), {1, 3, 21, 23});
  // Channel 23 = input 15: 1501, 1503, 1521, 1523; channels 7 and 24 are zero.
  require_values(std::span<const float>(y).subspan(23 * 4, 4), {1501, 1503, 1521, 1523});
  require_values(std::span<const float>(y).subspan(7 * 4, 4), {0, 0, 0, 0});
  require_values(std::span<const float>(y).subspan(24 * 4, 4), {0, 0, 0, 0});
}

TEST_CASE("zero_pad tail: 16 -> 32 channels land at 0..15", "[graph][shortcut]") {
  const std::vector<float> y = pad_16x4x4<channel_padding::tail, spatial_reduction::subsample>(1);
  for (std::size_t o = 0; o < 32; ++o) {
    for (std::size_t a = 0; a < 2; ++a) {
      for (std::size_t b = 0; b < 2; ++b) {
        INFO("channel " << o << " pixel " << a << "," << b);
        const double want = o < 16 ? 100.0 * static_cast<double>(o) + 20.0 * a + 2.0 * b + 1 : 0.0;
        CHECK(at(y, o, a, b) == Approx(want).epsilon(1e-6));
      }
    }
  }
  require_values(std::span<const float>(y).subspan(0, 4), {1, 3, 21, 23});
  require_values(std::span<const float>(y).subspan(15 * 4, 4), {1501, 1503, 1521, 1523});
  require_values(std::span<const float>(y).subspan(16 * 4, 4), {0, 0, 0, 0});
}

TEST_CASE("zero_pad average: each output pixel is the mean of a 2x2 window", "[graph][shortcut]") {
  const std::vector<float> y = pad_16x4x4<channel_padding::even, spatial_reduction::average>(1);
  // Window (a, b) covers rows 2a, 2a+1 and columns 2b, 2b+1: mean of 100c + 10i + j + 1 over it is
  // 100c + 10(2a + 0.5) + (2b + 0.5) + 1 = 100c + 20a + 2b + 6.5.
  for (std::size_t o = 0; o < 32; ++o) {
    for (std::size_t a = 0; a < 2; ++a) {
      for (std::size_t b = 0; b < 2; ++b) {
        INFO("channel " << o << " pixel " << a << "," << b);
        const double want =
            (o >= 8 && o < 24) ? 100.0 * static_cast<double>(o - 8) + 20.0 * a + 2.0 * b + 6.5 : 0.0;
        CHECK(at(y, o, a, b) == Approx(want).epsilon(1e-6));
      }
    }
  }
  // By hand, channel 8 = input 0: (1 + 2 + 11 + 12) / 4 = 6.5, (3 + 4 + 13 + 14) / 4 = 8.5,
  // (21 + 22 + 31 + 32) / 4 = 26.5, (23 + 24 + 33 + 34) / 4 = 28.5.
  require_values(std::span<const float>(y).subspan(8 * 4, 4), {6.5, 8.5, 26.5, 28.5});
}

TEST_CASE("zero_pad: the second sample of a batch keeps its own values", "[graph][shortcut]") {
  const std::vector<float> y = pad_16x4x4<channel_padding::even, spatial_reduction::subsample>(2);
  // Sample 1 is sample 0 + 10000; its zero channels stay zero.
  require_values(std::span<const float>(y).subspan(128 + 8 * 4, 4), {10001, 10003, 10021, 10023});
  require_values(std::span<const float>(y).subspan(128 + 23 * 4, 4), {11501, 11503, 11521, 11523});
  require_values(std::span<const float>(y).subspan(128 + 0, 4), {0, 0, 0, 0});
  require_values(std::span<const float>(y).subspan(128 + 31 * 4, 4), {0, 0, 0, 0});
  require_values(std::span<const float>(y).subspan(8 * 4, 4), {1, 3, 21, 23});
}

TEST_CASE("zero_pad on an odd 5x5 map: 5x5 -> 3x3", "[graph][shortcut]") {
  // 2 -> 4 channels: even padding puts (4 - 2) / 2 = 1 zero channel before, 1 after.
  // x[c][i][j] = 100c + 5i + j.
  std::vector<float> x;
  for (int c = 0; c < 2; ++c)
    for (int k = 0; k < 25; ++k) x.push_back(static_cast<float>(100 * c + k));

  SECTION("subsample takes rows and columns 0, 2, 4") {
    using pad = ctnet::bind<ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 4, 2>, shape<2, 5, 5>>;
    STATIC_REQUIRE(std::is_same_v<pad::output, shape<4, 3, 3>>);
    std::vector<float> y(36, -1.0f);
    pad::forward(nullptr, x.data(), y.data(), nullptr, 1);
    // 5i + j at i, j in {0, 2, 4}: 0 2 4 / 10 12 14 / 20 22 24.
    require_values(y, {0, 0, 0, 0, 0, 0, 0, 0, 0,                 //
                       0, 2, 4, 10, 12, 14, 20, 22, 24,           //
                       100, 102, 104, 110, 112, 114, 120, 122, 124,  //
                       0, 0, 0, 0, 0, 0, 0, 0, 0});
  }
  SECTION("average over the part of each 2x2 window inside the map") {
    using pad = ctnet::bind<ctnet::zero_pad_to<channel_padding::tail, spatial_reduction::average, 4, 2>, shape<2, 5, 5>>;
    STATIC_REQUIRE(std::is_same_v<pad::output, shape<4, 3, 3>>);
    std::vector<float> y(36, -1.0f);
    pad::forward(nullptr, x.data(), y.data(), nullptr, 1);
    // Channel 0 (tail: input channels first):
    // (0,0): (0 + 1 + 5 + 6) / 4 = 3     (0,1): (2 + 3 + 7 + 8) / 4 = 5     (0,2): (4 + 9) / 2 = 6.5
    // (1,0): (10 + 11 + 15 + 16) / 4 = 13  (1,1): 15                        (1,2): (14 + 19) / 2 = 16.5
    // (2,0): (20 + 21) / 2 = 20.5          (2,1): (22 + 23) / 2 = 22.5       (2,2): 24
    // Channel 1: the same + 100.
    require_values(y, {3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24,  //
                       103, 105, 106.5, 113, 115, 116.5, 120.5, 122.5, 124,  //
                       0, 0, 0, 0, 0, 0, 0, 0, 0,  //
                       0, 0, 0, 0, 0, 0, 0, 0, 0});
  }
}

TEST_CASE("zero_pad with stride 1 only adds channels", "[graph][shortcut]") {
  // option A on a block that widens 2 -> 6 channels without striding (as a bottleneck's first block).
  using resolved = ctnet::resolve_shortcut_t<ctnet::option_a, shape<2, 1, 2>, shape<6, 1, 2>>;
  STATIC_REQUIRE(std::is_same_v<resolved, ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 6, 1>>);
  using pad = ctnet::bind<resolved, shape<2, 1, 2>>;
  STATIC_REQUIRE(std::is_same_v<pad::output, shape<6, 1, 2>>);
  const std::vector<float> x{1, 2, 3, 4};
  std::vector<float> y(12, -1.0f);
  pad::forward(nullptr, x.data(), y.data(), nullptr, 1);
  // (6 - 2) / 2 = 2 zero channels, the input, 2 zero channels.
  require_values(y, {0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0});
}

TEST_CASE("zero_pad and projection resolve against the block's shapes", "[graph][shortcut]") {
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::zero_pad<>, shape<16, 32, 32>, shape<32, 16, 16>>,
                                ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::zero_pad<channel_padding::tail, spatial_reduction::average>,
                                                          shape<16, 32, 32>, shape<32, 16, 16>>,
                                ctnet::zero_pad_to<channel_padding::tail, spatial_reduction::average, 32, 2>>);
  // Odd: 5 -> 3 is stride 2.
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::zero_pad<>, shape<16, 5, 5>, shape<32, 3, 3>>,
                                ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::projection, shape<16, 32, 32>, shape<32, 16, 16>>,
                                ctnet::sequential<ctnet::conv2d<32, 1, 2, 0>, ctnet::batch_norm>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::projection, shape<64, 56, 56>, shape<256, 56, 56>>,
                                ctnet::sequential<ctnet::conv2d<256, 1, 1, 0>, ctnet::batch_norm>>);
  // A concrete layer is used as it is.
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::identity, shape<4, 2, 2>, shape<4, 2, 2>>, ctnet::identity>);
}

TEST_CASE("projection: the shortcut is conv 1x1 /2 + BN, named downsample.0 and downsample.1",
          "[graph][shortcut]") {
  // A tiny block 1x4x4 -> 2x2x2 whose body (conv 3x3 /2 + BN) has zero weights, so the block's
  // output is relu(shortcut(x)) and shows the shortcut alone.
  using body = ctnet::sequential<ctnet::named<"conv1", ctnet::conv2d<2, 3, 2, 1>>, ctnet::named<"bn1", ctnet::batch_norm>>;
  using block = ctnet::residual<body, ctnet::projection>;
  using net = ctnet::network<shape<1, 4, 4>, ctnet::named<"block", block>>;
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<net>, shape<2, 2, 2>>);
  // Body: conv 2*1*9 = 18, BN 2 + 2. Shortcut: conv 2*1*1 = 2, BN 2 + 2.
  STATIC_REQUIRE(ctnet::param_count_v<net> == 18 + 4 + 2 + 4);

  ctnet::model<net> m;
  REQUIRE(m.tensor("block.conv1.weight").size() == 18);
  REQUIRE(m.tensor("block.bn1.running_var").size() == 2);
  REQUIRE(m.tensor("block.downsample.0.weight").size() == 2);
  REQUIRE(m.tensor("block.downsample.1.weight").size() == 2);
  REQUIRE(m.tensor("block.downsample.1.bias").size() == 2);
  REQUIRE(m.tensor("block.downsample.1.running_mean").size() == 2);
  REQUIRE(m.tensor("block.downsample.1.running_var").size() == 2);
  CHECK_THROWS_AS(m.tensor("block.downsample.2.weight"), ctnet::error);
  CHECK_THROWS_AS(m.tensor("downsample.0.weight"), ctnet::error);  // the block's name comes first

  const std::span<float> body_weight = m.tensor("block.conv1.weight");
  std::fill(body_weight.begin(), body_weight.end(), 0.0f);
  // Shortcut conv: out 0 = 2 x, out 1 = -3 x, read at (0,0) (0,2) (2,0) (2,2).
  set(m.tensor("block.downsample.0.weight"), {2, -3});
  // Shortcut BN: c0 gamma 1, beta 1, mean 0, var 3.99999 (sd 2): v / 2 + 1
  //              c1 gamma 0.5, beta 0, mean 3, var 0.99999 (sd 1): 0.5 (v - 3)
  set(m.tensor("block.downsample.1.weight"), {1, 0.5f});
  set(m.tensor("block.downsample.1.bias"), {1, 0});
  set(m.tensor("block.downsample.1.running_mean"), {0, 3});
  set(m.tensor("block.downsample.1.running_var"), {3.99999f, 0.99999f});

  // x[i][j] = 4i + j - 5: -5 .. 10. Stride 2 reads x[0][0] = -5, x[0][2] = -3, x[2][0] = 3, x[2][2] = 5.
  std::vector<float> x;
  for (int k = 0; k < 16; ++k) x.push_back(static_cast<float>(k - 5));
  std::vector<float> y(8);
  m.forward(x, y);
  // c0: conv -10 -6 6 10 -> BN -4 -2 4 6 -> relu 0 0 4 6
  // c1: conv 15 9 -9 -15 -> BN 0.5 * (12, 6, -12, -18) = 6 3 -6 -9 -> relu 6 3 0 0
  require_values(y, {0, 0, 4, 6, 6, 3, 0, 0});
}
