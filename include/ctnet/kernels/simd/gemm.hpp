// Single-precision matrix multiply C = A·B (+ bias, + residual, relu), the kernel under ctnet's
// convolutions and linear layers: a 1×1 stride-1 convolution in NCHW is C[O][HW] = W[O][C] · X[C][HW],
// other convolutions become one after im2col, and a linear layer is one with N = batch.
//
// gemm<Arch> uses generic xsimd operations only (loads, stores, broadcast, fma, compare and select),
// so it instantiates for any architecture whose batch<float, Arch> exists in the translation unit:
// sse2, avx2, fma3<avx2>, avx512f, neon64, ... Each instantiation belongs in a TU compiled for its
// architecture (with xsimd 8.1, batch<float, avx2> cannot even be named without -mavx2).
//
// Blocking (BLIS's, with A packed once at model load instead of on every call):
//   for each K block of at most kc_max rows (one block up to one_block_max)
//     for each M block of at most mc_max rows           (A's mc × kc block stays in L2)
//       for each micro-panel of nr = nv vectors of columns of [n_begin, n_end)
//         copy B's kc × nr block into a scratch on the stack (L1), zero-padding a column tail
//         (unless the M block has at most two panels: then a whole micro-panel is read in place)
//         for each panel of mr rows of the M block: the micro-kernel, mr × nv accumulators in
//           registers, one broadcast of A and nv loads of B per k; the columns past a micro-panel's
//           last whole vector, where few, by column_tail (vectors along A's rows) a few panels at once
// Except where C's rows are long and K is one block (a 1×1 convolution over a large image: resnet50's
// layer 1), where B goes by blocks of micro-panels packed together and the loops over panels and
// micro-panels swap (multiply_blocks), so that C and the residual are written and read along rows.
// An operand that can be read in place (same_patches) is not packed at all where A's rows are one
// or two whole panels: the micro-kernel reads it through the operand's reader, all of K in one block.
// Between K blocks the partial sums go through C (a float store and load is exact); the epilogue is
// applied once, after the last K block. While the micro-kernel runs it prefetches the next panel of A
// and nothing of B. Prefetching B's next micro-panel (4 hints per k) made resnet50's pass 1.2× slower
// on an Intel Xeon with AVX-512, only in an M block's first panel 1.05×; the next tile's rows of an
// operand read in place, within noise. (Written earlier, those hints were deleted by the compiler
// unnoticed: see detail::prefetch.) Measured on the ResNet-50 shapes in benchmarks/gemm.cpp.
//
// Bit-identical however [0, N) is split: every output element, wherever its column falls (full tile,
// column tail, one vector or several), goes through the same operations in the same order: fma over
// k = 0, 1, ..., K-1 starting from +0, then + bias, + residual, relu. The K and M blocking depend on
// M and K only; column tails run a micro-kernel on zero-padded copies or, where narrow, column_tail
// with vectors along A's rows (an FMA rounds alike in any lane of any vector width), never a scalar
// loop (whose std::fma or a·b + c could round differently). This relies on fused_multiply_add
// rounding once in every micro-kernel: it is an FMA instruction for fma3<...>, fma4, neon64, neon
// with __ARM_FEATURE_FMA and avx512f (fused_multiply_add.hpp); where xsimd writes it as x·y + z
// (sse2 to avx without fma3) it must not be contracted in one kernel and not another: it is not with
// flags without FMA, and clang contracts only within an expression. Not so for a baseline kernel in
// a TU whose flags enable FMA, e.g. gemm<sse2> with -march=native under g++ 12: it contracts per
// loop by heuristics that differ between tile widths.
// Instantiate each architecture in a TU compiled for it, as the dispatch pattern does.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "fused_multiply_add.hpp"

