// Numerical tests of include/ctnet/graph/residual.hpp: y = relu(body(x) + shortcut(x)).
// A block whose body weights are all zero returns relu(shortcut(x)), which isolates the shortcut;
// a block with a small non-zero body is checked against hand-computed values. The option policies
// (option_a / option_b / option_c) are checked to resolve to the expected concrete shortcuts.
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



template <class Model>
void zero_all_weights(Model& m) {
  std::fill(m.buffer().begin(), m.buffer().end(), 0.0f);
}

// --- How the option policies resolve --------------------------------------------------------
// The CIFAR stage transition 16x32x32 -> 32x16x16:
using cifar_in = shape<16, 32, 32>;
using cifar_out = shape<32, 16, 16>;
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, cifar_in, cifar_out>,
                             ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, cifar_in, cifar_out>,
                             ctnet::sequential<ctnet::conv2d<32, 1, 2, 0>, ctnet::batch_norm>>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_c, cifar_in, cifar_out>,
                             ctnet::sequential<ctnet::conv2d<32, 1, 2, 0>, ctnet::batch_norm>>);
// Where the shapes agree, A and B keep the identity and C still projects (1x1, stride 1).
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, cifar_in, cifar_in>, ctnet::identity>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, cifar_in, cifar_in>, ctnet::identity>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_c, cifar_in, cifar_in>,
                             ctnet::sequential<ctnet::conv2d<16, 1, 1, 0>, ctnet::batch_norm>>);
// A bottleneck's first block widens without striding: 64x56x56 -> 256x56x56.
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, shape<64, 56, 56>, shape<256, 56, 56>>,
                             ctnet::sequential<ctnet::conv2d<256, 1, 1, 0>, ctnet::batch_norm>>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, shape<64, 56, 56>, shape<256, 56, 56>>,
                             ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 256, 1>>);
// ImageNet stage transitions with odd extents: 56 -> 28 -> 14 -> 7, and 7 -> 4 is stride 2 (ceil).
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, shape<256, 14, 14>, shape<512, 7, 7>>,
                             ctnet::sequential<ctnet::conv2d<512, 1, 2, 0>, ctnet::batch_norm>>);
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, shape<8, 7, 7>, shape<16, 4, 4>>,
                             ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 16, 2>>);
// Stride 4: 16x16 -> 4x4.
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, shape<8, 16, 16>, shape<8, 4, 4>>,
                             ctnet::sequential<ctnet::conv2d<8, 1, 4, 0>, ctnet::batch_norm>>);
// A zero_pad that would have to remove channels does not resolve (identity, so the residual reports it).
static_assert(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, shape<32, 8, 8>, shape<16, 8, 8>>, ctnet::identity>);

}  // namespace

TEST_CASE("residual: option policies resolve per block", "[graph][residual]") {
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, cifar_in, cifar_out>,
                                ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_b, cifar_in, cifar_out>,
                                ctnet::sequential<ctnet::conv2d<32, 1, 2, 0>, ctnet::batch_norm>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::resolve_shortcut_t<ctnet::option_a, cifar_in, cifar_in>, ctnet::identity>);

  // In a block: the bound shortcut is the resolved layer, and its parameters add to the body's.
  using body = ctnet::sequential<ctnet::conv2d<32, 3, 2, 1>, ctnet::batch_norm>;
  using a = ctnet::bind<ctnet::residual<body, ctnet::option_a>, cifar_in>;
  using b = ctnet::bind<ctnet::residual<body, ctnet::option_b>, cifar_in>;
  STATIC_REQUIRE(std::is_same_v<a::shortcut_layer, ctnet::zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
  STATIC_REQUIRE(std::is_same_v<a::output, cifar_out>);
  // Body: 32*16*9 = 4608 conv weights + 64 BN parameters = 4672.
  STATIC_REQUIRE(a::params == 4672);
  // Option B adds the projection: 32*16 = 512 conv weights + 64 BN parameters.
  STATIC_REQUIRE(b::params == 4672 + 512 + 64);
  // The shortcut's block follows the body's in the buffer.
  STATIC_REQUIRE(b::shortcut_offset == a::body::storage);
  STATIC_REQUIRE(b::storage == b::body::storage + b::shortcut::storage);
}

