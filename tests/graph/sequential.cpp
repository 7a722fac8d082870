// Tests of include/ctnet/graph/sequential.hpp: nesting does not change results or the weights'
// layout, each layer's tensors get their own 64-byte-aligned place in the model's buffer, and a
// batch gives each sample the result it gets alone.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "ctnet/ctnet.hpp"
#include "support.hpp"

namespace {
using ctnet::testing::require_values;
using ctnet::testing::set;

using ctnet::shape;



// Name and offset (floats from the buffer's start) of every tensor, in buffer order.
template <class Net>
std::vector<std::pair<std::string, std::size_t>> tensor_offsets() {
  std::vector<std::pair<std::string, std::size_t>> all;
  ctnet::for_each_tensor<Net>(
      [&](const std::string& name, const ctnet::tensor_spec&, std::size_t offset) { all.emplace_back(name, offset); });
  return all;
}

// Deterministic, irregular input values in [-2, 2].
std::vector<float> wavy(std::size_t count, double phase) {
  std::vector<float> x(count);
  for (std::size_t i = 0; i < count; ++i) x[i] = static_cast<float>(2.0 * std::sin(0.7 * static_cast<double>(i) + phase));
  return x;
}

// conv 1x1 (1 -> 2 channels), relu, flatten, linear<1>, on a 1x2x2 input: flat and nested.
using tiny_input = shape<1, 2, 2>;
using tiny_flat = ctnet::network<tiny_input, ctnet::conv2d<2, 1, 1, 0>, ctnet::relu, ctnet::flatten, ctnet::linear<1>>;
using tiny_nested = ctnet::network<tiny_input, ctnet::sequential<ctnet::conv2d<2, 1, 1, 0>, ctnet::relu>,
                                   ctnet::sequential<ctnet::flatten, ctnet::linear<1>>>;
using tiny_deep = ctnet::network<
    tiny_input,
    ctnet::sequential<ctnet::sequential<ctnet::sequential<ctnet::conv2d<2, 1, 1, 0>>>, ctnet::relu, ctnet::sequential<ctnet::flatten>>,
    ctnet::linear<1>>;

// Sets conv weights [2, -1], linear weights 1..8 and bias 0.5, runs two samples.
template <class Net>
std::vector<float> run_tiny(const std::string& conv, const std::string& fc) {
  ctnet::model<Net> m;
  set(m.tensor(conv + ".weight"), {2, -1});
  set(m.tensor(fc + ".weight"), {1, 2, 3, 4, 5, 6, 7, 8});
  set(m.tensor(fc + ".bias"), {0.5f});
  const std::vector<float> x{1, -2, 3, -4,  //
                             0.5f, 1, -1, 2};
  std::vector<float> y(2, 1e9f);
  m.forward(x, y);
  return y;
}

}  // namespace

TEST_CASE("sequential: nested sequentials compute what the flat one does", "[graph][sequential]") {
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<tiny_flat>, shape<1>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<tiny_nested>, shape<1>>);
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<tiny_deep>, shape<1>>);
  // conv 2 floats (granule of 16) + linear weight 8 (16) + bias 1 (16) = 48, however nested.
  STATIC_REQUIRE(ctnet::model<tiny_flat>::buffer_size == 48);
  STATIC_REQUIRE(ctnet::model<tiny_nested>::buffer_size == 48);
  STATIC_REQUIRE(ctnet::model<tiny_deep>::buffer_size == 48);
  STATIC_REQUIRE(ctnet::param_count_v<tiny_flat> == 11);
  STATIC_REQUIRE(ctnet::param_count_v<tiny_deep> == 11);

  // Sample 0, x = [1 -2 3 -4]:
  //   channel 0 = 2x = [2 -4 6 -8] -> relu [2 0 6 0];  channel 1 = -x = [-1 2 -3 4] -> relu [0 2 0 4]
  //   flatten [2 0 6 0 0 2 0 4]; . [1..8] = 2*1 + 6*3 + 2*6 + 4*8 = 2 + 18 + 12 + 32 = 64; + 0.5 = 64.5
  // Sample 1, x = [0.5 1 -1 2]:
  //   channel 0 = [1 2 -2 4] -> [1 2 0 4];  channel 1 = [-0.5 -1 1 -2] -> [0 0 1 0]
  //   . [1..8] = 1*1 + 2*2 + 4*4 + 1*7 = 1 + 4 + 16 + 7 = 28; + 0.5 = 28.5
  require_values(run_tiny<tiny_flat>("0", "3"), {64.5, 28.5});
  require_values(run_tiny<tiny_nested>("0.0", "1.1"), {64.5, 28.5});
  require_values(run_tiny<tiny_deep>("0.0.0.0", "1"), {64.5, 28.5});
}