namespace ctnet::simd {

// Applied to each finished output element, in this order: + bias[row], + residual[row][col], relu.
struct epilogue {
  const float* bias = nullptr;      // one per output row (channel); may be null
  const float* residual = nullptr;  // residual[row * ld_residual + col], not overlapping C; may be null
  std::size_t ld_residual = 0;
  bool relu = false;  // max(·, 0); NaN stays NaN
};

// The right-hand operand B as a row-major K × N matrix in memory, ld floats between rows. multiply
// also takes any other operand with pack(k0, kc, j, cols, out): rows [k0, k0 + kc) of columns
// [j, j + cols) as kc rows of nr floats, zero past cols (e.g. a convolution's patches read straight
// from its input: same_patches.hpp).
struct matrix_operand {
  const float* data;
  std::size_t ld;
};

// Register and cache blocking per architecture, measured on Zen 3-class AVX2 (and AVX-512):
// - sixteen vector registers (SSE, AVX2, 32-bit NEON): 6 × 2 accumulators + 2 B vectors + 1 broadcast
//   = 15 registers (4 × 3 and 5 × 2 measured 25% and 5% slower);
// - thirty-two (AVX-512, AArch64 NEON): 8 × 3 = 24 accumulators + 3 + 1 (14 × 2, 12 × 2, 6 × 4 were
//   2-8% slower on AVX-512).
// kc_max bounds the packed B micro-panel (kc × nr floats: 16 KiB for AVX2, 24 KiB for AVX-512) so it
// stays in L1 next to a streaming A panel; 192-512 measured within noise for AVX2, 84-256 for AVX-512.
// mc_max bounds A's block (mc × kc floats) to about 256 KiB, half of Zen 3's L2.
// A K up to one_block_max stays one block rather than two halves: AVX-512's 256 keeps the 7×7 stem's
// K = 147 whole (a 28 KiB micro-panel), so each element of its 3 MiB output is written once instead
// of written, re-read and written again. Inside resnet50's pass (Intel Xeon, 2 threads) the stem then
// took 0.80-0.87 of its time (whole models within the A/Bs' noise, ±2%); a kc_max of 160 for every K
// instead measured 1.04× slower on resnet50. Raised from 160 to 256, it keeps resnet50's 1×1
// convolutions from 256 channels whole too (which multiply_blocks then takes, at 56×56): those took
// 0.93-0.97 of their time.
template <class Arch>
struct gemm_tiling {
  static constexpr std::size_t lanes = xsimd::batch<float, Arch>::size;
  static constexpr bool many_registers =
      std::is_base_of_v<xsimd::avx512f, Arch> || std::is_base_of_v<xsimd::neon64, Arch>;
  static constexpr std::size_t mr = many_registers ? 8 : 6;
  static constexpr std::size_t nv = many_registers ? 3 : 2;
  static constexpr std::size_t nr = nv * lanes;
  static constexpr std::size_t kc_max = nr >= 32 ? 128 : 256;
  static constexpr std::size_t mc_max = std::max<std::size_t>(mr, 65536 / kc_max / mr * mr);
  static constexpr std::size_t one_block_max = nr >= 32 ? 256 : kc_max;
};

// A vector along a packed panel's rows (its lanes dividing mr), for column tails narrower than a
// vector: resnet50's 14×14 and 7×7 outputs end in 4 and 1 columns of a 16-lane vector, and the
// full-width micro-kernel spent 9% of the model's time on those (a 7×7 layer wasted 23% of its
// work). With AVX-512 it is AVX2's 8-lane vector (needs FMA, which every AVX-512 CPU has), with
// AArch64 NEON the 4-lane vector itself; void where mr is not a multiple of a vector (6 rows on
// SSE and AVX2, whose narrower vectors waste less anyway).
template <class Arch, class = void>
struct panel_row_vector {
  using type = void;
};
#if XSIMD_WITH_FMA3_AVX2
template <class Arch>
struct panel_row_vector<Arch, std::enable_if_t<std::is_base_of_v<xsimd::avx512f, Arch>>> {
  using type = xsimd::batch<float, xsimd::fma3<xsimd::avx2>>;
};
#endif
#if XSIMD_WITH_NEON64
template <class Arch>
struct panel_row_vector<Arch, std::enable_if_t<std::is_base_of_v<xsimd::neon64, Arch>>> {
  using type = xsimd::batch<float, Arch>;
};
#endif

namespace detail {
// f(integral_constant<0>), ..., f(integral_constant<N-1>): unrolled whatever the optimisation level,
// so tiles of batches are indexed by constants and can live in registers. always_inline: clang 14's
// flatten (on the micro-kernel) inlines only the calls written in the function itself, and left
// accumulators in memory when it stopped at one of these (measured 2× slower).
template <class F, std::size_t... I>
[[gnu::always_inline]] inline void unroll_each(F& f, std::index_sequence<I...>) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}
template <std::size_t N, class F>
[[gnu::always_inline]] inline void unroll(F&& f) {
  unroll_each(f, std::make_index_sequence<N>{});
}

// A hint only: a no-op where the compiler has no portable prefetch. always_inline, as every function
// between a kernel and it must be (no lambdas): g++ 12 deems a function that only prefetches free of
// effects and deletes a call to it that it met inside an always_inline function inlined first. So
// every prefetch issued through unroll's lambdas was silently dropped.
[[gnu::always_inline]] inline void prefetch(const float* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 2);
#else
  (void)p;
#endif
}
// The same for an address that may lie outside any object (a hint never faults).
[[gnu::always_inline]] inline void prefetch(std::uintptr_t address) {
  prefetch(reinterpret_cast<const float*>(address));
}
// Every cache line of a run of Floats floats from `address`: one hint per 64 bytes and one for the
// last float, since the run need not start on a line.
template <std::size_t Floats>
[[gnu::always_inline]] inline void prefetch_floats(std::uintptr_t address) {
  for (std::size_t line = 0; line < (Floats + 15) / 16; ++line) prefetch(address + line * 64);
  prefetch(address + (Floats - 1) * sizeof(float));
}
}  // namespace detail

