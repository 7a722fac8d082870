// Which kernels run. A translation unit's SIMD kernels are instantiated for the best instruction
// set its compile flags enable (xsimd::default_arch: sse2 with no flags on x86-64, avx2 or
// avx512 with -march=native, neon64 on aarch64). The environment variable CTNET_ARCH may name that
// architecture or "reference", the scalar oracle; any other name is an error listing the choices.
#pragma once
#include <cstdlib>
#include <string>
#include <string_view>

#include <xsimd/xsimd.hpp>

#include "../../error.hpp"

namespace ctnet {

using compiled_arch = xsimd::default_arch;

enum class kernel_family { simd, reference };

namespace detail {
inline kernel_family choose_kernels() {
  const char* forced = std::getenv("CTNET_ARCH");
  if (!forced || std::string_view(forced).empty() || std::string_view(forced) == compiled_arch::name())
    return kernel_family::simd;
  if (std::string_view(forced) == "reference") return kernel_family::reference;
  throw error(std::string("CTNET_ARCH=\"") + forced + "\" is not available in this build; the choices are \"" +
              compiled_arch::name() + "\" (compiled in) and \"reference\" (the scalar oracle)");
}
}  // namespace detail

// The kernels forward() runs, fixed at first use.
inline kernel_family active_kernels() {
  static const kernel_family family = detail::choose_kernels();
  return family;
}

// The name of the architecture forward() runs: "avx2", "sse2", "neon64", ... or "reference".
inline std::string_view active_arch() {
  return active_kernels() == kernel_family::reference ? std::string_view("reference") : compiled_arch::name();
}

}  // namespace ctnet
