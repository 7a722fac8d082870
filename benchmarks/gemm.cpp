// g++-12 -std=c++20 -O3 -march=native -I include benchmarks/gemm.cpp -lbenchmark -lpthread -o gemm_bench
//
// simd::gemm against this core's measured FMA peak, one thread, on ResNet-50's GEMM shapes:
//   M=64,  K=576,  N=3136  3×3 conv of stage 1 (64 → 64 channels, 56×56) after im2col
//   M=256, K=64,   N=3136  1×1 conv expanding stage 1's bottleneck (64 → 256 channels, 56×56)
//   M=512, K=1152, N=196   3×3 conv of stage 4 (512 → 512 channels, 14×14) after im2col
// Every architecture the compile flags enable is measured: xsimd::default_arch, and fma3<avx2> too
// when the default is wider (with -march=native on an AVX-512 machine; -march=znver3 measures AVX2
// with Zen 3's sixteen registers). Counters: GFLOP/s over all iterations, and %peak = that over the
// same architecture's one-thread FMA peak (yardstick_GFLOP/s: ctnet/bench/peak.hpp's loop, best of
// 15 runs, measured once per process); best_GFLOP/s and best_%peak for the fastest iteration, which
// other processes on a shared machine disturb less. Before any timing, every measured instantiation
// is checked against a double-precision loop (with and without the epilogue, and for bit-identical
// results when [0, N) is split); the program aborts with a message if one is wrong. Compare medians:
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include "ctnet/bench/peak.hpp"
#include "ctnet/bench/timing.hpp"
#include "ctnet/kernels/simd/gemm.hpp"
#include "ctnet/runtime/aligned_buffer.hpp"

namespace {

struct shape {
  std::size_t m, k, n;
};
constexpr std::array<shape, 3> shapes{{{64, 576, 3136}, {256, 64, 3136}, {512, 1152, 196}}};

// ---- FMA peak (ctnet/bench/peak.hpp), one thread as the product here runs on one ----------------
template <class Arch>
double peak_flops() {
  return ctnet::bench::peak_flops<Arch>(1);
}

using ctnet::bench::timed;

template <class Arch>
void fma_peak(benchmark::State& state) {
  constexpr std::size_t steps = 1 << 16;
  std::vector<float> values = ctnet::bench::fma_loop_state<Arch>();
  timed(state, {ctnet::bench::fma_loop_flops<Arch>(steps)}, 0,
        [&] { ctnet::bench::fma_loop<Arch>(steps, values.data()); });
  state.counters["yardstick_GFLOP/s"] = peak_flops<Arch>() * 1e-9;
}

// ---- GEMM ----------------------------------------------------------------------------------------
struct problem {
  shape s;
  ctnet::aligned_buffer a, b, c, bias, residual;
  explicit problem(shape sh)
      : s(sh), a(sh.m * sh.k), b(sh.k * sh.n), c(sh.m * sh.n), bias(sh.m), residual(sh.m * sh.n) {
    std::mt19937 random(42);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (auto* buffer : {&a, &b, &bias, &residual})
      for (float& x : buffer->span()) x = uniform(random);
  }
  ctnet::simd::epilogue full_epilogue() const { return {bias.data(), residual.data(), s.n, true}; }
};

template <class Arch>
ctnet::aligned_buffer pack(const problem& p) {
  ctnet::aligned_buffer packed(ctnet::simd::gemm<Arch>::packed_size(p.s.m, p.s.k));
  ctnet::simd::gemm<Arch>::pack_a(p.a.data(), p.s.k, p.s.m, p.s.k, packed.data());
  return packed;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "benchmarks/gemm: %s\n", what.c_str());
  std::abort();
}