template <class Arch>
struct gemm {
  using batch = xsimd::batch<float, Arch>;
  using tiling = gemm_tiling<Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t mr = tiling::mr;  // rows of A per packed panel and per micro-kernel
  static constexpr std::size_t nv = tiling::nv;  // vectors of columns per micro-kernel
  static constexpr std::size_t nr = tiling::nr;  // columns per micro-kernel
  static_assert(lanes == tiling::lanes && mr >= 1 && nv >= 1);

  // Packed A: ⌈M / mr⌉ panels, each K steps of mr floats (column k of the panel's rows; rows past M
  // are zero): element (i, k) sits at [(i / mr) · mr · K + k · mr + i % mr]. Any alignment will do.
  static constexpr std::size_t packed_size(std::size_t m, std::size_t k) {
    return (m + mr - 1) / mr * mr * k;
  }

  static void pack_a(const float* a, std::size_t lda, std::size_t m, std::size_t k, float* packed) {
    for (std::size_t i0 = 0; i0 < m; i0 += mr) {
      const std::size_t rows = std::min(mr, m - i0);
      float* panel = packed + i0 * k;
      for (std::size_t kk = 0; kk < k; ++kk) {
        for (std::size_t r = 0; r < rows; ++r) panel[kk * mr + r] = a[(i0 + r) * lda + kk];
        for (std::size_t r = rows; r < mr; ++r) panel[kk * mr + r] = 0.0f;
      }
    }
  }

  // Multiplies row i of the packed A by scale[i]: folds a per-output-channel factor (batch norm's)
  // into the weights without unpacking them.
  static void scale_packed_rows(float* packed, std::size_t m, std::size_t k, const float* scale) {
    for (std::size_t i0 = 0; i0 < m; i0 += mr) {
      const std::size_t rows = std::min(mr, m - i0);
      float* panel = packed + i0 * k;
      for (std::size_t kk = 0; kk < k; ++kk)
        for (std::size_t r = 0; r < rows; ++r) panel[kk * mr + r] *= scale[i0 + r];
    }
  }

  // C[0, M)[n_begin, n_end) = A·B, then the epilogue; B is K × N row-major (ldb), C is M × N (ldc).
  // Columns outside [n_begin, n_end) of B, C and the residual are neither read nor written, so threads
  // may share C. C holds partial sums between K blocks: the residual must not overlap it.
  static void multiply(std::size_t m, std::size_t k, const float* packed_a, const float* b, std::size_t ldb,
                       float* c, std::size_t ldc, std::size_t n_begin, std::size_t n_end,
                       const epilogue& e = {}) {
    multiply(m, k, packed_a, matrix_operand{b, ldb}, c, ldc, n_begin, n_end, e);
  }

  // The same with B any operand (matrix_operand or one that packs itself).
  template <class Operand>
  static void multiply(std::size_t m, std::size_t k, const float* packed_a, const Operand& b, float* c,
                       std::size_t ldc, std::size_t n_begin, std::size_t n_end, const epilogue& e = {}) {
    if (m == 0 || n_begin >= n_end) return;
    if constexpr (readable_in_place<Operand>) {
      if (reads_in_place(m)) return multiply_unpacked(m, k, packed_a, b, c, ldc, n_begin, n_end, e);
    }
    multiply_packed(m, k, packed_a, b, c, ldc, n_begin, n_end, e);
  }

  // Rows [row_begin, row_end) of C only (row_begin a multiple of mr: a packed panel's first row),
  // computed exactly as multiply computes them.
  template <class Operand>
  static void multiply_rows(std::size_t row_begin, std::size_t row_end, std::size_t k, const float* packed_a,
                            const Operand& b, float* c, std::size_t ldc, std::size_t n_begin,
                            std::size_t n_end, epilogue e = {}) {
    if (e.bias) e.bias += row_begin;
    if (e.residual) e.residual += row_begin * e.ld_residual;
    multiply(row_end - row_begin, k, packed_a + row_begin * k, b, c + row_begin * ldc, ldc, n_begin, n_end,
             e);
  }

 private:
  struct tile_args;

  // Operands the micro-kernel can read where they are, a tile of columns at a time (same_patches:
  // the input, masked), at the cost of a mask per vector of B; where it does: reads_in_place.
  template <class Operand>
  static constexpr bool readable_in_place = requires(const Operand& b, std::size_t j) {
    b.tile_reader(j, j).inside;
  };

  // Whether multiply reads an operand that offers it (same_patches) in place, for M rows: one or
  // two whole panels of A, the bound multiply_packed also reads a matrix B in place under. Packing
  // B cost more than it saved there (cifar_resnet's 16 channels: 38% of the time went to packing),
  // but for more panels each B vector read in place is an unaligned, masked load from L2 (all of K
  // in one block: K × nr floats per tile, 442 KiB for a 14×14 layer with 256 channels), repeated
  // for every panel, where packed it comes from L1. On an
  // Intel Xeon with AVX-512, packing made resnet50's strided, 14×14 and 7×7 3×3 layers 25-37%
  // faster on two threads (5-26% on one) and resnet18's 14-33%; cifar_resnet<20>'s layers alone
  // were within that machine's noise either way.
  static constexpr std::size_t in_place_max_panels = 2;
  static constexpr bool reads_in_place(std::size_t m) { return m % mr == 0 && m <= in_place_max_panels * mr; }

