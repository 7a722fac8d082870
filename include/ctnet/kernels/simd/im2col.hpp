// im2col: lays out the input patches of a convolution as the columns of a matrix, so that the
// convolution becomes one matrix product, weights[O][C·K·K] × patches[C·K·K][OH·OW].
// Row (c, ky, kx) of the result holds, for every output pixel, the input pixel under kernel tap
// (ky, kx) of channel c — zero where the tap falls on padding.
#pragma once
#include <algorithm>
#include <cstddef>

#include "../reference/geometry.hpp"

namespace ctnet::simd {

// Whether a convolution reads its input as it is: a 1×1 window, stride 1, no padding.
constexpr bool reads_input_directly(const reference::window_geometry& g) {
  return g.kernel == 1 && g.stride == 1 && g.padding == 0;
}

constexpr std::size_t im2col_floats(const reference::window_geometry& g) {
  return reads_input_directly(g) ? 0 : g.in_channels * g.kernel * g.kernel * g.out_height * g.out_width;
}

// One image: x is C×H×W, patches is (C·K·K)×(OH·OW). Rows [row_begin, row_end) only, so that
// threads can share the work.
inline void im2col(const reference::window_geometry& g, const float* x, float* patches, std::size_t row_begin,
                   std::size_t row_end) {
  const long pad = static_cast<long>(g.padding), stride = static_cast<long>(g.stride);
  const long in_h = static_cast<long>(g.in_height), in_w = static_cast<long>(g.in_width);
  const std::size_t columns = g.out_height * g.out_width;
  for (std::size_t row = row_begin; row < row_end; ++row) {
    const std::size_t c = row / (g.kernel * g.kernel);
    const long ky = static_cast<long>(row / g.kernel % g.kernel), kx = static_cast<long>(row % g.kernel);
    const float* plane = x + c * g.in_height * g.in_width;
    float* out = patches + row * columns;
    // Output columns whose input column ox·stride + kx − pad lies inside the image: [first, last).
    const long shift = kx - pad, out_w = static_cast<long>(g.out_width);
    const long first = std::min(out_w, std::max(0L, (-shift + stride - 1) / stride));
    const long last = std::max(first, std::min(out_w, (in_w - shift + stride - 1) / stride));
    for (std::size_t oy = 0; oy < g.out_height; ++oy, out += g.out_width) {
      const long iy = static_cast<long>(oy) * stride + ky - pad;
      if (iy < 0 || iy >= in_h) {
        std::fill_n(out, g.out_width, 0.0f);
        continue;
      }
      const float* row_in = plane + iy * in_w;
      std::fill(out, out + first, 0.0f);
      if (stride == 1) {
        std::copy(row_in + first + shift, row_in + last + shift, out + first);
      } else {
        for (long ox = first; ox < last; ++ox) out[ox] = row_in[ox * stride + shift];
      }
      std::fill(out + last, out + out_w, 0.0f);
    }
  }
}

}  // namespace ctnet::simd
