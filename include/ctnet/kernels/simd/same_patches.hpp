// The patches of a convolution read in place from its tap planes (tap_planes.hpp): the input of a
// "same" one (stride 1, output as large as the input: a 3×3 window with padding 1, 5×5 with 2, ...),
// the input split into phases for a strided one. The patch row of tap (ky, kx) in channel c, over
// output pixels j, j + 1, ..., is the tap's plane read from element j + offset(ky, kx) on, except
// where the tap falls on padding (off the top or bottom, or wrapped around a row's end), which must
// read zero. So a patch row is nr contiguous floats of a plane, masked. im2col wrote and re-read 9×
// the input of every 3×3 convolution (a fifth of resnet18's time, half of cifar_resnet<20>'s at
// batch 1). gemm's micro-kernel reads those rows where they lie (tile_reader), except in tiles
// whose rows would reach past the planes' ends and margins, which it packs (pack).
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

#include "../reference/geometry.hpp"
#include "gemm.hpp"
#include "load_inside.hpp"
#include "tap_planes.hpp"

namespace ctnet::simd {

// An operand of gemm<Arch>::multiply: B = the patch matrix of one image under geometry g, read
// from its tap planes x (tap_planes.hpp: the input itself, or its phases with `margin` readable
// floats on either side). gemm reads it where it is through a reader when A's rows are whole
// panels, else packs it (pack).
template <class Arch>
struct same_patches {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;
  static constexpr std::size_t max_taps = same_patches_max_kernel * same_patches_max_kernel;

  const reference::window_geometry& g;
  const float* x;
  std::size_t margin;  // floats readable before and after x's planes
  // Worked out once per convolution rather than per tile (divisions by the stride, in every tile,
  // were a sixth of the stem's time): the planes, each window row's (and column's) shift, each
  // tap's offset, and the extremes of those offsets.
  tap_planes planes;
  std::array<float, same_patches_max_kernel> shift;
  std::array<long, max_taps> offset;
  long lowest, highest;

  same_patches(const reference::window_geometry& g_, const float* x_, std::size_t margin_ = 0)
      : g(g_), x(x_), margin(margin_), planes(tap_planes_of(g_)) {
    for (std::size_t k = 0; k < g.kernel; ++k) shift[k] = static_cast<float>(planes.shift(k));
    for (std::size_t ky = 0, t = 0; ky < g.kernel; ++ky)
      for (std::size_t kx = 0; kx < g.kernel; ++kx, ++t) offset[t] = planes.offset(ky, kx);
    const auto taps = offset.begin() + static_cast<long>(g.kernel * g.kernel);
    lowest = *std::min_element(offset.begin(), taps);
    highest = *std::max_element(offset.begin(), taps);
  }

  // Rows of B over columns [j, j + cols), cols ≤ nr: row (c, tap) is nr floats of x from
  // x + c·channel + j + offset[tap] on, masked by valid[tap]. Which taps read inside their plane for
  // output pixel j + i are bit masks (all ones or zero): window row ky where rows_ok[ky], window
  // column kx where columns_ok[kx] (zero too for the lanes past cols). A value of B is then
  // plane value & (rows_ok[ky] & columns_ok[kx]): zero, NaN or not, where the tap reads padding or
  // wraps around a row. Built once per tile as vector compares (a scalar loop over the lanes and
  // taps was a tenth of cifar_resnet<20>'s time).
  struct reader {
    const float* x;
    std::size_t channel, taps;
    bool inside;         // every row's vectors over cols lie inside x and its margins
    long origin;         // j
    const long* offset;  // same_patches::offset, shared by every tile
    alignas(64) float valid[max_taps][nr];

