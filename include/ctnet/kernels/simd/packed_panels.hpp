// A right-hand operand packed once, as gemm<Arch> packs B on every call: micro-panel after
// micro-panel, each K rows of nr floats ([⌈N / nr⌉][K][nr], zero past N). For weights used as B (a
// linear layer's Wᵀ), packed when the model is: each tile's copy is then one contiguous run. Read
// from Wᵀ as a matrix, each of a tile's K rows was a few floats from another page (resnet50's head,
// 2048 → 1000 at batch 1, took 0.94 ms inside the pass, where ONNX Runtime's took 0.37).
#pragma once
#include <algorithm>
#include <cstddef>

#include "gemm.hpp"

namespace ctnet::simd {

template <class Arch>
struct packed_panels {
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;

  const float* data;  // as pack_transposed wrote it
  std::size_t k;      // rows of B

  static constexpr std::size_t floats(std::size_t k, std::size_t n) { return (n + nr - 1) / nr * nr * k; }

  // B = Wᵀ, from W's N rows of K floats (PyTorch's [out][in] for a linear layer), into floats(k, n).
  static void pack_transposed(const float* w, std::size_t k, std::size_t n, float* out) {
    std::fill_n(out, floats(k, n), 0.0f);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t kk = 0; kk < k; ++kk) out[j / nr * nr * k + kk * nr + j % nr] = w[j * k + kk];
  }

  // gemm's operand interface: rows [k0, k0 + kc) of columns [j, j + cols), cols ≤ nr, as kc rows of
  // nr floats, zero past cols. A tile starting on a micro-panel (every tile, where the callers' column
  // ranges start on multiples of nr) is a copy of kc·nr floats in a row; any other, float by float.
  void pack(std::size_t k0, std::size_t kc, std::size_t j, std::size_t cols, float* out) const {
    if (j % nr == 0) {
      std::copy_n(data + j * k + k0 * nr, kc * nr, out);
      if (cols < nr)
        for (std::size_t kk = 0; kk < kc; ++kk) std::fill(out + kk * nr + cols, out + (kk + 1) * nr, 0.0f);
      return;
    }
    for (std::size_t kk = 0; kk < kc; ++kk)
      for (std::size_t i = 0; i < nr; ++i) {
        const std::size_t column = j + i;
        out[kk * nr + i] = i < cols ? data[column / nr * nr * k + (k0 + kk) * nr + column % nr] : 0.0f;
      }
  }
};

}  // namespace ctnet::simd
