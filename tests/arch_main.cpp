// main() of the per-architecture test executables: each is this suite compiled with one
// architecture's flags. On a CPU without that architecture it reports a skip (exit 77) instead of
// dying of an illegal instruction; the avx512 build still proves the kernels compile for it.
#include "catch_session.hpp"

#include <xsimd/xsimd.hpp>

#include <cstdio>

namespace {
bool cpu_runs_this_build() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#if defined(__AVX512F__)
  if (!__builtin_cpu_supports("avx512f")) return false;
#endif
#if defined(__AVX512BW__)
  if (!__builtin_cpu_supports("avx512bw")) return false;
#endif
#if defined(__AVX512DQ__)
  if (!__builtin_cpu_supports("avx512dq")) return false;
#endif
#if defined(__AVX2__)
  if (!__builtin_cpu_supports("avx2")) return false;
#endif
#if defined(__FMA__)
  if (!__builtin_cpu_supports("fma")) return false;
#endif
#endif
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  if (!cpu_runs_this_build()) {
    std::printf("skipped: this CPU cannot run %s code\n", xsimd::default_arch::name());
    return 77;
  }
  return ctnet::testing::run_catch_session(argc, argv);
}
