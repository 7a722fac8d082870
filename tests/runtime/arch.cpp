// CTNET_ARCH: the compiled architecture or "reference"; anything else is an error naming the choices.
// And the compiled architecture is the target's vector unit.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <type_traits>

TEST_CASE("CTNET_ARCH chooses the kernels, and an unknown name lists the choices", "[runtime][arch]") {
  const char* before = std::getenv("CTNET_ARCH");
  const std::string saved = before ? before : "";

  ::setenv("CTNET_ARCH", "reference", 1);
  CHECK(ctnet::detail::choose_kernels() == ctnet::kernel_family::reference);
  ::setenv("CTNET_ARCH", ctnet::compiled_arch::name(), 1);
  CHECK(ctnet::detail::choose_kernels() == ctnet::kernel_family::simd);
  ::setenv("CTNET_ARCH", "avx1024", 1);
  REQUIRE_THROWS_AS(ctnet::detail::choose_kernels(), ctnet::error);
  REQUIRE_THROWS_WITH(ctnet::detail::choose_kernels(),
                      Catch::Contains("avx1024") && Catch::Contains("reference") &&
                          Catch::Contains(ctnet::compiled_arch::name()));
  ::unsetenv("CTNET_ARCH");
  CHECK(ctnet::detail::choose_kernels() == ctnet::kernel_family::simd);

  if (before) ::setenv("CTNET_ARCH", saved.c_str(), 1);
  // Whatever was chosen at first use stays chosen, and is named.
  CHECK((ctnet::active_arch() == "reference" || ctnet::active_arch() == ctnet::compiled_arch::name()));
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
