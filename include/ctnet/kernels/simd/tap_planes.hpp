// The planes a convolution's patches are read from in place (same_patches.hpp): planes with the
// output's row length, in which output pixel j meets tap (ky, kx) at element j + offset(ky, kx), so
// that a patch row over consecutive output pixels is a contiguous run of a plane, masked where the
// tap falls outside it.
// - A stride-1 "same" convolution reads its input as it is: one plane per channel, the tap's
//   offset (ky − pad)·W + (kx − pad).
// - A strided one whose output covers its input (OW ≥ ⌈W / s⌉, OH ≥ ⌈H / s⌉: ResNet's 7×7 stem and
//   its 3×3 stride-2 downsampling, on odd sizes too; not a 1×1 window) reads a copy of its input split
//   into phases: plane (qy, qx) of channel c holds input pixels (s·i + ry, s·j + rx), i < OH, j < OW,
//   zero past the input, where ry = (qy − pad) mod s. Input row s·oy + ky − pad is then row
//   oy + ⌊(ky − pad) / s⌋ of phase ky mod s, so the strided window becomes a stride-1 one over
//   the phases. Gathering those patches lane by lane took half of the stem's time; the copy costs
//   one pass over the input. Only the phases some tap reads are copied: min(k, s) per axis (fewer
//   than s for a window smaller than its stride).
#pragma once
#include <algorithm>
#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "../../graph/node.hpp"
#include "../reference/geometry.hpp"
#include "even_elements.hpp"

namespace ctnet::simd {

// Windows up to this size (49 taps) keep their masks on the stack in same_patches.hpp.
inline constexpr std::size_t same_patches_max_kernel = 7;

// Whether the patches are read from the input itself: a stride-1 window whose output is as large
// as its input (a 1×1 one is the input itself: reads_input_directly).
constexpr bool reads_same_patches(const reference::window_geometry& g) {
  return g.stride == 1 && g.kernel > 1 && g.kernel <= same_patches_max_kernel &&
         g.out_height == g.in_height && g.out_width == g.in_width;
}

// Whether the patches are read from the input split into phases. Not for a 1×1 window: its one
// phase is the input subsampled, which gathered_patches packs as fast as it is copied (the copy
// made resnet18's 1×1 downsampling 10% slower on two threads).
constexpr bool reads_phase_planes(const reference::window_geometry& g) {
  const std::size_t s = g.stride;
  return s > 1 && g.kernel > 1 && g.kernel <= same_patches_max_kernel && g.out_width * s >= g.in_width &&
         g.out_height * s >= g.in_height;
}

struct tap_planes {
  std::size_t stride, phases, padding;  // phases per axis: 1 for the input itself
  std::size_t height, width;            // of each plane (width: the output's)

  constexpr std::size_t plane() const { return height * width; }
  // Floats between one channel's planes and the next's.
  constexpr std::size_t channel() const { return phases * phases * plane(); }
  // Window row (or column) k reads phase k mod phases, shift(k) rows (columns) from the output pixel's.
  constexpr std::size_t phase(std::size_t k) const { return k % phases; }
  constexpr long shift(std::size_t k) const {
    const long d = static_cast<long>(k) - static_cast<long>(padding), s = static_cast<long>(stride);
    return d >= 0 ? d / s : -((-d + s - 1) / s);
  }
  constexpr long offset(std::size_t ky, std::size_t kx) const {
    return static_cast<long>((phase(ky) * phases + phase(kx)) * plane()) +
           shift(ky) * static_cast<long>(width) + shift(kx);
  }
  // The input row (column) that phase q's row (column) i holds: s·i + (q − pad) mod s.
  constexpr std::size_t source(std::size_t q, std::size_t i) const {
    const std::size_t r = (q + stride - padding % stride) % stride;
    return stride * i + r;
  }
};

constexpr tap_planes tap_planes_of(const reference::window_geometry& g) {
  if (g.stride == 1) return {1, 1, g.padding, g.in_height, g.in_width};
  return {g.stride, std::min(g.kernel, g.stride), g.padding, g.out_height, g.out_width};
}

// Floats readable before and after the phases (zero): a tile's vectors near either end may start
// before the first plane or run past the last, masked; with this margin none reads outside the
// copy, so no tile needs packing. The farthest reach is a few plane rows, plus a micro-panel.
constexpr std::size_t phase_margin(const reference::window_geometry& g) {
  const tap_planes p = tap_planes_of(g);
  const std::size_t reach = static_cast<std::size_t>(std::max(-p.shift(0), p.shift(g.kernel - 1)));
  return round_up((reach + 1) * (p.width + 1) + 4 * tensor_alignment_floats, tensor_alignment_floats);
}

// Scratch floats per image for the phases and their margins; 0 where they are not read.
constexpr std::size_t phase_planes_floats(const reference::window_geometry& g) {
  return reads_phase_planes(g) ? g.in_channels * tap_planes_of(g).channel() + 2 * phase_margin(g) : 0;
}


// Channels [c_begin, c_end) of one image x (C×H×W) into its phases at `phases` (the copy's first
// plane, phase_margin(g) floats into the scratch). The margins are zeroed by whoever copies the
// first or the last channel.
template <class Arch>
void split_phases(const reference::window_geometry& g, const float* x, float* phases, std::size_t c_begin,
                  std::size_t c_end) {
  const tap_planes p = tap_planes_of(g);
  const std::size_t margin = phase_margin(g);
  if (c_begin == 0) std::fill_n(phases - margin, margin, 0.0f);
  if (c_end == g.in_channels) std::fill_n(phases + g.in_channels * p.channel(), margin, 0.0f);
  const std::size_t s = p.stride;
  for (std::size_t c = c_begin; c < c_end; ++c) {
    const float* in = x + c * g.in_height * g.in_width;
    float* out = phases + c * p.channel();
    for (std::size_t qy = 0; qy < p.phases; ++qy)
      for (std::size_t qx = 0; qx < p.phases; ++qx) {
        const std::size_t rx = p.source(qx, 0);
        // Columns j < inside read input column s·j + rx; the rest lie past the input.
        const std::size_t inside = std::min(p.width, g.in_width > rx ? (g.in_width - rx + s - 1) / s : 0);
        for (std::size_t i = 0; i < p.height; ++i, out += p.width) {
          const std::size_t y = p.source(qy, i);
          if (y >= g.in_height) {
            std::fill_n(out, p.width, 0.0f);
            continue;
          }
          const float* row = in + y * g.in_width + rx;
          std::size_t j = 0;
          if (s == 2)  // every ResNet downsampling: whole vectors while their loads stay in the row
            for (constexpr std::size_t lanes = xsimd::batch<float, Arch>::size;
                 2 * (j + lanes) <= g.in_width - rx; j += lanes)
              detail::even_elements<Arch>(row + 2 * j).store_unaligned(out + j);
          for (; j < inside; ++j) out[j] = row[s * j];
          std::fill(out + inside, out + p.width, 0.0f);
        }
      }
  }
}

}  // namespace ctnet::simd