TEST_CASE("residual: identity block with an all-zero body is relu(x)", "[graph][residual]") {
  ctnet::model<ctnet::network<shape<2, 2, 2>, ctnet::residual<ctnet::sequential<ctnet::conv2d<2, 3>, ctnet::batch_norm>>>> m;
  zero_all_weights(m);  // conv 0; BN gamma 0, beta 0: the body outputs 0
  const std::vector<float> x{-1, 2, 0.5f, -0.25f, 3, -4, 0, 7,  //
                             9, -9, -0.5f, 0.75f, -2, -3, 4, 1};
  std::vector<float> y(16, 1e9f);
  m.forward(x, y);
  require_values(y, {0, 2, 0.5, 0, 3, 0, 0, 7,  //
                     9, 0, 0, 0.75, 0, 0, 4, 1});
}

TEST_CASE("residual: option A block with an all-zero body is relu(zero_pad(x))", "[graph][residual]") {
  using block = ctnet::residual<ctnet::sequential<ctnet::conv2d<32, 3, 2, 1>, ctnet::batch_norm>, ctnet::option_a>;
  ctnet::model<ctnet::network<shape<16, 4, 4>, block>> m;
  zero_all_weights(m);
  // x[c][i][j] = +-(100 c + 10 i + j + 1), negative on odd channels.
  std::vector<float> x;
  for (int c = 0; c < 16; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) x.push_back(static_cast<float>((c % 2 ? -1 : 1) * (100 * c + 10 * i + j + 1)));
  std::vector<float> y(32 * 4, 1e9f);
  m.forward(x, y);
  // Output channel o holds input channel o - 8 at (2a, 2b) for o in 8..23 (even padding), else 0;
  // relu removes the odd (negative) input channels: y = 100 c + 20 a + 2 b + 1 for even c = o - 8.
  for (std::size_t o = 0; o < 32; ++o) {
    for (std::size_t a = 0; a < 2; ++a) {
      for (std::size_t b = 0; b < 2; ++b) {
        INFO("channel " << o << " pixel " << a << "," << b);
        const bool kept = o >= 8 && o < 24 && (o - 8) % 2 == 0;
        const double want = kept ? 100.0 * static_cast<double>(o - 8) + 20.0 * a + 2.0 * b + 1 : 0.0;
        CHECK(y[(o * 2 + a) * 2 + b] == Approx(want).epsilon(1e-6));
      }
    }
  }
  // By hand: channel 8 (input 0): 1 3 21 23; channel 9 (input 1, negative): 0; channel 22 (input 14):
  // 1401 1403 1421 1423.
  require_values(std::span<const float>(y).subspan(8 * 4, 4), {1, 3, 21, 23});
  require_values(std::span<const float>(y).subspan(9 * 4, 4), {0, 0, 0, 0});
  require_values(std::span<const float>(y).subspan(22 * 4, 4), {1401, 1403, 1421, 1423});
}

TEST_CASE("residual: option B block with an all-zero body is relu(BN(conv1x1/2(x)))", "[graph][residual]") {
  using block = ctnet::residual<ctnet::sequential<ctnet::conv2d<2, 3, 2, 1>, ctnet::batch_norm>, ctnet::option_b>;
  ctnet::model<ctnet::network<shape<1, 4, 4>, block>> m;
  zero_all_weights(m);
  // An unnamed block in a network is "0"; its sequential body's layers sit directly under it.
  REQUIRE(m.tensor("0.0.weight").size() == 18);
  REQUIRE(m.tensor("0.1.weight").size() == 2);
  set(m.tensor("0.downsample.0.weight"), {1, -1});
  // c0: gamma 2, beta 0,   mean 1, var 0.99999 (sd 1):   2 (v - 1)
  // c1: gamma 1, beta 0.5, mean 0, var 0.24999 (sd 0.5): 2 v + 0.5
  set(m.tensor("0.downsample.1.weight"), {2, 1});
  set(m.tensor("0.downsample.1.bias"), {0, 0.5f});
  set(m.tensor("0.downsample.1.running_mean"), {1, 0});
  set(m.tensor("0.downsample.1.running_var"), {0.99999f, 0.24999f});

  // x[i][j] = 4i + j - 5; the stride-2 1x1 conv reads x[0][0], x[0][2], x[2][0], x[2][2] = -5, -3, 3, 5.
  std::vector<float> x;
  for (int k = 0; k < 16; ++k) x.push_back(static_cast<float>(k - 5));
  std::vector<float> y(8, 1e9f);
  m.forward(x, y);
  // c0: conv x  = -5 -3 3 5  -> BN 2(v - 1) = -12 -8 4 8     -> relu 0 0 4 8
  // c1: conv -x = 5 3 -3 -5  -> BN 2v + 0.5 = 10.5 6.5 -5.5 -9.5 -> relu 10.5 6.5 0 0
  require_values(y, {0, 0, 4, 8, 10.5, 6.5, 0, 0});
}