  // All of K in one block (B is not copied, so nothing bounds kc), the micro-kernel reading B through
  // the operand's reader; the tiles it cannot cover that way (a column tail narrower than a vector;
  // reads past the ends of the operand, unless the reader has masked loads) are packed as usual.
  // Masked or packed, B's values are the same. K blocks do not change any result (their partial
  // sums pass exactly through C), so neither does this.
  template <class Operand>
  static void multiply_unpacked(std::size_t m, std::size_t k, const float* packed_a, const Operand& b,
                                float* c, std::size_t ldc, std::size_t n_begin, std::size_t n_end,
                                const epilogue& e) {
    for (std::size_t j = n_begin; j < n_end; j += nr) {
      const std::size_t cols = std::min(nr, n_end - j);
      // A tail of whole vectors reads in place too; a narrower one is packed for column_tail.
      if (cols < nr && cols % lanes != 0) {
        multiply_packed(m, k, packed_a, b, c, ldc, j, j + cols, e);
        continue;
      }
      const auto reader = b.tile_reader(j, cols);
      using reader_type = std::remove_cvref_t<decltype(reader)>;
      // A tile whose rows reach past the operand's ends is read with masked loads where the
      // architecture has them (masked_cursor), else packed.
      if (reader.inside) {
        tiles_in_place<typename reader_type::cursor>(m, k, packed_a, reader, c, ldc, j, cols, e);
      } else if constexpr (reader_type::loads_masked) {
        tiles_in_place<typename reader_type::masked_cursor>(m, k, packed_a, reader, c, ldc, j, cols, e);
      } else {
        multiply_packed(m, k, packed_a, b, c, ldc, j, j + cols, e);
      }
    }
  }

  // Columns [j, j + cols) of every panel, B read through a Cursor on the reader.
  template <class Cursor, class Reader>
  static void tiles_in_place(std::size_t m, std::size_t k, const float* packed_a, const Reader& reader,
                             float* c, std::size_t ldc, std::size_t j, std::size_t cols, const epilogue& e) {
    static constexpr auto widths = tiles_of_width<Cursor>(std::make_index_sequence<nv>{});
    for (std::size_t i0 = 0; i0 < m; i0 += mr) {
      const float* a = packed_a + i0 * k;
      const tile_args t = single_block_tile(k, a, i0 + mr < m ? a + mr * k : a, c, ldc, i0, j, cols, e);
      widths[(cols + lanes - 1) / lanes - 1](t, Cursor(reader, 0));
    }
  }

