// a·b + c rounded once, on every architecture. xsimd 8.1 writes avx512f's fma as x·y + z: g++
// contracts that into one FMA instruction, clang 14 does not (the operators are separate inline
// functions), which gave clang builds two roundings and half the speed in ctnet's AVX-512 kernels,
// and results that differ from the AVX2 row vectors gemm uses for narrow column tails.
#pragma once
#include <type_traits>
#include <xsimd/xsimd.hpp>

namespace ctnet::simd {

template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> fused_multiply_add(
    const xsimd::batch<float, Arch>& a, const xsimd::batch<float, Arch>& b,
    const xsimd::batch<float, Arch>& c) {
#if XSIMD_WITH_AVX512F
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) return _mm512_fmadd_ps(a, b, c);
#endif
  return xsimd::fma(a, b, c);
}

}  // namespace ctnet::simd
