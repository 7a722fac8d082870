// One program holding the kernels of every x86-64 architecture (ctnet_add_kernels), run once per
// architecture with CTNET_ARCH forcing it, and once choosing for itself. Each run checks that
// the kernels it asked for are the ones running, and that they agree with the reference oracle.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "agreement.hpp"
#include "catch_session.hpp"
#include "networks.hpp"

namespace {
using namespace ctnet;

// The architecture CTNET_ARCH asks for, as active_arch() names it, or the best this CPU runs.
std::string expected_arch() {
  const auto compiled = detail::compiled_in();
  return std::string(detail::choose_arch(std::getenv("CTNET_ARCH"), compiled, xsimd::available_architectures().best));
}
}  // namespace

TEST_CASE("the kernels running are the ones asked for, and every architecture's are linked in", "[dispatch]") {
  // The baseline translation unit compiles sse2; ctnet_add_kernels adds the rest.
  CHECK(detail::compiled_in().size() == CTNET_EXPECTED_ARCH_COUNT);
  CHECK(active_arch() == expected_arch());
  CHECK(kernels_for<testing::every_layer_net>(active_arch()).arch == active_arch());
}

TEST_CASE("each architecture's kernels agree with the reference", "[dispatch]") {
  INFO("kernels: " << active_arch());
  for (std::size_t batch : {1, 3}) CHECK(testing::fast_vs_reference<testing::every_layer_net>(batch, 31) <= 1e-5);
}

int main(int argc, char** argv) {
  try {
    expected_arch();
  } catch (const ctnet::error& e) {
    // An architecture compiled in that this CPU cannot run: it has compiled, which is all we can test.
    if (std::string(e.what()).find("cannot run") != std::string::npos) {
      std::printf("skipped: %s\n", e.what());
      return 77;
    }
    throw;
  }
  return ctnet::testing::run_catch_session(argc, argv);
}
