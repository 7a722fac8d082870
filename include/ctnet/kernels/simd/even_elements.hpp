// Every other float of a row as one vector: the stride-2 reads of the phase copy (tap_planes.hpp)
// and of max and average pooling (pool.hpp). xsimd 8.1 has no strided load; two loads and a
// swizzle each (one permute on AVX-512) keep those loops in whole vectors.
#pragma once
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace ctnet::simd {

namespace detail {
// Lane orders of a swizzle: the even lanes, then the odd ones; the odd ones, then the even ones.
struct evens_first {
  static constexpr unsigned get(unsigned i, unsigned n) { return i < n / 2 ? 2 * i : 2 * (i - n / 2) + 1; }
};
struct odds_first {
  static constexpr unsigned get(unsigned i, unsigned n) { return i < n / 2 ? 2 * i + 1 : 2 * (i - n / 2); }
};
struct lower_half {
  static constexpr bool get(unsigned i, unsigned n) { return i < n / 2; }
};

// p[0], p[2], ..., p[2·lanes − 2] as one vector, from two loads (reads p[0, 2·lanes)). AVX-512 has
// it as one instruction (and g++ 12 warns, an error under -Werror, that xsimd's swizzle reads an
// uninitialized vector there: GCC bug 105593).
template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> even_elements(const float* p) {
  using batch = xsimd::batch<float, Arch>;
#if XSIMD_WITH_AVX512F
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(p), evens, _mm512_loadu_ps(p + 16));
  }
#endif
  using order = xsimd::batch<std::uint32_t, Arch>;
  const batch low =
      xsimd::swizzle(batch::load_unaligned(p), xsimd::make_batch_constant<order, evens_first>());
  const batch high =
      xsimd::swizzle(batch::load_unaligned(p + batch::size), xsimd::make_batch_constant<order, odds_first>());
  return xsimd::select(xsimd::make_batch_bool_constant<batch, lower_half>(), low, high);
}
}  // namespace detail

}  // namespace ctnet::simd