  template <class Operand>
  static void multiply_packed(std::size_t m, std::size_t k, const float* packed_a, const Operand& b, float* c,
                              std::size_t ldc, std::size_t n_begin, std::size_t n_end, const epilogue& e) {
    constexpr bool in_memory = std::is_same_v<Operand, matrix_operand>;
    // Equal K blocks (576 → 3 × 192 rather than 256 + 256 + 64); K = 0 is one empty block.
    const std::size_t k_blocks = k <= tiling::one_block_max ? 1 : (k + tiling::kc_max - 1) / tiling::kc_max;
    const std::size_t kc_step = (k + k_blocks - 1) / k_blocks;
    const std::size_t panels = (m + mr - 1) / mr;
    const std::size_t max_panels = tiling::mc_max / mr;
    const std::size_t m_blocks = (panels + max_panels - 1) / max_panels;
    const std::size_t panel_step = (panels + m_blocks - 1) / m_blocks;

    // On the stack rather than thread_local: as fast when the data are 64-byte aligned, and measured
    // up to 12% faster with misaligned data, where some thread_local placements were slow.
    alignas(64) float b_panel[tiling::one_block_max * nr];

    for (std::size_t k0 = 0;; k0 += kc_step) {
      const std::size_t kc = std::min(kc_step, k - k0);
      const bool first = k0 == 0, last = k0 + kc == k;
      for (std::size_t p0 = 0; p0 < panels; p0 += panel_step) {
        const std::size_t p1 = std::min(panels, p0 + panel_step);
        std::size_t j_rest = n_begin;  // the micro-panels left to the loop below
        if constexpr (in_memory) {
          const std::size_t whole_end = n_begin + (n_end - n_begin) / nr * nr;
          // (B's rows then hold at least min_block_columns floats: never Winograd's V, read in place.)
          if (k > 0 && k == kc && p1 - p0 > in_place_max_panels && whole_end - n_begin >= min_block_columns) {
            multiply_blocks(m, k, packed_a, p0, p1, b, c, ldc, n_begin, whole_end, e);
            j_rest = whole_end;
          }
        }
        for (std::size_t j = j_rest; j < n_end; j += nr) {
          const std::size_t cols = std::min(nr, n_end - j);
          // A packed copy of B pays for itself over several panels of A; for one or two (a
          // convolution with few output channels) the micro-kernel reads B where it is. So it
          // does where B's rows of whole vectors lie back to back (ld = cols: Winograd's V), as
          // a packed copy would hold them: the copy was a fifth of a Winograd layer's time.
          bool in_place = false;
          const float* b_tile = b_panel;
          std::size_t b_stride = nr;
          if constexpr (in_memory) {
            in_place = cols % lanes == 0 && ((cols == nr && p1 - p0 <= in_place_max_panels) || b.ld == cols);
            if (in_place) b_tile = b.data + k0 * b.ld + j, b_stride = b.ld;
          }
          if (kc > 0 && !in_place) {
            if constexpr (in_memory)
              pack_b(b.data + k0 * b.ld + j, b.ld, kc, cols, b_panel);
            else
              b.pack(k0, kc, j, cols, b_panel);
          }
          // The columns past the last whole vector, where column_tail does them: queued a few
          // panels at a time (independent FMA chains for it to interleave).
          const std::size_t whole = cols / lanes, rest = cols % lanes;
          const bool split_tail = rest != 0 && rest <= max_tail_columns;
          std::array<tile_args, max_tail_panels> tails;
          std::array<std::size_t, max_tail_panels> tail_rows;
          std::size_t queued = 0;
          for (std::size_t p = p0; p < p1; ++p) {
            const std::size_t i0 = p * mr;
            tile_args t{kc,
                        packed_a + i0 * k + k0 * mr,
                        b_tile,
                        b_stride,
                        c + i0 * ldc + j,
                        ldc,
                        cols,
                        !first,
                        last && e.bias ? e.bias + i0 : nullptr,
                        last && e.residual ? e.residual + i0 * e.ld_residual + j : nullptr,
                        e.ld_residual,
                        last && e.relu,
                        p + 1 < panels ? packed_a + (i0 + mr) * k + k0 * mr : packed_a + i0 * k + k0 * mr};
            const std::size_t rows = std::min(mr, m - i0);
            if (rows == mr && cols == nr) {
              tile<mr, nv>(t);
            } else if (!split_tail) {
              tile_for(rows, (cols + lanes - 1) / lanes)(t);
            } else {
              if (whole > 0) {
                tile_args head = t;
                head.cols = whole * lanes;
                tile_for(rows, whole)(head);
              }
              tails[queued] = t;
              tails[queued].cols = rest;
              tail_rows[queued] = rows;
              if (++queued == tail_panels(rest) || p + 1 == p1) {
                column_tails(tails.data(), tail_rows.data(), queued, whole * lanes);
                queued = 0;
              }
            }
          }
        }
      }
      if (last) break;
    }
  }

  // Whole micro-panels [n_begin, n_end) of a matrix B times panels [p0, p1) of A, all of K (at most
  // one_block_max) in one block: B packed a block of micro-panels at a time (128 KiB, on the stack), then
  // panel by panel, each panel of A (in L1) times every micro-panel of the block (from L2). C and the
  // residual are then written and read along rows, mr rows a block's width at a time, where micro-panel by
  // micro-panel every row of C got a few lines (rows a plane apart: too many streams for the hardware
  // prefetchers, and a 56×56 layer's C and residual, 3 MiB each, come from memory). The price is reading B's
  // block from L2 once per panel instead of from L1: it pays only where each element of C is written once
  // (one K block) and rows are long. Timed per convolution inside resnet50's pass (2 threads, Intel Xeon with
  // AVX-512), layer 1's 1×1 convolutions from 64 channels took 0.71-0.85 of their time; with 784 columns
  // (28×28) or several K blocks this order took up to 1.2× longer, hence the bounds.
  static void multiply_blocks(std::size_t m, std::size_t k, const float* packed_a, std::size_t p0,
                              std::size_t p1, const matrix_operand& b, float* c, std::size_t ldc,
                              std::size_t n_begin, std::size_t n_end, const epilogue& e) {
    alignas(64) float block[block_floats];
    const std::size_t block_columns = block_floats / k / nr * nr;
    for (std::size_t jb = n_begin; jb < n_end; jb += block_columns) {
      const std::size_t jb_end = std::min(n_end, jb + block_columns);
      pack_block(b.data, b.ld, k, jb, jb_end, block);
      for (std::size_t p = p0; p < p1; ++p) {
        const std::size_t i0 = p * mr, rows = std::min(mr, m - i0);
        const float* a = packed_a + i0 * k;
        for (std::size_t j = jb; j < jb_end; j += nr) {
          const float* b_tile = block + (j - jb) * k;
          const bool last_tile = j + nr == jb_end;
          // Prefetched: the next panel of A, or this one.
          tile_args t =
              single_block_tile(k, a, last_tile && p + 1 < p1 ? a + mr * k : a, c, ldc, i0, j, nr, e);
          t.b = b_tile;
          t.b_stride = nr;
          if (rows == mr)
            tile<mr, nv>(t);
          else
            tile_for(rows, nv)(t);
        }
      }
    }
  }

