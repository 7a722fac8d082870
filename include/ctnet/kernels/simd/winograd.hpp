// Winograd's minimal filtering F(m×m, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", CVPR 2016) for 3×3 stride-1 "same" convolutions, most of a ResNet's work.
// An m×m output tile is Aᵀ [U ⊙ V] A, where U = G g Gᵀ is the α×α transform of a 3×3 filter g
// (α = m + 2; computed once, when the weights are packed) and V = Bᵀ d B that of the α×α input
// tile d under the output tile. Summed over input channels, the elementwise products become α²
// independent matrix products, one per point ξ of the transformed tile,
//   M_ξ[K][tiles] = U_ξ[K][C] · V_ξ[C][tiles],
// which gemm<Arch> runs: with m = 4, 4× fewer multiply-adds than the direct convolution, for the
// cost of the transforms and of weights 4× larger (36 floats per filter instead of 9).
//
// The tiles go by blocks of up to 48, each on one thread from start to end: the input transform,
// the α² products, the output transform with bias, residual and relu. An image too small for a
// block per thread is one block whose channels the threads share. The transforms run with one
// tile per lane, so V and M are read and written as whole vectors: contiguous loads of input rows
// are transposed inside 128-bit blocks (no gathers: AVX-512 gathers cost this kernel more than its
// products) and transposed back into output rows.
// Rounding differs from the direct convolution (the transforms add and scale: a few 1e-6 of the
// largest output, measured on ResNet shapes), but every output element goes through the same
// operations whatever the thread count or the batch's grouping.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "../../graph/node.hpp"
#include "../../runtime/threads.hpp"
#include "../reference/geometry.hpp"
#include "elementwise.hpp"
#include "fused_multiply_add.hpp"
#include "gemm.hpp"
#include "load_inside.hpp"

