// A 1×1 stride-1 convolution over channel-blocked activations (nChw<L>c, as oneDNN's nChw16c): the
// blocked layout issue 4 asks for where it pays, built to measure whether it does. The models'
// tensors stay NCHW, so nothing runs it: ctnet_blocked_bench times it against the NCHW product on
// resnet50's 1×1 shapes, and tests/kernels/simd/blocked_pointwise.cpp checks it against the oracle.
//
// Layout: a C × N tensor (N = H·W pixels) is ⌈C / L⌉ channel blocks, each N pixels of L channels,
// L = the SIMD width; the lanes past C are zero. Vectors then run along the channels, which a
// ResNet always fills (16 to 2048 of them), whatever the image size.
//
// What it might gain: the NCHW product (gemm.hpp) copies its input B into packed micro-panels
// before multiplying, a pass over each layer's input; here the input is read where it lies. A tile
// of P pixels × O output blocks keeps P·O accumulators; per input channel it loads O weight vectors
// and broadcasts P input values, P·O FMAs (AVX-512: 6 × 4, the product's 24 accumulators).
// Measured (Intel Xeon, AVX-512, interleaved repetitions, medians): 0.85-0.95 of the product's time
// where K ≥ 4·M (a bottleneck's conv1), 1.04-1.14 where M = 4·K (its conv3), 1.0 in between: as a
// whole, no faster for resnet50's 1×1 convolutions, so the layout is not adopted (README, Kernels).
// Tiles taken pixels first where the weights are smaller than the input did not change that.
//
// Each output element is the fma over k = 0, 1, ..., K−1 from +0, then + bias, + residual, relu:
// the product's order, so where K is a multiple of L both give the same bits. Which thread
// computes a tile does not change it.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "../../runtime/threads.hpp"
#include "elementwise.hpp"
#include "fused_multiply_add.hpp"
#include "gemm.hpp"

namespace ctnet::simd {

template <class Arch>
struct blocked_pointwise {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;
  // Thirty-two vector registers: 6 pixels × 4 blocks = 24 accumulators + 4 weights + 1 broadcast;
  // sixteen: 6 × 2 = 12 + 2 + 1.
  static constexpr std::size_t tile_pixels = 6;
  static constexpr std::size_t tile_blocks = gemm_tiling<Arch>::many_registers ? 4 : 2;

  static constexpr std::size_t blocks(std::size_t channels) { return (channels + lanes - 1) / lanes; }
  // Floats of a blocked C × N tensor, and of packed weights for `out` × `in` channels.
  static constexpr std::size_t blocked_floats(std::size_t channels, std::size_t pixels) {
    return blocks(channels) * lanes * pixels;
  }
  static constexpr std::size_t packed_floats(std::size_t out_channels, std::size_t in_channels) {
    return blocks(out_channels) * lanes * blocks(in_channels) * lanes;
  }

  // NCHW (C × N) → blocked, zero lanes past C; and back.
  static void to_blocked(const float* x, std::size_t channels, std::size_t pixels, float* out) {
    for (std::size_t b = 0; b < blocks(channels); ++b)
      for (std::size_t p = 0; p < pixels; ++p)
        for (std::size_t l = 0; l < lanes; ++l) {
          const std::size_t c = b * lanes + l;
          out[(b * pixels + p) * lanes + l] = c < channels ? x[c * pixels + p] : 0.0f;
        }
  }
  static void from_blocked(const float* x, std::size_t channels, std::size_t pixels, float* out) {
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t p = 0; p < pixels; ++p)
        out[c * pixels + p] = x[((c / lanes) * pixels + p) * lanes + c % lanes];
  }

