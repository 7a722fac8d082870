// The fast kernels of every layer besides conv2d — batch_norm, relu, max and average pooling,
// global_avg_pool, linear, the residual join relu(body + shortcut) and option A's zero_pad — against
// the reference oracle, alone and in small networks, on odd shapes: channels that are no multiple of
// any SIMD width, odd H and W, planes smaller than a vector, stride 2, padding, batches of 1 and 3.
// Then NaN propagation, and results that do not depend on the thread count.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include "agreement.hpp"
#include "support.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace {
using namespace ctnet;

using testing::fast_vs_reference;
using testing::random_values;

template <class In, class... Layers>
using net = network<In, Layers...>;

// Both kernels' outputs for an input with NaNs at `nan_at` (and, for the relu's sake, -0 and
// values of both signs everywhere else). NaN must come out of the fast kernels exactly where it
// comes out of the oracle, and the other values must agree; returns how many outputs were NaN,
// so that a test can also insist there were some.
template <network_type Net>
std::size_t nan_outputs_agree(std::size_t batch, const std::vector<std::size_t>& nan_at) {
  model<Net> m(7);
  auto x = random_values(batch * model<Net>::input_size, 8);
  x[1] = -0.0f;
  for (std::size_t i : nan_at) x[i] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> fast(batch * model<Net>::output_size), reference(fast.size());
  m.forward(x, fast);
  m.forward_reference(x, reference);
  std::size_t nans = 0;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    INFO("output " << i << ": fast " << fast[i] << ", reference " << reference[i]);
    REQUIRE(std::isnan(fast[i]) == std::isnan(reference[i]));
    if (std::isnan(reference[i])) {
      ++nans;
      continue;
    }
    REQUIRE(std::abs(fast[i] - reference[i]) <= 1e-5f * (1.0f + std::abs(reference[i])));
  }
  return nans;
}

// A CIFAR-style basic block on odd shapes, with a choice of shortcut.
template <std::size_t Planes, std::size_t Stride, class Shortcut>
using small_block = residual<sequential<conv2d<Planes, 3, Stride>, batch_norm, relu, conv2d<Planes, 3>, batch_norm>,
                             Shortcut>;
}  // namespace

TEST_CASE("fast batch_norm matches the reference", "[kernels][simd][batch_norm]") {
  INFO("kernels: " << active_arch());
  for (std::size_t batch : {1, 3}) {
    INFO("batch " << batch);
    CHECK(fast_vs_reference<net<shape<5, 7, 9>, batch_norm>>(batch, 1) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<17, 3, 3>, batch_norm>>(batch, 2) <= 1e-5);  // planes shorter than a vector
    CHECK(fast_vs_reference<net<shape<3, 1, 1>, batch_norm>>(batch, 3) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<6, 16, 16>, batch_norm>>(batch, 4) <= 1e-5);  // whole vectors only
    CHECK(fast_vs_reference<net<shape<37>, batch_norm>>(batch, 5) <= 1e-5);          // BatchNorm1d
    CHECK(fast_vs_reference<net<shape<16>, batch_norm>>(batch, 6) <= 1e-5);
  }
}

TEST_CASE("fast relu matches the reference bit for bit", "[kernels][simd][relu]") {
  // relu is exact: anything but the same bits is a bug (a max that drops NaN or turns -0 into +0
  // would differ only there).
  model<net<shape<5, 7, 9>, relu>> m;
  for (std::size_t batch : {1, 3}) {
    auto x = random_values(batch * 315, 9);
    x[0] = -0.0f;
    x[2] = std::numeric_limits<float>::quiet_NaN();
    x[batch * 315 - 1] = -std::numeric_limits<float>::infinity();
    std::vector<float> fast(x.size()), reference(x.size());
    m.forward(x, fast);
    m.forward_reference(x, reference);
    REQUIRE(std::signbit(fast[0]));
    REQUIRE(std::isnan(fast[2]));
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO("element " << i);
      REQUIRE((std::isnan(fast[i]) ? std::isnan(reference[i]) : fast[i] == reference[i]));
      REQUIRE(std::signbit(fast[i]) == std::signbit(reference[i]));
    }
  }
  CHECK(fast_vs_reference<net<shape<13>, relu>>(3, 10) <= 0);
}

TEST_CASE("fast pooling matches the reference on odd shapes", "[kernels][simd][pool]") {
  INFO("kernels: " << active_arch());
  for (std::size_t batch : {1, 3}) {
    INFO("batch " << batch);
    CHECK(fast_vs_reference<net<shape<5, 9, 11>, max_pool<3, 2, 1>>>(batch, 11) <= 1e-5);  // the stem's pool
    CHECK(fast_vs_reference<net<shape<3, 8, 10>, max_pool<2>>>(batch, 12) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<4, 7, 37>, max_pool<3, 1, 1>>>(batch, 13) <= 1e-5);  // stride 1: vectors
    CHECK(fast_vs_reference<net<shape<3, 13, 11>, max_pool<5, 3, 2>>>(batch, 14) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<2, 1, 1>, max_pool<1>>>(batch, 15) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<5, 9, 11>, avg_pool<3, 2, 1>>>(batch, 16) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 5, 5>, avg_pool<2>>>(batch, 17) <= 1e-5);  // last row and column drop
    CHECK(fast_vs_reference<net<shape<4, 7, 37>, avg_pool<3, 1, 1>>>(batch, 18) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 6, 19>, avg_pool<2, 1>>>(batch, 19) <= 1e-5);
    // Stride 2 over rows of more outputs than a vector has lanes (4, 8 or 16): whole vectors of
    // every other cell, the last one overlapping the one before unless the lanes divide the row.
    CHECK(fast_vs_reference<net<shape<3, 9, 71>, max_pool<3, 2, 1>>>(batch, 24) <= 1e-5);  // 36 outputs a row
    CHECK(fast_vs_reference<net<shape<2, 12, 112>, max_pool<3, 2, 1>>>(batch, 25) <= 1e-5);  // the stem's
    CHECK(fast_vs_reference<net<shape<2, 6, 64>, max_pool<2>>>(batch, 26) <= 1e-5);  // 32: no overlap
    CHECK(fast_vs_reference<net<shape<2, 5, 67>, max_pool<5, 2, 2>>>(batch, 27) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 9, 71>, avg_pool<3, 2, 1>>>(batch, 28) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<2, 4, 35>, avg_pool<2>>>(batch, 29) <= 1e-5);  // 17 outputs a row
    CHECK(fast_vs_reference<net<shape<5, 7, 9>, global_avg_pool>>(batch, 20) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<17, 1, 1>, global_avg_pool>>(batch, 21) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 8, 8>, global_avg_pool>>(batch, 22) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<6, 56, 57>, global_avg_pool>>(batch, 23) <= 1e-5);
  }
}

