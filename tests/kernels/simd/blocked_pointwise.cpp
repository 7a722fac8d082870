// Tests of include/ctnet/kernels/simd/blocked_pointwise.hpp: a 1×1 convolution over channel-blocked
// tensors against a double-precision loop on odd shapes (channels no multiple of any SIMD width,
// pixels no multiple of a tile, one pixel, one channel), with each part of the epilogue; the lanes
// past the last channel stay zero; the layout round trip; the same bits as the NCHW product where K
// is a multiple of a vector; and the same bits for 1, 2 and 3 threads. For xsimd::default_arch: sse2
// in the baseline test build, AVX2 and AVX-512 in their per-architecture builds, neon64 on AArch64.
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>
#include <xsimd/xsimd.hpp>

#include "ctnet/kernels/simd/blocked_pointwise.hpp"
#include "ctnet/runtime/aligned_buffer.hpp"
#include "support.hpp"

namespace {
using arch = xsimd::default_arch;
using pointwise = ctnet::simd::blocked_pointwise<arch>;
constexpr std::size_t lanes = pointwise::lanes;

using ctnet::testing::random_values;

// One 1×1 convolution of `in` channels to `out` over `pixels` pixels, its operands in NCHW and
// blocked, the weights packed.
struct problem {
  std::size_t out, in, pixels;
  std::vector<float> weight, x, bias, residual;
  ctnet::aligned_buffer packed, x_blocked, residual_blocked, y_blocked;

  problem(std::size_t out_, std::size_t in_, std::size_t pixels_, unsigned seed = 1)
      : out(out_),
        in(in_),
        pixels(pixels_),
        weight(random_values(out_ * in_, seed)),
        x(random_values(in_ * pixels_, seed + 1)),
        bias(random_values(out_, seed + 2)),
        residual(random_values(out_ * pixels_, seed + 3)),
        packed(pointwise::packed_floats(out_, in_)),
        x_blocked(pointwise::blocked_floats(in_, pixels_)),
        residual_blocked(pointwise::blocked_floats(out_, pixels_)),
        y_blocked(pointwise::blocked_floats(out_, pixels_)) {
    pointwise::pack(weight.data(), out, in, packed.data());
    pointwise::to_blocked(x.data(), in, pixels, x_blocked.data());
    pointwise::to_blocked(residual.data(), out, pixels, residual_blocked.data());
  }

  ctnet::simd::epilogue epilogue(bool with_bias, bool with_residual, bool relu) const {
    return {with_bias ? bias.data() : nullptr, with_residual ? residual_blocked.data() : nullptr, 0, relu};
  }

  // Runs the kernel on `pool` over a y full of NaN (so that any element it leaves is caught).
  void run(const ctnet::simd::epilogue& e, ctnet::thread_pool& pool) {
    for (float& v : y_blocked.span()) v = std::nanf("");
    pointwise::run(packed.data(), x_blocked.data(), y_blocked.data(), out, in, pixels, e, pool);
  }

  std::vector<float> y() const {
    std::vector<float> nchw(out * pixels);
    pointwise::from_blocked(y_blocked.data(), out, pixels, nchw.data());
    return nchw;
  }

  // The largest difference from a double-precision loop, relative to the largest expected value.
  double error(bool with_bias, bool with_residual, bool relu) const {
    const std::vector<float> got = y();
    double worst = 0, largest = 1;
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t p = 0; p < pixels; ++p) {
        double sum = 0;
        for (std::size_t k = 0; k < in; ++k) sum += double(weight[o * in + k]) * x[k * pixels + p];
        if (with_bias) sum += bias[o];
        if (with_residual) sum += residual[o * pixels + p];
        if (relu) sum = std::max(sum, 0.0);
        worst = std::max(worst, std::fabs(sum - got[o * pixels + p]));
        largest = std::max(largest, std::fabs(sum));
      }
    return worst / largest;
  }
};
}  // namespace