  // OIHW weights of a 1×1 convolution (out × in) → per group of tile_blocks output blocks (fewer in
  // the last), per input block, per input channel of it: the group's output blocks, a vector each.
  static void pack(const float* weight, std::size_t out_channels, std::size_t in_channels, float* packed) {
    const std::size_t in_blocks = blocks(in_channels), out_blocks = blocks(out_channels);
    for (std::size_t g = 0; g * tile_blocks < out_blocks; ++g) {
      const std::size_t first = g * tile_blocks, count = std::min(tile_blocks, out_blocks - first);
      float* to = packed + first * in_blocks * lanes * lanes;
      for (std::size_t ic = 0; ic < in_blocks * lanes; ++ic)
        for (std::size_t o = 0; o < count; ++o)
          for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t oc = (first + o) * lanes + l;
            *to++ = oc < out_channels && ic < in_channels ? weight[oc * in_channels + ic] : 0.0f;
          }
    }
  }

  // y = packed weights · x (+ bias[out_channels], + residual, relu), x, y and the residual blocked
  // (e.ld_residual is not used: the residual is laid out as y).
  // Tiles (P pixels × a group of output blocks) are shared among the pool's threads.
  static void run(const float* packed, const float* x, float* y, std::size_t out_channels,
                  std::size_t in_channels, std::size_t pixels, const epilogue& e, thread_pool& pool) {
    const std::size_t groups = (blocks(out_channels) + tile_blocks - 1) / tile_blocks;
    const std::size_t pixel_tiles = (pixels + tile_pixels - 1) / tile_pixels;
    // Group by group, each over all the pixels: a group's weights (K·L·tile_blocks floats, 512 KiB
    // at K = 2048) stay in L2 while every tile of pixels reads them. Pixel tile by pixel tile, each
    // running every group, resnet50's 7×7 layers (2048 → 512 channels over 49 pixels) streamed all
    // 4 MiB of weights from memory once per tile: about 1.7× the NCHW product's time.
    const std::size_t items = groups * pixel_tiles;
    const std::size_t per_thread = (items + pool.concurrency() - 1) / pool.concurrency();
    pool.parallel_for(items, per_thread, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        run_tile(packed, x, y, out_channels, in_channels, pixels, e, i % pixel_tiles * tile_pixels,
                 i / pixel_tiles);
    });
  }

 private:
  static void run_tile(const float* packed, const float* x, float* y, std::size_t out_channels,
                       std::size_t in_channels, std::size_t pixels, const epilogue& e, std::size_t p0,
                       std::size_t group) {
    const std::size_t first = group * tile_blocks;
    const std::size_t count = std::min(tile_blocks, blocks(out_channels) - first);
    const std::size_t width = std::min(tile_pixels, pixels - p0);
    const tile_args t{packed + first * blocks(in_channels) * lanes * lanes,
                      x + p0 * lanes,
                      y + (first * pixels + p0) * lanes,
                      blocks(in_channels),
                      pixels,
                      out_channels,
                      first,
                      e,
                      e.residual ? e.residual + (first * pixels + p0) * lanes : nullptr};
    // One kernel per number of blocks (the last group may have fewer), each with all tile_pixels
    // pixels as a constant or, for the image's last pixels, fewer.
    static constexpr auto whole = kernels<true>(std::make_index_sequence<tile_blocks>{});
    static constexpr auto narrow = kernels<false>(std::make_index_sequence<tile_blocks>{});
    (width == tile_pixels ? whole : narrow)[count - 1](t, width);
  }

  struct tile_args {
    const float* w;         // the group's packed weights
    const float* x;         // the tile's first pixel in input block 0
    float* y;               // its first pixel in the group's first output block
    std::size_t in_blocks;  // input channel blocks
    std::size_t pixels;     // a block's pixels (input and output)
    std::size_t out_channels, first_block;
    const epilogue& e;
    const float* residual;  // like y, in the residual
  };
  using kernel = void (*)(const tile_args&, std::size_t);

  template <bool Whole, std::size_t... Blocks>
  static constexpr std::array<kernel, sizeof...(Blocks)> kernels(std::index_sequence<Blocks...>) {
    return {&tile<Blocks + 1, Whole>...};
  }

  // `width` ≤ tile_pixels pixels (all of them where Whole) × Blocks output blocks. flatten, as the
  // product's micro-kernel: every lambda inlined, so that the accumulators stay in registers.
  template <std::size_t Blocks, bool Whole>
  [[gnu::flatten]] static void tile(const tile_args& t, std::size_t width) {
    if constexpr (Whole) width = tile_pixels;
    std::array<std::array<batch, Blocks>, tile_pixels> acc;
    detail::unroll<tile_pixels>(
        [&](auto p) { detail::unroll<Blocks>([&](auto o) { acc[p][o] = batch(0.0f); }); });
    const float* w = t.w;
    for (std::size_t ib = 0; ib < t.in_blocks; ++ib) {
      const float* in = t.x + ib * t.pixels * lanes;
      for (std::size_t l = 0; l < lanes; ++l, w += Blocks * lanes) {
        std::array<batch, Blocks> weights;
        detail::unroll<Blocks>([&](auto o) { weights[o] = batch::load_unaligned(w + o * lanes); });
        detail::unroll<tile_pixels>([&](auto p) {
          if (p < width) {
            const batch value(in[p * lanes + l]);
            detail::unroll<Blocks>(
                [&](auto o) { acc[p][o] = fused_multiply_add(value, weights[o], acc[p][o]); });
          }
        });
      }
    }
    const batch zero(0.0f);
    detail::unroll<Blocks>([&](auto o) {
      batch bias = zero;
      const std::size_t c0 = (t.first_block + o) * lanes;
      if (t.e.bias && c0 + lanes <= t.out_channels) {
        bias = batch::load_unaligned(t.e.bias + c0);
      } else if (t.e.bias) {
        // The last block's biases, zero past the last channel (its lanes stay zero).
        alignas(64) std::array<float, lanes> b{};
        for (std::size_t l = 0; c0 + l < t.out_channels; ++l) b[l] = t.e.bias[c0 + l];
        bias = batch::load_aligned(b.data());
      }
      const std::size_t block_offset = o * t.pixels * lanes;
      detail::unroll<tile_pixels>([&](auto p) {
        if (p < width) {
          batch v = acc[p][o];
          if (t.e.bias) v = v + bias;
          if (t.residual) v = v + batch::load_unaligned(t.residual + block_offset + p * lanes);
          if (t.e.relu) v = elementwise<Arch>::relu(v);  // NaN stays NaN, as in the product
          v.store_unaligned(t.y + block_offset + p * lanes);
        }
      });
    });
  }
};

}  // namespace ctnet::simd
