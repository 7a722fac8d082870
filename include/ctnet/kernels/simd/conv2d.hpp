// Convolution as one matrix product per image: packed weights [O][C·K·K] × input patches
// [C·K·K][OH·OW] (the input itself for a 1×1 stride-1 convolution; read in place as masked rows of
// the input for a stride-1 "same" one and of the input split into phases for a strided one whose
// output covers it; gathered for any other window up to 7×7; im2col beyond),
// with bias, residual and relu in the product's epilogue. 3×3 stride-1 "same" convolutions with
// enough channels and pixels run as Winograd's F(4×4, 3×3) instead: 36 smaller products
// (winograd.hpp).
#pragma once
#include <cstddef>

#include "../../graph/node.hpp"
#include "../../runtime/threads.hpp"
#include "../reference/geometry.hpp"
#include "gathered_patches.hpp"
#include "gemm.hpp"
#include "im2col.hpp"
#include "product_partition.hpp"
#include "same_patches.hpp"
#include "tap_planes.hpp"
#include "winograd.hpp"

namespace ctnet::simd {

// Scratch floats per image of the fast kernel: im2col's patch matrix, the input's phases or
// Winograd's V and M (a convolution needs one of them or none).
constexpr std::size_t conv2d_scratch_floats(const reference::window_geometry& g) {
  return im2col_floats(g) + phase_planes_floats(g) + winograd_scratch_floats(g);
}

template <class Arch>
struct conv2d {
  using product = gemm<Arch>;

  static constexpr std::size_t reduction(const reference::window_geometry& g) {
    return g.in_channels * g.kernel * g.kernel;
  }
  // Floats of the packed weights, rounded up so that what follows stays 64-byte aligned.
  static constexpr std::size_t packed_weight_floats(const reference::window_geometry& g) {
    if (uses_winograd(g)) return winograd<Arch>::packed_floats(g);
    return round_up(product::packed_size(g.out_channels, reduction(g)), tensor_alignment_floats);
  }
  // PyTorch's OIHW weights are already the row-major [O][C·K·K] matrix the product wants.
  static void pack(const reference::window_geometry& g, const float* weight, float* packed) {
    if (uses_winograd(g)) return winograd<Arch>::pack(g, weight, packed);
    product::pack_a(weight, reduction(g), g.out_channels, reduction(g), packed);
  }
  // Multiplies output channel o's weights by scale[o] (batch norm folded in), packed as they are.
  static void scale_packed(const reference::window_geometry& g, float* packed, const float* scale) {
    if (uses_winograd(g)) return winograd<Arch>::scale_packed_rows(g, packed, scale);
    product::scale_packed_rows(packed, g.out_channels, reduction(g), scale);
  }

  // x: n images; y: n outputs; scratch: n × conv2d_scratch_floats(g) floats (the direct product
  // uses min(n, threads) images' worth, Winograd's workers share out all of it). Winograd runs the
  // whole batch at once, its blocks of tiles shared out among the threads. Otherwise a batch of
  // several images per thread is shared out by images, each thread running whole convolutions (no
  // hand-over between threads inside one); a smaller batch, image by image, each product by parts
  // (product_partition).
  static void run(const reference::window_geometry& g, const float* packed, const float* x, float* y,
                  float* scratch, std::size_t n, const epilogue& e) {
    auto& pool = threads();
    if (uses_winograd(g)) return winograd<Arch>::run(g, packed, x, y, n, scratch, e, pool);
    if (n >= 2 * pool.concurrency() && pool.concurrency() > 1) {
      // Thread slot s takes images s, s + T, s + 2T, ... and reuses one patch matrix, which stays
      // in its core's cache (one per image, 75 MB for a CIFAR batch of 128, halved the speed).
      const std::size_t slots = pool.concurrency();
      pool.parallel_for(slots, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t slot = begin; slot < end; ++slot)
          for (std::size_t image = slot; image < n; image += slots)
            one_image(g, packed, x, y, scratch + slot * conv2d_scratch_floats(g), image, e, 1);
      });
      return;
    }
    for (std::size_t image = 0; image < n; ++image)
      one_image(g, packed, x, y, scratch, image, e, pool.concurrency());
  }

 private:
  // Image `image` of the batch, shared among `sharers` threads of the pool (1: this thread alone).
  static void one_image(const reference::window_geometry& g, const float* packed, const float* x, float* y,
                        float* scratch, std::size_t image, const epilogue& e, std::size_t sharers) {
    const auto share = [&](std::size_t count, std::size_t grain, auto&& f) {
      if (sharers > 1)
        threads().parallel_for(count, grain, f);
      else if (count > 0)
        f(std::size_t{0}, count);
    };
    const std::size_t columns = g.out_height * g.out_width, k = reduction(g);
    const float* in = x + image * g.in_size();
    float* out = y + image * g.out_size();
    epilogue at = e;
    if (at.residual) at.residual += image * g.out_size();
    // Column bands end on whole micro-kernel tiles (nr) where B is a matrix, so that no band packs
    // a short one, and on whole vectors where B is same_patches, whose short tiles cost nothing
    // extra, read in place or packed (its pack loads every tile as nr masked floats): on tiles,
    // cifar_resnet<20>'s 16×16 layers split 96 against 160 columns (on vectors 128 and 128: the
    // whole net at batch 1 ran 1.07× faster; resnet18 and resnet50 within noise).
    const auto product_of = [&](const auto& patches, std::size_t column_multiple) {
      const auto parts =
          product_partition::for_threads(g.out_channels, columns, product::mr, column_multiple, sharers);
      share(parts.count(), 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
          parts.for_each_block(i, [&](const product_partition::block& b) {
            product::multiply_rows(b.row_begin, b.row_end, k, packed, patches, out, columns, b.column_begin,
                                   b.column_end, at);
          });
      });
    };
    if (reads_input_directly(g)) return product_of(matrix_operand{in, columns}, product::nr);
    if (reads_same_patches(g)) return product_of(same_patches<Arch>{g, in}, product::lanes);
    if (reads_phase_planes(g)) {
      float* phases = scratch + phase_margin(g);
      share(g.in_channels, 1 + g.in_channels / (4 * sharers),
            [&](std::size_t begin, std::size_t end) { split_phases<Arch>(g, in, phases, begin, end); });
      return product_of(same_patches<Arch>{g, phases, phase_margin(g)}, product::lanes);
    }
    if (packs_patches_from_input(g)) return product_of(gathered_patches<Arch>{g, in}, product::nr);
    share(k, 1 + k / (4 * sharers),
          [&](std::size_t begin, std::size_t end) { im2col<Arch>(g, in, scratch, begin, end); });
    product_of(matrix_operand{scratch, columns}, product::nr);
  }
};

}  // namespace ctnet::simd