  // Columns (per call: a thread's part) from which multiply_blocks runs, and its buffer: kc rows of
  // up to block_floats / kc columns. Inside resnet50's pass (Intel Xeon, 2 threads) layer 1's 1×1
  // convolutions from 64 channels took 0.87-0.90 of their 64 KiB buffer's time with 128 KiB (1008
  // columns a block instead of 240), and the same with 256 KiB. It is on the stack, as multiply_packed's
  // micro-panel (48 KiB): a thread that runs a model needs about 256 KiB of stack for them.
  static constexpr std::size_t min_block_columns = 1024;
  static constexpr std::size_t block_floats = 32768;
  static_assert(block_floats >= tiling::one_block_max * nr, "multiply_blocks' buffer holds a micro-panel");

  // Whole micro-panels [jb, jb_end) of B's kc rows from `rows` → kc rows of nr floats each, one
  // micro-panel after another. Row by row, so that the reads run along B's rows.
  static void pack_block(const float* rows, std::size_t ldb, std::size_t kc, std::size_t jb,
                         std::size_t jb_end, float* out) {
    for (std::size_t kk = 0; kk < kc; ++kk) {
      const float* row = rows + kk * ldb;
      for (std::size_t j = jb; j < jb_end; j += nr) {
        float* to = out + (j - jb) * kc + kk * nr;
        detail::unroll<nv>(
            [&](auto v) { batch::load_unaligned(row + j + v * lanes).store_aligned(to + v * lanes); });
      }
    }
  }

  // The tile at row i0 (a panel's first), column j of a product whose K is one block (so the epilogue
  // applies), A's panel at a; B's micro-panel left to the caller.
  static tile_args single_block_tile(std::size_t k, const float* a, const float* next_a, float* c,
                                     std::size_t ldc, std::size_t i0, std::size_t j, std::size_t cols,
                                     const epilogue& e) {
    return {k,
            a,
            nullptr,
            0,
            c + i0 * ldc + j,
            ldc,
            cols,
            false,
            e.bias ? e.bias + i0 : nullptr,
            e.residual ? e.residual + i0 * e.ld_residual + j : nullptr,
            e.ld_residual,
            e.relu,
            next_a};
  }

  struct tile_args {
    std::size_t kc;
    const float* a;  // packed panel at k0: mr floats per k
    const float* b;  // micro-panel: nr floats per k, b_stride apart (packed: nr; in place: ldb)
    std::size_t b_stride;
    float* c;  // top-left element of the tile
    std::size_t ldc;
    std::size_t cols;   // valid columns: (vecs - 1) · lanes < cols ≤ vecs · lanes for tile<rows, vecs>
    bool accumulate;    // start from C (a later K block) rather than from +0
    const float* bias;  // last K block only: at the tile's first row, or null
    const float* residual;  // last K block only: at the tile's top-left element, or null
    std::size_t ld_residual;
    bool relu;  // last K block only
    // Prefetched while computing, a row per k: kc rows of mr floats, the next panel of A (or this
    // one).
    const float* next_a;
  };

  // B[0, kc)[0, cols) → rows of nr floats, zero past cols.
  [[gnu::flatten]] static void pack_b(const float* b, std::size_t ldb, std::size_t kc, std::size_t cols,
                                      float* out) {
    if (cols == nr) {
      for (std::size_t kk = 0; kk < kc; ++kk, out += nr) {
        const float* row = b + kk * ldb;
        detail::unroll<nv>(
            [&](auto v) { batch::load_unaligned(row + v * lanes).store_aligned(out + v * lanes); });
      }
    } else {
      for (std::size_t kk = 0; kk < kc; ++kk, out += nr) {
        std::memcpy(out, b + kk * ldb, cols * sizeof(float));
        std::fill(out + cols, out + nr, 0.0f);
      }
    }
  }

  // The first n ≤ lanes floats at p, zero past them (a partial column vector of C or of the residual).
  static batch load_partial(const float* p, std::size_t n) {
    alignas(64) std::array<float, lanes> buffer{};
    std::memcpy(buffer.data(), p, n * sizeof(float));
    return batch::load_aligned(buffer.data());
  }
  static void store_partial(const batch& x, float* p, std::size_t n) {
    alignas(64) std::array<float, lanes> buffer;
    x.store_aligned(buffer.data());
    std::memcpy(p, buffer.data(), n * sizeof(float));
  }

  // Rows × Vecs vectors of C; only rows [0, Rows) and columns [0, cols) of C and the residual are
  // touched. A column tail gets the fewest vectors that cover it: computing it as a full nv-vector
  // tile instead cost 5% (AVX2) and 15% (AVX-512) at N = 196, 38% with AVX-512 at N = 49.
  // flatten: every unroll lambda must be inlined for acc to live in registers, and g++ 12 stops
  // inlining them in the 8 × 3 AVX-512 kernel otherwise (measured 5× slower).
  // B's rows as the micro-kernel reads them: from a packed micro-panel or a matrix in place, rows
  // b_stride apart. (An operand read in place has its own: same_patches::reader::cursor.)
  struct strided_rows {
    const float* row;
    std::size_t stride;
    [[gnu::always_inline]] batch load(std::size_t v) const { return batch::load_unaligned(row + v * lanes); }
    [[gnu::always_inline]] void next() { row += stride; }
  };

