// The patches of a convolution that neither reads its input as it is (1×1 stride 1) nor as
// contiguous masked rows (same_patches.hpp): ResNet's stride-2 ones (the 7×7 stem, the 3×3 and 1×1
// downsampling) and any other window. Each micro-panel the product packs is gathered straight from
// the input: the patch row of tap (ky, kx) in channel c holds, for output pixel (oy, ox), input pixel
// (oy·s + ky − pad, ox·s + kx − pad), zero where that falls on padding. The im2col matrix this
// replaces was written to memory and read back (7.4 MB per image for resnet50's stem); gathering
// made resnet50's strided convolutions 3-17% faster (ctnet_layer_bench, 2 threads, AVX-512) and
// took their scratch out of the workspace. A window larger than 7×7 still goes through im2col.
#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

#include "../reference/geometry.hpp"
#include "gemm.hpp"
#include "im2col.hpp"

namespace ctnet::simd {

// An operand of gemm<Arch>::multiply: B = the patch matrix of one image x (C×H×W) under geometry g.
template <class Arch>
struct gathered_patches {
  using batch = xsimd::batch<float, Arch>;
  using indices = xsimd::batch<std::int32_t, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;
  static constexpr std::size_t max_taps = gathered_patches_max_kernel * gathered_patches_max_kernel;
  static_assert(indices::size == lanes);

  const reference::window_geometry& g;
  const float* x;

  // Rows [k0, k0 + kc) of columns [j, j + cols), packed in rows of nr floats.
  void pack(std::size_t k0, std::size_t kc, std::size_t j, std::size_t cols, float* out) const {
    const std::size_t taps = g.kernel * g.kernel, plane = g.in_height * g.in_width;
    // Per lane, the window's top-left input pixel; lanes past cols on a row no tap reaches (and
    // close enough to 0 that row · width cannot overflow).
    alignas(64) std::int32_t top[nr], left[nr];
    std::size_t oy = j / g.out_width, ox = j % g.out_width;
    for (std::size_t i = 0; i < nr; ++i) {
      top[i] = i < cols ? static_cast<std::int32_t>(oy * g.stride) - static_cast<std::int32_t>(g.padding)
                        : -static_cast<std::int32_t>(g.kernel);
      left[i] = static_cast<std::int32_t>(ox * g.stride) - static_cast<std::int32_t>(g.padding);
      if (++ox == g.out_width) ox = 0, ++oy;
    }
    // Per tap and lane: where in the channel's plane to read (0 where the tap falls on padding, so
    // that every gathered address lies inside x) and whether the value counts (a bit mask).
    alignas(64) std::int32_t where[max_taps][nr];
    alignas(64) float valid[max_taps][nr];
    const indices zero_index(0), height(static_cast<std::int32_t>(g.in_height)),
        width(static_cast<std::int32_t>(g.in_width));
    const batch all_ones(std::bit_cast<float>(~std::uint32_t{0})), zero(0.0f);
    for (std::size_t v = 0; v < nr; v += lanes) {
      const indices y0 = indices::load_aligned(top + v), x0 = indices::load_aligned(left + v);
      for (std::size_t t = 0; t < taps; ++t) {
        const indices iy = y0 + static_cast<std::int32_t>(t / g.kernel),
                      ix = x0 + static_cast<std::int32_t>(t % g.kernel);
        const auto inside = (iy >= zero_index) & (iy < height) & (ix >= zero_index) & (ix < width);
        const batch counts = xsimd::select(xsimd::bool_cast(inside), all_ones, zero);
        counts.store_aligned(valid[t] + v);
        // Masked with the bits rather than select on int32 batches: xsimd 8.1's avx512bw select
        // instantiates its 8- and 16-bit blends for them, which g++ rejects without optimisation.
        ((iy * width + ix) & xsimd::bitwise_cast<indices>(counts)).store_aligned(where[t] + v);
      }
    }

    std::size_t c = k0 / taps, t = k0 % taps;
    for (std::size_t kk = 0; kk < kc; ++kk, out += nr) {
      const float* channel = x + c * plane;
      for (std::size_t v = 0; v < nr; v += lanes)
        (batch::gather(channel, indices::load_aligned(where[t] + v)) & batch::load_aligned(valid[t] + v))
            .store_aligned(out + v);
      if (++t == taps) t = 0, ++c;
    }
  }
};

}  // namespace ctnet::simd
