// The patches of a "same" convolution (stride 1, output as large as the input: a 3×3 window with
// padding 1, 5×5 with 2, ...) packed for the matrix product straight from the input, with no im2col
// matrix in between: the patch row of tap (ky, kx) in channel c, over output pixels j, j + 1, ..., is
// the input plane c read from pixel j + (ky − pad)·W + (kx − pad) on, except where the tap falls on
// padding (off the top or bottom, or wrapped around a row's end), which must read zero. So a packed
// row is nr contiguous floats of the input, masked. im2col wrote and re-read 9× the input of every
// 3×3 convolution (a fifth of resnet18's time, half of cifar_resnet<20>'s at batch 1).
#pragma once
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
struct same_patches {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;

  const reference::window_geometry& g;
  const float* x;

  void pack(std::size_t k0, std::size_t kc, std::size_t j, std::size_t cols, float* out) const {
    const std::size_t taps = g.kernel * g.kernel, width = g.in_width, plane = g.in_height * width;
    const long pad = static_cast<long>(g.padding), size = static_cast<long>(g.in_channels * plane);
    // Which taps read inside the image for output pixel j + i, as bit masks (all ones or zero):
    // window row ky where rows_ok[ky][i], window column kx where columns_ok[kx][i] (zero too for
    // the lanes past cols). A packed value is then input & (rows_ok[ky] & columns_ok[kx]): zero,
    // NaN or not, where the tap reads padding or wraps around a row.
    const float yes = std::bit_cast<float>(~std::uint32_t{0}), no = 0.0f;
    alignas(64) float rows_ok[same_patches_max_kernel][nr], columns_ok[same_patches_max_kernel][nr];
    std::size_t row = j / width, column = j % width;
    for (std::size_t i = 0; i < nr; ++i) {
      for (std::size_t w = 0; w < g.kernel; ++w) {
        const long iy = static_cast<long>(row + w) - pad, ix = static_cast<long>(column + w) - pad;
        rows_ok[w][i] = i < cols && iy >= 0 && iy < static_cast<long>(g.in_height) ? yes : no;
        columns_ok[w][i] = ix >= 0 && ix < static_cast<long>(width) ? yes : no;
      }
      if (++column == width) column = 0, ++row;
    }
    alignas(64) float valid[same_patches_max_kernel * same_patches_max_kernel][nr];
    for (std::size_t t = 0; t < taps; ++t)
      for (std::size_t v = 0; v < nr; v += lanes)
        (batch::load_aligned(rows_ok[t / g.kernel] + v) & batch::load_aligned(columns_ok[t % g.kernel] + v))
            .store_aligned(valid[t] + v);

    std::size_t c = k0 / taps, t = k0 % taps;
    for (std::size_t kk = 0; kk < kc; ++kk, out += nr) {
      const long ky = static_cast<long>(t / g.kernel), kx = static_cast<long>(t % g.kernel);
      const long first =
          static_cast<long>(c * plane + j) + (ky - pad) * static_cast<long>(width) + (kx - pad);
      if (first >= 0 && first + static_cast<long>(nr) <= size) {
        for (std::size_t v = 0; v < nr; v += lanes)
          (batch::load_unaligned(x + first + static_cast<long>(v)) & batch::load_aligned(valid[t] + v))
              .store_aligned(out + v);
      } else {
        // Near the ends of x: read only the valid lanes, which lie inside plane c.
        for (std::size_t i = 0; i < nr; ++i)
          out[i] = std::bit_cast<std::uint32_t>(valid[t][i]) != 0 ? x[first + static_cast<long>(i)] : 0.0f;
      }
      if (++t == taps) t = 0, ++c;
    }
  }
};

}  // namespace ctnet::simd
