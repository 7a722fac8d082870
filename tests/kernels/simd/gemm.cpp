// Tests of include/ctnet/kernels/simd/gemm.hpp against a double-precision triple loop.
//
// Tested: xsimd::default_arch, the best architecture the compile flags enable (sse2 in the test
// target, which has no -march flags; avx512bw with -march=native on an AVX-512 machine; neon64 on
// AArch64), and fma3<avx2> too when the flags enable it. Not a baseline sse2 kernel in a TU whose
// flags enable FMA: xsimd's sse2 fma is x·y + z, which g++ then contracts into an FMA or not by
// heuristics that differ between tile widths, so splits of [0, N) are not bit-identical there (see
// gemm.hpp). benchmarks/gemm.cpp checks the AVX2 and AVX-512 builds the same way before timing them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <tuple>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>
#include <xsimd/xsimd.hpp>

#include "ctnet/kernels/simd/gemm.hpp"
#include "ctnet/kernels/simd/packed_panels.hpp"

namespace {

#if XSIMD_WITH_FMA3_AVX2
using avx2 = xsimd::fma3<xsimd::avx2>;
using tested_archs = std::conditional_t<std::is_same_v<xsimd::default_arch, avx2>, std::tuple<avx2>,
                                        std::tuple<xsimd::default_arch, avx2>>;
#else
using tested_archs = std::tuple<xsimd::default_arch>;
#endif

constexpr float sentinel = 12345.0f;  // in C wherever the kernel must not write

// A, B, bias and residual as strided sub-matrices (leading dimensions wider than the rows) of
// uniform(-1, 1) values, and C full of the sentinel.
struct problem {
  std::size_t m, k, n, lda, ldb, ldc, ld_residual;
  std::vector<float> a, b, bias, residual, c;

  problem(std::size_t m_, std::size_t k_, std::size_t n_, unsigned seed = 1)
      : m(m_),
        k(k_),
        n(n_),
        lda(k_ + 3),
        ldb(n_ + 5),
        ldc(n_ + 2),
        ld_residual(n_ + 1),
        a(m_ * lda),
        b(k_ * ldb),
        bias(m_),
        residual(m_ * ld_residual),
        c(m_ * ldc, sentinel) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (auto* values : {&a, &b, &bias, &residual})
      for (float& x : *values) x = uniform(random);
  }

  ctnet::simd::epilogue epilogue(bool with_bias, bool with_residual, bool relu) const {
    return {with_bias ? bias.data() : nullptr, with_residual ? residual.data() : nullptr, ld_residual, relu};
  }

  template <class Arch>
  std::vector<float> packed() const {
    using G = ctnet::simd::gemm<Arch>;
    std::vector<float> p(G::packed_size(m, k));
    G::pack_a(a.data(), lda, m, k, p.data());
    return p;
  }

  template <class Arch>
  void multiply(const std::vector<float>& packed_a, std::size_t n_begin, std::size_t n_end,
                const ctnet::simd::epilogue& e) {
    ctnet::simd::gemm<Arch>::multiply(m, k, packed_a.data(), b.data(), ldb, c.data(), ldc, n_begin, n_end, e);
  }
};

// A·B in double, and Σ|a·b|, the scale its rounding error is measured against.
struct reference {
  std::vector<double> sum, magnitude;
  explicit reference(const problem& p) : sum(p.m * p.n), magnitude(p.m * p.n) {
    for (std::size_t i = 0; i < p.m; ++i)
      for (std::size_t j = 0; j < p.n; ++j)
        for (std::size_t q = 0; q < p.k; ++q) {
          const double product = static_cast<double>(p.a[i * p.lda + q]) * p.b[q * p.ldb + j];
          sum[i * p.n + j] += product;
          magnitude[i * p.n + j] += std::fabs(product);
        }
  }
};