TEST_CASE("sequential: nesting keeps the buffer layout, and a longer chain matches", "[graph][sequential]") {
  // Seven layers (ping-pong buffers reused several times, a residual with its own workspace inside)
  // against the same layers grouped three levels deep.
  using block = ctnet::residual<ctnet::sequential<ctnet::conv2d<3, 3>, ctnet::batch_norm>>;
  using flat = ctnet::network<shape<3, 3, 3>, ctnet::batch_norm, ctnet::relu, block, ctnet::conv2d<2, 1, 1, 0>,
                              ctnet::relu, ctnet::flatten, ctnet::linear<4>>;
  using nested = ctnet::network<
      shape<3, 3, 3>, ctnet::sequential<ctnet::batch_norm, ctnet::sequential<ctnet::relu, block>>,
      ctnet::sequential<ctnet::conv2d<2, 1, 1, 0>, ctnet::sequential<ctnet::relu, ctnet::sequential<ctnet::flatten>>>,
      ctnet::linear<4>>;
  STATIC_REQUIRE(ctnet::model<flat>::buffer_size == ctnet::model<nested>::buffer_size);

  const auto flat_tensors = tensor_offsets<flat>();
  const auto nested_tensors = tensor_offsets<nested>();
  REQUIRE(flat_tensors.size() == nested_tensors.size());
  for (std::size_t i = 0; i < flat_tensors.size(); ++i) {
    INFO(flat_tensors[i].first << " vs " << nested_tensors[i].first);
    CHECK(flat_tensors[i].second == nested_tensors[i].second);
  }
  CHECK(flat_tensors.front().first == "0.weight");
  CHECK(nested_tensors.front().first == "0.0.weight");
  CHECK(nested_tensors.back().first == "2.bias");

  ctnet::model<flat> a(42);
  ctnet::model<nested> b(0);
  std::copy(a.buffer().begin(), a.buffer().end(), b.buffer().begin());
  // Non-trivial BN statistics on the first layer, set by name in both.
  set(a.tensor("0.running_mean"), {0.5f, -1, 0});
  set(b.tensor("0.0.running_mean"), {0.5f, -1, 0});
  set(a.tensor("0.running_var"), {4, 0.25f, 1});
  set(b.tensor("0.0.running_var"), {4, 0.25f, 1});

  const std::vector<float> x = wavy(2 * 27, 0.3);
  std::vector<float> ya(8), yb(8, 1e9f);
  a.forward(x, ya);
  b.forward(x, yb);
  for (std::size_t i = 0; i < ya.size(); ++i) {
    INFO("element " << i);
    CHECK(yb[i] == Approx(ya[i]).epsilon(1e-6));
  }
}

