// The patches of a "same" convolution (stride 1, output as large as the input: a 3×3 window with
// padding 1, 5×5 with 2, ...) packed for the matrix product straight from the input, with no im2col
// matrix in between: the patch row of tap (ky, kx) in channel c, over output pixels j, j + 1, ..., is
// the input plane c read from pixel j + (ky − pad)·W + (kx − pad) on, except where the tap falls on
// padding (off the top or bottom, or wrapped around a row's end), which must read zero. So a packed
// row is nr contiguous floats of the input, masked. im2col wrote and re-read 9× the input of every
// 3×3 convolution (a fifth of resnet18's time, half of cifar_resnet<20>'s at batch 1). gemm's
// micro-kernel reads those rows where they lie (tile_reader), except in tiles whose rows would
// reach past x's first or last pixel, which it packs (pack).
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
// gemm reads it where it is through a reader when A's rows are whole panels, else packs it (pack).
template <class Arch>
struct same_patches {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;
  static constexpr std::size_t max_taps = same_patches_max_kernel * same_patches_max_kernel;

  const reference::window_geometry& g;
  const float* x;

  // Rows of B over columns [j, j + cols), cols ≤ nr: row (c, tap) is nr floats of x from
  // x + c·plane + offset[tap] on, masked by valid[tap]. Which taps read inside the image for output
  // pixel j + i are bit masks (all ones or zero): window row ky where rows_ok[ky], window column kx
  // where columns_ok[kx] (zero too for the lanes past cols). A value of B is then
  // input & (rows_ok[ky] & columns_ok[kx]): zero, NaN or not, where the tap reads padding or wraps
  // around a row. Built once per tile as vector compares (a scalar loop over the lanes and taps
  // was a tenth of cifar_resnet<20>'s time).
  struct reader {
    const float* x;
    std::size_t plane, taps;
    bool inside;  // every row's vectors over cols lie inside x (not so near its first and last pixels)
    std::array<long, max_taps> offset;
    alignas(64) float valid[max_taps][nr];

    reader(const reference::window_geometry& g, const float* x_, std::size_t j, std::size_t cols)
        : x(x_), plane(g.in_height * g.in_width), taps(g.kernel * g.kernel) {
      const std::size_t width = g.in_width;
      const long pad = static_cast<long>(g.padding), w = static_cast<long>(width);
      // Each lane's output row and column (as floats: exact, and compared as vectors), the lanes
      // past cols on a row no tap reaches.
      alignas(64) float row_of[nr], column_of[nr];
      std::size_t row = j / width, column = j % width;
      for (std::size_t i = 0; i < nr; ++i) {
        row_of[i] = i < cols ? static_cast<float>(row) : -1e9f;
        column_of[i] = static_cast<float>(column);
        if (++column == width) column = 0, ++row;
      }
      const batch all_ones(std::bit_cast<float>(~std::uint32_t{0})), zero(0.0f);
      const batch height(static_cast<float>(g.in_height)), row_length(static_cast<float>(width));
      for (std::size_t v = 0; v < nr; v += lanes) {
        const batch out_row = batch::load_aligned(row_of + v),
                    out_column = batch::load_aligned(column_of + v);
        std::array<xsimd::batch_bool<float, Arch>, same_patches_max_kernel> rows_ok, columns_ok;
        for (std::size_t k = 0; k < g.kernel; ++k) {
          const batch shift(static_cast<float>(static_cast<long>(k) - pad));
          const batch iy = out_row + shift, ix = out_column + shift;
          rows_ok[k] = (iy >= zero) & (iy < height);
          columns_ok[k] = (ix >= zero) & (ix < row_length);
        }
        for (std::size_t t = 0; t < taps; ++t)
          xsimd::select(rows_ok[t / g.kernel] & columns_ok[t % g.kernel], all_ones, zero)
              .store_aligned(valid[t] + v);
      }
      for (std::size_t t = 0; t < taps; ++t) {
        const long ky = static_cast<long>(t / g.kernel), kx = static_cast<long>(t % g.kernel);
        offset[t] = static_cast<long>(j) + (ky - pad) * w + (kx - pad);
      }
      const long reach = pad * w + pad;                             // the farthest any tap reads from pixel j
      const std::size_t read = (cols + lanes - 1) / lanes * lanes;  // floats the micro-kernel loads
      inside = static_cast<long>(j) - reach >= 0 &&
               static_cast<long>((g.in_channels - 1) * plane + j + read) + reach <=
                   static_cast<long>(g.in_channels * plane);
    }

    // Walks B's rows from row k: vectors of row k (load), then the next row (next). Row k starts
    // at x[first], where first < 0 or first + nr > C·plane only near x's ends (not when inside).
    struct cursor {
      const reader& r;
      std::size_t t;
      long channel, first;
      const float* mask;
      cursor(const reader& r_, std::size_t k)
          : r(r_),
            t(k % r_.taps),
            channel(static_cast<long>(k / r_.taps * r_.plane)),
            first(channel + r_.offset[t]),
            mask(r_.valid[t]) {}
      [[gnu::always_inline]] batch load(std::size_t v) const {
        return batch::load_unaligned(r.x + first + static_cast<long>(v * lanes)) &
               batch::load_aligned(mask + v * lanes);
      }
      [[gnu::always_inline]] void next() {
        if (++t == r.taps) t = 0, channel += static_cast<long>(r.plane);
        first = channel + r.offset[t];
        mask = r.valid[t];
      }
    };
  };

  reader tile_reader(std::size_t j, std::size_t cols) const { return reader(g, x, j, cols); }

  // Rows [k0, k0 + kc) of columns [j, j + cols), packed in rows of nr floats.
  void pack(std::size_t k0, std::size_t kc, std::size_t j, std::size_t cols, float* out) const {
    const reader r(g, x, j, cols);
    const long size = static_cast<long>(g.in_channels * r.plane);
    typename reader::cursor at(r, k0);
    for (std::size_t kk = 0; kk < kc; ++kk, out += nr, at.next()) {
      if (at.first >= 0 && at.first + static_cast<long>(nr) <= size) {
        for (std::size_t v = 0; v < nr / lanes; ++v) at.load(v).store_aligned(out + v * lanes);
      } else {
        // Near the ends of x: read only the valid lanes, which lie inside plane c.
        for (std::size_t i = 0; i < nr; ++i)
          out[i] = std::bit_cast<std::uint32_t>(at.mask[i]) != 0 ? x[at.first + static_cast<long>(i)] : 0.0f;
      }
    }
  }
};

}  // namespace ctnet::simd
