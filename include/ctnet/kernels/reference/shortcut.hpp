// The residual join y = relu(body + shortcut) and option A's parameter-free shortcut.
#pragma once
#include <cstddef>

#include "geometry.hpp"

namespace ctnet::reference {

// y holds the shortcut on entry and the block's output on return. NaN propagates.
inline void add_relu(const float* body, float* y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const float sum = body[i] + y[i];
    y[i] = sum < 0.0f ? 0.0f : sum;
  }
}

enum class spatial_reduction { subsample, average };

// Option A: reduce H and W by `stride` (take every stride-th pixel, or average stride×stride
// windows), then place the input channels at `first_channel` among out_channels, zeros elsewhere.
inline void zero_pad_shortcut(const window_geometry& g, spatial_reduction reduction, std::size_t first_channel,
                              const float* x, float* y, std::size_t batch) {
  for (std::size_t n = 0; n < batch; ++n) {
    const float* image = x + n * g.in_size();
    float* result = y + n * g.out_size();
    for (std::size_t i = 0; i < g.out_size(); ++i) result[i] = 0.0f;
    for (std::size_t c = 0; c < g.in_channels; ++c) {
      const float* plane = image + c * g.in_height * g.in_width;
      float* out = result + (first_channel + c) * g.out_height * g.out_width;
      for (std::size_t oy = 0; oy < g.out_height; ++oy) {
        for (std::size_t ox = 0; ox < g.out_width; ++ox) {
          if (reduction == spatial_reduction::subsample) {
            out[oy * g.out_width + ox] = plane[oy * g.stride * g.in_width + ox * g.stride];
            continue;
          }
          double sum = 0.0;
          std::size_t seen = 0;
          for (std::size_t dy = 0; dy < g.stride; ++dy) {
            for (std::size_t dx = 0; dx < g.stride; ++dx) {
              const std::size_t iy = oy * g.stride + dy, ix = ox * g.stride + dx;
              if (iy >= g.in_height || ix >= g.in_width) continue;
              sum += plane[iy * g.in_width + ix];
              ++seen;
            }
          }
          out[oy * g.out_width + ox] = static_cast<float>(sum / static_cast<double>(seen));
        }
      }
    }
  }
}

}  // namespace ctnet::reference