// The result against a double-precision loop: |error| ≤ 1e-5 · (Σ|a·b| + |bias| + |residual|).
void check(const problem& p, const ctnet::simd::epilogue& e, const std::string& what) {
  const shape s = p.s;
  std::vector<double> sum(s.n), magnitude(s.n);
  for (std::size_t i = 0; i < s.m; ++i) {
    std::fill(sum.begin(), sum.end(), e.bias ? e.bias[i] : 0.0);
    std::fill(magnitude.begin(), magnitude.end(), e.bias ? std::fabs(e.bias[i]) : 0.0);
    for (std::size_t q = 0; q < s.k; ++q) {
      const double a = p.a.data()[i * s.k + q];
      const float* b = p.b.data() + q * s.n;
      for (std::size_t j = 0; j < s.n; ++j) {
        sum[j] += a * b[j];
        magnitude[j] += std::fabs(a * b[j]);
      }
    }
    for (std::size_t j = 0; j < s.n; ++j) {
      double want = sum[j], scale = magnitude[j];
      if (e.residual) {
        want += e.residual[i * e.ld_residual + j];
        scale += std::fabs(e.residual[i * e.ld_residual + j]);
      }
      if (e.relu && want < 0) want = 0;
      const double got = p.c.data()[i * s.n + j];
      if (!(std::fabs(got - want) <= 1e-5 * scale))
        fail(what + ": C[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(got) +
             ", want " + std::to_string(want));
    }
  }
}

template <class Arch>
void verify(shape s) {
  using G = ctnet::simd::gemm<Arch>;
  const std::string what = std::string("gemm<") + Arch::name() + "> M=" + std::to_string(s.m) +
                           " K=" + std::to_string(s.k) + " N=" + std::to_string(s.n);
  problem p(s);
  const ctnet::aligned_buffer packed = pack<Arch>(p);
  G::multiply(s.m, s.k, packed.data(), p.b.data(), s.n, p.c.data(), s.n, 0, s.n);
  check(p, {}, what);
  G::multiply(s.m, s.k, packed.data(), p.b.data(), s.n, p.c.data(), s.n, 0, s.n, p.full_epilogue());
  check(p, p.full_epilogue(), what + " with bias, residual and relu");
  const ctnet::aligned_buffer whole = p.c;
  const std::size_t cut = s.n / 3 + 1;
  G::multiply(s.m, s.k, packed.data(), p.b.data(), s.n, p.c.data(), s.n, cut, s.n, p.full_epilogue());
  G::multiply(s.m, s.k, packed.data(), p.b.data(), s.n, p.c.data(), s.n, 0, cut, p.full_epilogue());
  if (std::memcmp(whole.data(), p.c.data(), whole.size() * sizeof(float)) != 0)
    fail(what + ": splitting [0, N) at " + std::to_string(cut) + " changed the result");
}

template <class Arch>
void gemm_shape(benchmark::State& state, shape s, bool with_epilogue) {
  using G = ctnet::simd::gemm<Arch>;
  problem p(s);
  const ctnet::aligned_buffer packed = pack<Arch>(p);
  const ctnet::simd::epilogue e = with_epilogue ? p.full_epilogue() : ctnet::simd::epilogue{};
  timed(state, {2.0 * static_cast<double>(s.m * s.k * s.n)}, peak_flops<Arch>(),
        [&] { G::multiply(s.m, s.k, packed.data(), p.b.data(), s.n, p.c.data(), s.n, 0, s.n, e); });
}

template <class Arch>
void register_arch() {
  const std::string arch = Arch::name();
  for (const shape& s : shapes) verify<Arch>(s);
  std::fprintf(stderr, "gemm<%s>: results checked against a double-precision loop\n", arch.c_str());

  benchmark::RegisterBenchmark(("fma_peak/" + arch).c_str(), fma_peak<Arch>)->UseManualTime();
  for (const shape& s : shapes) {
    const std::string name = "gemm/" + arch + "/M=" + std::to_string(s.m) + "/K=" + std::to_string(s.k) +
                             "/N=" + std::to_string(s.n);
    benchmark::RegisterBenchmark(name.c_str(), gemm_shape<Arch>, s, false)->UseManualTime();
    benchmark::RegisterBenchmark((name + "/bias+residual+relu").c_str(), gemm_shape<Arch>, s, true)
        ->UseManualTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_arch<xsimd::default_arch>();
#if defined(__AVX2__) && defined(__FMA__)
  if constexpr (!std::is_same_v<xsimd::default_arch, xsimd::fma3<xsimd::avx2>>)
    register_arch<xsimd::fma3<xsimd::avx2>>();
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
