// Convolution as one matrix product per image: packed weights [O][C·K·K] × input patches
// [C·K·K][OH·OW] (the input itself for a 1×1 stride-1 convolution, im2col otherwise), with bias,
// residual and relu applied in the product's epilogue. Output columns are shared among threads.
#pragma once
#include <cstddef>

#include "../../graph/node.hpp"
#include "../../runtime/threads.hpp"
#include "../reference/geometry.hpp"
#include "gemm.hpp"
#include "im2col.hpp"

namespace ctnet::simd {

template <class Arch>
struct conv2d {
  using product = gemm<Arch>;

  static constexpr std::size_t reduction(const reference::window_geometry& g) {
    return g.in_channels * g.kernel * g.kernel;
  }
  // Floats of the packed weights, rounded up so that what follows stays 64-byte aligned.
  static constexpr std::size_t packed_weight_floats(const reference::window_geometry& g) {
    return round_up(product::packed_size(g.out_channels, reduction(g)), tensor_alignment_floats);
  }
  // PyTorch's OIHW weights are already the row-major [O][C·K·K] matrix the product wants.
  static void pack(const reference::window_geometry& g, const float* weight, float* packed) {
    product::pack_a(weight, reduction(g), g.out_channels, reduction(g), packed);
  }

  // x: n images; y: n outputs; scratch: n × im2col_floats(g) floats. A batch of several images per
  // thread is shared out by images, each thread running whole convolutions (no hand-over between
  // threads inside one); a smaller batch, image by image, by output columns.
  static void run(const reference::window_geometry& g, const float* packed, const float* x, float* y,
                  float* scratch, std::size_t n, const epilogue& e) {
    auto& pool = threads();
    if (n >= 2 * pool.size() && pool.size() > 1) {
      pool.parallel_for(n, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t image = begin; image < end; ++image)
          one_image(g, packed, x, y, scratch + image * im2col_floats(g), image, e,
                    [](std::size_t count, std::size_t, auto&& f) { f(0, count); });
      });
      return;
    }
    for (std::size_t image = 0; image < n; ++image)
      one_image(g, packed, x, y, scratch, image, e, [&](std::size_t count, std::size_t grain, auto&& f) {
        pool.parallel_for(count, grain, f);
      });
  }

 private:
  // Image `image` of the batch; share(count, grain, f) runs f(begin, end) over [0, count), in chunks
  // of about `grain` if it shares the work among threads.
  template <class Share>
  static void one_image(const reference::window_geometry& g, const float* packed, const float* x, float* y,
                        float* scratch, std::size_t image, const epilogue& e, Share&& share) {
    const std::size_t columns = g.out_height * g.out_width, k = reduction(g);
    const float* in = x + image * g.in_size();
    float* out = y + image * g.out_size();
    const float* patches = in;
    if (!reads_input_directly(g)) {
      share(k, 1 + k / (4 * threads().size()),
            [&](std::size_t begin, std::size_t end) { im2col(g, in, scratch, begin, end); });
      patches = scratch;
    }
    epilogue at = e;
    if (at.residual) at.residual += image * g.out_size();
    // Column chunks of a multiple of 64 keep every thread's loads aligned and its tiles whole.
    share(columns, round_up(1 + columns / (2 * threads().size()), 64), [&](std::size_t begin, std::size_t end) {
      product::multiply(g.out_channels, k, packed, patches, columns, out, columns, begin, end, at);
    });
  }
};

}  // namespace ctnet::simd