    reader(const same_patches& b, std::size_t j, std::size_t cols)
        : x(b.x),
          channel(b.planes.channel()),
          taps(b.g.kernel * b.g.kernel),
          origin(static_cast<long>(j)),
          offset(b.offset.data()) {
      const std::size_t width = b.planes.width, kernel = b.g.kernel;
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
      const batch height(static_cast<float>(b.planes.height)), row_length(static_cast<float>(width));
      for (std::size_t v = 0; v < nr; v += lanes) {
        const batch out_row = batch::load_aligned(row_of + v),
                    out_column = batch::load_aligned(column_of + v);
        std::array<xsimd::batch_bool<float, Arch>, same_patches_max_kernel> rows_ok, columns_ok;
        for (std::size_t k = 0; k < kernel; ++k) {
          const batch iy = out_row + batch(b.shift[k]), ix = out_column + batch(b.shift[k]);
          rows_ok[k] = (iy >= zero) & (iy < height);
          columns_ok[k] = (ix >= zero) & (ix < row_length);
        }
        for (std::size_t ky = 0, t = 0; ky < kernel; ++ky)
          for (std::size_t kx = 0; kx < kernel; ++kx, ++t)
            xsimd::select(rows_ok[ky] & columns_ok[kx], all_ones, zero).store_aligned(valid[t] + v);
      }
      const long read =
          static_cast<long>((cols + lanes - 1) / lanes * lanes);  // floats the micro-kernel loads
      const long m = static_cast<long>(b.margin), last = static_cast<long>((b.g.in_channels - 1) * channel);
      inside = static_cast<long>(j) + b.lowest >= -m &&
               last + static_cast<long>(j) + b.highest + read <= static_cast<long>(channel) + last + m;
    }

    // Walks B's rows from row k: vectors of row k (load), then the next row (next). Row k starts
    // at x[first], where first < −margin or first + nr > C·channel + margin only near x's ends
    // (not when inside).
    struct cursor {
      const reader& r;
      std::size_t t;
      long channel, first;
      const float* mask;
      cursor(const reader& r_, std::size_t k)
          : r(r_),
            t(k % r_.taps),
            channel(static_cast<long>(k / r_.taps * r_.channel) + r_.origin),  // with the origin folded in
            first(channel + r_.offset[t]),
            mask(r_.valid[t]) {}
      [[gnu::always_inline]] batch load(std::size_t v) const {
        return batch::load_unaligned(r.x + first + static_cast<long>(v * lanes)) &
               batch::load_aligned(mask + v * lanes);
      }
      [[gnu::always_inline]] void next() {
        if (++t == r.taps) t = 0, channel += static_cast<long>(r.channel);
        first = channel + r.offset[t];
        mask = r.valid[t];
      }
    };

    // For a tile that is not inside, where the architecture has masked loads: each vector loaded
    // with its mask, so the lanes on padding, which may lie outside x and its margins, are not read
    // at all. Packing those tiles instead (the first and last of every image, all of an 8×8 one)
    // took a seventh of cifar_resnet<20>'s time at batch 128.
    static constexpr bool loads_masked = has_masked_loads<Arch>;
    struct masked_cursor : cursor {
      using cursor::cursor;
      [[gnu::always_inline]] batch load(std::size_t v) const {
        return load_where<Arch>(address_of(this->r.x, this->first + static_cast<long>(v * lanes)),
                                batch::load_aligned(this->mask + v * lanes));
      }
    };
  };

  reader tile_reader(std::size_t j, std::size_t cols) const { return reader(*this, j, cols); }

  // Rows [k0, k0 + kc) of columns [j, j + cols), packed in rows of nr floats.
  void pack(std::size_t k0, std::size_t kc, std::size_t j, std::size_t cols, float* out) const {
    const reader r(*this, j, cols);
    const long m = static_cast<long>(margin), size = static_cast<long>(g.in_channels * r.channel);
    typename reader::cursor at(r, k0);
    for (std::size_t kk = 0; kk < kc; ++kk, out += nr, at.next()) {
      if (at.first >= -m && at.first + static_cast<long>(nr) <= size + m) {
        for (std::size_t v = 0; v < nr / lanes; ++v) at.load(v).store_aligned(out + v * lanes);
      } else {
        // Near the ends of x: read only the valid lanes, which lie inside a plane.
        for (std::size_t i = 0; i < nr; ++i)
          out[i] = std::bit_cast<std::uint32_t>(at.mask[i]) != 0 ? x[at.first + static_cast<long>(i)] : 0.0f;
      }
    }
  }
};

}  // namespace ctnet::simd
