// kernel_set: one architecture's fast kernels for one network, as function pointers, so that a
// model can run kernels compiled in another translation unit with other flags.
//
// The kernels of compiled_arch come from the including translation unit. Those of the other
// architectures come from kernel translation units that ctnet_add_kernels (cmake/ctnetKernels.cmake)
// compiles once per architecture with that architecture's flags and CTNET_KERNEL_ARCH naming it;
// each holds one line per network:
//
//     CTNET_INSTANTIATE_KERNELS(my_net);
//
// Elsewhere instantiated_kernels<Net, Arch> is only declared, so the including translation unit
// never compiles code for an instruction set its flags do not enable; the linker finds the
// instantiation in the kernel translation unit (a network without that line fails to link, naming
// instantiated_kernels<Net, Arch>). Kernel translation units should hold nothing else: what they
// define is compiled for their architecture, and only what is named by architecture is safe to
// share. (Functions both they and the rest of the program instantiate, such as the thread pool's,
// are taken by the linker from the first object file that defines them; ctnet_add_kernels links
// the kernel objects last, so those are the baseline ones.)
#pragma once
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../fusion/fuse.hpp"
#include "../graph/network.hpp"
#include "../kernels/simd/arch.hpp"

namespace ctnet {

struct kernel_set {
  std::string_view arch;
  std::size_t packed_floats;                                           // floats of the execution layout
  void (*pack)(const float* params, float* packed);                    // PyTorch layout -> execution layout
  void (*run)(const float* packed, const float* x, float* y, float* ws, std::size_t n);
};

// The kernels for Arch, compiled here: Arch must be enabled by this translation unit's flags.
template <network_type Net, class Arch>
kernel_set kernels_compiled_here() {
  static_assert(Arch::supported(), "ctnet: kernels can only be compiled for an architecture the compile flags enable");
  using graph = bound_t<Net>;
  return {Arch::name(), graph::template packed_floats<Arch>(), &graph::template pack<Arch>,
          &graph::template run<Arch>};
}

#ifdef CTNET_KERNEL_ARCH
static_assert(std::is_same_v<CTNET_KERNEL_ARCH, compiled_arch>,
              "ctnet_add_kernels: this kernel translation unit's flags do not enable the architecture it was "
              "asked to compile (CTNET_KERNEL_ARCH); check the compile options given to it");

template <network_type Net, class Arch>
kernel_set instantiated_kernels() {
  return kernels_compiled_here<Net, Arch>();
}

// The network as forward() runs it (fused) and as forward_unfused() does.
#define CTNET_INSTANTIATE_KERNELS(...)                                                                         \
  template auto ::ctnet::instantiated_kernels<::ctnet::fuse_t<__VA_ARGS__>, CTNET_KERNEL_ARCH>()->::ctnet::kernel_set; \
  template auto ::ctnet::instantiated_kernels<__VA_ARGS__, CTNET_KERNEL_ARCH>()->::ctnet::kernel_set
#else
template <network_type Net, class Arch>
kernel_set instantiated_kernels();

// Outside a kernel translation unit the line only checks that it names a network.
#define CTNET_INSTANTIATE_KERNELS(...) static_assert(::ctnet::network_type<__VA_ARGS__>)
#endif

// The kernels of the architecture called `name`, from this translation unit or a kernel one.
template <network_type Net>
kernel_set kernels_for(std::string_view name) {
  kernel_set found = kernels_compiled_here<Net, compiled_arch>();
  [&]<class... Archs>(type_list<Archs...>) {
    (((name == Archs::name() && !std::is_same_v<Archs, compiled_arch>)
          ? void(found = instantiated_kernels<Net, Archs>())
          : void()),
     ...);
  }(dispatched_archs{});
  return found;
}

}  // namespace ctnet