// C[·][n_begin, n_end) against the reference with the epilogue applied, |error| ≤ 1e-5 · (Σ|a·b| +
// |bias| + |residual|), and every other element of C (other columns, the ldc padding) still the sentinel.
void check(const problem& p, const reference& want, const ctnet::simd::epilogue& e, std::size_t n_begin,
           std::size_t n_end) {
  double worst = 0;  // the largest error relative to its scale
  std::size_t wrong = 0, overwritten = 0;
  for (std::size_t i = 0; i < p.m; ++i) {
    for (std::size_t j = 0; j < p.ldc; ++j) {
      const float got = p.c[i * p.ldc + j];
      if (j < n_begin || j >= n_end) {
        if (std::memcmp(&got, &sentinel, sizeof got) != 0) ++overwritten;
        continue;
      }
      double expected = want.sum[i * p.n + j], scale = want.magnitude[i * p.n + j];
      if (e.bias) {
        expected += e.bias[i];
        scale += std::fabs(e.bias[i]);
      }
      if (e.residual) {
        expected += e.residual[i * e.ld_residual + j];
        scale += std::fabs(e.residual[i * e.ld_residual + j]);
      }
      if (e.relu) expected = std::max(expected, 0.0);
      const double error = std::fabs(got - expected);
      if (!(error <= 1e-5 * scale)) ++wrong;  // also counts NaN
      if (scale > 0) worst = std::max(worst, error / scale);
    }
  }
  INFO("M=" << p.m << " K=" << p.k << " N=" << p.n << " columns [" << n_begin << ", " << n_end
            << ") bias=" << (e.bias != nullptr) << " residual=" << (e.residual != nullptr)
            << " relu=" << e.relu << "; worst relative error " << worst);
  CHECK(wrong == 0);
  CHECK(overwritten == 0);
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("simd::gemm matches a double-precision loop on odd shapes", "[kernels][simd][gemm]",
                        tested_archs) {
  INFO("arch " << TestType::name());
  for (std::size_t m : {1, 5, 6, 7, 13, 64}) {
    for (std::size_t k : {1, 3, 17, 300}) {
      for (std::size_t n : {1, 7, 8, 9, 31, 100}) {
        problem p(m, k, n);
        const reference want(p);
        const std::vector<float> packed = p.template packed<TestType>();
        for (int parts = 0; parts < 8; ++parts) {
          const auto e = p.epilogue(parts & 1, parts & 2, parts & 4);
          std::fill(p.c.begin(), p.c.end(), sentinel);
          p.template multiply<TestType>(packed, 0, n, e);
          check(p, want, e, 0, n);
        }
      }
    }
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm blocks M and K, and writes only the columns asked for",
                        "[kernels][simd][gemm]", tested_archs) {
  using G = ctnet::simd::gemm<TestType>;
  INFO("arch " << TestType::name());
  // More rows than one M block, and a column tail; more depth than two K blocks hold, the most that
  // stays one block, and one more (two blocks).
  for (std::size_t k : {2 * G::tiling::kc_max + 5, G::tiling::one_block_max, G::tiling::one_block_max + 1}) {
    problem p(G::tiling::mc_max + 7, k, 2 * G::nr + 3);
    const reference want(p);
    const std::vector<float> packed = p.template packed<TestType>();
    const auto e = p.epilogue(true, true, true);
    p.template multiply<TestType>(packed, 0, p.n, e);
    check(p, want, e, 0, p.n);

    std::fill(p.c.begin(), p.c.end(), sentinel);
    p.template multiply<TestType>(packed, 3, p.n - 2, e);
    check(p, want, e, 3, p.n - 2);

    std::fill(p.c.begin(), p.c.end(), sentinel);
    p.template multiply<TestType>(packed, 5, 5, e);  // empty
    check(p, want, e, 5, 5);
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm runs long rows of C block by block, panel by panel",
                        "[kernels][simd][gemm]", tested_archs) {
  using G = ctnet::simd::gemm<TestType>;
  INFO("arch " << TestType::name());
  // One K block, more than two panels (the last one short) and several blocks of a few thousand
  // columns ending in a column tail: multiply_blocks, then the tail as usual. With the deepest K that
  // stays one block, a block holds only a few micro-panels.
  for (std::size_t k : {std::size_t{37}, G::tiling::one_block_max}) {
    problem p(3 * G::mr + 3, k, 3605);
    const reference want(p);
    const std::vector<float> packed = p.template packed<TestType>();
    for (int parts = 0; parts < 8; ++parts) {
      const auto e = p.epilogue(parts & 1, parts & 2, parts & 4);
      std::fill(p.c.begin(), p.c.end(), sentinel);
      p.template multiply<TestType>(packed, 0, p.n, e);
      check(p, want, e, 0, p.n);
      const std::vector<float> whole = p.c;
      // The same columns in pieces too short for blocks: bit for bit the same.
      std::fill(p.c.begin(), p.c.end(), sentinel);
      for (std::size_t j = 0; j < p.n; j += 500)
        p.template multiply<TestType>(packed, j, std::min(p.n, j + 500), e);
      INFO("K=" << k << " epilogue parts " << parts);
      CHECK(std::memcmp(whole.data(), p.c.data(), whole.size() * sizeof(float)) == 0);
    }
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm gives bit-identical results however the columns are split",
                        "[kernels][simd][gemm]", tested_archs) {
  using G = ctnet::simd::gemm<TestType>;
  INFO("arch " << TestType::name());
  for (const auto& [m, k, n] : {std::tuple<std::size_t, std::size_t, std::size_t>{13, 300, 100},
                                {7, 17, 31},
                                {G::mr + 1, 2 * G::tiling::kc_max + 1, 3 * G::nr + 5}}) {
    problem p(m, k, n);
    const std::vector<float> packed = p.template packed<TestType>();
    for (int parts = 0; parts < 8; ++parts) {
      const auto e = p.epilogue(parts & 1, parts & 2, parts & 4);
      std::fill(p.c.begin(), p.c.end(), sentinel);
      p.template multiply<TestType>(packed, 0, n, e);
      const std::vector<float> whole = p.c;
      // Cuts at odd points: inside a vector, at a vector boundary, at a micro-panel boundary, ±1.
      const std::vector<std::vector<std::size_t>> splits{{0, 1, n},
                                                         {0, n - 1, n},
                                                         {0, 3, 10, 29, n},
                                                         {0, G::lanes, n},
                                                         {0, G::nr - 1, n},
                                                         {0, G::nr + 1, 2 * G::nr - 3, n},
                                                         {0, n / 2, n / 2 + 1, n}};
      for (const auto& cuts : splits) {
        std::fill(p.c.begin(), p.c.end(), sentinel);
        // Back to front: no piece may depend on what another wrote.
        for (std::size_t piece = cuts.size() - 1; piece > 0; --piece)
          p.template multiply<TestType>(packed, std::min(cuts[piece - 1], n), std::min(cuts[piece], n), e);
        INFO("M=" << m << " K=" << k << " N=" << n << " epilogue parts " << parts << " cut at " << cuts[1]);
        CHECK(std::memcmp(whole.data(), p.c.data(), whole.size() * sizeof(float)) == 0);
      }
    }
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm reads a B packed in micro-panels one panel at a time as the whole matrix",
                        "[kernels][simd][gemm]", tested_archs) {
  using G = ctnet::simd::gemm<TestType>;
  using panels = ctnet::simd::packed_panels<TestType>;
  INFO("arch " << TestType::name());
  for (const auto& [m, k, n] : {std::tuple<std::size_t, std::size_t, std::size_t>{1, 300, 2 * G::nr + 5},
                                {3, 17, 7},
                                {G::mr + 1, G::tiling::one_block_max + 1, 3 * G::nr},
                                {3 * G::mr, 5, G::nr + 1}}) {
    problem p(m, k, n);
    const std::vector<float> packed_a = p.template packed<TestType>();
    // Wᵀ's rows (PyTorch's linear weight), packed.
    std::vector<float> w(n * k), b_panels(panels::floats(k, n), sentinel);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t q = 0; q < k; ++q) w[j * k + q] = p.b[q * p.ldb + j];
    panels::pack_transposed(w.data(), k, n, b_panels.data());
    for (int parts = 0; parts < 8; ++parts) {
      const auto e = p.epilogue(parts & 1, parts & 2, parts & 4);
      std::fill(p.c.begin(), p.c.end(), sentinel);
      p.template multiply<TestType>(packed_a, 0, n, e);
      const std::vector<float> from_matrix = p.c;
      // As linear runs it: each micro-panel a K × nr matrix, its columns of C, its residual.
      std::fill(p.c.begin(), p.c.end(), sentinel);
      panels::multiply(m, k, packed_a.data(), b_panels.data(), p.c.data(), p.ldc, 0, n, e);
      INFO("M=" << m << " K=" << k << " N=" << n << " epilogue parts " << parts);
      CHECK(std::memcmp(from_matrix.data(), p.c.data(), p.c.size() * sizeof(float)) == 0);
    }
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm relu propagates NaN", "[kernels][simd][gemm]", tested_archs) {
  INFO("arch " << TestType::name());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  problem p(7, 5, 19);
  p.b[2 * p.ldb + 4] = nan;                  // column 4 of A·B is NaN
  p.bias[3] = nan;                           // so is row 3 after the bias
  p.residual[5 * p.ld_residual + 11] = nan;  // and C[5][11] after the residual
  const std::vector<float> packed = p.template packed<TestType>();
  p.template multiply<TestType>(packed, 0, p.n, p.epilogue(true, true, true));
  for (std::size_t i = 0; i < p.m; ++i) {
    for (std::size_t j = 0; j < p.n; ++j) {
      const float got = p.c[i * p.ldc + j];
      INFO("C[" << i << "][" << j << "] = " << got);
      if (j == 4 || i == 3 || (i == 5 && j == 11))
        CHECK(std::isnan(got));
      else
        CHECK((std::isfinite(got) && got >= 0.0f));
    }
  }
}

TEMPLATE_LIST_TEST_CASE("simd::gemm packs A in zero-padded panels; K = 0 leaves the epilogue",
                        "[kernels][simd][gemm]", tested_archs) {
  using G = ctnet::simd::gemm<TestType>;
  INFO("arch " << TestType::name());
  const std::size_t m = G::mr + 1, k = 3;
  CHECK(G::packed_size(m, k) == 2 * G::mr * k);
  std::vector<float> a(m * k);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i + 1);
  std::vector<float> packed(G::packed_size(m, k), std::numeric_limits<float>::quiet_NaN());
  G::pack_a(a.data(), k, m, k, packed.data());
  for (std::size_t i = 0; i < 2 * G::mr; ++i) {
    for (std::size_t q = 0; q < k; ++q) {
      INFO("row " << i << " column " << q);
      CHECK(packed[(i / G::mr) * G::mr * k + q * G::mr + i % G::mr] == (i < m ? a[i * k + q] : 0.0f));
    }
  }

  // K = 0: A·B is empty, C = relu(bias + residual).
  const std::vector<float> bias{1.0f, -2.0f}, residual{0.5f, 0.25f, 0.75f, 1.5f, -1.0f, 3.0f};
  std::vector<float> c(6, sentinel);
  G::multiply(2, 0, nullptr, nullptr, 3, c.data(), 3, 0, 3, {bias.data(), residual.data(), 3, true});
  CHECK(c == std::vector<float>{1.5f, 1.25f, 1.75f, 0.0f, 0.0f, 1.0f});
}
