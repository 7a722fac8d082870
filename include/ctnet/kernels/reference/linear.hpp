// y = W x + b for each sample; W is [out][in] as in PyTorch.
#pragma once
#include <cstddef>

namespace ctnet::reference {

inline void linear(std::size_t in, std::size_t out, const float* weight, const float* bias, const float* x,
                   float* y, std::size_t batch) {
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t o = 0; o < out; ++o) {
      double sum = bias ? bias[o] : 0.0;
      for (std::size_t i = 0; i < in; ++i) sum += static_cast<double>(weight[o * in + i]) * x[n * in + i];
      y[n * out + o] = static_cast<float>(sum);
    }
  }
}

}  // namespace ctnet::reference