  template <std::size_t Rows, std::size_t Vecs>
  [[gnu::flatten]] static void tile(const tile_args& t) {
    tile<Rows, Vecs>(t, strided_rows{t.b, t.b_stride});
  }

  template <std::size_t Rows, std::size_t Vecs, class BRows>
  [[gnu::flatten]] static void tile(const tile_args& t, BRows b) {
    // Valid columns in the last vector: lanes for a full tile, fewer for a column tail.
    const std::size_t tail = t.cols - (Vecs - 1) * lanes;
    const auto load = [&](const float* row, auto v) {
      if (v + 1 < Vecs || tail == lanes) return batch::load_unaligned(row + v * lanes);
      return load_partial(row + v * lanes, tail);
    };

    std::array<std::array<batch, Vecs>, Rows> acc;
    if (t.accumulate) {
      detail::unroll<Rows>([&](auto r) {
        const float* row = t.c + r * t.ldc;
        detail::unroll<Vecs>([&](auto v) { acc[r][v] = load(row, v); });
      });
    } else {
      detail::unroll<Rows>([&](auto r) { detail::unroll<Vecs>([&](auto v) { acc[r][v] = batch(0.0f); }); });
    }

    const float* a = t.a;
    for (std::size_t kk = 0; kk < t.kc; ++kk) {
      detail::prefetch(t.next_a + kk * mr);

      std::array<batch, Vecs> bv;
      detail::unroll<Vecs>([&](auto v) { bv[v] = b.load(v); });
      detail::unroll<Rows>([&](auto r) {
        const batch av(a[r]);
        detail::unroll<Vecs>([&](auto v) { acc[r][v] = fused_multiply_add(av, bv[v], acc[r][v]); });
      });
      a += mr;
      b.next();
    }

    if (t.bias) {
      detail::unroll<Rows>([&](auto r) {
        const batch bias(t.bias[r]);
        detail::unroll<Vecs>([&](auto v) { acc[r][v] = acc[r][v] + bias; });
      });
    }
    if (t.residual) {
      detail::unroll<Rows>([&](auto r) {
        const float* row = t.residual + r * t.ld_residual;
        detail::unroll<Vecs>([&](auto v) { acc[r][v] = acc[r][v] + load(row, v); });
      });
    }
    if (t.relu) {
      // x < 0 ? 0 : x, so NaN stays NaN (its comparison is false) on every architecture. xsimd::max
      // returns its second operand for NaN on x86 but NaN on NEON, and g++ 12 warns (a false
      // -Wmaybe-uninitialized inside _mm512_max_ps) on its AVX-512 form.
      const batch zero(0.0f);
      detail::unroll<Rows>([&](auto r) {
        detail::unroll<Vecs>([&](auto v) { acc[r][v] = xsimd::select(acc[r][v] < zero, zero, acc[r][v]); });
      });
    }

    detail::unroll<Rows>([&](auto r) {
      float* row = t.c + r * t.ldc;
      detail::unroll<Vecs>([&](auto v) {
        if (v + 1 < Vecs || tail == lanes)
          acc[r][v].store_unaligned(row + v * lanes);
        else
          store_partial(acc[r][v], row + v * lanes, tail);
      });
    });
  }

  using row_vector = typename panel_row_vector<Arch>::type;
  static constexpr std::size_t row_lanes = [] {
    if constexpr (std::is_void_v<row_vector>)
      return std::size_t{0};
    else
      return row_vector::size;
  }();
  // Columns column_tail takes: while its FMAs per k and panel (Cols · mr / row lanes) stay within a
  // full-width vector's (mr), i.e. up to a row vector's lanes. 0: no row vector here.
  static constexpr std::size_t max_tail_columns = row_lanes == 0 ? 0 : std::min(lanes - 1, row_lanes);
  // One accumulator per column and row vector is one chain of dependent FMAs: eight chains keep
  // two FMA units of four cycles' latency busy, so narrow tails take several panels at once.
  static constexpr std::size_t tail_chains = 8;
  static constexpr std::size_t tail_panels(std::size_t cols) {
    return std::max<std::size_t>(1, tail_chains / (cols * (row_lanes == 0 ? 1 : mr / row_lanes)));
  }
  static constexpr std::size_t max_tail_panels = tail_panels(1);