TEST_CASE("residual: identity block with a non-zero body", "[graph][residual]") {
  using block = ctnet::residual<ctnet::sequential<ctnet::conv2d<1, 3>, ctnet::batch_norm>>;
  ctnet::model<ctnet::network<shape<1, 2, 2>, block>> m;
  // k = [[0 0 0] [0 1 2] [0 -1 0]]: conv(x)[i][j] = x[i][j] + 2 x[i][j+1] - x[i+1][j] (zero outside).
  set(m.tensor("0.0.weight"), {0, 0, 0, 0, 1, 2, 0, -1, 0});
  // BN: gamma 2, beta 1, mean 0, var 0.99999 (sd 1): 2v + 1.
  set(m.tensor("0.1.weight"), {2});
  set(m.tensor("0.1.bias"), {1});
  set(m.tensor("0.1.running_mean"), {0});
  set(m.tensor("0.1.running_var"), {0.99999f});

  const std::vector<float> x{1, 2, 3, -4,  // sample 0: [[1 2] [3 -4]]
                             -1, 0, 0.5f, 2};  // sample 1: [[-1 0] [0.5 2]]
  std::vector<float> y(8, 1e9f);
  m.forward(x, y);
  // Sample 0: conv (0,0) 1 + 2*2 - 3 = 2; (0,1) 2 + 0 + 4 = 6; (1,0) 3 - 8 - 0 = -5; (1,1) -4
  //           BN 5 13 -9 -7; + x: 6 15 -6 -11; relu: 6 15 0 0
  // Sample 1: conv (0,0) -1 + 0 - 0.5 = -1.5; (0,1) 0 + 0 - 2 = -2; (1,0) 0.5 + 4 = 4.5; (1,1) 2
  //           BN -2 -3 10 5; + x: -3 -3 10.5 7; relu: 0 0 10.5 7
  require_values(y, {6, 15, 0, 0, 0, 0, 10.5, 7});
}

TEST_CASE("residual: option A block with a non-zero body adds at the padded channels", "[graph][residual]") {
  // 2x2x2 -> 4x1x1: body is a 1x1 /2 conv (not a sequential, so its tensors sit under "body"),
  // the shortcut puts input channels 0, 1 at output channels 1, 2 ((4 - 2) / 2 = 1), reading x[c][0][0].
  ctnet::model<ctnet::network<shape<2, 2, 2>, ctnet::residual<ctnet::conv2d<4, 1, 2, 0>, ctnet::option_a>>> m;
  // w[o][c] = [[2 0] [0 -1] [1 1] [0 3]]
  set(m.tensor("0.body.weight"), {2, 0, 0, -1, 1, 1, 0, 3});
  // x[0] = [[1 2] [3 4]], x[1] = [[5 6] [7 8]]: the stride-2 pixel is (1, 5).
  const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> y(4, 1e9f);
  m.forward(x, y);
  // body = [2*1, -5, 1 + 5, 3*5] = [2 -5 6 15]; shortcut = [0 1 5 0]; sum = [2 -4 11 15]; relu = [2 0 11 15]
  // (tail padding would give shortcut [1 5 0 0] and [3 0 6 15].)
  require_values(y, {2, 0, 11, 15});
}
