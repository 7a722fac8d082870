// A fully connected layer as one matrix product per batch: Y[N][Out] = X[N][In] · Wᵀ[In][Out] + b.
// Samples are the product's rows, so X is packed as gemm's A on each call (N·In floats, small
// beside the weights), and Wᵀ — transposed and packed in micro-panels once, at packing
// (packed_panels.hpp) — is its B, read in place one micro-panel at a time. The bias
// goes in through the epilogue's residual with a row stride of 0: residual[row·0 + col] = b[col].
// Output columns are shared among threads; gemm makes every element's sum the same whatever
// the split.
#pragma once
#include <algorithm>
#include <cstddef>

#include "../../graph/node.hpp"
#include "../../runtime/threads.hpp"
#include "gemm.hpp"
#include "packed_panels.hpp"

namespace ctnet::simd {

// Scratch floats per sample that linear<Arch>::run needs: the packed samples take ⌈N / mr⌉·mr·In
// floats, at most N·mr·In, and no architecture's micro-kernel has more than this many rows.
inline constexpr std::size_t linear_rows_bound = 8;

template <class Arch>
struct linear {
  using product = gemm<Arch>;
  using weights = packed_panels<Arch>;
  static_assert(product::mr <= linear_rows_bound, "linear: raise linear_rows_bound to gemm's mr");

  // Wᵀ in micro-panels, then the bias, each 64-byte aligned.
  static constexpr std::size_t transposed_floats(std::size_t in, std::size_t out) {
    return round_up(weights::floats(in, out), tensor_alignment_floats);
  }
  static constexpr std::size_t packed_floats(std::size_t in, std::size_t out) {
    return transposed_floats(in, out) + round_up(out, tensor_alignment_floats);
  }
  static void pack(std::size_t in, std::size_t out, const float* weight, const float* bias, float* packed) {
    weights::pack_transposed(weight, in, out, packed);
    std::copy_n(bias, out, packed + transposed_floats(in, out));
  }

  // x: n samples of `in`; y: n of `out`; scratch: n · linear_rows_bound · in floats.
  static void run(std::size_t in, std::size_t out, const float* packed, const float* x, float* y,
                  float* scratch, std::size_t n) {
    product::pack_a(x, in, n, in, scratch);
    epilogue bias;
    bias.residual = packed + transposed_floats(in, out);
    bias.ld_residual = 0;
    auto& pool = threads();
    // Column chunks of a multiple of nr keep every thread's tiles whole, whole micro-panels of the
    // packed weights; the pool only pays for itself on a large product.
    const std::size_t grain = n * in * out < (std::size_t{1} << 18)
                                  ? out
                                  : round_up(1 + out / (2 * pool.concurrency()), product::nr);
    pool.parallel_for(out, grain, [&](std::size_t begin, std::size_t end) {
      weights::multiply(n, in, scratch, packed, y, out, begin, end, bias);
    });
  }
};

}  // namespace ctnet::simd
