// Loads base[index[i]] into lane i. xsimd 8.1's batch::gather never reaches its own AVX2 and
// AVX-512 gather instructions for floats (it names the kernel with two template arguments, which
// the float overloads do not take) and inserts lane by lane instead: 16 scalar loads and inserts
// per vector under AVX-512, most of the time of ctnet's Winograd input transform. Here the
// instructions are called directly; other architectures keep xsimd's (they have none).
#pragma once
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace ctnet::simd {

template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> gather(
    const float* base, const xsimd::batch<std::int32_t, Arch>& index) {
#if XSIMD_WITH_AVX512F
  // The masked forms, all lanes on: g++ 12 warns that the plain ones read an uninitialized vector.
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>)
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, index, base, sizeof(float));
#endif
#if XSIMD_WITH_AVX2
  if constexpr (std::is_base_of_v<xsimd::avx2, Arch>)
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, index,
                                    _mm256_castsi256_ps(_mm256_set1_epi32(-1)), sizeof(float));
#endif
  return xsimd::batch<float, Arch>::gather(base, index);
}

}  // namespace ctnet::simd
