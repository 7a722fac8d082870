// Choosing the architecture: the best compiled in that the CPU runs, or the one CTNET_ARCH names;
// an unknown name, or one this CPU cannot run, is an error naming the choices.
// And the compiled architecture is the target's vector unit.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace {
using ctnet::arch_info;
using ctnet::detail::choose_arch;

// Versions as xsimd orders them; only their order matters here.
const std::vector<arch_info> compiled{{"avx512bw", 40}, {"fma3+avx2", 30}, {"sse2", 10}};
}  // namespace

TEST_CASE("Without CTNET_ARCH the best architecture this CPU runs is chosen", "[runtime][arch]") {
  CHECK(choose_arch(nullptr, compiled, 40) == "avx512bw");
  CHECK(choose_arch("", compiled, 35) == "fma3+avx2");
  CHECK(choose_arch(nullptr, compiled, 10) == "sse2");
}

TEST_CASE("CTNET_ARCH forces a compiled architecture, by xsimd's name or ctnet_add_kernels'", "[runtime][arch]") {
  CHECK(choose_arch("sse2", compiled, 40) == "sse2");
  CHECK(choose_arch("fma3+avx2", compiled, 40) == "fma3+avx2");
  CHECK(choose_arch("avx2", compiled, 40) == "fma3+avx2");
  CHECK(choose_arch("reference", compiled, 40) == "reference");
}

TEST_CASE("CTNET_ARCH naming an architecture the CPU lacks or the program lacks is an error", "[runtime][arch]") {
  REQUIRE_THROWS_WITH(choose_arch("avx512bw", compiled, 30),
                      Catch::Contains("cannot run") && Catch::Contains("\"fma3+avx2\", \"sse2\", \"reference\""));
  REQUIRE_THROWS_AS(choose_arch("avx1024", compiled, 40), ctnet::error);
  REQUIRE_THROWS_WITH(choose_arch("avx1024", compiled, 40),
                      Catch::Contains("avx1024") && Catch::Contains("not compiled into this program") &&
                          Catch::Contains("\"avx512bw\", \"fma3+avx2\", \"sse2\", \"reference\""));
}

TEST_CASE("This program's own architecture is compiled in and named", "[runtime][arch]") {
  const auto archs = ctnet::detail::compiled_in();
  REQUIRE(!archs.empty());
  bool found = false;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    found = found || archs[i].name == ctnet::compiled_arch::name();
    if (i > 0) CHECK(archs[i - 1].version > archs[i].version);  // best first, each once
  }
  CHECK(found);
  // Whatever was chosen at first use stays chosen, and is one of them or the oracle.
  const std::string active(ctnet::active_arch());
  bool known = active == "reference";
  for (const auto& a : archs) known = known || a.name == active;
  CHECK(known);
}

TEST_CASE("the SIMD kernels are compiled for the target's vector unit, not a scalar fallback",
          "[runtime][arch]") {
  // Every AArch64 CPU has Advanced SIMD, and xsimd's default_arch there must be neon64 (xsimd 8.1
  // names it "arm64+neon"): anything else would run the cross build's SIMD tests on a fallback, and
  // they would pass. (x86-64 has its per-architecture test executables instead.)
#if defined(__aarch64__)
  STATIC_REQUIRE(std::is_same_v<ctnet::compiled_arch, xsimd::neon64>);
#endif
  STATIC_REQUIRE(xsimd::batch<float, ctnet::compiled_arch>::size >= 4);
}
