// Max and average pooling over square windows, and the global average of each channel, over
// xsimd's batch<float, Arch>, with the window's geometry a compile-time constant.
//
// A K×K window is reduced in two passes per output row: first down the K input rows it covers
// (contiguous, so whole vectors), into a row buffer whose P cells at either end hold the padding's
// value (-inf for max, 0 for average); then across K neighbours of that buffer — whole vectors at
// stride 1 and 2 (every other cell, even_elements.hpp: the stem's 3×3 stride-2 max pool), one output
// at a time at other strides. That is 2K operations per output instead of K², and no bounds checks
// in either loop.
//
// Max follows the oracle's NaN rule: a NaN anywhere in a window makes its output NaN. Average
// divides by K² (padding included: PyTorch's count_include_pad), sums in float.
// Planes are independent and each is computed the same way by whichever thread takes it.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>

#include <xsimd/xsimd.hpp>

#include "../reference/geometry.hpp"
#include "../reference/pool.hpp"
#include "even_elements.hpp"
#include "split.hpp"

namespace ctnet::simd {

template <class Arch>
struct pool {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;

  // The oracle's max: once NaN, always NaN; a NaN newcomer wins.
  static float max_nan(float running, float v) {
    return (v > running || v != v) && running == running ? v : running;
  }
  // xsimd::isnan, not v != v: xsimd 8.1's AVX and AVX-512 != is an ordered compare, false for NaN
  // (SSE2's is unordered), as the NaN tests found.
  static batch max_nan(const batch& running, const batch& v) {
    return xsimd::select(xsimd::isnan(running), running,
                         xsimd::select((v > running) | xsimd::isnan(v), v, running));
  }

  template <reference::pooling Kind, class T>
  static T combine(const T& a, const T& b) {
    if constexpr (Kind == reference::pooling::max)
      return max_nan(a, b);
    else
      return a + b;
  }

  // n samples of G.in_channels planes; G.out_* give the output plane.
  template <reference::pooling Kind, reference::window_geometry G>
  static void window(const float* x, float* y, std::size_t n) {
    static_assert(G.in_channels == G.out_channels && 2 * G.padding <= G.kernel);
    constexpr std::size_t in_plane = G.in_height * G.in_width, out_plane = G.out_height * G.out_width;
    split(n * G.in_channels, in_plane, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t p = begin; p < end; ++p) window_plane<Kind, G>(x + p * in_plane, y + p * out_plane);
    });
  }

  // Each of `planes` planes of Area floats becomes its mean.
  template <std::size_t Area>
  static void global_average(std::size_t planes, const float* x, float* y) {
    split(planes, Area, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t p = begin; p < end; ++p) {
        const float* in = x + p * Area;
        // Two accumulators halve the dependency chain of the additions.
        batch sum0(0.0f), sum1(0.0f);
        std::size_t i = 0;
        for (; i + 2 * lanes <= Area; i += 2 * lanes) {
          sum0 += batch::load_unaligned(in + i);
          sum1 += batch::load_unaligned(in + i + lanes);
        }
        if (i + lanes <= Area) {
          sum0 += batch::load_unaligned(in + i);
          i += lanes;
        }
        // Lanes summed through memory, not xsimd::hadd: 8.1's AVX-512 hadd needs AVX512DQ, which
        // the avx512f kernels (ctnet_add_kernels) are not compiled with.
        alignas(64) std::array<float, lanes> partial;
        (sum0 + sum1).store_aligned(partial.data());
        float sum = 0.0f;
        for (float v : partial) sum += v;
        for (; i < Area; ++i) sum += in[i];
        y[p] = sum / static_cast<float>(Area);
      }
    });
  }

 private:
  template <reference::pooling Kind, reference::window_geometry G>
  static void window_plane(const float* in, float* out) {
    constexpr std::size_t K = G.kernel, S = G.stride, P = G.padding, W = G.in_width;
    constexpr float pad_value =
        Kind == reference::pooling::max ? -std::numeric_limits<float>::infinity() : 0.0f;
    constexpr float inverse_area = 1.0f / static_cast<float>(K * K);
    // The padded row: P cells of padding, W of the vertical reduction, P of padding. Its last cell
    // an output reads is (out_width - 1)·S + K - 1 < W + 2P, by the output size; at stride 2 a
    // vector's loads reach one cell further (the odd neighbour of its last even one), never used.
    constexpr std::size_t row_floats = std::max(W + 2 * P, S == 2 ? 2 * G.out_width + K - 1 : 0);
    alignas(64) std::array<float, row_floats> row;
    std::fill(row.begin(), row.begin() + P, pad_value);
    std::fill(row.begin() + P + W, row.end(), pad_value);
    float* const body = row.data() + P;

    for (std::size_t oy = 0; oy < G.out_height; ++oy) {
      // The input rows under this output row's windows, padding excluded.
      // In padded coordinates they start at oy·S; K ≥ 2P keeps oy·S + K - P from wrapping.
      const std::size_t first = oy * S < P ? 0 : oy * S - P;
      const std::size_t last = std::min(G.in_height, oy * S + K - P);
      // (Rows of padding add nothing: -inf never wins a max, 0 adds nothing to a sum.)

      std::size_t i = 0;
      for (; i + lanes <= W; i += lanes) {
        batch acc = batch::load_unaligned(in + first * W + i);
        for (std::size_t iy = first + 1; iy < last; ++iy)
          acc = combine<Kind>(acc, batch::load_unaligned(in + iy * W + i));
        acc.store_unaligned(body + i);
      }
      for (; i < W; ++i) {
        float acc = in[first * W + i];
        for (std::size_t iy = first + 1; iy < last; ++iy) acc = combine<Kind>(acc, in[iy * W + i]);
        body[i] = acc;
      }

      float* const result = out + oy * G.out_width;
      std::size_t ox = 0;
      if constexpr ((S == 1 || S == 2) && G.out_width >= lanes) {
        const auto outputs_from = [&](std::size_t first_output) {
          const float* window = row.data() + first_output * S;
          const auto neighbour = [&](std::size_t kx) {
            if constexpr (S == 1)
              return batch::load_unaligned(window + kx);
            else
              return detail::even_elements<Arch>(window + kx);
          };
          batch acc = neighbour(0);
          for (std::size_t kx = 1; kx < K; ++kx) acc = combine<Kind>(acc, neighbour(kx));
          if constexpr (Kind == reference::pooling::average) acc *= batch(inverse_area);
          acc.store_unaligned(result + first_output);
        };
        for (; ox + lanes <= G.out_width; ox += lanes) outputs_from(ox);
        // The last few outputs as the row's last vector, overlapping the one before: the outputs
        // both cover are computed the same way twice.
        if (ox < G.out_width) {
          outputs_from(G.out_width - lanes);
          ox = G.out_width;
        }
      }
      for (; ox < G.out_width; ++ox) {
        const float* window = row.data() + ox * S;
        float acc = window[0];
        for (std::size_t kx = 1; kx < K; ++kx) acc = combine<Kind>(acc, window[kx]);
        if constexpr (Kind == reference::pooling::average) acc *= inverse_area;
        result[ox] = acc;
      }
    }
  }
};

}  // namespace ctnet::simd
