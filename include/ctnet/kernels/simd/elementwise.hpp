// Elementwise kernels over xsimd's batch<float, Arch>: relu, the residual join relu(a + b), and
// inference batch norm as a per-channel y = x·scale + shift (scale and shift folded once, at
// packing, from gamma, beta and the running statistics). NCHW: a channel's plane is contiguous.
//
// relu is x < 0 ? 0 : x, as the oracle writes it, so NaN stays NaN and -0 stays -0 (xsimd::max
// would return its second operand, 0, for a NaN on x86). Vector bodies and scalar tails compute
// the same correctly rounded operations (a compare and select, one addition), so those two are
// bit-identical however the work is split. batch_norm's fma may round differently from the scalar
// tail's: there the split is by whole planes, so an element's path depends only on its place in
// its plane.
#pragma once
#include <cmath>
#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "../reference/batch_norm.hpp"
#include "fused_multiply_add.hpp"
#include "split.hpp"

namespace ctnet::simd {

template <class Arch>
struct elementwise {
  using batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t lanes = batch::size;

  static batch relu(const batch& v) { return xsimd::select(v < batch(0.0f), batch(0.0f), v); }
  static float relu(float v) { return v < 0.0f ? 0.0f : v; }

  // The end of the whole vectors in [begin, end). Loops bounded by it, not by i + lanes <= end: with
  // a constant count (a layer's run called directly), g++ 12 warned that the scalar tail after such a
  // loop "invokes undefined behavior" at iteration 2^62 (an error under -Werror, even at -O2).
  static std::size_t vectors_end(std::size_t begin, std::size_t end) {
    return begin + (end - begin) / lanes * lanes;
  }

  // y = relu(x) over count floats; y may be x.
  static void relu(const float* x, float* y, std::size_t count) {
    split(count, 1, lanes, [&](std::size_t begin, std::size_t end) {
      const std::size_t whole = vectors_end(begin, end);
      for (std::size_t i = begin; i < whole; i += lanes)
        relu(batch::load_unaligned(x + i)).store_unaligned(y + i);
      for (std::size_t i = whole; i < end; ++i) y[i] = relu(x[i]);
    });
  }

  // y = relu(a + b) over count floats; y may be a or b (the residual join, b the shortcut).
  static void add_relu(const float* a, const float* b, float* y, std::size_t count) {
    split(count, 2, lanes, [&](std::size_t begin, std::size_t end) {
      const std::size_t whole = vectors_end(begin, end);
      for (std::size_t i = begin; i < whole; i += lanes)
        relu(batch::load_unaligned(a + i) + batch::load_unaligned(b + i)).store_unaligned(y + i);
      for (std::size_t i = whole; i < end; ++i) y[i] = relu(a[i] + b[i]);
    });
  }

  // Folds inference batch norm into scale[c] = gamma / sqrt(var + eps), shift[c] = beta - mean·scale,
  // in double as the oracle computes them, rounded once to float.
  static void fold_batch_norm(std::size_t channels, const float* gamma, const float* beta, const float* mean,
                              const float* var, float* scale, float* shift) {
    for (std::size_t c = 0; c < channels; ++c) {
      const double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + reference::batch_norm_epsilon);
      scale[c] = static_cast<float>(s);
      shift[c] = static_cast<float>(beta[c] - mean[c] * s);
    }
  }

  // y = x·scale[c] + shift[c] for n samples of Channels planes of Plane floats; y may be x.
  template <std::size_t Channels, std::size_t Plane>
  static void batch_norm(const float* scale, const float* shift, const float* x, float* y, std::size_t n) {
    if constexpr (Plane == 1) {
      // A vector (BatchNorm1d): the channels themselves are contiguous, so vectors run across them.
      split(n, Channels, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t s = begin; s < end; ++s) {
          const float* in = x + s * Channels;
          float* out = y + s * Channels;
          std::size_t c = 0;
          for (; c + lanes <= Channels; c += lanes)
            fused_multiply_add(batch::load_unaligned(in + c), batch::load_unaligned(scale + c),
                               batch::load_unaligned(shift + c))
                .store_unaligned(out + c);
          if constexpr (Channels % lanes != 0)
            for (; c < Channels; ++c) out[c] = in[c] * scale[c] + shift[c];
        }
      });
    } else {
      split(n * Channels, Plane, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t p = begin; p < end; ++p) {
          const std::size_t c = p % Channels;
          const float* in = x + p * Plane;
          float* out = y + p * Plane;
          const batch sv(scale[c]), hv(shift[c]);
          std::size_t i = 0;
          for (; i + lanes <= Plane; i += lanes)
            fused_multiply_add(batch::load_unaligned(in + i), sv, hv).store_unaligned(out + i);
          // (Only where there is a tail: g++ 12 warned of undefined behaviour in the empty loop.)
          if constexpr (Plane % lanes != 0)
            for (; i < Plane; ++i) out[i] = in[i] * scale[c] + shift[c];
        }
      });
    }
  }
};

}  // namespace ctnet::simd
