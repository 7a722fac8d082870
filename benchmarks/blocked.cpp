// ctnet_blocked_bench: a 1×1 convolution over channel-blocked tensors (blocked_pointwise.hpp) against
// the NCHW product the models run (conv2d.hpp: the input read as B, packed block by block), alone,
// at batch 1, on resnet50's 1×1 stride-1 shapes, with 1 and 2 threads (the last argument): the
// measurement behind choosing the blocked layout. Both give the same bits (K is a multiple of
// every vector width), checked before timing. Built for this CPU's best kernels (-march=native).
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include "ctnet/bench/timing.hpp"
#include "ctnet/kernels/simd/blocked_pointwise.hpp"
#include "ctnet/kernels/simd/conv2d.hpp"
#include "ctnet/runtime/aligned_buffer.hpp"

namespace {
using arch = xsimd::default_arch;
using nchw = ctnet::simd::conv2d<arch>;
using blocked = ctnet::simd::blocked_pointwise<arch>;

struct layer {
  ctnet::reference::window_geometry g;
  ctnet::aligned_buffer weight, bias, x, x_blocked, nchw_packed, blocked_packed, y, y_blocked, y_back;
  layer(std::size_t in, std::size_t out, std::size_t size)
      : g{in, size, size, out, size, size, 1, 1, 0},
        weight(out * in),
        bias(out),
        x(g.in_size()),
        x_blocked(blocked::blocked_floats(in, size * size)),
        nchw_packed(nchw::packed_weight_floats(g)),
        blocked_packed(blocked::packed_floats(out, in)),
        y(g.out_size()),
        y_blocked(blocked::blocked_floats(out, size * size)),
        y_back(g.out_size()) {
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    for (auto* values : {&weight, &bias}) {
      for (float& v : values->span()) v = normal(random) * 0.1f;
    }
    for (float& v : x.span()) v = normal(random);
    nchw::pack(g, weight.data(), nchw_packed.data());
    blocked::pack(weight.data(), out, in, blocked_packed.data());
    blocked::to_blocked(x.data(), in, size * size, x_blocked.data());
  }
  // As a conv_bn with relu runs: bias and relu in the epilogue.
  void by_nchw() {
    nchw::run(g, nchw_packed.data(), x.data(), y.data(), nullptr, 1, {bias.data(), nullptr, 0, true});
  }
  void by_blocks() {
    blocked::run(blocked_packed.data(), x_blocked.data(), y_blocked.data(), g.out_channels, g.in_channels,
                 g.out_height * g.out_width, {bias.data(), nullptr, 0, true}, ctnet::threads());
  }
};

void pointwise(benchmark::State& state, bool use_blocks) {
  ctnet::set_num_threads(static_cast<std::size_t>(state.range(3)));
  layer l(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<std::size_t>(state.range(2)));
  l.by_nchw();
  l.by_blocks();
  blocked::from_blocked(l.y_blocked.data(), l.g.out_channels, l.g.out_height * l.g.out_width,
                        l.y_back.data());
  for (std::size_t i = 0; i < l.y.size(); ++i)
    if (l.y.data()[i] != l.y_back.data()[i]) {
      std::fprintf(stderr,
                   "benchmarks/blocked: the blocked 1x1 convolution differs from the product at %zu\n", i);
      std::abort();
    }
  const double flops = 2.0 * l.g.out_size() * l.g.in_channels;
  ctnet::bench::timed(state, {flops}, 0, [&] { use_blocks ? l.by_blocks() : l.by_nchw(); });
}

// resnet50's 1×1 stride-1 convolutions: each stage's conv1 (from 4× the width) and conv3 (to it).
void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"in", "out", "size", "threads"});
  for (long threads : {1, 2})
    for (long width : {64L, 128L, 256L, 512L}) {
      const long size = 56 * 64 / width;
      b->Args({4 * width, width, size, threads});
      b->Args({width, 4 * width, size, threads});
    }
  b->UseManualTime();
}
}  // namespace

BENCHMARK_CAPTURE(pointwise, nchw, false)->Apply(shapes);
BENCHMARK_CAPTURE(pointwise, blocked, true)->Apply(shapes);
BENCHMARK_MAIN();