namespace ctnet::simd {

// The constant matrices of F(4×4, 3×3) with interpolation points 0, ±1, ±2 and ∞: Bᵀ (6×6), G (6×3),
// Aᵀ (4×6). F(2×2, 3×3) (4×4 tiles, 2.25× fewer multiplies) was measured no faster than F(4×4) on
// any ResNet layer where either beat the direct convolution.
struct winograd_matrices {
  static constexpr float bt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                     {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr double g[6][3] = {{1.0 / 4, 0, 0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0, 0, 1}};
  static constexpr float at[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

// Whether a convolution runs as F(4×4, 3×3): a 3×3 stride-1 window padded by 1, where it paid.
// ctnet_winograd_bench (batch 1, AVX-512, direct ÷ Winograd time): one thread 2.0× for 64 channels
// at 56×56 and 128 at 28×28, 1.8× for 256 at 14×14, 1.3× for CIFAR's 32 at 16×16; two threads 1.4×
// and 1.5× (resnet layers 1-2: resnet18 1.12×, resnet50 1.06× faster as wholes). A 14×14 image is
// one block of tiles with AVX-512, which one thread ran: inside resnet50's pass, where its
// transformed weights (9.4 MB for 256 channels, 4× the direct ones) come from memory, 1.2× the
// direct convolution's time on two threads; with the block's channels shared (run_shared_block)
// 0.70× (0.77-0.79 ms against 1.13), and whole models 0.94× (resnet50) and 0.91× (resnet18) of their
// time (Intel Xeon, 2 threads, interleaved). With AVX2 kernels (two blocks, one per thread) 0.56×.
// 7×7 images ran 2× slower alone (4 tiles). So: at least 64 channels and 16 tiles, and at most 4M
// floats of transformed weights (resnet layer 4's 512 channels, 9.4M, stay direct: untried).
constexpr bool uses_winograd(const reference::window_geometry& g) {
  const bool eligible = g.kernel == 3 && g.stride == 1 && g.padding == 1 && g.out_height == g.in_height &&
                        g.out_width == g.in_width;
  const std::size_t tiles = (g.out_height + 3) / 4 * ((g.out_width + 3) / 4);
  const std::size_t channels = std::min(g.in_channels, g.out_channels);
  return eligible && channels >= 64 && tiles >= 16 && 36 * g.in_channels * g.out_channels <= (1u << 22);
}

// Scratch floats per image F(4×4, 3×3) needs, whether or not the convolution runs with it: room
// for V and M, α² rows per channel with a column per tile, and a cache line of skew per point (a
// batch's workers share out the room of all its images).
constexpr std::size_t winograd_room(const reference::window_geometry& g) {
  // Columns per image: its tile rows, each rounded up to whole groups (4 tiles at most, with
  // AVX-512), and the last chunk's rounding (at most 16).
  const std::size_t columns = (g.out_height + 3) / 4 * round_up((g.out_width + 3) / 4, 4) + 16;
  return 36 * ((g.in_channels + g.out_channels) * columns + 2 * 16);
}

// The scratch of the convolutions that run as Winograd ones.
constexpr std::size_t winograd_scratch_floats(const reference::window_geometry& g) {
  return uses_winograd(g) ? winograd_room(g) : 0;
}

template <class Arch>
struct winograd {
  using batch = xsimd::batch<float, Arch>;
  using product = gemm<Arch>;
  using matrices = winograd_matrices;
  // Output tiles of M × M pixels, transformed tiles of α × α.
  static constexpr std::size_t M = 4, alpha = M + 2, points = alpha * alpha, lanes = batch::size;
  // tensor_alignment_floats (64 bytes) is also the widest vector's lane count, AVX-512's.
  static_assert(lanes <= tensor_alignment_floats);

  // Packed weights: one packed A (gemm's layout) of U_ξ[K][C] per point ξ, each 64-byte aligned.
  static constexpr std::size_t packed_stride(const reference::window_geometry& g) {
    return round_up(product::packed_size(g.out_channels, g.in_channels), tensor_alignment_floats);
  }
  static constexpr std::size_t packed_floats(const reference::window_geometry& g) {
    return points * packed_stride(g);
  }

  // weight: PyTorch's OIHW 3×3 filters. U = G g Gᵀ in double, then rounded once.
  static void pack(const reference::window_geometry& g, const float* weight, float* packed) {
    const std::size_t outs = g.out_channels, ins = g.in_channels, mr = product::mr;
    std::fill_n(packed, packed_floats(g), 0.0f);
    for (std::size_t o = 0; o < outs; ++o)
      for (std::size_t c = 0; c < ins; ++c) {
        const float* f = weight + (o * ins + c) * 9;
        double gf[alpha][3] = {};  // G g
        for (std::size_t i = 0; i < alpha; ++i)
          for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t t = 0; t < 3; ++t) gf[i][j] += matrices::g[i][t] * f[t * 3 + j];
        for (std::size_t i = 0; i < alpha; ++i)
          for (std::size_t j = 0; j < alpha; ++j) {
            double u = 0;  // (G g Gᵀ)[i][j]
            for (std::size_t t = 0; t < 3; ++t) u += gf[i][t] * matrices::g[j][t];
            // Element (o, c) of the packed A of point (i, j) (gemm::packed_size's layout).
            packed[(i * alpha + j) * packed_stride(g) + o / mr * mr * ins + c * mr + o % mr] =
                static_cast<float>(u);
          }
      }
  }

  static void scale_packed_rows(const reference::window_geometry& g, float* packed, const float* scale) {
    for (std::size_t p = 0; p < points; ++p)
      product::scale_packed_rows(packed + p * packed_stride(g), g.out_channels, g.in_channels, scale);
  }

  // Images [0, count) of x (each C×H×W) into y, with the epilogue (its residual laid out as y);
  // scratch holds count × winograd_room(g) floats. The blocks of tiles are shared out among the
  // pool's threads, or the channels of a single block.
  static void run(const reference::window_geometry& g, const float* packed, const float* x, float* y,
                  std::size_t count, float* scratch, const epilogue& e, thread_pool& pool) {
    const layout l(g, count, pool.concurrency());
    if (l.blocks == 1 && pool.concurrency() > 1)
      return run_shared_block(g, l, packed, x, y, e, scratch, pool);
    // One V and M per worker, reused for each of its blocks (blocks s, s + slots, ...), so that
    // they stay in its core's cache: with a V and M per block, a block's memory went to the other
    // core half the time and two threads ran a resnet layer-1 convolution no faster than one.
    const std::size_t slot_columns = (l.chunks + l.blocks - 1) / l.blocks * lanes;  // the largest block's
    const std::size_t slot_floats = points * ((g.in_channels + g.out_channels) * slot_columns + 2 * skew);
    const std::size_t slots = std::clamp<std::size_t>(count * winograd_room(g) / slot_floats, 1,
                                                      std::min(pool.concurrency(), l.blocks));
    pool.parallel_for(slots, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t slot = begin; slot < end; ++slot)
        for (std::size_t b = slot; b < l.blocks; b += slots)
          run_block(g, l, packed, x, y, e, b, scratch + slot * slot_floats);
    });
  }

