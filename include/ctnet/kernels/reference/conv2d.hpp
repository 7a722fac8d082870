// Direct convolution, NCHW input, OIHW weights (PyTorch's layouts), zero padding.
#pragma once
#include <cstddef>
#include <vector>

#include "geometry.hpp"

namespace ctnet::reference {

// bias may be null. Accumulates in double: the oracle should not share the fast kernels' rounding.
// Loops run weight by weight over whole output rows, which keeps the innermost loop free of
// branches and the oracle fast enough to check a ResNet-50 in seconds.
inline void conv2d(const window_geometry& g, const float* weight, const float* bias, const float* x, float* y,
                   std::size_t batch) {
  const long pad = static_cast<long>(g.padding);
  const long in_h = static_cast<long>(g.in_height), in_w = static_cast<long>(g.in_width);
  const long stride = static_cast<long>(g.stride);
  std::vector<double> sum(g.out_height * g.out_width);
  for (std::size_t n = 0; n < batch; ++n) {
    const float* image = x + n * g.in_size();
    float* result = y + n * g.out_size();
    for (std::size_t o = 0; o < g.out_channels; ++o) {
      for (double& s : sum) s = bias ? bias[o] : 0.0;
      for (std::size_t c = 0; c < g.in_channels; ++c) {
        const float* plane = image + c * g.in_height * g.in_width;
        for (std::size_t ky = 0; ky < g.kernel; ++ky) {
          for (std::size_t kx = 0; kx < g.kernel; ++kx) {
            const double w = weight[((o * g.in_channels + c) * g.kernel + ky) * g.kernel + kx];
            // Output columns whose input column ox·stride + kx − pad lies inside the image.
            const long shift = static_cast<long>(kx) - pad;
            long first = 0, last = static_cast<long>(g.out_width);  // [first, last)
            while (first < last && first * stride + shift < 0) ++first;
            while (last > first && (last - 1) * stride + shift >= in_w) --last;
            for (std::size_t oy = 0; oy < g.out_height; ++oy) {
              const long iy = static_cast<long>(oy) * stride + static_cast<long>(ky) - pad;
              if (iy < 0 || iy >= in_h) continue;
              const float* row = plane + iy * in_w;
              double* out = sum.data() + oy * g.out_width;
              for (long ox = first; ox < last; ++ox) out[ox] += w * row[ox * stride + shift];
            }
          }
        }
      }
      for (std::size_t i = 0; i < sum.size(); ++i) result[o * sum.size() + i] = static_cast<float>(sum[i]);
    }
  }
}

}  // namespace ctnet::reference