TEST_CASE("blocked layout round trip keeps every value and zeroes the lanes past the channels",
          "[kernels][simd][blocked]") {
  for (std::size_t channels : {std::size_t{1}, lanes - 1, lanes, 2 * lanes + 3}) {
    INFO(channels << " channels, " << lanes << " lanes");
    const std::size_t pixels = 7;
    const std::vector<float> x = random_values(channels * pixels, 5);
    std::vector<float> blocked(pointwise::blocked_floats(channels, pixels), 99.0f), back(x.size());
    pointwise::to_blocked(x.data(), channels, pixels, blocked.data());
    pointwise::from_blocked(blocked.data(), channels, pixels, back.data());
    CHECK(back == x);
    const std::size_t last = pointwise::blocks(channels) - 1;
    for (std::size_t p = 0; p < pixels; ++p)
      for (std::size_t l = channels - last * lanes; l < lanes; ++l)
        REQUIRE(blocked[(last * pixels + p) * lanes + l] == 0.0f);
  }
}

TEST_CASE("blocked 1×1 convolution matches a double-precision loop on odd shapes",
          "[kernels][simd][blocked]") {
  ctnet::thread_pool pool(2);
  struct shape {
    std::size_t out, in, pixels;
  };
  // Channels below, at and past a vector and a tile's blocks; pixels below, at and past a tile (6).
  for (const shape s : {shape{5, 3, 7},
                        {1, 1, 1},
                        {33, 17, 50},
                        {20, 64, 13},
                        {64, 48, 49},
                        {70, 33, 1},
                        {4 * lanes + 1, 2 * lanes, 6},
                        {9 * lanes, lanes + 1, 97}})
    for (int variant = 0; variant < 4; ++variant) {
      const bool bias = variant & 1, residual = variant & 2, relu = variant == 3;
      INFO(s.in << " → " << s.out << " channels, " << s.pixels << " pixels, bias " << bias << ", residual "
                << residual << ", relu " << relu);
      problem p(s.out, s.in, s.pixels, 10 + variant);
      p.run(p.epilogue(bias, residual, relu), pool);
      CHECK(p.error(bias, residual, relu) <= 1e-5);
      // The lanes past the last output channel hold zeros (the layout's invariant), bias or not.
      const std::size_t last = pointwise::blocks(s.out) - 1;
      for (std::size_t px = 0; px < s.pixels; ++px)
        for (std::size_t l = s.out - last * lanes; l < lanes; ++l)
          REQUIRE(p.y_blocked.data()[(last * s.pixels + px) * lanes + l] == 0.0f);
    }
}

TEST_CASE("blocked 1×1 convolution gives the NCHW product's bits", "[kernels][simd][blocked]") {
  using product = ctnet::simd::gemm<arch>;
  ctnet::thread_pool pool(1);
  for (std::size_t pixels : {49, 196, 200}) {
    INFO(pixels << " pixels");
    // K a multiple of every vector width: both sum the same products in the same order.
    problem p(3 * lanes + 5, 64, pixels, 3);
    const auto e = p.epilogue(true, true, true);
    p.run(e, pool);
    std::vector<float> packed_a(product::packed_size(p.out, p.in)), c(p.out * pixels);
    product::pack_a(p.weight.data(), p.in, p.out, p.in, packed_a.data());
    product::multiply(p.out, p.in, packed_a.data(), p.x.data(), pixels, c.data(), pixels, 0, pixels,
                      {p.bias.data(), p.residual.data(), pixels, true});
    CHECK(p.y() == c);
  }
}

TEST_CASE("blocked 1×1 convolution gives the same bits for any thread count", "[kernels][simd][blocked]") {
  problem p(100, 70, 301, 4);
  const auto e = p.epilogue(true, false, true);
  std::vector<std::vector<float>> results;
  for (std::size_t threads : {1, 2, 3}) {
    ctnet::thread_pool pool(threads);
    p.run(e, pool);
    results.push_back(p.y());
  }
  CHECK(results[1] == results[0]);
  CHECK(results[2] == results[0]);
}
