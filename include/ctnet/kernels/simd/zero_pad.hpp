// Option A's shortcut: reduce H and W by the stride (every stride-th pixel, or the mean of each
// stride×stride window, clipped at the edge), and place the C input channels at first_channel among
// the output's, zero elsewhere. Little arithmetic and much data movement: the zero channels are
// filled whole, stride 1 copies whole planes, and an average sums a window's rows as vectors
// before adding across them, with the geometry a compile-time constant throughout.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "../reference/geometry.hpp"
#include "../reference/shortcut.hpp"
#include "split.hpp"

namespace ctnet::simd {

template <class Arch>
struct zero_pad {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;

  template <reference::window_geometry G, reference::spatial_reduction Reduction, std::size_t FirstChannel>
  static void run(const float* x, float* y, std::size_t n) {
    static_assert(FirstChannel + G.in_channels <= G.out_channels);
    constexpr std::size_t in_plane = G.in_height * G.in_width, out_plane = G.out_height * G.out_width;
    // Items are output planes, so that zero planes and copied ones share the threads alike.
    split(n * G.out_channels, out_plane, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t p = begin; p < end; ++p) {
        const std::size_t sample = p / G.out_channels, channel = p % G.out_channels;
        float* out = y + p * out_plane;
        if (channel < FirstChannel || channel >= FirstChannel + G.in_channels) {
          std::fill_n(out, out_plane, 0.0f);
          continue;
        }
        const float* in = x + (sample * G.in_channels + channel - FirstChannel) * in_plane;
        if constexpr (G.stride == 1) std::memcpy(out, in, in_plane * sizeof(float));
        else if constexpr (Reduction == reference::spatial_reduction::subsample) subsample<G>(in, out);
        else average<G>(in, out);
      }
    });
  }

 private:
  template <reference::window_geometry G>
  static void subsample(const float* in, float* out) {
    for (std::size_t oy = 0; oy < G.out_height; ++oy) {
      const float* row = in + oy * G.stride * G.in_width;
      for (std::size_t ox = 0; ox < G.out_width; ++ox) out[oy * G.out_width + ox] = row[ox * G.stride];
    }
  }

  template <reference::window_geometry G>
  static void average(const float* in, float* out) {
    constexpr std::size_t S = G.stride, W = G.in_width;
    alignas(64) std::array<float, W> column_sums;
    for (std::size_t oy = 0; oy < G.out_height; ++oy) {
      const std::size_t first = oy * S, last = std::min(G.in_height, first + S);
      std::size_t i = 0;
      for (; i + lanes <= W; i += lanes) {
        batch sum = batch::load_unaligned(in + first * W + i);
        for (std::size_t iy = first + 1; iy < last; ++iy) sum += batch::load_unaligned(in + iy * W + i);
        sum.store_aligned(column_sums.data() + i);
      }
      for (; i < W; ++i) {
        float sum = in[first * W + i];
        for (std::size_t iy = first + 1; iy < last; ++iy) sum += in[iy * W + i];
        column_sums[i] = sum;
      }
      for (std::size_t ox = 0; ox < G.out_width; ++ox) {
        const std::size_t left = ox * S, right = std::min(W, left + S);
        float sum = column_sums[left];
        for (std::size_t ix = left + 1; ix < right; ++ix) sum += column_sums[ix];
        out[oy * G.out_width + ox] = sum / static_cast<float>((last - first) * (right - left));
      }
    }
  }
};

}  // namespace ctnet::simd