  // Columns of the products a block of tiles runs: at most three AVX-512 micro-tiles (gemm's
  // nr = 48), a whole number of vectors on every architecture. Its V and M (36 × (C + K) × 48
  // floats: 0.9 MB for 64 channels) stay in the core's L2 from transform to product to transform;
  // whole-image passes, each over all the tiles, sent 2 MB of V and M through memory per resnet
  // layer-1 convolution and ran no faster on two threads than on one.
  static constexpr std::size_t block_columns = 48;
  static constexpr std::size_t skew = 16;
  static constexpr std::size_t max_block_chunks = block_columns / lanes;
  static_assert(block_columns % lanes == 0);

 private:
  // The columns of V and M. A vector of a row of x holds `group` = lanes / M whole tiles; a
  // transposition inside each 128-bit block (transpose_blocks) turns M such vectors into M vectors
  // with one tile per lane, column j of each tile in vector j. So the tiles go by groups: those
  // of tile columns [g·group, g·group + group) of one tile row of one image, M groups (a chunk)
  // per vector of V's columns, in the order image, tile row, group. Groups past a row's last tile
  // read zeros and are not written back; the last chunk may have fewer than M groups. Chunks go by
  // blocks, each with its V_ξ[C][columns] and M_ξ[K][columns] for all ξ in its worker's slot.
  struct layout {
    std::size_t in_plane, out_plane;
    std::size_t tiles_y, groups_x, groups;  // groups: of all images
    std::size_t chunks;                     // vectors of tiles, M groups each (the last may have fewer)
    // Blocks of at most max_block_chunks chunks, as many as there are workers or a multiple (one
    // layer-1 image has 14 chunks: 5 blocks of up to 3 left one of two threads idle for a fifth of
    // the time), chunks spread evenly.
    std::size_t blocks;
    layout(const reference::window_geometry& g, std::size_t count, std::size_t workers)
        : in_plane(g.in_size()),
          out_plane(g.out_size()),
          tiles_y((g.out_height + M - 1) / M),
          groups_x(((g.out_width + M - 1) / M + group - 1) / group),
          groups(count * tiles_y * groups_x),
          chunks((groups + M - 1) / M),
          blocks(std::min(chunks, round_up((chunks + max_block_chunks - 1) / max_block_chunks,
                                           std::max<std::size_t>(workers, 1)))) {}
    std::size_t first_chunk(std::size_t block) const { return block * chunks / blocks; }
  };

  // Where group gi's tiles lie, worked out once per block (the transforms run once per channel).
  // A group past the last (in a last chunk) reads as rows of padding and is not written back.
  struct group_place {
    std::size_t first_row;  // the tiles' first output row (past the image for no group)
    long column;            // their first output column
    std::size_t in_offset;  // their image's first input pixel
    std::size_t out_start;  // their first output pixel
    std::size_t inside;     // output columns of the group inside the image (0 for no group)
  };
  static group_place place_of(const reference::window_geometry& g, const layout& l, std::size_t gi) {
    if (gi >= l.groups) return {g.in_height + 1, 0, 0, 0, 0};
    const std::size_t image = gi / (l.tiles_y * l.groups_x), row = gi / l.groups_x % l.tiles_y * M,
                      column = gi % l.groups_x * group * M;
    return {row, static_cast<long>(column), image * l.in_plane,
            image * l.out_plane + row * g.out_width + column, std::min(lanes, g.out_width - column)};
  }

