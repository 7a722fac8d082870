// Run-time geometry of a sliding-window layer. The reference kernels take their sizes as values,
// not template arguments: they are the oracle, compiled once, and never the reason a build is slow.
#pragma once
#include <cstddef>

namespace ctnet::reference {

struct window_geometry {
  std::size_t in_channels, in_height, in_width;
  std::size_t out_channels, out_height, out_width;
  std::size_t kernel, stride, padding;

  constexpr std::size_t in_size() const { return in_channels * in_height * in_width; }
  constexpr std::size_t out_size() const { return out_channels * out_height * out_width; }
};

}  // namespace ctnet::reference