  // C's columns [first, first + Cols) (fewer than a vector) of `count` tiles, each in its first
  // rows[g] rows, with vectors along the panels' rows: per k and panel, mr / row lanes loads of A
  // and FMAs per column, where a full-width vector would take mr FMAs whatever the column count.
  // Each element is still fma over k = 0, 1, ..., then + bias, + residual, relu, each rounded as in
  // tile<>, so its value does not depend on which kernel computed it.
  template <std::size_t Cols, std::size_t Panels>
  [[gnu::flatten]] static void column_tail(const tile_args* t, const std::size_t* rows, std::size_t first) {
    using rv = row_vector;
    constexpr std::size_t per_k = mr / row_lanes;
    alignas(64) std::array<std::array<std::array<float, mr>, Cols>, Panels> sums{};  // [panel][column][row]
    if (t[0].accumulate)
      for (std::size_t g = 0; g < Panels; ++g)
        for (std::size_t col = 0; col < Cols; ++col)
          for (std::size_t r = 0; r < rows[g]; ++r) sums[g][col][r] = t[g].c[r * t[g].ldc + first + col];

    std::array<std::array<std::array<rv, per_k>, Cols>, Panels> acc;
    std::array<const float*, Panels> a;
    detail::unroll<Panels>([&](auto g) {
      a[g] = t[g].a;
      detail::unroll<Cols>([&](auto col) {
        detail::unroll<per_k>(
            [&](auto v) { acc[g][col][v] = rv::load_aligned(sums[g][col].data() + v * row_lanes); });
      });
    });
    const float* b = t[0].b + first;
    for (std::size_t kk = 0; kk < t[0].kc; ++kk) {
      std::array<rv, Cols> bv;
      detail::unroll<Cols>([&](auto col) { bv[col] = rv(b[col]); });
      detail::unroll<Panels>([&](auto g) {
        detail::unroll<per_k>([&](auto v) {
          const rv av = rv::load_unaligned(a[g] + v * row_lanes);
          detail::unroll<Cols>(
              [&](auto col) { acc[g][col][v] = fused_multiply_add(av, bv[col], acc[g][col][v]); });
        });
        a[g] += mr;
      });
      b += t[0].b_stride;
    }
    detail::unroll<Panels>([&](auto g) {
      detail::unroll<Cols>([&](auto col) {
        detail::unroll<per_k>(
            [&](auto v) { acc[g][col][v].store_aligned(sums[g][col].data() + v * row_lanes); });
      });
    });

    // The epilogue one element at a time: a float add rounds as a vector lane's does.
    for (std::size_t g = 0; g < Panels; ++g) {
      const tile_args& u = t[g];
      for (std::size_t r = 0; r < rows[g]; ++r) {
        for (std::size_t col = 0; col < Cols; ++col) {
          float x = sums[g][col][r];
          if (u.bias) x = x + u.bias[r];
          if (u.residual) x = x + u.residual[r * u.ld_residual + first + col];
          if (u.relu) x = x < 0.0f ? 0.0f : x;  // NaN stays NaN, as in tile<>
          u.c[r * u.ldc + first + col] = x;
        }
      }
    }
  }

  // column_tail for t[0].cols columns (≤ max_tail_columns) of `count` tiles (≤ tail_panels(cols)).
  using column_tail_fn = void (*)(const tile_args*, const std::size_t*, std::size_t);
  template <std::size_t Cols, std::size_t Panels>
  static constexpr column_tail_fn column_tail_entry() {
    if constexpr (Panels <= tail_panels(Cols))
      return &column_tail<Cols, Panels>;
    else
      return nullptr;
  }
  template <std::size_t Cols, std::size_t... G>
  static constexpr std::array<column_tail_fn, max_tail_panels> column_tail_row(std::index_sequence<G...>) {
    return {column_tail_entry<Cols, G + 1>()...};
  }
  template <std::size_t... C>
  static constexpr std::array<std::array<column_tail_fn, max_tail_panels>, sizeof...(C)> column_tail_table(
      std::index_sequence<C...>) {
    return {column_tail_row<C + 1>(std::make_index_sequence<max_tail_panels>{})...};
  }
  static void column_tails(const tile_args* t, const std::size_t* rows, std::size_t count,
                           std::size_t first) {
    if constexpr (max_tail_columns > 0) {
      static constexpr auto table = column_tail_table(std::make_index_sequence<max_tail_columns>{});
      table[t[0].cols - 1][count - 1](t, rows, first);
    }
  }

  // Whole panels of mr rows times 1, ..., nv vectors, B read through BRows.
  template <class BRows, std::size_t... V>
  static constexpr std::array<void (*)(const tile_args&, BRows), nv> tiles_of_width(
      std::index_sequence<V...>) {
    return {&tile<mr, V + 1, BRows>...};
  }

  // The micro-kernel for a panel's last rows or a micro-panel's last columns.
  using tile_fn = void (*)(const tile_args&);
  template <std::size_t Row, std::size_t... V>
  static constexpr std::array<tile_fn, nv> tile_row(std::index_sequence<V...>) {
    return {&tile<Row + 1, V + 1>...};
  }
  template <std::size_t... R>
  static constexpr std::array<std::array<tile_fn, nv>, mr> tile_table(std::index_sequence<R...>) {
    return {tile_row<R>(std::make_index_sequence<nv>{})...};
  }
  static tile_fn tile_for(std::size_t rows, std::size_t vecs) {
    static constexpr auto table = tile_table(std::make_index_sequence<mr>{});
    return table[rows - 1][vecs - 1];
  }
};

}  // namespace ctnet::simd
