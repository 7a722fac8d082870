// Max and average pooling over square windows, and the global average over each channel.
#pragma once
#include <cstddef>
#include <limits>

#include "geometry.hpp"

namespace ctnet::reference {

enum class pooling { max, average };

// Padding counts as -inf for max and as 0 for average, and the average divides by the whole
// window, padding included: PyTorch's defaults (count_include_pad=True).
inline void pool2d(pooling kind, const window_geometry& g, const float* x, float* y, std::size_t batch) {
  const long pad = static_cast<long>(g.padding);
  const long in_h = static_cast<long>(g.in_height), in_w = static_cast<long>(g.in_width);
  const std::size_t planes = batch * g.in_channels;
  for (std::size_t p = 0; p < planes; ++p) {
    const float* plane = x + p * g.in_height * g.in_width;
    float* result = y + p * g.out_height * g.out_width;
    for (std::size_t oy = 0; oy < g.out_height; ++oy) {
      for (std::size_t ox = 0; ox < g.out_width; ++ox) {
        double sum = 0.0;
        float largest = -std::numeric_limits<float>::infinity();
        for (std::size_t ky = 0; ky < g.kernel; ++ky) {
          const long iy = static_cast<long>(oy * g.stride + ky) - pad;
          if (iy < 0 || iy >= in_h) continue;
          for (std::size_t kx = 0; kx < g.kernel; ++kx) {
            const long ix = static_cast<long>(ox * g.stride + kx) - pad;
            if (ix < 0 || ix >= in_w) continue;
            const float v = plane[iy * in_w + ix];
            sum += v;
            largest = (v > largest || v != v) && largest == largest ? v : largest;  // NaN wins, as in PyTorch
          }
        }
        result[oy * g.out_width + ox] =
            kind == pooling::max ? largest : static_cast<float>(sum / static_cast<double>(g.kernel * g.kernel));
      }
    }
  }
}

// planes = batch * channels; each plane of `area` values becomes its mean.
inline void global_avg_pool(std::size_t planes, std::size_t area, const float* x, float* y) {
  for (std::size_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (std::size_t i = 0; i < area; ++i) sum += x[p * area + i];
    y[p] = static_cast<float>(sum / static_cast<double>(area));
  }
}

}  // namespace ctnet::reference
