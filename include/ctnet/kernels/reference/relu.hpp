// max(x, 0), elementwise. NaN stays NaN, as in PyTorch: the oracle must not hide bad values.
#pragma once
#include <cstddef>

namespace ctnet::reference {

inline void relu(const float* x, float* y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

}  // namespace ctnet::reference
