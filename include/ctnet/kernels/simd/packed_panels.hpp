// Weights used as a product's B, packed once as gemm<Arch> packs B on every call: micro-panel after
// micro-panel, each K rows of nr floats ([⌈N / nr⌉][K][nr], zero past N). Each micro-panel is then a
// K × nr matrix whose rows lie back to back, which gemm reads in place (as it reads Winograd's V).
// A linear layer's Wᵀ read as one matrix had each tile's K rows a few floats from another page
// (resnet50's head, 2048 → 1000 at batch 1: 0.66-0.79 ms inside the pass, ONNX Runtime's 0.37);
// packed and copied a tile at a time, 0.43-0.56 ms; read in place, 0.45 where the copy took 0.54.
#pragma once
#include <algorithm>
#include <cstddef>

#include "gemm.hpp"

namespace ctnet::simd {

template <class Arch>
struct packed_panels {
  static constexpr std::size_t nr = gemm_tiling<Arch>::nr;

  static constexpr std::size_t floats(std::size_t k, std::size_t n) { return (n + nr - 1) / nr * nr * k; }

  // B = Wᵀ, from W's N rows of K floats (PyTorch's [out][in] for a linear layer), into floats(k, n).
  static void pack_transposed(const float* w, std::size_t k, std::size_t n, float* out) {
    std::fill_n(out, floats(k, n), 0.0f);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t kk = 0; kk < k; ++kk) out[j / nr * nr * k + kk * nr + j % nr] = w[j * k + kk];
  }

  // The micro-panel of columns [j, j + nr), j a multiple of nr: K rows, nr floats apart.
  static const float* panel(const float* packed, std::size_t k, std::size_t j) { return packed + j * k; }

  // C[0, M)[begin, end) = A · B, then the epilogue (gemm<Arch>::multiply's), B these panels and begin
  // a multiple of nr: micro-panel by micro-panel, each read in place as a K × nr matrix.
  static void multiply(std::size_t m, std::size_t k, const float* packed_a, const float* packed, float* c,
                       std::size_t ldc, std::size_t begin, std::size_t end, const epilogue& e) {
    for (std::size_t j = begin; j < end; j += nr) {
      epilogue at = e;
      if (at.residual) at.residual += j;
      gemm<Arch>::multiply(m, k, packed_a, panel(packed, k, j), nr, c + j, ldc, 0, std::min(nr, end - j), at);
    }
  }
};

}  // namespace ctnet::simd