TEST_CASE("fast linear matches the reference", "[kernels][simd][linear]") {
  INFO("kernels: " << active_arch());
  for (std::size_t batch : {1, 3, 11}) {  // 11: more samples than any micro-kernel has rows
    INFO("batch " << batch);
    CHECK(fast_vs_reference<net<shape<37>, linear<23>>>(batch, 31) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<1>, linear<1>>>(batch, 32) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 4, 5>, flatten, linear<17>>>(batch, 33) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<5, 3, 3>, global_avg_pool, flatten, linear<10>>>(batch, 34) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<512>, linear<1000>>>(batch, 35) <= 1e-5);  // resnet18's head
  }
}

TEST_CASE("fast residual join and zero_pad shortcut match the reference", "[kernels][simd][residual]") {
  INFO("kernels: " << active_arch());
  using tail_average = zero_pad<channel_padding::tail, spatial_reduction::average>;
  for (std::size_t batch : {1, 3}) {
    INFO("batch " << batch);
    CHECK(fast_vs_reference<net<shape<7, 9, 5>, small_block<7, 1, identity>>>(batch, 41) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<5, 9, 7>, small_block<11, 2, zero_pad<>>>>(batch, 42) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<5, 9, 7>, small_block<11, 2, tail_average>>>(batch, 43) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<3, 8, 10>, small_block<9, 2, tail_average>>>(batch, 44) <= 1e-5);
    CHECK(fast_vs_reference<net<shape<4, 5, 6>, small_block<8, 1, zero_pad<>>>>(batch, 45) <= 1e-5);  // stride 1
    CHECK(fast_vs_reference<net<shape<5, 9, 7>, small_block<11, 2, projection>>>(batch, 46) <= 1e-5);
    // A small network with every kernel of this file in it.
    CHECK(fast_vs_reference<net<shape<3, 19, 17>, conv2d<7, 3>, batch_norm, relu, max_pool<3, 2, 1>,
                                small_block<7, 1, identity>, small_block<13, 2, zero_pad<>>, avg_pool<2, 1>,
                                global_avg_pool, flatten, linear<9>, batch_norm>>(batch, 47) <= 1e-5);
  }
}

TEST_CASE("fast kernels propagate NaN as the reference does", "[kernels][simd][nan]") {
  INFO("kernels: " << active_arch());
  // 5×7×9 input: index 0 in a corner, 40 inside channel 0, 100 in channel 1, 314 the last pixel.
  const std::vector<std::size_t> at{0, 40, 100, 314};
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, relu>>(1, at) == 4);
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, batch_norm>>(1, at) == 4);
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, max_pool<3, 2, 1>>>(1, at) > 0);
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, max_pool<3, 1, 1>>>(3, at) > 0);
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, avg_pool<3, 2, 1>>>(1, at) > 0);
  // Rows wide enough for stride-2 vectors (35 outputs): NaNs in the first vector, on the column two
  // windows share, and in the last, overlapping vector's columns.
  const std::vector<std::size_t> wide{3, 70 + 33, 3 * 70 + 68, 5 * 70 + 69};
  CHECK(nan_outputs_agree<net<shape<2, 5, 70>, max_pool<3, 2, 1>>>(1, wide) > 0);
  CHECK(nan_outputs_agree<net<shape<2, 5, 70>, avg_pool<3, 2, 1>>>(3, wide) > 0);
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, global_avg_pool>>(3, at) == 3);  // channels 0 (twice) and 1, then 4
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, residual<relu>>>(3, at) == 4);   // relu(relu(x) + x)
  CHECK(nan_outputs_agree<net<shape<5, 7, 9>, residual<sequential<relu, max_pool<1, 2>>, zero_pad<>>>>(1, at) > 0);
  CHECK(nan_outputs_agree<net<shape<37>, linear<5>>>(1, {3}) == 5);
}

TEST_CASE("fast layer kernels give the same results for any thread count", "[kernels][simd][threads]") {
  // Large enough (16×40×40 per sample, batch 3) that every kernel here shares its work among threads.
  using big = net<shape<16, 40, 40>, batch_norm, relu, max_pool<3, 1, 1>, small_block<16, 1, identity>,
                  small_block<24, 2, zero_pad<>>, avg_pool<3, 1, 1>, global_avg_pool, flatten, linear<700>>;
  model<big> m(51);
  const auto x = random_values(3 * model<big>::input_size, 52);
  const auto results = testing::forward_with_thread_counts(m, x, 3);
  for (const auto& r : results) REQUIRE(r == results.front());
  std::vector<float> reference(results.front().size());
  m.forward_reference(x, reference);
  CHECK(testing::relative_error(results.front(), reference) <= 1e-5);
}