TEST_CASE("sequential: offsets, storage and 64-byte alignment of every tensor", "[graph][sequential]") {
  using net = ctnet::network<shape<3, 4, 4>, ctnet::conv2d<5, 3>, ctnet::batch_norm, ctnet::relu,
                             ctnet::conv2d<2, 1, 1, 0>, ctnet::flatten, ctnet::linear<3>>;
  using graph = ctnet::bound_t<net>;
  // By hand, in floats (16 floats = 64 bytes):
  //   0 conv 5*3*3*3 = 135 -> 144;  1 BN 4 tensors of 5 -> 4 * 16 = 64;  2 relu 0;
  //   3 conv 2*5 = 10 -> 16;  4 flatten 0;  5 linear 3 * (2*4*4) = 96 -> 96, bias 3 -> 16.
  STATIC_REQUIRE(graph::offsets == std::array<std::size_t, 7>{0, 144, 208, 208, 224, 224, 336});
  STATIC_REQUIRE(graph::storage == 336);
  STATIC_REQUIRE(graph::params == 135 + 10 + 10 + 96 + 3);

  ctnet::model<net> m(3);
  const float* base = m.buffer().data();
  const std::vector<std::pair<std::string, std::size_t>> expected{
      {"0.weight", 0},           {"1.weight", 144},       {"1.bias", 160}, {"1.running_mean", 176},
      {"1.running_var", 192},    {"3.weight", 208},       {"5.weight", 224}, {"5.bias", 320},
  };
  CHECK(tensor_offsets<net>() == expected);

  std::vector<bool> owned(m.buffer().size(), false);
  for (const auto& [name, offset] : expected) {
    INFO(name);
    const std::span<float> t = m.tensor(name);
    CHECK(static_cast<std::size_t>(t.data() - base) == offset);
    CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
    for (std::size_t i = 0; i < t.size(); ++i) {
      CHECK_FALSE(owned[offset + i]);  // no two tensors share a float
      owned[offset + i] = true;
    }
  }
  // The padding between tensors is zero after initialisation.
  for (std::size_t i = 0; i < owned.size(); ++i)
    if (!owned[i]) CHECK(m.buffer()[i] == 0.0f);

  // Writing one tensor leaves every other untouched.
  std::size_t label = 0;
  for (const auto& [name, offset] : expected) {
    ++label;
    const std::span<float> t = m.tensor(name);
    std::fill(t.begin(), t.end(), static_cast<float>(label));
  }
  label = 0;
  for (const auto& [name, offset] : expected) {
    ++label;
    INFO(name);
    const std::span<float> t = m.tensor(name);
    CHECK(std::all_of(t.begin(), t.end(), [&](float v) { return v == static_cast<float>(label); }));
  }
}

TEST_CASE("sequential: a batch of 3 gives each sample its batch-of-1 result", "[graph][sequential]") {
  using net = ctnet::network<
      shape<2, 5, 5>, ctnet::conv2d<4, 3, 2, 1>, ctnet::batch_norm, ctnet::relu,
      ctnet::residual<ctnet::sequential<ctnet::conv2d<4, 3>, ctnet::batch_norm, ctnet::relu, ctnet::conv2d<4, 3>, ctnet::batch_norm>>,
      ctnet::residual<ctnet::sequential<ctnet::conv2d<8, 3, 2, 1>, ctnet::batch_norm>, ctnet::option_a>,
      ctnet::residual<ctnet::sequential<ctnet::conv2d<8, 3>, ctnet::batch_norm>, ctnet::option_c>,
      ctnet::max_pool<3, 2, 1>, ctnet::global_avg_pool, ctnet::flatten, ctnet::linear<3>>;
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<net>, shape<3>>);
  ctnet::model<net> m(7);
  constexpr std::size_t in = 2 * 5 * 5, out = 3;

  const std::vector<float> x = wavy(3 * in, 1.1);
  std::vector<std::vector<float>> alone(3, std::vector<float>(out));
  m.forward(std::span<const float>(x).subspan(0, in), alone[0]);  // the smallest workspace first
  std::vector<float> batched(3 * out, 1e9f);
  m.forward(x, batched);
  for (std::size_t n = 1; n < 3; ++n) m.forward(std::span<const float>(x).subspan(n * in, in), alone[n]);

  for (std::size_t n = 0; n < 3; ++n) {
    for (std::size_t o = 0; o < out; ++o) {
      INFO("sample " << n << " output " << o);
      CHECK(batched[n * out + o] == Approx(alone[n][o]).epsilon(1e-6));
    }
  }
  // The samples differ from each other, so a batch that repeated one sample would fail above.
  CHECK(alone[0] != alone[1]);
  CHECK(alone[1] != alone[2]);
}

TEST_CASE("sequential: an empty sequential passes its input through", "[graph][sequential]") {
  using net = ctnet::network<shape<2, 1, 2>, ctnet::sequential<>, ctnet::relu, ctnet::sequential<>>;
  STATIC_REQUIRE(std::is_same_v<ctnet::output_shape_t<net>, shape<2, 1, 2>>);
  STATIC_REQUIRE(ctnet::model<net>::buffer_size == 0);
  ctnet::model<net> m;
  const std::vector<float> x{-1, 2, 3, -4};
  std::vector<float> y(4, 1e9f);
  m.forward(x, y);
  require_values(y, {0, 2, 3, 0});
}
