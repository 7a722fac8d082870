// line[x, x + lanes) as a vector, zero in the lanes whose column falls outside [0, width): the rows
// of a padded convolution's input near its left and right edges, read without touching memory
// outside the row. AVX-512 and AVX2 load with a lane mask (load_where: masked-off lanes are not
// read, so cannot fault; also same_patches' tiles at an image's ends); elsewhere the valid part is
// copied into a zeroed vector (a scalar copy on AVX-512 cost a store-forwarding stall per vector:
// 45% of the Winograd input transform's time).
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace ctnet::simd {

template <class Arch>
xsimd::batch<float, Arch> load_part(const float* line, long x, long width);

// Whether the architecture loads a vector with a lane mask, masked-off lanes not read (so they
// cannot fault): AVX-512 and AVX2 (load_where).
template <class Arch>
inline constexpr bool has_masked_loads =
    std::is_base_of_v<xsimd::avx512f, Arch> || std::is_base_of_v<xsimd::avx2, Arch>;

// The address of base[i], which may lie outside any object (before a row, past a plane's margin):
// computed as an integer, for load_where, which reads only a mask's lanes of it.
[[gnu::always_inline]] inline std::uintptr_t address_of(const float* base, long i) {
  return reinterpret_cast<std::uintptr_t>(base) + static_cast<std::uintptr_t>(i) * sizeof(float);
}

// The floats at p where mask's lane is all ones, zero where it is zero, the latter not read: p may
// point outside any object there (hence an address, not a pointer). Only where has_masked_loads.
template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> load_where([[maybe_unused]] std::uintptr_t p,
                                                                   const xsimd::batch<float, Arch>& mask) {
  static_assert(has_masked_loads<Arch>, "load_where needs masked loads (AVX-512 or AVX2)");
#if XSIMD_WITH_AVX512F
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    const __m512i bits = _mm512_castps_si512(mask);
    return _mm512_maskz_loadu_ps(_mm512_test_epi32_mask(bits, bits), reinterpret_cast<const void*>(p));
  }
#endif
#if XSIMD_WITH_AVX2
  if constexpr (!std::is_base_of_v<xsimd::avx512f, Arch> && std::is_base_of_v<xsimd::avx2, Arch>)
    return _mm256_maskload_ps(reinterpret_cast<const float*>(p), _mm256_castps_si256(mask));
#endif
  return mask;  // not reached: no such architecture gets here
}

// Inlined where the vector lies inside the row, the usual case; a call at the row's edges.
template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> load_inside(const float* line, long x, long width) {
  if (x >= 0 && x + static_cast<long>(xsimd::batch<float, Arch>::size) <= width)
    return xsimd::batch<float, Arch>::load_unaligned(line + x);
  return load_part<Arch>(line, x, width);
}

template <class Arch>
[[gnu::noinline]] xsimd::batch<float, Arch> load_part(const float* line, long x, long width) {
  using batch = xsimd::batch<float, Arch>;
  constexpr long lanes = static_cast<long>(batch::size);
  const long first = std::max(0L, -x), last = std::clamp(width - x, 0L, lanes);  // valid lanes
  // Column x may lie before the row (x < 0): only its valid lanes are read.
  const std::uintptr_t at = address_of(line, x);
  if constexpr (has_masked_loads<Arch>) {
    // The mask made in registers: written lane by lane to memory and loaded as a vector, it would
    // wait for the stores to retire (no store forwarding into a wider load).
    static constexpr auto lane_numbers = [] {
      std::array<float, lanes> n{};
      for (long i = 0; i < lanes; ++i) n[static_cast<std::size_t>(i)] = static_cast<float>(i);
      return n;
    }();
    const batch lane = batch::load_unaligned(lane_numbers.data());
    const auto valid = (lane >= batch(static_cast<float>(first))) & (lane < batch(static_cast<float>(last)));
    return load_where<Arch>(at, xsimd::select(valid, batch(std::bit_cast<float>(~0u)), batch(0.0f)));
  } else {
    alignas(64) float part[lanes] = {};
    for (long i = first; i < last; ++i) part[i] = reinterpret_cast<const float*>(at)[i];
    return batch::load_aligned(part);
  }
}

}  // namespace ctnet::simd
