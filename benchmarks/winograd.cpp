// ctnet_winograd_bench: a 3×3 stride-1 convolution as Winograd's F(4×4, 3×3) (winograd.hpp) against
// the direct product that would run it otherwise (same_patches read in place), alone, at batch 1, on
// ResNet's and the CIFAR nets' shapes, with 1 and 2 threads (the second argument). The same FLOPs
// (the direct convolution's) are counted for both, so GFLOP/s compare times. Built for this CPU's
// best kernels (-march=native); the kernels are checked against each other before timing.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include "ctnet/bench/timing.hpp"
#include "ctnet/kernels/simd/conv2d.hpp"
#include "ctnet/runtime/aligned_buffer.hpp"

namespace {
using arch = xsimd::default_arch;
using product = ctnet::simd::gemm<arch>;
using winograd = ctnet::simd::winograd<arch>;

struct layer {
  ctnet::reference::window_geometry g;
  ctnet::aligned_buffer weight, x, direct_packed, winograd_packed, y, scratch;
  explicit layer(std::size_t channels, std::size_t size)
      : g{channels, size, size, channels, size, size, 3, 1, 1},
        weight(channels * channels * 9),
        x(g.in_size()),
        direct_packed(product::packed_size(channels, channels * 9)),
        winograd_packed(winograd::packed_floats(g)),
        y(g.out_size()),
        scratch(ctnet::simd::winograd_room(g)) {
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    for (float& v : weight.span()) v = normal(random) * 0.1f;
    for (float& v : x.span()) v = normal(random);
    product::pack_a(weight.data(), channels * 9, channels, channels * 9, direct_packed.data());
    winograd::pack(g, weight.data(), winograd_packed.data());
  }
  void direct() {
    auto& pool = ctnet::threads();
    const std::size_t columns = g.out_height * g.out_width;
    const auto parts = ctnet::simd::product_partition::for_threads(g.out_channels, columns, product::mr,
                                                                   product::nr, pool.size());
    pool.parallel_for(parts.count(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        parts.for_each_block(i, [&](const ctnet::simd::product_partition::block& b) {
          product::multiply_rows(b.row_begin, b.row_end, g.in_channels * 9, direct_packed.data(),
                                 ctnet::simd::same_patches<arch>{g, x.data()}, y.data(), columns,
                                 b.column_begin, b.column_end);
        });
    });
  }
  void by_winograd() {
    winograd::run(g, winograd_packed.data(), x.data(), y.data(), 1, scratch.data(), {}, ctnet::threads());
  }
};

void convolution(benchmark::State& state, bool use_winograd) {
  ctnet::set_num_threads(static_cast<std::size_t>(state.range(2)));
  layer l(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)));
  l.direct();
  const ctnet::aligned_buffer expected = l.y;
  l.by_winograd();
  double worst = 0, largest = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::fabs(double(expected.data()[i]) - l.y.data()[i]));
    largest = std::max(largest, std::fabs(double(expected.data()[i])));
  }
  if (!(worst <= 1e-4 * std::max(largest, 1.0))) {
    std::fprintf(stderr, "benchmarks/winograd: F(4x4, 3x3) differs from the direct product by %g\n", worst);
    std::abort();
  }
  const double flops = 2.0 * l.g.out_size() * l.g.in_channels * 9;
  ctnet::bench::timed(state, {flops}, 0, [&] { use_winograd ? l.by_winograd() : l.direct(); });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"channels", "size", "threads"});
  for (long threads : {1, 2})
    for (auto [channels, size] : {std::pair{64L, 56L}, {128L, 28L}, {256L, 14L}, {32L, 16L}})
      b->Args({channels, size, threads});
  b->UseManualTime();
}
}  // namespace

BENCHMARK_CAPTURE(convolution, direct, false)->Apply(shapes);
BENCHMARK_CAPTURE(convolution, winograd, true)->Apply(shapes);
BENCHMARK_MAIN();