  // A block's tiles: where they lie, and its V and M in scratch. V_ξ and M_ξ lie one cache line more
  // than their size apart: at exactly C · columns floats (a multiple of 4 KiB), the 36 vectors a
  // transform reads or writes for one chunk all fell in the same L1 set.
  struct block_work {
    std::array<group_place, max_block_chunks * M> places;
    std::size_t chunks, columns;  // columns: also the block's floats between rows of V and M
    std::size_t v_stride, m_stride;
    float *v, *m;
    block_work(const reference::window_geometry& g, const layout& l, std::size_t b, float* scratch) {
      const std::size_t first = l.first_chunk(b);
      chunks = l.first_chunk(b + 1) - first;
      columns = chunks * lanes;
      for (std::size_t i = 0; i < chunks * M; ++i) places[i] = place_of(g, l, first * M + i);
      v_stride = g.in_channels * columns + skew;
      m_stride = g.out_channels * columns + skew;
      v = scratch;
      m = v + points * v_stride;
    }
  };

  // Block b of the tiles from x into y, its V and M in scratch.
  static void run_block(const reference::window_geometry& g, const layout& l, const float* packed,
                        const float* x, float* y, const epilogue& e, std::size_t b, float* scratch) {
    const block_work w(g, l, b, scratch);
    transform_inputs(g, w, x, 0, g.in_channels);
    multiply_and_transform_outputs(g, w, packed, y, e, 0, g.out_channels);
  }

  // The one block of an image too small for a block per thread (a 14×14 one: 16 tiles, a vector),
  // shared: its input channels among the threads, then its output channels (rows of the products
  // and their output transforms, in bands of whole packed panels). One thread alone ran resnet50's
  // 14×14 layers in 1.2× the direct convolution's time on two threads, inside the pass, where
  // their weights come from memory.
  static void run_shared_block(const reference::window_geometry& g, const layout& l, const float* packed,
                               const float* x, float* y, const epilogue& e, float* scratch,
                               thread_pool& pool) {
    const block_work w(g, l, 0, scratch);
    const std::size_t threads = pool.concurrency();
    pool.parallel_for(g.in_channels, (g.in_channels + threads - 1) / threads,
                      [&](std::size_t begin, std::size_t end) { transform_inputs(g, w, x, begin, end); });
    const std::size_t panels = (g.out_channels + product::mr - 1) / product::mr;
    pool.parallel_for(panels, (panels + threads - 1) / threads, [&](std::size_t begin, std::size_t end) {
      multiply_and_transform_outputs(g, w, packed, y, e, begin * product::mr,
                                     std::min(g.out_channels, end * product::mr));
    });
  }

  // Input channels [begin, end) of x into the block's V.
  static void transform_inputs(const reference::window_geometry& g, const block_work& w, const float* x,
                               std::size_t begin, std::size_t end) {
    const std::size_t plane = g.in_height * g.in_width;
    for (std::size_t c = begin; c < end; ++c)
      transform_input(g, w.places.data(), w.chunks, x + c * plane, c + 1 < end ? plane : 0,
                      w.v + c * w.columns, w.v_stride);
  }

  // Output channels [begin, end) (begin a packed panel's first row): their rows of every M_ξ, then
  // their planes of y.
  static void multiply_and_transform_outputs(const reference::window_geometry& g, const block_work& w,
                                             const float* packed, float* y, const epilogue& e,
                                             std::size_t begin, std::size_t end) {
    for (std::size_t p = 0; p < points; ++p)
      product::multiply_rows(begin, end, g.in_channels, packed + p * packed_stride(g),
                             matrix_operand{w.v + p * w.v_stride, w.columns}, w.m + p * w.m_stride, w.columns,
                             0, w.columns);
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t offset = k * g.out_height * g.out_width;
      transform_output(g, w.places.data(), w.chunks, w.m + k * w.columns, w.m_stride,
                       e.bias ? e.bias[k] : 0.0f, y + offset, e.residual ? e.residual + offset : nullptr,
                       e.relu);
    }
  }

  static constexpr std::size_t group = lanes / M;  // tiles per vector of a row
  static_assert(lanes % M == 0, "the transposition works on 128-bit blocks of four floats");

