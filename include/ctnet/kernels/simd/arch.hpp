// Which kernels run. A translation unit's SIMD kernels are instantiated for the best instruction
// set its compile flags enable (xsimd::default_arch: sse2 with no flags on x86-64, avx2 or
// avx512 with -march=native, neon64 on aarch64). ctnet_add_kernels (cmake/ctnetKernels.cmake)
// compiles a model's kernels once more for each architecture it is given, in translation units of
// their own, and names those architectures here through CTNET_DISPATCH_ARCHS.
//
// At run time the best architecture both compiled in and run by this CPU is chosen, once. The
// environment variable CTNET_ARCH may force one of them, by the name active_arch() reports, or
// "reference", the scalar oracle; any other name is an error listing the choices.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "../../error.hpp"
#include "../../graph/type_list.hpp"

namespace ctnet {

using compiled_arch = xsimd::default_arch;

// The architectures ctnet_add_kernels knows, under the names its ARCHS argument takes. avx2
// comes with FMA, as on every CPU that has it but early Haswell-era Pentiums and Celerons.
namespace isa {
using sse2 = xsimd::sse2;
using sse4_2 = xsimd::sse4_2;
using avx = xsimd::avx;
using avx2 = xsimd::fma3<xsimd::avx2>;
using avx512f = xsimd::avx512f;
using avx512bw = xsimd::avx512bw;
using neon64 = xsimd::neon64;
}  // namespace isa

// The architectures whose kernels other translation units of this program hold.
#ifdef CTNET_DISPATCH_ARCHS
using dispatched_archs = type_list<CTNET_DISPATCH_ARCHS>;
#else
using dispatched_archs = type_list<>;
#endif

enum class kernel_family { simd, reference };

// An architecture this program has kernels for.
struct arch_info {
  std::string_view name;  // xsimd's name: "sse2", "sse4.2", "avx", "fma3+avx2", "avx512bw", "arm64+neon", ...
  unsigned version;       // xsimd's ordering: a CPU runs every architecture up to its best
};

namespace detail {
template <class... Archs>
std::vector<arch_info> describe(type_list<Archs...>) {
  return {arch_info{Archs::name(), Archs::version()}...};
}

// compiled_arch and the dispatched ones, best first, each once.
inline std::vector<arch_info> compiled_in() {
  std::vector<arch_info> archs = describe(dispatched_archs{});
  archs.push_back({compiled_arch::name(), compiled_arch::version()});
  std::sort(archs.begin(), archs.end(), [](const arch_info& a, const arch_info& b) { return a.version > b.version; });
  archs.erase(std::unique(archs.begin(), archs.end(),
                          [](const arch_info& a, const arch_info& b) { return a.name == b.name; }),
              archs.end());
  return archs;
}

inline std::string quoted_list(const std::vector<arch_info>& archs) {
  std::string list;
  for (const arch_info& a : archs) list.append("\"").append(a.name).append("\", ");
  return list.append("\"reference\"");
}

// The architecture to run, given the CTNET_ARCH value (null or empty: choose the best), the ones
// compiled in, and the best version this CPU runs.
inline std::string_view choose_arch(const char* forced, const std::vector<arch_info>& compiled,
                                    unsigned cpu_best) {
  std::vector<arch_info> runnable;
  for (const arch_info& a : compiled)
    if (a.version <= cpu_best) runnable.push_back(a);
  if (!forced || std::string_view(forced).empty()) return runnable.empty() ? compiled.front().name : runnable.front().name;
  // The names ctnet_add_kernels takes are accepted too.
  const std::string_view name = std::string_view(forced) == "avx2"     ? isa::avx2::name()
                                : std::string_view(forced) == "sse4_2" ? isa::sse4_2::name()
                                : std::string_view(forced) == "neon64" ? isa::neon64::name()
                                                                       : std::string_view(forced);
  if (name == "reference") return "reference";
  for (const arch_info& a : runnable)
    if (a.name == name) return a.name;
  // (Built with append: g++ 12 warns falsely of overlapping memcpy for chains of operator+.)
  std::string message = "CTNET_ARCH=\"";
  message.append(name);
  bool compiled_in = false;
  for (const arch_info& a : compiled) compiled_in = compiled_in || a.name == name;
  message.append(compiled_in ? "\": the kernels are compiled in, but this CPU cannot run them; it runs "
                             : "\" is not compiled into this program; the choices are ");
  message.append(quoted_list(runnable));
  if (!compiled_in) message.append(" (the scalar oracle)");
  throw error(message);
}
}  // namespace detail

// The name of the architecture forward() runs: "fma3+avx2", "sse2", "arm64+neon", ... or "reference".
// Fixed at first use.
inline std::string_view active_arch() {
  static const std::string_view chosen =
      detail::choose_arch(std::getenv("CTNET_ARCH"), detail::compiled_in(), xsimd::available_architectures().best);
  return chosen;
}

inline kernel_family active_kernels() {
  return active_arch() == "reference" ? kernel_family::reference : kernel_family::simd;
}

}  // namespace ctnet
