// Batch normalisation in inference mode: running statistics, not the batch's.
#pragma once
#include <cmath>
#include <cstddef>

namespace ctnet::reference {

inline constexpr float batch_norm_epsilon = 1e-5f;  // PyTorch's default

// plane: H*W values per channel (1 for a vector).
inline void batch_norm(std::size_t channels, std::size_t plane, const float* gamma, const float* beta,
                       const float* mean, const float* var, const float* x, float* y, std::size_t batch) {
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t c = 0; c < channels; ++c) {
      const double scale = gamma[c] / std::sqrt(static_cast<double>(var[c]) + batch_norm_epsilon);
      const double shift = beta[c] - mean[c] * scale;
      const std::size_t base = (n * channels + c) * plane;
      for (std::size_t i = 0; i < plane; ++i) y[base + i] = static_cast<float>(x[base + i] * scale + shift);
    }
  }
}

}  // namespace ctnet::reference