  // zip_lo / zip_hi of floats (Pairs = false) or of pairs of floats (true), inside 128-bit blocks.
  // For AVX-512 the masked instructions with every lane on: g++ 12 warns (an error under -Werror)
  // that the plain ones read an uninitialized vector once inlined (GCC bug 105593).
  template <bool High, bool Pairs = false>
  [[gnu::always_inline]] static batch zip(const batch& a, const batch& b) {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
      if constexpr (Pairs) {
        const __m512d x = _mm512_castps_pd(a), y = _mm512_castps_pd(b);
        return _mm512_castpd_ps(High ? _mm512_mask_unpackhi_pd(x, 0xff, x, y)
                                     : _mm512_mask_unpacklo_pd(x, 0xff, x, y));
      } else {
        return High ? _mm512_mask_unpackhi_ps(a, 0xffff, a, b) : _mm512_mask_unpacklo_ps(a, 0xffff, a, b);
      }
    }
#endif
    if constexpr (Pairs) {
      using doubles = xsimd::batch<double, Arch>;
      const auto x = xsimd::bitwise_cast<doubles>(a), y = xsimd::bitwise_cast<doubles>(b);
      return xsimd::bitwise_cast<batch>(High ? xsimd::zip_hi(x, y) : xsimd::zip_lo(x, y));
    } else {
      return High ? xsimd::zip_hi(a, b) : xsimd::zip_lo(a, b);
    }
  }

  // The 4×4 transposition inside each 128-bit block of four vectors: out[r] lane 4k + q = in[q] lane
  // 4k + r. Its own inverse. zip_lo and zip_hi interleave inside 128-bit blocks on SSE, AVX, AVX-512
  // and NEON alike.
  [[gnu::always_inline]] static void transpose_blocks(const batch* in, batch* out) {
    const batch t0 = zip<false>(in[0], in[1]), t1 = zip<true>(in[0], in[1]);
    const batch t2 = zip<false>(in[2], in[3]), t3 = zip<true>(in[2], in[3]);
    out[0] = zip<false, true>(t0, t2);
    out[1] = zip<true, true>(t0, t2);
    out[2] = zip<false, true>(t1, t3);
    out[3] = zip<true, true>(t1, t3);
  }

  // out(r, Σ_c T[r][c] · in(c)) for each row r of the constant matrix T, its zero terms left out
  // and its ±1 ones as additions.
  template <const auto& T, class In, class Out>
  [[gnu::always_inline]] static void apply(In&& in, Out&& out) {
    using matrix = std::remove_cvref_t<decltype(T)>;
    constexpr std::size_t rows = std::extent_v<matrix, 0>, cols = std::extent_v<matrix, 1>;
    detail::unroll<rows>([&](auto r) {
      constexpr std::size_t R = decltype(r)::value;
      constexpr std::size_t first = [] {
        std::size_t c = 0;
        while (T[R][c] == 0) ++c;
        return c;
      }();
      batch sum = T[R][first] == 1    ? in(first)
                  : T[R][first] == -1 ? -in(first)
                                      : batch(T[R][first]) * in(first);
      detail::unroll<cols>([&](auto c) {
        constexpr std::size_t C = decltype(c)::value;
        constexpr float t = T[R][C];
        if constexpr (C > first && t == 1)
          sum += in(C);
        else if constexpr (C > first && t == -1)
          sum -= in(C);
        else if constexpr (C > first && t != 0)
          sum = fused_multiply_add(batch(t), in(C), sum);
      });
      out(R, sum);
    });
  }

  // One channel (plane: its plane in the first image), the block's `chunks` chunks (their groups
  // at places), into its row of the block's V_0 (v; V_ξ at v + ξ · point_stride). The same floats
  // of the next channel, `ahead` floats on (0: none), are prefetched: the input was written by the
  // layer before, on both cores, and comes from memory or the other core's cache; its planes are
  // too many streams for the hardware prefetchers (timed alone with their input flushed from the
  // caches, resnet's layer-1 and -2 convolutions took 45-100 µs longer than with it cached; with
  // these prefetches, 10-45 µs).
  static void transform_input(const reference::window_geometry& g, const group_place* places,
                              std::size_t chunks, const float* plane, std::size_t ahead, float* v,
                              std::size_t point_stride) {
    const long width = static_cast<long>(g.in_width);
    for (std::size_t chunk = 0; chunk < chunks; ++chunk, places += M) {
      batch rows[alpha][alpha];  // Bᵀ applied along each input row: rows[i][ξx]
      for (std::size_t i = 0; i < alpha; ++i) {
        // The M groups' tiles from columns x − 1 (columns 0 to M−1 of each tile) and x + 1 (2 to M+1).
        batch left[M], right[M];
        for (std::size_t q = 0; q < M; ++q) {
          // The input row plus one: the first tile row starts in the padding above the image.
          const std::size_t y = places[q].first_row + i;
          if (y == 0 || y > g.in_height) {
            left[q] = right[q] = batch(0.0f);
            continue;
          }
          const float* line = plane + places[q].in_offset + (y - 1) * g.in_width;
          if (ahead != 0) {
            // The lanes + 2 floats the two loads read.
            detail::prefetch_floats<lanes + 2>(
                address_of(line, static_cast<long>(ahead) + places[q].column - 1));
          }
          left[q] = load_inside<Arch>(line, places[q].column - 1, width);
          right[q] = load_inside<Arch>(line, places[q].column + 1, width);
        }
        batch d[alpha], from_right[M];
        transpose_blocks(left, d);
        transpose_blocks(right, from_right);
        d[M] = from_right[M - 2];
        d[M + 1] = from_right[M - 1];
        apply<matrices::bt>([&](std::size_t j) { return d[j]; },
                            [&](std::size_t r, batch b) { rows[i][r] = b; });
      }
      float* out = v + chunk * lanes;
      for (std::size_t x = 0; x < alpha; ++x)
        apply<matrices::bt>(
            [&](std::size_t i) { return rows[i][x]; },
            [&](std::size_t r, batch b) { b.store_unaligned(out + (r * alpha + x) * point_stride); });
    }
  }

  // One output channel's row of the block's M_0 (m; M_ξ at m + ξ · point_stride), the block's
  // `chunks` chunks (their groups at places), into its plane y (in the first image), + bias,
  // + residual, relu.
  static void transform_output(const reference::window_geometry& g, const group_place* places,
                               std::size_t chunks, const float* m, std::size_t point_stride, float bias,
                               float* y, const float* residual, bool relu) {
    for (std::size_t chunk = 0; chunk < chunks; ++chunk, places += M) {
      const float* in = m + chunk * lanes;
      batch columns[alpha][M];  // Aᵀ applied along each row of the transformed tiles
      for (std::size_t i = 0; i < alpha; ++i)
        apply<matrices::at>(
            [&](std::size_t j) { return batch::load_unaligned(in + (i * alpha + j) * point_stride); },
            [&](std::size_t r, batch b) { columns[i][r] = b; });
      batch tile_rows[M][M];  // [a][b]: output row a, column b of every tile
      for (std::size_t b = 0; b < M; ++b)
        apply<matrices::at>([&](std::size_t i) { return columns[i][b]; },
                            [&](std::size_t a, batch r) { tile_rows[a][b] = r + batch(bias); });
      for (std::size_t a = 0; a < M; ++a) {
        batch lines[M];  // per group, output row a of its tiles, columns in order
        transpose_blocks(tile_rows[a], lines);
        for (std::size_t q = 0; q < M; ++q) {
          if (places[q].first_row + a >= g.out_height) continue;
          const std::size_t at = places[q].out_start + a * g.out_width;
          store_finished(lines[q], y + at, residual ? residual + at : nullptr, relu, places[q].inside);
        }
      }
    }
  }

  // r (+ residual) then relu into y[0, n).
  static void store_finished(batch r, float* y, const float* residual, bool relu, std::size_t n) {
    if (n == lanes) {
      if (residual) r += batch::load_unaligned(residual);
      if (relu) r = elementwise<Arch>::relu(r);
      r.store_unaligned(y);
      return;
    }
    alignas(64) float part[lanes];
    r.store_aligned(part);
    for (std::size_t i = 0; i < n; ++i) {
      float f = part[i];
      if (residual) f += residual[i];
      if (relu) f = elementwise<Arch>::relu(f);
      y[i] = f;
    }
  }
};

}  // namespace ctnet::simd
