// im2col: lays out the input patches of a convolution as the columns of a matrix, so that the
// convolution becomes one matrix product, weights[O][C·K·K] × patches[C·K·K][OH·OW].
// Row (c, ky, kx) of the result holds, for every output pixel, the input pixel under kernel tap
// (ky, kx) of channel c — zero where the tap falls on padding.
#pragma once
#include <algorithm>
#include <cstddef>

#include "../reference/geometry.hpp"
#include "tap_planes.hpp"

namespace ctnet::simd {

// Whether a convolution reads its input as it is: a 1×1 window, stride 1, no padding.
constexpr bool reads_input_directly(const reference::window_geometry& g) {
  return g.kernel == 1 && g.stride == 1 && g.padding == 0;
}

// Windows up to this size (49 taps) have their patches gathered from the input
// (gathered_patches.hpp), with the gather indices on the stack.
inline constexpr std::size_t gathered_patches_max_kernel = 7;

// Whether the product reads a convolution's patches from its input, as it is or split into phases
// (same_patches.hpp), or gathers them from it (gathered_patches.hpp), rather than from an im2col
// matrix.
constexpr bool packs_patches_from_input(const reference::window_geometry& g) {
  return reads_same_patches(g) || reads_phase_planes(g) || g.kernel <= gathered_patches_max_kernel;
}

// Floats of one image's patch matrix; none where the product reads the input itself or packs its
// patches from it.
constexpr std::size_t im2col_floats(const reference::window_geometry& g) {
  return reads_input_directly(g) || packs_patches_from_input(g)
             ? 0
             : g.in_channels * g.kernel * g.kernel * g.out_height * g.out_width;
}

// One image: x is C×H×W, patches is (C·K·K)×(OH·OW). Rows [row_begin, row_end) only, so that
// threads can share the work. A template on the architecture, though it names no SIMD type: each
// kernel TU (ctnet_add_kernels) then has its own copy, compiled with its flags, where one inline
// function would be one copy for all, the baseline's.
template <class Arch>
void im2col(const reference::window_geometry& g, const float* x, float* patches, std::size_t row_begin,
            std::size_t row_end) {
  const long pad = static_cast<long>(g.padding), stride = static_cast<long>(g.stride);
  const long in_h = static_cast<long>(g.in_height), in_w = static_cast<long>(g.in_width);
  const long out_h = static_cast<long>(g.out_height), out_w = static_cast<long>(g.out_width);
  const std::size_t columns = g.out_height * g.out_width;
  for (std::size_t row = row_begin; row < row_end; ++row) {
    const std::size_t c = row / (g.kernel * g.kernel);
    const long ky = static_cast<long>(row / g.kernel % g.kernel), kx = static_cast<long>(row % g.kernel);
    const float* plane = x + c * g.in_height * g.in_width;
    float* out = patches + row * columns;
    // Output rows whose input row oy·stride + ky − pad lies inside the image: [top, bottom).
    const long top = std::min(out_h, std::max(0L, (pad - ky + stride - 1) / stride));
    const long bottom = std::max(top, std::min(out_h, (in_h + pad - ky + stride - 1) / stride));
    // Output columns whose input column ox·stride + kx − pad lies inside the image: [first, last).
    const long shift = kx - pad;
    const long first = std::min(out_w, std::max(0L, (-shift + stride - 1) / stride));
    const long last = std::max(first, std::min(out_w, (in_w - shift + stride - 1) / stride));
    std::fill(out, out + top * out_w, 0.0f);
    std::fill(out + bottom * out_w, out + out_h * out_w, 0.0f);
    if (top == bottom) continue;
    const float* in = plane + (top * stride + ky - pad) * in_w;
    for (long oy = top; oy < bottom; ++oy, in += stride * in_w) {
      float* line = out + oy * out_w;
      for (long ox = 0; ox < first; ++ox) line[ox] = 0.0f;
      if (stride == 1)
        for (long ox = first; ox < last; ++ox) line[ox] = in[ox + shift];
      else if (stride == 2)  // a constant stride the compiler vectorizes (every ResNet downsampling)
        for (long ox = first; ox < last; ++ox) line[ox] = in[ox * 2 + shift];
      else
        for (long ox = first; ox < last; ++ox) line[ox] = in[ox * stride + shift];
      for (long ox = last; ox < out_w; ++ox) line[ox] = 0.0f;
    }
  }
}

}  // namespace ctnet::simd
